/**
 * The WebGPU backend. Importing this module registers "webgpu" with the
 * core (the adapter is requested on first use, not here); switch with one
 * line, `await setBackend("webgpu")` (or `"auto"`: WebGPU where an adapter
 * exists, else the CPU with a one-line notice).
 *
 * Where to find an op's WGSL: `kernels/elementwise.ts` (unary, binary,
 * where, cast), `kernels/reduce.ts` (sum/max/min, argmax),
 * `kernels/movement.ts` (expand, permute, slice, pad, gather, scatterAdd),
 * `kernels/matmul.ts`, `kernels/window.ts` (im2col, col2im).
 *
 * @example Train a step on the GPU, then look at the counters
 * ```ts ignore
 * import { setBackend, tensor } from "../mod.ts";
 * import { gpu } from "./mod.ts";
 * await setBackend("webgpu");
 * console.log(gpu.info().name);
 * const y = tensor([1, 2, 3]).mul(2).sum();
 * console.log(await y.item(), gpu.counters().readbacks); // 12, 1
 * ```
 *
 * @module
 */
import { getBackend, listBackends, registerBackend } from "../lib/backend.ts";
import type { MemoryStats } from "./buffer_pool.ts";
import type { Counters } from "./program.ts";
import { createWebGpuBackend, type GpuInfo, type Keep, WebGpuBackend } from "./backend.ts";

export { createWebGpuBackend, type GpuInfo, type Keep, WebGpuBackend } from "./backend.ts";
export type { WebGpuBackendOptions } from "./backend.ts";
export type { MemoryStats } from "./buffer_pool.ts";
export type { Counters } from "./program.ts";
export type { GpuProvider } from "./device.ts";

registerBackend("webgpu", () => createWebGpuBackend());

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

/**
 * Introspection and memory helpers of the WebGPU backend.
 *
 * @example Counters around a computation
 * ```ts ignore
 * import { setBackend, randn } from "../mod.ts";
 * import { gpu } from "./mod.ts";
 * await setBackend("webgpu");
 * gpu.resetCounters();
 * const loss = gpu.scope(() => randn([64, 10]).relu().sum());
 * console.log(gpu.counters().readbacks); // 0: nothing was read yet
 * console.log(await loss.item(), gpu.memory().liveBytes);
 * ```
 */
export const gpu = {
  /** Adapter name and key limits (the backend must be initialized). */
  info(): GpuInfo {
    return required("info").info();
  },
  /** Live (held by tensors) and pooled buffers and bytes. */
  memory(): MemoryStats {
    return required("memory").memory();
  },
  /** Submits, readbacks, pipeline compilations, dispatches and uploads since the last reset. */
  counters(): Counters {
    return required("counters").counters();
  },
  /** Zeroes the counters. */
  resetCounters(): void {
    required("resetCounters").resetCounters();
  },
  /**
   * Runs `fn`, then releases the GPU buffers of every tensor created inside
   * except the returned ones (a tensor or an array of tensors) and `keep`:
   * tensors, modules and optimizers, read when the scope ends (so a training
   * step keeps the parameters `assign` updated and the optimizer state its
   * first step created). Outside WebGPU it just runs `fn`.
   *
   * ```ts ignore
   * const loss = gpu.scope(() => {
   *   const loss = crossEntropy(model.forward(x), y);
   *   optimizer.zeroGrad(); loss.backward(); optimizer.step();
   *   return loss;
   * }, [model, optimizer]);
   * ```
   */
  scope<T>(fn: () => T, keep: Iterable<Keep> = []): T {
    const b = active();
    return b ? b.scope(fn, keep) : fn();
  },
  /** Submits recorded work now (reads do this on their own). */
  flush(): void {
    active()?.flush();
  },
  /** Resolves when the GPU has finished all recorded work (for timing). */
  async sync(): Promise<void> {
    await active()?.sync();
  },
  /** Destroys the pool's free buffers (memory held for reuse). */
  trim(): void {
    const b = active();
    if (!b) return;
    b.flush();
    b.pool.trim();
  },
};
