/**
 * Activation functions as layers, plus functional forms of the lectures'
 * parametric neuron models (step with a, b, c; ramp with a, b, c, d; sigmoid
 * with z, x, y; Gaussian with μ, σ), all composed from ops so they run on
 * any backend and differentiate for free.
 *
 * Gradients, at a glance:
 * - zero everywhere (undefined at the jump): `Step` / `heaviside`, `Sign`.
 *   Backpropagation passes nothing through them, which is why the lectures
 *   replace the perceptron's sign with smooth functions.
 * - undefined at corners, where autograd picks a value: `ReLU` at 0 (0),
 *   `LeakyReLU` at 0 (the slope), `Ramp` at `c` and `d` (half the slope:
 *   the max/min ties share the gradient), `Maxout` on exact ties (shared).
 * - smooth: `Sigmoid`, `Tanh`, `Softplus`, `ELU` (for α = 1), `Gaussian`,
 *   `Softmax`, `LogSoftmax`.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import {
  add,
  div,
  elu,
  exp,
  leakyRelu,
  logSoftmax,
  max,
  maximum,
  minimum,
  mul,
  relu,
  reshape,
  sigmoid,
  sign,
  softmax,
  softplus,
  step,
  sub,
  tanh,
} from "../ops/mod.ts";
import { checkFeatures, Linear, type LinearOptions } from "./layers.ts";
import { Module } from "./module.ts";

// ---- functional forms of the lectures' neuron models ---------------------------

/** Parameters of the lecture's step function. */
export interface StepOptions {
  /** Value below `c` (default 0). */
  a?: number;
  /** Value from `c` on (default 1). */
  b?: number;
  /** Threshold (default 0). */
  c?: number;
}

/**
 * The lecture's step function: φ(v) = a for v < c, b for v > c; at v = c it
 * gives b, like the perceptron's φ(v) = +1 for v ≥ 0 (`{ a: -1, b: 1 }`).
 * (The bare `step` op gives 0 at 0.) Zero gradient everywhere.
 *
 * @example The perceptron's ±1 step
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { heaviside } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(heaviside(tensor([-2, 0, 3]), { a: -1, b: 1 }).arraySync(), [-1, 1, 1]);
 * assert.deepEqual(heaviside(tensor([0.5, 2]), { a: 5, b: 7, c: 1 }).arraySync(), [5, 7]);
 * ```
 */
export function heaviside(v: Tensor, options: StepOptions = {}): Tensor {
  const { a = 0, b = 1, c = 0 } = options;
  // step(c − v) is 1 exactly where v < c; built on the step op so the result
  // stays in the graph with a zero gradient instead of dropping out of it.
  return add(mul(step(sub(c, v)), a - b), b);
}

/** Parameters of the lecture's ramp function. */
export interface RampOptions {
  /** Value below `c` (default 0). */
  a?: number;
  /** Value above `d` (default 1). */
  b?: number;
  /** Where the ramp starts (default 0). */
  c?: number;
  /** Where it ends; must be above `c` (default 1). */
  d?: number;
}

/**
 * The lecture's ramp: φ(v) = a for v < c, b for v > d, and
 * a + (v − c)(b − a)/(d − c) in between. Its gradient is (b − a)/(d − c)
 * inside, 0 outside, and undefined at the corners c and d, where autograd
 * returns half the slope.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { ramp } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const v = tensor([-5, 1, 2, 3, 9]);
 * assert.deepEqual(ramp(v, { a: -1, b: 3, c: 1, d: 3 }).arraySync(), [-1, -1, 1, 3, 3]);
 * ```
 */
export function ramp(v: Tensor, options: RampOptions = {}): Tensor {
  const { a = 0, b = 1, c = 0, d = 1 } = options;
  if (!(d > c)) throw new Error(`ramp: d must be above c, got c = ${c}, d = ${d}`);
  // minimum/maximum rather than clamp: ties share the gradient, so each corner gets half the slope.
  const t = minimum(maximum(div(sub(v, c), d - c), 0), 1);
  return add(mul(t, b - a), a);
}

/** Parameters of the lecture's sigmoid. */
export interface ParametricSigmoidOptions {
  /** Vertical offset (default 0). */
  z?: number;
  /** Steepness (default 1). */
  x?: number;
  /** Horizontal shift, in units of `x` (default 0). */
  y?: number;
}

/**
 * The lecture's sigmoid with z, x, y parameters:
 * φ(v) = z + 1/(1 + exp(−x·v + y)), computed as z + σ(x·v − y) (no overflow).
 * The defaults give the standard logistic function. Smooth:
 * φ'(v) = x·σ(1 − σ).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { parametricSigmoid } from "./activations.ts";
 * import assert from "node:assert/strict";
 * // x·v − y = 0 at v = 0.5: the midpoint z + 1/2
 * const phi = parametricSigmoid(tensor([0.5]), { z: 0.5, x: 2, y: 1 }).arraySync() as number[];
 * assert.deepEqual(phi, [1]);
 * ```
 */
export function parametricSigmoid(v: Tensor, options: ParametricSigmoidOptions = {}): Tensor {
  const { z = 0, x = 1, y = 0 } = options;
  let u = x === 1 ? v : mul(v, x);
  if (y !== 0) u = sub(u, y);
  const s = sigmoid(u);
  return z === 0 ? s : add(s, z);
}

/** Parameters of the lecture's Gaussian. */
export interface GaussianOptions {
  /** Centre μ (default 0). */
  mu?: number;
  /** Width σ > 0 (default 1). */
  sigma?: number;
}

/**
 * The lecture's Gaussian neuron model:
 * φ(v) = 1/(√(2π)σ) · exp(−½((v − μ)/σ)²), peaking at 1/(√(2π)σ) at v = μ.
 * Smooth.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { gaussian } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const peak = gaussian(tensor([2]), { mu: 2, sigma: 0.5 }).itemSync();
 * assert.ok(Math.abs(peak - 1 / (Math.sqrt(2 * Math.PI) * 0.5)) < 1e-6);
 * ```
 */
export function gaussian(v: Tensor, options: GaussianOptions = {}): Tensor {
  const { mu = 0, sigma = 1 } = options;
  if (!(sigma > 0)) throw new Error(`gaussian: sigma must be positive, got ${sigma}`);
  const u = div(sub(v, mu), sigma);
  return mul(exp(mul(mul(u, u), -0.5)), 1 / (Math.sqrt(2 * Math.PI) * sigma));
}

// ---- layers -----------------------------------------------------------------------

/** `name(k=v, ...)` listing only the options that differ from the defaults. */
function describeWith(
  name: string,
  values: Record<string, number>,
  defaults: Record<string, number>,
) {
  const parts = Object.entries(values)
    .filter(([k, v]) => v !== defaults[k])
    .map(([k, v]) => `${k}=${v}`);
  return `${name}(${parts.join(", ")})`;
}

/**
 * Step layer (the lecture's step with a, b, c; default 0 below 0, 1 from 0
 * on). Zero gradient everywhere: nothing learns through it by gradient
 * descent.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Step } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Step().forward(tensor([-1, 2])).arraySync(), [0, 1]);
 * assert.equal(new Step({ a: -1 }).describe(), "Step(a=-1)");
 * ```
 */
export class Step extends Module {
  /** Value below `c`. */
  readonly a: number;
  /** Value from `c` on. */
  readonly b: number;
  /** Threshold. */
  readonly c: number;

  /** Creates the layer. */
  constructor(options: StepOptions = {}) {
    super();
    ({ a: this.a = 0, b: this.b = 1, c: this.c = 0 } = options);
  }

  /** φ(x) elementwise. */
  forward(x: Tensor): Tensor {
    return heaviside(x, this);
  }

  /** `Step()` or `Step(a=-1)`. */
  override describe(): string {
    return describeWith("Step", { a: this.a, b: this.b, c: this.c }, { a: 0, b: 1, c: 0 });
  }
}

/**
 * Sign layer: −1, 0 or 1 (the perceptron's output, y = sign(W·x + b)).
 * Zero gradient everywhere, undefined at 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Sign } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Sign().forward(tensor([-3, 0, 2])).arraySync(), [-1, 0, 1]);
 * ```
 */
export class Sign extends Module {
  /** sign(x) elementwise. */
  forward(x: Tensor): Tensor {
    return sign(x);
  }

  /** `Sign()`. */
  override describe(): string {
    return "Sign()";
  }
}

/**
 * Ramp layer (the lecture's ramp with a, b, c, d; default a clamp to [0, 1]).
 * Gradient (b − a)/(d − c) between the corners, 0 outside, half the slope at
 * the corners themselves (where it is mathematically undefined).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Ramp } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Ramp().forward(tensor([-1, 0.25, 2])).arraySync(), [0, 0.25, 1]);
 * ```
 */
export class Ramp extends Module {
  /** Value below `c`. */
  readonly a: number;
  /** Value above `d`. */
  readonly b: number;
  /** Start of the ramp. */
  readonly c: number;
  /** End of the ramp. */
  readonly d: number;

  /** Creates the layer; `d` must be above `c`. */
  constructor(options: RampOptions = {}) {
    super();
    ({ a: this.a = 0, b: this.b = 1, c: this.c = 0, d: this.d = 1 } = options);
    if (!(this.d > this.c)) {
      throw new Error(`Ramp: d must be above c, got c = ${this.c}, d = ${this.d}`);
    }
  }

  /** φ(x) elementwise. */
  forward(x: Tensor): Tensor {
    return ramp(x, this);
  }

  /** `Ramp()` or `Ramp(a=-1, d=2)`. */
  override describe(): string {
    return describeWith("Ramp", { a: this.a, b: this.b, c: this.c, d: this.d }, {
      a: 0,
      b: 1,
      c: 0,
      d: 1,
    });
  }
}

/**
 * Sigmoid layer: the logistic 1/(1 + e^−v) by default, or the lecture's
 * z + 1/(1 + exp(−x·v + y)) with options. Smooth; saturates (gradient → 0)
 * for large |v|.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Sigmoid } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Sigmoid().forward(tensor([0])).arraySync(), [0.5]);
 * assert.deepEqual(new Sigmoid({ z: 0.5, x: 2, y: 1 }).forward(tensor([0.5])).arraySync(), [1]);
 * ```
 */
export class Sigmoid extends Module {
  /** Vertical offset. */
  readonly z: number;
  /** Steepness. */
  readonly x: number;
  /** Shift. */
  readonly y: number;

  /** Creates the layer (defaults z = 0, x = 1, y = 0: the standard logistic). */
  constructor(options: ParametricSigmoidOptions = {}) {
    super();
    ({ z: this.z = 0, x: this.x = 1, y: this.y = 0 } = options);
  }

  /** φ(v) elementwise. */
  forward(v: Tensor): Tensor {
    return parametricSigmoid(v, this);
  }

  /** `Sigmoid()` or `Sigmoid(z=0.5, x=2, y=1)`. */
  override describe(): string {
    return describeWith("Sigmoid", { z: this.z, x: this.x, y: this.y }, { z: 0, x: 1, y: 0 });
  }
}

/**
 * Hyperbolic tangent layer (outputs in (−1, 1); tanh' = 1 − tanh²). Smooth.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Tanh } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Tanh().forward(tensor([0])).arraySync(), [0]);
 * ```
 */
export class Tanh extends Module {
  /** tanh(x) elementwise. */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }

  /** `Tanh()`. */
  override describe(): string {
    return "Tanh()";
  }
}

/**
 * Rectified linear unit max(0, x): the default for hidden layers. Gradient 1
 * for x > 0, 0 for x < 0, and (by convention) 0 at x = 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { ReLU } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new ReLU().forward(tensor([-1, 2])).arraySync(), [0, 2]);
 * ```
 */
export class ReLU extends Module {
  /** max(0, x) elementwise. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }

  /** `ReLU()`. */
  override describe(): string {
    return "ReLU()";
  }
}

/**
 * Leaky ReLU: x for x > 0, else `slope`·x (default 0.01; the lecture draws
 * max(0.1x, x), i.e. slope 0.1). Negative inputs keep a small gradient, so
 * units do not "die"; at 0 the gradient is `slope`.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { LeakyReLU } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new LeakyReLU(0.5).forward(tensor([-2, 3])).arraySync(), [-1, 3]);
 * ```
 */
export class LeakyReLU extends Module {
  /** Slope for negative inputs. */
  readonly slope: number;

  /** Creates the layer. */
  constructor(slope = 0.01) {
    super();
    this.slope = slope;
  }

  /** The leaky ReLU elementwise. */
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.slope);
  }

  /** `LeakyReLU(slope=0.01)`. */
  override describe(): string {
    return `LeakyReLU(slope=${this.slope})`;
  }
}

/**
 * Exponential linear unit: x for x > 0, else α(eˣ − 1). Smooth for α = 1
 * (otherwise the gradient jumps from α to 1 at 0).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { ELU } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const y = new ELU().forward(tensor([-1, 2])).arraySync() as number[];
 * assert.ok(Math.abs(y[0] - (Math.exp(-1) - 1)) < 1e-6 && y[1] === 2);
 * ```
 */
export class ELU extends Module {
  /** Scale of the negative part. */
  readonly alpha: number;

  /** Creates the layer. */
  constructor(alpha = 1) {
    super();
    this.alpha = alpha;
  }

  /** ELU elementwise. */
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  /** `ELU(alpha=1)`. */
  override describe(): string {
    return `ELU(alpha=${this.alpha})`;
  }
}

/**
 * Softplus ln(1 + eˣ), the smooth ReLU; its derivative is the logistic σ(x).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Softplus } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(new Softplus().forward(tensor([0])).itemSync() - Math.log(2)) < 1e-6);
 * ```
 */
export class Softplus extends Module {
  /** softplus(x) elementwise. */
  forward(x: Tensor): Tensor {
    return softplus(x);
  }

  /** `Softplus()`. */
  override describe(): string {
    return "Softplus()";
  }
}

/**
 * Gaussian layer (the lecture's Gaussian neuron model with μ and σ). Smooth.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Gaussian } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const peak = new Gaussian().forward(tensor([0])).itemSync();
 * assert.ok(Math.abs(peak - 1 / Math.sqrt(2 * Math.PI)) < 1e-6);
 * ```
 */
export class Gaussian extends Module {
  /** Centre. */
  readonly mu: number;
  /** Width. */
  readonly sigma: number;

  /** Creates the layer (defaults μ = 0, σ = 1). */
  constructor(options: GaussianOptions = {}) {
    super();
    ({ mu: this.mu = 0, sigma: this.sigma = 1 } = options);
    if (!(this.sigma > 0)) throw new Error(`Gaussian: sigma must be positive, got ${this.sigma}`);
  }

  /** φ(x) elementwise. */
  forward(x: Tensor): Tensor {
    return gaussian(x, this);
  }

  /** `Gaussian(mu=0, sigma=1)`. */
  override describe(): string {
    return `Gaussian(mu=${this.mu}, sigma=${this.sigma})`;
  }
}

/**
 * Maxout unit (Goodfellow et al. 2013): each of the `outFeatures` outputs is
 * the maximum of `pieces` affine functions, max(w₁ᵀx + b₁, w₂ᵀx + b₂, ...).
 * Implemented as a `Linear(in → out·pieces)` (the child `linear`) whose
 * outputs are grouped per unit, then a max over each group. Options are
 * those of `Linear` (`init`, `rng`, `bias`, `dtype`). Piecewise
 * linear; on an exact tie the pieces share the gradient. ReLU is the special
 * case of two pieces with one fixed at 0.
 *
 * @example
 * ```ts
 * import { Rng, zeros } from "../../mod.ts";
 * import { Maxout } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const m = new Maxout(4, 3, 2, { rng: new Rng(0) });
 * assert.deepEqual(m.forward(zeros([5, 4])).shape, [5, 3]);
 * assert.equal(m.parameterCount(), 4 * 6 + 6);
 * assert.deepEqual(m.namedParameters().map(([n]) => n), ["linear.weight", "linear.bias"]);
 * ```
 */
export class Maxout extends Module {
  /** Inputs per sample. */
  readonly inFeatures: number;
  /** Output units. */
  readonly outFeatures: number;
  /** Affine pieces per unit. */
  readonly pieces: number;
  /** The affine map to `outFeatures·pieces` values (piece k of unit j is column j·pieces + k). */
  linear: Linear;

  /** Creates the layer. */
  constructor(
    inFeatures: number,
    outFeatures: number,
    pieces: number,
    options: LinearOptions = {},
  ) {
    super();
    if (!Number.isInteger(pieces) || pieces < 1) {
      throw new Error(`Maxout: pieces must be a positive integer, got ${pieces}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.pieces = pieces;
    this.linear = new Linear(inFeatures, outFeatures * pieces, options);
  }

  /** The maximum over each unit's pieces; `x` is `[batch, in]` or `[in]`. */
  forward(x: Tensor): Tensor {
    checkFeatures(this.describe(), x, this.inFeatures);
    const y = this.linear.forward(x);
    return max(reshape(y, [...y.shape.slice(0, -1), this.outFeatures, this.pieces]), -1);
  }

  /** `Maxout(4 → 3, pieces=2)`. */
  override describe(): string {
    return `Maxout(${this.inFeatures} → ${this.outFeatures}, pieces=${this.pieces})`;
  }
}

/**
 * Softmax layer: turns scores into probabilities along `axis` (default the
 * last). Smooth; Jacobian k[i](δᵢₘ − k[m]). For training with cross-entropy
 * prefer raw scores (the loss applies a stable log-softmax itself).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { Softmax } from "./activations.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Softmax().forward(tensor([[0, 0]])).arraySync(), [[0.5, 0.5]]);
 * ```
 */
export class Softmax extends Module {
  /** Axis normalized over. */
  readonly axis: number;

  /** Creates the layer. */
  constructor(axis = -1) {
    super();
    this.axis = axis;
  }

  /** softmax(x) along the axis. */
  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }

  /** `Softmax(axis=-1)`. */
  override describe(): string {
    return `Softmax(axis=${this.axis})`;
  }
}

/**
 * Log-softmax layer along `axis` (default the last): numerically stable
 * log-probabilities. Smooth.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { LogSoftmax } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const y = new LogSoftmax().forward(tensor([0, 0])).arraySync() as number[];
 * assert.ok(Math.abs(y[0] + Math.log(2)) < 1e-6);
 * ```
 */
export class LogSoftmax extends Module {
  /** Axis normalized over. */
  readonly axis: number;

  /** Creates the layer. */
  constructor(axis = -1) {
    super();
    this.axis = axis;
  }

  /** logSoftmax(x) along the axis. */
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }

  /** `LogSoftmax(axis=-1)`. */
  override describe(): string {
    return `LogSoftmax(axis=${this.axis})`;
  }
}
