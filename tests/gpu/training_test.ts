/**
 * Training on WebGPU, through the backend's counters: no readback inside a
 * step unless a value is asked for, pipelines compiled once, few submits.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  crossEntropy,
  fit,
  gpu,
  mlp,
  pointData,
  Rng,
  scope,
  SGD,
  spirals,
  type Tensor,
  toBackend,
} from "../../mod.ts";
import { ignoreGpu, onGpu } from "./_setup.ts";

Deno.test({
  name: "training: no readback inside steps, pipelines compiled once, only full batches submitted",
  ignore: ignoreGpu,
  fn: () =>
    onGpu(async () => {
      const data = pointData(spirals({ n: 96, seed: 1 }), { backend: "cpu" });
      const model = mlp([2, 16, 3], { rng: new Rng(0) });
      const opt = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      // The first epoch compiles every pipeline a training step needs: one per
      // kernel family, whatever the shapes.
      await fit(model, data, { optimizer: opt, epochs: 1, batchSize: 8, progress: false });
      assert.ok(gpu.counters().compilations <= 6, `${gpu.counters().compilations} pipelines`);

      gpu.resetCounters();
      const x = toBackend(data.x, "webgpu"), y = toBackend(data.y, "webgpu");
      let loss: Tensor | null = null;
      for (let step = 0; step < 5; step++) {
        loss?.dispose();
        loss = scope(() => {
          const l = crossEntropy(model.forward(x), y);
          opt.zeroGrad();
          l.backward();
          opt.step();
          return l.detach();
        }, [model, opt]);
      }
      let c = gpu.counters();
      assert.equal(c.readbacks, 0, "5 steps read nothing back");
      assert.equal(c.compilations, 0, "pipelines come from the cache");
      assert.ok(c.dispatches > 5 * 20, `${c.dispatches} dispatches`);
      // Dispatches are batched: a command buffer is submitted only when 256 are waiting.
      assert.equal(c.submits, Math.floor((c.dispatches - 1) / 256));
      const value = await loss!.item();
      assert.ok(Number.isFinite(value));
      c = gpu.counters();
      assert.equal(c.readbacks, 1, "asking for the loss is one readback");

      // fit reads loss, correct count and the parameters' finiteness probe in
      // ONE readback per logEvery steps (and at the end of an epoch): 12 steps
      // with logEvery 100 read once in all (it was two readbacks, loss and
      // correct count apart, before the divergence check joined them).
      gpu.resetCounters();
      const history = await fit(model, data, {
        optimizer: opt,
        epochs: 1,
        batchSize: 8,
        logEvery: 100,
        progress: false,
      });
      c = gpu.counters();
      assert.equal(history.steps.length, 1);
      assert.equal(c.readbacks, 1);
      assert.equal(c.compilations, 0);
      assert.ok(c.submits <= Math.ceil(c.dispatches / 256) + 1, `${c.submits} submits`);
    }),
});
