// Figure: plain data until displayed; the MIME bundle carries the Plotly JSON
// and HTML that draws with plotly.js sent once per kernel session; save()
// writes a standalone offline page. The drawing script is run against a fake
// DOM to check it hands Plotly exactly the figure's spec.
import assert from "node:assert/strict";
import {
  Figure,
  FigurePromise,
  JUPYTER_DISPLAY,
  linePlot,
  plotlyLibraryHtml,
  plotlyLibrarySource,
  resetPlotlyLibrary,
} from "../../lib/plot/mod.ts";

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const LIBRARY_TAG = '<script type="text/javascript" data-neuronbook="plotly.js">';
/** How many copies of plotly.js `html` carries (no regex: the pages are megabytes). */
const copies = (html: string) => html.split(LIBRARY_TAG).length - 1;

const fig = () =>
  new Figure({
    data: [{ type: "scatter", mode: "lines", x: [1, 2, 3], y: new Float32Array([3, 1.1, 2]) }],
    layout: { title: { text: "A line" }, height: 320 },
  });

/** Runs the drawing scripts of an HTML fragment against a fake DOM; returns newPlot's calls. */
function runDrawScripts(html: string, plotly = true) {
  const calls: { el: unknown; data: unknown; layout: Record<string, unknown>; config: unknown }[] =
    [];
  const ids = [...html.matchAll(/<div id="([^"]+)"/g)].map((m) => m[1]);
  const elements = new Map(ids.map((id) => [id, { id, textContent: "" }]));
  const window: Record<string, unknown> = {};
  if (plotly) {
    window.Plotly = {
      newPlot: (el: unknown, data: unknown, layout: Record<string, unknown>, config: unknown) =>
        calls.push({ el, data, layout, config }),
    };
  }
  const document = { getElementById: (id: string) => elements.get(id) ?? null };
  const timers: (() => void)[] = [];
  const setTimeout = (f: () => void) => timers.push(f);
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)]
    .map((m) => m[1]);
  for (const s of scripts) {
    new Function("window", "document", "setTimeout", s)(window, document, setTimeout);
  }
  return { calls, elements, timers, window };
}

Deno.test("figure: bundle has the Plotly JSON, HTML and text", async () => {
  const bundle = await fig().toBundle({ includeLibrary: false });
  assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"]);
  const spec = bundle[PLOTLY_MIME] as { data: { type: string; y: number[] }[]; layout: object };
  assert.equal(spec.data[0].type, "scatter");
  assert.deepEqual(spec.data[0].y, [3, 1.1, 2]); // float32 1.1 rounded back to 7 digits
  assert.deepEqual(spec.layout, { title: { text: "A line" }, height: 320 });
  assert.equal(bundle["text/plain"], 'Figure("A line", 1 trace: scatter)');
  const html = bundle["text/html"] as string;
  assert.match(
    html,
    /<div id="neuronbook-plot-[0-9a-f-]+" class="neuronbook-plot" style="width:100%;height:320px;">/,
  );
});

Deno.test("figure: the drawing script gives Plotly the spec, and waits for the library", async () => {
  const f = fig();
  const html = (await f.toBundle({ includeLibrary: false }))["text/html"] as string;
  const drawn = runDrawScripts(html);
  assert.equal(drawn.calls.length, 1);
  assert.deepEqual(drawn.calls[0].data, f.toJSON().data);
  assert.deepEqual(drawn.calls[0].layout, f.toJSON().layout);
  assert.deepEqual(drawn.calls[0].config, { responsive: true, displaylogo: false });
  // Without window.Plotly it polls, then draws once the library arrives.
  const waiting = runDrawScripts(html, false);
  assert.equal(waiting.timers.length, 1);
  const calls: unknown[] = [];
  waiting.window.Plotly = { newPlot: (...args: unknown[]) => calls.push(args) };
  waiting.timers.pop()!();
  assert.equal(calls.length, 1);
});

Deno.test("figure: text in the spec cannot close the script tag", async () => {
  const f = new Figure({
    data: [{ type: "bar", x: ["</script><b>x</b>"], y: [1] }],
    layout: { title: { text: "a & b < c" } },
  });
  const html = (await f.toBundle({ includeLibrary: false }))["text/html"] as string;
  assert.doesNotMatch(html, /<\/script><b>/);
  assert.equal(html.match(/<\/script>/g)!.length, 1);
  const drawn = runDrawScripts(html);
  assert.deepEqual((drawn.calls[0].data as { x: string[] }[])[0].x, ["</script><b>x</b>"]);
});

Deno.test("figure: plotly.js is inlined exactly once across two displays", async () => {
  resetPlotlyLibrary();
  const first = (await fig()[JUPYTER_DISPLAY]())["text/html"] as string;
  const second = (await fig()[JUPYTER_DISPLAY]())["text/html"] as string;
  assert.equal(copies(first), 1);
  assert.equal(copies(second), 0);
  const source = await plotlyLibrarySource();
  assert.ok(source.length > 1_000_000);
  assert.ok(first.includes(source.slice(0, 5000)));
  assert.ok(first.length > source.length && second.length < 10_000);
  // The library comes before the figure's own div.
  assert.ok(first.indexOf("data-neuronbook") < first.indexOf("<div id="));
  // Forcing and resetting.
  const html = async (includeLibrary?: boolean) =>
    (await fig().toBundle({ includeLibrary }))["text/html"] as string;
  assert.equal(copies(await html(true)), 1);
  assert.equal(copies(await html(false)), 0);
  resetPlotlyLibrary();
  assert.equal(copies(await html()), 1);
  resetPlotlyLibrary();
  assert.ok((await plotlyLibraryHtml()).startsWith(LIBRARY_TAG));
  assert.equal(copies(await html()), 0);
});

Deno.test("figure: the library source is the pinned plotly.js with no closing script tag", async () => {
  const source = await plotlyLibrarySource();
  assert.match(source.slice(0, 100), /plotly\.js v3\.7\.0/);
  assert.ok(source.includes("window.Plotly = Plotly;"));
  assert.ok(!/<\/script/i.test(source));
});

Deno.test("figure: save() writes a standalone page with plotly.js and the figure JSON", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/plots/line.html`;
    await fig().save(path);
    const page = await Deno.readTextFile(path);
    assert.match(
      page,
      /^<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n<title>A line<\/title>/,
    );
    assert.equal(page.match(LIBRARY_TAG)?.length, 1);
    const source = await plotlyLibrarySource();
    assert.ok(page.includes(source.slice(0, 5000)) && page.includes(source.slice(-2000)));
    assert.ok(
      page.includes('"data":[{"type":"scatter","mode":"lines","x":[1,2,3],"y":[3,1.1,2]}]'),
    );
    assert.ok(page.endsWith("</body>\n</html>\n"));
    assert.ok(!/<script[^>]*\ssrc=/.test(page), "no external scripts");
    // Its drawing script draws this figure.
    const drawn = runDrawScripts(page.slice(page.indexOf('<div id="')));
    assert.deepEqual(drawn.calls[0].data, fig().toJSON().data);
    // Written atomically: nothing else left in the folder.
    assert.deepEqual([...Deno.readDirSync(`${dir}/plots`)].map((e) => e.name), ["line.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("figure: toJSON is JSON-ready (typed arrays, NaN, nested)", () => {
  const f = new Figure({
    data: [{ type: "heatmap", z: [new Float64Array([1, NaN]), new Int32Array([3, 4])] }],
    layout: { skip: undefined },
  });
  const json = JSON.parse(JSON.stringify(f));
  assert.deepEqual(json.data[0].z, [[1, null], [3, 4]]);
  assert.deepEqual(json.layout, {});
});

Deno.test("figure: a builder's promise displays itself without await", async () => {
  const p = linePlot({ series: [{ y: [1, 2] }] });
  assert.ok(p instanceof FigurePromise);
  const bundle = await p[JUPYTER_DISPLAY]();
  assert.ok(PLOTLY_MIME in bundle);
  assert.ok((await p) instanceof Figure);
  // then() gives plain promises (no FigurePromise around other values).
  assert.equal(p.then(() => 1) instanceof FigurePromise, false);
  await assert.rejects(
    linePlot({ series: [{ x: [1], y: [1, 2] }] }),
    /series 0 has 1 x values but 2 y/,
  );
});
