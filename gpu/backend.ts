/**
 * The WebGPU backend: storage is a pooled GPU buffer, every primitive is a
 * WGSL kernel (see `kernels/`), work is batched into few command buffers and
 * nothing is read back unless a value is asked for.
 *
 * Memory: `dispose()` (or the end of the `scope()` that created a tensor)
 * returns a buffer to the pool at once; a FinalizationRegistry returns the
 * buffers of tensors that were simply dropped, whenever the garbage collector
 * notices (the safety net, not the plan).
 *
 * @module
 */
import type { Backend, Kernels, TensorInfo, TypedArray } from "../lib/backend.ts";
import type { DType } from "../lib/op_set.ts";
import { BufferPool, type MemoryStats } from "./buffer_pool.ts";
import {
  type GpuDevice,
  type GpuLimits,
  requestGpuDevice,
  type RequestGpuOptions,
} from "./device.ts";
import { type Counters, Recorder, zeroCounters } from "./program.ts";
import { bitsOf, type GpuStorage, type KernelContext } from "./kernels/_common.ts";
import { binary, cast, unary, where } from "./kernels/elementwise.ts";
import { argmax, reduce } from "./kernels/reduce.ts";
import { expand, gather, pad, permute, scatterAdd, slice } from "./kernels/movement.ts";
import { matmul } from "./kernels/matmul.ts";
import { col2im, im2col } from "./kernels/window.ts";
import { optimStep } from "./kernels/optim_step.ts";

/** The adapter and the limits that bound what the backend can do. */
export interface GpuInfo extends GpuLimits {
  /** The adapter's description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)" or "NVIDIA H100". */
  name: string;
  /** Vendor string as the adapter reports it (may be a PCI id or empty). */
  vendor: string;
  /** Architecture string (may be empty). */
  architecture: string;
  /** A software adapter (llvmpipe, SwiftShader): "auto" prefers the CPU backend over it. */
  software: boolean;
}

/** Options of {@linkcode createWebGpuBackend}. */
export interface WebGpuBackendOptions extends RequestGpuOptions {
  /** Dispatches per command buffer before an automatic submit (default 256). */
  batchSize?: number;
}

/**
 * Requests the device (once per process) and builds the backend; rejects
 * with a clear message where no adapter exists. `registerWebGpu` (in
 * `mod.ts`) registers it as "webgpu".
 *
 * @example Where there is no adapter
 * ```ts
 * import { createWebGpuBackend } from "./backend.ts";
 * import assert from "node:assert/strict";
 * const gpu = { requestAdapter: () => Promise.resolve(null) };
 * await assert.rejects(createWebGpuBackend({ gpu }), /No WebGPU adapter found/);
 * ```
 */
export async function createWebGpuBackend(
  options: WebGpuBackendOptions = {},
): Promise<WebGpuBackend> {
  return new WebGpuBackend(await requestGpuDevice(options), options.batchSize);
}

/**
 * The WebGPU implementation of the core's `Backend` interface.
 *
 * @example Open one directly (usually `setBackend("webgpu")` does)
 * ```ts ignore
 * import { createWebGpuBackend } from "./backend.ts";
 * const backend = await createWebGpuBackend();
 * console.log(backend.info().name, backend.memory().liveBytes);
 * ```
 */
export class WebGpuBackend implements Backend {
  readonly name = "webgpu";
  readonly supportsFloat64 = false;
  readonly kernels: Kernels;
  /** Set on a software adapter: "auto" then prefers the CPU backend. */
  readonly declineAuto?: string;
  /** The device and adapter. */
  readonly gpu: GpuDevice;
  /** The buffer pool. */
  readonly pool: BufferPool;
  /** The command recorder and pipeline cache. */
  readonly rec: Recorder;
  readonly #maxBinding: number;
  // Safety net: a storage dropped without dispose() returns its buffer when collected.
  readonly #finalizer = new FinalizationRegistry<GPUBuffer>((buffer) => this.pool.release(buffer));

  /** A backend on an opened device (use {@linkcode createWebGpuBackend}). */
  constructor(gpu: GpuDevice, batchSize?: number) {
    this.gpu = gpu;
    if (gpu.software) {
      this.declineAuto = `the WebGPU adapter "${gpu.name}" is a software one, slower than ` +
        `the CPU backend`;
    }
    this.#maxBinding = Math.min(
      gpu.limits.maxStorageBufferBindingSize,
      gpu.limits.maxBufferSize,
    );
    this.pool = new BufferPool(gpu.device, this.#maxBinding);
    this.rec = new Recorder(gpu, this.pool, batchSize);
    const ctx: KernelContext = {
      rec: this.rec,
      maxGroups: gpu.limits.maxComputeWorkgroupsPerDimension,
      output: (dtype, size) => this.#allocate(dtype, size, false),
      release: (storage) => this.#release(storage),
      buffer: (info) => this.#bufferOf(info),
      hostBits: (info) => {
        const s = this.#storage(info);
        return s.host && s.size === 1 ? bitsOf(s.host[0], s.dtype) : null;
      },
    };
    this.kernels = {
      unary: ([x], { op }, out) => unary(ctx, x, op, out),
      binary: ([a, b], { op }, out) => binary(ctx, a, b, op, out),
      where: ([c, a, b], _, out) => where(ctx, c, a, b, out),
      reduce: ([x], { op, axes }, out) => reduce(ctx, x, op, axes, out),
      argmax: ([x], { axis }, out) => argmax(ctx, x, axis, out),
      cast: ([x], _, out) => cast(ctx, x, out),
      expand: ([x], _, out) => expand(ctx, x, out),
      permute: ([x], { perm }, out) => permute(ctx, x, perm, out),
      slice: ([x], { starts }, out) => slice(ctx, x, starts, out),
      pad: ([x], { before, value }, out) => pad(ctx, x, before, value, out),
      gather: ([x, idx], _, out) => gather(ctx, x, idx, out),
      scatterAdd: ([g, idx], _, out) => scatterAdd(ctx, g, idx, out),
      matmul: ([a, b], { transA, transB }, out) => matmul(ctx, a, b, transA, transB, out),
      im2col: ([x], { geom }, out) => im2col(ctx, x, geom, out),
      col2im: ([cols], { geom }, out) => col2im(ctx, cols, geom, out),
      optimStep: (inputs, attrs, out) => optimStep(ctx, inputs, attrs, out),
    };
  }

  /**
   * Copies host data to the GPU. One-element data (the scalars that
   * `x.mul(2)` creates) stays on the host until a kernel needs a buffer:
   * most kernels take it as a constant, so it costs no GPU write at all.
   */
  upload(data: TypedArray, dtype: DType): GpuStorage {
    if (dtype === "float64") {
      throw new Error(
        `float64 is not supported on the "webgpu" backend (float32 and int32 are); ` +
          `use the "cpu" backend for float64`,
      );
    }
    const values = dtype === "int32"
      ? (data instanceof Int32Array ? data : Int32Array.from(data))
      : (data instanceof Float32Array ? data : Float32Array.from(data));
    if (values.length <= 1) {
      const s: GpuStorage = {
        buffer: null,
        host: values.slice(),
        dtype,
        size: values.length,
        released: false,
      };
      return s;
    }
    const s = this.#allocate(dtype, values.length, true);
    this.rec.upload(s.buffer!, values);
    return s;
  }

  /** Reads values back (a readback: waits for the GPU). Host-held scalars need none. */
  async read(info: TensorInfo): Promise<TypedArray> {
    const s = this.#storage(info);
    if (s.host) return s.host.slice();
    const bytes = s.size * 4;
    const raw = await this.rec.read(s.buffer!, bytes);
    return s.dtype === "int32" ? new Int32Array(raw) : new Float32Array(raw);
  }

  /** Returns the buffer to the pool now (a second call is a no-op). */
  dispose(storage: unknown): void {
    this.#release(storage as GpuStorage);
  }

  /** Submits every recorded dispatch now (reads and full batches do this on their own). */
  flush(): void {
    this.rec.flush();
  }

  /** Resolves when all work recorded so far has finished on the GPU (for timing). */
  sync(): Promise<void> {
    return this.rec.sync();
  }

  /** Buffers and bytes held by tensors and by the pool. */
  memory(): MemoryStats {
    return this.pool.stats();
  }

  /** What the backend counted since the last reset. */
  counters(): Counters {
    return { ...this.rec.counters };
  }

  /** Zeroes the counters (pipelines stay compiled). */
  resetCounters(): void {
    Object.assign(this.rec.counters, zeroCounters());
  }

  /** Adapter name and key limits. */
  info(): GpuInfo {
    const info = this.gpu.adapter.info;
    return {
      name: this.gpu.name,
      vendor: info?.vendor ?? "",
      architecture: info?.architecture ?? "",
      software: this.gpu.software,
      ...this.gpu.limits,
    };
  }

  /**
   * New storage of `size` elements whose contents are undefined until a
   * kernel writes them (for hand-written kernels: `runKernel`).
   */
  allocate(dtype: DType, size: number): unknown {
    return this.#allocate(dtype, size, false);
  }

  /** The buffer of a tensor on this backend (a host-held scalar is uploaded first). */
  bufferOf(info: TensorInfo): GPUBuffer {
    return this.#bufferOf(info);
  }

  #allocate(dtype: DType, size: number, forUpload: boolean): GpuStorage {
    const bytes = size * 4;
    if (bytes > this.#maxBinding) {
      throw new RangeError(
        `webgpu: a ${dtype} tensor of ${size} elements needs ${bytes} bytes, above this ` +
          `device's maxStorageBufferBindingSize (${this.#maxBinding} bytes); ` +
          `use smaller batches or the "cpu" backend`,
      );
    }
    const s: GpuStorage = {
      buffer: size ? this.pool.acquire(bytes, forUpload) : null,
      host: size ? null : new Float32Array(0),
      dtype,
      size,
      released: false,
    };
    if (s.buffer) this.#finalizer.register(s, s.buffer, s);
    return s;
  }

  #storage(info: TensorInfo): GpuStorage {
    const s = info.storage as GpuStorage;
    if (!s || typeof s !== "object" || !("released" in s)) {
      throw new Error("webgpu: got storage from another backend; move the tensor with .to()");
    }
    if (s.released) {
      throw new Error(
        `webgpu: this tensor's buffer (shape [${info.shape}]) was already released; keep ` +
          `the tensor (return it from its scope(), or list it in keep) to use it afterwards`,
      );
    }
    return s;
  }

  #bufferOf(info: TensorInfo): GPUBuffer {
    const s = this.#storage(info);
    if (s.buffer) return s.buffer;
    if (s.size === 0) return this.rec.dummy;
    // A host-held scalar that a kernel needs as a buffer: upload it now, once.
    s.buffer = this.pool.acquire(4, true);
    this.rec.upload(s.buffer, s.host!);
    this.#finalizer.register(s, s.buffer, s);
    return s.buffer;
  }

  #release(s: GpuStorage): void {
    if (s.released) return;
    s.released = true;
    if (s.buffer) {
      this.#finalizer.unregister(s);
      this.pool.release(s.buffer);
      s.buffer = null;
    }
    s.host = null;
  }
}
