/// <reference lib="dom" />
/**
 * The untrusted half of `deno task live`: opens a notebook as executed and
 * saved by `deno task notebooks` (outputs stored, not signed on this
 * machine, so Jupyter Notebook shows it untrusted: no scripts run, HTML is
 * sanitized) and checks that every figure shows its static picture and its
 * note instead of a blank box, as it would for a student who received the
 * file.
 *
 * @module
 */
import type { Page } from "puppeteer-core";

/**
 * The figures an executed notebook holds: outputs whose HTML is a neuronbook
 * figure box.
 *
 * @example
 * ```ts
 * import { countFigures } from "./_untrusted.ts";
 * import assert from "node:assert/strict";
 * const html = { "text/html": ['<div id="a" class="neuronbook-figure">', "</div>"] };
 * const nb = { cells: [{ cell_type: "code", outputs: [{ data: html }, { data: {} }] }] };
 * assert.equal(countFigures(nb), 1);
 * ```
 */
export function countFigures(
  notebook: { cells: { cell_type: string; outputs?: { data?: Record<string, unknown> }[] }[] },
): number {
  let n = 0;
  for (const cell of notebook.cells) {
    for (const out of cell.outputs ?? []) {
      const html = out.data?.["text/html"];
      const text = Array.isArray(html) ? html.join("") : String(html ?? "");
      if (text.includes('class="neuronbook-figure"')) n++;
    }
  }
  return n;
}

/** In the page: each figure box's static picture, measured. */
function probeFigures() {
  // deno-lint-ignore no-explicit-any
  const nb = (globalThis as any).Jupyter?.notebook;
  const boxes = [...document.querySelectorAll(".neuronbook-figure")];
  return {
    trusted: Boolean(nb?.trusted),
    live: document.querySelectorAll(".neuronbook-figure .js-plotly-plot").length,
    figures: boxes.map((box) => {
      const img = box.querySelector("img") as HTMLImageElement | null;
      const r = img?.getBoundingClientRect();
      return {
        drawn: Boolean(
          img?.complete && img.naturalWidth > 0 && r && r.width > 100 && r.height > 50,
        ),
        note: /Static picture/.test(box.textContent ?? ""),
      };
    }),
  };
}

/**
 * Checks the untrusted notebook open in `page` against the `expected` number
 * of figures; returns how many showed their static picture and what failed.
 */
export async function checkUntrusted(
  page: Page,
  expected: number,
): Promise<{ shown: number; failures: string[] }> {
  const got = await page.evaluate(probeFigures);
  const failures: string[] = [];
  if (got.trusted) failures.push("the notebook opened trusted: nothing to check");
  if (got.live > 0) failures.push(`${got.live} interactive plot(s) drew in an untrusted notebook`);
  if (got.figures.length !== expected) {
    failures.push(`${got.figures.length} figure boxes on the page, ${expected} in the file`);
  }
  got.figures.forEach((f, i) => {
    if (!f.drawn) failures.push(`figure ${i + 1}: no static picture (a blank box)`);
    else if (!f.note) failures.push(`figure ${i + 1}: the static picture has no note`);
  });
  return { shown: got.figures.filter((f) => f.drawn && f.note).length, failures };
}
