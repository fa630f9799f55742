/**
 * Training progress as the reader sees it: an updating bar in a terminal,
 * one line per epoch when stdout is not a terminal, and one output updated in
 * place in a Jupyter notebook, with a small live chart. The training loop
 * only reports numbers (`train/reporter.ts`); drawing them happens here. `Deno.jupyter` is looked up only when a reporter is created.
 *
 * @module
 */
import { lineChartSvg } from "../plot/svg_chart.ts";
import { escapeHtml, type JupyterDisplay, kernelJupyter } from "../jupyter.ts";
import type { EpochUpdate, ProgressReporter, ProgressUpdate } from "../train/reporter.ts";

export type { EpochUpdate, ProgressReporter, ProgressUpdate } from "../train/reporter.ts";

const pct = (v?: number) => v === undefined ? "" : `${(100 * v).toFixed(2)}%`;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * One text line of progress: `epoch 1/5 [=====>    ] 400/938 loss 0.2345 acc 93.10% 2,345 img/s ETA 0:23`.
 *
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const line = progressLine({ epoch: 1, epochs: 2, step: 5, steps: 10, loss: 0.5, examplesPerSecond: 100, seconds: 2 });
 * assert.match(line, /^epoch 1\/2 \[=+>? *\] 5\/10 loss 0\.5000/);
 * ```
 */
export function progressLine(u: ProgressUpdate, width = 24): string {
  const done = Math.round((u.step / Math.max(u.steps, 1)) * width);
  const bar = "=".repeat(Math.max(done - 1, 0)) + (done ? (done === width ? "=" : ">") : "") +
    " ".repeat(width - done);
  const eta = u.step ? (u.seconds / u.step) * (u.steps - u.step) : Infinity;
  const acc = u.accuracy === undefined ? "" : ` acc ${pct(u.accuracy)}`;
  return `epoch ${u.epoch}/${u.epochs} [${bar}] ${u.step}/${u.steps} loss ${
    u.loss.toFixed(4)
  }${acc} ` +
    `${Math.round(u.examplesPerSecond).toLocaleString("en-US")} img/s ETA ${clock(eta)}`;
}

/**
 * One summary line for a finished epoch.
 *
 * @example
 * ```ts
 * import { epochLine } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const line = epochLine({ epoch: 1, epochs: 1, step: 10, steps: 10, loss: 0.25, accuracy: 0.9, valLoss: 0.3, valAccuracy: 0.88, examplesPerSecond: 50, seconds: 4 });
 * assert.match(line, /val_loss 0\.3000 {2}val_acc 88\.00%/);
 * ```
 */
export function epochLine(u: EpochUpdate): string {
  const parts = [`epoch ${u.epoch}/${u.epochs}`, `loss ${u.loss.toFixed(4)}`];
  if (u.accuracy !== undefined) parts.push(`acc ${pct(u.accuracy)}`);
  if (u.valLoss !== undefined) parts.push(`val_loss ${u.valLoss.toFixed(4)}`);
  if (u.valAccuracy !== undefined) parts.push(`val_acc ${pct(u.valAccuracy)}`);
  parts.push(
    `${u.seconds.toFixed(1)} s`,
    `${Math.round(u.examplesPerSecond).toLocaleString("en-US")} img/s`,
  );
  return parts.join("  ");
}

/**
 * Terminal reporter: an in-place bar on a TTY (redrawn at most every
 * `intervalMs`), otherwise only one line per epoch.
 *
 * @example
 * ```ts
 * import { TerminalProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = new TerminalProgress({ isTerminal: false, write: (s) => lines.push(s) });
 * p.epochEnd({ epoch: 1, epochs: 1, step: 1, steps: 1, loss: 1, examplesPerSecond: 1, seconds: 1 });
 * p.close();
 * if (lines.length !== 1) throw new Error("expected one line");
 * ```
 */
export class TerminalProgress implements ProgressReporter {
  #tty: boolean;
  #write: (s: string) => void;
  #interval: number;
  #last = 0;

  /** `isTerminal` and `write` default to the real stdout. */
  constructor(
    options: { isTerminal?: boolean; write?: (s: string) => void; intervalMs?: number } = {},
  ) {
    this.#tty = options.isTerminal ?? Deno.stdout.isTerminal();
    const encoder = new TextEncoder();
    this.#write = options.write ?? ((s) => Deno.stdout.writeSync(encoder.encode(s)));
    this.#interval = options.intervalMs ?? 100;
  }

  /** Redraws the bar (TTY only, throttled). */
  update(u: ProgressUpdate): void {
    if (!this.#tty) return;
    const now = performance.now();
    if (now - this.#last < this.#interval && u.step < u.steps) return;
    this.#last = now;
    this.#write(`\r\x1b[2K${progressLine(u)}`);
  }

  /** Prints the epoch's summary line. */
  epochEnd(u: EpochUpdate): void {
    this.#write(`${this.#tty ? "\r\x1b[2K" : ""}${epochLine(u)}\n`);
  }

  /** Nothing to clean up. */
  close(): void {}
}

/**
 * Options of {@linkcode NotebookProgress}.
 *
 * @example
 * ```ts
 * import type { NotebookProgressOptions } from "./progress.ts";
 * const quiet: NotebookProgressOptions = { intervalMs: 1000, chart: false };
 * ```
 */
export interface NotebookProgressOptions {
  /** Where to display (default `Deno.jupyter`; inject a fake in tests). */
  jupyter?: JupyterDisplay;
  /** At most one redraw per this many milliseconds, except at epoch ends (default 250). */
  intervalMs?: number;
  /** Draw the small loss / accuracy chart under the bar (default true). */
  chart?: boolean;
}

/** One point per read step: x in epochs (1.5 = half way through epoch 2). */
interface StepPoint {
  x: number;
  loss: number;
  accuracy?: number;
}

/**
 * Notebook reporter: one output, created once and updated in place
 * (`display_id`), throttled to one update per `intervalMs`, showing the bar,
 * a line per finished epoch and a small chart of loss and accuracy (per
 * read step, with training and validation values per epoch), drawn as
 * inline SVG.
 *
 * @example
 * ```ts
 * import { NotebookProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * const calls: unknown[] = [];
 * const p = new NotebookProgress({ jupyter: { display: (o, opts) => (calls.push(opts), Promise.resolve()) } });
 * p.update({ epoch: 1, epochs: 1, step: 1, steps: 2, loss: 1, examplesPerSecond: 1, seconds: 1 });
 * p.epochEnd({ epoch: 1, epochs: 1, step: 2, steps: 2, loss: 1, examplesPerSecond: 1, seconds: 1 });
 * await p.close();
 * assert.equal(calls.length, 3); // created, then updated in place twice
 * ```
 */
export class NotebookProgress implements ProgressReporter {
  #jupyter: JupyterDisplay;
  #id = `neuronbook-progress-${crypto.randomUUID()}`;
  #shown = false;
  #interval: number;
  #chart: boolean;
  #last = 0;
  #epochs: string[] = [];
  #current = "";
  #pending: Promise<void> = Promise.resolve();
  #points: StepPoint[] = [];
  #previous: ProgressUpdate | null = null;
  #epochRecords: EpochUpdate[] = [];

  /** Uses `Deno.jupyter` unless another display is injected. */
  constructor(options: NotebookProgressOptions = {}) {
    const jupyter = options.jupyter ?? kernelJupyter();
    if (!jupyter) throw new Error("NotebookProgress needs the Deno Jupyter kernel (Deno.jupyter)");
    this.#jupyter = jupyter;
    this.#interval = options.intervalMs ?? 250;
    this.#chart = options.chart ?? true;
  }

  /** Records the step and updates the bar and chart (throttled). */
  update(u: ProgressUpdate): void {
    this.#record(u);
    const now = performance.now();
    if (this.#shown && now - this.#last < this.#interval && u.step < u.steps) return;
    this.#last = now;
    this.#current = progressLine(u);
    this.#render();
  }

  /** Adds the epoch's line and redraws. */
  epochEnd(u: EpochUpdate): void {
    this.#epochs.push(epochLine(u));
    this.#epochRecords.push(u);
    this.#current = "";
    this.#render();
  }

  /** Sends the final state and waits until every update is out. */
  close(): Promise<void> {
    this.#render();
    return this.#pending;
  }

  /**
   * The loss (and accuracy) of the steps since the previous update: `fit`
   * reports running means over the epoch, so the window's mean is
   * recovered from two consecutive ones (weighted by steps).
   */
  #record(u: ProgressUpdate): void {
    const p = this.#previous;
    const same = p !== null && p.epoch === u.epoch && p.step < u.step;
    const window = (now: number, before: number | undefined) =>
      same && before !== undefined ? (now * u.step - before * p!.step) / (u.step - p!.step) : now;
    const point: StepPoint = {
      x: u.epoch - 1 + u.step / Math.max(u.steps, 1),
      loss: window(u.loss, p?.loss),
    };
    if (u.accuracy !== undefined) {
      point.accuracy = Math.min(1, Math.max(0, window(u.accuracy, p?.accuracy)));
    }
    this.#points.push(point);
    this.#previous = u;
  }

  #chartHtml(): string {
    if (!this.#chart || (!this.#points.length && !this.#epochRecords.length)) return "";
    const epochs = this.#epochRecords;
    const per = (k: "loss" | "valLoss" | "accuracy" | "valAccuracy") =>
      epochs.flatMap((e) => e[k] === undefined ? [] : [[e.epoch, e[k]!] as [number, number]]);
    const xRange: [number, number] = [0, Math.max(1, this.#previous?.epochs ?? 1)];
    const charts = [
      lineChartSvg([
        {
          name: "steps",
          points: this.#points.map((p) => [p.x, p.loss]),
          color: "#9ecae1",
          width: 1,
        },
        { name: "train", points: per("loss"), color: "#1f77b4", markers: true },
        { name: "val", points: per("valLoss"), color: "#ff7f0e", dash: true, markers: true },
      ], { title: "loss", xRange, xLabel: "epoch" }),
    ];
    if (this.#points.some((p) => p.accuracy !== undefined)) {
      charts.push(lineChartSvg([
        {
          name: "steps",
          points: this.#points.flatMap((p) =>
            p.accuracy === undefined ? [] : [[p.x, p.accuracy] as [number, number]]
          ),
          color: "#9ecae1",
          width: 1,
        },
        { name: "train", points: per("accuracy"), color: "#1f77b4", markers: true },
        { name: "val", points: per("valAccuracy"), color: "#ff7f0e", dash: true, markers: true },
      ], { title: "accuracy", xRange, xLabel: "epoch", percent: true }));
    }
    return `<div style="display:flex;gap:12px;flex-wrap:wrap;margin-top:4px">${
      charts.join("")
    }</div>`;
  }

  #render(): void {
    const text = [...this.#epochs, this.#current].filter(Boolean).join("\n");
    const escaped = escapeHtml(text);
    const bundle = {
      "text/plain": text,
      "text/html":
        `<div class="neuronbook-progress" data-run="${this.#id}"><pre style="margin:0">${escaped}</pre>${this.#chartHtml()}</div>`,
    };
    const options = { raw: true, display_id: this.#id, update: this.#shown };
    this.#shown = true;
    // Keep the order of updates: each waits for the one before it.
    this.#pending = this.#pending.then(() => this.#jupyter.display(bundle, options));
  }
}

/**
 * The reporter for where the code runs: notebook inside the Deno Jupyter
 * kernel, terminal otherwise.
 *
 * @example
 * ```ts
 * import { autoProgress, TerminalProgress } from "./progress.ts";
 * import assert from "node:assert/strict";
 * assert.ok(autoProgress() instanceof TerminalProgress);
 * ```
 */
export function autoProgress(): ProgressReporter {
  return kernelJupyter() ? new NotebookProgress() : new TerminalProgress();
}
