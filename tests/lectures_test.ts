// The lectures' worked numbers (shared/lectures), each computed with the
// tensor engine and with the scalar `Value` engine, which must agree.
import assert from "node:assert/strict";
import { gradcheck, softmax, type Tensor, tensor, Value } from "../mod.ts";

const close = (got: number, want: number, tol: number, what: string) =>
  assert.ok(Math.abs(got - want) <= tol, `${what}: got ${got}, want ${want} ± ${tol}`);

function leaves(values: number[]): Tensor[] {
  return values.map((v) => tensor(v, { dtype: "float64", requiresGrad: true }));
}

Deno.test("lecture 004: f(x,y,z) = (x+y)z at (-2, 5, -4) gives -12 and gradients -4, -4, 3", () => {
  const [x, y, z] = leaves([-2, 5, -4]);
  const f = x.add(y).mul(z);
  f.backward();
  assert.equal(f.itemSync(), -12);
  assert.deepEqual([x, y, z].map((t) => t.grad!.itemSync()), [-4, -4, 3]);

  const [vx, vy, vz] = [-2, 5, -4].map((v) => new Value(v));
  const vf = vx.add(vy).mul(vz);
  vf.backward();
  assert.equal(vf.data, f.itemSync());
  assert.deepEqual([vx.grad, vy.grad, vz.grad], [-4, -4, 3]);
});

Deno.test("lecture 004: the sigmoid neuron gives 0.73 and gradients -0.20, 0.39, -0.39, -0.59, 0.20", () => {
  const init = [2, -1, -3, -2, -3]; // w0, x0, w1, x1, w2
  const [w0, x0, w1, x1, w2] = leaves(init);
  const f = w0.mul(x0).add(w1.mul(x1)).add(w2).sigmoid();
  f.backward();
  close(f.itemSync(), 0.73, 5e-3, "f");
  const want = [-0.20, 0.39, -0.39, -0.59, 0.20];
  const got = [w0, x0, w1, x1, w2].map((t) => t.grad!.itemSync());
  got.forEach((g, i) => close(g, want[i], 5e-3, `gradient ${i}`));

  const vs = init.map((v) => new Value(v));
  const vf = vs[0].mul(vs[1]).add(vs[2].mul(vs[3])).add(vs[4]).sigmoid();
  vf.backward();
  close(vf.data, f.itemSync(), 1e-15, "Value f");
  vs.forEach((v, i) => close(v.grad, got[i], 1e-15, `Value gradient ${i}`));
});

Deno.test("lecture 004: σ'(x) = σ(x)(1 − σ(x)) at several points", () => {
  for (const x0 of [-3, -0.5, 0, 1, 4]) {
    const [x] = leaves([x0]);
    const s = x.sigmoid();
    s.backward();
    const sv = s.itemSync();
    close(x.grad!.itemSync(), sv * (1 - sv), 1e-15, `σ'(${x0})`);
  }
});

Deno.test("lecture 003: softmax Jacobian ∂k[i]/∂x[m] = k[i](δ_im − k[m])", () => {
  const xs = [0.5, -1.2, 2.0, 0.3];
  const k = softmax(tensor(xs, { dtype: "float64" })).dataSync();
  for (let i = 0; i < xs.length; i++) {
    const x = tensor(xs, { dtype: "float64", requiresGrad: true });
    const onehot = tensor(xs.map((_, j) => j === i ? 1 : 0), { dtype: "float64" });
    softmax(x).mul(onehot).sum().backward(); // picks out k[i]
    const row = x.grad!.dataSync();
    for (let m = 0; m < xs.length; m++) {
      close(row[m], k[i] * ((i === m ? 1 : 0) - k[m]), 1e-15, `J[${i}][${m}]`);
    }
  }
  gradcheck((x) => softmax(x), [tensor(xs, { dtype: "float64" })]);
});

Deno.test("lecture 003: two-hidden-unit exercise, dE/dw(x→y2) = (z−1)σ'(u)·0.5·σ'(u2)·x", () => {
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  for (const x0 of [-2, -0.5, 0.7, 1.5, 3]) {
    // Tensor engine: the weight from x to y2 is the 1.0 multiplying x.
    const x = tensor(x0, { dtype: "float64" });
    const [w] = leaves([1]);
    const y1 = x.mul(0.5).add(1).sigmoid();
    const y2 = w.mul(x).add(0.5).sigmoid();
    const u = y1.mul(0.5).add(y2.mul(0.5)).add(0.25);
    const z = u.sigmoid();
    const e = z.sub(1).pow(2).mul(0.5); // E = ½(z − t)², target t = 1
    e.backward();

    const u2 = x0 + 0.5;
    const uv = 0.5 * sig(0.5 * x0 + 1) + 0.5 * sig(u2) + 0.25;
    const zv = sig(uv);
    const dsig = (v: number) => sig(v) * (1 - sig(v));
    const formula = (zv - 1) * dsig(uv) * 0.5 * dsig(u2) * x0;
    close(w.grad!.itemSync(), formula, 1e-14, `tensor dE/dw at x=${x0}`);

    // Value engine, same circuit.
    const vw = new Value(1);
    const vy1 = new Value(x0).mul(0.5).add(1).sigmoid();
    const vy2 = vw.mul(x0).add(0.5).sigmoid();
    const vz = vy1.mul(0.5).add(vy2.mul(0.5)).add(0.25).sigmoid();
    vz.sub(1).pow(2).mul(0.5).backward();
    close(vw.grad, w.grad!.itemSync(), 1e-15, `Value dE/dw at x=${x0}`);
  }
});
