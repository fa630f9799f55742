/**
 * Sliding-window rearrangements on typed arrays: `im2col` unfolds every
 * kernel window of an NCHW image into a column, so a convolution becomes one
 * matrix multiply; `col2im` is its adjoint and folds columns back, summing
 * where windows overlap (the gradient of `im2col`).
 *
 * Both walk the output/input rows contiguously: for a fixed (channel, ky, kx)
 * and output row `oy`, consecutive `ox` read (or write) image pixels `stride`
 * apart in one image row, and the range of `ox` whose pixel lies inside the
 * image is computed once per row, so the inner loop has no bounds tests.
 *
 * @module
 */
import type { WindowGeometry } from "../op_set.ts";

/**
 * Unfolds windows of an NCHW image into columns.
 *
 * `out` has shape `[n, c*kh*kw, outH*outW]`: row `(ci*kh + ky)*kw + kx`,
 * column `oy*outW + ox` holds `x[n, ci, oy*stride + ky - padding, ox*stride + kx - padding]`,
 * or 0 where that position falls in the zero padding.
 *
 * @param x Input image, shape `[n, c, h, w]`.
 * @param g Window geometry (sizes, stride, padding, output size).
 * @param out Destination, `n * c*kh*kw * outH*outW` elements; every element is written.
 *
 * @example A 3x3 image, 2x2 windows, stride 1
 * ```ts
 * import { im2col } from "./window.ts";
 * import assert from "node:assert/strict";
 * const g = { n: 1, c: 1, h: 3, w: 3, kh: 2, kw: 2, stride: 1, padding: 0, outH: 2, outW: 2 };
 * const x = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * const cols = new Float32Array(4 * 4);
 * im2col(x, g, cols);
 * // One row per kernel offset (ky, kx), one column per window.
 * assert.deepEqual(Array.from(cols), [
 *   1, 2, 4, 5, // (0, 0)
 *   2, 3, 5, 6, // (0, 1)
 *   4, 5, 7, 8, // (1, 0)
 *   5, 6, 8, 9, // (1, 1)
 * ]);
 * ```
 */
export function im2col(
  x: Float32Array | Float64Array,
  g: WindowGeometry,
  out: Float32Array | Float64Array,
): void {
  const { n, c, h, w, kh, kw, stride, padding, outH, outW } = g;
  checkSizes("im2col", x.length, out.length, g);
  const hw = h * w;
  let o = 0; // out is written strictly in order
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const plane = (ni * c + ci) * hw;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const [oxStart, oxEnd] = validRange(kx - padding, stride, w, outW);
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * stride + ky - padding;
            if (iy < 0 || iy >= h) {
              for (let ox = 0; ox < outW; ox++) out[o + ox] = 0;
            } else {
              // Pixel of ox is src + ox*stride; outside [oxStart, oxEnd) it is padding.
              const src = plane + iy * w + kx - padding;
              for (let ox = 0; ox < oxStart; ox++) out[o + ox] = 0;
              for (let ox = oxStart; ox < oxEnd; ox++) out[o + ox] = x[src + ox * stride];
              for (let ox = oxEnd; ox < outW; ox++) out[o + ox] = 0;
            }
            o += outW;
          }
        }
      }
    }
  }
}

/**
 * Folds columns back into an NCHW image: the adjoint of {@linkcode im2col}.
 *
 * `out` is zeroed, then every entry of `cols` is added to the image position
 * it was read from by `im2col`; entries that came from the zero padding are
 * dropped. So `sum(im2col(x) * y) == sum(x * col2im(y))` for any `x`, `y`.
 *
 * @param cols Columns, shape `[n, c*kh*kw, outH*outW]`.
 * @param g Window geometry (sizes, stride, padding, output size).
 * @param out Destination image, `n * c * h * w` elements; overwritten.
 *
 * @example Overlapping windows add up
 * ```ts
 * import { col2im } from "./window.ts";
 * import assert from "node:assert/strict";
 * const g = { n: 1, c: 1, h: 3, w: 3, kh: 2, kw: 2, stride: 1, padding: 0, outH: 2, outW: 2 };
 * const cols = new Float64Array(16).fill(1);
 * const img = new Float64Array(9);
 * col2im(cols, g, img);
 * // How many of the four 2x2 windows cover each pixel.
 * assert.deepEqual(Array.from(img), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
 * ```
 */
export function col2im(
  cols: Float32Array | Float64Array,
  g: WindowGeometry,
  out: Float32Array | Float64Array,
): void {
  const { n, c, h, w, kh, kw, stride, padding, outH, outW } = g;
  checkSizes("col2im", out.length, cols.length, g);
  const hw = h * w;
  out.fill(0, 0, n * c * hw);
  let o = 0; // cols is read strictly in order
  for (let ni = 0; ni < n; ni++) {
    for (let ci = 0; ci < c; ci++) {
      const plane = (ni * c + ci) * hw;
      for (let ky = 0; ky < kh; ky++) {
        for (let kx = 0; kx < kw; kx++) {
          const [oxStart, oxEnd] = validRange(kx - padding, stride, w, outW);
          for (let oy = 0; oy < outH; oy++) {
            const iy = oy * stride + ky - padding;
            if (iy >= 0 && iy < h) {
              const dst = plane + iy * w + kx - padding;
              for (let ox = oxStart; ox < oxEnd; ox++) out[dst + ox * stride] += cols[o + ox];
            }
            o += outW;
          }
        }
      }
    }
  }
}

/**
 * The output columns `[start, end)` whose input column `ox*stride + shift`
 * lies inside `[0, w)`.
 */
function validRange(shift: number, stride: number, w: number, outW: number): [number, number] {
  // ox*stride + shift >= 0  <=>  ox >= ceil(-shift / stride)
  const start = Math.max(0, Math.ceil(-shift / stride));
  // ox*stride + shift <= w - 1  <=>  ox <= floor((w - 1 - shift) / stride)
  const end = Math.min(outW, Math.floor((w - 1 - shift) / stride) + 1);
  return [start, Math.max(start, end)];
}

function checkSizes(name: string, imageLen: number, colsLen: number, g: WindowGeometry): void {
  const image = g.n * g.c * g.h * g.w;
  const cols = g.n * g.c * g.kh * g.kw * g.outH * g.outW;
  if (imageLen < image || colsLen < cols) {
    throw new RangeError(
      `${name}: image has ${imageLen} elements (needs ${image}), columns ${colsLen} (needs ${cols})`,
    );
  }
}
