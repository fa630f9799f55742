/**
 * CPU kernels for reductions (sum, max, min over axes) and argmax.
 *
 * @module
 */
import type { OutSpec, TensorInfo, TypedArray } from "../backend.ts";
import type { ReduceOp } from "../op_set.ts";
import { stridesOf } from "../shape.ts";
import { alloc } from "./elementwise.ts";
import { forEachRow } from "./strided.ts";

/** Reduces over `axes` (kept with size 1 in `out`) in one pass over the input. */
export function reduce(
  x: TensorInfo,
  op: ReduceOp,
  axes: readonly number[],
  out: OutSpec,
): TypedArray {
  const src = x.storage as TypedArray;
  const dst = alloc(out.dtype, out.size);
  if (op !== "sum") dst.fill(op === "max" ? -Infinity : Infinity);
  if (x.size === 0) return dst;
  // Walk the input in order; each element lands at its output position
  // (stride 0 along reduced axes).
  const os = stridesOf(out.shape).map((s, i) => axes.includes(i) ? 0 : s);
  const inner = x.shape.length ? x.shape[x.shape.length - 1] : 1;
  const io = os[os.length - 1] ?? 0;
  forEachRow(x.shape, [os], ([o], r) => {
    const base = r * inner;
    if (op === "sum") {
      if (io === 0) {
        let acc = 0;
        for (let i = 0; i < inner; i++) acc += src[base + i];
        dst[o] += acc;
      } else {
        for (let i = 0; i < inner; i++) dst[o + i] += src[base + i];
      }
    } else if (op === "max") {
      for (let i = 0; i < inner; i++) {
        const v = src[base + i], j = o + i * io;
        if (v > dst[j] || Number.isNaN(v)) dst[j] = v;
      }
    } else {
      for (let i = 0; i < inner; i++) {
        const v = src[base + i], j = o + i * io;
        if (v < dst[j] || Number.isNaN(v)) dst[j] = v;
      }
    }
  });
  return dst;
}

/** Index of the first maximum along `axis`. */
export function argmax(x: TensorInfo, axis: number, out: OutSpec): TypedArray {
  const src = x.storage as TypedArray;
  const dst = new Int32Array(out.size);
  const n = x.shape[axis];
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let best = 0, bestV = src[base];
      for (let k = 1; k < n; k++) {
        const v = src[base + k * inner];
        // The first NaN wins (as max returns NaN); then the first maximum.
        if (v > bestV || (v !== v && bestV === bestV)) best = k, bestV = v;
      }
      dst[o * inner + i] = best;
    }
  }
  return dst;
}
