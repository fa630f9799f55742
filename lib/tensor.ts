/**
 * The Tensor: an n-dimensional array held by a backend, with reverse-mode
 * autograd. Methods are thin wrappers over the functional ops in `ops/`.
 *
 * @module
 */
import type { Backend, TypedArray } from "./backend.ts";
import type { DType, Shape } from "./op_set.ts";
import { infoOf, type Node, noGrad, sizeOf, trackTensor } from "./engine.ts";
import { formatTensor } from "./format.ts";
import { backward } from "./autograd/backward.ts";
import * as ops from "./ops/mod.ts";
import type { SliceRange } from "./ops/movement.ts";

/** Nested JavaScript arrays of numbers, as returned by {@linkcode Tensor.array}. */
export type NestedArray = number | NestedArray[];

interface Buffer {
  storage: unknown;
  refs: number;
}

/**
 * An n-dimensional array with reverse-mode autograd.
 *
 * Create tensors with `tensor`, `zeros`, `randn`, ... from `mod.ts`. Values
 * live in the backend's storage; read them with `await t.data()`,
 * `await t.item()` or `await t.array()` (`dataSync()` works on CPU only).
 *
 * @example Gradients of a tiny expression
 * ```ts
 * import { tensor } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([1, 2, 3], { requiresGrad: true });
 * const y = x.mul(x).sum(); // y = Σ x²
 * y.backward();
 * assert.deepEqual(await x.grad!.array(), [2, 4, 6]);
 * ```
 */
export class Tensor {
  /** The backend holding the storage. */
  readonly backend: Backend;
  /** Shape, row-major. */
  readonly shape: Shape;
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Whether gradients flow to (and accumulate in) this tensor. */
  requiresGrad = false;
  /** Accumulated gradient after `backward()` (leaf tensors only). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, while its graph is alive. */
  node: Node | null = null;
  /** True once a `backward()` through this tensor released its graph. */
  graphReleased = false;
  #buf: Buffer;
  #disposed = false;

  /** Wraps backend storage; use the creation functions instead of calling this. */
  constructor(backend: Backend, storage: unknown, shape: Shape, dtype: DType, shareWith?: Tensor) {
    this.backend = backend;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    if (shareWith) {
      this.#buf = shareWith.#buf;
      this.#buf.refs++;
    } else {
      this.#buf = { storage, refs: 1 };
    }
    trackTensor(this);
  }

  /** Backend storage (for backends and kernels only). */
  get storage(): unknown {
    if (this.#disposed) {
      throw new Error(
        `This tensor (shape [${this.shape}]) was disposed; it cannot be used any more ` +
          `(dispose() or the end of the scope() that created it released it: return it from ` +
          `the scope or list it in keep to use it afterwards).`,
      );
    }
    return this.#buf.storage;
  }

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True when the tensor was created by the user rather than by an op. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** A view with the same storage and a new shape (used by `reshape`). */
  view(shape: Shape): Tensor {
    return new Tensor(this.backend, null, shape, this.dtype, this);
  }

  /** Releases the storage now (GPU memory); the tensor is unusable afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#release();
  }

  #release(): void {
    if (--this.#buf.refs === 0) this.backend.dispose(this.#buf.storage);
  }

  /**
   * Replaces this tensor's values with `value`'s (same shape, dtype and
   * backend), keeping its identity: how optimizers update parameters and
   * checkpoints restore them. The previous storage is released.
   */
  assign(value: Tensor): this {
    if (
      value.dtype !== this.dtype || value.backend !== this.backend ||
      value.shape.length !== this.shape.length || value.shape.some((d, i) => d !== this.shape[i])
    ) {
      throw new Error(
        `assign: expected ${this.dtype} [${this.shape}] on ${this.backend.name}, got ` +
          `${value.dtype} [${value.shape}] on ${value.backend.name}`,
      );
    }
    if (this.#disposed) throw new Error("assign: this tensor was disposed");
    if (value.#buf === this.#buf) return this;
    value.#buf.refs++;
    this.#release();
    this.#buf = value.#buf;
    return this;
  }

  /** Whether {@linkcode Tensor.dispose} has run. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  // ---- reading values -------------------------------------------------------

  /** A copy of the values as a flat typed array. */
  data(): Promise<TypedArray> {
    return this.backend.read(infoOf(this));
  }

  /** Synchronous {@linkcode Tensor.data}; CPU tensors only. */
  dataSync(): TypedArray {
    if (!this.backend.readSync) {
      throw new Error(
        `dataSync() works on CPU tensors only; this one is on "${this.backend.name}": ` +
          `use \`await t.data()\`.`,
      );
    }
    return this.backend.readSync(infoOf(this));
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    this.#checkItem();
    return (await this.data())[0];
  }

  /** Synchronous {@linkcode Tensor.item}; CPU tensors only. */
  itemSync(): number {
    this.#checkItem();
    return this.dataSync()[0];
  }

  #checkItem(): void {
    if (this.size !== 1) {
      throw new Error(`item(): tensor has ${this.size} elements (shape [${this.shape}]), not 1`);
    }
  }

  /** The values as nested arrays (a number for a 0-d tensor). */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** Synchronous {@linkcode Tensor.array}; CPU tensors only. */
  arraySync(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  /** NumPy-style text; values are shown for CPU tensors (use `toStringAsync` elsewhere). */
  toString(): string {
    if (!this.backend.readSync || this.isDisposed) {
      return `tensor(shape=[${this.shape}], dtype=${this.dtype}, backend=${this.backend.name}` +
        `${this.isDisposed ? ", disposed" : ""})`;
    }
    return formatTensor(this.dataSync(), this.shape, this.dtype, this.#suffix());
  }

  /** NumPy-style text with values, on any backend. */
  async toStringAsync(): Promise<string> {
    return formatTensor(await this.data(), this.shape, this.dtype, this.#suffix());
  }

  #suffix(): string {
    const parts: string[] = [];
    if (this.dtype !== "float32") parts.push(`dtype=${this.dtype}`);
    if (this.backend.name !== "cpu") parts.push(`backend=${this.backend.name}`);
    if (this.requiresGrad) {
      parts.push(this.node ? `grad_fn=${this.node.prim}` : "requiresGrad=true");
    }
    return parts.join(", ");
  }

  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  // ---- autograd --------------------------------------------------------------

  /**
   * Back-propagates from this tensor: accumulates d(this)/d(leaf) into the
   * `.grad` of every leaf that requires a gradient, then releases the graph.
   * A non-scalar needs an upstream gradient of its own shape.
   */
  backward(gradient?: Tensor): void {
    backward(this, gradient);
  }

  /**
   * Frees the gradient and sets `.grad` to null (gradients accumulate across
   * `backward()` calls until then). Copy values you want to keep first.
   */
  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = null;
  }

  /** A tensor sharing the values but cut from the graph (no gradient flows back). */
  detach(): Tensor {
    return this.view(this.shape);
  }

  /** Sets `requiresGrad` and returns this tensor (for chaining). */
  requireGrad(flag = true): this {
    if (flag && this.dtype === "int32") {
      throw new Error("requireGrad: int32 tensors cannot require gradients; cast to float32 first");
    }
    this.requiresGrad = flag;
    return this;
  }

  /** A copy on another backend (the backend must be initialized). */
  to(backendName: string): Tensor {
    return ops.toBackend(this, backendName);
  }

  /** Copies the values into a new tensor with the same shape, cut from the graph. */
  clone(): Tensor {
    return noGrad(() => ops.add(this, 0));
  }

  // ---- elementwise ------------------------------------------------------------
  /** `this + other` with broadcasting. */
  add(other: Tensor | number): Tensor {
    return ops.add(this, other);
  }
  /** `this - other` with broadcasting. */
  sub(other: Tensor | number): Tensor {
    return ops.sub(this, other);
  }
  /** `this * other` with broadcasting. */
  mul(other: Tensor | number): Tensor {
    return ops.mul(this, other);
  }
  /** `this / other` with broadcasting. */
  div(other: Tensor | number): Tensor {
    return ops.div(this, other);
  }
  /** `this ** other` with broadcasting. */
  pow(other: Tensor | number): Tensor {
    return ops.pow(this, other);
  }
  /** Elementwise maximum. */
  maximum(other: Tensor | number): Tensor {
    return ops.maximum(this, other);
  }
  /** Elementwise minimum. */
  minimum(other: Tensor | number): Tensor {
    return ops.minimum(this, other);
  }
  /** `-this`. */
  neg(): Tensor {
    return ops.neg(this);
  }
  /** `e^this`. */
  exp(): Tensor {
    return ops.exp(this);
  }
  /** Natural logarithm. */
  log(): Tensor {
    return ops.log(this);
  }
  /** Square root. */
  sqrt(): Tensor {
    return ops.sqrt(this);
  }
  /** Absolute value. */
  abs(): Tensor {
    return ops.abs(this);
  }
  /** Clamps into `[lo, hi]`. */
  clamp(lo: number, hi: number): Tensor {
    return ops.clamp(this, lo, hi);
  }
  /** 1 where `this == other`, else 0. */
  eq(other: Tensor | number): Tensor {
    return ops.eq(this, other);
  }
  /** 1 where `this > other`, else 0. */
  gt(other: Tensor | number): Tensor {
    return ops.gt(this, other);
  }
  /** 1 where `this < other`, else 0. */
  lt(other: Tensor | number): Tensor {
    return ops.lt(this, other);
  }
  /** Converts to another dtype. */
  cast(dtype: DType): Tensor {
    return ops.cast(this, dtype);
  }

  // ---- activations -------------------------------------------------------------
  /** max(0, x). */
  relu(): Tensor {
    return ops.relu(this);
  }
  /** Logistic sigmoid 1/(1+e^-x). */
  sigmoid(): Tensor {
    return ops.sigmoid(this);
  }
  /** Hyperbolic tangent. */
  tanh(): Tensor {
    return ops.tanh(this);
  }
  /** Softmax along `axis` (default last). */
  softmax(axis = -1): Tensor {
    return ops.softmax(this, axis);
  }
  /** Log-softmax along `axis` (default last). */
  logSoftmax(axis = -1): Tensor {
    return ops.logSoftmax(this, axis);
  }

  // ---- reductions ----------------------------------------------------------------
  /** Sum over `axis` (all axes by default). */
  sum(axis?: number | number[], keepdims = false): Tensor {
    return ops.sum(this, axis, keepdims);
  }
  /** Mean over `axis` (all axes by default). */
  mean(axis?: number | number[], keepdims = false): Tensor {
    return ops.mean(this, axis, keepdims);
  }
  /** Maximum over `axis` (all axes by default). */
  max(axis?: number | number[], keepdims = false): Tensor {
    return ops.max(this, axis, keepdims);
  }
  /** Minimum over `axis` (all axes by default). */
  min(axis?: number | number[], keepdims = false): Tensor {
    return ops.min(this, axis, keepdims);
  }
  /** Index of the maximum along `axis` (int32). */
  argmax(axis = -1, keepdims = false): Tensor {
    return ops.argmax(this, axis, keepdims);
  }

  // ---- linear algebra and movement ---------------------------------------------------
  /** Matrix product (2-D or batched). */
  matmul(other: Tensor): Tensor {
    return ops.matmul(this, other);
  }
  /** Same values, new shape (one axis may be -1). */
  reshape(shape: readonly number[]): Tensor {
    return ops.reshape(this, shape);
  }
  /** Flattens axes `start..end` into one. */
  flatten(start = 0, end = -1): Tensor {
    return ops.flatten(this, start, end);
  }
  /** Swaps two axes (default: the last two). */
  transpose(axis0 = -2, axis1 = -1): Tensor {
    return ops.transpose(this, axis0, axis1);
  }
  /** Reorders axes. */
  permute(perm: readonly number[]): Tensor {
    return ops.permute(this, perm);
  }
  /** Slices: one entry per leading axis (see `slice`). */
  slice(...ranges: SliceRange[]): Tensor {
    return ops.slice(this, ranges);
  }
  /** Rows `indices` of axis 0 (mini-batches). */
  take(indices: Tensor | ArrayLike<number>): Tensor {
    return ops.take(this, indices);
  }
}

function nest(values: TypedArray, shape: Shape): NestedArray {
  if (shape.length === 0) return values[0];
  const build = (offset: number, axis: number): NestedArray[] => {
    const n = shape[axis];
    if (axis === shape.length - 1) return Array.from(values.subarray(offset, offset + n));
    const stride = sizeOf(shape.slice(axis + 1));
    const rows: NestedArray[] = [];
    for (let i = 0; i < n; i++) rows.push(build(offset + i * stride, axis + 1));
    return rows;
  };
  return build(0, 0);
}
