/**
 * The elementwise family in ONE shader ("map"): unary, binary with
 * broadcasting, where and cast, for float32 and int32. An op code and the
 * operands' strides come in the uniform block, so this whole family costs one
 * pipeline compile.
 *
 * Storage is bound as raw 32-bit words and reinterpreted per dtype
 * (`bitcast`), which lets one binding serve float32 and int32 alike.
 * A one-element operand held on the host (a number like the `2` in `x * 2`)
 * is passed as a constant in the uniform block instead of a buffer.
 *
 * Semantics follow `lib/cpu/elementwise.ts`: int32 arithmetic wraps, int32
 * division truncates (division by zero gives 0, as JavaScript's
 * `Int32Array` store of ±Infinity does), float to int32 truncates.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import type { BinaryOp, UnaryOp } from "../../lib/op_set.ts";
import { broadcastStrides, stridesOf } from "../../lib/shape.ts";
import {
  coalesce,
  type GpuStorage,
  grid,
  HEADER,
  type KernelContext,
  MAX_RANK,
  params,
  WG,
} from "./_common.ts";

const UNARY_CODES: Record<UnaryOp, number> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  abs: 4,
  relu: 5,
  sigmoid: 6,
  tanh: 7,
  step: 8,
  sign: 9,
};

const BINARY_CODES: Record<BinaryOp, number> = {
  add: 16,
  sub: 17,
  mul: 18,
  div: 19,
  pow: 20,
  maximum: 21,
  minimum: 22,
  eq: 23,
  ne: 24,
  lt: 25,
  le: 26,
  gt: 27,
  ge: 28,
};

const WHERE = 32;
const CAST = 33;

// Uniform block layout.
const OP = 0, N = 1, RANK = 2, FLAGS = 3, CONST_MASK = 4, CONSTS = 5, SHAPE = 8;
const STRIDES = [16, 24, 32];
// FLAGS bits.
const IN_INT = 1, OUT_INT = 2, STRIDED = 4;

const SHADER = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> A: array<u32>;
@group(0) @binding(2) var<storage, read> B: array<u32>;
@group(0) @binding(3) var<storage, read> C: array<u32>;
@group(0) @binding(4) var<storage, read_write> O: array<u32>;

// Stable logistic: never evaluates e^x for large positive x.
fn sigmoid(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// tanh from e^(-2|x|) (no overflow), with a series near 0 where 1 - t cancels.
fn tanh_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.0625) { let x2 = x * x; return x * (1.0 - x2 * (1.0 / 3.0 - x2 * (2.0 / 15.0))); }
  let t = exp(-2.0 * ax);
  let y = (1.0 - t) / (1.0 + t);
  return select(-y, y, x >= 0.0);
}

// Math.pow semantics: WGSL's pow is undefined for a negative base, but
// x ** 3 of a negative x is an everyday case.
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (a == 0.0) { return select(inf(), 0.0, b > 0.0); }
  let r = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (b != floor(b)) { return nan(); }
    if (fract(b * 0.5) != 0.0) { return -r; }
  }
  return r;
}

fn unaryF(op: u32, x: f32) -> f32 {
  switch op {
    case 0u: { return -x; }
    case 1u: { return exp(x); }
    case 2u: { return log(x); }
    case 3u: { return sqrt(x); }
    case 4u: { return abs(x); }
    case 5u: { return select(select(0.0, x, x > 0.0), x, x != x); } // NaN stays NaN
    case 6u: { return sigmoid(x); }
    case 7u: { return tanh_(x); }
    case 8u: { return select(select(0.0, 1.0, x > 0.0), x, x != x); }
    default: { return select(select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0), x, x != x); }
  }
}

fn unaryI(op: u32, x: i32) -> i32 {
  switch op {
    case 0u: { return -x; }
    case 4u: { return select(-x, x, x >= 0); }
    case 5u: { return max(x, 0); }
    case 8u: { return select(0, 1, x > 0); }
    default: { return select(select(0, -1, x < 0), 1, x > 0); }
  }
}

fn binaryF(op: u32, a: f32, b: f32) -> f32 {
  switch op {
    case 16u: { return a + b; }
    case 17u: { return a - b; }
    case 18u: { return a * b; }
    case 19u: { return a / b; }
    case 20u: { return pow_(a, b); }
    case 21u: { return select(b, a, a >= b || a != a); }
    case 22u: { return select(b, a, a <= b || a != a); }
    case 23u: { return select(0.0, 1.0, a == b); }
    case 24u: { return select(0.0, 1.0, a != b); }
    case 25u: { return select(0.0, 1.0, a < b); }
    case 26u: { return select(0.0, 1.0, a <= b); }
    case 27u: { return select(0.0, 1.0, a > b); }
    default: { return select(0.0, 1.0, a >= b); }
  }
}

// float -> int32 like a JavaScript Int32Array store of Math.trunc(x):
// NaN and infinities give 0, large values wrap modulo 2^32.
fn toI32(x: f32) -> i32 {
  if (x != x || abs(x) == inf()) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  let m = t - floor(t / 4294967296.0) * 4294967296.0;
  return bitcast<i32>(u32(m));
}

fn binaryI(op: u32, a: i32, b: i32) -> i32 {
  switch op {
    case 16u: { return a + b; }
    case 17u: { return a - b; }
    case 18u: { return a * b; }
    case 19u: { return select(a / b, 0, b == 0); }
    case 20u: { return toI32(pow_(f32(a), f32(b))); }
    case 21u: { return max(a, b); }
    case 22u: { return min(a, b); }
    case 23u: { return select(0, 1, a == b); }
    case 24u: { return select(0, 1, a != b); }
    case 25u: { return select(0, 1, a < b); }
    case 26u: { return select(0, 1, a <= b); }
    case 27u: { return select(0, 1, a > b); }
    default: { return select(0, 1, a >= b); }
  }
}

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p(${N}u)) { return; }
  let flags = p(${FLAGS}u);
  var ia = i; var ib = i; var ic = i;
  if ((flags & ${STRIDED}u) != 0u) {
    // Row-major coordinates of i, innermost axis first, dotted with each operand's strides.
    ia = 0u; ib = 0u; ic = 0u;
    var rem = i;
    for (var d = p(${RANK}u); d > 0u; d--) {
      let size = p(${SHAPE - 1}u + d);
      let c = rem % size;
      rem = rem / size;
      ia += c * p(${STRIDES[0] - 1}u + d);
      ib += c * p(${STRIDES[1] - 1}u + d);
      ic += c * p(${STRIDES[2] - 1}u + d);
    }
  }
  let consts = p(${CONST_MASK}u);
  let op = p(${OP}u);
  var a: u32; var b: u32; var c: u32;
  if ((consts & 1u) != 0u) { a = p(${CONSTS}u); } else { a = A[ia]; }
  if (op >= 16u && op <= 32u) {
    if ((consts & 2u) != 0u) { b = p(${CONSTS + 1}u); } else { b = B[ib]; }
  }
  if (op == 32u) {
    if ((consts & 4u) != 0u) { c = p(${CONSTS + 2}u); } else { c = C[ic]; }
  }
  let isInt = (flags & ${IN_INT}u) != 0u;
  var r: u32;
  if (op < 16u) {
    if (isInt) { r = bitcast<u32>(unaryI(op, bitcast<i32>(a))); }
    else { r = bitcast<u32>(unaryF(op, bitcast<f32>(a))); }
  } else if (op < 32u) {
    if (isInt) { r = bitcast<u32>(binaryI(op, bitcast<i32>(a), bitcast<i32>(b))); }
    else { r = bitcast<u32>(binaryF(op, bitcast<f32>(a), bitcast<f32>(b))); }
  } else if (op == 32u) {
    // where(cond, a, b): cond is in the branches' dtype; NaN counts as true, like the CPU.
    let pick = select(bitcast<f32>(a) != 0.0, bitcast<i32>(a) != 0, isInt);
    r = select(c, b, pick);
  } else {
    let outInt = (flags & ${OUT_INT}u) != 0u;
    if (isInt == outInt) { r = a; }
    else if (outInt) { r = bitcast<u32>(toI32(bitcast<f32>(a))); }
    else { r = bitcast<u32>(f32(bitcast<i32>(a))); }
  }
  O[i] = r;
}
`;

/**
 * Runs the map shader: `out[i] = op(inputs at i)` with the inputs broadcast
 * to `out.shape`.
 */
function map(
  ctx: KernelContext,
  op: number,
  inputs: readonly TensorInfo[],
  out: OutSpec,
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const pipeline = ctx.rec.pipeline("map", () => SHADER);
  const u = params();
  u[OP] = op;
  u[N] = out.size;
  const inDtype = inputs[op === WHERE ? 1 : 0].dtype;
  let flags = (inDtype === "int32" ? IN_INT : 0) | (out.dtype === "int32" ? OUT_INT : 0);
  // Operands held on the host become constants with stride 0.
  const buffers: GPUBuffer[] = [];
  const strideLists: number[][] = [];
  let constMask = 0;
  inputs.forEach((x, k) => {
    const bits = ctx.hostBits(x);
    if (bits !== null) {
      constMask |= 1 << k;
      u[CONSTS + k] = bits;
      buffers.push(ctx.rec.dummy);
      strideLists.push(out.shape.map(() => 0));
    } else {
      buffers.push(ctx.buffer(x));
      strideLists.push(
        x.size === out.size ? stridesOf(out.shape) : broadcastStrides(x.shape, out.shape),
      );
    }
  });
  while (buffers.length < 3) buffers.push(ctx.rec.dummy);
  u[CONST_MASK] = constMask;
  const contiguous = inputs.every((x, k) => (constMask >> k) & 1 || x.size === out.size);
  if (!contiguous) {
    const [shape, strides] = coalesce(out.shape, strideLists);
    if (shape.length > MAX_RANK) throw new Error("unreachable");
    flags |= STRIDED;
    u[RANK] = shape.length;
    u.set(shape, SHAPE);
    strides.forEach((s, k) => u.set(s, STRIDES[k]));
  }
  u[FLAGS] = flags;
  buffers.push(result.buffer!);
  ctx.rec.dispatch(pipeline, u, buffers, grid(Math.ceil(out.size / WG), ctx.maxGroups));
  return result;
}

/** Unary primitive. */
export function unary(ctx: KernelContext, x: TensorInfo, op: UnaryOp, out: OutSpec): GpuStorage {
  return map(ctx, UNARY_CODES[op], [x], out);
}

/** Binary primitive with broadcasting. */
export function binary(
  ctx: KernelContext,
  a: TensorInfo,
  b: TensorInfo,
  op: BinaryOp,
  out: OutSpec,
): GpuStorage {
  return map(ctx, BINARY_CODES[op], [a, b], out);
}

/** `where(cond, a, b)` with broadcasting of all three. */
export function where(
  ctx: KernelContext,
  c: TensorInfo,
  a: TensorInfo,
  b: TensorInfo,
  out: OutSpec,
): GpuStorage {
  return map(ctx, WHERE, [c, a, b], out);
}

/** Converts dtype (float to int32 truncates toward zero). */
export function cast(ctx: KernelContext, x: TensorInfo, out: OutSpec): GpuStorage {
  return map(ctx, CAST, [x], out);
}
