import assert from "node:assert/strict";
import { matmulInto, type MatmulLayout } from "../../lib/cpu/matmul.ts";
import { Rng } from "../../lib/random.ts";

type Floats = Float32Array | Float64Array;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

const DTYPES: [string, Ctor, number][] = [
  ["float32", Float32Array, 1e-5],
  ["float64", Float64Array, 1e-12],
];

function random(Ctor: Ctor, size: number, rng: Rng): Floats {
  const x = new Ctor(size);
  for (let i = 0; i < size; i++) x[i] = rng.normal();
  return x;
}

/**
 * The definition, in float64: out[i][r][c] = sum_p A_i[r][p] * B_i[p][c].
 * Also returns sum_p |A_i[r][p] * B_i[p][c]|, the scale for the tolerance.
 */
function reference(
  a: Floats,
  b: Floats,
  batch: number,
  m: number,
  k: number,
  n: number,
  { aBatchStride, bBatchStride, transA, transB }: MatmulLayout,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(batch * m * n), scale = new Float64Array(batch * m * n);
  for (let i = 0; i < batch; i++) {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0, abs = 0;
        for (let p = 0; p < k; p++) {
          const av = a[i * aBatchStride + (transA ? p * m + r : r * k + p)];
          const bv = b[i * bBatchStride + (transB ? c * k + p : p * n + c)];
          s += av * bv;
          abs += Math.abs(av * bv);
        }
        value[(i * m + r) * n + c] = s;
        scale[(i * m + r) * n + c] = abs;
      }
    }
  }
  return { value, scale };
}

/** Runs matmulInto on random data and compares with the reference to `tol` relative. */
function check(
  Ctor: Ctor,
  tol: number,
  batch: number,
  m: number,
  k: number,
  n: number,
  layout: Partial<MatmulLayout>,
  seed = 1,
): void {
  const rng = new Rng(seed);
  const full: MatmulLayout = {
    aBatchStride: m * k,
    bBatchStride: k * n,
    transA: false,
    transB: false,
    ...layout,
  };
  const aCount = full.aBatchStride === 0 ? 1 : batch;
  const bCount = full.bBatchStride === 0 ? 1 : batch;
  const a = random(Ctor, Math.max(1, aCount * m * k), rng);
  const b = random(Ctor, Math.max(1, bCount * k * n), rng);
  // Garbage in `out` must be overwritten, never accumulated into.
  const out = new Ctor(batch * m * n).fill(NaN);
  matmulInto(a, b, out, batch, m, k, n, full);
  const { value, scale } = reference(a, b, batch, m, k, n, full);
  for (let i = 0; i < out.length; i++) {
    const err = Math.abs(out[i] - value[i]);
    if (!(err <= tol * scale[i] + 1e-30)) {
      assert.fail(
        `${Ctor.name} batch=${batch} m=${m} k=${k} n=${n} ${JSON.stringify(full)}: ` +
          `out[${i}] = ${out[i]}, expected ${value[i]} (error ${err}, scale ${scale[i]})`,
      );
    }
  }
}

const TRANS: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Shapes exercising the tiny direct path, register-tile edges and every blocking loop. */
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 3, 3],
  [1, 257, 1],
  [17, 1, 17],
  [3, 17, 65],
  [65, 3, 17],
  [17, 65, 3],
  [16, 16, 16], // exact multiples of the 4x4 tile
  [64, 64, 64], // exactly one block of rows
  [65, 257, 17], // two blocks of k (accumulation), row tails
  [257, 17, 65], // several row blocks
  [1, 257, 257], // one row: padded tile rows
  [257, 257, 1], // one column: padded tile columns
  [5, 3, 1030], // more than one column panel
];

for (const [name, Ctor, tol] of DTYPES) {
  for (const [transA, transB] of TRANS) {
    Deno.test(`matmulInto ${name} transA=${transA} transB=${transB} matches the naive definition on odd sizes`, () => {
      for (const [m, k, n] of SHAPES) check(Ctor, tol, 1, m, k, n, { transA, transB });
    });

    Deno.test(`matmulInto ${name} transA=${transA} transB=${transB} batches with separate and broadcast operands`, () => {
      for (const [m, k, n] of [[3, 5, 2], [17, 65, 33], [65, 17, 3]]) {
        check(Ctor, tol, 3, m, k, n, { transA, transB });
        check(Ctor, tol, 3, m, k, n, { transA, transB, aBatchStride: 0 });
        check(Ctor, tol, 3, m, k, n, { transA, transB, bBatchStride: 0 });
        check(Ctor, tol, 2, m, k, n, { transA, transB, aBatchStride: 0, bBatchStride: 0 });
      }
    });
  }

  Deno.test(`matmulInto ${name} with k=0 writes zeros`, () => {
    for (const [m, n] of [[1, 1], [3, 17], [65, 257]]) {
      const out = new Ctor(2 * m * n).fill(7);
      const empty = new Ctor(0);
      const layout = { aBatchStride: 0, bBatchStride: 0, transA: false, transB: true };
      matmulInto(empty, empty, out, 2, m, 0, n, layout);
      assert.ok(out.every((v) => v === 0), `m=${m} n=${n}`);
    }
  });

  Deno.test(`matmulInto ${name} with batch=0 or an empty result touches nothing`, () => {
    const out = new Ctor(4).fill(7);
    const layout = { aBatchStride: 6, bBatchStride: 6, transA: false, transB: false };
    matmulInto(new Ctor(0), new Ctor(0), out, 0, 2, 3, 2, layout);
    matmulInto(new Ctor(3), new Ctor(0), out, 1, 1, 3, 0, layout);
    assert.deepEqual(Array.from(out), [7, 7, 7, 7]);
  });
}

Deno.test("matmulInto mixes float32 inputs with a float64 output", () => {
  const rng = new Rng(5);
  const [m, k, n] = [33, 70, 19];
  const a = random(Float32Array, m * k, rng), b = random(Float32Array, k * n, rng);
  const layout = { aBatchStride: 0, bBatchStride: 0, transA: false, transB: false };
  const out = new Float64Array(m * n);
  matmulInto(a, b, out, 1, m, k, n, layout);
  const { value, scale } = reference(a, b, 1, m, k, n, layout);
  // One rounding of products of float32 values, summed in float64.
  for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - value[i]) <= 1e-12 * scale[i]);
});

Deno.test("matmulInto gives the same results before and after a larger call (scratch reuse)", () => {
  const rng = new Rng(9);
  const layout = { aBatchStride: 0, bBatchStride: 0, transA: true, transB: false };
  const [m, k, n] = [21, 30, 22];
  const a = random(Float64Array, m * k, rng), b = random(Float64Array, k * n, rng);
  const first = new Float64Array(m * n), again = new Float64Array(m * n);
  matmulInto(a, b, first, 1, m, k, n, layout);
  check(Float64Array, 1e-12, 1, 300, 300, 300, {}, 3);
  matmulInto(a, b, again, 1, m, k, n, layout);
  assert.deepEqual(again, first);
});

Deno.test("matmulInto rejects arrays too short for the shape", () => {
  const layout = { aBatchStride: 6, bBatchStride: 0, transA: false, transB: false };
  const six = new Float32Array(6);
  assert.throws(() => matmulInto(six, six, new Float32Array(4), 2, 2, 3, 2, layout), RangeError);
  assert.throws(
    () => matmulInto(new Float32Array(12), six, new Float32Array(7), 2, 2, 3, 2, layout),
    RangeError,
  );
  matmulInto(new Float32Array(12), six, new Float32Array(8), 2, 2, 3, 2, layout);
});
