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
// The core. Importing lib/ops/mod.ts assembles it: Tensor's methods and the
// CPU backend (the reference, always present).
export { type NestedArray, type Node, Tensor } from "./lib/tensor.ts";
export {
  arange,
  eye,
  fromValues,
  full,
  linspace,
  normal,
  ones,
  onesLike,
  rand,
  randn,
  type RandomOptions,
  tensor,
  type TensorOptions,
  toBackend,
  toBackendAsync,
  uniform,
  zeros,
  zerosLike,
} from "./lib/ops/mod.ts";
export {
  abs,
  add,
  cast,
  clamp,
  div,
  eq,
  exp,
  ge,
  gt,
  le,
  log,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  sqrt,
  sub,
  type TensorLike,
  where,
} from "./lib/ops/mod.ts";
export { argmax, max, mean, min, sum, variance } from "./lib/ops/mod.ts";
export {
  concat,
  expand,
  flatten,
  pad,
  permute,
  reshape,
  slice,
  type SliceRange,
  squeeze,
  stack,
  take,
  transpose,
  unsqueeze,
} from "./lib/ops/mod.ts";
export { matmul, type MatmulOptions } from "./lib/ops/mod.ts";
export { optimStep } from "./lib/ops/mod.ts";
export {
  avgPool2d,
  conv2d,
  type Conv2dOptions,
  elu,
  leakyRelu,
  linear,
  logSoftmax,
  maxPool2d,
  type PoolOptions,
  relu,
  sigmoid,
  sign,
  softmax,
  softplus,
  step,
  tanh,
} from "./lib/ops/mod.ts";
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
  type BackendFactory,
  getBackend,
  initBackend,
  type Kernel,
  type Kernels,
  listBackends,
  type OutSpec,
  registerBackend,
  setBackend,
  type TensorInfo,
  type TypedArray,
} from "./lib/backend.ts";
export { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from "./lib/op_set.ts";
export type {
  BinaryOp,
  DType,
  GraphAttrs,
  GraphOp,
  OptimStepAttrs,
  Primitive,
  PrimitiveAttrs,
  ReduceOp,
  Shape,
  UnaryOp,
  ViewAttrs,
  WindowGeometry,
} from "./lib/op_set.ts";
export { manualSeed, Rng, type RngState } from "./lib/random.ts";
export {
  gradcheck,
  type GradcheckInputReport,
  type GradcheckOptions,
  type GradcheckReport,
  type GradcheckWorst,
} from "./lib/gradcheck.ts";
export { Value, type ValueGraph, valueGraph, type ValueGraphNode } from "./lib/value.ts";

// Built from ops: losses, optimizers, layers, training, checkpoints.
export * from "./lib/losses.ts";
export * from "./lib/optim/mod.ts";
export { Module } from "./lib/nn/module.ts";
export {
  gaussianInit,
  heInit,
  type Initializer,
  type InitOptions,
  lecunInit,
  uniformInit,
  xavierInit,
} from "./lib/nn/init.ts";
export {
  AvgPool2d,
  Conv2d,
  type Conv2dLayerOptions,
  Dropout,
  type DropoutOptions,
  Flatten,
  Linear,
  type LinearOptions,
  MaxPool2d,
  type ParameterOptions,
  Pool2d,
  type PoolLayerOptions,
  Sequential,
} from "./lib/nn/layers.ts";
export * from "./lib/nn/activations.ts";
export * from "./lib/nn/summary.ts";
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
  type NotebookProgressOptions,
  type ProgressReporter,
  TerminalProgress,
} from "./lib/display/progress.ts";
export type { EpochUpdate, ProgressUpdate } from "./lib/train/reporter.ts";
export { type StepResult, trainStep } from "./lib/train/train_step.ts";
export type { JupyterDisplay, MimeBundle } from "./lib/jupyter.ts";
export { loadModel, saveModel } from "./lib/io/checkpoint.ts";
export * from "./datasets/mod.ts";

// The WebGPU backend: registered here, started by setBackend("webgpu").
export {
  type Counters,
  gpu,
  type GpuInfo,
  type GpuLimits,
  type GpuNamespace,
  type GpuProvider,
  type MemoryStats,
  registerWebGpu,
  type RequestGpuOptions,
  runKernel,
  type RunKernelOptions,
  type WebGpuBackendOptions,
} from "./gpu/mod.ts";

// The one thing importing neuronbook does to its surroundings, and only inside
// Deno's Jupyter kernel: each cell waits until its outputs have left the
// kernel, so "Run All" keeps them under their own cells (Deno 2.9's kernel
// otherwise puts some under the next cell; see lib/jupyter.ts).
import { keepOutputsInOrder } from "./lib/jupyter.ts";
keepOutputsInOrder();
