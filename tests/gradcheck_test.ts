// Gradient checks of every conformance case, and checks that gradcheck itself
// catches a wrong gradient and reports where.
import assert from "node:assert/strict";
import { gradcheck, type Tensor, tensor } from "../mod.ts";
import { opCases } from "./conformance.ts";

const TOLERANCE = 1e-6;
/**
 * Finite-difference step. gradcheck's default (1e-6) leaves a rounding error
 * of about 1e-16 * |f| / 1e-6 in each numeric derivative, which for the larger
 * cases (|f| in the hundreds) reaches ~3e-8: above 1e-6 relative to the 1e-2
 * floor. With 1e-5 the rounding error is 10x smaller while the truncation
 * error (~eps^2 * f'''/6) stays near 1e-11, and every kink is >= 0.05 away.
 */
const EPS = 1e-5;

for (const c of opCases()) {
  Deno.test(`gradcheck: ${c.name}`, () => {
    const inputs = c.inputs();
    for (const [i, x] of inputs.entries()) {
      assert.equal(x.dtype, "float64", `input ${i} of "${c.name}" must be float64`);
      assert.equal(x.backend.name, "cpu", `input ${i} of "${c.name}" must be on the CPU`);
    }
    const report = gradcheck(c.fn, inputs, { eps: EPS, throwOnFailure: false });
    const worst = report.inputs.find((r) => r.maxRelError === report.maxRelError);
    assert.ok(
      report.maxRelError < TOLERANCE,
      `${c.name}: max relative error ${report.maxRelError} >= ${TOLERANCE} ` +
        `(${worst?.name}, element [${worst?.worst?.index}]: analytic ${worst?.worst?.analytic}, ` +
        `numeric ${worst?.worst?.numeric})`,
    );
    assert.equal(report.ok, true);
    assert.equal(report.inputs.length, inputs.length);
  });
}

Deno.test("conformance cases have unique names and deterministic inputs", () => {
  const a = opCases(), b = opCases();
  assert.equal(new Set(a.map((c) => c.name)).size, a.length);
  a.forEach((c, k) => {
    const xa = c.inputs(), xb = b[k].inputs();
    assert.equal(xa.length, xb.length);
    xa.forEach((x, i) => assert.deepEqual(x.dataSync(), xb[i].dataSync(), `${c.name} input ${i}`));
  });
});

// ---- gradcheck must catch wrong gradients ---------------------------------------

/** x * detach(x): the value is x², the analytic gradient x, the true derivative 2x. */
const wrongSquare = (x: Tensor) => x.mul(x.detach());

Deno.test("gradcheck throws on a wrong gradient, naming the input, element and both values", () => {
  const x = tensor([0.5, -1.25, 2], { dtype: "float64" });
  assert.throws(
    () => gradcheck(wrongSquare, [x]),
    (err: Error) => {
      assert.match(err.message, /gradcheck failed for input 0 \(shape \[3\]\) at element \[\d\]/);
      assert.match(err.message, /analytic -?[\d.e+-]+, numeric -?[\d.e+-]+/);
      assert.match(
        err.message,
        /relative error 5\.00e-1 > 0\.000001|relative error 5\.00e-1 > 1e-6/,
      );
      return true;
    },
  );
});

Deno.test("gradcheck's thrown message uses the given input names", () => {
  const a = tensor([1, 2], { dtype: "float64" });
  const b = tensor([3, 4], { dtype: "float64" });
  assert.throws(
    () => gradcheck((p, q) => p.add(wrongSquare(q)).sum(), [a, b], { names: ["weight", "bias"] }),
    /gradcheck failed for bias \(shape \[2\]\) at element \[\d\]: analytic/,
  );
});

Deno.test("gradcheck report (throwOnFailure false) names the single wrong input and element", () => {
  // f(a, b) = Σ a·b + b[1,2]·detach(b[1,2]): only d/db[1,2] is wrong
  // (analytic a[1,2] + b[1,2], true a[1,2] + 2·b[1,2]).
  const a = tensor([[0.3, -0.7, 1.1], [0.9, 0.2, -0.4]], { dtype: "float64" });
  const b = tensor([[1.5, 0.6, -0.8], [-1.2, 0.4, 0.7]], { dtype: "float64" });
  const fn = (p: Tensor, q: Tensor) => {
    const mask = tensor([[0, 0, 0], [0, 0, 1]], { dtype: q.dtype, backend: q.backend.name });
    return p.mul(q).add(q.mul(mask).mul(q.detach())).sum();
  };
  const report = gradcheck(fn, [a, b], { throwOnFailure: false, names: ["a", "b"] });
  assert.equal(report.ok, false);
  const [ra, rb] = report.inputs;
  assert.equal(ra.name, "a");
  assert.equal(ra.ok, true);
  assert.ok(ra.maxRelError < 1e-6, `input a: ${ra.maxRelError}`);
  assert.equal(rb.name, "b");
  assert.equal(rb.ok, false);
  assert.deepEqual(rb.shape, [2, 3]);
  assert.deepEqual(rb.worst!.index, [1, 2]);
  assert.ok(Math.abs(rb.worst!.analytic - (-0.4 + 0.7)) < 1e-12, `analytic ${rb.worst!.analytic}`);
  assert.ok(Math.abs(rb.worst!.numeric - (-0.4 + 1.4)) < 1e-6, `numeric ${rb.worst!.numeric}`);
  // |0.3 - 1.0| / max(0.3, 1.0, 0.01) = 0.7
  assert.ok(Math.abs(rb.worst!.relError - 0.7) < 1e-5, `relError ${rb.worst!.relError}`);
  assert.equal(report.maxRelError, rb.maxRelError);
  // And the thrown version names the same place.
  assert.throws(
    () => gradcheck(fn, [a, b], { names: ["a", "b"] }),
    /gradcheck failed for b \(shape \[2,3\]\) at element \[1,2\]: analytic 0\.(3|2999)\d*, numeric (1\.0000|0\.9999)\d*, relative error 7\.00e-1/,
  );
});

Deno.test("gradcheck report on a wrong non-scalar function marks every element wrong by 1/2", () => {
  const x = tensor([[0.5, -1], [2, 1.5]], { dtype: "float64" });
  const report = gradcheck(wrongSquare, [x], { throwOnFailure: false });
  assert.equal(report.ok, false);
  assert.ok(Math.abs(report.maxRelError - 0.5) < 1e-5, `maxRelError ${report.maxRelError}`);
  const w = report.inputs[0].worst!;
  assert.equal(w.index.length, 2);
  assert.ok(Math.abs(w.numeric - 2 * w.analytic) < 1e-6 * Math.max(1, Math.abs(w.numeric)));
});

Deno.test("gradcheck passes a correct function and respects a looser tolerance", () => {
  const x = tensor([0.5, -1.25, 2], { dtype: "float64" });
  const ok = gradcheck((t) => t.mul(t).sum(), [x]);
  assert.equal(ok.ok, true);
  assert.ok(ok.maxRelError < 1e-8);
  // The wrong gradient (relative error 0.5) passes only when tolerance ≥ 0.5.
  assert.equal(gradcheck(wrongSquare, [x], { tolerance: 0.6 }).ok, true);
});

Deno.test("gradcheck refuses int32 inputs", () => {
  assert.throws(
    () => gradcheck((t) => t.cast("float64").sum(), [tensor([1, 2], { dtype: "int32" })]),
    /input 0 is int32/,
  );
});

Deno.test("gradcheck does not change its inputs", () => {
  const x = tensor([0.25, 0.5], { dtype: "float64" });
  gradcheck((t) => t.exp().sum(), [x]);
  assert.deepEqual(Array.from(x.dataSync()), [0.25, 0.5]);
  assert.equal(x.grad, null);
});
