/**
 * Parity beyond the conformance cases: sizes that are not multiples of any
 * workgroup or tile (1, 3, 17, 65, 257), int32 ops, argmax, dispatches that
 * need a 2-D grid, and products whose batch is folded into a wide matrix.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  argmax,
  avgPool2d,
  conv2d,
  expand,
  le,
  linear,
  logSoftmax,
  matmul,
  maxPool2d,
  ne,
  pad,
  permute,
  pow,
  Rng,
  slice,
  softmax,
  sum,
  take,
  type Tensor,
  tensor,
  toBackendAsync,
  variance,
  where,
} from "../../mod.ts";
import type { OpCase } from "../conformance.ts";
import { assertClose, gpuReady, ignoreGpu } from "./_setup.ts";
import { parity } from "./_parity.ts";

const SIZES = [1, 3, 17, 65, 257];

function rand(shape: number[], seed: number, lo = -2, hi = 2): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: n }, () => lo + (hi - lo) * rng.uniform()), {
    shape,
    dtype: "float64",
    backend: "cpu",
  });
}

/** Distinct values (no ties), for max/min/argmax. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = new Rng(seed).permutation(n);
  return tensor(Float64Array.from(perm, (p) => (p - n / 2) * 0.01), {
    shape,
    dtype: "float64",
    backend: "cpu",
  });
}

function sizeCases(): OpCase[] {
  const cases: OpCase[] = [];
  for (const n of SIZES) {
    cases.push(
      {
        name: `unary chain on [${n}, 3]`,
        inputs: () => [rand([n, 3], n, 0.3, 3)],
        fn: (x) => x.exp().log().sqrt().neg().abs().sigmoid().tanh().relu().add(x.sub(1).relu()),
      },
      {
        name: `binary ops broadcast [${n},1] x [1,17]`,
        inputs: () => [rand([n, 1], n + 1, 0.5, 2), rand([1, 17], n + 2, 0.5, 2)],
        fn: (a, b) =>
          a.add(b).mul(a.sub(b)).div(b).add(pow(a, b)).add(a.maximum(b)).add(a.minimum(b.mul(2))),
      },
      {
        name: `where and comparisons on [${n}] x [${n}]`,
        inputs: () => [rand([n], n + 4), rand([n], n + 5)],
        fn: (a, b) => where(a.gt(b), a, b.mul(3)).add(a.mul(le(a, b))).add(b.mul(ne(a, b))),
      },
      {
        name: `sum/max/min over each axis of [3, ${n}, 5]`,
        inputs: () => [distinct([3, n, 5], n + 6)],
        fn: (x) =>
          x.sum(1).add(x.max(1)).add(x.min(1)).sum().add(x.sum(0).sum()).add(x.max(2).sum())
            .add(x.mean()).add(variance(x, [0, 2]).sum()),
      },
      {
        name: `sum over axis 0 of [${n * 17}, 3] (long reduction)`,
        inputs: () => [rand([n * 17, 3], n + 7)],
        fn: (x) => sum(x, 0),
      },
      {
        name: `softmax and logSoftmax over [4, ${n}]`,
        inputs: () => [rand([4, n], n + 8, -5, 5)],
        fn: (x) => softmax(x).add(logSoftmax(x, 0)),
      },
      {
        name: `movement: permute, slice, pad, expand on [${n}, 3, 2]`,
        inputs: () => [rand([n, 3, 2], n + 9)],
        fn: (x) =>
          pad(permute(x, [2, 0, 1]), [1, 0, 2], [0, 3, 1], 0.5).sum().add(
            slice(x, [[Math.floor(n / 2)], [1]]).sum(),
          ).add(expand(x.sum(0, true), [4, 3, 2]).sum()),
      },
      {
        name: `take ${n} rows with repeats from [${n}, 5]`,
        inputs: () => [rand([n, 5], n + 10)],
        fn: (x) => take(x, Array.from({ length: 2 * n + 1 }, (_, i) => (i * 7) % n)),
      },
    );
  }
  cases.push(
    {
      name: "matmul [65,257] @ [257,17]",
      inputs: () => [rand([65, 257], 1), rand([257, 17], 2)],
      fn: (a, b) => matmul(a, b),
    },
    {
      name: "matmul [17,3] @ [3,257] and transposed operands",
      inputs: () => [rand([17, 3], 3), rand([3, 257], 4)],
      fn: (a, b) => matmul(a, b).add(matmul(b.transpose(), a.transpose()).transpose()),
    },
    {
      name: "matmul batched [3,17,65] @ [65,1] (right operand shared)",
      inputs: () => [rand([3, 17, 65], 5), rand([65, 1], 6)],
      fn: (a, b) => matmul(a, b),
    },
    {
      name: "matmul batched [257,65] @ [5,65,3] (left operand shared)",
      inputs: () => [rand([257, 65], 7), rand([5, 65, 3], 8)],
      fn: (a, b) => matmul(a, b),
    },
    {
      name: "matmul batched [5,1,17] @ [5,17,257] (vector rows)",
      inputs: () => [rand([5, 1, 17], 9), rand([5, 17, 257], 10)],
      fn: (a, b) => matmul(a, b),
    },
    {
      name: "linear [65, 257] -> 17",
      inputs: () => [rand([65, 257], 11), rand([17, 257], 12), rand([17], 13)],
      fn: (x, w, b) => linear(x, w, b),
    },
    {
      name: "conv2d [2,3,17,17] with [5,3,3,3], padding 1",
      inputs: () => [rand([2, 3, 17, 17], 14), rand([5, 3, 3, 3], 15), rand([5], 16)],
      fn: (x, w, b) => conv2d(x, w, b, { padding: 1 }),
    },
    {
      name: "conv2d [1,1,65,65] with [3,1,5,5], stride 3",
      inputs: () => [rand([1, 1, 65, 65], 17), rand([3, 1, 5, 5], 18)],
      fn: (x, w) => conv2d(x, w, undefined, { stride: 3 }),
    },
    {
      name: "maxPool2d 3 stride 2 and avgPool2d 2 of [2,3,17,17]",
      inputs: () => [distinct([2, 3, 17, 17], 19)],
      fn: (x) => maxPool2d(x, 3, { stride: 2 }).sum().add(avgPool2d(x, 2).sum()),
    },
    {
      name: "LeNet-sized conv2d [8,6,14,14] with [16,6,5,5]",
      inputs: () => [rand([8, 6, 14, 14], 20), rand([16, 6, 5, 5], 21, -0.3, 0.3)],
      fn: (x, w) => conv2d(x, w).relu(),
    },
  );
  return cases;
}

for (const c of sizeCases()) {
  Deno.test({
    name: `webgpu parity (sizes): ${c.name}`,
    ignore: ignoreGpu,
    async fn() {
      await gpuReady();
      await parity(c);
    },
  });
}

/** Forward-only comparison of an int32 (or any) result. */
async function same(
  inputs: Tensor[],
  fn: (...xs: Tensor[]) => Tensor,
  what: string,
): Promise<void> {
  const g = await Promise.all(inputs.map((x) => toBackendAsync(x, "webgpu")));
  const yc = fn(...inputs), yg = fn(...g);
  assert.equal(yg.dtype, yc.dtype, `${what}: dtype`);
  assert.deepEqual(yg.shape, yc.shape, `${what}: shape`);
  if (yc.dtype === "int32") assert.deepEqual(await yg.data(), yc.dataSync(), what);
  else assertClose(yc.dataSync(), await yg.data(), what);
}

Deno.test({
  name: "webgpu parity: int32 elementwise ops, casts and reductions",
  ignore: ignoreGpu,
  async fn() {
    await gpuReady();
    const a = tensor([7, -7, 0, 5, -2147483648, 2147483647, 3, -1], { dtype: "int32" });
    const b = tensor([2, 2, 3, 0, -1, 1, -4, 9], { dtype: "int32" });
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"] as const) {
      await same([a, b], (x, y) => x[op](y), `int32 ${op}`);
    }
    await same([a, b], (x, y) => pow(x.minimum(9), y.maximum(0).minimum(5)), "int32 pow");
    for (const op of ["eq", "gt", "lt"] as const) {
      await same([a, b], (x, y) => x[op](y), `int32 ${op}`);
    }
    await same([a], (x) => x.neg().add(x.abs()).add(x.relu()), "int32 unary");
    await same([a, b], (x, y) => where(x.gt(y), x, y), "int32 where");
    await same([a], (x) => x.sum(), "int32 sum");
    await same([a], (x) => x.max(), "int32 max");
    await same([a], (x) => x.cast("float32"), "int32 to float32");
    const f = tensor([1.7, -1.7, 0.2, -0.2, 3e9, -3e9, 2.5e10, 1e-3]);
    await same([f], (x) => x.cast("int32"), "float32 to int32 (truncation, wrap-around)");
    await same([f.div(0)], (x) => x.cast("int32"), "infinities to int32 give 0");
  },
});

Deno.test({
  name: "webgpu parity: argmax along each axis, first index on ties",
  ignore: ignoreGpu,
  async fn() {
    await gpuReady();
    for (const n of SIZES) {
      const x = distinct([3, n, 5], n).cast("float32");
      for (const axis of [0, 1, 2]) await same([x], (t) => argmax(t, axis), `argmax ${n} ${axis}`);
      await same([x.cast("int32")], (t) => argmax(t, 1), `argmax int32 ${n}`);
    }
    const ties = tensor([[1, 3, 3, 0], [2, 2, 2, 2], [0, 0, 0, 5]]);
    await same([ties], (t) => argmax(t, 1), "argmax ties");
    const long = distinct([2, 5000], 3).cast("float32");
    await same([long], (t) => argmax(t, 1), "argmax over 5000 (workgroup per output)");
  },
});

Deno.test({
  name: "webgpu parity: more than 65535 workgroups use a 2-D grid",
  ignore: ignoreGpu,
  async fn() {
    await gpuReady();
    const n = 64 * 65535 + 3;
    const x = rand([n], 1).cast("float32"), y = rand([1], 2).cast("float32");
    await same([x, y], (a, b) => a.mul(b).add(a), "elementwise over 4.2M elements");
    await same([x], (a) => a.reshape([n / 9, 9]).max(1), "reduce over 9 with 466k outputs");
    await same([x], (a) => a.sum(), "sum of 4.2M elements");
  },
});

// Mesa's llvmpipe silently stops an invocation after 65,535 loop iterations,
// so long reductions, k ranges and index scans are split across workgroups
// or dispatches. The matmul and scatter-add sizes here (and the 4.2M-element
// sum above) gave wrong values before; the 300,001-element reductions check
// the two-pass path, argmax's index included. Long products use small values:
// float32 sums of thousands of terms differ in the last digits otherwise.
const LONG: OpCase[] = [
  {
    name: "sum, max and min over 300,001 (partials in a second pass)",
    inputs: () => [rand([2, 300_001], 31)],
    fn: (x) => x.sum(1).add(x.max(1)).add(x.min(1).mul(2)),
  },
  {
    name: "matmul [2, 70000] @ [70000, 3] (dot products, k split over dispatches)",
    inputs: () => [rand([2, 70_000], 32, -0.2, 0.2), rand([70_000, 3], 33, -0.2, 0.2)],
    fn: (a, b) => matmul(a, b),
  },
  {
    name: "matmul [40, 5000] @ [5000, 20] (tiles, k split over dispatches)",
    inputs: () => [rand([40, 5000], 36, -0.2, 0.2), rand([5000, 20], 37, -0.2, 0.2)],
    fn: (a, b) => matmul(a, b),
  },
  {
    name: "take 100,000 rows of [4, 3] (scatter-add gradient over dispatches)",
    inputs: () => [rand([4, 3], 34)],
    fn: (x) => take(x, Array.from({ length: 100_000 }, (_, i) => (i * 7) % 4)),
  },
];

Deno.test({
  name: "webgpu parity: long loops are split (reductions, matmul k, scatter-add)",
  ignore: ignoreGpu,
  async fn() {
    await gpuReady();
    for (const c of LONG) await parity(c);
    const x = distinct([3, 300_001], 35).cast("float32");
    await same([x], (t) => argmax(t, 1), "argmax over 300,001 (index kept with partials)");
    await same([x], (t) => argmax(t.neg(), 1), "argmax over 300,001 of the negation");
  },
});
