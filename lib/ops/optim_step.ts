/**
 * `optimStep`: one optimizer update of a parameter as a single primitive, so
 * a backend can run it as one pass over the parameter, its gradient and its
 * state (the fast CPU backend does) instead of a dozen elementwise ops. The
 * update itself is defined in `op_set.ts` ({@linkcode OptimStepAttrs}); SGD
 * and Adam (`lib/optim/`) call this.
 *
 * @module
 */
import { dispatchOutputs } from "../engine.ts";
import type { OptimStepAttrs } from "../op_set.ts";
import { showShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";

/**
 * Applies one update: returns `[param', ...state']` (new tensors; the inputs
 * are unchanged). `state` is `[velocity]` for SGD with momentum, `[]` without,
 * `[m, v]` for Adam. No gradient flows through it.
 *
 * @example One SGD step with momentum
 * ```ts
 * import { optimStep, tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const p = tensor([1, 2]), g = tensor([0.5, -1]), v = tensor([0, 0]);
 * const [p2, v2] = optimStep(p, g, [v], {
 *   rule: "sgd", lr: 0.5, momentum: 0.9, nesterov: false, weightDecay: 0,
 * });
 * assert.deepEqual(v2.arraySync(), [-0.25, 0.5]); // v·0.9 − g·lr
 * assert.deepEqual(p2.arraySync(), [0.75, 2.5]); // p + v'
 * ```
 */
export function optimStep(
  param: Tensor,
  grad: Tensor,
  state: readonly Tensor[],
  attrs: OptimStepAttrs,
): Tensor[] {
  const want = attrs.rule === "adam" ? 2 : attrs.momentum > 0 ? 1 : 0;
  if (state.length !== want) {
    throw new Error(
      `optimStep: the ${attrs.rule} rule${
        attrs.rule === "sgd" ? ` with momentum ${attrs.momentum}` : ""
      } takes ${want} state tensors, got ${state.length}`,
    );
  }
  for (const t of [grad, ...state]) {
    if (!(t instanceof Tensor) || t.dtype !== param.dtype || !sameShape(t.shape, param.shape)) {
      throw new Error(
        `optimStep: gradient and state must match the parameter (${param.dtype} ` +
          `${showShape(param.shape)}), got ${
            t instanceof Tensor ? `${t.dtype} ${showShape(t.shape)}` : String(t)
          }`,
      );
    }
  }
  if (param.dtype === "int32") {
    throw new Error(`optimStep: needs a float parameter, got int32; use .cast("float32")`);
  }
  return dispatchOutputs("optimStep", [param, grad, ...state], attrs, param.shape, param.dtype);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
