// Bad input to fit/evaluate/predict, and runs that go wrong: each gets a
// named error before anything is trained, or stops with one.
import assert from "node:assert/strict";
import {
  evaluate,
  fit,
  Linear,
  mlp,
  Module,
  mse,
  predict,
  Rng,
  SGD,
  type Tensor,
  tensor,
  TrainingDivergedError,
  zeros,
} from "../../mod.ts";
import { gpuReady, ignoreGpu, onGpu } from "../gpu/_setup.ts";

const xs = tensor([[0, 1], [1, 0], [1, 1], [0, 0]]);
const ys = tensor([1, 0, 1, 0], { dtype: "int32" });
const data = { x: xs, y: ys };
const opts = (model: Module) => ({
  optimizer: new SGD(model.parameters(), { lr: 0.1 }),
  progress: false as const,
});

Deno.test("fit refuses bad numbers for batchSize, epochs and friends, naming the option", async () => {
  const model = new Linear(2, 2);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ batchSize: 0 }, /fit: batchSize must be an integer >= 1, got the number 0/],
    [{ batchSize: -5 }, /batchSize must be an integer >= 1, got the number -5/],
    [{ batchSize: 2.5 }, /batchSize must be an integer >= 1, got the number 2.5/],
    [{ batchSize: NaN }, /batchSize must be an integer >= 1, got the number NaN/],
    [{ epochs: NaN }, /fit: epochs must be an integer >= 1, got the number NaN/],
    [{ epochs: -1 }, /epochs must be an integer >= 1/],
    [{ epochs: "3" }, /epochs must be an integer >= 1, got the string "3"/],
    [{ validationSplit: 1.5 }, /validationSplit must be a finite number between 0 and 1/],
    [{ logEvery: 0 }, /logEvery must be an integer >= 1/],
    [{ maxSeconds: -1 }, /maxSeconds must be a finite number > 0/],
    [{ epoch: 3 }, /unknown option 'epoch' \(did you mean 'epochs'\?\)/],
    [{ lr: 0.1 }, /unknown option 'lr'/],
    [{ resume: true }, /resume: true needs checkpoint: DIR/],
    [{ earlyStopping: { monitor: "val_loss" } }, /monitor must be "valLoss"/],
    [{ earlyStopping: { monitor: "loss", patience: 0 } }, /patience must be an integer >= 1/],
    [{ progress: "yes" }, /progress must be true, false or a reporter/],
  ];
  for (const [extra, message] of bad) {
    await assert.rejects(fit(model, data, { ...opts(model), ...extra }), message);
  }
});

Deno.test("fit refuses a missing optimizer and one built over another model", async () => {
  const model = new Linear(2, 2), other = new Linear(2, 2);
  await assert.rejects(
    fit(model, data, { progress: false } as never),
    /the optimizer option is missing.*new SGD\(model.parameters\(\)/,
  );
  await assert.rejects(
    fit(model, data, { optimizer: new SGD(other.parameters(), { lr: 0.1 }), progress: false }),
    /the optimizer updates none of this model's 2 parameters/,
  );
  await assert.rejects(
    fit(model, { x: xs } as never, opts(model)),
    /fit: the data must be \{ x: Tensor, y: Tensor \}/,
  );
});

Deno.test("evaluate and predict refuse batchSize 0, negative, 2.5 and NaN instead of looping", async () => {
  const model = new Linear(2, 2);
  for (const batchSize of [0, -1, 2.5, NaN]) {
    await assert.rejects(evaluate(model, data, { batchSize }), /evaluate: batchSize must be/);
    assert.throws(() => predict(model, xs, { batchSize }), /predict: batchSize must be/);
  }
  assert.throws(() => predict(model, [[1, 2]] as never), /predict: x must be a tensor/);
});

Deno.test("one NaN pixel stops fit with TrainingDivergedError instead of NaN weights", async () => {
  const model = mlp([2, 8, 2], { rng: new Rng(0) });
  const x = tensor([[0, 1], [1, NaN], [1, 1], [0, 0]]);
  const err = await fit(model, { x, y: ys }, { ...opts(model), epochs: 2, batchSize: 2 })
    .catch((e) => e);
  assert.ok(err instanceof TrainingDivergedError, String(err));
  assert.match(err.message, /epoch 1, step \d of 2/);
});

/** A model with a parameter that the loss does not use. */
class Idle extends Module {
  fc = new Linear(2, 2);
  unused = zeros([3], { requiresGrad: true });
  forward(x: Tensor): Tensor {
    return this.fc.forward(x);
  }
}

Deno.test("a parameter turning NaN while the loss stays finite also stops fit, naming it", async () => {
  const model = new Idle();
  const sgd = new SGD(model.parameters(), { lr: 0.1 });
  const optimizer = {
    params: sgd.params,
    step() {
      sgd.step();
      model.unused.assign(tensor([0, NaN, Infinity]));
    },
  };
  const err = await fit(model, data, { optimizer, progress: false, epochs: 3 }).catch((e) => e);
  assert.ok(err instanceof TrainingDivergedError, String(err));
  assert.match(err.message, /2 of 9 parameters became NaN or infinite at epoch 1, step 1/);
  assert.match(err.message, /'unused' \(2 of 3\)/);
});

Deno.test("finite parameters whose sum passes float32's range do not stop fit", async () => {
  // fit's per-step probe sums the parameters; 3e38 + 3e38 overflows it although every value is
  // finite, so it looks at the values themselves and goes on.
  const model = new Idle();
  model.unused.assign(tensor([3e38, 3e38, 0]));
  const optimizer = new SGD(model.fc.parameters(), { lr: 0.1 });
  const history = await fit(model, data, { optimizer, progress: false, epochs: 2 });
  assert.equal(history.epochs.length, 2);
  assert.deepEqual(model.unused.arraySync(), [Math.fround(3e38), Math.fround(3e38), 0]);
});

Deno.test("maxSeconds stops between steps with a stopped reason and keeps the weights", async () => {
  const model = new Linear(2, 1);
  const before = model.weight.arraySync();
  const y = tensor([[1], [0], [1], [0]]);
  const h = await fit(model, { x: xs, y }, {
    ...opts(model),
    loss: mse,
    epochs: 50,
    batchSize: 1,
    maxSeconds: 1e-9,
  });
  assert.equal(h.stopped, "maxSeconds");
  assert.match(h.stopReason!, /maxSeconds 1e-9 reached at epoch 1, step 1 of 4/);
  assert.equal(h.steps.length, 1);
  assert.notDeepEqual(model.weight.arraySync(), before);
});

Deno.test({
  name: "WebGPU: out-of-range labels are checked on the CPU before the upload",
  ignore: ignoreGpu,
  fn: async () => {
    await gpuReady();
    await onGpu(async () => {
      const model = new Linear(2, 3);
      const y = tensor([0, 1, 3, 2], { dtype: "int32", backend: "cpu" });
      const x = tensor([[0, 1], [1, 0], [1, 1], [0, 0]], { backend: "cpu" });
      await assert.rejects(
        fit(model, { x, y }, { ...opts(model), batchSize: 4 }),
        /trainStep: label 3 \(at index \d\) is out of range for 3 classes/,
      );
      await assert.rejects(evaluate(model, { x, y }), /evaluate: label 3 .* for 3 classes/);
    });
  },
});
