/**
 * Opens notebooks' HTML renders in headless Chromium and checks that every
 * plot and graph drew, and writes a full-page screenshot of each.
 *
 * For `OUT/NAME.html` the executed notebook `OUT/NAME.ipynb` beside it says
 * what should be there: every output with a Plotly bundle
 * (`application/vnd.plotly.v1+json`) is a plot, every other output with SVG
 * (`image/svg+xml`, or `<svg` in its HTML: Graphviz graphs, SVG charts) is a
 * graph. The page is loaded from disk (`file://`, loopback only: every host
 * name resolves to nothing) with a probe script appended; after the page's
 * scripts ran (virtual time), the probe reports, per notebook cell, which
 * plots drew (an `svg.main-svg` with a trace that has a visible extent, or a
 * WebGL canvas for 3-D plots) and which SVG graphs drew (an `<svg>` with
 * visible shapes; `g.node` counted for Graphviz). A cell with fewer drawn
 * plots or graphs than its outputs fails the check.
 *
 * Usage: `deno run --allow-run --allow-read --allow-write --allow-env tools/check_html.ts OUT/NAME.html...`
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

/** Options of {@linkcode checkHtml}. */
export interface CheckHtmlOptions {
  /** The executed notebook giving the expected outputs (default: NAME.ipynb beside the HTML). */
  notebook?: string;
  /** Where to write the full-page PNG (default NAME.png beside the HTML; `null`: none). */
  screenshot?: string | null;
  /** The Chromium binary (default `$CHROMIUM`, else `chromium`, `chromium-browser`, `google-chrome`). */
  chromium?: string;
  /** Virtual time the page gets to run its scripts, in ms (default 20000). */
  virtualTimeMs?: number;
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

/** What the probe reports for one cell of the page. */
interface ProbeCell {
  cell: number;
  plots: { drawn: boolean; why: string }[];
  graphs: { drawn: boolean; why: string; nodes: number }[];
}

interface Probe {
  cells: ProbeCell[];
  height: number;
  errors: string[];
}

// Runs in the page. Collects script errors from the start (ERRORS_SCRIPT in
// <head>) and, once the page's scripts have run, reports per notebook cell
// (`.jp-Cell`, in order) whether each plot and SVG graph has drawn.
const ERRORS_SCRIPT = `<script>window.__nbErrors = [];
addEventListener("error", (e) => window.__nbErrors.push(String(e.message || e)));</script>`;

const PROBE_SCRIPT = `<script>
addEventListener("load", () => setTimeout(() => {
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  // A flat (horizontal or vertical) line is a mark with zero height or width.
  const extent = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; };
  const PLOT = ".neuronbook-plot, .js-plotly-plot, .plotly-graph-div";
  const plotVerdict = (el) => {
    if (!el.querySelector("svg.main-svg")) return { drawn: false, why: "no svg.main-svg (plotly.js did not run)" };
    const marks = [...el.querySelectorAll(".trace path, .trace image, .trace text, .trace rect, g.hm image, .imagelayer image, .layer-above image")]
      .filter((m) => (m.tagName !== "path" || (m.getAttribute("d") || "").length > 4) && extent(m));
    if (marks.length > 0) return { drawn: true, why: marks.length + " marks" };
    // 3-D traces draw into a WebGL canvas instead of SVG.
    const canvases = [...el.querySelectorAll(".gl-container canvas")].filter(visible);
    if (canvases.length > 0) return { drawn: true, why: "WebGL canvas" };
    if (/WebGL is not supported/i.test(el.textContent)) return { drawn: false, why: "WebGL is not available" };
    return { drawn: false, why: "axes drawn but no trace" };
  };
  const graphVerdict = (svg) => {
    const nodes = svg.querySelectorAll("g.node").length;
    const shapes = [...svg.querySelectorAll("path, polygon, polyline, ellipse, circle, rect, line, text, image")].filter(visible);
    if (!visible(svg)) return { drawn: false, why: "svg has no size", nodes };
    return shapes.length > 0 ? { drawn: true, why: shapes.length + " shapes", nodes } : { drawn: false, why: "svg is empty", nodes };
  };
  const cells = [...document.querySelectorAll(".jp-Cell")].map((cell, i) => {
    const plotEls = [...cell.querySelectorAll(PLOT)].filter((el) => !el.parentElement.closest(PLOT));
    const svgs = [...cell.querySelectorAll(".jp-OutputArea-output svg")]
      .filter((s) => !s.closest(PLOT) && !s.parentElement.closest("svg"));
    return { cell: i, plots: plotEls.map(plotVerdict), graphs: svgs.map(graphVerdict) };
  }).filter((c) => c.plots.length || c.graphs.length);
  const out = document.createElement("pre");
  out.id = "neuronbook-probe";
  out.hidden = true;
  out.textContent = JSON.stringify({
    cells, errors: window.__nbErrors || [],
    height: Math.ceil(document.documentElement.scrollHeight),
  });
  document.body.appendChild(out);
}, 2000));
</script>`;

/** Finds the Chromium binary. */
async function findChromium(explicit?: string): Promise<string> {
  const candidates = explicit ? [explicit] : [
    Deno.env.get("CHROMIUM"),
    "chromium",
    "chromium-browser",
    "google-chrome",
  ].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      const { success } = await new Deno.Command(c, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      if (success) return c;
    } catch { /* not installed */ }
  }
  throw new Error(
    `no Chromium found (tried ${
      candidates.join(", ")
    }): install it (\`apt-get install chromium\`) ` +
      `or set CHROMIUM=/path/to/chrome`,
  );
}

// Headless, offline, no background traffic: every host name resolves to
// nothing, so the page can reach only file:// (and loopback).
function chromiumArgs(profile: string, virtualTimeMs: number): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader", // WebGL (3-D plots) in software
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    `--user-data-dir=${profile}`,
    `--virtual-time-budget=${virtualTimeMs}`,
  ];
}

async function runChromium(
  chromium: string,
  args: string[],
  timeoutMs = 120_000,
): Promise<{ stdout: string; stderr: string; success: boolean }> {
  const child = new Deno.Command(chromium, { args, stdout: "piped", stderr: "piped" }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    const out = await child.output();
    const dec = new TextDecoder();
    return { stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr), success: out.success };
  } finally {
    clearTimeout(timer);
  }
}

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&nbsp;/g, "\u00a0")
    .replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Inserts the error collector after `<head>` and the probe before `</body>`. */
function instrument(html: string): string {
  const head = html.search(/<head[^>]*>/i);
  const withErrors = head < 0
    ? ERRORS_SCRIPT + html
    : html.replace(/<head[^>]*>/i, (m) => m + ERRORS_SCRIPT);
  const end = withErrors.lastIndexOf("</body>");
  return end < 0
    ? withErrors + PROBE_SCRIPT
    : withErrors.slice(0, end) + PROBE_SCRIPT + withErrors.slice(end);
}

function fileUrl(path: string): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  return "file://" + abs.split("/").map(encodeURIComponent).join("/");
}

/**
 * Opens one HTML render in headless Chromium, checks its plots and graphs
 * against the executed notebook's outputs, and writes a screenshot.
 */
export async function checkHtml(html: string, options: CheckHtmlOptions = {}): Promise<HtmlCheck> {
  const started = performance.now();
  const base = html.replace(/\.html$/, "");
  const notebookPath = options.notebook ?? `${base}.ipynb`;
  const screenshot = options.screenshot === undefined ? `${base}.png` : options.screenshot;
  const chromium = await findChromium(options.chromium);
  const virtualTimeMs = options.virtualTimeMs ?? 20_000;

  const nb = JSON.parse(await Deno.readTextFile(notebookPath)) as { cells: NbCell[] };
  const expected = expectedVisuals(nb);

  // The instrumented copy sits beside the original so that relative URLs resolve alike.
  const probePath = `${base}.probe.html`;
  await Deno.writeTextFile(probePath, instrument(await Deno.readTextFile(html)));
  const profile = await Deno.makeTempDir({ prefix: "neuronbook-chromium-" });
  const failures: string[] = [];
  let probe: Probe | null = null;
  let shot: string | undefined;
  try {
    const dom = await runChromium(chromium, [
      ...chromiumArgs(profile, virtualTimeMs),
      "--dump-dom",
      fileUrl(probePath),
    ]);
    const m = /<pre id="neuronbook-probe"[^>]*>([\s\S]*?)<\/pre>/.exec(dom.stdout);
    if (!m) {
      const tail = dom.stderr.split("\n").filter((l) => !/dbus|Fontconfig/i.test(l)).slice(-5);
      failures.push(
        `the page did not finish loading in Chromium (no probe report)\n${tail.join("\n")}`,
      );
    } else {
      probe = JSON.parse(unescapeHtml(m[1])) as Probe;
    }
    if (screenshot && probe) {
      const height = Math.min(Math.max(probe.height, 600), 16_000);
      const width = options.width ?? 1280;
      const res = await runChromium(chromium, [
        ...chromiumArgs(profile, virtualTimeMs),
        `--window-size=${width},${height}`,
        `--screenshot=${screenshot.startsWith("/") ? screenshot : `${Deno.cwd()}/${screenshot}`}`,
        fileUrl(probePath),
      ]);
      if (res.success) shot = screenshot;
      else failures.push(`the screenshot failed: ${res.stderr.split("\n").slice(-3).join(" ")}`);
    }
  } finally {
    await Deno.remove(probePath).catch(() => {});
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }

  const cells: CellVisuals[] = [];
  if (probe) {
    const found = new Map(probe.cells.map((c) => [c.cell, c]));
    const indices = [...new Set([...expected.keys(), ...found.keys()])].sort((a, b) => a - b);
    for (const i of indices) {
      const want = expected.get(i) ?? { plots: 0, graphs: 0 };
      const got = found.get(i) ?? { cell: i, plots: [], graphs: [] };
      const drawnPlots = got.plots.filter((p) => p.drawn).length;
      const drawnGraphs = got.graphs.filter((g) => g.drawn).length;
      const problems: string[] = [];
      if (drawnPlots < want.plots) {
        const why = got.plots.filter((p) => !p.drawn).map((p) => p.why);
        problems.push(
          `${want.plots - drawnPlots} of ${want.plots} plot(s) did not draw` +
            (why.length ? ` (${why.join("; ")})` : " (no plot element in the page)"),
        );
      }
      if (drawnGraphs < want.graphs) {
        const why = got.graphs.filter((g) => !g.drawn).map((g) => g.why);
        problems.push(
          `${want.graphs - drawnGraphs} of ${want.graphs} graph(s) did not draw` +
            (why.length ? ` (${why.join("; ")})` : " (no svg in the page)"),
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
  }
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
    cells,
    failures,
    pageErrors: probe?.errors ?? [],
    screenshot: shot,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * One line for a check: plots and graphs drawn of expected, and the screenshot.
 *
 * @example
 * ```ts
 * import { summarize } from "./check_html.ts";
 * import assert from "node:assert/strict";
 * const line = summarize({
 *   html: "out/a.html", ok: true, plots: { expected: 2, drawn: 2 }, graphs: { expected: 0, drawn: 0 },
 *   cells: [], failures: [], pageErrors: [], screenshot: "out/a.png", seconds: 3,
 * });
 * assert.equal(line, "2/2 plots, 0/0 graphs drew; screenshot out/a.png");
 * ```
 */
export function summarize(r: HtmlCheck): string {
  const cwd = Deno.cwd() + "/";
  const shot = r.screenshot?.startsWith(cwd) ? r.screenshot.slice(cwd.length) : r.screenshot;
  return `${r.plots.drawn}/${r.plots.expected} plots, ${r.graphs.drawn}/${r.graphs.expected} graphs drew` +
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
