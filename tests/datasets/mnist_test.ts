import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzip } from "../../datasets/idx.ts";
import {
  loadMnist,
  MNIST_SOURCES,
  pixelStats,
  sha256Hex,
  sliceImageSet,
  toFloat,
} from "../../datasets/mnist.ts";
import {
  gzip,
  mnistDataDir,
  syntheticGzFiles,
  syntheticSplit,
  withEnv,
  withTempDir,
  writeFiles,
} from "./_fixtures.ts";

const NAMES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
];

function histogram(labels: Uint8Array): number[] {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
}

const quiet = () => {};

Deno.test("loadMnist reads the real MNIST from $NEURONBOOK_DATA", async () => {
  const dataDir = await mnistDataDir();
  await withTempDir(async (cache) => {
    const t0 = performance.now();
    // No `dir`: the directory comes from the environment variable.
    const { train, test, sources, kind } = await withEnv(
      { NEURONBOOK_DATA: dataDir },
      () => loadMnist({ cacheDir: cache, download: false }),
    );
    const ms = performance.now() - t0;
    console.log(`  full MNIST loaded in ${ms.toFixed(0)} ms`);
    assert.equal(kind, "mnist");
    assert.equal(
      sources["train-images-idx3-ubyte.gz"],
      join(dataDir, "train-images-idx3-ubyte.gz"),
    );

    assert.equal(train.count, 60000);
    assert.equal(test.count, 10000);
    for (const set of [train, test]) {
      assert.equal(set.rows, 28);
      assert.equal(set.cols, 28);
      assert.equal(set.images.length, set.count * 784);
      assert.equal(set.labels.length, set.count);
    }
    // The label files are byte-identical to the originals: the class counts are exact.
    const trainHist = histogram(train.labels);
    const testHist = histogram(test.labels);
    assert.deepEqual(trainHist, [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(testHist, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    assert.equal(trainHist.reduce((a, b) => a + b), 60000);
    assert.equal(testHist.reduce((a, b) => a + b), 10000);

    // Pixel statistics (README: train 0.1307/0.3082, test 0.1326/0.3106).
    const st = pixelStats(train.images);
    assert.ok(Math.abs(st.mean - 0.1307) < 5e-4, `train mean ${st.mean}`);
    assert.ok(Math.abs(st.std - 0.3081) < 1e-3, `train std ${st.std}`);
    const sv = pixelStats(test.images);
    assert.ok(Math.abs(sv.mean - 0.1325) < 1e-3, `test mean ${sv.mean}`);

    // Standardized floats have mean ~0 and std ~1.
    const x = toFloat(train.images, { normalize: "standard" });
    assert.equal(x.length, 60000 * 784);
    let sum = 0, sq = 0;
    for (let i = 0; i < x.length; i++) {
      sum += x[i];
      sq += x[i] * x[i];
    }
    const mean = sum / x.length;
    assert.ok(Math.abs(mean) < 2e-3, `standardized mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(sq / x.length - mean * mean) - 1) < 5e-3);

    // A digit has ink in the middle and none in the corners.
    assert.equal(train.images[0], 0);
    const first = sliceImageSet(train, 0, 1);
    assert.equal(first.labels[0], 5);
    assert.ok(first.images.reduce((a, b) => a + b, 0) > 10000);
  });
});

Deno.test("the MNIST label files found match the published SHA-256 sums", async () => {
  const dir = await mnistDataDir();
  for (const name of ["train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]) {
    assert.equal(
      await sha256Hex(await Deno.readFile(join(dir, name))),
      MNIST_SOURCES.mnist.sha256[name],
      name,
    );
  }
});

Deno.test("loadMnist: fashion-mnist refuses MNIST's files at the top of the directory", async () => {
  const dir = await mnistDataDir();
  await withTempDir(async (cache) => {
    await assert.rejects(
      loadMnist({ kind: "fashion-mnist", dir, cacheDir: cache, download: false }),
      /train-labels-idx1-ubyte\.gz: this is the MNIST label file, not Fashion-MNIST's/,
    );
  });
});

Deno.test("loadMnist: files in <dir>/mnist/ or <dir>/, gzipped or not", async () => {
  const files = await syntheticGzFiles(3, 10, 4);
  await withTempDir(async (root) => {
    const cache = join(root, "cache");
    // 1. A kind subfolder of NEURONBOOK_DATA.
    await writeFiles(join(root, "a", "mnist"), files);
    const a = await withEnv(
      { NEURONBOOK_DATA: join(root, "a") },
      () => loadMnist({ cacheDir: cache, download: false }),
    );
    assert.equal(a.train.count, 10);
    assert.equal(a.test.count, 4);
    assert.equal(a.sources["t10k-images-idx3-ubyte.gz"], join(root, "a", "mnist", NAMES[2]));

    // 2. Un-gzipped names, both spellings, directly in the directory.
    const plainDir = join(root, "b");
    await Deno.mkdir(plainDir);
    await Deno.writeFile(join(plainDir, "train-images-idx3-ubyte"), await gunzip(files[NAMES[0]]));
    await Deno.writeFile(join(plainDir, "train-labels.idx1-ubyte"), await gunzip(files[NAMES[1]]));
    await Deno.writeFile(join(plainDir, NAMES[2]), files[NAMES[2]]);
    await Deno.writeFile(join(plainDir, "t10k-labels-idx1-ubyte"), await gunzip(files[NAMES[3]]));
    const b = await loadMnist({ dir: plainDir, cacheDir: cache, download: false });
    assert.deepEqual(b.train.images, a.train.images);
    assert.deepEqual(b.train.labels, a.train.labels);
    assert.deepEqual(b.test.labels, a.test.labels);
    assert.equal(b.sources[NAMES[1]], join(plainDir, "train-labels.idx1-ubyte"));

    // 3. User-supplied files are NOT checked against the published sums
    //    (these synthetic files match none), and nothing is written to the cache.
    await assert.rejects(Deno.stat(cache), Deno.errors.NotFound);
  });
});

Deno.test("loadMnist: count mismatch, wrong size, bad label, swapped and truncated files", async () => {
  await withTempDir(async (root) => {
    const cache = join(root, "cache");
    const good = await syntheticGzFiles(5, 6, 3);
    const load = (dir: string) => loadMnist({ dir, cacheDir: cache, download: false });

    // Count mismatch: 6 training images, 5 labels.
    const d1 = join(root, "mismatch");
    const short = syntheticSplit(6, 9, { labelCount: 5 });
    await writeFiles(d1, { ...good, [NAMES[1]]: await gzip(short.labelsIdx) });
    await assert.rejects(load(d1), {
      message: `count mismatch: ${join(d1, NAMES[0])} holds 6 images but ${
        join(d1, NAMES[1])
      } holds 5 labels`,
    });

    // 27x28 images.
    const d2 = join(root, "size");
    await writeFiles(d2, {
      ...good,
      [NAMES[2]]: await gzip(syntheticSplit(3, 1, { rows: 27 }).imagesIdx),
    });
    await assert.rejects(load(d2), {
      message: `${join(d2, NAMES[2])}: images are 27x28, expected 28x28`,
    });

    // A label of 10.
    const d3 = join(root, "label");
    const labels = await gunzip(good[NAMES[3]]);
    labels[8 + 2] = 10;
    await writeFiles(d3, { ...good, [NAMES[3]]: await gzip(labels) });
    await assert.rejects(load(d3), {
      message: `${join(d3, NAMES[3])}: label 10 at index 2 is outside 0..9`,
    });

    // Images and labels swapped.
    const d4 = join(root, "swapped");
    await writeFiles(d4, { ...good, [NAMES[0]]: good[NAMES[1]], [NAMES[1]]: good[NAMES[0]] });
    await assert.rejects(load(d4), {
      message: `${
        join(d4, NAMES[0])
      }: bad magic 0x00000801, expected 0x00000803 (images): this is a label file`,
    });

    // A truncated real file.
    const d5 = join(root, "truncated");
    const realLabels = await gunzip(
      await Deno.readFile(join(await mnistDataDir(), "t10k-labels-idx1-ubyte.gz")),
    );
    await writeFiles(d5, { ...good, [NAMES[3]]: await gzip(realLabels.subarray(0, 8 + 4321)) });
    await assert.rejects(load(d5), {
      message: `${join(d5, NAMES[3])}: truncated: expected 10000 bytes of data, found 4321`,
    });

    // A corrupt gzip file.
    const d6 = join(root, "corrupt");
    const corrupt = good[NAMES[0]].slice();
    corrupt[corrupt.length >> 1] ^= 0xff;
    await writeFiles(d6, { ...good, [NAMES[0]]: corrupt });
    await assert.rejects(load(d6), (err: Error) => {
      assert.ok(err.message.startsWith(`${join(d6, NAMES[0])}: corrupt gzip: `), err.message);
      return true;
    });
  });
});

Deno.test("loadMnist offline: the error lists exactly the missing files and where to put them", async () => {
  const files = await syntheticGzFiles(2);
  await withTempDir(async (root) => {
    const dir = join(root, "data");
    const cache = join(root, "cache");
    await writeFiles(dir, { [NAMES[1]]: files[NAMES[1]], [NAMES[3]]: files[NAMES[3]] });
    const err = await loadMnist({ dir, cacheDir: cache, download: false }).then(
      () => assert.fail("should have failed"),
      (e: Error) => e,
    );
    const msg = err.message;
    assert.match(msg, /^MNIST: 2 of 4 files not found and downloads are disabled/);
    const lines = msg.split("\n");
    const missing = lines.slice(
      lines.indexOf("Missing MNIST files:") + 1,
      lines.indexOf("Looked in:"),
    ).map((l) => l.trim());
    assert.deepEqual(missing, [NAMES[0], NAMES[2]]);
    assert.ok(msg.includes(join(dir, "mnist")), msg);
    assert.ok(msg.includes(`${dir}   (options.dir)`), msg);
    assert.ok(msg.includes(join(cache, "mnist")), msg);
    assert.match(msg, /NEURONBOOK_DATA=<dir>/);
    assert.ok(
      msg.includes("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"),
    );
    assert.ok(
      msg.includes("https://storage.googleapis.com/cvdf-datasets/mnist/t10k-images-idx3-ubyte.gz"),
    );
    assert.ok(!msg.includes("train-labels-idx1-ubyte.gz\n"), "a present file is not listed");

    // Nothing at all, no directory configured: says so, and the cache from $NEURONBOOK_CACHE.
    const msg2 = await withEnv(
      { NEURONBOOK_DATA: undefined, NEURONBOOK_CACHE: join(root, "envcache") },
      () => loadMnist({ download: false }).then(() => "", (e: Error) => e.message),
    );
    assert.match(msg2, /^MNIST: 4 of 4 files not found/);
    assert.match(
      msg2,
      /no data directory: options.dir is not given and \$NEURONBOOK_DATA is not set/,
    );
    assert.ok(
      msg2.includes(`${join(root, "envcache", "mnist")}   (cache, $NEURONBOOK_CACHE`),
      msg2,
    );
  });
});

/** A local HTTP server with three "mirrors": /missing/ (404), /bad/ (wrong bytes), /good/. */
async function withMirrors(
  good: Record<string, Uint8Array>,
  bad: Record<string, Uint8Array>,
  fn: (base: string, requests: string[]) => Promise<void>,
): Promise<void> {
  const requests: string[] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => {
      const path = new URL(req.url).pathname;
      requests.push(path);
      const [, mirror, name] = path.split("/");
      const table = mirror === "good" ? good : mirror === "bad" ? bad : undefined;
      const body = table?.[name];
      return body
        ? new Response(body as Uint8Array<ArrayBuffer>)
        : new Response("no", { status: 404 });
    },
  );
  try {
    await fn(`http://127.0.0.1:${server.addr.port}`, requests);
  } finally {
    await server.shutdown();
  }
}

Deno.test("loadMnist download: 404 and checksum-mismatch mirrors are skipped, files are cached", async () => {
  const good = await syntheticGzFiles(11, 8, 4);
  const bad = await syntheticGzFiles(12, 8, 4); // valid files, wrong content
  const checksums: Record<string, string> = {};
  for (const name of NAMES) checksums[name] = await sha256Hex(good[name]);

  await withMirrors(good, bad, async (base, requests) => {
    await withTempDir(async (root) => {
      const cache = join(root, "cache");
      const empty = join(root, "empty");
      await Deno.mkdir(empty);
      const logs: string[] = [];
      let fetches = 0;
      const countingFetch: typeof fetch = (input, init) => {
        fetches++;
        return fetch(input, init);
      };
      const mirrors = [`${base}/missing/`, `${base}/bad`, `${base}/good/`];
      const data = await loadMnist({
        dir: empty,
        cacheDir: cache,
        mirrors,
        checksums,
        fetch: countingFetch,
        log: (m) => logs.push(m),
      });
      assert.equal(data.train.count, 8);
      assert.equal(data.test.count, 4);
      assert.deepEqual(data.train.images, await gunzip(good[NAMES[0]]).then((b) => b.subarray(16)));
      assert.equal(fetches, 12);
      assert.deepEqual(
        requests,
        NAMES.flatMap((n) => [`/missing/${n}`, `/bad/${n}`, `/good/${n}`]),
      );
      assert.ok(logs.some((l) => l.includes("wrong SHA-256")), logs.join("\n"));
      // Written to <cache>/mnist/, byte for byte, with no temporary files left.
      for (const name of NAMES) {
        const path = join(cache, "mnist", name);
        assert.deepEqual(await Deno.readFile(path), good[name]);
        assert.equal(data.sources[name], path);
      }
      const left = [];
      for await (const e of Deno.readDir(join(cache, "mnist"))) left.push(e.name);
      assert.deepEqual(left.sort(), [...NAMES].sort());

      // Second load: from the verified cache, no network.
      const again = await loadMnist({
        dir: empty,
        cacheDir: cache,
        checksums,
        fetch: () => Promise.reject(new Error("no network in this test")),
      });
      assert.deepEqual(again.test.labels, data.test.labels);

      // A corrupted cache file is refused offline, naming the file and both sums...
      const cachedPath = join(cache, "mnist", NAMES[3]);
      const broken = good[NAMES[3]].slice();
      broken[20] ^= 1;
      await Deno.writeFile(cachedPath, broken);
      const gotSum = await sha256Hex(broken);
      await assert.rejects(
        loadMnist({ dir: empty, cacheDir: cache, checksums, download: false }),
        (err: Error) => {
          assert.ok(
            err.message.startsWith(
              `${cachedPath}: SHA-256 mismatch: expected ${checksums[NAMES[3]]}, got ${gotSum}`,
            ),
            err.message,
          );
          return true;
        },
      );
      // ...and downloaded again when downloads are allowed.
      requests.length = 0;
      const healed = await loadMnist({
        dir: empty,
        cacheDir: cache,
        checksums,
        mirrors: [`${base}/good/`],
        log: quiet,
      });
      assert.deepEqual(requests, [`/good/${NAMES[3]}`]);
      assert.deepEqual(await Deno.readFile(cachedPath), good[NAMES[3]]);
      assert.deepEqual(healed.test.labels, data.test.labels);
    });
  });
});

Deno.test("loadMnist download: all mirrors wrong -> error names the file, expected and got sums", async () => {
  const good = await syntheticGzFiles(21, 4, 2);
  const bad = await syntheticGzFiles(22, 4, 2);
  const checksums: Record<string, string> = {};
  for (const name of NAMES) checksums[name] = await sha256Hex(good[name]);
  await withMirrors(good, bad, async (base) => {
    await withTempDir(async (root) => {
      const cache = join(root, "cache");
      const err = await loadMnist({
        dir: join(root, "none"),
        cacheDir: cache,
        checksums,
        mirrors: [`${base}/bad/`, `${base}/missing/`],
        log: quiet,
      }).then(() => assert.fail("should have failed"), (e: Error) => e);
      const msg = err.message;
      assert.match(msg, /^MNIST: could not download train-images-idx3-ubyte\.gz:/);
      const gotSum = await sha256Hex(bad[NAMES[0]]);
      assert.ok(
        msg.includes(
          `${base}/bad/${NAMES[0]}: SHA-256 mismatch: expected ${
            checksums[NAMES[0]]
          }, got ${gotSum}`,
        ),
        msg,
      );
      assert.ok(msg.includes(`${base}/missing/${NAMES[0]}: HTTP 404`), msg);
      // The error also says where the files could be put instead.
      assert.match(msg, /Missing MNIST files:/);
      assert.match(msg, /NEURONBOOK_DATA/);
      // Nothing unverified reached the cache.
      await assert.rejects(Deno.stat(join(cache, "mnist", NAMES[0])), Deno.errors.NotFound);
    });
  });
});

Deno.test("loadMnist download: a network failure moves on to the next mirror", async () => {
  const good = await syntheticGzFiles(31, 3, 2);
  const checksums: Record<string, string> = {};
  for (const name of NAMES) checksums[name] = await sha256Hex(good[name]);
  await withMirrors(good, {}, async (base) => {
    await withTempDir(async (root) => {
      const tried: string[] = [];
      const flaky: typeof fetch = (input, init) => {
        const url = String(input);
        tried.push(url);
        if (url.startsWith("https://unreachable.invalid/")) {
          return Promise.reject(new TypeError("error sending request: dns error"));
        }
        return fetch(input, init);
      };
      const data = await loadMnist({
        dir: join(root, "none"),
        cacheDir: join(root, "cache"),
        kind: "fashion-mnist",
        checksums,
        mirrors: ["https://unreachable.invalid/", `${base}/good/`],
        fetch: flaky,
        log: quiet,
      });
      assert.equal(data.kind, "fashion-mnist");
      assert.equal(data.train.count, 3);
      assert.equal(tried.length, 8);
      assert.equal(data.sources[NAMES[0]], join(root, "cache", "fashion-mnist", NAMES[0]));
    });
  });
});

Deno.test("loadMnist download: a mirror that hangs times out, the next one is used", async () => {
  const good = await syntheticGzFiles(41, 2, 2);
  const checksums: Record<string, string> = {};
  for (const name of NAMES) checksums[name] = await sha256Hex(good[name]);
  const { promise: release, resolve } = Promise.withResolvers<void>();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
    const [, mirror, name] = new URL(req.url).pathname.split("/");
    if (mirror === "slow") {
      await release;
      return new Response("late", { status: 503 });
    }
    return new Response(good[name] as Uint8Array<ArrayBuffer>);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await withTempDir(async (root) => {
      const logs: string[] = [];
      const t0 = performance.now();
      const err = await loadMnist({
        dir: join(root, "none"),
        cacheDir: join(root, "cache"),
        checksums,
        mirrors: [`${base}/slow/`],
        timeoutMs: 100,
        log: (m) => logs.push(m),
      }).then(() => assert.fail("should time out"), (e: Error) => e);
      assert.ok(performance.now() - t0 < 5000);
      assert.match(err.message, /slow\/train-images-idx3-ubyte\.gz: timed out after 100 ms/);
      const data = await loadMnist({
        dir: join(root, "none"),
        cacheDir: join(root, "cache"),
        checksums,
        mirrors: [`${base}/slow/`, `${base}/good/`],
        timeoutMs: 100,
        log: quiet,
      });
      assert.equal(data.train.count, 2);
    });
  } finally {
    resolve();
    await server.shutdown();
  }
});

Deno.test("toFloat, pixelStats, sliceImageSet", () => {
  const px = new Uint8Array([0, 51, 255]);
  assert.deepEqual([...toFloat(px, { normalize: "none" })], [0, 51, 255]);
  assert.deepEqual([...toFloat(px)], [0, Math.fround(0.2), 1]);
  const z = toFloat(px, { normalize: "standard" });
  assert.ok(Math.abs(z[0] - -0.1307 / 0.3081) < 1e-6);
  assert.throws(() => toFloat(px, { normalize: "standard", std: 0 }), RangeError);
  assert.deepEqual(pixelStats(new Uint8Array([255, 255])), { mean: 1, std: 0 });
  const set = {
    images: new Uint8Array(5 * 4),
    labels: new Uint8Array(5),
    count: 5,
    rows: 2,
    cols: 2,
  };
  assert.equal(sliceImageSet(set, 3, 99).count, 2);
  assert.equal(sliceImageSet(set, 4, 2).count, 0);
});
