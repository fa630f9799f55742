/**
 * Run a hand-written WGSL compute shader on tensors: the smallest way to
 * write a GPU kernel from a notebook cell (notebook 13 writes ReLU, a naive
 * and a tiled matrix product with it).
 *
 * @module
 */
import { initBackend } from "../lib/backend.ts";
import { infoOf, Tensor } from "../lib/tensor.ts";
import { toBackendAsync } from "../lib/ops/creation.ts";
import { WebGpuBackend } from "./backend.ts";

/** Options of {@linkcode runKernel}. */
export interface RunKernelOptions {
  /** Shape of the output tensor the kernel writes. */
  shape: readonly number[];
  /** Element type of the output (default `"float32"`; WGSL `f32` or `i32`). */
  dtype?: "float32" | "int32";
  /** Workgroups to launch along x (a number) or along x, y and z. */
  workgroups: number | readonly [number, number?, number?];
}

function wholeNumbers(what: string, xs: readonly number[], min: number): void {
  const bad = xs.find((x) => !Number.isInteger(x) || x < min);
  if (bad !== undefined) {
    throw new Error(`runKernel: ${what} must be whole numbers ≥ ${min}, got [${xs}]`);
  }
}

/**
 * Runs a WGSL compute shader (entry point `main`) on the WebGPU backend:
 * binding `i` of group 0 is `inputs[i]` (declare it
 * `var<storage, read> name: array<f32>`, or `i32` for an int32 tensor), the
 * next binding is the output (`var<storage, read_write>`), a new tensor of
 * `options.shape`, and `options.workgroups` workgroups are launched. Sizes
 * are best written into the code itself (a template string:
 * `const N = ${n}u;`); each distinct code is compiled once and cached.
 *
 * Inputs on the CPU are copied to the GPU first; the result stays on the
 * GPU (read it with `await t.data()`). The dispatch is recorded with the
 * backend's own work, so it runs after everything computed before it, and
 * shows in `gpu.counters()`. WGSL that does not compile, or bindings that
 * do not match the inputs, throw with the compiler's message; a kernel that
 * runs off the end of a buffer is clamped by WebGPU rather than crashing.
 *
 * @example ReLU, one invocation per element
 * ```ts ignore
 * import { runKernel, tensor } from "../mod.ts";
 * const x = tensor([-2, -1, 0, 1, 2]);
 * const relu = `
 *   @group(0) @binding(0) var<storage, read> x: array<f32>;
 *   @group(0) @binding(1) var<storage, read_write> y: array<f32>;
 *   @compute @workgroup_size(64)
 *   fn main(@builtin(global_invocation_id) id: vec3<u32>) {
 *     let i = id.x;
 *     if (i < arrayLength(&y)) { y[i] = max(x[i], 0.0); }
 *   }`;
 * const y = await runKernel(relu, [x], { shape: x.shape, workgroups: Math.ceil(x.size / 64) });
 * console.log(await y.data()); // Float32Array [0, 0, 0, 1, 2]
 * ```
 */
export async function runKernel(
  code: string,
  inputs: readonly Tensor[],
  options: RunKernelOptions,
): Promise<Tensor> {
  const backend = await initBackend("webgpu");
  if (!(backend instanceof WebGpuBackend)) {
    throw new Error(`runKernel: the "webgpu" backend is not neuronbook's WebGPU backend`);
  }
  const dtype = options.dtype ?? "float32";
  if (dtype !== "float32" && dtype !== "int32") {
    throw new Error(`runKernel: dtype must be "float32" or "int32", got "${dtype}"`);
  }
  wholeNumbers("shape's sizes", options.shape, 0);
  const groups = typeof options.workgroups === "number"
    ? [options.workgroups]
    : options.workgroups.filter((g): g is number => g !== undefined);
  wholeNumbers("workgroups", groups, 1);
  const moved: Tensor[] = [];
  const onGpu = await Promise.all(inputs.map(async (t, i) => {
    if (t.dtype === "float64") {
      throw new Error(`runKernel: input ${i} is float64; WGSL has f32 and i32: cast it first`);
    }
    if (t.backend === backend) return t;
    const copy = await toBackendAsync(t, "webgpu");
    moved.push(copy);
    return copy;
  }));
  const size = options.shape.reduce((a, b) => a * b, 1);
  const out = new Tensor(backend, backend.allocate(dtype, size), options.shape, dtype);
  const buffers = [...onGpu, out].map((t) => backend.bufferOf(infoOf(t)));
  const device = backend.gpu.device;
  device.pushErrorScope("validation");
  const pipeline = backend.rec.pipeline(`runKernel:${code}`, () => code);
  // Bind once on our own first: a mismatch then throws here, before the
  // backend's command stream has seen it.
  device.createBindGroup({
    layout: pipeline.layout,
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const error = await device.popErrorScope();
  if (error) {
    out.dispose();
    throw new Error(
      `runKernel: ${error.message.trim()}\n(bindings 0-${inputs.length - 1} are the inputs, ` +
        `binding ${inputs.length} the output, all in @group(0); the entry point is \`main\`)`,
    );
  }
  backend.rec.dispatch(pipeline, null, buffers, groups as [number, number?, number?]);
  for (const t of moved) t.dispose();
  return out;
}
