import assert from "node:assert/strict";
import {
  decodeSafetensors,
  encodeSafetensors,
  loadSafetensors,
  type SafeTensor,
  SafetensorsError,
  saveSafetensors,
} from "../../lib/io/safetensors.ts";

// ---------------------------------------------------------------------------
// Helpers

/** The raw bytes of a typed array, for bit-exact comparisons (NaN payloads, -0). */
function rawBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

function assertSameTensors(
  actual: Record<string, SafeTensor>,
  expected: Record<string, SafeTensor>,
): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, e] of Object.entries(expected)) {
    const a = actual[name];
    assert.equal(a.dtype, e.dtype, name);
    assert.deepEqual(a.shape, e.shape, name);
    assert.equal(a.data.constructor, e.data.constructor, name);
    assert.deepEqual(rawBytes(a.data), rawBytes(e.data), name);
  }
}

/** Builds a file by hand: u64 LE header length, header text, data bytes. */
function handmade(header: string, data: number[] = []): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** A header padded with spaces to a multiple of 8 bytes, as the spec asks. */
function padded(header: string): string {
  const len = new TextEncoder().encode(header).length;
  return header + " ".repeat((8 - (len % 8)) % 8);
}

function assertDecodeError(bytes: Uint8Array, message: string | RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes),
    (err: unknown) => {
      assert.ok(err instanceof SafetensorsError, `not a SafetensorsError: ${err}`);
      if (typeof message === "string") assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

const F32_0_TO_5 = [
  [0, 0, 0, 0], // 0.0
  [0, 0, 0x80, 0x3f], // 1.0
  [0, 0, 0, 0x40], // 2.0
  [0, 0, 0x40, 0x40], // 3.0
  [0, 0, 0x80, 0x40], // 4.0
  [0, 0, 0xa0, 0x40], // 5.0
].flat();

// ---------------------------------------------------------------------------
// Byte-exact interoperability with the spec / reference implementation

Deno.test("encode: header needing no padding matches hand-built bytes", () => {
  // 64-byte header: no padding needed. Same tensor as the reference
  // implementation's `test_serialization` (tensor.rs).
  const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 64);
  const expected = handmade(header, F32_0_TO_5);
  assert.deepEqual([...expected.subarray(0, 8)], [64, 0, 0, 0, 0, 0, 0, 0]);
  const t = { dtype: "F32" as const, shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) };
  assert.deepEqual(encodeSafetensors({ "attn.0": t }), expected);
  assertSameTensors(decodeSafetensors(expected).tensors, { "attn.0": t });
});

Deno.test("encode: header is space-padded so data starts 8-byte aligned", () => {
  // 65-byte JSON + 7 spaces = 72 (reference `test_serialization_forced_alignement`).
  const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  assert.equal(json.length, 65);
  const expected = handmade(json + "       ", F32_0_TO_5);
  assert.deepEqual([...expected.subarray(0, 8)], [72, 0, 0, 0, 0, 0, 0, 0]);
  const t = {
    dtype: "F32" as const,
    shape: [1, 1, 2, 3],
    data: new Float32Array([0, 1, 2, 3, 4, 5]),
  };
  assert.deepEqual(encodeSafetensors({ attn0: t }), expected);
  assertSameTensors(decodeSafetensors(expected).tensors, { attn0: t });
});

Deno.test("encode: empty file and metadata-only file match hand-built bytes", () => {
  // Reference `test_empty`: "{}" + 6 spaces, and {"__metadata__":{"framework":"pt"}} + 5.
  assert.deepEqual(
    [...encodeSafetensors({})],
    [8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32],
  );
  const meta = handmade('{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(meta[0], 40);
  assert.deepEqual(encodeSafetensors({}, { framework: "pt" }), meta);
  assert.deepEqual(decodeSafetensors(meta), { tensors: {}, metadata: { framework: "pt" } });
  assert.deepEqual(encodeSafetensors({}, {}), encodeSafetensors({}));
});

Deno.test("encode: mixed dtypes, metadata and layout match hand-built bytes", () => {
  // Layout: descending alignment (F64, F32, I32), then by name; metadata
  // first in the header with sorted keys.
  const header = padded(
    '{"__metadata__":{"a":"1","format":"np"},' +
      '"z":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]},' +
      '"c":{"dtype":"F32","shape":[0,3],"data_offsets":[12,12]},' +
      '"a":{"dtype":"I32","shape":[2],"data_offsets":[12,20]}}',
  );
  const data = [
    [0, 0, 0, 0, 0, 0, 0xf0, 0xbf], // z = -1.0 (F64)
    [0, 0, 0, 0xc0], // b = -2.0 (F32)
    [0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x80], // a = [-1, -2^31] (I32)
  ].flat();
  const expected = handmade(header, data);
  const tensors: Record<string, SafeTensor> = {
    a: { dtype: "I32", shape: [2], data: new Int32Array([-1, -(2 ** 31)]) },
    b: { dtype: "F32", shape: [], data: new Float32Array([-2]) },
    c: { dtype: "F32", shape: [0, 3], data: new Float32Array(0) },
    z: { dtype: "F64", shape: [1], data: new Float64Array([-1]) },
  };
  assert.deepEqual(encodeSafetensors(tensors, { format: "np", a: "1" }), expected);
  const back = decodeSafetensors(expected);
  assertSameTensors(back.tensors, tensors);
  assert.deepEqual(back.metadata, { a: "1", format: "np" });
});

Deno.test("decode: accepts any tensor order in the header and unpadded headers", () => {
  // Other writers may list tensors in any order and need not pad.
  const bytes = handmade(
    '{"second":{"dtype":"I32","shape":[1],"data_offsets":[4,8]},' +
      '"first":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}',
    [1, 0, 0, 0, 2, 0, 0, 0],
  );
  const { tensors, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(tensors.first.data, new Int32Array([1]));
  assert.deepEqual(tensors.second.data, new Int32Array([2]));
  assert.deepEqual(metadata, {});
  // `"__metadata__": null` is accepted as no metadata, like the reference.
  const nullMeta = handmade('{"__metadata__":null}');
  assert.deepEqual(decodeSafetensors(nullMeta), { tensors: {}, metadata: {} });
});

// ---------------------------------------------------------------------------
// Round trips

Deno.test("round trip: all dtypes bit-exact, including special values", () => {
  const f32 = new Float32Array([
    0,
    -0,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    1e-45,
    3.4028234663852886e38,
  ]);
  // A NaN with a payload: the bytes must survive unchanged.
  new Uint32Array(f32.buffer)[3] = 0x7fc12345;
  const f64 = new Float64Array([0, -0, Math.PI, NaN, -Infinity, 5e-324, Number.MAX_VALUE, 0.1]);
  new BigUint64Array(f64.buffer)[3] = 0x7ff8_0000_dead_beefn;
  const i32 = new Int32Array([0, 1, -1, 2147483647, -2147483648, 123456789]);
  const tensors: Record<string, SafeTensor> = {
    "fc1.weight": { dtype: "F32", shape: [2, 4], data: f32 },
    "fc1.bias": { dtype: "F64", shape: [2, 2, 2], data: f64 },
    "step": { dtype: "I32", shape: [6], data: i32 },
  };
  const bytes = encodeSafetensors(tensors);
  const back = decodeSafetensors(bytes);
  assertSameTensors(back.tensors, tensors);
  assert.equal(new Uint32Array(back.tensors["fc1.weight"].data.buffer)[3], 0x7fc12345);
  // Re-encoding what was decoded gives the same bytes.
  assert.deepEqual(encodeSafetensors(back.tensors), bytes);
});

Deno.test("round trip: scalars, empty tensors, and zero-size dimensions", () => {
  const tensors: Record<string, SafeTensor> = {
    s32: { dtype: "F32", shape: [], data: new Float32Array([7]) },
    s64: { dtype: "F64", shape: [], data: new Float64Array([-7.25]) },
    si: { dtype: "I32", shape: [], data: new Int32Array([-7]) },
    e0: { dtype: "F32", shape: [0], data: new Float32Array(0) },
    e1: { dtype: "F64", shape: [3, 0, 2], data: new Float64Array(0) },
    e2: { dtype: "I32", shape: [0], data: new Int32Array(0) },
  };
  assertSameTensors(decodeSafetensors(encodeSafetensors(tensors)).tensors, tensors);
  // A file of only empty tensors has an empty data buffer.
  const onlyEmpty = encodeSafetensors({ e: tensors.e0 });
  const n = Number(new DataView(onlyEmpty.buffer).getBigUint64(0, true));
  assert.equal(onlyEmpty.length, 8 + n);
  assertSameTensors(decodeSafetensors(onlyEmpty).tensors, { e: tensors.e0 });
});

Deno.test("round trip: metadata and unicode names", () => {
  const tensors: Record<string, SafeTensor> = {
    "重み.0": { dtype: "F32", shape: [1], data: new Float32Array([1]) },
    "😀": { dtype: "F32", shape: [1], data: new Float32Array([2]) },
    "\uff5e": { dtype: "F32", shape: [1], data: new Float32Array([3]) },
    'é\n"\\': { dtype: "I32", shape: [1], data: new Int32Array([4]) },
    "": { dtype: "F64", shape: [1], data: new Float64Array([5]) },
    // A computed key makes an own property (a literal `"__proto__":` would set the prototype).
    ["__proto__"]: { dtype: "F64", shape: [1], data: new Float64Array([6]) },
  };
  const metadata = { "format": "np", "ключ": "значение ✓", ["__proto__"]: "x", "empty": "" };
  const bytes = encodeSafetensors(tensors, metadata);
  const back = decodeSafetensors(bytes);
  assertSameTensors(back.tensors, tensors);
  assert.deepEqual(back.metadata, metadata);
  assert.equal(Object.getPrototypeOf(back.tensors), Object.prototype);
  assert.ok(Object.hasOwn(tensors, "__proto__") && Object.hasOwn(metadata, "__proto__"));
  assert.ok(Object.hasOwn(back.tensors, "__proto__"));
  assert.ok(Object.hasOwn(back.metadata, "__proto__"));
  // Names sort by code point (UTF-8 byte order, as Rust does): U+FF5E before U+1F600,
  // although in UTF-16 the emoji's surrogate 0xD83D sorts first.
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header["\uff5e"].data_offsets, [20, 24]);
  assert.deepEqual(header["😀"].data_offsets, [24, 28]);
});

Deno.test("round trip: typed-array views and unaligned input buffers", () => {
  // Encoding reads only the view's own bytes.
  const big = new Float32Array([9, 1, 2, 3, 9]);
  const view = big.subarray(1, 4);
  const bytes = encodeSafetensors({ v: { dtype: "F32", shape: [3], data: view } });
  assert.deepEqual(decodeSafetensors(bytes).tensors.v.data, new Float32Array([1, 2, 3]));
  // Decoding a file that sits at an odd offset in a larger buffer copies
  // into aligned arrays that do not alias the input.
  const shifted = new Uint8Array(bytes.length + 3);
  shifted.set(bytes, 3);
  const input = shifted.subarray(3);
  const got = decodeSafetensors(input).tensors.v;
  assert.deepEqual(got.data, new Float32Array([1, 2, 3]));
  assert.equal(got.data.byteOffset, 0);
  assert.notEqual(got.data.buffer, shifted.buffer);
  input.fill(0);
  assert.deepEqual(got.data, new Float32Array([1, 2, 3]));
});

Deno.test("save/load: atomic write to a new directory and read back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/dir/model.safetensors`;
    const tensors: Record<string, SafeTensor> = {
      w: { dtype: "F32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      n: { dtype: "I32", shape: [], data: new Int32Array([42]) },
    };
    await saveSafetensors(path, tensors, { epoch: "3" });
    assert.deepEqual(await Deno.readFile(path), encodeSafetensors(tensors, { epoch: "3" }));
    const back = await loadSafetensors(path);
    assertSameTensors(back.tensors, tensors);
    assert.deepEqual(back.metadata, { epoch: "3" });
    // Overwriting leaves no temporary files behind.
    await saveSafetensors(path, { w: tensors.w });
    const names = [...Deno.readDirSync(`${dir}/nested/dir`)].map((e) => e.name);
    assert.deepEqual(names, ["model.safetensors"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("load: errors include the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad.safetensors`;
    const good = encodeSafetensors({
      "fc1.weight": { dtype: "F32", shape: [2], data: new Float32Array(2) },
    });
    await Deno.writeFile(bad, good.subarray(0, good.length - 4));
    await assert.rejects(loadSafetensors(bad), (err: unknown) => {
      assert.ok(err instanceof SafetensorsError);
      assert.match(
        err.message,
        new RegExp(`^${RegExp.escape(bad)}: tensor 'fc1.weight': data_offsets \\[0, 8\\]`),
      );
      return true;
    });
    const missing = `${dir}/missing.safetensors`;
    await assert.rejects(loadSafetensors(missing), (err: unknown) => {
      assert.ok(err instanceof Deno.errors.NotFound);
      assert.ok(err.message.startsWith(`${missing}: `), err.message);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------
// Corrupt files

const ONE = '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';

Deno.test("corrupt: truncated header length", () => {
  assertDecodeError(new Uint8Array(0), "file is 0 bytes, too short for the 8-byte header length");
  assertDecodeError(
    new Uint8Array([8, 0, 0]),
    "file is 3 bytes, too short for the 8-byte header length",
  );
});

Deno.test("corrupt: header length beyond the file or over 100 MB", () => {
  const good = handmade(ONE, new Array(8).fill(0));
  assertDecodeError(
    good.subarray(0, 8 + 20),
    "header length 54 runs past the end of the file (28 bytes, so at most 20)",
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 100_000_001n, true);
  assertDecodeError(huge, /^header length 100000001 is over the 100000000-byte limit/);
  new DataView(huge.buffer).setBigUint64(0, 0xffff_ffff_ffff_ffffn, true);
  assertDecodeError(huge, /^header length 18446744073709551615 is over/);
  // Exactly at the limit is allowed by the limit check (then fails as too long for the file).
  new DataView(huge.buffer).setBigUint64(0, 100_000_000n, true);
  assertDecodeError(huge, /^header length 100000000 runs past the end of the file/);
});

Deno.test("corrupt: header not UTF-8, not JSON, or not an object", () => {
  const notUtf8 = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff, 0xfe, 0x7d]);
  assertDecodeError(notUtf8, "header is not valid UTF-8");
  assertDecodeError(handmade('{"t": {"dtype": "F32",'), /^header is not valid JSON: /);
  assertDecodeError(handmade("{} x"), /^header is not valid JSON: /);
  assertDecodeError(
    handmade("[1, 2]"),
    `header must be a JSON object starting with '{', got "[1, 2]"`,
  );
  assertDecodeError(handmade(" {}"), /^header must be a JSON object starting with '\{'/);
  assertDecodeError(handmade(""), `header must be a JSON object starting with '{', got ""`);
});

Deno.test("corrupt: unknown and unsupported dtypes", () => {
  assertDecodeError(
    handmade('{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
    `tensor 'w': unknown dtype "F33"`,
  );
  assertDecodeError(
    handmade('{"w":{"shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
    "tensor 'w': unknown dtype missing",
  );
  for (const dtype of ["F16", "BF16", "I64", "U8", "BOOL", "F8_E4M3", "F4"]) {
    assertDecodeError(
      handmade(`{"w":{"dtype":"${dtype}","shape":[1],"data_offsets":[0,8]}}`, new Array(8).fill(0)),
      `tensor 'w': dtype ${dtype} is not supported by neuronbook (supported: F32, F64, I32)`,
    );
  }
  assertDecodeError(handmade('{"w":[1,2]}'), /^tensor 'w': entry must be an object/);
});

Deno.test("corrupt: bad shapes and offsets", () => {
  const one = (shape: string, offsets: string, data = 4) =>
    handmade(
      `{"w":{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}}`,
      new Array(data).fill(0),
    );
  assertDecodeError(
    one("[-1]", "[0,4]"),
    "tensor 'w': shape must be an array of non-negative integers, got [-1]",
  );
  assertDecodeError(one("[1.5]", "[0,4]"), /^tensor 'w': shape must be .* got \[1\.5\]$/);
  assertDecodeError(one('"2"', "[0,4]"), /^tensor 'w': shape must be .* got "2"$/);
  assertDecodeError(
    one("[1]", "[0]"),
    "tensor 'w': data_offsets must be [begin, end] with non-negative integers, got [0]",
  );
  assertDecodeError(one("[1]", "[0,4,8]"), /^tensor 'w': data_offsets must be \[begin, end\]/);
  assertDecodeError(one("[1]", "[-4,0]"), /^tensor 'w': data_offsets must be \[begin, end\]/);
  assertDecodeError(
    one("[1]", "[0,18446744073709551616]"),
    /^tensor 'w': data_offsets must be \[begin, end\]/,
  );
  assertDecodeError(one("[0]", "[4,0]"), "tensor 'w': data_offsets [4, 0] end before they begin");
  assertDecodeError(
    one("[2]", "[0,8]"),
    "tensor 'w': data_offsets [0, 8] run past the end of the 4-byte data buffer",
  );
  // Overflowing element counts are computed exactly, not wrapped.
  assertDecodeError(
    one("[4294967296,4294967296,1]", "[0,4]"),
    "tensor 'w': data_offsets [0, 4] hold 4 bytes, but shape [4294967296, 4294967296, 1] of F32 needs 73786976294838206464",
  );
});

Deno.test("corrupt: shape and offsets disagree", () => {
  const header = '{"fc1.weight":{"dtype":"F32","shape":[5,10],"data_offsets":[0,100]}}';
  assertDecodeError(
    handmade(header, new Array(100).fill(0)),
    "tensor 'fc1.weight': data_offsets [0, 100] hold 100 bytes, but shape [5, 10] of F32 needs 200",
  );
  assertDecodeError(
    handmade('{"x":{"dtype":"F64","shape":[],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
    "tensor 'x': data_offsets [0, 4] hold 4 bytes, but shape [] of F64 needs 8",
  );
});

Deno.test("corrupt: overlapping, gapped, and trailing data", () => {
  const two = (a: string, b: string, data: number) =>
    handmade(
      `{"a":{"dtype":"I32","shape":[1],"data_offsets":${a}},` +
        `"b":{"dtype":"I32","shape":[1],"data_offsets":${b}}}`,
      new Array(data).fill(0),
    );
  assertDecodeError(
    two("[0,4]", "[2,6]", 8),
    "tensor 'b': data_offsets [2, 6] overlap tensor 'a' at [0, 4]",
  );
  assertDecodeError(
    two("[0,4]", "[0,4]", 4),
    "tensor 'b': data_offsets [0, 4] overlap tensor 'a' at [0, 4]",
  );
  assertDecodeError(
    two("[0,4]", "[8,12]", 12),
    "tensor 'b': data_offsets [8, 12] leave a gap: bytes [4, 8) after tensor 'a' belong to no tensor",
  );
  assertDecodeError(
    two("[4,8]", "[8,12]", 12),
    "tensor 'a': data_offsets [4, 8] leave a gap: bytes [0, 4) at the start of the buffer belong to no tensor",
  );
  assertDecodeError(
    two("[0,4]", "[4,8]", 10),
    "2 trailing bytes: the tensors cover [0, 8) of a 10-byte data buffer",
  );
  assertDecodeError(
    handmade("{}", [0]),
    "1 trailing bytes: the tensors cover [0, 0) of a 1-byte data buffer",
  );
  // Appending a byte to a valid file is caught.
  const good = encodeSafetensors({ a: { dtype: "I32", shape: [1], data: new Int32Array([1]) } });
  const longer = new Uint8Array(good.length + 1);
  longer.set(good);
  assertDecodeError(longer, "1 trailing bytes: the tensors cover [0, 4) of a 5-byte data buffer");
});

Deno.test("corrupt: bad metadata", () => {
  assertDecodeError(
    handmade('{"__metadata__":{"epoch":3}}'),
    "'__metadata__' entry 'epoch' must be a string, got 3",
  );
  assertDecodeError(
    handmade('{"__metadata__":{"a":"ok","b":{"c":"d"}}}'),
    `'__metadata__' entry 'b' must be a string, got {"c":"d"}`,
  );
  assertDecodeError(
    handmade('{"__metadata__":["a"]}'),
    `'__metadata__' must be an object of strings, got ["a"]`,
  );
  assertDecodeError(
    handmade('{"__metadata__":"a"}'),
    `'__metadata__' must be an object of strings, got "a"`,
  );
});

// ---------------------------------------------------------------------------
// Encoder input validation

Deno.test("encode: rejects inconsistent tensors and metadata", () => {
  const enc = (t: Record<string, unknown>, m?: Record<string, unknown>) => () =>
    encodeSafetensors(t as Record<string, SafeTensor>, m as Record<string, string>);
  const f32 = new Float32Array(6);
  assert.throws(
    enc({ w: { dtype: "F32", shape: [2, 2], data: f32 } }),
    new SafetensorsError("tensor 'w': shape [2, 2] has 4 elements, but data has 6"),
  );
  assert.throws(
    enc({ w: { dtype: "F64", shape: [6], data: f32 } }),
    new SafetensorsError("tensor 'w': dtype F64 needs a Float64Array, got Float32Array"),
  );
  assert.throws(
    enc({ w: { dtype: "F16", shape: [6], data: f32 } }),
    new SafetensorsError(`tensor 'w': dtype "F16" is not supported (use F32, F64 or I32)`),
  );
  assert.throws(
    enc({ w: { dtype: "F32", shape: [-6], data: f32 } }),
    /^SafetensorsError: tensor 'w': shape must be an array of non-negative integers/,
  );
  assert.throws(
    enc({ __metadata__: { dtype: "F32", shape: [6], data: f32 } }),
    /tensor name '__metadata__' is reserved/,
  );
  assert.throws(
    enc({ "\ud800": { dtype: "F32", shape: [6], data: f32 } }),
    /name contains a lone surrogate/,
  );
  assert.throws(
    enc({}, { epoch: 3 }),
    new SafetensorsError("metadata 'epoch': value must be a string, got 3"),
  );
});
