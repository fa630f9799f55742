/**
 * Runs a conformance case on the CPU and on WebGPU from the same float32
 * inputs and compares the outputs and every input's gradient.
 *
 * @module
 */
import { type Tensor, tensor, toBackendAsync } from "../../mod.ts";
import type { OpCase } from "../conformance.ts";
import { assertClose } from "./_setup.ts";

/** Worst relative errors of one case. */
export interface ParityResult {
  /** The case. */
  name: string;
  /** Forward output. */
  forward: number;
  /** Worst over the inputs' gradients (0 when nothing needs a gradient). */
  backward: number;
}

/** Fixed upstream weights (no zeros, mixed signs) so every output position matters. */
function weights(size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => ((i * 37) % 11 - 5) / 4 + 0.1);
}

/**
 * Forward on both backends, then backward of `sum(y * w)` with fixed
 * weights `w`; throws when an output or gradient differs by more than `tol`
 * (relative, `|a-b| <= tol * max(1, |a|)`).
 */
export async function parity(c: OpCase, tol = 1e-4): Promise<ParityResult> {
  const base = c.inputs().map((x) => x.dtype === "float64" ? x.cast("float32") : x);
  const differentiable = (x: Tensor) => x.dtype !== "int32";
  const cpuIn = base.map((x) => differentiable(x) ? x.requireGrad() : x);
  const gpuIn = await Promise.all(base.map(async (x) => {
    const g = await toBackendAsync(x, "webgpu");
    return differentiable(g) ? g.requireGrad() : g;
  }));
  const yc = c.fn(...cpuIn), yg = c.fn(...gpuIn);
  if (yg.backend.name !== "webgpu") throw new Error(`${c.name}: result left the GPU`);
  const forward = assertClose(yc.dataSync(), await yg.data(), `${c.name} (forward)`, tol);
  let backward = 0;
  if (yc.requiresGrad) {
    const w = weights(yc.size);
    yc.mul(tensor(w, { shape: yc.shape, backend: "cpu" })).sum().backward();
    yg.mul(tensor(w, { shape: yg.shape, backend: "webgpu" })).sum().backward();
    for (let i = 0; i < cpuIn.length; i++) {
      const gc = cpuIn[i].grad, gg = gpuIn[i].grad;
      if (!gc && !gg) continue;
      if (!gc || !gg) {
        throw new Error(`${c.name}: input ${i} has a gradient on one backend only`);
      }
      backward = Math.max(
        backward,
        assertClose(gc.dataSync(), await gg.data(), `${c.name} (gradient of input ${i})`, tol),
      );
    }
  }
  return { name: c.name, forward, backward };
}
