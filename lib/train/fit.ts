/**
 * The training loop: `fit` repeats {@linkcode trainStep} over shuffled
 * mini-batches for some epochs, with validation, early stopping, callbacks,
 * progress, checkpoints, a time budget and a watch for divergence.
 *
 * Values are read back from the backend only every `logEvery` steps (loss and
 * correct counts accumulate on the backend in between), so a GPU step
 * never waits on a readback. Training runs on the model's backend (where its
 * parameters live); data on another backend (e.g. MNIST kept on the CPU for a
 * GPU model) is moved one batch at a time, an upload per step.
 *
 * @module
 */
import { noGrad, scope } from "../engine.ts";
import { Rng } from "../random.ts";
import type { Tensor } from "../tensor.ts";
import { add, cast, fromValues, mul, stack, sum, take, zeros } from "../ops/mod.ts";
import type { Module } from "../nn/module.ts";
import { crossEntropy } from "../losses.ts";
import { autoProgress } from "../display/progress.ts";
import { type Data, deviceOf, trainStep } from "./train_step.ts";
import { EarlyStopper } from "./early_stopping.ts";
import { evaluate, rows } from "./evaluate.ts";
import { checkFitOptions, type FitOptions } from "./fit_options.ts";
import { resumeRun, saveRun } from "./fit_checkpoint.ts";
import type { Run } from "./_run.ts";
import {
  type EpochRecord,
  type History,
  type StepRecord,
  type StopCause,
  TrainingDivergedError,
} from "./history.ts";

export type { Data, LossFn, StepOptimizer } from "./train_step.ts";
export type { EarlyStopping } from "./early_stopping.ts";
export type { FitOptions } from "./fit_options.ts";
export * from "./history.ts";

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
  const run = startRun(model, data, options);
  if (options.checkpoint && options.resume) {
    await resumeRun(run, options.checkpoint);
    // The epochs the checkpoint holds show as done, so a finished run that resumes (a notebook
    // run again) shows its epochs and chart rather than an empty progress box.
    for (const record of run.history.epochs) reportEpoch(run, record);
  }
  model.train();
  model.zeroGrad(); // each step's backward starts from no gradient
  try {
    while (run.epoch <= run.epochs && !run.history.stopped) {
      const complete = await trainEpoch(run);
      if (!complete) break; // out of time mid-epoch: the checkpoint holds the place
      await endEpoch(run);
      if (run.epoch <= run.epochs && !run.history.stopped && timeUp(run)) stop(run, "maxSeconds");
    }
  } finally {
    await run.reporter?.close();
  }
  const best = run.stopper?.restore(model);
  if (best !== undefined) run.history.bestEpoch = best;
  return run.history;
}

function startRun(model: Module, data: Data, options: FitOptions): Run {
  checkFitOptions(model, data, options);
  let train = data, validation = options.validation;
  if (options.validationSplit) {
    const n = data.x.shape[0];
    const held = Math.round(n * options.validationSplit);
    if (held < 1 || held >= n) {
      throw new RangeError(
        `fit: validationSplit ${options.validationSplit} leaves no training or validation rows ` +
          `(of ${n})`,
      );
    }
    train = rows(data, 0, n - held);
    validation = rows(data, n - held, n);
  }
  const n = train.x.shape[0];
  const size = Math.min(options.batchSize ?? 32, n);
  const device = deviceOf(model, train.x.backend);
  const { progress } = options;
  const rng = new Rng(options.seed ?? 0);
  return {
    model,
    options,
    train,
    validation,
    lossFn: options.loss ?? crossEntropy,
    optimizer: options.optimizer,
    epochs: options.epochs ?? 1,
    size,
    steps: Math.ceil(n / size),
    classify: train.y.dtype === "int32",
    logEvery: options.logEvery ?? (device.readSync ? 1 : 50),
    reporter: progress === false
      ? null
      : progress === true || !progress
      ? autoProgress()
      : progress,
    rng,
    history: { steps: [], epochs: [] },
    stopper: options.earlyStopping ? new EarlyStopper(options.earlyStopping) : undefined,
    epoch: 1,
    step: 0,
    epochRng: rng.getState(),
    sums: { loss: 0, correct: 0, seen: 0, seconds: 0 },
    started: performance.now(),
    saved: performance.now(),
  };
}

const timeUp = (run: Run) =>
  run.options.maxSeconds !== undefined &&
  (performance.now() - run.started) / 1000 >= run.options.maxSeconds;

function stop(run: Run, cause: StopCause, reason?: string): void {
  run.history.stopped = cause;
  const where = run.step === 0
    ? `after epoch ${run.epoch - 1}`
    : `at epoch ${run.epoch}, step ${run.step} of ${run.steps}`;
  run.history.stopReason = reason ?? `maxSeconds ${run.options.maxSeconds} reached ${where}`;
}

/** The epoch's row order (replayed from the saved generator state after a resume). */
function epochOrder(run: Run): Int32Array {
  const n = run.train.x.shape[0];
  if (run.step === 0) run.epochRng = run.rng.getState();
  else run.rng.setState(run.epochRng);
  return run.options.shuffle ?? true
    ? run.rng.permutation(n)
    : Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * Trains the rest of the current epoch; false when it stopped early for
 * `maxSeconds` (after saving the checkpoint).
 */
async function trainEpoch(run: Run): Promise<boolean> {
  const { train, size, steps } = run;
  const n = train.x.shape[0];
  const order = epochOrder(run);
  const segment = performance.now();
  let window: [Tensor, Tensor | null] | null = null, windowSeen = 0;
  for (let step = run.step + 1; step <= steps; step++) {
    const idx = order.subarray((step - 1) * size, Math.min(step * size, n));
    const batch = scope(() => {
      const i = fromValues(idx, [idx.length], { dtype: "int32", backend: train.x.backend.name });
      return { x: take(train.x, i), y: take(train.y, i) };
    });
    const result = trainStep(run.model, batch, run.lossFn, run.optimizer);
    batch.x.dispose(), batch.y.dispose();
    window = addToWindow(window, result.loss, result.correct, idx.length);
    windowSeen += idx.length;
    run.step = step;
    const outOfTime = timeUp(run);
    if (step % run.logEvery !== 0 && step !== steps && !outOfTime) continue;
    const [lossSum, correct] = await readWindow(run, window);
    window = null;
    const seconds = run.sums.seconds + (performance.now() - segment) / 1000;
    const goOn = recordWindow(run, lossSum, correct, windowSeen, seconds);
    windowSeen = 0;
    if (!goOn) break;
    if (outOfTime && step < steps) {
      run.sums.seconds = seconds;
      stop(run, "maxSeconds");
      if (run.options.checkpoint) await saveRun(run, run.options.checkpoint);
      return false;
    }
    if (run.options.checkpoint && step < steps && checkpointDue(run)) {
      run.sums.seconds = seconds;
      await saveRun(run, run.options.checkpoint);
    }
  }
  run.sums.seconds += (performance.now() - segment) / 1000;
  return true;
}

const checkpointDue = (run: Run) =>
  (performance.now() - run.saved) / 1000 >= (run.options.checkpointEvery ?? 120);

/** Adds a step's loss (× its examples) and correct count to the window sums, on the device. */
function addToWindow(
  window: [Tensor, Tensor | null] | null,
  loss: Tensor,
  correct: Tensor | null,
  examples: number,
): [Tensor, Tensor | null] {
  const next = scope(() =>
    noGrad((): [Tensor, Tensor | null] => {
      const weighted = mul(loss, examples);
      return window
        ? [window[0].add(weighted), correct && window[1] ? window[1].add(correct) : correct]
        : [weighted, correct];
    })
  );
  const kept = new Set<Tensor | null>(next);
  for (const t of [loss, correct, window?.[0], window?.[1]]) if (t && !kept.has(t)) t.dispose();
  return next;
}

/**
 * Reads the window's loss and correct sums in one readback, together with a
 * probe, the sum of every parameter's values, which is not finite when any
 * of them is NaN or infinite. Throws {@linkcode TrainingDivergedError} if
 * the loss or a parameter is not finite. (One reduction per parameter and a
 * three-element stack keep this cheap: it runs every step on the CPU. A sum
 * too large for float32 without any bad value, which takes values of 1e33
 * and more, makes `divergedError` look at every value and go on.)
 */
async function readWindow(run: Run, window: [Tensor, Tensor | null]): Promise<[number, number]> {
  const [lossSum, correct] = window;
  const probe = scope(() =>
    noGrad(() => {
      const dtype = lossSum.dtype;
      const as = (t: Tensor) => t.dtype === dtype ? t : cast(t, dtype);
      const sums = run.model.parameters().map((p) => as(sum(p)));
      const params = sums.length ? sums.reduce((a, b) => add(a, b)) : zeros([], { dtype });
      return stack([lossSum, correct ? as(correct) : zeros([], { dtype }), params]);
    })
  );
  const values = await probe.data();
  probe.dispose(), lossSum.dispose(), correct?.dispose();
  if (!values.every((v) => Number.isFinite(v))) {
    const err = await divergedError(run, values[0]);
    if (err) throw err;
  }
  return [values[0], values[1]];
}

async function divergedError(run: Run, loss: number): Promise<TrainingDivergedError | null> {
  const where = `at epoch ${run.epoch}, step ${run.step} of ${run.steps}` +
    `${run.logEvery > 1 ? ` (read every ${run.logEvery} steps)` : ""}`;
  const hint = "Try a lower learning rate or check the inputs for NaN/Inf.";
  if (!Number.isFinite(loss)) {
    return new TrainingDivergedError(
      `fit: the loss became ${loss} ${where}; training stopped. ${hint}`,
      run.history,
    );
  }
  const bad: string[] = [];
  let count = 0, total = 0;
  for (const [name, p] of run.model.namedParameters()) {
    const k = Array.from(await p.data()).filter((v) => !Number.isFinite(v)).length;
    if (k) bad.push(`'${name}' (${k} of ${p.size})`);
    count += k, total += p.size;
  }
  if (count === 0) return null; // only a sum out of float32's range
  return new TrainingDivergedError(
    `fit: ${count.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} parameters ` +
      `became NaN or infinite ${where}, in ${bad.slice(0, 5).join(", ")}` +
      `${bad.length > 5 ? ` and ${bad.length - 5} more` : ""}, while the loss was still ` +
      `finite; training stopped. ${hint}`,
    run.history,
  );
}

/** Records a read window; false when `onBatchEnd` asked to stop. */
function recordWindow(
  run: Run,
  lossSum: number,
  correct: number,
  seen: number,
  seconds: number,
): boolean {
  const { epoch, step, sums, classify } = run;
  sums.loss += lossSum, sums.correct += correct, sums.seen += seen;
  const record: StepRecord = { epoch, step, loss: lossSum / seen };
  if (classify) record.accuracy = correct / seen;
  run.history.steps.push(record);
  run.reporter?.update({
    epoch,
    epochs: run.epochs,
    step,
    steps: run.steps,
    loss: sums.loss / sums.seen,
    accuracy: classify ? sums.correct / sums.seen : undefined,
    examplesPerSecond: sums.seen / Math.max(seconds, 1e-9),
    seconds,
  });
  if (run.options.onBatchEnd?.(record) === false) {
    stop(run, "onBatchEnd", `onBatchEnd stopped training at epoch ${epoch}, step ${step}`);
    return false;
  }
  return true;
}

/** The epoch's record, validation, schedule, stopping rules and checkpoint. */
async function endEpoch(run: Run): Promise<void> {
  const { epoch, sums, options } = run;
  const record: EpochRecord = {
    epoch,
    loss: sums.loss / sums.seen,
    seconds: sums.seconds,
    examplesPerSecond: sums.seen / Math.max(sums.seconds, 1e-9),
  };
  if (run.classify) record.accuracy = sums.correct / sums.seen;
  if (run.validation) {
    const v = await evaluate(run.model, run.validation, {
      loss: run.lossFn,
      batchSize: Math.max(run.size, 256),
    });
    record.valLoss = v.loss;
    if (v.accuracy !== undefined) record.valAccuracy = v.accuracy;
    run.model.train();
  }
  run.history.epochs.push(record);
  reportEpoch(run, record);
  options.scheduler?.step();
  run.epoch++, run.step = 0, run.sums = { loss: 0, correct: 0, seen: 0, seconds: 0 };
  run.epochRng = run.rng.getState(); // where the next epoch's shuffle starts
  if (!run.history.stopped) stopAfterEpoch(run, record);
  if (options.checkpoint) await saveRun(run, options.checkpoint);
}

function stopAfterEpoch(run: Run, record: EpochRecord): void {
  const { options, history } = run;
  const epoch = record.epoch;
  if (options.onEpochEnd?.(record) === false) {
    return stop(run, "onEpochEnd", `onEpochEnd stopped training after epoch ${epoch}`);
  }
  if (options.minLossChange !== undefined && history.epochs.length > 1) {
    const change = Math.abs(history.epochs.at(-2)!.loss - record.loss);
    if (change < options.minLossChange) {
      return stop(
        run,
        "minLossChange",
        `the epoch loss changed by ${change.toExponential(2)} < minLossChange ` +
          `${options.minLossChange} after epoch ${epoch}`,
      );
    }
  }
  const reason = run.stopper?.update(record, epoch, run.model);
  if (reason) stop(run, "earlyStopping", reason);
}

export { evaluate, type EvaluateOptions, predict } from "./evaluate.ts";

function reportEpoch(run: Run, record: History["epochs"][number]): void {
  run.reporter?.epochEnd({ ...record, epochs: run.epochs, step: run.steps, steps: run.steps });
}
