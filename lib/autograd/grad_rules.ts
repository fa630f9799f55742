/**
 * The gradient rules: one entry per primitive, written with ops so every
 * backend shares them. A rule gets the upstream gradient `g` (shaped like the
 * op's output), the recorded node and the output, and returns one gradient per
 * input (or null where that input needs none).
 *
 * @module
 */
import type { GraphAttrs, GraphOp } from "../op_set.ts";
import type { Tensor } from "../tensor.ts";
import { zerosLike } from "../ops/creation.ts";
import { add, cast, div, eq, gt, log, mul, neg, pow, sub, where } from "../ops/elementwise.ts";
import {
  expand,
  pad,
  permute,
  reshape,
  scatterAdd,
  slice,
  sumToShape,
  take,
} from "../ops/movement.ts";
import { sum } from "../ops/reduce.ts";
import { matmul } from "../ops/linalg.ts";
import { col2im, im2col, sign, step } from "../ops/nn.ts";

/** What a rule sees: the node's inputs and attributes, its output, which inputs need gradients. */
export interface GradContext<P extends GraphOp> {
  /** The op's inputs. */
  readonly inputs: readonly Tensor[];
  /** The op's attributes. */
  readonly attrs: GraphAttrs[P];
  /** The op's output (saves recomputing e^x, σ(x), ...). */
  readonly out: Tensor;
  /** `needs[i]`: whether input i wants a gradient (skip the work otherwise). */
  readonly needs: readonly boolean[];
}

/** A gradient rule. */
export type GradRule<P extends GraphOp> = (g: Tensor, ctx: GradContext<P>) => (Tensor | null)[];

/**
 * One rule per graph op; `null` marks an op with no gradient (argmax, optimStep; see
 * `isDifferentiable` in `op_set.ts`, which also excludes comparisons).
 */
export const GRAD_RULES: { readonly [P in GraphOp]: GradRule<P> | null } = {
  unary: (g, { inputs: [x], attrs: { op }, out }) => {
    switch (op) {
      case "neg":
        return [neg(g)];
      case "exp":
        return [mul(g, out)];
      case "log":
        return [div(g, x)];
      case "sqrt":
        return [div(g, mul(out, 2))];
      case "abs":
        return [mul(g, sign(x))];
      case "relu":
        return [mul(g, step(x))];
      case "sigmoid": // σ' = σ(1 − σ)
        return [mul(g, mul(out, sub(1, out)))];
      case "tanh": // tanh' = 1 − tanh²
        return [mul(g, sub(1, mul(out, out)))];
      case "step":
      case "sign": // piecewise constant: zero gradient (undefined at the jump)
        return [zerosLike(x)];
    }
  },
  binary: (g, { inputs: [a, b], attrs: { op }, out, needs }) => {
    const toA = (t: Tensor) => needs[0] ? sumToShape(t, a.shape) : null;
    const toB = (t: Tensor) => needs[1] ? sumToShape(t, b.shape) : null;
    switch (op) {
      case "add":
        return [toA(g), toB(g)];
      case "sub":
        return [toA(g), needs[1] ? toB(neg(g)) : null];
      case "mul":
        return [needs[0] ? toA(mul(g, b)) : null, needs[1] ? toB(mul(g, a)) : null];
      case "div":
        return [needs[0] ? toA(div(g, b)) : null, needs[1] ? toB(neg(div(mul(g, out), b))) : null];
      case "pow": // d/da a^b = b a^(b−1) (0 where b = 0, even at a = 0); d/db a^b = a^b ln a (0 where a ≤ 0)
        return [
          needs[0] ? toA(mul(g, where(eq(b, 0), 0, mul(b, pow(a, sub(b, 1)))))) : null,
          needs[1] ? toB(mul(g, mul(out, where(gt(a, 0), log(where(gt(a, 0), a, 1)), 0)))) : null,
        ];
      case "maximum":
      case "minimum": {
        // The winner takes the gradient; exact ties share it equally.
        const tie = mul(eq(a, b), 0.5);
        const aWins = add(op === "maximum" ? gt(a, b) : gt(b, a), tie);
        return [needs[0] ? toA(mul(g, aWins)) : null, needs[1] ? toB(mul(g, sub(1, aWins))) : null];
      }
      default: // comparisons are never recorded (see isDifferentiable in op_set.ts)
        throw new Error(`no gradient for comparison ${op}`);
    }
  },
  where: (g, { inputs: [c, a, b], needs }) => [
    null,
    needs[1] ? sumToShape(where(c, g, 0), a.shape) : null,
    needs[2] ? sumToShape(where(c, 0, g), b.shape) : null,
  ],
  reduce: (g, { inputs: [x], attrs: { op, axes }, out }) => {
    if (op === "sum") return [expand(g, x.shape)];
    // max/min: the elements equal to the result share its gradient. `out` and `g` keep the
    // reduced axes as 1s, so eq and mul broadcast them (no expanded copies).
    const hits = eq(x, out);
    return [mul(hits, div(g, sum(hits, axes, true)))];
  },
  argmax: null,
  optimStep: null,
  cast: (g, { inputs: [x] }) => [x.dtype === "int32" ? null : cast(g, x.dtype)],
  expand: (g, { inputs: [x] }) => [sumToShape(g, x.shape)],
  permute: (g, { attrs: { perm } }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => inverse[p] = i);
    return [permute(g, inverse)];
  },
  slice: (g, { inputs: [x], attrs: { starts, ends } }) => [
    pad(g, starts, ends.map((e, i) => x.shape[i] - e)),
  ],
  pad: (g, { inputs: [x], attrs: { before } }) => [
    slice(g, before.map((b, i) => [b, b + x.shape[i]] as const)),
  ],
  gather: (g, { inputs: [x, idx] }) => [scatterAdd(g, idx, x.shape[0]), null],
  scatterAdd: (g, { inputs: [_, idx] }) => [take(g, idx), null],
  matmul: (g, { inputs: [a, b], attrs: { transA, transB }, needs }) => {
    // C = op(A)·op(B)  ⇒  dop(A) = g·op(B)ᵀ,  dop(B) = op(A)ᵀ·g.
    const mm = (x: Tensor, y: Tensor, tx: boolean, ty: boolean, like: Tensor) =>
      sumToShape(matmul(x, y, { transA: tx, transB: ty }), like.shape); // a broadcast batch sums back
    return [
      needs[0] ? (transA ? mm(b, g, transB, true, a) : mm(g, b, false, !transB, a)) : null,
      needs[1] ? (transB ? mm(g, a, true, transA, b) : mm(a, g, !transA, false, b)) : null,
    ];
  },
  im2col: (g, { attrs: { geom } }) => [col2im(g, geom)],
  col2im: (g, { attrs: { geom } }) => [im2col(g, geom)],
  reshape: (g, { inputs: [x] }) => [reshape(g, x.shape)],
};
