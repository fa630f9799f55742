import assert from "node:assert/strict";
import { fitMinMax, fitStandardizer, takeRows, trainValTestSplit } from "../../datasets/split.ts";
import { blobs } from "../../datasets/synthetic.ts";

Deno.test("trainValTestSplit: sizes from fractions and counts, a disjoint cover of 0..n-1", () => {
  const s = trainValTestSplit(1000, { val: 0.15, test: 0.2, seed: 5 });
  assert.deepEqual([s.train.length, s.val.length, s.test.length], [650, 150, 200]);
  const all = [...s.train, ...s.val, ...s.test].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(s.train instanceof Int32Array && s.val instanceof Int32Array);

  const c = trainValTestSplit(10, { val: 3, test: 1 });
  assert.deepEqual([c.train.length, c.val.length, c.test.length], [6, 3, 1]);
  const none = trainValTestSplit(5);
  assert.equal(none.train.length, 5);
  assert.equal(none.val.length + none.test.length, 0);
  assert.equal(trainValTestSplit(0).train.length, 0);
});

Deno.test("trainValTestSplit: deterministic per seed, shuffled, or in order", () => {
  const a = trainValTestSplit(200, { val: 0.1, test: 0.1, seed: 11 });
  const b = trainValTestSplit(200, { val: 0.1, test: 0.1, seed: 11 });
  const c = trainValTestSplit(200, { val: 0.1, test: 0.1, seed: 12 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.train, c.train);
  assert.notDeepEqual([...a.train], [...a.train].sort((x, y) => x - y));
  const ordered = trainValTestSplit(5, { val: 1, test: 2, shuffle: false });
  assert.deepEqual([...ordered.train, ...ordered.val, ...ordered.test], [0, 1, 2, 3, 4]);
  assert.deepEqual([...ordered.test], [3, 4]);
});

Deno.test("trainValTestSplit: bad sizes are rejected", () => {
  assert.throws(() => trainValTestSplit(10, { val: 6, test: 5 }), /exceed the 10 available/);
  assert.throws(() => trainValTestSplit(10, { val: -0.1 }), /fraction in \[0, 1\)/);
  assert.throws(() => trainValTestSplit(10, { test: 2.5 }), RangeError);
  assert.throws(() => trainValTestSplit(-1), RangeError);
});

Deno.test("takeRows gathers rows and keeps the array type", () => {
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  const t = takeRows(x, 3, new Int32Array([1, 1, 0]));
  assert.ok(t instanceof Float32Array);
  assert.deepEqual([...t], [4, 5, 6, 4, 5, 6, 1, 2, 3]);
  assert.throws(() => takeRows(x, 3, [2]), /row index 2 is outside 0\.\.1/);
  assert.throws(() => takeRows(x, 4, [0]), /not a whole number of rows/);
});

Deno.test("fitStandardizer: statistics from the training rows only", () => {
  const d = blobs({ n: 500, seed: 2 });
  const split = trainValTestSplit(d.n, { val: 0.2, test: 0.2, seed: 3 });
  const s = fitStandardizer(d.x, d.n, 2, { rows: split.train });
  const xTrain = s.apply(takeRows(d.x, 2, split.train));
  for (let f = 0; f < 2; f++) {
    let sum = 0, sq = 0;
    for (let i = f; i < xTrain.length; i += 2) sum += xTrain[i], sq += xTrain[i] ** 2;
    const m = sum / split.train.length;
    assert.ok(Math.abs(m) < 1e-12, `mean ${m}`);
    assert.ok(Math.abs(Math.sqrt(sq / split.train.length - m * m) - 1) < 1e-12);
  }
  // Changing test rows does not change the fitted statistics.
  const poisoned = d.x.slice();
  for (const r of split.test) poisoned[2 * r] = 1e6;
  const s2 = fitStandardizer(poisoned, d.n, 2, { rows: split.train });
  assert.deepEqual(s2.mean, s.mean);
  assert.deepEqual(s2.std, s.std);
  // All rows when no `rows` is given; round trip; Float32 in, Float32 out.
  const all = fitStandardizer(d.x, d.n, 2);
  assert.notDeepEqual(all.mean, s.mean);
  const back = all.inverse(all.apply(d.x));
  for (let i = 0; i < d.x.length; i++) assert.ok(Math.abs(back[i] - d.x[i]) < 1e-12);
  assert.ok(all.apply(new Float32Array(d.x)) instanceof Float32Array);
  assert.ok(all.apply([1, 2]) instanceof Float64Array);
  assert.throws(() => all.apply(new Float64Array(3)), /not a whole number of rows/);
  assert.throws(() => fitStandardizer(d.x, d.n, 2, { rows: [d.n] }), /outside/);
  assert.throws(() => fitStandardizer(d.x, d.n + 1, 2), /need/);
});

Deno.test("fitMinMax: fitted range maps onto [lo, hi]", () => {
  const x = new Float64Array([2, 7, 4, 7, 6, 7, 100, 0]); // 4 rows, 2 features
  const s = fitMinMax(x, 4, 2, { rows: [0, 1, 2] });
  assert.deepEqual([...s.min], [2, 7]);
  assert.deepEqual([...s.max], [6, 7]);
  assert.deepEqual([...s.apply(x)], [0, 0, 0.5, 0, 1, 0, 24.5, -7]);
  assert.deepEqual([...s.inverse(s.apply(x))], [...x]);
  const r = fitMinMax(x, 3, 2, { range: [-1, 1] });
  assert.deepEqual([...r.apply(x.subarray(0, 6))], [-1, -1, 0, -1, 1, -1]);
  assert.throws(() => fitMinMax(x, 4, 2, { range: [1, 1] }), /must be increasing/);
});
