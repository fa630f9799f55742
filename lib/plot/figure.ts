/**
 * Plotly figures as plain data: a {@linkcode Figure} is a Plotly spec
 * (`data`, `layout`, `config`) and nothing else until a notebook displays it
 * or {@linkcode Figure.save} writes it.
 *
 * Displayed in a Jupyter cell, a figure is a MIME bundle with
 * `application/vnd.plotly.v1+json` (drawn natively by JupyterLab and VS Code)
 * and `text/html` that draws with plotly.js embedded in the page, so plots
 * work offline (no CDN). The library (~4.8 MB) is sent once per kernel
 * session: the first figure displayed carries it inline, later ones wait for
 * `window.Plotly`. That also holds for nbconvert's HTML export, where every
 * output lands in one page and scripts run in order. After a kernel restart
 * the flag resets with the module, so the next figure carries it again.
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
import { escapeHtml, JUPYTER_DISPLAY, type MimeBundle } from "../jupyter.ts";

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
}

/**
 * Options of {@linkcode Figure.toBundle}.
 *
 * @example
 * ```ts
 * import type { BundleOptions } from "./figure.ts";
 * const always: BundleOptions = { includeLibrary: true };
 * ```
 */
export interface BundleOptions {
  /**
   * Put plotly.js inline in the HTML: `true` always, `false` never; by
   * default only if no figure in this kernel session has sent it yet.
   */
  includeLibrary?: boolean;
}

const PLOTLY_MIME = "application/vnd.plotly.v1+json";
const DEFAULT_CONFIG: PlotlyObject = { responsive: true, displaylogo: false };
const DEFAULT_HEIGHT = 450;

let librarySent = false;
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

/** `<script>` with plotly.js; `</script` inside the source would end the tag early. */
function libraryScript(source: string): string {
  return `<script type="text/javascript" data-neuronbook="plotly.js">\n` +
    `${source.replace(/<\/(script)/gi, "<\\/$1")}\n</script>\n`;
}

/**
 * A `<script>` element holding all of plotly.js, for a notebook that wants
 * to load the library explicitly (e.g. after clearing the output that
 * carried it); display it with
 * `Deno.jupyter.display({ "text/html": await plotlyLibraryHtml() }, { raw: true })`.
 * Figures displayed afterwards in this kernel session do not carry it again.
 *
 * @example
 * ```ts
 * import { plotlyLibraryHtml } from "./figure.ts";
 * import assert from "node:assert/strict";
 * const html = await plotlyLibraryHtml();
 * assert.ok(html.startsWith("<script") && html.includes("window.Plotly"));
 * ```
 */
export async function plotlyLibraryHtml(): Promise<string> {
  const html = libraryScript(await plotlyLibrarySource());
  librarySent = true;
  return html;
}

/**
 * Forgets that plotly.js was sent: the next figure displayed carries the
 * library inline again (for a page that lost it, e.g. after its output was
 * cleared and the notebook reloaded).
 *
 * @example
 * ```ts
 * import { Figure, resetPlotlyLibrary } from "./figure.ts";
 * import assert from "node:assert/strict";
 * const fig = new Figure({ data: [{ type: "scatter", y: [1, 2] }] });
 * resetPlotlyLibrary();
 * assert.match((await fig.toBundle())["text/html"] as string, /data-neuronbook="plotly.js"/);
 * assert.doesNotMatch((await fig.toBundle())["text/html"] as string, /data-neuronbook="plotly.js"/);
 * ```
 */
export function resetPlotlyLibrary(): void {
  librarySent = false;
}

/** Typed arrays become plain arrays (JSON.stringify would make objects of them). */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const a = value as unknown as ArrayLike<number>;
    // float32 values carry ~7 significant digits; more only bloats the JSON.
    return value instanceof Float32Array
      ? Array.from(a, (v) => Number.isFinite(v) ? Number(v.toPrecision(7)) : v)
      : Array.from(a);
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

const MISSING_LIBRARY = "plotly.js is not loaded on this page (the output that carried it " +
  "was cleared or not rendered). Re-run the notebook from the top, or call " +
  "resetPlotlyLibrary() and display the figure again.";

/**
 * A Plotly figure: plain data (`data`, `layout`, `config`) until displayed.
 * In a notebook cell it displays itself (JupyterLab / VS Code draw the
 * Plotly JSON; other front ends and HTML exports run the embedded
 * plotly.js); {@linkcode Figure.save} writes a standalone page.
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
  /** Config attributes (defaults: responsive, no Plotly logo). */
  config: PlotlyObject;

  /** Wraps a Plotly spec. */
  constructor(spec: FigureSpec) {
    this.data = spec.data;
    this.layout = spec.layout ?? {};
    this.config = { ...DEFAULT_CONFIG, ...spec.config };
  }

  /**
   * The spec as JSON-ready plain data (typed arrays as arrays, float32
   * values rounded to 7 significant digits).
   */
  toJSON(): { data: PlotlyTrace[]; layout: PlotlyObject; config: PlotlyObject } {
    return {
      data: plain(this.data) as PlotlyTrace[],
      layout: plain(this.layout) as PlotlyObject,
      config: plain(this.config) as PlotlyObject,
    };
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

  /** `<div>` plus the script that draws into it once `window.Plotly` exists. */
  #drawHtml(spec: ReturnType<Figure["toJSON"]>): string {
    const id = `neuronbook-plot-${crypto.randomUUID()}`;
    const height = typeof spec.layout.height === "number" ? spec.layout.height : DEFAULT_HEIGHT;
    const width = typeof spec.layout.width === "number" ? `${spec.layout.width}px` : "100%";
    return `<div id="${id}" class="neuronbook-plot" style="width:${width};height:${height}px;"></div>
<script type="text/javascript">
(function () {
  var id = "${id}", spec = ${scriptJson(spec)}, tries = 0;
  function draw() {
    var el = document.getElementById(id);
    if (el && window.Plotly) {
      el.textContent = "";
      window.Plotly.newPlot(el, spec.data, spec.layout, spec.config);
      return;
    }
    tries++;
    if (tries === 200 && el) el.textContent = ${scriptJson(MISSING_LIBRARY)};
    if (tries < 600) setTimeout(draw, tries < 200 ? 50 : 1000);
  }
  draw();
})();
</script>
`;
  }

  /**
   * The MIME bundle a notebook shows: the Plotly JSON, HTML drawing with
   * plotly.js (carrying the library the first time in a kernel session,
   * see {@linkcode BundleOptions}) and a text summary.
   */
  async toBundle(options: BundleOptions = {}): Promise<MimeBundle> {
    const spec = this.toJSON();
    const include = options.includeLibrary ?? !librarySent;
    const library = include ? libraryScript(await plotlyLibrarySource()) : "";
    if (include) librarySent = true;
    const types = [...new Set(spec.data.map((t) => t.type))].join(", ");
    const title = this.#title();
    return {
      [PLOTLY_MIME]: { data: spec.data, layout: spec.layout, config: spec.config },
      "text/html": library + this.#drawHtml(spec),
      "text/plain": `Figure(${title ? `"${title}", ` : ""}${spec.data.length} trace${
        spec.data.length === 1 ? "" : "s"
      }: ${types})`,
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
${libraryScript(await plotlyLibrarySource())}${this.#drawHtml(this.toJSON())}</body>
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

  /** What the Jupyter kernel calls to display the figure: {@linkcode Figure.toBundle}. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.toBundle();
  }
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

  /** Runs `build` and wraps its result. */
  static from(build: () => Promise<Figure>): FigurePromise {
    return new FigurePromise((resolve, reject) => {
      build().then(resolve, reject);
    });
  }

  /** What the Jupyter kernel calls: the figure's bundle once it is built. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.then((fig) => fig.toBundle());
  }
}
