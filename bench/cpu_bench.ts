/**
 * CPU kernel benchmark: GFLOP/s of the blocked `matmulInto` against a naive
 * i-k-j loop, measured in the same run so the ratio is meaningful on any
 * machine.
 *
 * Run alone: `deno run --allow-read --allow-env bench/cpu_bench.ts`;
 * `deno task bench` runs it together with the WebGPU bench (`bench/bench.ts`).
 *
 * @module
 */
import { matmulInto } from "../lib/cpu/matmul.ts";
import { Rng } from "../lib/random.ts";
import { conv2d, onesLike, randn } from "../mod.ts";

/** Timing summary of a few repetitions, in milliseconds. */
interface Timing {
  best: number;
  median: number;
}

/**
 * Runs `fn` untimed for a while first (the JIT needs a few calls to reach its
 * final optimized code, and a late deoptimization would otherwise land in
 * the timings), then `reps` timed times.
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

/** The textbook baseline: i-k-j order with a hoisted a_ik over contiguous rows of B and C. */
function naiveMatmul(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  m: number,
  k: number,
  n: number,
) {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const c0 = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      const b0 = p * n;
      for (let j = 0; j < n; j++) out[c0 + j] += aip * b[b0 + j];
    }
  }
}

function randomFloat32(size: number, rng: Rng): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) x[i] = rng.normal();
  return x;
}

function gflops(flops: number, ms: number): string {
  return (flops / ms / 1e6).toFixed(2);
}

function pad(s: string | number, width: number): string {
  return String(s).padStart(width);
}

/** Square float32 matmul: blocked vs naive, best and median of a few runs. */
function benchMatmul(sizes: number[]): void {
  console.log("\nmatmul float32, GFLOP/s = 2*m*k*n / time (best / median of reps)");
  console.log(
    `${pad("size", 6)} ${pad("blocked best", 13)} ${pad("median", 8)} ${pad("naive best", 11)} ${
      pad("median", 8)
    } ${pad("ratio", 6)}`,
  );
  const rng = new Rng(1);
  const layout = { aBatchStride: 0, bBatchStride: 0, transA: false, transB: false };
  for (const s of sizes) {
    const a = randomFloat32(s * s, rng), b = randomFloat32(s * s, rng);
    const out = new Float32Array(s * s);
    const reps = s >= 1024 ? 5 : 9;
    const flops = 2 * s * s * s;
    const blocked = timeIt(() => matmulInto(a, b, out, 1, s, s, s, layout), reps);
    const naive = timeIt(() => naiveMatmul(a, b, out, s, s, s), reps);
    console.log(
      `${pad(s, 6)} ${pad(gflops(flops, blocked.best), 13)} ${
        pad(gflops(flops, blocked.median), 8)
      } ${pad(gflops(flops, naive.best), 11)} ${pad(gflops(flops, naive.median), 8)} ${
        pad((naive.best / blocked.best).toFixed(2) + "x", 6)
      }`,
    );
  }
}

/**
 * Prints the CPU figures: blocked vs naive matmul at 256-1024, and LeNet-5's
 * convolutions forward and backward.
 *
 * @example
 * ```ts ignore
 * import { cpuBench } from "./cpu_bench.ts";
 * cpuBench();
 * ```
 */
export function cpuBench(): void {
  console.log(
    `neuronbook CPU bench | deno ${Deno.version.deno} (v8 ${Deno.version.v8}) | ${navigator.hardwareConcurrency} hardware threads`,
  );
  benchMatmul([256, 512, 1024]);
  benchLenetConvs();
}

/**
 * LeNet-5's two convolutions at batch 64 through the tensor API (im2col +
 * blocked matmul), forward and backward (gradients for input, weight, bias).
 */
function benchLenetConvs(): void {
  console.log("\nLeNet-5 conv layers, batch 64, float32, GFLOP/s (best / median of reps)");
  console.log(
    `${pad("layer", 28)} ${pad("fwd ms", 8)} ${pad("GFLOP/s", 8)} ${pad("bwd ms", 8)} ${
      pad("GFLOP/s", 8)
    }`,
  );
  const rng = new Rng(2);
  const layers = [
    { name: "conv1 1→6 5x5 pad 2, 28x28", x: [64, 1, 28, 28], w: [6, 1, 5, 5], padding: 2 },
    { name: "conv2 6→16 5x5, 14x14", x: [64, 6, 14, 14], w: [16, 6, 5, 5], padding: 0 },
  ];
  for (const l of layers) {
    const x = randn(l.x, { rng, requiresGrad: true });
    const w = randn(l.w, { rng, requiresGrad: true });
    const b = randn([l.w[0]], { rng, requiresGrad: true });
    const out = conv2d(x, w, b, { padding: l.padding });
    const [, oc, oh, ow] = out.shape;
    const flops = 2 * l.x[0] * oc * oh * ow * l.w[1] * l.w[2] * l.w[3];
    const fwd = timeIt(() => conv2d(x, w, b, { padding: l.padding }), 9);
    const both = timeIt(() => {
      const y = conv2d(x, w, b, { padding: l.padding });
      y.backward(onesLike(y));
    }, 9);
    // Backward computes dX and dW, each as many multiply-adds as the forward pass.
    const bwdBest = Math.max(both.best - fwd.best, 1e-6);
    console.log(
      `${pad(l.name, 28)} ${pad(fwd.best.toFixed(2), 8)} ${pad(gflops(flops, fwd.best), 8)} ${
        pad(bwdBest.toFixed(2), 8)
      } ${pad(gflops(2 * flops, bwdBest), 8)}`,
    );
  }
}

if (import.meta.main) cpuBench();
