/// <reference lib="dom" />
/**
 * Headless Chromium through puppeteer-core (pinned in `deno.json`), shared
 * by the HTML check and the live-frontend test, and the in-page probe that
 * says which plots and SVG graphs drew.
 *
 * @module
 */
import puppeteer, { type Browser } from "puppeteer-core";

/** Finds the Chromium binary: `$CHROMIUM`, else the usual names on `PATH`. */
async function findChromium(explicit?: string): Promise<string> {
  const candidates = explicit ? [explicit] : [
    Deno.env.get("CHROMIUM"),
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
  ].filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      if ((await Deno.stat(c)).isFile) return c;
    } catch { /* not installed */ }
  }
  throw new Error(
    `no Chromium found (tried ${candidates.join(", ")}): install it ` +
      "(`apt-get install chromium`) or set CHROMIUM=/path/to/chrome",
  );
}

/**
 * Starts headless Chromium, offline: every host name but loopback resolves
 * to nothing, so pages reach only `file://` and 127.0.0.1.
 *
 * @example
 * ```ts ignore
 * import { launchBrowser } from "./_browser.ts";
 * const browser = await launchBrowser();
 * await browser.close();
 * ```
 */
export async function launchBrowser(chromium?: string): Promise<Browser> {
  return await puppeteer.launch({
    executablePath: await findChromium(chromium),
    headless: true,
    // A full-page screenshot of a long notebook full of plots can take minutes on a
    // loaded 2-core machine (puppeteer's default limit is 3 minutes per call).
    protocolTimeout: 600_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--enable-unsafe-swiftshader", // WebGL (3-D plots) in software
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-extensions",
      "--no-first-run",
      "--mute-audio",
      "--hide-scrollbars",
      // Several notebooks run at once, each in its own tab: keep background tabs running.
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
  });
}

/** What {@linkcode probeVisuals} reports for one cell of a page. */
export interface ProbeCell {
  /** Index of the cell among the page's cells. */
  cell: number;
  /** One verdict per Plotly plot element. */
  plots: { drawn: boolean; why: string }[];
  /** One verdict per SVG graph (an `<svg>` or SVG picture outside plots). */
  graphs: { drawn: boolean; why: string }[];
}

/**
 * Runs in the page (passed to `page.evaluate`): per cell matched by
 * `cellSelector`, whether each Plotly plot has a visible trace (or a WebGL
 * canvas) and each SVG graph visible shapes.
 */
export function probeVisuals(cellSelector: string): ProbeCell[] {
  const visible = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  // A flat (horizontal or vertical) line is a mark with zero height or width.
  const extent = (el: Element) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  };
  const PLOT = ".js-plotly-plot, .plotly-graph-div, .neuronbook-plot";
  const plotVerdict = (el: Element) => {
    if (!el.querySelector("svg.main-svg")) {
      return { drawn: false, why: "no svg.main-svg (plotly.js did not run)" };
    }
    const marks = [
      ...el.querySelectorAll(
        ".trace path, .trace image, .trace text, .trace rect, g.hm image, .imagelayer image, .layer-above image",
      ),
    ].filter((m) => (m.tagName !== "path" || (m.getAttribute("d") ?? "").length > 4) && extent(m));
    if (marks.length > 0) return { drawn: true, why: `${marks.length} marks` };
    const canvases = [...el.querySelectorAll(".gl-container canvas")].filter(visible);
    if (canvases.length > 0) return { drawn: true, why: "WebGL canvas" };
    if (/WebGL is not supported/i.test(el.textContent ?? "")) {
      return { drawn: false, why: "WebGL is not available" };
    }
    return { drawn: false, why: "axes drawn but no trace" };
  };
  const graphVerdict = (svg: Element) => {
    if (!visible(svg)) return { drawn: false, why: "svg has no size" };
    const shapes = [
      ...svg.querySelectorAll("path, polygon, polyline, ellipse, circle, rect, line, text, image"),
    ].filter(visible);
    return shapes.length > 0
      ? { drawn: true, why: `${shapes.length} shapes` }
      : { drawn: false, why: "svg is empty" };
  };
  return [...document.querySelectorAll(cellSelector)].map((cell, i) => {
    // The outermost plot element per figure (a figure's static picture inside it is not a graph).
    const plots = [...cell.querySelectorAll(`.neuronbook-figure, ${PLOT}`)]
      .filter((el) => !el.parentElement?.closest(`.neuronbook-figure, ${PLOT}`))
      .map((el) => el.querySelector(PLOT) ?? el);
    const svgs = [...cell.querySelectorAll(".output_subarea svg, .jp-OutputArea-output svg")]
      .filter((s) => !s.closest(`.neuronbook-figure, ${PLOT}`) && !s.parentElement?.closest("svg"));
    return { cell: i, plots: plots.map(plotVerdict), graphs: svgs.map(graphVerdict) };
  }).filter((c) => c.plots.length || c.graphs.length);
}
