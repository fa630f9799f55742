/**
 * NumPy-style printing of tensor values.
 *
 * @module
 */
import type { TypedArray } from "./backend.ts";
import type { DType, Shape } from "./op_set.ts";

const SUMMARIZE_ABOVE = 1000;
const EDGE_ITEMS = 3;

/**
 * Formats values like NumPy's `repr`: `tensor([[1., 2.], [3., 4.]])`, with
 * large tensors summarized by `...` and an optional suffix (dtype, grad).
 *
 * @example
 * ```ts
 * import { formatTensor } from "./format.ts";
 * import assert from "node:assert/strict";
 * const text = formatTensor(new Float32Array([1, 2.5, 3, 4]), [2, 2], "float32", "");
 * assert.equal(text, "tensor([[1. , 2.5],\n        [3. , 4. ]])");
 * ```
 */
export function formatTensor(
  values: TypedArray,
  shape: Shape,
  dtype: DType,
  suffix: string,
): string {
  const summarize = values.length > SUMMARIZE_ABOVE;
  const fmt = numberFormatter(values, dtype);
  const cells: string[] = [];
  const collect = (offset: number, axis: number): void => {
    if (axis === shape.length) {
      cells.push(fmt(values[offset]));
      return;
    }
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    for (const i of shownIndices(shape[axis], summarize)) {
      if (i >= 0) collect(offset + i * stride, axis + 1);
    }
  };
  collect(0, 0);
  const aligned = alignDecimalPoints(cells);
  let cell = 0;
  const indent = "tensor(".length;
  const render = (axis: number): string => {
    if (axis === shape.length) return aligned[cell++];
    const parts = shownIndices(shape[axis], summarize).map((i) => i < 0 ? "..." : render(axis + 1));
    const depth = shape.length - axis - 1;
    const sep = depth === 0 ? ", " : "," + "\n".repeat(depth) + " ".repeat(indent + axis + 1);
    return `[${parts.join(sep)}]`;
  };
  const body = shape.length === 0 ? cells[0] : render(0);
  return `tensor(${body}${suffix ? `, ${suffix}` : ""})`;
}

function shownIndices(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}

function numberFormatter(values: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === "int32") return (v) => String(v);
  let allInt = true, maxAbs = 0, minAbs = Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v !== Math.round(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
  }
  const special = (v: number) => Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  if (allInt && maxAbs < 1e16) {
    return (v) => Number.isFinite(v) ? `${v}.` : special(v);
  }
  // Scientific notation when magnitudes span too much for fixed point (NumPy's rule).
  if (maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity)) {
    return (v) =>
      Number.isFinite(v) ? v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2") : special(v);
  }
  const digits = dtype === "float64" ? 8 : 4;
  return (v) => {
    if (!Number.isFinite(v)) return special(v);
    return v.toFixed(digits).replace(/0+$/, "");
  };
}

/**
 * Pads cells so decimal points line up, as NumPy does (`[1. , 2.5]`);
 * nan/inf are right-aligned to the same width.
 */
function alignDecimalPoints(cells: string[]): string[] {
  const special = (c: string) => /^-?(nan|inf)$/.test(c);
  const split = cells.map((c) => {
    const dot = c.indexOf(".");
    return dot < 0 || c.includes("e") ? [c, ""] : [c.slice(0, dot), c.slice(dot)];
  });
  const numeric = split.filter((_, i) => !special(cells[i]));
  const intWidth = Math.max(0, ...numeric.map(([i]) => i.length));
  const fracWidth = Math.max(0, ...numeric.map(([, f]) => f.length));
  const total = Math.max(intWidth + fracWidth, ...cells.filter(special).map((c) => c.length));
  return split.map(([i, f], k) =>
    special(cells[k])
      ? cells[k].padStart(total)
      : i.padStart(total - fracWidth) + f.padEnd(fracWidth)
  );
}

/**
 * A short description of a value for an error message: what was given when
 * something else was expected ("the string \"abc\"", "a Promise (did you
 * forget await?)", "a tensor of shape [2, 3]").
 *
 * @example
 * ```ts
 * import { describeValue } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(describeValue("abc"), 'the string "abc"');
 * assert.equal(describeValue(Promise.resolve(1)), "a Promise (did you forget await?)");
 * ```
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case "number":
      return `the number ${v}`;
    case "boolean":
      return `the boolean ${v}`;
    case "bigint":
      return `the bigint ${v}n (use a number, e.g. Number(x))`;
    case "function":
      return "a function (did you forget to call it?)";
    case "undefined":
      return "undefined";
    case "symbol":
      return "a symbol";
  }
  if (v === null) return "null";
  if (v instanceof Promise) return "a Promise (did you forget await?)";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const shape = (v as { shape?: unknown }).shape;
  if (
    Array.isArray(shape) &&
    (v as { constructor?: { name?: string } }).constructor?.name === "Tensor"
  ) {
    return `a tensor of shape [${shape}]`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return `an object (${(v as object).constructor?.name ?? "no prototype"})`;
}

/**
 * The size of a tensor that could not be allocated, for the error: dtype,
 * shape, elements and bytes.
 *
 * @example
 * ```ts
 * import { describeAllocation } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   describeAllocation("float32", [1000, 1000]),
 *   "a float32 tensor of shape [1000, 1000]: 1,000,000 elements need 4,000,000 bytes (0.0 GiB)",
 * );
 * ```
 */
export function describeAllocation(dtype: DType, shape: Shape): string {
  const n = shape.reduce((a, b) => a * b, 1);
  const bytes = n * (dtype === "float64" ? 8 : 4);
  return `a ${dtype} tensor of shape [${shape.join(", ")}]: ${n.toLocaleString("en-US")} ` +
    `elements need ${bytes.toLocaleString("en-US")} bytes (${(bytes / 2 ** 30).toFixed(1)} GiB)`;
}

/**
 * Whether `err` is the JavaScript engine failing to allocate a typed array.
 *
 * @example
 * ```ts
 * import { isAllocationFailure } from "./format.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isAllocationFailure(new RangeError("Array buffer allocation failed")), true);
 * ```
 */
export function isAllocationFailure(err: unknown): boolean {
  return err instanceof RangeError &&
    /allocation failed|Invalid typed array length|Array buffer|out of WebAssembly memory/i.test(
      err.message,
    );
}
