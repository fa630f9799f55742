/**
 * The decision regions of any classifier of 2-D points, with the data on top.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { noGrad } from "../engine.ts";
import { fromValues } from "../ops/mod.ts";
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import {
  axis,
  classTraces,
  colorOf,
  finiteRange,
  linspace,
  type PointsInput,
  readLabels,
  readPoints,
  titleOf,
  type Values,
} from "./_data.ts";

/**
 * A classifier of 2-D points: a function from a tensor `[M, 2]` to scores
 * `[M, C]` (class = argmax) or to one score per point (`[M]` or `[M, 1]`:
 * class 1 above the threshold), or a model with `forward` (run in evaluation
 * mode).
 *
 * @example
 * ```ts
 * import type { Classifier2D } from "./decision_boundary.ts";
 * import { tensor } from "../../mod.ts";
 * const aboveDiagonal: Classifier2D = (xy) => xy.matmul(tensor([[-1], [1]])); // x₂ - x₁ > 0
 * ```
 */
export type Classifier2D =
  | ((xy: Tensor) => Tensor | Promise<Tensor>)
  | { forward(x: Tensor): Tensor; training?: boolean; train?(flag?: boolean): unknown };

/**
 * Options of {@linkcode decisionBoundary}.
 *
 * @example
 * ```ts
 * import type { DecisionBoundaryOptions } from "./decision_boundary.ts";
 * const o: DecisionBoundaryOptions = { resolution: 150, padding: 0.2, classNames: ["red", "blue"] };
 * ```
 */
export interface DecisionBoundaryOptions {
  /** Grid points per axis (default 100). */
  resolution?: number;
  /** Margin around the data, as a fraction of its extent (default 0.1). */
  padding?: number;
  /**
   * Threshold of a single-score output: class 1 when the score is above it
   * (default 0.5 when every score is in [0, 1], i.e. probabilities, else 0).
   */
  threshold?: number;
  /** Names of the classes in the legend. */
  classNames?: string[];
  /** Figure title. */
  title?: string;
  /** x axis title (default "x₁"). */
  xLabel?: string;
  /** y axis title (default "x₂"). */
  yLabel?: string;
  /** Height in pixels (default 500). */
  height?: number;
}

/** Predicted class of each grid row from the classifier's output values. */
function classesOf(
  out: ArrayLike<number>,
  shape: readonly number[],
  m: number,
  threshold?: number,
) {
  const cls = new Array<number>(m);
  if (shape.length === 2 && shape[1] > 1) {
    const c = shape[1];
    for (let i = 0; i < m; i++) {
      let best = 0;
      for (let j = 1; j < c; j++) if (out[i * c + j] > out[i * c + best]) best = j;
      cls[i] = best;
    }
    return { cls, classes: c };
  }
  if (out.length !== m) {
    throw new Error(`decisionBoundary: the classifier returned shape [${shape}] for ${m} points`);
  }
  const [lo, hi] = finiteRange(out);
  const t = threshold ?? (lo >= 0 && hi <= 1 ? 0.5 : 0);
  for (let i = 0; i < m; i++) cls[i] = out[i] > t ? 1 : 0;
  return { cls, classes: 2 };
}

/**
 * The decision regions of a 2-D classifier: it is run on a
 * `resolution × resolution` grid covering the data (plus `padding`), the
 * predicted class of each grid point is drawn as a faint colored region,
 * and the data points go on top, colored by their true class.
 *
 * The heatmap trace holds the grid: `x` (columns), `y` (rows) and `z[j][i]`,
 * the class predicted at `(x[i], y[j])`.
 *
 * @example A linear rule
 * ```ts
 * import { decisionBoundary } from "./decision_boundary.ts";
 * import { tensor, type Tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * // class 1 to the right of x₁ = 0.5 (one score per point, threshold 0)
 * const predict = (xy: Tensor) => xy.matmul(tensor([[1], [0]])).sub(0.5);
 * const data = { x: [[0, 0], [1, 0], [0, 1], [1, 1]], y: [0, 1, 0, 1] };
 * const fig = await decisionBoundary(predict, data, { resolution: 3, padding: 0 });
 * const [regions] = fig.data;
 * assert.equal(regions.type, "heatmap");
 * assert.deepEqual(regions.x, [0, 0.5, 1]);
 * assert.deepEqual(regions.z, [[0, 0, 1], [0, 0, 1], [0, 0, 1]]);
 * ```
 */
export function decisionBoundary(
  classifier: Classifier2D,
  data: { x: PointsInput; y: Values | ArrayLike<ArrayLike<number>> },
  options: DecisionBoundaryOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const { xs, ys } = await readPoints(data.x, "decisionBoundary");
    const labels = await readLabels(data.y);
    if (labels.length !== xs.length) {
      throw new Error(`decisionBoundary: ${xs.length} points but ${labels.length} labels`);
    }
    const n = Math.max(2, Math.round(options.resolution ?? 100));
    const pad = options.padding ?? 0.1;
    const span = (v: number[]): [number, number] => {
      const [lo, hi] = finiteRange(v);
      const p = (hi - lo || 1) * pad;
      return [lo - p, hi + p];
    };
    const gx = linspace(...span(xs), n), gy = linspace(...span(ys), n);
    const grid = new Float32Array(n * n * 2);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) grid[2 * (j * n + i)] = gx[i], grid[2 * (j * n + i) + 1] = gy[j];
    }
    const backend = data.x instanceof Tensor ? data.x.backend.name : undefined;
    const input = fromValues(grid, [n * n, 2], { backend });
    let output: Tensor;
    try {
      if (typeof classifier === "function") {
        output = await noGrad(() => classifier(input));
      } else {
        const wasTraining = classifier.training;
        classifier.train?.(false);
        try {
          output = noGrad(() => classifier.forward(input));
        } finally {
          if (wasTraining !== undefined) classifier.train?.(wasTraining);
        }
      }
    } finally {
      input.dispose();
    }
    const values = await output.data();
    const shape = output.shape;
    output.dispose();
    const { cls, classes } = classesOf(values, shape, n * n, options.threshold);
    const k = Math.max(classes, ...labels.map((l) => l + 1));
    // One flat color band per class (z = class id, zmin/zmax at the band edges).
    const colorscale: [number, string][] = [];
    for (let c = 0; c < k; c++) colorscale.push([c / k, colorOf(c)], [(c + 1) / k, colorOf(c)]);
    const regions: PlotlyTrace = {
      type: "heatmap",
      x: gx,
      y: gy,
      z: gy.map((_, j) => cls.slice(j * n, (j + 1) * n)),
      colorscale,
      zmin: -0.5,
      zmax: k - 0.5,
      opacity: 0.3,
      showscale: false,
      hovertemplate: "(%{x:.3g}, %{y:.3g}): class %{z}<extra></extra>",
      name: "predicted class",
    };
    const layout: Record<string, unknown> = {
      xaxis: axis(options.xLabel ?? "x₁", { range: [gx[0], gx[n - 1]] }),
      yaxis: axis(options.yLabel ?? "x₂", { range: [gy[0], gy[n - 1]] }),
      height: options.height ?? 500,
    };
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data: [regions, ...classTraces(xs, ys, labels, options)], layout });
  });
}
