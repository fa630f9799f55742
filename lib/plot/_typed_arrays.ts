/**
 * Plotly's typed-array form of numeric data, `{ dtype, bdata, shape }`: the
 * values' bytes in base64 (little-endian) instead of one JSON number each.
 * plotly.js ≥ 2.28 reads it wherever a trace takes a data array (x, y, z,
 * marker sizes, ...), and so do the renderers that draw the
 * `application/vnd.plotly.v1+json` entry of a notebook (JupyterLab's Plotly
 * extension, VS Code's Jupyter renderers, plotly.js ≥ 2.29 since 2024).
 * Jupyter writes a saved notebook's JSON one number per line (~20 bytes a
 * number); a float32 costs 5⅓ base64 characters on one line.
 *
 * Only arrays inside traces are encoded (layout keeps its short arrays:
 * axis ranges are not data arrays to plotly.js), and only arrays of at least
 * {@linkcode MIN_TYPED_LENGTH} finite numbers (or rectangular 2-D / 3-D
 * arrays of them): short arrays stay readable, and an array with a gap
 * (`null`) keeps its gap.
 *
 * @module
 */
import { base64 } from "../display/_png.ts";

/** A numeric array in Plotly's typed-array form. */
export interface TypedArraySpec {
  /** `f4`, `f8`, `i1`, `u1`, `i2`, `u2`, `i4` or `u4`. */
  dtype: string;
  /** The values' bytes (little-endian), base64. */
  bdata: string;
  /** `"rows,cols"` (or three sizes) for a nested array; absent for a flat one. */
  shape?: string;
}

/** Arrays shorter than this stay plain JSON. */
export const MIN_TYPED_LENGTH = 16;

type Ctor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor;

const TYPES: Record<string, Ctor> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
};
const INTEGER_TYPES: [string, number, number][] = [
  ["u1", 0, 255],
  ["i1", -128, 127],
  ["u2", 0, 65535],
  ["i2", -32768, 32767],
  ["u4", 0, 4294967295],
  ["i4", -2147483648, 2147483647],
];

/**
 * The smallest dtype that keeps what a plot shows: integers in the
 * narrowest integer type; other numbers as float32 when its rounding error
 * (about 6e-8 of the largest magnitude) stays below 1e-5 of the values'
 * spread, so a large offset with small steps (timestamps) keeps float64.
 */
function dtypeOf(values: number[]): string {
  let lo = Infinity, hi = -Infinity, integers = true;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  if (integers) {
    return INTEGER_TYPES.find(([, min, max]) => lo >= min && hi <= max)?.[0] ?? "f8";
  }
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  if (big > 3e38) return "f8";
  if (big * 6e-8 <= (hi - lo) * 1e-5) return "f4";
  return values.every((v) => Math.fround(v) === v) ? "f4" : "f8";
}

const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** The sizes of a rectangular nested array of finite numbers, or null. */
function shapeOf(value: unknown): number[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  if (value.every(isNumber)) return [value.length];
  const inner = shapeOf(value[0]);
  if (!inner || inner.length >= 3) return null;
  const same = value.every((row) => {
    const s = shapeOf(row);
    return s !== null && s.length === inner.length && s.every((n, i) => n === inner[i]);
  });
  return same ? [value.length, ...inner] : null;
}

/**
 * `values` (a flat or rectangular nested array of finite numbers) in
 * Plotly's typed-array form, in the smallest dtype that keeps what a plot
 * shows; null when it is not such an array.
 *
 * @example
 * ```ts
 * import { decodeTypedArray, encodeTypedArray } from "./_typed_arrays.ts";
 * import assert from "node:assert/strict";
 * const spec = encodeTypedArray([[0, 1, 2], [3, 4, 255]])!;
 * assert.deepEqual([spec.dtype, spec.shape], ["u1", "2,3"]);
 * assert.deepEqual(decodeTypedArray(spec), [[0, 1, 2], [3, 4, 255]]);
 * assert.equal(encodeTypedArray([1, null, 2]), null);
 * ```
 */
export function encodeTypedArray(values: unknown): TypedArraySpec | null {
  const shape = shapeOf(values);
  if (!shape) return null;
  const flat = (values as unknown[]).flat(2) as number[];
  const dtype = dtypeOf(flat);
  const bytes = new Uint8Array(new TYPES[dtype](flat).buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("typed arrays: this machine is big-endian; Plotly's bdata is little-endian");
  }
  const spec: TypedArraySpec = { dtype, bdata: base64(bytes) };
  if (shape.length > 1) spec.shape = shape.join(",");
  return spec;
}

/**
 * Plain numbers back from a {@linkcode TypedArraySpec} (nested as its
 * `shape` says), as plotly.js reads them.
 *
 * @example
 * ```ts
 * import { decodeTypedArray } from "./_typed_arrays.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeTypedArray({ dtype: "i2", bdata: "AQD//w==" }), [1, -1]);
 * ```
 */
export function decodeTypedArray(spec: TypedArraySpec): number[] | number[][] | number[][][] {
  const Type = TYPES[spec.dtype];
  if (!Type) throw new Error(`typed arrays: unknown dtype "${spec.dtype}"`);
  const bytes = Uint8Array.from(atob(spec.bdata), (c) => c.charCodeAt(0));
  const flat = Array.from(new Type(bytes.buffer));
  const shape = spec.shape ? spec.shape.split(",").map(Number) : [flat.length];
  const nest = (start: number, dims: number[]): number[] | number[][] | number[][][] => {
    if (dims.length === 1) return flat.slice(start, start + dims[0]);
    const step = dims.slice(1).reduce((a, b) => a * b, 1);
    return Array.from({ length: dims[0] }, (_, i) => nest(start + i * step, dims.slice(1))) as
      | number[][]
      | number[][][];
  };
  return nest(0, shape);
}

const isSpec = (v: unknown): v is TypedArraySpec =>
  v !== null && typeof v === "object" && !Array.isArray(v) &&
  typeof (v as TypedArraySpec).dtype === "string" &&
  typeof (v as TypedArraySpec).bdata === "string";

/** A trace (or any part of one) with its long numeric arrays encoded. */
function encodeWithin(value: unknown): unknown {
  if (Array.isArray(value)) {
    const count = shapeOf(value)?.reduce((a, b) => a * b, 1) ?? 0;
    if (count >= MIN_TYPED_LENGTH) return encodeTypedArray(value);
    return value.map(encodeWithin);
  }
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeWithin(v)]));
}

/**
 * A Plotly spec (`data`, `layout`, `config`, `frames`, as plain JSON) with
 * each trace's numeric arrays of {@linkcode MIN_TYPED_LENGTH} values or more
 * in typed-array form; the layout and short arrays stay as they are.
 *
 * @example
 * ```ts
 * import { decodeTypedArrays, encodeTypedArrays } from "./_typed_arrays.ts";
 * import assert from "node:assert/strict";
 * const y = Array.from({ length: 20 }, (_, i) => i / 4);
 * const trace: Record<string, unknown> = { type: "scatter", x: [1, 2], y };
 * const spec = { data: [trace], layout: { xaxis: { range: [0, 5] } } };
 * const packed = encodeTypedArrays(spec);
 * assert.equal((packed.data[0].y as { dtype: string }).dtype, "f4");
 * assert.deepEqual(packed.data[0].x, [1, 2]);
 * assert.deepEqual(decodeTypedArrays(packed), spec);
 * ```
 */
export function encodeTypedArrays<T extends { data: unknown[]; frames?: { data: unknown[] }[] }>(
  spec: T,
): T {
  const out: T = { ...spec, data: spec.data.map(encodeWithin) };
  if (spec.frames) {
    out.frames = spec.frames.map((f) => ({ ...f, data: f.data.map(encodeWithin) }));
  }
  return out;
}

/**
 * Every {@linkcode TypedArraySpec} in `value` back to plain numbers (what
 * tests and tools compare).
 *
 * @example
 * ```ts
 * import { decodeTypedArrays } from "./_typed_arrays.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(decodeTypedArrays({ y: { dtype: "u1", bdata: "AQI=" } }), { y: [1, 2] });
 * ```
 */
export function decodeTypedArrays<T>(value: T): T {
  if (isSpec(value)) return decodeTypedArray(value) as T;
  if (Array.isArray(value)) return value.map(decodeTypedArrays) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, decodeTypedArrays(v)]),
  ) as T;
}
