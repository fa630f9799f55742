/**
 * The plain-JS reference kernels: one per primitive, on typed arrays. They
 * are the definition of every op; the fast backend (`fast_backend.ts`) uses
 * them for whatever it has no WebAssembly kernel for, and is tested against
 * them.
 *
 * @module
 */
import type { Kernels } from "../backend.ts";
import { binary, cast, expand, unary, where } from "./elementwise.ts";
import { argmax, reduce } from "./reduce.ts";
import { gather, pad, permute, scatterAdd, slice } from "./movement.ts";
import { matmulInto } from "./matmul.ts";
import { col2im, im2col } from "./window.ts";
import { optimStep } from "./optim_step.ts";
import { alloc } from "./elementwise.ts";

type Float = Float32Array | Float64Array;

/**
 * The reference kernel of every primitive.
 *
 * @example
 * ```ts
 * import { referenceKernels } from "./reference_kernels.ts";
 * import assert from "node:assert/strict";
 * const x = { storage: new Float32Array([-1, 2]), shape: [2], dtype: "float32" as const, size: 2 };
 * const y = referenceKernels.unary([x], { op: "relu" }, { shape: [2], dtype: "float32", size: 2 });
 * assert.deepEqual(y, new Float32Array([0, 2]));
 * ```
 */
export const referenceKernels: Kernels = {
  unary: ([x], { op }, out) => unary(x, op, out),
  binary: ([a, b], { op }, out) => binary(a, b, op, out),
  where: ([c, a, b], _, out) => where(c, a, b, out),
  reduce: ([x], { op, axes }, out) => reduce(x, op, axes, out),
  argmax: ([x], { axis }, out) => argmax(x, axis, out),
  cast: ([x], _, out) => cast(x, out),
  expand: ([x], _, out) => expand(x, out),
  permute: ([x], { perm }, out) => permute(x, perm, out),
  slice: ([x], { starts }, out) => slice(x, starts, out),
  pad: ([x], { before, value }, out) => pad(x, before, value, out),
  gather: ([x, idx], _, out) => gather(x, idx, out),
  scatterAdd: ([g, idx], _, out) => scatterAdd(g, idx, out),
  matmul: ([a, b], { transA, transB }, out) => {
    const [batch, m, n] = out.shape;
    const k = transA ? a.shape[1] : a.shape[2];
    const dst = alloc(out.dtype, out.size) as Float;
    matmulInto(a.storage as Float, b.storage as Float, dst, batch, m, k, n, {
      aBatchStride: a.shape[0] === 1 ? 0 : m * k,
      bBatchStride: b.shape[0] === 1 ? 0 : k * n,
      transA,
      transB,
    });
    return dst;
  },
  im2col: ([x], { geom }, out) => {
    const dst = alloc(out.dtype, out.size) as Float;
    im2col(x.storage as Float, geom, dst);
    return dst;
  },
  col2im: ([cols], { geom }, out) => {
    const dst = alloc(out.dtype, out.size) as Float;
    col2im(cols.storage as Float, geom, dst);
    return dst;
  },
  optimStep: (inputs, attrs, out) => optimStep(inputs, attrs, out),
};
