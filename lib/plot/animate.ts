/**
 * Interactive figures that run in the page: {@linkcode animate} turns a
 * series of figures (one per parameter value, epoch, step, ...) into one
 * figure with a slider and play/pause buttons. Deno's Jupyter kernel has no
 * widget comms, so the kernel never hears a slider move: every frame is
 * computed up front and Plotly switches between them in the browser. The
 * static picture shows the active step.
 *
 * @module
 */
import { Figure, FigurePromise, type PlotlyObject, type PlotlyTrace } from "./figure.ts";

/**
 * Options of {@linkcode animate}.
 *
 * @example
 * ```ts
 * import type { AnimateOptions } from "./animate.ts";
 * const o: AnimateOptions = { labels: [0.1, 0.5, 1], label: "learning rate", active: "last" };
 * ```
 */
export interface AnimateOptions {
  /** One label per figure, shown on the slider (default 0, 1, 2, ...). */
  labels?: (string | number)[];
  /** What the slider sets, shown before its value (e.g. `"epoch"`). */
  label?: string;
  /** Play / pause buttons (default true). */
  play?: boolean;
  /** Milliseconds per frame when playing (default 400). */
  frameMs?: number;
  /** The step shown first and in the static picture (default 0; `"last"`: the last). */
  active?: number | "last";
  /** Title (default: the first figure's; each frame keeps its own title if it differs). */
  title?: string;
}

const SLIDER_SPACE = 90;

/** The numeric values of a trace's `x` or `y`. */
function values(t: PlotlyTrace, k: "x" | "y"): number[] {
  const v = t[k];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === "number");
  return k === "x" && Array.isArray(t.y) ? t.y.map((_, i) => i) : [];
}

/**
 * Fixes each linear axis of line, marker and bar traces to the range that
 * holds every frame (Plotly keeps the first frame's range while animating).
 */
function fixRanges(layout: PlotlyObject, figures: Figure[]): void {
  const spans = new Map<string, [number, number]>();
  for (const fig of figures) {
    for (const t of fig.data) {
      if (t.type !== "scatter" && t.type !== "bar") continue;
      for (const k of ["x", "y"] as const) {
        const ref = String(t[`${k}axis`] ?? k);
        const vs = values(t, k).concat(t.type === "bar" && k === "y" ? [0] : [])
          .filter(Number.isFinite);
        if (!vs.length) continue;
        const [lo, hi] = spans.get(ref) ?? [Infinity, -Infinity];
        spans.set(ref, [Math.min(lo, ...vs), Math.max(hi, ...vs)]);
      }
    }
  }
  for (const [ref, [lo, hi]] of spans) {
    const key = `${ref[0]}axis${ref.slice(1)}`;
    const axis = { ...(layout[key] as PlotlyObject | undefined) };
    if (axis.range || axis.type === "log" || axis.type === "category") continue;
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
    layout[key] = { ...axis, range: [lo - pad, hi + pad], autorange: false };
  }
}

/** Plotly's slider and play/pause buttons over the named frames. */
function controls(names: string[], labels: string[], active: number, options: AnimateOptions) {
  const jump = {
    mode: "immediate",
    frame: { duration: 0, redraw: true },
    transition: { duration: 0 },
  };
  const slider = {
    active,
    pad: { t: 45, l: options.play === false ? 0 : 60 },
    currentvalue: { prefix: options.label ? `${options.label} = ` : "", font: { size: 13 } },
    steps: names.map((name, i) => ({
      label: labels[i],
      method: "animate",
      args: [[name], jump],
    })),
  };
  const buttons = {
    type: "buttons",
    direction: "left",
    showactive: false,
    x: 0,
    y: 0,
    xanchor: "left",
    yanchor: "top",
    pad: { t: 60 },
    buttons: [
      {
        label: "▶",
        method: "animate",
        args: [null, {
          fromcurrent: true,
          frame: { duration: options.frameMs ?? 400, redraw: true },
          transition: { duration: 0 },
        }],
      },
      { label: "❚❚", method: "animate", args: [[null], jump] },
    ],
  };
  return { sliders: [slider], updatemenus: options.play === false ? [] : [buttons] };
}

/**
 * Of trace `k` of one figure, its type and the attributes that differ
 * between figures (a frame's trace is merged into the figure's: what it
 * leaves out stays as the figure has it, the same in every frame).
 */
function changingPart(figs: Figure[], k: number, trace: PlotlyTrace): PlotlyTrace {
  const json = (t: PlotlyTrace | undefined, key: string) => JSON.stringify(t?.[key] ?? null);
  const part: PlotlyTrace = { type: trace.type };
  for (const key of Object.keys(trace)) {
    if (figs.some((f) => json(f.data[k], key) !== json(trace, key))) part[key] = trace[key];
  }
  return part;
}

/**
 * One figure with a slider (and play/pause) over `figures`: each becomes a
 * frame; they must have the same traces in the same order (the same builder
 * called with different values). Axes of line and bar traces are fixed to
 * the range holding every frame, so the picture does not jump.
 *
 * @example Sigmoid of a·x for several slopes a
 * ```ts
 * import { animate, linePlot } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const xs = [-4, -2, 0, 2, 4];
 * const slopes = [0.5, 1, 2];
 * const fig = await animate(
 *   slopes.map((a) => linePlot({ series: [{ x: xs, y: xs.map((x) => 1 / (1 + Math.exp(-a * x))) }] })),
 *   { labels: slopes, label: "a" },
 * );
 * assert.equal(fig.frames.length, 3);
 * assert.deepEqual(fig.frames.map((f) => f.name), ["0.5", "1", "2"]);
 * const slider = (fig.layout.sliders as { steps: { label: string }[] }[])[0];
 * assert.deepEqual(slider.steps.map((s) => s.label), ["0.5", "1", "2"]);
 * ```
 */
export function animate(
  figures: (Figure | Promise<Figure>)[],
  options: AnimateOptions = {},
): FigurePromise {
  return FigurePromise.from(async () => {
    const figs = await Promise.all(figures);
    if (figs.length === 0) throw new Error("animate: no figures given; pass one per step");
    const labels = (options.labels ?? figs.map((_, i) => i)).map(String);
    if (labels.length !== figs.length) {
      throw new Error(`animate: ${figs.length} figures but ${labels.length} labels`);
    }
    figs.forEach((f, i) => {
      const types = (g: Figure) => g.data.map((t) => t.type).join(", ");
      if (types(f) !== types(figs[0])) {
        throw new Error(
          `animate: figure ${i} has traces [${types(f)}] but figure 0 has [${types(figs[0])}]; ` +
            "every step must be the same kind of figure",
        );
      }
    });
    const active = options.active === "last" ? figs.length - 1 : options.active ?? 0;
    if (!Number.isInteger(active) || active < 0 || active >= figs.length) {
      throw new Error(`animate: active is ${options.active}; use 0 to ${figs.length - 1}`);
    }
    const names = labels.map((l, i) => labels.indexOf(l) === i ? l : `${l} (${i})`);
    const json = figs.map((f) => f.data.map((t) => JSON.stringify(new Figure({ data: [t] }))));
    const changing = figs[0].data.map((_, k) => k).filter((k) =>
      json.some((traces) => traces[k] !== json[0][k])
    );
    const base = figs[active];
    const layout: PlotlyObject = { ...figs[0].layout };
    fixRanges(layout, figs);
    const height = typeof layout.height === "number" ? layout.height : 450;
    const margin = (layout.margin ?? {}) as PlotlyObject;
    Object.assign(layout, controls(names, labels, active, options), {
      height: height + SLIDER_SPACE,
      margin: { ...margin, b: (typeof margin.b === "number" ? margin.b : 50) + SLIDER_SPACE },
    });
    const titled = options.title ?? figs.some((f) => f.layout.title !== figs[0].layout.title);
    if (typeof options.title === "string") layout.title = { text: options.title };
    return new Figure({
      data: base.data,
      layout: { ...layout, ...(titled && !options.title ? { title: base.layout.title } : {}) },
      config: base.config,
      // Frames carry only the traces that change (a contour under moving paths is sent once),
      // and of those only the attributes that change (the x of a curve is sent once).
      frames: figs.map((f, i) => ({
        name: names[i],
        data: changing.map((k) => changingPart(figs, k, f.data[k])),
        traces: changing,
        ...(titled && !options.title ? { layout: { title: f.layout.title } } : {}),
      })),
    });
  });
}
