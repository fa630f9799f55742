// Activations: the lectures' formulas at sample points, gradient checks of
// every differentiable activation (float64), the zero gradients of step and
// sign, ramp's corners, and Maxout against a hand computation.
import assert from "node:assert/strict";
import { gradcheck, normal, Rng, type Tensor, tensor } from "../../mod.ts";
import {
  ELU,
  Gaussian,
  gaussian,
  heaviside,
  LeakyReLU,
  LogSoftmax,
  Maxout,
  parametricSigmoid,
  Ramp,
  ramp,
  ReLU,
  Sigmoid,
  Sign,
  Softmax,
  Softplus,
  Step,
  Tanh,
} from "../../lib/nn/activations.ts";
import type { Module } from "../../lib/nn/module.ts";

const f64 = { dtype: "float64" } as const;
const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

/** Sample points, none within 0.05 of 0 or of ±1 (kinks of relu, ramp, ...). */
const POINTS = [-2.5, -1.3, -0.7, -0.2, 0.15, 0.6, 1.4, 3.1];

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

Deno.test("step (heaviside): a below c, b above, b at c; the perceptron's ±1", () => {
  const v = tensor([-3, 0.99, 1, 1.01, 5], f64);
  assert.deepEqual(values(heaviside(v, { a: 2, b: 7, c: 1 })), [2, 2, 7, 7, 7]);
  assert.deepEqual(values(heaviside(tensor([-1, 0, 1]), { a: -1, b: 1 })), [-1, 1, 1]);
  assert.deepEqual(values(new Step().forward(tensor([-1, 0, 2]))), [0, 1, 1]);
});

Deno.test("ramp: the lecture's formula at the corners, the middle and outside", () => {
  const opts = { a: -1, b: 3, c: 1, d: 3 };
  const phi = (v: number) =>
    v < opts.c ? opts.a : v > opts.d ? opts.b : opts.a +
      ((v - opts.c) * (opts.b - opts.a)) / (opts.d - opts.c);
  const vs = [-10, 0, 1, 1.5, 2, 2.75, 3, 4];
  const got = values(ramp(tensor(vs, f64), opts));
  vs.forEach((v, i) => close(got[i], phi(v)));
  assert.deepEqual(got.slice(2, 5), [-1, 0, 1]); // corner c, inside, middle
  assert.equal(got[6], 3); // corner d
  assert.deepEqual(values(new Ramp().forward(tensor([-1, 0.5, 2]))), [0, 0.5, 1]);
  assert.throws(() => ramp(tensor([1]), { c: 2, d: 2 }), /d must be above c/);
  assert.throws(() => new Ramp({ c: 1, d: 0 }), /d must be above c/);
});

Deno.test("ramp: gradient is the slope inside, 0 outside, half the slope at the corners", () => {
  const v = tensor([0, 1, 2, 3, 4], { ...f64, requiresGrad: true });
  ramp(v, { a: -1, b: 3, c: 1, d: 3 }).sum().backward();
  assert.deepEqual(values(v.grad!), [0, 1, 2, 1, 0]); // slope (b - a)/(d - c) = 2
});

Deno.test("parametric sigmoid: z + 1/(1 + exp(-x v + y)) with z=0.5, x=2, y=1", () => {
  const [z, x, y] = [0.5, 2, 1];
  const got = values(parametricSigmoid(tensor(POINTS, f64), { z, x, y }));
  POINTS.forEach((v, i) => close(got[i], z + 1 / (1 + Math.exp(-x * v + y))));
  // The layer: same numbers; defaults give the standard logistic.
  assert.deepEqual(values(new Sigmoid({ z, x, y }).forward(tensor(POINTS, f64))), got);
  const std = values(new Sigmoid().forward(tensor(POINTS, f64)));
  POINTS.forEach((v, i) => close(std[i], 1 / (1 + Math.exp(-v))));
});

Deno.test("gaussian: the lecture's density; peak 1/(√(2π)σ) at μ", () => {
  const [mu, sigma] = [0.5, 0.8];
  const got = values(gaussian(tensor(POINTS, f64), { mu, sigma }));
  POINTS.forEach((v, i) =>
    close(
      got[i],
      Math.exp(-0.5 * ((v - mu) / sigma) ** 2) / (Math.sqrt(2 * Math.PI) * sigma),
    )
  );
  close(
    gaussian(tensor([mu], f64), { mu, sigma }).itemSync(),
    1 / (Math.sqrt(2 * Math.PI) * sigma),
  );
  close(new Gaussian().forward(tensor([0], f64)).itemSync(), 1 / Math.sqrt(2 * Math.PI));
  assert.throws(() => gaussian(tensor([0]), { sigma: 0 }), /sigma must be positive/);
});

Deno.test("the other layers match their formulas", () => {
  const x = tensor(POINTS, f64);
  const cases: [Module, (v: number) => number][] = [
    [new Sign(), Math.sign],
    [new Tanh(), Math.tanh],
    [new ReLU(), (v) => Math.max(0, v)],
    [new LeakyReLU(0.1), (v) => Math.max(0.1 * v, v)], // the lecture's max(0.1x, x)
    [new ELU(1.5), (v) => (v > 0 ? v : 1.5 * (Math.exp(v) - 1))],
    [new Softplus(), (v) => Math.log(1 + Math.exp(v))],
  ];
  for (const [layer, f] of cases) {
    const got = values(layer.forward(x));
    POINTS.forEach((v, i) => close(got[i], f(v)));
    assert.equal(layer.parameterCount(), 0);
  }
  const rows = tensor([[1, 2, 3], [0, 0, 0]], f64);
  const sm = new Softmax().forward(rows).arraySync() as number[][];
  const e = [1, 2, 3].map(Math.exp), s = e.reduce((a, b) => a + b);
  sm[0].forEach((p, i) => close(p, e[i] / s));
  sm[1].forEach((p) => close(p, 1 / 3));
  const lsm = new LogSoftmax().forward(rows).arraySync() as number[][];
  lsm[0].forEach((p, i) => close(p, Math.log(e[i] / s)));
  const cols = new Softmax(0).forward(rows).arraySync() as number[][];
  close(cols[0][2], Math.exp(3) / (Math.exp(3) + 1));
});

Deno.test("step and sign: zero gradient everywhere, still connected to the graph", () => {
  for (const layer of [new Step({ a: -1, b: 1 }), new Sign()]) {
    const x = tensor([-2, -0.5, 0.5, 2], { ...f64, requiresGrad: true });
    layer.forward(x).sum().backward();
    // (−0 counts: heaviside's step(c − v) passes a negated zero back)
    assert.ok(values(x.grad!).every((g) => g === 0), layer.describe());
  }
});

Deno.test("gradcheck: every differentiable activation", () => {
  const layers: Module[] = [
    new Sigmoid(),
    new Sigmoid({ z: 0.5, x: 2, y: 1 }),
    new Tanh(),
    new ReLU(),
    new LeakyReLU(0.1),
    new ELU(),
    new ELU(0.7),
    new Softplus(),
    new Gaussian({ mu: 0.3, sigma: 0.9 }),
    new Ramp({ a: -1, b: 3, c: -1, d: 1 }),
    new Softmax(),
    new LogSoftmax(),
  ];
  const x = tensor(POINTS, f64).reshape([2, 4]);
  for (const layer of layers) {
    const report = gradcheck((x) => layer.forward(x), [x], { eps: 1e-6, throwOnFailure: false });
    assert.ok(report.ok, `${layer.describe()}: relative error ${report.maxRelError}`);
  }
  gradcheck((v) => parametricSigmoid(v, { z: -1, x: 3, y: 0.5 }), [x]);
  gradcheck((v) => gaussian(v, { mu: 1, sigma: 2 }), [x]);
  gradcheck((v) => ramp(v, { a: 2, b: -2, c: -3, d: 0 }), [x]);
});

Deno.test("Maxout: the max of each unit's pieces, by hand", () => {
  const m = new Maxout(2, 2, 3, { rng: new Rng(1) });
  assert.deepEqual(m.linear.weight.shape, [6, 2]);
  m.linear.weight.assign(tensor([[1, 0], [0, 1], [-1, -1], [2, 0], [0, 0], [1, 1]]));
  m.linear.bias!.assign(tensor([0, 0, 0, 0, 0.5, 0]));
  const x = tensor([[1, 2], [-3, 1]]);
  // unit 0: max(x0, x1, -x0-x1); unit 1: max(2x0, 0.5, x0+x1)
  assert.deepEqual(m.forward(x).arraySync(), [[2, 3], [2, 0.5]]);
  assert.deepEqual(m.forward(tensor([1, 2])).arraySync(), [2, 3]);
  assert.equal(m.describe(), "Maxout(2 → 2, pieces=3)");
  assert.equal(m.parameterCount(), 6 * 2 + 6);
});

Deno.test("Maxout: gradcheck of input, weight and bias; bad input names both shapes", () => {
  const m = new Maxout(3, 2, 2, { rng: new Rng(2), dtype: "float64" });
  m.linear.bias!.assign(normal([4], 0, 1, { ...f64, rng: new Rng(3) }));
  const x = normal([5, 3], 0, 1, { ...f64, rng: new Rng(4) });
  gradcheck(
    (x, w, b) => {
      m.linear.weight = w;
      m.linear.bias = b;
      return m.forward(x);
    },
    [x, m.linear.weight, m.linear.bias!],
  );
  assert.throws(
    () => m.forward(tensor([[1, 2]], f64)),
    /Maxout\(3 → 2, pieces=2\): input \[1, 2\] does not fit: expected \[batch, 3\]/,
  );
  assert.throws(() => new Maxout(3, 2, 0), /pieces must be a positive integer/);
});

Deno.test("describe: parameters shown only when not the default", () => {
  assert.deepEqual(
    [
      new Step(),
      new Step({ a: -1 }),
      new Sign(),
      new Ramp(),
      new Ramp({ d: 2 }),
      new Sigmoid(),
      new Sigmoid({ z: 0.5, x: 2, y: 1 }),
      new Tanh(),
      new ReLU(),
      new LeakyReLU(),
      new ELU(),
      new Softplus(),
      new Gaussian(),
      new Softmax(),
      new LogSoftmax(1),
    ].map((l) => l.toString()),
    [
      "Step()",
      "Step(a=-1)",
      "Sign()",
      "Ramp()",
      "Ramp(d=2)",
      "Sigmoid()",
      "Sigmoid(z=0.5, x=2, y=1)",
      "Tanh()",
      "ReLU()",
      "LeakyReLU(slope=0.01)",
      "ELU(alpha=1)",
      "Softplus()",
      "Gaussian(mu=0, sigma=1)",
      "Softmax(axis=-1)",
      "LogSoftmax(axis=1)",
    ],
  );
});
