/**
 * Elementwise ops with NumPy broadcasting: arithmetic, comparisons, `where`,
 * math functions. Each is a thin validating wrapper around a primitive.
 *
 * @module
 */
import { dispatch } from "../engine.ts";
import type { BinaryOp, DType, UnaryOp } from "../op_set.ts";
import { broadcastShapes, showShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { fromValues } from "./creation.ts";
import { describeValue } from "../format.ts";

/** A tensor, or a number taken as a scalar of the other operand's dtype. */
export type TensorLike = Tensor | number;

/** Turns a number into a 0-d tensor like `ref` (same dtype and backend). */
function scalarLike(ref: Tensor, value: TensorLike, op: string): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== "number") {
    throw new TypeError(
      `${op}: an operand is ${describeValue(value)}; operands are tensors or numbers`,
    );
  }
  return fromValues([value], [], { dtype: ref.dtype, backend: ref.backend.name });
}

const FLOAT_ONLY: ReadonlySet<UnaryOp> = new Set(["exp", "log", "sqrt", "sigmoid", "tanh"]);

/**
 * Applies a unary primitive by its name in the op set.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { unary } from "./elementwise.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(unary("abs", tensor([-1, 2])).arraySync(), [1, 2]);
 * ```
 */
export function unary(op: UnaryOp, x: Tensor): Tensor {
  if (FLOAT_ONLY.has(op) && x.dtype === "int32") {
    throw new Error(`${op}: needs a float tensor, got int32; use x.cast("float32")`);
  }
  return dispatch("unary", [x], { op }, x.shape, x.dtype);
}

/**
 * Applies a binary primitive by its name in the op set, with broadcasting;
 * numbers adopt the tensor's dtype.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { binary } from "./elementwise.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(binary("maximum", tensor([1, 5]), 3).arraySync(), [3, 5]);
 * ```
 */
export function binary(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new Error(`${op}: at least one argument must be a Tensor`);
  }
  const ta = a instanceof Tensor ? a : scalarLike(b as Tensor, a, op);
  const tb = scalarLike(ta, b, op);
  if (ta.dtype !== tb.dtype) {
    throw new Error(
      `${op}: dtype mismatch: ${ta.dtype} ${showShape(ta.shape)} and ${tb.dtype} ${
        showShape(tb.shape)
      }; convert one with .cast("${ta.dtype}")`,
    );
  }
  const shape = broadcastShapes(ta.shape, tb.shape, op);
  return dispatch("binary", [ta, tb], { op }, shape, ta.dtype);
}

/**
 * `a + b` with broadcasting.
 *
 * @example
 * ```ts
 * import { add, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(add(tensor([[1], [2]]), tensor([10, 20])).arraySync(), [[11, 21], [12, 22]]);
 * ```
 */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binary("add", a, b);
}

/**
 * `a - b` with broadcasting.
 *
 * @example
 * ```ts
 * import { sub, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sub(tensor([3, 4]), 1).arraySync(), [2, 3]);
 * ```
 */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binary("sub", a, b);
}

/**
 * `a * b` with broadcasting.
 *
 * @example
 * ```ts
 * import { mul, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(mul(tensor([1, 2]), tensor([3, 4])).arraySync(), [3, 8]);
 * ```
 */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binary("mul", a, b);
}

/**
 * `a / b` with broadcasting.
 *
 * @example
 * ```ts
 * import { div, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(div(tensor([1, 2]), 2).arraySync(), [0.5, 1]);
 * ```
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binary("div", a, b);
}

/**
 * `a ** b` with broadcasting (the gradient for `b` needs `a > 0`).
 *
 * @example
 * ```ts
 * import { pow, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(pow(tensor([2, 3]), 2).arraySync(), [4, 9]);
 * ```
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binary("pow", a, b);
}

/**
 * Elementwise maximum (ties share the gradient equally).
 *
 * @example
 * ```ts
 * import { maximum, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(maximum(tensor([1, 5]), 3).arraySync(), [3, 5]);
 * ```
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binary("maximum", a, b);
}

/**
 * Elementwise minimum (ties share the gradient equally).
 *
 * @example
 * ```ts
 * import { minimum, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(minimum(tensor([1, 5]), 3).arraySync(), [1, 3]);
 * ```
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binary("minimum", a, b);
}

/**
 * 1 where `a == b`, else 0 (in the inputs' dtype; no gradient).
 *
 * @example
 * ```ts
 * import { eq, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(eq(tensor([1, 2]), 2).arraySync(), [0, 1]);
 * ```
 */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return binary("eq", a, b);
}

/**
 * 1 where `a != b`, else 0.
 *
 * @example
 * ```ts
 * import { ne, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(ne(tensor([1, 2]), 2).arraySync(), [1, 0]);
 * ```
 */
export function ne(a: TensorLike, b: TensorLike): Tensor {
  return binary("ne", a, b);
}

/**
 * 1 where `a < b`, else 0.
 *
 * @example
 * ```ts
 * import { lt, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(lt(tensor([1, 2]), 2).arraySync(), [1, 0]);
 * ```
 */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return binary("lt", a, b);
}

/**
 * 1 where `a <= b`, else 0.
 *
 * @example
 * ```ts
 * import { le, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(le(tensor([1, 3]), 2).arraySync(), [1, 0]);
 * ```
 */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return binary("le", a, b);
}

/**
 * 1 where `a > b`, else 0.
 *
 * @example
 * ```ts
 * import { gt, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(gt(tensor([1, 3]), 2).arraySync(), [0, 1]);
 * ```
 */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return binary("gt", a, b);
}

/**
 * 1 where `a >= b`, else 0.
 *
 * @example
 * ```ts
 * import { ge, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(ge(tensor([1, 2]), 2).arraySync(), [0, 1]);
 * ```
 */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return binary("ge", a, b);
}

/**
 * Picks `a` where `cond` is nonzero, else `b` (all three broadcast).
 *
 * @example
 * ```ts
 * import { where, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(where(tensor([1, 0]), tensor([5, 6]), 0).arraySync(), [5, 0]);
 * ```
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const ref = a instanceof Tensor ? a : b instanceof Tensor ? b : cond;
  const ta = scalarLike(ref, a, "where");
  const tb = scalarLike(ta, b, "where");
  if (ta.dtype !== tb.dtype) {
    throw new Error(`where: dtype mismatch between the branches: ${ta.dtype} and ${tb.dtype}`);
  }
  const c = cond.dtype === ta.dtype ? cond : cast(cond, ta.dtype);
  const shape = broadcastShapes(broadcastShapes(c.shape, ta.shape, "where"), tb.shape, "where");
  return dispatch("where", [c, ta, tb], {}, shape, ta.dtype);
}

/**
 * Converts to another dtype (float to int32 truncates toward zero).
 *
 * @example
 * ```ts
 * import { cast, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(cast(tensor([1.7, -1.7]), "int32").arraySync(), [1, -1]);
 * ```
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  if (dtype === "float64" && !x.backend.supportsFloat64) {
    throw new Error(`cast: float64 is not supported on the "${x.backend.name}" backend`);
  }
  return dispatch("cast", [x], { dtype }, x.shape, dtype);
}

/**
 * `-x`.
 *
 * @example
 * ```ts
 * import { neg, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(neg(tensor([1, -2])).arraySync(), [-1, 2]);
 * ```
 */
export function neg(x: Tensor): Tensor {
  return unary("neg", x);
}

/**
 * `e^x`.
 *
 * @example
 * ```ts
 * import { exp, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(exp(tensor([0])).arraySync(), [1]);
 * ```
 */
export function exp(x: Tensor): Tensor {
  return unary("exp", x);
}

/**
 * Natural logarithm.
 *
 * @example
 * ```ts
 * import { log, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(log(tensor([1])).arraySync(), [0]);
 * ```
 */
export function log(x: Tensor): Tensor {
  return unary("log", x);
}

/**
 * Square root.
 *
 * @example
 * ```ts
 * import { sqrt, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(sqrt(tensor([4, 9])).arraySync(), [2, 3]);
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  return unary("sqrt", x);
}

/**
 * Absolute value (gradient `sign(x)`).
 *
 * @example
 * ```ts
 * import { abs, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(abs(tensor([-2, 3])).arraySync(), [2, 3]);
 * ```
 */
export function abs(x: Tensor): Tensor {
  return unary("abs", x);
}

/**
 * Clamps values into `[lo, hi]`: gradient 1 inside and at the bounds, 0
 * outside (as in PyTorch); NaN stays NaN.
 *
 * @example
 * ```ts
 * import { clamp, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual(clamp(tensor([-2, 0.5, 3]), 0, 1).arraySync(), [0, 0.5, 1]);
 * ```
 */
export function clamp(x: Tensor, lo: number, hi: number): Tensor {
  if (lo > hi) throw new Error(`clamp: lower bound ${lo} is above upper bound ${hi}`);
  return where(lt(x, lo), lo, where(gt(x, hi), hi, x));
}
