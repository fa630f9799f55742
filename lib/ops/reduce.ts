/**
 * Reductions over axes: sum, mean, max, min, argmax, variance.
 *
 * @module
 */
import { dispatch } from "../engine.ts";
import type { ReduceOp } from "../op_set.ts";
import { normalizeAxes, normalizeAxis, sizeOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { reshape } from "./movement.ts";
import { cast, mul, sub } from "./elementwise.ts";

function reduce(
  op: ReduceOp,
  x: Tensor,
  axis: number | readonly number[] | undefined,
  keepdims: boolean,
): Tensor {
  const axes = normalizeAxes(axis, x.ndim, op);
  if (op !== "sum") {
    for (const a of axes) {
      if (x.shape[a] === 0) throw new Error(`${op}: cannot reduce over axis ${a} of size 0`);
    }
  }
  const kept = x.shape.map((d, i) => axes.includes(i) ? 1 : d);
  const out = dispatch("reduce", [x], { op, axes }, kept, x.dtype);
  return keepdims ? out : reshape(out, x.shape.filter((_, i) => !axes.includes(i)));
}

/**
 * Sum over `axis` (one axis, a list, or all when omitted).
 *
 * @example
 * ```ts
 * import { sum, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[1, 2], [3, 4]]);
 * assert.equal(sum(x).itemSync(), 10);
 * assert.deepEqual(sum(x, 0).arraySync(), [4, 6]);
 * assert.deepEqual(sum(x, 1, true).arraySync(), [[3], [7]]);
 * ```
 */
export function sum(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return reduce("sum", x, axis, keepdims);
}

/**
 * Maximum over `axis` (gradient shared equally among ties).
 *
 * @example
 * ```ts
 * import { max, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(max(tensor([[1, 5], [7, 2]]), 1).arraySync(), [5, 7]);
 * ```
 */
export function max(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return reduce("max", x, axis, keepdims);
}

/**
 * Minimum over `axis`.
 *
 * @example
 * ```ts
 * import { min, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(min(tensor([[1, 5], [7, 2]]), 0).arraySync(), [1, 2]);
 * ```
 */
export function min(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  return reduce("min", x, axis, keepdims);
}

/**
 * Mean over `axis` (an int32 tensor is averaged as float32).
 *
 * @example
 * ```ts
 * import { mean, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mean(tensor([1, 2, 3, 6])).itemSync(), 3);
 * ```
 */
export function mean(x: Tensor, axis?: number | readonly number[], keepdims = false): Tensor {
  const axes = normalizeAxes(axis, x.ndim, "mean");
  const count = sizeOf(axes.map((a) => x.shape[a]));
  return mul(sum(x.dtype === "int32" ? cast(x, "float32") : x, axes, keepdims), 1 / count);
}

/**
 * Variance over `axis`; `correction` 0 (default, NumPy) or 1 (sample variance).
 *
 * @example
 * ```ts
 * import { variance, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(variance(tensor([1, 2, 3, 4])).itemSync(), 1.25);
 * ```
 */
export function variance(
  x: Tensor,
  axis?: number | readonly number[],
  keepdims = false,
  correction = 0,
): Tensor {
  if (x.dtype === "int32") x = cast(x, "float32");
  const axes = normalizeAxes(axis, x.ndim, "variance");
  const count = sizeOf(axes.map((a) => x.shape[a]));
  const centered = sub(x, mean(x, axes, true));
  return mul(sum(mul(centered, centered), axes, keepdims), 1 / Math.max(count - correction, 1));
}

/**
 * Index of the largest value along `axis` (first on ties), as int32.
 *
 * @example
 * ```ts
 * import { argmax, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(argmax(tensor([[1, 9, 3], [7, 2, 7]])).arraySync(), [1, 0]);
 * ```
 */
export function argmax(x: Tensor, axis = -1, keepdims = false): Tensor {
  const a = normalizeAxis(axis, x.ndim, "argmax");
  if (x.shape[a] === 0) throw new Error(`argmax: axis ${a} has size 0`);
  const kept = x.shape.map((d, i) => i === a ? 1 : d);
  const out = dispatch("argmax", [x], { axis: a }, kept, "int32");
  return keepdims ? out : reshape(out, x.shape.filter((_, i) => i !== a));
}
