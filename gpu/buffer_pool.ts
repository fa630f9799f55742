/**
 * A size-bucketed pool of storage buffers. Creating a GPU buffer is slow
 * (an allocation plus zeroing) and a training step needs the same sizes
 * every time, so released buffers wait in per-size free lists for reuse.
 *
 * Sizes round up to powers of two from 256 bytes (at most 2x waste, and few
 * distinct sizes to match); above half of `maxStorageBufferBindingSize` the
 * exact size (rounded to 256 bytes) is used so large tensors still fit.
 *
 * Reuse must not reorder work: `queue.writeBuffer` runs before any command
 * buffer not yet submitted, so a buffer that an unsubmitted dispatch still
 * reads must not be handed to an upload. Released buffers therefore wait in
 * a "pending" list until the next submit; kernel outputs may take them at
 * once (dispatches stay in encoding order), uploads only take free ones.
 *
 * @module
 */

/** Usage of every pooled buffer: bound as storage, copied to and from. */
export const STORAGE_USAGE = 0x80 /* STORAGE */ | 0x8 /* COPY_DST */ | 0x4; /* COPY_SRC */

/** Live and pooled buffer counts and bytes (bucket sizes, i.e. what the GPU holds). */
export interface MemoryStats {
  /** Buffers held by tensors. */
  liveBuffers: number;
  /** Bytes held by tensors. */
  liveBytes: number;
  /** Released buffers kept for reuse (including those waiting for a submit). */
  pooledBuffers: number;
  /** Bytes of the pooled buffers. */
  pooledBytes: number;
  /** Buffers created since the pool started (misses). */
  created: number;
  /** Requests served from the pool (hits). */
  reused: number;
}

/**
 * The size-bucketed pool.
 *
 * @example Bucket sizes
 * ```ts
 * import { bucketSize } from "./buffer_pool.ts";
 * import assert from "node:assert/strict";
 * assert.equal(bucketSize(1, 1 << 27), 256);
 * assert.equal(bucketSize(1000, 1 << 27), 1024);
 * assert.equal(bucketSize(100_000_000, 1 << 27), 100_000_000);
 * ```
 */
export class BufferPool {
  readonly #device: GPUDevice;
  readonly #maxBinding: number;
  readonly #free = new Map<number, GPUBuffer[]>();
  readonly #pending = new Map<number, GPUBuffer[]>();
  #live = 0;
  #liveBytes = 0;
  #pooled = 0;
  #pooledBytes = 0;
  #created = 0;
  #reused = 0;
  /** Free buffers above this many bytes are destroyed instead of kept. */
  maxPooledBytes: number;

  /** A pool on `device` whose buffers may be up to `maxBinding` bytes. */
  constructor(device: GPUDevice, maxBinding: number, maxPooledBytes = 1 << 30) {
    this.#device = device;
    this.#maxBinding = maxBinding;
    this.maxPooledBytes = maxPooledBytes;
  }

  /**
   * A buffer of at least `bytes` bytes. `forUpload`: the caller writes it
   * with `queue.writeBuffer`, so it must not come from the pending list.
   */
  acquire(bytes: number, forUpload: boolean): GPUBuffer {
    const size = bucketSize(bytes, this.#maxBinding);
    const buffer = (forUpload ? undefined : this.#pending.get(size)?.pop()) ??
      this.#free.get(size)?.pop();
    if (buffer) {
      this.#pooled--, this.#pooledBytes -= size, this.#reused++;
    }
    const result = buffer ?? this.#create(size);
    this.#live++, this.#liveBytes += size;
    return result;
  }

  #create(size: number): GPUBuffer {
    this.#created++;
    return this.#device.createBuffer({ size, usage: STORAGE_USAGE });
  }

  /** Returns a buffer for reuse once the commands encoded so far are submitted. */
  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.#live--, this.#liveBytes -= size;
    if (this.#pooledBytes + size > this.maxPooledBytes) {
      // Destroying is deferred by WebGPU until queued work that uses it is done.
      buffer.destroy();
      return;
    }
    let list = this.#pending.get(size);
    if (!list) this.#pending.set(size, list = []);
    list.push(buffer);
    this.#pooled++, this.#pooledBytes += size;
  }

  /** Called after each submit: pending buffers become free for uploads too. */
  afterSubmit(): void {
    for (const [size, list] of this.#pending) {
      if (!list.length) continue;
      let free = this.#free.get(size);
      if (!free) this.#free.set(size, free = []);
      free.push(...list);
      list.length = 0;
    }
  }

  /** Destroys every pooled buffer that no submitted-or-not command needs (after a submit). */
  trim(): void {
    for (const list of this.#free.values()) {
      for (const b of list) {
        this.#pooled--, this.#pooledBytes -= b.size;
        b.destroy();
      }
      list.length = 0;
    }
  }

  /** Current counts. */
  stats(): MemoryStats {
    return {
      liveBuffers: this.#live,
      liveBytes: this.#liveBytes,
      pooledBuffers: this.#pooled,
      pooledBytes: this.#pooledBytes,
      created: this.#created,
      reused: this.#reused,
    };
  }
}

/** The bucket a request of `bytes` bytes is served from. */
export function bucketSize(bytes: number, maxBinding: number): number {
  const min = 256;
  if (bytes <= min) return min;
  const pow2 = 2 ** Math.ceil(Math.log2(bytes));
  return pow2 <= maxBinding / 2 || pow2 <= min ? pow2 : Math.ceil(bytes / min) * min;
}
