// Rosenblatt's perceptron: convergence on separable data, Novikoff's bound,
// no convergence on XOR.
import assert from "node:assert/strict";
import { Rng, type Tensor, tensor } from "../../mod.ts";
import { trainPerceptron } from "../../lib/train/perceptron.ts";
import { blobs, xor } from "../../datasets/synthetic.ts";

/** Inputs `[n, 2]` and ±1 labels `[n]` from a 0/1 two-class dataset. */
function signed(d: { x: Float64Array; y: Int32Array; n: number }): [Tensor, Tensor] {
  return [
    tensor(d.x, { shape: [d.n, 2], dtype: "float64" }),
    tensor(Array.from(d.y, (v) => 2 * v - 1), { dtype: "float64" }),
  ];
}

/** sign(w·x + b) for every row. */
function predict(x: Tensor, w: Tensor, b: Tensor): number[] {
  const scores = x.matmul(w.reshape([w.size, 1])).reshape([x.shape[0]]).add(b);
  return Array.from(scores.dataSync(), (s) => (s > 0 ? 1 : -1));
}

Deno.test("perceptron converges in finitely many updates on linearly separable blobs", () => {
  // Close blobs away from the origin: it takes several epochs, and a bias.
  const [x, y] = signed(blobs({ n: 120, centers: [[-1.2, 1], [1.2, 1.5]], std: 0.4, seed: 3 }));
  const r = trainPerceptron(x, y, { maxEpochs: 100 });
  assert.ok(r.converged, `not converged: mistakes per epoch ${r.mistakesPerEpoch}`);
  assert.equal(r.mistakesPerEpoch.at(-1), 0);
  assert.equal(r.epochs, r.mistakesPerEpoch.length);
  assert.ok(r.epochs > 3 && r.epochs < 100, `${r.epochs} epochs`);
  assert.equal(r.updates, r.mistakesPerEpoch.reduce((a, b) => a + b, 0));
  assert.ok(r.b.itemSync() !== 0);
  assert.deepEqual(predict(x, r.w, r.b), Array.from(y.dataSync()));
  assert.equal(r.w.dtype, "float64");
  assert.deepEqual(r.w.shape, [2]);
  assert.deepEqual(r.b.shape, []);
});

Deno.test("perceptron never converges on XOR", () => {
  const [x, y] = signed(xor({ n: 40, std: 0.2, seed: 1 }));
  const r = trainPerceptron(x, y, { maxEpochs: 15 });
  assert.equal(r.converged, false);
  assert.equal(r.epochs, 15);
  assert.ok(r.mistakesPerEpoch.every((m) => m > 0));
});

Deno.test("number of updates ≤ (R/γ)² (Novikoff) on a margin example; lr does not matter", () => {
  // Points at distance ≥ 0.3 from the line u·x = 0 through the origin, u a unit vector.
  const u = [0.6, 0.8];
  const rng = new Rng(5);
  const xs: number[] = [], ys: number[] = [];
  while (ys.length < 80) {
    const p = [4 * rng.uniform() - 2, 4 * rng.uniform() - 2];
    const s = u[0] * p[0] + u[1] * p[1];
    if (Math.abs(s) < 0.3) continue;
    xs.push(...p), ys.push(Math.sign(s));
  }
  const x = tensor(xs, { shape: [80, 2], dtype: "float64" }), y = tensor(ys, { dtype: "float64" });
  let radius = 0, margin = Infinity;
  for (let i = 0; i < 80; i++) {
    radius = Math.max(radius, Math.hypot(xs[2 * i], xs[2 * i + 1]));
    margin = Math.min(margin, ys[i] * (u[0] * xs[2 * i] + u[1] * xs[2 * i + 1]));
  }
  const bound = (radius / margin) ** 2;
  const r = trainPerceptron(x, y, { maxEpochs: 1000, bias: false });
  assert.ok(r.converged);
  assert.ok(r.updates <= bound, `${r.updates} updates > (R/γ)² = ${bound}`);
  assert.deepEqual(r.b.arraySync(), 0);
  assert.deepEqual(predict(x, r.w, r.b), ys);

  // Starting from w = 0, η only scales w: same mistakes, w scaled by η.
  const small = trainPerceptron(x, y, { maxEpochs: 1000, bias: false, lr: 0.25 });
  assert.equal(small.updates, r.updates);
  assert.deepEqual(small.mistakesPerEpoch, r.mistakesPerEpoch);
  const [w0, w1] = r.w.dataSync(), [s0, s1] = small.w.dataSync();
  assert.ok(Math.abs(s0 - 0.25 * w0) < 1e-12 && Math.abs(s1 - 0.25 * w1) < 1e-12);
});

Deno.test("perceptron: one update by hand (w ← w + ηyx, b ← b + ηy)", () => {
  // The first point is a mistake (w = 0 gives score 0), the second is then right.
  const x = tensor([[1, 2], [2, 3]]), y = tensor([1, 1]);
  const r = trainPerceptron(x, y, { lr: 0.5 });
  assert.deepEqual(r.w.arraySync(), [0.5, 1]);
  assert.equal(r.b.itemSync(), 0.5);
  assert.deepEqual(r.mistakesPerEpoch, [1, 0]);
  assert.equal(r.converged, true);
});

Deno.test("perceptron: input errors", () => {
  const x = tensor([[1, 2], [2, 3]]);
  assert.throws(() => trainPerceptron(x, tensor([0, 1])), /y\[0\] is 0.*-1 or \+1/);
  assert.throws(() => trainPerceptron(x, tensor([1, 1, -1])), /\[2, 2\].*\[3\]/);
  assert.throws(() => trainPerceptron(tensor([1, 2]), tensor([1, 1])), /\[N, D\]/);
  assert.throws(() => trainPerceptron(x, tensor([1, -1]), { maxEpochs: 0 }), /maxEpochs/);
  assert.throws(() => trainPerceptron(x, tensor([1, -1]), { lr: 0 }), /lr/);
});
