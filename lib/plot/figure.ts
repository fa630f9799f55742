/**
 * Plotly figures as plain data: a {@linkcode Figure} is a Plotly spec
 * (`data`, `layout`, `config`, animation `frames`) and nothing else until a
 * notebook displays it or {@linkcode Figure.save} writes it.
 *
 * Displayed in a Jupyter cell, a figure is a MIME bundle with
 * `application/vnd.plotly.v1+json` (drawn natively by JupyterLab's Plotly
 * extension and VS Code; its long numeric arrays as Plotly typed arrays,
 * see `_typed_arrays.ts`, which plotly.js reads since 2.28, so that a saved
 * notebook does not hold one number per line) and `text/html` holding a static picture of the
 * figure (SVG drawn here, see `static_svg.ts`) and a small script that
 * replaces it with the interactive plot. The script holds no copy of the
 * figure's data: it draws the output's own Plotly JSON, found in Jupyter
 * Notebook's model of the notebook, or (in an HTML render, where nbconvert
 * leaves that entry out) in a copy that `tools/nbexec.py` puts beside the
 * figure. Frontends that run no scripts (an untrusted notebook, a notebook
 * on a code-hosting site, an HTML export without scripts) show the picture.
 *
 * plotly.js itself (~4.8 MB) never travels in a notebook. The script uses
 * `window.Plotly` if the page has it (HTML renders made by
 * `deno task notebooks` load it once from a file beside them; a saved page
 * inlines it), else loads it from the Jupyter server: displaying a figure in
 * the kernel copies the library once into the user's Jupyter data folder
 * (`<jupyter data dir>/nbextensions/neuronbook/plotly-VERSION.min.js`,
 * served by Jupyter Notebook at `nbextensions/...`). Sending the library
 * through the kernel made Deno's kernel deliver the next cell's result
 * after that cell had finished, under the wrong cell.
 *
 * plotly.js comes from the npm package pinned in `deno.json`
 * (`plotly.js-dist-min`), read as text through Deno's module loader
 * (`import(..., { with: { type: "text" } })`): it lives in Deno's cache, needs
 * no `node_modules` folder and works from any working directory, the Jupyter
 * kernel's included.
 *
 * @module
 */
import { writeFileAtomic } from "../io/atomic_write.ts";
import { escapeHtml, JUPYTER_DISPLAY, kernelJupyter, type MimeBundle } from "../jupyter.ts";
import { staticSvg } from "./static_svg.ts";
import { encodeTypedArrays } from "./_typed_arrays.ts";
import { deflateSync } from "node:zlib";
import { base64 } from "../display/_png.ts";
import plotlyPackage from "plotly.js-dist-min/package.json" with { type: "json" };

/**
 * One Plotly trace: its `type` (`"scatter"`, `"heatmap"`, `"surface"`, ...)
 * and its attributes, as in the plotly.js reference.
 *
 * @example
 * ```ts
 * import type { PlotlyTrace } from "./figure.ts";
 * const t: PlotlyTrace = { type: "scatter", mode: "lines", x: [1, 2], y: [3, 4] };
 * ```
 */
export interface PlotlyTrace {
  /** The trace type. */
  type: string;
  /** Any other trace attribute. */
  [attribute: string]: unknown;
}

/**
 * Plotly layout or config attributes (`title`, `xaxis`, `height`, ...).
 *
 * @example
 * ```ts
 * import type { PlotlyObject } from "./figure.ts";
 * const layout: PlotlyObject = { title: { text: "Loss" }, height: 300 };
 * ```
 */
export type PlotlyObject = Record<string, unknown>;

/**
 * What {@linkcode Figure} is made of.
 *
 * @example
 * ```ts
 * import type { FigureSpec } from "./figure.ts";
 * const spec: FigureSpec = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }] };
 * ```
 */
export interface FigureSpec {
  /** The traces. */
  data: PlotlyTrace[];
  /** Layout (title, axes, size). */
  layout?: PlotlyObject;
  /** Plot config (mode bar, responsiveness). */
  config?: PlotlyObject;
  /** Animation frames (see {@linkcode animate}). */
  frames?: PlotlyFrame[];
}

/**
 * One animation frame: a name (what a slider step animates to) and the
 * traces (and layout changes) it shows.
 *
 * @example
 * ```ts
 * import type { PlotlyFrame } from "./figure.ts";
 * const f: PlotlyFrame = { name: "epoch 2", data: [{ type: "scatter", y: [1, 2] }] };
 * ```
 */
export interface PlotlyFrame {
  /** The frame's name (slider steps refer to it). */
  name: string;
  /** The traces, in the figure's trace order. */
  data: PlotlyTrace[];
  /** Layout attributes that change with the frame (e.g. the title). */
  layout?: PlotlyObject;
  /** Which of the figure's traces `data` replaces, in order (default: the first ones). */
  traces?: number[];
}

/**
 * Options of {@linkcode Figure.toBundle}.
 *
 * @example
 * ```ts
 * import type { BundleOptions } from "./figure.ts";
 * const noPicture: BundleOptions = { staticPicture: false };
 * ```
 */
export interface BundleOptions {
  /** Put a static SVG picture in the HTML for frontends that run no scripts (default true). */
  staticPicture?: boolean;
}

/**
 * A figure as JSON-ready data: what {@linkcode Figure.toJSON} returns.
 *
 * @example
 * ```ts
 * import type { FigureJson } from "./figure.ts";
 * const json: FigureJson = { data: [], layout: {}, config: {} };
 * ```
 */
export interface FigureJson {
  /** The traces. */
  data: PlotlyTrace[];
  /** Layout attributes. */
  layout: PlotlyObject;
  /** Config attributes. */
  config: PlotlyObject;
  /** Animation frames, when there are. */
  frames?: PlotlyFrame[];
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
// plotly.js 4 shows a "Share chart" button that uploads the figure to Plotly Cloud; the course
// works offline and keeps students' data on their machine.
const DEFAULT_CONFIG: PlotlyObject = {
  responsive: true,
  displaylogo: false,
  showSendToCloud: false,
};
const DEFAULT_HEIGHT = 450;

let librarySource: Promise<string> | null = null;

/**
 * The plotly.js bundle's source text (minified, ~4.8 MB), loaded once from
 * the npm package pinned in `deno.json` through Deno's module loader, so no
 * network is needed once Deno's cache holds it.
 *
 * @example
 * ```ts
 * import { plotlyLibrarySource } from "./figure.ts";
 * import assert from "node:assert/strict";
 * const js = await plotlyLibrarySource();
 * assert.match(js.slice(0, 200), /plotly\.js v\d+\.\d+\.\d+/);
 * ```
 */
export function plotlyLibrarySource(): Promise<string> {
  librarySource ??= import("plotly.js-dist-min/plotly.min.js", { with: { type: "text" } })
    .then((m) => m.default as string)
    .catch((e) => {
      librarySource = null;
      throw new Error(
        `Cannot load plotly.js (npm package "plotly.js-dist-min", pinned in neuronbook's ` +
          `deno.json). Run from inside the neuronbook folder (notebooks/ included) or pass ` +
          `--config <neuronbook>/deno.json so its import map applies, and fill Deno's cache ` +
          `once with access to the npm registry (deno cache mod.ts). Cause: ${e}`,
        { cause: e },
      );
    });
  return librarySource;
}

/**
 * The version of the pinned plotly.js (`"3.7.0"`), read from its package.
 *
 * @example
 * ```ts
 * import { plotlyVersion } from "./figure.ts";
 * import assert from "node:assert/strict";
 * assert.match(plotlyVersion(), /^\d+\.\d+\.\d+$/);
 * ```
 */
export function plotlyVersion(): string {
  return plotlyPackage.version;
}

/** `<script>` with plotly.js; `</script` inside the source would end the tag early. */
function libraryScript(source: string): string {
  return `<script type="text/javascript" data-neuronbook="plotly.js">\n` +
    `${source.replace(/<\/(script)/gi, "<\\/$1")}\n</script>\n`;
}

/**
 * Jupyter's per-user data folder (where `deno jupyter --install` puts the
 * kernelspec): `$JUPYTER_DATA_DIR`, else the platform's default.
 *
 * @example
 * ```ts
 * import { jupyterDataDir } from "./figure.ts";
 * import assert from "node:assert/strict";
 * assert.equal(jupyterDataDir({ JUPYTER_DATA_DIR: "/j", HOME: "/h" }, "linux"), "/j");
 * assert.equal(jupyterDataDir({ HOME: "/h" }, "linux"), "/h/.local/share/jupyter");
 * assert.equal(jupyterDataDir({ HOME: "/h" }, "darwin"), "/h/Library/Jupyter");
 * ```
 */
export function jupyterDataDir(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  os: string = Deno.build.os,
): string | undefined {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  if (os === "windows") return env.APPDATA ? `${env.APPDATA}\\jupyter` : undefined;
  if (!env.HOME) return undefined;
  if (os === "darwin") return `${env.HOME}/Library/Jupyter`;
  return `${env.XDG_DATA_HOME || `${env.HOME}/.local/share`}/jupyter`;
}

/**
 * Copies the pinned plotly.js into the Jupyter data folder's
 * `nbextensions/neuronbook/` (once; kept if already there), where Jupyter
 * Notebook serves it to the figures' scripts. Returns the file written or
 * found, undefined when there is no data folder. Displaying a figure in the
 * kernel calls it.
 *
 * @example
 * ```ts
 * import { installPlotlyForJupyter } from "./figure.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const file = await installPlotlyForJupyter(dir);
 * assert.match(file!, /nbextensions\/neuronbook\/plotly-\d+\.\d+\.\d+\.min\.js$/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function installPlotlyForJupyter(
  dataDir: string | undefined = jupyterDataDir(),
): Promise<string | undefined> {
  if (!dataDir) return undefined;
  const file = `${dataDir}/nbextensions/neuronbook/plotly-${plotlyVersion()}.min.js`;
  const source = new TextEncoder().encode(await plotlyLibrarySource());
  const size = await Deno.stat(file).then((s) => s.size, () => -1);
  if (size !== source.length) await writeFileAtomic(file, source);
  return file;
}

/**
 * A number to 7 significant digits: float32 values carry no more, and a
 * picture needs fewer; 17-digit doubles (a float32 read into JavaScript
 * prints as -0.41999998688697815) only bloat a notebook.
 */
function short(v: number): number {
  return Number.isFinite(v) && !Number.isInteger(v) ? Number(v.toPrecision(7)) : v;
}

/** Typed arrays become plain arrays (JSON.stringify would make objects of them). */
function plain(value: unknown): unknown {
  if (typeof value === "number") return short(value);
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, short);
  }
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
  return out;
}

/** JSON that is safe inside a `<script>`: no `<`, `>`, `&`, U+2028/9 unescaped. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** What the picture says until the interactive plot replaces it. */
const STATIC_NOTE = "Static picture. The interactive plot needs scripts: trust the notebook " +
  "or run the cell in Jupyter.";

/**
 * Runs in the page: draws the figure `id` with `window.Plotly`, loading
 * plotly.js from the Jupyter server's `nbextensions/` first when the page
 * lacks it (once per page), and removes the static picture once drawn. The
 * spec is `packed` (a saved page), else the output's own Plotly JSON: in an
 * HTML render, the `<script type="application/json" id="ID-spec">` that
 * `tools/nbexec.py` puts beside the figure; in Jupyter Notebook, the output
 * in the notebook's model (a copy: plotly.js writes into what it draws).
 * With no library or no spec to be had, the picture stays and its note says
 * why.
 */
const DRAW_SCRIPT = `function (id, packed, version) {
  var box = document.getElementById(id);
  if (!box) return;
  function unpack() {
    var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }
  function outputSpec() {
    var el = document.getElementById(id + "-spec");
    if (el) return JSON.parse(el.textContent);
    var J = window.Jupyter || window.IPython;
    var cells = J && J.notebook && J.notebook.get_cells ? J.notebook.get_cells() : [];
    for (var i = 0; i < cells.length; i++) {
      var outs = (cells[i].output_area && cells[i].output_area.outputs) || [];
      for (var k = 0; k < outs.length; k++) {
        var d = outs[k].data || {}, h = [].concat(d["text/html"] || []).join("");
        if (d["${PLOTLY_MIME}"] && h.indexOf(id) >= 0) {
          return JSON.parse(JSON.stringify(d["${PLOTLY_MIME}"]));
        }
      }
    }
    throw new Error("this page holds no copy of the figure's data");
  }
  function spec() {
    if (packed) return unpack();
    // A page still loading may hold the spec further down; Jupyter files an
    // output in its model after running the output's scripts.
    return new Promise(function (r) {
      if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", r);
      else setTimeout(r, 0);
    }).then(outputSpec);
  }
  function baseUrl() {
    var b = document.body && document.body.getAttribute("data-base-url");
    if (b) return b;
    var c = document.getElementById("jupyter-config-data");
    try { return c ? JSON.parse(c.textContent).baseUrl || null : null; } catch (e) { return null; }
  }
  function load() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (window.__neuronbookPlotly) return window.__neuronbookPlotly;
    var base = baseUrl();
    if (base === null) return Promise.reject(new Error("this page has no plotly.js"));
    var url = base.replace(/\\/?$/, "/") + "nbextensions/neuronbook/plotly-" + version + ".min.js";
    var p = new Promise(function (resolve, reject) {
      var fail = function () { reject(new Error("cannot load " + url)); };
      if (typeof window.define === "function" && window.define.amd && window.requirejs) {
        window.requirejs([url], function (P) { resolve(window.Plotly = window.Plotly || P); }, fail);
        return;
      }
      var s = document.createElement("script");
      s.src = url;
      s.onload = function () { window.Plotly ? resolve(window.Plotly) : fail(); };
      s.onerror = fail;
      document.head.appendChild(s);
    });
    window.__neuronbookPlotly = p;
    p.catch(function () { window.__neuronbookPlotly = null; });
    return p;
  }
  Promise.all([load(), spec()]).then(function (got) {
    var Plotly = got[0], spec = got[1];
    var plot = document.createElement("div");
    plot.className = "neuronbook-plot";
    plot.style.width = "100%";
    plot.style.height = (spec.layout.height || ${DEFAULT_HEIGHT}) + "px";
    box.appendChild(plot);
    return Plotly.newPlot(plot, spec).then(function () {
      [].slice.call(box.querySelectorAll(".neuronbook-static")).forEach(function (e) { e.remove(); });
    });
  }).catch(function (e) {
    var note = box.querySelector(".neuronbook-static-note");
    if (note) note.textContent = "Static picture: " + e.message + ".";
  });
}`;

/**
 * The spec for a saved page's script, deflated and base64-encoded (the
 * script inflates it with the browser's DecompressionStream). A notebook's
 * bundle carries none: the script reads the output's Plotly JSON.
 */
function packSpec(spec: FigureJson): string {
  return base64(deflateSync(JSON.stringify(spec)));
}

/** `data:` URL of an SVG document, percent-encoded (smaller than base64). */
function svgDataUrl(svg: string): string {
  return "data:image/svg+xml," +
    svg.replaceAll('"', "'").replace(
      /[%#<>&\n]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`,
    );
}

/**
 * A Plotly figure: plain data (`data`, `layout`, `config`, `frames`) until
 * displayed. In a notebook cell it displays itself (a static picture,
 * replaced by the interactive plot where scripts run; JupyterLab / VS Code
 * may draw the Plotly JSON themselves); {@linkcode Figure.save} writes a
 * standalone page.
 *
 * @example
 * ```ts
 * import { Figure } from "./figure.ts";
 * import assert from "node:assert/strict";
 * const fig = new Figure({
 *   data: [{ type: "scatter", mode: "lines", x: [1, 2, 3], y: new Float32Array([3, 1, 2]) }],
 *   layout: { title: { text: "A line" } },
 * });
 * const spec = fig.toJSON();
 * assert.deepEqual(spec.data[0].y, [3, 1, 2]); // typed arrays become plain arrays
 * const bundle = await fig.toBundle();
 * assert.deepEqual(Object.keys(bundle).sort(), [
 *   "application/vnd.plotly.v1+json", "text/html", "text/plain",
 * ]);
 * ```
 */
export class Figure {
  /** The traces. */
  data: PlotlyTrace[];
  /** Layout attributes. */
  layout: PlotlyObject;
  /** Config attributes (defaults: responsive, no Plotly logo, no upload button). */
  config: PlotlyObject;
  /** Animation frames (empty for a still figure). */
  frames: PlotlyFrame[];

  /** Wraps a Plotly spec. */
  constructor(spec: FigureSpec) {
    this.data = spec.data;
    this.layout = spec.layout ?? {};
    this.config = { ...DEFAULT_CONFIG, ...spec.config };
    this.frames = spec.frames ?? [];
  }

  /**
   * The spec as JSON-ready plain data (typed arrays as arrays, numbers
   * rounded to 7 significant digits); `frames` only when there are.
   */
  toJSON(): FigureJson {
    const json: FigureJson = {
      data: plain(this.data) as PlotlyTrace[],
      layout: plain(this.layout) as PlotlyObject,
      config: plain(this.config) as PlotlyObject,
    };
    if (this.frames.length) json.frames = plain(this.frames) as PlotlyFrame[];
    return json;
  }

  /** The figure's title text, if any. */
  #title(): string {
    const t = this.layout.title;
    if (typeof t === "string") return t;
    if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") {
      return (t as { text: string }).text;
    }
    return "";
  }

  /**
   * The static picture: the figure drawn as SVG without plotly.js (the
   * active slider step's frame, for an animated figure).
   */
  staticSvg(): string {
    const spec = this.toJSON();
    const sliders = spec.layout.sliders as { active?: number }[] | undefined;
    const frame = spec.frames?.[sliders?.[0]?.active ?? 0];
    const data = spec.data.map((t, i) => {
      const k = frame ? (frame.traces ?? frame.data.map((_, j) => j)).indexOf(i) : -1;
      return k < 0 ? t : { ...t, ...frame!.data[k] };
    });
    return staticSvg({ data, layout: { ...spec.layout, ...frame?.layout } });
  }

  /**
   * The figure's box: the static picture and the script that swaps in the
   * live plot, drawing `packed` when given, else the output's Plotly JSON.
   */
  #html(packed: FigureJson | null, picture: boolean): string {
    const id = `neuronbook-figure-${crypto.randomUUID()}`;
    const title = escapeHtml(this.#title() || "figure");
    const img = picture
      ? `<img class="neuronbook-static" alt="${title}" src="${
        svgDataUrl(this.staticSvg())
      }">\n<div class="neuronbook-static neuronbook-static-note" ` +
        `style="font-size:11px;color:#888">${STATIC_NOTE}</div>\n`
      : "";
    return `<div id="${id}" class="neuronbook-figure">\n${img}</div>
<script type="text/javascript">
(${DRAW_SCRIPT})(${scriptJson(id)}, "${packed ? packSpec(packed) : ""}", ${
      scriptJson(plotlyVersion())
    });
</script>
`;
  }

  /**
   * The MIME bundle a notebook shows: the Plotly JSON (numeric arrays of 16
   * values or more as Plotly typed arrays), HTML (a static
   * picture and the script that draws the interactive plot, see the module
   * documentation) and a text summary. Synchronous on purpose (see
   * {@linkcode Figure[JUPYTER_DISPLAY]}).
   */
  toBundle(options: BundleOptions = {}): MimeBundle {
    const spec = encodeTypedArrays(this.toJSON());
    const types = [...new Set(spec.data.map((t) => t.type))].join(", ");
    const title = this.#title();
    const plotly: PlotlyObject = { data: spec.data, layout: spec.layout, config: spec.config };
    if (spec.frames) plotly.frames = spec.frames;
    return {
      [PLOTLY_MIME]: plotly,
      "text/html": this.#html(null, options.staticPicture ?? true),
      "text/plain": `Figure(${title ? `"${title}", ` : ""}${spec.data.length} trace${
        spec.data.length === 1 ? "" : "s"
      }: ${types}${spec.frames ? `, ${spec.frames.length} frames` : ""})`,
    };
  }

  /** A complete HTML page with plotly.js inline that draws this figure offline. */
  async toStandaloneHtml(): Promise<string> {
    const title = escapeHtml(this.#title() || "neuronbook figure");
    return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${title}</title>
</head>
<body>
${libraryScript(await plotlyLibrarySource())}${
      this.#html(encodeTypedArrays(this.toJSON()), false)
    }</body>
</html>
`;
  }

  /**
   * Writes {@linkcode Figure.toStandaloneHtml} to `path` atomically
   * (creating parent folders).
   *
   * @example
   * ```ts
   * import { Figure } from "./figure.ts";
   * import assert from "node:assert/strict";
   * const dir = await Deno.makeTempDir();
   * await new Figure({ data: [{ type: "bar", x: ["a"], y: [1] }] }).save(`${dir}/bar.html`);
   * const page = await Deno.readTextFile(`${dir}/bar.html`);
   * assert.match(page, /^<!DOCTYPE html>/);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  async save(path: string): Promise<void> {
    await writeFileAtomic(path, new TextEncoder().encode(await this.toStandaloneHtml()));
  }

  /**
   * What the Jupyter kernel calls to display the figure:
   * {@linkcode Figure.toBundle}, computed at once. Deno's kernel publishes a
   * cell's result from a promise it does not wait for; a display method that
   * waits on I/O makes it publish after the cell has finished, and with "Run
   * All" the result then lands under a later cell. So the only wait here is
   * the first one in a kernel session that needs plotly.js copied for Jupyter
   * ({@linkcode installPlotlyForJupyter}); the plot builders do that copy
   * while the cell runs, before they return.
   */
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle> {
    if (!kernelJupyter() || installState === "done") return this.toBundle();
    return ensurePlotlyForJupyter().then(() => this.toBundle());
  }
}

let installState: "no" | "running" | "done" = "no";
let installing: Promise<void> | null = null;

/** In the kernel: copies plotly.js for Jupyter once per session (a failure leaves the static pictures). */
function ensurePlotlyForJupyter(): Promise<void> {
  if (!kernelJupyter() || installState === "done") return Promise.resolve();
  installState = "running";
  installing ??= installPlotlyForJupyter().then(() => {}, () => {}).finally(() => {
    installState = "done";
  });
  return installing;
}

/**
 * The promise every plot builder returns: `await` it for the
 * {@linkcode Figure}, or leave it as a cell's last expression and the
 * notebook shows the figure once it is built (the kernel does not await
 * plain promises, but it does call this one's display method).
 *
 * @example
 * ```ts
 * import { Figure, FigurePromise } from "./figure.ts";
 * import { JUPYTER_DISPLAY } from "../jupyter.ts";
 * import assert from "node:assert/strict";
 * const p = FigurePromise.from(() => Promise.resolve(new Figure({ data: [] })));
 * assert.ok((await p) instanceof Figure);
 * const bundle = await p[JUPYTER_DISPLAY]();
 * assert.ok("application/vnd.plotly.v1+json" in bundle);
 * ```
 */
export class FigurePromise extends Promise<Figure> {
  /** `then` and `catch` return plain promises. */
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  /**
   * Runs `build` and wraps its result (in the Jupyter kernel, also making
   * sure plotly.js is there for Jupyter before it resolves, so that the
   * figure displays without waiting).
   */
  static from(build: () => Promise<Figure>): FigurePromise {
    return new FigurePromise((resolve, reject) => {
      Promise.all([build(), ensurePlotlyForJupyter()]).then(([fig]) => resolve(fig), reject);
    });
  }

  /** What the Jupyter kernel calls: the figure's bundle once it is built. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.then((fig) => fig[JUPYTER_DISPLAY]());
  }
}
