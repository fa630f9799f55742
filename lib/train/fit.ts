/**
 * The training loop: `fit` (mini-batch SGD with any optimizer, shuffling,
 * validation, early stopping, callbacks, progress), `evaluate` and `predict`.
 *
 * Values are read back from the backend only every `logEvery` steps (loss and
 * correct counts accumulate on the backend in between), so a GPU step
 * never waits on a readback. Training runs on the model's backend (where its
 * parameters live); data on another backend (e.g. MNIST kept on the CPU for a
 * GPU model) is moved one batch at a time, an upload per step. Each step (and
 * each evaluation batch) runs in a `scope`, so on WebGPU its intermediates
 * go back to the buffer pool as soon as it ends.
 *
 * @module
 */
import type { Backend } from "../backend.ts";
import type { Data } from "../data.ts";
import { noGrad, scope } from "../engine.ts";
import { Rng } from "../random.ts";
import type { Tensor } from "../tensor.ts";
import {
  argmax,
  cast,
  concat,
  eq,
  fromValues,
  mul,
  slice,
  sum,
  take,
  toBackend,
} from "../ops/mod.ts";
import type { Module } from "../nn/module.ts";
import { crossEntropy } from "../losses.ts";
import { autoProgress, type ProgressReporter } from "./progress.ts";

export type { Data };

/** What an optimizer must offer `fit` (which clears gradients with `model.zeroGrad()`). */
export interface StepOptimizer {
  /** Applies one update from the parameters' gradients. */
  step(): void;
}

/** A loss function `(output, target) → scalar`. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** Early stopping on a monitored quantity. */
export interface EarlyStopping {
  /** What to watch (default "valLoss"; accuracies are maximized, losses minimized). */
  monitor?: "valLoss" | "valAccuracy" | "loss" | "accuracy";
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBest?: boolean;
}

/** One record per read step. */
export interface StepRecord {
  /** Epoch, from 1. */
  epoch: number;
  /** Step within the epoch, from 1. */
  step: number;
  /** Mean loss over the steps since the previous record. */
  loss: number;
  /** Accuracy over the same steps (classification). */
  accuracy?: number;
}

/** One record per epoch. */
export interface EpochRecord {
  /** Epoch, from 1. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training accuracy over the epoch (classification). */
  accuracy?: number;
  /** Validation loss. */
  valLoss?: number;
  /** Validation accuracy. */
  valAccuracy?: number;
  /** Wall-clock seconds of the epoch's training steps. */
  seconds: number;
  /** Training examples per second. */
  examplesPerSecond: number;
}

/** What `fit` returns. */
export interface History {
  /** Per read step (every `logEvery` steps). */
  steps: StepRecord[];
  /** Per epoch. */
  epochs: EpochRecord[];
  /** Why training ended before `epochs`, if it did. */
  stopReason?: string;
  /** The epoch whose weights the model holds after early stopping with `restoreBest`. */
  bestEpoch?: number;
}

/** Options of {@linkcode fit}. */
export interface FitOptions {
  /** The optimizer, already given the model's parameters. */
  optimizer: StepOptimizer;
  /** Loss (default: cross-entropy from logits with int32 labels). */
  loss?: LossFn;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step: 1 is pure SGD, N is full batch (default 32). */
  batchSize?: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** A validation set evaluated after every epoch. */
  validation?: Data;
  /** Or: hold out this fraction of the training data (its last rows) for validation. */
  validationSplit?: number;
  /** Stop when the monitored quantity stops improving. */
  earlyStopping?: EarlyStopping;
  /** The lecture's rule: stop when the epoch loss changes by less than this. */
  minLossChange?: number;
  /** Called after each epoch's scheduler step, e.g. a learning-rate schedule. */
  scheduler?: { step(): void };
  /** Called after every read step; return `false` to stop. */
  onBatchEnd?: (record: StepRecord) => void | boolean;
  /** Called after every epoch; return `false` to stop. */
  onEpochEnd?: (record: EpochRecord) => void | boolean;
  /** Progress display (default: automatic terminal or notebook output; false for none). */
  progress?: boolean | ProgressReporter;
  /** Read loss/accuracy every this many steps (default 1 on CPU, 50 elsewhere). */
  logEvery?: number;
}

/**
 * Thrown when the loss becomes NaN or infinite; carries the history up to then.
 *
 * @example Catch it and keep the history
 * ```ts
 * import { fit, mlp, SGD, tensor, TrainingDivergedError } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = mlp([1, 1]);
 * const data = { x: tensor([[1e30], [-1e30]]), y: tensor([[1e30], [1e30]]) };
 * const loss = (o: ReturnType<typeof tensor>, t: ReturnType<typeof tensor>) => o.sub(t).pow(2).mean();
 * const err = await fit(model, data, {
 *   optimizer: new SGD(model.parameters(), { lr: 1 }), loss, epochs: 1, batchSize: 2, progress: false,
 * }).catch((e) => e);
 * assert.ok(err instanceof TrainingDivergedError);
 * assert.match(err.message, /epoch 1/);
 * ```
 */
export class TrainingDivergedError extends Error {
  /** The history before the bad value (no NaN in it). */
  readonly history: History;
  /** Builds the error. */
  constructor(message: string, history: History) {
    super(message);
    this.name = "TrainingDivergedError";
    this.history = history;
  }
}

function checkData(data: Data, what: string): void {
  const n = data.x.shape[0];
  if (!data.x.ndim || !n) {
    throw new Error(`${what}: the inputs are empty (shape [${data.x.shape}])`);
  }
  if (!data.y.ndim || data.y.shape[0] !== n) {
    throw new Error(
      `${what}: ${n} inputs (shape [${data.x.shape}]) but ${data.y.shape[0] ?? 0} targets ` +
        `(shape [${data.y.shape}]); they must match on axis 0`,
    );
  }
}

function rows(data: Data, start: number, end: number): Data {
  return { x: slice(data.x, [[start, end]]), y: slice(data.y, [[start, end]]) };
}

/** The backend a model computes on: its parameters' (else `fallback`, for a model without any). */
function deviceOf(model: Module, fallback: Backend): Backend {
  return model.parameters()[0]?.backend ?? fallback;
}

/** `data` on `device` (moved where it lives elsewhere: an upload, no readback). */
function onDevice(data: Data, device: Backend): Data {
  return { x: toBackend(data.x, device.name), y: toBackend(data.y, device.name) };
}

/** Number of correct predictions in a batch, as a backend scalar (no readback). */
function correctCount(output: Tensor, labels: Tensor): Tensor {
  return sum(cast(eq(argmax(output, -1), labels), "float32"));
}

/**
 * Trains `model` on `data`; resolves to the history.
 *
 * @example Learn y = 2x + 1 with plain SGD
 * ```ts
 * import { fit, Linear, mse, SGD, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = new Linear(1, 1);
 * const x = tensor([[0], [1], [2], [3]]), y = tensor([[1], [3], [5], [7]]);
 * const h = await fit(model, { x, y }, {
 *   optimizer: new SGD(model.parameters(), { lr: 0.05 }), loss: mse, epochs: 300, batchSize: 4, progress: false,
 * });
 * assert.ok(h.epochs.at(-1)!.loss < 1e-3);
 * ```
 */
export async function fit(model: Module, data: Data, options: FitOptions): Promise<History> {
  checkData(data, "fit");
  const {
    optimizer,
    loss: lossFn = crossEntropy,
    epochs = 1,
    batchSize = 32,
    shuffle = true,
    seed = 0,
  } = options;
  let train = data;
  let validation = options.validation;
  if (options.validationSplit) {
    const n = data.x.shape[0];
    const held = Math.round(n * options.validationSplit);
    if (held < 1 || held >= n) {
      throw new Error(
        `fit: validationSplit ${options.validationSplit} leaves no training or validation rows`,
      );
    }
    train = rows(data, 0, n - held);
    validation = rows(data, n - held, n);
  }
  if (validation) checkData(validation, "fit (validation)");
  const n = train.x.shape[0];
  const size = Math.min(Math.max(1, Math.floor(batchSize)), n);
  const steps = Math.ceil(n / size);
  const classify = train.y.dtype === "int32";
  const device = deviceOf(model, train.x.backend);
  const logEvery = options.logEvery ?? (device.readSync ? 1 : 50);
  const reporter = options.progress === false
    ? null
    : options.progress === true || options.progress === undefined
    ? autoProgress()
    : options.progress;
  const rng = new Rng(seed);
  const history: History = { steps: [], epochs: [] };
  const stopping = options.earlyStopping;
  const monitor = stopping?.monitor ?? "valLoss";
  if (stopping && monitor.startsWith("val") && !validation) {
    throw new Error(`fit: earlyStopping monitors ${monitor} but no validation data was given`);
  }
  let best = Infinity, bestEpoch = 0, waited = 0;
  let bestWeights: Tensor[] | null = null;

  model.train();
  model.zeroGrad(); // each step's backward starts from no gradient
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
      const started = performance.now();
      let epochLoss = 0, epochCorrect = 0, seen = 0;
      // (Typed with "as": TypeScript would narrow them to null and not see the closure below.)
      let windowLoss = null as Tensor | null, windowCorrect = null as Tensor | null;
      let windowSeen = 0;
      for (let step = 1; step <= steps; step++) {
        const idx = order.subarray((step - 1) * size, Math.min(step * size, n));
        // Forward and backward in a scope that keeps the parameters and their
        // gradients (and the window sums of loss and correct predictions,
        // which stay on the device); the optimizer steps outside it, so its
        // own state is its business. Then zeroGrad frees the spent gradients.
        const [sumLoss, sumCorrect] = scope(() => {
          const indices = fromValues(idx, [idx.length], {
            dtype: "int32",
            backend: train.x.backend.name,
          });
          const batch = onDevice({ x: take(train.x, indices), y: take(train.y, indices) }, device);
          const out = model.forward(batch.x);
          const loss = lossFn(out, batch.y);
          loss.backward();
          return noGrad((): [Tensor, Tensor | null] => {
            const weighted = mul(loss.detach(), idx.length);
            const c = classify ? correctCount(out, batch.y) : null;
            return [
              windowLoss ? windowLoss.add(weighted) : weighted,
              c && windowCorrect ? windowCorrect.add(c) : c,
            ];
          });
        }, [model]);
        optimizer.step();
        model.zeroGrad();
        windowLoss?.dispose(), windowCorrect?.dispose();
        windowLoss = sumLoss, windowCorrect = sumCorrect;
        windowSeen += idx.length;
        if (step % logEvery !== 0 && step !== steps) continue;
        const lossSum = await sumLoss.item();
        const correct = sumCorrect ? await sumCorrect.item() : 0;
        sumLoss.dispose(), sumCorrect?.dispose();
        if (!Number.isFinite(lossSum)) {
          throw new TrainingDivergedError(
            `fit: the loss became ${lossSum} at epoch ${epoch}, step ${step} of ${steps}` +
              `${logEvery > 1 ? ` (read every ${logEvery} steps)` : ""}; training stopped. ` +
              `Try a lower learning rate or check the inputs for NaN/Inf.`,
            history,
          );
        }
        epochLoss += lossSum, epochCorrect += correct, seen += windowSeen;
        const record: StepRecord = { epoch, step, loss: lossSum / windowSeen };
        if (classify) record.accuracy = correct / windowSeen;
        history.steps.push(record);
        windowLoss = windowCorrect = null, windowSeen = 0;
        const seconds = (performance.now() - started) / 1000;
        reporter?.update({
          epoch,
          epochs,
          step,
          steps,
          loss: epochLoss / seen,
          accuracy: classify ? epochCorrect / seen : undefined,
          examplesPerSecond: seen / Math.max(seconds, 1e-9),
          seconds,
        });
        if (options.onBatchEnd?.(record) === false) {
          history.stopReason = `onBatchEnd stopped training at epoch ${epoch}, step ${step}`;
          break;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const record: EpochRecord = {
        epoch,
        loss: epochLoss / seen,
        seconds,
        examplesPerSecond: seen / Math.max(seconds, 1e-9),
      };
      if (classify) record.accuracy = epochCorrect / seen;
      if (validation) {
        const v = await evaluate(model, validation, {
          loss: lossFn,
          batchSize: Math.max(size, 256),
        });
        record.valLoss = v.loss;
        if (v.accuracy !== undefined) record.valAccuracy = v.accuracy;
        model.train();
      }
      history.epochs.push(record);
      reporter?.epochEnd({ ...record, epochs, step: steps, steps });
      options.scheduler?.step();
      if (history.stopReason) break;
      if (options.onEpochEnd?.(record) === false) {
        history.stopReason = `onEpochEnd stopped training after epoch ${epoch}`;
        break;
      }
      if (options.minLossChange !== undefined && history.epochs.length > 1) {
        const change = Math.abs(history.epochs.at(-2)!.loss - record.loss);
        if (change < options.minLossChange) {
          history.stopReason = `the epoch loss changed by ${change.toExponential(2)} < ` +
            `minLossChange ${options.minLossChange} after epoch ${epoch}`;
          break;
        }
      }
      if (stopping) {
        const value = record[monitor];
        if (value === undefined) {
          throw new Error(`fit: earlyStopping monitors ${monitor}, which is not computed`);
        }
        const score = monitor.endsWith("ccuracy") ? -value : value;
        if (score < best - (stopping.minDelta ?? 0)) {
          best = score, bestEpoch = epoch, waited = 0;
          if (stopping.restoreBest ?? true) {
            bestWeights?.forEach((t) => t.dispose());
            bestWeights = noGrad(() => model.parameters().map((p) => p.clone()));
          }
        } else if (++waited >= (stopping.patience ?? 3)) {
          history.stopReason =
            `${monitor} did not improve for ${waited} epochs (best: epoch ${bestEpoch})`;
          break;
        }
      }
    }
  } finally {
    await reporter?.close();
  }
  if (bestWeights) {
    const params = model.parameters();
    (bestWeights as Tensor[]).forEach((w, i) => params[i].assign(w));
    history.bestEpoch = bestEpoch;
  }
  return history;
}

/** Options of {@linkcode evaluate} and {@linkcode predict}. */
export interface EvaluateOptions {
  /** Loss (default cross-entropy from logits). */
  loss?: LossFn;
  /** Examples per forward pass (default 256). */
  batchSize?: number;
}

/**
 * Mean loss (and accuracy for int32 labels) of `model` on `data`, in
 * evaluation mode without a graph.
 *
 * @example
 * ```ts
 * import { evaluate, Linear, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = new Linear(2, 2);
 * const r = await evaluate(model, { x: tensor([[1, 0], [0, 1]]), y: tensor([0, 1], { dtype: "int32" }) });
 * assert.ok(r.loss > 0 && r.accuracy !== undefined);
 * ```
 */
export async function evaluate(
  model: Module,
  data: Data,
  options: EvaluateOptions = {},
): Promise<{ loss: number; accuracy?: number }> {
  checkData(data, "evaluate");
  const { loss: lossFn = crossEntropy, batchSize = 256 } = options;
  const n = data.x.shape[0];
  const classify = data.y.dtype === "int32";
  const wasTraining = model.training;
  model.eval();
  try {
    const device = deviceOf(model, data.x.backend);
    let lossSum = null as Tensor | null, correct = null as Tensor | null;
    for (let s = 0; s < n; s += batchSize) {
      // Sums stay on the device; each batch's intermediates are freed after it.
      const [l, c] = scope(() =>
        noGrad((): [Tensor, Tensor | null] => {
          const batch = onDevice(rows(data, s, Math.min(s + batchSize, n)), device);
          const out = model.forward(batch.x);
          const l = mul(lossFn(out, batch.y), batch.x.shape[0]);
          const c = classify ? correctCount(out, batch.y) : null;
          return [lossSum ? lossSum.add(l) : l, c && correct ? correct.add(c) : c];
        })
      );
      lossSum?.dispose(), correct?.dispose();
      lossSum = l, correct = c;
    }
    const result: { loss: number; accuracy?: number } = { loss: (await lossSum!.item()) / n };
    if (correct) result.accuracy = (await correct.item()) / n;
    lossSum!.dispose(), correct?.dispose();
    return result;
  } finally {
    model.train(wasTraining);
  }
}

/**
 * The model's outputs for every row of `x`, in batches, without a graph.
 *
 * @example
 * ```ts
 * import { predict, Linear, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(predict(new Linear(3, 2), zeros([5, 3]), { batchSize: 2 }).shape, [5, 2]);
 * ```
 */
export function predict(model: Module, x: Tensor, options: EvaluateOptions = {}): Tensor {
  const { batchSize = 256 } = options;
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    const device = deviceOf(model, x.backend);
    const parts: Tensor[] = [];
    for (let s = 0; s < n; s += batchSize) {
      const batchX = () => toBackend(slice(x, [[s, Math.min(s + batchSize, n)]]), device.name);
      parts.push(scope(() => noGrad(() => model.forward(batchX()))));
    }
    if (parts.length === 1) return parts[0];
    const all = noGrad(() => concat(parts, 0));
    parts.forEach((p) => p.dispose());
    return all;
  } finally {
    model.train(wasTraining);
  }
}
