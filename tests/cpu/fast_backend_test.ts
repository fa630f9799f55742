// The fast CPU backend ("cpu": WebAssembly SIMD kernels) against the plain-JS
// reference ("cpu-reference"): every conformance case in float32, odd sizes,
// broadcasting, batched and transposed matmul, NaN propagation, and
// bit-identical results for any number of threads.
import assert from "node:assert/strict";
import {
  abs,
  add,
  conv2d,
  div,
  eq,
  exp,
  expand,
  ge,
  getBackend,
  gt,
  initBackend,
  le,
  lt,
  matmul,
  max,
  maximum,
  maxPool2d,
  mean,
  min,
  minimum,
  mul,
  ne,
  neg,
  registerBackend,
  relu,
  Rng,
  setBackend,
  sigmoid,
  sign,
  step,
  sub,
  sum,
  tanh,
  type Tensor,
  tensor,
} from "../../mod.ts";
import { FastCpuBackend, mergeAxes, setCpuThreads } from "../../lib/cpu/fast_backend.ts";
import type { TypedArray } from "../../lib/backend.ts";
import { opCases } from "../conformance.ts";

// "cpu" is the fast backend unless NEURONBOOK_CPU=reference (the whole suite
// on the reference); these tests always compare a fast backend of their own.
const referenceRun = Deno.env.get("NEURONBOOK_CPU") === "reference";
assert.equal(
  getBackend("cpu") instanceof FastCpuBackend,
  !referenceRun,
  '"cpu" is the fast backend, or the reference with NEURONBOOK_CPU=reference',
);
registerBackend("cpu-fast", () => new FastCpuBackend("cpu-fast"));
await initBackend("cpu-reference");
const fast = await setBackend("cpu-fast");
assert.ok(fast instanceof FastCpuBackend);

/**
 * Worst `|a - b| / max(1, |a|)` (NaN must meet NaN). With `normwise`, the
 * error is relative to the largest `|a|` of the whole result instead: the
 * usual measure for matrix products, whose float32 sums over k terms (the
 * reference sums in float64) can lose more than 1e-5 of a single element
 * that cancels to near zero.
 */
function relError(expected: TypedArray, actual: TypedArray, normwise = false): number {
  assert.equal(actual.length, expected.length);
  let worst = 0, scale = 1;
  if (normwise) { for (const a of expected) scale = Math.max(scale, Math.abs(a)); }
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i], b = actual[i];
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    const err = Math.abs(a - b) / Math.max(scale, Math.abs(a));
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

function assertClose(expected: TypedArray, actual: TypedArray, what: string, normwise = false) {
  const tol = 1e-5;
  const err = relError(expected, actual, normwise);
  assert.ok(err <= tol, `${what}: relative error ${err} > ${tol}`);
}

/** Fixed upstream weights (mixed signs, no zeros) so every output position matters. */
function weights(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => ((i * 37) % 11 - 5) / 4 + 0.1);
}

/** Runs `fn` on float32 copies of `inputs` on both CPU backends; compares outputs and gradients. */
function parity(
  name: string,
  inputs: Tensor[],
  fn: (...xs: Tensor[]) => Tensor,
  normwise = false,
) {
  const base = inputs.map((x) => x.dtype === "float64" ? x.cast("float32") : x);
  const run = (backend: string) => {
    // Fresh copies on each backend: the callers' tensors never collect gradients.
    const xs = base.map((x) => {
      const y = tensor(x.dataSync(), { shape: x.shape, dtype: x.dtype, backend });
      return y.dtype === "int32" ? y : y.requireGrad();
    });
    const y = fn(...xs);
    if (y.requiresGrad) {
      y.mul(tensor(weights(y.size), { shape: y.shape, backend })).sum().backward();
    }
    return { y, xs };
  };
  const ref = run("cpu-reference"), got = run("cpu-fast");
  assert.equal(got.y.backend.name, "cpu-fast", `${name}: result left the fast backend`);
  assertClose(ref.y.dataSync(), got.y.dataSync(), `${name} (forward)`, normwise);
  ref.xs.forEach((x, i) => {
    const gr = x.grad, gf = got.xs[i].grad;
    assert.equal(!gr, !gf, `${name}: input ${i} has a gradient on one backend only`);
    if (gr && gf) assertClose(gr.dataSync(), gf.dataSync(), `${name} (gradient ${i})`, normwise);
  });
}

function randn(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rng.normal()), { shape });
}

type Binary = (a: Tensor, b: Tensor) => Tensor;
const ARITHMETIC: Record<string, Binary> = { add, sub, mul, div, maximum, minimum };
const COMPARISONS: Record<string, Binary> = { eq, ne, lt, le, gt, ge };
const UNARY: Record<string, (x: Tensor) => Tensor> = {
  neg,
  abs,
  relu,
  step,
  sign,
  sigmoid,
  exp,
  tanh,
};
const REDUCTIONS: Record<string, (x: Tensor, axis: number, keep?: boolean) => Tensor> = {
  sum,
  max,
  min,
  mean,
};

Deno.test("fast CPU: every conformance case in float32 matches the reference within 1e-5", () => {
  for (const c of opCases()) parity(c.name, c.inputs(), c.fn);
});

Deno.test("fast CPU: matmul on odd sizes, all transposes, batched and broadcast", () => {
  const sizes = [1, 3, 17, 65, 257];
  let seed = 1;
  for (const m of sizes) {
    for (const k of [1, 17, 257]) {
      for (const n of sizes) {
        const a = randn([m, k], seed++), b = randn([k, n], seed++);
        parity(`matmul ${m}x${k}x${n}`, [a, b], (x, y) => matmul(x, y), true);
        parity(
          `matmul Aᵀ ${m}x${k}x${n}`,
          [a.transpose(0, 1)],
          (x) => matmul(x.transpose(0, 1), b.to(x.backend.name)),
          true,
        );
      }
    }
  }
  // Tiles cut short by the last rows (2 of a 4-row tile, as LeNet-5's 6 channels) and
  // columns (a last strip of 4, 5 or 1 of 8), into a broadcast A as a convolution's.
  for (const m of [2, 6, 10]) {
    for (const n of [4, 12, 13, 17]) {
      parity(
        `conv-shaped ${m}x25x${n}`,
        [randn([m, 25], seed++), randn([3, 25, n], seed++)],
        (x, y) => matmul(x, y),
        true,
      );
    }
  }
  for (const [m, k, n] of [[3, 17, 65], [65, 3, 17], [17, 257, 3]]) {
    parity(
      `matmul Bᵀ ${m}x${k}x${n}`,
      [randn([m, k], seed++), randn([n, k], seed++)],
      (x, y) => matmul(x, y.transpose(0, 1)),
      true,
    );
    parity(
      `batched ${m}x${k}x${n}`,
      [randn([5, m, k], seed++), randn([5, k, n], seed++)],
      (x, y) => matmul(x, y),
      true,
    );
    parity(
      `broadcast A ${m}x${k}x${n}`,
      [randn([m, k], seed++), randn([3, k, n], seed++)],
      (x, y) => matmul(x, y),
      true,
    );
    parity(
      `broadcast B ${m}x${k}x${n}`,
      [randn([2, 3, m, k], seed++), randn([k, n], seed++)],
      (x, y) => matmul(x, y),
      true,
    );
  }
});

Deno.test("fast CPU: elementwise and reductions on odd sizes and broadcasts", () => {
  let seed = 100;
  const shapes: [number[], number[]][] = [
    [[257], [257]],
    [[17, 65], [65]],
    [[17, 65], [17, 1]],
    [[3, 1, 17], [1, 65, 1]],
    [[1], [3, 17, 5]],
    [[65, 3, 1, 17], [3, 65, 17]],
  ];
  for (const [sa, sb] of shapes) {
    const a = randn(sa, seed++), b = randn(sb, seed++).abs().add(0.5);
    for (const [name, op] of Object.entries(ARITHMETIC)) {
      parity(`${name} [${sa}] [${sb}]`, [a, b], op);
    }
    for (const [name, op] of Object.entries(COMPARISONS)) {
      parity(`${name} [${sa}] [${sb}]`, [a, b.sub(1)], (x, y) => add(op(x, y), x));
    }
    parity(`expand [${sa}]`, [a], (x) => expand(x, [7, ...sa]));
  }
  for (const shape of [[1], [3], [17, 65], [5, 17, 3], [2, 3, 257]]) {
    const x = randn(shape, seed++);
    for (const [name, op] of Object.entries(UNARY)) parity(`${name} [${shape}]`, [x], op);
    parity(`sqrt [${shape}]`, [x.abs().add(0.1)], (t) => t.sqrt());
    for (let axis = 0; axis < shape.length; axis++) {
      for (const [name, op] of Object.entries(REDUCTIONS)) {
        parity(`${name} axis ${axis} [${shape}]`, [x], (t) => op(t, axis));
        parity(`${name} axis ${axis} keepdims [${shape}]`, [x], (t) => op(t, axis, true));
      }
    }
    parity(`sum all [${shape}]`, [x], (t) => sum(t));
    parity(`max all [${shape}]`, [x], (t) => max(t));
  }
});

Deno.test("fast CPU: convolution and pooling with strides, padding and odd sizes", () => {
  let seed = 200;
  for (
    const [n, c, h, w, oc, k, stride, padding] of [
      [1, 1, 1, 1, 1, 1, 1, 0],
      [3, 2, 17, 9, 5, 3, 2, 1],
      [2, 3, 13, 13, 4, 5, 1, 2],
      [4, 6, 14, 14, 16, 5, 1, 0],
    ]
  ) {
    const x = randn([n, c, h, w], seed++),
      wt = randn([oc, c, k, k], seed++),
      b = randn([oc], seed++);
    parity(
      `conv2d ${[n, c, h, w]} k${k} s${stride} p${padding}`,
      [x, wt, b],
      (x, w, b) => conv2d(x, w, b, { stride, padding }),
      true,
    );
    if (h >= 2) parity(`maxPool2d ${[n, c, h, w]}`, [x], (x) => maxPool2d(x, 2));
  }
});

Deno.test("fast CPU: NaN propagates through relu, step, sign, maximum, minimum and max", () => {
  const x = tensor([NaN, -1, 0, 2]);
  for (const [name, op] of [["relu", relu], ["step", step], ["sign", sign]] as const) {
    const y = op(x).dataSync();
    assert.ok(Number.isNaN(y[0]), `${name}(NaN) must be NaN, got ${y[0]}`);
  }
  assert.deepEqual(Array.from(relu(x).dataSync()).slice(1), [0, 0, 2]);
  assert.deepEqual(Array.from(step(x).dataSync()).slice(1), [0, 0, 1]);
  assert.deepEqual(Array.from(sign(x).dataSync()).slice(1), [-1, 0, 1]);
  assert.ok(Number.isNaN(x.maximum(tensor([0, 0, 0, 0])).dataSync()[0]));
  assert.ok(Number.isNaN(tensor([0, 0, 0, 0]).minimum(x).dataSync()[0]));
  assert.ok(Number.isNaN(x.max().itemSync()));
  assert.ok(Number.isNaN(x.sum().itemSync()));
});

Deno.test("fast CPU: matmul and convolution are bit-identical for 1, 2 and 3 threads", async () => {
  // The last two are one default block each, cut into smaller jobs (mm_grid in kernels.c).
  const cases = [
    [1, 300, 257, 513],
    [7, 65, 129, 257],
    [1, 1024, 64, 300],
    [1, 64, 300, 100],
    [1, 120, 64, 401],
  ];
  const results: Float32Array[][] = [];
  const before = setCpuThreads(1);
  try {
    for (const threads of [1, 2, 3]) {
      setCpuThreads(threads);
      assert.equal(await (fast as FastCpuBackend).threadsReady(), threads);
      const products = cases.map(([b, m, k, n], i) => {
        const a = randn([b, m, k], 300 + i), c = randn([k, n], 400 + i);
        return matmul(a, c).dataSync() as Float32Array;
      });
      // LeNet-5's second convolution at batch 64: im2col forward, col2im for the input's gradient.
      const x = randn([64, 6, 14, 14], 500).requireGrad(), w = randn([16, 6, 5, 5], 501);
      const y = conv2d(x, w);
      y.backward(tensor(weights(y.size), { shape: y.shape }));
      results.push([...products, y.dataSync() as Float32Array, x.grad!.dataSync() as Float32Array]);
    }
  } finally {
    setCpuThreads(before);
  }
  for (let t = 1; t < results.length; t++) {
    results[t].forEach((r, i) => {
      assert.deepEqual(
        new Uint8Array(r.buffer),
        new Uint8Array(results[0][i].buffer),
        `case ${i}, ${t + 1} threads`,
      );
    });
  }
});

Deno.test("fast CPU: a broadcast A changed in place between calls is packed again", () => {
  // A thread packs a broadcast A once per call (kernels.c, pack_a): the next call on the same
  // storage with new values, and a convolution's im2col in between, must see the new values.
  const backend = fast as FastCpuBackend;
  const [m, k, n, batch] = [6, 25, 19, 5];
  const upload = (shape: number[], seed: number) => {
    const size = shape.reduce((x, y) => x * y, 1);
    return { storage: backend.upload(randn([size], seed).dataSync(), "float32"), shape, size };
  };
  const a = { ...upload([1, m, k], 600), dtype: "float32" as const };
  const b = { ...upload([batch, k, n], 601), dtype: "float32" as const };
  const spec = { shape: [batch, m, n], dtype: "float32" as const, size: batch * m * n };
  const run = () =>
    Float32Array.from(
      backend.kernels.matmul([a, b], { transA: false, transB: false }, spec) as Float32Array,
    );
  const expected = (values: Float32Array) =>
    matmul(
      tensor(values, { shape: [m, k], backend: "cpu-reference" }),
      tensor(b.storage as Float32Array, { shape: [batch, k, n], backend: "cpu-reference" }),
    ).dataSync();
  assertClose(expected(a.storage as Float32Array), run(), "first call", true);
  (a.storage as Float32Array).set(randn([m * k], 602).dataSync());
  assertClose(expected(a.storage as Float32Array), run(), "after changing A in place", true);
  maxPool2d(randn([2, 3, 8, 8], 603), 2).dataSync(); // a window kernel uses the scratch
  (a.storage as Float32Array).set(randn([m * k], 604).dataSync());
  assertClose(expected(a.storage as Float32Array), run(), "after a window kernel", true);
});

Deno.test("fast CPU: float32 storage lives in the WebAssembly memory and is recycled", () => {
  const cpu = fast as FastCpuBackend;
  const x = tensor(new Float32Array(1000).fill(1));
  assert.ok(cpu.heap.ptrOf(x.storage as Float32Array) >= 0);
  x.relu().dispose(); // warm the free list for this size
  const used = cpu.heap.used;
  for (let i = 0; i < 100; i++) x.relu().dispose();
  assert.equal(cpu.heap.used, used, "disposed blocks are reused");
  // float64 and int32 stay plain typed arrays on the reference kernels.
  const d = tensor([1, 2], { dtype: "float64" });
  assert.equal(cpu.heap.ptrOf(d.storage as Float64Array), -1);
  assert.deepEqual(Array.from(d.mul(d).dataSync()), [1, 4]);
});

Deno.test("mergeAxes: merges contiguous axes and drops size-1 ones", () => {
  // [2, 3, 4] + [1, 3, 4] -> the last two axes merge.
  assert.deepEqual(mergeAxes([2, 3, 4], [[12, 4, 1], [0, 4, 1], [12, 4, 1]]), [[2, 12], [[12, 1], [
    0,
    1,
  ], [12, 1]]]);
  assert.deepEqual(mergeAxes([1, 1], [[0, 0]]), [[1], [[0]]]);
});
