/**
 * Optimizers and friends: the `Optimizer` base class with parameter groups,
 * `SGD` (momentum, Nesterov, weight decay), `Adam`, learning-rate schedules
 * and gradient clipping. (Rosenblatt's perceptron rule, a training rule of
 * its own, is `trainPerceptron` in `train/perceptron.ts`.)
 *
 * @example One SGD step on f(w) = Σ w²
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { SGD } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([1, -2], { requiresGrad: true });
 * const opt = new SGD([w], { lr: 0.25 });
 * w.mul(w).sum().backward(); // gradient 2w
 * opt.step(); // w − 0.25 · 2w = w / 2
 * assert.deepEqual(w.arraySync(), [0.5, -1]);
 * ```
 *
 * @module
 */
export {
  type BaseOptimizerOptions,
  Optimizer,
  type OptimizerState,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
  type Temp,
} from "./optimizer.ts";
export { SGD, type SGDOptions } from "./sgd.ts";
export { Adam, type AdamOptions } from "./adam.ts";
export {
  CosineLR,
  ExponentialLR,
  type HasParamGroups,
  InverseTimeLR,
  LRScheduler,
  StepLR,
} from "./schedules.ts";
export { clipGradNorm, clipGradNormAsync } from "./clip.ts";
