// Homework checks given wrong-typed answers: reported as wrong, saying what
// was given, never a crash that loses the whole report.
import assert from "node:assert/strict";
import { check, checkGradients } from "../../lib/homework.ts";
import { tensor } from "../../mod.ts";

const quiet = { print: false };

Deno.test("a wrong-typed answer is a wrong answer that says what was given", () => {
  const disposed = tensor([1, 2]);
  disposed.dispose();
  const cases: [unknown, RegExp][] = [
    ["3", /x: got the string "3", not a number, array or tensor/],
    [true, /x: got the boolean true/],
    [{ a: 1 }, /x: got an object/],
    [() => 3, /x: got a function \(did you forget to call it\?\)/],
    [Promise.resolve(3), /x: got a Promise \(did you forget await\?\)/],
    [3n, /x: got the bigint 3n/],
    [[[1, 2], [3]], /x: ragged nested array at index \[1\]/],
    [disposed, /x: got a disposed tensor/],
    [[1, "2"], /x: element \[1\] is the string "2", not a number/],
  ];
  for (const [got, message] of cases) {
    const report = check({ x: got as never, y: 2 }, { x: [1, 2], y: 2 }, quiet);
    assert.deepEqual(report.wrong, ["x"], String(got));
    assert.match(report.results[0].message, message);
    assert.equal(report.results[1].ok, true, "the other answers are still graded");
  }
  const g = checkGradients(
    ({ w }) => w.mul(w),
    { w: 3 },
    { w: Promise.resolve(6) as never },
    quiet,
  );
  assert.match(g.results[0].message, /a Promise \(did you forget await\?\)/);
});

Deno.test("NaN and ±Infinity true values match only themselves; bad tolerances are refused", () => {
  assert.equal(check("x", NaN, NaN, quiet).ok, true);
  assert.equal(check("x", 1, NaN, quiet).ok, false);
  assert.equal(check("x", NaN, 1, quiet).ok, false);
  assert.equal(check("x", Infinity, Infinity, quiet).ok, true);
  assert.equal(check("x", 1e300, Infinity, quiet).ok, false);
  assert.equal(check("x", -Infinity, Infinity, quiet).ok, false);
  assert.equal(check("x", [1, Infinity], [1, Infinity], quiet).ok, true);
  for (const tolerance of [-1, NaN, Infinity]) {
    assert.throws(
      () => check("x", 1, 1, { ...quiet, tolerance }),
      /check: tolerance must be a finite number >= 0/,
    );
  }
});
