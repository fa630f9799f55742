/**
 * Turning loaded datasets into tensors for `fit`.
 *
 * @module
 */
import { fromValues } from "../lib/ops/mod.ts";
import type { Data } from "../lib/data.ts";
import { type ImageSet, toFloat, type ToFloatOptions } from "./mnist.ts";
import type { Dataset2D } from "./synthetic.ts";

/** Options of {@linkcode imageData}. */
export interface ImageDataOptions extends ToFloatOptions {
  /** `[N, 784]` for dense networks instead of `[N, 1, 28, 28]` (default false). */
  flatten?: boolean;
  /** Use only the first `limit` images. */
  limit?: number;
  /** Backend for the tensors (default: the current one). */
  backend?: string;
}

/**
 * Images as float32 `x` (`[N, 1, H, W]`, or `[N, H*W]` with `flatten`) scaled
 * to [0, 1] by default, and int32 labels `y`.
 *
 * @example
 * ```ts
 * import { imageData } from "./tensors.ts";
 * import assert from "node:assert/strict";
 * const set = { images: new Uint8Array(2 * 4), labels: new Uint8Array([3, 7]), count: 2, rows: 2, cols: 2 };
 * const { x, y } = imageData(set);
 * assert.deepEqual(x.shape, [2, 1, 2, 2]);
 * assert.deepEqual(y.arraySync(), [3, 7]);
 * ```
 */
export function imageData(set: ImageSet, options: ImageDataOptions = {}): Data {
  const n = Math.min(options.limit ?? set.count, set.count);
  if (!(n > 0)) {
    throw new Error(`imageData: no images to use (count ${set.count}, limit ${options.limit})`);
  }
  const pixels = set.rows * set.cols;
  const x = toFloat(set.images.subarray(0, n * pixels), options);
  const shape = options.flatten ? [n, pixels] : [n, 1, set.rows, set.cols];
  return {
    x: fromValues(x, shape, { backend: options.backend }),
    y: fromValues(set.labels.subarray(0, n), [n], { dtype: "int32", backend: options.backend }),
  };
}

/**
 * A synthetic 2-D dataset as float32 `x` `[N, 2]` and int32 labels `y`.
 *
 * @example
 * ```ts
 * import { pointData } from "./tensors.ts";
 * import { xor } from "./synthetic.ts";
 * import assert from "node:assert/strict";
 * const { x, y } = pointData(xor({ n: 40, seed: 1 }));
 * assert.deepEqual(x.shape, [40, 2]);
 * assert.equal(y.dtype, "int32");
 * ```
 */
export function pointData(set: Dataset2D, options: { backend?: string } = {}): Data {
  return {
    x: fromValues(set.x, [set.n, 2], { backend: options.backend }),
    y: fromValues(set.y, [set.n], { dtype: "int32", backend: options.backend }),
  };
}
