/**
 * Stochastic gradient descent, with Polyak momentum, Nesterov momentum and
 * L2 weight decay.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { optimStep, zerosLike } from "../ops/mod.ts";
import {
  Optimizer,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamState,
  type Temp,
} from "./optimizer.ts";

/**
 * Hyperparameters of {@linkcode SGD}.
 *
 * @example
 * ```ts
 * import type { SGDOptions } from "./sgd.ts";
 * const opts: Partial<SGDOptions> = { lr: 0.05, momentum: 0.9, nesterov: true };
 * ```
 */
export interface SGDOptions {
  /** Learning rate η (default 0.01). */
  lr: number;
  /** Momentum coefficient μ (the lecture's γ) in [0, 1] (default 0: plain SGD). */
  momentum: number;
  /** Use Nesterov's look-ahead momentum (needs momentum > 0; default false). */
  nesterov: boolean;
  /** L2 weight decay λ: the gradient becomes g + λw (default 0). */
  weightDecay: number;
}

/**
 * Stochastic gradient descent: w ← w − η g, the lecture's update rule
 * w⁽ᵗ⁺¹⁾ = w⁽ᵗ⁾ − η ∇E(w⁽ᵗ⁾).
 *
 * Weight decay first adds λw to the gradient (g ← g + λw, the gradient of
 * the penalty ½λ‖w‖²).
 *
 * Momentum uses **Polyak's form** (Polyak 1964; the lecture's "movement =
 * negative of gradient + momentum"): a velocity v (starting at 0) is
 * updated as v ← μv − ηg, then w ← w + v. With a constant learning rate this
 * takes exactly the same steps as PyTorch's form (b ← μb + g, w ← w − ηb,
 * with v = −ηb); they differ only when η changes: here a new η applies to
 * new gradients only, while PyTorch's rescales the whole velocity.
 *
 * Nesterov momentum (Sutskever et al.'s form) steps as if from the
 * look-ahead point: v ← μv − ηg, then w ← w + μv − ηg.
 *
 * @example Momentum on f(w) = ½ w²
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([1], { requiresGrad: true, dtype: "float64" });
 * const opt = new SGD([w], { lr: 0.5, momentum: 0.5 });
 * for (let i = 0; i < 2; i++) {
 *   opt.zeroGrad();
 *   w.mul(w).mul(0.5).sum().backward(); // gradient w
 *   opt.step();
 * }
 * // step 1: v = −0.5, w = 0.5; step 2: v = 0.5·(−0.5) − 0.5·0.5 = −0.5, w = 0
 * assert.deepEqual(w.arraySync(), [0]);
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  /**
   * Creates an SGD optimizer (defaults: lr 0.01, no momentum, no weight decay).
   *
   * @param params Parameters, or groups `{ params, lr?, momentum?, ... }`.
   * @param options Defaults for every group.
   */
  constructor(
    params: readonly Tensor[] | readonly ParamGroupSpec<SGDOptions>[],
    options: Partial<SGDOptions> = {},
  ) {
    super(params, {
      lr: options.lr ?? 0.01,
      momentum: options.momentum ?? 0,
      nesterov: options.nesterov ?? false,
      weightDecay: options.weightDecay ?? 0,
    });
  }

  /** Also checks momentum and nesterov. */
  protected override validate(group: ParamGroup<SGDOptions>, index: number): void {
    super.validate(group, index);
    if (!(group.momentum >= 0 && group.momentum <= 1)) {
      throw new Error(`SGD: momentum of group ${index} must be in [0, 1], got ${group.momentum}`);
    }
    if (group.nesterov && group.momentum === 0) {
      throw new Error(`SGD: nesterov in group ${index} needs momentum > 0`);
    }
  }

  /** One SGD update of `param`. */
  protected update(
    param: Tensor,
    grad: Tensor,
    group: ParamGroup<SGDOptions>,
    state: ParamState,
    temp: Temp,
  ): void {
    const { lr, momentum, nesterov, weightDecay } = group;
    // One optimStep: g ← grad + λw; v ← μv − ηg; w ← w + v (Nesterov: w + μv − ηg),
    // a single pass over w, g and v where the backend fuses it.
    const state0 = momentum > 0 ? [state.buffers.velocity ??= zerosLike(param)] : [];
    const [p, v] = optimStep(param, grad, state0, {
      rule: "sgd",
      lr,
      momentum,
      nesterov,
      weightDecay,
    });
    param.assign(temp(p));
    if (v) state.buffers.velocity.assign(temp(v));
  }
}
