import assert from "node:assert/strict";
import { join } from "node:path";
import { encodeIdx, gunzip, parseIdx, readIdxFile } from "../../datasets/idx.ts";
import { gzip, mnistDataDir, syntheticSplit, withTempDir } from "./_fixtures.ts";

Deno.test("readIdxFile parses the real MNIST files", async () => {
  const dir = await mnistDataDir();
  const trainImages = await readIdxFile(join(dir, "train-images-idx3-ubyte.gz"));
  assert.deepEqual(trainImages.dims, [60000, 28, 28]);
  assert.equal(trainImages.data.length, 60000 * 784);
  const trainLabels = await readIdxFile(join(dir, "train-labels-idx1-ubyte.gz"), {
    expect: "labels",
  });
  assert.deepEqual(trainLabels.dims, [60000]);
  const testImages = await readIdxFile(join(dir, "t10k-images-idx3-ubyte.gz"), {
    expect: "images",
  });
  assert.deepEqual(testImages.dims, [10000, 28, 28]);
  const testLabels = await readIdxFile(join(dir, "t10k-labels-idx1-ubyte.gz"));
  assert.deepEqual(testLabels.dims, [10000]);
  // The first training labels of MNIST are well known: 5 0 4 1 9 2 1 3 1 4.
  assert.deepEqual([...trainLabels.data.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
});

Deno.test("parseIdx: header and dims of a synthetic image file", () => {
  const s = syntheticSplit(3, 7, { rows: 4, cols: 5 });
  const parsed = parseIdx(s.imagesIdx, { expect: "images" });
  assert.deepEqual(parsed.dims, [3, 4, 5]);
  assert.deepEqual(parsed.data, s.images);
  // data is a view, not a copy
  assert.equal(parsed.data.buffer, s.imagesIdx.buffer);
  assert.deepEqual(parseIdx(s.labelsIdx).data, s.labels);
});

Deno.test("parseIdx: truncated data and trailing data", () => {
  const s = syntheticSplit(2, 1); // 16-byte header + 1568 bytes
  assert.throws(
    () => parseIdx(s.imagesIdx.subarray(0, 16 + 1000)),
    { message: "truncated: expected 1568 bytes of data, found 1000" },
  );
  const longer = new Uint8Array(s.imagesIdx.length + 3);
  longer.set(s.imagesIdx);
  assert.throws(
    () => parseIdx(longer),
    /^Error: trailing data: expected 1568 bytes of data, found 1571/,
  );
  assert.throws(() => parseIdx(s.imagesIdx.subarray(0, 10)), {
    message: "truncated: the header needs 16 bytes, found 10",
  });
  assert.throws(() => parseIdx(new Uint8Array([0, 0])), /^Error: truncated: 2 bytes is too short/);
});

Deno.test("parseIdx: bad magic, type byte and dimension count", () => {
  const s = syntheticSplit(1, 2);
  const bad = s.labelsIdx.slice();
  bad[0] = 0x12;
  assert.throws(() => parseIdx(bad), {
    message: "bad magic 0x12000801, expected 0x00000803 (images) or 0x00000801 (labels)",
  });
  const float = s.labelsIdx.slice();
  float[2] = 0x0d;
  assert.throws(
    () => parseIdx(float),
    /^Error: bad magic 0x00000d01, expected 0x00000803 \(images\) or 0x00000801 \(labels\): data type byte 0x0d is not unsigned byte/,
  );
  const twoDims = s.labelsIdx.slice();
  twoDims[3] = 2;
  assert.throws(() => parseIdx(twoDims), /bad magic 0x00000802, .*2 dimensions/);
  assert.throws(
    () => parseIdx(s.labelsIdx, { expect: "images" }),
    { message: "bad magic 0x00000801, expected 0x00000803 (images): this is a label file" },
  );
});

Deno.test("parseIdx: gzip bytes get a hint", async () => {
  const gz = await gzip(syntheticSplit(1, 3).labelsIdx);
  assert.throws(() => parseIdx(gz), /^Error: bad magic 0x1f8b.*looks like gzip data/);
});

Deno.test("encodeIdx rejects inconsistent input", () => {
  assert.throws(() => encodeIdx([2, 2], new Uint8Array(4)), RangeError);
  assert.throws(() => encodeIdx([3], new Uint8Array(4)), /need 3 bytes, got 4/);
});

Deno.test("gunzip: round trip, corrupt, truncated and non-gzip input", async () => {
  const raw = syntheticSplit(20, 4).imagesIdx;
  const gz = await gzip(raw);
  assert.deepEqual(await gunzip(gz), raw);

  const flipped = gz.slice();
  flipped[Math.floor(gz.length / 2)] ^= 0xff;
  await assert.rejects(gunzip(flipped), /^Error: corrupt gzip: /);
  await assert.rejects(gunzip(gz.subarray(0, gz.length - 100)), /^Error: corrupt gzip: /);
  const badCrc = gz.slice();
  badCrc[gz.length - 6] ^= 0x01;
  await assert.rejects(gunzip(badCrc), /^Error: corrupt gzip: /);
  await assert.rejects(
    gunzip(raw),
    { message: "corrupt gzip: not gzip data (starts with 0x0000, expected 0x1f8b)" },
  );
  await assert.rejects(gunzip(new Uint8Array(5)), /corrupt gzip: 5 bytes is shorter/);
});

Deno.test("gunzip: a trailer whose ISIZE (length) is wrong is corrupt", async () => {
  const raw = new Uint8Array(300_000).map((_, i) => (i * 13) & 0xff);
  const gz = await gzip(raw);
  const lying = gz.slice();
  lying.set([16, 0, 0, 0], lying.length - 4); // ISIZE claims 16 bytes
  await assert.rejects(gunzip(lying), /^Error: corrupt gzip: /);
});

Deno.test("readIdxFile: every error names the file", async () => {
  await withTempDir(async (dir) => {
    const real = await Deno.readFile(join(await mnistDataDir(), "t10k-labels-idx1-ubyte.gz"));
    const labels = await gunzip(real);

    // Truncated (un-gzipped name: no decompression).
    const truncated = join(dir, "t10k-labels-idx1-ubyte");
    await Deno.writeFile(truncated, labels.subarray(0, 8 + 9000));
    await assert.rejects(readIdxFile(truncated), {
      message: `${truncated}: truncated: expected 10000 bytes of data, found 9000`,
    });

    // Truncated inside a valid gzip stream.
    const truncatedGz = join(dir, "short-labels-idx1-ubyte.gz");
    await Deno.writeFile(truncatedGz, await gzip(labels.subarray(0, 8 + 5)));
    await assert.rejects(readIdxFile(truncatedGz), {
      message: `${truncatedGz}: truncated: expected 10000 bytes of data, found 5`,
    });

    // Bad magic.
    const badMagic = join(dir, "bad-magic-idx1-ubyte.gz");
    const b = labels.slice();
    b[3] = 0x03;
    await Deno.writeFile(badMagic, await gzip(b));
    await assert.rejects(
      readIdxFile(badMagic, { expect: "labels" }),
      {
        message:
          `${badMagic}: bad magic 0x00000803, expected 0x00000801 (labels): this is an image file`,
      },
    );

    // Corrupt gzip (a byte of the real file flipped).
    const corrupt = join(dir, "corrupt-idx1-ubyte.gz");
    const c = real.slice();
    c[2000] ^= 0x55;
    await Deno.writeFile(corrupt, c);
    await assert.rejects(readIdxFile(corrupt), (err: Error) => {
      assert.ok(err.message.startsWith(`${corrupt}: corrupt gzip: `), err.message);
      return true;
    });

    // Missing file.
    const missing = join(dir, "nope.gz");
    await assert.rejects(readIdxFile(missing), {
      name: "NotFound",
      message: `${missing}: no such file`,
    });
  });
});
