import assert from "node:assert/strict";
import { col2im, im2col } from "../../lib/cpu/window.ts";
import type { WindowGeometry } from "../../lib/op_set.ts";
import { Rng } from "../../lib/random.ts";

type Floats = Float32Array | Float64Array;
type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function geometry(
  n: number,
  c: number,
  h: number,
  w: number,
  kh: number,
  kw: number,
  stride: number,
  padding: number,
): WindowGeometry {
  const outH = Math.floor((h + 2 * padding - kh) / stride) + 1;
  const outW = Math.floor((w + 2 * padding - kw) / stride) + 1;
  return { n, c, h, w, kh, kw, stride, padding, outH, outW };
}

/** Image and column sizes of a geometry. */
function sizes(g: WindowGeometry): { image: number; cols: number } {
  return { image: g.n * g.c * g.h * g.w, cols: g.n * g.c * g.kh * g.kw * g.outH * g.outW };
}

/**
 * Calls `visit(colIndex, imageIndex)` for every column entry, in storage
 * order; imageIndex is -1 where the entry reads the zero padding.
 */
function forEachEntry(g: WindowGeometry, visit: (col: number, image: number) => void): void {
  const { n, c, h, w, kh, kw, stride, padding, outH, outW } = g;
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const row = (ci * kh + ky) * kw + kx;
          for (let oy = 0; oy < outH; oy++) {
            for (let ox = 0; ox < outW; ox++) {
              const col = (ni * c * kh * kw + row) * outH * outW + oy * outW + ox;
              const iy = oy * stride + ky - padding, ix = ox * stride + kx - padding;
              const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
              visit(col, inside ? ((ni * c + ci) * h + iy) * w + ix : -1);
            }
          }
        }
      }
    }
  }
}

function naiveIm2col(x: Floats, g: WindowGeometry, out: Floats): void {
  forEachEntry(g, (col, image) => out[col] = image < 0 ? 0 : x[image]);
}

function naiveCol2im(cols: Floats, g: WindowGeometry, out: Floats): void {
  out.fill(0);
  forEachEntry(g, (col, image) => {
    if (image >= 0) out[image] += cols[col];
  });
}

function random(Ctor: Ctor, size: number, rng: Rng): Floats {
  const x = new Ctor(size);
  for (let i = 0; i < size; i++) x[i] = rng.normal();
  return x;
}

function assertClose(actual: Floats, expected: Floats, tol: number, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
      assert.fail(`${what}: [${i}] = ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Geometries covering strides 1-3, padding 0-2, non-square kernels and images, kernels larger than the image. */
const GEOMETRIES: WindowGeometry[] = [
  geometry(1, 1, 3, 3, 2, 2, 1, 0),
  geometry(2, 3, 7, 5, 3, 2, 1, 0),
  geometry(2, 3, 7, 5, 3, 2, 2, 0),
  geometry(2, 3, 7, 5, 3, 2, 1, 2),
  geometry(2, 3, 7, 5, 3, 2, 2, 2),
  geometry(1, 2, 6, 9, 2, 4, 2, 2),
  geometry(1, 2, 9, 6, 5, 1, 1, 2),
  geometry(1, 1, 8, 8, 2, 2, 2, 0), // 2x2 max-pool shape
  geometry(3, 1, 28, 28, 5, 5, 1, 2), // LeNet conv1
  geometry(1, 2, 2, 3, 5, 4, 1, 2), // kernel larger than the image
  geometry(1, 2, 10, 11, 3, 3, 3, 1),
  geometry(1, 1, 1, 1, 1, 1, 1, 0),
];

function label(g: WindowGeometry): string {
  return `n${g.n} c${g.c} ${g.h}x${g.w} k${g.kh}x${g.kw} s${g.stride} p${g.padding}`;
}

for (
  const [name, Ctor, tol] of [["float32", Float32Array, 1e-5], [
    "float64",
    Float64Array,
    1e-12,
  ]] as const
) {
  Deno.test(`im2col ${name} matches the naive definition (zero padding, strides, non-square)`, () => {
    const rng = new Rng(11);
    for (const g of GEOMETRIES) {
      const { image, cols } = sizes(g);
      const x = random(Ctor, image, rng);
      const expected = new Ctor(cols);
      naiveIm2col(x, g, expected);
      const actual = new Ctor(cols).fill(NaN); // every element must be written
      im2col(x, g, actual);
      assert.deepEqual(actual, expected, label(g)); // pure copies: exact
    }
  });

  Deno.test(`col2im ${name} matches the naive scatter-add and overwrites its output`, () => {
    const rng = new Rng(12);
    for (const g of GEOMETRIES) {
      const { image, cols } = sizes(g);
      const y = random(Ctor, cols, rng);
      const expected = new Ctor(image);
      naiveCol2im(y, g, expected);
      const actual = new Ctor(image).fill(NaN); // zeroed first, not accumulated into
      col2im(y, g, actual);
      assertClose(actual, expected, tol, label(g));
    }
  });
}

Deno.test("col2im is the adjoint of im2col: sum(im2col(x) * y) == sum(x * col2im(y)) in float64", () => {
  const rng = new Rng(13);
  for (const g of GEOMETRIES) {
    const { image, cols } = sizes(g);
    const x = random(Float64Array, image, rng), y = random(Float64Array, cols, rng);
    const xCols = new Float64Array(cols), yImage = new Float64Array(image);
    im2col(x, g, xCols);
    col2im(y, g, yImage);
    let lhs = 0, rhs = 0, scale = 0;
    for (let i = 0; i < cols; i++) lhs += xCols[i] * y[i], scale += Math.abs(xCols[i] * y[i]);
    for (let i = 0; i < image; i++) rhs += x[i] * yImage[i];
    assert.ok(Math.abs(lhs - rhs) <= 1e-10 * Math.max(1, scale), `${label(g)}: ${lhs} vs ${rhs}`);
  }
});

Deno.test("im2col with padding puts zeros exactly where the window leaves the image", () => {
  const g = geometry(1, 1, 2, 2, 3, 3, 1, 1); // 2x2 image, 3x3 kernel, padding 1: 2x2 outputs
  const x = new Float64Array([1, 2, 3, 4]);
  const cols = new Float64Array(9 * 4);
  im2col(x, g, cols);
  // Centre row (ky=1, kx=1) is the image itself; the corner (0, 0) only sees x[0,0] at output (1, 1).
  assert.deepEqual(Array.from(cols.subarray(4 * 4, 5 * 4)), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(cols.subarray(0, 4)), [0, 0, 0, 1]);
});

Deno.test("im2col and col2im reject arrays too short for the geometry", () => {
  const g = geometry(1, 1, 3, 3, 2, 2, 1, 0);
  assert.throws(() => im2col(new Float32Array(8), g, new Float32Array(16)), RangeError);
  assert.throws(() => im2col(new Float32Array(9), g, new Float32Array(15)), RangeError);
  assert.throws(() => col2im(new Float32Array(15), g, new Float32Array(9)), RangeError);
  assert.throws(() => col2im(new Float32Array(16), g, new Float32Array(8)), RangeError);
});
