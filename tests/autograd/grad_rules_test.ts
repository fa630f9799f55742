// Gradient rules of the primitives that public ops reach only inside
// backward (scatterAdd, col2im): checked directly through dispatch.
import assert from "node:assert/strict";
import { dispatch } from "../../lib/engine.ts";
import { windowGeometry } from "../../lib/ops/nn.ts";
import { gradcheck, Rng, tensor } from "../../mod.ts";

const rng = new Rng(7);
const randomF64 = (shape: number[]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => rng.normal()), { dtype: "float64", shape });
};

Deno.test("scatterAdd: gradient (a gather) matches finite differences, repeated indices", () => {
  const idx = tensor([2, 0, 2, 1], { dtype: "int32" });
  const report = gradcheck(
    (g) => dispatch("scatterAdd", [g, idx], { size: 3 }, [3, 5], "float64"),
    [randomF64([4, 5])],
  );
  assert.ok(report.maxRelError < 1e-6);
});

Deno.test("col2im: gradient (an im2col) matches finite differences, stride 2 padding 1", () => {
  const geom = windowGeometry("col2im", [2, 3, 5, 6], 3, 2, 2, 1);
  const cols = [2, 3 * 3 * 2, geom.outH * geom.outW];
  const report = gradcheck(
    (c) => dispatch("col2im", [c], { geom }, [2, 3, 5, 6], "float64"),
    [randomF64(cols)],
  );
  assert.ok(report.maxRelError < 1e-6);
});
