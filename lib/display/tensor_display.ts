/**
 * Rich notebook display of tensors: a header with shape, dtype, backend and
 * gradient status, then the values as a table (small 1-D and 2-D tensors),
 * as images (2-D and higher tensors whose last two axes look like an image:
 * digits, filters, feature maps), truncated for big tensors.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import { base64, encodePng } from "./_png.ts";
import { escapeHtml, type MimeBundle } from "../jupyter.ts";

/**
 * Options of {@linkcode tensorBundle}.
 *
 * @example
 * ```ts
 * import type { TensorDisplayOptions } from "./tensor_display.ts";
 * const o: TensorDisplayOptions = { maxImages: 8, edgeItems: 5 };
 * ```
 */
export interface TensorDisplayOptions {
  /** Rows / columns shown at each end of a long axis in tables (default 8). */
  edgeItems?: number;
  /** At most this many images for a stack of 2-D slices (default 16). */
  maxImages?: number;
  /** Show tensors whose last two axes are at least this long as images (default 8). */
  imageMinSide?: number;
}

const MAX_IMAGE_PIXELS = 512 * 512;
const IMAGE_PX = 140;

function cell(v: number, dtype: string): string {
  if (dtype === "int32" || Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toFixed(4)));
}

/** Indices shown along an axis of length n: all, or both ends with -1 marking the gap. */
function shown(n: number, edge: number): number[] {
  if (n <= 2 * edge + 1) return Array.from({ length: n }, (_, i) => i);
  return [
    ...Array.from({ length: edge }, (_, i) => i),
    -1,
    ...Array.from({ length: edge }, (_, i) => n - edge + i),
  ];
}

const TABLE_STYLE = "border-collapse:collapse;font-family:ui-monospace,monospace;font-size:12px";
const TD = "padding:1px 6px;text-align:right;border:1px solid #e4e4e4";
const TH =
  "padding:1px 6px;text-align:right;color:#999;font-weight:normal;border:1px solid #e4e4e4";

/** A table of a `rows × cols` block of `values` starting at `offset`. */
function table(
  values: ArrayLike<number>,
  offset: number,
  rows: number,
  cols: number,
  dtype: string,
  edge: number,
  rowIndex = true,
): string {
  const rs = shown(rows, edge), cs = shown(cols, edge);
  const corner = rowIndex ? `<th style="${TH}"></th>` : "";
  const head = `<tr>${corner}${
    cs.map((j) => `<th style="${TH}">${j < 0 ? "…" : j}</th>`).join("")
  }</tr>`;
  const body = rs.map((i) =>
    `<tr>${rowIndex ? `<th style="${TH}">${i < 0 ? "⋮" : i}</th>` : ""}${
      cs.map((j) =>
        `<td style="${TD}">${
          i < 0 || j < 0
            ? (i < 0 && j < 0 ? "⋱" : i < 0 ? "⋮" : "…")
            : cell(values[offset + i * cols + j], dtype)
        }</td>`
      ).join("")
    }</tr>`
  ).join("");
  return `<table style="${TABLE_STYLE}">${head}${body}</table>`;
}

/** Min, max and mean of the finite values. */
function stats(values: ArrayLike<number>): { min: number; max: number; mean: number } {
  let min = Infinity, max = -Infinity, sum = 0, n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v, n++;
  }
  return n ? { min, max, mean: sum / n } : { min: 0, max: 0, mean: NaN };
}

/**
 * Pixel colors for values: grayscale from min (black) to max (white) when
 * the values share a sign, blue–white–red centered on 0 when they do not
 * (weights), both over the whole tensor so slices compare.
 */
function colorMap(
  min: number,
  max: number,
): { rgb: (v: number) => [number, number, number]; legend: string } {
  if (min < 0 && max > 0) {
    const m = Math.max(-min, max);
    return {
      rgb: (v) => {
        if (!Number.isFinite(v)) return [255, 0, 255];
        const t = Math.max(-1, Math.min(1, v / m));
        const fade = Math.round(255 * (1 - Math.abs(t)));
        return t < 0 ? [fade, fade, 255] : [255, fade, fade];
      },
      legend: `blue ${cell(-m, "float32")} · white 0 · red ${cell(m, "float32")}`,
    };
  }
  const span = max - min || 1;
  return {
    rgb: (v) => {
      if (!Number.isFinite(v)) return [255, 0, 255];
      const g = Math.round((255 * (v - min)) / span);
      return [g, g, g];
    },
    legend: `black ${cell(min, "float32")} · white ${cell(max, "float32")}`,
  };
}

async function imageTag(
  values: ArrayLike<number>,
  offset: number,
  h: number,
  w: number,
  rgbOf: (v: number) => [number, number, number],
  caption: string,
): Promise<string> {
  const rgb = new Uint8Array(h * w * 3);
  for (let k = 0; k < h * w; k++) rgb.set(rgbOf(values[offset + k]), 3 * k);
  const png = base64(await encodePng(rgb, w, h));
  const scale = Math.max(1, Math.floor(IMAGE_PX / Math.max(h, w)));
  return `<figure style="display:inline-block;margin:2px 6px 2px 0;text-align:center">` +
    `<img src="data:image/png;base64,${png}" width="${w * scale}" height="${h * scale}" ` +
    `style="image-rendering:pixelated;border:1px solid #ccc" alt="${escapeHtml(caption)}"/>` +
    `<figcaption style="font-size:11px;color:#666">${escapeHtml(caption)}</figcaption></figure>`;
}

/** `[2, 0]`-style index of slice `k` of the leading axes. */
function sliceIndex(k: number, lead: readonly number[]): string {
  const idx: number[] = [];
  for (let a = lead.length - 1; a >= 0; a--) idx.unshift(k % lead[a]), k = Math.floor(k / lead[a]);
  return `[${idx.join(", ")}]`;
}

/** The header line: shape, dtype, backend, gradient status. */
function header(t: Tensor): string {
  const parts = [`<b>Tensor</b> [${t.shape.join(", ")}]`, t.dtype, t.backend.name];
  if (t.node) {
    // Elementwise primitives carry their op ("mul") in the attributes.
    const op = (t.node.attrs as { op?: unknown } | undefined)?.op;
    parts.push(`grad_fn=${typeof op === "string" ? op : t.node.prim}`);
  } else if (t.requiresGrad) parts.push("requiresGrad");
  if (t.grad) parts.push("has grad");
  return `<div style="color:#444;margin-bottom:4px">${parts.join(" · ")}</div>`;
}

/**
 * The MIME bundle of a tensor for a notebook: `text/plain` (NumPy-style
 * text) and `text/html` (header with shape, dtype and backend; the values
 * as a table, or as images when the last two axes are at least
 * `imageMinSide` long; large tensors truncated). Reads values with
 * `await t.data()`, so any backend works.
 *
 * @example
 * ```ts
 * import { tensorBundle } from "./tensor_display.ts";
 * import { tensor, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const small = await tensorBundle(tensor([[1, 2], [3, 4]]));
 * assert.match(small["text/html"] as string, /\[2, 2\] · float32 · cpu/);
 * assert.match(small["text/html"] as string, /<td[^>]*>4<\/td>/);
 * const image = await tensorBundle(zeros([28, 28]));
 * assert.match(image["text/html"] as string, /<img src="data:image\/png;base64,/);
 * ```
 */
export async function tensorBundle(
  t: Tensor,
  options: TensorDisplayOptions = {},
): Promise<MimeBundle> {
  const edge = options.edgeItems ?? 8;
  const maxImages = options.maxImages ?? 16;
  const minSide = options.imageMinSide ?? 8;
  if (t.isDisposed) {
    const text = String(t);
    return { "text/plain": text, "text/html": `${header(t)}<i>disposed</i>` };
  }
  const values = await t.data();
  const text = await t.toStringAsync();
  const wrap = (body: string) =>
    `<div class="neuronbook-tensor" style="font-family:ui-monospace,monospace;font-size:12px">` +
    `${header(t)}${body}</div>`;
  const shape = t.shape, nd = shape.length;
  let body: string;
  if (nd === 0) {
    body = `<code>${cell(values[0], t.dtype)}</code>`;
  } else if (nd === 1) {
    body = table(values, 0, 1, shape[0], t.dtype, edge, false);
  } else {
    const [h, w] = shape.slice(-2);
    const lead = shape.slice(0, -2);
    const slices = lead.reduce((a, b) => a * b, 1);
    const image = h >= minSide && w >= minSide && h * w <= MAX_IMAGE_PIXELS;
    const s = stats(values);
    const statLine = `<div style="color:#666;margin-top:2px">min ${cell(s.min, t.dtype)} · max ${
      cell(s.max, t.dtype)
    } · mean ${cell(s.mean, "float32")}</div>`;
    if (image && slices > 0) {
      const { rgb, legend } = colorMap(s.min, s.max);
      const count = Math.min(slices, maxImages);
      const imgs: string[] = [];
      for (let k = 0; k < count; k++) {
        imgs.push(
          await imageTag(
            values,
            k * h * w,
            h,
            w,
            rgb,
            nd === 2 ? `${h}×${w}` : sliceIndex(k, lead),
          ),
        );
      }
      const more = slices > count
        ? `<div style="color:#666">… ${slices - count} more of ${slices} slices</div>`
        : "";
      const values2d = nd === 2 && h * w <= 4096
        ? `<details><summary style="color:#666">values</summary>${
          table(values, 0, h, w, t.dtype, edge)
        }</details>`
        : "";
      body = `<div>${
        imgs.join("")
      }</div>${more}<div style="color:#666">${legend}</div>${statLine}${values2d}`;
    } else if (nd === 2) {
      body = table(values, 0, h, w, t.dtype, edge);
    } else {
      const count = Math.min(slices, 4);
      const parts: string[] = [];
      for (let k = 0; k < count; k++) {
        parts.push(
          `<div style="color:#666;margin-top:4px">${sliceIndex(k, lead)}</div>` +
            table(values, k * h * w, h, w, t.dtype, edge),
        );
      }
      const more = slices > count
        ? `<div style="color:#666">… ${slices - count} more of ${slices} slices</div>`
        : "";
      body = parts.join("") + more;
    }
  }
  return { "text/plain": text, "text/html": wrap(body) };
}
