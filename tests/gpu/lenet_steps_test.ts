/**
 * LeNet-5 trains step for step alike on WebGPU and on the CPU: same seed,
 * same batches, 20 SGD steps of 32 MNIST images. Early in training the two
 * runs differ only by float32 rounding (sums in another order), so every
 * step's loss and the final weights agree closely; later they drift apart
 * (training amplifies rounding), which the one-epoch accuracy comparison in
 * `lenet_full.ts` (`deno task test:full`, run by CI) covers.
 *
 * @module
 */
import assert from "node:assert/strict";
import { fit, imageData, lenet5, loadMnist, Rng, setBackend, SGD } from "../../mod.ts";
import { ignoreGpu, maxRelError } from "./_setup.ts";

Deno.test({
  name: "LeNet-5 on WebGPU: 20 training steps match the CPU's losses and weights",
  ignore: ignoreGpu,
  async fn() {
    const mnist = await loadMnist({ download: false });
    const train = imageData(mnist.train, { limit: 640, normalize: "standard", backend: "cpu" });
    const run = async (backend: string) => {
      await setBackend(backend);
      try {
        const model = lenet5({ rng: new Rng(0) });
        const history = await fit(model, train, {
          optimizer: new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }),
          epochs: 1,
          batchSize: 32,
          seed: 0,
          logEvery: 1,
          progress: false,
        });
        const weights = await Promise.all(model.parameters().map((p) => p.data()));
        return { losses: history.steps.map((s) => s.loss), weights };
      } finally {
        await setBackend("cpu");
      }
    };
    const cpu = await run("cpu");
    const webgpu = await run("webgpu");
    assert.equal(cpu.losses.length, 20);
    assert.ok(cpu.losses[19] < cpu.losses[0], `the CPU run learned (${cpu.losses})`);
    const lossError = maxRelError(cpu.losses, webgpu.losses);
    const weightError = Math.max(...cpu.weights.map((w, i) => maxRelError(w, webgpu.weights[i])));
    console.log(
      `LeNet-5, 20 steps: losses within ${lossError.toExponential(1)}, ` +
        `weights within ${weightError.toExponential(1)} (relative)`,
    );
    assert.ok(lossError < 1e-4, `losses CPU ${cpu.losses} vs WebGPU ${webgpu.losses}`);
    assert.ok(weightError < 1e-4, `weights differ by ${weightError}`);
  },
});
