// Layers: parameter counts from the lectures, LeNet-5, forward values against
// hand computation, gradient checks in float64, Dropout's statistics and
// determinism, Sequential's naming and error messages for inputs that do not fit.
import assert from "node:assert/strict";
import { gradcheck, normal, ones, Rng, type Tensor, tensor, zeros } from "../../mod.ts";
import {
  AvgPool2d,
  Conv2d,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  Sequential,
} from "../../lib/nn/layers.ts";
import { ReLU, Sigmoid } from "../../lib/nn/activations.ts";
import type { Initializer } from "../../lib/nn/init.ts";
import { Module } from "../../lib/nn/module.ts";
import { lenet5 } from "../../lib/nn/models.ts";

const f64 = { dtype: "float64" } as const;

Deno.test("parameter counts: 784-10-10 has 7,960 (lecture 000)", () => {
  const rng = new Rng(1);
  const model = new Sequential(
    new Linear(784, 10, { rng }),
    new Sigmoid(),
    new Linear(10, 10, { rng }),
  );
  assert.equal(model.parameterCount(), 784 * 10 + 10 + 10 * 10 + 10);
  assert.equal(model.parameterCount(), 7960);
});

Deno.test("parameter counts: 3-4-2 has 26 with bias and 20 without (lecture 001)", () => {
  const rng = new Rng(2);
  const withBias = new Sequential(new Linear(3, 4, { rng }), new Linear(4, 2, { rng }));
  const without = new Sequential(
    new Linear(3, 4, { rng, bias: false }),
    new Linear(4, 2, { rng, bias: false }),
  );
  assert.equal(withBias.parameterCount(), 26);
  assert.equal(without.parameterCount(), 20);
  assert.deepEqual(without.namedParameters().map(([n]) => n), ["0.weight", "1.weight"]);
  assert.equal(without.at(0).describe(), "Linear(3 → 4, bias=false)");
});

Deno.test("LeNet-5: 61,706 parameters, [N, 1, 28, 28] → [N, 10]", () => {
  const net = lenet5();
  assert.equal(net.parameterCount(), 61706);
  assert.deepEqual(net.forward(zeros([3, 1, 28, 28])).shape, [3, 10]);
  assert.deepEqual(net.namedParameters().map(([n, p]) => [n, p.shape]), [
    ["0.weight", [6, 1, 5, 5]],
    ["0.bias", [6]],
    ["3.weight", [16, 6, 5, 5]],
    ["3.bias", [16]],
    ["7.weight", [120, 400]],
    ["7.bias", [120]],
    ["9.weight", [84, 120]],
    ["9.bias", [84]],
    ["11.weight", [10, 84]],
    ["11.bias", [10]],
  ]);
  assert.match(net.toString(), /^Sequential\(\n {2}\(0\): Conv2d\(1 → 6, 5x5, padding=2\)\n/);
  assert.match(net.toString(), /\(6\): Flatten\(\)\n {2}\(7\): Linear\(400 → 120\)/);
});

Deno.test("LeNet-5: every parameter gets a gradient of its own shape", () => {
  const net = lenet5({ rng: new Rng(3) });
  const x = normal([2, 1, 28, 28], 0, 1, { rng: new Rng(4) });
  net.forward(x).sum().backward();
  for (const [name, p] of net.namedParameters()) {
    assert.ok(p.grad, `${name} has no gradient`);
    assert.deepEqual(p.grad.shape, p.shape, name);
  }
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

Deno.test("Linear: forward equals x Wᵀ + b computed by hand", () => {
  const fc = new Linear(3, 2, { rng: new Rng(5) });
  assert.deepEqual(fc.weight.shape, [2, 3]);
  assert.deepEqual(fc.bias!.shape, [2]);
  fc.bias!.assign(tensor([0.5, -1]));
  const xs = [[1, 2, 3], [-1, 0, 4]];
  const y = fc.forward(tensor(xs)).arraySync() as number[][];
  const w = fc.weight.arraySync() as number[][];
  const b = [0.5, -1];
  xs.forEach((row, n) => {
    for (let o = 0; o < 2; o++) {
      const expected = row.reduce((s, v, i) => s + v * w[o][i], b[o]);
      assert.ok(Math.abs(y[n][o] - expected) < 1e-5, `y[${n}][${o}] = ${y[n][o]} vs ${expected}`);
    }
  });
  // A single sample [in] gives [out].
  assert.deepEqual(fc.forward(tensor([1, 2, 3])).shape, [2]);
});

Deno.test("Linear: weights are parameters, bias starts at zero, dtype option", () => {
  const fc = new Linear(4, 3, { rng: new Rng(6), dtype: "float64" });
  assert.ok(fc.weight.requiresGrad && fc.weight.isLeaf);
  assert.equal(fc.weight.dtype, "float64");
  assert.equal(fc.bias!.dtype, "float64");
  assert.deepEqual(fc.bias!.arraySync(), [0, 0, 0]);
  assert.deepEqual(fc.namedParameters().map(([n]) => n), ["weight", "bias"]);
});

Deno.test("Linear: gradcheck of input, weight and bias", () => {
  const fc = new Linear(3, 2, { rng: new Rng(7), dtype: "float64" });
  fc.bias!.assign(tensor([0.1, -0.2], f64));
  const x = normal([4, 3], 0, 1, { ...f64, rng: new Rng(8) });
  gradcheck(
    (x, w, b) => {
      fc.weight = w;
      fc.bias = b;
      return fc.forward(x);
    },
    [x, fc.weight, fc.bias!],
    { names: ["x", "weight", "bias"] },
  );
});

Deno.test("Conv2d: shapes, parameter count, describe", () => {
  const conv = new Conv2d(3, 4, [3, 2], { stride: 2, padding: 1, bias: false, rng: new Rng(9) });
  assert.deepEqual(conv.weight.shape, [4, 3, 3, 2]);
  assert.equal(conv.bias, null);
  assert.equal(conv.parameterCount(), 4 * 3 * 3 * 2);
  assert.equal(conv.describe(), "Conv2d(3 → 4, 3x2, stride=2, padding=1, bias=false)");
  // out = floor((7 + 2 - 3)/2) + 1 = 4, floor((6 + 2 - 2)/2) + 1 = 4
  assert.deepEqual(conv.forward(zeros([2, 3, 7, 6])).shape, [2, 4, 4, 4]);
});

Deno.test("Conv2d: forward equals a hand-computed cross-correlation", () => {
  const conv = new Conv2d(1, 1, 2, { rng: new Rng(10) });
  conv.weight.assign(tensor([[[[1, 2], [3, 4]]]]));
  conv.bias!.assign(tensor([10]));
  const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  // top-left window: 1·1 + 2·2 + 4·3 + 5·4 = 37, plus the bias
  assert.deepEqual(conv.forward(x).arraySync(), [[[[47, 57], [77, 87]]]]);
});

Deno.test("Conv2d: gradcheck of input, weight and bias (stride 2, padding 1)", () => {
  const conv = new Conv2d(2, 3, 3, { stride: 2, padding: 1, rng: new Rng(11), dtype: "float64" });
  conv.bias!.assign(normal([3], 0, 1, { ...f64, rng: new Rng(12) }));
  const x = normal([1, 2, 5, 5], 0, 1, { ...f64, rng: new Rng(13) });
  gradcheck(
    (x, w, b) => {
      conv.weight = w;
      conv.bias = b;
      return conv.forward(x);
    },
    [x, conv.weight, conv.bias!],
    { names: ["x", "weight", "bias"] },
  );
});

Deno.test("pooling layers: values, default stride, describe", () => {
  const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
  assert.deepEqual(new MaxPool2d(2).forward(x).arraySync(), [[[[6, 8], [14, 16]]]]);
  assert.deepEqual(new AvgPool2d(2).forward(x).arraySync(), [[[[3.5, 5.5], [11.5, 13.5]]]]);
  assert.deepEqual(new MaxPool2d(3, { stride: 1 }).forward(x).arraySync(), [[[[11, 12], [
    15,
    16,
  ]]]]);
  assert.equal(new MaxPool2d(2).describe(), "MaxPool2d(2)");
  assert.equal(
    new AvgPool2d(3, { stride: 2, padding: 1 }).describe(),
    "AvgPool2d(3, stride=2, padding=1)",
  );
  assert.equal(new MaxPool2d(2).parameterCount(), 0);
  assert.throws(() => new MaxPool2d(2, { padding: 2 }), /padding/);
});

Deno.test("Flatten: merges every axis after the batch axis", () => {
  assert.deepEqual(new Flatten().forward(zeros([4, 16, 5, 5])).shape, [4, 400]);
  assert.deepEqual(new Flatten(0).forward(zeros([2, 3])).shape, [6]);
  assert.equal(new Flatten().describe(), "Flatten()");
  assert.throws(() => new Flatten().forward(zeros([5])), /Flatten\(\): input \[5\] does not fit/);
});

Deno.test("Dropout: evaluation mode is the identity", () => {
  const drop = new Dropout(0.5, { rng: new Rng(14) }).eval();
  const x = normal([10, 10], 0, 1, { rng: new Rng(15) });
  assert.equal(drop.forward(x), x);
});

Deno.test("Dropout: training zeroes about p of the entries and scales the rest by 1/(1-p)", () => {
  const p = 0.3, n = 20000;
  const y = new Dropout(p, { rng: new Rng(16) }).forward(ones([100, 200])).dataSync();
  const zerosCount = y.filter((v) => v === 0).length;
  const sd = Math.sqrt(n * p * (1 - p)); // binomial standard deviation, about 65
  assert.ok(Math.abs(zerosCount - n * p) < 5 * sd, `${zerosCount} zeros of ${n}`);
  for (const v of y) if (v !== 0) assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-6, `kept value ${v}`);
});

Deno.test("Dropout: same seed, same mask; the gradient is the mask", () => {
  const x1 = normal([8, 8], 0, 1, { rng: new Rng(17), requiresGrad: true });
  const a = new Dropout(0.5, { rng: new Rng(18) }).forward(x1);
  const b = new Dropout(0.5, { rng: new Rng(18) }).forward(x1);
  assert.deepEqual(a.dataSync(), b.dataSync());
  const c = new Dropout(0.5, { rng: new Rng(19) }).forward(x1);
  assert.notDeepEqual(a.dataSync(), c.dataSync());
  a.sum().backward();
  const kept = a.dataSync().map((v) => (v !== 0 ? 2 : 0));
  assert.deepEqual(Array.from(x1.grad!.dataSync()), Array.from(kept));
});

Deno.test("Dropout: p = 0 and p = 1, bad p, and Sequential.eval() reaching it", () => {
  const x = ones([4]);
  assert.equal(new Dropout(0).forward(x), x);
  assert.deepEqual(new Dropout(1).forward(x).arraySync(), [0, 0, 0, 0]);
  assert.throws(() => new Dropout(1.5), /\[0, 1\]/);
  const drop = new Dropout(0.9, { rng: new Rng(20) });
  const model = new Sequential(new Linear(4, 4, { rng: new Rng(21) }), drop);
  model.eval();
  assert.equal(drop.training, false);
  model.train();
  assert.equal(drop.training, true);
  assert.equal(drop.describe(), "Dropout(p=0.9)");
});

Deno.test("Sequential: at, length, append, iteration, named parameters", () => {
  const rng = new Rng(22);
  const model = new Sequential(new Linear(2, 3, { rng }), new ReLU());
  assert.equal(model.length, 2);
  assert.equal(model.at(-1).describe(), "ReLU()");
  assert.throws(() => model.at(5), /there are 2 layers/);
  model.append(new Linear(3, 1, { rng }));
  assert.equal(model.length, 3);
  assert.deepEqual([...model].map((l) => l.describe()), [
    "Linear(2 → 3)",
    "ReLU()",
    "Linear(3 → 1)",
  ]);
  assert.deepEqual(model.namedParameters().map(([n]) => n), [
    "0.weight",
    "0.bias",
    "2.weight",
    "2.bias",
  ]);
  assert.deepEqual(model.forward(zeros([5, 2])).shape, [5, 1]);
  assert.throws(
    () => new Sequential(new ReLU(), ((x: Tensor) => x) as unknown as Module),
    /argument 1/,
  );
});

Deno.test("Sequential inside a custom module: dotted names", () => {
  class Net extends Module {
    features = new Sequential(new Linear(2, 2, { rng: new Rng(23) }), new ReLU());
    head = new Linear(2, 1, { rng: new Rng(24) });
    forward(x: Tensor) {
      return this.head.forward(this.features.forward(x));
    }
  }
  assert.deepEqual(new Net().namedParameters().map(([n]) => n), [
    "features.0.weight",
    "features.0.bias",
    "head.weight",
    "head.bias",
  ]);
});

Deno.test("errors: a Linear fed images names both shapes and suggests Flatten()", () => {
  const fc = new Linear(784, 10, { rng: new Rng(25) });
  assert.throws(
    () => fc.forward(zeros([32, 28, 28])),
    {
      message:
        "Linear(784 → 10): input [32, 28, 28] does not fit: expected [batch, 784] — add Flatten() before it",
    },
  );
  assert.throws(
    () => fc.forward(zeros([32, 100])),
    /Linear\(784 → 10\): input \[32, 100\] does not fit: expected \[batch, 784\]/,
  );
  assert.throws(() => fc.forward(zeros([2, 3, 5, 5])), /it would give 75 features, not 784/);
});

Deno.test("errors: Conv2d with the wrong channels names both shapes", () => {
  const conv = new Conv2d(1, 6, 5, { padding: 2, rng: new Rng(26) });
  assert.throws(
    () => conv.forward(zeros([2, 3, 28, 28])),
    /Conv2d\(1 → 6, 5x5, padding=2\): input \[2, 3, 28, 28\] does not fit: expected \[batch, 1, height, width\] \(it has 3 channels, the layer expects 1\)/,
  );
  assert.throws(
    () => conv.forward(zeros([2, 784])),
    /input \[2, 784\] does not fit: .*x\.reshape\(\[-1, 1, 28, 28\]\)/,
  );
  // An op's own error gets the layer's name in front.
  assert.throws(
    () => new Conv2d(1, 1, 5, { rng: new Rng(27) }).forward(zeros([1, 1, 3, 3])),
    /^Error: Conv2d\(1 → 1, 5x5\): conv2d: kernel 5x5 is larger/,
  );
  assert.throws(() => new MaxPool2d(2).forward(zeros([4, 4])), /MaxPool2d\(2\): input \[4, 4\]/);
});

Deno.test("errors: Sequential names the failing layer's index", () => {
  const model = new Sequential(
    new Conv2d(1, 2, 3, { rng: new Rng(28) }),
    new Flatten(),
    new Linear(100, 10, { rng: new Rng(29) }),
  );
  assert.throws(
    () => model.forward(zeros([4, 1, 8, 8])),
    /Sequential layer 2: Linear\(100 → 10\): input \[4, 72\] does not fit: expected \[batch, 100\]/,
  );
});

Deno.test("errors: bad sizes and an initializer returning the wrong shape", () => {
  assert.throws(() => new Linear(0, 3), /inFeatures must be a positive integer/);
  assert.throws(() => new Conv2d(1, 2, 3, { padding: -1 }), /padding/);
  const bad: Initializer = () => zeros([1]);
  assert.throws(
    () => new Linear(2, 3, { init: bad }),
    /returned shape \[1\] for a weight of shape \[3, 2\]/,
  );
});

Deno.test("resetParameters: new values, same tensors", () => {
  const fc = new Linear(5, 4, { rng: new Rng(30) });
  const w = fc.weight, before = Array.from(w.dataSync());
  fc.bias!.assign(ones([4]));
  fc.resetParameters(new Rng(31));
  assert.equal(fc.weight, w);
  assert.notDeepEqual(Array.from(w.dataSync()), before);
  assert.deepEqual(fc.bias!.arraySync(), [0, 0, 0, 0]);
  fc.resetParameters(new Rng(30));
  assert.deepEqual(Array.from(w.dataSync()), before);
  const conv = new Conv2d(2, 3, 3, { rng: new Rng(32) });
  const cw = Array.from(conv.weight.dataSync());
  conv.resetParameters(new Rng(32));
  assert.deepEqual(Array.from(conv.weight.dataSync()), cw);
});
