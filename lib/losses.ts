/**
 * Loss (error) functions, built only from tensor ops so they run on every
 * backend and differentiate through autograd: the lecture's quadratic cost
 * ½‖y − a‖², mean squared error, (binary) cross-entropy, the two
 * alternative error functions of the MNIST lecture (E = 1 − k[T] and
 * E = Σ_j k[j](j − T)²), the perceptron criterion, hinge loss and the L2
 * regularization penalty λΣW².
 *
 * Conventions: every loss returns a 0-d tensor. "Mean over the batch"
 * divides by N, the size of the first axis. Shape mismatches throw naming
 * the loss and both shapes; class labels are int32 and, on backends that can
 * read synchronously (CPU), a label outside `0..classes-1` throws naming the
 * label and the class count (elsewhere it is not checked, to avoid a
 * readback, and such a row simply matches no class).
 *
 * @module
 */
import type { Shape } from "./op_set.ts";
import { showShape } from "./shape.ts";
import type { Tensor } from "./tensor.ts";
import {
  abs,
  add,
  arange,
  cast,
  clamp,
  div,
  eq,
  exp,
  log,
  logSoftmax,
  maximum,
  mean,
  mul,
  ne,
  neg,
  reshape,
  sub,
  sum,
  where,
} from "./ops/mod.ts";

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws `<op>: <what> shape [..] and <what> shape [..] differ` unless the shapes are equal. */
function checkSameShape(op: string, a: Tensor, b: Tensor, names = ["prediction", "target"]): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new Error(
      `${op}: ${names[0]} shape ${showShape(a.shape)} and ${names[1]} shape ` +
        `${showShape(b.shape)} differ; they must be equal`,
    );
  }
}

/** `target` in the dtype of `like` (targets are constants, so casting them is harmless). */
function asDtypeOf(target: Tensor, like: Tensor): Tensor {
  return target.dtype === like.dtype ? target : cast(target, like.dtype);
}

/** Batch size: the first axis (1 for a 0-d tensor). */
function batchSize(x: Tensor): number {
  return x.ndim === 0 ? 1 : x.shape[0];
}

function checkClasses(op: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`${op}: the number of classes must be a positive integer, got ${classes}`);
  }
}

/**
 * Checks int32 class labels: dtype, and (where the backend reads
 * synchronously) that every label lies in `0..classes-1`.
 */
/**
 * Throws unless `labels` are int32 and, where they can be read without a
 * readback (CPU), all in `0..classes-1`. `fit` and `evaluate` call it on
 * each batch's labels while they are still on the CPU, before an upload to
 * another backend, where they could not be checked.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { checkLabels } from "./losses.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => checkLabels("fit", tensor([0, 10], { dtype: "int32" }), 10), /label 10/);
 * ```
 */
export function checkLabels(op: string, labels: Tensor, classes: number): void {
  if (labels.dtype !== "int32") {
    throw new Error(
      `${op}: class labels must be int32, got ${labels.dtype} ${showShape(labels.shape)}; ` +
        `use labels.cast("int32")`,
    );
  }
  if (!labels.backend.readSync) return;
  const values = labels.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0 || v >= classes) {
      throw new RangeError(
        `${op}: label ${v} (at index ${i}) is out of range for ${classes} classes ` +
          `(valid labels are 0..${classes - 1})`,
      );
    }
  }
}

/** Checks `probs`/`logits` is `[N, C]` and `labels` is `[N]`; returns C. */
function checkClassification(op: string, scores: Tensor, labels: Tensor, what: string): number {
  if (scores.ndim !== 2) {
    throw new Error(`${op}: ${what} must be [N, classes], got ${showShape(scores.shape)}`);
  }
  const [n, c] = scores.shape;
  if (labels.ndim !== 1 || labels.shape[0] !== n) {
    throw new Error(
      `${op}: ${what} shape ${showShape(scores.shape)} and labels shape ` +
        `${showShape(labels.shape)} do not match: expected labels of shape [${n}]`,
    );
  }
  checkLabels(op, labels, c);
  return c;
}

/**
 * One-hot encoding: row n has a 1 in column `labels[n]` and 0 elsewhere
 * (the lecture's target vector y: "0's with just a single 1 at the location
 * corresponding to the desired digit"). Built from ops by comparing the
 * labels, cast to float, against `arange(classes)`; labels of any shape `S`
 * give `S + [classes]`. Out-of-range labels throw on the CPU (see the module
 * notes).
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { oneHot } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const y = oneHot(tensor([2, 0], { dtype: "int32" }), 3);
 * assert.deepEqual(y.arraySync(), [[0, 0, 1], [1, 0, 0]]);
 * assert.equal(y.dtype, "float32");
 * assert.throws(() => oneHot(tensor([3], { dtype: "int32" }), 3), /label 3 .*3 classes/);
 * ```
 */
export function oneHot(labels: Tensor, classes: number): Tensor {
  checkClasses("oneHot", classes);
  checkLabels("oneHot", labels, classes);
  const column = reshape(cast(labels, "float32"), [...labels.shape, 1]);
  const range = arange(0, classes, 1, { backend: labels.backend.name });
  return eq(column, range);
}

/**
 * Options of {@linkcode halfSquaredError}.
 *
 * @example
 * ```ts
 * import type { HalfSquaredErrorOptions } from "./losses.ts";
 * const perExample: HalfSquaredErrorOptions = { reduction: "mean" };
 * ```
 */
export interface HalfSquaredErrorOptions {
  /**
   * `"sum"` (default): ½ Σ over every element, the lecture's cost summed over
   * the batch; `"mean"`: that sum divided by the batch size N (first axis).
   */
  reduction?: "sum" | "mean";
}

/**
 * The lecture's quadratic cost C = ½‖y − aᴸ‖² between the network output
 * `a` and the target `y` (e.g. a one-hot vector). Its gradient with respect
 * to `a` is simply `a − y`, which is why the ½ is there.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { halfSquaredError } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const a = tensor([[0.5, 0.5], [1, 0]]), y = tensor([[1, 0], [1, 0]]);
 * assert.equal(halfSquaredError(a, y).itemSync(), 0.25); // ½(0.25 + 0.25)
 * assert.equal(halfSquaredError(a, y, { reduction: "mean" }).itemSync(), 0.125);
 * ```
 */
export function halfSquaredError(
  a: Tensor,
  y: Tensor,
  options: HalfSquaredErrorOptions = {},
): Tensor {
  const { reduction = "sum" } = options;
  if (reduction !== "sum" && reduction !== "mean") {
    throw new Error(`halfSquaredError: reduction must be "sum" or "mean", got "${reduction}"`);
  }
  checkSameShape("halfSquaredError", a, y);
  const d = sub(asDtypeOf(y, a), a);
  const scale = reduction === "sum" ? 0.5 : 0.5 / batchSize(a);
  return mul(sum(mul(d, d)), scale);
}

/**
 * Mean squared error: the mean over all elements of (a − y)² (the
 * least-squares loss for regression).
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { mse } from "./losses.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mse(tensor([1, 2, 3, 4]), tensor([1, 2, 3, 6])).itemSync(), 1);
 * ```
 */
export function mse(a: Tensor, y: Tensor): Tensor {
  checkSameShape("mse", a, y);
  const d = sub(a, asDtypeOf(y, a));
  return mean(mul(d, d));
}

/**
 * Cross-entropy of softmax(`logits`) against `target`, mean over the batch:
 * L = −(1/N) Σ_n Σ_c t[n, c] log softmax(z_n)[c]. For an int32 label this is
 * the lecture's L_i = −log(e^{s_{y_i}} / Σ_j e^{s_j}). Computed with
 * `logSoftmax`, so it is finite even for logits like 1000. Its gradient with
 * respect to the logits is (softmax(z) − t)/N.
 *
 * @param logits Raw scores `[N, C]`.
 * @param target int32 labels `[N]`, or probabilities / one-hot rows `[N, C]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { crossEntropy } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const logits = tensor([[0, 0], [1000, 0]]);
 * const loss = crossEntropy(logits, tensor([1, 0], { dtype: "int32" }));
 * assert.ok(Math.abs(loss.itemSync() - Math.log(2) / 2) < 1e-6); // (log 2 + 0) / 2
 * ```
 */
export function crossEntropy(logits: Tensor, target: Tensor): Tensor {
  const t = classTarget("crossEntropy", logits, target, "logits");
  // Classes with target 0 add nothing, even where a logit is −∞ (masked
  // logits): 0 · −∞ would be NaN.
  const terms = mul(t, logSoftmax(logits, -1));
  return div(neg(sum(where(ne(t, 0), terms, 0))), batchSize(logits));
}

/** The `[N, C]` float target (one-hot of labels, or the given matrix) in `scores`' dtype. */
function classTarget(op: string, scores: Tensor, target: Tensor, what: string): Tensor {
  if (scores.ndim !== 2) {
    throw new Error(`${op}: ${what} must be [N, classes], got ${showShape(scores.shape)}`);
  }
  if (target.dtype === "int32" && target.ndim === 1) {
    const c = checkClassification(op, scores, target, what);
    return asDtypeOf(oneHot(target, c), scores);
  }
  if (!sameShape(scores.shape, target.shape)) {
    const [n, c] = scores.shape;
    throw new Error(
      `${op}: ${what} shape ${showShape(scores.shape)} and target shape ` +
        `${showShape(target.shape)} (${target.dtype}) do not match: expected int32 labels ` +
        `[${n}] or probabilities [${n}, ${c}]`,
    );
  }
  return asDtypeOf(target, scores);
}

/**
 * Cross-entropy from probabilities (e.g. a softmax output):
 * −(1/N) Σ_n Σ_c t[n, c] log p[n, c], with p clamped to [eps, 1] so that a
 * zero probability gives a large finite loss rather than ∞. Prefer
 * {@linkcode crossEntropy} on logits, which is exact and stable.
 *
 * @param probs Probabilities `[N, C]`.
 * @param target int32 labels `[N]`, or probabilities / one-hot rows `[N, C]`.
 * @param eps Smallest probability used inside the log (default 1e-7).
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { crossEntropyFromProbs } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const p = tensor([[0.5, 0.5], [0.25, 0.75]]);
 * const loss = crossEntropyFromProbs(p, tensor([0, 1], { dtype: "int32" }));
 * assert.ok(Math.abs(loss.itemSync() - (Math.log(2) + Math.log(4 / 3)) / 2) < 1e-6);
 * ```
 */
export function crossEntropyFromProbs(probs: Tensor, target: Tensor, eps = 1e-7): Tensor {
  const t = classTarget("crossEntropyFromProbs", probs, target, "probabilities");
  const logp = log(clamp(probs, eps, 1));
  return div(neg(sum(mul(t, logp))), batchSize(probs));
}

/**
 * Binary cross-entropy, mean over all elements:
 * −mean[y log p + (1 − y) log(1 − p)] (the lecture's classification loss
 * with one sigmoid output per class), with p clamped to [eps, 1 − eps].
 *
 * @param p Probabilities (e.g. a sigmoid output).
 * @param y Targets in [0, 1], same shape as `p`.
 * @param eps Clamp margin (default 1e-7).
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { binaryCrossEntropy } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const loss = binaryCrossEntropy(tensor([0.5, 0.8]), tensor([1, 0]));
 * assert.ok(Math.abs(loss.itemSync() - (Math.log(2) + Math.log(5)) / 2) < 1e-6);
 * ```
 */
export function binaryCrossEntropy(p: Tensor, y: Tensor, eps = 1e-7): Tensor {
  checkSameShape("binaryCrossEntropy", p, y, ["probabilities", "target"]);
  const t = asDtypeOf(y, p);
  const pc = clamp(p, eps, 1 - eps);
  const ll = add(mul(t, log(pc)), mul(sub(1, t), log(sub(1, pc))));
  return neg(mean(ll));
}

/**
 * Binary cross-entropy on logits z (before the sigmoid), mean over all
 * elements, in the stable form max(z, 0) − z·y + log(1 + e^−|z|), which
 * never overflows. Its gradient is (σ(z) − y)/size, also at z = 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { binaryCrossEntropyWithLogits } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const loss = binaryCrossEntropyWithLogits(tensor([0, 1000, -1000]), tensor([1, 1, 0]));
 * assert.ok(Math.abs(loss.itemSync() - Math.log(2) / 3) < 1e-6);
 * ```
 */
export function binaryCrossEntropyWithLogits(z: Tensor, y: Tensor): Tensor {
  checkSameShape("binaryCrossEntropyWithLogits", z, y, ["logits", "target"]);
  const t = asDtypeOf(y, z);
  // maximum (not relu): at z = 0 its tie gradient ½ is exactly what makes d/dz = σ(0) − y.
  const softplusPart = log(add(exp(neg(abs(z))), 1));
  return mean(add(sub(maximum(z, 0), mul(z, t)), softplusPart));
}

/**
 * The lecture's first alternative error function, E = 1 − k[T]: "the
 * probability of not classifying as T", where k = softmax output and T the
 * label. Mean over the batch.
 *
 * @param probs Class probabilities k, `[N, C]`.
 * @param labels int32 labels T, `[N]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { oneMinusTrueProbability } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const k = tensor([[0.25, 0.75], [0.5, 0.5]]);
 * assert.equal(oneMinusTrueProbability(k, tensor([1, 0], { dtype: "int32" })).itemSync(), 0.375);
 * ```
 */
export function oneMinusTrueProbability(probs: Tensor, labels: Tensor): Tensor {
  const op = "oneMinusTrueProbability";
  const c = checkClassification(op, probs, labels, "probabilities");
  const kT = sum(mul(probs, asDtypeOf(oneHot(labels, c), probs)), 1);
  return mean(sub(1, kT));
}

/**
 * The lecture's second alternative: "since our categories are numeric, we
 * can penalize quadratically", E = Σ_{j=0}^{C−1} k[j](j − T)², the expected
 * squared distance between the predicted digit and the label T. Mean over
 * the batch.
 *
 * @param probs Class probabilities k, `[N, C]`.
 * @param labels int32 labels T, `[N]`.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { expectedLabelDistance } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const k = tensor([[0.5, 0, 0.5]]); // half on 0, half on 2; label 0
 * assert.equal(expectedLabelDistance(k, tensor([0], { dtype: "int32" })).itemSync(), 2);
 * ```
 */
export function expectedLabelDistance(probs: Tensor, labels: Tensor): Tensor {
  const op = "expectedLabelDistance";
  const c = checkClassification(op, probs, labels, "probabilities");
  const j = arange(0, c, 1, { dtype: probs.dtype, backend: probs.backend.name });
  const t = reshape(cast(labels, probs.dtype), [labels.shape[0], 1]);
  const d = sub(j, t); // [N, C]: j − T
  return mean(sum(mul(probs, mul(d, d)), 1));
}

/** Checks scores and ±1 targets have the same shape; returns the targets in the scores' dtype. */
function signedTargets(op: string, scores: Tensor, y: Tensor): Tensor {
  checkSameShape(op, scores, y, ["scores", "targets"]);
  return asDtypeOf(y, scores);
}

/**
 * The perceptron criterion, mean over the batch of max(0, −y·s) for scores
 * s = w·x + b and targets y ∈ {−1, +1}: zero for correctly classified
 * points, and −y·s (how far on the wrong side) for mistakes. Stochastic
 * gradient descent on it with step 1 is Rosenblatt's rule w ← w + yₙxₙ
 * (see `trainPerceptron` in `train/perceptron.ts`).
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { perceptronCriterion } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const s = tensor([2, -1, 0.5, -3]), y = tensor([1, 1, -1, -1]);
 * assert.equal(perceptronCriterion(s, y).itemSync(), 0.375); // (0 + 1 + 0.5 + 0) / 4
 * ```
 */
export function perceptronCriterion(scores: Tensor, y: Tensor): Tensor {
  const t = signedTargets("perceptronCriterion", scores, y);
  return mean(maximum(neg(mul(t, scores)), 0));
}

/**
 * Hinge loss (SVM), mean over the batch of max(0, margin − y·s) for targets
 * y ∈ {−1, +1}: like the perceptron criterion, but points must also be at
 * least `margin` on the right side.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { hinge } from "./losses.ts";
 * import assert from "node:assert/strict";
 * const s = tensor([2, 0.5, -1]), y = tensor([1, 1, 1]);
 * assert.ok(Math.abs(hinge(s, y).itemSync() - 2.5 / 3) < 1e-6); // (0 + 0.5 + 2) / 3
 * ```
 */
export function hinge(scores: Tensor, y: Tensor, margin = 1): Tensor {
  const t = signedTargets("hinge", scores, y);
  return mean(maximum(sub(margin, mul(t, scores)), 0));
}

/**
 * L2 regularization penalty λ R(W) with R(W) = Σ_k Σ_l W²_{k,l} summed over
 * all `params`; add it to the data loss. The lecture's example: for
 * x = [1, 1, 1, 1] both w₁ = [1, 0, 0, 0] and w₂ = [¼, ¼, ¼, ¼] give
 * w·x = 1, but R(w₁) = 1 and R(w₂) = 0.25: "L2 regularization likes to
 * spread out the weights". (Optimizers' `weightDecay` adds the gradient of
 * ½λΣW², i.e. λW, directly instead.)
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { l2Penalty } from "./losses.ts";
 * import assert from "node:assert/strict";
 * assert.equal(l2Penalty([tensor([1, 0, 0, 0])], 1).itemSync(), 1);
 * assert.equal(l2Penalty([tensor([0.25, 0.25, 0.25, 0.25])], 1).itemSync(), 0.25);
 * const both = l2Penalty([tensor([[1, 2]]), tensor([3])], 0.1); // 0.1 · (1 + 4 + 9)
 * assert.ok(Math.abs(both.itemSync() - 1.4) < 1e-6);
 * ```
 */
export function l2Penalty(params: readonly Tensor[], lambda: number): Tensor {
  if (params.length === 0) throw new Error("l2Penalty: params is empty");
  const dtype = params[0].dtype === "int32" ? "float32" : params[0].dtype;
  let total: Tensor | null = null;
  for (const p of params) {
    const s = cast(sum(mul(p, p)), dtype);
    total = total ? add(total, s) : s;
  }
  return mul(total!, lambda);
}
