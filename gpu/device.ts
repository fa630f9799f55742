/**
 * The WebGPU adapter and device, requested lazily (on first use of the
 * "webgpu" backend, never at import time) and once per process.
 *
 * Where no adapter exists, {@linkcode requestGpuDevice} rejects with a message
 * that says so and how to continue on the CPU; `setBackend("auto")` turns that
 * into a one-line notice (see `lib/backend.ts`). Software adapters (Mesa's
 * llvmpipe, SwiftShader) are recognised, so that "auto" can prefer the CPU
 * backend, which is faster than they are.
 *
 * @module
 */

/** The part of `navigator.gpu` this backend uses (injectable, to simulate a machine without a GPU). */
export interface GpuProvider {
  /** Resolves to an adapter, or null where there is none. */
  requestAdapter(options?: GPURequestAdapterOptions): Promise<GPUAdapter | null>;
}

/** The device limits the backend obeys. */
export interface GpuLimits {
  /** Largest storage binding in bytes: the largest tensor. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer in bytes. */
  maxBufferSize: number;
  /** Largest dispatch along one axis (kernels use 2-D grids above it). */
  maxComputeWorkgroupsPerDimension: number;
  /** Workgroup memory in bytes. */
  maxComputeWorkgroupStorageSize: number;
  /** Invocations per workgroup. */
  maxComputeInvocationsPerWorkgroup: number;
}

const LIMIT_NAMES = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
] as const;

/** The device plus what the backend needs to know about it. */
export interface GpuDevice {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The logical device. */
  readonly device: GPUDevice;
  /** The limits the backend obeys (the device's, lowered by `RequestGpuOptions.limits`). */
  readonly limits: Readonly<GpuLimits>;
  /** Human-readable adapter name, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly name: string;
  /** A software adapter (CPU emulation such as llvmpipe or SwiftShader), not a GPU. */
  readonly software: boolean;
  /** First uncaptured device error (validation, out of memory), reported at the next read. */
  error: Error | null;
}

/** Options of {@linkcode requestGpuDevice}. */
export interface RequestGpuOptions {
  /** Stand-in for `navigator.gpu` (tests use one whose `requestAdapter` resolves null). */
  gpu?: GpuProvider;
  /** Adapter preference (default "high-performance"). */
  powerPreference?: GPUPowerPreference;
  /**
   * Lower limits than the device's, to simulate a smaller GPU (tests check
   * that big tensors are refused and big dispatches split without
   * allocating gigabytes). Limits above the device's are ignored.
   */
  limits?: Partial<GpuLimits>;
}

let shared: Promise<GpuDevice> | null = null;

/**
 * The process-wide device, requested on the first call and reused after.
 * With `options.gpu` or `options.limits` the request opens a device of its own.
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
  if (options.gpu || options.limits) return openDevice(options);
  if (!shared) {
    shared = openDevice(options);
    // A failed request is not cached: a later call may succeed (e.g. after a driver install).
    shared.catch(() => shared = null);
  }
  return shared;
}

/**
 * Whether an adapter is a software rasterizer rather than a GPU: the
 * adapter says so (`isFallbackAdapter`), or its description names Mesa's
 * llvmpipe/lavapipe, SwiftShader, or a "software"/"basic render" device.
 *
 * @example
 * ```ts
 * import { isSoftwareAdapter } from "./device.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }), true);
 * assert.equal(isSoftwareAdapter({ description: "NVIDIA H100 80GB HBM3" }), false);
 * ```
 */
export function isSoftwareAdapter(
  info: { description?: string; device?: string; isFallbackAdapter?: boolean } | undefined,
): boolean {
  if (info?.isFallbackAdapter) return true;
  return /llvmpipe|lavapipe|swiftshader|software|basic render/i.test(
    `${info?.description ?? ""} ${info?.device ?? ""}`,
  );
}

async function openDevice(options: RequestGpuOptions): Promise<GpuDevice> {
  const gpu: GpuProvider | undefined = options.gpu ??
    (globalThis.navigator as { gpu?: GpuProvider } | undefined)?.gpu;
  if (!gpu) {
    throw new Error(
      "WebGPU is not available in this runtime (navigator.gpu is undefined); " +
        'use the "cpu" backend (setBackend("cpu"), --backend cpu), or "auto" to fall back to it',
    );
  }
  const adapter = await gpu.requestAdapter({
    powerPreference: options.powerPreference ?? "high-performance",
  });
  if (!adapter) {
    throw new Error(
      "No WebGPU adapter found: navigator.gpu.requestAdapter() returned null (no GPU, or no " +
        "Vulkan/Metal/D3D12 driver; on Linux, Mesa's llvmpipe provides a software one); use " +
        'the "cpu" backend (setBackend("cpu"), --backend cpu), or "auto" to fall back to it',
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
  const limits = {} as GpuLimits;
  for (const key of LIMIT_NAMES) {
    limits[key] = Math.min(device.limits[key], options.limits?.[key] ?? Infinity);
  }
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean } | undefined;
  const name = info?.description ||
    [info?.vendor, info?.architecture, info?.device].filter(Boolean).join(" ") ||
    "unknown adapter";
  const result: GpuDevice = {
    adapter,
    device,
    limits,
    name,
    software: isSoftwareAdapter(info) ||
      Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter),
    error: null,
  };
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
