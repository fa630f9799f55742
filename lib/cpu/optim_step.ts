/**
 * The reference kernel of `optimStep` (SGD, Adam): the update of
 * `OptimStepAttrs` in `op_set.ts`, one element at a time, rounding to the
 * dtype after every operation exactly as the same update composed of
 * elementwise ops would (float32 through `Math.fround`; float64 exactly).
 *
 * @module
 */
import type { OutSpec, TensorInfo, TypedArray } from "../backend.ts";
import type { OptimStepAttrs } from "../op_set.ts";
import { alloc } from "./elementwise.ts";

type Float = Float32Array | Float64Array;
type Round = (x: number) => number;
const exact: Round = (x) => x;

/**
 * `[param', ...state']` of one update of `inputs = [param, grad, ...state]`.
 *
 * @example
 * ```ts
 * import { optimStep } from "./optim_step.ts";
 * import assert from "node:assert/strict";
 * const info = (v: number[]) => ({ storage: Float64Array.from(v), shape: [v.length], dtype: "float64" as const, size: v.length });
 * const [p] = optimStep([info([1]), info([2])], { rule: "sgd", lr: 0.5, momentum: 0, nesterov: false, weightDecay: 0 }, { shape: [1], dtype: "float64", size: 1 });
 * assert.deepEqual([...p], [0]);
 * ```
 */
export function optimStep(
  inputs: readonly TensorInfo[],
  attrs: OptimStepAttrs,
  out: OutSpec,
): TypedArray[] {
  const [p, g, ...state] = inputs.map((x) => x.storage as Float);
  const r: Round = out.dtype === "float32" ? Math.fround : exact;
  const outs = [p, ...state].map(() => alloc(out.dtype, out.size) as Float);
  if (attrs.rule === "adam") adam(p, g, state[0], state[1], outs, attrs, r);
  else sgd(p, g, state[0], outs, attrs, r);
  return outs;
}

function sgd(
  p: Float,
  grad: Float,
  v: Float | undefined,
  [po, vo]: Float[],
  a: Extract<OptimStepAttrs, { rule: "sgd" }>,
  r: Round,
): void {
  const lr = r(a.lr), mu = r(a.momentum), wd = r(a.weightDecay);
  for (let i = 0; i < p.length; i++) {
    const g = a.weightDecay ? r(grad[i] + r(p[i] * wd)) : grad[i];
    const s = r(g * lr);
    if (!v) {
      po[i] = r(p[i] - s);
      continue;
    }
    const v2 = r(r(v[i] * mu) - s);
    vo[i] = v2;
    po[i] = r(p[i] + (a.nesterov ? r(r(v2 * mu) - s) : v2));
  }
}

function adam(
  p: Float,
  grad: Float,
  m: Float,
  v: Float,
  [po, mo, vo]: Float[],
  a: Extract<OptimStepAttrs, { rule: "adam" }>,
  r: Round,
): void {
  const b1 = r(a.beta1), c1 = r(1 - a.beta1), b2 = r(a.beta2), c2 = r(1 - a.beta2);
  const wd = r(a.weightDecay), decay = r(a.decay), bias2 = r(a.bias2);
  const eps = r(a.eps), stepSize = r(a.stepSize);
  for (let i = 0; i < p.length; i++) {
    const g = a.weightDecay ? r(grad[i] + r(p[i] * wd)) : grad[i];
    const m2 = r(r(m[i] * b1) + r(g * c1));
    const v2 = r(r(v[i] * b2) + r(r(g * g) * c2));
    const d = r(r(r(Math.sqrt(v2)) * bias2) + eps);
    const w = a.decay !== 1 ? r(p[i] * decay) : p[i];
    po[i] = r(w - r(r(m2 / d) * stepSize));
    mo[i] = m2, vo[i] = v2;
  }
}
