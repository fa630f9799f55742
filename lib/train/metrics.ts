/**
 * Classification metrics: accuracy and the confusion matrix.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { argmax } from "../ops/mod.ts";

async function labelsOf(t: Tensor | ArrayLike<number>): Promise<ArrayLike<number>> {
  if (!("backend" in t)) return t;
  return t.ndim === 2 ? await argmax(t, -1).data() : await t.data();
}

/**
 * Fraction of rows whose predicted class (argmax of `outputs`, or the
 * labels themselves when 1-D) equals `labels`.
 *
 * @example
 * ```ts
 * import { accuracy, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const logits = tensor([[2, 1], [0, 3], [5, 4]]);
 * assert.equal(await accuracy(logits, tensor([0, 1, 1], { dtype: "int32" })), 2 / 3);
 * ```
 */
export async function accuracy(
  outputs: Tensor | ArrayLike<number>,
  labels: Tensor | ArrayLike<number>,
): Promise<number> {
  const [p, y] = await Promise.all([labelsOf(outputs), labelsOf(labels)]);
  if (p.length !== y.length) {
    throw new Error(`accuracy: ${p.length} predictions but ${y.length} labels`);
  }
  let hits = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === y[i]) hits++;
  return p.length ? hits / p.length : 0;
}

/**
 * `matrix[true][predicted]` counts over `classes` classes.
 *
 * @example
 * ```ts
 * import { confusionMatrix } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(await confusionMatrix([0, 1, 1], [0, 1, 0], 2), [[1, 1], [0, 1]]);
 * ```
 */
export async function confusionMatrix(
  predicted: Tensor | ArrayLike<number>,
  labels: Tensor | ArrayLike<number>,
  classes: number,
): Promise<number[][]> {
  const [p, y] = await Promise.all([labelsOf(predicted), labelsOf(labels)]);
  if (p.length !== y.length) {
    throw new Error(`confusionMatrix: ${p.length} predictions but ${y.length} labels`);
  }
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (!(y[i] >= 0 && y[i] < classes && p[i] >= 0 && p[i] < classes)) {
      throw new RangeError(
        `confusionMatrix: row ${i} has label ${y[i]} / prediction ${p[i]} outside 0..${
          classes - 1
        }`,
      );
    }
    m[y[i]][p[i]]++;
  }
  return m;
}

/**
 * The confusion matrix as an aligned text table (rows: true class).
 *
 * @example
 * ```ts
 * import { formatConfusionMatrix } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.match(formatConfusionMatrix([[5, 1], [0, 4]]), /true 0 \|\s+5\s+1/);
 * ```
 */
export function formatConfusionMatrix(matrix: number[][]): string {
  const width = Math.max(3, ...matrix.flat().map((v) => String(v).length));
  const head = "pred   |" + matrix.map((_, j) => String(j).padStart(width + 1)).join("");
  const lines = matrix.map((row, i) =>
    `true ${i} |` + row.map((v) => String(v).padStart(width + 1)).join("")
  );
  return [head, "-".repeat(head.length), ...lines].join("\n");
}
