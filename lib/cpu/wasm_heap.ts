/**
 * The fast CPU backend's memory: one shared `WebAssembly.Memory` holding the
 * kernels' operands, with a small allocator. float32 tensors of the fast
 * backend live here (their storage is a `Float32Array` view of this memory),
 * so kernels run on them in place: no copy in or out per op.
 *
 * Blocks are 64-byte aligned and recycled by exact size (a training step
 * asks for the same sizes every time, so steady state allocates nothing
 * new). They return through `dispose()` / `scope()`, or through a
 * FinalizationRegistry when a tensor is dropped without either. The memory
 * only grows; past {@linkcode TENSOR_LIMIT} new tensors fall back to ordinary
 * typed arrays (the kernels then copy them in), so a program that leaks
 * tensors to the garbage collector cannot grow it without bound. The last
 * quarter, up to {@linkcode HEAP_LIMIT}, is kept for those per-op copies, so
 * a loop that drops its tensors without `scope()` keeps running (on copies)
 * until the garbage collector returns their blocks.
 *
 * The memory is shared (a SharedArrayBuffer) so worker threads can run
 * kernels on it, and so that growing it keeps every existing view valid.
 *
 * @module
 */
import { KERNELS_WASM_BASE64 } from "./wasm/kernels_wasm.ts";

/** The kernels `kernels.c` exports (pointers are byte offsets into the memory). */
export interface KernelExports {
  mm_run(desc: number, first: number, last: number, step: number, scratch: number): void;
  mm_jobs(desc: number): number;
  mm_scratch_floats(): number;
  im2col(x: number, geom: number, out: number, first: number, last: number, scratch: number): void;
  col2im(
    cols: number,
    geom: number,
    out: number,
    first: number,
    last: number,
    scratch: number,
  ): void;
  task(kind: number, desc: number, job: number, scratch: number): void;
  binary_nd(
    op: number,
    nd: number,
    shape: number,
    sa: number,
    sb: number,
    a: number,
    b: number,
    out: number,
    idx: number,
  ): void;
  unary(op: number, x: number, out: number, n: number): void;
  reduce_nd(
    op: number,
    nd: number,
    shape: number,
    so: number,
    x: number,
    out: number,
    idx: number,
  ): void;
  optim_sgd(
    p: number,
    g: number,
    v: number,
    po: number,
    vo: number,
    n: number,
    lr: number,
    mu: number,
    wd: number,
    flags: number,
  ): void;
  optim_adam(
    p: number,
    g: number,
    m: number,
    v: number,
    po: number,
    mo: number,
    vo: number,
    n: number,
    consts: number,
    flags: number,
  ): void;
  __heap_base: WebAssembly.Global;
}

const PAGE = 65536;
/** The most the memory may grow to for tensors: beyond it, storage falls back to JS arrays. */
export const HEAP_LIMIT = 2 ** 30;
/** The most tensors' own storage may take; the rest is for temporary copies. */
export const TENSOR_LIMIT = HEAP_LIMIT / 4 * 3;
const ALIGN = 64;

let bytes: Uint8Array | undefined;

/** The WebAssembly module's bytes (decoded once). */
export function kernelBytes(): Uint8Array {
  bytes ??= Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
  return bytes;
}

/** Instantiates the kernels on `memory` (synchronously: the module is small). */
export function instantiate(memory: WebAssembly.Memory): KernelExports {
  const module = new WebAssembly.Module(kernelBytes() as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

/**
 * The shared memory, its kernels and the allocator.
 *
 * @example Allocate, view and free a block
 * ```ts
 * import { WasmHeap } from "./wasm_heap.ts";
 * import assert from "node:assert/strict";
 * const heap = new WasmHeap();
 * const x = heap.float32(4)!;
 * x.set([1, 2, 3, 4]);
 * assert.equal(heap.ptrOf(x) % 64, 0);
 * heap.release(x);
 * ```
 */
export class WasmHeap {
  /** The shared memory. */
  readonly memory: WebAssembly.Memory;
  /** The kernels, instantiated on this thread. */
  readonly kernels: KernelExports;
  #top: number;
  readonly #free = new Map<number, number[]>();
  /** Every SharedArrayBuffer object this memory has handed out (one per growth). */
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  #buffer!: ArrayBufferLike;
  #i32!: Int32Array;
  /** Blocks of views dropped without release(), returned when the view is collected. */
  readonly #finalizer = new FinalizationRegistry<number>((block) => this.#freeBlock(block));
  /** Block (pointer, size) of each live view, for release(). */
  readonly #blocks = new WeakMap<object, number>();

  constructor() {
    this.memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared: true });
    this.kernels = instantiate(this.memory);
    this.#top = roundUp(this.kernels.__heap_base.value as number, ALIGN);
    this.#refresh();
  }

  #refresh(): void {
    this.#buffer = this.memory.buffer;
    this.#buffers.add(this.#buffer);
    this.#i32 = new Int32Array(this.#buffer);
  }

  /** Int32 view of the whole memory (for descriptors and the thread pool's flags). */
  get i32(): Int32Array {
    if (this.memory.buffer.byteLength !== this.#buffer.byteLength) this.#refresh();
    return this.#i32;
  }

  /**
   * A raw block of at least `size` bytes (64-byte aligned), or 0 when the
   * heap would pass `limit` bytes.
   */
  alloc(size: number, limit: number = HEAP_LIMIT): number {
    const rounded = roundUp(Math.max(size, 1), ALIGN);
    const reused = this.#reuse(rounded, limit);
    if (reused) return reused;
    const ptr = this.#top;
    const end = ptr + rounded;
    if (end > limit) return 0;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.max(Math.ceil((end - have) / PAGE), have / PAGE / 4 | 0));
      } catch {
        return 0;
      }
      this.#refresh();
    }
    this.#top = end;
    return ptr;
  }

  // A freed block of this size that ends below `limit` (a tensor must not
  // take a block from the part kept for temporary copies), or 0.
  #reuse(rounded: number, limit: number): number {
    const list = this.#free.get(rounded);
    if (!list) return 0;
    for (let i = list.length - 1; i >= 0; i--) {
      const ptr = list[i];
      if (ptr + rounded > limit) continue;
      list[i] = list[list.length - 1];
      list.pop();
      return ptr;
    }
    return 0;
  }

  /** Returns a block from {@linkcode WasmHeap.alloc}. */
  free(ptr: number, size: number): void {
    const rounded = roundUp(Math.max(size, 1), ALIGN);
    let list = this.#free.get(rounded);
    if (!list) this.#free.set(rounded, list = []);
    list.push(ptr);
  }

  // A view's block: pointer and rounded size (multiples of 64 below 2^30)
  // packed in one number, 24 bits each.
  #freeBlock(block: number): void {
    this.free((block % 2 ** 24) * ALIGN, Math.floor(block / 2 ** 24) * ALIGN);
  }

  /**
   * A new float32 array of `n` elements in this memory (not zeroed), or
   * undefined when the heap would pass `limit` bytes (tensors: {@linkcode
   * TENSOR_LIMIT}; a kernel's temporary copies may use up to {@linkcode
   * HEAP_LIMIT}). Freed by {@linkcode WasmHeap.release}, or when the view is
   * garbage-collected.
   */
  float32(n: number, limit: number = TENSOR_LIMIT): Float32Array | undefined {
    const size = n * 4;
    const ptr = this.alloc(size, limit);
    if (ptr === 0) return undefined;
    if (this.memory.buffer.byteLength !== this.#buffer.byteLength) this.#refresh();
    const view = new Float32Array(this.#buffer, ptr, n);
    const block = ptr / ALIGN + (roundUp(Math.max(size, 1), ALIGN) / ALIGN) * 2 ** 24;
    this.#blocks.set(view, block);
    this.#finalizer.register(view, block, view);
    return view;
  }

  /** Frees the block of a view from {@linkcode WasmHeap.float32} now (a no-op for other arrays). */
  release(view: object): void {
    const block = this.#blocks.get(view);
    if (block === undefined) return;
    this.#blocks.delete(view);
    this.#finalizer.unregister(view);
    this.#freeBlock(block);
  }

  /** The byte offset of `x` in this memory, or -1 when it lives elsewhere. */
  ptrOf(x: ArrayBufferView): number {
    return this.#buffers.has(x.buffer) ? x.byteOffset : -1;
  }

  /** A float32 view of `n` elements at `ptr`. */
  view(ptr: number, n: number): Float32Array {
    if (this.memory.buffer.byteLength !== this.#buffer.byteLength) this.#refresh();
    return new Float32Array(this.#buffer, ptr, n);
  }

  /** Bytes handed out so far (the high-water mark of the heap). */
  get used(): number {
    return this.#top;
  }
}

function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}
