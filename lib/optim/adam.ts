/**
 * Adam: per-parameter step sizes from running averages of the gradient and
 * of its square (Kingma & Ba, 2015), with bias correction and optional
 * L2 or decoupled (AdamW) weight decay.
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
 * Hyperparameters of {@linkcode Adam}.
 *
 * @example
 * ```ts
 * import type { AdamOptions } from "./adam.ts";
 * const opts: Partial<AdamOptions> = { lr: 3e-4, betas: [0.9, 0.98], weightDecay: 0.01 };
 * ```
 */
export interface AdamOptions {
  /** Learning rate η (default 0.001). */
  lr: number;
  /** Decay rates (β₁, β₂) of the first- and second-moment averages (default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to √v̂ to avoid dividing by zero (default 1e-8). */
  eps: number;
  /** Weight decay λ (default 0). */
  weightDecay: number;
  /**
   * false (default): L2 weight decay, g ← g + λw before the moments (PyTorch's
   * `Adam`); true: decoupled decay w ← w − ηλw, separate from the adaptive
   * step (AdamW).
   */
  decoupledWeightDecay: boolean;
}

/**
 * Adam. With g the gradient (plus λw for L2 weight decay) and t the
 * parameter's step count:
 *
 *     m ← β₁m + (1 − β₁)g          v ← β₂v + (1 − β₂)g²
 *     m̂ = m / (1 − β₁ᵗ)             v̂ = v / (1 − β₂ᵗ)
 *     w ← w − η m̂ / (√v̂ + ε)
 *
 * The bias corrections undo the pull of m and v towards their zero start, so
 * the first step has size ≈ η in every coordinate whatever the gradient's
 * scale.
 *
 * @example The first step moves every coordinate by ≈ lr
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Adam } from "./adam.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([1, 1], { requiresGrad: true, dtype: "float64" });
 * const opt = new Adam([w], { lr: 0.1 });
 * w.mul(tensor([100, 0.01], { dtype: "float64" })).sum().backward(); // gradients 100 and 0.01
 * opt.step();
 * const [a, b] = w.arraySync() as number[];
 * assert.ok(Math.abs(a - 0.9) < 1e-6 && Math.abs(b - 0.9) < 1e-5);
 * ```
 */
export class Adam extends Optimizer<AdamOptions> {
  /**
   * Creates an Adam optimizer (defaults: lr 0.001, betas [0.9, 0.999], eps 1e-8).
   *
   * @param params Parameters, or groups `{ params, lr?, betas?, ... }`.
   * @param options Defaults for every group.
   */
  constructor(
    params: readonly Tensor[] | readonly ParamGroupSpec<AdamOptions>[],
    options: Partial<AdamOptions> = {},
  ) {
    super(params, {
      lr: options.lr ?? 0.001,
      betas: options.betas ?? [0.9, 0.999],
      eps: options.eps ?? 1e-8,
      weightDecay: options.weightDecay ?? 0,
      decoupledWeightDecay: options.decoupledWeightDecay ?? false,
    });
  }

  /** Also checks betas and eps. */
  protected override validate(group: ParamGroup<AdamOptions>, index: number): void {
    super.validate(group, index);
    const b = group.betas;
    if (!Array.isArray(b) || b.length !== 2 || !b.every((x) => x >= 0 && x < 1)) {
      throw new Error(`Adam: betas of group ${index} must be two numbers in [0, 1), got [${b}]`);
    }
    if (!(group.eps >= 0)) {
      throw new Error(`Adam: eps of group ${index} must be >= 0, got ${group.eps}`);
    }
  }

  /** One Adam update of `param`. */
  protected update(
    param: Tensor,
    grad: Tensor,
    group: ParamGroup<AdamOptions>,
    state: ParamState,
    temp: Temp,
  ): void {
    const { lr, betas: [beta1, beta2], eps, weightDecay, decoupledWeightDecay } = group;
    const t = state.step;
    const m = state.buffers.m ??= zerosLike(param);
    const v = state.buffers.v ??= zerosLike(param);
    // One optimStep (a single pass where the backend fuses it):
    // m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², w ← w − η̂ m / (√v / √(1 − β₂ᵗ) + ε)
    // with η̂ = η / (1 − β₁ᵗ); L2 decay adds λw to g, decoupled decay scales w by 1 − ηλ.
    const [p, m2, v2] = optimStep(param, grad, [m, v], {
      rule: "adam",
      beta1,
      beta2,
      stepSize: lr / (1 - beta1 ** t),
      bias2: 1 / Math.sqrt(1 - beta2 ** t),
      eps,
      weightDecay: decoupledWeightDecay ? 0 : weightDecay,
      decay: weightDecay && decoupledWeightDecay ? 1 - lr * weightDecay : 1,
    });
    param.assign(temp(p)), m.assign(temp(m2)), v.assign(temp(v2));
  }
}
