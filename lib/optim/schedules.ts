/**
 * Learning-rate schedules: "to get the best of both worlds, decay η over
 * time" (fast progress early, a low error floor late). Each schedule sets
 * every parameter group's `lr` from that group's base learning rate (its
 * `lr` when the schedule was created) and the step count t, which
 * `step()` advances — call it once per epoch, or once per batch, as you
 * choose t to count.
 *
 * @module
 */

/**
 * What a schedule needs of an optimizer: groups with a writable `lr`
 * (every `Optimizer` qualifies).
 *
 * @example
 * ```ts
 * import type { HasParamGroups } from "./schedules.ts";
 * const fake: HasParamGroups = { paramGroups: [{ lr: 0.1 }] };
 * ```
 */
export interface HasParamGroups {
  /** The groups whose `lr` the schedule sets. */
  readonly paramGroups: { lr: number }[];
}

/**
 * Base class of the schedules: subclasses give η_t as a function of the base
 * rate η₀ and t.
 *
 * @example A custom schedule: halve every step, but never below 0.01
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import { LRScheduler } from "./schedules.ts";
 * import assert from "node:assert/strict";
 * class Halving extends LRScheduler {
 *   lrAt(t: number, baseLr: number) {
 *     return Math.max(baseLr / 2 ** t, 0.01);
 *   }
 * }
 * const s = new Halving(new SGD([zeros([1])], { lr: 0.04 }));
 * s.step();
 * assert.equal(s.lr(), 0.02);
 * s.step(), s.step();
 * assert.equal(s.lr(), 0.01);
 * ```
 */
export abstract class LRScheduler {
  /** The optimizer whose groups this schedule sets. */
  readonly optimizer: HasParamGroups;
  /** Each group's learning rate at t = 0. */
  readonly baseLrs: readonly number[];
  /** Steps taken so far (t). */
  t = 0;

  /** Records each group's current `lr` as its base rate η₀ (the rate at t = 0). */
  constructor(optimizer: HasParamGroups) {
    this.optimizer = optimizer;
    this.baseLrs = Object.freeze(optimizer.paramGroups.map((g) => g.lr));
  }

  /**
   * The learning rate at step `t` for a group whose base rate is `baseLr`
   * (at t = 0 it should be `baseLr`: groups keep their `lr` until the first
   * `step()`).
   */
  abstract lrAt(t: number, baseLr: number): number;

  /** Advances t by one and sets every group's `lr` to `lrAt(t, baseLr)`. */
  step(): void {
    this.t++;
    this.#apply();
  }

  /** The current learning rate of group `group` (default the first). */
  lr(group = 0): number {
    const g = this.optimizer.paramGroups[group];
    if (!g) {
      throw new RangeError(
        `lr: group ${group} does not exist (${this.optimizer.paramGroups.length} groups)`,
      );
    }
    return g.lr;
  }

  #apply(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.t, this.baseLrs[i] ?? g.lr);
    });
  }
}

function positive(name: string, what: string, v: number, integer = false): number {
  if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) {
    throw new Error(
      `${name}: ${what} must be a positive ${integer ? "integer" : "number"}, got ${v}`,
    );
  }
  return v;
}

function nonNegative(name: string, what: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) {
    throw new Error(`${name}: ${what} must be a finite number >= 0, got ${v}`);
  }
  return v;
}

/**
 * Step decay: η_t = η₀ · γ^⌊t / stepSize⌋ (multiply by γ every `stepSize` steps).
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import { StepLR } from "./schedules.ts";
 * import assert from "node:assert/strict";
 * const s = new StepLR(new SGD([zeros([1])], { lr: 1 }), { stepSize: 2, gamma: 0.5 });
 * const lrs = [s.lr()];
 * for (let i = 0; i < 4; i++) s.step(), lrs.push(s.lr());
 * assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.25]);
 * ```
 */
export class StepLR extends LRScheduler {
  /** Steps between decays. */
  readonly stepSize: number;
  /** Factor applied at each decay. */
  readonly gamma: number;

  /** Decays every group's lr by `gamma` (default 0.1) every `stepSize` steps. */
  constructor(optimizer: HasParamGroups, options: { stepSize: number; gamma?: number }) {
    const stepSize = positive("StepLR", "stepSize", options.stepSize, true);
    const gamma = nonNegative("StepLR", "gamma", options.gamma ?? 0.1);
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
  }

  /** η₀ · γ^⌊t / stepSize⌋. */
  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/**
 * Exponential decay: η_t = η₀ · γ^t.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import { ExponentialLR } from "./schedules.ts";
 * import assert from "node:assert/strict";
 * const s = new ExponentialLR(new SGD([zeros([1])], { lr: 2 }), { gamma: 0.5 });
 * s.step(), s.step();
 * assert.equal(s.lr(), 0.5);
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** Factor applied every step. */
  readonly gamma: number;

  /** Multiplies every group's lr by `gamma` at each step. */
  constructor(optimizer: HasParamGroups, options: { gamma: number }) {
    const gamma = nonNegative("ExponentialLR", "gamma", options.gamma);
    super(optimizer);
    this.gamma = gamma;
  }

  /** η₀ · γ^t. */
  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** t;
  }
}

/**
 * The lecture's 1/t decay, η_t = η₀ / (1 + k·t): large steps first, then
 * steps shrinking like 1/t (the classic condition for stochastic gradient
 * descent to converge: Σ η_t = ∞ while Σ η_t² < ∞).
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import { InverseTimeLR } from "./schedules.ts";
 * import assert from "node:assert/strict";
 * const s = new InverseTimeLR(new SGD([zeros([1])], { lr: 1 }), { k: 1 });
 * const lrs = [s.lr()];
 * for (let i = 0; i < 3; i++) s.step(), lrs.push(s.lr());
 * assert.deepEqual(lrs, [1, 1 / 2, 1 / 3, 1 / 4]);
 * ```
 */
export class InverseTimeLR extends LRScheduler {
  /** Decay rate k. */
  readonly k: number;

  /** 1/t decay with rate `k` (default 1). */
  constructor(optimizer: HasParamGroups, options: { k?: number } = {}) {
    const k = nonNegative("InverseTimeLR", "k", options.k ?? 1);
    super(optimizer);
    this.k = k;
  }

  /** η₀ / (1 + k·t). */
  lrAt(t: number, baseLr: number): number {
    return baseLr / (1 + this.k * t);
  }
}

/**
 * Cosine annealing from η₀ down to `minLr` over `tMax` steps:
 * η_t = minLr + (η₀ − minLr)(1 + cos(π t / tMax)) / 2 for t ≤ tMax, then
 * `minLr` (unlike PyTorch's `CosineAnnealingLR`, it does not climb back up).
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { SGD } from "./sgd.ts";
 * import { CosineLR } from "./schedules.ts";
 * import assert from "node:assert/strict";
 * const s = new CosineLR(new SGD([zeros([1])], { lr: 1 }), { tMax: 2, minLr: 0.1 });
 * s.step();
 * assert.ok(Math.abs(s.lr() - 0.55) < 1e-12); // half-way
 * s.step(), s.step();
 * assert.equal(s.lr(), 0.1);
 * ```
 */
export class CosineLR extends LRScheduler {
  /** Steps to reach `minLr`. */
  readonly tMax: number;
  /** Final learning rate. */
  readonly minLr: number;

  /** Anneals every group's lr to `minLr` (default 0) over `tMax` steps. */
  constructor(optimizer: HasParamGroups, options: { tMax: number; minLr?: number }) {
    const tMax = positive("CosineLR", "tMax", options.tMax, true);
    const minLr = nonNegative("CosineLR", "minLr", options.minLr ?? 0);
    super(optimizer);
    this.tMax = tMax;
    this.minLr = minLr;
  }

  /** minLr + (η₀ − minLr)(1 + cos(π min(t, tMax) / tMax)) / 2. */
  lrAt(t: number, baseLr: number): number {
    if (t >= this.tMax) return this.minLr;
    return this.minLr + (baseLr - this.minLr) * (1 + Math.cos(Math.PI * t / this.tMax)) / 2;
  }
}
