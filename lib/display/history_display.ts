/**
 * Rich notebook display of training histories: the loss and accuracy
 * curves of `fit`'s result as a Plotly figure.
 *
 * @module
 */
import type { History } from "../train/fit.ts";
import type { MimeBundle } from "../jupyter.ts";
import { historyPlot } from "../plot/line_plot.ts";

/**
 * The MIME bundle of a training history for a notebook: the figure of
 * {@linkcode historyPlot} (loss and accuracy per epoch, training and
 * validation). In a cell, `historyPlot(history)` shows the same.
 *
 * @example
 * ```ts
 * import { historyBundle } from "./history_display.ts";
 * import assert from "node:assert/strict";
 * const bundle = await historyBundle({
 *   steps: [],
 *   epochs: [{ epoch: 1, loss: 0.5, seconds: 1, examplesPerSecond: 10 }],
 * });
 * const spec = bundle["application/vnd.plotly.v1+json"] as { data: { name: string }[] };
 * assert.deepEqual(spec.data.map((t) => t.name), ["train loss"]);
 * ```
 */
export async function historyBundle(history: History): Promise<MimeBundle> {
  return await (await historyPlot(history)).toBundle();
}
