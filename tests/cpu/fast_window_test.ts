// The fast CPU backend's im2col/col2im kernels (WebAssembly, one padded plane
// at a time in the scratch block, vector rows for strides 1 and 2) against the
// plain-JS reference kernels of lib/cpu/window.ts: bit-identical on odd sizes,
// every stride and padding up to 3, with and without the worker threads.
import assert from "node:assert/strict";
import { col2im, im2col } from "../../lib/cpu/window.ts";
import { FastCpuBackend, setCpuThreads } from "../../lib/cpu/fast_backend.ts";
import type { WindowGeometry } from "../../lib/op_set.ts";
import { Rng } from "../../lib/random.ts";

const fast = new FastCpuBackend("cpu-window-test");

function geometry(
  [n, c, h, w]: number[],
  kh: number,
  kw: number,
  stride: number,
  padding: number,
): WindowGeometry | undefined {
  if (kh > h + 2 * padding || kw > w + 2 * padding) return undefined;
  const outH = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const outW = Math.floor((w + 2 * padding - kw) / stride) + 1;
  return { n, c, h, w, kh, kw, stride, padding, outH, outW };
}

/** Random values with some -0 and exact zeros among them (col2im must keep their sums exact). */
function values(size: number, rng: Rng): Float32Array {
  return Float32Array.from(
    { length: size },
    (_, i) => i % 13 === 0 ? -0 : i % 17 === 0 ? 0 : rng.normal(),
  );
}

/** The fast backend's im2col and col2im of `x` / `cols`, as plain arrays. */
function fastWindow(g: WindowGeometry, x: Float32Array, cols: Float32Array) {
  const image = [g.n, g.c, g.h, g.w], colShape = [g.n, g.c * g.kh * g.kw, g.outH * g.outW];
  const info = (data: Float32Array, shape: number[]) => ({
    storage: fast.upload(data, "float32"),
    shape,
    dtype: "float32" as const,
    size: data.length,
  });
  const spec = (shape: number[], size: number) => ({ shape, dtype: "float32" as const, size });
  const ix = info(x, image), ic = info(cols, colShape);
  const c = fast.kernels.im2col([ix], { geom: g }, spec(colShape, cols.length));
  const i = fast.kernels.col2im([ic], { geom: g }, spec(image, x.length));
  const out = {
    cols: Float32Array.from(c as Float32Array),
    image: Float32Array.from(i as Float32Array),
  };
  for (const s of [ix.storage, ic.storage, c, i]) fast.dispose(s);
  return out;
}

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const a = new Uint32Array(actual.buffer), e = new Uint32Array(expected.buffer);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Compares both kernels with the reference for every window of `kernels` on `shape`. */
function checkShape(shape: number[], kernels: number[][], rng: Rng): number {
  let checked = 0;
  for (const [kh, kw] of kernels) {
    for (const stride of [1, 2, 3]) {
      for (const padding of [0, 1, 2, 3]) {
        const g = geometry(shape, kh, kw, stride, padding);
        if (!g) continue;
        const x = values(g.n * g.c * g.h * g.w, rng);
        const cols = values(g.n * g.c * g.kh * g.kw * g.outH * g.outW, rng);
        const refCols = new Float32Array(cols.length), refImage = new Float32Array(x.length);
        im2col(x, g, refCols);
        col2im(cols, g, refImage);
        const got = fastWindow(g, x, cols);
        const what = `[${shape}] k${kh}x${kw} s${stride} p${padding}`;
        assertSameBits(got.cols, refCols, `im2col ${what}`);
        assertSameBits(got.image, refImage, `col2im ${what}`);
        checked++;
      }
    }
  }
  return checked;
}

const KERNELS = [[1, 1], [2, 2], [3, 3], [5, 5], [2, 3], [3, 1]];

Deno.test("fast im2col/col2im are bit-identical to the reference on odd sizes, strides, paddings", () => {
  const rng = new Rng(11);
  let checked = 0;
  for (const shape of [[1, 1, 1, 1], [1, 1, 3, 3], [2, 3, 17, 17], [1, 2, 3, 17], [1, 1, 65, 9]]) {
    checked += checkShape(shape, KERNELS, rng);
  }
  assert.ok(checked > 150, `only ${checked} geometries checked`);
});

Deno.test("fast im2col/col2im: LeNet-5's windows, a large plane, and on two threads", async () => {
  const rng = new Rng(12);
  const before = setCpuThreads(2);
  try {
    await fast.threadsReady();
    // conv1 (5x5, pad 2), conv2 (5x5), both max pools (2x2, stride 2), at batch 64.
    checkShape([64, 1, 28, 28], [[5, 5]], rng);
    checkShape([64, 6, 14, 14], [[5, 5], [2, 2]], rng);
    checkShape([64, 16, 10, 10], [[2, 2]], rng);
    // A plane larger than the scratch block takes the row-by-row path.
    checkShape([1, 1, 300, 301], [[3, 3]], rng);
  } finally {
    setCpuThreads(before);
  }
});
