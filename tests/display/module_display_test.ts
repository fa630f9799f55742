// moduleBundle, historyBundle and installDisplays: models as summary tables,
// histories as figures, and the display methods added to the classes.
import assert from "node:assert/strict";
import { Linear, Module, ReLU, Rng, Sequential, Tensor, tensor, Value } from "../../mod.ts";
import { historyBundle, installDisplays, moduleBundle } from "../../lib/display/mod.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../../lib/plot/mod.ts";

const cells = (html: string) =>
  [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[dh][^>]*>([^<]*)<\/t[dh]>/g)].map((c) => c[1])
  );

Deno.test("moduleBundle: the summary as an HTML table, shapes with an input shape", () => {
  const rng = new Rng(0);
  const model = new Sequential(new Linear(4, 8, { rng }), new ReLU(), new Linear(8, 2, { rng }));
  const b = moduleBundle(model, [4]);
  assert.match(b["text/plain"] as string, /Total params: 58/);
  const html = b["text/html"] as string;
  assert.deepEqual(cells(html), [
    ["Name", "Layer", "Output shape", "Param #"],
    ["0", "Linear(4 → 8)", "[N, 8]", "40"],
    ["1", "ReLU()", "[N, 8]", "0"],
    ["2", "Linear(8 → 2)", "[N, 2]", "18"],
  ]);
  assert.match(html, /Total params: <b>58<\/b> · trainable 58<\/div>/);
  // Without an input shape the shape column is left out; frozen tensors are counted apart.
  model.layers[0].parameters().forEach((p) => p.requireGrad(false));
  const noShapes = moduleBundle(model)["text/html"] as string;
  assert.deepEqual(cells(noShapes)[0], ["Name", "Layer", "Param #"]);
  assert.match(noShapes, /trainable 18 · non-trainable 40/);
});

Deno.test("moduleBundle: custom modules list their children", () => {
  class Net extends Module {
    fc = new Linear(3, 1, { rng: new Rng(1) });
    forward(x: Tensor) {
      return this.fc.forward(x);
    }
  }
  const html = moduleBundle(new Net(), [3])["text/html"] as string;
  assert.deepEqual(cells(html).slice(1), [["fc", "Linear(3 → 1)", "[N, 1]", "4"]]);
  assert.match(html, /<b>Net<\/b>/);
});

Deno.test("historyBundle: the history as a Plotly figure", async () => {
  const b = await historyBundle({
    steps: [],
    epochs: [
      { epoch: 1, loss: 1, accuracy: 0.5, seconds: 1, examplesPerSecond: 1 },
      { epoch: 2, loss: 0.5, accuracy: 0.75, seconds: 1, examplesPerSecond: 1 },
    ],
  });
  const spec = b["application/vnd.plotly.v1+json"] as { data: { name: string; y: number[] }[] };
  assert.deepEqual(spec.data.map((t) => [t.name, t.y]), [
    ["train loss", [1, 0.5]],
    ["train accuracy", [0.5, 0.75]],
  ]);
  assert.ok("text/html" in b);
});

Deno.test("installDisplays: Tensor, Module and Value display themselves", async () => {
  installDisplays();
  const method = Object.getOwnPropertyDescriptor(Tensor.prototype, JUPYTER_DISPLAY)?.value;
  assert.equal(typeof method, "function");
  installDisplays(); // idempotent: an existing method is kept
  assert.equal(Object.getOwnPropertyDescriptor(Tensor.prototype, JUPYTER_DISPLAY)?.value, method);
  const show = (o: unknown) =>
    (o as Record<typeof JUPYTER_DISPLAY, () => MimeBundle | Promise<MimeBundle>>)
      [JUPYTER_DISPLAY]();
  const t = await show(tensor([[1, 2], [3, 4]]));
  assert.match(t["text/html"] as string, /<b>Tensor<\/b> \[2, 2\]/);
  const m = await show(new Sequential(new Linear(2, 2)));
  assert.match(m["text/html"] as string, /Linear\(2 → 2\)/);
  const v = await show(new Value(2, "a").exp());
  assert.match(v["image/svg+xml"] as string, /^<svg/);
  // Not enumerable, like a class method.
  for (const proto of [Tensor.prototype, Module.prototype, Value.prototype]) {
    assert.equal(Object.getOwnPropertyDescriptor(proto, JUPYTER_DISPLAY)?.enumerable, false);
  }
});
