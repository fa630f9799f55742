/**
 * Shape arithmetic shared by ops and backends: broadcasting, axis
 * normalization, strides.
 *
 * @module
 */
import type { Shape } from "./op_set.ts";

/**
 * Number of elements of a shape (1 for a scalar's `[]`).
 *
 * @example
 * ```ts
 * import { sizeOf } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.equal(sizeOf([2, 3, 4]), 24);
 * assert.equal(sizeOf([]), 1);
 * ```
 */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * One axis of a slice: an index (drops the axis), `[start, end]` (end
 * exclusive, either may be negative or omitted) or `null` (the whole axis).
 */
export type SliceRange = number | readonly [number?, number?] | null;

/**
 * The NumPy broadcast of two shapes, or an error naming the op and both shapes.
 *
 * @example
 * ```ts
 * import { broadcastShapes } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(broadcastShapes([4, 1, 3], [2, 1], "add"), [4, 2, 3]);
 * assert.throws(() => broadcastShapes([2, 3], [4], "add"), /cannot broadcast/);
 * ```
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: cannot broadcast shapes [${a}] and [${b}]: axis ${
          i - n
        } has sizes ${da} and ${db} ` +
          `(sizes must match or one of them be 1)`,
      );
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Row-major strides of a shape.
 *
 * @example
 * ```ts
 * import { stridesOf } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(stridesOf([2, 3, 4]), [12, 4, 1]);
 * ```
 */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Strides for reading a tensor of shape `from` broadcast to shape `to`:
 * 0 along broadcast axes.
 *
 * @example
 * ```ts
 * import { broadcastStrides } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(broadcastStrides([3], [2, 3]), [0, 1]);
 * ```
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const own = stridesOf(from);
  const offset = to.length - from.length;
  return to.map((_, i) => (i < offset || from[i - offset] === 1) ? 0 : own[i - offset]);
}

/**
 * Turns a possibly negative axis into a valid index, or throws naming the op.
 *
 * @example
 * ```ts
 * import { normalizeAxis } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.equal(normalizeAxis(-1, 3, "sum"), 2);
 * ```
 */
export function normalizeAxis(axis: number, ndim: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= Math.max(ndim, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor with ${ndim} axes`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/**
 * Normalizes an axis list (undefined = all axes), sorted and without repeats.
 *
 * @example
 * ```ts
 * import { normalizeAxes } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(normalizeAxes(undefined, 3, "sum"), [0, 1, 2]);
 * assert.deepEqual(normalizeAxes([-1, 0], 3, "sum"), [0, 2]);
 * ```
 */
export function normalizeAxes(
  axis: number | readonly number[] | undefined,
  ndim: number,
  op: string,
): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : axis;
  const set = new Set(list.map((a) => normalizeAxis(a, ndim, op)));
  if (set.size !== list.length) throw new Error(`${op}: repeated axis in [${list}]`);
  return [...set].sort((a, b) => a - b);
}

/**
 * Formats a shape for error messages: `[2, 3]`.
 *
 * @example
 * ```ts
 * import { showShape } from "./shape.ts";
 * import assert from "node:assert/strict";
 * assert.equal(showShape([2, 3]), "[2, 3]");
 * ```
 */
export function showShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/**
 * The shape of a nested array and its leaves in row-major order. `leaf`
 * turns each leaf into a number; a leaf where a row should be (or a row of
 * the wrong length) throws, naming `what` and the index.
 *
 * @example
 * ```ts
 * import { flattenNested } from "./shape.ts";
 * import assert from "node:assert/strict";
 * const num = (v: unknown) => v as number;
 * assert.deepEqual(flattenNested([[1, 2], [3, 4]], "tensor()", num), {
 *   shape: [2, 2],
 *   values: [1, 2, 3, 4],
 * });
 * assert.throws(() => flattenNested([[1, 2], [3]], "tensor()", num), /index \[1\]: expected 2/);
 * ```
 */
export function flattenNested(
  data: unknown,
  what: string,
  leaf: (value: unknown, path: number[]) => number,
): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let level = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: number[] = [];
  const walk = (x: unknown, axis: number, path: number[]): void => {
    if (axis === shape.length) {
      values.push(leaf(x, path));
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[axis]) {
      throw new Error(
        `${what}: ragged nested array at index [${path}]: expected ${shape[axis]} entries ` +
          `like the first row, got ${Array.isArray(x) ? x.length : "a number"}`,
      );
    }
    x.forEach((v, i) => walk(v, axis + 1, [...path, i]));
  };
  walk(data, 0, []);
  return { shape, values };
}
