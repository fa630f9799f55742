/**
 * The primitive ops: the one small set every backend implements and every
 * gradient rule is written against. Everything else in neuronbook (softmax,
 * conv2d, pooling, losses, layers, optimizers) is a composition of these.
 *
 * Adding an op: name it here, give its gradient rule in
 * `lib/autograd/grad_rules.ts`, implement it in each backend. The type checker
 * refuses a backend that forgot it.
 *
 * This file is the bottom of the core and imports nothing; read upwards from
 * here: `shape.ts`, `backend.ts`, `tensor.ts`, `engine.ts`, `ops/`,
 * `autograd/`, then `ops/methods.ts` and `ops/mod.ts`, which assemble them.
 *
 * @module
 */

/** Element types a tensor can hold. `float64` exists on the CPU backend only. */
export type DType = "float32" | "float64" | "int32";

/** A tensor's shape: one non-negative integer per axis, row-major. */
export type Shape = readonly number[];

/** Unary elementwise primitives. `step` and `sign` have zero gradient everywhere. */
export const UNARY_OPS = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "abs",
  "relu",
  "sigmoid",
  "tanh",
  "step",
  "sign",
] as const;
/** One of {@linkcode UNARY_OPS}. */
export type UnaryOp = typeof UNARY_OPS[number];

/**
 * Binary elementwise primitives with NumPy broadcasting. Comparisons return
 * 1 or 0 in the inputs' dtype and have zero gradient.
 */
export const BINARY_OPS = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
] as const;
/** One of {@linkcode BINARY_OPS}. */
export type BinaryOp = typeof BINARY_OPS[number];

/** Reductions over a set of axes (the reduced axes are kept with size 1). */
export const REDUCE_OPS = ["sum", "max", "min"] as const;
/** One of {@linkcode REDUCE_OPS}. */
export type ReduceOp = typeof REDUCE_OPS[number];

/**
 * Geometry of a sliding-window op (convolution and pooling) on NCHW input.
 * `im2col` turns `[N, C, H, W]` into columns `[N, C*kh*kw, outH*outW]`;
 * `col2im` is its adjoint (sums overlapping windows back).
 */
export interface WindowGeometry {
  /** Batch size. */
  n: number;
  /** Input channels. */
  c: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Kernel height. */
  kh: number;
  /** Kernel width. */
  kw: number;
  /** Stride along height and width. */
  stride: number;
  /** Zero padding on every side. */
  padding: number;
  /** Output height: `floor((h + 2*padding - kh) / stride) + 1`. */
  outH: number;
  /** Output width: `floor((w + 2*padding - kw) / stride) + 1`. */
  outW: number;
}

/**
 * One optimizer update of a parameter (the `optimStep` primitive), as its
 * rule and the constants it uses, all derived once by the op
 * (`ops/optim_step.ts`) so every backend rounds the same numbers. Inputs are
 * `[param, grad, ...state]`, outputs `[param', ...state']`, all of the
 * param's shape and dtype; each kernel rounds after every operation in the
 * order written here, so it equals the same update composed of `binary` and
 * `unary` ops bit for bit (tested against that composed form).
 *
 * - `sgd` (state `[v]` when `momentum > 0`, else none): `g = grad + p·weightDecay`
 *   (when `weightDecay ≠ 0`); without momentum `p' = p − g·lr`; with it
 *   `s = g·lr`, `v' = v·momentum − s`, `p' = p + v'`, or with `nesterov`
 *   `p' = p + (v'·momentum − s)`.
 * - `adam` (state `[m, v]`): `g` as for sgd; `m' = m·beta1 + g·(1 − beta1)`,
 *   `v' = v·beta2 + (g·g)·(1 − beta2)`, `d = sqrt(v')·bias2 + eps`,
 *   `w = p·decay` (when `decay ≠ 1`, decoupled weight decay) else `p`,
 *   `p' = w − (m' / d)·stepSize`.
 */
export type OptimStepAttrs =
  | { rule: "sgd"; lr: number; momentum: number; nesterov: boolean; weightDecay: number }
  | {
    rule: "adam";
    beta1: number;
    beta2: number;
    /** The bias-corrected step, lr / (1 − beta1^t). */
    stepSize: number;
    /** 1 / sqrt(1 − beta2^t). */
    bias2: number;
    eps: number;
    weightDecay: number;
    /** 1 − lr·weightDecay with decoupled weight decay (AdamW), else 1. */
    decay: number;
  };

/**
 * Every primitive with its attributes. A backend implements exactly these
 * (see {@linkcode Backend}); the gradient table has one rule per entry.
 *
 * "Go to definition" on the name in `dispatch("matmul", ...)` lands here.
 * Each entry names the op that dispatches it (in `lib/ops/`), its gradient
 * rule (`GRAD_RULES` in `lib/autograd/grad_rules.ts`, same key) and its
 * kernels: the CPU reference table in `lib/cpu/reference_kernels.ts` (the
 * fast CPU backend, `lib/cpu/fast_backend.ts`, overrides some with
 * WebAssembly), the WebGPU one in `gpu/backend.ts`, each entry calling the
 * kernel of the file named.
 */
export interface PrimitiveAttrs {
  /** `ops/elementwise.ts` `unary` (neg, exp, ...; relu, sigmoid, tanh in `ops/nn.ts`). Kernels: `cpu/elementwise.ts`, `gpu/kernels/elementwise.ts`. */
  unary: { op: UnaryOp };
  /** `ops/elementwise.ts` `binary` (add, mul, comparisons, ...). Kernels: `cpu/elementwise.ts`, `gpu/kernels/elementwise.ts`. */
  binary: { op: BinaryOp };
  /** `ops/elementwise.ts` `where`. Kernels: `cpu/elementwise.ts`, `gpu/kernels/elementwise.ts`. */
  where: Record<string, never>;
  /** `ops/reduce.ts` (sum, max, min). Kernels: `cpu/reduce.ts`, `gpu/kernels/reduce.ts`. */
  reduce: { op: ReduceOp; axes: number[] };
  /** `ops/reduce.ts` `argmax`. Kernels: `cpu/reduce.ts`, `gpu/kernels/reduce.ts`. */
  argmax: { axis: number };
  /** `ops/elementwise.ts` `cast`. Kernels: `cpu/elementwise.ts`, `gpu/kernels/elementwise.ts`. */
  cast: { dtype: DType };
  /** `ops/movement.ts` `expand`. Kernels: `cpu/elementwise.ts`, `gpu/kernels/movement.ts`. */
  expand: { shape: Shape };
  /** `ops/movement.ts` `permute`. Kernels: `cpu/movement.ts`, `gpu/kernels/movement.ts`. */
  permute: { perm: number[] };
  /** `ops/movement.ts` `slice`. Kernels: `cpu/movement.ts`, `gpu/kernels/movement.ts`. */
  slice: { starts: number[]; ends: number[] };
  /** `ops/movement.ts` `pad`. Kernels: `cpu/movement.ts`, `gpu/kernels/movement.ts`. */
  pad: { before: number[]; after: number[]; value: number };
  /** `ops/movement.ts` `take`. Kernels: `cpu/movement.ts`, `gpu/kernels/movement.ts`. */
  gather: { axis: 0 };
  /** `ops/movement.ts` `scatterAdd`. Kernels: `cpu/movement.ts`, `gpu/kernels/movement.ts`. */
  scatterAdd: { size: number };
  /** `ops/linalg.ts` `matmul`. Kernels: `cpu/matmul.ts`, `gpu/kernels/matmul.ts`. */
  matmul: { transA: boolean; transB: boolean };
  /** `ops/nn.ts` `im2col`. Kernels: `cpu/window.ts`, `gpu/kernels/window.ts`. */
  im2col: { geom: WindowGeometry };
  /** `ops/nn.ts` `col2im`. Kernels: `cpu/window.ts`, `gpu/kernels/window.ts`. */
  col2im: { geom: WindowGeometry };
  /** `ops/optim_step.ts` `optimStep` (SGD, Adam): several outputs, no gradient. Kernels: `cpu/optim_step.ts`, `gpu/kernels/optim_step.ts`. */
  optimStep: OptimStepAttrs;
}

/** The name of a primitive op. */
export type Primitive = keyof PrimitiveAttrs;

/**
 * Ops that need no kernel: `reshape` shares its input's storage (tensors are
 * always contiguous) but still takes part in autograd.
 */
export interface ViewAttrs {
  /** `ops/movement.ts` `reshape`: the same storage seen with a new shape. */
  reshape: { shape: Shape };
}

/** Everything a graph node can record: the primitives plus the views. */
export type GraphOp = Primitive | keyof ViewAttrs;

/** The attributes of any graph op. */
export type GraphAttrs = PrimitiveAttrs & ViewAttrs;

/** Comparisons: their results are 1 or 0 and carry no gradient. */
const COMPARISONS: ReadonlySet<BinaryOp> = new Set(["eq", "ne", "lt", "le", "gt", "ge"]);

/**
 * Whether an application of `op` has a gradient: comparisons and `argmax`
 * (an index) don't, so the engine records no graph node for them.
 *
 * @example
 * ```ts
 * import { isDifferentiable } from "./op_set.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isDifferentiable("binary", { op: "lt" }), false);
 * assert.equal(isDifferentiable("binary", { op: "mul" }), true);
 * assert.equal(isDifferentiable("argmax", { axis: 0 }), false);
 * ```
 */
export function isDifferentiable<P extends GraphOp>(op: P, attrs: GraphAttrs[P]): boolean {
  if (op === "argmax" || op === "optimStep") return false;
  return !(op === "binary" && COMPARISONS.has((attrs as GraphAttrs["binary"]).op));
}
