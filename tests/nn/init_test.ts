// Initializers: the statistics each promises (He, LeCun, Xavier bounds),
// determinism per seed, the fans layers pass, dtype, and errors.
import assert from "node:assert/strict";
import { manualSeed, Rng, type Shape, type Tensor } from "../../mod.ts";
import {
  computeFans,
  gaussianInit,
  heInit,
  type InitOptions,
  lecunInit,
  uniformInit,
  xavierInit,
} from "../../lib/nn/init.ts";
import { Conv2d, Linear } from "../../lib/nn/layers.ts";

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.dataSync();
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const x of v) {
    s += x;
    s2 += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(s2 / v.length - mean * mean), min, max };
}

const fans256 = { fanIn: 256, fanOut: 256 };

Deno.test("heInit: std √(2/fanIn) over a 256x256 weight, within 5%", () => {
  const { mean, std } = stats(heInit([256, 256], { ...fans256, rng: new Rng(1) }));
  const target = Math.sqrt(2 / 256);
  assert.ok(Math.abs(std - target) < 0.05 * target, `std ${std} vs ${target}`);
  assert.ok(Math.abs(mean) < 0.05 * target, `mean ${mean}`);
});

Deno.test("lecunInit: std 1/√fanIn", () => {
  const { std } = stats(lecunInit([128, 400], { fanIn: 400, fanOut: 128, rng: new Rng(2) }));
  assert.ok(Math.abs(std - 0.05) < 0.05 * 0.05, `std ${std}`);
});

Deno.test("xavierInit: inside ±√(6/(fanIn+fanOut)), filling the range, variance bound²/3", () => {
  const fanIn = 300, fanOut = 100, bound = Math.sqrt(6 / (fanIn + fanOut));
  const w = xavierInit([fanOut, fanIn], { fanIn, fanOut, rng: new Rng(3) });
  const { min, max, std, mean } = stats(w);
  assert.ok(min >= -bound && max <= bound, `[${min}, ${max}] vs ±${bound}`);
  assert.ok(min < -0.99 * bound && max > 0.99 * bound);
  const target = bound / Math.sqrt(3); // = √(2/(fanIn+fanOut))
  assert.ok(Math.abs(std - target) < 0.05 * target, `std ${std} vs ${target}`);
  assert.ok(Math.abs(mean) < 0.05 * target);
});

Deno.test("gaussianInit and uniformInit: fixed scales", () => {
  const g = stats(gaussianInit(0.01, 1)([200, 200], { ...fans256, rng: new Rng(4) }));
  assert.ok(Math.abs(g.std - 0.01) < 0.0005 && Math.abs(g.mean - 1) < 0.001);
  const u = stats(uniformInit(2, 3)([100, 100], { ...fans256, rng: new Rng(5) }));
  assert.ok(u.min >= 2 && u.max < 3 && Math.abs(u.mean - 2.5) < 0.02);
  assert.throws(() => uniformInit(1, 0), /low 1 is above high 0/);
  assert.throws(() => gaussianInit(-1), /std must be >= 0/);
});

Deno.test("determinism: same seed, same weights; other seed, other weights", () => {
  for (const init of [heInit, lecunInit, xavierInit, gaussianInit(1), uniformInit(-1, 1)]) {
    const opts = (seed: number): InitOptions => ({ fanIn: 8, fanOut: 4, rng: new Rng(seed) });
    const a = init([4, 8], opts(7)).dataSync(), b = init([4, 8], opts(7)).dataSync();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, init([4, 8], opts(8)).dataSync());
  }
  // Layers draw from the global generator by default: manualSeed makes them repeatable.
  manualSeed(11);
  const w1 = new Linear(6, 5).weight.dataSync();
  manualSeed(11);
  assert.deepEqual(new Linear(6, 5).weight.dataSync(), w1);
});

Deno.test("initializers return leaves; dtype option; the layer makes them parameters", () => {
  const w = heInit([3, 3], { fanIn: 3, fanOut: 3, rng: new Rng(9), dtype: "float64" });
  assert.equal(w.dtype, "float64");
  assert.ok(w.isLeaf && !w.requiresGrad);
  const fc = new Linear(3, 3, { init: gaussianInit(0), rng: new Rng(10) });
  assert.ok(fc.weight.requiresGrad);
  assert.ok(fc.weight.dataSync().every((v) => v === 0));
});

Deno.test("layers pass their fans: Linear [out, in], Conv2d in·k·k and out·k·k", () => {
  const seen: [Shape, number, number][] = [];
  const spy = (shape: Shape, o: InitOptions) => {
    seen.push([shape, o.fanIn, o.fanOut]);
    return heInit(shape, o);
  };
  new Linear(784, 10, { init: spy });
  new Conv2d(6, 16, 5, { init: spy });
  assert.deepEqual(seen, [[[10, 784], 784, 10], [[16, 6, 5, 5], 150, 400]]);
  assert.deepEqual(computeFans([16, 6, 5, 5]), { fanIn: 150, fanOut: 400 });
  assert.throws(() => computeFans([3]), /at least 2 axes/);
});

Deno.test("the default initializer is He: Linear(256, 256) weight std ≈ √(2/256)", () => {
  const { std } = stats(new Linear(256, 256, { rng: new Rng(12) }).weight);
  const target = Math.sqrt(2 / 256);
  assert.ok(Math.abs(std - target) < 0.05 * target, `std ${std}`);
});

Deno.test("errors: non-positive fans", () => {
  assert.throws(() => heInit([2, 0], { fanIn: 0, fanOut: 2 }), /heInit: fanIn must be a positive/);
  assert.throws(() => xavierInit([2, 2], { fanIn: 2, fanOut: NaN }), /fanOut/);
});
