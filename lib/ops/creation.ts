/**
 * Creating tensors: from data, constants, ranges and seeded random numbers.
 * Random values come from `random.ts` on the host, so a seed gives the same
 * numbers on every machine and backend.
 *
 * @module
 */
import { describeAllocation, describeValue, isAllocationFailure } from "../format.ts";
import { type Backend, getBackend, type TypedArray } from "../backend.ts";
import type { DType, Shape } from "../op_set.ts";
import { type NestedArray, Tensor } from "../tensor.ts";
import { defaultRng, type Rng } from "../random.ts";
import { flattenNested, showShape, sizeOf } from "../shape.ts";

/** Options shared by the creation functions. */
export interface TensorOptions {
  /** Element type (default float32; int32 for int arrays given as Int32Array). */
  dtype?: DType;
  /** Track gradients for this (leaf) tensor. */
  requiresGrad?: boolean;
  /** Backend name (default: the current backend). */
  backend?: string;
}

/** Options for random creation functions. */
export interface RandomOptions extends TensorOptions {
  /** Generator to draw from (default: the global one, see `manualSeed`). */
  rng?: Rng;
}

/** A typed array of `n` elements of `dtype`; says how many bytes when memory runs out. */
function arrayFor(dtype: DType, n: number, shape: Shape = [n]): TypedArray {
  const Make = dtype === "float64" ? Float64Array : dtype === "int32" ? Int32Array : Float32Array;
  try {
    return new Make(n);
  } catch (err) {
    if (!isAllocationFailure(err)) throw err;
    throw new RangeError(
      `cannot allocate ${describeAllocation(dtype, shape)}`,
      { cause: err },
    );
  }
}

/**
 * Uploads host values to a backend as a new leaf tensor of the given shape.
 *
 * @example
 * ```ts
 * import { fromValues } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const t = fromValues(new Float32Array([1, 2, 3, 4]), [2, 2]);
 * assert.deepEqual(t.arraySync(), [[1, 2], [3, 4]]);
 * ```
 */
export function fromValues(
  values: ArrayLike<number>,
  shape: Shape,
  options: TensorOptions = {},
): Tensor {
  const dtype = options.dtype ?? "float32";
  if (!["float32", "float64", "int32"].includes(dtype)) {
    throw new Error(`Unknown dtype "${dtype}": use "float32", "float64" or "int32"`);
  }
  const backend: Backend = getBackend(options.backend);
  if (dtype === "float64" && !backend.supportsFloat64) {
    throw new Error(
      `float64 is not supported on the "${backend.name}" backend (float32 and int32 are); ` +
        `use the "cpu" backend for float64, e.g. for gradient checks`,
    );
  }
  checkShape(shape);
  checkValues(values, dtype);
  if (values.length !== sizeOf(shape)) {
    throw new Error(
      `${values.length} values cannot fill shape ${showShape(shape)} (${sizeOf(shape)} elements)`,
    );
  }
  const data = arrayFor(dtype, values.length);
  data.set(values);
  const t = new Tensor(backend, backend.upload(data, dtype), shape, dtype);
  if (options.requiresGrad) t.requireGrad();
  return t;
}

/**
 * Throws on a value that would silently become something else: a
 * non-number (NaN in a typed array), or, for int32, a number outside its range
 * (which would wrap) or NaN/±Infinity (which would become 0).
 */
function checkValues(values: ArrayLike<number>, dtype: DType): void {
  if (values instanceof Int32Array || (dtype !== "int32" && ArrayBuffer.isView(values))) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number") {
      throw new TypeError(`element ${i} is ${describeValue(v)}, not a number`);
    }
    if (dtype === "int32" && !(v >= -0x80000000 && v <= 0x7fffffff)) {
      throw new RangeError(
        `element ${i} is ${v}, which int32 cannot hold (integers from -2147483648 to ` +
          `2147483647); use float32 or float64 for it`,
      );
    }
  }
}

/** Throws unless `shape` is an array of non-negative integer sizes. */
function checkShape(shape: Shape): void {
  if (!Array.isArray(shape)) {
    throw new TypeError(
      `Invalid shape ${describeValue(shape)}: a shape is an array of sizes, e.g. [3] or [2, 3]` +
        `${typeof shape === "number" ? ` (write [${shape}] for ${shape} elements)` : ""}`,
    );
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`Invalid shape ${showShape(shape)}: sizes must be non-negative integers`);
    }
  }
}

/**
 * A tensor from nested arrays, a typed array (with `shape`), or a number.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const t = tensor([[1, 2], [3, 4]]);
 * assert.deepEqual(t.shape, [2, 2]);
 * const u = tensor(new Float32Array(6), { shape: [2, 3] });
 * assert.deepEqual(u.shape, [2, 3]);
 * ```
 */
export function tensor(
  data: NestedArray | ArrayLike<number>,
  options: TensorOptions & { shape?: Shape } = {},
): Tensor {
  let dtype = options.dtype;
  if (!dtype && data instanceof Int32Array) dtype = "int32";
  if (!dtype && data instanceof Float64Array) dtype = "float64";
  if (typeof data === "number") {
    return fromValues([data], options.shape ?? [], { ...options, dtype });
  }
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new TypeError(
      `tensor(): expected a number, a nested array of numbers or a typed array, got ` +
        describeValue(data),
    );
  }
  if (ArrayBuffer.isView(data)) {
    const flat = data as ArrayLike<number>;
    return fromValues(flat, options.shape ?? [flat.length], { ...options, dtype });
  }
  const { shape, values } = flattenNested(data, "tensor()", (x, path) => {
    if (Array.isArray(x)) throw new Error(`tensor(): ragged nested array at index [${path}]`);
    if (typeof x !== "number") {
      throw new TypeError(
        `tensor(): the element at index [${path}] is ${describeValue(x)}, not a number`,
      );
    }
    return x;
  });
  return fromValues(values, options.shape ?? shape, { ...options, dtype });
}

/**
 * A tensor filled with `value`.
 *
 * @example
 * ```ts
 * import { full } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(full([2], 7).arraySync(), [7, 7]);
 * ```
 */
export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape(shape);
  if (typeof value !== "number") {
    throw new TypeError(`full: the fill value is ${describeValue(value)}, not a number`);
  }
  const values = arrayFor(options.dtype ?? "float32", sizeOf(shape), shape);
  values.fill(value);
  return fromValues(values, shape, options);
}

/**
 * A tensor of zeros.
 *
 * @example
 * ```ts
 * import { zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(zeros([2, 2]).arraySync(), [[0, 0], [0, 0]]);
 * ```
 */
export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/**
 * A tensor of ones.
 *
 * @example
 * ```ts
 * import { ones } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(ones([3]).arraySync(), [1, 1, 1]);
 * ```
 */
export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/**
 * Zeros with the shape, dtype and backend of `t`.
 *
 * @example
 * ```ts
 * import { tensor, zerosLike } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(zerosLike(tensor([1, 2])).arraySync(), [0, 0]);
 * ```
 */
export function zerosLike(t: Tensor): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, backend: t.backend.name });
}

/**
 * Ones with the shape, dtype and backend of `t`.
 *
 * @example
 * ```ts
 * import { tensor, onesLike } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(onesLike(tensor([1, 2])).arraySync(), [1, 1]);
 * ```
 */
export function onesLike(t: Tensor): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, backend: t.backend.name });
}

/**
 * `[start, start+step, ...)` below `stop` (NumPy's `arange`; one argument = stop).
 *
 * @example
 * ```ts
 * import { arange } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(arange(4).arraySync(), [0, 1, 2, 3]);
 * assert.deepEqual(arange(1, 2, 0.5).arraySync(), [1, 1.5]);
 * ```
 */
export function arange(
  start: number,
  stop?: number,
  step = 1,
  options: TensorOptions = {},
): Tensor {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error("arange: step must not be 0");
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  return fromValues(values, [n], options);
}

/**
 * `num` evenly spaced values from `start` to `stop` inclusive.
 *
 * @example
 * ```ts
 * import { linspace } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(linspace(0, 1, 3).arraySync(), [0, 0.5, 1]);
 * ```
 */
export function linspace(
  start: number,
  stop: number,
  num: number,
  options: TensorOptions = {},
): Tensor {
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  const values = Array.from(
    { length: num },
    (_, i) => i === num - 1 && num > 1 ? stop : start + i * step,
  );
  return fromValues(values, [num], options);
}

/**
 * The `n`×`n` identity matrix.
 *
 * @example
 * ```ts
 * import { eye } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(eye(2).arraySync(), [[1, 0], [0, 1]]);
 * ```
 */
export function eye(n: number, options: TensorOptions = {}): Tensor {
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return fromValues(values, [n, n], options);
}

function randomTensor(shape: Shape, options: RandomOptions, draw: (rng: Rng) => number): Tensor {
  checkShape(shape);
  const rng = options.rng ?? defaultRng();
  const values = new Float64Array(sizeOf(shape));
  for (let i = 0; i < values.length; i++) values[i] = draw(rng);
  return fromValues(values, shape, options);
}

/**
 * Uniform samples in [`low`, `high`).
 *
 * @example
 * ```ts
 * import { uniform, Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const a = uniform([3], -1, 1, { rng: new Rng(1) });
 * const b = uniform([3], -1, 1, { rng: new Rng(1) });
 * assert.deepEqual(a.arraySync(), b.arraySync());
 * ```
 */
export function uniform(shape: Shape, low = 0, high = 1, options: RandomOptions = {}): Tensor {
  return randomTensor(shape, options, (r) => low + (high - low) * r.uniform());
}

/**
 * Normal samples with mean `mean` and standard deviation `std`.
 *
 * @example
 * ```ts
 * import { normal, Rng } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(normal([2, 2], 0, 0.1, { rng: new Rng(3) }).shape, [2, 2]);
 * ```
 */
export function normal(shape: Shape, mean = 0, std = 1, options: RandomOptions = {}): Tensor {
  return randomTensor(shape, options, (r) => mean + std * r.normal());
}

/**
 * Uniform samples in [0, 1).
 *
 * @example
 * ```ts
 * import { rand } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.ok(rand([5]).dataSync().every((v) => v >= 0 && v < 1));
 * ```
 */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  return uniform(shape, 0, 1, options);
}

/**
 * Standard normal samples.
 *
 * @example
 * ```ts
 * import { randn, manualSeed } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * manualSeed(0);
 * const a = randn([4]).arraySync();
 * manualSeed(0);
 * assert.deepEqual(randn([4]).arraySync(), a);
 * ```
 */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  return normal(shape, 0, 1, options);
}

/**
 * A copy of `t` on another (initialized) backend, cut from the graph.
 *
 * @example
 * ```ts
 * import { tensor, toBackend } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(toBackend(tensor([1]), "cpu").backend.name, "cpu");
 * ```
 */
export function toBackend(t: Tensor, backendName: string): Tensor {
  const target = getBackend(backendName);
  if (target === t.backend) return t;
  const source = t.backend.readSync;
  if (!source) {
    throw new Error(
      `to("${backendName}"): reading a ${t.backend.name} tensor is asynchronous; ` +
        `use \`await toBackendAsync(t, "${backendName}")\``,
    );
  }
  return fromValues(t.dataSync(), t.shape, { dtype: t.dtype, backend: backendName });
}

/**
 * A copy of `t` on another backend, reading asynchronously (works from any backend).
 *
 * @example
 * ```ts
 * import { tensor, toBackendAsync } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const t = await toBackendAsync(tensor([1, 2]), "cpu");
 * assert.deepEqual(t.arraySync(), [1, 2]);
 * ```
 */
export async function toBackendAsync(t: Tensor, backendName: string): Promise<Tensor> {
  const target = getBackend(backendName);
  if (target === t.backend) return t;
  return fromValues(await t.data(), t.shape, { dtype: t.dtype, backend: backendName });
}
