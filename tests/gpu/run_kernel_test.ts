/**
 * runKernel: hand-written WGSL on tensors, checked against the library's
 * own ops (ReLU, a naive matrix product), and its errors.
 *
 * @module
 */
import assert from "node:assert/strict";
import { gpu, matmul, randn, relu, Rng, runKernel, tensor } from "../../mod.ts";
import { assertClose, gpuReady, ignoreGpu } from "./_setup.ts";

const RELU = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i < arrayLength(&y)) { y[i] = max(x[i], 0.0); }
}`;

/** C = A B for A [m, k], B [k, n]: one invocation per element of C. */
const naiveMatmul = (m: number, k: number, n: number) => `
const M = ${m}u; const K = ${k}u; const N = ${n}u;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y; let col = id.x;
  if (row >= M || col >= N) { return; }
  var sum = 0.0;
  for (var i = 0u; i < K; i++) { sum += a[row * K + i] * b[i * N + col]; }
  c[row * N + col] = sum;
}`;

Deno.test({
  name: "runKernel: a hand-written ReLU and a naive matmul agree with relu and matmul",
  ignore: ignoreGpu,
  fn: async () => {
    await gpuReady();
    const x = randn([1000], { rng: new Rng(1) }); // on the CPU: copied over
    const y = await runKernel(RELU, [x], { shape: x.shape, workgroups: Math.ceil(x.size / 64) });
    assert.equal(y.backend.name, "webgpu");
    assert.deepEqual([...y.shape], [1000]);
    assert.deepEqual(await y.data(), relu(x).dataSync()); // max(x, 0) is exact
    // Odd sizes: 17 × 33 times 33 × 5, with workgroups covering past the edges.
    const rng = new Rng(2);
    const a = randn([17, 33], { rng }), b = randn([33, 5], { rng });
    gpu.resetCounters();
    const c = await runKernel(naiveMatmul(17, 33, 5), [a, b], {
      shape: [17, 5],
      workgroups: [1, 3],
    });
    assert.equal(gpu.counters().dispatches, 1);
    assertClose(matmul(a, b).dataSync(), await c.data(), "naive matmul", 1e-5);
    // An input computed on the GPU just before: the kernel runs after it.
    const doubled = (await runKernel(RELU, [x], { shape: [1000], workgroups: 16 })).mul(-2);
    const again = await runKernel(RELU, [doubled], { shape: [1000], workgroups: 16 });
    assert.deepEqual(await again.data(), relu(relu(x).mul(-2)).dataSync()); // all zeros
  },
});

Deno.test({
  name: "runKernel: int32 outputs, and errors that say what to fix",
  ignore: ignoreGpu,
  fn: async () => {
    await gpuReady();
    const count = `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> n: array<i32>;
@compute @workgroup_size(1)
fn main() { var k = 0; for (var i = 0u; i < arrayLength(&x); i++) { if (x[i] > 0.0) { k++; } } n[0] = k; }`;
    const n = await runKernel(count, [tensor([1, -1, 2, 3])], {
      shape: [1],
      dtype: "int32",
      workgroups: 1,
    });
    assert.deepEqual([n.dtype, [...await n.data()]], ["int32", [3]]);

    const x = tensor([1, 2, 3]);
    await assert.rejects(
      runKernel("fn main( {", [x], { shape: [3], workgroups: 1 }),
      /runKernel: .*expected/s,
    );
    // The shader wants three buffers, one input is given: two bindings in all.
    await assert.rejects(
      runKernel(naiveMatmul(1, 3, 1), [x], { shape: [1], workgroups: 1 }),
      /runKernel: [^]*bindings 0-0 are the inputs, binding 1 the output/,
    );
    await assert.rejects(
      runKernel(RELU, [x], { shape: [3], workgroups: 0 }),
      /runKernel: workgroups must be whole numbers ≥ 1, got \[0\]/,
    );
    await assert.rejects(
      runKernel(RELU, [x], { shape: [2.5], workgroups: 1 }),
      /runKernel: shape's sizes must be whole numbers ≥ 0/,
    );
    await assert.rejects(
      runKernel(RELU, [tensor([1], { dtype: "float64" })], { shape: [1], workgroups: 1 }),
      /runKernel: input 0 is float64/,
    );
    // The backend still works after the refused kernels.
    const y = await runKernel(RELU, [tensor([-1, 4])], { shape: [2], workgroups: 1 });
    assert.deepEqual([...await y.data()], [0, 4]);
  },
});
