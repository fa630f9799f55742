// Shared helpers for the dataset tests (not a test file itself).
import { dirname, join } from "node:path";
import { loadMnist } from "../../datasets/mnist.ts";
import { encodeIdx } from "../../datasets/idx.ts";
import { Rng } from "../../lib/random.ts";

let found: Promise<string> | undefined;

/**
 * The folder holding the real MNIST .gz files, found the way users' code
 * finds them: `loadMnist()`'s own search ($NEURONBOOK_DATA, then the cache,
 * then a download into the cache). Fails (never skips) when none works,
 * with loadMnist's error saying what to put where.
 */
export function mnistDataDir(): Promise<string> {
  found ??= loadMnist({ log: (m) => console.error(`  ${m}`) }).then((d) =>
    dirname(d.sources["train-images-idx3-ubyte.gz"])
  );
  return found;
}

/** gzip-compresses bytes with the web CompressionStream. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A small synthetic MNIST-like split: IDX bytes (not gzipped) plus the raw arrays. */
export function syntheticSplit(
  count: number,
  seed: number,
  { rows = 28, cols = 28, labelCount = count } = {},
): { imagesIdx: Uint8Array; labelsIdx: Uint8Array; images: Uint8Array; labels: Uint8Array } {
  const rng = new Rng(seed);
  const images = new Uint8Array(count * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = new Uint8Array(labelCount);
  for (let i = 0; i < labels.length; i++) labels[i] = rng.int(10);
  return {
    imagesIdx: encodeIdx([count, rows, cols], images),
    labelsIdx: encodeIdx([labelCount], labels),
    images,
    labels,
  };
}

/** The four canonical .gz files of a small synthetic dataset, keyed by name. */
export async function syntheticGzFiles(
  seed = 1,
  trainCount = 12,
  testCount = 5,
): Promise<Record<string, Uint8Array>> {
  const train = syntheticSplit(trainCount, seed);
  const test = syntheticSplit(testCount, seed + 1000);
  return {
    "train-images-idx3-ubyte.gz": await gzip(train.imagesIdx),
    "train-labels-idx1-ubyte.gz": await gzip(train.labelsIdx),
    "t10k-images-idx3-ubyte.gz": await gzip(test.imagesIdx),
    "t10k-labels-idx1-ubyte.gz": await gzip(test.labelsIdx),
  };
}

/** Writes `files` (name -> bytes) into `dir`, creating it. */
export async function writeFiles(dir: string, files: Record<string, Uint8Array>): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(join(dir, name), bytes);
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "neuronbook-datasets-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs `fn` with environment variables set (undefined = deleted), restoring them after. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, Deno.env.get(k));
    if (v === undefined) Deno.env.delete(k);
    else Deno.env.set(k, v);
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
}
