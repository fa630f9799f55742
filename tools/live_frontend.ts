/// <reference lib="dom" />
/**
 * `deno task live`: the course in a live Jupyter frontend. Starts Jupyter
 * Notebook (classic, Debian's `jupyter-notebook`) on 127.0.0.1 with a random
 * token, opens each notebook in headless Chromium (puppeteer-core), runs
 * "Run All" as a student would and checks, per notebook:
 *
 * - no cell raised an error and every code cell ran;
 * - each result sits under its own cell: every `execute_result` carries its
 *   cell's execution count, at most one per cell, and no output arrived
 *   after its cell had finished (the frontend drops or misplaces those);
 * - every plot and graph drew (Plotly: a visible trace; SVG: visible shapes);
 * - the page logged no errors (uncaught exceptions, `console.error`);
 * - live training output is one output, updated in place.
 *
 * Every failure is final: Deno 2.9's kernel misplaces results under "Run
 * All" on a loaded machine unless neuronbook was imported (which installs
 * `keepOutputsInOrder`, lib/jupyter.ts), so a misplaced result here means
 * that workaround failed.
 *
 * Then it opens each notebook's copy executed and saved by `deno task
 * notebooks` (`out/notebooks/NAME.ipynb`, not signed here, so untrusted: no
 * scripts, sanitized HTML, as a student who received the file sees it) and
 * checks that every figure shows its static picture with its note, not a
 * blank box (one more test per notebook; skipped with a note when there are
 * no executed copies).
 *
 * It writes a full-page screenshot per notebook (`out/live/NAME.png`,
 * `out/live/untrusted/NAME.png`). Saving is disabled (autosave off, and the
 * server refuses saves), so the notebooks stay as committed.
 *
 * Flags: `--only PATTERN` (repeatable), `--out DIR` (default `out/live`),
 * `--jobs N` (notebooks open at once, default 2), `--timeout S` per notebook
 * (default 900), `--executed DIR` (the executed copies, default
 * `out/notebooks`). `NEURONBOOK_FAST=1` passes through to the kernels. Needs
 * `jupyter-notebook` (`/usr/bin/python3 -m notebook`; `PYTHON=...` for
 * another Python), Chromium and the Deno kernel (`deno jupyter --install`).
 *
 * The last line is `ok | N passed | M failed (live notebooks, ...)`, one
 * test per notebook and one per untrusted copy, in the form `.ci/run` tallies.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Browser, Page } from "puppeteer-core";
import { launchBrowser, type ProbeCell, probeVisuals } from "./_browser.ts";
import { findNotebooks, pool } from "./notebooks.ts";
import { checkUntrusted, countFigures } from "./_untrusted.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** A running notebook server. */
interface Server {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** One output of a cell as the frontend holds it. */
interface LiveOutput {
  type: string;
  count: number | null;
  mimes: string[];
  /** The training run whose progress this output shows (its display id), if it does. */
  progress: string | null;
  svg: boolean;
}

/** One code cell after "Run All". */
interface LiveCell {
  index: number;
  prompt: number | string | null;
  empty: boolean;
  outputs: LiveOutput[];
  errors: string[];
  progressText: string;
}

/** The outcome of one notebook. */
export interface LiveRun {
  /** Path relative to the repository root. */
  notebook: string;
  /** Whether every check passed. */
  ok: boolean;
  /** Seconds from opening to the last check. */
  seconds: number;
  /** One line per failed check. */
  failures: string[];
  /** Plots drawn / expected. */
  plots: { drawn: number; expected: number };
  /** Graphs drawn / expected. */
  graphs: { drawn: number; expected: number };
  /** The screenshot, when written. */
  screenshot?: string;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

const NO_SAVE_CONFIG = `
def refuse(**kwargs):
    raise RuntimeError("the live-frontend test does not save notebooks")
c.FileContentsManager.pre_save_hook = refuse
`;

/** Starts `python -m notebook` serving the repository on 127.0.0.1 with a random token. */
async function startServer(python: string): Promise<Server> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const dir = await Deno.makeTempDir({ prefix: "neuronbook-live-" });
  await Deno.writeTextFile(`${dir}/jupyter_notebook_config.py`, NO_SAVE_CONFIG);
  const child = new Deno.Command(python, {
    args: [
      "-m",
      "notebook",
      "--no-browser",
      "--allow-root", // CI containers run as root
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${ROOT}`,
      `--config=${dir}/jupyter_notebook_config.py`,
    ],
    env: { JUPYTER_RUNTIME_DIR: dir, JUPYTER_CONFIG_DIR: dir },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log: string[] = [];
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  (async () => {
    for (let r = await reader.read(); !r.done; r = await reader.read()) log.push(r.value);
  })();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`${url}/api/status?token=${token}`);
      await res.body?.cancel();
      if (res.ok) return { url, token, stop };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(
    `Jupyter Notebook did not start (${python} -m notebook): install it with ` +
      `\`apt-get install jupyter-notebook\`\n${log.join("").split("\n").slice(-10).join("\n")}`,
  );
}

// In the page: the notebook's code cells with their prompts and outputs.
function readCells(): LiveCell[] {
  // deno-lint-ignore no-explicit-any
  const nb = (globalThis as any).Jupyter.notebook;
  // deno-lint-ignore no-explicit-any
  return nb.get_cells().flatMap((cell: any, index: number) => {
    if (cell.cell_type !== "code") return [];
    // deno-lint-ignore no-explicit-any
    const outputs = cell.output_area.outputs.map((o: any) => {
      const html = String(o.data?.["text/html"] ?? "");
      return {
        type: o.output_type,
        count: o.execution_count ?? null,
        mimes: Object.keys(o.data ?? {}),
        progress: /class="neuronbook-progress" data-run="([^"]+)"/.exec(html)?.[1] ?? null,
        svg: /<svg[\s>]/i.test(html),
      };
    });
    // deno-lint-ignore no-explicit-any
    const errors = cell.output_area.outputs.filter((o: any) => o.output_type === "error")
      // deno-lint-ignore no-explicit-any
      .map((o: any) => `${o.ename}: ${o.evalue}`);
    const progress = cell.element[0].querySelector(".neuronbook-progress");
    return [{
      index,
      prompt: cell.input_prompt_number ?? null,
      empty: cell.get_text().trim() === "",
      outputs,
      errors,
      progressText: progress?.textContent ?? "",
    }];
  });
}

/** Checks one notebook's cells after "Run All"; returns the failures. */
export function checkCells(cells: LiveCell[], strays: string[]): string[] {
  const failures: string[] = [];
  for (const c of cells) {
    if (c.errors.length) failures.push(`cell ${c.index}: ${c.errors.join("; ")}`);
    if (!c.empty && typeof c.prompt !== "number") {
      failures.push(`cell ${c.index} did not run (prompt ${JSON.stringify(c.prompt)})`);
    }
    const results = c.outputs.filter((o) => o.type === "execute_result");
    for (const r of results) {
      if (r.count !== c.prompt) {
        failures.push(
          `cell ${c.index} (In [${c.prompt}]) shows Out[${r.count}]: another cell's result`,
        );
      }
    }
    if (results.length > 1) failures.push(`cell ${c.index} shows ${results.length} results`);
    // Each training run shows one output, updated in place (a cell may train twice).
    const runs = c.outputs.flatMap((o) => o.progress ? [o.progress] : []);
    for (const run of new Set(runs)) {
      const n = runs.filter((r) => r === run).length;
      if (n > 1) {
        failures.push(
          `cell ${c.index}: training progress is ${n} outputs, not one updated in place`,
        );
      }
    }
  }
  for (const s of strays) failures.push(`an output arrived after its cell had finished: ${s}`);
  return failures;
}

// Runs in the page before "Run All": records outputs the frontend could not
// route to a cell (they arrived after the cell's callbacks were gone).
function watchStrays(): void {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  g.__strays = [];
  // deno-lint-ignore no-explicit-any
  g.Jupyter.notebook.events.on("received_unsolicited_message.Kernel", (_e: unknown, msg: any) => {
    const count = msg.content?.execution_count;
    g.__strays.push(`${msg.header.msg_type}${count ? ` Out[${count}]` : ""}`);
  });
}

async function openNotebook(page: Page, server: Server, rel: string): Promise<void> {
  const path = rel.split("/").map(encodeURIComponent).join("/");
  await page.goto(`${server.url}/notebooks/${path}?token=${server.token}`, {
    waitUntil: "load",
  });
  await page.waitForFunction(
    () => {
      // deno-lint-ignore no-explicit-any
      const nb = (globalThis as any).Jupyter?.notebook;
      return nb?.kernel?.is_connected?.() && nb.kernel.info_reply?.status === "ok";
    },
    { timeout: 120_000, polling: 200 },
  );
  await page.evaluate(() => {
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Jupyter.notebook.set_autosave_interval(0);
  });
}

/** Waits until no cell is queued or running and the outputs stop changing for `quietMs`. */
async function waitForRunAll(page: Page, timeoutMs: number, quietMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "", since = Date.now();
  while (Date.now() < deadline) {
    const state = await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const nb = (globalThis as any).Jupyter.notebook;
      // deno-lint-ignore no-explicit-any
      const cells = nb.get_cells().filter((c: any) => c.cell_type === "code");
      // deno-lint-ignore no-explicit-any
      const busy = cells.some((c: any) =>
        c.input_prompt_number === "*" || c.element[0].classList.contains("running")
      );
      // deno-lint-ignore no-explicit-any
      const shape = cells.map((c: any) =>
        `${c.input_prompt_number}:${c.output_area.outputs.length}`
      );
      return JSON.stringify({ busy: busy || nb.kernel_busy, shape });
    });
    if (state !== last) [last, since] = [state, Date.now()];
    if (!JSON.parse(state).busy && Date.now() - since >= quietMs) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Run All did not finish within ${timeoutMs / 1000} s`);
}

/** Waits until every expected plot drew (or `timeoutMs` passed); returns the last probe. */
async function waitForVisuals(page: Page, timeoutMs: number): Promise<ProbeCell[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await page.evaluate(probeVisuals, ".cell.code_cell");
    const pending = probe.some((c) => [...c.plots, ...c.graphs].some((v) => !v.drawn));
    if (!pending || Date.now() > deadline) return probe;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Expected plots/graphs per code cell (by position among code cells), from the outputs. */
function expectedVisuals(cells: LiveCell[]): Map<number, { plots: number; graphs: number }> {
  return new Map(cells.map((c, i) => {
    const plots = c.outputs.filter((o) => o.mimes.includes("application/vnd.plotly.v1+json"));
    const graphs = c.outputs.filter((o) =>
      !o.mimes.includes("application/vnd.plotly.v1+json") &&
      (o.mimes.includes("image/svg+xml") || o.svg)
    );
    return [i, { plots: plots.length, graphs: graphs.length }];
  }));
}

async function screenshot(page: Page, path: string): Promise<void> {
  // Classic Notebook scrolls inside #site; let the page grow so a full-page shot shows everything.
  await page.addStyleTag({
    content: "#site{height:auto!important;overflow:visible!important}" +
      "body,html{overflow:visible!important;height:auto!important}",
  });
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  // Two notebooks are open at once; a full-page shot of a background tab can stop at the viewport.
  await page.bringToFront();
  await page.screenshot({ path: path as `${string}.png`, fullPage: true });
}

/** Stops the page's kernel and closes the page (whatever state either is in). */
async function closeNotebook(page: Page): Promise<void> {
  await page.evaluate(() =>
    // deno-lint-ignore no-explicit-any
    (globalThis as any).Jupyter?.notebook?.kernel?.kill?.()
  ).catch(() => {});
  await page.close().catch(() => {});
}

/** Opens, runs and checks one notebook. */
async function runNotebook(
  browser: Browser,
  server: Server,
  rel: string,
  opts: { out: string; timeoutMs: number },
): Promise<LiveRun> {
  const started = performance.now();
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(`uncaught: ${e instanceof Error ? e.message : e}`));
  page.on("console", (m) => {
    // Not ours: Debian's Notebook enables the ipywidgets extension without shipping it, and
    // its MathJax 2 asks for a web font at about:blank.
    const from = m.location()?.url ?? "";
    const noise = /nbextensions\/widgets\//.test(from + m.text()) ||
      /font at 'about:blank'|ERR_FAILED about:blank/.test(`${m.text()} ${from}`);
    if (m.type() === "error" && !noise) pageErrors.push(`console.error: ${m.text()} ${from}`);
  });
  const failures: string[] = [];
  let plots = { drawn: 0, expected: 0 }, graphs = { drawn: 0, expected: 0 };
  let shot: string | undefined;
  try {
    await openNotebook(page, server, rel);
    await page.evaluate(watchStrays);
    await page.evaluate(() => {
      // deno-lint-ignore no-explicit-any
      const nb = (globalThis as any).Jupyter.notebook;
      nb.clear_all_output();
      nb.execute_all_cells();
    });
    await waitForRunAll(page, opts.timeoutMs);
    const cells = await page.evaluate(readCells);
    // deno-lint-ignore no-explicit-any
    const strays = await page.evaluate(() => (globalThis as any).__strays as string[]);
    failures.push(...checkCells(cells, strays));
    const base = `${opts.out}/${rel.replace(/^notebooks\//, "").replace(/\.ipynb$/, "")}`;
    await Deno.mkdir(base.slice(0, base.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(`${base}.cells.json`, JSON.stringify({ cells, strays }, null, 1));
    const probe = await waitForVisuals(page, 30_000);
    ({ plots, graphs } = compareVisuals(cells, probe, failures));
    failures.push(...pageErrors.map((e) => `page error: ${e}`));
    shot = `${base}.png`;
    await screenshot(page, shot);
  } catch (e) {
    failures.push(e instanceof Error ? e.message : String(e));
  } finally {
    await closeNotebook(page);
  }
  return {
    notebook: rel,
    ok: failures.length === 0,
    seconds: (performance.now() - started) / 1000,
    failures,
    plots,
    graphs,
    screenshot: shot,
  };
}

function compareVisuals(cells: LiveCell[], probe: ProbeCell[], failures: string[]) {
  const expected = expectedVisuals(cells);
  const found = new Map(probe.map((p) => [p.cell, p]));
  const plots = { drawn: 0, expected: 0 }, graphs = { drawn: 0, expected: 0 };
  for (const [i, want] of expected) {
    const got = found.get(i) ?? { cell: i, plots: [], graphs: [] };
    const drawnPlots = got.plots.filter((p) => p.drawn).length;
    const drawnGraphs = got.graphs.filter((g) => g.drawn).length;
    plots.expected += want.plots;
    plots.drawn += Math.min(want.plots, drawnPlots);
    graphs.expected += want.graphs;
    graphs.drawn += Math.min(want.graphs, drawnGraphs);
    const why = (vs: { drawn: boolean; why: string }[]) =>
      vs.filter((v) => !v.drawn).map((v) => v.why).join("; ") || "no element in the page";
    if (drawnPlots < want.plots) {
      failures.push(
        `cell ${cells[i].index}: ${
          want.plots - drawnPlots
        } of ${want.plots} plot(s) did not draw (${why(got.plots)})`,
      );
    }
    if (drawnGraphs < want.graphs) {
      failures.push(
        `cell ${cells[i].index}: ${
          want.graphs - drawnGraphs
        } of ${want.graphs} graph(s) did not draw (${why(got.graphs)})`,
      );
    }
  }
  return { plots, graphs };
}

/**
 * Opens the copy of `rel` that `deno task notebooks` executed and saved
 * (`executedRoot`/NAME.ipynb, relative to the repository) untrusted and checks
 * that each figure shows its static picture; undefined when there is no copy.
 */
async function runUntrusted(
  browser: Browser,
  server: Server,
  rel: string,
  opts: { out: string; executedRoot: string },
): Promise<LiveRun | undefined> {
  const name = rel.replace(/^notebooks\//, "");
  const executed = `${opts.executedRoot}/${name}`;
  let expected: number;
  try {
    expected = countFigures(JSON.parse(await Deno.readTextFile(`${ROOT}/${executed}`)));
  } catch {
    return undefined;
  }
  const started = performance.now();
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  let result = { shown: 0, failures: [] as string[] }, shot: string | undefined;
  try {
    await openNotebook(page, server, executed);
    result = await checkUntrusted(page, expected);
    shot = `${opts.out}/untrusted/${name.replace(/\.ipynb$/, "")}.png`;
    await screenshot(page, shot);
  } catch (e) {
    result.failures.push(e instanceof Error ? e.message : String(e));
  } finally {
    await closeNotebook(page);
  }
  return {
    notebook: `${executed} (untrusted)`,
    ok: result.failures.length === 0,
    seconds: (performance.now() - started) / 1000,
    failures: result.failures,
    plots: { drawn: result.shown, expected },
    graphs: { drawn: 0, expected: 0 },
    screenshot: shot,
  };
}

/** {@linkcode runUntrusted} on every notebook with an executed copy, reported as it goes. */
async function untrustedRuns(
  browser: Browser,
  server: Server,
  notebooks: string[],
  opts: { out: string; executedRoot: string },
): Promise<LiveRun[]> {
  const runs = (await pool(notebooks, 2, async (nb) => {
    const run = await runUntrusted(browser, server, nb, opts);
    if (!run) return undefined;
    console.log(
      `${run.ok ? "✔" : "✘"} ${run.notebook}: ${run.plots.drawn}/${run.plots.expected} ` +
        `figures show their static picture (${run.seconds.toFixed(1)} s)`,
    );
    for (const f of run.failures) console.log(`    ${f}`);
    return run;
  })).filter((r): r is LiveRun => r !== undefined);
  if (runs.length === 0) {
    console.log(
      `no executed copies under ${opts.executedRoot}: run \`deno task notebooks\` ` +
        "first to check them opened untrusted",
    );
  }
  return runs;
}

/** Runs the live test as the flags say; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      only: { type: "string", multiple: true, default: [] },
      out: { type: "string", default: "out/live" },
      jobs: { type: "string", default: "2" },
      timeout: { type: "string", default: "900" },
      executed: { type: "string", default: "out/notebooks" },
    },
  });
  const patterns = values.only.flatMap((p) => p.split(",")).filter(Boolean);
  const notebooks = (await findNotebooks(`${ROOT}/notebooks`))
    .map((n) => n.slice(ROOT.length + 1))
    .filter((n) => patterns.length === 0 || patterns.some((p) => n.includes(p)))
    .filter(() => positionals.length === 0)
    .concat(positionals);
  if (notebooks.length === 0) {
    console.error(`no notebook matches ${patterns.join(", ")}`);
    return 1;
  }
  const out = values.out.startsWith("/") ? values.out : `${Deno.cwd()}/${values.out}`;
  const started = performance.now();
  const server = await startServer(Deno.env.get("PYTHON") ?? "/usr/bin/python3");
  const browser = await launchBrowser();
  let runs: LiveRun[];
  try {
    console.log(`Jupyter Notebook at ${server.url}; ${notebooks.length} notebook(s)`);
    const opts = { out, timeoutMs: Number(values.timeout) * 1000 };
    runs = await pool(notebooks, Number(values.jobs), async (nb) => {
      const run = await runNotebook(browser, server, nb, opts);
      console.log(
        `${run.ok ? "✔" : "✘"} ${nb}: ${run.plots.drawn}/${run.plots.expected} plots, ` +
          `${run.graphs.drawn}/${run.graphs.expected} graphs drew (${run.seconds.toFixed(1)} s)`,
      );
      for (const f of run.failures) console.log(`    ${f}`);
      return run;
    });
    runs.push(
      ...await untrustedRuns(browser, server, notebooks, { out, executedRoot: values.executed }),
    );
  } finally {
    await browser.close();
    await server.stop();
  }
  const failed = runs.filter((r) => !r.ok);
  const total = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${failed.length ? "FAILED" : "ok"} | ${runs.length - failed.length} passed | ` +
      `${failed.length} failed (live notebooks, ${total} s; screenshots in ${
        out.startsWith(ROOT) ? out.slice(ROOT.length + 1) : out
      })`,
  );
  return failed.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
