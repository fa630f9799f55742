/**
 * Data movement in two shaders. "copy": every output element reads one input
 * element at a strided offset, or the pad value where it falls outside the
 * input; that one walk is expand (stride 0 on broadcast axes), permute
 * (permuted strides), slice (a base offset) and pad (bounds per axis).
 * "rows": gather and its adjoint scatter-add along axis 0.
 *
 * Both copy raw 32-bit words, so they serve float32 and int32 alike.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import { broadcastStrides, stridesOf } from "../../lib/shape.ts";
import {
  bitsOf,
  coalesce,
  type GpuStorage,
  grid,
  HEADER,
  type KernelContext,
  MAX_RANK,
  params,
  WG,
} from "./_common.ts";

// "copy" uniform block layout.
const N = 0, RANK = 1, VALUE = 2, BASE = 3, PADDED = 4, SHAPE = 8, STRIDES = 16, BEFORE = 24;
const EXTENT = 32;

const COPY = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> O: array<u32>;

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p(${N}u)) { return; }
  let padded = p(${PADDED}u) != 0u;
  var off = p(${BASE}u);
  var inside = true;
  var rem = i;
  for (var d = p(${RANK}u); d > 0u; d--) {
    let size = p(${SHAPE - 1}u + d);
    var c = rem % size;
    rem = rem / size;
    if (padded) {
      // Input coordinate c - before must lie in [0, extent); u32 wrap-around makes one test.
      c = c - p(${BEFORE - 1}u + d);
      if (c >= p(${EXTENT - 1}u + d)) { inside = false; }
    }
    off += c * p(${STRIDES - 1}u + d);
  }
  if (inside) { O[i] = X[off]; } else { O[i] = p(${VALUE}u); }
}
`;

/** Strided copy of `x` into a new `out`-shaped tensor. */
function copy(
  ctx: KernelContext,
  x: TensorInfo,
  out: OutSpec,
  inStrides: readonly number[],
  base: number,
  pad?: { before: readonly number[]; value: number },
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const u = params();
  u[N] = out.size;
  u[BASE] = base;
  if (pad) {
    // Bounds per axis rule out merging axes; pad keeps the tensor's own rank.
    if (out.shape.length > MAX_RANK) {
      throw new RangeError(`webgpu: pad supports up to ${MAX_RANK} axes`);
    }
    u[PADDED] = 1;
    u[VALUE] = bitsOf(pad.value, out.dtype);
    u[RANK] = out.shape.length;
    u.set(out.shape, SHAPE);
    u.set(inStrides, STRIDES);
    u.set(pad.before, BEFORE);
    u.set(x.shape, EXTENT);
  } else {
    const [shape, [strides]] = coalesce(out.shape, [inStrides]);
    u[RANK] = shape.length;
    u.set(shape, SHAPE);
    u.set(strides, STRIDES);
  }
  const pipeline = ctx.rec.pipeline("copy", () => COPY);
  ctx.rec.dispatch(
    pipeline,
    u,
    [ctx.buffer(x), result.buffer!],
    grid(Math.ceil(out.size / WG), ctx.maxGroups),
  );
  return result;
}

/** Copies `x` broadcast to `out.shape`. */
export function expand(ctx: KernelContext, x: TensorInfo, out: OutSpec): GpuStorage {
  return copy(ctx, x, out, broadcastStrides(x.shape, out.shape), 0);
}

/** Output axis i is input axis `perm[i]`. */
export function permute(
  ctx: KernelContext,
  x: TensorInfo,
  perm: readonly number[],
  out: OutSpec,
): GpuStorage {
  const own = stridesOf(x.shape);
  return copy(ctx, x, out, perm.map((p) => own[p]), 0);
}

/** The box `starts..ends` (exclusive) of `x`. */
export function slice(
  ctx: KernelContext,
  x: TensorInfo,
  starts: readonly number[],
  out: OutSpec,
): GpuStorage {
  const own = stridesOf(x.shape);
  return copy(ctx, x, out, own, starts.reduce((acc, s, i) => acc + s * own[i], 0));
}

/** `x` placed at offset `before` inside an output filled with `value`. */
export function pad(
  ctx: KernelContext,
  x: TensorInfo,
  before: readonly number[],
  value: number,
  out: OutSpec,
): GpuStorage {
  return copy(ctx, x, out, stridesOf(x.shape), 0, { before, value });
}

// "rows" uniform block layout.
const MODE = 0, ROWS_N = 1, ROW = 2, COUNT = 3, LIMIT = 4, BEGIN = 5;

/**
 * Most indices one scatter-add dispatch scans; more run several dispatches
 * that add into the output (Mesa's llvmpipe silently stops an invocation
 * after 65,535 loop iterations).
 */
const SCATTER_SPAN = 16384;

const ROWS = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read> I: array<i32>;
@group(0) @binding(3) var<storage, read_write> O: array<u32>;

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p(${ROWS_N}u)) { return; }
  let row = p(${ROW}u);
  let r = i / row;
  let j = i - r * row;
  if (p(${MODE}u) == 0u) {
    // gather: out row r is input row I[r]; an out-of-range index gives zeros
    // (the op layer validates host indices; a kernel cannot throw).
    let id = I[r];
    if (id >= 0 && u32(id) < p(${LIMIT}u)) { O[i] = X[u32(id) * row + j]; } else { O[i] = 0u; }
  } else {
    // scatter-add without float atomics (WGSL has none): each output element
    // scans indices BEGIN..COUNT and sums, in index order, the rows that land
    // on it (onto what earlier dispatches summed, after the first).
    let begin = p(${BEGIN}u);
    var acc = select(0.0, bitcast<f32>(O[i]), begin > 0u);
    let count = p(${COUNT}u);
    for (var k = begin; k < count; k++) {
      if (I[k] == i32(r)) { acc += bitcast<f32>(X[k * row + j]); }
    }
    O[i] = bitcast<u32>(acc);
  }
}
`;

function rows(
  ctx: KernelContext,
  mode: 0 | 1,
  src: TensorInfo,
  idx: TensorInfo,
  out: OutSpec,
  limit: number,
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const u = params();
  u[MODE] = mode;
  u[ROWS_N] = out.size;
  u[ROW] = out.size / out.shape[0];
  u[LIMIT] = limit;
  const pipeline = ctx.rec.pipeline("rows", () => ROWS);
  const idxBuffer = idx.size ? ctx.buffer(idx) : ctx.rec.dummy;
  const srcBuffer = src.size ? ctx.buffer(src) : ctx.rec.dummy;
  const span = mode === 0 ? idx.size : SCATTER_SPAN;
  for (let begin = 0; begin === 0 || begin < idx.size; begin += span) {
    const part = u.slice();
    part[BEGIN] = begin;
    part[COUNT] = Math.min(idx.size, begin + span);
    ctx.rec.dispatch(
      pipeline,
      part,
      [srcBuffer, idxBuffer, result.buffer!],
      grid(Math.ceil(out.size / WG), ctx.maxGroups),
    );
  }
  return result;
}

/** Rows `idx` of axis 0. */
export function gather(
  ctx: KernelContext,
  x: TensorInfo,
  idx: TensorInfo,
  out: OutSpec,
): GpuStorage {
  return rows(ctx, 0, x, idx, out, x.shape[0]);
}

/** Adds row i of `g` into row `idx[i]` of a zero tensor (gather's adjoint). */
export function scatterAdd(
  ctx: KernelContext,
  g: TensorInfo,
  idx: TensorInfo,
  out: OutSpec,
): GpuStorage {
  return rows(ctx, 1, g, idx, out, out.shape[0]);
}
