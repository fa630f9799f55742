/**
 * neuronbook: tensors with reverse-mode autograd, a CPU reference backend
 * and a WebGPU backend (`await setBackend("webgpu")`, or `"auto"`; importing
 * requests no adapter), for learning and doing neural networks in Deno and
 * Jupyter.
 *
 * @example Train nothing, just differentiate
 * ```ts
 * import { tensor } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const x = tensor(-2, { requiresGrad: true }), y = tensor(5, { requiresGrad: true });
 * const z = tensor(-4, { requiresGrad: true });
 * const f = x.add(y).mul(z);
 * f.backward();
 * assert.deepEqual([f.itemSync(), x.grad!.itemSync(), y.grad!.itemSync(), z.grad!.itemSync()], [-12, -4, -4, 3]);
 * ```
 *
 * @module
 */
import "./lib/cpu/cpu_backend.ts";

export { type NestedArray, Tensor } from "./lib/tensor.ts";
export * from "./lib/ops/mod.ts";
export {
  isGradEnabled,
  type Keep,
  type KeepModule,
  type KeepOptimizer,
  noGrad,
  scope,
} from "./lib/engine.ts";
export {
  type Backend,
  getBackend,
  initBackend,
  listBackends,
  registerBackend,
  setBackend,
  type TypedArray,
} from "./lib/backend.ts";
export type { DType, Shape } from "./lib/op_set.ts";
export { defaultRng, manualSeed, Rng, type RngState } from "./lib/random.ts";
export {
  gradcheck,
  type GradcheckInputReport,
  type GradcheckOptions,
  type GradcheckReport,
  type GradcheckWorst,
} from "./lib/gradcheck.ts";
export { Value, type ValueGraph, valueGraph, type ValueGraphNode } from "./lib/value.ts";
export { formatTensor } from "./lib/format.ts";
export * from "./lib/losses.ts";
export * from "./lib/optim/mod.ts";
export * from "./lib/nn/mod.ts";
export * from "./lib/nn/models.ts";
export * from "./lib/train/fit.ts";
export * from "./lib/train/metrics.ts";
export {
  type PerceptronOptions,
  type PerceptronResult,
  trainPerceptron,
} from "./lib/train/perceptron.ts";
export {
  autoProgress,
  NotebookProgress,
  type ProgressReporter,
  TerminalProgress,
} from "./lib/display/progress.ts";
export type { EpochUpdate, ProgressUpdate } from "./lib/train/reporter.ts";
export { type StepResult, trainStep } from "./lib/train/train_step.ts";
export { loadModel, saveModel } from "./lib/io/checkpoint.ts";
export * from "./datasets/mod.ts";
export {
  type Counters,
  gpu,
  type GpuInfo,
  type GpuLimits,
  type GpuNamespace,
  type GpuProvider,
  type MemoryStats,
  registerWebGpu,
  runKernel,
  type RunKernelOptions,
  type WebGpuBackendOptions,
} from "./gpu/mod.ts";
