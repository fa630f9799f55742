/**
 * Sliding windows in ONE shader: `im2col` (convolution and pooling become a
 * matmul or a reduction over unfolded windows) and `col2im`, its adjoint
 * (the gradient of im2col, summing where windows overlap).
 *
 * col2im is written as a gather: each image pixel visits the few (ky, kx)
 * window positions that read it and sums their column entries, so no two
 * invocations write the same element and no atomics are needed (WGSL has no
 * float atomics anyway).
 *
 * Geometry follows `lib/cpu/window.ts`: column row `(ci*kh + ky)*kw + kx`,
 * column `oy*outW + ox` holds pixel `(oy*stride + ky - padding,
 * ox*stride + kx - padding)` of channel ci, or 0 in the padding.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import type { WindowGeometry } from "../../lib/op_set.ts";
import { type GpuStorage, grid, HEADER, type KernelContext, params, WG } from "./_common.ts";

// Uniform block layout.
const MODE = 0, TOTAL = 1, C = 3, H = 4, W = 5, KH = 6, KW = 7, STRIDE = 8, PAD = 9;
const OUT_H = 10, OUT_W = 11;

const SHADER = /* wgsl */ `${HEADER}
@group(0) @binding(1) var<storage, read> X: array<f32>;
@group(0) @binding(2) var<storage, read_write> O: array<f32>;

@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;
  if (i >= p(${TOTAL}u)) { return; }
  let c = p(${C}u); let h = i32(p(${H}u)); let w = i32(p(${W}u));
  let kh = p(${KH}u); let kw = p(${KW}u);
  let s = i32(p(${STRIDE}u)); let pad = i32(p(${PAD}u));
  let outH = p(${OUT_H}u); let outW = p(${OUT_W}u);
  let L = outH * outW;
  if (p(${MODE}u) == 0u) {
    // im2col: output (image, row = (ci, ky, kx), col = (oy, ox)).
    let col = i % L;
    let t = i / L;
    let rows = c * kh * kw;
    let row = t % rows;
    let plane = (t / rows) * c + row / (kh * kw);   // image * c + ci
    let ky = i32((row / kw) % kh); let kx = i32(row % kw);
    let iy = i32(col / outW) * s + ky - pad;
    let ix = i32(col % outW) * s + kx - pad;
    var v = 0.0;
    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
      v = X[(plane * u32(h) + u32(iy)) * u32(w) + u32(ix)];
    }
    O[i] = v;
    return;
  }
  // col2im: pixel (plane, iy, ix) sums every window entry that read it.
  let ix = i32(i % u32(w));
  let t = i / u32(w);
  let iy = i32(t % u32(h));
  let plane = t / u32(h);
  var sum = 0.0;
  for (var ky = 0u; ky < kh; ky++) {
    let ty = iy + pad - i32(ky);
    if (ty < 0 || ty % s != 0 || u32(ty / s) >= outH) { continue; }
    let oy = u32(ty / s);
    for (var kx = 0u; kx < kw; kx++) {
      let tx = ix + pad - i32(kx);
      if (tx < 0 || tx % s != 0 || u32(tx / s) >= outW) { continue; }
      let ox = u32(tx / s);
      sum += X[((plane * kh + ky) * kw + kx) * L + oy * outW + ox];
    }
  }
  O[i] = sum;
}
`;

function run(
  ctx: KernelContext,
  mode: 0 | 1,
  x: TensorInfo,
  g: WindowGeometry,
  out: OutSpec,
): GpuStorage {
  const result = ctx.output(out.dtype, out.size);
  if (out.size === 0) return result;
  const u = params();
  u[MODE] = mode;
  u[TOTAL] = out.size;
  u[C] = g.c, u[H] = g.h, u[W] = g.w, u[KH] = g.kh, u[KW] = g.kw;
  u[STRIDE] = g.stride, u[PAD] = g.padding, u[OUT_H] = g.outH, u[OUT_W] = g.outW;
  ctx.rec.dispatch(
    ctx.rec.pipeline("window", () => SHADER),
    u,
    [x.size ? ctx.buffer(x) : ctx.rec.dummy, result.buffer!],
    grid(Math.ceil(out.size / WG), ctx.maxGroups),
  );
  return result;
}

/** Unfolds windows of an NCHW image into columns `[n, c*kh*kw, outH*outW]`. */
export function im2col(
  ctx: KernelContext,
  x: TensorInfo,
  g: WindowGeometry,
  out: OutSpec,
): GpuStorage {
  return run(ctx, 0, x, g, out);
}

/** Folds columns back into an NCHW image, summing overlaps (im2col's adjoint). */
export function col2im(
  ctx: KernelContext,
  cols: TensorInfo,
  g: WindowGeometry,
  out: OutSpec,
): GpuStorage {
  return run(ctx, 1, cols, g, out);
}
