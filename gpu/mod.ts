/**
 * The WebGPU backend. Importing this module (the package's `mod.ts` does)
 * registers "webgpu" with the core; the adapter is requested on first use,
 * never at import time.
 *
 * Switching is one line: `await setBackend("webgpu")` puts new tensors (and
 * models built afterwards) on the GPU; any adapter is used, software ones
 * included. `await setBackend("auto")` chooses WebGPU only on a hardware
 * adapter: with none, or with a software one (Mesa's llvmpipe, SwiftShader:
 * CPU emulations of a GPU, slower than the CPU backend), it uses the CPU
 * backend and prints one line saying why.
 *
 * Values stay on the GPU: nothing is read back until asked for
 * (`await t.data()`, `await t.item()`), and `fit` reads its loss only every
 * `logEvery` steps. `gpu.counters()` counts submits, readbacks and pipeline
 * compilations; `gpu.memory()` the live and pooled buffers. `t.dispose()` and
 * `scope(fn, keep)` (from the package's `mod.ts`; `fit` runs every step in
 * one) return buffers to the pool at once; a FinalizationRegistry catches
 * tensors that were simply dropped, whenever the garbage collector runs.
 *
 * Limits: a tensor above the device's `maxStorageBufferBindingSize` is
 * refused with an error naming the limit (`gpu.info()` shows it: 128 MiB on
 * llvmpipe, usually 2-4 GiB on GPUs); dispatches above
 * `maxComputeWorkgroupsPerDimension` use a 2-D grid.
 *
 * Where to find an op's WGSL: `kernels/elementwise.ts` (unary, binary,
 * where, cast), `kernels/reduce.ts` (sum/max/min, argmax),
 * `kernels/movement.ts` (expand, permute, slice, pad, gather, scatterAdd),
 * `kernels/matmul.ts`, `kernels/window.ts` (im2col, col2im).
 *
 * @example Compute on the GPU, then look at the counters
 * ```ts ignore
 * import { gpu, setBackend, tensor } from "../mod.ts";
 * await setBackend("webgpu");
 * console.log(gpu.info().name); // e.g. "NVIDIA GeForce RTX 3060" or "llvmpipe (LLVM 15.0.6, 256 bits)"
 * const y = tensor([1, 2, 3]).mul(2).sum();
 * console.log(await y.item(), gpu.counters().readbacks); // 12, 1
 * ```
 *
 * @module
 */
import { getBackend, listBackends, registerBackend } from "../lib/backend.ts";
import type { MemoryStats } from "./buffer_pool.ts";
import type { Counters } from "./program.ts";
import {
  createWebGpuBackend,
  type GpuInfo,
  WebGpuBackend,
  type WebGpuBackendOptions,
} from "./backend.ts";

export { createWebGpuBackend, type GpuInfo, WebGpuBackend } from "./backend.ts";
export { runKernel, type RunKernelOptions } from "./run_kernel.ts";
export type { WebGpuBackendOptions } from "./backend.ts";
export type { MemoryStats } from "./buffer_pool.ts";
export type { Counters } from "./program.ts";
export type { GpuLimits, GpuProvider, RequestGpuOptions } from "./device.ts";

/**
 * (Re)registers the "webgpu" backend with `options`: a stand-in for
 * `navigator.gpu` (to simulate a machine without an adapter), lower limits
 * (to simulate a small GPU), an adapter preference or a batch size. Importing
 * this module registers it with none. Tensors already on a previous "webgpu"
 * backend stay there; the next `setBackend("webgpu")` opens the new one.
 *
 * @example Simulate a machine without a GPU
 * ```ts
 * import { registerWebGpu } from "./mod.ts";
 * import { setBackend } from "../mod.ts";
 * import assert from "node:assert/strict";
 * registerWebGpu({ gpu: { requestAdapter: () => Promise.resolve(null) } });
 * await assert.rejects(setBackend("webgpu"), /No WebGPU adapter found/);
 * registerWebGpu(); // back to navigator.gpu
 * ```
 */
export function registerWebGpu(options: WebGpuBackendOptions = {}): void {
  registerBackend("webgpu", () => createWebGpuBackend(options));
}

registerWebGpu();

/** The initialized WebGPU backend, or null before `setBackend("webgpu")`/`initBackend("webgpu")`. */
function active(): WebGpuBackend | null {
  if (!listBackends().includes("webgpu")) return null;
  try {
    const b = getBackend("webgpu");
    return b instanceof WebGpuBackend ? b : null;
  } catch {
    return null;
  }
}

function required(what: string): WebGpuBackend {
  const b = active();
  if (!b) {
    throw new Error(
      `gpu.${what}(): the WebGPU backend is not initialized; call ` +
        `\`await setBackend("webgpu")\` (or initBackend("webgpu")) first`,
    );
  }
  return b;
}

/** The functions of {@linkcode gpu}. */
export interface GpuNamespace {
  /** Adapter name, whether it is a software one, and the key limits. */
  info(): GpuInfo;
  /** Live (held by tensors) and pooled buffers and bytes. */
  memory(): MemoryStats;
  /** Submits, readbacks, pipeline compilations, dispatches and uploads since the last reset. */
  counters(): Counters;
  /** Zeroes the counters. */
  resetCounters(): void;
  /** Submits recorded work now (reads do this on their own). */
  flush(): void;
  /** Resolves when the GPU has finished all recorded work (for timing). */
  sync(): Promise<void>;
  /** Destroys the pool's free buffers (memory held for reuse). */
  trim(): void;
}

/**
 * Introspection of the WebGPU backend: adapter, memory, counters, and
 * explicit flush/sync for timing. `info`, `memory`, `counters` and
 * `resetCounters` need the backend initialized (`await setBackend("webgpu")`).
 *
 * @example Counters around a training step
 * ```ts ignore
 * import { gpu, scope, setBackend, randn } from "../mod.ts";
 * await setBackend("webgpu");
 * gpu.resetCounters();
 * const loss = scope(() => randn([64, 10]).relu().sum());
 * console.log(gpu.counters().readbacks); // 0: nothing was read yet
 * console.log(await loss.item(), gpu.memory().liveBytes);
 * ```
 */
export const gpu: GpuNamespace = {
  info() {
    return required("info").info();
  },
  memory() {
    return required("memory").memory();
  },
  counters() {
    return required("counters").counters();
  },
  resetCounters() {
    required("resetCounters").resetCounters();
  },
  flush() {
    active()?.flush();
  },
  async sync() {
    await active()?.sync();
  },
  trim() {
    const b = active();
    if (!b) return;
    b.flush();
    b.pool.trim();
  },
};
