/**
 * Shared by the WebGPU tests: whether an adapter exists (computed once), the
 * `ignore` flag (a missing GPU skips locally but fails in CI, so GPU tests
 * are never skipped silently there), and float32 comparison against the CPU.
 *
 * @module
 */
import "../../gpu/mod.ts";
import { initBackend, setBackend, type Tensor, type TypedArray } from "../../mod.ts";

/** True when `navigator.gpu` yields an adapter (a real GPU or llvmpipe). */
export const hasGpu: boolean = await (async () => {
  try {
    return (await navigator.gpu?.requestAdapter()) != null;
  } catch {
    return false;
  }
})();

/** Skip GPU tests only off CI; in CI (env CI set) they run and fail loudly without an adapter. */
export const ignoreGpu: boolean = !hasGpu && !Deno.env.get("CI");

/** Initializes the WebGPU backend (once per process). */
export async function gpuReady(): Promise<void> {
  await initBackend("webgpu");
}

/** Runs `fn` with "webgpu" as the current backend, then goes back to the CPU. */
export async function onGpu(fn: () => Promise<void>): Promise<void> {
  await setBackend("webgpu");
  try {
    await fn();
  } finally {
    await setBackend("cpu");
  }
}

/** Largest `|a-b| / max(1, |a|)` over the elements (NaN matches NaN, Infinity itself). */
export function maxRelError(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  if (expected.length !== actual.length) {
    throw new Error(`length ${actual.length} differs from the expected ${expected.length}`);
  }
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i], b = actual[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    const err = Math.abs(a - b) / Math.max(1, Math.abs(a));
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  return worst;
}

/** Throws with the first offending element when two results differ by more than `tol`. */
export function assertClose(
  expected: TypedArray,
  actual: TypedArray,
  what: string,
  tol = 1e-4,
): number {
  const err = maxRelError(expected, actual);
  if (!(err <= tol)) {
    let at = 0;
    for (let i = 0; i < expected.length; i++) {
      const e = Math.abs(expected[i] - actual[i]) / Math.max(1, Math.abs(expected[i]));
      if (!(e <= tol) && !(Number.isNaN(expected[i]) && Number.isNaN(actual[i]))) {
        at = i;
        break;
      }
    }
    throw new Error(
      `${what}: max relative error ${err} > ${tol}; first at [${at}]: CPU ${expected[at]}, ` +
        `WebGPU ${actual[at]}`,
    );
  }
  return err;
}

/** Values of a tensor on any backend. */
export function values(t: Tensor): Promise<TypedArray> {
  return t.data();
}
