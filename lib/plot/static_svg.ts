/**
 * A static picture of a Plotly spec, drawn here as SVG without plotly.js: what
 * a frontend without scripts shows (an untrusted notebook, a notebook on a
 * code-hosting site, an HTML export without scripts). It covers what the
 * course's builders make: `scatter` (lines, markers, text), `bar`,
 * `heatmap`, `contour` and `image` (as embedded PNG pixels), and 3-D
 * `surface`/`scatter3d` seen from above; panels on a `layout.grid`,
 * annotations, a title and a legend beside the plot. The live plot is
 * interactive; this is its still.
 *
 * @module
 */
import { base64, encodePng } from "../display/_png.ts";

// The shapes of a Plotly spec (as in figure.ts, which imports this file).
type PlotlyTrace = { type: string; [attribute: string]: unknown };
type PlotlyObject = Record<string, unknown>;

type Range = [number, number];

/** One panel: the plot area of an x/y axis pair, in pixels. */
interface Panel {
  x: string;
  y: string;
  left: number;
  top: number;
  width: number;
  height: number;
  xRange: Range;
  yRange: Range;
  yReversed: boolean;
  logY: boolean;
  xAxis: PlotlyObject;
  yAxis: PlotlyObject;
  xCategories?: string[];
  yCategories?: string[];
}

const FONT = 'font-family="DejaVu Sans, Verdana, sans-serif"';
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
const SCALES: Record<string, [number, string][]> = {
  Viridis: [[0, "#440154"], [0.25, "#3b528b"], [0.5, "#21918c"], [0.75, "#5ec962"], [
    1,
    "#fde725",
  ]],
  Greys: [[0, "#000000"], [1, "#ffffff"]],
  RdBu: [[0, "#053061"], [0.25, "#4393c3"], [0.5, "#f7f7f7"], [0.75, "#d6604d"], [1, "#67001f"]],
  Blues: [[0, "#f7fbff"], [1, "#08306b"]],
};

/** Escapes text for SVG content and attributes. */
function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!,
  );
}

function textOf(t: unknown): string {
  if (typeof t === "string") return t;
  const text = (t as { text?: unknown } | undefined)?.text;
  return typeof text === "string" ? text : "";
}

/** `[r, g, b]` of `#rgb`, `#rrggbb`, `rgb()` / `rgba()` (black otherwise). */
function rgbOf(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (hex) {
    const h = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
    return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number];
  }
  const m = /rgba?\(([^)]*)\)/.exec(color);
  if (m) return m[1].split(",").slice(0, 3).map((v) => Number(v)) as [number, number, number];
  return color === "white" ? [255, 255, 255] : [0, 0, 0];
}

/** Maps t in [0, 1] through a Plotly colorscale (a name or `[t, color]` stops). */
function colorAt(scale: unknown, t: number): [number, number, number] {
  const stops = Array.isArray(scale) ? scale as [number, string][] : SCALES[String(scale)] ??
    SCALES.Viridis;
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  let k = 1;
  while (k < stops.length - 1 && stops[k][0] < u) k++;
  const [t0, c0] = stops[k - 1], [t1, c1] = stops[k];
  const f = t1 > t0 ? Math.min(1, Math.max(0, (u - t0) / (t1 - t0))) : 0;
  const a = rgbOf(c0), b = rgbOf(c1);
  return [0, 1, 2].map((i) => Math.round(a[i] + f * (b[i] - a[i]))) as [number, number, number];
}

/** About five round tick values covering `[lo, hi]`. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

function tickText(v: number, axis: PlotlyObject): string {
  if (axis.tickformat === ".0%") return `${Math.round(v * 100)}%`;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

const nums = (v: unknown): number[] =>
  Array.isArray(v) ? v.map((x) => typeof x === "number" ? x : NaN) : [];
const matrix = (v: unknown): number[][] => Array.isArray(v) ? v.map(nums) : [];

/** The x (or y) coordinates a trace covers, for autoranging. */
function extentOf(t: PlotlyTrace, k: "x" | "y"): number[] {
  const z = matrix(t.z);
  if (["heatmap", "contour", "surface", "image"].includes(t.type)) {
    const given = nums(t[k]);
    if (given.length && given.every(Number.isFinite)) return [given[0], given.at(-1)!];
    const n = k === "x" ? (z[0]?.length ?? 0) : z.length;
    return [-0.5, n - 0.5];
  }
  const v = nums(t[k]);
  if (t.type === "bar" && k === "y") return [0, ...v];
  if (t.type === "bar" && k === "x" && typeof t.width === "number") {
    return v.flatMap((c) => [c - (t.width as number) / 2, c + (t.width as number) / 2]);
  }
  if (v.length === 0 && k === "x") return nums(t.y).map((_, i) => i);
  return v;
}

function rangeOf(values: number[], axis: PlotlyObject, log: boolean, pad: number): Range {
  if (Array.isArray(axis.range)) return axis.range as Range;
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0)).map((v) =>
    log ? Math.log10(v) : v
  );
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (hi === lo) [lo, hi] = [lo - 0.5, hi + 0.5];
  const m = (hi - lo) * pad;
  return [lo - m, hi + m];
}

/** Category labels of a trace axis given as strings (heatmaps of named classes). */
function categories(traces: PlotlyTrace[], k: "x" | "y"): string[] | undefined {
  const t = traces.find((t) =>
    Array.isArray(t[k]) && (t[k] as unknown[]).some((v) => typeof v === "string")
  );
  return t ? (t[k] as unknown[]).map(String) : undefined;
}

/** Lays out the panels: one per x/y axis pair the traces use, on the layout's grid. */
function panels(
  traces: PlotlyTrace[],
  layout: PlotlyObject,
  box: Omit<Panel, "x" | "y" | "xRange" | "yRange" | "yReversed" | "logY" | "xAxis" | "yAxis">,
): Panel[] {
  const pairs = [...new Set(traces.map((t) => `${t.xaxis ?? "x"} ${t.yaxis ?? "y"}`))];
  const grid = layout.grid as
    | { rows?: number; columns?: number; xgap?: number; ygap?: number }
    | undefined;
  const index = (ref: string) => Math.max(0, Number(ref.slice(1) || "1") - 1);
  const columns = grid?.columns ?? 1, rows = grid?.rows ?? 1;
  const gapX = grid ? (grid.xgap ?? 0.2) : 0, gapY = grid ? (grid.ygap ?? 0.3) : 0;
  const cellW = box.width / (columns + gapX * (columns - 1));
  const cellH = box.height / (rows + gapY * (rows - 1));
  return pairs.map((pair) => {
    const [x, y] = pair.split(" ");
    const k = grid ? index(x) : 0;
    const mine = traces.filter((t) => `${t.xaxis ?? "x"} ${t.yaxis ?? "y"}` === pair);
    const xAxis = (layout[`xaxis${x.slice(1)}`] ?? {}) as PlotlyObject;
    const yAxis = (layout[`yaxis${y.slice(1)}`] ?? {}) as PlotlyObject;
    const logY = yAxis.type === "log";
    const image = mine.some((t) => ["heatmap", "contour", "surface", "image"].includes(t.type));
    const panel: Panel = {
      x,
      y,
      left: box.left + (k % columns) * cellW * (1 + gapX),
      top: box.top + Math.floor(k / columns) * cellH * (1 + gapY),
      width: cellW,
      height: cellH,
      xRange: rangeOf(mine.flatMap((t) => extentOf(t, "x")), xAxis, false, image ? 0 : 0.04),
      yRange: rangeOf(mine.flatMap((t) => extentOf(t, "y")), yAxis, logY, image ? 0 : 0.06),
      yReversed: yAxis.autorange === "reversed",
      logY,
      xAxis,
      yAxis,
      xCategories: categories(mine, "x"),
      yCategories: categories(mine, "y"),
    };
    if (yAxis.scaleanchor) squareUp(panel, mine);
    return panel;
  });
}

/** Equal units on both axes (images): shrinks the panel around its centre. */
function squareUp(p: Panel, traces: PlotlyTrace[]): void {
  const z = matrix(traces[0]?.z);
  const ratio = (z.length || 1) / (z[0]?.length || 1);
  const w = Math.min(p.width, p.height / ratio), h = w * ratio;
  p.left += (p.width - w) / 2;
  p.top += (p.height - h) / 2;
  [p.width, p.height] = [w, h];
}

function scaleX(p: Panel): (v: number) => number {
  const [a, b] = p.xRange;
  return (v) => p.left + ((v - a) / (b - a)) * p.width;
}

function scaleY(p: Panel): (v: number) => number {
  const [a, b] = p.yRange;
  return (v) => {
    const u = p.logY ? Math.log10(v) : v;
    const f = (u - a) / (b - a);
    return p.yReversed ? p.top + f * p.height : p.top + p.height - f * p.height;
  };
}

function axesSvg(p: Panel): string {
  const out: string[] = [];
  const px = scaleX(p), py = scaleY(p);
  const hidden = p.xAxis.visible === false && p.yAxis.visible === false;
  if (hidden) return "";
  out.push(
    `<rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}" fill="#fafafa" stroke="#ddd"/>`,
  );
  const xTicks = p.xCategories ? p.xCategories.map((_, i) => i) : niceTicks(...p.xRange);
  for (const v of xTicks) {
    const x = px(v).toFixed(1), label = p.xCategories?.[v] ?? tickText(v, p.xAxis);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${p.top}" y2="${p.top + p.height}" stroke="#eee"/>`,
      `<text x="${x}" y="${p.top + p.height + 13}" text-anchor="middle" fill="#555">${
        esc(label)
      }</text>`,
    );
  }
  const yVals = p.yCategories
    ? p.yCategories.map((_, i) => i)
    : p.logY
    ? niceTicks(...p.yRange).filter(Number.isInteger).map((e) => 10 ** e)
    : niceTicks(...p.yRange);
  for (const v of yVals) {
    const y = py(v).toFixed(1), label = p.yCategories?.[v] ?? tickText(v, p.yAxis);
    out.push(
      `<line x1="${p.left}" x2="${p.left + p.width}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${p.left - 4}" y="${y}" dy="0.35em" text-anchor="end" fill="#555">${
        esc(label)
      }</text>`,
    );
  }
  const xTitle = textOf(p.xAxis.title), yTitle = textOf(p.yAxis.title);
  if (xTitle) {
    out.push(
      `<text x="${p.left + p.width / 2}" y="${p.top + p.height + 30}" text-anchor="middle">${
        esc(xTitle)
      }</text>`,
    );
  }
  if (yTitle) {
    const cx = p.left - 38, cy = p.top + p.height / 2;
    out.push(
      `<text transform="translate(${cx},${cy}) rotate(-90)" text-anchor="middle">${
        esc(yTitle)
      }</text>`,
    );
  }
  return out.join("");
}

/** A grid trace (heatmap, contour, surface from above, RGB image) as PNG pixels. */
function gridSvg(t: PlotlyTrace, p: Panel): string {
  const z = t.type === "image" ? (t.z as number[][][]) : matrix(t.z);
  const rows = z.length, cols = (z[0] as unknown[])?.length ?? 0;
  if (!rows || !cols) return "";
  const flat = t.type === "image" ? [] : (z as number[][]).flat().filter(Number.isFinite);
  const lo = typeof t.zmin === "number" ? t.zmin : Math.min(...flat);
  const hi = typeof t.zmax === "number" ? t.zmax : Math.max(...flat);
  const rgb = new Uint8Array(rows * cols * 3);
  // PNG rows go top to bottom; row 0 of z is at the bottom unless the y axis is reversed.
  for (let i = 0; i < rows; i++) {
    const row = p.yReversed ? i : rows - 1 - i;
    for (let j = 0; j < cols; j++) {
      const c = t.type === "image"
        ? (z as number[][][])[row][j]
        : colorAt(t.colorscale, hi > lo ? ((z as number[][])[row][j] - lo) / (hi - lo) : 0.5);
      rgb.set(c.slice(0, 3), (i * cols + j) * 3);
    }
  }
  const png = base64(encodePng(rgb, cols, rows));
  const [x0, x1] = extentOf(t, "x"), [y0, y1] = extentOf(t, "y");
  const dx = cols > 1 && Array.isArray(t.x) ? (x1 - x0) / (cols - 1) / 2 : 0;
  const dy = rows > 1 && Array.isArray(t.y) ? (y1 - y0) / (rows - 1) / 2 : 0;
  const px = scaleX(p), py = scaleY(p);
  const left = px(x0 - dx), right = px(x1 + dx);
  const top = Math.min(py(y0 - dy), py(y1 + dy)), bottom = Math.max(py(y0 - dy), py(y1 + dy));
  const opacity = typeof t.opacity === "number" ? ` opacity="${t.opacity}"` : "";
  return `<image x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${
    (right - left).toFixed(1)
  }" ` +
    `height="${
      (bottom - top).toFixed(1)
    }" preserveAspectRatio="none" style="image-rendering:pixelated"` +
    `${opacity} href="data:image/png;base64,${png}"/>`;
}

function traceColor(t: PlotlyTrace, i: number): string {
  const line = t.line as { color?: unknown } | undefined;
  const marker = t.marker as { color?: unknown } | undefined;
  const c = line?.color ?? marker?.color;
  return typeof c === "string" ? c : PALETTE[i % PALETTE.length];
}

/** How far (in pixels) a dropped point of a drawn line may lie from the line drawn instead. */
const LINE_TOLERANCE = 0.2;

/**
 * The points of a polyline (in pixels) that draw it to within
 * {@linkcode LINE_TOLERANCE} (Douglas-Peucker): 801 samples of a smooth curve
 * across 500 pixels need a few dozen.
 *
 * @example
 * ```ts
 * import { simplify } from "./static_svg.ts";
 * import assert from "node:assert/strict";
 * const line = Array.from({ length: 101 }, (_, i) => [i, 2 * i + 1]);
 * assert.deepEqual(simplify(line), [[0, 1], [100, 201]]);
 * assert.deepEqual(simplify([[0, 0], [5, 3], [10, 0]]), [[0, 0], [5, 3], [10, 0]]);
 * ```
 */
export function simplify(points: number[][], tolerance = LINE_TOLERANCE): number[][] {
  if (points.length < 3) return points;
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a], [bx, by] = points[b];
    const dx = bx - ax, dy = by - ay, squared = dx * dx + dy * dy;
    let far = -1, farthest = tolerance;
    for (let k = a + 1; k < b; k++) {
      const [x, y] = points[k];
      // Distance to the segment (not the line): a path may turn back on itself.
      const t = squared === 0
        ? 0
        : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / squared));
      const d = Math.hypot(x - ax - t * dx, y - ay - t * dy);
      if (d > farthest) [far, farthest] = [k, d];
    }
    if (far < 0) continue;
    keep[far] = 1;
    stack.push([a, far], [far, b]);
  }
  return points.filter((_, k) => keep[k]);
}

function scatterSvg(t: PlotlyTrace, p: Panel, i: number): string {
  const ys = nums(t.y), xs = Array.isArray(t.x) ? nums(t.x) : ys.map((_, k) => k);
  const px = scaleX(p), py = scaleY(p);
  const mode = String(t.mode ?? (ys.length <= 20 ? "lines+markers" : "lines"));
  const color = traceColor(t, i);
  const line = (t.line ?? {}) as { width?: number; dash?: string };
  const pts = xs.map((x, k) => [x, ys[k]]).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) && (!p.logY || y > 0)
  );
  const out: string[] = [];
  if (mode.includes("lines") && pts.length > 1) {
    const dash = line.dash && line.dash !== "solid"
      ? ` stroke-dasharray="${line.dash === "dot" ? "2 3" : "6 4"}"`
      : "";
    const d = simplify(pts.map(([x, y]) => [px(x), py(y)]))
      .map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
    out.push(
      `<polyline points="${d}" fill="none" stroke="${esc(color)}" stroke-width="${
        line.width ?? 2
      }"${dash}/>`,
    );
  }
  const marker = (t.marker ?? {}) as { size?: number; color?: unknown; line?: { color?: string } };
  if (mode.includes("markers")) {
    const r = (typeof marker.size === "number" ? marker.size : 6) / 2;
    const fills = Array.isArray(marker.color) ? marker.color : null;
    pts.forEach(([x, y], k) => {
      const fill = esc(fills?.[k] ?? color);
      const stroke = marker.line?.color ? ` stroke="${esc(marker.line.color)}"` : "";
      out.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${
          py(y).toFixed(1)
        }" r="${r}" fill="${fill}"${stroke}/>`,
      );
    });
  }
  return out.join("");
}

function barSvg(t: PlotlyTrace, p: Panel, i: number): string {
  const xs = nums(t.x), ys = nums(t.y);
  const w = typeof t.width === "number" ? t.width : xs.length > 1 ? (xs[1] - xs[0]) * 0.8 : 1;
  const px = scaleX(p), py = scaleY(p);
  const color = esc(traceColor(t, i));
  const opacity = typeof t.opacity === "number" ? ` fill-opacity="${t.opacity}"` : "";
  return xs.map((x, k) => {
    const a = px(x - w / 2),
      b = px(x + w / 2),
      top = py(Math.max(ys[k], 0)),
      base = py(Math.min(ys[k], 0));
    return `<rect x="${a.toFixed(1)}" y="${top.toFixed(1)}" width="${(b - a).toFixed(1)}" ` +
      `height="${Math.max(0, base - top).toFixed(1)}" fill="${color}"${opacity}/>`;
  }).join("");
}

/** Annotations placed in their panel's domain (or the paper). */
function annotationsSvg(layout: PlotlyObject, ps: Panel[], W: number, H: number): string {
  const list = (layout.annotations ?? []) as PlotlyObject[];
  return list.map((a) => {
    const ref = String(a.xref ?? "paper").split(" ")[0];
    const p = ps.find((q) => q.x === ref);
    const fx = Number(a.x ?? 0.5), fy = Number(a.y ?? 1);
    const x = p ? p.left + fx * p.width : fx * W;
    const y = p ? p.top + (1 - fy) * p.height - 4 : (1 - fy) * H;
    const font = (a.font ?? {}) as { color?: string; size?: number };
    return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" text-anchor="middle" ` +
      `font-size="${font.size ?? 11}" fill="${esc(font.color ?? "#222")}">${
        esc(a.text ?? "")
      }</text>`;
  }).join("");
}

function legendSvg(traces: PlotlyTrace[], layout: PlotlyObject, x: number, y: number): string {
  const shown = traces.map((t, i) => ({ t, i })).filter(({ t }) =>
    t.name && t.showlegend !== false && (traces.length > 1 || layout.showlegend === true) &&
    layout.showlegend !== false && !["heatmap", "image", "contour", "surface"].includes(t.type)
  );
  return shown.map(({ t, i }, k) => {
    const cy = y + 16 * k;
    return `<line x1="${x}" x2="${x + 18}" y1="${cy}" y2="${cy}" stroke="${
      esc(traceColor(t, i))
    }" stroke-width="3"/>` +
      `<text x="${x + 24}" y="${cy}" dy="0.35em">${esc(t.name)}</text>`;
  }).join("");
}

/** A still of Plotly's slider: the track, every step and the active one, named. */
function sliderSvg(layout: PlotlyObject, W: number, H: number): string {
  const slider = (layout.sliders as PlotlyObject[] | undefined)?.[0];
  const steps = (slider?.steps ?? []) as { label?: string }[];
  if (!slider || !steps.length) return "";
  const active = Number(slider.active ?? 0);
  const prefix = textOf((slider.currentvalue as PlotlyObject | undefined)?.prefix ?? "");
  const x0 = 80, x1 = W - 40, y = H - 25;
  const at = (i: number) => x0 + (steps.length > 1 ? (i / (steps.length - 1)) * (x1 - x0) : 0);
  return `<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="#bbb" stroke-width="4"/>` +
    steps.map((_, i) =>
      `<line x1="${at(i)}" x2="${at(i)}" y1="${y + 4}" y2="${y + 8}" stroke="#999"/>`
    )
      .join("") +
    `<circle cx="${at(active)}" cy="${y}" r="7" fill="#fff" stroke="#666"/>` +
    `<text x="${x0}" y="${y - 14}">${esc(prefix + (steps[active]?.label ?? ""))}</text>`;
}

/** The traces drawn in 2-D: 3-D ones become their view from above. */
function flatten(traces: PlotlyTrace[]): PlotlyTrace[] {
  return traces.map((t) =>
    t.type === "surface"
      ? { ...t, type: "heatmap" }
      : t.type === "scatter3d"
      ? { ...t, type: "scatter" }
      : t
  );
}

/**
 * Draws a Plotly spec as a standalone SVG document (text), `width` ×
 * `height` pixels (default: the layout's, else 700 × 450). Synchronous, like
 * every display method here (see `figure.ts`).
 *
 * @example
 * ```ts
 * import { staticSvg } from "./static_svg.ts";
 * import assert from "node:assert/strict";
 * const svg = staticSvg({
 *   data: [{ type: "scatter", mode: "lines", name: "loss", x: [0, 1, 2], y: [3, 2, 1.5] }],
 *   layout: { title: { text: "Loss" } },
 * });
 * assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="700" height="450"/);
 * assert.match(svg, /<polyline points="[\d., ]+"/);
 * assert.match(svg, />Loss<\/text>/);
 * ```
 */
export function staticSvg(
  spec: { data: PlotlyTrace[]; layout?: PlotlyObject },
  size: { width?: number; height?: number } = {},
): string {
  const layout = spec.layout ?? {};
  const W = size.width ?? (typeof layout.width === "number" ? layout.width : 700);
  const H = size.height ?? (typeof layout.height === "number" ? layout.height : 450);
  const traces = flatten(spec.data);
  const title = textOf(layout.title);
  const legendWidth = traces.some((t) => t.name && t.showlegend !== false) && traces.length > 1
    ? 130
    : 0;
  const margin = (layout.margin ?? {}) as { l?: number; r?: number; t?: number; b?: number };
  const top = Math.max(margin.t ?? (title ? 60 : 30), title ? 50 : 10);
  const box = {
    left: margin.l ?? 60,
    top,
    width: W - (margin.l ?? 60) - (margin.r ?? 20) - legendWidth,
    height: H - top - (margin.b ?? 50),
  };
  const ps = panels(traces, layout, box);
  const body: string[] = [];
  for (const [k, p] of ps.entries()) {
    body.push(axesSvg(p));
    body.push(
      `<clipPath id="panel${k}"><rect x="${p.left}" y="${p.top}" width="${p.width}" ` +
        `height="${p.height}"/></clipPath><g clip-path="url(#panel${k})">`,
    );
    for (const [i, t] of traces.entries()) {
      if (`${t.xaxis ?? "x"} ${t.yaxis ?? "y"}` !== `${p.x} ${p.y}` || t.visible === false) {
        continue;
      }
      if (["heatmap", "contour", "image"].includes(t.type)) body.push(gridSvg(t, p));
      else if (t.type === "bar") body.push(barSvg(t, p, i));
      else if (t.type === "scatter") body.push(scatterSvg(t, p, i));
    }
    body.push(`</g>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `${FONT} font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    title
      ? `<text x="${W / 2}" y="28" text-anchor="middle" font-size="16">${esc(title)}</text>`
      : "",
    ...body,
    annotationsSvg(layout, ps, W, H),
    sliderSvg(layout, W, H),
    legendSvg(traces, layout, W - legendWidth + 10, box.top + 10),
    "</svg>",
  ].join("");
}
