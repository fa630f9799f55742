/**
 * The WebGPU adapter and device, requested lazily (on first use of the
 * "webgpu" backend, never at import time) and once per process.
 *
 * Where no adapter exists, {@linkcode requestGpuDevice} rejects with a message
 * that says so and how to continue on the CPU; `setBackend("auto")` turns that
 * into a one-line notice (see `lib/backend.ts`).
 *
 * @module
 */

/** The part of `navigator.gpu` this backend uses (injectable, to simulate a machine without a GPU). */
export interface GpuProvider {
  /** Resolves to an adapter, or null where there is none. */
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/** The device plus what the backend needs to know about it. */
export interface GpuDevice {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The logical device. */
  readonly device: GPUDevice;
  /** The limits the device was created with (the adapter's maxima for buffer sizes). */
  readonly limits: GPUSupportedLimits;
  /** Human-readable adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly name: string;
  /** First uncaptured device error (validation, out of memory), reported at the next read. */
  error: Error | null;
}

/** Options of {@linkcode requestGpuDevice}. */
export interface RequestGpuOptions {
  /** Stand-in for `navigator.gpu` (tests use one whose `requestAdapter` resolves null). */
  gpu?: GpuProvider;
  /** Adapter preference (default "high-performance"). */
  powerPreference?: GPUPowerPreference;
}

let shared: Promise<GpuDevice> | null = null;

/**
 * The process-wide device, requested on the first call and reused after.
 * With `options.gpu` (a test double) the request bypasses the shared device.
 *
 * @example A provider without adapters gives the clear error
 * ```ts
 * import { requestGpuDevice } from "./device.ts";
 * import assert from "node:assert/strict";
 * const gpu = { requestAdapter: () => Promise.resolve(null) };
 * await assert.rejects(requestGpuDevice({ gpu }), /No WebGPU adapter found/);
 * ```
 */
export function requestGpuDevice(options: RequestGpuOptions = {}): Promise<GpuDevice> {
  if (options.gpu) return openDevice(options.gpu, options.powerPreference);
  if (!shared) {
    shared = openDevice(undefined, options.powerPreference);
    // A failed request is not cached: a later call may succeed (e.g. after a driver install).
    shared.catch(() => shared = null);
  }
  return shared;
}

async function openDevice(
  provider: GpuProvider | undefined,
  powerPreference: GPUPowerPreference = "high-performance",
): Promise<GpuDevice> {
  const gpu: GpuProvider | undefined = provider ??
    (globalThis.navigator as { gpu?: GpuProvider } | undefined)?.gpu;
  if (!gpu) {
    throw new Error(
      "WebGPU is not available in this runtime (navigator.gpu is undefined); " +
        'use --backend cpu (or setBackend("cpu")), or "auto" to fall back to the CPU',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (!adapter) {
    throw new Error(
      "No WebGPU adapter found: navigator.gpu.requestAdapter() returned null (no GPU, or no " +
        "driver such as Vulkan/Metal/D3D12 or Mesa's llvmpipe); use --backend cpu " +
        '(or setBackend("cpu")), or "auto" to fall back to the CPU',
    );
  }
  // Ask for the adapter's maxima where the defaults would cap tensor sizes
  // (the default maxStorageBufferBindingSize is 128 MiB).
  const want: Record<string, number> = {};
  for (
    const key of [
      "maxBufferSize",
      "maxStorageBufferBindingSize",
      "maxComputeWorkgroupStorageSize",
      "maxStorageBuffersPerShaderStage",
    ] as const
  ) {
    want[key] = adapter.limits[key];
  }
  const device = await adapter.requestDevice({ requiredLimits: want });
  const info = adapter.info;
  const name = info?.description ||
    [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(" ") ||
    "unknown adapter";
  const result: GpuDevice = { adapter, device, limits: device.limits, name, error: null };
  device.addEventListener("uncapturederror", (event) => {
    const err = (event as GPUUncapturedErrorEvent).error;
    result.error ??= new Error(`WebGPU error on ${name}: ${err.message}`);
  });
  device.lost.then((lost) => {
    if (lost.reason !== "destroyed") {
      result.error ??= new Error(`WebGPU device lost on ${name}: ${lost.message}`);
    }
  });
  return result;
}
