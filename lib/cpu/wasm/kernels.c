// WebAssembly SIMD kernels of the fast CPU backend (lib/cpu/fast_backend.ts).
// Built by `deno task build:wasm` (lib/cpu/wasm/build.ts) with Debian's
// clang-14 + wasm-ld into kernels_wasm.ts; float32 only (float64 and int32
// stay on the plain-JS reference kernels).
//
// Rules that keep results reproducible:
// - no fused multiply-add (relaxed SIMD): every product is rounded, then
//   added, so results are the same on every machine;
// - matmul work is split into fixed jobs (see mm_run); each output element
//   is computed by the same sequence of operations whichever thread runs its
//   job, so the result is bit-identical for any number of threads;
// - NaN propagates through relu, step, sign, max/min (NaN in, NaN out).
//
// Pointers are byte offsets into the one shared memory; JavaScript owns the
// allocator. Threads other than the main one only run mm_run.

#include <stdint.h>
#include <wasm_simd128.h>

typedef v128_t f4;

// ---------------------------------------------------------------- matmul --

// Register tile MR x NR: 4 rows x 8 columns = 8 f32x4 accumulators, which with
// the two B vectors, the broadcast A value and a product temporary fits the
// 16 SIMD registers V8 uses on x64 without spilling.
#define MR 4
#define NR 8
// Depth of a packed block: a KC x NR strip of B (8 KiB) stays in L1.
#ifndef KC
#define KC 256
#endif
// Rows of A packed at once: MC x KC floats (64 KiB) stay in L2.
#ifndef MC
#define MC 64
#endif
// Columns of one job (and of one packed panel of B, KC x NJ floats = 256 KiB).
#ifndef NJ
#define NJ 256
#endif
// Rows of one job.
#ifndef MJ
#define MJ 256
#endif

// What mm_run reads: one batched product out[i] = op(A_i) op(B_i).
typedef struct {
  const float *a, *b;
  float *c;
  int32_t batch, m, n, k;
  int32_t a_batch, b_batch;  // elements between matrices; 0 broadcasts
  int32_t a_row, a_col;      // element (i, p) of A_i at a[i*a_row + p*a_col]
  int32_t b_row, b_col;      // element (p, j) of B_i at b[p*b_row + j*b_col]
  int32_t call_lo, call_hi;  // which call this is (JavaScript counts them)
} MatmulDesc;

// Scratch floats one thread needs for mm_run: packed A block, packed B panel
// (the window kernels use the same floats for a padded plane), then a PackMemo.
#define MM_SCRATCH (MC * KC + KC * NJ)
#define MEMO_FLOATS 8

int32_t mm_scratch_floats(void) { return MM_SCRATCH + MEMO_FLOATS; }

// Packs rows [0, rows) x depth [0, kc) of x (element (i, p) at x[i*rs + p*ks])
// as strips of `w` rows, k-major, zero-padding the last strip.
static void pack(const float *x, int32_t rs, int32_t ks, int32_t rows, int32_t kc,
                 int32_t w, float *out) {
  for (int32_t i0 = 0; i0 < rows; i0 += w) {
    int32_t left = rows - i0 < w ? rows - i0 : w;
    const float *r0 = x + i0 * rs;
    if (rs == 1 && left == w) {
      // The w rows of one k step are contiguous: copy them as vectors.
      for (int32_t p = 0; p < kc; p++) {
        const float *src = r0 + p * ks;
        for (int32_t r = 0; r < w; r += 4) wasm_v128_store(out + r, wasm_v128_load(src + r));
        out += w;
      }
    } else {
      for (int32_t p = 0; p < kc; p++) {
        const float *src = r0 + p * ks;
        int32_t r = 0;
        for (; r < left; r++) out[r] = src[r * rs];
        for (; r < w; r++) out[r] = 0.0f;
        out += w;
      }
    }
  }
}

// Which block of A the thread's scratch holds packed: with A broadcast over
// the batch (a convolution's weights), every batch entry's job packs the same
// block, so a thread packs it once per call. Keyed by the call, so weights
// changed in place between calls are packed again.
typedef struct {
  int32_t valid, call_lo, call_hi, src, mc, kc;
} PackMemo;

static PackMemo *memo_of(float *scratch) { return (PackMemo *)(scratch + MM_SCRATCH); }

// Packs block `src` of A (mc x kc) into ap unless the scratch holds it already.
static void pack_a(const MatmulDesc *d, const float *src, int32_t mc, int32_t kc, float *ap,
                   PackMemo *memo) {
  if (d->a_batch == 0 && memo->valid && memo->call_lo == d->call_lo &&
      memo->call_hi == d->call_hi && memo->src == (int32_t)(intptr_t)src && memo->mc == mc &&
      memo->kc == kc)
    return;
  pack(src, d->a_row, d->a_col, mc, kc, MR, ap);
  memo->valid = d->a_batch == 0;
  memo->call_lo = d->call_lo, memo->call_hi = d->call_hi;
  memo->src = (int32_t)(intptr_t)src, memo->mc = mc, memo->kc = kc;
}

// Writes (or with acc adds) the first `cols` of one tile row x0|x1 to d:
// whole vectors where the row has them, so a tile cut short by the edge of C
// (few rows, or a last strip of 4 columns) still stores vectors. A lane adds
// the same two floats whichever way it is stored.
static void store_row(float *d, f4 x0, f4 x1, int32_t cols, int32_t acc) {
  if (cols == NR) {
    if (acc) x0 = wasm_f32x4_add(wasm_v128_load(d), x0), x1 = wasm_f32x4_add(wasm_v128_load(d + 4), x1);
    wasm_v128_store(d, x0);
    wasm_v128_store(d + 4, x1);
    return;
  }
  float t[NR];
  wasm_v128_store(t, x0);
  wasm_v128_store(t + 4, x1);
  int32_t j = 0;
  if (cols >= 4) {
    wasm_v128_store(d, acc ? wasm_f32x4_add(wasm_v128_load(d), x0) : x0);
    j = 4;
  }
  for (; j < cols; j++) d[j] = acc ? d[j] + t[j] : t[j];
}

// tile (+)= A[R x kc] * B[kc x NR] for the first R <= MR rows of a tile,
// where the MR values of A for step p are at ap + p*as and the NR values of B
// at bp + p*bs (a packed strip, or the operand itself where it is laid out
// that way); writes rows R x cols of c (row stride ldc). Inlined with R a
// constant, so a tile cut short by the last rows of C (a convolution's 6
// output channels: 4 + 2) computes only its rows.
static inline __attribute__((always_inline)) void micro_rows(
    int32_t R, int32_t kc, const float *ap, int32_t as, const float *bp, int32_t bs, float *c,
    int32_t ldc, int32_t cols, int32_t acc) {
  f4 c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00;
  f4 c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int32_t p = 0; p < kc; p++) {
    f4 b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    f4 a = wasm_v128_load32_splat(ap);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    if (R > 1) {
      a = wasm_v128_load32_splat(ap + 1);
      c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
      c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    }
    if (R > 2) {
      a = wasm_v128_load32_splat(ap + 2);
      c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
      c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    }
    if (R > 3) {
      a = wasm_v128_load32_splat(ap + 3);
      c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
      c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    }
    ap += as;
    bp += bs;
  }
  store_row(c, c00, c01, cols, acc);
  if (R > 1) store_row(c + ldc, c10, c11, cols, acc);
  if (R > 2) store_row(c + 2 * ldc, c20, c21, cols, acc);
  if (R > 3) store_row(c + 3 * ldc, c30, c31, cols, acc);
}

// One register tile of `rows` (1..MR) rows: see micro_rows.
static void micro(int32_t kc, const float *ap, int32_t as, const float *bp, int32_t bs,
                  float *c, int32_t ldc, int32_t rows, int32_t cols, int32_t acc) {
  switch (rows) {
    case 4: micro_rows(4, kc, ap, as, bp, bs, c, ldc, cols, acc); break;
    case 3: micro_rows(3, kc, ap, as, bp, bs, c, ldc, cols, acc); break;
    case 2: micro_rows(2, kc, ap, as, bp, bs, c, ldc, cols, acc); break;
    default: micro_rows(1, kc, ap, as, bp, bs, c, ldc, cols, acc); break;
  }
}

// C = A Bᵀ with both operands contiguous along k (a linear layer's forward,
// a weight gradient): dot products, no packing. Each output is the sum of
// four lanes (lane l adds the products p = l mod 4 in order), then the
// k mod 4 leftover products; the same order wherever the output sits.
static float dot_tail(float s, const float *a, const float *b, int32_t k4, int32_t k) {
  for (int32_t p = k4; p < k; p++) s += a[p] * b[p];
  return s;
}

static float hsum(f4 v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
         (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

static void dot_job(const float *a, int32_t lda, const float *b, int32_t ldb, float *c,
                    int32_t ldc, int32_t m, int32_t n, int32_t k) {
  int32_t k4 = k & ~3, i = 0;
  for (; i + 2 <= m; i += 2) {
    const float *a0 = a + i * lda, *a1 = a0 + lda;
    int32_t j = 0;
    for (; j + 4 <= n; j += 4) {
      const float *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
      f4 s00 = wasm_f32x4_splat(0), s01 = s00, s02 = s00, s03 = s00;
      f4 s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (int32_t p = 0; p < k4; p += 4) {
        f4 x0 = wasm_v128_load(a0 + p), x1 = wasm_v128_load(a1 + p), y = wasm_v128_load(b0 + p);
        s00 = wasm_f32x4_add(s00, wasm_f32x4_mul(x0, y));
        s10 = wasm_f32x4_add(s10, wasm_f32x4_mul(x1, y));
        y = wasm_v128_load(b1 + p);
        s01 = wasm_f32x4_add(s01, wasm_f32x4_mul(x0, y));
        s11 = wasm_f32x4_add(s11, wasm_f32x4_mul(x1, y));
        y = wasm_v128_load(b2 + p);
        s02 = wasm_f32x4_add(s02, wasm_f32x4_mul(x0, y));
        s12 = wasm_f32x4_add(s12, wasm_f32x4_mul(x1, y));
        y = wasm_v128_load(b3 + p);
        s03 = wasm_f32x4_add(s03, wasm_f32x4_mul(x0, y));
        s13 = wasm_f32x4_add(s13, wasm_f32x4_mul(x1, y));
      }
      float *c0 = c + i * ldc + j, *c1 = c0 + ldc;
      c0[0] = dot_tail(hsum(s00), a0, b0, k4, k), c0[1] = dot_tail(hsum(s01), a0, b1, k4, k);
      c0[2] = dot_tail(hsum(s02), a0, b2, k4, k), c0[3] = dot_tail(hsum(s03), a0, b3, k4, k);
      c1[0] = dot_tail(hsum(s10), a1, b0, k4, k), c1[1] = dot_tail(hsum(s11), a1, b1, k4, k);
      c1[2] = dot_tail(hsum(s12), a1, b2, k4, k), c1[3] = dot_tail(hsum(s13), a1, b3, k4, k);
    }
    for (; j < n; j++) {
      const float *b0 = b + j * ldb;
      f4 s0 = wasm_f32x4_splat(0), s1 = s0;
      for (int32_t p = 0; p < k4; p += 4) {
        f4 y = wasm_v128_load(b0 + p);
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a0 + p), y));
        s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(wasm_v128_load(a1 + p), y));
      }
      c[i * ldc + j] = dot_tail(hsum(s0), a0, b0, k4, k);
      c[(i + 1) * ldc + j] = dot_tail(hsum(s1), a1, b0, k4, k);
    }
  }
  for (; i < m; i++) {
    const float *a0 = a + i * lda;
    for (int32_t j = 0; j < n; j++) {
      const float *b0 = b + j * ldb;
      f4 s0 = wasm_f32x4_splat(0);
      for (int32_t p = 0; p < k4; p += 4)
        s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(wasm_v128_load(a0 + p), wasm_v128_load(b0 + p)));
      c[i * ldc + j] = dot_tail(hsum(s0), a0, b0, k4, k);
    }
  }
}

// Whether a product runs as dot products: A rows and B columns contiguous
// along k, and small enough that the operands stay in cache without blocking.
static int32_t use_dot(const MatmulDesc *d) {
  return d->a_col == 1 && d->b_row == 1 && (d->m <= 64 || d->n <= 64);
}

// One job: rows [i0, i0+mj) x columns [j0, j0+nj) of product `bi`.
static void mm_job(const MatmulDesc *d, int32_t bi, int32_t i0, int32_t mj, int32_t j0,
                   int32_t nj, float *scratch) {
  float *ap = scratch, *bp = scratch + MC * KC;
  const float *a = d->a + bi * d->a_batch + i0 * d->a_row;
  const float *b = d->b + bi * d->b_batch + j0 * d->b_col;
  float *c = d->c + bi * d->m * d->n + i0 * d->n + j0;
  int32_t n = d->n;
  if (d->k == 0) {
    for (int32_t i = 0; i < mj; i++)
      for (int32_t j = 0; j < nj; j++) c[i * n + j] = 0.0f;
    return;
  }
  if (use_dot(d)) {
    dot_job(a, d->a_row, b, d->b_col, c, n, mj, nj, d->k);
    return;
  }
  // Few rows: packing B would cost more than it saves, so the kernel reads
  // whole 8-column strips of B in place (rows of B contiguous); only a
  // ragged last strip is packed.
  int32_t direct_b = d->b_col == 1 && mj <= 32;
  for (int32_t pc = 0; pc < d->k; pc += KC) {
    int32_t kc = d->k - pc < KC ? d->k - pc : KC;
    // The first block of k overwrites C, later ones add to it.
    int32_t acc = pc > 0;
    const float *bk = b + pc * d->b_row;
    int32_t full = direct_b ? nj / NR * NR : 0;
    pack(bk + full * d->b_col, d->b_col, d->b_row, nj - full, kc, NR, bp);
    for (int32_t ic = 0; ic < mj; ic += MC) {
      int32_t mc = mj - ic < MC ? mj - ic : MC;
      pack_a(d, a + ic * d->a_row + pc * d->a_col, mc, kc, ap, memo_of(scratch));
      for (int32_t jr = 0; jr < nj; jr += NR) {
        int32_t cols = nj - jr < NR ? nj - jr : NR;
        const float *bs = jr < full ? bk + jr : bp + (jr - full) * kc;
        int32_t bstride = jr < full ? d->b_row : NR;
        for (int32_t ir = 0; ir < mc; ir += MR) {
          int32_t rows = mc - ir < MR ? mc - ir : MR;
          micro(kc, ap + ir * kc, MR, bs, bstride, c + (ic + ir) * n + jr, n, rows, cols, acc);
        }
      }
    }
  }
}

// A product with fewer jobs than this has its jobs cut smaller (see mm_grid).
#define MIN_JOBS 8
// ... as long as a job keeps at least this many multiply-adds (~40 us).
#define MIN_JOB_MACS (1 << 19)

static int32_t ceil_div(int32_t a, int32_t b) { return (a + b - 1) / b; }

// The job grid of a product: blocks of mjb rows x njb columns per batch entry,
// MJ x NJ unless that gives fewer than MIN_JOBS jobs (a linear layer's 64 x
// 100 product is one block), in which case the larger side of a block is
// halved (in whole tiles) while a job keeps MIN_JOB_MACS. It depends on the
// shape only, never on the number of threads; and where an output's block
// boundaries fall does not change how it is computed (the same sums in the
// same order), so results are the same for every grid.
static void mm_grid(const MatmulDesc *d, int32_t *mjb, int32_t *njb) {
  int32_t mb = d->m < MJ ? d->m : MJ, nb = d->n < NJ ? d->n : NJ;
  while ((int64_t)d->batch * ceil_div(d->m, mb > 0 ? mb : 1) * ceil_div(d->n, nb > 0 ? nb : 1) <
             MIN_JOBS &&
         (int64_t)mb * nb * d->k >= 2 * MIN_JOB_MACS) {
    if (nb >= mb && nb > NR) nb = ceil_div(ceil_div(nb, 2), NR) * NR;
    else if (mb > MR) mb = ceil_div(ceil_div(mb, 2), MR) * MR;
    else break;
  }
  *mjb = mb > 0 ? mb : 1;
  *njb = nb > 0 ? nb : 1;
}

// Number of jobs of a product: the fixed grid of mm_grid per batch entry,
// independent of the number of threads.
int32_t mm_jobs(const MatmulDesc *d) {
  int32_t mjb, njb;
  mm_grid(d, &mjb, &njb);
  return d->batch * ceil_div(d->m, mjb) * ceil_div(d->n, njb);
}

// Runs jobs first, first + step, ... < last (each thread takes a fixed set).
void mm_run(const MatmulDesc *d, int32_t first, int32_t last, int32_t step, float *scratch) {
  int32_t mjb, njb;
  mm_grid(d, &mjb, &njb);
  int32_t mb = ceil_div(d->m, mjb), nb = ceil_div(d->n, njb);
  for (int32_t job = first; job < last; job += step) {
    int32_t bi = job / (mb * nb), rest = job % (mb * nb);
    int32_t i0 = (rest / nb) * mjb, j0 = (rest % nb) * njb;
    int32_t mj = d->m - i0 < mjb ? d->m - i0 : mjb, nj = d->n - j0 < njb ? d->n - j0 : njb;
    mm_job(d, bi, i0, mj, j0, nj, scratch);
  }
}

// ---------------------------------------------------------- im2col/col2im --

// Window geometry, as in op_set.ts.
typedef struct {
  int32_t n, c, h, w, kh, kw, stride, padding, out_h, out_w;
} Geom;

static int32_t max_i(int32_t a, int32_t b) { return a > b ? a : b; }
static int32_t min_i(int32_t a, int32_t b) { return a < b ? a : b; }

// Output columns [start, end) whose input column ox*stride + shift is inside [0, w).
static void valid_range(int32_t shift, int32_t stride, int32_t w, int32_t out_w,
                        int32_t *start, int32_t *end) {
  int32_t s = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  int32_t e = w - 1 - shift < 0 ? 0 : (w - 1 - shift) / stride + 1;
  *start = min_i(s, out_w);
  *end = max_i(*start, min_i(out_w, e));
}

// Planes (image, channel) [first, last) of im2col / col2im: each plane's
// columns depend on that plane only, so threads can split the planes.
// These row-by-row versions serve planes too large for the scratch block.
static void im2col_rows(const float *restrict x, const Geom *g, float *restrict out,
                        int32_t first, int32_t last) {
  int32_t hw = g->h * g->w, s = g->stride, ow = g->out_w;
  out += first * g->kh * g->kw * g->out_h * ow;
  for (int32_t nc = first; nc < last; nc++) {
    const float *plane = x + nc * hw;
    for (int32_t ky = 0; ky < g->kh; ky++) {
      for (int32_t kx = 0; kx < g->kw; kx++) {
        int32_t x0, x1;
        valid_range(kx - g->padding, s, g->w, ow, &x0, &x1);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
          int32_t iy = oy * s + ky - g->padding;
          int32_t ox = 0;
          if (iy >= 0 && iy < g->h) {
            const float *src = plane + iy * g->w + kx - g->padding;
            for (; ox < x0; ox++) out[ox] = 0.0f;
            if (s == 1) {
              for (; ox < x1; ox++) out[ox] = src[ox];
            } else {
              for (; ox < x1; ox++) out[ox] = src[ox * s];
            }
          }
          for (; ox < ow; ox++) out[ox] = 0.0f;
          out += ow;
        }
      }
    }
  }
}

static void col2im_rows(const float *restrict cols, const Geom *g, float *restrict out,
                        int32_t first, int32_t last) {
  int32_t hw = g->h * g->w, s = g->stride, ow = g->out_w;
  for (int32_t i = first * hw; i < last * hw; i++) out[i] = 0.0f;
  cols += first * g->kh * g->kw * g->out_h * ow;
  for (int32_t nc = first; nc < last; nc++) {
    float *plane = out + nc * hw;
    for (int32_t ky = 0; ky < g->kh; ky++) {
      for (int32_t kx = 0; kx < g->kw; kx++) {
        int32_t x0, x1;
        valid_range(kx - g->padding, s, g->w, ow, &x0, &x1);
        for (int32_t oy = 0; oy < g->out_h; oy++) {
          int32_t iy = oy * s + ky - g->padding;
          if (iy >= 0 && iy < g->h) {
            float *dst = plane + iy * g->w + kx - g->padding;
            if (s == 1) {
              for (int32_t ox = x0; ox < x1; ox++) dst[ox] += cols[ox];
            } else {
              for (int32_t ox = x0; ox < x1; ox++) dst[ox * s] += cols[ox];
            }
          }
          cols += ow;
        }
      }
    }
  }
}

// The fast window path works on one plane at a time in the scratch block: a
// copy of the plane with its zero padding around it (row stride pw), plus
// spare floats after it, so every window row lies inside the copy and the
// vector loads and stores below never need a bounds check.
#define PLANE_SPARE 8

static int32_t plane_fits(const Geom *g) {
  int32_t ph = g->h + 2 * g->padding, pw = g->w + 2 * g->padding;
  return (int64_t)ph * pw + PLANE_SPARE <= MM_SCRATCH;
}

// buf = plane with `pad` zeros on every side, then PLANE_SPARE zeros.
static void pad_plane(const float *plane, const Geom *g, float *buf) {
  int32_t pad = g->padding, pw = g->w + 2 * pad, ph = g->h + 2 * pad;
  int32_t total = ph * pw + PLANE_SPARE;
  if (pad > 0) {
    for (int32_t i = 0; i < total; i++) buf[i] = 0.0f;
  } else {
    for (int32_t i = ph * pw; i < total; i++) buf[i] = 0.0f;
  }
  for (int32_t y = 0; y < g->h; y++) {
    const float *src = plane + y * g->w;
    float *dst = buf + (y + pad) * pw + pad;
    for (int32_t x = 0; x < g->w; x++) dst[x] = src[x];
  }
}

// dst[ox] = src[ox*s] for ox < ow. Vectors for strides 1 and 2; a row of
// at least 4 ends with one more vector that overlaps the previous one
// (same values written twice) instead of a scalar tail.
static void gather_row(const float *src, int32_t s, int32_t ow, float *restrict dst) {
  if (ow >= 4 && s == 1) {
    int32_t ox = 0;
    for (; ox + 4 <= ow; ox += 4) wasm_v128_store(dst + ox, wasm_v128_load(src + ox));
    if (ox < ow) wasm_v128_store(dst + ow - 4, wasm_v128_load(src + ow - 4));
  } else if (ow >= 4 && s == 2) {
    int32_t ox = 0;
    for (;; ox += 4) {
      if (ox + 4 > ow) ox = ow - 4;
      f4 a = wasm_v128_load(src + 2 * ox), b = wasm_v128_load(src + 2 * ox + 4);
      wasm_v128_store(dst + ox, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
      if (ox + 4 >= ow) break;
    }
  } else {
    for (int32_t ox = 0; ox < ow; ox++) dst[ox] = src[ox * s];
  }
}

// dst[ox*s] += src[ox] for ox < ow, in order of ox (each pixel gets its terms
// in the same order as the reference). For stride 2 the vector adds +0 to
// the pixels in between (no change: these sums never hold -0).
static void scatter_row(const float *restrict src, int32_t s, int32_t ow, float *dst) {
  int32_t ox = 0;
  if (s == 1) {
    for (; ox + 4 <= ow; ox += 4)
      wasm_v128_store(dst + ox, wasm_f32x4_add(wasm_v128_load(dst + ox), wasm_v128_load(src + ox)));
    if (ox + 2 <= ow) {
      // Two more as one 64-bit lane pair.
      f4 d = wasm_v128_load64_zero(dst + ox), v = wasm_v128_load64_zero(src + ox);
      wasm_v128_store64_lane(dst + ox, wasm_f32x4_add(d, v), 0);
      ox += 2;
    }
  } else if (s == 2) {
    f4 zero = wasm_f32x4_splat(0.0f);
    for (; ox + 4 <= ow; ox += 4) {
      f4 v = wasm_v128_load(src + ox);
      float *d = dst + 2 * ox;
      wasm_v128_store(d, wasm_f32x4_add(wasm_v128_load(d), wasm_i32x4_shuffle(v, zero, 0, 4, 1, 5)));
      wasm_v128_store(d + 4,
                      wasm_f32x4_add(wasm_v128_load(d + 4), wasm_i32x4_shuffle(v, zero, 2, 6, 3, 7)));
    }
  }
  for (; ox < ow; ox++) dst[ox * s] += src[ox];
}

// Windows that do not overlap (2x2, stride 2: pooling): each pixel of the
// row gets one term, from the row of kx = 0 (even pixels, r0) or kx = 1 (odd,
// r1), written as 0 + v (what the reference's sum from zero gives: -0 turns
// +0); a row of at least 4 ends with an overlapping vector (the same values
// twice) instead of a tail.
static void place_pair(const float *restrict r0, const float *restrict r1, int32_t ow,
                       float *restrict dst) {
  f4 zero = wasm_f32x4_splat(0.0f);
  if (ow < 4) {
    for (int32_t ox = 0; ox < ow; ox++) dst[2 * ox] = 0.0f + r0[ox], dst[2 * ox + 1] = 0.0f + r1[ox];
    return;
  }
  for (int32_t ox = 0;; ox += 4) {
    if (ox + 4 > ow) ox = ow - 4;
    f4 a = wasm_f32x4_add(wasm_v128_load(r0 + ox), zero);
    f4 b = wasm_f32x4_add(wasm_v128_load(r1 + ox), zero);
    wasm_v128_store(dst + 2 * ox, wasm_i32x4_shuffle(a, b, 0, 4, 1, 5));
    wasm_v128_store(dst + 2 * ox + 4, wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
    if (ox + 4 >= ow) break;
  }
}

// 2x2 windows with stride 2 (pooling): they do not overlap.
static int32_t disjoint2(const Geom *g) {
  return g->stride == 2 && g->kh == 2 && g->kw == 2;
}

// Even pixels of a row into e, odd ones into o (ow of each); a row of at
// least 4 ends with an overlapping vector instead of a tail.
static void split_pair(const float *src, int32_t ow, float *restrict e, float *restrict o) {
  if (ow < 4) {
    for (int32_t ox = 0; ox < ow; ox++) e[ox] = src[2 * ox], o[ox] = src[2 * ox + 1];
    return;
  }
  for (int32_t ox = 0;; ox += 4) {
    if (ox + 4 > ow) ox = ow - 4;
    f4 a = wasm_v128_load(src + 2 * ox), b = wasm_v128_load(src + 2 * ox + 4);
    wasm_v128_store(e + ox, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
    wasm_v128_store(o + ox, wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
    if (ox + 4 >= ow) break;
  }
}

// im2col of one plane from its padded copy: window row (ky, kx, oy) starts
// at pixel (oy*s + ky, kx) of the copy.
static void im2col_plane(const float *buf, const Geom *g, float *restrict out) {
  int32_t pw = g->w + 2 * g->padding, s = g->stride, ow = g->out_w;
  if (disjoint2(g)) {
    // Both window columns from one pass over each input row.
    int32_t block = g->out_h * ow;
    for (int32_t ky = 0; ky < 2; ky++, out += 2 * block)
      for (int32_t oy = 0; oy < g->out_h; oy++)
        split_pair(buf + (oy * 2 + ky) * pw, ow, out + oy * ow, out + block + oy * ow);
    return;
  }
  for (int32_t ky = 0; ky < g->kh; ky++)
    for (int32_t kx = 0; kx < g->kw; kx++)
      for (int32_t oy = 0; oy < g->out_h; oy++, out += ow)
        gather_row(buf + (oy * s + ky) * pw + kx, s, ow, out);
}

// col2im of one plane: sums into the zeroed padded copy (what lands on the
// padding is dropped), then copies the inside out.
static void col2im_plane(const float *restrict cols, const Geom *g, float *buf, float *out) {
  int32_t pad = g->padding, pw = g->w + 2 * pad, s = g->stride, ow = g->out_w;
  int32_t total = (g->h + 2 * pad) * pw + PLANE_SPARE;
  int32_t disjoint = disjoint2(g);
  for (int32_t i = 0; i < total; i++) buf[i] = 0.0f;
  int32_t block = g->out_h * ow;
  if (disjoint) {
    for (int32_t ky = 0; ky < 2; ky++, cols += 2 * block)
      for (int32_t oy = 0; oy < g->out_h; oy++)
        place_pair(cols + oy * ow, cols + block + oy * ow, ow, buf + (oy * 2 + ky) * pw);
  } else {
    for (int32_t ky = 0; ky < g->kh; ky++)
      for (int32_t kx = 0; kx < g->kw; kx++)
        for (int32_t oy = 0; oy < g->out_h; oy++, cols += ow)
          scatter_row(cols, s, ow, buf + (oy * s + ky) * pw + kx);
  }
  for (int32_t y = 0; y < g->h; y++) {
    const float *src = buf + (y + pad) * pw + pad;
    for (int32_t x = 0; x < g->w; x++) out[y * g->w + x] = src[x];
  }
}

// Planes [first, last) of im2col; `scratch` holds one padded plane (the
// row-by-row version runs when it does not fit, or without scratch).
void im2col(const float *restrict x, const Geom *g, float *restrict out, int32_t first,
            int32_t last, float *scratch) {
  if (!scratch || !plane_fits(g)) {
    im2col_rows(x, g, out, first, last);
    return;
  }
  int32_t hw = g->h * g->w, cols = g->kh * g->kw * g->out_h * g->out_w;
  // Without padding, stride 1 and the 2x2 pooling windows never read past a
  // row's last pixel: they read the plane in place.
  int32_t in_place = g->padding == 0 && (g->stride == 1 || disjoint2(g));
  memo_of(scratch)->valid = 0;
  for (int32_t nc = first; nc < last; nc++) {
    const float *plane = x + nc * hw;
    if (!in_place) pad_plane(plane, g, scratch), plane = scratch;
    im2col_plane(plane, g, out + nc * cols);
  }
}

// Planes [first, last) of col2im (overwrites them); scratch as for im2col.
void col2im(const float *restrict cols, const Geom *g, float *restrict out, int32_t first,
            int32_t last, float *scratch) {
  if (!scratch || !plane_fits(g)) {
    col2im_rows(cols, g, out, first, last);
    return;
  }
  int32_t hw = g->h * g->w, per = g->kh * g->kw * g->out_h * g->out_w;
  memo_of(scratch)->valid = 0;
  for (int32_t nc = first; nc < last; nc++)
    col2im_plane(cols + nc * per, g, scratch, out + nc * hw);
}

// A window task: planes [job*per, (job+1)*per) of x into out.
typedef struct {
  const float *x;
  float *out;
  int32_t per, planes;
  Geom g;
} WindowDesc;

// Job `job` of a task the thread pool hands out: 0 matmul (desc: MatmulDesc),
// 1 im2col, 2 col2im (desc: WindowDesc).
void task(int32_t kind, const void *desc, int32_t job, float *scratch) {
  if (kind == 0) {
    mm_run((const MatmulDesc *)desc, job, job + 1, 1, scratch);
    return;
  }
  const WindowDesc *d = (const WindowDesc *)desc;
  int32_t first = job * d->per, last = min_i(d->planes, first + d->per);
  if (kind == 1) im2col(d->x, &d->g, d->out, first, last, scratch);
  else col2im(d->x, &d->g, d->out, first, last, scratch);
}

// ------------------------------------------------------------ elementwise --

// Op codes, shared with fast_backend.ts.
enum {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAXIMUM, OP_MINIMUM,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_COPY
};
enum { U_NEG, U_ABS, U_SQRT, U_RELU, U_STEP, U_SIGN };

static f4 isnan4(f4 x) { return wasm_f32x4_ne(x, x); }

static f4 binary4(int32_t op, f4 a, f4 b) {
  f4 one = wasm_f32x4_splat(1.0f);
  switch (op) {
    case OP_ADD: return wasm_f32x4_add(a, b);
    case OP_SUB: return wasm_f32x4_sub(a, b);
    case OP_MUL: return wasm_f32x4_mul(a, b);
    case OP_DIV: return wasm_f32x4_div(a, b);
    // As the reference: a where a >= b (or a is NaN), else b; NaN in b wins too.
    case OP_MAXIMUM: return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_ge(a, b), isnan4(a)));
    case OP_MINIMUM: return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_le(a, b), isnan4(a)));
    case OP_EQ: return wasm_v128_and(wasm_f32x4_eq(a, b), one);
    case OP_NE: return wasm_v128_and(wasm_f32x4_ne(a, b), one);
    case OP_LT: return wasm_v128_and(wasm_f32x4_lt(a, b), one);
    case OP_LE: return wasm_v128_and(wasm_f32x4_le(a, b), one);
    case OP_GT: return wasm_v128_and(wasm_f32x4_gt(a, b), one);
    case OP_GE: return wasm_v128_and(wasm_f32x4_ge(a, b), one);
    default: return a;
  }
}

// One scalar through the vector code, so both paths agree exactly.
static float binary1(int32_t op, float a, float b) {
  return wasm_f32x4_extract_lane(binary4(op, wasm_f32x4_splat(a), wasm_f32x4_splat(b)), 0);
}

// out[i] = a[i*sa] op b[i*sb] for i < n, with sa, sb in {0, 1} on the fast paths.
static void binary_row(int32_t op, const float *a, int32_t sa, const float *b, int32_t sb,
                       float *out, int32_t n) {
  int32_t i = 0;
  // Four vectors per iteration: one per iteration left V8's loop overhead the limit.
  if (sa == 1 && sb == 1) {
#pragma clang loop unroll_count(4)
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(out + i, binary4(op, wasm_v128_load(a + i), wasm_v128_load(b + i)));
  } else if (sa == 1 && sb == 0) {
    f4 vb = wasm_f32x4_splat(*b);
#pragma clang loop unroll_count(4)
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, binary4(op, wasm_v128_load(a + i), vb));
  } else if (sa == 0 && sb == 1) {
    f4 va = wasm_f32x4_splat(*a);
#pragma clang loop unroll_count(4)
    for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, binary4(op, va, wasm_v128_load(b + i)));
  }
  for (; i < n; i++) out[i] = binary1(op, a[i * sa], b[i * sb]);
}

// Broadcasting binary op over `nd` axes (already coalesced by the caller):
// operand strides sa, sb (0 on broadcast axes), output contiguous.
void binary_nd(int32_t op, int32_t nd, const int32_t *shape, const int32_t *sa,
               const int32_t *sb, const float *a, const float *b, float *out, int32_t *idx) {
  int32_t inner = shape[nd - 1], rows = 1;
  for (int32_t d = 0; d < nd - 1; d++) rows *= shape[d], idx[d] = 0;
  int32_t oa = 0, ob = 0;
  for (int32_t r = 0; r < rows; r++) {
    binary_row(op, a + oa, sa[nd - 1], b + ob, sb[nd - 1], out + r * inner, inner);
    for (int32_t d = nd - 2; d >= 0; d--) {
      oa += sa[d], ob += sb[d];
      if (++idx[d] < shape[d]) break;
      oa -= sa[d] * shape[d], ob -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

static f4 unary4(int32_t op, f4 x) {
  f4 zero = wasm_f32x4_splat(0.0f), one = wasm_f32x4_splat(1.0f);
  switch (op) {
    case U_NEG: return wasm_f32x4_neg(x);
    case U_ABS: return wasm_f32x4_abs(x);
    case U_SQRT: return wasm_f32x4_sqrt(x);
    // x where !(x <= 0) (positive or NaN), else +0.
    case U_RELU: return wasm_v128_andnot(x, wasm_f32x4_le(x, zero));
    case U_STEP: {
      f4 s = wasm_v128_and(wasm_f32x4_gt(x, zero), one);
      return wasm_v128_bitselect(x, s, isnan4(x));
    }
    case U_SIGN: {
      f4 s = wasm_v128_or(wasm_v128_and(wasm_f32x4_gt(x, zero), one),
                          wasm_v128_and(wasm_f32x4_lt(x, zero), wasm_f32x4_splat(-1.0f)));
      return wasm_v128_bitselect(x, s, isnan4(x));
    }
    default: return x;
  }
}

void unary(int32_t op, const float *x, float *out, int32_t n) {
  int32_t i = 0;
#pragma clang loop unroll_count(4)
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, unary4(op, wasm_v128_load(x + i)));
  for (; i < n; i++) out[i] = wasm_f32x4_extract_lane(unary4(op, wasm_f32x4_splat(x[i])), 0);
}

// ------------------------------------------------------------- reductions --

enum { R_SUM, R_MAX, R_MIN };

// dst (op)= src; NaN wins for max/min, as in the reference.
static f4 combine4(int32_t op, f4 d, f4 v) {
  if (op == R_SUM) return wasm_f32x4_add(d, v);
  f4 better = op == R_MAX ? wasm_f32x4_gt(v, d) : wasm_f32x4_lt(v, d);
  return wasm_v128_bitselect(v, d, wasm_v128_or(better, isnan4(v)));
}

static float combine1(int32_t op, float d, float v) {
  return wasm_f32x4_extract_lane(combine4(op, wasm_f32x4_splat(d), wasm_f32x4_splat(v)), 0);
}

// Reduces a contiguous row of n floats; sums in float64 like the reference.
static float reduce_row(int32_t op, const float *x, int32_t n, float init) {
  int32_t i = 0;
  if (op == R_SUM) {
    v128_t s0 = wasm_f64x2_splat(0), s1 = s0;
    for (; i + 4 <= n; i += 4) {
      f4 v = wasm_v128_load(x + i);
      s0 = wasm_f64x2_add(s0, wasm_f64x2_promote_low_f32x4(v));
      s1 = wasm_f64x2_add(s1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
    }
    v128_t s = wasm_f64x2_add(s0, s1);
    double acc = wasm_f64x2_extract_lane(s, 0) + wasm_f64x2_extract_lane(s, 1);
    for (; i < n; i++) acc += x[i];
    return (float)((double)init + acc);
  }
  f4 m = wasm_f32x4_splat(init);
  for (; i + 4 <= n; i += 4) m = combine4(op, m, wasm_v128_load(x + i));
  float r = combine1(op, init, wasm_f32x4_extract_lane(m, 0));
  r = combine1(op, r, wasm_f32x4_extract_lane(m, 1));
  r = combine1(op, r, wasm_f32x4_extract_lane(m, 2));
  r = combine1(op, r, wasm_f32x4_extract_lane(m, 3));
  for (; i < n; i++) r = combine1(op, r, x[i]);
  return r;
}

// Reduces x (coalesced shape, contiguous) into out, whose strides `so` are 0
// along reduced axes; out must hold the identity (0, -inf, +inf) already.
// dst[i] (op)= src[j*inner + i] for j = 0, 1, ..., k-1 in that order (as the
// row-by-row loop of reduce_nd does), each partial result kept in registers:
// one load and store of dst per element instead of k.
static void reduce_rows(int32_t op, const float *src, int32_t k, int32_t inner, float *dst) {
  int32_t i = 0;
  for (; i + 8 <= inner; i += 8) {
    f4 a = wasm_v128_load(dst + i), b = wasm_v128_load(dst + i + 4);
    for (int32_t j = 0; j < k; j++) {
      a = combine4(op, a, wasm_v128_load(src + j * inner + i));
      b = combine4(op, b, wasm_v128_load(src + j * inner + i + 4));
    }
    wasm_v128_store(dst + i, a);
    wasm_v128_store(dst + i + 4, b);
  }
  for (; i + 4 <= inner; i += 4) {
    f4 a = wasm_v128_load(dst + i);
    for (int32_t j = 0; j < k; j++) a = combine4(op, a, wasm_v128_load(src + j * inner + i));
    wasm_v128_store(dst + i, a);
  }
  for (; i < inner; i++) {
    float a = dst[i];
    for (int32_t j = 0; j < k; j++) a = combine1(op, a, src[j * inner + i]);
    dst[i] = a;
  }
}

// reduce_nd when the last axis is kept (contiguous in out) and the one
// before it reduced: each group of shape[nd-2] rows goes into one output
// row through reduce_rows. Same order of operations as the general loop.
static void reduce_middle(int32_t op, int32_t nd, const int32_t *shape, const int32_t *so,
                          const float *x, float *out, int32_t *idx) {
  int32_t inner = shape[nd - 1], k = shape[nd - 2], groups = 1;
  for (int32_t d = 0; d < nd - 2; d++) groups *= shape[d], idx[d] = 0;
  int32_t o = 0;
  for (int32_t r = 0; r < groups; r++) {
    reduce_rows(op, x + r * k * inner, k, inner, out + o);
    for (int32_t d = nd - 3; d >= 0; d--) {
      o += so[d];
      if (++idx[d] < shape[d]) break;
      o -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}

void reduce_nd(int32_t op, int32_t nd, const int32_t *shape, const int32_t *so,
               const float *x, float *out, int32_t *idx) {
  if (nd >= 2 && so[nd - 1] == 1 && so[nd - 2] == 0) {
    reduce_middle(op, nd, shape, so, x, out, idx);
    return;
  }
  int32_t inner = shape[nd - 1], rows = 1, io = so[nd - 1];
  for (int32_t d = 0; d < nd - 1; d++) rows *= shape[d], idx[d] = 0;
  int32_t o = 0;
  for (int32_t r = 0; r < rows; r++) {
    const float *src = x + r * inner;
    if (io == 0) {
      out[o] = reduce_row(op, src, inner, out[o]);
    } else {
      float *dst = out + o;
      int32_t i = 0;
      for (; i + 4 <= inner; i += 4)
        wasm_v128_store(dst + i, combine4(op, wasm_v128_load(dst + i), wasm_v128_load(src + i)));
      for (; i < inner; i++) dst[i] = combine1(op, dst[i], src[i]);
    }
    for (int32_t d = nd - 2; d >= 0; d--) {
      o += so[d];
      if (++idx[d] < shape[d]) break;
      o -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}

// ------------------------------------------------------- optimizer update --

// One optimizer update per parameter in a single pass (the optimStep
// primitive; the update is defined in lib/op_set.ts, OptimStepAttrs). Every
// operation is rounded in the order the composed elementwise ops use, so
// the result is bit-identical to them. The last n % 4 elements run the same
// vector code on a padded copy.

enum { OPT_DECAY = 1, OPT_MOMENTUM = 2, OPT_NESTEROV = 4, OPT_DECOUPLED = 8 };

typedef struct {
  f4 lr, mu, wd;
  int32_t flags;
} SgdConst;

static void sgd4(const SgdConst *k, const float *p, const float *g, const float *v, float *po,
                 float *vo) {
  f4 pv = wasm_v128_load(p), gv = wasm_v128_load(g);
  if (k->flags & OPT_DECAY) gv = wasm_f32x4_add(gv, wasm_f32x4_mul(pv, k->wd));
  f4 s = wasm_f32x4_mul(gv, k->lr);
  if (!(k->flags & OPT_MOMENTUM)) {
    wasm_v128_store(po, wasm_f32x4_sub(pv, s));
    return;
  }
  f4 v2 = wasm_f32x4_sub(wasm_f32x4_mul(wasm_v128_load(v), k->mu), s);
  wasm_v128_store(vo, v2);
  f4 move = k->flags & OPT_NESTEROV ? wasm_f32x4_sub(wasm_f32x4_mul(v2, k->mu), s) : v2;
  wasm_v128_store(po, wasm_f32x4_add(pv, move));
}

// SGD: p, g, v in; po, vo out (v, vo unused without OPT_MOMENTUM).
void optim_sgd(const float *p, const float *g, const float *v, float *po, float *vo, int32_t n,
               float lr, float mu, float wd, int32_t flags) {
  SgdConst k = {wasm_f32x4_splat(lr), wasm_f32x4_splat(mu), wasm_f32x4_splat(wd), flags};
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) sgd4(&k, p + i, g + i, v + i, po + i, vo + i);
  if (i == n) return;
  float t[5][4] = {{0}};
  for (int32_t j = 0; i + j < n; j++) {
    t[0][j] = p[i + j], t[1][j] = g[i + j];
    if (flags & OPT_MOMENTUM) t[2][j] = v[i + j];
  }
  sgd4(&k, t[0], t[1], t[2], t[3], t[4]);
  for (int32_t j = 0; i + j < n; j++) {
    po[i + j] = t[3][j];
    if (flags & OPT_MOMENTUM) vo[i + j] = t[4][j];
  }
}

typedef struct {
  f4 b1, c1, b2, c2, wd, decay, bias2, eps, step;
  int32_t flags;
} AdamConst;

static void adam4(const AdamConst *k, const float *p, const float *g, const float *m,
                  const float *v, float *po, float *mo, float *vo) {
  f4 pv = wasm_v128_load(p), gv = wasm_v128_load(g);
  if (k->flags & OPT_DECAY) gv = wasm_f32x4_add(gv, wasm_f32x4_mul(pv, k->wd));
  f4 m2 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m), k->b1), wasm_f32x4_mul(gv, k->c1));
  f4 v2 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v), k->b2),
                         wasm_f32x4_mul(wasm_f32x4_mul(gv, gv), k->c2));
  f4 d = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sqrt(v2), k->bias2), k->eps);
  f4 w = k->flags & OPT_DECOUPLED ? wasm_f32x4_mul(pv, k->decay) : pv;
  wasm_v128_store(po, wasm_f32x4_sub(w, wasm_f32x4_mul(wasm_f32x4_div(m2, d), k->step)));
  wasm_v128_store(mo, m2);
  wasm_v128_store(vo, v2);
}

// Adam: p, g, m, v in; po, mo, vo out. c = {beta1, 1 - beta1, beta2, 1 - beta2,
// weightDecay, decay, bias2, eps, stepSize} (9 floats).
void optim_adam(const float *p, const float *g, const float *m, const float *v, float *po,
                float *mo, float *vo, int32_t n, const float *c, int32_t flags) {
  AdamConst k = {wasm_f32x4_splat(c[0]), wasm_f32x4_splat(c[1]), wasm_f32x4_splat(c[2]),
                 wasm_f32x4_splat(c[3]), wasm_f32x4_splat(c[4]), wasm_f32x4_splat(c[5]),
                 wasm_f32x4_splat(c[6]), wasm_f32x4_splat(c[7]), wasm_f32x4_splat(c[8]),
                 flags};
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) adam4(&k, p + i, g + i, m + i, v + i, po + i, mo + i, vo + i);
  if (i == n) return;
  float t[7][4] = {{0}};
  for (int32_t j = 0; i + j < n; j++)
    t[0][j] = p[i + j], t[1][j] = g[i + j], t[2][j] = m[i + j], t[3][j] = v[i + j];
  adam4(&k, t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
  for (int32_t j = 0; i + j < n; j++)
    po[i + j] = t[4][j], mo[i + j] = t[5][j], vo[i + j] = t[6][j];
}
