/**
 * The [safetensors](https://github.com/huggingface/safetensors) checkpoint
 * format, on plain typed arrays.
 *
 * A safetensors file is:
 *
 * 1. 8 bytes: `N`, the header length, an unsigned 64-bit little-endian integer;
 * 2. `N` bytes: a UTF-8 JSON object
 *    `{"__metadata__": {...}, NAME: {"dtype", "shape", "data_offsets": [begin, end]}, ...}`,
 *    padded with spaces so that the data starts at a multiple of 8 bytes;
 * 3. the byte buffer: every tensor's elements, row-major, little-endian, at
 *    `data_offsets` relative to the start of the buffer. The tensors' ranges
 *    tile the buffer exactly: no gaps, no overlaps, no trailing bytes.
 *
 * The encoder produces the same bytes as the reference Rust implementation
 * (`safetensors::serialize`): tensors are laid out by descending dtype
 * alignment (F64, then F32, then I32) and by name within a dtype, so every
 * tensor's data is aligned to its element size. (The reference writes
 * `__metadata__` keys in hash-map order; we sort them, so files with two or
 * more metadata keys may differ from it in key order only.) The decoder is strict: it
 * parses JSON and copies bytes, never executes anything, and rejects every
 * malformed file with an error that names the tensor and the problem.
 *
 * @module
 */
import { writeFileAtomic } from "./atomic_write.ts";

/** The element types neuronbook reads and writes: 32/64-bit floats and 32-bit ints. */
export type SafeDType = "F32" | "F64" | "I32";

/**
 * One tensor as stored in a safetensors file: its dtype, its shape, and its
 * elements in row-major order in the typed array matching the dtype
 * (`F32` ↔ `Float32Array`, `F64` ↔ `Float64Array`, `I32` ↔ `Int32Array`).
 * A scalar has shape `[]` and one element.
 */
export interface SafeTensor {
  /** Element type. */
  dtype: SafeDType;
  /** Dimensions; `[]` for a scalar. Their product is `data.length`. */
  shape: number[];
  /** Elements in row-major (C) order. */
  data: Float32Array | Float64Array | Int32Array;
}

/**
 * Thrown for a malformed safetensors file or for tensors that cannot be
 * encoded. The message says what is wrong and, where there is one, which
 * tensor.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, SafetensorsError } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * assert.throws(() => decodeSafetensors(new Uint8Array(3)), SafetensorsError);
 * ```
 */
export class SafetensorsError extends Error {
  /** Creates the error; `options.cause` keeps an underlying error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SafetensorsError";
  }
}

/** The largest header the reference implementation accepts (100 MB). */
const MAX_HEADER_SIZE = 100_000_000;

const METADATA_KEY = "__metadata__";

interface DTypeInfo {
  size: number;
  /** Rank in the reference `Dtype` enum order (increasing alignment). */
  rank: number;
  make: (n: number) => Float32Array | Float64Array | Int32Array;
  ctor: Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;
}

const SUPPORTED: Record<SafeDType, DTypeInfo> = {
  I32: { size: 4, rank: 9, make: (n) => new Int32Array(n), ctor: Int32Array },
  F32: { size: 4, rank: 11, make: (n) => new Float32Array(n), ctor: Float32Array },
  F64: { size: 8, rank: 12, make: (n) => new Float64Array(n), ctor: Float64Array },
};

/** Dtypes the format defines that neuronbook does not load; reported as unsupported. */
const UNSUPPORTED = new Set([
  "BOOL",
  "U8",
  "I8",
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "I16",
  "U16",
  "F16",
  "BF16",
  "U32",
  "I64",
  "U64",
  "C64",
]);

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isSupported(dtype: unknown): dtype is SafeDType {
  return typeof dtype === "string" && Object.hasOwn(SUPPORTED, dtype);
}

/** Reverses each `size`-byte group in place (only used on big-endian hosts). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Compares strings by Unicode code point, i.e. by their UTF-8 bytes, as Rust does. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return (ca.done ? 0 : 1) - (cb.done ? 0 : 1);
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** Sets an own enumerable property, safe even for the name `__proto__`. */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function fmtShape(shape: readonly unknown[]): string {
  return `[${shape.join(", ")}]`;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  return JSON.stringify(value) ?? String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Serializes tensors (and optional string metadata) into the bytes of a
 * safetensors file, byte-identical to the reference implementation's output.
 *
 * Tensors are laid out by descending dtype alignment and then by name; the
 * header is compact JSON with `__metadata__` first (its keys sorted) and then
 * the tensors in layout order, padded with spaces to a multiple of 8 bytes.
 * Throws {@linkcode SafetensorsError} if a dtype is unknown, a dtype and a
 * typed array disagree, a shape is invalid or does not match the element
 * count, a name is `__metadata__` or not well-formed Unicode, or a metadata
 * value is not a string.
 *
 * @example
 * ```ts
 * import { encodeSafetensors } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeSafetensors({ b: { dtype: "I32", shape: [2], data: new Int32Array([7, 8]) } });
 * const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * assert.equal(n % 8, 0);
 * assert.equal(
 *   new TextDecoder().decode(bytes.subarray(8, 8 + n)).trimEnd(),
 *   '{"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}',
 * );
 * assert.deepEqual([...bytes.subarray(8 + n)], [7, 0, 0, 0, 8, 0, 0, 0]);
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) checkTensorForEncode(name, t);
  entries.sort(([na, a], [nb, b]) =>
    SUPPORTED[b.dtype].rank - SUPPORTED[a.dtype].rank || compareCodePoints(na, nb)
  );

  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (!isPlainObject(metadata)) {
      throw new SafetensorsError(
        `metadata must be an object of strings, got ${describe(metadata)}`,
      );
    }
    const keys = Object.keys(metadata).sort(compareCodePoints);
    if (keys.length > 0) {
      const meta: Record<string, string> = {};
      for (const key of keys) {
        const value = metadata[key];
        if (typeof value !== "string") {
          throw new SafetensorsError(
            `metadata '${key}': value must be a string, got ${describe(value)}`,
          );
        }
        if (!key.isWellFormed() || !value.isWellFormed()) {
          throw new SafetensorsError(`metadata '${key}': contains a lone surrogate (not UTF-8)`);
        }
        setOwn(meta, key, value);
      }
      header[METADATA_KEY] = meta;
    }
  }
  let offset = 0;
  for (const [name, t] of entries) {
    const end = offset + t.data.byteLength;
    setOwn(header, name, { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, end] });
    offset = end;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = json.length + ((8 - (json.length % 8)) % 8);
  if (n > MAX_HEADER_SIZE) {
    throw new SafetensorsError(
      `header is ${n} bytes, over the ${MAX_HEADER_SIZE}-byte limit readers accept`,
    );
  }
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const [, t] of entries) {
    const src = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const dst = out.subarray(pos, pos + src.length);
    dst.set(src);
    if (!HOST_LITTLE_ENDIAN) swapBytes(dst, SUPPORTED[t.dtype].size);
    pos += src.length;
  }
  return out;
}

function checkTensorForEncode(name: string, t: SafeTensor): void {
  const where = `tensor '${name}'`;
  if (name === METADATA_KEY) {
    throw new SafetensorsError(`tensor name '${METADATA_KEY}' is reserved for the metadata`);
  }
  if (!name.isWellFormed()) {
    throw new SafetensorsError(`${where}: name contains a lone surrogate (not UTF-8)`);
  }
  if (!isPlainObject(t)) throw new SafetensorsError(`${where}: not a tensor: ${describe(t)}`);
  if (!isSupported(t.dtype)) {
    throw new SafetensorsError(
      `${where}: dtype ${describe(t.dtype)} is not supported (use F32, F64 or I32)`,
    );
  }
  const info = SUPPORTED[t.dtype];
  if (!(t.data instanceof info.ctor)) {
    const got = (t.data as { constructor?: { name?: string } } | undefined)?.constructor?.name;
    throw new SafetensorsError(
      `${where}: dtype ${t.dtype} needs a ${info.ctor.name}, got ${got ?? describe(t.data)}`,
    );
  }
  if (!Array.isArray(t.shape) || !t.shape.every(isIndex)) {
    throw new SafetensorsError(
      `${where}: shape must be an array of non-negative integers, got ${describe(t.shape)}`,
    );
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count !== t.data.length) {
    throw new SafetensorsError(
      `${where}: shape ${fmtShape(t.shape)} has ${count} elements, but data has ${t.data.length}`,
    );
  }
}

/**
 * Parses the bytes of a safetensors file into tensors and metadata, checking
 * everything the reference implementation checks (and a little more):
 *
 * - the file holds the 8-byte header length, the length is at most 100 MB
 *   and the header fits in the file;
 * - the header is UTF-8 JSON describing an object that starts with `{`;
 * - `__metadata__`, if present, maps strings to strings;
 * - every tensor has a dtype neuronbook supports (other safetensors dtypes
 *   such as `F16`, `BF16`, `I64` and `U8` are named as unsupported), a shape
 *   of non-negative integers, and `data_offsets` `[begin, end]` inside the
 *   buffer with `end - begin` equal to the element count times the element
 *   size;
 * - sorted by offset, the tensors tile the buffer from 0 to its end with no
 *   gap, overlap or trailing bytes.
 *
 * The data is copied into fresh typed arrays, so they are aligned whatever
 * the alignment of `bytes`, and independent of it. Throws
 * {@linkcode SafetensorsError}.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * const bytes = encodeSafetensors(
 *   { w: { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) } },
 *   { format: "np" },
 * );
 * const { tensors, metadata } = decodeSafetensors(bytes);
 * assert.deepEqual(tensors.w.shape, [2, 2]);
 * assert.deepEqual(tensors.w.data, new Float32Array([1, 2, 3, 4]));
 * assert.deepEqual(metadata, { format: "np" });
 * assert.throws(() => decodeSafetensors(bytes.subarray(0, bytes.length - 1)), /tensor 'w'/);
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  const n = headerLength(bytes.subarray(0, 8), bytes.length);
  const { entries, metadata } = decodeHeader(bytes.subarray(8, 8 + n), bytes.length - 8 - n);
  return { tensors: extractTensors(entries, bytes.subarray(8 + n)), metadata };
}

/** One tensor's place in the data buffer, as the header gives it. */
interface Entry {
  name: string;
  dtype: SafeDType;
  shape: number[];
  begin: number;
  end: number;
}

/** The header's length from the file's first 8 bytes, checked against the file's size. */
function headerLength(first: Uint8Array, fileSize: number): number {
  if (fileSize < 8 || first.length < 8) {
    throw new SafetensorsError(
      `file is ${fileSize} bytes, too short for the 8-byte header length`,
    );
  }
  const n64 = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_SIZE)) {
    throw new SafetensorsError(
      `header length ${n64} is over the ${MAX_HEADER_SIZE}-byte limit (corrupt or not a safetensors file)`,
    );
  }
  const n = Number(n64);
  if (8 + n > fileSize) {
    throw new SafetensorsError(
      `header length ${n} runs past the end of the file (${fileSize} bytes, so at most ${
        fileSize - 8
      })`,
    );
  }
  return n;
}

/** Parses and checks the JSON header; `bufferLength` is the size of the data after it. */
function decodeHeader(
  header: Uint8Array,
  bufferLength: number,
): { entries: Entry[]; metadata: Record<string, string> } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      header,
    );
  } catch (err) {
    throw new SafetensorsError("header is not valid UTF-8", { cause: err });
  }
  if (!text.startsWith("{")) {
    throw new SafetensorsError(
      `header must be a JSON object starting with '{', got ${describe(text.slice(0, 20))}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`header is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!isPlainObject(parsed)) {
    throw new SafetensorsError(`header must be a JSON object, got ${describe(parsed)}`);
  }

  const metadata: Record<string, string> = {};
  const rawMeta = parsed[METADATA_KEY];
  if (rawMeta !== undefined && rawMeta !== null) {
    if (!isPlainObject(rawMeta)) {
      throw new SafetensorsError(
        `'${METADATA_KEY}' must be an object of strings, got ${describe(rawMeta)}`,
      );
    }
    for (const [key, value] of Object.entries(rawMeta)) {
      if (typeof value !== "string") {
        throw new SafetensorsError(
          `'${METADATA_KEY}' entry '${key}' must be a string, got ${describe(value)}`,
        );
      }
      setOwn(metadata, key, value);
    }
  }

  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(parsed)) {
    if (name === METADATA_KEY) continue;
    entries.push(checkEntry(name, info, bufferLength));
  }
  checkTiling(entries, bufferLength);
  return { entries, metadata };
}

/** Sorts `entries` by offset and checks that they tile the data buffer exactly. */
function checkTiling(entries: Entry[], bufferLength: number): void {
  // The reference implementation sorts by (begin, end) and requires each
  // tensor to start where the previous one ended, and the last to end at the
  // end of the file.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | undefined;
  for (const e of entries) {
    if (e.begin > expected) {
      throw new SafetensorsError(
        `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] leave a gap: bytes [${expected}, ${e.begin}) ${
          previous ? `after tensor '${previous.name}' ` : "at the start of the buffer "
        }belong to no tensor`,
      );
    }
    if (e.begin < expected) {
      throw new SafetensorsError(
        `tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap tensor '${
          previous!.name
        }' at [${previous!.begin}, ${previous!.end}]`,
      );
    }
    expected = e.end;
    previous = e;
  }
  if (expected !== bufferLength) {
    throw new SafetensorsError(
      `${
        bufferLength - expected
      } trailing bytes: the tensors cover [0, ${expected}) of a ${bufferLength}-byte data buffer`,
    );
  }
}

/** Copies each tensor out of the data buffer into its own aligned typed array. */
function extractTensors(entries: Entry[], buffer: Uint8Array): Record<string, SafeTensor> {
  const tensors: Record<string, SafeTensor> = {};
  for (const e of entries) {
    const info = SUPPORTED[e.dtype];
    const data = info.make((e.end - e.begin) / info.size);
    const dst = new Uint8Array(data.buffer);
    dst.set(buffer.subarray(e.begin, e.end));
    if (!HOST_LITTLE_ENDIAN) swapBytes(dst, info.size);
    setOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return tensors;
}

function checkEntry(
  name: string,
  info: unknown,
  bufferLength: number,
): { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number } {
  const where = `tensor '${name}'`;
  if (!isPlainObject(info)) {
    throw new SafetensorsError(
      `${where}: entry must be an object with dtype, shape and data_offsets, got ${describe(info)}`,
    );
  }
  const { dtype, shape, data_offsets: offsets } = info;
  if (!isSupported(dtype)) {
    if (typeof dtype === "string" && UNSUPPORTED.has(dtype)) {
      throw new SafetensorsError(
        `${where}: dtype ${dtype} is not supported by neuronbook (supported: F32, F64, I32)`,
      );
    }
    throw new SafetensorsError(`${where}: unknown dtype ${describe(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isIndex)) {
    throw new SafetensorsError(
      `${where}: shape must be an array of non-negative integers, got ${describe(shape)}`,
    );
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 || !isIndex(offsets[0]) ||
    !isIndex(offsets[1])
  ) {
    throw new SafetensorsError(
      `${where}: data_offsets must be [begin, end] with non-negative integers, got ${
        describe(offsets)
      }`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
  }
  if (end > bufferLength) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] run past the end of the ${bufferLength}-byte data buffer`,
    );
  }
  const size = SUPPORTED[dtype].size;
  const needed = shape.reduce((a: bigint, d: number) => a * BigInt(d), 1n) * BigInt(size);
  if (BigInt(end - begin) !== needed) {
    throw new SafetensorsError(
      `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but shape ${
        fmtShape(shape)
      } of ${dtype} needs ${needed}`,
    );
  }
  return { name, dtype, shape: [...shape] as number[], begin, end };
}

/**
 * Encodes tensors with {@linkcode encodeSafetensors} and writes them to
 * `path` atomically (a crash never leaves a half-written checkpoint),
 * creating parent directories.
 *
 * @example
 * ```ts
 * import { loadSafetensors, saveSafetensors } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/ckpt/model.safetensors`;
 * await saveSafetensors(path, { b: { dtype: "F64", shape: [], data: new Float64Array([0.5]) } });
 * const { tensors } = await loadSafetensors(path);
 * assert.deepEqual(tensors.b, { dtype: "F64", shape: [], data: new Float64Array([0.5]) });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveSafetensors(
  path: string,
  tensors: Record<string, SafeTensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * The names, dtypes and shapes a safetensors header lists, as given to the
 * `check` of {@linkcode loadSafetensors}.
 *
 * @example
 * ```ts
 * import type { SafetensorsHeader } from "./safetensors.ts";
 * const header: SafetensorsHeader = { w: { dtype: "F32", shape: [2, 3] } };
 * ```
 */
export type SafetensorsHeader = Record<string, { dtype: SafeDType; shape: number[] }>;

/**
 * Reads the safetensors file at `path` through a file handle: the 8-byte
 * length first, then the header, which is decoded and checked against the
 * file's size (and given to `check`, which may throw) before any tensor data
 * is read; so a corrupt or unsuitable file of any size fails after reading
 * at most its header. Format errors are {@linkcode SafetensorsError}s whose
 * message starts with the path; I/O errors (such as a missing file)
 * propagate with the path added to the message.
 *
 * @example
 * ```ts
 * import { loadSafetensors } from "./safetensors.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/bad.safetensors`;
 * await Deno.writeFile(path, new Uint8Array([1, 2, 3]));
 * await assert.rejects(loadSafetensors(path), (err: Error) => err.message.startsWith(path));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadSafetensors(
  path: string,
  options: { check?: (header: SafetensorsHeader, metadata: Record<string, string>) => void } = {},
): Promise<{ tensors: Record<string, SafeTensor>; metadata: Record<string, string> }> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (err) {
    if (err instanceof Error) err.message = `${path}: ${err.message}`;
    throw err;
  }
  try {
    const { size, isFile } = await file.stat();
    if (!isFile) throw new SafetensorsError("is a folder, not a safetensors file");
    const n = headerLength(await readExactly(file, Math.min(8, size)), size);
    const { entries, metadata } = decodeHeader(await readExactly(file, n), size - 8 - n);
    options.check?.(
      Object.fromEntries(entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape }])),
      metadata,
    );
    const tensors: Record<string, SafeTensor> = {};
    for (const e of entries) { // sorted by offset, tiling the buffer: read each in turn
      const info = SUPPORTED[e.dtype];
      const data = info.make((e.end - e.begin) / info.size);
      const bytes = await readExactly(
        file,
        e.end - e.begin,
        new Uint8Array(data.buffer as ArrayBuffer),
      );
      if (!HOST_LITTLE_ENDIAN) swapBytes(bytes, info.size);
      setOwn(tensors, e.name, { dtype: e.dtype, shape: e.shape, data });
    }
    return { tensors, metadata };
  } catch (err) {
    if (err instanceof SafetensorsError) {
      throw new SafetensorsError(`${path}: ${err.message}`, { cause: err });
    }
    throw err;
  } finally {
    file.close();
  }
}

async function readExactly(
  file: Deno.FsFile,
  n: number,
  into = new Uint8Array(n),
): Promise<Uint8Array> {
  for (let done = 0; done < n;) {
    const got = await file.read(into.subarray(done, n));
    if (got === null) {
      throw new SafetensorsError(`the file ended after ${done} of ${n} expected bytes`);
    }
    done += got;
  }
  return into;
}
