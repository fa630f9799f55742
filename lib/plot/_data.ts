// Input normalization shared by the plot builders: every builder accepts
// tensors (any backend, read with `await t.data()`) or plain / typed arrays.
import { Tensor } from "../tensor.ts";
import { argmax } from "../ops/mod.ts";
import type { PlotlyTrace } from "./figure.ts";

/**
 * Numbers: a tensor (any shape, read flat) or an array / typed array.
 *
 * @example
 * ```ts
 * import type { Values } from "./mod.ts";
 * const v: Values = new Float32Array([1, 2, 3]);
 * ```
 */
export type Values = Tensor | ArrayLike<number>;

/**
 * A matrix: a 2-D tensor or rows of numbers.
 *
 * @example
 * ```ts
 * import type { MatrixInput } from "./mod.ts";
 * const m: MatrixInput = [[1, 2], [3, 4]];
 * ```
 */
export type MatrixInput = Tensor | ArrayLike<ArrayLike<number>>;

/**
 * 2-D points: a tensor `[N, 2]`, rows `[[x, y], ...]`, or flat row-major
 * coordinates `[x0, y0, x1, y1, ...]` (like the synthetic datasets' `x`).
 *
 * @example
 * ```ts
 * import type { PointsInput } from "./mod.ts";
 * const p: PointsInput = new Float64Array([0, 0, 1, 1]); // (0, 0) and (1, 1)
 * ```
 */
export type PointsInput = Tensor | ArrayLike<number> | ArrayLike<ArrayLike<number>>;

/** Flat values of a tensor or array. */
export async function readValues(x: Values): Promise<ArrayLike<number>> {
  return x instanceof Tensor ? await x.data() : x;
}

/** Class labels: int labels as they are, `[N, C]` scores / one-hot rows as their argmax. */
export async function readLabels(x: Values | ArrayLike<ArrayLike<number>>): Promise<number[]> {
  if (x instanceof Tensor) {
    if (x.ndim === 2) {
      const idx = argmax(x, -1);
      const out = Array.from(await idx.data());
      idx.dispose();
      return out;
    }
    return Array.from(await x.data());
  }
  if (x.length && typeof x[0] !== "number") {
    return Array.from(x as ArrayLike<ArrayLike<number>>, (row) => {
      let best = 0;
      for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
      return best;
    });
  }
  return Array.from(x as ArrayLike<number>);
}

/** Rows of a 2-D tensor or nested array (checked rectangular). */
export async function readMatrix(x: MatrixInput, what: string): Promise<number[][]> {
  if (x instanceof Tensor) {
    if (x.ndim !== 2) {
      throw new Error(`${what}: expected a 2-D tensor, got shape [${x.shape}]`);
    }
    const v = await x.data();
    const [r, c] = x.shape;
    return Array.from({ length: r }, (_, i) => Array.from(v.subarray(i * c, (i + 1) * c)));
  }
  const rows = Array.from(x, (row) => Array.from(row));
  const c = rows[0]?.length ?? 0;
  rows.forEach((row, i) => {
    if (row.length !== c) {
      throw new Error(`${what}: row ${i} has ${row.length} values but row 0 has ${c}`);
    }
  });
  return rows;
}

/** x and y coordinates of 2-D points. */
export async function readPoints(
  p: PointsInput,
  what: string,
): Promise<{ xs: number[]; ys: number[] }> {
  let flat: ArrayLike<number>;
  if (p instanceof Tensor) {
    if (p.ndim !== 2 || p.shape[1] !== 2) {
      throw new Error(`${what}: expected points of shape [N, 2], got [${p.shape}]`);
    }
    flat = await p.data();
  } else if (p.length && typeof p[0] !== "number") {
    const rows = p as ArrayLike<ArrayLike<number>>;
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      if (rows[i].length < 2) throw new Error(`${what}: point ${i} has fewer than 2 coordinates`);
      xs.push(rows[i][0]), ys.push(rows[i][1]);
    }
    return { xs, ys };
  } else {
    flat = p as ArrayLike<number>;
    if (flat.length % 2) {
      throw new Error(`${what}: ${flat.length} flat coordinates is not a whole number of points`);
    }
  }
  const n = flat.length / 2;
  const xs = new Array<number>(n), ys = new Array<number>(n);
  for (let i = 0; i < n; i++) xs[i] = flat[2 * i], ys[i] = flat[2 * i + 1];
  return { xs, ys };
}

/** Min and max of the finite values (0, 1 when there are none). */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** `n` evenly spaced numbers from `lo` to `hi`. */
export function linspace(lo: number, hi: number, n: number): number[] {
  if (n === 1) return [lo];
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** Short, readable number text: integers as they are, others to `digits` decimals. */
export function formatNumber(v: number, digits = 2): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(digits)));
}

/** The qualitative palette (Plotly's / D3's category10), one color per class. */
export const PALETTE = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
] as const;

/** Color of class / series `i`. */
export function colorOf(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** A Plotly title object, or undefined for no title. */
export function titleOf(text: string | undefined): { text: string } | undefined {
  return text === undefined ? undefined : { text };
}

/** An axis with an optional title. */
export function axis(label: string | undefined, extra: Record<string, unknown> = {}) {
  return label === undefined ? { ...extra } : { title: { text: label }, ...extra };
}

/** Scatter traces of 2-D points, one per class present, colored by class id. */
export function classTraces(
  xs: number[],
  ys: number[],
  labels: number[],
  options: { classNames?: string[]; markerSize?: number },
): PlotlyTrace[] {
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  return classes.map((c) => {
    const idx = labels.flatMap((l, i) => l === c ? [i] : []);
    return {
      type: "scatter",
      mode: "markers",
      name: options.classNames?.[c] ?? `class ${c}`,
      x: idx.map((i) => xs[i]),
      y: idx.map((i) => ys[i]),
      marker: {
        color: colorOf(c),
        size: options.markerSize ?? 7,
        line: { color: "white", width: 0.5 },
      },
    };
  });
}
