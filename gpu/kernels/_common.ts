/**
 * What every kernel shares: the context a kernel gets from the backend, the
 * WGSL header (uniform block access, 2-D dispatch index) and shape helpers.
 *
 * @module
 */
import type { TensorInfo } from "../../lib/backend.ts";
import type { DType } from "../../lib/op_set.ts";
import { PARAM_WORDS, type Recorder } from "../program.ts";

/** A tensor's storage on the GPU. */
export interface GpuStorage {
  /** The buffer, or null while the values live on the host (scalars) or the tensor is empty. */
  buffer: GPUBuffer | null;
  /** Host copy of a one-element upload: kernels pass it as a constant instead of binding a buffer. */
  host: Float32Array | Int32Array | null;
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Set once the buffer went back to the pool (by `dispose`, a scope, or the finalizer). */
  released: boolean;
}

/** What a kernel needs from the backend. */
export interface KernelContext {
  /** Records dispatches and owns the pipeline cache. */
  readonly rec: Recorder;
  /** New output storage of `size` elements (its buffer comes from the pool). */
  output(dtype: DType, size: number): GpuStorage;
  /** Returns scratch storage from {@linkcode KernelContext.output} to the pool once encoded work used it. */
  release(storage: GpuStorage): void;
  /** The buffer of an input (uploading a host scalar if needed). */
  buffer(info: TensorInfo): GPUBuffer;
  /** The host value of a one-element input kept on the host, else null (as raw 32 bits). */
  hostBits(info: TensorInfo): number | null;
  /** The device's maxComputeWorkgroupsPerDimension. */
  readonly maxGroups: number;
}

/**
 * WGSL shared by all kernels: the uniform block (64 words read with `p(i)`,
 * floats with `pf(i)`) and IEEE specials built at run time (a constant
 * expression that overflows is a compile error in WGSL).
 */
export const HEADER = /* wgsl */ `
struct Params { w: array<vec4<u32>, ${PARAM_WORDS / 4}> }
@group(0) @binding(0) var<uniform> P: Params;
fn p(i: u32) -> u32 { return P.w[i >> 2u][i & 3u]; }
fn pf(i: u32) -> f32 { return bitcast<f32>(p(i)); }
fn nan() -> f32 { return bitcast<f32>(0x7fc00000u); }
fn inf() -> f32 { return bitcast<f32>(0x7f800000u); }
`;

/** Invocations per workgroup of the one-thread-per-element kernels. */
export const WG = 64;

/**
 * The workgroup grid for `groups` workgroups: 1-D when it fits
 * maxComputeWorkgroupsPerDimension, else 2-D (shaders rebuild the linear
 * index as `gid.x + gid.y * nwg.x * WG` and skip the overhang).
 */
export function grid(groups: number, maxPerDim: number): [number, number] {
  if (groups <= maxPerDim) return [groups, 1];
  const y = Math.ceil(groups / maxPerDim);
  if (y > maxPerDim) {
    throw new RangeError(
      `webgpu: ${groups} workgroups exceed maxComputeWorkgroupsPerDimension² ` +
        `(${maxPerDim}²); use smaller tensors`,
    );
  }
  return [Math.ceil(groups / y), y];
}

/** Largest rank a kernel's uniform block holds (after merging axes). */
export const MAX_RANK = 8;

/**
 * Merges axes that every operand walks contiguously (and drops size-1
 * axes), so most kernels see rank 1-3 whatever the tensor's rank: fewer
 * divisions per element and a fixed-size uniform block.
 *
 * @example A broadcast bias over [64, 6, 28, 28] becomes 3 axes
 * ```ts
 * import { coalesce } from "./_common.ts";
 * import assert from "node:assert/strict";
 * const [shape, [sx, sb]] = coalesce([64, 6, 28, 28], [[4704, 784, 28, 1], [0, 1, 0, 0]]);
 * assert.deepEqual(shape, [64, 6, 784]);
 * assert.deepEqual(sx, [4704, 784, 1]);
 * assert.deepEqual(sb, [0, 1, 0]);
 * ```
 */
export function coalesce(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    const mergeable = last >= 0 &&
      strides.every((s, k) => outStrides[k][last] === s[d] * shape[d]);
    if (mergeable) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => outStrides[k][last] = s[d]);
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => outStrides[k].push(s[d]));
    }
  }
  if (outShape.length > MAX_RANK) {
    throw new RangeError(
      `webgpu: a tensor walk with ${outShape.length} non-mergeable axes exceeds the ` +
        `${MAX_RANK} the kernels support; reshape to fewer axes`,
    );
  }
  return [outShape, outStrides];
}

/** Raw 32 bits of `value` stored as `dtype` (how uniform blocks carry constants). */
export function bitsOf(value: number, dtype: DType): number {
  if (dtype === "int32") return value | 0;
  scratchF32[0] = value;
  return scratchU32[0];
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** A zeroed uniform block. */
export function params(): Uint32Array {
  return new Uint32Array(PARAM_WORDS);
}
