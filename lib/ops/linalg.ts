/**
 * Matrix multiplication: 1-D, 2-D and batched (NumPy `matmul` semantics),
 * optionally with either operand's last two axes transposed.
 *
 * @module
 */
import { dispatch } from "../engine.ts";
import { broadcastShapes, showShape, sizeOf } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { expand, reshape } from "./movement.ts";

/** Options of {@linkcode matmul}. */
export interface MatmulOptions {
  /** Use the left operand with its last two axes swapped (no copy is made). */
  transA?: boolean;
  /** Use the right operand with its last two axes swapped (no copy is made). */
  transB?: boolean;
}

/**
 * Matrix product with NumPy semantics: `[..., M, K] @ [..., K, N]` with
 * broadcast batch axes; a 1-D operand is a row (left) or column (right)
 * vector. `transA` / `transB` multiply by an operand's transpose (its last
 * two axes swapped) without copying it: how `linear` and the gradient rules
 * use it.
 *
 * @example
 * ```ts
 * import { matmul, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(matmul(a, tensor([[1], [1]])).arraySync(), [[3], [7]]);
 * assert.deepEqual(matmul(a, tensor([1, 0])).arraySync(), [1, 3]);
 * assert.deepEqual(matmul(a, a, { transA: true }).arraySync(), [[10, 14], [14, 20]]);
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const { transA = false, transB = false } = options;
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
  if ((transA && a.ndim === 1) || (transB && b.ndim === 1)) {
    throw new Error("matmul: transA/transB need operands with at least 2 axes");
  }
  const a2 = a.ndim === 1 ? reshape(a, [1, a.size]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.size, 1]) : b;
  const [ar, ac] = a2.shape.slice(-2), [br, bc] = b2.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) {
    throw new Error(
      `matmul: inner sizes differ: ${showShape(a.shape)} @ ${showShape(b.shape)}` +
        `${transA || transB ? ` (transA ${transA}, transB ${transB})` : ""} ` +
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
    [as3(a2, ar, ac), as3(b2, br, bc)],
    { transA, transB },
    [total, m, n],
    a.dtype,
  );
  const shape = [...batch, m, n];
  if (a.ndim === 1) shape.splice(-2, 1);
  if (b.ndim === 1) shape.splice(-1, 1);
  return reshape(out, shape);
}
