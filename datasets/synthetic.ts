/**
 * Seeded 2-D toy classification sets for the course: Gaussian blobs, XOR,
 * concentric circles, two moons and spirals. Every generator draws from
 * `Rng` in `lib/random.ts` (pure integer arithmetic), so a given seed gives
 * the same points on every machine.
 *
 * Each returns `{ x, y, n, classes }`: `x` holds `n * 2` coordinates, row-major
 * (point i is `(x[2i], x[2i+1])`), `y[i]` its class in `0..classes-1`. Classes
 * get as equal counts as `n` allows (they differ by at most one), and the
 * points are shuffled unless `shuffle: false`.
 *
 * @module
 */
import { Rng } from "../lib/random.ts";

/**
 * A 2-D classification set: `n` points as `x` (row-major `n * 2`) and labels
 * `y` in `0..classes-1`.
 *
 * @example
 * ```ts
 * import type { Dataset2D } from "./synthetic.ts";
 * const tiny: Dataset2D = {
 *   x: new Float64Array([0, 0, 1, 1]),
 *   y: new Int32Array([0, 1]),
 *   n: 2,
 *   classes: 2,
 * };
 * ```
 */
export interface Dataset2D {
  /** Coordinates, `n * 2`, row-major. */
  x: Float64Array;
  /** Class of each point, `0..classes-1`. */
  y: Int32Array;
  /** Number of points. */
  n: number;
  /** Number of classes. */
  classes: number;
}

/**
 * Options shared by every generator.
 *
 * @example
 * ```ts
 * import type { SyntheticOptions } from "./synthetic.ts";
 * const opts: SyntheticOptions = { n: 400, seed: 7 };
 * ```
 */
export interface SyntheticOptions {
  /** Number of points (default 200, 300 for blobs and spirals). */
  n?: number;
  /** Seed of the generator (default 0). */
  seed?: number;
  /** Shuffle the points (default `true`); otherwise they come grouped by class. */
  shuffle?: boolean;
}

/**
 * Options for {@linkcode blobs}.
 *
 * @example
 * ```ts
 * import type { BlobsOptions } from "./synthetic.ts";
 * const opts: BlobsOptions = { centers: [[0, 0], [4, 4]], std: 1 };
 * ```
 */
export interface BlobsOptions extends SyntheticOptions {
  /** Number of clusters (default 3), or their centers (one class each). */
  centers?: number | ReadonlyArray<readonly [number, number]>;
  /** Number of clusters, when `centers` is not given (alias). */
  classes?: number;
  /** Standard deviation of each cluster (default 0.5). */
  std?: number;
}

/**
 * Options for {@linkcode xor}.
 *
 * @example
 * ```ts
 * import type { XorOptions } from "./synthetic.ts";
 * const opts: XorOptions = { std: 0.2 };
 * ```
 */
export interface XorOptions extends SyntheticOptions {
  /** Standard deviation of each quadrant cluster around (±1, ±1) (default 0.3). */
  std?: number;
}

/**
 * Options for {@linkcode circles}.
 *
 * @example
 * ```ts
 * import type { CirclesOptions } from "./synthetic.ts";
 * const opts: CirclesOptions = { factor: 0.3, noise: 0.1 };
 * ```
 */
export interface CirclesOptions extends SyntheticOptions {
  /** Radius of the inner ring relative to the outer one (radius 1), in (0, 1) (default 0.5). */
  factor?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.05). */
  noise?: number;
}

/**
 * Options for {@linkcode moons}.
 *
 * @example
 * ```ts
 * import type { MoonsOptions } from "./synthetic.ts";
 * const opts: MoonsOptions = { noise: 0.2 };
 * ```
 */
export interface MoonsOptions extends SyntheticOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0.1). */
  noise?: number;
}

/**
 * Options for {@linkcode spirals}.
 *
 * @example
 * ```ts
 * import type { SpiralsOptions } from "./synthetic.ts";
 * const opts: SpiralsOptions = { classes: 2, turns: 1.5 };
 * ```
 */
export interface SpiralsOptions extends SyntheticOptions {
  /** Number of arms, one class each (default 3). */
  classes?: number;
  /** How many turns each arm makes from the centre to radius 1 (default 0.75). */
  turns?: number;
  /** Standard deviation of the jitter added to each point's angle, in radians (default 0.2). */
  noise?: number;
}

function checkCount(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${name}: n must be a positive integer, got ${n}`);
  }
  return n;
}

function checkNonNegative(name: string, what: string, v: number): number {
  if (!(v >= 0) || !Number.isFinite(v)) {
    throw new RangeError(`${name}: ${what} must be a finite number >= 0, got ${v}`);
  }
  return v;
}

/** Points per group when `n` is split into `groups` as evenly as possible. */
function evenCounts(n: number, groups: number): number[] {
  const base = Math.floor(n / groups);
  return Array.from({ length: groups }, (_, g) => base + (g < n % groups ? 1 : 0));
}

/** Packs the arrays into a Dataset2D, shuffling the rows (into new arrays) unless told not to. */
function finish(
  x: Float64Array,
  y: Int32Array,
  classes: number,
  rng: Rng,
  shuffle: boolean,
): Dataset2D {
  const n = y.length;
  if (!shuffle) return { x, y, n, classes };
  const perm = rng.permutation(n);
  const xs = new Float64Array(2 * n);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = perm[i];
    xs[2 * i] = x[2 * j];
    xs[2 * i + 1] = x[2 * j + 1];
    ys[i] = y[j];
  }
  return { x: xs, y: ys, n, classes };
}

/**
 * Gaussian clusters, one per class. Without explicit `centers`, the k centers
 * lie evenly on a circle whose radius makes neighbouring centers' half-way
 * lines 2.5 units away (5 standard deviations at the default `std` 0.5), so
 * the classes are linearly separable (in practice: by the nearest-center
 * rule, which is a linear classifier).
 *
 * @example
 * ```ts
 * import { blobs } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const d = blobs({ n: 90, centers: 3, seed: 1 });
 * assert.equal(d.x.length, 180);
 * assert.equal(d.classes, 3);
 * assert.deepEqual(blobs({ n: 90, centers: 3, seed: 1 }).x, d.x); // same seed, same data
 * ```
 */
export function blobs(options: BlobsOptions = {}): Dataset2D {
  const n = checkCount("blobs", options.n ?? 300);
  const std = checkNonNegative("blobs", "std", options.std ?? 0.5);
  let centers: Array<readonly [number, number]>;
  if (typeof options.centers === "object") {
    centers = [...options.centers];
    if (centers.length < 1) throw new RangeError("blobs: centers must not be empty");
  } else {
    const k = options.centers ?? options.classes ?? 3;
    if (!Number.isInteger(k) || k < 1) {
      throw new RangeError(`blobs: the number of centers must be a positive integer, got ${k}`);
    }
    const radius = k === 1 ? 0 : 2.5 / Math.sin(Math.PI / k);
    centers = Array.from(
      { length: k },
      (_, c) =>
        [
          radius * Math.cos((2 * Math.PI * c) / k),
          radius * Math.sin((2 * Math.PI * c) / k),
        ] as const,
    );
  }
  const k = centers.length;
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let i = 0;
  evenCounts(n, k).forEach((count, c) => {
    const [cx, cy] = centers[c];
    for (let j = 0; j < count; j++, i++) {
      x[2 * i] = cx + std * rng.normal();
      x[2 * i + 1] = cy + std * rng.normal();
      y[i] = c;
    }
  });
  return finish(x, y, k, rng, options.shuffle ?? true);
}

/**
 * The XOR problem: four Gaussian clusters around (1, 1), (-1, 1), (-1, -1),
 * (1, -1); class 0 for the first and third quadrants, class 1 for the second
 * and fourth. No straight line separates the classes.
 *
 * @example
 * ```ts
 * import { xor } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const d = xor({ n: 100, std: 0.1, seed: 3 });
 * for (let i = 0; i < d.n; i++) {
 *   assert.equal(d.y[i], d.x[2 * i] * d.x[2 * i + 1] > 0 ? 0 : 1);
 * }
 * ```
 */
export function xor(options: XorOptions = {}): Dataset2D {
  const n = checkCount("xor", options.n ?? 200);
  const std = checkNonNegative("xor", "std", options.std ?? 0.3);
  // Alternate the classes so that a remainder is shared between them.
  const clusters = [[1, 1, 0], [-1, 1, 1], [-1, -1, 0], [1, -1, 1]] as const;
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let i = 0;
  evenCounts(n, 4).forEach((count, q) => {
    const [cx, cy, label] = clusters[q];
    for (let j = 0; j < count; j++, i++) {
      x[2 * i] = cx + std * rng.normal();
      x[2 * i + 1] = cy + std * rng.normal();
      y[i] = label;
    }
  });
  return finish(x, y, 2, rng, options.shuffle ?? true);
}

/**
 * Two concentric rings: class 0 on the outer ring (radius 1), class 1 on the
 * inner ring (radius `factor`), with Gaussian noise on each coordinate.
 *
 * @example
 * ```ts
 * import { circles } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const d = circles({ n: 50, factor: 0.5, noise: 0, seed: 2 });
 * for (let i = 0; i < d.n; i++) {
 *   const r = Math.hypot(d.x[2 * i], d.x[2 * i + 1]);
 *   assert.ok(Math.abs(r - (d.y[i] === 0 ? 1 : 0.5)) < 1e-12);
 * }
 * ```
 */
export function circles(options: CirclesOptions = {}): Dataset2D {
  const n = checkCount("circles", options.n ?? 200);
  const factor = options.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) {
    throw new RangeError(`circles: factor must be in (0, 1), got ${factor}`);
  }
  const noise = checkNonNegative("circles", "noise", options.noise ?? 0.05);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let i = 0;
  evenCounts(n, 2).forEach((count, c) => {
    const radius = c === 0 ? 1 : factor;
    for (let j = 0; j < count; j++, i++) {
      const t = 2 * Math.PI * rng.uniform();
      x[2 * i] = radius * Math.cos(t) + noise * rng.normal();
      x[2 * i + 1] = radius * Math.sin(t) + noise * rng.normal();
      y[i] = c;
    }
  });
  return finish(x, y, 2, rng, options.shuffle ?? true);
}

/**
 * Two interleaving half circles: class 0 is the upper arc
 * `(cos t, sin t)`, class 1 the lower arc `(1 - cos t, 0.5 - sin t)`, for t in
 * [0, π], plus Gaussian noise on each coordinate.
 *
 * @example
 * ```ts
 * import { moons } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const d = moons({ n: 101, seed: 5 });
 * const ones = d.y.reduce((a, b) => a + b, 0);
 * assert.ok(ones === 50 || ones === 51);
 * ```
 */
export function moons(options: MoonsOptions = {}): Dataset2D {
  const n = checkCount("moons", options.n ?? 200);
  const noise = checkNonNegative("moons", "noise", options.noise ?? 0.1);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let i = 0;
  evenCounts(n, 2).forEach((count, c) => {
    for (let j = 0; j < count; j++, i++) {
      const t = Math.PI * rng.uniform();
      const px = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
      const py = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x[2 * i] = px + noise * rng.normal();
      x[2 * i + 1] = py + noise * rng.normal();
      y[i] = c;
    }
  });
  return finish(x, y, 2, rng, options.shuffle ?? true);
}

/**
 * Interleaved spiral arms, one class each: arm c's points run from the
 * centre to radius 1, turning `turns` times, starting at angle 2πc/k; each
 * point's angle gets Gaussian jitter of `noise` radians.
 *
 * @example
 * ```ts
 * import { spirals } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const d = spirals({ n: 300, classes: 3, seed: 0 });
 * assert.equal(d.classes, 3);
 * for (let c = 0; c < 3; c++) assert.equal(d.y.filter((v) => v === c).length, 100);
 * ```
 */
export function spirals(options: SpiralsOptions = {}): Dataset2D {
  const n = checkCount("spirals", options.n ?? 300);
  const k = options.classes ?? 3;
  if (!Number.isInteger(k) || k < 1) {
    throw new RangeError(`spirals: classes must be a positive integer, got ${k}`);
  }
  const turns = options.turns ?? 0.75;
  const noise = checkNonNegative("spirals", "noise", options.noise ?? 0.2);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(2 * n);
  const y = new Int32Array(n);
  let i = 0;
  evenCounts(n, k).forEach((count, c) => {
    for (let j = 0; j < count; j++, i++) {
      const r = (j + 1) / count;
      const t = (2 * Math.PI * c) / k + 2 * Math.PI * turns * r + noise * rng.normal();
      x[2 * i] = r * Math.cos(t);
      x[2 * i + 1] = r * Math.sin(t);
      y[i] = c;
    }
  });
  return finish(x, y, k, rng, options.shuffle ?? true);
}
