/**
 * Reductions (sum, max, min over any set of axes) and argmax in ONE shader.
 *
 * The input is seen as [kept axes] x [reduced axes], each side merged to as
 * few strided axes as possible. Two strategies, picked per call:
 * - one invocation per output, looping over the reduced elements (many
 *   outputs over short reductions, e.g. pooling windows or per-row softmax
 *   sums);
 * - workgroups of 64 invocations that take strided partial results, then
 *   combine them in a tree in workgroup memory (few outputs over many
 *   elements, e.g. a loss or a bias gradient summed over a batch). A
 *   workgroup reduces at most {@linkcode CHUNK} elements; longer reductions
 *   write one partial result per chunk and reduce those in a further pass
 *   (argmax partials carry their index), so no invocation loops long.
 *
 * Short loops are not only faster: Mesa's llvmpipe stops any invocation
 * after 65,535 loop iterations, silently, so a single workgroup summing
 * millions of elements returned a partial sum there.
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
const OP = 0, N = 1, R = 2, MODE = 3, KEPT_RANK = 4, RED_RANK = 5, IS_INT = 6, CHUNKS = 7;
const KEPT_SHAPE = 8, KEPT_STRIDES = 16, RED_SHAPE = 24, RED_STRIDES = 32, PAIRS_IN = 40;
const PAIRS_OUT = 41;

/** Invocations per workgroup (the tree below is written for 64). */
const RWG = 64;
/** Most reduced elements one workgroup takes (128 per invocation); longer reductions split. */
export const CHUNK = RWG * 128;
/** Most reduced elements one invocation loops over in the one-invocation-per-output mode. */
const SERIAL_MAX = 1024;

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

// The index argmax reports for element r at offset off: r itself, or the
// index a previous pass stored beside a partial maximum.
fn indexAt(off: u32, r: u32) -> u32 {
  if (p(${PAIRS_IN}u) != 0u) { return X[off + 1u]; }
  return r;
}

// Output j: the value (or argmax's index), or both for a later pass.
fn store(j: u32, op: u32, v: u32, vi: u32) {
  if (p(${PAIRS_OUT}u) != 0u) {
    O[2u * j] = v;
    O[2u * j + 1u] = vi;
  } else {
    O[j] = select(v, vi, op == 3u);
  }
}

fn initial(op: u32, isInt: bool) -> u32 {
  if (op == 0u) { return 0u; }
  if (op == 2u) { return select(0x7f800000u, 0x7fffffffu, isInt); }
  return select(0xff800000u, 0x80000000u, isInt);
}

// Whether value w (index wi) should replace v (index vi). NaN wins for
// max/min, like the CPU; for argmax the first NaN, else the larger value, then the lower index.
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
  if (b != b) { return a == a || wi < vi; } // argmax: the first NaN wins, as max returns NaN
  if (a != a) { return false; }
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
  // The workgroup's linear index (the grid is 2-D above 65,535 workgroups).
  let group = wid.x + wid.y * nwg.x;
  if (p(${MODE}u) == 0u) {
    // One invocation per output.
    let o = group * ${RWG}u + lid.x;
    if (o >= n) { return; }
    let base = keptOffset(o);
    var v = initial(op, isInt);
    var vi = 0u;
    for (var r = 0u; r < count; r++) {
      let off = base + redOffset(r);
      let w = X[off];
      if (op == 0u) { v = add(isInt, v, w); }
      else {
        let wi = indexAt(off, r);
        if (r == 0u || replaces(op, isInt, v, vi, w, wi)) { v = w; vi = wi; }
      }
    }
    store(o, op, v, vi);
    return;
  }
  // Workgroup "group" reduces chunk c of output o (group is uniform across
  // the workgroup, so the barriers below are reached by all or none of it).
  let chunks = p(${CHUNKS}u);
  if (group >= n * chunks) { return; }
  let o = group / chunks;
  let start = (group - o * chunks) * ${CHUNK}u;
  let end = min(count, start + ${CHUNK}u);
  let base = keptOffset(o);
  var v = initial(op, isInt);
  var vi = 0xffffffffu;
  for (var r = start + lid.x; r < end; r += ${RWG}u) {
    let off = base + redOffset(r);
    let w = X[off];
    if (op == 0u) { v = add(isInt, v, w); }
    else {
      let wi = indexAt(off, r);
      if (vi == 0xffffffffu || replaces(op, isInt, v, vi, w, wi)) { v = w; vi = wi; }
    }
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
  if (lid.x == 0u) { store(group, op, sv[0], si[0]); }
}
`;

/** How a pass walks its input: kept and reduced axes (merged), as shapes and strides. */
interface Walk {
  keptShape: number[];
  keptStrides: number[];
  redShape: number[];
  redStrides: number[];
  /** Reduced elements per output. */
  count: number;
  /** Input elements are (value, index) pairs written by a previous argmax pass. */
  pairs: boolean;
}

/**
 * Encodes the passes that reduce `walk` of `input` into `n` outputs in
 * `target`: one pass when a workgroup's chunk covers the reduction, else a
 * pass writing one partial per chunk (into pooled scratch released right
 * after use) followed by the passes that reduce the partials.
 */
function passes(
  ctx: KernelContext,
  input: GPUBuffer,
  walk: Walk,
  op: keyof typeof CODES,
  isInt: boolean,
  n: number,
  target: GPUBuffer,
): void {
  const { count } = walk;
  const serial = count <= RWG || (n >= 4096 && count <= SERIAL_MAX);
  const chunks = serial ? 1 : Math.ceil(count / CHUNK);
  const split = chunks > 1;
  // argmax partials keep their index: two words per partial.
  const pairsOut = split && op === "argmax";
  const scratch = split ? ctx.output("float32", n * chunks * (pairsOut ? 2 : 1)) : null;
  const u = params();
  u[OP] = CODES[op];
  u[N] = n;
  u[R] = count;
  u[IS_INT] = isInt ? 1 : 0;
  u[MODE] = serial ? 0 : 1;
  u[CHUNKS] = chunks;
  u[PAIRS_IN] = walk.pairs ? 1 : 0;
  u[PAIRS_OUT] = pairsOut ? 1 : 0;
  u[KEPT_RANK] = walk.keptShape.length;
  u.set(walk.keptShape, KEPT_SHAPE);
  u.set(walk.keptStrides, KEPT_STRIDES);
  // An all-size-1 reduction merges to nothing: one element of stride 0.
  u[RED_RANK] = Math.max(walk.redShape.length, 1);
  u.set(walk.redShape.length ? walk.redShape : [1], RED_SHAPE);
  u.set(walk.redShape.length ? walk.redStrides : [0], RED_STRIDES);
  const groups = serial ? Math.ceil(n / RWG) : n * chunks;
  ctx.rec.dispatch(
    ctx.rec.pipeline("reduce", () => SHADER),
    u,
    [input, scratch ? scratch.buffer! : target],
    grid(groups, ctx.maxGroups),
  );
  if (!scratch) return;
  // Partials are laid out [n, chunks] (times 2 for pairs): reduce the last axis.
  const width = pairsOut ? 2 : 1;
  passes(
    ctx,
    scratch.buffer!,
    {
      keptShape: n > 1 ? [n] : [],
      keptStrides: n > 1 ? [chunks * width] : [],
      redShape: [chunks],
      redStrides: [width],
      count: chunks,
      pairs: pairsOut,
    },
    op,
    isInt,
    n,
    target,
  );
  ctx.release(scratch);
}

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
  const walk = { keptShape, keptStrides, redShape, redStrides, count, pairs: false };
  passes(ctx, ctx.buffer(x), walk, op, x.dtype === "int32", out.size, result.buffer!);
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
