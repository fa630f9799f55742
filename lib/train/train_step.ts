/**
 * One training step, the unit `fit` repeats: the batch moved to the model's
 * backend, forward, loss, backward, the optimizer's update, gradients
 * cleared. Nothing is read back: the loss (and the number of correct
 * predictions) stay on the backend as scalars.
 *
 * @module
 */
import type { Backend } from "../backend.ts";
import { noGrad, scope } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { argmax, cast, eq, sum, toBackend } from "../ops/mod.ts";
import type { Module } from "../nn/module.ts";
import type { Data } from "../data.ts";
import { checkLabels } from "../losses.ts";

export type { Data };

/**
 * What an optimizer must offer `fit` (which clears gradients with `model.zeroGrad()`).
 *
 * @example
 * ```ts
 * import type { StepOptimizer } from "./train_step.ts";
 * const nothing: StepOptimizer = { step() {} };
 * ```
 */
export interface StepOptimizer {
  /** Applies one update from the parameters' gradients. */
  step(): void;
  /** The parameters it updates (optimizers built on `Optimizer` have them; `fit` checks them). */
  readonly params?: readonly Tensor[];
}

/**
 * A loss function `(output, target) → scalar`.
 *
 * @example
 * ```ts
 * import { mse } from "../../mod.ts";
 * import type { LossFn } from "./train_step.ts";
 * const loss: LossFn = mse;
 * ```
 */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/**
 * What {@linkcode trainStep} returns: scalars still on the model's backend.
 *
 * @example
 * ```ts
 * import type { StepResult } from "./train_step.ts";
 * const read = async (r: StepResult) => [await r.loss.item(), await r.correct?.item()];
 * ```
 */
export interface StepResult {
  /** The batch's mean loss (detached). */
  loss: Tensor;
  /** Correct predictions in the batch (float32 count), for int32 labels; else null. */
  correct: Tensor | null;
}

/**
 * The backend a model computes on: its parameters' (else `fallback`, for a
 * model without any).
 *
 * @example
 * ```ts
 * import { getBackend, Linear } from "../../mod.ts";
 * import { deviceOf } from "./train_step.ts";
 * import assert from "node:assert/strict";
 * assert.equal(deviceOf(new Linear(2, 2), getBackend()).name, "cpu");
 * ```
 */
export function deviceOf(model: Module, fallback: Backend): Backend {
  return model.parameters()[0]?.backend ?? fallback;
}

/**
 * `data` on `device` (moved where it lives elsewhere: an upload, no readback).
 *
 * @example
 * ```ts
 * import { getBackend, tensor } from "../../mod.ts";
 * import { onDevice } from "./train_step.ts";
 * import assert from "node:assert/strict";
 * const d = onDevice({ x: tensor([1]), y: tensor([2]) }, getBackend());
 * assert.equal(d.x.backend.name, "cpu");
 * ```
 */
export function onDevice(data: Data, device: Backend): Data {
  return { x: toBackend(data.x, device.name), y: toBackend(data.y, device.name) };
}

/**
 * Number of correct predictions in a batch, as a backend scalar (no readback).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { correctCount } from "./train_step.ts";
 * import assert from "node:assert/strict";
 * const c = correctCount(tensor([[2, 1], [0, 3]]), tensor([0, 0], { dtype: "int32" }));
 * assert.equal(c.itemSync(), 1);
 * ```
 */
export function correctCount(output: Tensor, labels: Tensor): Tensor {
  return sum(cast(eq(argmax(output, -1), labels), "float32"));
}

/**
 * Checks class labels that were moved to another backend while they are
 * still readable on the CPU (out there they could not be checked without a
 * readback, and an out-of-range label would silently match no class).
 */
export function checkLabelsBeforeUpload(
  op: string,
  labels: Tensor,
  moved: Tensor,
  output: Tensor,
): void {
  if (moved === labels || labels.dtype !== "int32" || labels.ndim !== 1 || output.ndim !== 2) {
    return;
  }
  checkLabels(op, labels, output.shape[1]);
}

/**
 * One training step on `batch`: forward, `lossFn`, backward, `optimizer.step()`,
 * then `model.zeroGrad()`. The batch is moved to the model's backend if it
 * lives elsewhere. Forward and backward run in a `scope` that keeps only the
 * model (and the returned scalars), so on WebGPU every intermediate goes back
 * to the pool at once; the optimizer steps outside it, so its state is its
 * own business. Nothing is read back.
 *
 * @example One step of SGD lowers the loss
 * ```ts
 * import { Linear, mse, SGD, tensor, trainStep } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = new Linear(1, 1);
 * const optimizer = new SGD(model.parameters(), { lr: 0.1 });
 * const batch = { x: tensor([[1], [2]]), y: tensor([[2], [4]]) };
 * const first = trainStep(model, batch, mse, optimizer);
 * const second = trainStep(model, batch, mse, optimizer);
 * assert.ok(second.loss.itemSync() < first.loss.itemSync());
 * assert.equal(first.correct, null); // float targets: no accuracy
 * ```
 */
export function trainStep(
  model: Module,
  batch: Data,
  lossFn: LossFn,
  optimizer: StepOptimizer,
): StepResult {
  const device = deviceOf(model, batch.x.backend);
  const [loss, correct] = scope(() => {
    const b = onDevice(batch, device);
    const out = model.forward(b.x);
    checkLabelsBeforeUpload("trainStep", batch.y, b.y, out);
    const loss = lossFn(out, b.y);
    loss.backward();
    return noGrad((): [Tensor, Tensor | null] => [
      loss.detach(),
      b.y.dtype === "int32" ? correctCount(out, b.y) : null,
    ]);
  }, [model]);
  optimizer.step();
  model.zeroGrad();
  return { loss, correct };
}
