// Losses: hand-computed values, gradient checks, stability, the lecture's
// examples, and error messages.
import assert from "node:assert/strict";
import { gradcheck, normal, Rng, sigmoid, softmax, type Tensor, tensor, uniform } from "../mod.ts";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  crossEntropyFromProbs,
  expectedLabelDistance,
  halfSquaredError,
  hinge,
  l2Penalty,
  mse,
  oneHot,
  oneMinusTrueProbability,
  perceptronCriterion,
} from "../lib/losses.ts";

const f64 = { dtype: "float64" } as const;
const int = (values: number[]) => tensor(values, { dtype: "int32" });
const close = (actual: number, expected: number, tol = 1e-12, what = "") =>
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what} ${actual} != ${expected}`,
  );
const flat = (t: Tensor) => Array.from(t.dataSync());
const allClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) close(actual[i], expected[i], tol, `[${i}]`);
};
/** Finite-difference step: see tests/gradcheck_test.ts for why 1e-5 rather than 1e-6. */
const EPS = 1e-5;
const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => {
  const r = gradcheck(fn, inputs, { eps: EPS, throwOnFailure: false });
  assert.ok(r.ok, `max relative error ${r.maxRelError}`);
};

// ---- oneHot ---------------------------------------------------------------------------------

Deno.test("oneHot: values, dtype and shape", () => {
  const y = oneHot(int([1, 0, 3]), 4);
  assert.equal(y.dtype, "float32");
  assert.deepEqual(y.shape, [3, 4]);
  assert.deepEqual(y.arraySync(), [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]);
  assert.deepEqual(oneHot(tensor([[2]], { dtype: "int32" }), 3).shape, [1, 1, 3]);
});

Deno.test("oneHot: labels out of range name the label and the class count", () => {
  assert.throws(() => oneHot(int([0, 5]), 3), /label 5 \(at index 1\).*3 classes/);
  assert.throws(() => oneHot(int([-1]), 3), /label -1 .*3 classes/);
  assert.throws(() => oneHot(tensor([0, 1]), 2), /int32/);
  assert.throws(() => oneHot(int([0]), 0), /positive integer/);
});

// ---- squared errors -------------------------------------------------------------------------

Deno.test("halfSquaredError: ½‖y − a‖², summed or per example; gradient a − y", () => {
  const a = tensor([[0.5, 0.25], [1, 3]], { ...f64, requiresGrad: true });
  const y = tensor([[1, 0], [1, 1]], f64);
  // ½(0.25 + 0.0625 + 0 + 4) = 2.15625
  close(halfSquaredError(a, y).itemSync(), 2.15625);
  close(halfSquaredError(a, y, { reduction: "mean" }).itemSync(), 2.15625 / 2);
  halfSquaredError(a, y).backward();
  allClose(flat(a.grad!), [-0.5, 0.25, 0, 2]);
  assert.throws(
    () => halfSquaredError(a, y, { reduction: "max" as "sum" }),
    /reduction must be "sum" or "mean"/,
  );
});

Deno.test("mse: mean over all elements", () => {
  close(mse(tensor([[1, 2], [3, 4]], f64), tensor([[0, 2], [3, 7]], f64)).itemSync(), 2.5);
  // A float32 target is cast to the prediction's dtype.
  close(mse(tensor([1, 2], f64), tensor([0, 0])).itemSync(), 2.5);
});

// ---- cross-entropy --------------------------------------------------------------------------

Deno.test("crossEntropy: hand-computed values for labels and probability targets", () => {
  const logits = tensor([[1, 2, 3], [0, 0, 0]], f64);
  const lse = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
  const expected = ((lse - 3) + Math.log(3)) / 2;
  close(crossEntropy(logits, int([2, 1])).itemSync(), expected);
  close(crossEntropy(logits, tensor([[0, 0, 1], [0, 1, 0]])).itemSync(), expected);
  // A soft target: −Σ t log k.
  const soft = tensor([[0.5, 0.5, 0], [0, 0, 1]], f64);
  close(
    crossEntropy(logits, soft).itemSync(),
    (0.5 * (lse - 1) + 0.5 * (lse - 2) + Math.log(3)) / 2,
  );
});

Deno.test("crossEntropy equals crossEntropyFromProbs(softmax) and is finite for logits like 1000", () => {
  const logits = normal([5, 4], 0, 2, { ...f64, rng: new Rng(3) });
  const labels = int([0, 3, 1, 1, 2]);
  close(
    crossEntropy(logits, labels).itemSync(),
    crossEntropyFromProbs(softmax(logits), labels).itemSync(),
    1e-12,
  );
  const big = tensor([[1000, 0, -1000], [1000, 1000, 0]]);
  const v = crossEntropy(big, int([1, 2])).itemSync();
  assert.ok(Number.isFinite(v));
  close(v, (1000 + (1000 + Math.log(2))) / 2, 1e-6);
  close(crossEntropy(big, int([0, 0])).itemSync(), Math.log(2) / 2, 1e-6);
  // Through backward too: no NaN in the gradient.
  const z = tensor([[1000, 0, -1000]], { requiresGrad: true });
  crossEntropy(z, int([1])).backward();
  assert.ok(flat(z.grad!).every(Number.isFinite));
  allClose(flat(z.grad!), [1, -1, 0], 1e-6);
});

Deno.test("crossEntropy: gradient w.r.t. the logits is (softmax − onehot)/N", () => {
  const n = 4, c = 3;
  const z = normal([n, c], 0, 1, { ...f64, rng: new Rng(7), requiresGrad: true });
  const labels = int([2, 0, 1, 2]);
  crossEntropy(z, labels).backward();
  const k = softmax(z.detach()).dataSync();
  const y = oneHot(labels, c).dataSync();
  allClose(flat(z.grad!), Array.from(k, (v, i) => (v - y[i]) / n), 1e-12);
});

Deno.test("crossEntropyFromProbs: hand value; a zero probability gives −log(eps), not ∞", () => {
  const p = tensor([[0.2, 0.8], [0.5, 0.5]], f64);
  close(
    crossEntropyFromProbs(p, int([1, 0])).itemSync(),
    -(Math.log(0.8) + Math.log(0.5)) / 2,
  );
  const zero = tensor([[1, 0]], f64);
  close(crossEntropyFromProbs(zero, int([1])).itemSync(), -Math.log(1e-7));
  close(crossEntropyFromProbs(zero, int([1]), 1e-3).itemSync(), -Math.log(1e-3));
});

Deno.test("binaryCrossEntropy and binaryCrossEntropyWithLogits", () => {
  const p = tensor([0.9, 0.2, 0.5], f64), y = tensor([1, 0, 1], f64);
  const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.5)) / 3;
  close(binaryCrossEntropy(p, y).itemSync(), expected);
  // Clamped: p = 0 or 1 gives a large but finite loss.
  assert.ok(Number.isFinite(binaryCrossEntropy(tensor([0, 1]), tensor([1, 0])).itemSync()));

  const z = tensor([-3, -0.5, 0, 2, 4], f64), t = tensor([0, 1, 1, 0, 1], f64);
  close(
    binaryCrossEntropyWithLogits(z, t).itemSync(),
    binaryCrossEntropy(sigmoid(z), t).itemSync(),
    1e-12,
  );
  // Stable for huge logits (float32): log(1 + e^1000) would overflow naively.
  const big = binaryCrossEntropyWithLogits(tensor([1000, -1000, 1000]), tensor([1, 0, 0]));
  close(big.itemSync(), 1000 / 3, 1e-6);
  // Gradient (σ(z) − y)/size, including at the kink z = 0.
  const zg = tensor([-2, 0, 0, 3], { ...f64, requiresGrad: true });
  const yg = tensor([1, 1, 0, 0], f64);
  binaryCrossEntropyWithLogits(zg, yg).backward();
  const s = (v: number) => 1 / (1 + Math.exp(-v));
  allClose(flat(zg.grad!), [(s(-2) - 1) / 4, -0.5 / 4, 0.5 / 4, s(3) / 4], 1e-12);
});

// ---- the lecture's alternative error functions ----------------------------------------------

Deno.test("oneMinusTrueProbability: E = 1 − k[T], mean over the batch", () => {
  const k = tensor([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]], f64);
  close(oneMinusTrueProbability(k, int([1, 0])).itemSync(), ((1 - 0.7) + (1 - 0.3)) / 2);
});

Deno.test("expectedLabelDistance: E = Σ_j k[j](j − T)², mean over the batch", () => {
  const k = tensor([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4]], f64);
  // T = 1: 0.1·1 + 0 + 0.2·1 = 0.3; T = 0: 0 + 0.3·1 + 0.4·4 = 1.9
  close(expectedLabelDistance(k, int([1, 0])).itemSync(), (0.3 + 1.9) / 2);
  // A confident correct prediction costs nothing; mass on far digits costs more.
  close(expectedLabelDistance(tensor([[0, 0, 1]], f64), int([2])).itemSync(), 0);
  assert.ok(
    expectedLabelDistance(tensor([[1, 0, 0]]), int([2])).itemSync() >
      expectedLabelDistance(tensor([[0, 1, 0]]), int([2])).itemSync(),
  );
});

// ---- perceptron criterion and hinge ---------------------------------------------------------

Deno.test("perceptronCriterion and hinge: hand-computed values", () => {
  const s = tensor([3, 0.5, -0.25, -2], f64), y = tensor([1, 1, 1, -1], f64);
  close(perceptronCriterion(s, y).itemSync(), (0 + 0 + 0.25 + 0) / 4);
  close(hinge(s, y).itemSync(), (0 + 0.5 + 1.25 + 0) / 4);
  close(hinge(s, y, 2).itemSync(), (0 + 1.5 + 2.25 + 0) / 4);
  // Gradient of the perceptron criterion: −y·x on mistakes only (per sample, /N).
  const sg = tensor([2, -1, 0.5], { ...f64, requiresGrad: true });
  perceptronCriterion(sg, tensor([1, 1, -1], f64)).backward();
  allClose(flat(sg.grad!), [0, -1 / 3, 1 / 3]);
});

// ---- L2 regularization ----------------------------------------------------------------------

Deno.test("l2Penalty prefers spread-out weights (the lecture's example)", () => {
  const x = tensor([1, 1, 1, 1], f64);
  const w1 = tensor([1, 0, 0, 0], f64), w2 = tensor([0.25, 0.25, 0.25, 0.25], f64);
  const data1 = w1.mul(x).sum().itemSync(), data2 = w2.mul(x).sum().itemSync();
  assert.equal(data1, 1);
  assert.equal(data2, 1); // w₁ᵀx = w₂ᵀx = 1: the data cannot tell them apart
  assert.equal(l2Penalty([w1], 1).itemSync(), 1);
  assert.equal(l2Penalty([w2], 1).itemSync(), 0.25);
  const lambda = 0.1;
  assert.ok(
    data2 + l2Penalty([w2], lambda).itemSync() < data1 + l2Penalty([w1], lambda).itemSync(),
  );
  // Several tensors; gradient 2λW.
  const a = tensor([[1, -2]], { ...f64, requiresGrad: true });
  const b = tensor([3], { ...f64, requiresGrad: true });
  const r = l2Penalty([a, b], 0.5);
  close(r.itemSync(), 7);
  r.backward();
  allClose(flat(a.grad!), [1, -2]);
  allClose(flat(b.grad!), [3]);
  assert.throws(() => l2Penalty([], 1), /empty/);
});

// ---- gradient checks ------------------------------------------------------------------------

Deno.test("gradcheck: every differentiable loss (float64)", () => {
  const rng = new Rng(11);
  const opts = { ...f64, rng };
  const labels = int([1, 0, 2, 2]);
  const target = normal([4, 3], 0, 1, opts);
  const probTarget = softmax(normal([4, 3], 0, 1, opts));
  const probs = () => softmax(normal([4, 3], 0, 1, opts));
  // Away from 0, where log's derivatives blow up the finite-difference error.
  const positive = () => uniform([4, 3], 0.2, 0.9, opts);
  const inUnit = () => uniform([2, 3], 0.1, 0.9, opts);
  const signs = tensor([1, -1, 1, -1, -1, 1], f64);
  // Scores at least 0.1 away from the kinks (0 for the perceptron, 1 for hinge) and from each other.
  const scores = tensor([2, 0.3, -0.6, -1.7, 0.45, 1.6], f64);

  check((a) => halfSquaredError(a, target), [normal([4, 3], 0, 1, opts)]);
  check((a) => halfSquaredError(a, target, { reduction: "mean" }), [normal([4, 3], 0, 1, opts)]);
  check((a, y) => mse(a, y), [normal([4, 3], 0, 1, opts), normal([4, 3], 0, 1, opts)]);
  check((z) => crossEntropy(z, labels), [normal([4, 3], 0, 2, opts)]);
  check((z, t) => crossEntropy(z, t), [normal([4, 3], 0, 2, opts), probTarget]);
  check((p) => crossEntropyFromProbs(p, labels), [positive()]);
  check((p) => crossEntropyFromProbs(p, probTarget), [positive()]);
  const soft = uniform([2, 3], 0, 1, opts); // soft binary targets, fixed across calls
  check((p) => binaryCrossEntropy(p, soft), [inUnit()]);
  check((z) => binaryCrossEntropyWithLogits(z, soft), [normal([2, 3], 0, 3, opts)]);
  check((k) => oneMinusTrueProbability(k, labels), [probs()]);
  check((k) => expectedLabelDistance(k, labels), [probs()]);
  check((s) => perceptronCriterion(s, signs), [scores]);
  check((s) => hinge(s, signs), [scores]);
  check((a, b) => l2Penalty([a, b], 0.3), [normal([2, 3], 0, 1, opts), normal([3], 0, 1, opts)]);
});

// ---- errors ---------------------------------------------------------------------------------

Deno.test("shape mismatches name the loss and both shapes", () => {
  const a = tensor([[1, 2, 3]]), y = tensor([[1, 2]]);
  assert.throws(() => halfSquaredError(a, y), /halfSquaredError: .*\[1, 3\].*\[1, 2\]/);
  assert.throws(() => mse(a, y), /mse: .*\[1, 3\].*\[1, 2\]/);
  assert.throws(() => binaryCrossEntropy(a, y), /binaryCrossEntropy: .*\[1, 3\].*\[1, 2\]/);
  assert.throws(
    () => binaryCrossEntropyWithLogits(a, y),
    /binaryCrossEntropyWithLogits: .*\[1, 3\].*\[1, 2\]/,
  );
  assert.throws(() => hinge(tensor([1, 2]), tensor([1])), /hinge: .*\[2\].*\[1\]/);
  assert.throws(
    () => perceptronCriterion(tensor([1, 2]), tensor([1])),
    /perceptronCriterion: .*\[2\].*\[1\]/,
  );
  assert.throws(() => crossEntropy(a, int([0, 1])), /crossEntropy: .*\[1, 3\].*\[2\]/);
  assert.throws(() => crossEntropy(a, tensor([[1, 0]])), /crossEntropy: .*\[1, 3\].*\[1, 2\]/);
  assert.throws(() => crossEntropy(tensor([1, 2]), int([0])), /crossEntropy: .*\[N, classes\]/);
  assert.throws(
    () => crossEntropyFromProbs(a, tensor([[1, 0]])),
    /crossEntropyFromProbs: .*\[1, 3\].*\[1, 2\]/,
  );
  assert.throws(
    () => oneMinusTrueProbability(a, int([0, 0])),
    /oneMinusTrueProbability: .*\[1, 3\].*\[2\]/,
  );
  assert.throws(
    () => expectedLabelDistance(a, int([0, 0])),
    /expectedLabelDistance: .*\[1, 3\].*\[2\]/,
  );
  // Float labels are not class indices.
  assert.throws(() => crossEntropy(a, tensor([0])), /int32 labels/);
});

Deno.test("labels out of range name the loss, the label and the class count", () => {
  const z = tensor([[0, 0, 0], [1, 1, 1]]);
  assert.throws(() => crossEntropy(z, int([0, 3])), /crossEntropy: label 3 .*3 classes/);
  assert.throws(() => crossEntropyFromProbs(z, int([-2, 0])), /label -2 .*3 classes/);
  assert.throws(() => oneMinusTrueProbability(z, int([7, 0])), /label 7 .*3 classes/);
  assert.throws(
    () => expectedLabelDistance(z, int([0, 9])),
    /expectedLabelDistance: label 9 .*3 classes/,
  );
});
