/**
 * `deno task notebooks`: executes every notebook under `notebooks/` (the
 * homework starters and solutions included) top to bottom through the real
 * Deno Jupyter kernel with nbconvert, writes the executed notebooks and their
 * HTML renders to `out/notebooks/` (same folders as under `notebooks/`),
 * prints a table and exits non-zero if any notebook failed, showing the
 * failing cell and its error.
 *
 * Flags:
 * - `--only PATTERN`: only notebooks whose path contains PATTERN (repeatable,
 *   or comma-separated), e.g. `--only 00_ --only homework/`;
 * - `--out DIR`: output folder (default `out/notebooks`);
 * - `--check-html`: then open each HTML render in headless Chromium, check
 *   that every plot and graph drew and write a screenshot (`NAME.png`);
 * - `--jobs N`: notebooks run at once (default 2);
 * - `--timeout S` / `--cell-timeout S`: limits per notebook / per cell
 *   (default 1800 / 900 seconds).
 *
 * The environment passes through to the kernel: `NEURONBOOK_FAST=1` (set by
 * CI) makes long notebooks train on a subset. Needs Debian's
 * `/usr/bin/python3` with `python3-nbconvert` (or `PYTHON=/path/to/python`
 * with nbconvert) and the kernel registered with `deno jupyter --install`.
 *
 * The last line is `ok | N passed | M failed (notebooks)` (`FAILED | ...`
 * when any failed), one test per notebook, in the form `.ci/run` tallies.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { checkHtml, type HtmlCheck, summarize } from "./check_html.ts";
import { plotlyLibrarySource, plotlyVersion } from "../lib/plot/figure.ts";

/** The outcome of one notebook. */
export interface NotebookRun {
  /** Path of the notebook, relative to the repository root. */
  notebook: string;
  /** Whether it executed without error (and, with `--check-html`, drew everything). */
  ok: boolean;
  /** Seconds spent executing. */
  seconds: number;
  /** The HTML render, when written. */
  html?: string;
  /** What failed, ready to print. */
  failure?: string;
  /** The Chromium check, when asked for. */
  htmlCheck?: HtmlCheck;
  /**
   * The run failed outside every cell, in the connection to the kernel (e.g.
   * jupyter_client's "Invalid Signature" on a garbled message), not in the
   * notebook's code: worth one more try.
   */
  kernelFailure?: boolean;
  /** Why the notebook was run a second time, when it was. */
  retriedAfter?: string;
}

const TIMEOUTS = new Set(["NotebookTimeout", "CellTimeoutError", "TimeoutError"]);

interface Status {
  ok: boolean;
  seconds: number;
  error?: {
    cell: number | null;
    source: string;
    ename: string;
    evalue: string;
    traceback: string[];
  };
}

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NBEXEC = `${ROOT}/tools/nbexec.py`;

/**
 * Lists the notebooks under a folder, sorted, skipping hidden folders
 * (`.ipynb_checkpoints`).
 *
 * @example
 * ```ts
 * import { findNotebooks } from "./notebooks.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/homework/.ipynb_checkpoints`, { recursive: true });
 * for (const f of ["b.ipynb", "a.ipynb", "homework/hw1.ipynb", "homework/.ipynb_checkpoints/hw1.ipynb", "x.json"]) {
 *   await Deno.writeTextFile(`${dir}/${f}`, "{}");
 * }
 * assert.deepEqual(await findNotebooks(dir), [`${dir}/a.ipynb`, `${dir}/b.ipynb`, `${dir}/homework/hw1.ipynb`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function findNotebooks(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.name.startsWith(".")) continue;
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && e.name.endsWith(".ipynb")) found.push(p);
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * Runs `fn` over `items` with at most `jobs` at once; results keep the
 * items' order.
 *
 * @example
 * ```ts
 * import { pool } from "./notebooks.ts";
 * import assert from "node:assert/strict";
 * let running = 0, most = 0;
 * const out = await pool([1, 2, 3, 4, 5], 2, async (x) => {
 *   most = Math.max(most, ++running);
 *   await new Promise((r) => setTimeout(r, 5));
 *   running--;
 *   return x * 10;
 * });
 * assert.deepEqual([out, most], [[10, 20, 30, 40, 50], 2]);
 * ```
 */
export async function pool<T, R>(
  items: T[],
  jobs: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/**
 * Removes ANSI colour codes (Deno's tracebacks carry them).
 *
 * @example
 * ```ts
 * import { stripAnsi } from "./notebooks.ts";
 * import assert from "node:assert/strict";
 * assert.equal(stripAnsi("\x1b[31merror\x1b[0m: boom"), "error: boom");
 * ```
 */
export function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/**
 * Describes a failed cell: where, its first lines, the error and the
 * traceback (shortened).
 *
 * @example
 * ```ts
 * import { describeError } from "./notebooks.ts";
 * import assert from "node:assert/strict";
 * const text = describeError({
 *   cell: 3, source: "const x = 1;\nthrow new Error(\"boom\");", ename: "Error", evalue: "boom",
 *   traceback: ["Stack trace:", "Error: boom", "    at <anonymous>:2:7"],
 * });
 * assert.match(text, /^cell 3: Error: boom\n/);
 * assert.match(text, /\| throw new Error\("boom"\);/);
 * ```
 */
export function describeError(e: NonNullable<Status["error"]>): string {
  const where = e.cell === null ? "notebook" : `cell ${e.cell}`;
  const src = e.source.split("\n");
  const shown = src.slice(0, 12).map((l) => `    | ${l}`);
  if (src.length > 12) shown.push(`    | ... (${src.length - 12} more lines)`);
  // The traceback repeats the message; keep the lines that add to it.
  const said = new Set(
    `${stripAnsi(e.ename)}: ${stripAnsi(e.evalue)}`.split("\n").map((l) => l.trim()),
  );
  const tb = e.traceback.flatMap((t) => stripAnsi(t).split("\n"))
    .filter((l) => l.trim() !== "" && l.trim() !== "Stack trace:" && !said.has(l.trim()));
  const tbShown = tb.slice(0, 25).map((l) => `    ${l}`);
  if (tb.length > 25) tbShown.push(`    ... (${tb.length - 25} more lines)`);
  return [
    `${where}: ${stripAnsi(e.ename)}: ${stripAnsi(e.evalue)}`,
    ...(shown.length && e.source ? ["  source:", ...shown] : []),
    ...(tbShown.length ? ["  traceback:", ...tbShown] : []),
  ].join("\n");
}

function relative(path: string): string {
  return path.startsWith(ROOT + "/") ? path.slice(ROOT.length + 1) : path;
}

async function preflight(python: string): Promise<string> {
  let out;
  try {
    out = await new Deno.Command(python, {
      args: [NBEXEC, "--preflight"],
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch (e) {
    throw new Error(
      `cannot run ${python} (${e}): install Jupyter's nbconvert (see README, "Notebooks")`,
    );
  }
  const text = new TextDecoder().decode(out.stdout).trim();
  const info = text ? JSON.parse(text.split("\n").at(-1)!) : null;
  if (!out.success || !info?.ok) {
    const err = info?.error ?? new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(
      `${python} cannot execute notebooks: ${err}\n` +
        `Install nbconvert (Debian/Ubuntu: apt-get install python3-nbconvert) and register the ` +
        `kernel (deno jupyter --install); see README, "Notebooks".`,
    );
  }
  return `nbconvert ${info.nbconvert} (Python ${info.python}), kernel "${info.kernel}": ${
    info.argv[0]
  }`;
}

/** Where the HTML renders find plotly.js and MathJax, relative to `outRoot`. */
interface StaticAssets {
  plotly: string;
  mathjax: string;
}

// MathJax 3 typesets `$...$` and `$$...$$` as in Jupyter; SVG output needs no font files.
const MATHJAX_CONFIG = `window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true, tags: "ams" },
  svg: { fontCache: "global" },
};
`;

/**
 * Writes plotly.js and MathJax (the npm packages pinned in `deno.json`)
 * into `outRoot/_static/`, once for every render under `outRoot`: the HTML
 * renders load them by relative URL, so they work offline from disk and
 * over HTTP, and no notebook carries them.
 */
async function writeStaticAssets(outRoot: string): Promise<StaticAssets> {
  const plotly = `_static/plotly-${plotlyVersion()}.min.js`;
  const mathjax = "_static/mathjax-3-tex-svg.js";
  const source = await import("mathjax/es5/tex-svg-full.js", { with: { type: "text" } });
  await Deno.mkdir(`${outRoot}/_static`, { recursive: true });
  await Deno.writeTextFile(`${outRoot}/${plotly}`, await plotlyLibrarySource());
  await Deno.writeTextFile(`${outRoot}/${mathjax}`, MATHJAX_CONFIG + source.default);
  return { plotly, mathjax };
}

async function runOne(
  notebook: string,
  outRoot: string,
  opts: { python: string; timeout: number; cellTimeout: number; assets: StaticAssets },
): Promise<NotebookRun> {
  const rel = relative(notebook);
  const sub = rel.startsWith("notebooks/")
    ? rel.slice("notebooks/".length)
    : rel.replace(/^\/+/, "");
  const outDir = `${outRoot}/${sub.includes("/") ? sub.slice(0, sub.lastIndexOf("/")) : ""}`
    .replace(/\/$/, "");
  const name = sub.slice(sub.lastIndexOf("/") + 1).replace(/\.ipynb$/, "");
  await Deno.mkdir(outDir, { recursive: true });
  const statusPath = `${outDir}/${name}.status.json`;
  await Deno.remove(statusPath).catch(() => {});
  const started = performance.now();
  const up = "../".repeat(sub.split("/").length - 1);
  const out = await new Deno.Command(opts.python, {
    args: [
      NBEXEC,
      notebook,
      outDir,
      "--timeout",
      String(opts.timeout),
      "--cell-timeout",
      String(opts.cellTimeout),
      "--plotly-url",
      up + opts.assets.plotly,
      "--mathjax-url",
      up + opts.assets.mathjax,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  let status: Status | null = null;
  try {
    status = JSON.parse(await Deno.readTextFile(statusPath));
  } catch { /* nbexec.py itself failed */ }
  if (!status) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-15).join("\n");
    return {
      notebook: rel,
      ok: false,
      seconds,
      failure: `nbexec.py failed (exit ${out.code}):\n${stderr}`,
    };
  }
  const html = `${outDir}/${name}.html`;
  if (!status.ok) {
    const error = status.error!;
    return {
      notebook: rel,
      ok: false,
      seconds: status.seconds,
      html,
      failure: describeError(error),
      kernelFailure: error.cell === null && !TIMEOUTS.has(error.ename),
    };
  }
  const executed = JSON.parse(await Deno.readTextFile(`${outDir}/${name}.ipynb`));
  const mismatch = checkExpectations(executed);
  if (mismatch) {
    return { notebook: rel, ok: false, seconds: status.seconds, html, failure: mismatch };
  }
  return { notebook: rel, ok: true, seconds: status.seconds, html };
}

/** Verdicts of `@neuronbook/neuronbook/homework` checks as they appear in an executed notebook. */
const CHECK_MIME = "application/vnd.neuronbook.check+json";

/**
 * Compares a homework notebook's check results with what its metadata
 * expects: `"neuronbook": { "expectWrong": ["dL/dw2"], "expectTodo": [...] }`
 * says exactly which answers the checks must call wrong (a starter with one
 * deliberately wrong gradient) or unanswered. Returns what differs, or null.
 *
 * @example
 * ```ts
 * import { checkExpectations } from "./notebooks.ts";
 * import assert from "node:assert/strict";
 * const report = (wrong: string[]) => ({
 *   output_type: "execute_result",
 *   data: { "application/vnd.neuronbook.check+json": { ok: false, correct: ["dL/dw1"], wrong, todo: [] } },
 * });
 * const nb = (wrong: string[]) => ({
 *   metadata: { neuronbook: { expectWrong: ["dL/dw2"] } },
 *   cells: [{ cell_type: "code", outputs: [report(wrong)] }],
 * });
 * assert.equal(checkExpectations(nb(["dL/dw2"])), null);
 * assert.match(checkExpectations(nb(["dL/dw1", "dL/dw2"]))!, /expected exactly \[dL\/dw2\] wrong, the checks said \[dL\/dw1, dL\/dw2\]/);
 * ```
 */
export function checkExpectations(nb: {
  metadata?: { neuronbook?: { expectWrong?: string[]; expectTodo?: string[] } };
  cells: { outputs?: { data?: Record<string, unknown> }[] }[];
}): string | null {
  const expect = nb.metadata?.neuronbook;
  if (!expect || (!expect.expectWrong && !expect.expectTodo)) return null;
  const wrong = new Set<string>(), todo = new Set<string>();
  let reports = 0;
  for (const cell of nb.cells) {
    for (const out of cell.outputs ?? []) {
      const v = out.data?.[CHECK_MIME] as { wrong: string[]; todo: string[] } | undefined;
      if (!v) continue;
      reports++;
      v.wrong.forEach((n) => wrong.add(n));
      v.todo.forEach((n) => todo.add(n));
    }
  }
  const problems: string[] = [];
  const same = (a: Set<string>, b: string[]) =>
    a.size === new Set(b).size && b.every((x) => a.has(x));
  const list = (xs: Iterable<string>) => `[${[...xs].join(", ")}]`;
  if (reports === 0) {
    problems.push("no check report was displayed (a check must be a cell's last expression)");
  }
  if (expect.expectWrong && !same(wrong, expect.expectWrong)) {
    problems.push(
      `expected exactly ${list(expect.expectWrong)} wrong, the checks said ${list(wrong)}`,
    );
  }
  if (expect.expectTodo && !same(todo, expect.expectTodo)) {
    problems.push(
      `expected exactly ${list(expect.expectTodo)} unanswered, the checks said ${list(todo)}`,
    );
  }
  return problems.length
    ? `homework checks (metadata neuronbook.expectWrong/expectTodo):\n  ${problems.join("\n  ")}`
    : null;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => [...r[c]].length)));
  return rows.map((r) =>
    r.map((cell, c) => cell + " ".repeat(widths[c] - [...cell].length)).join("  ").trimEnd()
  )
    .join("\n");
}

/** Runs the notebooks as the flags say; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      only: { type: "string", multiple: true, default: [] },
      out: { type: "string", default: "out/notebooks" },
      "check-html": { type: "boolean", default: false },
      jobs: { type: "string", default: "2" },
      timeout: { type: "string", default: "1800" },
      "cell-timeout": { type: "string", default: "900" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: deno task notebooks [--only PATTERN]... [--out DIR] [--check-html] [--jobs N] " +
        "[--timeout S] [--cell-timeout S]",
    );
    return 0;
  }
  const patterns = values.only.flatMap((p) => p.split(",")).filter(Boolean);
  const all = await findNotebooks(`${ROOT}/notebooks`);
  const notebooks = all.filter((n) =>
    patterns.length === 0 || patterns.some((p) => relative(n).includes(p))
  );
  if (notebooks.length === 0) {
    console.error(`no notebook matches ${patterns.join(", ")} (of ${all.length})`);
    return 1;
  }
  const outRoot = values.out.startsWith("/") ? values.out : `${Deno.cwd()}/${values.out}`;
  const python = Deno.env.get("PYTHON") ?? "/usr/bin/python3";
  console.log(await preflight(python));
  const fast = Deno.env.get("NEURONBOOK_FAST");
  console.log(
    `running ${notebooks.length} notebook(s), ${values.jobs} at a time, into ${relative(outRoot)}` +
      (fast ? ` (NEURONBOOK_FAST=${fast})` : ""),
  );

  const started = performance.now();
  const limits = {
    python,
    timeout: Number(values.timeout),
    cellTimeout: Number(values["cell-timeout"]),
    assets: await writeStaticAssets(outRoot),
  };
  const runs = await pool(notebooks, Number(values.jobs), async (nb) => {
    let run = await runOne(nb, outRoot, limits);
    if (run.kernelFailure) {
      const why = run.failure!.split("\n")[0];
      console.log(`⟳ ${run.notebook}: the kernel connection failed (${why}); running it again`);
      run = { ...await runOne(nb, outRoot, limits), retriedAfter: why };
    }
    console.log(`${run.ok ? "✔" : "✘"} ${run.notebook} (${run.seconds.toFixed(1)} s)`);
    return run;
  });

  if (values["check-html"]) {
    console.log("checking the HTML renders in headless Chromium");
    await pool(runs.filter((r) => r.html && r.ok), Number(values.jobs), async (run) => {
      try {
        run.htmlCheck = await checkHtml(run.html!);
      } catch (e) {
        run.ok = false;
        // puppeteer rejects with a WebSocket ErrorEvent (not an Error) when it cannot connect.
        const why = e instanceof Error ? e.message : (e as { message?: string })?.message ?? e;
        run.failure = `HTML check could not run: ${why}`;
        return;
      }
      const c = run.htmlCheck;
      console.log(
        `${c.ok ? "✔" : "✘"} ${relative(run.html!)}: ${summarize(c)} (${c.seconds.toFixed(1)} s)`,
      );
      if (!c.ok) {
        run.ok = false;
        run.failure = [`HTML check (${relative(run.html!)}):`, ...c.failures.map((f) => `  ${f}`)]
          .concat(
            c.pageErrors.length ? ["  page errors:", ...c.pageErrors.map((e) => `    ${e}`)] : [],
          )
          .join("\n");
      }
    });
  }

  const rows = [[
    "notebook",
    "seconds",
    "result",
    ...(values["check-html"] ? ["plots", "graphs"] : []),
  ]];
  for (const r of runs) {
    const c = r.htmlCheck;
    rows.push([
      r.notebook,
      r.seconds.toFixed(1),
      (r.ok ? "ok" : "FAILED") + (r.retriedAfter ? " (2nd try)" : ""),
      ...(values["check-html"]
        ? [
          c ? `${c.plots.drawn}/${c.plots.expected}` : "-",
          c ? `${c.graphs.drawn}/${c.graphs.expected}` : "-",
        ]
        : []),
    ]);
  }
  console.log("\n" + table(rows));
  const failed = runs.filter((r) => !r.ok);
  for (const r of failed) console.log(`\n✘ ${r.notebook}\n${r.failure ?? "failed"}`);
  for (const r of runs.filter((r) => r.retriedAfter)) {
    console.log(
      `\n⟳ ${r.notebook} ran twice: the first run's kernel connection failed (${r.retriedAfter})`,
    );
  }
  const total = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `\n${failed.length ? "FAILED" : "ok"} | ${
      runs.length - failed.length
    } passed | ${failed.length} failed ` +
      `(notebooks, ${total} s; outputs in ${relative(outRoot)})`,
  );
  return failed.length ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
