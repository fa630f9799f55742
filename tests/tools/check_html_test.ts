import assert from "node:assert/strict";
import { checkHtml } from "../../tools/check_html.ts";
import { linePlot, plotlyLibrarySource } from "../../lib/plot/mod.ts";

/**
 * Writes a page shaped like nbconvert's export (one `.jp-Cell` per output)
 * and the executed notebook beside it that says how many plots to expect.
 */
async function page(dir: string, htmls: string[], markdown = ""): Promise<string> {
  const cells = htmls.map((h) =>
    `<div class="jp-Cell"><div class="jp-OutputArea-output">${h}</div></div>`
  );
  const nb = {
    cells: htmls.map(() => ({
      cell_type: "code",
      outputs: [{
        output_type: "display_data",
        data: { "application/vnd.plotly.v1+json": {}, "text/html": "" },
      }],
    })),
  };
  await Deno.writeTextFile(`${dir}/page.ipynb`, JSON.stringify(nb));
  // plotly.js beside the page, as `deno task notebooks` writes it.
  await Deno.writeTextFile(`${dir}/plotly.js`, await plotlyLibrarySource());
  await Deno.writeTextFile(
    `${dir}/page.html`,
    `<html><head><script src="plotly.js"></script></head><body>${cells.join("\n")}` +
      `<div class="jp-RenderedMarkdown">${markdown}</div></body></html>`,
  );
  return `${dir}/page.html`;
}

/** A figure's output as the HTML render holds it: its Plotly JSON (as nbexec.py puts it) and HTML. */
function rendered(bundle: Record<string, unknown>): string {
  const html = bundle["text/html"] as string;
  const id = /<div id="([^"]+)"/.exec(html)![1];
  const json = JSON.stringify(bundle["application/vnd.plotly.v1+json"]).replaceAll("<", "\\u003c");
  return `<script type="application/json" id="${id}-spec">${json}</script>${html}`;
}

Deno.test({
  name: "checkHtml: a flat line counts as drawn; a plot whose script never ran does not",
  permissions: { read: true, write: true, env: true, run: "inherit", net: ["127.0.0.1"] },
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const xs = [1, 2, 3];
      // Without markers, the flat line's only mark has zero height.
      const flat = await linePlot({ series: [{ x: xs, y: [0.5, 0.5, 0.5], markers: false }] });
      const sloped = await linePlot({ series: [{ x: xs, y: xs, markers: false }] });
      const html = [
        rendered(flat.toBundle()),
        rendered(sloped.toBundle()),
        // A plot div that plotly.js never drew into.
        `<div class="neuronbook-plot"></div>`,
      ];
      const result = await checkHtml(await page(dir, html), { screenshot: null, waitMs: 3000 });
      const drawn = result.cells.map((c) => [c.expectedPlots, c.drawnPlots]);
      assert.deepEqual(drawn, [[1, 1], [1, 1], [1, 0]]);
      assert.equal(result.ok, false);
      assert.equal(result.failures.length, 1);
      assert.match(result.failures[0], /cell 2/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "checkHtml: TeX left untypeset fails the check",
  permissions: { read: true, write: true, env: true, run: "inherit", net: ["127.0.0.1"] },
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const result = await checkHtml(await page(dir, [], "the loss $E = \\frac{1}{2}(y - a)^2$"), {
        screenshot: null,
        waitMs: 500,
      });
      assert.equal(result.ok, false);
      assert.match(result.failures.join("\n"), /math shows as raw TeX \(0 formulas typeset\)/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "checkHtml: a math column laid out far wider than its formulas fails the check",
  permissions: { read: true, write: true, env: true, run: "inherit", net: ["127.0.0.1"] },
  fn: async () => {
    const dir = await Deno.makeTempDir();
    // Typeset formulas as MathJax 3 leaves them (an <svg> per formula), and as MathJax 2's
    // full-width CommonHTML laid out the LeNet-5 table: a wide box around narrow glyphs.
    const svg = (w: number) =>
      `<mjx-container><svg width="${w}" height="12"></svg></mjx-container>`;
    const table = (math: string) =>
      `<table><tr><th>layer</th><th>output</th></tr>` +
      `<tr><td>conv 6 @ 5×5, padding 2, ReLU</td><td>${math}</td></tr>` +
      `<tr><td>max-pool 2×2</td><td>${svg(70)}</td></tr></table>`;
    try {
      const good = await checkHtml(await page(dir, [], table(svg(90))), {
        screenshot: null,
        waitMs: 500,
      });
      assert.deepEqual(good.failures, []);
      const fullWidth =
        `<mjx-container class="MathJax_CHTML" style="display:table-cell;width:100%">` +
        `<span style="display:inline-block;width:900px">6 × 28 × 28</span></mjx-container>`;
      const bad = await checkHtml(await page(dir, [], table(fullWidth)), {
        screenshot: null,
        waitMs: 500,
      });
      assert.equal(bad.ok, false);
      assert.equal(bad.failures.length, 1);
      assert.match(
        bad.failures[0],
        /^markdown table 1: column 2 is \d+ px wide \(\d+% of the table\) for \d+ px of content/,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
