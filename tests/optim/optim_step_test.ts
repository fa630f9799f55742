// optimStep (the SGD and Adam update as one primitive) against the same update
// composed of elementwise ops, bit for bit: on the fast CPU backend (float32,
// WebAssembly), the plain-JS reference (float32 and float64) and WebGPU.
import assert from "node:assert/strict";
import {
  add,
  div,
  initBackend,
  mul,
  optimStep,
  type OptimStepAttrs,
  randn,
  Rng,
  sqrt,
  sub,
  type Tensor,
  zerosLike,
} from "../../mod.ts";
import { gpuReady, ignoreGpu, onGpu } from "../gpu/_setup.ts";

/** The update of OptimStepAttrs composed of binary and unary ops (the definition). */
function composed(p: Tensor, grad: Tensor, state: Tensor[], a: OptimStepAttrs): Tensor[] {
  const g = a.weightDecay ? add(grad, mul(p, a.weightDecay)) : grad;
  if (a.rule === "sgd") {
    const s = mul(g, a.lr);
    if (!(a.momentum > 0)) return [sub(p, s)];
    const v = sub(mul(state[0], a.momentum), s);
    return [add(p, a.nesterov ? sub(mul(v, a.momentum), s) : v), v];
  }
  const m = add(mul(state[0], a.beta1), mul(g, 1 - a.beta1));
  const v = add(mul(state[1], a.beta2), mul(mul(g, g), 1 - a.beta2));
  const d = add(mul(sqrt(v), a.bias2), a.eps);
  const w = a.decay !== 1 ? mul(p, a.decay) : p;
  return [sub(w, mul(div(m, d), a.stepSize)), m, v];
}

const sgd = (o: Partial<Extract<OptimStepAttrs, { rule: "sgd" }>>): OptimStepAttrs => ({
  rule: "sgd",
  lr: 0.05,
  momentum: 0.9,
  nesterov: false,
  weightDecay: 0,
  ...o,
});
const adam = (t: number, o: Partial<Extract<OptimStepAttrs, { rule: "adam" }>> = {}) =>
  ({
    rule: "adam",
    beta1: 0.9,
    beta2: 0.999,
    stepSize: 0.001 / (1 - 0.9 ** t),
    bias2: 1 / Math.sqrt(1 - 0.999 ** t),
    eps: 1e-8,
    weightDecay: 0,
    decay: 1,
    ...o,
  }) as OptimStepAttrs;

const CASES: [string, (t: number) => OptimStepAttrs][] = [
  ["sgd", () => sgd({ momentum: 0 })],
  ["sgd weight decay", () => sgd({ momentum: 0, weightDecay: 0.01 })],
  ["sgd momentum", () => sgd({})],
  ["sgd nesterov + decay", () => sgd({ nesterov: true, weightDecay: 1e-3 })],
  ["adam", (t) => adam(t)],
  ["adam L2", (t) => adam(t, { weightDecay: 0.01 })],
  ["adamw", (t) => adam(t, { decay: 1 - 0.001 * 0.05 })],
];

/** The parameter and its optimizer state (zeros) before the first step of `a`'s rule. */
function start(p0: Tensor, a: OptimStepAttrs): Tensor[] {
  const n = a.rule === "adam" ? 2 : a.momentum > 0 ? 1 : 0;
  return [p0, ...Array.from({ length: n }, () => zerosLike(p0))];
}

/** Runs three steps both ways on `backend`; asserts identical bits. */
function compare(backend: string, dtype: "float32" | "float64", size: number) {
  for (const [name, attrsAt] of CASES) {
    const rng = new Rng(size);
    const shape = size === 65 ? [5, 13] : [size];
    const p0 = randn(shape, { rng, dtype, backend });
    let fused = start(p0, attrsAt(1));
    const nState = fused.length - 1;
    let plain = fused;
    for (let t = 1; t <= 3; t++) {
      const grad = randn(shape, { rng, dtype, backend });
      const attrs = attrsAt(t);
      fused = optimStep(fused[0], grad, fused.slice(1), attrs);
      plain = composed(plain[0], grad, plain.slice(1), attrs);
      assert.equal(fused.length, nState + 1);
      fused.forEach((f, i) => {
        assert.equal(f.dtype, dtype);
        assert.deepEqual(f.shape, shape);
        assert.deepEqual(
          f.dataSync(),
          plain[i].dataSync(),
          `${backend} ${dtype} ${name} size ${size} step ${t} output ${i}`,
        );
      });
    }
  }
}

for (const backend of ["cpu", "cpu-reference"]) {
  for (const dtype of ["float32", "float64"] as const) {
    Deno.test(`optimStep equals the composed update bit for bit: ${backend} ${dtype}`, async () => {
      await initBackend(backend);
      for (const size of [1, 3, 4, 17, 65, 257]) compare(backend, dtype, size);
    });
  }
}

Deno.test("optimStep leaves its inputs unchanged and refuses mismatched state", () => {
  const p = randn([3], { rng: new Rng(1) }), g = randn([3], { rng: new Rng(2) });
  const before = p.dataSync();
  const [p2, v2] = optimStep(p, g, [zerosLike(p)], sgd({}));
  assert.deepEqual(p.dataSync(), before);
  assert.notDeepEqual(p2.dataSync(), before);
  assert.equal(v2.requiresGrad, false);
  assert.throws(() => optimStep(p, g, [], sgd({})), /sgd rule with momentum 0.9 takes 1 state/);
  assert.throws(() => optimStep(p, g, [zerosLike(p)], adam(1)), /adam rule takes 2 state/);
  assert.throws(
    () => optimStep(p, randn([4], { rng: new Rng(3) }), [], sgd({ momentum: 0 })),
    /must match the parameter \(float32 \[3\]\), got float32 \[4\]/,
  );
});

Deno.test({
  name: "optimStep on WebGPU equals the composed update bit for bit",
  ignore: ignoreGpu,
  fn: async () => {
    await gpuReady();
    await onGpu(async () => {
      for (const [name, attrsAt] of CASES) {
        const rng = new Rng(7);
        const p0 = randn([67], { rng });
        let fused = start(p0, attrsAt(1));
        let plain = fused;
        for (let t = 1; t <= 2; t++) {
          const grad = randn([67], { rng });
          fused = optimStep(fused[0], grad, fused.slice(1), attrsAt(t));
          plain = composed(plain[0], grad, plain.slice(1), attrsAt(t));
        }
        for (let i = 0; i < fused.length; i++) {
          assert.deepEqual(await fused[i].data(), await plain[i].data(), `webgpu ${name} ${i}`);
        }
      }
    });
  },
});
