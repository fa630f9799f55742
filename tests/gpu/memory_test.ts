/**
 * Memory on WebGPU: live bytes flat over 1,000 training steps, and
 * `dispose()` and `scope()` returning buffers to the pool at once.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  fit,
  gpu,
  type MemoryStats,
  mlp,
  pointData,
  randn,
  Rng,
  scope,
  SGD,
  spirals,
  type Tensor,
} from "../../mod.ts";
import { ignoreGpu, onGpu } from "./_setup.ts";

Deno.test({
  name: "memory: live bytes stay flat over 1,000 training steps (fit frees every step)",
  ignore: ignoreGpu,
  fn: () =>
    onGpu(async () => {
      const start = gpu.memory();
      const data = pointData(spirals({ n: 8000, seed: 2 }), { backend: "cpu" });
      const model = mlp([2, 16, 3], { rng: new Rng(1) });
      const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const seen: MemoryStats[] = [];
      const history = await fit(model, data, {
        optimizer: opt,
        epochs: 1,
        batchSize: 8,
        logEvery: 100,
        progress: false,
        onBatchEnd: () => void seen.push(gpu.memory()),
      });
      assert.equal(history.steps.length, 10, "1,000 steps, read every 100");
      // The parameters and their momentum buffers, nothing else: 4 + 4 buffers.
      for (const m of seen) {
        assert.equal(m.liveBuffers, start.liveBuffers + 8, JSON.stringify(m));
        assert.equal(m.liveBytes, seen[0].liveBytes);
        // After the first 100 steps the pool serves every request.
        assert.equal(m.created, seen[0].created);
      }
      assert.equal(gpu.memory().liveBytes, seen[0].liveBytes);
      for (const p of opt.params) {
        Object.values(opt.stateOf(p)!.buffers).forEach((b) => b.dispose());
        p.dispose();
      }
      assert.equal(gpu.memory().liveBytes, start.liveBytes, "nothing else was left behind");
    }),
});

Deno.test({
  name: "memory: dispose() and scope() return buffers to the pool at once",
  ignore: ignoreGpu,
  fn: () =>
    onGpu(async () => {
      const live = () => gpu.memory().liveBuffers;
      const start = live();
      const a = randn([1000]);
      assert.equal(live(), start + 1);
      a.dispose();
      assert.equal(live(), start);

      let inside: Tensor | null = null;
      const total = scope(() => {
        inside = randn([1000]).mul(2);
        const inner = scope(() => inside!.add(1).sum(), []);
        return inner.add(1);
      });
      assert.equal(live(), start + 1, "only the returned tensor holds a buffer");
      assert.throws(() => inside!.add(1), /was disposed.*end of the scope\(\)/);
      assert.ok(Number.isFinite(await total.item()));
      total.dispose();
      assert.equal(live(), start);
    }),
});
