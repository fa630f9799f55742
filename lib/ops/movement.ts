/**
 * Movement ops: reshape, flatten, (un)squeeze, transpose/permute, slice,
 * pad, row gather (`take`) and its adjoint `scatterAdd`, concat, stack, and
 * broadcasting (`expand`) with its adjoint `sumToShape`.
 *
 * @module
 */
import { dispatch, reshapeView } from "../engine.ts";
import type { Shape } from "../op_set.ts";
import { broadcastShapes, normalizeAxis, showShape, sizeOf, type SliceRange } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { fromValues } from "./creation.ts";
import { add } from "./elementwise.ts";

/**
 * Same values in a new shape (no copy); one size may be -1 (inferred).
 *
 * @example
 * ```ts
 * import { reshape, arange } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(reshape(arange(6), [2, -1]).shape, [2, 3]);
 * ```
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new Error(`reshape: only one size may be -1, got ${showShape(shape)}`);
  const known = sizeOf(shape.filter((d) => d !== -1));
  const target = shape.map((d) => d === -1 ? (known === 0 ? 0 : x.size / known) : d);
  if (
    target.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(target) !== x.size
  ) {
    throw new Error(
      `reshape: cannot reshape ${showShape(x.shape)} (${x.size} elements) into ${showShape(shape)}`,
    );
  }
  if (target.length === x.ndim && target.every((d, i) => d === x.shape[i])) return x;
  return reshapeView(x, target);
}

/**
 * Flattens axes `start..end` (inclusive) into one.
 *
 * @example
 * ```ts
 * import { flatten, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(flatten(zeros([2, 3, 4]), 1).shape, [2, 12]);
 * assert.deepEqual(flatten(zeros([2, 3, 4])).shape, [24]);
 * ```
 */
export function flatten(x: Tensor, start = 0, end = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeAxis(start, x.ndim, "flatten");
  const e = normalizeAxis(end, x.ndim, "flatten");
  if (s > e) throw new Error(`flatten: start axis ${start} comes after end axis ${end}`);
  const merged = sizeOf(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/**
 * Inserts an axis of size 1 at `axis`.
 *
 * @example
 * ```ts
 * import { unsqueeze, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(unsqueeze(zeros([2, 3]), 0).shape, [1, 2, 3]);
 * ```
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis(axis, x.ndim + 1, "unsqueeze");
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/**
 * Removes axes of size 1 (all of them, or the given one).
 *
 * @example
 * ```ts
 * import { squeeze, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(squeeze(zeros([1, 2, 1])).shape, [2]);
 * ```
 */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis(axis, x.ndim, "squeeze");
  if (x.shape[a] !== 1) {
    throw new Error(`squeeze: axis ${axis} of ${showShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/**
 * Reorders axes: output axis i is input axis `perm[i]`.
 *
 * @example
 * ```ts
 * import { permute, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(permute(zeros([2, 3, 4]), [2, 0, 1]).shape, [4, 2, 3]);
 * ```
 */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const p = perm.map((a) => normalizeAxis(a, x.ndim, "permute"));
  if (p.length !== x.ndim || new Set(p).size !== p.length) {
    throw new Error(
      `permute: [${perm}] is not a permutation of the ${x.ndim} axes of ${showShape(x.shape)}`,
    );
  }
  if (p.every((a, i) => a === i)) return x;
  return dispatch("permute", [x], { perm: p }, p.map((a) => x.shape[a]), x.dtype);
}

/**
 * Swaps two axes (default: the last two, i.e. matrix transpose).
 *
 * @example
 * ```ts
 * import { transpose, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(transpose(tensor([[1, 2, 3]])).arraySync(), [[1], [2], [3]]);
 * ```
 */
export function transpose(x: Tensor, axis0 = -2, axis1 = -1): Tensor {
  if (x.ndim < 2) return x;
  const a = normalizeAxis(axis0, x.ndim, "transpose");
  const b = normalizeAxis(axis1, x.ndim, "transpose");
  const perm = x.shape.map((_, i) => i === a ? b : i === b ? a : i);
  return permute(x, perm);
}

export type { SliceRange };

/**
 * Slices leading axes, NumPy style: `slice(x, [[0, 2], 1])` is `x[0:2, 1]`.
 *
 * @example
 * ```ts
 * import { slice, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);
 * assert.deepEqual(slice(x, [null, [1]]).arraySync(), [[2, 3], [5, 6]]);
 * assert.deepEqual(slice(x, [1, [-1]]).arraySync(), [6]);
 * ```
 */
export function slice(x: Tensor, ranges: readonly SliceRange[]): Tensor {
  if (ranges.length > x.ndim) {
    throw new Error(`slice: ${ranges.length} ranges given for a tensor with ${x.ndim} axes`);
  }
  const starts: number[] = [], ends: number[] = [], dropped: number[] = [];
  x.shape.forEach((n, axis) => {
    const r = ranges[axis] ?? null;
    if (typeof r === "number") {
      const i = r < 0 ? r + n : r;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new Error(`slice: index ${r} is out of range for axis ${axis} of size ${n}`);
      }
      starts.push(i), ends.push(i + 1), dropped.push(axis);
      return;
    }
    const clampIndex = (v: number | undefined, dflt: number) =>
      v === undefined ? dflt : Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const s = clampIndex(r?.[0], 0);
    starts.push(s), ends.push(Math.max(s, clampIndex(r?.[1], n)));
  });
  const shape = starts.map((s, i) => ends[i] - s);
  const whole = starts.every((s, i) => s === 0 && ends[i] === x.shape[i]);
  const sliced = whole ? x : dispatch("slice", [x], { starts, ends }, shape, x.dtype);
  return dropped.length ? reshape(sliced, shape.filter((_, i) => !dropped.includes(i))) : sliced;
}

/**
 * Pads with a constant: `before[i]`/`after[i]` entries on each side of axis i.
 *
 * @example
 * ```ts
 * import { pad, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(pad(tensor([1, 2]), [1], [2]).arraySync(), [0, 1, 2, 0, 0]);
 * ```
 */
export function pad(
  x: Tensor,
  before: readonly number[],
  after: readonly number[],
  value = 0,
): Tensor {
  if (before.length !== x.ndim || after.length !== x.ndim) {
    throw new Error(
      `pad: need one before/after size per axis of ${showShape(x.shape)}, ` +
        `got [${before}] and [${after}]`,
    );
  }
  if ([...before, ...after].some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`pad: sizes must be non-negative integers, got [${before}] and [${after}]`);
  }
  const shape = x.shape.map((d, i) => d + before[i] + after[i]);
  return dispatch("pad", [x], { before: [...before], after: [...after], value }, shape, x.dtype);
}

/**
 * Rows `indices` of axis 0 (e.g. a mini-batch); gradients scatter-add back.
 *
 * @example
 * ```ts
 * import { take, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[1, 1], [2, 2], [3, 3]]);
 * assert.deepEqual(take(x, [2, 0]).arraySync(), [[3, 3], [1, 1]]);
 * ```
 */
export function take(x: Tensor, indices: Tensor | ArrayLike<number>): Tensor {
  if (x.ndim === 0) throw new Error("take: cannot take rows of a 0-d tensor");
  const idx = indices instanceof Tensor
    ? indices
    : fromValues(indices, [indices.length], { dtype: "int32", backend: x.backend.name });
  if (idx.dtype !== "int32" || idx.ndim !== 1) {
    throw new Error(
      `take: indices must be a 1-d int32 tensor, got ${idx.dtype} ${showShape(idx.shape)}`,
    );
  }
  if (!(indices instanceof Tensor)) checkIndices(indices, x.shape[0]);
  return dispatch("gather", [x, idx], { axis: 0 }, [idx.size, ...x.shape.slice(1)], x.dtype);
}

/**
 * Adds the rows of `src` into a zero tensor of `size` rows at rows `indices`
 * (int32, one per row of `src`; repeats add up): the adjoint of {@linkcode take}.
 *
 * @example
 * ```ts
 * import { scatterAdd } from "./movement.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const rows = tensor([[1, 1], [2, 2], [3, 3]]);
 * const at = tensor([2, 0, 2], { dtype: "int32" });
 * assert.deepEqual(scatterAdd(rows, at, 3).arraySync(), [[2, 2], [0, 0], [4, 4]]);
 * ```
 */
export function scatterAdd(src: Tensor, indices: Tensor, size: number): Tensor {
  if (indices.dtype !== "int32" || indices.ndim !== 1 || indices.size !== src.shape[0]) {
    throw new Error(
      `scatterAdd: indices must be a 1-d int32 tensor with one entry per row of the source ` +
        `${showShape(src.shape)}, got ${indices.dtype} ${showShape(indices.shape)}`,
    );
  }
  return dispatch("scatterAdd", [src, indices], { size }, [size, ...src.shape.slice(1)], src.dtype);
}

/** Throws naming the first index outside `[0, n)`. */
function checkIndices(indices: ArrayLike<number>, n: number): void {
  for (let i = 0; i < indices.length; i++) {
    const v = indices[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new RangeError(
        `take: index ${v} (position ${i}) is out of range for axis 0 of size ${n}`,
      );
    }
  }
}

/**
 * Joins tensors along an existing axis (built from `pad` and `add`).
 *
 * @example
 * ```ts
 * import { concat, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(concat([tensor([[1]]), tensor([[2], [3]])], 0).arraySync(), [[1], [2], [3]]);
 * ```
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error("concat: needs at least one tensor");
  const first = tensors[0];
  const a = normalizeAxis(axis, first.ndim, "concat");
  tensors.forEach((t, k) => {
    const ok = t.ndim === first.ndim && t.dtype === first.dtype &&
      t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!ok) {
      throw new Error(
        `concat: tensor ${k} ${showShape(t.shape)} ${t.dtype} does not match tensor 0 ` +
          `${showShape(first.shape)} ${first.dtype} outside axis ${a}`,
      );
    }
  });
  const total = tensors.reduce((n, t) => n + t.shape[a], 0);
  let offset = 0;
  let out: Tensor | null = null;
  for (const t of tensors) {
    const before = t.shape.map((_, i) => i === a ? offset : 0);
    const after = t.shape.map((_, i) => i === a ? total - offset - t.shape[a] : 0);
    const placed = pad(t, before, after);
    out = out ? add(out, placed) : placed;
    offset += t.shape[a];
  }
  return out!;
}

/**
 * Stacks same-shaped tensors along a new axis.
 *
 * @example
 * ```ts
 * import { stack, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(stack([tensor([1, 2]), tensor([3, 4])]).arraySync(), [[1, 2], [3, 4]]);
 * ```
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new Error("stack: needs at least one tensor");
  const shape: Shape = tensors[0].shape;
  tensors.forEach((t, k) => {
    if (t.ndim !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `stack: tensor ${k} has shape ${showShape(t.shape)}, tensor 0 has ${showShape(shape)}`,
      );
    }
  });
  return concat(tensors.map((t) => unsqueeze(t, axis)), axis);
}

/**
 * Broadcasts `x` to `shape` (copying; gradient sums back).
 *
 * @example
 * ```ts
 * import { expand, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(expand(tensor([1, 2]), [2, 2]).arraySync(), [[1, 2], [1, 2]]);
 * ```
 */
export function expand(x: Tensor, shape: Shape): Tensor {
  const target = broadcastShapes(x.shape, shape, "expand");
  if (target.length !== shape.length || target.some((d, i) => d !== shape[i])) {
    throw new Error(`expand: cannot broadcast ${showShape(x.shape)} to ${showShape(shape)}`);
  }
  if (target.length === x.ndim && target.every((d, i) => d === x.shape[i])) return x;
  return dispatch("expand", [x], { shape: target }, target, x.dtype);
}

/**
 * Sums a broadcast result back down to `shape`: the adjoint of broadcasting,
 * which the gradient rules of broadcasting ops use.
 *
 * @example
 * ```ts
 * import { sumToShape } from "./movement.ts";
 * import { ones } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sumToShape(ones([3, 2]), [2]).arraySync(), [3, 3]);
 * ```
 */
export function sumToShape(x: Tensor, shape: Shape): Tensor {
  if (x.ndim === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const lead = x.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  }
  const kept = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
  const summed = dispatch("reduce", [x], { op: "sum", axes }, kept, x.dtype);
  return kept.length === shape.length ? summed : reshapeView(summed, shape);
}
