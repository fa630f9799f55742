/**
 * Seeded train/validation/test splits and feature scaling fitted on the
 * training rows only (so no information from the validation or test rows
 * leaks into the preprocessing).
 *
 * Data are plain row-major arrays: `n` rows of `features` numbers each.
 *
 * @module
 */
import { Rng } from "../lib/random.ts";

/**
 * Options for {@linkcode trainValTestSplit}. `val` and `test` are fractions
 * of `n` when in [0, 1) (rounded to the nearest count) and counts when they
 * are integers >= 1.
 *
 * @example
 * ```ts
 * import type { SplitOptions } from "./split.ts";
 * const opts: SplitOptions = { val: 0.1, test: 0.2, seed: 42 };
 * ```
 */
export interface SplitOptions {
  /** Size of the validation part: a fraction in [0, 1) or a count (default 0). */
  val?: number;
  /** Size of the test part: a fraction in [0, 1) or a count (default 0). */
  test?: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Shuffle before splitting (default `true`); `false` keeps the order: train, then val, then test. */
  shuffle?: boolean;
}

/**
 * Row indices of each part of a split; together they are a permutation of
 * `0..n-1`.
 *
 * @example
 * ```ts
 * import type { SplitIndices } from "./split.ts";
 * const s: SplitIndices = {
 *   train: new Int32Array([2, 0]),
 *   val: new Int32Array([1]),
 *   test: new Int32Array([]),
 * };
 * ```
 */
export interface SplitIndices {
  /** Indices of the training rows. */
  train: Int32Array;
  /** Indices of the validation rows. */
  val: Int32Array;
  /** Indices of the test rows. */
  test: Int32Array;
}

function partSize(what: string, v: number, n: number): number {
  if (v >= 0 && v < 1) return Math.round(v * n);
  if (Number.isInteger(v) && v >= 1) return v;
  throw new RangeError(
    `trainValTestSplit: ${what} must be a fraction in [0, 1) or an integer count, got ${v}`,
  );
}

/**
 * Splits `0..n-1` into train, validation and test index sets after a seeded
 * shuffle (the same seed gives the same split everywhere).
 *
 * @example
 * ```ts
 * import { trainValTestSplit } from "./split.ts";
 * import assert from "node:assert/strict";
 * const { train, val, test } = trainValTestSplit(100, { val: 0.1, test: 20, seed: 1 });
 * assert.deepEqual([train.length, val.length, test.length], [70, 10, 20]);
 * const all = [...train, ...val, ...test].sort((a, b) => a - b);
 * assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export function trainValTestSplit(n: number, options: SplitOptions = {}): SplitIndices {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`trainValTestSplit: n must be a non-negative integer, got ${n}`);
  }
  const nVal = partSize("val", options.val ?? 0, n);
  const nTest = partSize("test", options.test ?? 0, n);
  if (nVal + nTest > n) {
    throw new RangeError(
      `trainValTestSplit: val (${nVal}) + test (${nTest}) rows exceed the ${n} available`,
    );
  }
  let order: Int32Array;
  if (options.shuffle ?? true) {
    order = new Rng(options.seed ?? 0).permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const nTrain = n - nVal - nTest;
  return {
    train: order.slice(0, nTrain),
    val: order.slice(nTrain, nTrain + nVal),
    test: order.slice(nTrain + nVal),
  };
}

/**
 * Typed arrays {@linkcode takeRows} can gather from.
 *
 * @example
 * ```ts
 * import type { RowArray } from "./split.ts";
 * const labels: RowArray = new Int32Array([0, 1, 1]);
 * ```
 */
export type RowArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/**
 * Gathers rows (of `features` values each) into a new array of the same
 * type, e.g. the training part of a dataset after {@linkcode trainValTestSplit}.
 *
 * @example
 * ```ts
 * import { takeRows } from "./split.ts";
 * import assert from "node:assert/strict";
 * const x = new Float64Array([0, 1, 10, 11, 20, 21]); // 3 rows, 2 features
 * assert.deepEqual([...takeRows(x, 2, [2, 0])], [20, 21, 0, 1]);
 * assert.deepEqual([...takeRows(new Int32Array([5, 6, 7]), 1, [1])], [6]);
 * ```
 */
export function takeRows<T extends RowArray>(x: T, features: number, rows: ArrayLike<number>): T {
  if (!Number.isInteger(features) || features < 1 || x.length % features !== 0) {
    throw new RangeError(
      `takeRows: length ${x.length} is not a whole number of rows of ${features} features`,
    );
  }
  const n = x.length / features;
  const out = new (x.constructor as new (length: number) => T)(rows.length * features);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < n) || !Number.isInteger(r)) {
      throw new RangeError(`takeRows: row index ${r} is outside 0..${n - 1}`);
    }
    out.set(x.subarray(r * features, (r + 1) * features), i * features);
  }
  return out;
}

/**
 * Options for {@linkcode fitStandardizer} and {@linkcode fitMinMax}.
 *
 * @example
 * ```ts
 * import type { ScalerFitOptions } from "./split.ts";
 * const opts: ScalerFitOptions = { rows: new Int32Array([0, 2, 3]) };
 * ```
 */
export interface ScalerFitOptions {
  /** Fit on these rows only (e.g. the `train` indices of a split); default all `n` rows. */
  rows?: ArrayLike<number>;
}

/**
 * Per-feature transform fitted by {@linkcode fitStandardizer} or
 * {@linkcode fitMinMax}. `apply` and `inverse` return a new array: a
 * `Float32Array` for a `Float32Array` input, otherwise a `Float64Array`.
 *
 * @example
 * ```ts
 * import { fitStandardizer, type FeatureScaler } from "./split.ts";
 * const s: FeatureScaler = fitStandardizer(new Float64Array([1, 3]), 2, 1);
 * ```
 */
export interface FeatureScaler {
  /** Number of features per row. */
  features: number;
  /** Scales every row of `x` (any number of rows). */
  apply(x: Float32Array): Float32Array;
  /** Scales every row of `x` (any number of rows). */
  apply(x: ArrayLike<number>): Float64Array;
  /** Undoes {@linkcode FeatureScaler.apply}. */
  inverse(x: Float32Array): Float32Array;
  /** Undoes {@linkcode FeatureScaler.apply}. */
  inverse(x: ArrayLike<number>): Float64Array;
}

/**
 * A fitted standardization: `(x - mean) / std` per feature.
 *
 * @example
 * ```ts
 * import { fitStandardizer, type Standardizer } from "./split.ts";
 * const s: Standardizer = fitStandardizer(new Float64Array([1, 3]), 2, 1);
 * console.log(s.mean[0], s.std[0]); // 2 1
 * ```
 */
export interface Standardizer extends FeatureScaler {
  /** Per-feature mean of the fitted rows. */
  mean: Float64Array;
  /** Per-feature (population) standard deviation; 1 for a constant feature. */
  std: Float64Array;
}

/**
 * A fitted min-max scaling of each feature onto `range`.
 *
 * @example
 * ```ts
 * import { fitMinMax, type MinMaxScaler } from "./split.ts";
 * const s: MinMaxScaler = fitMinMax(new Float64Array([1, 3]), 2, 1);
 * console.log(s.min[0], s.max[0]); // 1 3
 * ```
 */
export interface MinMaxScaler extends FeatureScaler {
  /** Per-feature minimum of the fitted rows. */
  min: Float64Array;
  /** Per-feature maximum of the fitted rows. */
  max: Float64Array;
  /** Target interval (default `[0, 1]`). */
  range: readonly [number, number];
}

function checkShape(name: string, x: ArrayLike<number>, n: number, features: number): void {
  if (!Number.isInteger(features) || features < 1) {
    throw new RangeError(`${name}: features must be a positive integer, got ${features}`);
  }
  if (!Number.isInteger(n) || n < 0 || x.length < n * features) {
    throw new RangeError(
      `${name}: ${n} rows of ${features} features need ${n * features} values, got ${x.length}`,
    );
  }
}

function fitRows(name: string, n: number, rows: ArrayLike<number> | undefined): ArrayLike<number> {
  if (rows === undefined) {
    if (n === 0) throw new RangeError(`${name}: no rows to fit on`);
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!(r >= 0 && r < n) || !Number.isInteger(r)) {
      throw new RangeError(`${name}: row index ${r} is outside 0..${n - 1}`);
    }
  }
  if (rows.length === 0) throw new RangeError(`${name}: no rows to fit on`);
  return rows;
}

/** Builds an affine per-feature map y = (x - shift[f]) * scale[f] + offset. */
function affine(
  features: number,
  shift: Float64Array,
  scale: Float64Array,
  offset: number,
): Pick<FeatureScaler, "apply" | "inverse"> {
  const map = (x: ArrayLike<number>, forward: boolean): Float32Array | Float64Array => {
    if (x.length % features !== 0) {
      throw new RangeError(
        `scaler: length ${x.length} is not a whole number of rows of ${features} features`,
      );
    }
    const out = x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const f = i % features;
      out[i] = forward
        ? (x[i] - shift[f]) * scale[f] + offset
        : (x[i] - offset) / scale[f] + shift[f];
    }
    return out;
  };
  return {
    apply: ((x: ArrayLike<number>) => map(x, true)) as FeatureScaler["apply"],
    inverse: ((x: ArrayLike<number>) => map(x, false)) as FeatureScaler["inverse"],
  };
}

/**
 * Fits per-feature standardization on `n` rows of `features` values (or
 * only on `options.rows`, typically the training indices), returning the
 * statistics and `apply` / `inverse` transforms for any rows.
 *
 * @example Fit on the training rows, apply to everything
 * ```ts
 * import { fitStandardizer } from "./split.ts";
 * import assert from "node:assert/strict";
 * const x = new Float64Array([1, 10, 3, 10, 100, 10]); // 3 rows, 2 features
 * const s = fitStandardizer(x, 3, 2, { rows: [0, 1] });
 * assert.deepEqual([...s.mean], [2, 10]);
 * assert.deepEqual([...s.std], [1, 1]); // constant feature: std 1
 * assert.deepEqual([...s.apply(x)], [-1, 0, 1, 0, 98, 0]);
 * assert.deepEqual([...s.inverse(s.apply(x))], [...x]);
 * ```
 */
export function fitStandardizer(
  x: ArrayLike<number>,
  n: number,
  features: number,
  options: ScalerFitOptions = {},
): Standardizer {
  checkShape("fitStandardizer", x, n, features);
  const rows = fitRows("fitStandardizer", n, options.rows);
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * features;
    for (let f = 0; f < features; f++) mean[f] += x[base + f];
  }
  for (let f = 0; f < features; f++) mean[f] /= rows.length;
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * features;
    for (let f = 0; f < features; f++) std[f] += (x[base + f] - mean[f]) ** 2;
  }
  const scale = new Float64Array(features);
  for (let f = 0; f < features; f++) {
    std[f] = Math.sqrt(std[f] / rows.length);
    // A constant feature (std ~ 0 relative to its size) is only centred.
    if (!(std[f] > 1e-12 * Math.max(1, Math.abs(mean[f])))) std[f] = 1;
    scale[f] = 1 / std[f];
  }
  return { features, mean, std, ...affine(features, mean, scale, 0) };
}

/**
 * Fits per-feature min-max scaling onto `range` (default `[0, 1]`) on `n`
 * rows (or only `options.rows`). Values outside the fitted min/max map
 * outside the range; a constant feature maps to `range[0]`.
 *
 * @example
 * ```ts
 * import { fitMinMax } from "./split.ts";
 * import assert from "node:assert/strict";
 * const x = new Float64Array([0, 5, 10, 5]); // 2 rows, 2 features
 * const s = fitMinMax(x, 2, 2, { range: [-1, 1] });
 * assert.deepEqual([...s.apply(x)], [-1, -1, 1, -1]);
 * assert.deepEqual([...s.apply(new Float32Array([5, 5]))], [0, -1]);
 * ```
 */
export function fitMinMax(
  x: ArrayLike<number>,
  n: number,
  features: number,
  options: ScalerFitOptions & { range?: readonly [number, number] } = {},
): MinMaxScaler {
  checkShape("fitMinMax", x, n, features);
  const rows = fitRows("fitMinMax", n, options.rows);
  const range = options.range ?? [0, 1];
  if (!(range[1] > range[0])) {
    throw new RangeError(`fitMinMax: range [${range}] must be increasing`);
  }
  const min = new Float64Array(features).fill(Infinity);
  const max = new Float64Array(features).fill(-Infinity);
  for (let i = 0; i < rows.length; i++) {
    const base = rows[i] * features;
    for (let f = 0; f < features; f++) {
      const v = x[base + f];
      if (v < min[f]) min[f] = v;
      if (v > max[f]) max[f] = v;
    }
  }
  const scale = new Float64Array(features);
  for (let f = 0; f < features; f++) {
    const span = max[f] - min[f];
    scale[f] = span > 0 ? (range[1] - range[0]) / span : 1;
  }
  return { features, min, max, range, ...affine(features, min, scale, range[0]) };
}
