/**
 * Layers: `Linear`, `Conv2d`, pooling, `Flatten`, `Dropout` and the
 * `Sequential` container. Each layer holds its parameters in fields and
 * calls one functional op in `forward`, so it runs on any backend. Shapes are
 * checked at the first call, and a misfit names the layer, the input shape
 * and the shape the layer expected.
 *
 * @module
 */
import type { DType } from "../op_set.ts";
import { defaultRng, type Rng } from "../random.ts";
import { showShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import {
  avgPool2d,
  conv2d,
  flatten,
  linear,
  lt,
  maxPool2d,
  mul,
  uniform,
  zeros,
} from "../ops/mod.ts";
import { heInit, type Initializer } from "./init.ts";
import { Module } from "./module.ts";

/** How a layer creates its weights. */
export interface ParameterOptions {
  /**
   * Weight initializer (default {@linkcode heInit}, suited to the ReLU layers
   * the course uses; pass `xavierInit` or `lecunInit` for sigmoid/tanh nets).
   * Biases start at zero.
   */
  init?: Initializer;
  /** Generator for the initializer (default: the global one, see `manualSeed`). */
  rng?: Rng;
  /** Parameter dtype (default float32; float64 for gradient checks). */
  dtype?: DType;
  /** Backend name (default: the current backend). */
  backend?: string;
}

/** Options of {@linkcode Linear}. */
export interface LinearOptions extends ParameterOptions {
  /** Learn a bias per output (default true). */
  bias?: boolean;
}

/** Runs `fn`, prefixing the layer's description to any plain error from an op. */
function inLayer<T>(layer: Module, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const name = layer.describe();
    if (e instanceof Error && e.constructor === Error && !e.message.startsWith(name)) {
      throw new Error(`${name}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function checkPositiveInt(layer: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${layer}: ${what} must be a positive integer, got ${n}`);
  }
}

/** Creates a weight with `options.init` and marks it as a parameter. */
function createWeight(
  layer: string,
  shape: number[],
  fans: { fanIn: number; fanOut: number },
  options: ParameterOptions,
  rng: Rng,
): Tensor {
  const init = options.init ?? heInit;
  const w = init(shape, { ...fans, rng, dtype: options.dtype, backend: options.backend });
  if (!(w instanceof Tensor)) {
    throw new Error(`${layer}: the initializer must return a Tensor`);
  }
  if (w.ndim !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new Error(
      `${layer}: the initializer returned shape ${showShape(w.shape)} for a weight of shape ` +
        showShape(shape),
    );
  }
  if (w.dtype === "int32") throw new Error(`${layer}: the initializer returned int32 values`);
  // A parameter must be a leaf: cut anything the initializer computed from the graph.
  return (w.isLeaf ? w : w.detach()).requireGrad();
}

/** A zero bias matching the weight's dtype and backend. */
function createBias(n: number, weight: Tensor): Tensor {
  return zeros([n], { dtype: weight.dtype, backend: weight.backend.name }).requireGrad();
}

/**
 * Checks that `x` is `[batch, inFeatures]` (or `[inFeatures]`) for a dense
 * layer described as `layer`; otherwise throws naming both shapes, with a
 * hint (`add Flatten() before it` for images). Useful in custom layers.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { checkFeatures } from "./layers.ts";
 * import assert from "node:assert/strict";
 * checkFeatures("MyLayer", zeros([8, 3]), 3); // fits: no error
 * assert.throws(
 *   () => checkFeatures("MyLayer", zeros([8, 1, 2, 2]), 3),
 *   /MyLayer: input \[8, 1, 2, 2\] does not fit: expected \[batch, 3\]/,
 * );
 * ```
 */
export function checkFeatures(layer: string, x: Tensor, inFeatures: number): void {
  if ((x.ndim === 2 || x.ndim === 1) && x.shape[x.ndim - 1] === inFeatures) return;
  let hint = "";
  if (x.ndim > 2) {
    const features = x.shape.slice(1).reduce((a, b) => a * b, 1);
    hint = ` — add Flatten() before it` +
      (features === inFeatures ? "" : ` (it would give ${features} features, not ${inFeatures})`);
  } else if (x.ndim === 2) {
    hint = ` (the input has ${x.shape[1]} features)`;
  }
  throw new Error(
    `${layer}: input ${showShape(x.shape)} does not fit: expected [batch, ${inFeatures}]${hint}`,
  );
}

/**
 * Fully connected layer: `y = x Wᵀ + b` with `weight` shaped `[out, in]`
 * (one row per neuron, the lectures' `n = Wx + b`) and `bias` `[out]`.
 * It has `out·in + out` parameters (784 → 10: 7,850).
 *
 * @example
 * ```ts
 * import { Rng, zeros } from "../../mod.ts";
 * import { Linear } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const fc = new Linear(784, 10, { rng: new Rng(0) });
 * assert.deepEqual(fc.forward(zeros([32, 784])).shape, [32, 10]);
 * assert.equal(fc.parameterCount(), 7850);
 * assert.equal(fc.describe(), "Linear(784 → 10)");
 * assert.throws(() => fc.forward(zeros([32, 28, 28])), /add Flatten\(\) before it/);
 * ```
 */
export class Linear extends Module {
  /** Inputs per sample. */
  readonly inFeatures: number;
  /** Outputs (neurons). */
  readonly outFeatures: number;
  /** Weights `[out, in]`. */
  weight: Tensor;
  /** Biases `[out]`, or null for `bias: false`. */
  bias: Tensor | null;
  #options: ParameterOptions;

  /** Creates the layer with freshly initialized weights and zero biases. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkPositiveInt("Linear", "inFeatures", inFeatures);
    checkPositiveInt("Linear", "outFeatures", outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.#options = options;
    this.weight = createWeight(
      this.describe(),
      [outFeatures, inFeatures],
      { fanIn: inFeatures, fanOut: outFeatures },
      options,
      options.rng ?? defaultRng(),
    );
    this.bias = options.bias === false ? null : createBias(outFeatures, this.weight);
  }

  /** `x Wᵀ + b` for `x` shaped `[batch, in]` (or `[in]`). */
  forward(x: Tensor): Tensor {
    checkFeatures(this.describe(), x, this.inFeatures);
    return inLayer(this, () => linear(x, this.weight, this.bias ?? undefined));
  }

  /** Draws new weights (same initializer) and zeroes the bias, keeping the tensors' identity. */
  resetParameters(rng: Rng = defaultRng()): void {
    const fresh = createWeight(
      this.describe(),
      [...this.weight.shape],
      { fanIn: this.inFeatures, fanOut: this.outFeatures },
      { ...this.#options, dtype: this.weight.dtype, backend: this.weight.backend.name },
      rng,
    );
    this.weight.assign(fresh);
    this.bias?.assign(
      zeros([this.outFeatures], { dtype: this.bias.dtype, backend: this.bias.backend.name }),
    );
  }

  /** `Linear(784 → 10)`, with `bias=false` when there is none. */
  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures}${
      this.bias === null ? ", bias=false" : ""
    })`;
  }
}

/** Options of {@linkcode Conv2d}. */
export interface Conv2dLayerOptions extends ParameterOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zeros added on every side (default 0). */
  padding?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
}

/**
 * 2-D convolution layer on NCHW input: weight `[out, in, kh, kw]`, bias
 * `[out]`, so `out·in·kh·kw + out` parameters (`Conv2d(1, 6, 5)`: 156).
 *
 * @example
 * ```ts
 * import { Rng, zeros } from "../../mod.ts";
 * import { Conv2d } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const conv = new Conv2d(1, 6, 5, { padding: 2, rng: new Rng(0) });
 * assert.deepEqual(conv.forward(zeros([2, 1, 28, 28])).shape, [2, 6, 28, 28]);
 * assert.equal(conv.parameterCount(), 156);
 * assert.equal(conv.describe(), "Conv2d(1 → 6, 5x5, padding=2)");
 * ```
 */
export class Conv2d extends Module {
  /** Input channels. */
  readonly inChannels: number;
  /** Output channels (filters). */
  readonly outChannels: number;
  /** Kernel height and width. */
  readonly kernelSize: readonly [number, number];
  /** Step between windows. */
  readonly stride: number;
  /** Zero padding on every side. */
  readonly padding: number;
  /** Filters `[out, in, kh, kw]`. */
  weight: Tensor;
  /** Biases `[out]`, or null for `bias: false`. */
  bias: Tensor | null;
  #options: ParameterOptions;

  /** Creates the layer; `kernelSize` is one number (square) or `[kh, kw]`. */
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly [number, number],
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const [kh, kw] = typeof kernelSize === "number" ? [kernelSize, kernelSize] : kernelSize;
    const { stride = 1, padding = 0 } = options;
    checkPositiveInt("Conv2d", "inChannels", inChannels);
    checkPositiveInt("Conv2d", "outChannels", outChannels);
    checkPositiveInt("Conv2d", "kernel height", kh);
    checkPositiveInt("Conv2d", "kernel width", kw);
    checkPositiveInt("Conv2d", "stride", stride);
    if (!Number.isInteger(padding) || padding < 0) {
      throw new Error(`Conv2d: padding must be a non-negative integer, got ${padding}`);
    }
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = [kh, kw];
    this.stride = stride;
    this.padding = padding;
    this.#options = options;
    this.weight = createWeight(
      `Conv2d(${inChannels} → ${outChannels})`,
      [outChannels, inChannels, kh, kw],
      { fanIn: inChannels * kh * kw, fanOut: outChannels * kh * kw },
      options,
      options.rng ?? defaultRng(),
    );
    this.bias = options.bias === false ? null : createBias(outChannels, this.weight);
  }

  /** Convolves `x` shaped `[batch, in, height, width]`. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.inChannels) {
      const got = x.ndim === 4
        ? ` (it has ${x.shape[1]} channel${
          x.shape[1] === 1 ? "" : "s"
        }, the layer expects ${this.inChannels})`
        : x.ndim === 3
        ? ` (add a batch axis, e.g. x.reshape([1, ${x.shape.join(", ")}]))`
        : x.ndim === 2
        ? ` (reshape flat images first, e.g. x.reshape([-1, ${
          squareImage(x.shape[1], this.inChannels)
        }]))`
        : "";
      throw new Error(
        `${this.describe()}: input ${showShape(x.shape)} does not fit: expected ` +
          `[batch, ${this.inChannels}, height, width]${got}`,
      );
    }
    return inLayer(this, () =>
      conv2d(x, this.weight, this.bias ?? undefined, {
        stride: this.stride,
        padding: this.padding,
      }));
  }

  /** Draws new weights (same initializer) and zeroes the bias, keeping the tensors' identity. */
  resetParameters(rng: Rng = defaultRng()): void {
    const [kh, kw] = this.kernelSize;
    const fresh = createWeight(
      this.describe(),
      [...this.weight.shape],
      { fanIn: this.inChannels * kh * kw, fanOut: this.outChannels * kh * kw },
      { ...this.#options, dtype: this.weight.dtype, backend: this.weight.backend.name },
      rng,
    );
    this.weight.assign(fresh);
    this.bias?.assign(
      zeros([this.outChannels], { dtype: this.bias.dtype, backend: this.bias.backend.name }),
    );
  }

  /** `Conv2d(1 → 6, 5x5, padding=2)` (stride, padding and bias only when not the default). */
  override describe(): string {
    const [kh, kw] = this.kernelSize;
    const parts = [`${this.inChannels} → ${this.outChannels}`, `${kh}x${kw}`];
    if (this.stride !== 1) parts.push(`stride=${this.stride}`);
    if (this.padding !== 0) parts.push(`padding=${this.padding}`);
    if (this.bias === null) parts.push("bias=false");
    return `Conv2d(${parts.join(", ")})`;
  }
}

/** `784, 1` → "1, 28, 28" when the features form square images, else the generic axes. */
function squareImage(features: number, channels: number): string {
  const side = Math.round(Math.sqrt(features / channels));
  return side * side * channels === features
    ? `${channels}, ${side}, ${side}`
    : `${channels}, height, width`;
}

/** Options of the pooling layers. */
export interface PoolLayerOptions {
  /** Step between windows (default: the kernel size, so windows do not overlap). */
  stride?: number;
  /** Padding on every side (default 0; at most half the kernel). */
  padding?: number;
}

function checkNCHW(layer: Module, x: Tensor): void {
  if (x.ndim !== 4) {
    throw new Error(
      `${layer.describe()}: input ${showShape(x.shape)} does not fit: expected ` +
        `[batch, channels, height, width]`,
    );
  }
}

/**
 * The common part of {@linkcode MaxPool2d} and {@linkcode AvgPool2d}: a
 * square window, its stride and padding, checked once.
 *
 * @example
 * ```ts
 * import { AvgPool2d, MaxPool2d, Pool2d } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const pools: Pool2d[] = [new MaxPool2d(2), new AvgPool2d(3, { stride: 1, padding: 1 })];
 * assert.deepEqual(pools.map((p) => p.describe()), ["MaxPool2d(2)", "AvgPool2d(3, stride=1, padding=1)"]);
 * ```
 */
export abstract class Pool2d extends Module {
  /** Window size (square). */
  readonly kernelSize: number;
  /** Step between windows. */
  readonly stride: number;
  /** Padding on every side. */
  readonly padding: number;

  /** Checks and stores the window; `name` prefixes the errors. */
  constructor(name: string, kernelSize: number, options: PoolLayerOptions) {
    super();
    const { stride = kernelSize, padding = 0 } = options;
    checkPositiveInt(name, "kernel size", kernelSize);
    checkPositiveInt(name, "stride", stride);
    if (!Number.isInteger(padding) || padding < 0 || padding > Math.floor(kernelSize / 2)) {
      throw new Error(
        `${name}: padding must be an integer from 0 to half the kernel size, got ${padding}`,
      );
    }
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
  }

  /** `MaxPool2d(2)`, `AvgPool2d(3, stride=1, padding=1)`. */
  override describe(): string {
    const parts = [String(this.kernelSize)];
    if (this.stride !== this.kernelSize) parts.push(`stride=${this.stride}`);
    if (this.padding !== 0) parts.push(`padding=${this.padding}`);
    return `${this.constructor.name}(${parts.join(", ")})`;
  }
}

/**
 * Max pooling over `kernel`×`kernel` windows (stride defaults to the kernel
 * size). No parameters; the gradient goes to each window's maximum.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { MaxPool2d } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const pool = new MaxPool2d(2);
 * assert.deepEqual(pool.forward(tensor([[[[1, 2], [3, 4]]]])).arraySync(), [[[[4]]]]);
 * assert.equal(pool.describe(), "MaxPool2d(2)");
 * ```
 */
export class MaxPool2d extends Pool2d {
  /** Creates the layer. */
  constructor(kernelSize: number, options: PoolLayerOptions = {}) {
    super("MaxPool2d", kernelSize, options);
  }

  /** Pools `x` shaped `[batch, channels, height, width]`. */
  forward(x: Tensor): Tensor {
    checkNCHW(this, x);
    return inLayer(
      this,
      () => maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding }),
    );
  }
}

/**
 * Average pooling over `kernel`×`kernel` windows (stride defaults to the
 * kernel size). No parameters.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { AvgPool2d } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const pool = new AvgPool2d(2);
 * assert.deepEqual(pool.forward(tensor([[[[1, 2], [3, 4]]]])).arraySync(), [[[[2.5]]]]);
 * ```
 */
export class AvgPool2d extends Pool2d {
  /** Creates the layer. */
  constructor(kernelSize: number, options: PoolLayerOptions = {}) {
    super("AvgPool2d", kernelSize, options);
  }

  /** Pools `x` shaped `[batch, channels, height, width]`. */
  forward(x: Tensor): Tensor {
    checkNCHW(this, x);
    return inLayer(
      this,
      () => avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding }),
    );
  }
}

/**
 * Flattens every axis after the batch axis: `[N, C, H, W]` → `[N, C·H·W]`,
 * the bridge from convolutional layers to `Linear`.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import { Flatten } from "./layers.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(new Flatten().forward(zeros([32, 16, 5, 5])).shape, [32, 400]);
 * ```
 */
export class Flatten extends Module {
  /** First axis merged. */
  readonly startAxis: number;
  /** Last axis merged. */
  readonly endAxis: number;

  /** Flattens axes `startAxis..endAxis` (default 1..-1). */
  constructor(startAxis = 1, endAxis = -1) {
    super();
    this.startAxis = startAxis;
    this.endAxis = endAxis;
  }

  /** `x` with the axes merged. */
  forward(x: Tensor): Tensor {
    if (x.ndim <= this.startAxis && this.startAxis >= 0) {
      throw new Error(
        `${this.describe()}: input ${showShape(x.shape)} does not fit: expected at least ` +
          `${this.startAxis + 1} axes, e.g. [batch, ...features]`,
      );
    }
    return inLayer(this, () => flatten(x, this.startAxis, this.endAxis));
  }

  /** `Flatten()`, or with the axes when they are not the default. */
  override describe(): string {
    return this.startAxis === 1 && this.endAxis === -1
      ? "Flatten()"
      : `Flatten(${this.startAxis}, ${this.endAxis})`;
  }
}

/** Options of {@linkcode Dropout}. */
export interface DropoutOptions {
  /** Generator for the masks (default: the global one at each call). */
  rng?: Rng;
}

/**
 * Inverted dropout: in training mode each entry is zeroed with probability
 * `p` and the survivors are scaled by `1/(1−p)`, so the expected value is
 * unchanged and evaluation mode is simply the identity. The mask is a
 * tensor `uniform(...) < 1 − p` from the seeded generator, so the same seed
 * gives the same mask on every backend.
 *
 * @example
 * ```ts
 * import { ones, Rng } from "../../mod.ts";
 * import { Dropout } from "./layers.ts";
 * import assert from "node:assert/strict";
 * const drop = new Dropout(0.5, { rng: new Rng(0) });
 * const y = drop.forward(ones([1000])).dataSync();
 * assert.ok(y.every((v) => v === 0 || v === 2));
 * drop.eval();
 * assert.deepEqual(drop.forward(ones([3])).arraySync(), [1, 1, 1]);
 * ```
 */
export class Dropout extends Module {
  /** Probability of zeroing an entry. */
  readonly p: number;
  /** Mask generator, or undefined for the global one. */
  rng: Rng | undefined;

  /** Creates the layer; `p` is in [0, 1]. */
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: p is the probability of dropping an entry, in [0, 1]; got ${p}`);
    }
    this.p = p;
    this.rng = options.rng;
  }

  /** Masks and rescales `x` in training mode; returns `x` in evaluation mode. */
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    if (this.p === 1) return mul(x, 0);
    const keep = 1 - this.p;
    const u = uniform(x.shape, 0, 1, {
      rng: this.rng ?? defaultRng(),
      dtype: x.dtype,
      backend: x.backend.name,
    });
    return mul(x, mul(lt(u, keep), 1 / keep));
  }

  /** `Dropout(p=0.5)`. */
  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}

/**
 * Layers applied one after another. Parameters are named by position, as in
 * PyTorch: `"0.weight"`, `"2.bias"`.
 *
 * @example The lecture's 784-10-10 network: 7,960 parameters
 * ```ts
 * import { Rng, zeros } from "../../mod.ts";
 * import { Linear, Sequential } from "./layers.ts";
 * import { Sigmoid } from "./activations.ts";
 * import assert from "node:assert/strict";
 * const rng = new Rng(0);
 * const model = new Sequential(new Linear(784, 10, { rng }), new Sigmoid(), new Linear(10, 10, { rng }));
 * assert.equal(model.parameterCount(), 7960);
 * assert.deepEqual(model.namedParameters().map(([n]) => n), ["0.weight", "0.bias", "2.weight", "2.bias"]);
 * assert.deepEqual(model.forward(zeros([5, 784])).shape, [5, 10]);
 * assert.equal(model.length, 3);
 * assert.equal(model.at(-1).describe(), "Linear(10 → 10)");
 * ```
 */
export class Sequential extends Module {
  /** The layers, in order. */
  layers: Module[];

  /** Chains `layers`. */
  constructor(...layers: Module[]) {
    super();
    layers.forEach((layer, i) => {
      if (!(layer instanceof Module)) {
        throw new Error(
          `Sequential: argument ${i} is not a layer (got ${typeof layer}); ` +
            `pass Module instances such as new Linear(784, 10) or new ReLU()`,
        );
      }
    });
    this.layers = layers;
  }

  /** Children named `"0"`, `"1"`, ... (not `"layers.0"`). */
  override namedChildren(): [string, Module][] {
    return this.layers.map((layer, i) => [String(i), layer]);
  }

  /** Feeds `x` through every layer; an error names the failing layer's index. */
  forward(x: Tensor): Tensor {
    this.layers.forEach((layer, i) => {
      try {
        x = layer.forward(x);
      } catch (e) {
        if (e instanceof Error && e.constructor === Error) {
          throw new Error(`Sequential layer ${i}: ${e.message}`, { cause: e });
        }
        throw e;
      }
    });
    return x;
  }

  /** The layer at index `i` (negative counts from the end). */
  at(i: number): Module {
    const layer = this.layers.at(i);
    if (!layer) {
      throw new RangeError(`Sequential.at(${i}): there are ${this.layers.length} layers`);
    }
    return layer;
  }

  /** Number of layers. */
  get length(): number {
    return this.layers.length;
  }

  /** Adds a layer at the end; returns this. */
  append(layer: Module): this {
    if (!(layer instanceof Module)) throw new Error("Sequential.append: not a layer");
    this.layers.push(layer);
    return this;
  }

  /** Iterates over the layers. */
  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  /** `Sequential`. */
  override describe(): string {
    return "Sequential";
  }
}
