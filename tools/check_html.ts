/// <reference lib="dom" />
/**
 * Opens notebooks' HTML renders in headless Chromium (puppeteer-core) and
 * checks that every plot and graph drew and the math was typeset, and writes
 * a full-page screenshot of each.
 *
 * For `OUT/NAME.html` the executed notebook `OUT/NAME.ipynb` beside it says
 * what should be there: every output with a Plotly bundle
 * (`application/vnd.plotly.v1+json`) is a plot, every other output with SVG
 * (`image/svg+xml`, or `<svg` in its HTML: Graphviz graphs, SVG charts) is a
 * graph. The page is loaded from disk (`file://`, loopback only: every host
 * name resolves to nothing); until everything drew or 20 s passed, a probe
 * reports, per notebook cell, which plots drew (an `svg.main-svg` with a
 * trace that has a visible extent, or a WebGL canvas for 3-D plots) and
 * which SVG graphs drew (an `<svg>` with visible shapes). A cell with fewer
 * drawn plots or graphs than its outputs fails the check, and so does
 * markdown whose TeX was left untypeset, and a markdown table whose math
 * column is laid out far wider than its formulas draw
 * ({@linkcode probeMathTables}).
 *
 * Usage: `deno run -A tools/check_html.ts OUT/NAME.html...`
 * (`--no-screenshot` skips the PNGs; `CHROMIUM=/path` picks the browser).
 *
 * @module
 */

/** What one notebook cell should show and what drew. */
export interface CellVisuals {
  /** Index of the cell in the notebook. */
  cell: number;
  /** Plotly outputs in the executed notebook. */
  expectedPlots: number;
  /** SVG outputs (graphs, SVG charts) in the executed notebook. */
  expectedGraphs: number;
  /** Plots that drew in the page. */
  drawnPlots: number;
  /** SVG graphs that drew in the page. */
  drawnGraphs: number;
  /** Why plots or graphs in this cell did not draw (empty when they all did). */
  problems: string[];
}

/** Result of checking one HTML file. */
export interface HtmlCheck {
  /** The HTML file. */
  html: string;
  /** Whether every expected plot and graph drew. */
  ok: boolean;
  /** Plots expected / drawn, over the notebook. */
  plots: { expected: number; drawn: number };
  /** Graphs expected / drawn, over the notebook. */
  graphs: { expected: number; drawn: number };
  /** Formulas MathJax typeset. */
  math: number;
  /** Cells with plots or graphs (expected or found). */
  cells: CellVisuals[];
  /** Failures, one line each (cell, what is missing, why). */
  failures: string[];
  /** Script errors the page reported (informational). */
  pageErrors: string[];
  /** The screenshot written, if any. */
  screenshot?: string;
  /** Seconds spent in Chromium. */
  seconds: number;
}

import type { Browser, Page } from "puppeteer-core";
import { launchBrowser, type ProbeCell, probeVisuals } from "./_browser.ts";

/** Options of {@linkcode checkHtml}. */
export interface CheckHtmlOptions {
  /** The executed notebook giving the expected outputs (default: NAME.ipynb beside the HTML). */
  notebook?: string;
  /** Where to write the full-page PNG (default NAME.png beside the HTML; `null`: none). */
  screenshot?: string | null;
  /** The Chromium binary (default `$CHROMIUM`, else `/usr/bin/chromium`, ...). */
  chromium?: string;
  /** A browser to open the page in (default: one started and closed for this check). */
  browser?: Browser;
  /** How long to wait for plots to draw and math to typeset, in ms (default 20000). */
  waitMs?: number;
  /** Width of the screenshot in CSS pixels (default 1280). */
  width?: number;
}

interface NbOutput {
  output_type: string;
  data?: Record<string, unknown>;
}

interface NbCell {
  cell_type: string;
  outputs?: NbOutput[];
}

/**
 * Counts the plots and graphs a notebook's outputs should draw, per cell.
 *
 * @example
 * ```ts
 * import { expectedVisuals } from "./check_html.ts";
 * import assert from "node:assert/strict";
 * const nb = {
 *   cells: [
 *     { cell_type: "markdown" },
 *     { cell_type: "code", outputs: [
 *       { output_type: "display_data", data: { "application/vnd.plotly.v1+json": {}, "text/html": "<div>" } },
 *       { output_type: "execute_result", data: { "image/svg+xml": "<svg></svg>" } },
 *       { output_type: "stream" },
 *     ] },
 *   ],
 * };
 * assert.deepEqual(expectedVisuals(nb), new Map([[1, { plots: 1, graphs: 1 }]]));
 * ```
 */
export function expectedVisuals(
  nb: { cells: NbCell[] },
): Map<number, { plots: number; graphs: number }> {
  const byCell = new Map<number, { plots: number; graphs: number }>();
  nb.cells.forEach((cell, i) => {
    for (const out of cell.outputs ?? []) {
      const data = out.data ?? {};
      const html = joinText(data["text/html"]);
      const isPlot = "application/vnd.plotly.v1+json" in data;
      const isGraph = !isPlot && ("image/svg+xml" in data || /<svg[\s>]/i.test(html));
      if (!isPlot && !isGraph) continue;
      const entry = byCell.get(i) ?? { plots: 0, graphs: 0 };
      if (isPlot) entry.plots++;
      else entry.graphs++;
      byCell.set(i, entry);
    }
  });
  return byCell;
}

function joinText(v: unknown): string {
  return Array.isArray(v) ? v.join("") : typeof v === "string" ? v : "";
}

/** A table column with math that is much wider than what it shows. */
export interface WideMathColumn {
  /** The table's place among the page's markdown tables (0-based). */
  table: number;
  /** The column (0-based). */
  column: number;
  /** Its width, in CSS pixels. */
  width: number;
  /** The table's width, in CSS pixels. */
  tableWidth: number;
  /** The widest thing the column shows (text glyphs, typeset formulas), in CSS pixels. */
  content: number;
}

/**
 * Runs in the page: every column of a rendered-markdown table that holds
 * math and is wider than twice what it shows (and by more than 48 px). What
 * a cell shows is measured from its text's glyphs and the typeset formulas'
 * drawings (an SVG formula's `<svg>`), not from the boxes around them: a
 * formula laid out as a full-width block (MathJax 2's CommonHTML output with
 * automatic line breaks, in these tables) makes its box, and the column,
 * take most of the table while its glyphs stay narrow.
 */
export async function probeMathTables(): Promise<WideMathColumn[]> {
  // Measure once MathJax has finished (version 3's startup promise, version 2's queue).
  const mj = (window as unknown as {
    MathJax?: {
      startup?: { promise?: Promise<unknown> };
      Hub?: { Queue(f: () => void): void };
    };
  }).MathJax;
  if (mj?.startup?.promise) await mj.startup.promise;
  else if (mj?.Hub) await new Promise<void>((done) => mj.Hub!.Queue(done));
  const MATH = "mjx-container, .MathJax, .MathJax_CHTML, .MathJax_SVG";
  const hidden = (n: Node) =>
    !!(n.parentElement?.closest(
      "script, style, mjx-assistive-mml, .MJX_Assistive_MathML, .MathJax_Preview",
    ));
  const shown = (cell: Element): number => {
    const rects: DOMRect[] = [];
    for (const svg of cell.querySelectorAll("mjx-container > svg")) {
      rects.push(svg.getBoundingClientRect());
    }
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim() || hidden(n)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      rects.push(...range.getClientRects());
    }
    const seen = rects.filter((r) => r.width > 0);
    if (!seen.length) return 0;
    return Math.max(...seen.map((r) => r.right)) - Math.min(...seen.map((r) => r.left));
  };
  const wide: WideMathColumn[] = [];
  const tables = [...document.querySelectorAll(".jp-RenderedMarkdown table")];
  tables.forEach((table, t) => {
    const rows = [...table.querySelectorAll("tr")].map((tr) => [...tr.children]);
    const columns = Math.max(0, ...rows.map((r) => r.length));
    for (let c = 0; c < columns; c++) {
      const cells = rows.map((r) => r[c]).filter((e): e is Element => !!e);
      if (!cells.some((e) => e.querySelector(MATH))) continue;
      const width = Math.max(...cells.map((e) => e.getBoundingClientRect().width));
      const content = Math.max(...cells.map(shown));
      if (width - content > Math.max(48, content)) {
        const tableWidth = table.getBoundingClientRect().width;
        wide.push({ table: t, column: c, width, tableWidth, content });
      }
    }
  });
  return wide;
}

/** What the page loaded from disk reports. */
interface PageReport {
  cells: ProbeCell[];
  math: number;
  rawMath: boolean;
}

function fileUrl(path: string): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return "file://" + abs.split("/").map(encodeURIComponent).join("/");
}

/** Loads the page, waits until its plots drew and its math is typeset (or `waitMs` passed). */
async function loadPage(page: Page, url: string, waitMs: number): Promise<PageReport> {
  await page.goto(url, { waitUntil: "load", timeout: 120_000 });
  const deadline = Date.now() + waitMs;
  for (;;) {
    const cells = await page.evaluate(probeVisuals, ".jp-Cell");
    const math = await page.evaluate(() => ({
      typeset: document.querySelectorAll("mjx-container").length,
      // TeX left as text: a "$" pair or \( in rendered markdown.
      raw: [...document.querySelectorAll(".jp-RenderedMarkdown")]
        .some((el) => /\$[^$\s][^$]*\$|\\\(/.test(el.textContent ?? "")),
    }));
    const pending = cells.some((c) => [...c.plots, ...c.graphs].some((v) => !v.drawn)) ||
      math.raw;
    if (!pending || Date.now() > deadline) {
      return { cells, math: math.typeset, rawMath: math.raw };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Opens one HTML render in headless Chromium (puppeteer), checks its plots
 * and graphs against the executed notebook's outputs and that its math was
 * typeset, and writes a full-page screenshot.
 */
export async function checkHtml(html: string, options: CheckHtmlOptions = {}): Promise<HtmlCheck> {
  const started = performance.now();
  const base = html.replace(/\.html$/, "");
  const notebookPath = options.notebook ?? `${base}.ipynb`;
  const screenshot = options.screenshot === undefined ? `${base}.png` : options.screenshot;
  const nb = JSON.parse(await Deno.readTextFile(notebookPath)) as { cells: NbCell[] };
  const expected = expectedVisuals(nb);
  const browser = options.browser ?? await launchBrowser(options.chromium);
  const failures: string[] = [];
  const pageErrors: string[] = [];
  let report: PageReport | null = null;
  let shot: string | undefined;
  const page = await browser.newPage();
  try {
    await page.setViewport({ width: options.width ?? 1280, height: 900 });
    page.on("pageerror", (e) => pageErrors.push(e instanceof Error ? e.message : String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`${m.text()} ${m.location()?.url ?? ""}`.trim());
    });
    report = await loadPage(page, fileUrl(html), options.waitMs ?? 20_000);
    if (report.rawMath) {
      failures.push(`math shows as raw TeX (${report.math} formulas typeset): MathJax did not run`);
    }
    for (const w of await page.evaluate(probeMathTables)) {
      failures.push(
        `markdown table ${w.table + 1}: column ${w.column + 1} is ${Math.round(w.width)} px wide ` +
          `(${Math.round((100 * w.width) / w.tableWidth)}% of the table) for ` +
          `${Math.round(w.content)} px of content: its math is laid out wider than it draws`,
      );
    }
    if (screenshot) {
      await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
      shot = screenshot;
    }
  } catch (e) {
    failures.push(`the page did not load in Chromium: ${e instanceof Error ? e.message : e}`);
  } finally {
    await page.close().catch(() => {});
    if (!options.browser) await browser.close();
  }
  const cells = report ? compare(expected, report.cells, failures) : [];
  const sum = (f: (c: CellVisuals) => number) => cells.reduce((s, c) => s + f(c), 0);
  return {
    html,
    ok: failures.length === 0,
    plots: {
      expected: sum((c) => c.expectedPlots),
      drawn: sum((c) => Math.min(c.drawnPlots, c.expectedPlots)),
    },
    graphs: {
      expected: sum((c) => c.expectedGraphs),
      drawn: sum((c) => Math.min(c.drawnGraphs, c.expectedGraphs)),
    },
    math: report?.math ?? 0,
    cells,
    failures,
    pageErrors,
    screenshot: shot,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Per cell, expected against drawn; failures appended. */
function compare(
  expected: Map<number, { plots: number; graphs: number }>,
  probe: ProbeCell[],
  failures: string[],
): CellVisuals[] {
  const cells: CellVisuals[] = [];
  const found = new Map(probe.map((c) => [c.cell, c]));
  const indices = [...new Set([...expected.keys(), ...found.keys()])].sort((a, b) => a - b);
  for (const i of indices) {
    const want = expected.get(i) ?? { plots: 0, graphs: 0 };
    const got = found.get(i) ?? { cell: i, plots: [], graphs: [] };
    const drawnPlots = got.plots.filter((p) => p.drawn).length;
    const drawnGraphs = got.graphs.filter((g) => g.drawn).length;
    const problems: string[] = [];
    const why = (vs: { drawn: boolean; why: string }[], none: string) => {
      const w = vs.filter((v) => !v.drawn).map((v) => v.why);
      return w.length ? ` (${w.join("; ")})` : ` (${none})`;
    };
    if (drawnPlots < want.plots) {
      problems.push(
        `${want.plots - drawnPlots} of ${want.plots} plot(s) did not draw` +
          why(got.plots, "no plot element in the page"),
      );
    }
    if (drawnGraphs < want.graphs) {
      problems.push(
        `${want.graphs - drawnGraphs} of ${want.graphs} graph(s) did not draw` +
          why(got.graphs, "no svg in the page"),
      );
    }
    for (const p of problems) failures.push(`cell ${i}: ${p}`);
    cells.push({
      cell: i,
      expectedPlots: want.plots,
      expectedGraphs: want.graphs,
      drawnPlots,
      drawnGraphs,
      problems,
    });
  }
  return cells;
}

/**
 * One line for a check: plots and graphs drawn of expected, and the screenshot.
 *
 * @example
 * ```ts
 * import { summarize } from "./check_html.ts";
 * import assert from "node:assert/strict";
 * const line = summarize({
 *   html: "out/a.html", ok: true, plots: { expected: 2, drawn: 2 }, graphs: { expected: 0, drawn: 0 }, math: 3,
 *   cells: [], failures: [], pageErrors: [], screenshot: "out/a.png", seconds: 3,
 * });
 * assert.equal(line, "2/2 plots, 0/0 graphs drew, 3 formulas typeset; screenshot out/a.png");
 * ```
 */
export function summarize(r: HtmlCheck): string {
  const cwd = Deno.cwd() + "/";
  const shot = r.screenshot?.startsWith(cwd) ? r.screenshot.slice(cwd.length) : r.screenshot;
  return `${r.plots.drawn}/${r.plots.expected} plots, ${r.graphs.drawn}/${r.graphs.expected} graphs drew, ` +
    `${r.math} formulas typeset` +
    (shot ? `; screenshot ${shot}` : "");
}

if (import.meta.main) {
  const files = Deno.args.filter((a) => !a.startsWith("--"));
  const noShot = Deno.args.includes("--no-screenshot");
  if (files.length === 0) {
    console.error("usage: tools/check_html.ts [--no-screenshot] OUT/NAME.html...");
    Deno.exit(2);
  }
  let failed = 0;
  for (const html of files) {
    const r = await checkHtml(html, noShot ? { screenshot: null } : {});
    console.log(`${r.ok ? "✔" : "✘"} ${html}: ${summarize(r)} (${r.seconds.toFixed(1)} s)`);
    for (const f of r.failures) console.log(`    ${f}`);
    if (!r.ok) failed++;
  }
  Deno.exit(failed ? 1 : 0);
}
