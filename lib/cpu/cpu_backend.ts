/**
 * The CPU backend: typed arrays, the exact reference for every primitive.
 * It registers itself as "cpu" when imported.
 *
 * @module
 */
import {
  type Backend,
  type Kernels,
  registerBackend,
  type TensorInfo,
  type TypedArray,
} from "../backend.ts";
import type { DType } from "../op_set.ts";
import { binary, cast, expand, unary, where } from "./elementwise.ts";
import { argmax, reduce } from "./reduce.ts";
import { gather, pad, permute, scatterAdd, slice } from "./movement.ts";
import { matmulInto } from "./matmul.ts";
import { col2im, im2col } from "./window.ts";
import { alloc } from "./elementwise.ts";

type Float = Float32Array | Float64Array;

const kernels: Kernels = {
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
};

/**
 * The CPU backend. Storage is a typed array; reads can be synchronous.
 *
 * @example
 * ```ts
 * import { CpuBackend } from "./cpu_backend.ts";
 * import assert from "node:assert/strict";
 * const cpu = new CpuBackend();
 * const s = cpu.upload(new Float32Array([1, 2]), "float32");
 * assert.deepEqual(cpu.readSync({ storage: s, shape: [2], dtype: "float32", size: 2 }), new Float32Array([1, 2]));
 * ```
 */
export class CpuBackend implements Backend {
  readonly name = "cpu";
  readonly supportsFloat64 = true;
  readonly kernels: Kernels = kernels;

  /** Stores a copy of `data` (callers may reuse their array). */
  upload(data: TypedArray, dtype: DType): TypedArray {
    const copy = alloc(dtype, data.length);
    copy.set(data);
    return copy;
  }

  /** A copy of the values. */
  read(info: TensorInfo): Promise<TypedArray> {
    return Promise.resolve(this.readSync(info));
  }

  /** A copy of the values, synchronously. */
  readSync(info: TensorInfo): TypedArray {
    return (info.storage as TypedArray).slice();
  }

  /** Nothing to free: the garbage collector reclaims typed arrays. */
  dispose(_storage: unknown): void {}
}

registerBackend("cpu", () => new CpuBackend());
