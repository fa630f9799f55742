/**
 * `optimStep` (SGD, Adam) on WebGPU: the update of `OptimStepAttrs`
 * (`lib/op_set.ts`) recorded as the backend's own elementwise dispatches,
 * in the order the definition gives (each rounded to float32, as on the
 * CPU). The constants travel as host scalars, so they cost no upload; the
 * intermediates go back to the pool as soon as they are encoded.
 *
 * @module
 */
import type { OutSpec, TensorInfo } from "../../lib/backend.ts";
import type { BinaryOp, OptimStepAttrs, UnaryOp } from "../../lib/op_set.ts";
import type { GpuStorage, KernelContext } from "./_common.ts";
import { binary, unary } from "./elementwise.ts";

/** `[param', ...state']` of one update of `[param, grad, ...state]`. */
export function optimStep(
  ctx: KernelContext,
  inputs: readonly TensorInfo[],
  attrs: OptimStepAttrs,
  out: OutSpec,
): GpuStorage[] {
  const f = new Ops(ctx, out);
  try {
    return update(f, inputs, attrs).map((x) => f.keep(x).storage as GpuStorage);
  } finally {
    f.releaseTemps();
  }
}

function update(f: Ops, inputs: readonly TensorInfo[], attrs: OptimStepAttrs): TensorInfo[] {
  const [p, grad, s1, s2] = inputs;
  const g = attrs.weightDecay ? f.bin("add", grad, f.bin("mul", p, f.c(attrs.weightDecay))) : grad;
  if (attrs.rule === "sgd") {
    const s = f.bin("mul", g, f.c(attrs.lr));
    if (!(attrs.momentum > 0)) return [f.bin("sub", p, s)];
    const mu = f.c(attrs.momentum);
    const v = f.bin("sub", f.bin("mul", s1, mu), s);
    const move = attrs.nesterov ? f.bin("sub", f.bin("mul", v, mu), s) : v;
    return [f.bin("add", p, move), v];
  }
  const m = f.bin("add", f.bin("mul", s1, f.c(attrs.beta1)), f.bin("mul", g, f.c(1 - attrs.beta1)));
  const gg = f.bin("mul", g, g);
  const v = f.bin(
    "add",
    f.bin("mul", s2, f.c(attrs.beta2)),
    f.bin("mul", gg, f.c(1 - attrs.beta2)),
  );
  const d = f.bin("add", f.bin("mul", f.un("sqrt", v), f.c(attrs.bias2)), f.c(attrs.eps));
  const w = attrs.decay !== 1 ? f.bin("mul", p, f.c(attrs.decay)) : p;
  const step = f.bin("mul", f.bin("div", m, d), f.c(attrs.stepSize));
  return [f.bin("sub", w, step), m, v];
}

/** Elementwise dispatches on tensors of `out`'s shape, remembering intermediates. */
class Ops {
  readonly #temps = new Set<GpuStorage>();
  constructor(readonly ctx: KernelContext, readonly out: OutSpec) {}

  /** A float32 constant held on the host. */
  c(value: number): TensorInfo {
    const host = Float32Array.of(value);
    const storage: GpuStorage = { buffer: null, host, dtype: "float32", size: 1, released: false };
    return { storage, shape: [], dtype: "float32", size: 1 };
  }

  bin(op: BinaryOp, a: TensorInfo, b: TensorInfo): TensorInfo {
    return this.#temp(binary(this.ctx, a, b, op, this.out));
  }

  un(op: UnaryOp, x: TensorInfo): TensorInfo {
    return this.#temp(unary(this.ctx, x, op, this.out));
  }

  /** Marks a result as an output (not released). */
  keep(x: TensorInfo): TensorInfo {
    this.#temps.delete(x.storage as GpuStorage);
    return x;
  }

  releaseTemps(): void {
    for (const s of this.#temps) this.ctx.release(s);
  }

  #temp(s: GpuStorage): TensorInfo {
    this.#temps.add(s);
    const { shape, dtype, size } = this.out;
    return { storage: s, shape, dtype, size };
  }
}
