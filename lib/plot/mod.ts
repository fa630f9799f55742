/**
 * Plots for the course: typed builders over Plotly figure specs. Every
 * builder accepts tensors (on any backend) or plain / typed arrays and
 * returns a {@linkcode FigurePromise}: `await` it for the
 * {@linkcode Figure}, or leave it as a notebook cell's last expression to
 * show it. Figures are plain data until displayed; `fig.save("x.html")`
 * writes a standalone page that works offline.
 *
 * @example Loss curves, displayed in a notebook or saved
 * ```ts
 * import { linePlot } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const fig = await linePlot({ series: [{ name: "train", y: [1, 0.5, 0.3] }], title: "Loss" });
 * const bundle = await fig.toBundle();
 * assert.ok("application/vnd.plotly.v1+json" in bundle && "text/html" in bundle);
 * ```
 *
 * @module
 */
export {
  type BundleOptions,
  Figure,
  type FigureJson,
  FigurePromise,
  type FigureSpec,
  installPlotlyForJupyter,
  type PlotlyFrame,
  plotlyLibrarySource,
  type PlotlyObject,
  type PlotlyTrace,
  plotlyVersion,
} from "./figure.ts";
export { JUPYTER_DISPLAY, type MimeBundle } from "../jupyter.ts";
export { animate, type AnimateOptions } from "./animate.ts";
export type { MatrixInput, PointsInput, Values } from "./_data.ts";
export {
  historyPlot,
  type HistoryPlotOptions,
  linePlot,
  type LinePlotOptions,
  type LineSeries,
} from "./line_plot.ts";
export { scatterByClass, type ScatterOptions } from "./scatter.ts";
export {
  type ConfusionMatrixOptions,
  confusionMatrixPlot,
  heatmap,
  type HeatmapOptions,
} from "./heatmap.ts";
export { imageGrid, type ImageGridOptions } from "./image_grid.ts";
export {
  contourPlot,
  type PathInput,
  type SurfaceInput,
  type SurfaceOptions,
  surfacePlot,
} from "./surface.ts";
export {
  type Classifier2D,
  decisionBoundary,
  type DecisionBoundaryOptions,
} from "./decision_boundary.ts";
export { histogram, type HistogramOptions } from "./histogram.ts";
export { type ChartSeries, lineChartSvg, type LineChartSvgOptions } from "./svg_chart.ts";
