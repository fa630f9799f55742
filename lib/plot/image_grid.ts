/**
 * A grid of small images (digits, filters, feature maps) with their true and
 * predicted labels, misclassified ones first if asked.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import { finiteRange, readLabels, titleOf, type Values } from "./_data.ts";

/**
 * Options of {@linkcode imageGrid}.
 *
 * @example
 * ```ts
 * import type { ImageGridOptions } from "./image_grid.ts";
 * const o: ImageGridOptions = { columns: 6, max: 24, misclassifiedFirst: true };
 * ```
 */
export interface ImageGridOptions {
  /** True labels, one per image. */
  labels?: Values | ArrayLike<ArrayLike<number>>;
  /** Predicted labels, or scores `[N, C]` (read as their argmax). */
  predicted?: Values | ArrayLike<ArrayLike<number>>;
  /** Names of the classes (default: the class ids). */
  classNames?: (string | number)[];
  /** A title per image, replacing the label text. */
  titles?: string[];
  /** Put the misclassified images (prediction ≠ label) first, each group in its original order. */
  misclassifiedFirst?: boolean;
  /** Images per row (default: up to 8). */
  columns?: number;
  /** At most this many images (default 32). */
  max?: number;
  /** Figure title. */
  title?: string;
  /** Colorscale for one-channel images (default: white background, dark ink). */
  colorscale?: string | [number, string][];
  /**
   * Value drawn in the colorscale's lowest color, shared by all images (default: the
   * smallest value). With `zmax = -zmin` and a diverging colorscale, zero is the middle color.
   */
  zmin?: number;
  /** Value drawn in the colorscale's highest color (default: the largest value). */
  zmax?: number;
  /** Size of one image in pixels (default 100). */
  cellSize?: number;
}

const INK: [number, string][] = [[0, "#ffffff"], [1, "#000000"]];

/** Images as `count` planes of `h × w` values (and channels, 1 or 3). */
async function readImages(
  images: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>,
): Promise<{ n: number; c: number; h: number; w: number; values: ArrayLike<number> }> {
  if (images instanceof Tensor) {
    const s = images.shape;
    if (s.length === 3) return { n: s[0], c: 1, h: s[1], w: s[2], values: await images.data() };
    if (s.length === 4 && (s[1] === 1 || s[1] === 3)) {
      return { n: s[0], c: s[1], h: s[2], w: s[3], values: await images.data() };
    }
    throw new Error(
      `imageGrid: expected images [N, H, W], [N, 1, H, W] or [N, 3, H, W], got [${s}]`,
    );
  }
  const n = images.length, h = images[0]?.length ?? 0, w = images[0]?.[0]?.length ?? 0;
  const values = new Float64Array(n * h * w);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < h; i++) {
      const row = images[k][i];
      if (images[k].length !== h || row.length !== w) {
        throw new Error(`imageGrid: image ${k} is not ${h}×${w} like image 0`);
      }
      for (let j = 0; j < w; j++) values[(k * h + i) * w + j] = row[j];
    }
  }
  return { n, c: 1, h, w, values };
}

/**
 * The order images are shown in: all of them, or the misclassified first
 * (each group keeping its order), cut to `max`.
 */
function order(n: number, labels?: number[], predicted?: number[], wrongFirst = false): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (!wrongFirst || !labels || !predicted) return all;
  const wrong = all.filter((i) => labels[i] !== predicted[i]);
  const right = all.filter((i) => labels[i] === predicted[i]);
  return [...wrong, ...right];
}

/**
 * Images in a grid, each with a caption: its label, `true 3 · pred 5` with
 * predictions (red when wrong), or a given title. `images` is a tensor
 * `[N, H, W]`, `[N, 1, H, W]` or `[N, 3, H, W]`, or nested arrays `[N][H][W]`.
 * Every one-channel image shares one color range (the data's, or `zmin` to
 * `zmax`), so brightness compares across images. Each trace is named `#i` after the image's index in the input.
 *
 * @example Misclassified digits first
 * ```ts
 * import { imageGrid } from "./image_grid.ts";
 * import { rand } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const fig = await imageGrid(rand([4, 1, 8, 8]), {
 *   labels: [1, 2, 3, 4],
 *   predicted: [1, 7, 3, 9],
 *   misclassifiedFirst: true,
 * });
 * assert.deepEqual(fig.data.map((t) => t.name), ["#1", "#3", "#0", "#2"]);
 * assert.equal(fig.data[0].type, "heatmap");
 * const captions = (fig.layout.annotations as { text: string }[]).map((a) => a.text);
 * assert.deepEqual(captions, ["true 2 · pred 7", "true 4 · pred 9", "true 1 · pred 1", "true 3 · pred 3"]);
 * ```
 */
export function imageGrid(
  images: Tensor | ArrayLike<ArrayLike<ArrayLike<number>>>,
  options: ImageGridOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const { n, c, h, w, values } = await readImages(images);
    const labels = options.labels === undefined ? undefined : await readLabels(options.labels);
    const predicted = options.predicted === undefined
      ? undefined
      : await readLabels(options.predicted);
    checkGridOptions(n, labels, predicted, options);
    const shown = order(n, labels, predicted, options.misclassifiedFirst)
      .slice(0, options.max ?? 32);
    const columns = Math.max(1, Math.min(options.columns ?? 8, shown.length || 1));
    const rows = Math.max(1, Math.ceil(shown.length / columns));
    const [dataLo, dataHi] = finiteRange(values);
    const lo = options.zmin ?? dataLo, hi = options.zmax ?? dataHi;
    const name = (k: number) => String(options.classNames?.[k] ?? k);
    const data: PlotlyTrace[] = [];
    const annotations: Record<string, unknown>[] = [];
    const layout: Record<string, unknown> = {};
    shown.forEach((idx, k) => {
      const suffix = k === 0 ? "" : String(k + 1);
      const trace = imageTrace({ values, c, h, w }, idx, lo, hi, options.colorscale);
      trace.name = `#${idx}`;
      trace.xaxis = `x${suffix}`;
      trace.yaxis = `y${suffix}`;
      trace.hovertemplate = `#${idx} (row %{y}, column %{x}): %{z}<extra></extra>`;
      data.push(trace);
      layout[`xaxis${suffix}`] = { visible: false, constrain: "domain" };
      layout[`yaxis${suffix}`] = {
        visible: false,
        autorange: "reversed",
        scaleanchor: `x${suffix}`,
        constrain: "domain",
      };
      const wrong = labels && predicted && labels[idx] !== predicted[idx];
      const text = options.titles?.[idx] ?? caption(idx, labels, predicted, name);
      if (text !== undefined) {
        annotations.push({
          text,
          xref: `x${suffix} domain`,
          yref: `y${suffix} domain`,
          x: 0.5,
          y: 1,
          xanchor: "center",
          yanchor: "bottom",
          showarrow: false,
          font: { size: 11, color: wrong ? "#d62728" : "#222222" },
        });
      }
    });
    const cell = options.cellSize ?? 100;
    Object.assign(layout, {
      grid: { rows, columns, pattern: "independent", xgap: 0.08, ygap: 0.3 },
      annotations,
      height: rows * (cell + 30) + (options.title === undefined ? 30 : 70),
      // Wide enough for the title too (about 10 px per character at Plotly's title size).
      width: Math.max(columns * (cell + 10) + 40, 200, 10 * [...(options.title ?? "")].length + 60),
      margin: { l: 20, r: 20, t: options.title === undefined ? 30 : 70, b: 10 },
    });
    if (options.title !== undefined) layout.title = titleOf(options.title);
    // Plotly's toolbar would sit over the first row's titles; zooming pictures this small
    // adds nothing.
    return new Figure({ data, layout, config: { displayModeBar: false } });
  });
}

/** Throws naming the option whose length or range does not fit the `n` images. */
function checkGridOptions(
  n: number,
  labels: number[] | undefined,
  predicted: number[] | undefined,
  options: ImageGridOptions,
): void {
  for (const [what, v] of [["labels", labels], ["predicted", predicted]] as const) {
    if (v && v.length !== n) throw new Error(`imageGrid: ${n} images but ${v.length} ${what}`);
  }
  if (options.titles && options.titles.length !== n) {
    throw new Error(`imageGrid: ${n} images but ${options.titles.length} titles`);
  }
  if (
    options.zmin !== undefined && options.zmax !== undefined && !(options.zmin < options.zmax)
  ) {
    throw new Error(
      `imageGrid: zmin (${options.zmin}) must be below zmax (${options.zmax})`,
    );
  }
}

/** Image `idx` as a trace: a heatmap for one channel, an RGB image for three. */
function imageTrace(
  images: { values: ArrayLike<number>; c: number; h: number; w: number },
  idx: number,
  lo: number,
  hi: number,
  colorscale: ImageGridOptions["colorscale"],
): PlotlyTrace {
  const { values, c, h, w } = images;
  const plane = (ch: number) =>
    Array.from({ length: h }, (_, i) => {
      const start = ((idx * c + ch) * h + i) * w;
      return Array.from({ length: w }, (_, j) => values[start + j]);
    });
  if (c === 1) {
    return {
      type: "heatmap",
      z: plane(0),
      colorscale: colorscale ?? INK,
      zmin: lo,
      zmax: hi,
      showscale: false,
    };
  }
  // Scale to 0..255 over the whole batch, channels last.
  const [r, g, b] = [plane(0), plane(1), plane(2)];
  const byte = (p: number) =>
    hi > lo ? Math.round(255 * Math.min(1, Math.max(0, (p - lo) / (hi - lo)))) : 0;
  return {
    type: "image",
    z: r.map((row, i) => row.map((_, j) => [r, g, b].map((p) => byte(p[i][j])))),
  };
}

/** "true 2 · pred 7", "2", "pred 7", or nothing, from what is known of image `idx`. */
function caption(
  idx: number,
  labels: number[] | undefined,
  predicted: number[] | undefined,
  name: (k: number) => string,
): string | undefined {
  if (labels && predicted) return `true ${name(labels[idx])} · pred ${name(predicted[idx])}`;
  if (labels) return name(labels[idx]);
  if (predicted) return `pred ${name(predicted[idx])}`;
  return undefined;
}
