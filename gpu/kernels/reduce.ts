/**
 * Reductions (sum, max, min over any set of axes) and argmax in ONE shader.
 *
 * The input is seen as [kept axes] x [reduced axes], each side merged to as
 * few strided axes as possible. Two strategies, picked per call:
 * - one invocation per output, looping over the reduced elements (many
 *   outputs, e.g. pooling windows or per-row softmax sums);
 * - one workgroup per output: 64 invocations take strided partial results,
 *   then combine them in a tree in workgroup memory (few outputs over many
 *   elements, e.g. a loss or a bias gradient summed over a batch).
 *
 * argmax keeps the first index among equal maxima, as the CPU does.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import type { ReduceOp } from "../../lib/op_set.ts";
import { stridesOf } from "../../lib/shape.ts";
import { coalesce, type GpuStorage, grid, HEADER, type KernelContext, params } from "./_common.ts";

const CODES = { sum: 0, max: 1, min: 2, argmax: 3 } as const;

// Uniform block layout.
const OP = 0, N = 1, R = 2, MODE = 3, KEPT_RANK = 4, RED_RANK = 5, IS_INT = 6;
const KEPT_SHAPE = 8, KEPT_STRIDES = 16, RED_SHAPE = 24, RED_STRIDES = 32;

/** Invocations per workgroup (the tree below is written for 64). */
const RWG = 64;

const SHADER = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> X: array<u32>;
@group(0) @binding(2) var<storage, read_write> O: array<u32>;

var<workgroup> sv: array<u32, ${RWG}>;
var<workgroup> si: array<u32, ${RWG}>;

// Offset of element r of the reduced axes (row-major over them).
fn redOffset(r: u32) -> u32 {
  let rank = p(${RED_RANK}u);
  if (rank == 1u) { return r * p(${RED_STRIDES}u); }
  var off = 0u;
  var rem = r;
  for (var d = rank; d > 0u; d--) {
    let size = p(${RED_SHAPE - 1}u + d);
    off += (rem % size) * p(${RED_STRIDES - 1}u + d);
    rem = rem / size;
  }
  return off;
}

// Offset of the first element reduced into output o.
fn keptOffset(o: u32) -> u32 {
  var off = 0u;
  var rem = o;
  for (var d = p(${KEPT_RANK}u); d > 0u; d--) {
    let size = p(${KEPT_SHAPE - 1}u + d);
    off += (rem % size) * p(${KEPT_STRIDES - 1}u + d);
    rem = rem / size;
  }
  return off;
}

fn initial(op: u32, isInt: bool) -> u32 {
  if (op == 0u) { return 0u; }
  if (op == 2u) { return select(0x7f800000u, 0x7fffffffu, isInt); }
  return select(0xff800000u, 0x80000000u, isInt);
}

// Whether value w (index wi) should replace v (index vi). NaN wins for
// max/min, like the CPU; for argmax the larger value, then the lower index.
fn replaces(op: u32, isInt: bool, v: u32, vi: u32, w: u32, wi: u32) -> bool {
  if (isInt) {
    let a = bitcast<i32>(v); let b = bitcast<i32>(w);
    if (op == 2u) { return b < a; }
    if (op == 1u) { return b > a; }
    return b > a || (b == a && wi < vi);
  }
  let a = bitcast<f32>(v); let b = bitcast<f32>(w);
  if (op == 2u) { return b < a || b != b; }
  if (op == 1u) { return b > a || b != b; }
  return b > a || (b == a && wi < vi);
}

fn add(isInt: bool, v: u32, w: u32) -> u32 {
  if (isInt) { return bitcast<u32>(bitcast<i32>(v) + bitcast<i32>(w)); }
  return bitcast<u32>(bitcast<f32>(v) + bitcast<f32>(w));
}

@compute @workgroup_size(${RWG})
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let op = p(${OP}u);
  let isInt = p(${IS_INT}u) != 0u;
  let n = p(${N}u);
  let count = p(${R}u);
  let group = wid.x + wid.y * nwg.x;
  if (p(${MODE}u) == 0u) {
    // One invocation per output.
    let o = group * ${RWG}u + lid.x;
    if (o >= n) { return; }
    let base = keptOffset(o);
    var v = initial(op, isInt);
    var vi = 0u;
    for (var r = 0u; r < count; r++) {
      let w = X[base + redOffset(r)];
      if (op == 0u) { v = add(isInt, v, w); }
      else if (r == 0u || replaces(op, isInt, v, vi, w, r)) { v = w; vi = r; }
    }
    O[o] = select(v, vi, op == 3u);
    return;
  }
  // One workgroup per output (group is uniform across the workgroup, so the
  // barriers below are reached by all or none of its invocations).
  if (group >= n) { return; }
  let base = keptOffset(group);
  var v = initial(op, isInt);
  var vi = 0xffffffffu;
  for (var r = lid.x; r < count; r += ${RWG}u) {
    let w = X[base + redOffset(r)];
    if (op == 0u) { v = add(isInt, v, w); }
    else if (vi == 0xffffffffu || replaces(op, isInt, v, vi, w, r)) { v = w; vi = r; }
  }
  sv[lid.x] = v;
  si[lid.x] = vi;
  workgroupBarrier();
  for (var s = ${RWG / 2}u; s > 0u; s >>= 1u) {
    if (lid.x < s) {
      let w = sv[lid.x + s];
      let wi = si[lid.x + s];
      if (op == 0u) { sv[lid.x] = add(isInt, sv[lid.x], w); }
      else if (wi != 0xffffffffu &&
          (si[lid.x] == 0xffffffffu || replaces(op, isInt, sv[lid.x], si[lid.x], w, wi))) {
        sv[lid.x] = w;
        si[lid.x] = wi;
      }
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) { O[group] = select(sv[0], si[0], op == 3u); }
}
`;

function run(
  ctx: KernelContext,
  x: TensorInfo,
  op: keyof typeof CODES,
  axes: readonly number[],
  out: OutSpec,
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const own = stridesOf(x.shape);
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const [keptShape, [keptStrides]] = coalesce(
    keptAxes.map((i) => x.shape[i]),
    [keptAxes.map((i) => own[i])],
  );
  const [redShape, [redStrides]] = coalesce(
    axes.map((i) => x.shape[i]),
    [axes.map((i) => own[i])],
  );
  const count = axes.reduce((n, i) => n * x.shape[i], 1);
  const u = params();
  u[OP] = CODES[op];
  u[N] = out.size;
  u[R] = count;
  u[IS_INT] = x.dtype === "int32" ? 1 : 0;
  // A workgroup per output pays barriers; worth it only for long reductions
  // that would otherwise leave most invocations idle.
  const perGroup = count > RWG && out.size < 4096;
  u[MODE] = perGroup ? 1 : 0;
  u[KEPT_RANK] = keptShape.length;
  u.set(keptShape, KEPT_SHAPE);
  u.set(keptStrides, KEPT_STRIDES);
  // An all-size-1 reduction merges to nothing: one element of stride 0.
  u[RED_RANK] = Math.max(redShape.length, 1);
  u.set(redShape.length ? redShape : [1], RED_SHAPE);
  u.set(redShape.length ? redStrides : [0], RED_STRIDES);
  const groups = perGroup ? out.size : Math.ceil(out.size / RWG);
  ctx.rec.dispatch(
    ctx.rec.pipeline("reduce", () => SHADER),
    u,
    [ctx.buffer(x), result.buffer!],
    grid(groups, ctx.maxGroups),
  );
  return result;
}

/** Reduces over `axes` (kept with size 1 in `out`). */
export function reduce(
  ctx: KernelContext,
  x: TensorInfo,
  op: ReduceOp,
  axes: readonly number[],
  out: OutSpec,
): GpuStorage {
  return run(ctx, x, op, axes, out);
}

/** Index of the first maximum along `axis`. */
export function argmax(
  ctx: KernelContext,
  x: TensorInfo,
  axis: number,
  out: OutSpec,
): GpuStorage {
  return run(ctx, x, "argmax", [axis], out);
}
