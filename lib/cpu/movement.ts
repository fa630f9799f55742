/**
 * CPU kernels for data movement: permute, slice, pad, gather and scatter-add.
 *
 * @module
 */
import type { OutSpec, TensorInfo, TypedArray } from "../backend.ts";
import { stridesOf } from "../shape.ts";
import { alloc } from "./elementwise.ts";
import { forEachRow } from "./strided.ts";

/** Output axis i is input axis `perm[i]`. */
export function permute(x: TensorInfo, perm: readonly number[], out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const own = stridesOf(x.shape);
  const s = perm.map((p) => own[p]);
  const inner = out.shape[out.shape.length - 1];
  const is = s[s.length - 1];
  forEachRow(out.shape, [s], ([o], r) => {
    const base = r * inner;
    for (let i = 0; i < inner; i++) dst[base + i] = src[o + i * is];
  });
  return dst;
}

/** The box `starts..ends` (exclusive) of `x`. */
export function slice(x: TensorInfo, starts: readonly number[], out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  const s = stridesOf(x.shape);
  const start = starts.reduce((acc, v, i) => acc + v * s[i], 0);
  const inner = out.shape.length ? out.shape[out.shape.length - 1] : 1;
  forEachRow(out.shape, [s], ([o], r) => {
    dst.set(src.subarray(start + o, start + o + inner), r * inner);
  });
  return dst;
}

/** `x` placed at offset `before` inside an output filled with `value`. */
export function pad(
  x: TensorInfo,
  before: readonly number[],
  value: number,
  out: OutSpec,
): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  if (value !== 0) dst.fill(value);
  const os = stridesOf(out.shape);
  const start = before.reduce((acc, v, i) => acc + v * os[i], 0);
  const inner = x.shape.length ? x.shape[x.shape.length - 1] : 1;
  forEachRow(x.shape, [os], ([o], r) => {
    dst.set(src.subarray(r * inner, (r + 1) * inner), start + o);
  });
  return dst;
}

function rowSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

function checkIndex(v: number, i: number, n: number, op: string): void {
  if (v < 0 || v >= n) {
    throw new RangeError(
      `${op}: index ${v} (position ${i}) is out of range for axis 0 of size ${n}`,
    );
  }
}

/** Rows `idx` of axis 0. */
export function gather(x: TensorInfo, idx: TensorInfo, out: OutSpec): TypedArray {
  const src = x.storage as TypedArray, ids = idx.storage as Int32Array;
  const dst = alloc(out.dtype, out.size);
  const row = rowSize(x.shape);
  for (let i = 0; i < ids.length; i++) {
    checkIndex(ids[i], i, x.shape[0], "take");
    dst.set(src.subarray(ids[i] * row, (ids[i] + 1) * row), i * row);
  }
  return dst;
}

/** Adds row i of `src` into row `idx[i]` of a zero tensor (gather's adjoint). */
export function scatterAdd(g: TensorInfo, idx: TensorInfo, out: OutSpec): TypedArray {
  const src = g.storage as TypedArray, ids = idx.storage as Int32Array;
  const dst = alloc(out.dtype, out.size);
  const row = rowSize(out.shape);
  for (let i = 0; i < ids.length; i++) {
    checkIndex(ids[i], i, out.shape[0], "scatterAdd");
    const d = ids[i] * row, s = i * row;
    for (let j = 0; j < row; j++) dst[d + j] += src[s + j];
  }
  return dst;
}
