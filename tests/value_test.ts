// Tests for the scalar autograd engine against the lectures' worked numbers.
// Lecture 004 (computational graphs): "Backpropagation: a simple example",
// the sigmoid-neuron "Another example" with its flat backprop code, and the
// gate slides (add: gradient distributor, mul: "swap multiplier", copy:
// gradient adder, max: gradient router).
// Lecture 003 (backpropagation): the two-hidden-unit forward/back-propagation
// exercise with E = ½ Σ (z_k − t_k)².

import assert from "node:assert/strict";
import { Value, valueGraph } from "../lib/value.ts";

function close(actual: number, expected: number, tol: number, what = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected} ± ${tol}, got ${actual}`,
  );
}

const sigma = (x: number) => 1 / (1 + Math.exp(-x));
const dsigma = (x: number) => sigma(x) * (1 - sigma(x));

// ------------------------------------------------ lecture 004: (x + y)z --

Deno.test("004 simple example: f(x,y,z) = (x+y)z at x=-2, y=5, z=-4", () => {
  const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
  const q = x.add(y); // q = x + y = 3, dq/dx = dq/dy = 1
  const f = q.mul(z); // f = qz, df/dq = z, df/dz = q
  f.backward();
  assert.equal(q.data, 3);
  assert.equal(f.data, -12);
  assert.equal(f.grad, 1);
  assert.equal(q.grad, -4); // df/dq = z
  assert.equal(z.grad, 3); //  df/dz = q
  assert.equal(x.grad, -4); // df/dx = df/dq · dq/dx
  assert.equal(y.grad, -4);
});

// ------------------------------------ lecture 004: the sigmoid neuron --

/** The lecture's flat forward pass, as a graph: s0..s3 and L. */
function sigmoidNeuron(sigmoid: (s3: Value) => Value) {
  const w0 = new Value(2, "w0"), x0 = new Value(-1, "x0");
  const w1 = new Value(-3, "w1"), x1 = new Value(-2, "x1");
  const w2 = new Value(-3, "w2");
  const s0 = w0.mul(x0);
  const s1 = w1.mul(x1);
  const s2 = s0.add(s1);
  const s3 = s2.add(w2);
  const L = sigmoid(s3);
  L.backward();
  return { w0, x0, w1, x1, w2, s0, s1, s2, s3, L };
}

function checkNeuron(n: ReturnType<typeof sigmoidNeuron>): void {
  assert.equal(n.s3.data, 1); // 2·(-1) + (-3)·(-2) + (-3)
  close(n.L.data, 0.73, 1e-2, "L");
  close(n.w0.grad, -0.20, 1e-2, "w0");
  close(n.x0.grad, 0.39, 1e-2, "x0");
  close(n.w1.grad, -0.39, 1e-2, "w1");
  close(n.x1.grad, -0.59, 1e-2, "x1");
  close(n.w2.grad, 0.20, 1e-2, "w2");
  // Exact values: grad_s3 = σ'(1), and the mul gates swap.
  const g = dsigma(1);
  close(n.L.data, sigma(1), 1e-12, "L exact");
  close(n.s3.grad, g, 1e-12, "s3 exact");
  close(n.w0.grad, g * -1, 1e-12, "w0 exact");
  close(n.x0.grad, g * 2, 1e-12, "x0 exact");
  close(n.w1.grad, g * -2, 1e-12, "w1 exact");
  close(n.x1.grad, g * -3, 1e-12, "x1 exact");
  close(n.w2.grad, g, 1e-12, "w2 exact");
}

Deno.test("004 sigmoid neuron with a sigmoid gate: f≈0.73 and the slide's gradients", () => {
  checkNeuron(sigmoidNeuron((s3) => s3.sigmoid()));
});

Deno.test("004 sigmoid neuron as the primitive circuit 1/(1+exp(-x)) gives the same numbers", () => {
  // *-1, exp, +1, 1/x: the gates drawn on the lecture's circuit.
  const circuit = (s3: Value) => s3.mul(-1).exp().add(1).pow(-1);
  const n = sigmoidNeuron(circuit);
  checkNeuron(n);
  const ops = valueGraph(n.L).nodes.map((v) => v.op).filter((op) => op !== "");
  assert.deepEqual(ops, ["mul", "mul", "add", "add", "mul", "exp", "add", "pow(-1)"]);
  const gate = sigmoidNeuron((s3) => s3.sigmoid());
  for (const k of ["w0", "x0", "w1", "x1", "w2", "s3"] as const) {
    close(n[k].grad, gate[k].grad, 1e-12, k);
  }
});

Deno.test("004 flat backprop code: grad_s3 = grad_L * (1 - L) * L, then the add and mul gates", () => {
  const n = sigmoidNeuron((s3) => s3.sigmoid());
  const L = n.L.data;
  const gradS3 = 1.0 * (1 - L) * L;
  close(n.s3.grad, gradS3, 1e-15, "grad_s3");
  assert.equal(n.w2.grad, gradS3); // grad_w2 = grad_s3
  assert.equal(n.s2.grad, gradS3); // grad_s2 = grad_s3
  assert.equal(n.s0.grad, gradS3); // grad_s0 = grad_s2
  assert.equal(n.s1.grad, gradS3); // grad_s1 = grad_s2
  assert.equal(n.w1.grad, gradS3 * n.x1.data); // grad_w1 = grad_s1 * x1
  assert.equal(n.x1.grad, gradS3 * n.w1.data); // grad_x1 = grad_s1 * w1
  assert.equal(n.w0.grad, gradS3 * n.x0.data); // grad_w0 = grad_s0 * x0
  assert.equal(n.x0.grad, gradS3 * n.w0.data); // grad_x0 = grad_s0 * w0
  // The flat-code slide prints 0.40 / -0.40 / -0.60: grad_s3 rounded to
  // 0.20 first, then multiplied. Unrounded they are 0.39 / -0.39 / -0.59.
  assert.equal(gradS3.toFixed(2), "0.20");
  assert.equal(n.x0.grad.toFixed(2), "0.39");
  assert.equal(n.x1.grad.toFixed(2), "-0.59");
});

Deno.test("sigmoid derivative: σ'(x) = σ(x)(1 - σ(x))", () => {
  for (const x of [-30, -4, -1, -0.5, 0, 0.25, 1, 3, 30]) {
    const v = new Value(x);
    const s = v.sigmoid();
    s.backward();
    close(s.data, sigma(x), 1e-15, `σ(${x})`);
    close(v.grad, s.data * (1 - s.data), 1e-15, `σ'(${x})`);
  }
  // Large |x| must not overflow to NaN.
  assert.equal(new Value(-1000).sigmoid().data, 0);
  assert.equal(new Value(1000).sigmoid().data, 1);
});

// ----------------------------- lecture 003: two-hidden-unit exercise --

/**
 * y1 = σ(0.5x + 1), y2 = σ(1.0·x + 0.5), u = 0.5y1 + 0.5y2 + 0.25, z = σ(u).
 * `w` is the weight connecting x and y2 (1.0 in the exercise).
 */
function exerciseNet(x: number) {
  const xv = new Value(x, "x");
  const w = new Value(1.0, "w");
  const u1 = xv.mul(0.5).add(1);
  const u2 = w.mul(xv).add(0.5);
  const y1 = u1.sigmoid();
  const y2 = u2.sigmoid();
  const u = y1.mul(0.5).add(y2.mul(0.5)).add(0.25);
  const z = u.sigmoid();
  return { xv, w, u1, u2, y1, y2, u, z };
}

Deno.test("003 exercise forward: z = σ(0.5σ(0.5x+1) + 0.5σ(x+0.5) + 0.25)", () => {
  for (const x of [-3, -1, 0, 0.5, 2]) {
    const { y1, y2, z } = exerciseNet(x);
    close(y1.data, sigma(0.5 * x + 1), 1e-15, "y1");
    close(y2.data, sigma(x + 0.5), 1e-15, "y2");
    close(z.data, sigma(0.5 * sigma(0.5 * x + 1) + 0.5 * sigma(x + 0.5) + 0.25), 1e-15, "z");
  }
});

Deno.test("003 exercise backward: dE/dw = (z - t)·σ'(u)·0.5·σ'(u2)·x with E = ½(z - t)², t = 1", () => {
  for (const x of [-3, -1, -0.25, 0.5, 1, 2.5]) {
    const { xv, w, u, u2, z } = exerciseNet(x);
    const E = z.sub(1).pow(2).mul(0.5); // E = ½ (z − t)², target t = 1
    E.backward();
    const expected = (z.data - 1) * dsigma(u.data) * 0.5 * dsigma(u2.data) * x;
    close(w.grad, expected, 1e-14, `dE/dw at x=${x}`);
    assert.equal(z.grad, z.data - 1); // "error in output z" = z − t
    close(u.grad, (z.data - 1) * dsigma(u.data), 1e-15, "error in u");
    assert.equal(xv.data, x);
  }
});

Deno.test("003 exercise as on the slide: error in z is 0.9 - 1 = -0.1", () => {
  // The slide supposes z = 0.9 (the network's real z is about 0.6) so the
  // error in z is -0.1. Seeding dE/dz = -0.1 (E' = -0.1·z) reproduces the
  // slide's formula -0.1 × σ'(u) × 0.5 × σ'(u2) × x for every x.
  for (const x of [-2, 0.5, 1, 3]) {
    const { w, u, u2, z } = exerciseNet(x);
    const Eprime = z.mul(-0.1);
    Eprime.backward();
    const slide = -0.1 * dsigma(u.data) * 0.5 * dsigma(u2.data) * x;
    close(w.grad, slide, 1e-15, `x=${x}`);
  }
});

// --------------------------------- lecture 004: patterns in gradient flow --

Deno.test("004 gates: add distributes, mul swaps, max routes, copy adds", () => {
  // 2·(x·y + max(z, w)) with upstream gradient 2 into every gate. (The
  // transcript only names the gates; these input values are our own.)
  const x = new Value(3), y = new Value(-4), z = new Value(2), w = new Value(-1);
  const a = x.mul(y);
  const m = z.max(w);
  const s = a.add(m);
  const f = s.mul(2);
  f.backward();
  assert.equal(f.data, -20);
  assert.equal(s.grad, 2);
  assert.equal(a.grad, 2); // add gate: both inputs get the upstream gradient
  assert.equal(m.grad, 2);
  assert.equal(x.grad, -8); // mul gate: upstream × the other input (y = -4)
  assert.equal(y.grad, 6); //  upstream × x = 3
  assert.equal(z.grad, 2); // max gate: all of it to the larger input
  assert.equal(w.grad, 0); // and none to the other

  // Copy gate: a value used in two places gets the sum of both gradients.
  const c = new Value(1.5);
  const g = c.mul(3).add(c.mul(5));
  g.backward();
  assert.equal(c.grad, 8);
  const h = new Value(7);
  const sq = h.mul(h); // x·x → 2x
  sq.backward();
  assert.equal(h.grad, 14);
  const k = new Value(2);
  const twice = k.add(k);
  twice.backward();
  assert.equal(k.grad, 2);
});

Deno.test("max: routes to the larger input, the first on a tie, either side", () => {
  const a = new Value(1), b = new Value(4);
  const m = a.max(b);
  m.backward();
  assert.deepEqual([m.data, a.grad, b.grad], [4, 0, 1]);
  const p = new Value(3), q = new Value(3);
  const t = p.max(q);
  t.backward();
  assert.deepEqual([t.data, p.grad, q.grad], [3, 1, 0]);
  const r = new Value(-2);
  const withNumber = r.max(0); // relu written as a max gate
  withNumber.backward();
  assert.deepEqual([withNumber.data, r.grad], [0, 0]);
  assert.ok(Number.isNaN(new Value(NaN).max(1).data));
  assert.ok(Number.isNaN(new Value(1).max(NaN).data));
});

// ---------------------------------------------------------- engine mechanics --

Deno.test("backward on a 100,000-node chain does not overflow the stack", () => {
  const x = new Value(0.5, "x");
  let v = x;
  for (let i = 0; i < 100_000; i++) v = v.add(1);
  v.backward();
  assert.equal(x.grad, 1);
  close(v.data, 100_000.5, 1e-9, "data");
  const g = valueGraph(v);
  assert.equal(g.nodes.length, 200_001); // x, then a constant 1 and a sum per step
  assert.equal(g.edges.length, 200_000);
  v.zeroGrad();
  assert.equal(x.grad, 0);

  // A deep chain of mul gates: d(x·c^n)/dx = c^n by the chain rule.
  const t0 = new Value(0.1);
  let t = t0;
  for (let i = 0; i < 100_000; i++) t = t.mul(1.00001);
  t.backward();
  close(t0.grad, 1.00001 ** 100_000, 1e-9, "product chain");
});

Deno.test("gradients accumulate across backward calls; zeroGrad resets the whole graph", () => {
  const x = new Value(-2), y = new Value(5), z = new Value(-4);
  const q = x.add(y);
  const f = q.mul(z);
  f.backward();
  f.backward();
  // Every node gets exactly twice its gradient (interior nodes included,
  // and stale interior gradients are not pushed down a second time).
  assert.deepEqual([f.grad, q.grad, x.grad, y.grad, z.grad], [2, -8, -8, -8, 6]);
  f.zeroGrad();
  assert.deepEqual([f.grad, q.grad, x.grad, y.grad, z.grad], [0, 0, 0, 0, 0]);
  f.backward();
  assert.deepEqual([f.grad, q.grad, x.grad, y.grad, z.grad], [1, -4, -4, -4, 3]);

  // Two outputs sharing a subgraph: leaves receive the sum of both.
  f.zeroGrad();
  const g = q.mul(q); // dg/dx = 2q = 6
  f.backward();
  g.backward();
  assert.equal(x.grad, -4 + 6);
  assert.equal(z.grad, 3);
});

Deno.test("valueGraph: nodes in topological order, input→output edges, backwardDone flag", () => {
  const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
  const q = x.add(y);
  q.label = "q";
  const f = q.mul(z);
  f.label = "f";

  const before = valueGraph(f);
  assert.equal(before.backwardDone, false);
  assert.equal(before.nodes.length, 5);
  assert.deepEqual(before.nodes, [
    { id: 0, label: "x", op: "", data: -2, grad: 0 },
    { id: 1, label: "y", op: "", data: 5, grad: 0 },
    { id: 2, label: "q", op: "add", data: 3, grad: 0 },
    { id: 3, label: "z", op: "", data: -4, grad: 0 },
    { id: 4, label: "f", op: "mul", data: -12, grad: 0 },
  ]);
  assert.deepEqual(before.edges, [
    { from: 0, to: 2 },
    { from: 1, to: 2 },
    { from: 2, to: 4 },
    { from: 3, to: 4 },
  ]);
  // Topological: every edge goes forward.
  for (const e of before.edges) assert.ok(e.from < e.to);

  f.backward();
  const after = valueGraph(f);
  assert.equal(after.backwardDone, true);
  assert.deepEqual(after.nodes.map((n) => n.grad), [-4, -4, -4, 3, 1]);
  assert.equal(valueGraph(q).backwardDone, false); // backward ran on f, not on q
  f.zeroGrad();
  assert.equal(valueGraph(f).backwardDone, false);

  // A reused value: one edge per operand, and no label key when unlabelled.
  const a = new Value(3);
  const g = valueGraph(a.mul(a));
  assert.equal(g.nodes.length, 2);
  assert.deepEqual(g.edges, [{ from: 0, to: 1 }, { from: 0, to: 1 }]);
  assert.equal("label" in g.nodes[0], false);
});

Deno.test("toString, Value.from, op names and children", () => {
  const s = new Value(1).sigmoid();
  s.backward();
  assert.equal(s.toString(2), "Value(data=0.73, grad=1)");
  assert.equal(s.toString(), `Value(data=${sigma(1)}, grad=1)`);
  assert.equal(`${new Value(-12)}`, "Value(data=-12, grad=0)");
  const v = new Value(2);
  assert.equal(Value.from(v), v);
  assert.ok(Value.from(3) instanceof Value);
  assert.equal(v.pow(3).op, "pow(3)");
  assert.equal(v.sub(1).op, "add");
  assert.equal(v.neg().op, "mul");
  assert.equal(v.div(2).op, "mul");
  assert.deepEqual(
    [v.exp().op, v.log().op, v.tanh().op, v.sigmoid().op, v.relu().op, v.max(1).op],
    ["exp", "log", "tanh", "sigmoid", "relu", "max"],
  );
  assert.equal(v.add(1).children[0], v);
  assert.equal(v.children.length, 0);
});

// ------------------------------------------------ finite-difference checks --

/**
 * Checks the engine's gradient of `f` at `xs` against central differences
 * (f(x+h) − f(x−h)) / 2h for every input.
 */
function gradCheck(f: (v: Value[]) => Value, xs: number[], name: string): void {
  const vs = xs.map((x) => new Value(x));
  const out = f(vs);
  out.backward();
  const h = 1e-5;
  const at = (ys: number[]) => f(ys.map((y) => new Value(y))).data;
  xs.forEach((x, i) => {
    const up = [...xs], down = [...xs];
    up[i] = x + h;
    down[i] = x - h;
    const numeric = (at(up) - at(down)) / (2 * h);
    const tol = 1e-6 * Math.max(1, Math.abs(numeric));
    close(vs[i].grad, numeric, tol, `${name} d/dx${i} at ${xs}`);
  });
}

Deno.test("every op's gradient matches central finite differences", () => {
  const pairs = [[1.3, -0.7], [-2.1, 0.4], [0.6, 2.5]];
  for (const p of pairs) {
    gradCheck(([a, b]) => a.add(b), p, "add");
    gradCheck(([a, b]) => a.sub(b), p, "sub");
    gradCheck(([a, b]) => a.mul(b), p, "mul");
    gradCheck(([a, b]) => a.div(b), p, "div");
    gradCheck(([a, b]) => a.max(b), p, "max");
    gradCheck(([a, b]) => b.max(a), p, "max swapped");
    gradCheck(([a, b]) => a.add(2).mul(b.sub(3)).div(a.mul(a).add(1)), p, "composite");
  }
  for (const x of [-1.7, -0.3, 0.45, 1.2, 2.8]) {
    gradCheck(([a]) => a.neg(), [x], "neg");
    gradCheck(([a]) => a.exp(), [x], "exp");
    gradCheck(([a]) => a.tanh(), [x], "tanh");
    gradCheck(([a]) => a.sigmoid(), [x], "sigmoid");
    gradCheck(([a]) => a.relu(), [x], "relu");
    gradCheck(([a]) => a.pow(2), [x], "pow 2");
    gradCheck(([a]) => a.pow(3), [x], "pow 3");
    gradCheck(([a]) => a.pow(-1), [x], "pow -1");
    gradCheck(([a]) => a.pow(-2), [x], "pow -2");
    gradCheck(([a]) => a.mul(a).tanh().add(a.sigmoid()), [x], "tanh(x²) + σ(x)");
  }
  for (const x of [0.2, 1, 3.7]) {
    gradCheck(([a]) => a.log(), [x], "log");
    gradCheck(([a]) => a.pow(0.5), [x], "pow 0.5");
    gradCheck(([a]) => a.pow(1.5), [x], "pow 1.5");
  }
});

Deno.test("ops accept plain numbers and do not modify their inputs", () => {
  const a = new Value(4);
  assert.equal(a.add(1).data, 5);
  assert.equal(a.sub(1).data, 3);
  assert.equal(a.mul(2).data, 8);
  assert.equal(a.div(8).data, 0.5);
  assert.equal(a.max(10).data, 10);
  assert.equal(a.data, 4);
  assert.equal(a.grad, 0);
  const r = new Value(0);
  const y = r.relu();
  y.backward();
  assert.equal(r.grad, 0); // relu'(0) = 0
});
