// The live training display: one output created once then updated in place
// (same display_id), throttled, with the bar, epoch lines and an SVG chart of
// loss / accuracy; checked with an injected fake of Deno.jupyter.display.
import assert from "node:assert/strict";
import { fit, Linear, SGD, tensor } from "../../mod.ts";
import type { JupyterDisplay } from "../../lib/jupyter.ts";
import { NotebookProgress } from "../../lib/display/progress.ts";

interface Call {
  bundle: Record<string, string>;
  options: { raw?: boolean; update?: boolean; display_id?: string };
}

function fakeJupyter(): { jupyter: JupyterDisplay; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    jupyter: {
      display: (obj, options) => {
        calls.push({ bundle: obj as Record<string, string>, options: options ?? {} });
        return Promise.resolve();
      },
    },
  };
}

const step = (epoch: number, s: number, steps: number, loss: number, accuracy?: number) => ({
  epoch,
  epochs: 2,
  step: s,
  steps,
  loss,
  accuracy,
  examplesPerSecond: 100,
  seconds: s / 10,
});

Deno.test("NotebookProgress: one display, then updates with the same display_id", async () => {
  const { jupyter, calls } = fakeJupyter();
  const p = new NotebookProgress({ jupyter, intervalMs: 0 });
  p.update(step(1, 1, 2, 1.0, 0.5));
  p.update(step(1, 2, 2, 0.8, 0.6));
  p.epochEnd({ ...step(1, 2, 2, 0.8, 0.6), valLoss: 0.9, valAccuracy: 0.55 });
  await p.close();
  assert.equal(calls.length, 4);
  const id = calls[0].options.display_id!;
  assert.match(id, /^neuronbook-progress-/);
  assert.deepEqual(calls.map((c) => [c.options.display_id, c.options.update, c.options.raw]), [
    [id, false, true],
    [id, true, true],
    [id, true, true],
    [id, true, true],
  ]);
  const last = calls.at(-1)!.bundle;
  assert.match(
    last["text/plain"],
    /^epoch 1\/2 {2}loss 0\.8000 {2}acc 60\.00% {2}val_loss 0\.9000/,
  );
  const html = last["text/html"];
  assert.match(
    html,
    /^<div class="neuronbook-progress" data-run="[^"]+"><pre style="margin:0">epoch 1\/2/,
  );
  assert.equal([...html.matchAll(/<svg /g)].length, 2); // loss and accuracy charts
  assert.match(html, />loss<\/text>/);
  assert.match(html, />accuracy<\/text>/);
  assert.match(html, />val<\/text>/);
});

Deno.test("NotebookProgress: throttled, but every epoch's last step is drawn", async () => {
  const { jupyter, calls } = fakeJupyter();
  const p = new NotebookProgress({ jupyter, intervalMs: 60_000 });
  for (let s = 1; s <= 50; s++) p.update(step(1, s, 50, 1 / s));
  await p.close();
  // First step (creates the output), last step (forced), close.
  assert.equal(calls.length, 3);
  assert.match(calls[0].bundle["text/plain"], / 1\/50 /);
  assert.match(calls[1].bundle["text/plain"], / 50\/50 /);
  // The chart still has every step: 50 points in the loss polyline.
  const points = calls[2].bundle["text/html"].match(/<polyline points="([^"]+)"/)![1].split(" ");
  assert.equal(points.length, 50);
});

Deno.test("NotebookProgress: per-step values are recovered from the running means", async () => {
  const { jupyter, calls } = fakeJupyter();
  const p = new NotebookProgress({ jupyter, intervalMs: 0 });
  // Steps with losses 1 and 3: running means 1 and 2; the chart shows 1 then 3.
  p.update({ ...step(1, 1, 2, 1), epochs: 1 });
  p.update({ ...step(1, 2, 2, 2), epochs: 1 });
  await p.close();
  const svg = calls.at(-1)!.bundle["text/html"];
  const ys = svg.match(/<polyline points="([^"]+)"/)![1].split(" ").map((xy) =>
    Number(xy.split(",")[1])
  );
  assert.ok(ys[1] < ys[0], "the second step's loss (3) is drawn higher than the first (1)");
  assert.match(svg, />3<\/text>/); // top tick = 3, the window loss, not the mean 2
});

Deno.test("NotebookProgress: chart: false keeps the plain text display", async () => {
  const { jupyter, calls } = fakeJupyter();
  const p = new NotebookProgress({ jupyter, chart: false });
  p.update(step(1, 1, 1, 1));
  await p.close();
  assert.ok(calls.every((c) => !c.bundle["text/html"].includes("<svg")));
});

Deno.test("NotebookProgress: drives fit's progress in a (fake) notebook", async () => {
  const { jupyter, calls } = fakeJupyter();
  const model = new Linear(2, 2);
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([0, 1, 1, 0], { dtype: "int32" });
  await fit(model, { x, y }, {
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    epochs: 2,
    batchSize: 2,
    validation: { x, y },
    progress: new NotebookProgress({ jupyter, intervalMs: 0 }),
  });
  const ids = new Set(calls.map((c) => c.options.display_id));
  assert.equal(ids.size, 1);
  assert.deepEqual(calls.map((c) => c.options.update), [false, ...calls.slice(1).map(() => true)]);
  const html = calls.at(-1)!.bundle["text/html"];
  assert.match(html, /epoch 2\/2 {2}loss/);
  assert.equal([...html.matchAll(/<svg /g)].length, 2);
});
