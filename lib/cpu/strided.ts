/**
 * Strided iteration for the CPU kernels: walks a shape row by row (the last
 * axis is the row), keeping one running offset per operand, so kernels keep
 * a tight inner loop and pay the bookkeeping once per row.
 *
 * @module
 */
import type { Shape } from "../op_set.ts";

/**
 * Calls `row(offsets, rowIndex)` for every row of `shape` (all axes but the
 * last), where `offsets[k]` is operand k's offset at the row start given its
 * per-axis `strides[k]`. A 0-d shape is one row of length 1.
 *
 * @example
 * ```ts
 * import { forEachRow } from "./strided.ts";
 * import assert from "node:assert/strict";
 * const starts: number[] = [];
 * forEachRow([2, 3], [[1, 2]], (offs) => starts.push(offs[0])); // a transposed [3,2] view
 * assert.deepEqual(starts, [0, 1]);
 * ```
 */
export function forEachRow(
  shape: Shape,
  strides: readonly (readonly number[])[],
  row: (offsets: readonly number[], rowIndex: number) => void,
): void {
  const nd = shape.length;
  const k = strides.length;
  const offsets = new Array<number>(k).fill(0);
  if (nd === 0) {
    row(offsets, 0);
    return;
  }
  for (const d of shape) if (d === 0) return;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const idx = new Array<number>(nd - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    row(offsets, r);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < k; j++) offsets[j] += strides[j][d];
      if (idx[d] < shape[d]) break;
      for (let j = 0; j < k; j++) offsets[j] -= strides[j][d] * shape[d];
      idx[d] = 0;
    }
  }
}
