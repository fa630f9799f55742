/**
 * Rosenblatt's perceptron learning rule (1958) as a small trainer of its own.
 *
 * @module
 */
import { noGrad } from "../engine.ts";
import { showShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { add, cast, mul, slice, sum, zeros } from "../ops/mod.ts";

/**
 * Options of {@linkcode trainPerceptron}.
 *
 * @example
 * ```ts
 * import type { PerceptronOptions } from "./perceptron.ts";
 * const opts: PerceptronOptions = { maxEpochs: 50, bias: false };
 * ```
 */
export interface PerceptronOptions {
  /** Passes over the data before giving up (default 100). */
  maxEpochs?: number;
  /**
   * Step η (default 1). Starting from w = 0 it only scales w and b, so the
   * sequence of mistakes is the same for every η > 0: "we don't need to set
   * a learning rate".
   */
  lr?: number;
  /** Learn a bias b too (default true); otherwise the boundary passes through 0. */
  bias?: boolean;
}

/**
 * Result of {@linkcode trainPerceptron}.
 *
 * @example
 * ```ts
 * import type { PerceptronResult } from "./perceptron.ts";
 * const show = (r: PerceptronResult) => `${r.updates} updates in ${r.epochs} epochs`;
 * ```
 */
export interface PerceptronResult {
  /** Weights `[D]`. */
  w: Tensor;
  /** Bias, a 0-d tensor (stays 0 with `bias: false`). */
  b: Tensor;
  /** Total number of updates (mistakes) made. */
  updates: number;
  /** Epochs run (the last one is the mistake-free pass when converged). */
  epochs: number;
  /** Whether an epoch ended without a mistake: the data are separated. */
  converged: boolean;
  /** Number of mistakes in each epoch. */
  mistakesPerEpoch: number[];
}

/**
 * Trains a perceptron, label = sign(w·x + b), with Rosenblatt's rule: go
 * through the samples in order; on a mistake, yₙ(w·xₙ + b) ≤ 0 (a point on
 * the boundary counts as a mistake, so the start w = 0 learns), update
 * w ← w + η yₙ xₙ and b ← b + η yₙ. Stops after the first epoch without a
 * mistake (`converged`) or after `maxEpochs`.
 *
 * If the data are linearly separable it converges after finitely many
 * updates: at most (R/γ)² (Novikoff, 1962), where R = maxₙ‖xₙ‖ and γ is the
 * margin of the best unit-norm separator (with a bias, of the vectors
 * (xₙ, 1)). On data that no line separates, such as XOR, it never converges.
 *
 * **A CPU teaching tool:** the rule is sequential (each score depends on
 * every earlier update), so it reads each score back with `itemSync` (and
 * the labels with `dataSync`), which works on the CPU backend only. The
 * updates themselves are tensor ops written with `assign`.
 *
 * @param x Inputs `[N, D]` (float).
 * @param y Labels `[N]`, each −1 or +1 (map 0/1 labels with `2y − 1`).
 *
 * @example AND is linearly separable
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { trainPerceptron } from "./perceptron.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
 * const y = tensor([-1, -1, -1, 1]);
 * const r = trainPerceptron(x, y, { maxEpochs: 20 });
 * assert.ok(r.converged);
 * const s = x.matmul(r.w.reshape([2, 1])).reshape([4]).add(r.b).arraySync() as number[];
 * assert.deepEqual(s.map(Math.sign), [-1, -1, -1, 1]);
 * ```
 */
export function trainPerceptron(
  x: Tensor,
  y: Tensor,
  options: PerceptronOptions = {},
): PerceptronResult {
  const { maxEpochs = 100, lr = 1, bias = true } = options;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1) {
    throw new Error(`trainPerceptron: maxEpochs must be a positive integer, got ${maxEpochs}`);
  }
  if (!(Number.isFinite(lr) && lr > 0)) {
    throw new Error(`trainPerceptron: lr must be a positive number, got ${lr}`);
  }
  if (x.ndim !== 2) {
    throw new Error(`trainPerceptron: x must be [N, D], got ${showShape(x.shape)}`);
  }
  const [n, d] = x.shape;
  if (y.ndim !== 1 || y.shape[0] !== n) {
    throw new Error(
      `trainPerceptron: x shape ${showShape(x.shape)} and y shape ${showShape(y.shape)} ` +
        `do not match: expected y of shape [${n}]`,
    );
  }
  if (!x.backend.readSync || !y.backend.readSync) {
    throw new Error(
      `trainPerceptron is a CPU teaching tool (it reads every score back); ` +
        `move the data with .to("cpu")`,
    );
  }
  const labels = y.dataSync();
  labels.forEach((v, i) => {
    if (v !== 1 && v !== -1) {
      throw new Error(
        `trainPerceptron: y[${i}] is ${v}; labels must be -1 or +1 (map 0/1 labels with 2y − 1)`,
      );
    }
  });
  const dtype = x.dtype === "int32" ? "float32" : x.dtype;
  const backend = x.backend.name;
  const w = zeros([d], { dtype, backend });
  const b = zeros([], { dtype, backend });
  const mistakesPerEpoch: number[] = [];
  let updates = 0, converged = false;
  noGrad(() => {
    const xs = cast(x.detach(), dtype);
    const rows = Array.from({ length: n }, (_, i) => slice(xs, [i]));
    for (let epoch = 0; epoch < maxEpochs && !converged; epoch++) {
      let mistakes = 0;
      for (let i = 0; i < n; i++) {
        const score = add(sum(mul(w, rows[i])), b).itemSync();
        const yi = labels[i];
        if (yi * score > 0) continue;
        mistakes++;
        w.assign(add(w, mul(rows[i], lr * yi))); // w ← w + η yₙ xₙ
        if (bias) b.assign(add(b, lr * yi)); // b ← b + η yₙ
      }
      mistakesPerEpoch.push(mistakes);
      updates += mistakes;
      converged = mistakes === 0;
    }
  });
  return { w, b, updates, epochs: mistakesPerEpoch.length, converged, mistakesPerEpoch };
}
