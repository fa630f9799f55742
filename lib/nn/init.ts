/**
 * Seeded weight initializers. Each is a function `(shape, { fanIn, fanOut,
 * rng }) => Tensor` that layers call once per weight; the layer then marks
 * the result as a parameter. Values come from the host generator, so a seed
 * gives the same weights on every backend.
 *
 * Why the scales: with `fanIn` inputs of unit variance, a neuron's weighted
 * sum has variance `fanIn · Var(w)`. LeCun keeps that at 1, He doubles it to
 * make up for ReLU zeroing half the inputs, and Xavier/Glorot compromises
 * between the forward (`fanIn`) and backward (`fanOut`) passes.
 *
 * @module
 */
import type { DType, Shape } from "../op_set.ts";
import { defaultRng, type Rng } from "../random.ts";
import type { Tensor } from "../tensor.ts";
import { normal, uniform } from "../ops/mod.ts";

/** What an {@linkcode Initializer} is told about the weight it creates. */
export interface InitOptions {
  /** Inputs per neuron (`in` for a Linear, `in·k·k` for a Conv2d). */
  fanIn: number;
  /** Neurons fed by one input (`out` for a Linear, `out·k·k` for a Conv2d). */
  fanOut: number;
  /** Generator to draw from (default: the global one, see `manualSeed`). */
  rng?: Rng;
  /** Element type (default float32). */
  dtype?: DType;
  /** Backend name (default: the current backend). */
  backend?: string;
}

/**
 * Creates a weight tensor of `shape`: a leaf that does not yet require
 * gradients (the layer calls `requireGrad()` on it).
 */
export type Initializer = (shape: Shape, options: InitOptions) => Tensor;

/**
 * Fan-in and fan-out of a weight shaped `[out, in, ...kernel]`, as PyTorch
 * computes them: `fanIn = in·∏kernel`, `fanOut = out·∏kernel`.
 *
 * @example
 * ```ts
 * import { computeFans } from "./init.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(computeFans([10, 784]), { fanIn: 784, fanOut: 10 });
 * assert.deepEqual(computeFans([6, 1, 5, 5]), { fanIn: 25, fanOut: 150 });
 * ```
 */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`computeFans: a weight needs at least 2 axes [out, in], got [${shape}]`);
  }
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

function checkFan(name: string, fan: number, which: string): void {
  if (!Number.isFinite(fan) || fan <= 0) {
    throw new Error(`${name}: ${which} must be a positive number, got ${fan}`);
  }
}

function randomOptions(o: InitOptions) {
  return { rng: o.rng ?? defaultRng(), dtype: o.dtype, backend: o.backend };
}

/**
 * Normal weights with a fixed standard deviation (and mean, default 0),
 * ignoring the fans: the lectures' "small random numbers".
 *
 * @example
 * ```ts
 * import { gaussianInit } from "./init.ts";
 * import { Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const w = gaussianInit(0.01)([3, 4], { fanIn: 4, fanOut: 3, rng: new Rng(0) });
 * assert.deepEqual(w.shape, [3, 4]);
 * assert.ok(w.dataSync().every((v) => Math.abs(v) < 0.06));
 * ```
 */
export function gaussianInit(std: number, mean = 0): Initializer {
  if (!(std >= 0)) throw new Error(`gaussianInit: std must be >= 0, got ${std}`);
  return (shape, options) => normal(shape, mean, std, randomOptions(options));
}

/**
 * Uniform weights in [`low`, `high`), ignoring the fans.
 *
 * @example
 * ```ts
 * import { uniformInit } from "./init.ts";
 * import { Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const w = uniformInit(-0.5, 0.5)([100], { fanIn: 1, fanOut: 1, rng: new Rng(0) });
 * assert.ok(w.dataSync().every((v) => v >= -0.5 && v < 0.5));
 * ```
 */
export function uniformInit(low: number, high: number): Initializer {
  if (!(low <= high)) throw new Error(`uniformInit: low ${low} is above high ${high}`);
  return (shape, options) => uniform(shape, low, high, randomOptions(options));
}

/**
 * LeCun normal: std `1/√fanIn`, so a weighted sum of unit-variance inputs
 * keeps unit variance (suits tanh, sigmoid, SELU).
 *
 * @example
 * ```ts
 * import { lecunInit } from "./init.ts";
 * import { Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const w = lecunInit([64, 100], { fanIn: 100, fanOut: 64, rng: new Rng(1) });
 * const v = Array.from(w.dataSync());
 * const std = Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
 * assert.ok(Math.abs(std - 0.1) < 0.01);
 * ```
 */
export const lecunInit: Initializer = (shape, options): Tensor => {
  checkFan("lecunInit", options.fanIn, "fanIn");
  return normal(shape, 0, 1 / Math.sqrt(options.fanIn), randomOptions(options));
};

/**
 * Xavier/Glorot uniform: U(±√(6/(fanIn+fanOut))), variance
 * `2/(fanIn+fanOut)`, the compromise between the forward and backward passes
 * (Glorot & Bengio 2010; Keras' default). Suits sigmoid and tanh layers.
 *
 * @example
 * ```ts
 * import { xavierInit } from "./init.ts";
 * import { Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const w = xavierInit([10, 20], { fanIn: 20, fanOut: 10, rng: new Rng(2) });
 * const bound = Math.sqrt(6 / 30);
 * assert.ok(w.dataSync().every((v) => Math.abs(v) <= bound));
 * ```
 */
export const xavierInit: Initializer = (shape, options): Tensor => {
  checkFan("xavierInit", options.fanIn, "fanIn");
  checkFan("xavierInit", options.fanOut, "fanOut");
  const bound = Math.sqrt(6 / (options.fanIn + options.fanOut));
  return uniform(shape, -bound, bound, randomOptions(options));
};

/**
 * He/Kaiming normal: std `√(2/fanIn)`, doubling LeCun's variance because a
 * ReLU zeroes half of its inputs (He et al. 2015). The choice for ReLU nets,
 * and the default of this library's layers.
 *
 * @example
 * ```ts
 * import { heInit } from "./init.ts";
 * import { Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = heInit([4, 8], { fanIn: 8, fanOut: 4, rng: new Rng(5) });
 * const b = heInit([4, 8], { fanIn: 8, fanOut: 4, rng: new Rng(5) });
 * assert.deepEqual(a.dataSync(), b.dataSync()); // same seed, same weights
 * ```
 */
export const heInit: Initializer = (shape, options): Tensor => {
  checkFan("heInit", options.fanIn, "fanIn");
  return normal(shape, 0, Math.sqrt(2 / options.fanIn), randomOptions(options));
};
