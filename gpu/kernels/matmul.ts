/**
 * Batched matrix multiply `C_i = op(A_i) @ op(B_i)`, tiled in workgroup
 * memory with register blocking, in ONE shader.
 *
 * Each of the 64 invocations of a workgroup computes an 8x8 block of C in
 * sixteen vec4 registers; per step over k it loads two vec4 of A and two of
 * B from workgroup memory and does 64 multiply-adds. How the 64 invocations
 * are arranged (`wx` columns by `64/wx` rows) is a uniform, chosen per call
 * to fit the matrix: 64x64 tiles for square products, 8x512 for the 6-row
 * products of a LeNet convolution, 512x8 for tall thin ones. One compiled
 * pipeline serves them all (compiling is what costs on llvmpipe).
 *
 * Operands are read through strides, so transposed operands (the gradient
 * rules' `transA`/`transB`) and a broadcast batch (batch stride 0) cost no
 * copy. Out-of-range tile elements load as 0, so no size needs to be a
 * multiple of the tile.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import { type GpuStorage, HEADER, type KernelContext, params } from "./_common.ts";

/** Depth of a k step (measured best on llvmpipe; 8 doubles barrier-free work but not speed). */
const BK = 4;
/** Rows (and columns) of C per invocation. */
const TILE = 8;
/** Invocation columns allowed: tiles from 128x32 (wx 4) to 16x256 (wx 32). */
const WX_MIN = 2, WX_MAX = 32;
/**
 * Workgroup memory holds one A tile and one B tile, at most BK x 272
 * floats (the 256x16 and 16x256 tiles). Its size drives compile time on
 * llvmpipe (WGSL zero-initializes workgroup memory, and the generated code
 * grows with it): 272 vec4 compiles in about 2 s, 1040 in 17 s.
 */
const SLOTS = (BK * (64 * TILE / WX_MIN + TILE * WX_MIN)) / 4;

// Uniform block layout.
const M = 0, N = 1, K_BEGIN = 2, A_BATCH = 3, B_BATCH = 4, A_ROW = 5, A_COL = 6, B_ROW = 7;
const B_COL = 8, WX = 9, BATCH_BASE = 10, VM = 11, VN = 12, ROWS_PER = 13, K_END = 14;
const ACCUMULATE = 15, X_BASE = 16, Y_BASE = 17, DOT = 18;

/**
 * Products with at most this many outputs (per batch) skip the tiles: the 64
 * invocations share the outputs, each a plain dot product over k. A conv
 * weight gradient per image ([6, 25] for LeNet's first layer) would fill
 * under 4% of a 4096-element tile, and this is its hottest kernel.
 */
const DOT_MAX = 512;

/**
 * Most of the k range one dispatch walks; longer products run several
 * dispatches that add into C. Mesa's llvmpipe silently stops an invocation
 * after 65,535 loop iterations, which a k loop of ~20,000+ would reach.
 */
export const K_SPAN = 4096;

/** Accumulator update for one k: rows from a0/a1 (8 values), columns b0/b1. */
function fmaBlock(): string {
  const lines: string[] = [];
  const comps = ["x", "y", "z", "w"];
  for (let i = 0; i < TILE; i++) {
    const a = `a${i >> 2}.${comps[i & 3]}`;
    lines.push(`acc[${2 * i}] = fma(vec4(${a}), b0, acc[${2 * i}]);`);
    lines.push(`acc[${2 * i + 1}] = fma(vec4(${a}), b1, acc[${2 * i + 1}]);`);
  }
  return lines.join("\n      ");
}

const SHADER = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

// The A tile ([kk][row], at 0) and the B tile ([kk][col], after it), k-major
// so a block's 8 rows or columns are two consecutive vec4.
var<workgroup> T: array<vec4<f32>, ${SLOTS}>;

// The virtual matrix is vm x vn: a shared operand's batch is folded into
// rows (B shared) or columns (A shared), so 64 tiny products become one
// wide one. Row I is row I % rowsPer of A batch I / rowsPer; column J is
// column J % n of B batch J / n.
fn loadA(aOff: u32, I: u32, kk: u32) -> f32 {
  let rowsPer = p(${ROWS_PER}u);
  let b = I / rowsPer;
  return A[aOff + b * p(${A_BATCH}u) + (I - b * rowsPer) * p(${A_ROW}u) + kk * p(${A_COL}u)];
}
fn loadB(bOff: u32, kk: u32, J: u32) -> f32 {
  let n = p(${N}u);
  let b = J / n;
  return B[bOff + b * p(${B_BATCH}u) + kk * p(${B_ROW}u) + (J - b * n) * p(${B_COL}u)];
}

@compute @workgroup_size(64)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_index) li: u32,
) {
  let m = p(${M}u); let n = p(${N}u);
  let vm = p(${VM}u); let vn = p(${VN}u);
  let wx = p(${WX}u);
  let bm = ${64 * TILE}u / wx;  // tile rows
  let bn = ${TILE}u * wx;       // tile cols
  let tx = li % wx; let ty = li / wx;
  // wid.z walks the batch when neither operand is shared (nothing folded).
  let batch = wid.z + p(${BATCH_BASE}u);
  let aOff = batch * p(${A_BATCH}u); let bOff = batch * p(${B_BATCH}u);
  let cOff = batch * m * n;
  let kEnd = p(${K_END}u);
  let accumulate = p(${ACCUMULATE}u) != 0u;
  if (p(${DOT}u) != 0u) {
    for (var o = li; o < vm * vn; o += 64u) {
      let I = o / vn; let J = o - I * vn;
      var sum = 0.0;
      for (var kk = p(${K_BEGIN}u); kk < kEnd; kk++) {
        sum = fma(loadA(aOff, I, kk), loadB(bOff, kk, J), sum);
      }
      let b = J / n;
      let at = cOff + b * m * n + I * n + (J - b * n);
      C[at] = select(sum, C[at] + sum, accumulate);
    }
    return;
  }
  let row0 = (wid.y + p(${Y_BASE}u)) * bm; let col0 = (wid.x + p(${X_BASE}u)) * bn;
  let aSlots = bm / 4u; let bSlots = bn / 4u;
  let bBase = ${BK}u * aSlots;
  var acc: array<vec4<f32>, ${2 * TILE}>;
  // This dispatch's part of the k range (the whole of it unless k > K_SPAN).
  for (var k0 = p(${K_BEGIN}u); k0 < kEnd; k0 += ${BK}u) {
    for (var e = li; e < ${BK}u * (aSlots + bSlots); e += 64u) {
      var v = vec4<f32>(0.0);
      if (e < bBase) {
        let kk = e / aSlots; let r = row0 + (e - kk * aSlots) * 4u; let gk = k0 + kk;
        if (gk < kEnd) {
          for (var q = 0u; q < 4u; q++) { if (r + q < vm) { v[q] = loadA(aOff, r + q, gk); } }
        }
      } else {
        let f = e - bBase;
        let kk = f / bSlots; let c = col0 + (f - kk * bSlots) * 4u; let gk = k0 + kk;
        if (gk < kEnd) {
          for (var q = 0u; q < 4u; q++) { if (c + q < vn) { v[q] = loadB(bOff, gk, c + q); } }
        }
      }
      T[e] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      let a0 = T[kk * aSlots + ty * 2u];
      let a1 = T[kk * aSlots + ty * 2u + 1u];
      let b0 = T[bBase + kk * bSlots + tx * 2u];
      let b1 = T[bBase + kk * bSlots + tx * 2u + 1u];
      ${fmaBlock()}
    }
    workgroupBarrier();
  }
  let row = row0 + ty * ${TILE}u;
  let col = col0 + tx * ${TILE}u;
  for (var i = 0u; i < ${TILE}u; i++) {
    let r = row + i;
    if (r >= vm) { break; }
    for (var j = 0u; j < ${TILE}u; j++) {
      let J = col + j;
      if (J < vn) {
        // Column J of a folded batch b lands in C_b: b*m*n + r*n + (J - b*n).
        let b = J / n;
        let at = cOff + b * m * n + r * n + (J - b * n);
        let sum = acc[i * 2u + j / 4u][j % 4u];
        C[at] = select(sum, C[at] + sum, accumulate);
      }
    }
  }
}
`;

/**
 * The invocation arrangement (columns of 8x8 blocks) with the least work
 * counting padding and tile loads: a tile of bm x bn does bm*bn multiply-adds
 * per bm+bn values loaded, so squarer tiles win when the padding is equal.
 */
export function arrangement(m: number, n: number): number {
  let best = 8, bestCost = Infinity;
  for (let wx = WX_MIN; wx <= WX_MAX; wx *= 2) {
    const bm = 64 * TILE / wx, bn = TILE * wx;
    const padded = Math.ceil(m / bm) * bm * Math.ceil(n / bn) * bn;
    const cost = padded * (1 + 8 * (bm + bn) / (bm * bn));
    if (cost < bestCost) best = wx, bestCost = cost;
  }
  return best;
}

/** Batched matmul with transposition flags and batch broadcast (batch size 1 = shared). */
export function matmul(
  ctx: KernelContext,
  a: TensorInfo,
  b: TensorInfo,
  transA: boolean,
  transB: boolean,
  out: OutSpec,
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const [batch, m, n] = out.shape;
  const k = transA ? a.shape[1] : a.shape[2];
  const u = params();
  u[M] = m, u[N] = n;
  u[A_BATCH] = a.shape[0] === 1 ? 0 : m * k;
  u[B_BATCH] = b.shape[0] === 1 ? 0 : k * n;
  // Element (row, p) of op(A) is A[row * A_ROW + p * A_COL]; likewise for B.
  u[A_ROW] = transA ? 1 : k, u[A_COL] = transA ? m : 1;
  u[B_ROW] = transB ? 1 : n, u[B_COL] = transB ? k : 1;
  // Fold the batch into the other operand's side where one operand is shared.
  const foldCols = batch > 1 && a.shape[0] === 1;
  const foldRows = batch > 1 && !foldCols && b.shape[0] === 1;
  const vm = foldRows ? batch * m : m, vn = foldCols ? batch * n : n;
  u[VM] = vm, u[VN] = vn, u[ROWS_PER] = m;
  const wx = arrangement(vm, vn);
  u[WX] = wx;
  const dot = vm * vn <= DOT_MAX;
  u[DOT] = dot ? 1 : 0;
  const gx = dot ? 1 : Math.ceil(vn / (TILE * wx)), gy = dot ? 1 : Math.ceil(vm / (64 * TILE / wx));
  const pipeline = ctx.rec.pipeline("matmul", () => SHADER);
  const buffers = [
    k ? ctx.buffer(a) : ctx.rec.dummy,
    k ? ctx.buffer(b) : ctx.rec.dummy,
    result.buffer!,
  ];
  const zBatches = foldCols || foldRows ? 1 : batch;
  // Tiles and batches beyond maxComputeWorkgroupsPerDimension go in several
  // dispatches, and so do k ranges longer than K_SPAN (each later one adds into C).
  const most = ctx.maxGroups;
  for (let z = 0; z < zBatches; z += most) {
    for (let y = 0; y < gy; y += most) {
      for (let x = 0; x < gx; x += most) {
        for (let k0 = 0; k0 === 0 || k0 < k; k0 += K_SPAN) {
          const part = u.slice();
          part[BATCH_BASE] = z, part[Y_BASE] = y, part[X_BASE] = x;
          part[K_BEGIN] = k0;
          part[K_END] = Math.min(k, k0 + K_SPAN);
          part[ACCUMULATE] = k0 > 0 ? 1 : 0;
          const groups = [
            Math.min(most, gx - x),
            Math.min(most, gy - y),
            Math.min(most, zBatches - z),
          ];
          ctx.rec.dispatch(pipeline, part, buffers, groups as [number, number, number]);
        }
      }
    }
  }
  return result;
}
