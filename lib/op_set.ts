/**
 * The primitive ops: the one small set every backend implements and every
 * gradient rule is written against. Everything else in neuronbook (softmax,
 * conv2d, pooling, losses, layers, optimizers) is a composition of these.
 *
 * Adding an op: name it here, give its gradient rule in
 * `lib/autograd/grad_rules.ts`, implement it in each backend. The type checker
 * refuses a backend that forgot it.
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
 * Every primitive with its attributes. A backend implements exactly these
 * (see {@linkcode Backend}); the gradient table has one rule per entry.
 */
export interface PrimitiveAttrs {
  unary: { op: UnaryOp };
  binary: { op: BinaryOp };
  where: Record<string, never>;
  reduce: { op: ReduceOp; axes: number[] };
  argmax: { axis: number };
  cast: { dtype: DType };
  expand: { shape: Shape };
  permute: { perm: number[] };
  slice: { starts: number[]; ends: number[] };
  pad: { before: number[]; after: number[]; value: number };
  gather: { axis: 0 };
  scatterAdd: { size: number };
  matmul: { transA: boolean; transB: boolean };
  im2col: { geom: WindowGeometry };
  col2im: { geom: WindowGeometry };
}

/** The name of a primitive op. */
export type Primitive = keyof PrimitiveAttrs;

/**
 * Ops that need no kernel: `reshape` shares its input's storage (tensors are
 * always contiguous) but still takes part in autograd.
 */
export interface ViewAttrs {
  reshape: { shape: Shape };
}

/** Everything a graph node can record: the primitives plus the views. */
export type GraphOp = Primitive | keyof ViewAttrs;

/** The attributes of any graph op. */
export type GraphAttrs = PrimitiveAttrs & ViewAttrs;
