// The step-through view of backpropagation: the steps' arithmetic on the
// lectures' circuits, the gradients it ends with (those of backward()), and
// the slider in a real browser.
import assert from "node:assert/strict";
import { Value } from "../../mod.ts";
import { backpropSteps, stepThrough } from "../../lib/display/mod.ts";

/** The lecture's sigmoid circuit 1/(1 + e^-(w0 x0 + w1 x1 + w2)) at 2, -1, -3, -2, -3, gate by gate. */
function sigmoidCircuit() {
  const [w0, x0, w1, x1, w2] = [[2, "w0"], [-1, "x0"], [-3, "w1"], [-2, "x1"], [-3, "w2"]]
    .map(([v, n]) => new Value(v as number, n as string));
  const named = (v: Value, n: string) => (v.label = n, v);
  const dot = named(w0.mul(x0).add(w1.mul(x1)).add(w2), "s");
  const e = named(dot.mul(-1).exp(), "e");
  const f = named(e.add(1).pow(-1), "f");
  return { f, leaves: [w0, x0, w1, x1, w2] };
}

Deno.test("backpropSteps: the sigmoid circuit's forward values and gate-by-gate gradients", () => {
  const { f, leaves } = sigmoidCircuit();
  const steps = backpropSteps(f);
  const forward = steps.filter((s) => s.phase === "forward");
  const backward = steps.filter((s) => s.phase === "backward");
  // One step for the inputs, one per gate; then ∂f/∂f = 1 and one step per gate.
  const gates = f.topo().filter((v) => v.op).length;
  assert.deepEqual([forward.length, backward.length], [1 + gates, 1 + gates]);
  assert.equal(
    forward[0].lines[0],
    "inputs: w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3; constants (-1), 1",
  );
  // The lecture's numbers: s = 1, e^-1 = 0.37, 1 + e = 1.37, f = 0.73.
  assert.ok(forward.some((s) => s.lines[0] === "s = v6 + w2 = 4 + -3 = 1"));
  assert.ok(forward.some((s) => s.lines[0] === "e = exp(v10) = exp(-1) = 0.3679"));
  assert.ok(forward.some((s) => s.lines[0] === "f = pow(-1)(v13) = pow(-1)(1.368) = 0.7311"));
  // No line for the constants' gradients.
  assert.ok(
    steps.every((s) => s.lines.every((l) => !l.startsWith("∂f/∂1 ") && !l.startsWith("∂f/∂(-1)"))),
  );
  // The 1/x gate: upstream 1, local -1/x² = -0.53; the exp gate: upstream -0.53 × local e^-1.
  assert.ok(
    backward.some((s) =>
      s.lines[0] === "∂f/∂v13 = ∂f/∂f × ∂f/∂v13 (local) = 1 × -0.5344 = -0.5344"
    ),
  );
  assert.ok(
    backward.some((s) =>
      s.lines[0] === "∂f/∂v10 = ∂f/∂e × ∂e/∂v10 (local) = -0.5344 × 0.3679 = -0.1966"
    ),
  );
  // Values appear one at a time and gradients only after the forward pass.
  assert.ok(forward.every((s, i) => s.values.filter((v) => v !== null).length === 7 + i));
  assert.ok(forward.every((s) => s.grads.every((g) => g === null)));
  // The last step holds every gradient, equal to backward()'s: -0.20, 0.39, -0.39, -0.59, 0.20.
  f.backward();
  const last = steps.at(-1)!;
  f.topo().forEach((v, i) => assert.ok(Math.abs(last.grads[i]! - v.grad) < 1e-12, `node ${i}`));
  assert.deepEqual(leaves.map((v) => v.grad.toFixed(2)), [
    "-0.20",
    "0.39",
    "-0.39",
    "-0.59",
    "0.20",
  ]);
});

Deno.test("backpropSteps: a node feeding several gates collects the sum, as backward() does", () => {
  const x = new Value(1.5, "x"), y = new Value(-0.5, "y");
  const a = x.mul(y).tanh(), b = x.add(a).mul(x);
  const out = b.add(a.mul(a)).relu();
  const steps = backpropSteps(out);
  assert.equal(x.grad, 0); // untouched
  const mentions = steps.flatMap((s) => s.lines).filter((l) => l.startsWith("∂v8/∂x +="));
  assert.ok(mentions.length >= 2, "x's gradient accumulates over its gates");
  assert.match(mentions[0], /= 1\.5 × 1 = 1\.5; total 2\.365$/);
  out.backward();
  out.topo().forEach((v, i) => assert.ok(Math.abs(steps.at(-1)!.grads[i]! - v.grad) < 1e-12));
});

Deno.test({
  name: "stepThrough: the slider runs in Chromium; without scripts the final picture shows",
  permissions: { read: true, write: true, env: true, run: "inherit" },
  fn: async () => {
    const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
    const q = x.add(y);
    q.label = "q";
    const f = q.mul(z);
    f.label = "f";
    const view = await stepThrough(f);
    const bundle = view.toMimeBundle();
    const html = bundle["text/html"] as string;
    assert.equal(view.svgs.length, 6);
    // Static: the last frame alone is visible, the controls hidden.
    const visible = [...html.matchAll(/<div class="neuronbook-step"( style="display:none")?>/g)];
    assert.deepEqual(visible.map((m) => m[1] === undefined), [
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    assert.match(html, /neuronbook-step-controls" style="display:none;/);
    assert.equal(bundle["image/svg+xml"], view.svgs[5]);
    // The final picture has every value and gradient; the first step's has "?" for q and f.
    assert.match(view.svgs[5], />&#45;12<\/text>/);
    assert.equal((view.svgs[0].match(/>\?<\/text>/g) ?? []).length, 2);
    assert.match(view.svgs[4], /∂f\/∂q = ∂f\/∂f × ∂f\/∂q \(local\) = 1 × &#45;4 = &#45;4/);

    const dir = await Deno.makeTempDir();
    // After loading, press ▶ twice then ◀ once: step 2 of 6.
    const press = `<script>const b = document.querySelectorAll("button");` +
      `b[1].click(); b[1].click(); b[0].click();</script>`;
    await Deno.writeTextFile(`${dir}/page.html`, `<html><body>${html}${press}</body></html>`);
    const out = await new Deno.Command(Deno.env.get("CHROMIUM") ?? "chromium", {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        `--user-data-dir=${dir}/profile`,
        "--dump-dom",
        `file://${dir}/page.html`,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    await Deno.remove(dir, { recursive: true });
    const dom = new TextDecoder().decode(out.stdout);
    assert.match(dom, /<span>step 2 of 6<\/span>/);
    const shown = [...dom.matchAll(/<div class="neuronbook-step"(?: style="([^"]*)")?>/g)];
    assert.deepEqual(shown.map((m) => !/none/.test(m[1] ?? "")), [
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
    assert.match(dom, /neuronbook-step-controls" style="font:/);
  },
});

Deno.test("backpropSteps: forwardSteps: false computes the forward pass in one step", () => {
  const { f } = sigmoidCircuit();
  const each = backpropSteps(f), once = backpropSteps(f, { forwardSteps: false });
  const gates = f.topo().filter((v) => v.op).length;
  assert.equal(once.filter((s) => s.phase === "forward").length, 1);
  assert.equal(once.length, each.length - gates);
  assert.deepEqual(once[0].values, each[gates].values); // every value at once
  assert.equal(once[0].lines[1], "forward pass: f = 0.7311");
  assert.deepEqual(once.slice(1), each.slice(1 + gates)); // the same backward pass
});
