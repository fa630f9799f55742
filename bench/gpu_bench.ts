/**
 * WebGPU bench, next to the same LeNet-5 training measured on the CPU: the
 * adapter and its limits, how long the first pipeline takes to give a
 * result (compiling dominates on llvmpipe), tiled matmul GFLOP/s at 1024 and
 * 2048, LeNet-5 training images/s at batch 64 on both backends, and what a
 * WebGPU training step costs in submits, readbacks and pipeline
 * compilations. It uses whatever adapter `navigator.gpu` offers (software
 * ones included) and prints one line instead of the WebGPU figures where
 * there is none, so it runs unchanged on any machine.
 *
 * Run alone: `deno run --allow-read --allow-env bench/gpu_bench.ts`.
 *
 * @module
 */
import {
  crossEntropy,
  fromValues,
  gpu,
  lenet5,
  matmul,
  randn,
  Rng,
  type Sequential,
  setBackend,
  SGD,
  type Tensor,
  trainStep,
} from "../mod.ts";

const BATCH = 64;

/** One LeNet-5 training step, `fit`'s own: batch moved to the device, forward, backward, update. */
function step(model: Sequential, optimizer: SGD, x: Tensor, y: Tensor): void {
  const { loss, correct } = trainStep(model, { x, y }, crossEntropy, optimizer);
  loss.dispose(), correct?.dispose();
}

/** Waits for the device to finish (a no-op on the CPU, which computes synchronously). */
async function settle(device: string): Promise<void> {
  if (device === "webgpu") await gpu.sync();
}

/**
 * LeNet-5 training images/s at batch 64 on random images (no dataset
 * needed), after warm-up steps that compile every pipeline.
 */
async function lenetTraining(
  device: "cpu" | "webgpu",
  steps: number,
): Promise<{ imagesPerSecond: number; msPerStep: number; firstStepMs: number }> {
  await setBackend(device);
  const rng = new Rng(0);
  const x = randn([BATCH, 1, 28, 28], { rng, backend: "cpu" });
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(rng.uniform() * 10));
  const y = fromValues(labels, [BATCH], { dtype: "int32", backend: "cpu" });
  const model = lenet5({ rng });
  const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  let start = performance.now();
  step(model, optimizer, x, y);
  await settle(device);
  const firstStepMs = performance.now() - start;
  step(model, optimizer, x, y);
  await settle(device);
  if (device === "webgpu") gpu.resetCounters();
  start = performance.now();
  for (let i = 0; i < steps; i++) step(model, optimizer, x, y);
  await settle(device);
  const msPerStep = (performance.now() - start) / steps;
  return { imagesPerSecond: BATCH / (msPerStep / 1000), msPerStep, firstStepMs };
}

function mib(bytes: number): string {
  return bytes >= 1 << 30
    ? `${(bytes / 2 ** 30).toFixed(1)} GiB`
    : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Best GFLOP/s of `reps` square products of size `n` on the GPU. */
async function matmulGflops(n: number, reps: number): Promise<number> {
  const rng = new Rng(n);
  const a = randn([n, n], { rng }), b = randn([n, n], { rng });
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    await gpu.sync();
    const start = performance.now();
    const c = matmul(a, b);
    await gpu.sync();
    best = Math.min(best, performance.now() - start);
    c.dispose();
  }
  a.dispose(), b.dispose();
  return 2 * n ** 3 / best / 1e6;
}

/**
 * Prints LeNet-5 training images/s on the CPU, then the WebGPU figures (or
 * one line saying why there are none).
 *
 * @example
 * ```ts ignore
 * import { gpuBench } from "./gpu_bench.ts";
 * await gpuBench();
 * ```
 */
export async function gpuBench(): Promise<void> {
  const steps = 5;
  console.log(`\nLeNet-5 training, batch ${BATCH}, random images, ${steps} steps after warm-up`);
  const cpu = await lenetTraining("cpu", steps);
  console.log(
    `  cpu     ${cpu.imagesPerSecond.toFixed(0).padStart(6)} images/s  ` +
      `(${cpu.msPerStep.toFixed(0)} ms/step)`,
  );
  try {
    await setBackend("webgpu");
  } catch (err) {
    console.log(`\nWebGPU: skipped, no adapter to run on (${(err as Error).message})`);
    return;
  }
  const info = gpu.info();
  console.log(
    `\nWebGPU adapter: ${info.name}${info.software ? " (software)" : ""} | ` +
      `maxStorageBufferBindingSize ${mib(info.maxStorageBufferBindingSize)} | ` +
      `maxComputeWorkgroupsPerDimension ${info.maxComputeWorkgroupsPerDimension}`,
  );
  // The first result of a pipeline includes its compilation (llvmpipe compiles
  // at the first dispatch; Mesa then caches the machine code on disk).
  const one = randn([4]);
  let start = performance.now();
  await one.add(1).data();
  const firstMs = performance.now() - start;
  start = performance.now();
  await one.mul(2).data();
  const againMs = performance.now() - start;
  console.log(
    `  first pipeline: ${firstMs.toFixed(0)} ms to its first result (compile, dispatch, ` +
      `readback; drivers cache compiled shaders on disk, so reruns are faster); an op on a ` +
      `compiled pipeline: ${againMs.toFixed(1)} ms`,
  );
  const webgpu = await lenetTraining("webgpu", steps);
  const counted = gpu.counters();
  console.log(
    `  LeNet-5 training: ${webgpu.imagesPerSecond.toFixed(0)} images/s ` +
      `(${webgpu.msPerStep.toFixed(0)} ms/step; the first step, compiling the other ` +
      `pipelines, took ${webgpu.firstStepMs.toFixed(0)} ms)`,
  );
  const per = (n: number) => (n / steps).toFixed(1).replace(/\.0$/, "");
  console.log(
    `  per training step: ${per(counted.submits)} command-buffer submits, ` +
      `${per(counted.readbacks)} readbacks, ${per(counted.compilations)} pipeline ` +
      `compilations (${per(counted.dispatches)} dispatches, ${per(counted.uploads)} uploads)`,
  );
  const g1024 = await matmulGflops(1024, 3);
  const g2048 = await matmulGflops(2048, 2);
  console.log(
    `  matmul float32, best of a few: 1024: ${g1024.toFixed(2)} GFLOP/s, ` +
      `2048: ${g2048.toFixed(2)} GFLOP/s`,
  );
  await setBackend("cpu");
}

if (import.meta.main) await gpuBench();
