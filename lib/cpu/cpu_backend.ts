/**
 * The CPU backends, registered when this module is imported:
 *
 * - `"cpu"`: the fast backend (`fast_backend.ts`): WebAssembly SIMD kernels
 *   on every core for float32, the reference kernels for the rest;
 * - `"cpu-reference"`: {@linkcode CpuBackend}, plain typed arrays and the
 *   plain-JS reference kernels for every primitive (the definition the fast
 *   kernels are tested against). `setBackend("cpu-reference")` selects it.
 *
 * With the environment variable `NEURONBOOK_CPU=reference` (and
 * `--allow-env`), `"cpu"` itself runs the reference kernels: how the whole
 * test suite runs on them.
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
import { referenceKernels } from "./reference_kernels.ts";
import { FastCpuBackend } from "./fast_backend.ts";
import { alloc } from "./elementwise.ts";

/**
 * The plain-JS reference CPU backend. Storage is a typed array; reads can be
 * synchronous.
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
  readonly name: string;
  readonly supportsFloat64 = true;
  readonly kernels: Kernels = referenceKernels;

  /** A reference backend registered as `name` (default `"cpu-reference"`). */
  constructor(name = "cpu-reference") {
    this.name = name;
  }

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

/** Whether `NEURONBOOK_CPU=reference` asks for the reference kernels under the name "cpu". */
function referenceRequested(): boolean {
  const query = { name: "env", variable: "NEURONBOOK_CPU" } as const;
  return Deno.permissions.querySync(query).state === "granted" &&
    Deno.env.get("NEURONBOOK_CPU") === "reference";
}

registerBackend("cpu", () => referenceRequested() ? new CpuBackend("cpu") : new FastCpuBackend());
registerBackend("cpu-reference", () => new CpuBackend());
