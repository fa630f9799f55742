/**
 * Compiled pipelines (cached by key) and the command recorder that batches
 * dispatches into few command buffers.
 *
 * - Every kernel family is ONE generic WGSL module whose behaviour (op code,
 *   shapes, strides) comes from a 256-byte uniform block, so a whole training
 *   run compiles six pipelines. On llvmpipe the real compile happens at the
 *   first dispatch of a pipeline and takes 1-5 s per shader (elementwise
 *   about 1 s, matmul about 5 s, measured with MESA_SHADER_CACHE_DISABLE);
 *   Mesa caches the result on disk, so later runs start in milliseconds.
 * - Dispatches go into one open compute pass; the recorder submits when
 *   {@linkcode Recorder.batchSize} dispatches have accumulated, when a value
 *   is read, or on `flush()`. Their uniform blocks are packed into one
 *   "arena" buffer written once per submit, at 256-byte offsets.
 *
 * @module
 */
import type { BufferPool } from "./buffer_pool.ts";
import type { GpuDevice } from "./device.ts";

/** Bytes of one dispatch's uniform block (also the strictest offset alignment WebGPU allows). */
export const PARAM_BYTES = 256;
/** 32-bit words in a uniform block. */
export const PARAM_WORDS = PARAM_BYTES / 4;

/** What the backend counts (reset with `resetCounters`). */
export interface Counters {
  /** `queue.submit` calls (each one command buffer). */
  submits: number;
  /** Buffers mapped to read values back to the host. */
  readbacks: number;
  /** Compute pipelines created (one per distinct shader; cached afterwards). */
  compilations: number;
  /** Milliseconds spent in `createComputePipeline` (drivers may defer work to the first dispatch). */
  compileMs: number;
  /** Compute dispatches encoded. */
  dispatches: number;
  /** Host-to-GPU writes (`queue.writeBuffer` of tensor data). */
  uploads: number;
  /** Bytes uploaded. */
  uploadBytes: number;
  /** Bytes read back. */
  readBytes: number;
}

/** Fresh zeroed counters. */
export function zeroCounters(): Counters {
  return {
    submits: 0,
    readbacks: 0,
    compilations: 0,
    compileMs: 0,
    dispatches: 0,
    uploads: 0,
    uploadBytes: 0,
    readBytes: 0,
  };
}

/** A compiled kernel: its pipeline and bind group layout. */
export interface Pipeline {
  /** The cache key (one per WGSL module). */
  readonly key: string;
  /** The compute pipeline (entry point `main`). */
  readonly pipeline: GPUComputePipeline;
  /** Group 0's layout: binding 0 is the uniform block, then the storage buffers in order. */
  readonly layout: GPUBindGroupLayout;
}

/** Records dispatches, submits them in batches, and reads buffers back. */
export class Recorder {
  /** Dispatches per command buffer before an automatic submit. */
  readonly batchSize: number;
  readonly counters: Counters = zeroCounters();
  readonly #gpu: GpuDevice;
  readonly #device: GPUDevice;
  readonly #pool: BufferPool;
  readonly #pipelines = new Map<string, Pipeline>();
  readonly #maxGroups: number;
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #arena: GPUBuffer;
  #arenaWords: Uint32Array<ArrayBuffer>;
  #slots = 0;
  #staging = new Map<number, GPUBuffer[]>();
  /** Bound where a kernel has no buffer for a binding (never written). */
  readonly dummy: GPUBuffer;

  /** A recorder for `gpu`, taking buffers from `pool`, submitting every `batchSize` dispatches. */
  constructor(gpu: GpuDevice, pool: BufferPool, batchSize = 256) {
    this.batchSize = batchSize;
    this.#gpu = gpu;
    this.#device = gpu.device;
    this.#pool = pool;
    this.#maxGroups = gpu.limits.maxComputeWorkgroupsPerDimension;
    this.#arena = this.#makeArena();
    this.#arenaWords = new Uint32Array(this.batchSize * PARAM_WORDS);
    this.dummy = this.#device.createBuffer({ size: 256, usage: 0x80 /* STORAGE */ });
  }

  #makeArena(): GPUBuffer {
    return this.#device.createBuffer({
      size: this.batchSize * PARAM_BYTES,
      usage: 0x40 /* UNIFORM */ | 0x8, /* COPY_DST */
    });
  }

  /** The pipeline for `key`, compiling `code()` on first use. */
  pipeline(key: string, code: () => string): Pipeline {
    let p = this.#pipelines.get(key);
    if (!p) {
      const start = performance.now();
      const module = this.#device.createShaderModule({ label: key, code: code() });
      const pipeline = this.#device.createComputePipeline({
        label: key,
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      p = { key, pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.#pipelines.set(key, p);
      this.counters.compilations++;
      this.counters.compileMs += performance.now() - start;
    }
    return p;
  }

  /**
   * Encodes one dispatch of `p` with uniform block `params` (at most
   * {@linkcode PARAM_WORDS} words) and storage `buffers` at bindings 1, 2, ...
   * With `params` null (a hand-written kernel, see `runKernel`) there is no
   * uniform block and the buffers take bindings 0, 1, ...
   */
  dispatch(
    p: Pipeline,
    params: Uint32Array | null,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number?, number?],
  ): void {
    const [x, y = 1, z = 1] = groups;
    if (x === 0 || y === 0 || z === 0) return;
    if (x > this.#maxGroups || y > this.#maxGroups || z > this.#maxGroups) {
      throw new RangeError(
        `webgpu: ${p.key} needs ${x}x${y}x${z} workgroups, above this device's ` +
          `maxComputeWorkgroupsPerDimension (${this.#maxGroups}); use smaller tensors`,
      );
    }
    const entries: GPUBindGroupEntry[] = [];
    if (params) {
      if (this.#slots === this.batchSize) this.flush();
      const slot = this.#slots++;
      this.#arenaWords.set(params, slot * PARAM_WORDS);
      entries.push({
        binding: 0,
        resource: { buffer: this.#arena, offset: slot * PARAM_BYTES, size: PARAM_BYTES },
      });
    }
    const first = entries.length;
    buffers.forEach((buffer, i) => entries.push({ binding: first + i, resource: { buffer } }));
    const group = this.#device.createBindGroup({ layout: p.layout, entries });
    const pass = this.#openPass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
  }

  #openPass(): GPUComputePassEncoder {
    this.#encoder ??= this.#device.createCommandEncoder();
    this.#pass ??= this.#encoder.beginComputePass();
    return this.#pass;
  }

  /** Writes host data into `buffer` (a buffer no unsubmitted command uses). */
  upload(buffer: GPUBuffer, data: Float32Array | Int32Array | Uint32Array): void {
    // Typed arrays here never view a SharedArrayBuffer.
    this.#device.queue.writeBuffer(buffer, 0, data as Uint32Array<ArrayBuffer>);
    this.counters.uploads++;
    this.counters.uploadBytes += data.byteLength;
  }

  /** Whether dispatches are waiting to be submitted. */
  get pending(): boolean {
    return this.#encoder !== null;
  }

  /** Submits everything encoded so far as one command buffer. */
  flush(): void {
    if (!this.#encoder) return;
    this.#pass?.end();
    this.#pass = null;
    if (this.#slots) {
      this.#device.queue.writeBuffer(
        this.#arena,
        0,
        this.#arenaWords,
        0,
        this.#slots * PARAM_WORDS,
      );
    }
    this.#device.queue.submit([this.#encoder.finish()]);
    this.#encoder = null;
    this.#slots = 0;
    this.counters.submits++;
    this.#pool.afterSubmit();
  }

  /** Copies `bytes` bytes of `buffer` to the host (submits pending work first). */
  async read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const size = Math.max(256, 2 ** Math.ceil(Math.log2(Math.max(bytes, 1))));
    const staging = this.#staging.get(size)?.pop() ??
      this.#device.createBuffer({ size, usage: 0x1 /* MAP_READ */ | 0x8 /* COPY_DST */ });
    this.#pass?.end();
    this.#pass = null;
    this.#encoder ??= this.#device.createCommandEncoder();
    this.#encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    this.flush();
    this.counters.readbacks++;
    this.counters.readBytes += bytes;
    try {
      await staging.mapAsync(0x1, /* GPUMapMode.READ */ 0, bytes);
    } catch (err) {
      throw this.#gpu.error ?? err;
    }
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    let list = this.#staging.get(size);
    if (!list) this.#staging.set(size, list = []);
    list.push(staging);
    this.throwIfFailed();
    return copy;
  }

  /** Resolves when everything submitted so far has run (submits pending work first). */
  async sync(): Promise<void> {
    this.flush();
    await this.#device.queue.onSubmittedWorkDone();
    this.throwIfFailed();
  }

  /** Rethrows the first device error (validation, out of memory, device lost). */
  throwIfFailed(): void {
    if (this.#gpu.error) throw this.#gpu.error;
  }
}
