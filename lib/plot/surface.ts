/**
 * Loss landscapes: a function of two variables as a 3-D surface
 * ({@linkcode surfacePlot}) or as contour lines ({@linkcode contourPlot}),
 * with the path of gradient descent drawn on top.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import {
  axis,
  colorOf,
  linspace,
  type MatrixInput,
  readMatrix,
  readValues,
  titleOf,
} from "./_data.ts";
import type { Values } from "./_data.ts";

/**
 * What to draw: a function `f(x, y)` (sampled on a grid), or values already
 * sampled, `z[j][i]` at `(x[i], y[j])`.
 *
 * @example
 * ```ts
 * import type { SurfaceInput } from "./surface.ts";
 * const bowl: SurfaceInput = (x, y) => x * x + 3 * y * y;
 * const sampled: SurfaceInput = { x: [0, 1], y: [0, 1], z: [[0, 1], [3, 4]] };
 * ```
 */
export type SurfaceInput =
  | ((x: number, y: number) => number)
  | { x: Values; y: Values; z: MatrixInput };

/**
 * A path of points `(x, y)` (the height is read off the surface) or
 * `(x, y, z)`: rows, or a tensor `[T, 2]` / `[T, 3]`.
 *
 * @example
 * ```ts
 * import type { PathInput } from "./surface.ts";
 * const steps: PathInput = [[2, 1], [1.2, 0.4], [0.7, 0.1]];
 * ```
 */
export type PathInput = Tensor | ArrayLike<ArrayLike<number>>;

/**
 * Options of {@linkcode surfacePlot} and {@linkcode contourPlot}.
 *
 * @example
 * ```ts
 * import type { SurfaceOptions } from "./surface.ts";
 * const o: SurfaceOptions = { xRange: [-2, 2], yRange: [-1, 3], resolution: 80, path: [[1, 1], [0, 0]] };
 * ```
 */
export interface SurfaceOptions {
  /** x interval sampled for a function (default: around the path, else [-2, 2]). */
  xRange?: [number, number];
  /** y interval sampled for a function (default: around the path, else [-2, 2]). */
  yRange?: [number, number];
  /** Samples per axis for a function (default 60). */
  resolution?: number;
  /** Points visited by an optimizer, drawn in order with start and end marked. */
  path?: PathInput;
  /** Legend name of the path (default "gradient descent"). */
  pathName?: string;
  /**
   * Several named paths, each in its own color (e.g. one per learning rate),
   * drawn after `path` with hollow start and filled end markers.
   */
  paths?: { name: string; path: PathInput }[];
  /** Figure title. */
  title?: string;
  /** x axis title (default "x"). */
  xLabel?: string;
  /** y axis title (default "y"). */
  yLabel?: string;
  /** z axis / color bar title (default "f(x, y)"). */
  zLabel?: string;
  /** Plotly colorscale (default "Viridis"). */
  colorscale?: string | [number, string][];
  /** Number of contour levels (contour plot; default 25). */
  levels?: number;
  /** Logarithmic spacing of contour levels, for steep valleys like Rosenbrock's (contour plot). */
  logLevels?: boolean;
  /** Height in pixels (default 500). */
  height?: number;
}

interface Grid {
  x: number[];
  y: number[];
  z: number[][];
}

async function readPath(path: PathInput | undefined): Promise<number[][]> {
  if (path === undefined) return [];
  if (path instanceof Tensor) {
    if (path.ndim !== 2 || (path.shape[1] !== 2 && path.shape[1] !== 3)) {
      throw new Error(`path: expected a tensor [T, 2] or [T, 3], got [${path.shape}]`);
    }
    const v = await path.data(), k = path.shape[1];
    return Array.from(
      { length: path.shape[0] },
      (_, i) => Array.from(v.subarray(i * k, i * k + k)),
    );
  }
  return Array.from(path, (p, i) => {
    if (p.length < 2) throw new Error(`path: point ${i} has fewer than 2 coordinates`);
    return Array.from(p);
  });
}

/** Bounds of the path padded by a quarter of its extent (at least 0.5). */
function around(values: number[], given?: [number, number]): [number, number] {
  if (given) return given;
  if (!values.length) return [-2, 2];
  const lo = Math.min(...values), hi = Math.max(...values);
  const pad = Math.max(0.5, (hi - lo) * 0.25);
  return [lo - pad, hi + pad];
}

async function sample(
  f: SurfaceInput,
  paths: NamedPath[],
  options: SurfaceOptions,
): Promise<Grid> {
  const path = paths.flatMap((p) => p.points);
  if (typeof f === "function") {
    const n = options.resolution ?? 60;
    const x = linspace(...around(path.map((p) => p[0]), options.xRange), n);
    const y = linspace(...around(path.map((p) => p[1]), options.yRange), n);
    return { x, y, z: y.map((yj) => x.map((xi) => f(xi, yj))) };
  }
  const x = Array.from(await readValues(f.x)), y = Array.from(await readValues(f.y));
  const z = await readMatrix(f.z, "surface");
  if (z.length !== y.length || (z[0]?.length ?? 0) !== x.length) {
    throw new Error(
      `surface: z is ${z.length}×${z[0]?.length ?? 0} but needs y.length × x.length = ` +
        `${y.length}×${x.length}`,
    );
  }
  return { x, y, z };
}

/** Linear interpolation position of `v` in sorted `axis`: [index, fraction]. */
function locate(axisValues: number[], v: number): [number, number] {
  const n = axisValues.length;
  if (n === 1 || v <= axisValues[0]) return [0, 0];
  if (v >= axisValues[n - 1]) return [n - 2, 1];
  let i = 0;
  while (axisValues[i + 1] < v) i++;
  return [i, (v - axisValues[i]) / (axisValues[i + 1] - axisValues[i])];
}

/** Height of `(px, py)`: f itself, or bilinear interpolation of the sampled grid. */
function heightAt(f: SurfaceInput, grid: Grid, px: number, py: number): number {
  if (typeof f === "function") return f(px, py);
  const [i, s] = locate(grid.x, px), [j, t] = locate(grid.y, py);
  const z = (jj: number, ii: number) =>
    grid.z[Math.min(jj, grid.y.length - 1)][Math.min(ii, grid.x.length - 1)];
  return (1 - t) * ((1 - s) * z(j, i) + s * z(j, i + 1)) +
    t * ((1 - s) * z(j + 1, i) + s * z(j + 1, i + 1));
}

// Legends of paths go where the color bar (top to bottom on the right) leaves room: in a row
// under a contour plot, in the top left corner of a 3-D scene.
const CONTOUR_LEGEND = { orientation: "h", x: 0, xanchor: "left", y: -0.18, yanchor: "top" };
const SURFACE_LEGEND = { x: 0, xanchor: "left", y: 1, yanchor: "top" };

interface NamedPath {
  name: string;
  points: number[][];
  /** Line color; the single `path` is red with "start"/"end" written at its ends. */
  color?: string;
}

/** `options.path` (red, ends labelled) then `options.paths` (palette colors). */
async function readPaths(options: SurfaceOptions): Promise<NamedPath[]> {
  const paths: NamedPath[] = [];
  if (options.path !== undefined) {
    paths.push({
      name: options.pathName ?? "gradient descent",
      points: await readPath(options.path),
    });
  }
  for (const [i, p] of (options.paths ?? []).entries()) {
    paths.push({ name: p.name, points: await readPath(p.path), color: colorOf(i) });
  }
  return paths;
}

function pathTraces(
  { points, name, color }: NamedPath,
  threeD: boolean,
  z: (p: number[]) => number,
): PlotlyTrace[] {
  if (!points.length) return [];
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const zs = points.map((p) => p[2] ?? z(p));
  const c = color ?? "#d62728";
  const line: PlotlyTrace = {
    type: threeD ? "scatter3d" : "scatter",
    mode: "lines+markers",
    name,
    legendgroup: name,
    x: xs,
    y: ys,
    line: { color: c, width: threeD ? 5 : 2 },
    marker: { color: c, size: threeD ? 3 : 5 },
  };
  if (threeD) line.z = zs;
  else {
    line.text = zs.map((v, i) => `step ${i}: f = ${Number(v.toPrecision(5))}`);
    line.hovertemplate = "(%{x}, %{y})<br>%{text}<extra></extra>";
  }
  const ends: PlotlyTrace = {
    type: threeD ? "scatter3d" : "scatter",
    mode: color ? "markers" : "markers+text",
    name: "start / end",
    legendgroup: name,
    x: [xs[0], xs.at(-1)],
    y: [ys[0], ys.at(-1)],
    marker: {
      color: ["#ffffff", c],
      size: threeD ? 6 : 11,
      line: { color: c, width: 2 },
    },
    showlegend: false,
  };
  if (!color) Object.assign(ends, { text: ["start", "end"], textposition: "top center" });
  if (threeD) ends.z = [zs[0], zs.at(-1)];
  return [line, ends];
}

/**
 * A function of two variables as a 3-D surface, with an optimizer's path on
 * it. `f` is a function (sampled `resolution × resolution` times over
 * `xRange × yRange`) or a sampled grid; path points without a height get
 * `f(x, y)` (interpolated on a sampled grid).
 *
 * @example Gradient descent on a bowl
 * ```ts
 * import { surfacePlot } from "./surface.ts";
 * import assert from "node:assert/strict";
 * const f = (x: number, y: number) => x * x + 2 * y * y;
 * const path = [[2, 1], [1.2, 0.2], [0.72, 0.04]];
 * const fig = await surfacePlot(f, { xRange: [-2, 2], yRange: [-2, 2], resolution: 5, path });
 * assert.deepEqual(fig.data.map((t) => t.type), ["surface", "scatter3d", "scatter3d"]);
 * assert.deepEqual(fig.data[0].z, [[12, 9, 8, 9, 12], [6, 3, 2, 3, 6], [4, 1, 0, 1, 4], [6, 3, 2, 3, 6], [12, 9, 8, 9, 12]]);
 * assert.equal((fig.data[1].z as number[])[0], 6); // f(2, 1)
 * ```
 */
export function surfacePlot(f: SurfaceInput, options: SurfaceOptions = {}): FigurePromise {
  return FigurePromise.from(async () => {
    const paths = await readPaths(options);
    const grid = await sample(f, paths, options);
    const zLabel = options.zLabel ?? "f(x, y)";
    const data: PlotlyTrace[] = [
      {
        type: "surface",
        x: grid.x,
        y: grid.y,
        z: grid.z,
        colorscale: options.colorscale ?? "Viridis",
        opacity: paths.length ? 0.85 : 1,
        colorbar: { title: { text: zLabel } },
        name: zLabel,
      },
      ...paths.flatMap((p) => pathTraces(p, true, (q) => heightAt(f, grid, q[0], q[1]))),
    ];
    const layout: Record<string, unknown> = {
      height: options.height ?? 500,
      scene: {
        xaxis: axis(options.xLabel ?? "x"),
        yaxis: axis(options.yLabel ?? "y"),
        zaxis: axis(zLabel),
      },
      margin: { l: 0, r: 0, b: 0, t: options.title === undefined ? 20 : 50 },
    };
    if (paths.length) layout.legend = SURFACE_LEGEND;
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data, layout });
  });
}

/**
 * A function of two variables as contour lines seen from above, with an
 * optimizer's path drawn on it (start and end marked): the classic picture
 * of gradient descent zig-zagging down a valley. Pass `paths` to compare
 * several runs (learning rates, optimizers, starting points) on one plot.
 *
 * @example
 * ```ts
 * import { contourPlot } from "./surface.ts";
 * import assert from "node:assert/strict";
 * const fig = await contourPlot((x, y) => x * x + 10 * y * y, {
 *   xRange: [-3, 3], yRange: [-1, 1], path: [[-2.5, 0.8], [-2, -0.6], [-1.6, 0.4]],
 * });
 * assert.deepEqual(fig.data.map((t) => t.type), ["contour", "scatter", "scatter"]);
 * assert.deepEqual(fig.data[1].x, [-2.5, -2, -1.6]);
 * assert.equal((fig.data[0].x as number[]).length, 60);
 * ```
 */
export function contourPlot(f: SurfaceInput, options: SurfaceOptions = {}): FigurePromise {
  return FigurePromise.from(async () => {
    const paths = await readPaths(options);
    const grid = await sample(f, paths, options);
    const zLabel = options.zLabel ?? "f(x, y)";
    const levels = options.levels ?? 25;
    const contour: PlotlyTrace = {
      type: "contour",
      x: grid.x,
      y: grid.y,
      z: grid.z,
      colorscale: options.colorscale ?? "Viridis",
      colorbar: { title: { text: zLabel } },
      ncontours: levels,
      contours: { coloring: "heatmap", showlines: true },
      line: { width: 0.5, color: "rgba(255,255,255,0.5)" },
      name: zLabel,
    };
    if (options.logLevels) {
      // Plotly spaces levels evenly; contour log(z - min + 1) instead and label with z.
      const min = Math.min(...grid.z.flat().filter(Number.isFinite));
      contour.z = grid.z.map((row) => row.map((v) => Math.log1p(v - min)));
      contour.customdata = grid.z;
      contour.hovertemplate = "(%{x}, %{y}): %{customdata}<extra></extra>";
      contour.colorbar = { title: { text: `log(1 + ${zLabel} − min)` } };
    }
    const data = [
      contour,
      ...paths.flatMap((p) => pathTraces(p, false, (q) => heightAt(f, grid, q[0], q[1]))),
    ];
    const layout: Record<string, unknown> = {
      height: options.height ?? 500,
      xaxis: axis(options.xLabel ?? "x"),
      yaxis: axis(options.yLabel ?? "y"),
    };
    if (paths.length) layout.legend = CONTOUR_LEGEND;
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data, layout });
  });
}
