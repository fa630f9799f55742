import assert from "node:assert/strict";
import { keepOutputsInOrder, type KernelResultHook, SETTLE_MS } from "../lib/jupyter.ts";

/** A stand-in for Deno's kernel hook that records what it sent and when. */
function fakeHook(fail = false) {
  const sent: { count: number; result: unknown; at: number }[] = [];
  const hook: KernelResultHook = {
    broadcastResult(count, result) {
      sent.push({ count, result, at: performance.now() });
      return fail ? Promise.reject(new Error("cannot format")) : Promise.resolve();
    },
  };
  return { hook, sent };
}

Deno.test("keepOutputsInOrder: a cell's result is sent first, then the cell waits before it reports done", async () => {
  const { hook, sent } = fakeHook();
  assert.equal(keepOutputsInOrder(hook, 40), true);
  const start = performance.now();
  await hook.broadcastResult(7, "x");
  const done = performance.now();
  assert.deepEqual(sent.map(({ count, result }) => [count, result]), [[7, "x"]]);
  assert.ok(sent[0].at - start < 30, "the result goes out at once, not after the wait");
  assert.ok(done - sent[0].at >= 39, `waited ${done - sent[0].at} ms after sending`);
});

Deno.test("keepOutputsInOrder: a cell without a result waits too (its prints and displays leave first)", async () => {
  const { hook } = fakeHook();
  keepOutputsInOrder(hook, 30);
  const start = performance.now();
  await hook.broadcastResult(1, undefined);
  assert.ok(performance.now() - start >= 29);
});

Deno.test("keepOutputsInOrder: the kernel's own error still reaches it, after the wait", async () => {
  const { hook } = fakeHook(true);
  keepOutputsInOrder(hook, 20);
  const start = performance.now();
  await assert.rejects(hook.broadcastResult(1, 2), /cannot format/);
  assert.ok(performance.now() - start >= 19);
});

Deno.test("keepOutputsInOrder: wraps once, and does nothing outside Deno's kernel", async () => {
  const { hook, sent } = fakeHook();
  assert.equal(keepOutputsInOrder(hook, 10), true);
  assert.equal(keepOutputsInOrder(hook, 10), false);
  await hook.broadcastResult(3, 4);
  assert.equal(sent.length, 1, "wrapped twice would still send once, but wait twice");
  assert.equal(keepOutputsInOrder(undefined), false);
  assert.equal(keepOutputsInOrder({} as KernelResultHook), false);
  assert.equal(keepOutputsInOrder(), false, "tests do not run inside the kernel");
  assert.ok(SETTLE_MS >= 30);
});

/** Runs tests/jupyter/queued_cells.py: `n` value cells queued at once after `preamble`. */
async function queueCells(preamble: string, n: number) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/preamble.ts`, preamble);
    const script = new URL("./jupyter/queued_cells.py", import.meta.url).pathname;
    const out = await new Deno.Command(Deno.env.get("PYTHON") ?? "/usr/bin/python3", {
      args: ["-X", "frozen_modules=off", script, `${dir}/preamble.ts`, String(n)],
      cwd: dir,
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.ok(out.success, `queued_cells.py failed:\n${new TextDecoder().decode(out.stderr)}`);
    return JSON.parse(stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Two busy processes, so the kernel's threads compete for this machine's cores. */
function loadTheMachine(): () => Promise<void> {
  const busy = [0, 1].map(() =>
    new Deno.Command(Deno.env.get("PYTHON") ?? "/usr/bin/python3", {
      args: ["-c", "while True: pass"],
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
  return async () => {
    for (const p of busy) p.kill();
    await Promise.all(busy.map((p) => p.status));
  };
}

Deno.test("in Deno's Jupyter kernel, after importing neuronbook, 60 cells queued at once on a loaded machine each get their own result", async () => {
  const stop = loadTheMachine();
  try {
    const mod = new URL("../mod.ts", import.meta.url).href;
    const report = await queueCells(`import { tensor } from "${mod}";\ntensor(1);`, 60);
    assert.equal(report.finished, 60);
    assert.equal(report.outputs, 60);
    assert.deepEqual(report.misplaced, [], "results under another cell, or after their cell ended");
  } finally {
    await stop();
  }
});
