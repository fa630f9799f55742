/**
 * Scatter plots of 2-D datasets, one color per class.
 *
 * @module
 */
import { Figure, FigurePromise } from "./figure.ts";
import {
  axis,
  classTraces,
  type PointsInput,
  readLabels,
  readPoints,
  titleOf,
  type Values,
} from "./_data.ts";

/**
 * Options of {@linkcode scatterByClass}.
 *
 * @example
 * ```ts
 * import type { ScatterOptions } from "./scatter.ts";
 * const o: ScatterOptions = { title: "Two moons", classNames: ["upper", "lower"] };
 * ```
 */
export interface ScatterOptions {
  /** Figure title. */
  title?: string;
  /** Legend names of the classes (default "class 0", "class 1", ...). */
  classNames?: string[];
  /** x axis title (default "x₁"). */
  xLabel?: string;
  /** y axis title (default "x₂"). */
  yLabel?: string;
  /** Marker size in pixels (default 7). */
  markerSize?: number;
  /** Height in pixels (default 450). */
  height?: number;
}

/**
 * A 2-D dataset as points colored by class: one scatter trace per class.
 * `points` is a tensor `[N, 2]`, rows `[[x, y], ...]` or flat coordinates
 * (a synthetic dataset's `x`); `labels` holds class ids (or `[N, C]` scores,
 * read as their argmax).
 *
 * @example
 * ```ts
 * import { scatterByClass } from "./scatter.ts";
 * import assert from "node:assert/strict";
 * const fig = await scatterByClass(new Float64Array([0, 0, 1, 1, 2, 0]), new Int32Array([0, 1, 0]));
 * assert.deepEqual(fig.data.map((t) => [t.type, t.mode, t.name]), [
 *   ["scatter", "markers", "class 0"],
 *   ["scatter", "markers", "class 1"],
 * ]);
 * assert.deepEqual([fig.data[0].x, fig.data[0].y], [[0, 2], [0, 0]]);
 * ```
 */
export function scatterByClass(
  points: PointsInput,
  labels: Values | ArrayLike<ArrayLike<number>>,
  options: ScatterOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const { xs, ys } = await readPoints(points, "scatterByClass");
    const y = await readLabels(labels);
    if (y.length !== xs.length) {
      throw new Error(`scatterByClass: ${xs.length} points but ${y.length} labels`);
    }
    const layout: Record<string, unknown> = {
      xaxis: axis(options.xLabel ?? "x₁"),
      yaxis: axis(options.yLabel ?? "x₂"),
      height: options.height ?? 450,
    };
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data: classTraces(xs, ys, y, options), layout });
  });
}
