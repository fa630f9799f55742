/**
 * CPU kernels for the elementwise primitives: unary, binary with
 * broadcasting, where, cast and expand.
 *
 * @module
 */
import type { OutSpec, TensorInfo, TypedArray } from "../backend.ts";
import type { BinaryOp, DType, UnaryOp } from "../op_set.ts";
import { broadcastStrides } from "../shape.ts";
import { forEachRow } from "./strided.ts";

/** Allocates the typed array for an output. */
export function alloc(dtype: DType, size: number): TypedArray {
  return dtype === "float64"
    ? new Float64Array(size)
    : dtype === "int32"
    ? new Int32Array(size)
    : new Float32Array(size);
}

/** Numerically stable logistic: never evaluates e^x for large positive x. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  relu: (x) => x <= 0 ? 0 : x, // NaN stays NaN (as in PyTorch), so a diverging run shows
  sigmoid,
  tanh: Math.tanh,
  step: (x) => x > 0 ? 1 : x <= 0 ? 0 : x,
  sign: (x) => x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => a >= b || Number.isNaN(a) ? a : b,
  minimum: (a, b) => a <= b || Number.isNaN(a) ? a : b,
  eq: (a, b) => a === b ? 1 : 0,
  ne: (a, b) => a !== b ? 1 : 0,
  lt: (a, b) => a < b ? 1 : 0,
  le: (a, b) => a <= b ? 1 : 0,
  gt: (a, b) => a > b ? 1 : 0,
  ge: (a, b) => a >= b ? 1 : 0,
};

/** Unary primitive. */
export function unary(x: TensorInfo, op: UnaryOp, out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const f = UNARY[op];
  for (let i = 0; i < dst.length; i++) dst[i] = f(src[i]);
  return dst;
}

/** Binary primitive with broadcasting. */
export function binary(a: TensorInfo, b: TensorInfo, op: BinaryOp, out: OutSpec): TypedArray {
  const x = a.storage as TypedArray, y = b.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const n = out.size;
  const sameX = x.length === n && a.shape.length === out.shape.length;
  const sameY = y.length === n && b.shape.length === out.shape.length;
  if ((sameX || x.length === 1) && (sameY || y.length === 1)) {
    binaryRow(op, dst, 0, n, x, 0, x.length === 1 ? 0 : 1, y, 0, y.length === 1 ? 0 : 1);
    return dst;
  }
  const sa = broadcastStrides(a.shape, out.shape), sb = broadcastStrides(b.shape, out.shape);
  const inner = out.shape.length ? out.shape[out.shape.length - 1] : 1;
  const ia = sa[sa.length - 1] ?? 0, ib = sb[sb.length - 1] ?? 0;
  forEachRow(out.shape, [sa, sb], ([oa, ob], r) => {
    binaryRow(op, dst, r * inner, inner, x, oa, ia, y, ob, ib);
  });
  return dst;
}

/**
 * One row of a binary op: dst[d+i] = x[ox+i*sx] op y[oy+i*sy]. The common
 * arithmetic ops get their own loops: a call per element costs several
 * times the arithmetic itself in V8.
 */
function binaryRow(
  op: BinaryOp,
  dst: TypedArray,
  d: number,
  n: number,
  x: TypedArray,
  ox: number,
  sx: number,
  y: TypedArray,
  oy: number,
  sy: number,
): void {
  switch (op) {
    case "add":
      for (let i = 0; i < n; i++) dst[d + i] = x[ox + i * sx] + y[oy + i * sy];
      return;
    case "sub":
      for (let i = 0; i < n; i++) dst[d + i] = x[ox + i * sx] - y[oy + i * sy];
      return;
    case "mul":
      for (let i = 0; i < n; i++) dst[d + i] = x[ox + i * sx] * y[oy + i * sy];
      return;
    case "div":
      for (let i = 0; i < n; i++) dst[d + i] = x[ox + i * sx] / y[oy + i * sy];
      return;
    default: {
      const f = BINARY[op];
      for (let i = 0; i < n; i++) dst[d + i] = f(x[ox + i * sx], y[oy + i * sy]);
    }
  }
}

/** `where(cond, a, b)` with broadcasting of all three. */
export function where(c: TensorInfo, a: TensorInfo, b: TensorInfo, out: OutSpec): TypedArray {
  const cs = c.storage as TypedArray, x = a.storage as TypedArray, y = b.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const strides = [c, a, b].map((t) => broadcastStrides(t.shape, out.shape));
  const inner = out.shape.length ? out.shape[out.shape.length - 1] : 1;
  const [ic, ia, ib] = strides.map((s) => s[s.length - 1] ?? 0);
  forEachRow(out.shape, strides, ([oc, oa, ob], r) => {
    const base = r * inner;
    for (let i = 0; i < inner; i++) {
      dst[base + i] = cs[oc + i * ic] !== 0 ? x[oa + i * ia] : y[ob + i * ib];
    }
  });
  return dst;
}

/** Copies `x` broadcast to `out.shape`. */
export function expand(x: TensorInfo, out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const s = broadcastStrides(x.shape, out.shape);
  const inner = out.shape.length ? out.shape[out.shape.length - 1] : 1;
  const is = s[s.length - 1] ?? 0;
  forEachRow(out.shape, [s], ([o], r) => {
    const base = r * inner;
    for (let i = 0; i < inner; i++) dst[base + i] = src[o + i * is];
  });
  return dst;
}

/** Converts dtype (to int32: truncation toward zero, like C casts). */
export function cast(x: TensorInfo, out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  if (out.dtype === "int32") {
    for (let i = 0; i < src.length; i++) dst[i] = Math.trunc(src[i]);
  } else {
    dst.set(src);
  }
  return dst;
}
