/**
 * Heatmaps: any matrix (weights, a filter, a feature map) and the confusion
 * matrix of a classifier.
 *
 * @module
 */
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import { axis, formatNumber, type MatrixInput, readMatrix, titleOf } from "./_data.ts";

/**
 * Options of {@linkcode heatmap}.
 *
 * @example
 * ```ts
 * import type { HeatmapOptions } from "./heatmap.ts";
 * const o: HeatmapOptions = { title: "W₁", colorscale: "RdBu", annotate: true, digits: 1 };
 * ```
 */
export interface HeatmapOptions {
  /** Figure title. */
  title?: string;
  /** Column labels (default 0, 1, ...). */
  xLabels?: (string | number)[];
  /** Row labels (default 0, 1, ...). */
  yLabels?: (string | number)[];
  /** x axis title. */
  xLabel?: string;
  /** y axis title. */
  yLabel?: string;
  /** A Plotly colorscale name ("Viridis", "Greys", "RdBu", "Blues", ...) or stops (default "Viridis"). */
  colorscale?: string | [number, string][];
  /** Reverse the colorscale. */
  reverseScale?: boolean;
  /** Lower end of the color range (default: the data's minimum). */
  zmin?: number;
  /** Upper end of the color range (default: the data's maximum). */
  zmax?: number;
  /** Write each cell's value in it (default false). */
  annotate?: boolean;
  /** Decimals of the annotations (default 2; integers are shown whole). */
  digits?: number;
  /** Row 0 at the top, like a matrix or an image (default true). */
  matrixOrder?: boolean;
  /** Show the color bar (default true). */
  showScale?: boolean;
  /** Height in pixels (default: from the number of rows, 300 to 600). */
  height?: number;
}

/** The heatmap trace and layout, shared by {@linkcode heatmap} and the confusion matrix. */
function heatmapFigure(z: number[][], options: HeatmapOptions): Figure {
  const rows = z.length, cols = z[0]?.length ?? 0;
  const trace: PlotlyTrace = {
    type: "heatmap",
    z,
    colorscale: options.colorscale ?? "Viridis",
    showscale: options.showScale ?? true,
  };
  if (options.reverseScale) trace.reversescale = true;
  if (options.zmin !== undefined) trace.zmin = options.zmin;
  if (options.zmax !== undefined) trace.zmax = options.zmax;
  const category = (labels: (string | number)[] | undefined, n: number, what: string) => {
    if (labels && labels.length !== n) {
      throw new Error(`heatmap: ${labels.length} ${what} labels for ${n} ${what}s`);
    }
    return labels?.map(String);
  };
  const x = category(options.xLabels, cols, "column"), y = category(options.yLabels, rows, "row");
  if (x) trace.x = x;
  if (y) trace.y = y;
  if (options.annotate) {
    trace.text = z.map((row) => row.map((v) => formatNumber(v, options.digits ?? 2)));
    trace.texttemplate = "%{text}";
    trace.hovertemplate = "row %{y}, column %{x}: %{z}<extra></extra>";
  }
  // Index axes: one tick per row / column while they fit, never at half positions.
  const ticks = (n: number) => n <= 30 ? { dtick: 1 } : {};
  const layout: Record<string, unknown> = {
    xaxis: axis(options.xLabel, x ? { type: "category" } : ticks(cols)),
    yaxis: axis(options.yLabel, {
      ...(y ? { type: "category" } : ticks(rows)),
      ...(options.matrixOrder ?? true ? { autorange: "reversed" } : {}),
    }),
    height: options.height ?? Math.min(600, Math.max(300, 120 + 28 * rows)),
  };
  if (options.title !== undefined) layout.title = titleOf(options.title);
  return new Figure({ data: [trace], layout });
}

/**
 * A matrix as colored cells, row 0 at the top: weights, a filter, a
 * feature map, a similarity table. `matrix` is a 2-D tensor or rows of numbers.
 *
 * @example Annotated weights
 * ```ts
 * import { heatmap } from "./heatmap.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const fig = await heatmap(tensor([[0.5, -1], [2, 0.25]]), { annotate: true, colorscale: "RdBu" });
 * const [t] = fig.toJSON().data;
 * assert.equal(t.type, "heatmap");
 * assert.deepEqual(t.z, [[0.5, -1], [2, 0.25]]);
 * assert.deepEqual(t.text, [["0.5", "-1"], ["2", "0.25"]]);
 * assert.equal((fig.layout.yaxis as { autorange: string }).autorange, "reversed");
 * ```
 */
export function heatmap(matrix: MatrixInput, options: HeatmapOptions = {}): FigurePromise {
  return FigurePromise.from(async () =>
    heatmapFigure(await readMatrix(matrix, "heatmap"), options)
  );
}

// Light for few, dark for many (Plotly's own "Blues" runs the other way).
const BLUES: [number, string][] = [[0, "#f7fbff"], [0.5, "#6baed6"], [1, "#08306b"]];

/**
 * Options of {@linkcode confusionMatrixPlot}.
 *
 * @example
 * ```ts
 * import type { ConfusionMatrixOptions } from "./heatmap.ts";
 * const o: ConfusionMatrixOptions = { classNames: ["cat", "dog"], normalize: true };
 * ```
 */
export interface ConfusionMatrixOptions {
  /** Class names (default 0, 1, ...). */
  classNames?: (string | number)[];
  /** Show each row as fractions of the true class (recall per class). */
  normalize?: boolean;
  /** Figure title (default "Confusion matrix"). */
  title?: string;
  /** Height in pixels. */
  height?: number;
}

/**
 * A confusion matrix (`matrix[true][predicted]`, as `confusionMatrix`
 * returns it) as an annotated heatmap: true class down, predicted class
 * across, counts (or row fractions with `normalize`) in the cells.
 *
 * @example
 * ```ts
 * import { confusionMatrixPlot } from "./heatmap.ts";
 * import assert from "node:assert/strict";
 * const fig = await confusionMatrixPlot([[5, 1], [2, 8]], { classNames: ["cat", "dog"] });
 * const [t] = fig.data;
 * assert.deepEqual([t.type, t.x, t.y], ["heatmap", ["cat", "dog"], ["cat", "dog"]]);
 * assert.deepEqual(t.text, [["5", "1"], ["2", "8"]]);
 * assert.deepEqual(fig.layout.xaxis, { title: { text: "predicted" }, type: "category" });
 * ```
 */
export function confusionMatrixPlot(
  matrix: MatrixInput,
  options: ConfusionMatrixOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const counts = await readMatrix(matrix, "confusionMatrixPlot");
    const n = counts.length;
    if (counts.some((row) => row.length !== n)) {
      throw new Error(
        `confusionMatrixPlot: expected a square matrix, got ${n} rows of ${counts[0]?.length}`,
      );
    }
    const names = options.classNames ?? counts.map((_, i) => i);
    const z = options.normalize
      ? counts.map((row) => {
        const total = row.reduce((a, b) => a + b, 0);
        return row.map((v) => total ? v / total : 0);
      })
      : counts;
    const fig = heatmapFigure(z, {
      title: options.title ?? "Confusion matrix",
      xLabels: names,
      yLabels: names,
      xLabel: "predicted",
      yLabel: "true",
      colorscale: BLUES,
      annotate: true,
      zmin: 0,
      height: options.height ?? Math.min(700, Math.max(350, 150 + 45 * n)),
    });
    const trace = fig.data[0];
    if (options.normalize) {
      trace.text = z.map((row) => row.map((v) => `${(100 * v).toFixed(1)}%`));
      trace.hovertemplate = "true %{y}, predicted %{x}: %{text}<extra></extra>";
    } else {
      trace.hovertemplate = "true %{y}, predicted %{x}: %{z}<extra></extra>";
    }
    return fig;
  });
}
