/**
 * Histograms of values (weights, activations, gradients), one or several
 * overlaid on shared bins.
 *
 * @module
 */
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import {
  axis,
  colorOf,
  finiteRange,
  formatNumber,
  readValues,
  titleOf,
  type Values,
} from "./_data.ts";

/**
 * Options of {@linkcode histogram}.
 *
 * @example
 * ```ts
 * import type { HistogramOptions } from "./histogram.ts";
 * const o: HistogramOptions = { bins: 50, range: [-1, 1], density: true };
 * ```
 */
export interface HistogramOptions {
  /** Number of equal-width bins (default 30). */
  bins?: number;
  /** Interval covered by the bins (default: the finite values' range); values outside are left out. */
  range?: [number, number];
  /** Show densities (area 1) instead of counts. */
  density?: boolean;
  /** Figure title. */
  title?: string;
  /** x axis title (default "value"). */
  xLabel?: string;
  /** Height in pixels (default 400). */
  height?: number;
}

/**
 * A histogram of `values` (a tensor of any shape or an array), or of several
 * named series overlaid on the same bins. Bins are counted here, so the
 * figure holds `bins` bars rather than every value: each series is a `bar`
 * trace with `x` the bin centers, `y` the counts and `width` the bin width.
 * Non-finite values are skipped.
 *
 * @example
 * ```ts
 * import { histogram } from "./histogram.ts";
 * import assert from "node:assert/strict";
 * const fig = await histogram([0, 0.1, 0.4, 0.6, 0.9, 1], { bins: 2 });
 * const [bars] = fig.data;
 * assert.equal(bars.type, "bar");
 * assert.deepEqual([bars.x, bars.y, bars.width], [[0.25, 0.75], [3, 3], 0.5]);
 * ```
 */
export function histogram(
  values: Values | { name: string; values: Values }[],
  options: HistogramOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const series = Array.isArray(values) && values.length && typeof values[0] === "object"
      ? values as { name: string; values: Values }[]
      : [{ name: "", values: values as Values }];
    const read = await Promise.all(series.map(async (s) => Array.from(await readValues(s.values))));
    const bins = Math.max(1, Math.round(options.bins ?? 30));
    let [lo, hi] = options.range ?? finiteRange(read.flat());
    if (hi === lo) lo -= 0.5, hi += 0.5;
    const width = (hi - lo) / bins;
    const centers = Array.from({ length: bins }, (_, b) => lo + (b + 0.5) * width);
    const data: PlotlyTrace[] = series.map((s, k) => {
      const counts = new Array<number>(bins).fill(0);
      let total = 0;
      for (const v of read[k]) {
        if (!Number.isFinite(v) || v < lo || v > hi) continue;
        counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
        total++;
      }
      const y = options.density ? counts.map((c) => total ? c / (total * width) : 0) : counts;
      const trace: PlotlyTrace = {
        type: "bar",
        x: centers,
        y,
        width,
        marker: { color: colorOf(k), line: { color: "white", width: bins > 80 ? 0 : 0.5 } },
        customdata: centers.map((c) =>
          `${formatNumber(c - width / 2, 4)} – ${formatNumber(c + width / 2, 4)}`
        ),
        hovertemplate: `%{customdata}: %{y}<extra>${s.name}</extra>`,
      };
      if (s.name) trace.name = s.name;
      if (series.length > 1) trace.opacity = 0.6;
      return trace;
    });
    const layout: Record<string, unknown> = {
      barmode: "overlay",
      bargap: 0,
      xaxis: axis(options.xLabel ?? "value"),
      yaxis: axis(options.density ? "density" : "count"),
      height: options.height ?? 400,
      showlegend: series.length > 1,
    };
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data, layout });
  });
}
