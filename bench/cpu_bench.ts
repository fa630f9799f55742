/**
 * CPU bench, every figure measured in one run so the ratios mean something
 * on a shared, noisy machine: float32 matmul GFLOP/s for the plain-JS
 * reference (`"cpu-reference"`), the WebAssembly kernels on one thread and
 * on all threads (`"cpu"`); LeNet-5's convolutions forward and backward; and
 * LeNet-5 and MLP 784-100-10 training images/s (batch 64, SGD momentum 0.9)
 * on both CPU backends.
 *
 * Run alone: `deno run --allow-read --allow-env bench/cpu_bench.ts`;
 * `deno task bench` runs it together with the WebGPU bench (`bench/bench.ts`).
 *
 * @module
 */
import { matmulInto } from "../lib/cpu/matmul.ts";
import { type FastCpuBackend, setCpuThreads } from "../lib/cpu/fast_backend.ts";
import {
  conv2d,
  getBackend,
  initBackend,
  lenet5,
  mlp,
  type Module,
  onesLike,
  randn,
  Rng,
  scope,
  setBackend,
} from "../mod.ts";
import { benchStep } from "./_train_step.ts";

/** Timing summary of a few repetitions, in milliseconds. */
interface Timing {
  best: number;
  median: number;
}

/**
 * Runs `fn` untimed for a while first (the JIT needs a few calls to reach its
 * final optimized code), then `reps` timed times.
 */
function timeIt(fn: () => void, reps: number, warmupMs = 300): Timing {
  const warmupEnd = performance.now() + warmupMs;
  for (let calls = 0; calls < 2 || performance.now() < warmupEnd; calls++) fn();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return { best: times[0], median: times[Math.floor(times.length / 2)] };
}

function gflops(flops: number, ms: number): string {
  return (flops / ms / 1e6).toFixed(1);
}

function pad(s: string | number, width: number): string {
  return String(s).padStart(width);
}

function randomFloat32(size: number, rng: Rng): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rng.normal();
  return x;
}

/** Square float32 matmul: plain JS, WebAssembly on 1 thread and on all threads (best of reps). */
async function benchMatmul(sizes: number[], threads: number): Promise<void> {
  console.log(`\nmatmul float32, GFLOP/s = 2*n^3 / best time (median in brackets)`);
  console.log(
    `${pad("n", 5)} ${pad("plain JS", 14)} ${pad("wasm 1 thread", 16)} ${
      pad(`wasm ${threads} threads`, 17)
    } ${pad("1t/JS", 6)} ${pad(`${threads}t/1t`, 6)}`,
  );
  const fast = getBackend("cpu") as FastCpuBackend;
  const rng = new Rng(1);
  const layout = { aBatchStride: 0, bBatchStride: 0, transA: false, transB: false };
  for (const n of sizes) {
    const a = randomFloat32(n * n, rng), b = randomFloat32(n * n, rng);
    const flops = 2 * n * n * n, reps = n >= 1024 ? 5 : 15;
    const out = new Float32Array(n * n);
    const js = timeIt(() => matmulInto(a, b, out, 1, n, n, n, layout), n >= 1024 ? 3 : reps);
    const info = (x: Float32Array) => ({
      storage: fast.upload(x, "float32"),
      shape: [1, n, n],
      dtype: "float32" as const,
      size: n * n,
    });
    const ia = info(a),
      ib = info(b),
      spec = { shape: [1, n, n], dtype: "float32" as const, size: n * n };
    const run = () =>
      fast.dispose(fast.kernels.matmul([ia, ib], { transA: false, transB: false }, spec));
    const before = setCpuThreads(1);
    const one = timeIt(run, reps);
    setCpuThreads(threads);
    await fast.threadsReady();
    const all = timeIt(run, reps);
    setCpuThreads(before);
    const cell = (t: Timing, w: number) =>
      pad(`${gflops(flops, t.best)} (${gflops(flops, t.median)})`, w);
    console.log(
      `${pad(n, 5)} ${cell(js, 14)} ${cell(one, 16)} ${cell(all, 17)} ${
        pad((js.best / one.best).toFixed(1) + "x", 6)
      } ${pad((one.best / all.best).toFixed(2) + "x", 6)}`,
    );
  }
}

/** LeNet-5's two convolutions at batch 64 (im2col + matmul), forward and backward, on both CPU backends. */
async function benchLenetConvs(): Promise<void> {
  console.log("\nLeNet-5 conv layers, batch 64, float32: ms (GFLOP/s), best of 9");
  console.log(
    `${pad("layer", 28)} ${pad("reference fwd", 15)} ${pad("fwd+bwd", 15)} ${pad("fast fwd", 15)} ${
      pad("fwd+bwd", 15)
    } ${pad("speed-up", 9)}`,
  );
  const layers = [
    { name: "conv1 1→6 5x5 pad 2, 28x28", x: [64, 1, 28, 28], w: [6, 1, 5, 5], padding: 2 },
    { name: "conv2 6→16 5x5, 14x14", x: [64, 6, 14, 14], w: [16, 6, 5, 5], padding: 0 },
  ];
  for (const l of layers) {
    const cells: string[] = [];
    const totals: number[] = [];
    for (const backend of ["cpu-reference", "cpu"]) {
      await setBackend(backend);
      const rng = new Rng(2);
      const x = randn(l.x, { rng, requiresGrad: true });
      const w = randn(l.w, { rng, requiresGrad: true });
      const b = randn([l.w[0]], { rng, requiresGrad: true });
      const out = conv2d(x, w, b, { padding: l.padding });
      const [, oc, oh, ow] = out.shape;
      const flops = 2 * l.x[0] * oc * oh * ow * l.w[1] * l.w[2] * l.w[3];
      // Each run in a scope, so its tensors are freed at once (as fit does).
      const fwd = timeIt(() => scope(() => void conv2d(x, w, b, { padding: l.padding })), 9);
      const both = timeIt(() =>
        scope(() => {
          const y = conv2d(x, w, b, { padding: l.padding });
          y.backward(onesLike(y));
          for (const t of [x, w, b]) t.zeroGrad();
        }), 9);
      // Backward computes dX and dW, each as many multiply-adds as the forward pass.
      cells.push(`${fwd.best.toFixed(2)} (${gflops(flops, fwd.best)})`);
      cells.push(`${both.best.toFixed(2)} (${gflops(3 * flops, both.best)})`);
      totals.push(both.best);
    }
    console.log(
      `${pad(l.name, 28)} ${cells.map((c) => pad(c, 15)).join(" ")} ${
        pad((totals[0] / totals[1]).toFixed(1) + "x", 9)
      }`,
    );
  }
}

/** Training images/s at batch 64 (SGD momentum 0.9, random data) on both CPU backends. */
async function benchTraining(): Promise<void> {
  console.log("\nTraining, batch 64, SGD momentum 0.9, random data: images/s (ms per step)");
  console.log(
    `${pad("model", 16)} ${pad("reference", 18)} ${pad("fast", 18)} ${pad("speed-up", 9)}`,
  );
  const models: [string, () => Module, number[], number][] = [
    ["LeNet-5", () => lenet5(), [64, 1, 28, 28], 20],
    ["MLP 784-100-10", () => mlp([784, 100, 10]), [64, 784], 200],
  ];
  for (const [name, make, shape, steps] of models) {
    const rates: number[] = [];
    const cells: string[] = [];
    for (const backend of ["cpu-reference", "cpu"]) {
      await setBackend(backend);
      const step = benchStep(make(), shape);
      const ms = timeIt(step, 5, 500).median; // warm up, then time `steps` steps in a row
      const start = performance.now();
      for (let i = 0; i < steps; i++) step();
      const perStep = Math.min(ms, (performance.now() - start) / steps);
      rates.push(shape[0] * 1000 / perStep);
      cells.push(`${rates.at(-1)!.toFixed(0)} (${perStep.toFixed(2)})`);
    }
    console.log(
      `${pad(name, 16)} ${cells.map((c) => pad(c, 18)).join(" ")} ${
        pad((rates[1] / rates[0]).toFixed(1) + "x", 9)
      }`,
    );
  }
  await setBackend("cpu");
}

/**
 * Prints the CPU figures: matmul at 256-1024 (plain JS, WebAssembly on one
 * and on all threads), LeNet-5's convolutions forward and backward, and
 * LeNet-5 / MLP training speed, reference vs fast.
 *
 * @example
 * ```ts ignore
 * import { cpuBench } from "./cpu_bench.ts";
 * await cpuBench();
 * ```
 */
export async function cpuBench(): Promise<void> {
  const threads = navigator.hardwareConcurrency;
  console.log(
    `neuronbook CPU bench | deno ${Deno.version.deno} (v8 ${Deno.version.v8}) | ${threads} hardware threads`,
  );
  await initBackend("cpu-reference");
  await benchMatmul([256, 512, 1024], threads);
  await benchLenetConvs();
  await benchTraining();
}

if (import.meta.main) await cpuBench();
