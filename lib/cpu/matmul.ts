/**
 * Batched matrix multiply on typed arrays: the CPU kernel behind `matmul`
 * (and, through `im2col`, behind convolution).
 *
 * The structure follows the classic GotoBLAS / BLIS design, scaled down to
 * what a JavaScript JIT can exploit:
 *
 * - The operands are copied ("packed") block by block into Float64 scratch
 *   buffers laid out in exactly the order the inner kernel reads them. The
 *   kernel then walks memory strictly sequentially whatever the original
 *   layout, so transposed operands cost nothing extra, and it only ever sees
 *   one array type (Float64Array), which keeps V8's code for it monomorphic
 *   and its float32 inputs exact.
 * - The inner "micro-kernel" computes a `MR` x `NR` tile
 *   of C in local variables. Each step over k loads MR values of A and NR of
 *   B and does MR*NR multiply-adds; a naive loop does one multiply-add per
 *   load of B plus a load and store of C. Typed-array loads are what costs in
 *   V8 (each has a bounds check), so this ratio is the main speed-up.
 * - Blocking over k (`KC`), m (`MC`) and n
 *   (`NC`) sizes the packed buffers so a strip of B stays in L1
 *   while the packed block of A is streamed from L2.
 *
 * @module
 */

/** Where each operand of a batched matmul lives and whether it is stored transposed. */
export interface MatmulLayout {
  /** Elements between consecutive A matrices in `a`; 0 broadcasts one A to every batch. */
  aBatchStride: number;
  /** Elements between consecutive B matrices in `b`; 0 broadcasts one B to every batch. */
  bBatchStride: number;
  /** A is stored as `[k, m]` (its transpose) instead of `[m, k]`. */
  transA: boolean;
  /** B is stored as `[n, k]` (its transpose) instead of `[k, n]`. */
  transB: boolean;
}

type Floats = Float32Array | Float64Array;

/**
 * Rows of the register tile. 4x4 measured fastest in V8 on x64 (larger tiles
 * spill more accumulators to the stack than they save in loads). `kernel`
 * and `pack` (which packs both A and B strips) are written out for 4: change
 * them together.
 */
const MR = 4;
/** Columns of the register tile. */
const NR = 4;
/** Depth of a packed block: a KC x NR strip of B (8 KiB) stays in L1 while it is reused. */
const KC = 256;
/** Rows of A packed at once: an MC x KC block (128 KiB) stays in L2 across all strips of B. */
const MC = 64;
/** Columns of B packed at once: a KC x NC panel (2 MiB) lives in L2/L3, reused by every A block. */
const NC = 1024;
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL = 4096;

// Scratch buffers reused across calls, so steady-state training allocates
// nothing here (matmulInto is synchronous and never re-entered, so sharing
// them is safe). They grow to the largest block seen, at most 2.1 MiB.
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
const tile = new Float64Array(MR * NR);

/**
 * Batched matrix product `out[i] = op(A_i) @ op(B_i)` on flat typed arrays.
 *
 * For each batch index `i`, A_i starts at `i * aBatchStride` in `a` and is
 * stored row-major as `[m, k]` (or `[k, m]` when `transA`); B_i starts at
 * `i * bBatchStride` in `b` and is stored `[k, n]` (or `[n, k]` when
 * `transB`). A stride of 0 broadcasts one matrix to every batch. `out` holds
 * `batch` consecutive row-major `[m, n]` results and is overwritten, not
 * accumulated into; with `k = 0` the results are zeros. `out` must not
 * overlap `a` or `b`. Products are summed in float64 and rounded into `out`
 * once per 256 steps of k, so float32 results are at least as accurate as a
 * float32 loop.
 *
 * @param a Left operand(s).
 * @param b Right operand(s).
 * @param out Destination, at least `batch * m * n` elements.
 * @param batch Number of products.
 * @param m Rows of each result.
 * @param k Contracted dimension.
 * @param n Columns of each result.
 * @param layout Batch strides and transposition flags.
 *
 * @example Plain and transposed products
 * ```ts
 * import { matmulInto } from "./matmul.ts";
 * import assert from "node:assert/strict";
 * const a = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]
 * const b = new Float32Array([1, 0, 0, 1, 1, 1]); // [3, 2]
 * const out = new Float32Array(4);
 * const layout = { aBatchStride: 0, bBatchStride: 0, transA: false, transB: false };
 * matmulInto(a, b, out, 1, 2, 3, 2, layout);
 * assert.deepEqual(Array.from(out), [4, 5, 10, 11]);
 * // a read as [3, 2] and transposed: A^T is [[1, 3, 5], [2, 4, 6]].
 * matmulInto(a, b, out, 1, 2, 3, 2, { ...layout, transA: true });
 * assert.deepEqual(Array.from(out), [6, 8, 8, 10]);
 * ```
 */
export function matmulInto(
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  out: Float32Array | Float64Array,
  batch: number,
  m: number,
  k: number,
  n: number,
  layout: MatmulLayout,
): void {
  const { aBatchStride, bBatchStride, transA, transB } = layout;
  // Element (row, col) of A_i is a[aOff + row * aRow + col * aCol]; likewise for B.
  const aRow = transA ? 1 : k, aCol = transA ? m : 1;
  const bRow = transB ? 1 : n, bCol = transB ? k : 1;
  const mn = m * n;
  checkExtent("a", a, batch, aBatchStride, m * k);
  checkExtent("b", b, batch, bBatchStride, k * n);
  checkExtent("out", out, batch, mn, mn);
  for (let i = 0; i < batch; i++) {
    const aOff = i * aBatchStride, bOff = i * bBatchStride, cOff = i * mn;
    if (k === 0) {
      out.fill(0, cOff, cOff + mn);
    } else if (m * n * k <= SMALL || m < MR || (n < NR && !transA)) {
      direct(a, aOff, aRow, aCol, b, bOff, bRow, bCol, out, cOff, m, k, n);
    } else {
      blocked(a, aOff, aRow, aCol, b, bOff, bRow, bCol, out, cOff, m, k, n);
    }
  }
}

function checkExtent(name: string, x: Floats, batch: number, stride: number, size: number): void {
  const need = batch === 0 || size === 0 ? 0 : (batch - 1) * stride + size;
  if (x.length < need) {
    throw new RangeError(`matmulInto: ${name} has ${x.length} elements, needs ${need}`);
  }
}

/**
 * Products too small or too thin for the register tile: tiny ones (packing
 * would dominate) and those with fewer rows than a tile (most of the tile
 * would be padding). Picks the loop order that reads B contiguously.
 */
function direct(
  a: Floats,
  aOff: number,
  aRow: number,
  aCol: number,
  b: Floats,
  bOff: number,
  bRow: number,
  bCol: number,
  out: Floats,
  cOff: number,
  m: number,
  k: number,
  n: number,
): void {
  if (bCol === 1 && n >= NR) {
    // Rows of B are contiguous: i-k-j, streaming a row of B into a row of C.
    out.fill(0, cOff, cOff + m * n);
    for (let i = 0; i < m; i++) {
      const c0 = cOff + i * n;
      for (let p = 0; p < k; p++) {
        const aip = a[aOff + i * aRow + p * aCol];
        const b0 = bOff + p * bRow;
        for (let j = 0; j < n; j++) out[c0 + j] += aip * b[b0 + j];
      }
    }
  } else {
    // Columns of B are contiguous (or short): one dot product per output.
    for (let i = 0; i < m; i++) {
      const a0 = aOff + i * aRow;
      for (let j = 0; j < n; j++) {
        const b0 = bOff + j * bCol;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[a0 + p * aCol] * b[b0 + p * bRow];
        out[cOff + i * n + j] = sum;
      }
    }
  }
}

/** One product through packed, cache-sized blocks and the register-tile kernel. */
function blocked(
  a: Floats,
  aOff: number,
  aRow: number,
  aCol: number,
  b: Floats,
  bOff: number,
  bRow: number,
  bCol: number,
  out: Floats,
  cOff: number,
  m: number,
  k: number,
  n: number,
): void {
  const kcMax = Math.min(KC, k);
  const needA = Math.min(MC, roundUp(m, MR)) * kcMax;
  const needB = Math.min(NC, roundUp(n, NR)) * kcMax;
  if (packedA.length < needA) packedA = new Float64Array(needA);
  if (packedB.length < needB) packedB = new Float64Array(needB);
  const ap = packedA, bp = packedB;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      // The first k block overwrites C, later ones add to it.
      const accumulate = pc > 0;
      pack(b, bOff + pc * bRow + jc * bCol, bCol, bRow, nc, kc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        pack(a, aOff + ic * aRow + pc * aCol, aRow, aCol, mc, kc, ap);
        // Strip of B outermost: it stays in L1 while every strip of A streams past it.
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            kernel(kc, ap, ir * kc, bp, jr * kc, tile);
            const rows = Math.min(MR, mc - ir);
            storeTile(out, cOff + (ic + ir) * n + jc + jr, n, rows, cols, accumulate);
          }
        }
      }
    }
  }
}

function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}

/**
 * Packs an `rows x kc` block as consecutive 4-row strips, each stored k-major
 * (4 values per k step), so the kernel reads it sequentially. Element (i, p)
 * of the block is `x[off + i * rowStride + p * kStride]`: A's block packs
 * with A's strides, B's with its strides swapped (its columns are the rows
 * here). The last strip's missing rows are zero-padded: the kernel always
 * computes a full tile and `storeTile` discards the padded part, so there is
 * no edge case in the hot loop.
 */
function pack(
  x: Floats,
  off: number,
  rowStride: number,
  kStride: number,
  rows: number,
  kc: number,
  out: Float64Array,
): void {
  let o = 0;
  for (let i0 = 0; i0 < rows; i0 += MR) {
    const r0 = off + i0 * rowStride;
    if (i0 + MR <= rows) {
      const r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
      for (let p = 0, q = 0; p < kc; p++, q += kStride) {
        out[o] = x[r0 + q];
        out[o + 1] = x[r1 + q];
        out[o + 2] = x[r2 + q];
        out[o + 3] = x[r3 + q];
        o += MR;
      }
    } else {
      const left = rows - i0;
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          out[o + r] = r < left ? x[r0 + r * rowStride + p * kStride] : 0;
        }
        o += MR;
      }
    }
  }
}

/**
 * The register tile: `tile = Ap_strip @ Bp_strip` over kc steps, with all
 * 16 partial sums in locals so that each loaded value is used four times.
 */
function kernel(
  kc: number,
  ap: Float64Array,
  ai: number,
  bp: Float64Array,
  bi: number,
  tile: Float64Array,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  // `| 0` tells V8 the index arithmetic is int32 and cannot overflow, which
  // drops an overflow check per load (packed buffers are far below 2^31).
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ai], a1 = ap[(ai + 1) | 0], a2 = ap[(ai + 2) | 0], a3 = ap[(ai + 3) | 0];
    let b = bp[bi];
    c00 += a0 * b, c10 += a1 * b, c20 += a2 * b, c30 += a3 * b;
    b = bp[(bi + 1) | 0];
    c01 += a0 * b, c11 += a1 * b, c21 += a2 * b, c31 += a3 * b;
    b = bp[(bi + 2) | 0];
    c02 += a0 * b, c12 += a1 * b, c22 += a2 * b, c32 += a3 * b;
    b = bp[(bi + 3) | 0];
    c03 += a0 * b, c13 += a1 * b, c23 += a2 * b, c33 += a3 * b;
    ai = (ai + MR) | 0;
    bi = (bi + NR) | 0;
  }
  tile[0] = c00, tile[1] = c01, tile[2] = c02, tile[3] = c03;
  tile[4] = c10, tile[5] = c11, tile[6] = c12, tile[7] = c13;
  tile[8] = c20, tile[9] = c21, tile[10] = c22, tile[11] = c23;
  tile[12] = c30, tile[13] = c31, tile[14] = c32, tile[15] = c33;
}

/** Writes (or adds) the valid rows x cols corner of the tile into C. */
function storeTile(
  out: Floats,
  c0: number,
  ldc: number,
  rows: number,
  cols: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    const c = c0 + r * ldc, t = r * NR;
    if (accumulate) { for (let j = 0; j < cols; j++) out[c + j] += tile[t + j]; }
    else for (let j = 0; j < cols; j++) out[c + j] = tile[t + j];
  }
}
