// Optimizers, parameter groups, weight decay, schedules, gradient clipping.
import assert from "node:assert/strict";
import { normal, Rng, type Tensor, tensor, zeros } from "../../mod.ts";
import {
  Adam,
  clipGradNorm,
  clipGradNormAsync,
  CosineLR,
  ExponentialLR,
  InverseTimeLR,
  type Optimizer,
  SGD,
  StepLR,
} from "../../lib/optim/mod.ts";
import { l2Penalty } from "../../lib/losses.ts";

const f64 = { dtype: "float64" } as const;
const param = (values: number[]) => tensor(values, { ...f64, requiresGrad: true });
const flat = (t: Tensor) => Array.from(t.dataSync());
const allClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-12) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])),
      `[${i}]: ${actual[i]} != ${expected[i]}`,
    );
  }
};

/** The ill-conditioned quadratic f(w) = ½(100 w₁² + w₂²). */
const curvature = tensor([100, 1], f64);
const quadratic = (w: Tensor) => w.mul(w).mul(curvature).sum().mul(0.5);

/** Runs `steps` optimizer steps on `loss` from w = [1, 1]; returns the final loss. */
function minimize(
  make: (w: Tensor) => Optimizer,
  steps: number,
  loss = quadratic,
): number {
  const w = param([1, 1]);
  const opt = make(w);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    loss(w).backward();
    opt.step();
  }
  return loss(w).itemSync();
}

// ---- SGD ------------------------------------------------------------------------------------

Deno.test("SGD: one step is exactly w − ηg, in place (same tensor object)", () => {
  const w = param([1.5, -2, 0.25]);
  const same = w;
  const g = [0.3, -1.1, 7];
  w.mul(tensor(g, f64)).sum().backward(); // gradient g
  new SGD([w], { lr: 0.1 }).step();
  assert.equal(w, same);
  assert.deepEqual(flat(w), [1.5 - 0.1 * 0.3, -2 - 0.1 * -1.1, 0.25 - 0.1 * 7]);

  // float32: the same arithmetic rounded to float32 at each op.
  const v = tensor([1.5, -2, 0.25], { requiresGrad: true });
  v.mul(tensor(g)).sum().backward();
  new SGD([v], { lr: 0.1 }).step();
  const f = Math.fround;
  assert.deepEqual(flat(v), g.map((gi, i) => f([1.5, -2, 0.25][i] - f(f(gi) * f(0.1)))));
});

Deno.test("SGD: momentum follows Polyak's v ← μv − ηg, w ← w + v; Nesterov w ← w + μv − ηg", () => {
  for (const nesterov of [false, true]) {
    const w = param([2]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.8, nesterov });
    let x = 2, v = 0;
    for (let i = 0; i < 5; i++) {
      opt.zeroGrad();
      w.mul(w).mul(1.5).sum().backward(); // f = 1.5 w², g = 3w
      opt.step();
      const g = 3 * x;
      v = 0.8 * v - 0.1 * g;
      x = nesterov ? x + 0.8 * v - 0.1 * g : x + v;
      allClose(flat(w), [x]);
      allClose(flat(opt.stateOf(w)!.buffers.velocity), [v]);
    }
    assert.equal(opt.stateOf(w)!.step, 5);
  }
});

Deno.test("momentum and Nesterov reach a lower loss than plain SGD on an ill-conditioned quadratic", () => {
  const lr = 0.01, steps = 100;
  const plain = minimize((w) => new SGD([w], { lr }), steps);
  const momentum = minimize((w) => new SGD([w], { lr, momentum: 0.9 }), steps);
  const nesterov = minimize((w) => new SGD([w], { lr, momentum: 0.9, nesterov: true }), steps);
  assert.ok(momentum < plain / 100, `momentum ${momentum} vs plain ${plain}`);
  assert.ok(nesterov < plain / 100, `nesterov ${nesterov} vs plain ${plain}`);
});

Deno.test("Adam converges on the ill-conditioned quadratic", () => {
  const loss = minimize((w) => new Adam([w], { lr: 0.05 }), 300);
  assert.ok(loss < 1e-6, `Adam loss ${loss}`);
});

Deno.test("Adam: two steps by hand (moments and bias correction)", () => {
  const w = param([1, -1]);
  const [b1, b2, eps, lr] = [0.8, 0.9, 1e-8, 0.1];
  const opt = new Adam([w], { lr, betas: [b1, b2], eps });
  let x = [1, -1], m = [0, 0], v = [0, 0];
  for (let t = 1; t <= 2; t++) {
    opt.zeroGrad();
    w.mul(w).mul(tensor([2, 0.5], f64)).sum().backward(); // g = [4w₁, w₂]
    opt.step();
    const g = [4 * x[0], x[1]];
    m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
    v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] ** 2);
    x = x.map((xi, i) => {
      const mh = m[i] / (1 - b1 ** t), vh = v[i] / (1 - b2 ** t);
      return xi - lr * mh / (Math.sqrt(vh) + eps);
    });
    allClose(flat(w), x, 1e-12);
    allClose(flat(opt.stateOf(w)!.buffers.m), m);
    allClose(flat(opt.stateOf(w)!.buffers.v), v);
  }
});

// ---- weight decay ---------------------------------------------------------------------------

Deno.test("weightDecay equals adding λw to the gradient (the gradient of ½λ‖w‖²)", () => {
  const lambda = 0.3;
  const data = (w: Tensor) => quadratic(w).add(w.sum());
  const penalized = (w: Tensor) => data(w).add(l2Penalty([w], lambda / 2));
  const configs: Array<(w: Tensor, wd: number) => Optimizer> = [
    (w, wd) => new SGD([w], { lr: 0.005, weightDecay: wd }),
    (w, wd) => new SGD([w], { lr: 0.005, momentum: 0.9, weightDecay: wd }),
    (w, wd) => new SGD([w], { lr: 0.005, momentum: 0.9, nesterov: true, weightDecay: wd }),
    (w, wd) => new Adam([w], { lr: 0.01, weightDecay: wd }),
  ];
  for (const make of configs) {
    const a = param([1, -2]), b = param([1, -2]);
    const optA = make(a, lambda), optB = make(b, 0);
    for (let i = 0; i < 10; i++) {
      optA.zeroGrad(), optB.zeroGrad();
      data(a).backward();
      penalized(b).backward();
      optA.step(), optB.step();
    }
    allClose(flat(a), flat(b), 1e-12);
  }
});

Deno.test("Adam decoupled weight decay (AdamW) shrinks w by ηλw separately", () => {
  // Zero gradient: m = v = 0, so the only change is w ← w − ηλw.
  const w = param([2, -4]);
  w.mul(0).sum().backward();
  new Adam([w], { lr: 0.1, weightDecay: 0.5, decoupledWeightDecay: true }).step();
  allClose(flat(w), [2 * 0.95, -4 * 0.95]);
});

// ---- parameter groups -----------------------------------------------------------------------

Deno.test("param groups use their own lr; unset options come from the defaults", () => {
  const a = param([1, 1]), b = param([1, 1]), c = param([1]);
  const opt = new SGD([{ params: [a], lr: 0.1 }, { params: [b, c], momentum: 0.5 }], {
    lr: 0.01,
  });
  assert.equal(opt.paramGroups.length, 2);
  assert.equal(opt.paramGroups[0].lr, 0.1);
  assert.equal(opt.paramGroups[0].momentum, 0);
  assert.equal(opt.paramGroups[1].lr, 0.01);
  assert.equal(opt.paramGroups[1].momentum, 0.5);
  assert.deepEqual(opt.params, [a, b, c]);
  for (const p of [a, b, c]) p.sum().backward(); // gradient 1 everywhere
  opt.step();
  allClose(flat(a), [0.9, 0.9]);
  allClose(flat(b), [0.99, 0.99]);
  allClose(flat(c), [0.99]);
  // Changing a group's lr between steps takes effect at the next step.
  opt.paramGroups[0].lr = 0.5;
  opt.step();
  allClose(flat(a), [0.4, 0.4]);
});

Deno.test("LeCun's η ∝ 1/√fan-in is one group per layer", () => {
  const rng = new Rng(1);
  const w1 = normal([8, 64], 0, 1, { ...f64, rng, requiresGrad: true });
  const w2 = normal([2, 8], 0, 1, { ...f64, rng, requiresGrad: true });
  const opt = new SGD([w1, w2].map((w) => ({ params: [w], lr: 0.4 / Math.sqrt(w.shape[1]) })));
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.05, 0.4 / Math.sqrt(8)]);
  const before = flat(w1);
  w1.sum().add(w2.sum()).backward();
  opt.step();
  allClose(flat(w1), before.map((x) => x - 0.05));
});

Deno.test("zeroGrad clears every gradient; parameters without a gradient are skipped", () => {
  const a = param([1]), b = param([2]);
  const opt = new SGD([a, b], { lr: 1 });
  a.mul(3).sum().backward();
  assert.ok(a.grad && !b.grad);
  opt.step(); // b has no gradient: untouched, no state
  allClose(flat(a), [-2]);
  allClose(flat(b), [2]);
  assert.equal(opt.stateOf(b), undefined);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  assert.equal(b.grad, null);
  assert.equal(opt.stepCount, 1);
});

Deno.test("optimizer constructor errors", () => {
  const a = param([1]);
  assert.throws(() => new SGD([]), /empty parameter list/);
  assert.throws(() => new SGD([{ params: [a] }, { params: [a] }]), /appears twice/);
  assert.throws(() => new SGD([a], { lr: -1 }), /lr of group 0/);
  assert.throws(() => new SGD([a], { lr: NaN }), /lr of group 0/);
  assert.throws(() => new SGD([a], { weightDecay: -0.1 }), /weightDecay/);
  assert.throws(() => new SGD([a], { nesterov: true }), /nesterov .*momentum > 0/);
  assert.throws(() => new SGD([a], { momentum: 1.5 }), /momentum/);
  assert.throws(() => new Adam([a], { betas: [0.9, 1] }), /betas/);
  assert.throws(() => new SGD([tensor([1], { dtype: "int32" })]), /int32/);
});

// ---- schedules ------------------------------------------------------------------------------

/** lr after 0, 1, ..., n steps of the schedule. */
function sequence(s: { step(): void; lr(group?: number): number }, n: number, group = 0) {
  const out = [s.lr(group)];
  for (let i = 0; i < n; i++) s.step(), out.push(s.lr(group));
  return out;
}
const sgd = (lr: number | number[]) =>
  new SGD(
    (Array.isArray(lr) ? lr : [lr]).map((l) => ({
      params: [zeros([1], { requiresGrad: true })],
      lr: l,
    })),
  );

Deno.test("StepLR, ExponentialLR, InverseTimeLR: lr sequences", () => {
  assert.deepEqual(
    sequence(new StepLR(sgd(0.8), { stepSize: 3, gamma: 0.5 }), 7),
    [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2],
  );
  allClose(sequence(new ExponentialLR(sgd(1), { gamma: 0.9 }), 4), [1, 0.9, 0.81, 0.729, 0.6561]);
  allClose(
    sequence(new InverseTimeLR(sgd(0.6), { k: 0.5 }), 4),
    [0.6, 0.6 / 1.5, 0.6 / 2, 0.6 / 2.5, 0.6 / 3],
  );
});

Deno.test("CosineLR: from the base lr down to minLr, then stays there", () => {
  const s = new CosineLR(sgd(1), { tMax: 4, minLr: 0.2 });
  const expected = [0, 1, 2, 3, 4].map((t) => 0.2 + 0.8 * (1 + Math.cos(Math.PI * t / 4)) / 2);
  allClose(sequence(s, 6), [...expected, 0.2, 0.2]);
});

Deno.test("schedules scale every group from its own base lr", () => {
  const opt = sgd([1, 0.1]);
  const s = new StepLR(opt, { stepSize: 1, gamma: 0.5 });
  assert.deepEqual(s.baseLrs, [1, 0.1]);
  s.step(), s.step();
  assert.equal(s.t, 2);
  assert.deepEqual(opt.paramGroups.map((g) => g.lr), [0.25, 0.025]);
  assert.equal(s.lr(1), 0.025);
  assert.throws(() => s.lr(2), /group 2 does not exist/);
  assert.throws(() => new StepLR(opt, { stepSize: 0 }), /stepSize/);
  assert.throws(() => new CosineLR(opt, { tMax: 2.5 }), /tMax/);
});

// ---- gradient clipping ----------------------------------------------------------------------

Deno.test("clipGradNorm scales all gradients to maxNorm and returns the pre-clip norm", () => {
  const a = param([0, 0]), b = param([0]), frozen = param([0]);
  a.mul(tensor([3, 4], f64)).sum().add(b.mul(12).sum()).backward(); // grads [3, 4] and [12]
  const total = clipGradNorm([a, b, frozen], 6.5);
  assert.equal(total, 13);
  allClose(flat(a.grad!), [1.5, 2]);
  allClose(flat(b.grad!), [6]);
  assert.equal(frozen.grad, null);
  // Now the norm is 6.5: at or below maxNorm nothing changes.
  assert.equal(clipGradNorm([a, b], 6.5), 6.5);
  allClose(flat(a.grad!), [1.5, 2]);
  assert.equal(clipGradNorm([frozen], 1), 0);
  assert.throws(() => clipGradNorm([a], 0), /maxNorm/);
});

Deno.test("clipGradNormAsync gives the same result", async () => {
  const a = param([0, 0]);
  a.mul(tensor([6, 8], f64)).sum().backward();
  assert.equal(await clipGradNormAsync([a], 5), 10);
  allClose(flat(a.grad!), [3, 4]);
});
