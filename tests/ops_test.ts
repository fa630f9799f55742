// Forward values of the public ops (against hand-computed / NumPy results and
// naive reference implementations), dtype rules, creation, randomness,
// printing, reading values, and the error messages for bad inputs.
import assert from "node:assert/strict";
import {
  abs,
  add,
  arange,
  argmax,
  avgPool2d,
  type Backend,
  clamp,
  concat,
  conv2d,
  div,
  elu,
  eq,
  exp,
  expand,
  eye,
  flatten,
  full,
  ge,
  gt,
  initBackend,
  le,
  leakyRelu,
  linspace,
  log,
  logSoftmax,
  lt,
  manualSeed,
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
  type NestedArray,
  normal,
  ones,
  onesLike,
  pad,
  permute,
  pow,
  rand,
  randn,
  registerBackend,
  relu,
  reshape,
  Rng,
  sigmoid,
  sign,
  slice,
  softmax,
  softplus,
  sqrt,
  squeeze,
  stack,
  step,
  sub,
  sum,
  take,
  tanh,
  Tensor,
  tensor,
  transpose,
  uniform,
  unsqueeze,
  variance,
  where,
  zeros,
  zerosLike,
} from "../mod.ts";
import { CpuBackend } from "../lib/cpu/cpu_backend.ts";

// ---- helpers --------------------------------------------------------------------

function flat(x: NestedArray | ArrayLike<number>): number[] {
  if (typeof x === "number") return [x];
  if (Array.isArray(x)) return (x as NestedArray[]).flatMap((v) => flat(v));
  return Array.from(x as ArrayLike<number>);
}

/** Same shape (when a tensor) and every value within `tol` (absolute + relative). */
function assertClose(
  got: Tensor | NestedArray | ArrayLike<number>,
  want: NestedArray | ArrayLike<number>,
  tol = 1e-6,
  what = "",
): void {
  if (got instanceof Tensor) {
    if (!(ArrayBuffer.isView(want))) {
      assert.deepEqual(got.shape, shapeOf(want as NestedArray), `${what} shape`);
    }
    got = got.dataSync();
  }
  const g = flat(got), w = flat(want);
  assert.equal(g.length, w.length, `${what}: ${g.length} values, want ${w.length}`);
  g.forEach((v, i) => {
    const ok = Object.is(v, w[i]) || Math.abs(v - w[i]) <= tol * (1 + Math.abs(w[i]));
    assert.ok(ok, `${what} element ${i}: got ${v}, want ${w[i]} ± ${tol}\n got ${g}\nwant ${w}`);
  });
}

function shapeOf(x: NestedArray): number[] {
  const shape: number[] = [];
  while (Array.isArray(x)) {
    shape.push(x.length);
    x = x[0];
  }
  return shape;
}

function randomArray(n: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => rng.normal());
}

// ---- elementwise ------------------------------------------------------------------

Deno.test("unary ops: neg, exp, log, sqrt, abs, relu, sigmoid, tanh, step, sign", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 2]);
  assertClose(neg(x), [2, 0.5, -0, -0.5, -2]);
  assertClose(exp(x), [Math.exp(-2), Math.exp(-0.5), 1, Math.exp(0.5), Math.exp(2)], 1e-6);
  assertClose(abs(x), [2, 0.5, 0, 0.5, 2]);
  assertClose(relu(x), [0, 0, 0, 0.5, 2]);
  assertClose(sigmoid(x), [-2, -0.5, 0, 0.5, 2].map((v) => 1 / (1 + Math.exp(-v))), 1e-6);
  assertClose(tanh(x), [-2, -0.5, 0, 0.5, 2].map(Math.tanh), 1e-6);
  assertClose(step(x), [0, 0, 0, 1, 1]);
  assertClose(sign(x), [-1, -1, 0, 1, 1]);
  const p = tensor([0.25, 1, 4, Math.E]);
  assertClose(log(p), [Math.log(0.25), 0, Math.log(4), 1], 1e-6);
  assertClose(sqrt(p), [0.5, 1, 2, Math.sqrt(Math.E)], 1e-6);
  assert.ok(Number.isNaN(log(tensor([-1])).itemSync()), "log(-1) is NaN");
  assert.equal(log(tensor([0])).itemSync(), -Infinity);
});

Deno.test("binary ops with same shapes and numbers", () => {
  const a = tensor([1, -2, 3, 4]), b = tensor([2, 2, -1, 0.5]);
  assertClose(add(a, b), [3, 0, 2, 4.5]);
  assertClose(sub(a, b), [-1, -4, 4, 3.5]);
  assertClose(mul(a, b), [2, -4, -3, 2]);
  assertClose(div(a, b), [0.5, -1, -3, 8]);
  assertClose(pow(tensor([2, 3, 4, 9]), tensor([3, 2, 0.5, -0.5])), [8, 9, 2, 1 / 3], 1e-6);
  assertClose(maximum(a, b), [2, 2, 3, 4]);
  assertClose(minimum(a, b), [1, -2, -1, 0.5]);
  assertClose(a.add(1).mul(2).sub(3).div(2), [0.5, -2.5, 2.5, 3.5]);
  assertClose(sub(10, a), [9, 12, 7, 6]);
  assertClose(div(1, tensor([4, 0.5])), [0.25, 2]);
  assertClose(pow(2, tensor([0, 3])), [1, 8]);
  assert.equal(div(tensor([1]), 0).itemSync(), Infinity);
});

Deno.test("comparisons return 1/0 in the inputs' dtype", () => {
  const a = tensor([1, 2, 3]), b = tensor([2, 2, 2]);
  assert.deepEqual(eq(a, b).arraySync(), [0, 1, 0]);
  assert.deepEqual(ne(a, b).arraySync(), [1, 0, 1]);
  assert.deepEqual(lt(a, b).arraySync(), [1, 0, 0]);
  assert.deepEqual(le(a, b).arraySync(), [1, 1, 0]);
  assert.deepEqual(gt(a, b).arraySync(), [0, 0, 1]);
  assert.deepEqual(ge(a, b).arraySync(), [0, 1, 1]);
  assert.equal(gt(a, b).dtype, "float32");
  const i = tensor([1, 5], { dtype: "int32" });
  assert.equal(gt(i, 2).dtype, "int32");
  assert.deepEqual(gt(i, 2).arraySync(), [0, 1]);
});

Deno.test("broadcasting results: [3,1]+[1,4], [2,3,4]*[4], scalar-[5], [2,1,3]+[4,1]", () => {
  const col = tensor([[1], [2], [3]]), row = tensor([[10, 20, 30, 40]]);
  assertClose(add(col, row), [[11, 21, 31, 41], [12, 22, 32, 42], [13, 23, 33, 43]]);
  const x = arange(24).reshape([2, 3, 4]);
  const w = tensor([1, 0, -1, 2]);
  const want = Array.from({ length: 24 }, (_, i) => i * [1, 0, -1, 2][i % 4]);
  assertClose(mul(x, w).dataSync(), want);
  assert.deepEqual(mul(x, w).shape, [2, 3, 4]);
  assertClose(sub(tensor(1), tensor([1, 2, 3, 4, 5])), [0, -1, -2, -3, -4]);
  const y = add(tensor([[[1, 2, 3]], [[4, 5, 6]]]), tensor([[0], [10], [20], [30]]));
  assert.deepEqual(y.shape, [2, 4, 3]);
  assert.deepEqual(y.arraySync(), [
    [[1, 2, 3], [11, 12, 13], [21, 22, 23], [31, 32, 33]],
    [[4, 5, 6], [14, 15, 16], [24, 25, 26], [34, 35, 36]],
  ]);
});

Deno.test("where picks with broadcasting; clamp", () => {
  const c = tensor([[1], [0]]);
  assert.deepEqual(where(c, tensor([1, 2, 3]), -1).arraySync(), [[1, 2, 3], [-1, -1, -1]]);
  assert.deepEqual(where(tensor([1, 0, 1], { dtype: "int32" }), 5, tensor([7, 8, 9])).arraySync(), [
    5,
    8,
    5,
  ]);
  assertClose(clamp(tensor([-2, 0.25, 3]), 0, 1), [0, 0.25, 1]);
  assert.throws(() => clamp(tensor([1]), 2, 1), /clamp: lower bound 2 is above upper bound 1/);
});

// ---- dtypes ---------------------------------------------------------------------

Deno.test("dtype rules: int32 arithmetic works and stays int32", () => {
  const a = tensor([7, -7, 3], { dtype: "int32" }), b = tensor([2, 2, 3], { dtype: "int32" });
  const s = add(a, b);
  assert.equal(s.dtype, "int32");
  assert.ok(s.dataSync() instanceof Int32Array);
  assert.deepEqual(s.arraySync(), [9, -5, 6]);
  assert.deepEqual(mul(a, b).arraySync(), [14, -14, 9]);
  assert.deepEqual(sub(a, 1).arraySync(), [6, -8, 2]);
  assert.deepEqual(neg(a).arraySync(), [-7, 7, -3]);
  assert.deepEqual(abs(a).arraySync(), [7, 7, 3]);
  assert.deepEqual(sum(a).arraySync(), 3);
  assert.deepEqual(max(a).arraySync(), 7);
  // Division of int32 truncates toward zero (C semantics).
  assert.deepEqual(div(a, b).arraySync(), [3, -3, 1]);
});

Deno.test("dtype rules: int32 exp/log/sqrt/sigmoid/tanh throw naming the op and int32", () => {
  const i = tensor([1, 2], { dtype: "int32" });
  for (
    const [name, f] of [["exp", exp], ["log", log], ["sqrt", sqrt], ["sigmoid", sigmoid], [
      "tanh",
      tanh,
    ]] as const
  ) {
    assert.throws(() => f(i), new RegExp(`${name}: needs a float tensor, got int32`));
  }
  assert.throws(() => matmul(i.reshape([1, 2]), i.reshape([2, 1])), /matmul.*int32/);
});

Deno.test("dtype rules: mixing dtypes throws naming both dtypes", () => {
  const f = tensor([1, 2]), i = tensor([1, 2], { dtype: "int32" });
  assert.throws(() => add(f, i), /add: dtype mismatch: float32 \[2\] and int32 \[2\]/);
  assert.throws(() => mul(i, f), /mul: dtype mismatch: int32 \[2\] and float32 \[2\]/);
  const d = tensor([1, 2], { dtype: "float64" });
  assert.throws(() => sub(f, d), /sub:.*float32.*float64/);
  assert.throws(() => matmul(f.reshape([1, 2]), d.reshape([2, 1])), /matmul:.*float32.*float64/);
  assert.throws(() => concat([f, i]), /concat:.*float32.*int32|concat:.*int32.*float32/);
});

Deno.test("dtype rules: conv2d with float32 input and float64 weight throws naming both", () => {
  // Without the check the kernel silently computes in the input's dtype and
  // the weight's gradient comes back in the wrong dtype.
  assert.throws(
    () => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 2, 2], { dtype: "float64" })),
    /conv2d.*float32.*float64|conv2d.*float64.*float32/,
  );
});

Deno.test("dtype rules: float64 works on the CPU with full precision; cast", () => {
  const d = tensor([1 / 3, 1e-300], { dtype: "float64" });
  assert.equal(d.dtype, "float64");
  assert.ok(d.dataSync() instanceof Float64Array);
  assert.equal(d.dataSync()[0], 1 / 3);
  assert.equal(d.mul(3).dataSync()[0], 1);
  assert.equal(d.dataSync()[1], 1e-300);
  const f = tensor([1 / 3]);
  assert.ok(f.dataSync() instanceof Float32Array);
  assert.equal(f.dataSync()[0], Math.fround(1 / 3));
  assert.deepEqual(tensor([1.7, -1.7, 2.5]).cast("int32").arraySync(), [1, -1, 2]);
  assert.equal(tensor([1], { dtype: "int32" }).cast("float64").dtype, "float64");
  assert.throws(() => tensor([1], { dtype: "float16" as "float32" }), /Unknown dtype "float16"/);
});

// ---- reductions -------------------------------------------------------------------

Deno.test("reductions with and without keepdims", () => {
  const x = tensor([[[1, 2, 3], [4, 5, 6]], [[-1, 8, 0], [2, -3, 7]]]); // [2,2,3]
  assert.deepEqual(sum(x, 0).arraySync(), [[0, 10, 3], [6, 2, 13]]);
  assert.deepEqual(sum(x, 1).arraySync(), [[5, 7, 9], [1, 5, 7]]);
  assert.deepEqual(sum(x, 2).arraySync(), [[6, 15], [7, 6]]);
  assert.deepEqual(sum(x, -1, true).arraySync(), [[[6], [15]], [[7], [6]]]);
  assert.deepEqual(sum(x, [0, 2]).arraySync(), [13, 21]);
  assert.deepEqual(sum(x, [0, 2], true).shape, [1, 2, 1]);
  assert.equal(sum(x).itemSync(), 34);
  assert.deepEqual(sum(x).shape, []);
  assert.deepEqual(sum(x, undefined, true).shape, [1, 1, 1]);
  assert.deepEqual(max(x, 2).arraySync(), [[3, 6], [8, 7]]);
  assert.deepEqual(max(x, 0, true).arraySync(), [[[1, 8, 3], [4, 5, 7]]]);
  assert.equal(max(x).itemSync(), 8);
  assert.deepEqual(min(x, 1).arraySync(), [[1, 2, 3], [-1, -3, 0]]);
  assert.equal(min(x).itemSync(), -3);
  assertClose(mean(x, 2), [[2, 5], [7 / 3, 2]], 1e-6);
  assertClose(mean(x), 34 / 12, 1e-6);
  assert.deepEqual(mean(x, [1, 2], true).shape, [2, 1, 1]);
  // NumPy: np.var([1, 2, 3, 4]) = 1.25, ddof=1 → 5/3
  assertClose(variance(tensor([1, 2, 3, 4])), 1.25, 1e-6);
  assertClose(variance(tensor([1, 2, 3, 4]), undefined, false, 1), 5 / 3, 1e-6);
  assertClose(variance(tensor([[1, 3], [2, 6]]), 1), [1, 4], 1e-6);
  assert.throws(() => sum(x, 3), /sum: axis 3 is out of range for a tensor with 3 axes/);
  assert.throws(() => sum(x, [0, 0]), /sum: repeated axis/);
  assert.throws(() => max(zeros([0, 2]), 0), /max: cannot reduce over axis 0 of size 0/);
  assert.equal(sum(zeros([0, 2])).itemSync(), 0);
});

Deno.test("mean of an int32 tensor is the true mean (not truncated to 0), or throws", () => {
  const i = tensor([2, 5], { dtype: "int32" });
  let m: Tensor;
  try {
    m = mean(i);
  } catch (err) {
    assert.match((err as Error).message, /mean.*int32/);
    return;
  }
  assertClose(m.cast("float32").itemSync(), 3.5, 0, "mean([2, 5]) of int32");
});

Deno.test("argmax: first index on ties, along any axis, keepdims", () => {
  const x = tensor([[1, 9, 9], [7, 2, 7]]);
  const a = argmax(x);
  assert.equal(a.dtype, "int32");
  assert.deepEqual(a.arraySync(), [1, 0]);
  assert.deepEqual(argmax(x, 0).arraySync(), [1, 0, 0]);
  assert.deepEqual(argmax(x, 1, true).arraySync(), [[1], [0]]);
  assert.deepEqual(x.argmax(-1).arraySync(), [1, 0]);
  assert.deepEqual(argmax(tensor([5, 5, 5])).arraySync(), 0);
  assert.deepEqual(argmax(tensor([[[3, 4], [4, 3]]]), 1).arraySync(), [[1, 0]]);
});

// ---- movement -------------------------------------------------------------------

Deno.test("slice: ranges, negative indices, dropped axes, clamping", () => {
  const x = arange(12).reshape([3, 4]);
  assert.deepEqual(slice(x, [[1, 3]]).arraySync(), [[4, 5, 6, 7], [8, 9, 10, 11]]);
  assert.deepEqual(slice(x, [null, [1, -1]]).arraySync(), [[1, 2], [5, 6], [9, 10]]);
  assert.deepEqual(slice(x, [-1]).arraySync(), [8, 9, 10, 11]);
  assert.deepEqual(slice(x, [[-2], -3]).arraySync(), [5, 9]);
  assert.deepEqual(slice(x, [1, 2]).arraySync(), 6);
  assert.deepEqual(slice(x, [[undefined, 1], [2]]).arraySync(), [[2, 3]]);
  assert.deepEqual(slice(x, [[-100, 100], [3, 1]]).shape, [3, 0]);
  assert.deepEqual(x.slice([0, 2], 0).arraySync(), [0, 4]);
});

Deno.test("pad, take, concat, stack", () => {
  assert.deepEqual(pad(tensor([[1, 2]]), [1, 0], [0, 2], 9).arraySync(), [[9, 9, 9, 9], [
    1,
    2,
    9,
    9,
  ]]);
  const x = tensor([[1, 1], [2, 2], [3, 3]]);
  assert.deepEqual(take(x, [2, 0, 2]).arraySync(), [[3, 3], [1, 1], [3, 3]]);
  assert.deepEqual(take(x, tensor([1], { dtype: "int32" })).arraySync(), [[2, 2]]);
  assert.deepEqual(take(tensor([5, 6, 7]), new Int32Array([2, 2])).arraySync(), [7, 7]);
  assert.deepEqual(concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])]).arraySync(), [[1, 2], [
    3,
    4,
  ], [
    5,
    6,
  ]]);
  assert.deepEqual(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1).arraySync(), [[
    1,
    3,
    4,
  ], [
    2,
    5,
    6,
  ]]);
  assert.deepEqual(
    concat([tensor([1, 2], { dtype: "int32" }), tensor([3], { dtype: "int32" })]).arraySync(),
    [
      1,
      2,
      3,
    ],
  );
  const a = tensor([1, 2]), b = tensor([3, 4]);
  assert.deepEqual(stack([a, b]).arraySync(), [[1, 2], [3, 4]]);
  assert.deepEqual(stack([a, b], 1).arraySync(), [[1, 3], [2, 4]]);
  assert.deepEqual(stack([a, b], -1).arraySync(), [[1, 3], [2, 4]]);
  assert.throws(
    () => stack([a, tensor([1, 2, 3])]),
    /stack: tensor 1 has shape \[3\], tensor 0 has \[2\]/,
  );
  assert.throws(() => concat([tensor([[1, 2]]), tensor([[1, 2, 3]])]), /concat: tensor 1 \[1, 3\]/);
  assert.throws(() => pad(tensor([1]), [1, 1], [0]), /pad: need one before\/after size per axis/);
});

Deno.test("permute, transpose, reshape(-1), flatten, squeeze, unsqueeze, expand", () => {
  const x = arange(24).reshape([2, 3, 4]);
  const p = permute(x, [2, 0, 1]);
  assert.deepEqual(p.shape, [4, 2, 3]);
  // p[k, i, j] = x[i, j, k] = 12i + 4j + k
  assert.equal((p.arraySync() as number[][][])[3][1][2], 12 + 8 + 3);
  assert.deepEqual(transpose(tensor([[1, 2, 3], [4, 5, 6]])).arraySync(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(transpose(x, 0, 2).shape, [4, 3, 2]);
  assert.equal((transpose(x, 0, 2).arraySync() as number[][][])[1][2][1], 12 + 8 + 1);
  assert.deepEqual(transpose(tensor([1, 2])).arraySync(), [1, 2]);
  assert.deepEqual(reshape(x, [-1]).shape, [24]);
  assert.deepEqual(reshape(x, [4, -1]).shape, [4, 6]);
  assert.deepEqual(reshape(x, [-1, 2, 3]).shape, [4, 2, 3]);
  assert.deepEqual(Array.from(reshape(x, [6, -1]).dataSync()), Array.from(x.dataSync()));
  assert.deepEqual(flatten(x).shape, [24]);
  assert.deepEqual(flatten(x, 1).shape, [2, 12]);
  assert.deepEqual(flatten(x, 0, 1).shape, [6, 4]);
  assert.deepEqual(flatten(tensor(3)).shape, [1]);
  assert.deepEqual(squeeze(zeros([1, 3, 1, 2])).shape, [3, 2]);
  assert.deepEqual(squeeze(zeros([1, 3, 1]), 2).shape, [1, 3]);
  assert.throws(() => squeeze(zeros([1, 3]), 1), /squeeze: axis 1 of \[1, 3\] has size 3, not 1/);
  assert.deepEqual(unsqueeze(zeros([3, 2]), 0).shape, [1, 3, 2]);
  assert.deepEqual(unsqueeze(zeros([3, 2]), -1).shape, [3, 2, 1]);
  assert.deepEqual(unsqueeze(zeros([3, 2]), 1).shape, [3, 1, 2]);
  assert.deepEqual(expand(tensor([[1], [2]]), [2, 2, 3]).arraySync(), [
    [[1, 1, 1], [2, 2, 2]],
    [[1, 1, 1], [2, 2, 2]],
  ]);
  assert.throws(() => expand(tensor([1, 2]), [3]), /expand: cannot broadcast/);
  assert.throws(() => permute(x, [0, 0, 1]), /permute: \[0,0,1\] is not a permutation/);
});

// ---- creation ---------------------------------------------------------------------

Deno.test("arange, linspace, eye, full, zeros, ones, *Like", () => {
  assert.deepEqual(arange(5).arraySync(), [0, 1, 2, 3, 4]);
  assert.deepEqual(arange(2, 5).arraySync(), [2, 3, 4]);
  assert.deepEqual(arange(5, 0, -2).arraySync(), [5, 3, 1]);
  assertClose(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(arange(3, 3).shape, [0]);
  assert.deepEqual(arange(3, 0, 1, { dtype: "int32" }).shape, [0]);
  assert.equal(arange(3, undefined, 1, { dtype: "int32" }).dtype, "int32");
  assert.throws(() => arange(0, 1, 0), /arange: step must not be 0/);
  assertClose(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
  assertClose(linspace(-1, 1, 3), [-1, 0, 1]);
  assert.deepEqual(linspace(0, 1, 0).shape, [0]);
  assert.deepEqual(eye(3).arraySync(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  assert.equal(eye(2, { dtype: "int32" }).dtype, "int32");
  assert.deepEqual(full([2, 2], 7).arraySync(), [[7, 7], [7, 7]]);
  assert.deepEqual(full([], 3).arraySync(), 3);
  assert.deepEqual(zeros([2, 3]).arraySync(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(ones([3]).arraySync(), [1, 1, 1]);
  assert.equal(ones([3], { dtype: "float64" }).dtype, "float64");
  const t = tensor([[1, 2]], { dtype: "int32" });
  assert.deepEqual(zerosLike(t).arraySync(), [[0, 0]]);
  assert.equal(onesLike(t).dtype, "int32");
});

Deno.test("creation with a negative size throws naming the shape", () => {
  assert.throws(() => zeros([2, -1]), /Invalid shape \[2, -1\]/);
  assert.throws(() => full([-3], 1), /Invalid shape \[-3\]/);
  assert.throws(() => tensor([], { shape: [0, -1] }), /Invalid shape \[0, -1\]/);
});

Deno.test("linspace with num = 1 returns [start], as NumPy does", () => {
  // np.linspace(2, 5, 1) → array([2.])
  assert.deepEqual(linspace(2, 5, 1).arraySync(), [2]);
});

Deno.test("tensor() from numbers, nested arrays, typed arrays; ragged arrays throw", () => {
  const s = tensor(3.5);
  assert.deepEqual(s.shape, []);
  assert.equal(s.itemSync(), 3.5);
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.shape, [2, 3]);
  assert.equal(m.dtype, "float32");
  assert.deepEqual(m.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(tensor([[[1], [2]]]).shape, [1, 2, 1]);
  assert.deepEqual(tensor([]).shape, [0]);
  const i = tensor(new Int32Array([1, 2, 3]));
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.shape, [3]);
  assert.equal(tensor(new Float64Array([0.1])).dtype, "float64");
  assert.equal(tensor(new Float64Array([0.1])).dataSync()[0], 0.1);
  const f = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
  assert.deepEqual(f.arraySync(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(tensor([1, 2, 3, 4], { shape: [2, 2] }).arraySync(), [[1, 2], [3, 4]]);
  // The data is copied: changing the source later does not change the tensor.
  const src = new Float32Array([1, 2]);
  const c = tensor(src);
  src[0] = 100;
  assert.deepEqual(c.arraySync(), [1, 2]);
  assert.throws(
    () => tensor([[1, 2], [3]]),
    /tensor\(\): ragged nested array at index \[1\]: expected 2/,
  );
  assert.throws(() => tensor([[1, 2], 3] as NestedArray), /ragged nested array at index \[1\]/);
  assert.throws(
    () => tensor([[[1], [2]], [[3], 4]] as NestedArray),
    /ragged nested array at index \[1,1\]/,
  );
  assert.throws(() => tensor([1, [2]] as NestedArray), /ragged nested array at index \[1\]/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /3 values cannot fill shape \[2, 2\]/);
});

// ---- randomness ---------------------------------------------------------------------

Deno.test("seeded rand/randn/uniform/normal are reproducible", () => {
  for (
    const make of [
      (seed: number) => rand([7], { rng: new Rng(seed) }),
      (seed: number) => randn([7], { rng: new Rng(seed) }),
      (seed: number) => uniform([7], -3, 2, { rng: new Rng(seed) }),
      (seed: number) => normal([7], 5, 0.1, { rng: new Rng(seed) }),
    ]
  ) {
    assert.deepEqual(make(1).dataSync(), make(1).dataSync());
    assert.notDeepEqual(make(1).dataSync(), make(2).dataSync());
  }
  manualSeed(11);
  const a = randn([5]).dataSync();
  manualSeed(11);
  assert.deepEqual(randn([5]).dataSync(), a);
  manualSeed(12);
  assert.notDeepEqual(randn([5]).dataSync(), a);
  // float64 draws are the exact generator values
  const r = new Rng(3);
  const want = [r.uniform(), r.uniform()];
  assert.deepEqual(Array.from(rand([2], { rng: new Rng(3), dtype: "float64" }).dataSync()), want);
});

Deno.test("randn has mean ≈ 0 and std ≈ 1 over 10k samples; ranges of rand/uniform/normal", () => {
  const stats = (v: ArrayLike<number>) => {
    const xs = Array.from(v);
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
    return [m, sd];
  };
  const [m, sd] = stats(randn([10000], { rng: new Rng(5) }).dataSync());
  assert.ok(Math.abs(m) < 0.05, `mean ${m}`);
  assert.ok(Math.abs(sd - 1) < 0.05, `std ${sd}`);
  const [m2, sd2] = stats(normal([10000], 3, 0.5, { rng: new Rng(6) }).dataSync());
  assert.ok(Math.abs(m2 - 3) < 0.03 && Math.abs(sd2 - 0.5) < 0.03, `normal: ${m2}, ${sd2}`);
  const u = Array.from(uniform([10000], -2, 4, { rng: new Rng(7) }).dataSync());
  assert.ok(u.every((v) => v >= -2 && v < 4));
  assert.ok(Math.abs(stats(u)[0] - 1) < 0.1);
  assert.ok(Array.from(rand([1000], { rng: new Rng(8) }).dataSync()).every((v) => v >= 0 && v < 1));
});

// ---- numerically delicate activations ----------------------------------------------------

Deno.test("softmax is stable: softmax([1,1000,1000]) = [0, .5, .5]; rows sum to 1", () => {
  assert.deepEqual(softmax(tensor([1, 1000, 1000])).arraySync(), [0, 0.5, 0.5]);
  const x = tensor([[1, 2, 3], [-1, 0, 1]]);
  const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
  const z = e[0] + e[1] + e[2];
  assertClose(softmax(x), [e.map((v) => v / z), e.map((v) => v / z)], 1e-6);
  assertClose(sum(softmax(x, 0), 0), [1, 1, 1], 1e-6);
  assertClose(softmax(tensor([-1000, -1000])), [0.5, 0.5]);
});

Deno.test("logSoftmax of large values is finite and exact", () => {
  const y = logSoftmax(tensor([1000, 0, -1000])).dataSync();
  assert.ok(Array.from(y).every(Number.isFinite), `${y}`);
  assertClose(y, [0, -1000, -2000], 1e-6);
  assertClose(logSoftmax(tensor([0, 0])), [-Math.LN2, -Math.LN2], 1e-6);
  assertClose(logSoftmax(tensor([[1e4, 1e4]]), 1), [[-Math.LN2, -Math.LN2]], 1e-6);
});

Deno.test("sigmoid(±1000) is 0/1 without NaN, and so is its gradient", () => {
  const x = tensor([-1000, 1000, 0], { requiresGrad: true });
  const y = sigmoid(x);
  assert.deepEqual(y.arraySync(), [0, 1, 0.5]);
  y.sum().backward();
  assert.deepEqual(x.grad!.arraySync(), [0, 0, 0.25]);
  assert.deepEqual(tanh(tensor([-1000, 1000])).arraySync(), [-1, 1]);
});

Deno.test("softplus(100) = 100, softplus(-100) ≈ 0, softplus(0) = ln 2; gradient σ(x)", () => {
  const x = tensor([100, -100, 0], { requiresGrad: true });
  const y = softplus(x);
  const v = y.dataSync();
  assert.equal(v[0], 100);
  assert.ok(v[1] >= 0 && v[1] < 1e-30, `softplus(-100) = ${v[1]}`);
  assertClose([v[2]], [Math.LN2], 1e-6);
  y.sum().backward();
  assertClose(x.grad!, [1, 0, 0.5], 1e-6);
});

Deno.test("elu gradient at 0 is alpha (1: ELU with alpha 1 is smooth there)", () => {
  for (const alpha of [1, 0.5]) {
    const x = tensor([0, -1e-4, 1e-4], { requiresGrad: true });
    elu(x, alpha).sum().backward();
    assertClose(x.grad!, [alpha, alpha * Math.exp(-1e-4), 1], 1e-6);
  }
});

Deno.test("elu and leakyRelu values; elu gradient at x=100 is 1 (no NaN)", () => {
  assertClose(elu(tensor([-1, 0, 2])), [Math.exp(-1) - 1, 0, 2], 1e-6);
  assertClose(elu(tensor([-2]), 0.5), [0.5 * (Math.exp(-2) - 1)], 1e-6);
  assertClose(leakyRelu(tensor([-2, 0, 3])), [-0.02, 0, 3], 1e-6);
  assertClose(leakyRelu(tensor([-2, 3]), 0.5), [-1, 3]);
  const x = tensor([100, 1000, -1], { requiresGrad: true });
  elu(x).sum().backward();
  const g = x.grad!.dataSync();
  assert.equal(g[0], 1);
  assert.equal(g[1], 1);
  assertClose([g[2]], [Math.exp(-1)], 1e-6);
});

// ---- linear algebra, convolution and pooling against naive references ----------------------

function naiveMatmul(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      for (let p = 0; p < k; p++) out[i * n + j] += a[i * k + p] * b[p * n + j];
    }
  }
  return out;
}

Deno.test("matmul against a naive triple loop: 2-D, vector, batched with broadcasting", () => {
  const a = randomArray(3 * 5, 1), b = randomArray(5 * 4, 2);
  const ta = tensor(a, { shape: [3, 5] }), tb = tensor(b, { shape: [5, 4] });
  const af = Array.from(ta.dataSync()), bf = Array.from(tb.dataSync());
  assertClose(matmul(ta, tb).dataSync(), naiveMatmul(af, bf, 3, 5, 4), 1e-5);
  assert.deepEqual(matmul(ta, tb).shape, [3, 4]);
  const v = tensor([1, -1, 2, 0, 3]);
  assertClose(matmul(ta, v).dataSync(), naiveMatmul(af, [1, -1, 2, 0, 3], 3, 5, 1), 1e-5);
  assert.deepEqual(matmul(ta, v).shape, [3]);
  assert.deepEqual(matmul(v, tb).shape, [4]);
  assert.equal(matmul(v, v).itemSync(), 15);
  assert.deepEqual(matmul(v, v).shape, []);
  assert.deepEqual(matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).arraySync(), [[
    19,
    22,
  ], [
    43,
    50,
  ]]);
  // [2,1,3,4] @ [5,4,2] → [2,5,3,2]
  const x = randomArray(2 * 3 * 4, 3), y = randomArray(5 * 4 * 2, 4);
  const tx = tensor(x, { shape: [2, 1, 3, 4] }), ty = tensor(y, { shape: [5, 4, 2] });
  const out = matmul(tx, ty);
  assert.deepEqual(out.shape, [2, 5, 3, 2]);
  const xf = Array.from(tx.dataSync()), yf = Array.from(ty.dataSync());
  const want: number[] = [];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 5; j++) {
      want.push(...naiveMatmul(xf.slice(i * 12, i * 12 + 12), yf.slice(j * 8, j * 8 + 8), 3, 4, 2));
    }
  }
  assertClose(out.dataSync(), want, 1e-5);
  // A larger float64 product through the blocked kernel.
  const big1 = randomArray(70 * 90, 5), big2 = randomArray(90 * 33, 6);
  const big = matmul(
    tensor(big1, { shape: [70, 90], dtype: "float64" }),
    tensor(big2, { shape: [90, 33], dtype: "float64" }),
  );
  assertClose(big.dataSync(), naiveMatmul(big1, big2, 70, 90, 33), 1e-12);
});

/** Direct convolution: out[n,o,y,x] = b[o] + Σ w[o,c,i,j] · xpad[n,c,y*s+i,x*s+j]. */
function naiveConv(
  x: ArrayLike<number>,
  [n, c, h, w]: number[],
  wt: ArrayLike<number>,
  [oc, , kh, kw]: number[],
  bias: ArrayLike<number> | null,
  stride: number,
  padding: number,
): { values: number[]; shape: number[] } {
  const oh = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - kw) / stride) + 1;
  const values: number[] = [];
  for (let ni = 0; ni < n; ni++) {
    for (let o = 0; o < oc; o++) {
      for (let y = 0; y < oh; y++) {
        for (let xo = 0; xo < ow; xo++) {
          let s = bias ? bias[o] : 0;
          for (let ci = 0; ci < c; ci++) {
            for (let i = 0; i < kh; i++) {
              for (let j = 0; j < kw; j++) {
                const iy = y * stride + i - padding, ix = xo * stride + j - padding;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                s += wt[((o * c + ci) * kh + i) * kw + j] * x[((ni * c + ci) * h + iy) * w + ix];
              }
            }
          }
          values.push(s);
        }
      }
    }
  }
  return { values, shape: [n, oc, oh, ow] };
}

Deno.test("conv2d against a naive direct convolution (stride 2, padding 1, bias)", () => {
  const xs = [2, 3, 7, 6], ws = [4, 3, 3, 3];
  const x = tensor(randomArray(2 * 3 * 7 * 6, 10), { shape: xs });
  const w = tensor(randomArray(4 * 3 * 3 * 3, 11), { shape: ws });
  const b = tensor([0.5, -1, 2, 0]);
  const y = conv2d(x, w, b, { stride: 2, padding: 1 });
  const ref = naiveConv(x.dataSync(), xs, w.dataSync(), ws, b.dataSync(), 2, 1);
  assert.deepEqual(y.shape, ref.shape);
  assert.deepEqual(y.shape, [2, 4, 4, 3]);
  assertClose(y.dataSync(), ref.values, 1e-5);
  // Also stride 1, no padding, no bias, non-square kernel.
  const w2 = tensor(randomArray(2 * 3 * 2 * 3, 12), { shape: [2, 3, 2, 3] });
  const ref2 = naiveConv(x.dataSync(), xs, w2.dataSync(), [2, 3, 2, 3], null, 1, 0);
  const y2 = conv2d(x, w2);
  assert.deepEqual(y2.shape, ref2.shape);
  assertClose(y2.dataSync(), ref2.values, 1e-5);
});

function naivePool(
  x: ArrayLike<number>,
  [n, c, h, w]: number[],
  k: number,
  stride: number,
  padding: number,
  kind: "max" | "avg",
): { values: number[]; shape: number[] } {
  const oh = Math.floor((h + 2 * padding - k) / stride) + 1;
  const ow = Math.floor((w + 2 * padding - k) / stride) + 1;
  const values: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        let best = -Infinity, total = 0;
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const iy = y * stride + i - padding, ix = xo * stride + j - padding;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // max: -inf, avg: 0
            const v = x[(p * h + iy) * w + ix];
            best = Math.max(best, v);
            total += v;
          }
        }
        values.push(kind === "max" ? best : total / (k * k));
      }
    }
  }
  return { values, shape: [n, c, oh, ow] };
}

Deno.test("maxPool2d and avgPool2d against naive references (stride, padding)", () => {
  const shape = [2, 3, 7, 6];
  const x = tensor(randomArray(2 * 3 * 7 * 6, 20), { shape });
  const xv = x.dataSync();
  for (const [k, stride, padding] of [[2, 2, 0], [3, 1, 0], [3, 2, 1], [5, 1, 2], [5, 2, 2]]) {
    const mp = maxPool2d(x, k, { stride, padding });
    const mref = naivePool(xv, shape, k, stride, padding, "max");
    assert.deepEqual(mp.shape, mref.shape, `maxPool2d k${k} s${stride} p${padding}`);
    assertClose(mp.dataSync(), mref.values, 0, `maxPool2d k${k} s${stride} p${padding}`);
    const ap = avgPool2d(x, k, { stride, padding });
    const aref = naivePool(xv, shape, k, stride, padding, "avg");
    assert.deepEqual(ap.shape, aref.shape, `avgPool2d k${k} s${stride} p${padding}`);
    assertClose(ap.dataSync(), aref.values, 1e-5, `avgPool2d k${k} s${stride} p${padding}`);
  }
  // Default stride is the kernel size.
  assert.deepEqual(maxPool2d(x, 2).shape, [2, 3, 3, 3]);
  assert.deepEqual(maxPool2d(tensor([[[[1, 2], [3, 4]]]]), 2).arraySync(), [[[[4]]]]);
  assert.throws(
    () => maxPool2d(x, 3, { padding: 2 }),
    /maxPool2d: padding 2 must be at most half the kernel size 3/,
  );
});

// ---- printing and reading values ---------------------------------------------------------------

Deno.test("toString formats like NumPy", () => {
  assert.equal(tensor([[1, 2], [3, 4]]).toString(), "tensor([[1., 2.],\n        [3., 4.]])");
  assert.equal(tensor([1, 2.5, -3]).toString(), "tensor([ 1. ,  2.5, -3. ])");
  assert.equal(tensor(3.5).toString(), "tensor(3.5)");
  assert.equal(tensor([0.1, 0.25]).toString(), "tensor([0.1 , 0.25])");
  assert.equal(tensor([1, 2, 3], { dtype: "int32" }).toString(), "tensor([1, 2, 3], dtype=int32)");
  assert.equal(
    tensor([1 / 3], { dtype: "float64" }).toString(),
    "tensor([0.33333333], dtype=float64)",
  );
  assert.equal(tensor([1e-5, 1]).toString(), "tensor([1.0000e-05, 1.0000e+00])");
  assert.equal(
    tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]).toString(),
    "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])",
  );
  const x = tensor([1], { requiresGrad: true });
  assert.equal(x.toString(), "tensor([1.], requiresGrad=true)");
  assert.equal(x.mul(2).toString(), "tensor([2.], grad_fn=binary)");
  // Large tensors are summarized with "..." (NumPy: threshold 1000, 3 edge items).
  assert.equal(
    arange(2000).toString(),
    "tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.])",
  );
  assert.equal(String(tensor([1, 2])), "tensor([1., 2.])");
  assert.equal(Deno.inspect(tensor([1, 2])), "tensor([1., 2.])");
});

Deno.test("toString of nan/inf aligns like NumPy", () => {
  // np.array([np.nan, np.inf, -np.inf, 1.]) → array([ nan,  inf, -inf,   1.])
  assert.equal(
    tensor([NaN, Infinity, -Infinity, 1]).toString(),
    "tensor([ nan,  inf, -inf,   1.])",
  );
  // np.array([np.nan, 1.5]) → array([nan, 1.5])
  assert.equal(tensor([NaN, 1.5]).toString(), "tensor([nan, 1.5])");
});

Deno.test("item(), itemSync(), array(), arraySync(), data(), dataSync()", async () => {
  const s = tensor([[2.5]]);
  assert.equal(await s.item(), 2.5);
  assert.equal(s.itemSync(), 2.5);
  assert.equal(tensor(7).itemSync(), 7);
  assert.throws(
    () => tensor([1, 2]).itemSync(),
    /item\(\): tensor has 2 elements \(shape \[2\]\), not 1/,
  );
  await assert.rejects(() => tensor([1, 2]).item(), /item\(\): tensor has 2 elements/);
  const m = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(await m.array(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(await tensor(4).array(), 4);
  const d = await m.data();
  assert.ok(d instanceof Float32Array);
  assert.deepEqual(Array.from(d), [1, 2, 3, 4, 5, 6]);
  // data() is a copy: writing to it does not change the tensor.
  d[0] = 100;
  assert.equal(m.dataSync()[0], 1);
  assert.ok((await tensor([1], { dtype: "int32" }).data()) instanceof Int32Array);
});

// ---- bad inputs: errors name the op and the offending shapes/dtypes/indices -----------------------

Deno.test("error: matmul inner-size mismatch names both shapes and sizes", () => {
  assert.throws(
    () => matmul(zeros([2, 3]), zeros([4, 5])),
    /matmul: inner sizes differ: \[2, 3\] @ \[4, 5\] \(3 vs 4\)/,
  );
  assert.throws(
    () => matmul(zeros([2, 3]), zeros([4])),
    /matmul: inner sizes differ: \[2, 3\] @ \[4\]/,
  );
  assert.throws(
    () => matmul(zeros([2, 2, 3]), zeros([3, 3, 1])),
    /matmul: cannot broadcast shapes \[2\] and \[3\]/,
  );
  assert.throws(() => matmul(tensor(1), zeros([2])), /matmul: operands must have at least 1 axis/);
});

Deno.test("error: broadcast mismatch in add names the op and both shapes", () => {
  assert.throws(
    () => add(zeros([2, 3]), zeros([4])),
    /add: cannot broadcast shapes \[2, ?3\] and \[4\]: axis -1 has sizes 3 and 4/,
  );
  assert.throws(
    () => mul(zeros([3, 1, 2]), zeros([4, 3])),
    /mul: cannot broadcast shapes \[3, ?1, ?2\] and \[4, ?3\]/,
  );
});

Deno.test("error: conv2d channel mismatch and kernel larger than the padded input", () => {
  assert.throws(
    () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 2, 3, 3])),
    /conv2d: input has 3 channels \(shape \[1, 3, 5, 5\]\) but the weight expects 2 \(weight shape \[4, 2, 3, 3\]\)/,
  );
  assert.throws(
    () => conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 5, 5])),
    /conv2d: kernel 5x5 is larger than the padded input 3x3 \(input \[1, 1, 3, 3\], padding 0\)/,
  );
  // With padding 1 the padded input is 5x5, which fits.
  assert.deepEqual(
    conv2d(zeros([1, 1, 3, 3]), zeros([1, 1, 5, 5]), undefined, { padding: 1 }).shape,
    [
      1,
      1,
      1,
      1,
    ],
  );
  assert.throws(
    () => conv2d(zeros([3, 5, 5]), zeros([1, 3, 3, 3])),
    /conv2d: input must be NCHW \(4 axes\), got \[3, 5, 5\]/,
  );
  assert.throws(
    () => conv2d(zeros([1, 1, 5, 5]), zeros([2, 1, 3, 3]), zeros([3])),
    /conv2d: bias must have shape \[2\].*got \[3\]/,
  );
  assert.throws(
    () => conv2d(zeros([1, 1, 5, 5]), zeros([2, 1, 3, 3]), undefined, { stride: 0 }),
    /conv2d: stride must be a positive integer, got 0/,
  );
});

Deno.test("error: take with an out-of-range index (array and int32 tensor)", () => {
  const x = zeros([3, 2]);
  assert.throws(
    () => take(x, [0, 3]),
    /take: index 3 \(position 1\) is out of range for axis 0 of size 3/,
  );
  assert.throws(
    () => take(x, [-1]),
    /take: index -1 \(position 0\) is out of range for axis 0 of size 3/,
  );
  assert.throws(() => take(x, [1.5]), /take: index 1.5 \(position 0\) is out of range/);
  assert.throws(
    () => take(x, tensor([2, 7], { dtype: "int32" })),
    /take: index 7 \(position 1\) is out of range for axis 0 of size 3/,
  );
  assert.throws(
    () => take(x, tensor([-2], { dtype: "int32" })),
    /take: index -2 \(position 0\) is out of range for axis 0 of size 3/,
  );
  assert.throws(
    () => take(x, tensor([1])),
    /take: indices must be a 1-d int32 tensor, got float32 \[1\]/,
  );
  assert.throws(() => take(tensor(1), [0]), /take: cannot take rows of a 0-d tensor/);
});

Deno.test("error: slice index out of range names the index, axis and size", () => {
  const x = zeros([2, 3]);
  assert.throws(() => slice(x, [0, 3]), /slice: index 3 is out of range for axis 1 of size 3/);
  assert.throws(() => slice(x, [-3]), /slice: index -3 is out of range for axis 0 of size 2/);
  assert.throws(() => slice(x, [0, 0, 0]), /slice: 3 ranges given for a tensor with 2 axes/);
});

Deno.test("error: reshape size mismatch names both shapes", () => {
  assert.throws(
    () => reshape(zeros([2, 3]), [4, 2]),
    /reshape: cannot reshape \[2, 3\] \(6 elements\) into \[4, 2\]/,
  );
  assert.throws(
    () => reshape(zeros([2, 3]), [4, -1]),
    /reshape: cannot reshape \[2, 3\] \(6 elements\) into \[4, -1\]/,
  );
  assert.throws(() => reshape(zeros([2, 3]), [-1, -1]), /reshape: only one size may be -1/);
});

Deno.test("error: float64 on a backend without float64 names float64 and the backend", async () => {
  const cpu = new CpuBackend();
  const nof64: Backend = {
    name: "nof64",
    supportsFloat64: false,
    kernels: cpu.kernels,
    upload: (data, dtype) => cpu.upload(data, dtype),
    read: (info) => cpu.read(info),
    readSync: (info) => cpu.readSync(info),
    dispose: (storage) => cpu.dispose(storage),
  };
  registerBackend("nof64", () => nof64);
  assert.throws(() => tensor([1], { backend: "nof64" }), /Backend "nof64" is not initialized yet/);
  await initBackend("nof64");
  assert.throws(
    () => tensor([1], { dtype: "float64", backend: "nof64" }),
    /float64 is not supported on the "nof64" backend/,
  );
  const f = tensor([1.5], { backend: "nof64" });
  assert.equal(f.backend.name, "nof64");
  assert.deepEqual(f.add(1).arraySync(), [2.5]);
  assert.throws(() => f.cast("float64"), /cast: float64 is not supported on the "nof64" backend/);
  assert.throws(() => zeros([2], { dtype: "float64", backend: "nof64" }), /float64.*"nof64"/);
  // Tensors on different backends do not mix.
  assert.throws(
    () => add(f, tensor([1])),
    /binary: inputs live on different backends \(nof64 and cpu\)/,
  );
  assert.throws(() => tensor([1], { backend: "nope" }), /Unknown backend "nope"/);
});

Deno.test("error: backward on a non-scalar without an upstream gradient", () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  assert.throws(
    () => x.mul(2).backward(),
    /backward\(\): the output has shape \[2, 3\], not a scalar; pass an upstream gradient/,
  );
  assert.throws(
    () => x.mul(2).backward(ones([3, 2])),
    /backward\(\): upstream gradient shape \[3, 2\] does not match the output shape \[2, 3\]/,
  );
});

Deno.test("error: backward on a tensor that does not require grad", () => {
  assert.throws(
    () => tensor([1, 2]).sum().backward(),
    /backward\(\): this tensor does not require gradients/,
  );
});

Deno.test("error: using a disposed tensor", () => {
  const t = tensor([1, 2]);
  t.dispose();
  assert.equal(t.isDisposed, true);
  assert.throws(
    () => t.add(1),
    /This tensor \(shape \[2\]\) was disposed; it cannot be used any more/,
  );
  assert.throws(() => t.dataSync(), /was disposed/);
  assert.equal(t.toString(), "tensor(shape=[2], dtype=float32, backend=cpu, disposed)");
  t.dispose(); // disposing twice is harmless
  // A reshape view shares the storage: disposing the view keeps the base usable.
  const base = tensor([1, 2, 3, 4]);
  const view = base.reshape([2, 2]);
  view.dispose();
  assert.equal(view.isDisposed, true);
  assert.throws(() => view.dataSync(), /was disposed/);
  assert.equal(base.isDisposed, false);
  assert.deepEqual(base.arraySync(), [1, 2, 3, 4]);
  // ... and disposing the base keeps a detached view usable.
  const kept = base.detach();
  base.dispose();
  assert.deepEqual(kept.arraySync(), [1, 2, 3, 4]);
});
