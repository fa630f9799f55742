/**
 * The backend interface and registry. A backend owns tensor storage and
 * implements every primitive of `op_set.ts`; `lib/` never imports a backend
 * other than the CPU reference: others (WebGPU) register themselves.
 *
 * @module
 */
import type { DType, Primitive, PrimitiveAttrs, Shape } from "./op_set.ts";

/** A typed array of one of the supported dtypes. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** What a kernel sees of an input tensor: its backend storage, shape and dtype. */
export interface TensorInfo {
  /** Opaque storage created by the same backend. */
  readonly storage: unknown;
  /** Shape (row-major, contiguous). */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
}

/** The output a kernel must produce: its shape and dtype (computed by the op). */
export interface OutSpec {
  /** Output shape. */
  readonly shape: Shape;
  /** Output dtype. */
  readonly dtype: DType;
  /** Number of output elements. */
  readonly size: number;
}

/** A kernel: computes one primitive and returns new storage for the output. */
export type Kernel<P extends Primitive> = (
  inputs: readonly TensorInfo[],
  attrs: PrimitiveAttrs[P],
  out: OutSpec,
) => unknown;

/** One kernel per primitive; a backend missing one does not type-check. */
export type Kernels = { readonly [P in Primitive]: Kernel<P> };

/**
 * A compute backend: storage management plus one kernel per primitive.
 *
 * @example Look up the CPU backend
 * ```ts
 * import { getBackend } from "./backend.ts";
 * import "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * assert.equal(getBackend("cpu").name, "cpu");
 * ```
 */
export interface Backend {
  /** Registry name, e.g. `"cpu"` or `"webgpu"`. */
  readonly name: string;
  /** Whether float64 tensors can live here (the CPU backend only). */
  readonly supportsFloat64: boolean;
  /** Copies host data into new storage. */
  upload(data: TypedArray, dtype: DType): unknown;
  /** Reads storage back to the host (asynchronous: GPUs read back asynchronously). */
  read(info: TensorInfo): Promise<TypedArray>;
  /** Synchronous read, only where the backend can do it (CPU). */
  readSync?(info: TensorInfo): TypedArray;
  /** Releases storage early; storage must not be used afterwards. */
  dispose(storage: unknown): void;
  /** The primitives. */
  readonly kernels: Kernels;
  /**
   * Why `setBackend("auto")` should choose the CPU although this backend
   * works (e.g. a software GPU adapter, slower than the CPU backend); unset
   * where "auto" may choose it. Selecting the backend by name still uses it.
   */
  readonly declineAuto?: string;
}

/** Makes a backend, on first use (never at import time). */
export type BackendFactory = () => Backend | Promise<Backend>;

const factories = new Map<string, BackendFactory>();
const ready = new Map<string, Backend>();
let current = "cpu";

/**
 * Registers a backend factory under a name. The factory runs on first use,
 * never at import time (so registering a GPU backend requests no adapter).
 *
 * @example
 * ```ts
 * import { registerBackend, listBackends } from "./backend.ts";
 * import { CpuBackend } from "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * registerBackend("cpu-copy", () => new CpuBackend());
 * assert.ok(listBackends().includes("cpu-copy"));
 * ```
 */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
  ready.delete(name);
}

/**
 * Names of all registered backends.
 *
 * @example
 * ```ts
 * import { listBackends } from "./backend.ts";
 * import "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * assert.ok(listBackends().includes("cpu"));
 * ```
 */
export function listBackends(): string[] {
  return [...factories.keys()];
}

/**
 * Initializes (once) and returns the backend called `name`, or throws naming
 * the registered backends. Use {@linkcode setBackend} to make it the default.
 *
 * @example
 * ```ts
 * import { initBackend } from "./backend.ts";
 * import "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * assert.equal((await initBackend("cpu")).name, "cpu");
 * ```
 */
export async function initBackend(name: string): Promise<Backend> {
  const existing = ready.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory) {
    throw new Error(
      `Unknown backend "${name}": registered backends are ${listBackends().join(", ")}. ` +
        `Import "gpu/mod.ts" (or the package's mod.ts) to register "webgpu".`,
    );
  }
  const backend = await factory();
  ready.set(name, backend);
  return backend;
}

/**
 * Makes `name` the backend new tensors are created on, initializing it if
 * needed. `"auto"` picks WebGPU when it initializes on a hardware adapter,
 * and otherwise uses the CPU with a one-line notice saying why (no adapter,
 * or a software one such as llvmpipe, which is slower than the CPU backend;
 * `setBackend("webgpu")` uses that anyway). Returns the backend now in use.
 *
 * @example
 * ```ts
 * import { setBackend, getBackend } from "./backend.ts";
 * import "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * await setBackend("cpu");
 * assert.equal(getBackend().name, "cpu");
 * ```
 */
export async function setBackend(name: string): Promise<Backend> {
  if (name === "auto") {
    if (factories.has("webgpu")) {
      let why: string;
      try {
        const gpu = await initBackend("webgpu");
        if (!gpu.declineAuto) {
          current = "webgpu";
          return gpu;
        }
        why = `${gpu.declineAuto}; setBackend("webgpu") uses it anyway`;
      } catch (err) {
        why = `WebGPU is unavailable: ${(err as Error).message}`;
      }
      // A notice, not an error: normal output (stderr shows as a red box in Jupyter).
      console.log(`neuronbook: "auto" chose the CPU backend (${why}).`);
    }
    name = "cpu";
  }
  const backend = await initBackend(name);
  current = name;
  return backend;
}

/**
 * The backend called `name` (default: the current one). It must already be
 * initialized: the CPU backend always is; others need `await setBackend(...)`
 * or `await initBackend(...)` first.
 *
 * @example
 * ```ts
 * import { getBackend } from "./backend.ts";
 * import "./cpu/cpu_backend.ts";
 * import assert from "node:assert/strict";
 * assert.equal(getBackend().supportsFloat64, true);
 * ```
 */
export function getBackend(name: string = current): Backend {
  const backend = ready.get(name);
  if (backend) return backend;
  const factory = factories.get(name);
  if (factory && name === "cpu") {
    const made = factory();
    if (!(made instanceof Promise)) {
      ready.set(name, made);
      return made;
    }
  }
  throw new Error(
    factory
      ? `Backend "${name}" is not initialized yet: call \`await setBackend("${name}")\` first.`
      : `Unknown backend "${name}": registered backends are ${listBackends().join(", ")}.`,
  );
}
