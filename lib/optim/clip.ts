/**
 * Gradient clipping by global norm: if the gradients of all parameters,
 * taken together as one long vector, are longer than `maxNorm`, scale them
 * all down to length `maxNorm` (the direction is kept). Call it between
 * `loss.backward()` and `optimizer.step()` to tame exploding gradients.
 *
 * @module
 */
import { noGrad } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { add, cast, mul, sqrt, sum } from "../ops/mod.ts";

/** The total L2 norm of the gradients as a 0-d tensor on their backend, or null if none. */
function totalNormTensor(grads: Tensor[]): Tensor | null {
  if (grads.length === 0) return null;
  const dtype = grads.every((g) => g.dtype === "float64") ? "float64" : "float32";
  let total: Tensor | null = null;
  for (const g of grads) {
    const s = cast(sum(mul(g, g)), dtype);
    total = total ? add(total, s) : s;
  }
  return sqrt(total!);
}

function checkMaxNorm(name: string, maxNorm: number): void {
  if (!(maxNorm > 0)) throw new Error(`${name}: maxNorm must be > 0, got ${maxNorm}`);
}

function gradsOf(params: readonly Tensor[]): Tensor[] {
  return params.flatMap((p) => p.grad ? [p.grad] : []);
}

/** Scales every gradient by maxNorm / total when total > maxNorm (finite). */
function scaleGrads(params: readonly Tensor[], total: number, maxNorm: number): void {
  if (!(Number.isFinite(total) && total > maxNorm)) return;
  const factor = maxNorm / total;
  noGrad(() => {
    for (const p of params) {
      if (!p.grad) continue;
      const scaled = mul(p.grad, factor);
      p.grad.assign(scaled);
      scaled.dispose();
    }
  });
}

/**
 * Clips gradients by their global L2 norm: computes
 * total = √(Σ_params Σ g²); if total > `maxNorm`, multiplies every gradient
 * by maxNorm / total (in place, with `assign`). Returns the total norm
 * before clipping, as a number. Parameters without a gradient are ignored.
 * A non-finite total (NaN or ∞) leaves the gradients unchanged and is
 * returned, so the caller can notice the divergence.
 *
 * **Readback:** the norm is computed with ops on the gradients' backend, but
 * deciding whether to clip reads that one scalar back synchronously, which
 * only the CPU backend can do; elsewhere use {@linkcode clipGradNormAsync}.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { clipGradNorm } from "./clip.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([0, 0], { requiresGrad: true });
 * w.mul(tensor([3, 4])).sum().backward(); // gradient [3, 4], norm 5
 * assert.equal(clipGradNorm([w], 1), 5);
 * const [a, b] = w.grad!.arraySync() as number[];
 * assert.ok(Math.abs(a - 0.6) < 1e-6 && Math.abs(b - 0.8) < 1e-6);
 * ```
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkMaxNorm("clipGradNorm", maxNorm);
  const grads = gradsOf(params);
  const slow = grads.find((g) => !g.backend.readSync);
  if (slow) {
    throw new Error(
      `clipGradNorm reads the norm back synchronously, which the "${slow.backend.name}" ` +
        `backend cannot do; use \`await clipGradNormAsync(params, maxNorm)\``,
    );
  }
  const normT = noGrad(() => totalNormTensor(grads));
  if (!normT) return 0;
  const total = normT.itemSync();
  normT.dispose();
  scaleGrads(params, total, maxNorm);
  return total;
}

/**
 * {@linkcode clipGradNorm} for any backend: the same clipping, reading the
 * total norm back asynchronously (one scalar readback per call).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { clipGradNormAsync } from "./clip.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([0, 0], { requiresGrad: true });
 * w.mul(tensor([0.3, 0.4])).sum().backward(); // norm 0.5: below maxNorm, unchanged
 * assert.ok(Math.abs((await clipGradNormAsync([w], 1)) - 0.5) < 1e-6);
 * assert.ok(Math.abs((w.grad!.arraySync() as number[])[1] - 0.4) < 1e-7);
 * ```
 */
export async function clipGradNormAsync(
  params: readonly Tensor[],
  maxNorm: number,
): Promise<number> {
  checkMaxNorm("clipGradNormAsync", maxNorm);
  const normT = noGrad(() => totalNormTensor(gradsOf(params)));
  if (!normT) return 0;
  const total = await normT.item();
  normT.dispose();
  scaleGrads(params, total, maxNorm);
  return total;
}
