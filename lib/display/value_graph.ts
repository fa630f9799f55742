/**
 * Pictures of computational graphs of {@linkcode Value}s, drawn like the
 * lecture slides: each value is a box with its name, its forward value and,
 * below it in red, its gradient; each op is a small circle (`+`, `*`, `exp`,
 * ...) between its inputs and its output. Layout is Graphviz's `dot`
 * compiled to WebAssembly (`npm:@viz-js/viz`, loaded on first use), so no
 * system Graphviz is needed. When `backward()` has not run on the output
 * yet, the picture says so in red at the top.
 *
 * @module
 */
import { Value, type ValueGraph, valueGraph } from "../value.ts";
import { escapeHtml, type MimeBundle } from "../jupyter.ts";

/**
 * Options of {@linkcode valueGraphDot}, {@linkcode valueGraphSvg} and
 * {@linkcode valueGraphBundle}.
 *
 * @example
 * ```ts
 * import type { ValueGraphOptions } from "./value_graph.ts";
 * const o: ValueGraphOptions = { digits: 2, rankdir: "TB" };
 * ```
 */
export interface ValueGraphOptions {
  /** Decimals of values and gradients (default 4; integers are shown whole). */
  digits?: number;
  /** Direction of the flow: left to right (default, like the slides) or top to bottom. */
  rankdir?: "LR" | "TB";
  /** Ids of nodes whose value is not computed yet: drawn as "?" (a forward pass under way). */
  unknownValues?: readonly number[];
  /** Ids of nodes whose gradient is not known yet: drawn blank (a backward pass under way). */
  unknownGrads?: readonly number[];
  /** Id of the node whose gate is at work: its box, gate and input edges are highlighted. */
  highlight?: number;
  /** Lines of text shown above the graph (e.g. the step's arithmetic). */
  caption?: readonly string[];
}

/**
 * The warning the picture (and the text) shows when `backward()` has not
 * run on the output, so the gradients are all still 0.
 *
 * @example
 * ```ts
 * import { NO_BACKWARD_WARNING } from "./value_graph.ts";
 * import assert from "node:assert/strict";
 * assert.match(NO_BACKWARD_WARNING, /backward\(\) has not run/);
 * ```
 */
export const NO_BACKWARD_WARNING = "backward() has not run: every gradient is still 0";

// Graphviz sizes text with its own metrics of these fonts; other names fall back to Times.
const FONT = "Helvetica";
// What the picture asks the browser for: Helvetica or a font with its widths (Arial, Liberation
// Sans, Arimo); where none is installed (DejaVu Sans, about 12% wider, is common on Linux) the
// long lines carry room to spare (see `room`).
const SVG_FONTS = "Helvetica,Arial,Liberation Sans,Arimo,sans-serif";

/** No-break spaces to follow `text` (~15% of it): a wider fallback font still fits. */
function room(text: string): string {
  return "&#160;".repeat(Math.ceil(text.length * 0.15));
}
const OP_SYMBOLS: Record<string, string> = { add: "+", mul: "*" };

function fmt(v: number, digits: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a < 10 ** -digits) return v.toExponential(2);
  return String(Number(v.toFixed(digits)));
}

/**
 * The graph below `root` (or a snapshot from `valueGraph`) in Graphviz DOT:
 * one box per value (name, value, gradient in red), one circle per op, edges
 * from inputs through the op to its output, and a red warning line at the
 * top when `backward()` has not run. Pure text, for Graphviz or tests.
 *
 * @example The lecture's f(x, y, z) = (x + y)z
 * ```ts
 * import { valueGraphDot } from "./value_graph.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
 * const f = x.add(y).mul(z);
 * f.backward();
 * const dot = valueGraphDot(f);
 * assert.match(dot, /^digraph/);
 * assert.match(dot, /<B>x<\/B>.*-2.*<FONT COLOR="red">-4<\/FONT>/); // x: value -2, gradient -4
 * assert.match(dot, /label="\+"/);
 * assert.doesNotMatch(dot, /backward\(\) has not run/);
 * ```
 */
export function valueGraphDot(root: Value | ValueGraph, options: ValueGraphOptions = {}): string {
  const g = root instanceof Value ? valueGraph(root) : root;
  const digits = options.digits ?? 4;
  const lines = [
    "digraph G {",
    `  graph [rankdir=${options.rankdir ?? "LR"}, fontname="${FONT}", nodesep=0.3, ranksep=0.4];`,
    `  node [fontname="${FONT}", fontsize=12];`,
    `  edge [color="#555555", arrowsize=0.7];`,
  ];
  const legend = `<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="10" COLOR="#555555">value above,` +
    `&#160;&#160;</FONT><FONT POINT-SIZE="10" COLOR="red">gradient below</FONT></TD></TR>`;
  const warning = g.backwardDone
    ? ""
    : `<TR><TD ALIGN="LEFT"><FONT COLOR="red"><B>${escapeHtml(NO_BACKWARD_WARNING)}</B></FONT>${
      room(NO_BACKWARD_WARNING)
    }</TD></TR>`;
  const caption = (options.caption ?? []).map((l) =>
    `<TR><TD ALIGN="LEFT">${escapeHtml(l)}${room(l)}</TD></TR>`
  );
  lines.push(
    `  labelloc=t; labeljust=l; label=<<TABLE BORDER="0" CELLPADDING="2">${warning}${
      caption.join("")
    }${legend}</TABLE>>;`,
  );
  const last = g.nodes.length - 1;
  const lit = options.highlight;
  const inputs = new Set(g.edges.filter((e) => e.to === lit).map((e) => e.from));
  const unknownValue = new Set(options.unknownValues), unknownGrad = new Set(options.unknownGrads);
  for (const n of g.nodes) {
    const name = n.label === undefined ? "" : `<TR><TD><B>${escapeHtml(n.label)}</B></TD></TR>`;
    const value = unknownValue.has(n.id) ? `<FONT COLOR="#999999">?</FONT>` : fmt(n.data, digits);
    const grad = unknownGrad.has(n.id) ? " " : fmt(n.grad, digits);
    const bg = n.id === lit ? "#ffe082" : inputs.has(n.id) ? "#fff8e1" : "white";
    const box = `<TABLE BORDER="${n.id === last ? 2 : 1}" CELLBORDER="0" CELLSPACING="0" ` +
      `CELLPADDING="3" BGCOLOR="${bg}">${name}` +
      `<TR><TD>${value}</TD></TR>` +
      `<TR><TD><FONT COLOR="red">${grad}</FONT></TD></TR></TABLE>`;
    lines.push(`  v${n.id} [shape=plain, label=<${box}>];`);
    if (n.op) {
      const symbol = OP_SYMBOLS[n.op] ?? n.op;
      const shape = symbol.length <= 2
        ? "shape=circle, width=0.35, fixedsize=true"
        : "shape=ellipse, height=0.35, margin=0.04";
      lines.push(
        `  op${n.id} [${shape}, style=filled, fillcolor="${
          n.id === lit ? "#ffb300" : "#f0f0f0"
        }", ` +
          `label="${symbol.replace(/"/g, '\\"')}"];`,
        `  op${n.id} -> v${n.id};`,
      );
    }
  }
  for (const e of g.edges) {
    const style = e.to === lit ? ` [color="#e65100", penwidth=2]` : "";
    lines.push(`  v${e.from} -> op${e.to}${style};`);
  }
  lines.push("}");
  return lines.join("\n");
}

type Viz = { renderString(src: string, options: { format: string; engine?: string }): string };
let viz: Promise<Viz> | null = null;

/** The Graphviz WebAssembly instance, created on first use. */
function graphviz(): Promise<Viz> {
  viz ??= import("@viz-js/viz").then((m) => m.instance() as Promise<Viz>).catch((e) => {
    viz = null;
    throw new Error(
      `Cannot load Graphviz (npm package "@viz-js/viz", pinned in neuronbook's deno.json). ` +
        `Run from inside the neuronbook folder (notebooks/ included) or pass ` +
        `--config <neuronbook>/deno.json so its import map applies, and fill Deno's cache ` +
        `once with access to the npm registry (deno cache mod.ts). Cause: ${e}`,
      { cause: e },
    );
  });
  return viz;
}

/**
 * The graph below `root` as SVG markup (laid out by Graphviz in
 * WebAssembly), ready to inline in HTML.
 *
 * @example
 * ```ts
 * import { valueGraphSvg } from "./value_graph.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const x = new Value(2, "x");
 * const y = x.mul(x);
 * y.label = "y";
 * const svg = await valueGraphSvg(y); // no backward() yet
 * assert.match(svg, /^<svg/);
 * assert.match(svg, />x<\/text>/);
 * assert.match(svg, /backward\(\) has not run/);
 * ```
 */
export async function valueGraphSvg(
  root: Value | ValueGraph,
  options: ValueGraphOptions = {},
): Promise<string> {
  const svg = (await graphviz()).renderString(valueGraphDot(root, options), {
    format: "svg",
    engine: "dot",
  });
  // Drop the XML prolog and doctype so the markup can sit inside HTML; let text that
  // a browser's fonts make wider than Graphviz measured overflow rather than be cut.
  return svg.slice(svg.indexOf("<svg")).replace("<svg ", '<svg overflow="visible" ')
    .replaceAll('font-family="Helvetica,sans-Serif"', `font-family="${SVG_FONTS}"`);
}

/**
 * The MIME bundle of a computational graph for a notebook: the picture as
 * inline SVG in `text/html` (what JupyterLab, VS Code and nbconvert's HTML
 * export show; nbconvert strips most SVG elements from `image/svg+xml`
 * outputs), the same SVG as `image/svg+xml`, and a text listing of the
 * nodes (`text/plain`).
 *
 * @example
 * ```ts
 * import { valueGraphBundle } from "./value_graph.ts";
 * import { Value } from "../value.ts";
 * import assert from "node:assert/strict";
 * const a = new Value(3, "a");
 * const b = a.exp();
 * b.backward();
 * const bundle = await valueGraphBundle(b);
 * assert.match(bundle["text/html"] as string, /^<div class="neuronbook-value-graph"><svg/);
 * assert.match(bundle["text/plain"] as string, /a = 3, grad 20\.0855/);
 * ```
 */
export async function valueGraphBundle(
  root: Value | ValueGraph,
  options: ValueGraphOptions = {},
): Promise<MimeBundle> {
  const g = root instanceof Value ? valueGraph(root) : root;
  const digits = options.digits ?? 4;
  const name = (id: number) => g.nodes[id].label ?? `v${id}`;
  const inputs = new Map<number, number[]>();
  for (const e of g.edges) inputs.set(e.to, [...inputs.get(e.to) ?? [], e.from]);
  const text = g.nodes.map((n) => {
    const from = n.op ? ` = ${n.op}(${(inputs.get(n.id) ?? []).map(name).join(", ")})` : "";
    return `${name(n.id)}${from} = ${fmt(n.data, digits)}, grad ${fmt(n.grad, digits)}`;
  });
  if (!g.backwardDone) text.unshift(`Warning: ${NO_BACKWARD_WARNING}`);
  const svg = await valueGraphSvg(g, options);
  return {
    "text/html": `<div class="neuronbook-value-graph">${svg}</div>`,
    "image/svg+xml": svg,
    "text/plain": text.join("\n"),
  };
}
