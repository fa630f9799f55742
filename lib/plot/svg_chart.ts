/**
 * A tiny line chart as inline SVG text: no library, a few kilobytes, so it
 * can be redrawn many times a second (the live training display uses it).
 *
 * @module
 */
import { escapeHtml } from "../jupyter.ts";

/**
 * One line of a {@linkcode lineChartSvg}.
 *
 * @example
 * ```ts
 * import type { ChartSeries } from "./svg_chart.ts";
 * const s: ChartSeries = { name: "val", points: [[1, 0.5], [2, 0.4]], dash: true, markers: true };
 * ```
 */
export interface ChartSeries {
  /** Legend text. */
  name: string;
  /** `[x, y]` points in x order; non-finite y values are skipped. */
  points: [number, number][];
  /** Stroke color (default: a palette color). */
  color?: string;
  /** Dashed line. */
  dash?: boolean;
  /** A dot at every point. */
  markers?: boolean;
  /** Line width (default 1.5). */
  width?: number;
}

/**
 * Options of {@linkcode lineChartSvg}.
 *
 * @example
 * ```ts
 * import type { LineChartSvgOptions } from "./svg_chart.ts";
 * const o: LineChartSvgOptions = { title: "accuracy", percent: true, yRange: [0, 1] };
 * ```
 */
export interface LineChartSvgOptions {
  /** Width in pixels (default 320). */
  width?: number;
  /** Height in pixels (default 160). */
  height?: number;
  /** Title drawn top left. */
  title?: string;
  /** Fixed y range (default: the data's range). */
  yRange?: [number, number];
  /** Fixed x range (default: the data's range). */
  xRange?: [number, number];
  /** x axis caption (default none). */
  xLabel?: string;
  /** Tick labels as percentages. */
  percent?: boolean;
  /** Series longer than this are averaged down to it (default 300 points). */
  maxPoints?: number;
}

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

/** Averages consecutive points so at most `max` remain. */
function thin(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const out: [number, number][] = [];
  const per = points.length / max;
  for (let b = 0; b < max; b++) {
    const chunk = points.slice(Math.floor(b * per), Math.floor((b + 1) * per));
    if (!chunk.length) continue;
    const x = chunk[chunk.length - 1][0];
    out.push([x, chunk.reduce((s, p) => s + p[1], 0) / chunk.length]);
  }
  return out;
}

function tick(v: number, percent: boolean): string {
  if (percent) return `${(100 * v).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/**
 * Draws series of `[x, y]` points as an SVG line chart (axes with min/max
 * ticks, legend, optional title), returned as SVG markup to inline in HTML.
 *
 * @example
 * ```ts
 * import { lineChartSvg } from "./svg_chart.ts";
 * import assert from "node:assert/strict";
 * const svg = lineChartSvg([{ name: "loss", points: [[0, 2], [1, 1], [2, 0.5]] }], { title: "loss" });
 * assert.match(svg, /^<svg [^>]*width="320"/);
 * assert.match(svg, /<polyline [^>]*points="[\d., ]+"/);
 * assert.match(svg, />loss</);
 * ```
 */
export function lineChartSvg(series: ChartSeries[], options: LineChartSvgOptions = {}): string {
  const drawn = series.map((s) => ({
    ...s,
    points: thin(
      s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])),
      options.maxPoints ?? 300,
    ),
  }));
  const frame = chartFrame(drawn.flatMap((s) => s.points), options);
  const parts = axesSvg(frame, options);
  let legendX = frame.W - frame.right - 4 -
    drawn.reduce((sum, s) => sum + legendWidth(s.name), 0);
  drawn.forEach((s, i) => {
    parts.push(...seriesSvg(s, s.color ?? COLORS[i % COLORS.length], frame, legendX));
    legendX += legendWidth(s.name);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** The chart's size, margins, data ranges and data-to-pixel maps. */
interface ChartFrame {
  W: number;
  H: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  x: [number, number];
  y: [number, number];
  px: (x: number) => string;
  py: (y: number) => string;
}

function chartFrame(all: [number, number][], options: LineChartSvgOptions): ChartFrame {
  const W = options.width ?? 320, H = options.height ?? 160;
  // The title (left) and the legend (right) share a row above the plot, so the legend
  // never covers a curve.
  const left = 44, right = 8, top = 22, bottom = options.xLabel ? 30 : 18;
  const range = (k: 0 | 1, given?: [number, number]): [number, number] => {
    if (given) return given;
    if (!all.length) return [0, 1];
    let lo = Math.min(...all.map((p) => p[k])), hi = Math.max(...all.map((p) => p[k]));
    if (hi === lo) lo -= k ? Math.abs(lo) * 0.1 || 1 : 0.5, hi += k ? Math.abs(hi) * 0.1 || 1 : 0.5;
    return [lo, hi];
  };
  const [x0, x1] = range(0, options.xRange), [y0, y1] = range(1, options.yRange);
  const px = (x: number) => (left + ((x - x0) / (x1 - x0)) * (W - left - right)).toFixed(1);
  const py = (y: number) => (H - bottom - ((y - y0) / (y1 - y0)) * (H - top - bottom)).toFixed(1);
  return { W, H, left, right, top, bottom, x: [x0, x1], y: [y0, y1], px, py };
}

/** The opening tag, plot frame, title, ticks and x label. */
function axesSvg(f: ChartFrame, options: LineChartSvgOptions): string[] {
  const { W, H, left, right, top, bottom, py } = f;
  const percent = options.percent ?? false;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="10" style="background:#fff">`,
    `<rect x="${left}" y="${top}" width="${W - left - right}" height="${H - top - bottom}" ` +
    `fill="none" stroke="#ccc"/>`,
  ];
  if (options.title) {
    parts.push(
      `<text x="${left}" y="13" font-size="11" font-weight="bold">${
        escapeHtml(options.title)
      }</text>`,
    );
  }
  const [y0, y1] = f.y;
  for (const y of [y0, (y0 + y1) / 2, y1]) {
    parts.push(
      `<line x1="${left}" x2="${W - right}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${left - 3}" y="${py(y)}" text-anchor="end" dominant-baseline="middle" ` +
        `fill="#555">${tick(y, percent)}</text>`,
    );
  }
  parts.push(
    `<text x="${left}" y="${H - bottom + 11}" fill="#555">${tick(f.x[0], false)}</text>`,
    `<text x="${W - right}" y="${H - bottom + 11}" text-anchor="end" fill="#555">${
      tick(f.x[1], false)
    }</text>`,
  );
  if (options.xLabel) {
    parts.push(
      `<text x="${(left + W - right) / 2}" y="${H - 4}" text-anchor="middle" fill="#555">` +
        `${escapeHtml(options.xLabel)}</text>`,
    );
  }
  return parts;
}

function legendWidth(name: string): number {
  return 6 * name.length + 18;
}

/** One series: its line, its markers and its legend entry at `legendX`. */
function seriesSvg(s: ChartSeries, color: string, f: ChartFrame, legendX: number): string[] {
  const { px, py, top } = f;
  const parts: string[] = [];
  const dash = s.dash ? ` stroke-dasharray="4 3"` : "";
  const pts = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ");
  if (s.points.length) {
    parts.push(
      `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="${
        s.width ?? 1.5
      }"${dash}/>`,
    );
  }
  if (s.markers) {
    for (const [x, y] of s.points) {
      parts.push(`<circle cx="${px(x)}" cy="${py(y)}" r="2.5" fill="${color}"/>`);
    }
  }
  // Legend entries in the row above the plot, right-aligned.
  parts.push(
    `<line x1="${legendX}" x2="${legendX + 12}" y1="${top - 10}" y2="${top - 10}" ` +
      `stroke="${color}" stroke-width="2"${dash}/>`,
    `<text x="${legendX + 15}" y="${top - 10}" dominant-baseline="middle" fill="#333">${
      escapeHtml(s.name)
    }</text>`,
  );
  return parts;
}
