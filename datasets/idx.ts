/**
 * Readers for the IDX file format used by MNIST and Fashion-MNIST
 * (unsigned-byte variant only), plus a gzip decoder built on the web
 * `DecompressionStream`.
 *
 * An IDX file is a 4-byte magic number `0x0000TTDD` (TT = data type, 0x08 for
 * unsigned byte; DD = number of dimensions), then DD big-endian uint32 sizes,
 * then the data, row-major. Image files have magic `0x00000803`
 * (count x rows x cols), label files `0x00000801` (count).
 *
 * @module
 */

/**
 * Magic number of an unsigned-byte IDX image file (3 dimensions).
 *
 * @example The first four bytes of `train-images-idx3-ubyte`
 * ```ts
 * import { IDX_IMAGES_MAGIC } from "./idx.ts";
 * import assert from "node:assert/strict";
 * const header = new DataView(new Uint8Array([0, 0, 8, 3]).buffer);
 * assert.equal(header.getUint32(0), IDX_IMAGES_MAGIC);
 * ```
 */
export const IDX_IMAGES_MAGIC = 0x00000803;
/**
 * Magic number of an unsigned-byte IDX label file (1 dimension).
 *
 * @example The first four bytes of `train-labels-idx1-ubyte`
 * ```ts
 * import { IDX_LABELS_MAGIC } from "./idx.ts";
 * import assert from "node:assert/strict";
 * const header = new DataView(new Uint8Array([0, 0, 8, 1]).buffer);
 * assert.equal(header.getUint32(0), IDX_LABELS_MAGIC);
 * ```
 */
export const IDX_LABELS_MAGIC = 0x00000801;

/**
 * A parsed IDX array: its dimensions and its bytes, row-major.
 *
 * @example
 * ```ts
 * import type { IdxArray } from "./idx.ts";
 * const labels: IdxArray = { dims: [2], data: new Uint8Array([3, 7]) };
 * ```
 */
export interface IdxArray {
  /** Sizes of the dimensions, outermost first (e.g. `[60000, 28, 28]`). */
  dims: number[];
  /** The data bytes; a view into the input buffer, with no copy. */
  data: Uint8Array;
}

/**
 * Options for {@linkcode parseIdx}.
 *
 * @example
 * ```ts
 * import type { ParseIdxOptions } from "./idx.ts";
 * const opts: ParseIdxOptions = { expect: "labels" };
 * ```
 */
export interface ParseIdxOptions {
  /** Require an image file (`0x00000803`) or a label file (`0x00000801`). */
  expect?: "images" | "labels";
}

const EXPECTED_MAGIC_TEXT = "expected 0x00000803 (images) or 0x00000801 (labels)";

function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

/**
 * Parses an uncompressed unsigned-byte IDX file (images or labels).
 *
 * Checks the magic number (two zero bytes, type byte 0x08, one or three
 * dimensions) and that the byte length is exactly header + product of the
 * dimensions. Errors describe the file-level problem, e.g.
 * `truncated: expected 784 bytes of data, found 700` or
 * `bad magic 0x1f8b0800, expected 0x00000803 (images) or 0x00000801 (labels)`.
 * The returned `data` is a view into `bytes` (no copy).
 *
 * @example Parse a tiny label file
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * import assert from "node:assert/strict";
 * const file = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4]);
 * const { dims, data } = parseIdx(file);
 * assert.deepEqual(dims, [3]);
 * assert.deepEqual([...data], [5, 0, 4]);
 * assert.throws(() => parseIdx(file.subarray(0, 10)), /truncated: expected 3 bytes of data, found 2/);
 * ```
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): IdxArray {
  if (bytes.length < 4) {
    throw new Error(`truncated: ${bytes.length} bytes is too short for an IDX header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b
      ? " (this looks like gzip data: decompress it first)"
      : "";
    throw new Error(`bad magic ${hex32(magic)}, ${EXPECTED_MAGIC_TEXT}${hint}`);
  }
  if (bytes[2] !== 0x08) {
    throw new Error(
      `bad magic ${hex32(magic)}, ${EXPECTED_MAGIC_TEXT}: data type byte 0x${
        bytes[2].toString(16).padStart(2, "0")
      } is not unsigned byte (0x08)`,
    );
  }
  const ndims = bytes[3];
  if (ndims !== 1 && ndims !== 3) {
    throw new Error(
      `bad magic ${
        hex32(magic)
      }, ${EXPECTED_MAGIC_TEXT}: ${ndims} dimensions is neither a label (1) nor an image (3) file`,
    );
  }
  if (options.expect !== undefined) {
    const want = options.expect === "images" ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
    if (magic !== want) {
      const got = magic === IDX_IMAGES_MAGIC ? "an image file" : "a label file";
      throw new Error(
        `bad magic ${hex32(magic)}, expected ${hex32(want)} (${options.expect}): this is ${got}`,
      );
    }
  }
  const header = 4 + 4 * ndims;
  if (bytes.length < header) {
    throw new Error(
      `truncated: the header needs ${header} bytes, found ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    size *= d;
  }
  const found = bytes.length - header;
  if (found < size) {
    throw new Error(`truncated: expected ${size} bytes of data, found ${found}`);
  }
  if (found > size) {
    throw new Error(
      `trailing data: expected ${size} bytes of data, found ${found} (dims ${dims.join("x")})`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Encodes an unsigned-byte IDX file: the inverse of {@linkcode parseIdx}
 * (useful to build test fixtures or to export a subset).
 *
 * @example Round trip
 * ```ts
 * import { encodeIdx, parseIdx } from "./idx.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeIdx([2, 2, 2], new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
 * assert.equal(bytes.length, 16 + 8);
 * assert.deepEqual(parseIdx(bytes).dims, [2, 2, 2]);
 * ```
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length !== 1 && dims.length !== 3) {
    throw new RangeError(`encodeIdx: ${dims.length} dimensions; use 1 (labels) or 3 (images)`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new RangeError(
      `encodeIdx: dims ${dims.join("x")} need ${size} bytes, got ${data.length}`,
    );
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, header);
  return out;
}

const GZIP_FEED_CHUNK = 1 << 16; // Deno's DecompressionStream is ~2x faster fed 64 KiB at a time.

/**
 * Decompresses gzip data with the web `DecompressionStream("gzip")`.
 *
 * Corrupt, truncated or non-gzip input is rejected with an error starting
 * with `corrupt gzip:`.
 *
 * @example
 * ```ts
 * import { gunzip } from "./idx.ts";
 * import assert from "node:assert/strict";
 * const packed = new Uint8Array(
 *   await new Response(
 *     new Blob([new Uint8Array([1, 2, 3])]).stream().pipeThrough(new CompressionStream("gzip")),
 *   ).arrayBuffer(),
 * );
 * assert.deepEqual(await gunzip(packed), new Uint8Array([1, 2, 3]));
 * await assert.rejects(gunzip(new Uint8Array([1, 2, 3])), /corrupt gzip/);
 * ```
 */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    const start = Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, "0")).join("");
    throw new Error(
      bytes.length < 18
        ? `corrupt gzip: ${bytes.length} bytes is shorter than any gzip stream`
        : `corrupt gzip: not gzip data (starts with 0x${start}, expected 0x1f8b)`,
    );
  }
  // The trailer's ISIZE is the uncompressed length mod 2^32: a size hint.
  const isize = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4)
    .getUint32(0, true);
  const ds = new DecompressionStream("gzip");
  const writer = ds.writable.getWriter();
  const reader = ds.readable.getReader();
  const feeding = (async () => {
    for (let o = 0; o < bytes.length; o += GZIP_FEED_CHUNK) {
      await writer.write(bytes.subarray(o, o + GZIP_FEED_CHUNK) as Uint8Array<ArrayBuffer>);
    }
    await writer.close();
  })();
  // Errors surface on both sides of the stream; report the reader's, and keep
  // the writer's rejection from going unhandled.
  feeding.catch(() => {});
  let out = new Uint8Array(isize);
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.length > out.length) {
        const grown = new Uint8Array(Math.max(out.length * 2, length + value.length));
        grown.set(out.subarray(0, length));
        out = grown;
      }
      out.set(value, length);
      length += value.length;
    }
    await feeding;
  } catch (err) {
    await reader.cancel().catch(() => {});
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`corrupt gzip: ${msg}`, { cause: err });
  }
  return length === out.length ? out : out.slice(0, length);
}

/**
 * Reads an IDX file from disk, gunzipping it first when its name ends in
 * `.gz`. Every error message starts with the path.
 *
 * @example A missing file names its path
 * ```ts
 * import { readIdxFile } from "./idx.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   readIdxFile("/nonexistent/train-labels-idx1-ubyte.gz"),
 *   /\/nonexistent\/train-labels-idx1-ubyte\.gz: /,
 * );
 * ```
 */
export async function readIdxFile(path: string, options: ParseIdxOptions = {}): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`${path}: no such file`, { cause: err });
    }
    throw new Error(`${path}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
  try {
    if (path.endsWith(".gz")) bytes = await gunzip(bytes);
    return parseIdx(bytes, options);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
}
