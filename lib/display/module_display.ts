/**
 * Rich notebook display of models: the summary table (layers, output
 * shapes, parameter counts, totals) as HTML.
 *
 * @module
 */
import type { Module } from "../nn/module.ts";
import type { Shape } from "../op_set.ts";
import { summary } from "../nn/summary.ts";
import { escapeHtml, type MimeBundle } from "../jupyter.ts";

const withCommas = (n: number) => n.toLocaleString("en-US");

/**
 * The MIME bundle of a model for a notebook: `text/plain` (the summary
 * table as text) and `text/html` (the same as an HTML table). With
 * `inputShape` (one sample, without the batch axis) the output shape of each
 * layer is shown too.
 *
 * @example The lecture's 784-10-10 network
 * ```ts
 * import { moduleBundle } from "./module_display.ts";
 * import { Linear, Sequential, Sigmoid } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = new Sequential(new Linear(784, 10), new Sigmoid(), new Linear(10, 10));
 * const bundle = moduleBundle(model, [784]);
 * assert.match(bundle["text/html"] as string, /<td[^>]*>Linear\(784 → 10\)<\/td><td[^>]*>\[N, 10\]<\/td><td[^>]*>7,850<\/td>/);
 * assert.match(bundle["text/plain"] as string, /Total params: 7,960/);
 * ```
 */
export function moduleBundle(model: Module, inputShape?: Shape): MimeBundle {
  const s = summary(model, inputShape);
  const withShapes = s.rows.some((r) => r.outputShape !== "?");
  const th = "padding:2px 10px;text-align:left;border-bottom:1px solid #999";
  const td = "padding:2px 10px;text-align:left";
  const num = "padding:2px 10px;text-align:right";
  const head = ["Name", "Layer", ...(withShapes ? ["Output shape"] : []), "Param #"]
    .map((h, i, all) =>
      `<th style="${i === all.length - 1 ? th.replace("left", "right") : th}">${h}</th>`
    )
    .join("");
  const rows = s.rows.map((r) =>
    `<tr><td style="${td};color:#666">${escapeHtml(r.name)}</td><td style="${td}">${
      escapeHtml(r.layer)
    }</td>` +
    (withShapes ? `<td style="${td}">${escapeHtml(r.outputShape)}</td>` : "") +
    `<td style="${num}">${withCommas(r.params)}</td></tr>`
  ).join("");
  const frozen = s.totalParams - s.trainableParams;
  const totals = `<div style="margin-top:4px">Total params: <b>${withCommas(s.totalParams)}</b>` +
    ` · trainable ${withCommas(s.trainableParams)}` +
    (frozen ? ` · non-trainable ${withCommas(frozen)}` : "") + `</div>`;
  const html =
    `<div class="neuronbook-module" style="font-family:ui-monospace,monospace;font-size:12px">` +
    `<div style="margin-bottom:4px"><b>${escapeHtml(model.describe())}</b></div>` +
    `<table style="border-collapse:collapse"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>` +
    `${totals}</div>`;
  return { "text/plain": s.toString(), "text/html": html };
}
