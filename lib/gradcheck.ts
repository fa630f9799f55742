/**
 * Gradient checking: analytic gradients from `backward()` against central
 * finite differences, in float64 on the CPU. Homework checkers build on it.
 *
 * @module
 */
import { getBackend } from "./backend.ts";
import { noGrad } from "./engine.ts";
import { Rng } from "./random.ts";
import type { Tensor } from "./tensor.ts";
import { fromValues, mul, sum } from "./ops/mod.ts";
import { stridesOf } from "./shape.ts";

/** Options of {@linkcode gradcheck}. */
export interface GradcheckOptions {
  /**
   * Finite-difference step (default 1e-5: small enough for a 1e-10 truncation
   * error, large enough that rounding stays below 1e-6 for outputs in the hundreds).
   */
  eps?: number;
  /** Largest accepted relative error (default 1e-6). */
  tolerance?: number;
  /**
   * Floor of the relative error's denominator, so gradients that are almost 0
   * are compared absolutely (default 1e-2).
   */
  floor?: number;
  /** Throw on failure (default true); otherwise just report. */
  throwOnFailure?: boolean;
  /** Names for the inputs in messages (default "input 0", ...). */
  names?: string[];
}

/** The worst element of one input. */
export interface GradcheckWorst {
  /** Multi-index of the element. */
  index: number[];
  /** Gradient from `backward()`. */
  analytic: number;
  /** Gradient from central differences. */
  numeric: number;
  /** |analytic − numeric| / max(|analytic|, |numeric|, floor). */
  relError: number;
}

/** Per-input result of {@linkcode gradcheck}. */
export interface GradcheckInputReport {
  /** The input's name. */
  name: string;
  /** The input's shape. */
  shape: number[];
  /** Largest relative error over its elements. */
  maxRelError: number;
  /** The element where it occurs (null for an empty input). */
  worst: GradcheckWorst | null;
  /** Whether `maxRelError` is within tolerance. */
  ok: boolean;
}

/** Result of {@linkcode gradcheck}. */
export interface GradcheckReport {
  /** One entry per input. */
  inputs: GradcheckInputReport[];
  /** Largest relative error over all inputs. */
  maxRelError: number;
  /** Whether every input passed. */
  ok: boolean;
}

/**
 * Checks the gradients of `fn` at `inputs` against central finite
 * differences (CS231n's relative error), in float64 on the CPU. A non-scalar
 * output is reduced with fixed random weights first, so every output element
 * is checked. Throws naming the worst element of the first failing input,
 * with its analytic and numeric values.
 *
 * @example
 * ```ts
 * import { gradcheck, tensor } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const report = gradcheck((a, b) => a.mul(b).exp().sum(), [tensor([0.1, 0.2]), tensor([0.3, -0.4])]);
 * assert.ok(report.ok && report.maxRelError < 1e-6);
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-5, tolerance = 1e-6, floor = 1e-2, throwOnFailure = true } = options;
  getBackend("cpu");
  const base = inputs.map((t) => Float64Array.from(t.backend.readSync ? t.dataSync() : []));
  inputs.forEach((t, i) => {
    if (!t.backend.readSync) {
      throw new Error(`gradcheck: input ${i} lives on "${t.backend.name}"; pass CPU tensors`);
    }
    if (t.dtype === "int32") {
      throw new Error(`gradcheck: input ${i} is int32; gradients need floats`);
    }
  });
  const make = (values: Float64Array[], grad: boolean) =>
    values.map((v, i) =>
      fromValues(v, inputs[i].shape, { dtype: "float64", backend: "cpu", requiresGrad: grad })
    );
  const objective = scalarObjective(fn);
  const xs = make(base, true);
  objective(xs).backward();
  const analytic = xs.map((x) => x.grad ? x.grad.dataSync() : new Float64Array(x.size));

  const reports = base.map((values, i): GradcheckInputReport => {
    const numericAt = (j: number) => {
      const saved = values[j];
      const at = (v: number) => {
        values[j] = v;
        return noGrad(() => objective(make(base, false)).itemSync());
      };
      const numeric = (at(saved + eps) - at(saved - eps)) / (2 * eps);
      values[j] = saved;
      return numeric;
    };
    const worst = worstElement(inputs[i].shape, analytic[i], numericAt, floor);
    const maxRelError = worst?.relError ?? 0;
    const name = options.names?.[i] ?? `input ${i}`;
    return { name, shape: [...inputs[i].shape], maxRelError, worst, ok: maxRelError <= tolerance };
  });
  const report: GradcheckReport = {
    inputs: reports,
    maxRelError: Math.max(0, ...reports.map((r) => r.maxRelError)),
    ok: reports.every((r) => r.ok),
  };
  const failed = reports.find((r) => !r.ok);
  if (failed && throwOnFailure) {
    const w = failed.worst!;
    throw new Error(
      `gradcheck failed for ${failed.name} (shape [${failed.shape}]) at element [${w.index}]: ` +
        `analytic ${w.analytic}, numeric ${w.numeric}, relative error ${
          w.relError.toExponential(2)
        } > ${tolerance}`,
    );
  }
  return report;
}

/** `fn` made scalar: its output itself, or its dot product with fixed random weights. */
function scalarObjective(fn: (...inputs: Tensor[]) => Tensor): (xs: Tensor[]) => Tensor {
  let weights: Tensor | null = null;
  return (xs) => {
    const out = fn(...xs);
    if (out.dtype !== "float64") {
      throw new Error(`gradcheck: fn returned ${out.dtype}; build it from its inputs only`);
    }
    if (out.size === 1) return sum(out);
    if (!weights) {
      const rng = new Rng(1234);
      weights = fromValues(
        Array.from({ length: out.size }, () => rng.uniform() + 0.5),
        out.shape,
        { dtype: "float64", backend: "cpu" },
      );
    }
    return sum(mul(out, weights));
  };
}

/** The element of one input whose analytic and numeric derivatives differ most (NaN first). */
function worstElement(
  shape: readonly number[],
  analytic: ArrayLike<number>,
  numericAt: (j: number) => number,
  floor: number,
): GradcheckWorst | null {
  let worst: GradcheckWorst | null = null;
  const strides = stridesOf(shape);
  for (let j = 0; j < analytic.length; j++) {
    const a = analytic[j], numeric = numericAt(j);
    const relError = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
    if (!worst || relError > worst.relError || Number.isNaN(relError)) {
      const index = strides.map((s, d) => Math.floor(j / s) % shape[d]);
      worst = {
        index,
        analytic: a,
        numeric,
        relError: Number.isNaN(relError) ? Infinity : relError,
      };
    }
  }
  return worst;
}
