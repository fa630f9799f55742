// Bad input to tensors and ops: each gets an error naming what was wrong,
// never a silent NaN; and the numerics that used to go quietly wrong.
import assert from "node:assert/strict";
import {
  argmax,
  clamp,
  crossEntropy,
  full,
  gradcheck,
  matmul,
  max,
  maxPool2d,
  ones,
  pow,
  relu,
  sign,
  softplus,
  step,
  tensor,
  zeros,
} from "../../mod.ts";
import { gpuReady, ignoreGpu, onGpu } from "../gpu/_setup.ts";

Deno.test("tensors: non-numbers are refused with what was given", () => {
  assert.throws(
    () => tensor("abc" as never),
    /tensor\(\): expected a number.*got the string "abc"/,
  );
  assert.throws(() => tensor([1, undefined] as never), /element at index \[1\] is undefined/);
  assert.throws(() => tensor([[1, "x"]] as never), /index \[0,1\] is the string "x"/);
  assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array at index \[1\]/);
  assert.throws(() => tensor([1, 2]).add("x" as never), /add: an operand is the string "x"/);
  assert.throws(() => tensor([1, 2]).mul(null as never), /mul: an operand is null/);
  assert.throws(() => zeros(3 as never), /a shape is an array of sizes.*write \[3\]/);
  assert.throws(() => full([2], "1" as never), /fill value is the string "1"/);
});

Deno.test("tensors: int32 refuses values it cannot hold instead of wrapping", () => {
  assert.throws(() => tensor([3e10], { dtype: "int32" }), /30000000000, which int32 cannot hold/);
  assert.throws(() => tensor([NaN], { dtype: "int32" }), /NaN, which int32 cannot hold/);
  assert.throws(() => tensor([1], { dtype: "int32" }).add(2 ** 31), /int32 cannot hold/);
  assert.deepEqual(tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: "int32" }).arraySync(), [
    -(2 ** 31),
    2 ** 31 - 1,
  ]);
});

Deno.test("tensors: a tensor too large for memory names its shape and size", () => {
  assert.throws(
    () => zeros([100_000, 100_000]),
    /cannot allocate a float32 tensor of shape \[100000, 100000\].*40,000,000,000 bytes/,
  );
  // An op whose output is too large says which op, and the shape and size of its output.
  assert.throws(
    () => matmul(ones([100_000, 1]), ones([1, 100_000])),
    /matmul: cannot allocate its output, a float32 tensor of shape \[(1, )?100000, 100000\].*40,000,000,000 bytes/,
  );
});

Deno.test("NaN propagates through relu, step and sign (as in PyTorch) and wins argmax like max", () => {
  assert.ok(Number.isNaN(relu(tensor([NaN])).itemSync()));
  assert.ok(Number.isNaN(step(tensor([NaN])).itemSync()));
  assert.ok(Number.isNaN(sign(tensor([NaN])).itemSync()));
  assert.deepEqual(relu(tensor([-1, 0, 2])).arraySync(), [0, 0, 2]);
  assert.deepEqual(sign(tensor([-3, 0, 4])).arraySync(), [-1, 0, 1]);
  assert.ok(Number.isNaN(max(tensor([1, NaN, 3])).itemSync()));
  assert.equal(argmax(tensor([1, NaN, 3, NaN])).itemSync(), 1);
  assert.equal(argmax(tensor([NaN, 5])).itemSync(), 0);
});

Deno.test("softplus: the full gradient σ(20) at 20 and log1p accuracy for negative x", () => {
  const x = tensor([20], { requiresGrad: true });
  softplus(x).sum().backward();
  assert.ok(Math.abs(x.grad!.itemSync() - 1 / (1 + Math.exp(-20))) < 1e-6);
  for (const v of [-15, -17, -30, -5]) {
    const got = softplus(tensor([v])).itemSync(), want = Math.log1p(Math.exp(v));
    assert.ok(Math.abs(got - want) / want < 1e-6, `softplus(${v}) = ${got}, want ${want}`);
  }
  gradcheck((t) => softplus(t).sum(), [
    tensor([-30, -15, -3, 0, 3, 19.5, 20.5], { dtype: "float64" }),
  ]);
});

Deno.test("pow(x, 0) has gradient 0 at x = 0; clamp passes the whole gradient at a bound", () => {
  const z = tensor([0, 2], { requiresGrad: true });
  pow(z, 0).sum().backward();
  assert.deepEqual(z.grad!.arraySync(), [0, 0]);
  const c = tensor([0, 0.5, 1, 2, -1], { requiresGrad: true });
  clamp(c, 0, 1).sum().backward();
  assert.deepEqual(c.grad!.arraySync(), [1, 1, 1, 0, 0]);
  assert.ok(Number.isNaN(clamp(tensor([NaN]), 0, 1).itemSync()));
});

Deno.test("crossEntropy is finite with a -Infinity (masked) non-target logit, like PyTorch", () => {
  const logits = tensor([[1, -Infinity, 2]], { requiresGrad: true });
  const loss = crossEntropy(logits, tensor([0], { dtype: "int32" }));
  loss.backward();
  const want = -(1 - Math.log(Math.exp(1) + Math.exp(2)));
  assert.ok(Math.abs(loss.itemSync() - want) < 1e-6);
  const g = logits.grad!.arraySync() as number[][];
  assert.ok(g[0].every(Number.isFinite), `gradient ${g}`);
  assert.equal(g[0][1], 0);
});

Deno.test("maxPool2d with kernel size 0 names the kernel size, not the stride", () => {
  assert.throws(
    () => maxPool2d(zeros([1, 1, 4, 4]), 0),
    /maxPool2d: kernel size must be a positive integer, got 0/,
  );
});

Deno.test({
  name: "WebGPU: NaN propagates through relu, step and sign and wins argmax",
  ignore: ignoreGpu,
  fn: async () => {
    await gpuReady();
    await onGpu(async () => {
      const x = tensor([NaN, -1, 2, 0]);
      const nan = (v: number) => Number.isNaN(v) ? "NaN" : v + 0; // (-0 + 0 is 0)
      const read = async (t: ReturnType<typeof relu>) => Array.from(await t.data()).map(nan);
      assert.deepEqual(await read(relu(x)), ["NaN", 0, 2, 0]);
      assert.deepEqual(await read(step(x)), ["NaN", 0, 1, 0]);
      assert.deepEqual(await read(sign(x)), ["NaN", -1, 1, 0]);
      assert.equal(await argmax(tensor([1, NaN, 3, NaN])).item(), 1);
      assert.equal(await argmax(tensor([1, 7, 3])).item(), 1);
    });
  },
});

Deno.test("backward through a released subgraph names the release, not requiresGrad", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.mul(3).sum().backward();
  assert.throws(
    () => y.mul(4).sum().backward(),
    /already used by an earlier backward\(\) and released; recompute the forward pass \(this tensor's, or that of a tensor it was computed from\)/,
  );
});
