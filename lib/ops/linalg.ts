/**
 * Matrix multiplication: 1-D, 2-D and batched (NumPy `matmul` semantics).
 *
 * @module
 */
import { dispatch, sizeOf } from "../engine.ts";
import { broadcastShapes, showShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { reshape } from "./movement.ts";
import { expand } from "./reduce.ts";

/**
 * Matrix product with NumPy semantics: `[..., M, K] @ [..., K, N]` with
 * broadcast batch axes; a 1-D operand is a row (left) or column (right) vector.
 *
 * @example
 * ```ts
 * import { matmul, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(matmul(a, tensor([[1], [1]])).arraySync(), [[3], [7]]);
 * assert.deepEqual(matmul(a, tensor([1, 0])).arraySync(), [1, 3]);
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(
      `matmul: operands must have at least 1 axis, got ${showShape(a.shape)} @ ${
        showShape(b.shape)
      }`,
    );
  }
  if (a.dtype !== b.dtype || a.dtype === "int32") {
    throw new Error(
      `matmul: needs two float tensors of one dtype, got ${a.dtype} ${showShape(a.shape)} and ` +
        `${b.dtype} ${showShape(b.shape)}`,
    );
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.size]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.size, 1]) : b;
  const [m, k] = a2.shape.slice(-2);
  const [k2, n] = b2.shape.slice(-2);
  if (k !== k2) {
    throw new Error(
      `matmul: inner sizes differ: ${showShape(a.shape)} @ ${showShape(b.shape)} ` +
        `(${k} vs ${k2}); the last axis of the left operand must equal the ` +
        `${b.ndim === 1 ? "length" : "second-to-last axis"} of the right one`,
    );
  }
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2), "matmul");
  const total = sizeOf(batch);
  const as3 = (t: Tensor, rows: number, cols: number) => {
    const own = sizeOf(t.shape.slice(0, -2));
    const full = own === total || own === 1 ? t : expand(t, [...batch, rows, cols]);
    return reshape(full, [own === 1 ? 1 : total, rows, cols]);
  };
  const out = dispatch(
    "matmul",
    [as3(a2, m, k), as3(b2, k, n)],
    { transA: false, transB: false },
    [total, m, n],
    a.dtype,
  );
  const shape = [...batch, m, n];
  if (a.ndim === 1) shape.splice(-2, 1);
  if (b.ndim === 1) shape.splice(-1, 1);
  return reshape(out, shape);
}
