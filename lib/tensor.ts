/**
 * The Tensor: an n-dimensional array held by a backend, with reverse-mode
 * autograd. This file knows storage, shape and reading values; the chaining
 * methods (`x.add(y).relu()`, `backward()`) are declared here and installed
 * by `ops/methods.ts`, each one line calling its op, so that the core reads
 * bottom-up without cycles.
 *
 * @module
 */
import type { Backend, TensorInfo, TypedArray } from "./backend.ts";
import type { DType, GraphAttrs, GraphOp, Shape } from "./op_set.ts";
import { formatTensor } from "./format.ts";
import { sizeOf, type SliceRange } from "./shape.ts";

/** Nested JavaScript arrays of numbers, as returned by {@linkcode Tensor.array}. */
export type NestedArray = number | NestedArray[];

/** A recorded op application: what `backward()` needs to apply the chain rule. */
export interface Node {
  /** The op that produced the tensor (a primitive of `op_set.ts`, or `reshape`). */
  readonly prim: GraphOp;
  /** Its inputs, in order. */
  readonly inputs: readonly Tensor[];
  /** Its attributes. */
  readonly attrs: GraphAttrs[GraphOp];
}

/** Tensors created inside each active `scope()` (see `engine.ts`), innermost last. */
const scopes: Tensor[][] = [];

/** Starts collecting the tensors created from now on (`scope()` opens one). */
export function beginScope(): void {
  scopes.push([]);
}

/** Ends the innermost collection and returns the tensors created inside it. */
export function endScope(): Tensor[] {
  return scopes.pop()!;
}

/** Hands `t` to the innermost open scope, if any (a new tensor, or one a scope kept). */
export function trackTensor(t: Tensor): void {
  scopes.at(-1)?.push(t);
}

/**
 * What a kernel sees of a tensor.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import { infoOf } from "./tensor.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(infoOf(tensor([1, 2])).shape, [2]);
 * ```
 */
export function infoOf(t: Tensor): TensorInfo {
  return { storage: t.storage, shape: t.shape, dtype: t.dtype, size: t.size };
}

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

  /** What `console.log` and the REPL show: {@linkcode Tensor.toString}. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  // ---- autograd --------------------------------------------------------------

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

  // ---- chaining methods, installed by ops/methods.ts ----------------------------
  /**
   * Back-propagates from this tensor: accumulates d(this)/d(leaf) into the
   * `.grad` of every leaf that requires a gradient, then releases the graph.
   * A non-scalar needs an upstream gradient of its own shape.
   */
  declare backward: (gradient?: Tensor) => void;
  /** A copy on another backend (the backend must be initialized). */
  declare to: (backendName: string) => Tensor;
  /** Copies the values into a new tensor with the same shape, cut from the graph. */
  declare clone: () => Tensor;
  /** `this + other` with broadcasting. */
  declare add: (other: Tensor | number) => Tensor;
  /** `this - other` with broadcasting. */
  declare sub: (other: Tensor | number) => Tensor;
  /** `this * other` with broadcasting. */
  declare mul: (other: Tensor | number) => Tensor;
  /** `this / other` with broadcasting. */
  declare div: (other: Tensor | number) => Tensor;
  /** `this ** other` with broadcasting. */
  declare pow: (other: Tensor | number) => Tensor;
  /** Elementwise maximum. */
  declare maximum: (other: Tensor | number) => Tensor;
  /** Elementwise minimum. */
  declare minimum: (other: Tensor | number) => Tensor;
  /** `-this`. */
  declare neg: () => Tensor;
  /** `e^this`. */
  declare exp: () => Tensor;
  /** Natural logarithm. */
  declare log: () => Tensor;
  /** Square root. */
  declare sqrt: () => Tensor;
  /** Absolute value. */
  declare abs: () => Tensor;
  /** Clamps into `[lo, hi]`. */
  declare clamp: (lo: number, hi: number) => Tensor;
  /** 1 where `this == other`, else 0. */
  declare eq: (other: Tensor | number) => Tensor;
  /** 1 where `this > other`, else 0. */
  declare gt: (other: Tensor | number) => Tensor;
  /** 1 where `this < other`, else 0. */
  declare lt: (other: Tensor | number) => Tensor;
  /** Converts to another dtype. */
  declare cast: (dtype: DType) => Tensor;
  /** max(0, x). */
  declare relu: () => Tensor;
  /** Logistic sigmoid 1/(1+e^-x). */
  declare sigmoid: () => Tensor;
  /** Hyperbolic tangent. */
  declare tanh: () => Tensor;
  /** Softmax along `axis` (default last). */
  declare softmax: (axis?: number) => Tensor;
  /** Log-softmax along `axis` (default last). */
  declare logSoftmax: (axis?: number) => Tensor;
  /** Sum over `axis` (all axes by default). */
  declare sum: (axis?: number | number[], keepdims?: boolean) => Tensor;
  /** Mean over `axis` (all axes by default). */
  declare mean: (axis?: number | number[], keepdims?: boolean) => Tensor;
  /** Maximum over `axis` (all axes by default). */
  declare max: (axis?: number | number[], keepdims?: boolean) => Tensor;
  /** Minimum over `axis` (all axes by default). */
  declare min: (axis?: number | number[], keepdims?: boolean) => Tensor;
  /** Index of the maximum along `axis` (default last; int32). */
  declare argmax: (axis?: number, keepdims?: boolean) => Tensor;
  /** Matrix product (2-D or batched). */
  declare matmul: (other: Tensor) => Tensor;
  /** Same values, new shape (one axis may be -1). */
  declare reshape: (shape: readonly number[]) => Tensor;
  /** Flattens axes `start..end` (default: all) into one. */
  declare flatten: (start?: number, end?: number) => Tensor;
  /** Swaps two axes (default: the last two). */
  declare transpose: (axis0?: number, axis1?: number) => Tensor;
  /** Reorders axes. */
  declare permute: (perm: readonly number[]) => Tensor;
  /** Slices: one entry per leading axis (see `slice`). */
  declare slice: (...ranges: SliceRange[]) => Tensor;
  /** Rows `indices` of axis 0 (mini-batches). */
  declare take: (indices: Tensor | ArrayLike<number>) => Tensor;
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
