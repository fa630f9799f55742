/**
 * MNIST and Fashion-MNIST loaders returning plain `Uint8Array`s.
 *
 * {@linkcode loadMnist} looks for the four IDX files in this order:
 *
 * 1. **A directory you provide**: `options.dir`, else the environment variable
 *    `NEURONBOOK_DATA`. The files may sit directly in it or in a `mnist/` /
 *    `fashion-mnist/` subfolder (the subfolder named after `kind` is searched
 *    first; keep both datasets in their own subfolders since their file names
 *    are the same). Gzipped (`train-images-idx3-ubyte.gz`) and plain
 *    (`train-images-idx3-ubyte`, also `train-images.idx3-ubyte`) names are
 *    accepted. These files are trusted as they are: **no checksum check**, since
 *    faithful re-encodings (such as a re-compressed copy) are not byte-identical
 *    to the published downloads.
 * 2. **The per-user cache**: `<cacheDir>/<kind>/`, with `cacheDir` =
 *    `options.cacheDir`, else `$NEURONBOOK_CACHE`, else
 *    `$XDG_CACHE_HOME/neuronbook`, else `~/.cache/neuronbook`. Files there must
 *    match the published SHA-256 sums.
 * 3. **Download** (unless `download: false`): each missing file is fetched from
 *    the mirrors in order, its SHA-256 checked (a mismatch moves on to the next
 *    mirror), and it is written atomically into the cache.
 *
 * If files are still missing, the error lists exactly which ones, where they
 * were looked for, where to put them and where to download them.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../lib/io/atomic_write.ts";
import { gunzip, parseIdx } from "./idx.ts";

/**
 * Which dataset: the handwritten digits or Zalando's clothing images (same
 * format, same sizes, same file names).
 *
 * @example
 * ```ts
 * import type { MnistKind } from "./mnist.ts";
 * const kind: MnistKind = "fashion-mnist";
 * ```
 */
export type MnistKind = "mnist" | "fashion-mnist";

/**
 * One split of the dataset. `images` holds `count * rows * cols` bytes,
 * row-major (image i, row r, column c at `(i * rows + r) * cols + c`), 0 =
 * background; `labels[i]` is the class 0..9 of image i.
 *
 * @example
 * ```ts
 * import type { ImageSet } from "./mnist.ts";
 * const set: ImageSet = {
 *   images: new Uint8Array(2 * 28 * 28),
 *   labels: new Uint8Array([3, 1]),
 *   count: 2,
 *   rows: 28,
 *   cols: 28,
 * };
 * ```
 */
export interface ImageSet {
  /** Pixels, `count * rows * cols` bytes, row-major. */
  images: Uint8Array;
  /** Class of each image, 0..9. */
  labels: Uint8Array;
  /** Number of images. */
  count: number;
  /** Image height (28). */
  rows: number;
  /** Image width (28). */
  cols: number;
}

/**
 * The result of {@linkcode loadMnist}: both splits, plus where each file
 * came from.
 *
 * @example
 * ```ts
 * import type { MnistData } from "./mnist.ts";
 * function describe(d: MnistData): string {
 *   return `${d.kind}: ${d.train.count} train, ${d.test.count} test`;
 * }
 * ```
 */
export interface MnistData {
  /** The 60,000 training images. */
  train: ImageSet;
  /** The 10,000 test images. */
  test: ImageSet;
  /** Which dataset this is. */
  kind: MnistKind;
  /** For each canonical file name, the path (or URL, if it could not be cached) it was read from. */
  sources: Record<string, string>;
}

/**
 * Options for {@linkcode loadMnist}.
 *
 * @example
 * ```ts
 * import type { LoadMnistOptions } from "./mnist.ts";
 * const offline: LoadMnistOptions = { dir: "./data", download: false };
 * ```
 */
export interface LoadMnistOptions {
  /** Directory holding the files (or a `mnist/` / `fashion-mnist/` subfolder); default `$NEURONBOOK_DATA`. Not checksum-verified. */
  dir?: string;
  /** Cache root (files go in `<cacheDir>/<kind>/`); default `$NEURONBOOK_CACHE`, `$XDG_CACHE_HOME/neuronbook` or `~/.cache/neuronbook`. */
  cacheDir?: string;
  /** Download missing files (default `true`). */
  download?: boolean;
  /** Base URLs to download from, tried in order; default {@linkcode MNIST_SOURCES}`[kind].mirrors`. */
  mirrors?: string[];
  /** `"mnist"` (default) or `"fashion-mnist"`. */
  kind?: MnistKind;
  /** The `fetch` to download with (inject one for tests). */
  fetch?: typeof fetch;
  /** SHA-256 (hex) per canonical `.gz` file name, overriding the published sums for cache and download checks. */
  checksums?: Record<string, string>;
  /**
   * A download from one mirror is abandoned (and the next one tried) when it
   * has not answered, or has sent no new data, for this many milliseconds
   * (default 30000).
   */
  timeoutMs?: number;
  /** Progress messages about downloads; default writes to `console.error`. */
  log?: (message: string) => void;
}

/**
 * The canonical (gzipped) file names, by role.
 *
 * @example
 * ```ts
 * import { MNIST_FILES } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MNIST_FILES.trainImages, "train-images-idx3-ubyte.gz");
 * ```
 */
export const MNIST_FILES = {
  trainImages: "train-images-idx3-ubyte.gz",
  trainLabels: "train-labels-idx1-ubyte.gz",
  testImages: "t10k-images-idx3-ubyte.gz",
  testLabels: "t10k-labels-idx1-ubyte.gz",
} as const;

/**
 * Where each dataset can be downloaded, and the published SHA-256 sums of its
 * gzipped files (as listed by tensorflow-datasets' checksum files and many
 * downloaders; the MNIST label sums match files byte-identical to the
 * originals, whose MD5s are the ones torchvision lists). Also the
 * per-pixel mean and standard deviation of the training images, scaled to
 * [0, 1].
 *
 * @example
 * ```ts
 * import { MNIST_SOURCES } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * assert.equal(MNIST_SOURCES.mnist.sha256["t10k-labels-idx1-ubyte.gz"].length, 64);
 * assert.ok(MNIST_SOURCES["fashion-mnist"].mirrors.length >= 1);
 * ```
 */
export const MNIST_SOURCES: Readonly<
  Record<
    MnistKind,
    {
      readonly title: string;
      readonly homepage: string;
      readonly mirrors: readonly string[];
      readonly sha256: Readonly<Record<string, string>>;
      readonly mean: number;
      readonly std: number;
    }
  >
> = {
  mnist: {
    title: "MNIST",
    homepage: "http://yann.lecun.com/exdb/mnist/",
    mirrors: [
      "https://ossci-datasets.s3.amazonaws.com/mnist/",
      "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ],
    sha256: {
      "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
      "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
      "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
      "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    },
    mean: 0.1307,
    std: 0.3081,
  },
  "fashion-mnist": {
    title: "Fashion-MNIST",
    homepage: "https://github.com/zalandoresearch/fashion-mnist",
    mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
    sha256: {
      "train-images-idx3-ubyte.gz":
        "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
      "train-labels-idx1-ubyte.gz":
        "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
      "t10k-images-idx3-ubyte.gz":
        "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
      "t10k-labels-idx1-ubyte.gz":
        "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
    },
    mean: 0.2860,
    std: 0.3530,
  },
};

const FILE_ORDER = [
  MNIST_FILES.trainImages,
  MNIST_FILES.trainLabels,
  MNIST_FILES.testImages,
  MNIST_FILES.testLabels,
] as const;

/**
 * SHA-256 of some bytes, as lowercase hex (via `crypto.subtle`).
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * assert.equal(
 *   await sha256Hex(new TextEncoder().encode("abc")),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads an environment variable; `denied` when `--allow-env` does not cover it. */
function readEnv(name: string): { value?: string; denied: boolean } {
  try {
    const value = Deno.env.get(name);
    return { value: value === "" ? undefined : value, denied: false };
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return { denied: true };
    }
    throw err;
  }
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

async function readIfFile(path: string): Promise<Uint8Array | undefined> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory) {
      return undefined;
    }
    throw new Error(`${path}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
}

/** The names a user might have for one canonical file, gzipped ones first. */
function alternativeNames(gzName: string): string[] {
  const plain = gzName.slice(0, -3); // train-images-idx3-ubyte
  const dotted = plain.replace(/-(idx\d)/, ".$1"); // train-images.idx3-ubyte
  return [gzName, plain, dotted];
}

interface Found {
  name: string;
  path: string;
  bytes: Uint8Array;
  gzipped: boolean;
}

interface Locations {
  userDirs: string[];
  userDirNote: string;
  cacheDir?: string;
  cacheNote: string;
}

function resolveLocations(
  kind: MnistKind,
  options: LoadMnistOptions,
  log: (message: string) => void,
): Locations {
  let userDir = options.dir;
  let userDirNote = "options.dir";
  if (userDir === undefined) {
    const env = readEnv("NEURONBOOK_DATA");
    userDir = env.value;
    userDirNote = env.denied
      ? "$NEURONBOOK_DATA (unreadable without --allow-env)"
      : "$NEURONBOOK_DATA";
  }
  const userDirs = userDir === undefined ? [] : [join(userDir, kind), userDir];
  if (userDir !== undefined && !isFolder(userDir)) {
    // Said, not thrown: the cache and the download may still have the files.
    log(`${userDirNote} is ${userDir}, which is not a folder; looking in the cache`);
  }

  let cacheRoot = options.cacheDir;
  let cacheNote = "options.cacheDir";
  if (cacheRoot === undefined) {
    const denied: string[] = [];
    const get = (name: string) => {
      const r = readEnv(name);
      if (r.denied) denied.push(name);
      return r.value;
    };
    const explicit = get("NEURONBOOK_CACHE");
    const xdg = explicit === undefined ? get("XDG_CACHE_HOME") : undefined;
    const home = explicit === undefined && xdg === undefined
      ? get("HOME") ?? get("USERPROFILE")
      : undefined;
    if (explicit !== undefined) {
      cacheRoot = explicit;
      cacheNote = "$NEURONBOOK_CACHE";
    } else if (xdg !== undefined) {
      cacheRoot = join(xdg, "neuronbook");
      cacheNote = "$XDG_CACHE_HOME/neuronbook";
    } else if (home !== undefined) {
      cacheRoot = join(home, ".cache", "neuronbook");
      cacheNote = "~/.cache/neuronbook";
    } else {
      cacheNote = denied.length > 0
        ? `no cache: could not read $${denied.join(", $")} (run with --allow-env)`
        : "no cache: none of $NEURONBOOK_CACHE, $XDG_CACHE_HOME, $HOME is set";
    }
  }
  return {
    userDirs,
    userDirNote,
    cacheDir: cacheRoot === undefined ? undefined : join(cacheRoot, kind),
    cacheNote,
  };
}

function joinUrl(base: string, name: string): string {
  return base.endsWith("/") ? base + name : `${base}/${name}`;
}

function guidance(
  kind: MnistKind,
  missing: readonly string[],
  loc: Locations,
  mirrors: readonly string[],
): string {
  const info = MNIST_SOURCES[kind];
  const lines: string[] = [];
  lines.push(`Missing ${info.title} files:`);
  for (const name of missing) lines.push(`  ${name}`);
  lines.push("Looked in:");
  if (loc.userDirs.length > 0) {
    for (const d of loc.userDirs) lines.push(`  ${d}   (${loc.userDirNote})`);
  } else {
    lines.push(
      loc.userDirNote.includes("unreadable")
        ? `  (no data directory: options.dir is not given and $NEURONBOOK_DATA could not be ` +
          `read: run with --allow-env)`
        : `  (no data directory: options.dir is not given and ${loc.userDirNote} is not set)`,
    );
  }
  if (loc.cacheDir !== undefined) {
    lines.push(
      `  ${loc.cacheDir}   (cache, ${loc.cacheNote}; files must match the published SHA-256)`,
    );
  } else {
    lines.push(`  (${loc.cacheNote})`);
  }
  lines.push(
    "To fix, put the files (gzipped or not) in a directory and either pass it as",
    `loadMnist({ dir }) or set NEURONBOOK_DATA=<dir>; the files may sit in <dir> itself or in <dir>/${kind}/.`,
  );
  if (loc.cacheDir !== undefined) {
    lines.push(`Or copy the published .gz files into the cache: ${loc.cacheDir}`);
  }
  lines.push("They can be downloaded from:");
  for (const name of missing) {
    for (const m of mirrors) lines.push(`  ${joinUrl(m, name)}`);
  }
  lines.push(`(${info.title}: ${info.homepage})`);
  return lines.join("\n");
}

async function fetchVerified(
  name: string,
  kind: MnistKind,
  mirrors: readonly string[],
  expected: string | undefined,
  fetchFn: typeof fetch,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<{ bytes: Uint8Array; url: string } | { failures: string[] }> {
  const failures: string[] = [];
  for (const mirror of mirrors) {
    const url = joinUrl(mirror, name);
    let bytes: Uint8Array;
    try {
      log(`${MNIST_SOURCES[kind].title}: downloading ${url}`);
      const got = await download(url, fetchFn, timeoutMs, log);
      if (typeof got === "string") {
        failures.push(got);
        continue;
      }
      bytes = got;
    } catch (err) {
      failures.push(`${url}: ${err instanceof Error ? err.message : err}`);
      continue;
    }
    if (expected !== undefined) {
      const got = await sha256Hex(bytes);
      if (got !== expected.toLowerCase()) {
        failures.push(`${url}: SHA-256 mismatch: expected ${expected}, got ${got}`);
        log(`${MNIST_SOURCES[kind].title}: ${url} has the wrong SHA-256, trying the next mirror`);
        continue;
      }
    } else {
      // No published sum to compare with: at least make sure it decodes.
      try {
        parseIdx(await gunzip(bytes));
      } catch (err) {
        failures.push(`${url}: ${err instanceof Error ? err.message : err}`);
        continue;
      }
    }
    return { bytes, url };
  }
  return { failures };
}

/**
 * The body at `url`, or a failure line. Gives up when the server has not
 * answered, or has sent nothing new, for `timeoutMs` (a watchdog reset by
 * every chunk), and logs progress about every 10%.
 */
async function download(
  url: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
  log: (message: string) => void,
): Promise<Uint8Array | string> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = (what: string) => {
    clearTimeout(timer);
    timer = setTimeout(
      () => controller.abort(new Error(`timed out after ${timeoutMs} ms ${what} (timeoutMs)`)),
      timeoutMs,
    );
  };
  try {
    watch("with no answer");
    const res = await fetchFn(url, { signal: controller.signal });
    if (!res.ok) {
      await res.body?.cancel();
      return `${url}: HTTP ${res.status} ${res.statusText}`.trimEnd();
    }
    const total = Number(res.headers.get("content-length")) || 0;
    const chunks: Uint8Array[] = [];
    let received = 0, reported = 0;
    watch("without new data");
    for await (const chunk of res.body ?? new ReadableStream<Uint8Array>()) {
      chunks.push(chunk);
      received += chunk.length;
      watch("without new data");
      if (total && received - reported >= total / 10 && received < total) {
        reported = received;
        log(`  ${Math.round((100 * received) / total)}% of ${(total / 1e6).toFixed(1)} MB`);
      }
    }
    const bytes = new Uint8Array(received);
    let at = 0;
    for (const c of chunks) bytes.set(c, at), at += c.length;
    return bytes;
  } catch (err) {
    const reason = controller.signal.aborted ? controller.signal.reason : err;
    return `${url}: ${reason instanceof Error ? reason.message : reason}`;
  } finally {
    clearTimeout(timer);
  }
}

async function decodeIdx(found: Found, expect: "images" | "labels") {
  try {
    const raw = found.gzipped ? await gunzip(found.bytes) : found.bytes;
    return parseIdx(raw, { expect });
  } catch (err) {
    throw new Error(`${found.path}: ${err instanceof Error ? err.message : err}`, { cause: err });
  }
}

async function assemble(images: Found, labels: Found): Promise<ImageSet> {
  const [img, lbl] = await Promise.all([decodeIdx(images, "images"), decodeIdx(labels, "labels")]);
  const [count, rows, cols] = img.dims;
  if (rows !== 28 || cols !== 28) {
    throw new Error(`${images.path}: images are ${rows}x${cols}, expected 28x28`);
  }
  if (lbl.dims[0] !== count) {
    throw new Error(
      `count mismatch: ${images.path} holds ${count} images but ${labels.path} holds ${
        lbl.dims[0]
      } labels`,
    );
  }
  const labelData = lbl.data;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i] > 9) {
      throw new Error(`${labels.path}: label ${labelData[i]} at index ${i} is outside 0..9`);
    }
  }
  return { images: img.data, labels: labelData, count, rows, cols };
}

/** `name` (under any of its usual spellings) in the user's data folders, if there. */
async function findInUserDirs(
  name: string,
  kind: MnistKind,
  loc: Locations,
): Promise<Found | undefined> {
  const info = MNIST_SOURCES[kind];
  const otherKind: MnistKind = kind === "mnist" ? "fashion-mnist" : "mnist";
  for (const dir of loc.userDirs) {
    for (const alt of alternativeNames(name)) {
      const path = join(dir, alt);
      const bytes = await readIfFile(path);
      if (bytes === undefined) continue;
      if (alt.endsWith(".gz") && name.includes("labels")) {
        // Same file names for both datasets: catch the other one's labels.
        const sum = await sha256Hex(bytes);
        if (sum === MNIST_SOURCES[otherKind].sha256[name]) {
          throw new Error(
            `${path}: this is the ${
              MNIST_SOURCES[otherKind].title
            } label file, not ${info.title}'s; keep each dataset in its own subfolder (<dir>/${kind}/ and <dir>/${otherKind}/)`,
          );
        }
      }
      return { name, path, bytes, gzipped: alt.endsWith(".gz") };
    }
  }
  return undefined;
}

/** `name` in the cache folder if there and matching its published sum (else said, and undefined). */
async function findInCache(
  name: string,
  cacheDir: string,
  expected: string | undefined,
  download: boolean,
  log: (message: string) => void,
): Promise<Found | undefined> {
  const path = join(cacheDir, name);
  const bytes = await readIfFile(path);
  if (bytes === undefined) return undefined;
  const got = await sha256Hex(bytes);
  if (expected !== undefined && got !== expected.toLowerCase()) {
    const problem = `${path}: SHA-256 mismatch: expected ${expected}, got ${got}`;
    if (!download) {
      throw new Error(
        `${problem}. The cached file is corrupt or not the published one: delete it, allow downloads, or put your own copy in a data directory (options.dir / NEURONBOOK_DATA), which is not checksum-verified.`,
      );
    }
    log(`${problem}; downloading it again`);
    return undefined;
  }
  return { name, path, bytes, gzipped: true };
}

/**
 * Loads MNIST (or Fashion-MNIST) as plain typed arrays: from `options.dir` /
 * `$NEURONBOOK_DATA`, then the checksum-verified cache, then (unless
 * `download: false`) the mirrors. See the module documentation for the
 * search order. Counts, sizes (28x28) and labels (0..9) are validated and
 * errors name the offending file.
 *
 * @example Offline with no files: the error says what is missing and where to put it
 * ```ts
 * import { loadMnist } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * await assert.rejects(
 *   loadMnist({ dir: "/nonexistent/data", cacheDir: "/nonexistent/cache", download: false }),
 *   (err: Error) => {
 *     assert.match(err.message, /train-images-idx3-ubyte\.gz/);
 *     assert.match(err.message, /NEURONBOOK_DATA/);
 *     return true;
 *   },
 * );
 * ```
 *
 * @example Typical use (needs the files, so not run here)
 * ```ts ignore
 * import { loadMnist, toFloat } from "./mnist.ts";
 * const { train, test } = await loadMnist();
 * const x = toFloat(train.images, { normalize: "standard" }); // Float32Array, 60000*784
 * ```
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData> {
  const kind = options.kind ?? "mnist";
  const info = MNIST_SOURCES[kind];
  if (info === undefined) {
    throw new RangeError(
      `loadMnist: unknown kind ${JSON.stringify(kind)}; use "mnist" or "fashion-mnist"`,
    );
  }
  const checksums: Record<string, string> = { ...info.sha256, ...options.checksums };
  const mirrors = options.mirrors ?? info.mirrors;
  const download = options.download ?? true;
  const log = options.log ?? ((m: string) => console.error(m));
  const loc = resolveLocations(kind, options, log);

  const found = new Map<string, Found>();
  for (const name of FILE_ORDER) {
    // (a) the user's directory: trusted as is.
    const mine = await findInUserDirs(name, kind, loc);
    if (mine) found.set(name, mine);
    if (found.has(name) || loc.cacheDir === undefined) continue;
    // (b) the cache: must match the published sum.
    const cached = await findInCache(name, loc.cacheDir, checksums[name], download, log);
    if (cached) found.set(name, cached);
  }

  const missing = FILE_ORDER.filter((name) => !found.has(name));
  if (missing.length > 0 && !download) {
    throw new Error(
      `${info.title}: ${missing.length} of 4 files not found and downloads are disabled (download: false).\n` +
        guidance(kind, missing, loc, mirrors),
    );
  }
  // (c) download what is missing, into the cache.
  const fetchFn = options.fetch ?? globalThis.fetch;
  for (const name of missing) {
    const result = await fetchVerified(
      name,
      kind,
      mirrors,
      checksums[name],
      fetchFn,
      options.timeoutMs ?? 30_000,
      log,
    );
    if ("failures" in result) {
      throw new Error(
        `${info.title}: could not download ${name}:\n` +
          result.failures.map((f) => `  - ${f}`).join("\n") + "\n" +
          guidance(kind, missing.filter((m) => !found.has(m)), loc, mirrors),
      );
    }
    let path = result.url;
    if (loc.cacheDir !== undefined) {
      path = join(loc.cacheDir, name);
      await writeFileAtomic(path, result.bytes);
    } else {
      log(`${info.title}: ${loc.cacheNote}; ${name} is not saved`);
    }
    found.set(name, { name, path, bytes: result.bytes, gzipped: true });
  }

  const get = (name: string) => found.get(name)!;
  const [train, test] = await Promise.all([
    assemble(get(MNIST_FILES.trainImages), get(MNIST_FILES.trainLabels)),
    assemble(get(MNIST_FILES.testImages), get(MNIST_FILES.testLabels)),
  ]);
  const sources: Record<string, string> = {};
  for (const name of FILE_ORDER) sources[name] = get(name).path;
  return { train, test, kind, sources };
}

/**
 * Options for {@linkcode toFloat}.
 *
 * @example
 * ```ts
 * import type { ToFloatOptions } from "./mnist.ts";
 * const fashion: ToFloatOptions = { normalize: "standard", mean: 0.2860, std: 0.3530 };
 * ```
 */
export interface ToFloatOptions {
  /**
   * `"unit"` (default): pixel / 255, in [0, 1]. `"standard"`: (pixel / 255 -
   * mean) / std. `"none"`: the raw 0..255 values as floats.
   */
  normalize?: "none" | "unit" | "standard";
  /** Mean for `"standard"`, on the [0, 1] scale (default MNIST's 0.1307). */
  mean?: number;
  /** Standard deviation for `"standard"`, on the [0, 1] scale (default MNIST's 0.3081). */
  std?: number;
}

/**
 * Converts bytes (pixels) to a new `Float32Array`, scaled to [0, 1] by
 * default or standardized with a given mean and std.
 *
 * @example
 * ```ts
 * import { toFloat } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * const px = new Uint8Array([0, 255, 51]);
 * assert.deepEqual([...toFloat(px)], [0, 1, Math.fround(0.2)]);
 * const z = toFloat(px, { normalize: "standard", mean: 0.5, std: 0.5 });
 * assert.deepEqual([...z], [-1, 1, Math.fround(-0.6)]);
 * ```
 */
export function toFloat(images: Uint8Array, options: ToFloatOptions = {}): Float32Array {
  const mode = options.normalize ?? "unit";
  const mean = options.mean ?? MNIST_SOURCES.mnist.mean;
  const std = options.std ?? MNIST_SOURCES.mnist.std;
  if (mode === "standard" && !(std > 0)) {
    throw new RangeError(`toFloat: std must be positive, got ${std}`);
  }
  const table = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    table[v] = mode === "none" ? v : mode === "unit" ? v / 255 : (v / 255 - mean) / std;
  }
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = table[images[i]];
  return out;
}

/**
 * Mean and standard deviation of pixels, on the [0, 1] scale (what
 * `toFloat(..., { normalize: "standard" })` needs).
 *
 * @example
 * ```ts
 * import { pixelStats } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * const { mean, std } = pixelStats(new Uint8Array([0, 255]));
 * assert.equal(mean, 0.5);
 * assert.equal(std, 0.5);
 * ```
 */
export function pixelStats(images: Uint8Array): { mean: number; std: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < images.length; i++) hist[images[i]]++;
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += hist[v] * (v / 255);
  const mean = sum / images.length;
  let sq = 0;
  for (let v = 0; v < 256; v++) sq += hist[v] * (v / 255 - mean) ** 2;
  return { mean, std: Math.sqrt(sq / images.length) };
}

/**
 * A contiguous range of an {@linkcode ImageSet} (views, no copy), e.g. the
 * first 1,000 images for a quick experiment.
 *
 * @example
 * ```ts
 * import { sliceImageSet } from "./mnist.ts";
 * import assert from "node:assert/strict";
 * const set = {
 *   images: new Uint8Array(3 * 4),
 *   labels: new Uint8Array([7, 8, 9]),
 *   count: 3,
 *   rows: 2,
 *   cols: 2,
 * };
 * const tail = sliceImageSet(set, 1, 3);
 * assert.equal(tail.count, 2);
 * assert.deepEqual([...tail.labels], [8, 9]);
 * assert.equal(tail.images.length, 8);
 * ```
 */
export function sliceImageSet(set: ImageSet, start: number, end: number = set.count): ImageSet {
  const s = Math.max(0, Math.min(set.count, Math.trunc(start)));
  const e = Math.max(s, Math.min(set.count, Math.trunc(end)));
  const size = set.rows * set.cols;
  return {
    images: set.images.subarray(s * size, e * size),
    labels: set.labels.subarray(s, e),
    count: e - s,
    rows: set.rows,
    cols: set.cols,
  };
}
