// tools/nbexec.py's HTML render: a figure's HTML draws the output's own Plotly JSON, which
// nbconvert leaves out of the page, so with_figure_specs puts a copy before each figure (in
// the render only), escaped so that nothing in it ends the script element.
import assert from "node:assert/strict";
import { Figure } from "../../lib/plot/mod.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const PYTHON = Deno.env.get("PYTHON") ?? "/usr/bin/python3";
const NBEXEC_DIR = new URL("../../tools/", import.meta.url).pathname;

Deno.test({
  name: "nbexec with_figure_specs: each figure's Plotly JSON before it in the render, escaped",
  permissions: { read: true, env: true, run: "inherit" },
  fn: async () => {
    const fig = new Figure({
      data: [{ type: "bar", x: ["</script><b>x</b>", "a & b"], y: [1, 2] }],
      layout: { title: { text: "bars" } },
    });
    const bundle = fig.toBundle();
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [{
        cell_type: "code",
        id: "c1",
        metadata: {},
        source: "",
        execution_count: 1,
        outputs: [
          { output_type: "display_data", metadata: {}, data: bundle },
          { output_type: "display_data", metadata: {}, data: { "text/html": "<b>no figure</b>" } },
        ],
      }],
    };
    const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(NBEXEC_DIR)})
import nbformat, nbexec
nb = nbformat.from_dict(json.load(sys.stdin))
out = nbexec.with_figure_specs(nb)
json.dump({"render": out, "original": nb}, sys.stdout)
`;
    const child = new Deno.Command(PYTHON, {
      args: ["-c", script],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(nb)));
    await writer.close();
    const { success, stdout, stderr } = await child.output();
    assert.ok(success, new TextDecoder().decode(stderr));
    const { render, original } = JSON.parse(new TextDecoder().decode(stdout));
    const [figure, plain] = render.cells[0].outputs.map((o: { data: Record<string, unknown> }) =>
      o.data["text/html"] as string
    );
    const id = /<div id="(neuronbook-figure-[^"]+)"/.exec(bundle["text/html"] as string)![1];
    const m = new RegExp(`^<script type="application/json" id="${id}-spec">(.*?)</script>\\n`)
      .exec(figure)!;
    assert.ok(m, figure.slice(0, 200));
    assert.doesNotMatch(m[1], /[<>&]/);
    assert.deepEqual(JSON.parse(m[1]), bundle[PLOTLY_MIME]);
    assert.equal(figure.slice(m[0].length), bundle["text/html"]);
    assert.equal(plain, "<b>no figure</b>");
    // The notebook itself is left as it was: the saved file holds one copy.
    assert.equal(original.cells[0].outputs[0].data["text/html"], bundle["text/html"]);
  },
});
