// Figure: plain data until displayed; the MIME bundle carries the Plotly JSON
// and HTML with a static picture plus a script that draws with plotly.js
// (never carried in the bundle: from the page, or loaded once from Jupyter's
// nbextensions); save() writes a standalone offline page. The drawing script
// is run against a fake DOM to check it hands Plotly exactly the figure's spec.
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import {
  animate,
  Figure,
  FigurePromise,
  installPlotlyForJupyter,
  JUPYTER_DISPLAY,
  linePlot,
  plotlyLibrarySource,
  plotlyVersion,
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

interface FakeElement {
  id?: string;
  className: string;
  textContent: string;
  src?: string;
  style: Record<string, string>;
  children: FakeElement[];
  onload?: () => void;
  onerror?: () => void;
  removed?: boolean;
}

/** Where the page finds each figure's Plotly JSON (the bundle carries it beside the HTML). */
interface SpecSource {
  /** The outputs whose JSON the page can read. */
  outputs: Record<string, unknown>[];
  /** From Jupyter Notebook's model (default), or from `ID-spec` elements (an HTML render). */
  via?: "notebook" | "render";
}

/** Runs the drawing scripts of an HTML fragment against a fake DOM; returns newPlot's calls. */
function runDrawScripts(
  html: string,
  page: { plotly?: boolean; baseUrl?: string; specs?: SpecSource } = {},
) {
  const calls: { el: unknown; spec: Record<string, unknown> }[] = [];
  const el = (props: Partial<FakeElement> = {}): FakeElement => ({
    className: "",
    textContent: "",
    style: {},
    children: [],
    ...props,
  });
  const boxes = new Map(
    [...html.matchAll(/<div id="([^"]+)" class="neuronbook-figure">/g)].map((m) => {
      const note = el({ className: "neuronbook-static neuronbook-static-note" });
      return [m[1], el({ id: m[1], children: [el({ className: "neuronbook-static" }), note] })];
    }),
  );
  const head: FakeElement[] = [];
  const window: Record<string, unknown> = {};
  const Plotly = {
    newPlot: (target: unknown, spec: Record<string, unknown>) => {
      calls.push({ el: target, spec });
      return Promise.resolve();
    },
  };
  if (page.plotly ?? true) window.Plotly = Plotly;
  const outputs = (page.specs?.outputs ?? []).map((data) => ({ data }));
  const via = page.specs?.via ?? "notebook";
  if (via === "notebook") {
    window.Jupyter = { notebook: { get_cells: () => [{ output_area: { outputs } }] } };
  }
  const specElement = (id: string) => {
    if (via !== "render" || !id.endsWith("-spec")) return null;
    const out = outputs.find((o) => String(o.data["text/html"]).includes(id.slice(0, -5)));
    return out ? { textContent: JSON.stringify(out.data[PLOTLY_MIME]) } : null;
  };
  const document = {
    getElementById: (id: string) => {
      const spec = specElement(id);
      if (spec) return spec;
      const box = boxes.get(id);
      if (!box) return null;
      return {
        appendChild: (c: FakeElement) => box.children.push(c),
        querySelector: (sel: string) =>
          box.children.find((c) => c.className.includes(sel.slice(1))) ?? null,
        querySelectorAll: (sel: string) =>
          box.children.filter((c) => c.className.includes(sel.slice(1)) && !c.removed).map(
            (c) => ({ remove: () => c.removed = true }),
          ),
      };
    },
    createElement: () => el(),
    head: { appendChild: (c: FakeElement) => head.push(c) },
    body: { getAttribute: () => page.baseUrl ?? null },
  };
  const scripts = [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)]
    .map((m) => m[1]);
  for (const s of scripts) new Function("window", "document", s)(window, document);
  return { calls, boxes, head, window, Plotly };
}

/** Lets the page scripts' promises run (inflating the spec takes a few turns). */
const settle = () => new Promise((r) => setTimeout(r, 20));

Deno.test("figure: bundle has the Plotly JSON, HTML and text", async () => {
  const bundle = await fig().toBundle();
  assert.deepEqual(Object.keys(bundle).sort(), [PLOTLY_MIME, "text/html", "text/plain"]);
  const spec = bundle[PLOTLY_MIME] as { data: { type: string; y: number[] }[]; layout: object };
  assert.equal(spec.data[0].type, "scatter");
  assert.deepEqual(spec.data[0].y, [3, 1.1, 2]); // float32 1.1 rounded back to 7 digits
  assert.deepEqual(spec.layout, { title: { text: "A line" }, height: 320 });
  assert.equal(bundle["text/plain"], 'Figure("A line", 1 trace: scatter)');
  const html = bundle["text/html"] as string;
  assert.match(html, /<div id="neuronbook-figure-[0-9a-f-]+" class="neuronbook-figure">/);
});

Deno.test("figure: the drawing script gives Plotly the output's spec, then drops the static picture", async () => {
  const f = fig();
  const bundle = f.toBundle();
  const html = bundle["text/html"] as string;
  assert.ok(!html.includes('"scatter"'), "the HTML holds no second copy of the spec");
  const drawn = runDrawScripts(html, { specs: { outputs: [bundle] } });
  await settle();
  assert.equal(drawn.calls.length, 1);
  assert.deepEqual(drawn.calls[0].spec.data, f.toJSON().data);
  assert.deepEqual(drawn.calls[0].spec.layout, f.toJSON().layout);
  assert.deepEqual(drawn.calls[0].spec.config, {
    responsive: true,
    displaylogo: false,
    showSendToCloud: false,
  });
  const box = [...drawn.boxes.values()][0];
  assert.deepEqual(box.children.map((c) => [c.className, !!c.removed]), [
    ["neuronbook-static", true],
    ["neuronbook-static neuronbook-static-note", true],
    ["neuronbook-plot", false],
  ]);
  // Plotly writes into what it draws; Jupyter's model keeps its own JSON.
  (drawn.calls[0].spec.data as Record<string, unknown>[])[0].uid = "x";
  assert.equal((bundle[PLOTLY_MIME] as { data: { uid?: string }[] }).data[0].uid, undefined);
  // An HTML render: the JSON beside the figure (tools/nbexec.py puts it there).
  const render = runDrawScripts(html, { specs: { outputs: [bundle], via: "render" } });
  await settle();
  assert.deepEqual(render.calls[0].spec.data, f.toJSON().data);
});

Deno.test("figure: with no copy of the figure's data in the page, the picture stays and says so", async () => {
  const html = fig().toBundle()["text/html"] as string;
  const page = runDrawScripts(html, { specs: { outputs: [fig().toBundle()] } }); // another figure
  await settle();
  await settle();
  assert.equal(page.calls.length, 0);
  assert.equal(
    [...page.boxes.values()][0].children[1].textContent,
    "Static picture: this page holds no copy of the figure's data.",
  );
});

Deno.test("figure: without window.Plotly the script loads it once from Jupyter's nbextensions", async () => {
  const bundle = fig().toBundle();
  const html = bundle["text/html"] as string;
  const page = runDrawScripts(html + html, {
    plotly: false,
    baseUrl: "/user/ann/",
    specs: { outputs: [bundle] },
  });
  assert.equal(page.head.length, 1, "one <script> for both figures");
  const version = plotlyVersion();
  assert.equal(page.head[0].src, `/user/ann/nbextensions/neuronbook/plotly-${version}.min.js`);
  page.window.Plotly = page.Plotly;
  page.head[0].onload!();
  await settle();
  await settle();
  assert.equal(page.calls.length, 2);
});

Deno.test("figure: with no plotly.js to be had, the static picture stays and says why", async () => {
  const html = (await fig().toBundle())["text/html"] as string;
  assert.match(
    html,
    /<img class="neuronbook-static" alt="A line" src="data:image\/svg\+xml,%3Csvg /,
  );
  assert.match(html, /Static picture\. The interactive plot needs scripts/);
  const page = runDrawScripts(html, { plotly: false });
  await settle();
  await settle();
  const [, note] = [...page.boxes.values()][0].children;
  assert.equal(note.textContent, "Static picture: this page has no plotly.js.");
  assert.equal(page.calls.length, 0);
  // A failed load says which URL.
  const failing = runDrawScripts(html, { plotly: false, baseUrl: "/" });
  failing.head[0].onerror!();
  await settle();
  await settle();
  assert.match(
    [...failing.boxes.values()][0].children[1].textContent,
    /cannot load \/nbextensions/,
  );
});

Deno.test("figure: text in the spec cannot close the script tag", async () => {
  const f = new Figure({
    data: [{ type: "bar", x: ["</script><b>x</b>"], y: [1] }],
    layout: { title: { text: "a & b < c" } },
  });
  const bundle = f.toBundle({ staticPicture: false });
  const html = bundle["text/html"] as string;
  assert.doesNotMatch(html, /<\/script><b>/);
  assert.equal(html.match(/<\/script>/g)!.length, 1);
  const drawn = runDrawScripts(html, { specs: { outputs: [bundle] } });
  await settle();
  assert.deepEqual((drawn.calls[0].spec.data as { x: string[] }[])[0].x, ["</script><b>x</b>"]);
  // The picture escapes it too.
  assert.doesNotMatch(await f.staticSvg(), /<b>/);
});

Deno.test("figure: plotly.js never travels in a bundle; the kernel installs it for Jupyter", async () => {
  const first = (await fig()[JUPYTER_DISPLAY]())["text/html"] as string;
  const second = (await fig()[JUPYTER_DISPLAY]())["text/html"] as string;
  assert.equal(copies(first) + copies(second), 0);
  const source = await plotlyLibrarySource();
  assert.ok(source.length > 1_000_000);
  assert.ok(first.length < 20_000 && second.length < 20_000);
  const dir = await Deno.makeTempDir();
  try {
    const file = await installPlotlyForJupyter(dir);
    assert.equal(file, `${dir}/nbextensions/neuronbook/plotly-${plotlyVersion()}.min.js`);
    assert.equal(await Deno.readTextFile(file!), source);
    const before = (await Deno.stat(file!)).mtime;
    await installPlotlyForJupyter(dir); // already there: left alone
    assert.deepEqual((await Deno.stat(file!)).mtime, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("figure: the library source is the pinned plotly.js with no closing script tag", async () => {
  const source = await plotlyLibrarySource();
  assert.match(source.slice(0, 100), new RegExp(`plotly\\.js v${plotlyVersion()}`));
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
    // The figure's JSON travels deflated and base64-encoded in the drawing script.
    const packed = /\)\("neuronbook-figure-[^"]+", "([A-Za-z0-9+/=]+)"/.exec(page)![1];
    const json = inflateSync(Uint8Array.from(atob(packed), (c) => c.charCodeAt(0))).toString();
    assert.ok(
      json.includes('"data":[{"type":"scatter","mode":"lines","x":[1,2,3],"y":[3,1.1,2]}]'),
    );
    assert.ok(page.endsWith("</body>\n</html>\n"));
    assert.ok(!/<script[^>]*\ssrc=/.test(page), "no external scripts");
    // Its drawing script draws this figure.
    const drawn = runDrawScripts(page.slice(page.indexOf('<div id="')));
    await settle();
    assert.deepEqual(drawn.calls[0].spec.data, fig().toJSON().data);
    assert.equal(copies(page), 1);
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

Deno.test("animate: frames, a slider over them and a static picture of the active step", async () => {
  const xs = [0, 1, 2, 3];
  const fig = await animate(
    [1, 2, 3].map((a) =>
      linePlot({ series: [{ x: xs, y: xs.map((x) => a * x) }], title: `a = ${a}` })
    ),
    { labels: [1, 2, 3], label: "a", active: "last" },
  );
  assert.equal(fig.frames.length, 3);
  assert.deepEqual(fig.frames[1].data[0].y, [0, 2, 4, 6]);
  assert.deepEqual(fig.data[0].y, [0, 3, 6, 9]); // the active (last) step
  assert.deepEqual(
    fig.frames.map((f) => f.layout?.title),
    [1, 2, 3].map((a) => ({ text: `a = ${a}` })),
  );
  const slider = (fig.layout.sliders as { active: number; steps: { args: unknown[] }[] }[])[0];
  assert.equal(slider.active, 2);
  assert.deepEqual(slider.steps[0].args[0], ["1"]);
  // The y axis holds every frame: 0..9 padded.
  const range = (fig.layout.yaxis as { range: number[] }).range;
  assert.ok(range[0] < 0 && range[1] > 9);
  const bundle = await fig.toBundle();
  assert.equal((bundle[PLOTLY_MIME] as { frames: unknown[] }).frames.length, 3);
  assert.match(bundle["text/plain"] as string, /3 frames/);
  const svg = await fig.staticSvg();
  assert.match(svg, />a = 3<\/text>/); // the picture's slider names the active step
  const drawn = runDrawScripts(bundle["text/html"] as string, { specs: { outputs: [bundle] } });
  await settle();
  assert.equal((drawn.calls[0].spec.frames as unknown[]).length, 3);
});

Deno.test("animate: different kinds of figure, labels of the wrong length and a bad step are refused", async () => {
  await assert.rejects(
    animate([linePlot({ series: [{ y: [1] }] }), linePlot({ series: [{ y: [1] }, { y: [2] }] })]),
    /figure 1 has traces \[scatter, scatter\] but figure 0 has \[scatter\]/,
  );
  await assert.rejects(
    animate([linePlot({ series: [{ y: [1] }] })], { labels: [1, 2] }),
    /1 figures but 2 labels/,
  );
  await assert.rejects(
    animate([linePlot({ series: [{ y: [1] }] })], { active: 3 }),
    /active is 3; use 0 to 0/,
  );
  await assert.rejects(animate([]), /no figures given/);
});
