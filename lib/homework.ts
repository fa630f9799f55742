/**
 * Homework checks: compare a student's answers with the true values and say,
 * for each named answer, whether it is right, wrong (with the expected and
 * the given value) or not answered yet, without printing the solution.
 *
 * Starters call the checks as they are and run top to bottom whatever the
 * answers; the lecturers' solutions pass `{ strict: true }` (or call
 * {@linkcode setStrict}) so that a wrong answer throws and fails CI.
 *
 * In the Jupyter kernel a report shows as a green/red table when it is the
 * cell's last expression; elsewhere it is printed.
 *
 * @example
 * ```ts
 * import { checkGradients } from "./homework.ts";
 * import assert from "node:assert/strict";
 * // L = (w·x + b)², at w = 2, x = 3, b = 1: dL/dw = 2(wx+b)x = 42, dL/db = 2(wx+b) = 14.
 * const report = checkGradients(
 *   ({ w, x, b }) => w.mul(x).add(b).pow(2),
 *   { w: 2, x: 3, b: 1 },
 *   { w: 42, b: 7 }, // dL/db is wrong
 *   { print: false },
 * );
 * assert.equal(report.ok, false);
 * assert.deepEqual(report.wrong, ["dL/db"]);
 * assert.deepEqual(report.correct, ["dL/dw"]);
 * ```
 *
 * @module
 */
import { fromValues } from "./ops/mod.ts";
import { Tensor } from "./tensor.ts";
import { Value } from "./value.ts";
import { gradcheck } from "./gradcheck.ts";
import { flattenNested } from "./shape.ts";
import { escapeHtml, JUPYTER_DISPLAY, kernelJupyter } from "./jupyter.ts";
import { describeValue } from "./format.ts";

/**
 * What an answer (or a true value) may be: a number, a `Tensor` (CPU), a
 * scalar `Value`, nested arrays of numbers or a typed array. `null` and
 * `undefined` (and {@linkcode TODO}) mean "not answered yet".
 */
export type Answer =
  | number
  | Tensor
  | Value
  | readonly unknown[]
  | Float32Array
  | Float64Array
  | Int32Array
  | null
  | undefined;

/**
 * The placeholder that starters put where the student's answer goes
 * (`const dLdw = TODO;`): checks report it as not answered yet. Typed
 * `never` so that it fits wherever a value is expected.
 *
 * @example
 * ```ts
 * import { check, TODO } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const answer: number = TODO;
 * const report = check("x", answer, 3, { print: false });
 * assert.deepEqual([report.ok, report.todo], [false, ["x"]]);
 * ```
 */
export const TODO: never = undefined as never;

/** Options of {@linkcode check} and {@linkcode checkGradients}. */
export interface CheckOptions {
  /**
   * An element is right when |got − expected| ≤ tolerance · max(1, |expected|):
   * absolute for small values, relative for large ones (default 1e-4).
   */
  tolerance?: number;
  /**
   * Throw a {@linkcode CheckError} when anything is wrong or unanswered (the
   * lecturers' solutions); default: the value given to {@linkcode setStrict},
   * initially false.
   */
  strict?: boolean;
  /** Print the report (default: only outside the Jupyter kernel, where the report displays itself). */
  print?: boolean;
}

/** Options of {@linkcode checkGradients}. */
export interface CheckGradientsOptions extends CheckOptions {
  /** Turns an input's name into the answer's label (default `name => "dL/d" + name`). */
  label?: (name: string) => string;
  /**
   * Confirm the reference gradients with finite differences ({@linkcode gradcheck})
   * when the inputs have at most this many elements together (default 2000; 0 turns it off).
   */
  gradcheckUpTo?: number;
}

/** The verdict on one named answer. */
export interface CheckResult {
  /** The answer's label, e.g. `"dL/dw1"`. */
  name: string;
  /** `"correct"`, `"wrong"` or `"todo"` (not answered yet). */
  status: "correct" | "wrong" | "todo";
  /** Whether the answer is right. */
  ok: boolean;
  /** One line for people: what is wrong, never the whole solution. */
  message: string;
  /** Index of the first wrong element (`[]` for a scalar); wrong answers only. */
  index?: number[];
  /** The true value at `index`; wrong answers only. */
  expected?: number;
  /** The given value at `index`; wrong answers only. */
  got?: number;
  /** How many elements are wrong (of `total`); wrong answers only. */
  wrongCount?: number;
  /** Number of elements of the answer. */
  total?: number;
}

/**
 * MIME type of the machine-readable verdicts in a report's display bundle.
 *
 * @example
 * ```ts
 * import { CHECK_MIME, check } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const report = check("x", 2, 3, { print: false });
 * const bundle = report[Symbol.for("Jupyter.display") as keyof typeof report] as () => Record<string, unknown>;
 * const { results, ...verdicts } = bundle.call(report)[CHECK_MIME] as { results: unknown[] };
 * assert.deepEqual(verdicts, { ok: false, correct: [], wrong: ["x"], todo: [] });
 * // Each verdict in full, as `deno task grade` reads it: the checker's words and the values.
 * assert.deepEqual(results, [{
 *   name: "x", status: "wrong", ok: false, message: "x: expected 3, got 2",
 *   index: [], expected: 3, got: 2, wrongCount: 1, total: 1,
 * }]);
 * ```
 */
export const CHECK_MIME = "application/vnd.neuronbook.check+json";

let strictDefault = false;

/**
 * Makes every later check strict (or not) unless its options say otherwise.
 * The lecturers' solutions call `setStrict(true)` once at the top, so that
 * the same check cells as in the starter fail loudly.
 *
 * @example
 * ```ts
 * import { check, setStrict } from "./homework.ts";
 * import assert from "node:assert/strict";
 * setStrict(true);
 * assert.throws(() => check("x", 1, 2, { print: false }), /x: expected 2, got 1/);
 * setStrict(false);
 * assert.equal(check("x", 1, 2, { print: false }).ok, false);
 * ```
 */
export function setStrict(strict: boolean): void {
  strictDefault = strict;
}

/**
 * The outcome of a check: `ok`, one {@linkcode CheckResult} per answer, and
 * notes. Prints as text and displays in Jupyter as a green/red table.
 *
 * @example
 * ```ts
 * import { check } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const report = check({ a: 1, b: [1, 2, 3] }, { a: 1, b: [1, 2, 4] }, { print: false });
 * assert.deepEqual([report.correct, report.wrong], [["a"], ["b"]]);
 * assert.match(report.toString(), /✘ b: 1 of 3 elements wrong; first at \[2\]: expected 4, got 3/);
 * const bundle = report.toMimeBundle(); // what Jupyter displays
 * assert.match(bundle["text/html"] as string, /<table/);
 * const { results: _, ...verdicts } = bundle["application/vnd.neuronbook.check+json"] as { results: unknown[] };
 * assert.deepEqual(verdicts, { ok: false, correct: ["a"], wrong: ["b"], todo: [] });
 * ```
 */
export class CheckReport {
  /** Whether every answer is right. */
  readonly ok: boolean;
  /** One verdict per answer, in order. */
  readonly results: readonly CheckResult[];
  /** Remarks that are not verdicts (e.g. a reference gradient that finite differences could not confirm). */
  readonly notes: readonly string[];

  /** Builds a report from verdicts (used by the checks). */
  constructor(results: readonly CheckResult[], notes: readonly string[] = []) {
    this.results = results;
    this.notes = notes;
    this.ok = results.length > 0 && results.every((r) => r.ok);
  }

  /** Labels of the right answers. */
  get correct(): string[] {
    return this.results.filter((r) => r.status === "correct").map((r) => r.name);
  }

  /** Labels of the wrong answers. */
  get wrong(): string[] {
    return this.results.filter((r) => r.status === "wrong").map((r) => r.name);
  }

  /** Labels of the answers not given yet. */
  get todo(): string[] {
    return this.results.filter((r) => r.status === "todo").map((r) => r.name);
  }

  /** One line per answer, then a summary. */
  toString(): string {
    const lines = this.results.map((r) => `${MARK[r.status]} ${r.message}`);
    for (const n of this.notes) lines.push(`note: ${n}`);
    lines.push(this.#summary());
    return lines.join("\n");
  }

  #summary(): string {
    const n = this.results.length;
    if (n === 0) return "nothing was checked";
    if (this.ok) return n === 1 ? "correct" : `all ${n} correct`;
    const parts = [`${this.correct.length} of ${n} correct`];
    if (this.wrong.length) parts.push(`wrong: ${this.wrong.join(", ")}`);
    if (this.todo.length) parts.push(`not answered yet: ${this.todo.join(", ")}`);
    return parts.join("; ");
  }

  /** The Jupyter display hook (see {@linkcode CheckReport.toMimeBundle}). */
  [JUPYTER_DISPLAY](): Record<string, string | object> {
    return this.toMimeBundle();
  }

  /** The MIME bundle Jupyter displays: a small green/red HTML table, and the text. */
  toMimeBundle(): Record<string, string | object> {
    const color = { correct: "#e6f4ea", wrong: "#fce8e6", todo: "#f1f3f4" };
    const rows = this.results.map((r) =>
      `<tr style="background:${color[r.status]}"><td>${MARK[r.status]}</td>` +
      `<td style="text-align:left">${escapeHtml(r.message)}</td></tr>`
    );
    for (const n of this.notes) {
      rows.push(`<tr><td>ℹ</td><td style="text-align:left">${escapeHtml(n)}</td></tr>`);
    }
    const summaryColor = this.ok ? "#137333" : "#c5221f";
    const html = `<table class="neuronbook-check">${rows.join("")}` +
      `<tr><td></td><td style="text-align:left;font-weight:bold;color:${summaryColor}">` +
      `${escapeHtml(this.#summary())}</td></tr></table>`;
    return {
      "text/plain": this.toString(),
      "text/html": html,
      // Machine-readable verdicts (frontends ignore this type): `deno task notebooks`
      // compares them with a notebook's metadata `neuronbook.expectWrong`, and
      // `deno task grade` scores and explains each answer from `results`.
      [CHECK_MIME]: {
        ok: this.ok,
        correct: this.correct,
        wrong: this.wrong,
        todo: this.todo,
        results: this.results.map((r) => ({ ...r })),
      },
    };
  }
}

/**
 * Thrown by strict checks; carries the report.
 *
 * @example
 * ```ts
 * import { check, CheckError } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const err = (() => {
 *   try {
 *     check("dL/dw", 1, 2, { strict: true, print: false });
 *   } catch (e) {
 *     return e;
 *   }
 * })();
 * assert.ok(err instanceof CheckError);
 * assert.deepEqual(err.report.wrong, ["dL/dw"]);
 * ```
 */
export class CheckError extends Error {
  /** The failing report. */
  readonly report: CheckReport;

  /** Wraps a failing report; the message is its text. */
  constructor(report: CheckReport) {
    super(`check failed:\n${report.toString()}`);
    this.name = "CheckError";
    this.report = report;
  }
}

const MARK = { correct: "✔", wrong: "✘", todo: "…" } as const;

/**
 * Compares answers with the true values, one named answer at a time: either
 * `check(name, got, expected, options?)` or, for several at once,
 * `check({ name: got, ... }, { name: expected, ... }, options?)`.
 *
 * Each wrong answer is named with the expected and the given value (for
 * arrays: the first wrong element's index, both values there, and how many
 * elements are wrong); right answers only say so. Never throws for a wrong
 * or missing answer unless strict.
 *
 * @example One value
 * ```ts
 * import { check } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const report = check("sigmoid(0)", 0.5, 0.5, { print: false });
 * assert.equal(report.ok, true);
 * assert.equal(report.toString(), "✔ sigmoid(0) correct\ncorrect");
 * ```
 *
 * @example Several values, one wrong
 * ```ts
 * import { check } from "./homework.ts";
 * import { tensor } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const report = check(
 *   { "h": tensor([[1, 2], [3, 4]]), "loss": 0.25 },
 *   { "h": [[1, 2], [3, 4]], "loss": 0.5 },
 *   { print: false },
 * );
 * assert.deepEqual(report.wrong, ["loss"]);
 * assert.equal(report.results[1].message, "loss: expected 0.5, got 0.25");
 * ```
 */
export function check(
  name: string,
  got: Answer,
  expected: Answer,
  options?: CheckOptions,
): CheckReport;
/** Compares several named answers with their true values. */
export function check(
  answers: Record<string, Answer>,
  expected: Record<string, Answer>,
  options?: CheckOptions,
): CheckReport;
export function check(
  a: string | Record<string, Answer>,
  b: Answer | Record<string, Answer>,
  c?: Answer | CheckOptions,
  d?: CheckOptions,
): CheckReport {
  let answers: Record<string, Answer>, expected: Record<string, Answer>, options: CheckOptions;
  if (typeof a === "string") {
    answers = { [a]: b as Answer };
    expected = { [a]: c as Answer };
    options = d ?? {};
  } else {
    answers = a;
    expected = b as Record<string, Answer>;
    options = (c as CheckOptions | undefined) ?? {};
  }
  const results = Object.keys(expected).map((name) => {
    const want = expected[name];
    if (want === null || want === undefined) {
      throw new Error(`check: no true value given for "${name}"`);
    }
    return compare(name, answers[name], want, toleranceOf("check", options));
  });
  const extra = Object.keys(answers).filter((k) => !(k in expected));
  if (extra.length) throw new Error(`check: no true value for ${extra.map((k) => `"${k}"`)}`);
  return finish(new CheckReport(results), options);
}

/**
 * Checks hand-computed gradients: runs `fn` on `inputs` (as float64 CPU
 * tensors), differentiates its output with autograd (summed when it is not a
 * scalar), confirms those reference gradients with finite differences
 * ({@linkcode gradcheck}), and compares each answer in `answers` (keyed by
 * input name) with them. Inputs without an answer are not graded.
 *
 * @example A deliberately wrong gradient is named, the right one is not
 * ```ts
 * import { checkGradients } from "./homework.ts";
 * import assert from "node:assert/strict";
 * // The lecture's f(x, y, z) = (x + y)·z at (-2, 5, -4): df/dx = df/dy = -4, df/dz = 3.
 * const report = checkGradients(
 *   ({ x, y, z }) => x.add(y).mul(z),
 *   { x: -2, y: 5, z: -4 },
 *   { x: -4, y: 4, z: 3 },
 *   { print: false, label: (n) => `df/d${n}` },
 * );
 * assert.deepEqual(report.wrong, ["df/dy"]);
 * assert.equal(report.results[1].message, "df/dy: expected -4, got 4");
 * ```
 */
export function checkGradients(
  fn: (inputs: Record<string, Tensor>) => Tensor,
  inputs: Record<string, Answer>,
  answers: Record<string, Answer>,
  options: CheckGradientsOptions = {},
): CheckReport {
  const names = Object.keys(inputs);
  const unknown = Object.keys(answers).filter((k) => !names.includes(k));
  if (unknown.length) {
    throw new Error(
      `checkGradients: answers for ${unknown.map((k) => `"${k}"`)}, which are not inputs ` +
        `(inputs: ${names.join(", ")})`,
    );
  }
  const base = names.map((n) => {
    const v = inputs[n];
    if (v === null || v === undefined) throw new Error(`checkGradients: input "${n}" is missing`);
    return flatten(n, v);
  });
  const leaves = (grad: boolean) =>
    base.map((b) =>
      fromValues(b.values, b.shape, { dtype: "float64", backend: "cpu", requiresGrad: grad })
    );
  const call = (xs: Tensor[]) => {
    const record: Record<string, Tensor> = {};
    names.forEach((n, i) => (record[n] = xs[i]));
    const out = fn(record);
    return out.size === 1 ? out : out.sum();
  };

  const xs = leaves(true);
  call(xs).backward();
  const reference = xs.map((x) =>
    x.grad ? Array.from(x.grad.dataSync()) : new Array(x.size).fill(0)
  );

  const notes: string[] = [];
  const label = options.label ?? ((n: string) => `dL/d${n}`);
  const total = base.reduce((s, b) => s + b.values.length, 0);
  if (total <= (options.gradcheckUpTo ?? 2000)) {
    const gc = gradcheck((...ts) => call(ts), leaves(false), {
      names,
      throwOnFailure: false,
      tolerance: 1e-5,
    });
    for (const r of gc.inputs) {
      if (!r.ok && r.name in answers) {
        notes.push(
          `finite differences could not confirm the reference ${label(r.name)} ` +
            `(relative error ${r.maxRelError.toExponential(1)}); it comes from autograd`,
        );
      }
    }
  }

  const tolerance = toleranceOf("checkGradients", options);
  const results = names.flatMap((n, i) =>
    n in answers
      ? [compare(label(n), answers[n], { values: reference[i], shape: base[i].shape }, tolerance)]
      : []
  );
  return finish(new CheckReport(results, notes), options);
}

/**
 * Records a yes/no requirement as a verdict, e.g. "accuracy ≥ 0.9", so it
 * shows in the same table (and fails strict runs the same way). `passed`
 * may be `undefined` (or {@linkcode TODO}) while the requirement cannot be
 * tested yet, e.g. before the student has built the model: it is then
 * reported as not answered yet.
 *
 * @example
 * ```ts
 * import { checkThat } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const accuracy = 0.93;
 * const report = checkThat("test accuracy ≥ 0.9", accuracy >= 0.9, `got ${accuracy}`, { print: false });
 * assert.equal(report.ok, true);
 * assert.equal(report.results[0].message, "test accuracy ≥ 0.9 correct (got 0.93)");
 * ```
 *
 * @example Not testable yet
 * ```ts
 * import { checkThat } from "./homework.ts";
 * import assert from "node:assert/strict";
 * const accuracy: number | undefined = undefined; // no model trained yet
 * const report = checkThat("test accuracy ≥ 0.9", accuracy === undefined ? undefined : accuracy >= 0.9);
 * assert.deepEqual([report.ok, report.todo], [false, ["test accuracy ≥ 0.9"]]);
 * ```
 */
export function checkThat(
  name: string,
  passed: boolean | null | undefined,
  detail?: string,
  options: CheckOptions = {},
): CheckReport {
  const suffix = detail ? ` (${detail})` : "";
  const result: CheckResult = passed === undefined || passed === null
    ? { name, status: "todo", ok: false, message: `${name}: not answered yet${suffix}` }
    : passed
    ? { name, status: "correct", ok: true, message: `${name} correct${suffix}` }
    : { name, status: "wrong", ok: false, message: `${name}: not met${suffix}` };
  return finish(new CheckReport([result]), options);
}

/** The tolerance option, checked: a finite number ≥ 0 (default 1e-4). */
function toleranceOf(where: string, options: CheckOptions): number {
  const t = options.tolerance ?? 1e-4;
  if (!(typeof t === "number" && t >= 0 && Number.isFinite(t))) {
    throw new RangeError(
      `${where}: tolerance must be a finite number >= 0, got ${describeValue(t)}`,
    );
  }
  return t;
}

function finish(report: CheckReport, options: CheckOptions): CheckReport {
  const print = options.print ?? !kernelJupyter();
  if (print) console.log(report.toString());
  if ((options.strict ?? strictDefault) && !report.ok) throw new CheckError(report);
  return report;
}

interface Flat {
  values: ArrayLike<number>;
  shape: number[];
}

/** Flattens an answer; throws for what cannot be an answer at all. */
function flatten(name: string, x: Exclude<Answer, null | undefined> | Flat): Flat {
  if (typeof x === "number") return { values: [x], shape: [] };
  if (x instanceof Value) return { values: [x.data], shape: [] };
  if (x instanceof Tensor) {
    if (x.isDisposed) throw new TypeError(`got a disposed tensor (shape [${x.shape}])`);
    if (!x.backend.readSync) {
      throw new TypeError(
        `got a tensor on the ${x.backend.name} backend; pass \`await t.data()\` or a CPU tensor`,
      );
    }
    return { values: x.dataSync(), shape: [...x.shape] };
  }
  if (ArrayBuffer.isView(x)) return { values: x, shape: [x.length] };
  if (Array.isArray(x)) {
    return flattenNested(x, `check: "${name}"`, (v, path) => {
      if (v instanceof Value) return v.data;
      if (typeof v === "number") return v;
      throw new TypeError(`element [${path}] is ${describeValue(v)}, not a number`);
    });
  }
  if (typeof x === "object" && "values" in x && "shape" in x) return x;
  throw new TypeError(`got ${describeValue(x)}, not a number, array or tensor`);
}

/** Shapes are the same up to axes of length 1 (so [3] matches [3, 1] and 5 matches [5]). */
function sameShape(a: number[], b: number[]): boolean {
  const squeeze = (s: number[]) => s.filter((d) => d !== 1).join(",");
  return squeeze(a) === squeeze(b);
}

function compare(
  name: string,
  got: Answer,
  expected: Answer | Flat,
  tolerance: number,
): CheckResult {
  if (got === null || got === undefined) {
    return { name, status: "todo", ok: false, message: `${name}: not answered yet` };
  }
  const e = flatten(name, expected as Exclude<Answer, null | undefined> | Flat);
  let g: Flat;
  try {
    g = flatten(name, got);
  } catch (err) {
    // A wrong-typed answer is a wrong answer, not a crash that loses the report.
    const what = (err as Error).message.replace(/^check: "[^"]*":? ?/, "");
    return {
      name,
      status: "wrong",
      ok: false,
      total: e.values.length,
      message: `${name}: ${what}`,
    };
  }
  const total = e.values.length;
  if (!sameShape(g.shape, e.shape)) {
    return {
      name,
      status: "wrong",
      ok: false,
      total,
      message: `${name}: expected shape [${e.shape}], got [${g.shape}]`,
    };
  }
  let first = -1, wrongCount = 0;
  for (let i = 0; i < total; i++) {
    const want = e.values[i], have = g.values[i];
    // An infinite or NaN true value is matched exactly (NaN by NaN); finite ones within tolerance.
    const right = Number.isFinite(want)
      ? Math.abs(have - want) <= tolerance * Math.max(1, Math.abs(want))
      : have === want || (want !== want && have !== have);
    if (!right) {
      wrongCount++;
      if (first < 0) first = i;
    }
  }
  if (wrongCount === 0) {
    return { name, status: "correct", ok: true, total, message: `${name} correct` };
  }
  const want = e.values[first], have = g.values[first];
  const [ws, hs] = formatPair(want, have);
  const index = unravel(first, e.shape);
  const message = total === 1
    ? `${name}: expected ${ws}, got ${hs}`
    : `${name}: ${wrongCount} of ${total} elements wrong; first at [${index}]: expected ${ws}, got ${hs}`;
  return {
    name,
    status: "wrong",
    ok: false,
    message,
    index,
    expected: want,
    got: have,
    wrongCount,
    total,
  };
}

function unravel(flat: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

/** Shortest representations (4 to 12 significant digits) that still tell the two apart. */
function formatPair(a: number, b: number): [string, string] {
  const f = (x: number, p: number) =>
    Number.isFinite(x) ? String(Number(x.toPrecision(p))) : String(x);
  for (let p = 4; p <= 12; p++) {
    if (f(a, p) !== f(b, p)) return [f(a, p), f(b, p)];
  }
  return [String(a), String(b)];
}
