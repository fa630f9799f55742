/**
 * Line plots: curves of any series ({@linkcode linePlot}) and training
 * histories ({@linkcode historyPlot}: loss and accuracy per epoch, training
 * and validation).
 *
 * @module
 */
import type { EpochRecord, StepRecord } from "../train/fit.ts";
import { Figure, FigurePromise, type PlotlyTrace } from "./figure.ts";
import { axis, colorOf, readValues, titleOf, type Values } from "./_data.ts";

/**
 * One curve of a {@linkcode linePlot}.
 *
 * @example
 * ```ts
 * import type { LineSeries } from "./line_plot.ts";
 * const s: LineSeries = { name: "train", y: [0.9, 0.5, 0.3], dash: "dash" };
 * ```
 */
export interface LineSeries {
  /** Legend entry. */
  name?: string;
  /** x values (default 0, 1, 2, ...). */
  x?: Values;
  /** y values. */
  y: Values;
  /** Line color (default: the palette, in order). */
  color?: string;
  /** Line style (default solid). */
  dash?: "solid" | "dash" | "dot" | "dashdot";
  /** Draw a marker at every point (default: only when there are at most 30). */
  markers?: boolean;
  /**
   * Small multiples: the panel (0, 1, 2, ...) to draw this series in; panels sit side by side,
   * four to a row, each with its own axes. Default: all series share one pair of axes.
   */
  panel?: number;
}

/**
 * Options of {@linkcode linePlot}.
 *
 * @example
 * ```ts
 * import type { LinePlotOptions } from "./line_plot.ts";
 * const o: LinePlotOptions = { series: [{ y: [3, 2, 1] }], title: "Loss", logY: true };
 * ```
 */
export interface LinePlotOptions {
  /** The curves. */
  series: LineSeries[];
  /** Figure title. */
  title?: string;
  /** x axis title. */
  xLabel?: string;
  /** y axis title. */
  yLabel?: string;
  /** Logarithmic y axis. */
  logY?: boolean;
  /** Height in pixels (default 400 per row of panels). */
  height?: number;
  /** Titles of the panels, in order (see {@linkcode LineSeries.panel}). */
  panelTitles?: string[];
}

const PANELS_PER_ROW = 4;

/** Plotly's name of panel p's axis: "x", "x2", ... (`ref` "x2" for traces, `key` "xaxis2" for the layout). */
function panelAxis(letter: "x" | "y", p: number) {
  const suffix = p === 0 ? "" : String(p + 1);
  return { ref: `${letter}${suffix}`, key: `${letter}axis${suffix}` };
}

/** Puts each trace on its series' panel and lays the panels out on a grid with their titles. */
function layOutPanels(
  data: PlotlyTrace[],
  layout: Record<string, unknown>,
  options: LinePlotOptions,
): void {
  const panelOf = options.series.map((s, i) => {
    const p = s.panel ?? 0;
    if (!Number.isInteger(p) || p < 0) {
      throw new Error(`linePlot: series ${s.name ?? i} has panel ${p}; use 0, 1, 2, ...`);
    }
    return p;
  });
  const panels = Math.max(...panelOf, (options.panelTitles?.length ?? 0) - 1) + 1;
  data.forEach((trace, i) => {
    trace.xaxis = panelAxis("x", panelOf[i]).ref;
    trace.yaxis = panelAxis("y", panelOf[i]).ref;
  });
  const rows = Math.ceil(panels / PANELS_PER_ROW);
  layout.grid = { rows, columns: Math.min(panels, PANELS_PER_ROW), pattern: "independent" };
  for (let p = 0; p < panels; p++) {
    layout[panelAxis("x", p).key] = axis(options.xLabel);
    layout[panelAxis("y", p).key] = axis(
      p % PANELS_PER_ROW === 0 ? options.yLabel : undefined,
      options.logY ? { type: "log" } : {},
    );
  }
  layout.annotations = (options.panelTitles ?? []).map((text, p) => ({
    text,
    xref: `${panelAxis("x", p).ref} domain`,
    yref: `${panelAxis("y", p).ref} domain`,
    x: 0.5,
    y: 1.02,
    xanchor: "center",
    yanchor: "bottom",
    showarrow: false,
  }));
  layout.height = options.height ?? 400 * rows;
}

async function lineTrace(s: LineSeries, i: number): Promise<PlotlyTrace> {
  const y = Array.from(await readValues(s.y));
  const x = s.x === undefined ? y.map((_, k) => k) : Array.from(await readValues(s.x));
  if (x.length !== y.length) {
    throw new Error(`linePlot: series ${s.name ?? i} has ${x.length} x values but ${y.length} y`);
  }
  const markers = s.markers ?? y.length <= 30;
  const trace: PlotlyTrace = {
    type: "scatter",
    mode: markers ? "lines+markers" : "lines",
    x,
    y,
    line: { color: s.color ?? colorOf(i), dash: s.dash ?? "solid" },
  };
  if (s.name !== undefined) trace.name = s.name;
  return trace;
}

/**
 * Curves of one or more series on shared axes, e.g. loss against epoch, or
 * side by side in panels (series with a `panel`).
 *
 * @example Two loss curves
 * ```ts
 * import { linePlot } from "./line_plot.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const fig = await linePlot({
 *   series: [
 *     { name: "train", x: [1, 2, 3], y: tensor([0.9, 0.5, 0.3]) },
 *     { name: "validation", x: [1, 2, 3], y: [1.0, 0.7, 0.6], dash: "dash" },
 *   ],
 *   title: "Loss",
 *   xLabel: "epoch",
 *   yLabel: "loss",
 * });
 * assert.deepEqual(fig.data.map((t) => [t.type, t.name]), [["scatter", "train"], ["scatter", "validation"]]);
 * assert.deepEqual(fig.layout.xaxis, { title: { text: "epoch" } });
 * ```
 *
 * @example A function and its derivative, one panel each
 * ```ts
 * import { linePlot } from "./line_plot.ts";
 * import assert from "node:assert/strict";
 * const x = [-1, 0, 1, 2];
 * const fig = await linePlot({
 *   series: [{ x, y: x.map((v) => v * v), panel: 0 }, { x, y: x.map((v) => 2 * v), panel: 1 }],
 *   panelTitles: ["f(x) = x²", "f′(x) = 2x"],
 *   xLabel: "x",
 * });
 * assert.deepEqual(fig.data.map((t) => [t.xaxis, t.yaxis]), [["x", "y"], ["x2", "y2"]]);
 * assert.deepEqual(fig.layout.grid, { rows: 1, columns: 2, pattern: "independent" });
 * assert.deepEqual(fig.layout.xaxis2, { title: { text: "x" } });
 * ```
 */
export function linePlot(options: LinePlotOptions): FigurePromise {
  return FigurePromise.from(async () => {
    const data = await Promise.all(options.series.map(lineTrace));
    const layout: Record<string, unknown> = {
      xaxis: axis(options.xLabel),
      yaxis: axis(options.yLabel, options.logY ? { type: "log" } : {}),
      height: options.height ?? 400,
    };
    if (options.series.some((s) => s.panel !== undefined) || options.panelTitles) {
      layOutPanels(data, layout, options);
    }
    if (options.title !== undefined) layout.title = titleOf(options.title);
    return new Figure({ data, layout });
  });
}

/**
 * Options of {@linkcode historyPlot}.
 *
 * @example
 * ```ts
 * import type { HistoryPlotOptions } from "./line_plot.ts";
 * const o: HistoryPlotOptions = { title: "MLP on MNIST", steps: true };
 * ```
 */
export interface HistoryPlotOptions {
  /** Figure title (default "Training history"). */
  title?: string;
  /** Also draw the per-step training loss (thin line) behind the epoch curves. */
  steps?: boolean;
  /** Height in pixels (default 380). */
  height?: number;
}

const TRAIN = colorOf(0), VALIDATION = colorOf(1);

/**
 * Loss and accuracy per epoch from `fit`'s history: training solid,
 * validation dashed, loss on the left, accuracy (when the task is a
 * classification) on the right.
 *
 * @example
 * ```ts
 * import { historyPlot } from "./line_plot.ts";
 * import assert from "node:assert/strict";
 * const fig = await historyPlot({
 *   steps: [],
 *   epochs: [
 *     { epoch: 1, loss: 0.9, accuracy: 0.7, valLoss: 1.0, valAccuracy: 0.65, seconds: 1, examplesPerSecond: 100 },
 *     { epoch: 2, loss: 0.5, accuracy: 0.85, valLoss: 0.7, valAccuracy: 0.8, seconds: 1, examplesPerSecond: 100 },
 *   ],
 * });
 * assert.deepEqual(fig.data.map((t) => t.name), ["train loss", "validation loss", "train accuracy", "validation accuracy"]);
 * assert.deepEqual(fig.data.map((t) => t.yaxis), ["y", "y", "y2", "y2"]);
 * ```
 */
export function historyPlot(
  history: { epochs: EpochRecord[]; steps?: StepRecord[] },
  options: HistoryPlotOptions = {},
): FigurePromise {
  return FigurePromise.from(() => {
    const epochs = history.epochs;
    const x = epochs.map((e) => e.epoch);
    const data: PlotlyTrace[] = [];
    const curve = (
      name: string,
      values: (number | undefined)[],
      color: string,
      dash: string,
      panel: 1 | 2,
    ) => {
      if (values.every((v) => v === undefined)) return;
      data.push({
        type: "scatter",
        mode: "lines+markers",
        name,
        x,
        y: values.map((v) => v ?? null),
        line: { color, dash },
        xaxis: panel === 1 ? "x" : "x2",
        yaxis: panel === 1 ? "y" : "y2",
      });
    };
    if (options.steps && history.steps?.length) {
      const perEpoch = new Map<number, number>();
      for (const s of history.steps) {
        perEpoch.set(s.epoch, Math.max(perEpoch.get(s.epoch) ?? 0, s.step));
      }
      data.push({
        type: "scatter",
        mode: "lines",
        name: "train loss (steps)",
        x: history.steps.map((s) => s.epoch - 1 + s.step / perEpoch.get(s.epoch)!),
        y: history.steps.map((s) => s.loss),
        line: { color: TRAIN, width: 1 },
        opacity: 0.35,
        xaxis: "x",
        yaxis: "y",
      });
    }
    curve("train loss", epochs.map((e) => e.loss), TRAIN, "solid", 1);
    curve("validation loss", epochs.map((e) => e.valLoss), VALIDATION, "dash", 1);
    curve("train accuracy", epochs.map((e) => e.accuracy), TRAIN, "solid", 2);
    curve("validation accuracy", epochs.map((e) => e.valAccuracy), VALIDATION, "dash", 2);
    const twoPanels = data.some((t) => t.yaxis === "y2");
    const layout: Record<string, unknown> = {
      title: titleOf(options.title ?? "Training history"),
      height: options.height ?? 380,
      xaxis: axis("epoch", { dtick: x.length <= 20 ? 1 : undefined }),
      yaxis: axis("loss"),
    };
    if (twoPanels) {
      layout.grid = { rows: 1, columns: 2, pattern: "independent" };
      layout.xaxis2 = axis("epoch", { dtick: x.length <= 20 ? 1 : undefined });
      layout.yaxis2 = axis("accuracy", { tickformat: ".0%" });
    }
    return Promise.resolve(new Figure({ data, layout }));
  });
}
