// Pictures of Value graphs: the DOT text (each node's value and gradient,
// ops, edges, the no-backward warning) and the SVG laid out by Graphviz in
// WebAssembly.
import assert from "node:assert/strict";
import { Value, valueGraph } from "../../mod.ts";
import {
  NO_BACKWARD_WARNING,
  valueGraphBundle,
  valueGraphDot,
  valueGraphSvg,
} from "../../lib/display/mod.ts";

/** The lecture's f(x, y, z) = (x + y)z with its names. */
function lecture() {
  const x = new Value(-2, "x"), y = new Value(5, "y"), z = new Value(-4, "z");
  const q = x.add(y);
  q.label = "q";
  const f = q.mul(z);
  f.label = "f";
  return f;
}

/** Node id → [label, value, gradient] as written in the DOT labels. */
function boxes(dot: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (
    const [, id, body] of dot.matchAll(
      /^ {2}(v\d+) \[shape=plain, label=<(.*)>\];$/gm,
    )
  ) {
    out.set(id, [...body.matchAll(/<TD>(.*?)<\/TD>/g)].map((m) => m[1].replace(/<[^>]+>/g, "")));
  }
  return out;
}

Deno.test("valueGraphDot: every node's value and gradient, ops and edges", () => {
  const f = lecture();
  f.backward();
  const dot = valueGraphDot(f);
  assert.deepEqual(
    [...boxes(dot).entries()],
    [
      ["v0", ["x", "-2", "-4"]],
      ["v1", ["y", "5", "-4"]],
      ["v2", ["q", "3", "-4"]],
      ["v3", ["z", "-4", "3"]],
      ["v4", ["f", "-12", "1"]],
    ],
  );
  // Gradients are the red line under the value.
  assert.match(dot, /<TR><TD>-12<\/TD><\/TR><TR><TD><FONT COLOR="red">1<\/FONT><\/TD><\/TR>/);
  assert.match(dot, /op2 \[shape=circle[^\]]*label="\+"\]/);
  assert.match(dot, /op4 \[shape=circle[^\]]*label="\*"\]/);
  const edges = [...dot.matchAll(/^ {2}(\w+) -> (\w+);$/gm)].map((m) => `${m[1]}->${m[2]}`);
  assert.deepEqual(edges, ["op2->v2", "op4->v4", "v0->op2", "v1->op2", "v2->op4", "v3->op4"]);
  assert.ok(!dot.includes(NO_BACKWARD_WARNING));
  assert.match(
    dot,
    />value above,&#160;&#160;<\/FONT><FONT POINT-SIZE="10" COLOR="red">gradient below</,
  );
  assert.match(dot, /rankdir=LR/);
});

Deno.test("valueGraphDot: warns when backward() has not run", () => {
  const f = lecture();
  const dot = valueGraphDot(f);
  assert.ok(dot.includes(`<FONT COLOR="red"><B>${NO_BACKWARD_WARNING}</B></FONT>`));
  assert.match(NO_BACKWARD_WARNING, /^backward\(\) has not run/);
  assert.deepEqual(boxes(dot).get("v0"), ["x", "-2", "0"]);
  f.backward();
  assert.ok(!valueGraphDot(f).includes(NO_BACKWARD_WARNING));
  // The snapshot keeps the flag it was taken with.
  assert.ok(!valueGraphDot(valueGraph(f)).includes(NO_BACKWARD_WARNING));
});

Deno.test("valueGraphDot: digits, unnamed nodes, reused inputs, escaping", () => {
  const a = new Value(0.123456, "a<b>");
  const out = a.mul(a).tanh();
  out.backward();
  const dot = valueGraphDot(out, { digits: 2, rankdir: "TB" });
  const b = boxes(dot);
  assert.deepEqual(b.get("v0"), ["a&lt;b&gt;", "0.12", "0.25"]);
  assert.deepEqual(b.get("v1")!.length, 2); // no name: value and gradient only
  assert.equal(dot.match(/v0 -> op1;/g)?.length, 2); // a*a: two edges from a
  assert.match(dot, /label="tanh"/);
  assert.match(dot, /rankdir=TB/);
  const tiny = new Value(1e-7);
  assert.match(valueGraphDot(tiny), /<TD>1\.00e-7<\/TD>/);
});

Deno.test("valueGraphSvg: Graphviz (WebAssembly) draws the nodes with their labels", async () => {
  const f = lecture();
  f.backward();
  const svg = await valueGraphSvg(f);
  assert.ok(svg.startsWith('<svg overflow="visible" '));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  for (const label of ["x", "y", "q", "z", "f", "+", "*"]) {
    assert.ok(svg.includes(`>${label}</text>`), `label ${label}`);
  }
  // Values and gradients (Graphviz writes "-" as &#45;).
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1].replaceAll("&#45;", "-")
  );
  for (const v of ["-2", "5", "3", "-4", "-12", "1"]) assert.ok(texts.includes(v), `text ${v}`);
  assert.ok(svg.includes('fill="red"'));
  assert.equal([...svg.matchAll(/class="node"/g)].length, 5 + 2);
  assert.equal([...svg.matchAll(/class="edge"/g)].length, 6);
  assert.ok(!svg.includes("has not run"));
});

Deno.test("valueGraphSvg / valueGraphBundle: the warning is in the picture and the text", async () => {
  const f = lecture();
  const svg = await valueGraphSvg(f);
  assert.ok(svg.includes(NO_BACKWARD_WARNING));
  const bundle = await valueGraphBundle(f);
  assert.deepEqual(Object.keys(bundle).sort(), ["image/svg+xml", "text/html", "text/plain"]);
  assert.equal(
    bundle["text/html"],
    `<div class="neuronbook-value-graph">${bundle["image/svg+xml"]}</div>`,
  );
  assert.ok((bundle["image/svg+xml"] as string).includes("backward() has not run"));
  assert.equal(
    bundle["text/plain"],
    [
      `Warning: ${NO_BACKWARD_WARNING}`,
      "x = -2, grad 0",
      "y = 5, grad 0",
      "q = add(x, y) = 3, grad 0",
      "z = -4, grad 0",
      "f = mul(q, z) = -12, grad 0",
    ].join("\n"),
  );
});
