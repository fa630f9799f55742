/**
 * Worker threads for the fast CPU backend's matmul: each worker instantiates
 * the same kernels on the shared memory and waits on a flag; the main thread
 * publishes a task, runs its own share, and waits (`Atomics.wait`, allowed
 * on Deno's main thread) until every worker has finished its share. The
 * backend stays synchronous.
 *
 * Each task is a fixed grid of jobs (see `mm_run` in `wasm/kernels.c`),
 * handed out one at a time to whichever thread asks next; a job's results
 * do not depend on which thread runs it, so every thread count (and every
 * schedule) gives bit-identical results.
 *
 * Workers are `node:worker_threads` workers, started on first use in the
 * background (the backend runs on one thread until all of them are ready)
 * and `unref()`ed, so they never keep a program or a test from exiting.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { kernelBytes, type WasmHeap } from "./wasm_heap.ts";

// Control block (int32 slots): the task generation (workers sleep on it),
// jobs completed, the job counter (task tag << 16 | next job), the task's
// descriptor, job count and kind (see `task` in kernels.c), ready workers,
// and how many workers may join.
const GEN = 0, COMPLETED = 1, COUNTER = 2, DESC = 3, JOBS = 4, READY = 5, LIMIT = 6, KIND = 7;
const SLOTS = [GEN, COMPLETED, COUNTER, DESC, JOBS, READY, LIMIT, KIND];
const CTRL_BYTES = 64;
/** Jobs per task are counted in 16 bits (the task tag takes the other 15). */
export const MAX_JOBS = 0xffff;

/**
 * Takes jobs of task `tag` until none is left: a compare-exchange on the
 * counter hands each job to exactly one thread. Shared by the main thread
 * and (as source text) the workers.
 */
function work(
  c: Int32Array,
  run: (desc: number, job: number, scratch: number) => void,
  tag: number,
  desc: number,
  jobs: number,
  scratch: number,
): void {
  for (;;) {
    const v = Atomics.load(c, COUNTER);
    if (v >>> 16 !== tag || (v & 0xffff) >= jobs) return;
    if (Atomics.compareExchange(c, COUNTER, v, v + 1) !== v) continue;
    run(desc, v & 0xffff, scratch);
    Atomics.add(c, COMPLETED, 1);
    Atomics.notify(c, COMPLETED);
  }
}

// The worker: instantiate, report ready, then join each task it is woken for.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const [GEN, COMPLETED, COUNTER, DESC, JOBS, READY, LIMIT, KIND] = [${SLOTS}];
const work = ${work.toString()};
parentPort.once("message", ({ memory, bytes, id, ctrl, scratch }) => {
  const module = new WebAssembly.Module(bytes);
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const c = new Int32Array(memory.buffer, ctrl, 16);
  let seen = Atomics.load(c, GEN);
  Atomics.add(c, READY, 1);
  Atomics.notify(c, READY);
  for (;;) {
    Atomics.wait(c, GEN, seen);
    seen = Atomics.load(c, GEN);
    if (id >= Atomics.load(c, LIMIT)) continue;
    // The tag first: a task that ended meanwhile leaves a tag that no longer matches.
    const tag = Atomics.load(c, COUNTER) >>> 16;
    const kind = Atomics.load(c, KIND);
    const run = (desc, job, scratch) => k.task(kind, desc, job, scratch);
    work(c, run, tag, Atomics.load(c, DESC), Atomics.load(c, JOBS), scratch);
  }
});
`;

/**
 * A fixed set of workers sharing the heap's memory.
 *
 * @example Run a matmul task on every thread (see fast_backend.ts for the descriptor)
 * ```ts ignore
 * const pool = new ThreadPool(heap, 2);
 * pool.run(0, desc, jobs, 2);
 * ```
 */
export class ThreadPool {
  readonly #heap: WasmHeap;
  readonly #ctrl: number;
  readonly #workers: Worker[] = [];
  readonly #scratch: number[] = [];
  #tag = 0;
  /** Threads including the main one. */
  readonly size: number;

  /** Starts `size - 1` workers (their start-up runs in the background). */
  constructor(heap: WasmHeap, size: number, scratchBytes: number) {
    this.#heap = heap;
    this.size = size;
    this.#ctrl = heap.alloc(CTRL_BYTES);
    if (this.#ctrl === 0) throw new Error("ThreadPool: the WebAssembly heap is full");
    heap.i32.fill(0, this.#ctrl / 4, (this.#ctrl + CTRL_BYTES) / 4);
    for (let id = 0; id < size; id++) {
      const scratch = heap.alloc(scratchBytes);
      if (scratch === 0) throw new Error("ThreadPool: the WebAssembly heap is full");
      heap.i32.fill(0, scratch / 4, (scratch + scratchBytes) / 4); // no packed block held yet
      this.#scratch.push(scratch);
      if (id === 0) continue;
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.postMessage({
        memory: heap.memory,
        bytes: kernelBytes(),
        id,
        ctrl: this.#ctrl,
        scratch,
      });
      worker.unref();
      this.#workers.push(worker);
    }
  }

  /** Stops the workers (a pool of another size replaces this one). */
  close(): void {
    for (const w of this.#workers) w.terminate();
  }

  /** Whether every worker is ready (until then, callers run on one thread). */
  get ready(): boolean {
    return Atomics.load(this.#heap.i32, this.#ctrl / 4 + READY) === this.size - 1;
  }

  /** Scratch block of thread `t`. */
  scratch(t: number): number {
    return this.#scratch[t];
  }

  /**
   * Runs jobs `0 .. jobs-1` of task `kind` (0 matmul, 1 im2col, 2 col2im;
   * see `task` in kernels.c) described at `desc` on this thread
   * and up to `threads - 1` workers, each taking the next job left, and
   * returns when all are done. A worker the OS has not scheduled yet simply
   * finds no job left: the main thread never waits for a sleeping one.
   */
  run(kind: number, desc: number, jobs: number, threads: number): void {
    const c = this.#heap.i32.subarray(this.#ctrl / 4, this.#ctrl / 4 + 16);
    const tag = this.#tag = this.#tag % 0x7fff + 1;
    Atomics.store(c, DESC, desc);
    Atomics.store(c, KIND, kind);
    Atomics.store(c, JOBS, jobs);
    Atomics.store(c, LIMIT, threads);
    Atomics.store(c, COMPLETED, 0);
    Atomics.store(c, COUNTER, tag << 16);
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    const k = this.#heap.kernels;
    work(c, (d, job, s) => k.task(kind, d, job, s), tag, desc, jobs, this.#scratch[0]);
    for (;;) {
      const done = Atomics.load(c, COMPLETED);
      if (done === jobs) break;
      Atomics.wait(c, COMPLETED, done);
    }
    // Exhaust the tag before the slots are reused, so a late worker takes nothing.
    Atomics.store(c, COUNTER, (tag << 16) | 0xffff);
  }
}
