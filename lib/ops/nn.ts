/**
 * Neural-network functions: activations, softmax family, convolution and
 * pooling. All but relu/sigmoid/tanh/step/sign are compositions of
 * primitives, so their gradients come for free.
 *
 * @module
 */
import { dispatch, noGrad } from "../engine.ts";
import type { WindowGeometry } from "../op_set.ts";
import { normalizeAxis, showShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { add, div, eq, exp, gt, log, mul, sub, unary, where } from "./elementwise.ts";
import { max, mean, sum } from "./reduce.ts";
import { pad, reshape } from "./movement.ts";
import { matmul } from "./linalg.ts";

/**
 * Rectified linear unit `max(0, x)` (gradient 0 at x = 0).
 *
 * @example
 * ```ts
 * import { relu, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(relu(tensor([-1, 0, 2])).arraySync(), [0, 0, 2]);
 * ```
 */
export function relu(x: Tensor): Tensor {
  return unary("relu", x);
}

/**
 * Logistic sigmoid σ(x) = 1/(1+e^-x), computed without overflow; σ' = σ(1-σ).
 *
 * @example
 * ```ts
 * import { sigmoid, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sigmoid(tensor([0])).arraySync(), [0.5]);
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  return unary("sigmoid", x);
}

/**
 * Hyperbolic tangent; tanh' = 1 - tanh².
 *
 * @example
 * ```ts
 * import { tanh, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(tanh(tensor([0])).arraySync(), [0]);
 * ```
 */
export function tanh(x: Tensor): Tensor {
  return unary("tanh", x);
}

/**
 * Heaviside step: 1 for x > 0, else 0. Its gradient is zero everywhere
 * (undefined at 0), which is why the lectures move on to smooth activations.
 *
 * @example
 * ```ts
 * import { step, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(step(tensor([-1, 0, 2])).arraySync(), [0, 0, 1]);
 * ```
 */
export function step(x: Tensor): Tensor {
  return unary("step", x);
}

/**
 * Sign: -1, 0 or 1. Zero gradient everywhere (like `step`).
 *
 * @example
 * ```ts
 * import { sign, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sign(tensor([-3, 0, 2])).arraySync(), [-1, 0, 1]);
 * ```
 */
export function sign(x: Tensor): Tensor {
  return unary("sign", x);
}

/**
 * Leaky ReLU: x for x > 0, else `slope`·x.
 *
 * @example
 * ```ts
 * import { leakyRelu, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(leakyRelu(tensor([-2, 3]), 0.5).arraySync(), [-1, 3]);
 * ```
 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return where(gt(x, 0), x, mul(x, slope));
}

/**
 * Exponential linear unit: x for x > 0, else α(e^x - 1).
 *
 * @example
 * ```ts
 * import { elu, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(elu(tensor([0, 2])).arraySync(), [0, 2]);
 * ```
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  // exp of x only where x ≤ 0 (0 elsewhere): the unused branch must not
  // overflow, or its zero gradient times e^x = inf would turn into NaN. A
  // where, not min(x, 0), so that x = 0 gets the full gradient α (min's tie
  // would halve it, a kink in ELU with α = 1, which is smooth there).
  const positive = gt(x, 0);
  return where(positive, x, mul(sub(exp(where(positive, 0, x)), 1), alpha));
}

/**
 * Softplus log(1 + e^x), a smooth ReLU; its derivative is σ(x). Above
 * x = 20 it returns x (as PyTorch does) so e^x never overflows.
 *
 * @example
 * ```ts
 * import { softplus, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.ok(Math.abs(softplus(tensor([0])).itemSync() - Math.log(2)) < 1e-6);
 * ```
 */
export function softplus(x: Tensor): Tensor {
  const above = gt(x, 20);
  // The masked input, not minimum(x, 20), whose tie at 20 would halve the gradient.
  const e = exp(where(above, 0, x));
  const onePlus = add(e, 1);
  return where(above, x, add(log(onePlus), log1pCorrection(e, onePlus)));
}

/**
 * log1p(u) − log(1 + u), a constant (no gradient): 1 + u rounds away most of
 * a small u (in float32, x = −15 would be 17% off and x ≤ −17 give 0), so the
 * value gets Goldberg's correction log(w)·u/(w − 1), w = 1 + u (exactly u
 * where w rounds to 1), while the gradient stays that of log(1 + eˣ), σ(x).
 */
function log1pCorrection(u: Tensor, w: Tensor): Tensor {
  return noGrad(() => {
    const d = sub(w, 1);
    const exact = where(eq(d, 0), u, mul(log(w), div(u, where(eq(d, 0), 1, d))));
    return sub(exact, log(w));
  });
}

/**
 * Softmax along `axis`: k[i] = e^{x_i} / Σ_j e^{x_j}, with the maximum
 * subtracted first so e^x never overflows. Jacobian: k[i](δ_im - k[m]).
 *
 * @example
 * ```ts
 * import { softmax, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const k = softmax(tensor([1, 1000, 1000])).arraySync() as number[];
 * assert.deepEqual(k, [0, 0.5, 0.5]);
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.ndim, "softmax");
  const e = exp(sub(x, max(x, a, true).detach()));
  return div(e, sum(e, a, true));
}

/**
 * Log-softmax along `axis`: x - max - log Σ e^{x - max} (numerically stable).
 *
 * @example
 * ```ts
 * import { logSoftmax, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const v = logSoftmax(tensor([0, 0])).arraySync() as number[];
 * assert.ok(Math.abs(v[0] + Math.log(2)) < 1e-6);
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis(axis, x.ndim, "logSoftmax");
  const z = sub(x, max(x, a, true).detach());
  return sub(z, log(sum(exp(z), a, true)));
}

/**
 * Dense layer function `y = x Wᵀ + b` with `W` shaped `[out, in]` (the
 * lecture's n = Wx + b, one row of W per neuron). `x` is `[batch, in]` or
 * `[in]`. Runs as one matmul reading W transposed in place (no copy).
 *
 * @example
 * ```ts
 * import { linear, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([[1, 0], [1, 1], [0, 2]]); // 2 inputs → 3 neurons
 * assert.deepEqual(linear(tensor([[3, 4]]), w, tensor([0, 0, 1])).arraySync(), [[3, 7, 9]]);
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.ndim !== 2) {
    throw new Error(`linear: weight must be [out, in], got ${showShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape;
  const x2 = x.ndim === 1 ? reshape(x, [1, x.size]) : x;
  if (x2.ndim !== 2 || x2.shape[1] !== inF) {
    throw new Error(
      `linear: input ${showShape(x.shape)} does not fit weight ${showShape(weight.shape)}: ` +
        `expected [batch, ${inF}] (flatten images first, e.g. x.flatten(1))`,
    );
  }
  if (x.dtype !== weight.dtype) {
    throw new Error(`linear: input is ${x.dtype} but the weight is ${weight.dtype}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new Error(`linear: bias must have shape [${outF}], got ${showShape(bias.shape)}`);
  }
  const y = matmul(x2, weight, { transB: true }); // [batch, in] · [out, in]ᵀ
  const out = x.ndim === 1 ? reshape(y, [outF]) : y;
  return bias ? add(out, bias) : out;
}

/** Options of {@linkcode conv2d}. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zeros added on every side (default 0). */
  padding?: number;
}

/**
 * Window geometry for an NCHW input, or an error naming the op and the shapes.
 *
 * @example LeNet-5's first convolution: 5×5 windows, padding 2, keep 28×28
 * ```ts
 * import { windowGeometry } from "./nn.ts";
 * import assert from "node:assert/strict";
 * const g = windowGeometry("conv2d", [1, 1, 28, 28], 5, 5, 1, 2);
 * assert.deepEqual([g.outH, g.outW], [28, 28]);
 * ```
 */
export function windowGeometry(
  op: string,
  xShape: readonly number[],
  kh: number,
  kw: number,
  stride: number,
  padding: number,
): WindowGeometry {
  if (xShape.length !== 4) {
    throw new Error(`${op}: input must be NCHW (4 axes), got ${showShape(xShape)}`);
  }
  if (![kh, kw].every((k) => Number.isInteger(k) && k >= 1)) {
    throw new Error(
      `${op}: kernel size must be a positive integer, got ${kh === kw ? kh : `${kh}x${kw}`}`,
    );
  }
  if (!Number.isInteger(stride) || stride < 1) {
    throw new Error(`${op}: stride must be a positive integer, got ${stride}`);
  }
  if (!Number.isInteger(padding) || padding < 0) {
    throw new Error(`${op}: padding must be a non-negative integer, got ${padding}`);
  }
  const [n, c, h, w] = xShape;
  if (kh > h + 2 * padding || kw > w + 2 * padding) {
    throw new Error(
      `${op}: kernel ${kh}x${kw} is larger than the padded input ${h + 2 * padding}x${
        w + 2 * padding
      } (input ${showShape(xShape)}, padding ${padding})`,
    );
  }
  const outH = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const outW = Math.floor((w + 2 * padding - kw) / stride) + 1;
  return { n, c, h, w, kh, kw, stride, padding, outH, outW };
}

/**
 * The sliding windows of NCHW input `x` as columns `[N, C*kh*kw, outH*outW]`
 * (geometry from {@linkcode windowGeometry}): convolution becomes a matmul.
 *
 * @example
 * ```ts
 * import { im2col, windowGeometry } from "./nn.ts";
 * import { arange } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = arange(9).reshape([1, 1, 3, 3]);
 * const cols = im2col(x, windowGeometry("im2col", x.shape, 2, 2, 1, 0));
 * assert.deepEqual(cols.arraySync(), [[[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7], [4, 5, 7, 8]]]);
 * ```
 */
export function im2col(x: Tensor, geom: WindowGeometry): Tensor {
  const { n, c, kh, kw, outH, outW } = geom;
  return dispatch("im2col", [x], { geom }, [n, c * kh * kw, outH * outW], x.dtype);
}

/**
 * The adjoint of {@linkcode im2col}: adds columns `[N, C*kh*kw, outH*outW]`
 * back into an NCHW tensor, overlapping windows summing.
 *
 * @example
 * ```ts
 * import { col2im, windowGeometry } from "./nn.ts";
 * import { ones } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const geom = windowGeometry("col2im", [1, 1, 3, 3], 2, 2, 1, 0);
 * const x = col2im(ones([1, 4, 4]), geom);
 * assert.deepEqual(x.arraySync(), [[[[1, 2, 1], [2, 4, 2], [1, 2, 1]]]]);
 * ```
 */
export function col2im(cols: Tensor, geom: WindowGeometry): Tensor {
  const { n, c, h, w } = geom;
  return dispatch("col2im", [cols], { geom }, [n, c, h, w], cols.dtype);
}

/**
 * 2-D convolution (cross-correlation, as in every framework) on NCHW input
 * `x` with weights `[outChannels, inChannels, kh, kw]` and optional bias
 * `[outChannels]`: im2col then one batched matmul.
 *
 * @example
 * ```ts
 * import { conv2d, ones } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const y = conv2d(ones([1, 1, 4, 4]), ones([2, 1, 3, 3]), undefined, { padding: 1 });
 * assert.deepEqual(y.shape, [1, 2, 4, 4]);
 * assert.equal(y.dataSync()[5], 9); // an inner pixel sees the full 3x3 window
 * ```
 */
export function conv2d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor,
  options: Conv2dOptions = {},
): Tensor {
  const { stride = 1, padding = 0 } = options;
  if (weight.ndim !== 4) {
    throw new Error(
      `conv2d: weight must be [outChannels, inChannels, kh, kw], got ${showShape(weight.shape)}`,
    );
  }
  if (x.dtype !== weight.dtype || x.dtype === "int32") {
    throw new Error(
      `conv2d: input is ${x.dtype} and weight is ${weight.dtype}; both must be the same float dtype`,
    );
  }
  const [oc, ic, kh, kw] = weight.shape;
  const g = windowGeometry("conv2d", x.shape, kh, kw, stride, padding);
  if (g.c !== ic) {
    throw new Error(
      `conv2d: input has ${g.c} channels (shape ${showShape(x.shape)}) but the weight expects ` +
        `${ic} (weight shape ${showShape(weight.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== oc)) {
    throw new Error(
      `conv2d: bias must have shape [${oc}] (one per output channel), got ${showShape(bias.shape)}`,
    );
  }
  const cols = im2col(x, g); // [n, ic*kh*kw, outH*outW]
  const y = matmul(reshape(weight, [1, oc, ic * kh * kw]), cols); // [n, oc, outH*outW]
  const out = reshape(y, [g.n, oc, g.outH, g.outW]);
  return bias ? add(out, reshape(bias, [1, oc, 1, 1])) : out;
}

/** Options of the pooling functions. */
export interface PoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number;
  /** Padding on every side (default 0; at most half the kernel). */
  padding?: number;
}

/** Pooling windows of `x` as `[N*C, k*k, outH*outW]` plus the output shape. */
function poolWindows(
  op: string,
  x: Tensor,
  kernel: number,
  options: PoolOptions,
  padValue: number,
): [Tensor, number[]] {
  const { stride = kernel, padding = 0 } = options;
  if (padding > Math.floor(kernel / 2)) {
    throw new Error(`${op}: padding ${padding} must be at most half the kernel size ${kernel}`);
  }
  const g0 = windowGeometry(op, x.shape, kernel, kernel, stride, padding);
  const padded = padding ? pad(x, [0, 0, padding, padding], [0, 0, padding, padding], padValue) : x;
  const [n, c, h, w] = padded.shape;
  const g = windowGeometry(op, [n * c, 1, h, w], kernel, kernel, stride, 0);
  const cols = im2col(reshape(padded, [n * c, 1, h, w]), g);
  return [cols, [g0.n, g0.c, g0.outH, g0.outW]];
}

/**
 * Max pooling over `kernel`×`kernel` windows (padding counts as -∞).
 *
 * @example
 * ```ts
 * import { maxPool2d, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * assert.deepEqual(maxPool2d(x, 2).arraySync(), [[[[4]]]]);
 * ```
 */
export function maxPool2d(x: Tensor, kernel: number, options: PoolOptions = {}): Tensor {
  const [cols, shape] = poolWindows("maxPool2d", x, kernel, options, -Infinity);
  return reshape(max(cols, 1), shape);
}

/**
 * Average pooling over `kernel`×`kernel` windows (padding counts as 0).
 *
 * @example
 * ```ts
 * import { avgPool2d, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[[[1, 2], [3, 4]]]]);
 * assert.deepEqual(avgPool2d(x, 2).arraySync(), [[[[2.5]]]]);
 * ```
 */
export function avgPool2d(x: Tensor, kernel: number, options: PoolOptions = {}): Tensor {
  const [cols, shape] = poolWindows("avgPool2d", x, kernel, options, 0);
  return reshape(mean(cols, 1), shape);
}
