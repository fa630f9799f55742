// summary(): the lectures' parameter counts in the table, output shapes of
// LeNet-5, custom modules, frozen tensors, and no side effects on the model.
import { lenet5 } from "../../lib/nn/models.ts";
import assert from "node:assert/strict";
import { Rng, type Tensor } from "../../mod.ts";
import { Conv2d, Dropout, Linear, Sequential } from "../../lib/nn/layers.ts";
import { ReLU, Sigmoid } from "../../lib/nn/activations.ts";
import { Module } from "../../lib/nn/module.ts";
import { summary } from "../../lib/nn/summary.ts";

Deno.test("summary: 784-10-10 → Total params: 7,960", () => {
  const rng = new Rng(0);
  const model = new Sequential(
    new Linear(784, 10, { rng }),
    new Sigmoid(),
    new Linear(10, 10, { rng }),
  );
  const s = summary(model, [784]);
  assert.deepEqual(s.rows, [
    { name: "0", layer: "Linear(784 → 10)", outputShape: "[N, 10]", params: 7850 },
    { name: "1", layer: "Sigmoid()", outputShape: "[N, 10]", params: 0 },
    { name: "2", layer: "Linear(10 → 10)", outputShape: "[N, 10]", params: 110 },
  ]);
  assert.equal(s.totalParams, 7960);
  assert.equal(s.trainableParams, 7960);
  const text = s.toString();
  assert.ok(text.includes("Total params: 7,960"), text);
  assert.ok(text.includes("Trainable params: 7,960"));
  assert.ok(text.includes("Non-trainable params: 0"));
  assert.match(text, /^Model: Sequential\nName +Layer +Output shape +Param #\n=+\n/);
  assert.match(text, /\n0 +Linear\(784 → 10\) +\[N, 10\] +7,850\n/);
  assert.equal(`${s}`, text);
});

Deno.test("summary: 3-4-2 → 26 with bias, 20 without", () => {
  const rng = new Rng(1);
  const withBias = new Sequential(new Linear(3, 4, { rng }), new Linear(4, 2, { rng }));
  const without = new Sequential(
    new Linear(3, 4, { bias: false, rng }),
    new Linear(4, 2, { bias: false, rng }),
  );
  assert.match(summary(withBias, [3]).toString(), /Total params: 26\n/);
  assert.equal(summary(without, [3]).totalParams, 20);
});

Deno.test("summary: LeNet-5 shapes and 61,706 parameters", () => {
  const rng = new Rng(2);
  const lenet = lenet5({ rng });
  const s = summary(lenet, [1, 28, 28]);
  assert.deepEqual(s.rows.map((r) => r.outputShape), [
    "[N, 6, 28, 28]",
    "[N, 6, 28, 28]",
    "[N, 6, 14, 14]",
    "[N, 16, 10, 10]",
    "[N, 16, 10, 10]",
    "[N, 16, 5, 5]",
    "[N, 400]",
    "[N, 120]",
    "[N, 120]",
    "[N, 84]",
    "[N, 84]",
    "[N, 10]",
  ]);
  assert.deepEqual(s.rows.map((r) => r.params), [
    156,
    0,
    0,
    2416,
    0,
    0,
    0,
    48120,
    0,
    10164,
    0,
    850,
  ]);
  assert.equal(s.totalParams, 61706);
  assert.match(s.toString(), /Total params: 61,706/);
  assert.match(s.toString(), /\n7 +Linear\(400 → 120\) +\[N, 120\] +48,120\n/);
});

Deno.test("summary: a layer that does not fit fails naming it and the shapes", () => {
  const model = new Sequential(new Conv2d(1, 2, 3, { rng: new Rng(3) }), new Linear(10, 2));
  assert.throws(
    () => summary(model, [1, 8, 8]),
    /summary: layer 1 \(Linear\(10 → 2\)\) fails on input \[N, 2, 6, 6\] from input shape \[1, 8, 8\]: .*add Flatten\(\) before it/,
  );
});

Deno.test("summary: no side effects: dropout draws nothing, modes are restored", () => {
  const rng = new Rng(4);
  const model = new Sequential(new Linear(3, 3, { rng: new Rng(5) }), new Dropout(0.5, { rng }));
  const twin = new Rng(4);
  summary(model, [3]);
  assert.equal(rng.next(), twin.next());
  assert.equal(model.training, true);
  assert.equal(model.at(1).training, true);
  model.eval();
  summary(model, [3]);
  assert.equal(model.at(1).training, false);
});

class Net extends Module {
  fc1 = new Linear(3, 4, { rng: new Rng(6) });
  act = new ReLU();
  fc2 = new Linear(4, 2, { rng: new Rng(7) });
  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.act.forward(this.fc1.forward(x)));
  }
}

Deno.test("summary: custom modules get a row per child, shapes caught on the way", () => {
  const net = new Net();
  const s = summary(net, [3]);
  assert.deepEqual(s.rows, [
    { name: "fc1", layer: "Linear(3 → 4)", outputShape: "[N, 4]", params: 16 },
    { name: "act", layer: "ReLU()", outputShape: "[N, 4]", params: 0 },
    { name: "fc2", layer: "Linear(4 → 2)", outputShape: "[N, 2]", params: 10 },
  ]);
  assert.equal(s.totalParams, 26);
  assert.ok(!Object.hasOwn(net.fc1, "forward"), "the recording wrapper was removed");
  // Without an input shape (or with one that does not fit) shapes are unknown.
  assert.deepEqual(summary(net).rows.map((r) => r.outputShape), ["?", "?", "?"]);
  assert.deepEqual(summary(net, [5]).rows.map((r) => r.outputShape), ["?", "?", "?"]);
  assert.ok(!Object.hasOwn(net.fc1, "forward"));
  assert.equal(summary(net, [3]).totalParams, 26);
});

Deno.test("summary: the module's own tensors and frozen (non-trainable) ones", () => {
  class Scaled extends Net {
    scale = new Linear(1, 1, { rng: new Rng(8) }).weight;
  }
  const net = new Scaled();
  net.fc1.weight.requireGrad(false);
  const s = summary(net, [3]);
  assert.deepEqual(s.rows[0], {
    name: "(own)",
    layer: "Scaled",
    outputShape: "[N, 2]",
    params: 1,
  });
  assert.equal(s.totalParams, 27);
  assert.equal(s.trainableParams, 27 - 12);
  assert.match(s.toString(), /Trainable params: 15\nNon-trainable params: 12$/);
});
