/**
 * `evaluate` (mean loss and accuracy) and `predict` (outputs), in evaluation
 * mode, without a graph, one batch at a time, each batch in a `scope`.
 *
 * @module
 */
import { noGrad, scope } from "../engine.ts";
import { Tensor } from "../tensor.ts";
import { concat, mul, slice, toBackend } from "../ops/mod.ts";
import type { Module } from "../nn/module.ts";
import { crossEntropy } from "../losses.ts";
import {
  checkLabelsBeforeUpload,
  correctCount,
  type Data,
  deviceOf,
  type LossFn,
  onDevice,
} from "./train_step.ts";
import { checkData, checkInteger, checkKnown, checkType, shown } from "./_validate.ts";

/**
 * Options of {@linkcode evaluate} and {@linkcode predict}.
 *
 * @example
 * ```ts
 * import type { EvaluateOptions } from "./evaluate.ts";
 * const options: EvaluateOptions = { batchSize: 1000 };
 * ```
 */
export interface EvaluateOptions {
  /** Loss (default cross-entropy from logits). */
  loss?: LossFn;
  /** Examples per forward pass (default 256). */
  batchSize?: number;
}

/** The rows `[start, end)` of `data`. */
export function rows(data: Data, start: number, end: number): Data {
  return { x: slice(data.x, [[start, end]]), y: slice(data.y, [[start, end]]) };
}

function checkEvaluateOptions(where: string, options: EvaluateOptions): number {
  checkKnown(where, options, ["loss", "batchSize"]);
  checkType(where, "loss", options.loss, "function");
  const { batchSize = 256 } = options;
  checkInteger(where, "batchSize", batchSize, 1);
  return batchSize;
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
 * await assert.rejects(evaluate(model, { x: tensor([[1, 0]]), y: tensor([0]) }, { batchSize: 0 }), /batchSize/);
 * ```
 */
export async function evaluate(
  model: Module,
  data: Data,
  options: EvaluateOptions = {},
): Promise<{ loss: number; accuracy?: number }> {
  checkData(data, "evaluate");
  const batchSize = checkEvaluateOptions("evaluate", options);
  const lossFn = options.loss ?? crossEntropy;
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
          const cpuBatch = rows(data, s, Math.min(s + batchSize, n));
          const batch = onDevice(cpuBatch, device);
          const out = model.forward(batch.x);
          checkLabelsBeforeUpload("evaluate", cpuBatch.y, batch.y, out);
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
  if (!(x instanceof Tensor) || !x.ndim) {
    throw new TypeError(`predict: x must be a tensor [N, ...] of inputs, got ${shown(x)}`);
  }
  const batchSize = checkEvaluateOptions("predict", options);
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
