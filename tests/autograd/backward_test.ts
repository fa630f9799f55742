// Reverse-mode autograd behaviour: accumulation, noGrad, detach, reused
// nodes, deep graphs, graph release, memory across training steps, upstream
// gradients, zero-gradient ops and int32 tensors.
import assert from "node:assert/strict";
import {
  isGradEnabled,
  noGrad,
  onesLike,
  randn,
  Rng,
  sign,
  step,
  type Tensor,
  tensor,
  zeros,
} from "../../mod.ts";

const values = (t: Tensor | null) => {
  assert.ok(t, "expected a gradient, got null");
  return Array.from(t.dataSync());
};

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what = "") {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(
      Math.abs(got[i] - want[i]) <= tol,
      `${what} element ${i}: got ${got[i]}, want ${want[i]} ± ${tol}`,
    );
  }
}

Deno.test("gradients accumulate across two backward calls; zeroGrad resets", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(values(x.grad), [2, 4, 6]);
  x.mul(x).sum().backward();
  assert.deepEqual(values(x.grad), [4, 8, 12]);
  x.mul(3).sum().backward();
  assert.deepEqual(values(x.grad), [7, 11, 15]);
  x.zeroGrad();
  assert.equal(x.grad, null);
  x.mul(x).sum().backward();
  assert.deepEqual(values(x.grad), [2, 4, 6]);
  assert.deepEqual(x.grad!.shape, [3]);
  assert.equal(x.grad!.requiresGrad, false, "a gradient is not itself part of a graph");
  assert.equal(x.grad!.node, null);
});

Deno.test("noGrad records no graph and its results do not require grad", () => {
  const w = tensor([1, 2], { requiresGrad: true });
  assert.equal(isGradEnabled(), true);
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    return w.mul(2).add(1).exp();
  });
  assert.equal(isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  assert.throws(() => y.sum().backward(), /does not require gradients/);
  // Nested noGrad restores the outer state, even after an exception.
  noGrad(() => {
    noGrad(() => {});
    assert.equal(isGradEnabled(), false);
  });
  assert.throws(() =>
    noGrad(() => {
      throw new Error("boom");
    }), /boom/);
  assert.equal(isGradEnabled(), true);
  // Outside noGrad the graph is recorded again.
  const z = w.mul(2);
  assert.equal(z.requiresGrad, true);
  assert.ok(z.node);
  assert.equal(z.node.prim, "binary");
});

Deno.test("detach() shares values but cuts the graph", () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.node, null);
  assert.deepEqual(d.arraySync(), [1, 2, 3]);
  // d/dx Σ x·detach(x) = detach(x): no gradient flows through the detached factor.
  x.mul(d).sum().backward();
  assert.deepEqual(values(x.grad), [1, 2, 3]);
  // Detaching an intermediate stops the gradient there.
  const w = tensor([2], { requiresGrad: true });
  const h = w.mul(3);
  const y = h.detach().mul(w).sum();
  y.backward();
  assert.deepEqual(values(w.grad), [6]);
});

Deno.test("reused nodes: y = x*x + x*x gives 4x; one node used twice gives the same", () => {
  const x = tensor([1, -2, 0.5], { requiresGrad: true });
  x.mul(x).add(x.mul(x)).sum().backward();
  assert.deepEqual(values(x.grad), [4, -8, 2]);
  x.zeroGrad();
  const s = x.mul(x);
  s.add(s).sum().backward();
  assert.deepEqual(values(x.grad), [4, -8, 2]);
  // A diamond: h feeds two branches that meet again.
  const a = tensor(3, { requiresGrad: true });
  const h = a.mul(2); // 2a
  const out = h.exp().mul(h.mul(h)); // e^{2a}·4a²  →  d/da = 2e^{2a}·4a² + e^{2a}·8a
  out.backward();
  const want = 2 * Math.exp(6) * 36 + Math.exp(6) * 24;
  assert.ok(Math.abs(a.grad!.itemSync() - want) / want < 1e-6, `${a.grad!.itemSync()} vs ${want}`);
});

Deno.test("a 100,000-op chain back-propagates without stack overflow", () => {
  const x = tensor(0.5, { requiresGrad: true, dtype: "float64" });
  let y: Tensor = x;
  for (let i = 0; i < 100_000; i++) y = y.add(1);
  assert.equal(y.itemSync(), 100_000.5);
  y.backward();
  assert.equal(x.grad!.itemSync(), 1);
  assert.equal(y.node, null);
  // A long multiplicative chain too: (1.00001)^n' sensitivity of x·c^n.
  const z = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
  let w: Tensor = z;
  for (let i = 0; i < 20_000; i++) w = w.mul(1.0001);
  w.sum().backward();
  const want = Math.pow(1.0001, 20_000);
  assertClose(values(z.grad), [want, want], 1e-9 * want);
});

Deno.test("the graph is released after backward; a second backward throws clearly", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(2);
  const g = h.exp();
  const loss = g.sum();
  assert.ok(h.node && g.node && loss.node);
  loss.backward();
  assert.equal(h.node, null);
  assert.equal(g.node, null);
  assert.equal(loss.node, null);
  assert.equal(loss.graphReleased, true);
  assert.equal(x.node, null, "leaves never have a node");
  assert.equal(x.requiresGrad, true, "leaves keep requiring gradients");
  const before = values(x.grad);
  assert.throws(
    () => loss.backward(),
    /backward\(\): the graph of this tensor was already used by an earlier backward\(\) and released; recompute the forward pass/,
  );
  assert.deepEqual(values(x.grad), before, "a refused backward changes nothing");
  // Recomputing the forward pass works.
  x.mul(2).exp().sum().backward();
  assertClose(values(x.grad), before.map((v) => 2 * v), 1e-4);
});

Deno.test("backward through a subgraph released by an earlier backward does not silently drop gradients", () => {
  // Two losses share h = 2x. After l1.backward() released h's node, l2's
  // gradient can no longer reach x: backward must either throw (as PyTorch
  // does without retain_graph) or still deliver the full gradient.
  const x = tensor([1, 2], { requiresGrad: true });
  const h = x.mul(2);
  const l1 = h.sum(); // dl1/dx = 2
  const l2 = h.mul(h).sum(); // dl2/dx = 8x
  l1.backward();
  assert.deepEqual(values(x.grad), [2, 2]);
  let threw = false;
  try {
    l2.backward();
  } catch (err) {
    threw = true;
    assert.match((err as Error).message, /released|earlier backward/);
  }
  if (!threw) assert.deepEqual(values(x.grad), [2 + 8, 2 + 16], "l2's gradient was dropped");
});

Deno.test("memory does not grow across 200 training steps of a linear regression", () => {
  const rng = new Rng(42);
  const n = 64;
  const X = randn([n, 3], { rng });
  const trueW = tensor([[2], [-1], [0.5]]);
  const y = X.matmul(trueW).add(0.25);
  const w = zeros([3, 1], { requiresGrad: true });
  const b = zeros([1], { requiresGrad: true });
  const lr = 0.1;
  let heapAfterWarmup = 0;
  let lastLoss = Infinity;
  for (let stepIndex = 0; stepIndex < 200; stepIndex++) {
    const pred = X.matmul(w).add(b);
    const diff = pred.sub(y);
    const loss = diff.mul(diff).mean();
    assert.ok(loss.node, "the forward pass records a graph");
    loss.backward();
    // Nothing keeps the graph alive: every intermediate dropped its node.
    for (const t of [pred, diff, loss]) assert.equal(t.node, null, `step ${stepIndex}`);
    assert.equal(w.node, null);
    assert.equal(b.node, null);
    assert.deepEqual(w.grad!.shape, [3, 1]);
    assert.deepEqual(b.grad!.shape, [1]);
    assert.equal(w.grad!.node, null);
    noGrad(() => {
      w.assign(w.sub(w.grad!.mul(lr)));
      b.assign(b.sub(b.grad!.mul(lr)));
    });
    w.zeroGrad();
    b.zeroGrad();
    assert.equal(w.requiresGrad, true);
    assert.equal(w.isLeaf, true);
    lastLoss = loss.itemSync();
    if (stepIndex === 20) heapAfterWarmup = Deno.memoryUsage().heapUsed;
  }
  assert.ok(lastLoss < 1e-6, `the regression converged (loss ${lastLoss})`);
  assertClose(values(w), [2, -1, 0.5], 1e-3, "learned weights");
  assertClose(values(b), [0.25], 1e-3, "learned bias");
  // Loose: 180 more steps must not retain their graphs (each is well under 1 MB).
  const growth = Deno.memoryUsage().heapUsed - heapAfterWarmup;
  assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${growth} bytes`);
});

Deno.test("upstream gradient for a non-scalar equals the gradient of its sum", () => {
  const data = [[0.5, -1, 2], [1.5, 0.25, -0.75]];
  const x1 = tensor(data, { requiresGrad: true });
  const y1 = x1.mul(x1).exp();
  y1.backward(onesLike(y1));
  const x2 = tensor(data, { requiresGrad: true });
  x2.mul(x2).exp().sum().backward();
  assertClose(values(x1.grad), values(x2.grad), 1e-6);
  // A non-uniform upstream gradient weights each output.
  const x3 = tensor([1, 2, 3], { requiresGrad: true });
  const y3 = x3.mul(x3);
  y3.backward(tensor([1, 0, -1]));
  assert.deepEqual(values(x3.grad), [2, 0, -6]);
});

Deno.test("a leaf used through step gets a zero gradient (not null)", () => {
  const x = tensor([-1, 0.5, 2], { requiresGrad: true });
  step(x).mul(3).sum().backward();
  assert.deepEqual(values(x.grad), [0, 0, 0]);
  assert.deepEqual(x.grad!.shape, [3]);
  const y = tensor([-1, 0.5, 2], { requiresGrad: true });
  sign(y).sum().backward();
  assert.deepEqual(values(y.grad), [0, 0, 0]);
  // relu's gradient is step: 0 at and below 0, 1 above.
  const z = tensor([-1, 0, 2], { requiresGrad: true });
  z.relu().sum().backward();
  assert.deepEqual(values(z.grad), [0, 0, 1]);
});

Deno.test("int32 tensors cannot require grad; int32 results never join the graph", () => {
  assert.throws(
    () => tensor([1, 2], { dtype: "int32", requiresGrad: true }),
    /requireGrad: int32 tensors cannot require gradients/,
  );
  const i = tensor([1, 2], { dtype: "int32" });
  assert.throws(
    () => i.requireGrad(),
    /int32 tensors cannot require gradients; cast to float32 first/,
  );
  assert.equal(i.requireGrad(false).requiresGrad, false);
  const x = tensor([1.5, 2.5], { requiresGrad: true });
  const c = x.cast("int32");
  assert.equal(c.requiresGrad, false);
  assert.equal(c.node, null);
  const a = x.argmax();
  assert.equal(a.requiresGrad, false);
  // Comparisons are constants too.
  assert.equal(x.gt(2).requiresGrad, false);
  // Gradients through a float cast come back in the leaf's dtype.
  const d = tensor([1, 2], { requiresGrad: true, dtype: "float64" });
  d.cast("float32").mul(2).sum().backward();
  assert.equal(d.grad!.dtype, "float64");
  assert.deepEqual(values(d.grad), [2, 2]);
});

Deno.test("leaves that do not require grad get no gradient; requireGrad() chains", () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const c = tensor([3, 4]);
  x.mul(c).sum().backward();
  assert.equal(c.grad, null);
  assert.deepEqual(values(x.grad), [3, 4]);
  const w = tensor([5]).requireGrad();
  assert.equal(w.requiresGrad, true);
  w.mul(w).sum().backward();
  assert.deepEqual(values(w.grad), [10]);
  // A gradient that reaches a broadcast operand is summed back to its shape.
  const bias = tensor([0, 0, 0], { requiresGrad: true });
  tensor([[1, 2, 3], [4, 5, 6]]).add(bias).sum().backward();
  assert.deepEqual(values(bias.grad), [2, 2, 2]);
});
