/**
 * `deno task grade --assignment A.ipynb SUBMISSIONS_DIR --out DIR`: grades a
 * class's homework notebooks with the lecturer's own check cells.
 *
 * Every `*.ipynb` under SUBMISSIONS_DIR is merged with the assignment (see
 * {@linkcode prepareSubmission}: the student's answer cells and own cells,
 * the lecturer's code cells, matched by cell id), run top to bottom in a fresh
 * Deno kernel by `tools/nbexec.py` (two at a time, `--timeout S` each, past
 * failing cells, with each cell's output capped), and scored from the
 * verdicts its check cells display (`@neuronbook/neuronbook/homework`'s
 * `application/vnd.neuronbook.check+json`). It writes `DIR/grades.csv`,
 * `DIR/report.html` (per-question statistics with the common wrong values),
 * `DIR/feedback/NAME.md` (each student's wrong answers in the checkers'
 * words) and `DIR/executed/NAME.ipynb` (the graded run).
 *
 * Points: a check cell's metadata `"neuronbook": { "points": 3 }` (default 1),
 * shared equally among the answers it checks (partial credit);
 * `"neuronbook": { "check": "Part A" }` names its column (default: the cell
 * id). Answer cells are the assignment's code cells that use `TODO` outside an
 * import (or whose metadata says `"neuronbook": { "answer": true }`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findNotebooks, pool } from "./notebooks.ts";
import type { Cell, Notebook } from "./new_notebook.ts";
import { escapeHtml } from "../lib/jupyter.ts";

/** A check cell of the assignment: a column of grades.csv. */
export interface Check {
  /** Cell id, shared by the assignment and every submission made from it. */
  id: string;
  /** Column name: metadata `neuronbook.check`, else the cell id. */
  name: string;
  /** Points for the whole check (metadata `neuronbook.points`, default 1). */
  points: number;
}

/** One checked answer of a check, as the checker reported it. */
export interface Part {
  /** The answer's label, e.g. `"dE/dw11"`. */
  name: string;
  /** `"correct"`, `"wrong"` or `"todo"`. */
  status: "correct" | "wrong" | "todo";
  /** The checker's words. */
  message: string;
  /** The given value at the first wrong element (wrong answers). */
  got?: number;
  /** The true value there (wrong answers). */
  expected?: number;
}

/** How one submission did on one check. */
export interface CheckGrade {
  /** The check's column name. */
  check: string;
  /** `right` (all parts), `wrong`, `unanswered` or `error` (threw, timed out, did not run). */
  status: "right" | "wrong" | "unanswered" | "error";
  /** Points earned: points × correct parts / parts. */
  score: number;
  /** Points possible. */
  points: number;
  /** The answers the check reported. */
  parts: Part[];
  /** What went wrong running the check cell, for `error`. */
  error?: string;
}

/** One submission's grade. */
export interface Grade {
  /** The submission's path relative to SUBMISSIONS_DIR. */
  file: string;
  /** Name of its feedback file (without `.md`). */
  name: string;
  /** Points earned. */
  score: number;
  /** Points possible. */
  maxScore: number;
  /** One entry per check, in the assignment's order. */
  checks: CheckGrade[];
  /** Notes for the student: cells of theirs that threw, a timeout, cut output. */
  notes: string[];
}

const CHECK_MIME = "application/vnd.neuronbook.check+json";
const CHECK_CALL = /\bcheck(Gradients|That)?\s*\(/;
const NBEXEC = new URL("./nbexec.py", import.meta.url).pathname;

type Meta = { neuronbook?: { answer?: boolean; check?: string; points?: number } };

const text = (cell: Cell) => Array.isArray(cell.source) ? cell.source.join("") : `${cell.source}`;
const meta = (cell: Cell) => (cell.metadata as Meta).neuronbook ?? {};

/** Whether a cell of the assignment is one the student writes in. */
function isAnswer(cell: Cell): boolean {
  if (cell.cell_type !== "code") return true;
  const said = meta(cell).answer;
  if (said !== undefined) return said;
  return text(cell).split("\n").some((l) => !/^\s*import\b/.test(l) && /\bTODO\b/.test(l));
}

/**
 * The check cells of an assignment: its lecturer code cells that call
 * `check`, `checkGradients` or `checkThat`, or whose metadata gives points.
 * Throws when there is none or a code cell has no id.
 *
 * @example
 * ```ts
 * import { assignmentChecks } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const code = (id: string, source: string, neuronbook?: object) =>
 *   ({ cell_type: "code" as const, id, source: [source], metadata: neuronbook ? { neuronbook } : {} });
 * const nb = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
 *   code("a", "const x = TODO;"),
 *   code("b", 'check("x", x, 3);', { check: "Part A", points: 2 }),
 *   code("c", 'checkThat("y", y > 0);'),
 * ] };
 * assert.deepEqual(assignmentChecks(nb), [
 *   { id: "b", name: "Part A", points: 2 },
 *   { id: "c", name: "c", points: 1 },
 * ]);
 * ```
 */
export function assignmentChecks(assignment: Notebook): Check[] {
  const checks: Check[] = [];
  for (const cell of assignment.cells) {
    if (cell.cell_type !== "code") continue;
    if (!cell.id) {
      throw new Error(
        "--assignment: the notebook's cells have no ids (save it with Jupyter ≥ 6.2)",
      );
    }
    const m = meta(cell);
    if (isAnswer(cell) || (m.points === undefined && !CHECK_CALL.test(text(cell)))) continue;
    const points = m.points ?? 1;
    if (!(typeof points === "number" && points >= 0)) {
      throw new Error(`--assignment: cell ${cell.id} has points ${points}; give a number ≥ 0`);
    }
    checks.push({ id: cell.id, name: m.check ?? cell.id, points });
  }
  if (!checks.length) {
    throw new Error(
      "--assignment: no check cell found (cells calling check, checkGradients or checkThat)",
    );
  }
  return checks;
}

/**
 * The notebook to run for one submission: the assignment's cells in the
 * assignment's order, where each answer cell (and markdown cell) is the
 * student's copy when there is one, every other code cell is the
 * lecturer's (so an edited or deleted check is restored), and the student's
 * own extra cells follow the assignment cell they came after. Outputs are
 * cleared; the metadata (kernel) is the assignment's.
 *
 * @example An edited check cell is replaced, a deleted answer cell comes back
 * ```ts
 * import { prepareSubmission } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const cell = (id: string, source: string) =>
 *   ({ cell_type: "code" as const, id, source: [source], metadata: {}, outputs: [], execution_count: null });
 * const nb = (...cells: ReturnType<typeof cell>[]) => ({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells });
 * const assignment = nb(cell("a", "const x = TODO;"), cell("b", "const y = TODO;"), cell("k", 'check({ x, y }, { x: 3, y: 4 });'));
 * const submission = nb(cell("a", "const x = 3;"), cell("mine", "console.log(x);"), cell("k", 'check({ x }, { x });'));
 * assert.deepEqual(prepareSubmission(assignment, submission).cells.map((c) => c.source.join("")), [
 *   "const x = 3;", "console.log(x);", "const y = TODO;", 'check({ x, y }, { x: 3, y: 4 });',
 * ]);
 * ```
 */
export function prepareSubmission(assignment: Notebook, submission: Notebook): Notebook {
  const byId = new Map(assignment.cells.map((c) => [c.id, c]));
  const students = new Map<string, Cell>();
  const extra = new Map<string | undefined, Cell[]>(); // after which assignment cell
  let after: string | undefined;
  for (const cell of submission.cells ?? []) {
    if (cell.id && byId.has(cell.id) && !students.has(cell.id)) {
      students.set(cell.id, cell);
      after = cell.id;
    } else if (!(cell.id && byId.has(cell.id))) {
      extra.set(after, [...(extra.get(after) ?? []), cell]);
    }
  }
  const fresh = (c: Cell): Cell => ({
    ...c,
    source: [text(c)],
    ...(c.cell_type === "code" ? { outputs: [], execution_count: null } : {}),
  });
  const cells = [...(extra.get(undefined) ?? []).map(fresh)];
  for (const a of assignment.cells) {
    const mine = students.get(a.id!);
    cells.push(fresh(mine && isAnswer(a) && mine.cell_type === a.cell_type ? mine : a));
    cells.push(...(extra.get(a.id) ?? []).map(fresh));
  }
  // Cells the student added get ids of their own, distinct from the assignment's.
  cells.forEach((c, i) => {
    if (!c.id || (!byId.has(c.id) && cells.findIndex((d) => d.id === c.id) !== i)) c.id = `s${i}`;
  });
  return { ...assignment, cells };
}

type Output = {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
};
type Executed = {
  cells: { id?: string; execution_count?: number | null; outputs?: Output[] }[];
};
type Report = { results?: Part[] };

/**
 * Scores one executed notebook: each check from the reports its cell
 * displayed. `stopped` says why the run ended early (a timeout), for the
 * checks that never ran.
 *
 * @example Partial credit: 1 of 2 answers right earns half the points
 * ```ts
 * import { scoreChecks } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const report = { results: [
 *   { name: "x", status: "correct", message: "x correct" },
 *   { name: "y", status: "wrong", message: "y: expected 4, got 5", got: 5, expected: 4 },
 * ] };
 * const executed = { cells: [{ cell_type: "code" as const, id: "k", metadata: {}, source: [], execution_count: 3,
 *   outputs: [{ output_type: "execute_result", data: { "application/vnd.neuronbook.check+json": report } }] }] };
 * const [grade] = scoreChecks(executed, [{ id: "k", name: "Part A", points: 2 }]);
 * assert.deepEqual([grade.status, grade.score, grade.points], ["wrong", 1, 2]);
 * ```
 */
export function scoreChecks(executed: Executed, checks: Check[], stopped?: string): CheckGrade[] {
  return checks.map((check) => {
    const cell = executed.cells.find((c) => c.id === check.id);
    const outputs = cell?.outputs ?? [];
    const parts = outputs.flatMap((o) =>
      (o.data?.[CHECK_MIME] as Report | undefined)?.results ?? []
    );
    const thrown = outputs.find((o) => o.output_type === "error");
    const base = { check: check.name, points: check.points, parts };
    const error = thrown
      ? `${thrown.ename}: ${stripAnsi(thrown.evalue ?? "").split("\n")[0]}`
      : cell?.execution_count == null
      ? `did not run${stopped ? ` (${stopped})` : ""}`
      : parts.length === 0
      ? "showed no check report"
      : undefined;
    if (parts.length === 0) return { ...base, status: "error", score: 0, error };
    const right = parts.filter((p) => p.status === "correct").length;
    const status = right === parts.length
      ? "right"
      : parts.some((p) => p.status === "wrong")
      ? "wrong"
      : "unanswered";
    const score = round(check.points * right / parts.length);
    return { ...base, status, score, ...(error ? { error } : {}) };
  });
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

// deno-lint-ignore no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** Notes on the student's own cells that threw, and cut output. */
function studentNotes(executed: Executed, checks: Check[]): string[] {
  const ids = new Set(checks.map((c) => c.id));
  const notes: string[] = [];
  executed.cells.forEach((cell, i) => {
    if (ids.has(cell.id!)) return;
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "error") {
        notes.push(`cell ${i + 1} threw ${o.ename}: ${stripAnsi(o.evalue ?? "").split("\n")[0]}`);
      }
      const t = (o as { text?: string | string[] }).text;
      if (t && [t].flat().join("").startsWith("[output beyond")) {
        notes.push(`cell ${i + 1} printed too much; the rest of its output was dropped`);
      }
    }
  });
  return notes;
}

/**
 * Writes one row per submission: file, score, max score, then one column per
 * check (right / wrong / unanswered / error).
 *
 * @example
 * ```ts
 * import { gradesCsv } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const grade = { file: "ann, b.ipynb", name: "ann_b", score: 1.5, maxScore: 2, notes: [],
 *   checks: [{ check: "A", status: "right" as const, score: 1, points: 1, parts: [] },
 *            { check: "B", status: "wrong" as const, score: 0.5, points: 1, parts: [] }] };
 * assert.equal(gradesCsv([grade], ["A", "B"]), 'file,score,max score,A,B\n"ann, b.ipynb",1.5,2,right,wrong\n');
 * ```
 */
export function gradesCsv(grades: Grade[], columns: string[]): string {
  const field = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const rows = [["file", "score", "max score", ...columns]];
  for (const g of grades) {
    rows.push([g.file, String(g.score), String(g.maxScore), ...g.checks.map((c) => c.status)]);
  }
  return rows.map((r) => r.map(field).join(",")).join("\n") + "\n";
}

/**
 * A student's feedback: the score, then every check that is not fully right
 * with its wrong and missing answers in the checkers' words.
 *
 * @example
 * ```ts
 * import { feedbackMarkdown } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const md = feedbackMarkdown({ file: "ann.ipynb", name: "ann", score: 0, maxScore: 1, notes: [],
 *   checks: [{ check: "Part B", status: "wrong", score: 0, points: 1,
 *     parts: [{ name: "dE/dc", status: "wrong", message: "dE/dc: expected -0.05, got -0.2" }] }] });
 * assert.match(md, /## Part B: wrong \(0 of 1 points\)\n\n- ✘ dE\/dc: expected -0.05, got -0.2/);
 * ```
 */
export function feedbackMarkdown(grade: Grade): string {
  const lines = [`# ${grade.file}`, "", `Score: **${grade.score} of ${grade.maxScore}** points.`];
  for (const c of grade.checks) {
    lines.push("", `## ${c.check}: ${c.status} (${c.score} of ${c.points} points)`);
    if (c.error) lines.push("", `The check cell ${c.error}.`);
    const shown = c.parts.filter((p) => p.status !== "correct");
    if (shown.length) lines.push("");
    for (const p of shown) lines.push(`- ${p.status === "wrong" ? "✘" : "…"} ${p.message}`);
    const right = c.parts.length - shown.length;
    if (right && shown.length) lines.push(`- ✔ ${right} other answer${right > 1 ? "s" : ""} right`);
  }
  if (grade.notes.length) lines.push("", "## Notes", "", ...grade.notes.map((n) => `- ${n}`));
  return lines.join("\n") + "\n";
}

interface AnswerStats {
  check: string;
  name: string;
  counts: Record<Part["status"], number>;
  wrongValues: Map<string, number>;
  expected?: number;
}

/** Per answer: counts of each verdict and the most common wrong values. */
function answerStats(grades: Grade[]): AnswerStats[] {
  const stats = new Map<string, AnswerStats>();
  for (const g of grades) {
    for (const c of g.checks) {
      for (const p of c.parts) {
        const key = `${c.check}\n${p.name}`;
        const s: AnswerStats = stats.get(key) ?? {
          check: c.check,
          name: p.name,
          counts: { correct: 0, wrong: 0, todo: 0 },
          wrongValues: new Map(),
        };
        stats.set(key, s);
        s.counts[p.status]++;
        if (p.status !== "wrong") continue;
        const v = p.got === undefined ? p.message.replace(/^.*?: /, "") : fmt(p.got);
        s.wrongValues.set(v, (s.wrongValues.get(v) ?? 0) + 1);
        if (p.expected !== undefined) s.expected ??= p.expected;
      }
    }
  }
  return [...stats.values()];
}

const fmt = (x: number) => Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);

/**
 * The class report: per check the verdict counts and mean score, per answer
 * (most often wrong first) the verdicts and the common wrong values, and
 * every submission's score.
 *
 * @example
 * ```ts
 * import { reportHtml } from "./grade.ts";
 * import assert from "node:assert/strict";
 * const wrong = { name: "dE/dc", status: "wrong" as const, message: "dE/dc: expected -0.05, got -0.2", got: -0.2, expected: -0.05 };
 * const grade = (file: string) => ({ file, name: file, score: 0, maxScore: 1, notes: [],
 *   checks: [{ check: "B", status: "wrong" as const, score: 0, points: 1, parts: [wrong] }] });
 * const html = reportHtml([grade("a"), grade("b")], [{ id: "k", name: "B", points: 1 }]);
 * assert.match(html, /<td>dE\/dc<\/td><td>B<\/td><td>0<\/td><td>2<\/td><td>0<\/td><td>-0\.05<\/td><td>-0\.2 \(2\)<\/td>/);
 * ```
 */
export function reportHtml(grades: Grade[], checks: Check[]): string {
  const td = (...xs: (string | number)[]) =>
    xs.map((x) => `<td>${escapeHtml(String(x))}</td>`).join("");
  const table = (head: string[], rows: string[]) =>
    `<table><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr>` +
    rows.map((r) => `<tr>${r}</tr>`).join("") + "</table>";
  const n = grades.length;
  const perCheck = checks.map((check, i) => {
    const count = (s: string) => grades.filter((g) => g.checks[i].status === s).length;
    const mean = n ? round(grades.reduce((t, g) => t + g.checks[i].score, 0) / n) : 0;
    return td(
      check.name,
      check.points,
      count("right"),
      count("wrong"),
      count("unanswered"),
      count("error"),
      mean,
    );
  });
  const stats = answerStats(grades).sort((a, b) => b.counts.wrong - a.counts.wrong);
  const perAnswer = stats.map((s) => {
    const common = [...s.wrongValues].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([v, k]) => `${v} (${k})`).join("; ");
    return td(
      s.name,
      s.check,
      s.counts.correct,
      s.counts.wrong,
      s.counts.todo,
      s.expected === undefined ? "" : fmt(s.expected),
      common,
    );
  });
  const mean = n ? round(grades.reduce((t, g) => t + g.score, 0) / n) : 0;
  const scores = grades.map((g) => td(g.file, g.score, g.maxScore));
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Grades</title><style>` +
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}" +
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style></head><body>" +
    `<h1>Grades: ${n} submission${n === 1 ? "" : "s"}, mean ${mean} of ${
      grades[0]?.maxScore ?? 0
    }</h1>` +
    "<h2>Checks</h2>" +
    table(["check", "points", "right", "wrong", "unanswered", "error", "mean score"], perCheck) +
    "<h2>Answers, most often wrong first</h2>" +
    table([
      "answer",
      "check",
      "right",
      "wrong",
      "unanswered",
      "true value (first wrong element)",
      "common wrong values (students)",
    ], perAnswer) +
    "<h2>Submissions</h2>" + table(["file", "score", "max score"], scores) + "</body></html>\n";
}

/** Options of {@linkcode gradeSubmission}. */
interface RunOptions {
  python: string;
  timeout: number;
  maxOutputChars: number;
  /** Folder the cells run in: the assignment's, so its deno.json applies. */
  cwd: string;
  /** Where the executed notebook goes. */
  executedDir: string;
}

/** Runs one submission and grades it; never throws for what the submission does. */
async function gradeSubmission(
  path: string,
  file: string,
  assignment: Notebook,
  checks: Check[],
  opts: RunOptions,
): Promise<Grade> {
  const name = file.replace(/\.ipynb$/, "").replace(/[^\w.-]+/g, "_");
  const maxScore = round(checks.reduce((s, c) => s + c.points, 0));
  let submission: Notebook;
  try {
    submission = JSON.parse(await Deno.readTextFile(path));
    if (!Array.isArray(submission.cells)) throw new Error("it has no cells");
  } catch (e) {
    const error = `the file is not a notebook (${e instanceof Error ? e.message : e})`;
    const graded = checks.map((c): CheckGrade => ({
      check: c.name,
      status: "error",
      score: 0,
      points: c.points,
      parts: [],
      error,
    }));
    return { file, name, score: 0, maxScore, checks: graded, notes: [error] };
  }
  const work = await Deno.makeTempDir({ prefix: "neuronbook-grade-" });
  try {
    await Deno.writeTextFile(
      `${work}/${name}.ipynb`,
      JSON.stringify(prepareSubmission(assignment, submission)),
    );
    const run = await new Deno.Command(opts.python, {
      args: [
        NBEXEC,
        `${work}/${name}.ipynb`,
        work,
        "--allow-errors",
        "--no-html",
        "--timeout",
        String(opts.timeout),
        "--cell-timeout",
        String(opts.timeout),
        "--max-output-chars",
        String(opts.maxOutputChars),
        "--cwd",
        opts.cwd,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    let status: { stopped?: { ename: string; evalue: string } } = {};
    let executed: Executed = { cells: [] };
    try {
      status = JSON.parse(await Deno.readTextFile(`${work}/${name}.status.json`));
      executed = JSON.parse(await Deno.readTextFile(`${work}/${name}.ipynb`));
      await Deno.copyFile(`${work}/${name}.ipynb`, `${opts.executedDir}/${name}.ipynb`);
    } catch {
      const err = new TextDecoder().decode(run.stderr).trim().split("\n").slice(-3).join(" ");
      status = { stopped: { ename: "nbexec.py failed", evalue: err } };
    }
    const stop = status.stopped;
    const stopped = stop &&
      (/Timeout/.test(stop.ename)
        ? `the notebook ran out of its ${opts.timeout} s`
        : `the run stopped: ${stop.ename}: ${stop.evalue.split("\n")[0]}`);
    const graded = scoreChecks(executed, checks, stopped);
    const notes = studentNotes(executed, checks);
    if (stopped) notes.unshift(stopped);
    return {
      file,
      name,
      score: round(graded.reduce((s, c) => s + c.score, 0)),
      maxScore,
      checks: graded,
      notes,
    };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

const USAGE =
  "usage: deno task grade --assignment ASSIGNMENT.ipynb SUBMISSIONS_DIR --out DIR [--timeout S] [--jobs N] [--max-output-chars N]";

/** Reads the flags; throws an error in their words. */
async function readFlags(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      assignment: { type: "string" },
      out: { type: "string" },
      timeout: { type: "string", default: "300" },
      jobs: { type: "string", default: "2" },
      "max-output-chars": { type: "string", default: "100000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return null;
  const positive = (flag: string, v: string, integer = false) => {
    const x = Number(v);
    if (!(x > 0) || (integer && !Number.isInteger(x))) {
      throw new Error(`--${flag} ${v}: give a positive ${integer ? "whole " : ""}number`);
    }
    return x;
  };
  if (!values.assignment) {
    throw new Error("--assignment is missing: the starter notebook whose check cells grade");
  }
  if (positionals.length !== 1) {
    throw new Error(
      positionals.length
        ? `one SUBMISSIONS_DIR please, got ${positionals.length}: ${positionals.join(" ")}`
        : "SUBMISSIONS_DIR is missing: the folder of submitted notebooks",
    );
  }
  if (!values.out) {
    throw new Error("--out is missing: the folder for grades.csv, report.html and feedback/");
  }
  const dir = positionals[0];
  const info = await Deno.stat(dir).catch(() => null);
  if (!info?.isDirectory) throw new Error(`SUBMISSIONS_DIR ${dir}: no such folder`);
  let assignment: Notebook;
  try {
    assignment = JSON.parse(await Deno.readTextFile(values.assignment));
  } catch (e) {
    throw new Error(
      `--assignment ${values.assignment}: cannot read it as a notebook (${
        e instanceof Error ? e.message : e
      })`,
    );
  }
  return {
    assignmentPath: values.assignment,
    assignment,
    checks: assignmentChecks(assignment),
    dir,
    out: values.out,
    timeout: positive("timeout", values.timeout, true),
    jobs: positive("jobs", values.jobs, true),
    maxOutputChars: positive("max-output-chars", values["max-output-chars"], true),
  };
}

/** Grades the submissions as the flags say; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  let flags;
  try {
    flags = await readFlags(args);
  } catch (e) {
    console.error(`deno task grade: ${e instanceof Error ? e.message : e}\n${USAGE}`);
    return 2;
  }
  if (!flags) {
    console.log(USAGE);
    return 0;
  }
  const root = flags.dir.replace(/\/+$/, "");
  const files = (await findNotebooks(root)).map((p) => p.slice(root.length + 1));
  if (!files.length) {
    console.error(`deno task grade: SUBMISSIONS_DIR ${flags.dir} holds no .ipynb file\n${USAGE}`);
    return 2;
  }
  await Deno.mkdir(`${flags.out}/feedback`, { recursive: true });
  await Deno.mkdir(`${flags.out}/executed`, { recursive: true });
  const cwd = await Deno.realPath(flags.assignmentPath).then((p) => p.slice(0, p.lastIndexOf("/")));
  const opts = {
    python: Deno.env.get("PYTHON") ?? "/usr/bin/python3",
    timeout: flags.timeout,
    maxOutputChars: flags.maxOutputChars,
    cwd,
    executedDir: `${flags.out}/executed`,
  };
  console.log(
    `grading ${files.length} submission(s) with ${flags.checks.length} checks, ${flags.jobs} at a time`,
  );
  const grades = await pool(files, flags.jobs, async (file) => {
    const g = await gradeSubmission(`${root}/${file}`, file, flags.assignment, flags.checks, opts);
    await Deno.writeTextFile(`${flags.out}/feedback/${g.name}.md`, feedbackMarkdown(g));
    console.log(`${file}: ${g.score} of ${g.maxScore}`);
    return g;
  });
  await Deno.writeTextFile(
    `${flags.out}/grades.csv`,
    gradesCsv(grades, flags.checks.map((c) => c.name)),
  );
  await Deno.writeTextFile(`${flags.out}/report.html`, reportHtml(grades, flags.checks));
  console.log(`wrote ${flags.out}/grades.csv, ${flags.out}/report.html and ${flags.out}/feedback/`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
