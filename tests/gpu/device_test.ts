/**
 * Choosing the WebGPU backend: no adapter (simulated with a provider that
 * has none), software versus hardware adapters under "auto", and the
 * device limits (simulated small: big tensors are refused naming the limit,
 * big dispatches are split).
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  expand,
  getBackend,
  gpu,
  initBackend,
  matmul,
  registerWebGpu,
  Rng,
  setBackend,
  type Tensor,
  tensor,
  toBackendAsync,
  zeros,
} from "../../mod.ts";
import { assertClose, hasGpu, ignoreGpu } from "./_setup.ts";

/** Runs `fn` with console output captured; returns what it printed (stderr lines marked). */
async function warnings(fn: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  // The notice goes to normal output (console.log), not stderr.
  const [log, warn] = [console.log, console.warn];
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  console.warn = (...args: unknown[]) => lines.push(`stderr: ${args.join(" ")}`);
  try {
    await fn();
  } finally {
    [console.log, console.warn] = [log, warn];
  }
  return lines;
}

const noAdapter = { requestAdapter: () => Promise.resolve(null) };

Deno.test("no adapter: webgpu fails clearly, auto falls back to the CPU with one line", async () => {
  registerWebGpu({ gpu: noAdapter });
  try {
    await assert.rejects(
      setBackend("webgpu"),
      /No WebGPU adapter found: navigator\.gpu\.requestAdapter\(\) returned null.*"cpu" backend/,
    );
    assert.equal(getBackend().name, "cpu");
    let chosen = "";
    const printed = await warnings(async () => chosen = (await setBackend("auto")).name);
    assert.equal(chosen, "cpu");
    assert.equal(getBackend().name, "cpu");
    assert.equal(printed.length, 1);
    assert.doesNotMatch(printed[0], /\n/);
    assert.match(printed[0], /"auto" chose the CPU backend \(WebGPU is unavailable: No WebGPU/);
    assert.throws(() => gpu.info(), /WebGPU backend is not initialized/);
  } finally {
    registerWebGpu();
    await setBackend("cpu");
  }
});

/** A provider that hands out the real adapter but describes it as `description`. */
function disguised(description: string, isFallbackAdapter: boolean) {
  return {
    async requestAdapter(options?: GPURequestAdapterOptions) {
      const real = (await navigator.gpu.requestAdapter(options))!;
      return {
        info: { vendor: "test", architecture: "", device: "", description, isFallbackAdapter },
        limits: real.limits,
        features: real.features,
        requestDevice: (d?: GPUDeviceDescriptor) => real.requestDevice(d),
      } as unknown as GPUAdapter;
    },
  };
}

Deno.test({
  name: "auto: a hardware adapter is chosen, a software one (llvmpipe) is declined",
  ignore: ignoreGpu,
  async fn() {
    try {
      registerWebGpu({ gpu: disguised("Test Discrete GPU", false) });
      let printed = await warnings(() => setBackend("auto"));
      assert.equal(getBackend().name, "webgpu");
      assert.deepEqual(printed, []);
      assert.equal(gpu.info().software, false);
      assert.equal(gpu.info().name, "Test Discrete GPU");

      registerWebGpu({ gpu: disguised("llvmpipe (LLVM 15.0.6, 256 bits)", true) });
      printed = await warnings(() => setBackend("auto"));
      assert.equal(getBackend().name, "cpu");
      assert.equal(printed.length, 1);
      assert.match(
        printed[0],
        /"auto" chose the CPU backend \(the WebGPU adapter "llvmpipe .*" is a software one, slower than the CPU backend; setBackend\("webgpu"\) uses it anyway\)/,
      );
      // Asked for by name, the software adapter is used.
      assert.equal((await setBackend("webgpu")).name, "webgpu");
      assert.equal(gpu.info().software, true);
    } finally {
      registerWebGpu();
      await setBackend("cpu");
    }
  },
});

/** Random float32 values on the CPU. */
function rand(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rng.uniform() * 4 - 2), {
    shape,
    backend: "cpu",
  });
}

Deno.test({
  name: "limits: tensors above maxStorageBufferBindingSize are refused, big dispatches split",
  ignore: ignoreGpu,
  async fn() {
    // A simulated small GPU: 128 KiB per tensor, 32 workgroups per grid axis.
    registerWebGpu({
      limits: { maxStorageBufferBindingSize: 1 << 17, maxComputeWorkgroupsPerDimension: 32 },
    });
    try {
      await initBackend("webgpu");
      const info = gpu.info();
      assert.equal(info.maxStorageBufferBindingSize, 1 << 17);
      assert.equal(info.maxComputeWorkgroupsPerDimension, 32);
      const refused =
        /webgpu: a float32 tensor of 40000 elements needs 160000 bytes, above this device's maxStorageBufferBindingSize \(131072 bytes\)/;
      assert.throws(() => zeros([40000], { backend: "webgpu" }), refused);
      const one = await toBackendAsync(tensor([1]), "webgpu");
      assert.throws(() => expand(one, [40000]), refused);

      /** Compares with the CPU; returns the dispatches the WebGPU computation took. */
      const same = async (inputs: Tensor[], fn: (...t: Tensor[]) => Tensor, what: string) => {
        const g = await Promise.all(inputs.map((t) => toBackendAsync(t, "webgpu")));
        gpu.resetCounters();
        const y = fn(...g);
        const dispatches = gpu.counters().dispatches;
        assertClose(fn(...inputs).dataSync(), await y.data(), what);
        return dispatches;
      };
      // 30,000 elements: 469 workgroups of 64, a 2-D grid of 32 x 15.
      const x = rand([30000], 1);
      assert.equal(await same([x], (a) => a.mul(a).sub(a.exp()), "elementwise, 2-D grid"), 3);
      await same([x], (a) => a.reshape([7500, 4]).max(1), "7,500 short reductions");
      await same([x], (a) => a.reshape([150, 200]).sum(1), "150 workgroup reductions");
      await same([x], (a) => a.sum(), "a reduction in chunks");
      // 8,500 rows are 34 tiles of 256 and 40 batches exceed 32: two dispatches each.
      assert.equal(
        await same([rand([8500, 2], 2), rand([2, 3], 3)], (a, b) => matmul(a, b), "34 row tiles"),
        2,
      );
      assert.equal(
        await same(
          [rand([40, 2, 3], 4), rand([40, 3, 2], 5)],
          (a, b) => matmul(a, b),
          "40 batches",
        ),
        2,
      );
    } finally {
      registerWebGpu();
    }
  },
});

Deno.test({
  name: "gpu.info() names the adapter and its limits",
  ignore: ignoreGpu,
  async fn() {
    assert.ok(hasGpu);
    await initBackend("webgpu");
    const info = gpu.info();
    assert.ok(info.name.length > 0);
    assert.ok(info.maxStorageBufferBindingSize >= 1 << 27, "at least WebGPU's default 128 MiB");
    assert.ok(info.maxComputeWorkgroupsPerDimension >= 65535);
  },
});
