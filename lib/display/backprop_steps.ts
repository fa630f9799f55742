/**
 * Backpropagation step by step: the forward pass node by node, then the
 * backward pass one gate at a time, each step highlighting the gate and
 * writing out upstream gradient × local gradient = downstream gradient.
 *
 * Deno's Jupyter kernel has no widget channel, so every step is computed
 * and drawn (Graphviz in WebAssembly) beforehand and the output carries all
 * the pictures with a small slider script that runs in the page; a
 * frontend that runs no scripts shows the final picture (all values and
 * gradients), which is also the `image/svg+xml` entry.
 *
 * @module
 */
import { type Value, valueGraph } from "../value.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../jupyter.ts";
import { type ValueGraphOptions, valueGraphSvg } from "./value_graph.ts";

/** Options of {@linkcode backpropSteps} and {@linkcode stepThrough}. */
export interface BackpropStepsOptions {
  /**
   * One step per node of the forward pass (default), or `false` for a single
   * step with every value (a large graph: fewer pictures to carry).
   */
  forwardSteps?: boolean;
}

/** One step of {@linkcode backpropSteps}. */
export interface BackpropStep {
  /** `"forward"` (a value is computed) or `"backward"` (a gradient flows through a gate). */
  phase: "forward" | "backward";
  /** Id of the node at work (its gate, for interior nodes), as in `valueGraph(root)`. */
  node: number;
  /** What happens, in arithmetic, e.g. `"∂f/∂x = ∂f/∂q × ∂q/∂x = -4 × 1 = -4"`. */
  lines: string[];
  /** Every node's value after this step (`null`: not computed yet). */
  values: (number | null)[];
  /** Every node's gradient after this step (`null`: not reached yet). */
  grads: (number | null)[];
}

const SYMBOL: Record<string, string> = { add: " + ", mul: " × " };

function num(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * The steps of one forward and one backward pass through the graph below
 * `root`, computed from the nodes' values and each gate's local gradients
 * ({@linkcode Value.localGrads}); the graph itself is left unchanged. The
 * first step shows the inputs, each later forward step computes one node;
 * the backward pass starts with ∂root/∂root = 1 and then takes one gate per
 * step, adding upstream × local to each input's gradient (a node that feeds
 * several gates collects a sum).
 *
 * @example The lecture's f = (x + y)·z at (-2, 5, -4)
 * ```ts
 * import { backpropSteps } from "./backprop_steps.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const [x, y, z] = [new Value(-2, "x"), new Value(5, "y"), new Value(-4, "z")];
 * const q = x.add(y);
 * q.label = "q";
 * const f = q.mul(z);
 * f.label = "f";
 * const steps = backpropSteps(f);
 * assert.deepEqual(steps.map((s) => s.lines[0]), [
 *   "inputs: x = -2, y = 5, z = -4",
 *   "q = x + y = -2 + 5 = 3",
 *   "f = q × z = 3 × -4 = -12",
 *   "∂f/∂f = 1",
 *   "∂f/∂q = ∂f/∂f × ∂f/∂q (local) = 1 × -4 = -4",
 *   "∂f/∂x = ∂f/∂q × ∂q/∂x (local) = -4 × 1 = -4",
 * ]);
 * assert.deepEqual(steps.at(-1)!.grads, [-4, -4, -4, 3, 1]);
 * assert.equal(x.grad, 0); // the graph itself is untouched
 * ```
 */
export function backpropSteps(root: Value, options: BackpropStepsOptions = {}): BackpropStep[] {
  const topo = root.topo();
  const id = new Map(topo.map((v, i) => [v, i]));
  // Unnamed constants (the 1 in 1 + e) go by their value, other unnamed nodes by their id.
  const name = (v: Value) =>
    v.label ?? (v.op ? `v${id.get(v)}` : v.data < 0 ? `(${num(v.data)})` : num(v.data));
  const values: (number | null)[] = topo.map((v) => v.op ? null : v.data);
  const grads: (number | null)[] = topo.map(() => null);
  const steps: BackpropStep[] = [];
  const push = (phase: BackpropStep["phase"], node: number, lines: string[]) =>
    steps.push({ phase, node, lines, values: [...values], grads: [...grads] });

  const out = name(root);
  const leaves = topo.filter((v) => !v.op);
  const named = leaves.filter((v) => v.label !== undefined);
  const constants = leaves.filter((v) => v.label === undefined).map(name);
  push("forward", -1, [
    `inputs: ${named.map((v) => `${name(v)} = ${num(v.data)}`).join(", ")}` +
    (constants.length ? `; constants ${constants.join(", ")}` : ""),
  ]);
  if (options.forwardSteps === false) {
    topo.forEach((v, i) => (values[i] = v.data));
    steps[0].values = [...values];
    steps[0].lines.push(`forward pass: ${out} = ${num(root.data)}`);
  }
  for (const v of options.forwardSteps === false ? [] : topo) {
    if (!v.op) continue;
    values[id.get(v)!] = v.data;
    const args = v.children;
    const [symbolic, numeric] = SYMBOL[v.op] && args.length === 2
      ? [args.map(name).join(SYMBOL[v.op]), args.map((c) => num(c.data)).join(SYMBOL[v.op])]
      : [`${v.op}(${args.map(name).join(", ")})`, `${v.op}(${args.map((c) => num(c.data))})`];
    push("forward", id.get(v)!, [`${name(v)} = ${symbolic} = ${numeric} = ${num(v.data)}`]);
  }

  grads[topo.length - 1] = 1;
  push("backward", topo.length - 1, [`∂${out}/∂${out} = 1`]);
  for (let i = topo.length - 1; i >= 0; i--) {
    const gate = topo[i];
    if (!gate.op) continue;
    const upstream = grads[i] ?? 0;
    const local = gate.localGrads();
    const lines = gate.children.flatMap((c, k) => {
      const j = id.get(c)!, add = upstream * local[k];
      const before = grads[j];
      grads[j] = (before ?? 0) + add;
      if (!c.op && c.label === undefined) return []; // a constant's gradient goes nowhere
      const total = before === null ? "" : `; total ${num(grads[j]!)}`;
      return [
        `∂${out}/∂${name(c)} ${before === null ? "=" : "+="} ∂${out}/∂${name(gate)} × ` +
        `∂${name(gate)}/∂${name(c)} (local) = ${num(upstream)} × ${num(local[k])} = ` +
        `${num(add)}${total}`,
      ];
    });
    push("backward", i, lines);
  }
  return steps;
}

/**
 * The step-through view of a graph's forward and backward pass, drawn and
 * ready to display: a cell's last expression (`await stepThrough(f)`)
 * shows a slider over the steps; `toMimeBundle()` gives the bundle.
 *
 * @example
 * ```ts
 * import { stepThrough } from "./backprop_steps.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const x = new Value(2, "x");
 * const y = x.mul(x);
 * y.label = "y";
 * const view = await stepThrough(y);
 * assert.equal(view.steps.length, 4); // inputs, y = x × x, ∂y/∂y = 1, the mul gate
 * const bundle = view.toMimeBundle();
 * assert.equal((bundle["text/html"] as string).match(/<svg/g)!.length, 4);
 * assert.match(bundle["image/svg+xml"] as string, /^<svg/);
 * assert.match(bundle["text/plain"] as string, /4\. ∂y\/∂x = ∂y\/∂y × ∂y\/∂x \(local\) = 1 × 2 = 2\n {3}∂y\/∂x \+= .* = 2; total 4/);
 * ```
 */
export class StepThrough {
  /** The steps, in order. */
  readonly steps: readonly BackpropStep[];
  /** One SVG picture per step. */
  readonly svgs: readonly string[];

  /** Wraps computed steps and their pictures (see {@linkcode stepThrough}). */
  constructor(steps: readonly BackpropStep[], svgs: readonly string[]) {
    this.steps = steps;
    this.svgs = svgs;
  }

  /** The Jupyter display hook (see {@linkcode StepThrough.toMimeBundle}). */
  [JUPYTER_DISPLAY](): MimeBundle {
    return this.toMimeBundle();
  }

  /**
   * The slider over every step's picture (`text/html`, with its script; the
   * final picture shows where scripts do not run), the final picture
   * (`image/svg+xml`) and the steps as text (`text/plain`).
   */
  toMimeBundle(): MimeBundle {
    const n = this.svgs.length;
    const frames = this.svgs.map((svg, i) =>
      `<div class="neuronbook-step"${i === n - 1 ? "" : ' style="display:none"'}>${svg}</div>`
    );
    const controls = `<div class="neuronbook-step-controls" style="display:none;` +
      `font:13px sans-serif;margin:4px 0">` +
      `<button type="button" data-by="-1">◀</button> ` +
      `<input type="range" min="0" max="${n - 1}" value="${n - 1}" ` +
      `style="width:320px;vertical-align:middle"> <button type="button" data-by="1">▶</button> ` +
      `<span></span></div>`;
    const text = this.steps.map((s, i) =>
      s.lines.map((l, k) => `${k ? " ".repeat(String(i + 1).length + 2) : `${i + 1}. `}${l}`)
        .join("\n")
    );
    // Found by id: Jupyter Notebook runs output scripts from <head>, where
    // document.currentScript is not inside the output.
    const id = `neuronbook-steps-${crypto.randomUUID()}`;
    return {
      "text/html": `<div class="neuronbook-backprop-steps" id="${id}">${controls}` +
        `${frames.join("")}<script>(${SLIDER_SCRIPT})("${id}");</script></div>`,
      "image/svg+xml": this.svgs[n - 1],
      "text/plain": text.join("\n"),
    };
  }
}

/** Shows one step at a time; runs in the page, where the output is displayed. */
const SLIDER_SCRIPT = `function (id) {
  var root = document.getElementById(id);
  if (!root) return;
  var frames = root.querySelectorAll(".neuronbook-step");
  var controls = root.querySelector(".neuronbook-step-controls");
  var slider = controls.querySelector("input"), label = controls.querySelector("span");
  function show(i) {
    i = Math.max(0, Math.min(frames.length - 1, i));
    slider.value = String(i);
    for (var k = 0; k < frames.length; k++) frames[k].style.display = k === i ? "" : "none";
    label.textContent = "step " + (i + 1) + " of " + frames.length;
  }
  slider.addEventListener("input", function () { show(Number(slider.value)); });
  controls.querySelectorAll("button").forEach(function (b) {
    b.addEventListener("click", function () { show(Number(slider.value) + Number(b.dataset.by)); });
  });
  controls.style.display = "";
  show(0);
}`;

/** Drops Graphviz's comments and tooltips: a step-through carries dozens of pictures. */
function compact(svg: string): string {
  return svg.replace(/<!--[^]*?-->\n?/g, "").replace(/<title>[^<]*<\/title>\n?/g, "");
}

/**
 * Computes the steps of one forward and backward pass through the graph
 * below `root` ({@linkcode backpropSteps}) and draws each one: the node at
 * work highlighted, values not computed yet shown as "?", gradients not
 * reached yet blank, the step's arithmetic above the graph. Display the
 * result as a cell's last expression: `await stepThrough(f)`.
 *
 * @example
 * ```ts
 * import { stepThrough } from "./backprop_steps.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const [w, x] = [new Value(2, "w"), new Value(-1, "x")];
 * const view = await stepThrough(w.mul(x).sigmoid());
 * assert.equal(view.svgs.length, view.steps.length);
 * assert.match(view.svgs[1], /\?/); // the sigmoid's value is not computed yet
 * ```
 */
export async function stepThrough(
  root: Value,
  options: BackpropStepsOptions & Pick<ValueGraphOptions, "digits" | "rankdir"> = {},
): Promise<StepThrough> {
  const { forwardSteps, ...drawing } = options;
  const steps = backpropSteps(root, { forwardSteps });
  const g = valueGraph(root);
  const svgs: string[] = [];
  for (const s of steps) {
    const snapshot = {
      backwardDone: true,
      edges: g.edges,
      nodes: g.nodes.map((n) => ({ ...n, data: s.values[n.id] ?? 0, grad: s.grads[n.id] ?? 0 })),
    };
    const unknown = (xs: (number | null)[]) => xs.flatMap((x, i) => x === null ? [i] : []);
    svgs.push(
      await valueGraphSvg(snapshot, {
        ...drawing,
        unknownValues: unknown(s.values),
        unknownGrads: unknown(s.grads),
        highlight: s.node,
        caption: [`${s.phase} pass`, ...s.lines],
      }).then(compact),
    );
  }
  return new StepThrough(steps, svgs);
}
