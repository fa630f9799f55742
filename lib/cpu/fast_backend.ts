/**
 * The fast CPU backend (`"cpu"`): float32 tensors live in a shared
 * WebAssembly memory (`wasm_heap.ts`) and the hot primitives run as SIMD
 * kernels (`wasm/kernels.c`): matmul (on every core, `thread_pool.ts`),
 * im2col/col2im, unary, binary and expand with broadcasting, and
 * reductions. Everything else (float64, int32, the transcendental unary
 * ops, pow, where, movement) runs the plain-JS reference kernels, which stay
 * the definition: `setBackend("cpu-reference")` uses them for everything.
 *
 * @module
 */
import type { Backend, Kernels, OutSpec, TensorInfo, TypedArray } from "../backend.ts";
import type { BinaryOp, DType, OptimStepAttrs, Shape, UnaryOp, WindowGeometry } from "../op_set.ts";
import { broadcastStrides, stridesOf } from "../shape.ts";
import { alloc } from "./elementwise.ts";
import { referenceKernels } from "./reference_kernels.ts";
import { MAX_JOBS, ThreadPool } from "./thread_pool.ts";
import { HEAP_LIMIT, WasmHeap } from "./wasm_heap.ts";

// Op codes of kernels.c.
const BINARY: Partial<Record<BinaryOp | "copy", number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  eq: 6,
  ne: 7,
  lt: 8,
  le: 9,
  gt: 10,
  ge: 11,
  copy: 12,
};
const UNARY: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  abs: 1,
  sqrt: 2,
  relu: 3,
  step: 4,
  sign: 5,
};
const REDUCE = { sum: 0, max: 1, min: 2 } as const;

/** Axes a strided kernel takes (after merging); more falls back to the reference. */
const MAX_AXES = 12;
/** Below this many multiply-adds a matmul stays on one thread (waking workers costs ~30 µs). */
const THREADED_FLOPS = 1 << 21;

/** im2col moves each value once: count it like this many multiply-adds when choosing threads. */
const WINDOW_WEIGHT = 16;

let threadLimit = Math.max(1, Math.min(navigator.hardwareConcurrency ?? 1, 16));

/**
 * Sets how many threads (the main one included) the fast CPU backend's
 * matmul may use; default `navigator.hardwareConcurrency`. Results are
 * bit-identical for every count. Returns the previous count.
 *
 * @example
 * ```ts
 * import { setCpuThreads } from "./fast_backend.ts";
 * import assert from "node:assert/strict";
 * const before = setCpuThreads(1);
 * assert.equal(setCpuThreads(before), 1);
 * ```
 */
export function setCpuThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`setCpuThreads: expected a positive integer, got ${n}`);
  }
  const before = threadLimit;
  threadLimit = n;
  return before;
}

/**
 * Merges adjacent axes that every operand walks contiguously (and drops
 * size-1 axes), so kernels loop over as few, long rows as possible.
 * `strides[k][i]` is operand k's stride along axis i of `shape`; the last
 * operand's strides may be those of a contiguous output.
 */
export function mergeAxes(shape: Shape, strides: number[][]): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[i] * shape[i])) {
      outShape[last] *= shape[i];
      strides.forEach((s, k) => outStrides[k][last] = s[i]);
    } else {
      outShape.push(shape[i]);
      strides.forEach((s, k) => outStrides[k].push(s[i]));
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return [outShape, outStrides];
}

/**
 * The fast CPU backend. float32 storage is a `Float32Array` view of the
 * shared WebAssembly memory; float64 and int32 storage are plain typed
 * arrays. Reads can be synchronous.
 *
 * @example
 * ```ts
 * import { FastCpuBackend } from "./fast_backend.ts";
 * import assert from "node:assert/strict";
 * const cpu = new FastCpuBackend();
 * const s = cpu.upload(new Float32Array([1, 2]), "float32");
 * assert.deepEqual(cpu.readSync({ storage: s, shape: [2], dtype: "float32", size: 2 }), new Float32Array([1, 2]));
 * ```
 */
export class FastCpuBackend implements Backend {
  readonly name: string;
  readonly supportsFloat64 = true;
  readonly kernels: Kernels;
  /** The shared memory and its allocator. */
  readonly heap = new WasmHeap();
  #pool: ThreadPool | undefined;
  /** Int32 slots for kernel arguments (shapes, strides, descriptors). */
  readonly #args: number;
  readonly #scratch: number;
  /** Matmul calls so far (see `call_lo` in kernels.c). */
  #calls = 1;

  /** A fast CPU backend registered as `name` (default `"cpu"`). */
  constructor(name = "cpu") {
    this.name = name;
    this.#args = this.heap.alloc(4 * 64);
    this.#scratch = this.heap.alloc(4 * this.heap.kernels.mm_scratch_floats());
    // The scratch's tail says which packed block it holds: nothing yet.
    this.heap.i32.fill(
      0,
      this.#scratch / 4,
      this.#scratch / 4 + this.heap.kernels.mm_scratch_floats(),
    );
    this.kernels = this.#makeKernels();
  }

  /** Stores a copy of `data` (float32 in the WebAssembly memory). */
  upload(data: TypedArray, dtype: DType): TypedArray {
    const copy = (dtype === "float32" ? this.heap.float32(data.length) : undefined) ??
      alloc(dtype, data.length);
    copy.set(data);
    return copy;
  }

  /** A copy of the values. */
  read(info: TensorInfo): Promise<TypedArray> {
    return Promise.resolve(this.readSync(info));
  }

  /** A copy of the values, synchronously (in an ordinary, unshared buffer). */
  readSync(info: TensorInfo): TypedArray {
    const s = info.storage as TypedArray;
    const copy = alloc(info.dtype, s.length);
    copy.set(s);
    return copy;
  }

  /** Returns float32 storage to the allocator. */
  dispose(storage: unknown): void {
    this.heap.release(storage as object);
  }

  /**
   * Waits until the worker threads are up (they start in the background on
   * the first large matmul) and returns how many threads matmul now uses.
   */
  async threadsReady(): Promise<number> {
    if (threadLimit <= 1) return 1;
    this.#poolFor(Infinity);
    while (!this.#pool!.ready) await new Promise((r) => setTimeout(r, 5));
    return threadLimit;
  }

  #poolFor(flops: number): ThreadPool | undefined {
    if (threadLimit <= 1 || flops < THREADED_FLOPS) return undefined;
    if (!this.#pool || this.#pool.size < threadLimit) {
      this.#pool?.close();
      this.#pool = new ThreadPool(
        this.heap,
        threadLimit,
        4 * this.heap.kernels.mm_scratch_floats(),
      );
    }
    return this.#pool.ready ? this.#pool : undefined;
  }

  #makeKernels(): Kernels {
    const ref = referenceKernels;
    return {
      ...this.#adopted(),
      unary: (inputs, attrs, out) => {
        const code = UNARY[attrs.op];
        if (code === undefined || !float32(inputs, out)) {
          return this.#adopt(ref.unary(inputs, attrs, out));
        }
        return this.#run(
          inputs,
          out,
          ([x], dst) => this.heap.kernels.unary(code, x, dst, out.size),
        );
      },
      binary: (inputs, attrs, out) => {
        const code = BINARY[attrs.op];
        if (code === undefined || !float32(inputs, out)) {
          return this.#adopt(ref.binary(inputs, attrs, out));
        }
        const [a, b] = inputs;
        const strides = [
          broadcastStrides(a.shape, out.shape),
          broadcastStrides(b.shape, out.shape),
        ];
        return this.#strided(code, inputs, out, out.shape, strides) ??
          this.#adopt(ref.binary(inputs, attrs, out));
      },
      expand: (inputs, attrs, out) => {
        if (!float32(inputs, out)) return this.#adopt(ref.expand(inputs, attrs, out));
        const s = broadcastStrides(inputs[0].shape, out.shape);
        return this.#strided(BINARY.copy!, [inputs[0], inputs[0]], out, out.shape, [s, s]) ??
          this.#adopt(ref.expand(inputs, attrs, out));
      },
      reduce: (inputs, attrs, out) =>
        this.#reduce(inputs, attrs, out) ?? this.#adopt(ref.reduce(inputs, attrs, out)),
      matmul: (inputs, attrs, out) => {
        if (!float32(inputs, out)) return ref.matmul(inputs, attrs, out);
        return this.#run(inputs, out, ([a, b], c) => this.#matmul(inputs, attrs, out, a, b, c));
      },
      im2col: (inputs, attrs, out) => {
        if (!float32(inputs, out)) return ref.im2col(inputs, attrs, out);
        return this.#run(inputs, out, ([x], dst) => this.#window(1, x, dst, attrs.geom));
      },
      col2im: (inputs, attrs, out) => {
        if (!float32(inputs, out)) return ref.col2im(inputs, attrs, out);
        return this.#run(inputs, out, ([x], dst) => this.#window(2, x, dst, attrs.geom));
      },
      optimStep: (inputs, attrs, out) => {
        if (!float32(inputs, out)) return ref.optimStep(inputs, attrs, out);
        return this.#runOutputs(inputs, out, inputs.length - 1, (ptrs, dsts) => {
          this.#optimStep(attrs, ptrs, dsts, out.size);
        });
      },
    };
  }

  /** The reference kernels, their float32 outputs moved into the WebAssembly memory. */
  #adopted(): Kernels {
    const out: Record<string, unknown> = {};
    for (const [name, kernel] of Object.entries(referenceKernels)) {
      out[name] = (inputs: readonly TensorInfo[], attrs: never, spec: OutSpec) =>
        this.#adopt(
          (kernel as (i: typeof inputs, a: never, o: OutSpec) => TypedArray)(inputs, attrs, spec),
        );
    }
    return out as unknown as Kernels;
  }

  #adopt(x: unknown): TypedArray {
    const arr = x as TypedArray;
    if (!(arr instanceof Float32Array) || this.heap.ptrOf(arr) >= 0) return arr;
    const copy = this.heap.float32(arr.length);
    if (!copy) return arr;
    copy.set(arr);
    return copy;
  }

  /**
   * Runs `body(inputPointers, outputPointer)` on a new float32 output, copying
   * inputs that live outside the memory into temporary blocks first. Falls
   * back to plain storage only if the memory is full.
   */
  #run(
    inputs: readonly TensorInfo[],
    out: OutSpec,
    body: (ptrs: number[], dst: number) => void,
  ): TypedArray {
    const temps: Float32Array[] = [];
    try {
      const ptrs = inputs.map((x) => this.#ptr(x.storage as Float32Array, temps));
      const dst = this.heap.float32(out.size);
      if (!dst) {
        const tmp = this.#temp(out.size, temps);
        body(ptrs, this.heap.ptrOf(tmp));
        return tmp.slice();
      }
      body(ptrs, this.heap.ptrOf(dst));
      return dst;
    } finally {
      for (const t of temps) this.heap.release(t);
    }
  }

  /**
   * {@linkcode FastCpuBackend.#run} for a kernel with `count` outputs of
   * `out`'s size: `body(inputPointers, outputPointers)`.
   */
  #runOutputs(
    inputs: readonly TensorInfo[],
    out: OutSpec,
    count: number,
    body: (ptrs: number[], dsts: number[]) => void,
  ): TypedArray[] {
    const temps: Float32Array[] = [];
    try {
      const ptrs = inputs.map((x) => this.#ptr(x.storage as Float32Array, temps));
      const dsts = Array.from(
        { length: count },
        () => this.heap.float32(out.size) ?? this.#temp(out.size, temps),
      );
      body(ptrs, dsts.map((d) => this.heap.ptrOf(d)));
      return dsts.map((d) => temps.includes(d) ? d.slice() : d);
    } finally {
      for (const t of temps) this.heap.release(t);
    }
  }

  /** One SGD or Adam update (kernels.c optim_sgd / optim_adam). */
  #optimStep(attrs: OptimStepAttrs, [p, g, s1, s2]: number[], dsts: number[], n: number): void {
    const k = this.heap.kernels;
    const decay = attrs.weightDecay ? 1 : 0;
    if (attrs.rule === "sgd") {
      const flags = decay | (attrs.momentum > 0 ? 2 : 0) | (attrs.nesterov ? 4 : 0);
      const v = attrs.momentum > 0 ? s1 : 0;
      k.optim_sgd(
        p,
        g,
        v,
        dsts[0],
        dsts[1] ?? 0,
        n,
        attrs.lr,
        attrs.momentum,
        attrs.weightDecay,
        flags,
      );
      return;
    }
    const { beta1, beta2 } = attrs;
    this.heap.view(this.#args, 9).set([
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      attrs.weightDecay,
      attrs.decay,
      attrs.bias2,
      attrs.eps,
      attrs.stepSize,
    ]);
    const flags = decay | (attrs.decay !== 1 ? 8 : 0);
    k.optim_adam(p, g, s1, s2, dsts[0], dsts[1], dsts[2], n, this.#args, flags);
  }

  #ptr(x: Float32Array, temps: Float32Array[]): number {
    const p = this.heap.ptrOf(x);
    if (p >= 0) return p;
    const copy = this.#temp(x.length, temps);
    copy.set(x);
    return this.heap.ptrOf(copy);
  }

  #temp(n: number, temps: Float32Array[]): Float32Array {
    const t = this.heap.float32(n, HEAP_LIMIT);
    // Worded as an allocation failure, so the engine names the op and its output's size.
    if (!t) throw new RangeError(`cpu: WebAssembly memory allocation failed for ${n} floats`);
    temps.push(t);
    return t;
  }

  /** Writes int32 values into the argument slots starting at slot `at`; returns its address. */
  #put(at: number, values: readonly number[]): number {
    this.heap.i32.set(values, this.#args / 4 + at);
    return this.#args + 4 * at;
  }

  /**
   * im2col (kind 1) or col2im (kind 2) from `x` into `dst`, split by planes
   * (image, channel) into jobs of about 16K columns' values across the threads
   * when it is large.
   */
  #window(kind: number, x: number, dst: number, g: WindowGeometry): void {
    const planes = g.n * g.c, planeCols = g.kh * g.kw * g.outH * g.outW;
    const per = Math.max(1, Math.ceil(16384 / planeCols)), jobs = Math.ceil(planes / per);
    const desc = this.#put(40, [
      x,
      dst,
      per,
      planes,
      g.n,
      g.c,
      g.h,
      g.w,
      g.kh,
      g.kw,
      g.stride,
      g.padding,
      g.outH,
      g.outW,
    ]);
    const pool = jobs > 1 && jobs <= MAX_JOBS
      ? this.#poolFor(planes * planeCols * WINDOW_WEIGHT)
      : undefined;
    if (pool) pool.run(kind, desc, jobs, threadLimit);
    else {for (let job = 0; job < jobs; job++) {
        this.heap.kernels.task(kind, desc, job, this.#scratch);
      }}
  }

  /** Binary op `code` (or copy) over merged axes; undefined when there are too many. */
  #strided(
    code: number,
    inputs: readonly TensorInfo[],
    out: OutSpec,
    shape: Shape,
    strides: number[][],
  ): TypedArray | undefined {
    const [dims, [sa, sb]] = mergeAxes(shape, [...strides, stridesOf(shape)]);
    if (dims.length > MAX_AXES) return undefined;
    if (out.size === 0) return this.heap.float32(0) ?? new Float32Array(0);
    const nd = dims.length;
    const pShape = this.#put(0, dims), pa = this.#put(12, sa), pb = this.#put(24, sb);
    const idx = this.#args + 4 * 36;
    return this.#run(inputs, out, ([a, b], dst) => {
      this.heap.kernels.binary_nd(code, nd, pShape, pa, pb, a, b, dst, idx);
    });
  }

  #reduce(
    inputs: readonly TensorInfo[],
    attrs: { op: keyof typeof REDUCE; axes: number[] },
    out: OutSpec,
  ): TypedArray | undefined {
    const [x] = inputs;
    if (!float32(inputs, out)) return undefined;
    const so = stridesOf(out.shape).map((s, i) => attrs.axes.includes(i) ? 0 : s);
    const [dims, [sx, so2]] = mergeAxes(x.shape, [stridesOf(x.shape), so]);
    if (dims.length > MAX_AXES) return undefined;
    const init = attrs.op === "sum" ? 0 : attrs.op === "max" ? -Infinity : Infinity;
    const nd = dims.length, code = REDUCE[attrs.op];
    void sx;
    return this.#run(inputs, out, ([src], dst) => {
      this.heap.view(dst, out.size).fill(init);
      if (x.size === 0) return;
      const pShape = this.#put(0, dims), pso = this.#put(12, so2);
      this.heap.kernels.reduce_nd(code, nd, pShape, pso, src, dst, this.#args + 4 * 36);
    });
  }

  #matmul(
    inputs: readonly TensorInfo[],
    attrs: { transA: boolean; transB: boolean },
    out: OutSpec,
    pa: number,
    pb: number,
    pc: number,
  ): void {
    const [a, b] = inputs;
    const { transA, transB } = attrs;
    const [batch, m, n] = out.shape;
    const k = transA ? a.shape[1] : a.shape[2];
    const desc = this.#put(0, [
      pa,
      pb,
      pc,
      batch,
      m,
      n,
      k,
      a.shape[0] === 1 ? 0 : m * k,
      b.shape[0] === 1 ? 0 : k * n,
      transA ? 1 : k,
      transA ? m : 1,
      transB ? 1 : n,
      transB ? k : 1,
      // Which call this is: the threads' packed copies of A are keyed by it.
      this.#calls % 2 ** 32 | 0,
      Math.floor(this.#calls / 2 ** 32),
    ]);
    this.#calls++;
    const kernels = this.heap.kernels;
    const jobs = kernels.mm_jobs(desc);
    const pool = jobs > 1 && jobs <= MAX_JOBS ? this.#poolFor(2 * batch * m * n * k) : undefined;
    const threads = Math.min(pool ? threadLimit : 1, jobs);
    if (pool && threads > 1) pool.run(0, desc, jobs, threads);
    else kernels.mm_run(desc, 0, jobs, 1, this.#scratch);
  }
}

function float32(inputs: readonly TensorInfo[], out: OutSpec): boolean {
  return out.dtype === "float32" && inputs.every((x) => x.dtype === "float32");
}
