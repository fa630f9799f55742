// The homework checks: wrong answers are named (and only they), right ones
// are reported right, arrays name their first wrong element, strict throws.
import assert from "node:assert/strict";
import { tensor, Value } from "../mod.ts";
import {
  check,
  CHECK_MIME,
  CheckError,
  checkGradients,
  checkThat,
  setStrict,
  TODO,
} from "../lib/homework.ts";

const quiet = { print: false };

// A two-layer scalar network, as in homework 1: L = (w2·tanh(w1·x + b1) + b2 − y)².
const net = ({ w1, b1, w2, b2, x, y }: Record<string, ReturnType<typeof tensor>>) =>
  w2.mul(w1.mul(x).add(b1).tanh()).add(b2).sub(y).pow(2);
const at = { w1: 0.5, b1: -0.1, w2: -1.5, b2: 0.2, x: 2, y: 1 };

// The true gradients, by hand: h = tanh(w1 x + b1), e = w2 h + b2 − y.
function trueGrads() {
  const h = Math.tanh(at.w1 * at.x + at.b1), e = at.w2 * h + at.b2 - at.y;
  const dh = 2 * e * at.w2 * (1 - h * h);
  return { w1: dh * at.x, b1: dh, w2: 2 * e * h, b2: 2 * e };
}

Deno.test("checkGradients: right hand-computed gradients all pass", () => {
  const report = checkGradients(net, at, trueGrads(), quiet);
  assert.equal(report.ok, true);
  assert.deepEqual(report.correct, ["dL/dw1", "dL/db1", "dL/dw2", "dL/db2"]);
  assert.deepEqual([report.wrong, report.todo, report.notes], [[], [], []]);
  assert.match(report.toString(), /all 4 correct$/);
});

Deno.test("checkGradients: one deliberately wrong gradient is named, and only that one", () => {
  const answers = trueGrads();
  const wrong = answers.w2;
  answers.w2 = -wrong; // a sign error
  const report = checkGradients(net, at, answers, quiet);
  assert.equal(report.ok, false);
  assert.deepEqual(report.wrong, ["dL/dw2"]);
  assert.deepEqual(report.correct, ["dL/dw1", "dL/db1", "dL/db2"]);
  const bad = report.results.find((r) => !r.ok)!;
  assert.equal(bad.name, "dL/dw2");
  assert.ok(Math.abs(bad.expected! - wrong) < 1e-12 && Math.abs(bad.got! + wrong) < 1e-12);
  assert.match(bad.message, /^dL\/dw2: expected -?\d\.\d+, got -?\d\.\d+$/);
  const text = report.toString();
  // Right answers say so without their values; the wrong one carries expected and got.
  for (const name of ["dL/dw1", "dL/db1", "dL/db2"]) {
    assert.ok(text.includes(`✔ ${name} correct\n`));
  }
  assert.ok(!text.includes(String(answers.w1).slice(0, 6)), "a right answer's value was printed");
  assert.match(text, /3 of 4 correct; wrong: dL\/dw2$/);
});

Deno.test("checkGradients: unanswered gradients are reported as such, not as wrong", () => {
  const answers = { ...trueGrads(), b1: TODO, b2: null };
  const report = checkGradients(net, at, answers, quiet);
  assert.deepEqual([report.ok, report.wrong, report.todo], [false, [], ["dL/db1", "dL/db2"]]);
  assert.ok(report.toString().includes("… dL/db1: not answered yet"));
});

Deno.test("checkGradients: tensor inputs and array answers; the first wrong element is named", () => {
  // L = Σ (W x)², so dL/dW = 2 (W x) xᵀ and dL/dx = 2 Wᵀ (W x).
  const W = [[1, 2, 0], [0, -1, 3]], x = [1, 2, -1];
  const Wx = W.map((row) => row.reduce((s, w, j) => s + w * x[j], 0));
  const dW = W.map((_, i) => x.map((xj) => 2 * Wx[i] * xj));
  const dx = x.map((_, j) => W.reduce((s, row, i) => s + 2 * row[j] * Wx[i], 0));
  const f = ({ W, x }: Record<string, ReturnType<typeof tensor>>) =>
    W.matmul(x.reshape([3, 1])).pow(2).sum();
  const right = checkGradients(f, { W: tensor(W), x }, { W: dW, x: dx }, quiet);
  assert.equal(right.ok, true, right.toString());

  const wrongDW = dW.map((row) => [...row]);
  wrongDW[1][2] += 1;
  wrongDW[1][0] -= 1; // two wrong elements; the first in row-major order is [1, 0]
  const report = checkGradients(f, { W, x }, { W: tensor(wrongDW), x: dx }, quiet);
  assert.deepEqual([report.wrong, report.correct], [["dL/dW"], ["dL/dx"]]);
  const r = report.results[0];
  assert.deepEqual([r.index, r.wrongCount, r.total], [[1, 0], 2, 6]);
  assert.deepEqual([r.expected, r.got], [dW[1][0], dW[1][0] - 1]);
  assert.equal(
    r.message,
    `dL/dW: 2 of 6 elements wrong; first at [1,0]: expected ${dW[1][0]}, got ${dW[1][0] - 1}`,
  );
  // The whole true gradient is not dumped: the report is these three lines.
  assert.equal(
    report.toString(),
    [`✘ ${r.message}`, "✔ dL/dx correct", "1 of 2 correct; wrong: dL/dW"].join("\n"),
  );
});

Deno.test("checkGradients: a non-scalar output is summed; wrong shapes are named", () => {
  const f = ({ a }: Record<string, ReturnType<typeof tensor>>) => a.mul(a);
  assert.equal(checkGradients(f, { a: [1, 2] }, { a: [2, 4] }, quiet).ok, true);
  const report = checkGradients(f, { a: [1, 2] }, { a: [2, 4, 6] }, quiet);
  assert.equal(report.results[0].message, "dL/da: expected shape [2], got [3]");
});

Deno.test("check: numbers, Values, tensors and nested arrays; tolerance", () => {
  const report = check(
    { s: new Value(0.5), t: tensor([[1, 2]]), n: [[1], [2]], near: 1.00001, far: 1.01 },
    { s: 0.5, t: [[1, 2]], n: [1, 2], near: 1, far: 1 },
    quiet,
  );
  assert.deepEqual(report.correct, ["s", "t", "n", "near"]);
  assert.deepEqual(report.wrong, ["far"]);
  assert.equal(report.results[4].message, "far: expected 1, got 1.01");
  assert.equal(check("far", 1.01, 1, { ...quiet, tolerance: 0.05 }).ok, true);
  // Values that differ beyond 4 digits are shown with enough digits to differ.
  assert.equal(
    check("x", 1.0002, 1.0001, { ...quiet, tolerance: 1e-6 }).results[0].message,
    "x: expected 1.0001, got 1.0002",
  );
  assert.equal(check("nan", NaN, 1, quiet).results[0].message, "nan: expected 1, got NaN");
});

Deno.test("check: strict mode throws a CheckError naming what is wrong", () => {
  assert.throws(
    () => check({ a: 1, b: 2 }, { a: 1, b: 3 }, { ...quiet, strict: true }),
    (e: unknown) =>
      e instanceof CheckError && /✘ b: expected 3, got 2/.test(e.message) &&
      e.report.correct.join() === "a",
  );
  assert.throws(() => check("todo", TODO, 3, { ...quiet, strict: true }), CheckError);
  assert.doesNotThrow(() => check("fine", 3, 3, { ...quiet, strict: true }));
  setStrict(true);
  try {
    assert.throws(
      () => checkThat("accuracy ≥ 0.9", false, "got 0.5", quiet),
      /not met \(got 0.5\)/,
    );
    assert.equal(
      checkThat("accuracy ≥ 0.9", false, "got 0.5", { ...quiet, strict: false }).ok,
      false,
    );
  } finally {
    setStrict(false);
  }
});

Deno.test("checkThat: undefined means not testable yet (todo), and strict runs fail on it", () => {
  const todo = checkThat("accuracy ≥ 0.9", undefined, "train the model first", quiet);
  assert.deepEqual([todo.ok, todo.todo, todo.wrong], [false, ["accuracy ≥ 0.9"], []]);
  assert.equal(todo.results[0].message, "accuracy ≥ 0.9: not answered yet (train the model first)");
  assert.deepEqual(checkThat("x", TODO, undefined, quiet).todo, ["x"]);
  assert.deepEqual(checkThat("x", false, undefined, quiet).wrong, ["x"]);
  assert.throws(() => checkThat("x", undefined, undefined, { ...quiet, strict: true }), CheckError);
});

Deno.test("check: the report displays as an HTML table with the text beside it", () => {
  const report = check({ a: 1, b: 2 }, { a: 1, b: 3 }, quiet);
  const display = (report as unknown as Record<symbol, () => Record<string, string>>)[
    Symbol.for("Jupyter.display")
  ];
  const bundle = display.call(report);
  assert.equal(bundle["text/plain"], report.toString());
  assert.match(bundle["text/html"], /<table class="neuronbook-check">/);
  assert.match(bundle["text/html"], /#e6f4ea.*✔.*a correct/);
  assert.match(bundle["text/html"], /#fce8e6.*✘.*b: expected 3, got 2/);
  // Machine-readable verdicts for `deno task notebooks` (metadata neuronbook.expectWrong).
  const { results, ...verdicts } = bundle[CHECK_MIME] as unknown as { results: unknown[] };
  assert.deepEqual(verdicts, { ok: false, correct: ["a"], wrong: ["b"], todo: [] });
  // ... and each verdict in full for `deno task grade`: the checker's words and the values.
  assert.deepEqual(results, [
    { name: "a", status: "correct", ok: true, message: "a correct", total: 1 },
    {
      name: "b",
      status: "wrong",
      ok: false,
      message: "b: expected 3, got 2",
      index: [],
      expected: 3,
      got: 2,
      wrongCount: 1,
      total: 1,
    },
  ]);
});

Deno.test("check: mistakes of the notebook's author throw, whatever the mode", () => {
  assert.throws(() => check({ a: 1, extra: 2 }, { a: 1 }, quiet), /no true value for "extra"/);
  assert.throws(
    () => checkGradients(({ a }) => a, { a: 1 }, { b: 1 }, quiet),
    /answers for "b", which are not inputs/,
  );
  // A wrong-typed *answer* is the student's, not the author's: reported as wrong (issue 9),
  // with the same words, instead of thrown.
  const report = check("x", { not: "a number" } as never, 1, quiet);
  assert.deepEqual(report.wrong, ["x"]);
  assert.match(report.results[0].message, /not a number, array or tensor/);
  // A wrong-typed *true value* is the author's mistake: it still throws.
  assert.throws(
    () => check("x", 1, { not: "a number" } as never, quiet),
    /not a number, array or tensor/,
  );
});

Deno.test("check: prints the report outside Jupyter unless told not to", () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    check("x", 1, 2);
    check("y", 1, 2, quiet);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, ["✘ x: expected 2, got 1\n0 of 1 correct; wrong: x"]);
});
