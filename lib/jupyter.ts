/**
 * The Jupyter kernel seam: everything neuronbook knows about Deno's Jupyter
 * kernel is here, so the rest of the code stays plain TypeScript. Importing
 * this file does nothing; importing `mod.ts` calls
 * {@linkcode keepOutputsInOrder}, which changes something only inside the
 * kernel.
 *
 * - {@linkcode JUPYTER_DISPLAY}: the method the kernel calls on a cell's
 *   value (and on `Deno.jupyter.display(obj)`) for its MIME bundle;
 * - {@linkcode kernelJupyter}: `Deno.jupyter` inside the kernel, else undefined;
 * - {@linkcode escapeHtml}: the one HTML escaper of the rich outputs;
 * - {@linkcode keepOutputsInOrder}: the workaround that keeps each cell's
 *   outputs under that cell in Deno 2.9's kernel (see its notes).
 *
 * @module
 */

/**
 * A Jupyter MIME bundle: MIME type → data (a string, or an object for JSON
 * types), what `Symbol.for("Jupyter.display")` methods return.
 *
 * @example
 * ```ts
 * import type { MimeBundle } from "./jupyter.ts";
 * const b: MimeBundle = { "text/plain": "hello", "text/html": "<b>hello</b>" };
 * ```
 */
export type MimeBundle = Record<string, string | object>;

/**
 * `Symbol.for("Jupyter.display")`, typed so code can define and call display
 * methods: the Deno Jupyter kernel calls `obj[JUPYTER_DISPLAY]()` to get the
 * MIME bundle of a cell's value (and of `Deno.jupyter.display(obj)`).
 *
 * @example
 * ```ts
 * import { JUPYTER_DISPLAY, type MimeBundle } from "./jupyter.ts";
 * import assert from "node:assert/strict";
 * class Bold {
 *   [JUPYTER_DISPLAY](): MimeBundle {
 *     return { "text/html": "<b>hi</b>" };
 *   }
 * }
 * assert.equal(JUPYTER_DISPLAY, Symbol.for("Jupyter.display"));
 * assert.deepEqual(new Bold()[JUPYTER_DISPLAY](), { "text/html": "<b>hi</b>" });
 * ```
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** The part of `Deno.jupyter` neuronbook uses (injectable for tests). */
export interface JupyterDisplay {
  /** `Deno.jupyter.display`. */
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/**
 * `Deno.jupyter` inside the Jupyter kernel, undefined elsewhere (where merely
 * reading the property throws).
 *
 * @example
 * ```ts
 * import { kernelJupyter } from "./jupyter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(kernelJupyter(), undefined); // tests do not run in the kernel
 * ```
 */
export function kernelJupyter(): JupyterDisplay | undefined {
  try {
    return (Deno as unknown as { jupyter?: JupyterDisplay }).jupyter;
  } catch {
    return undefined;
  }
}

/**
 * `text` safe inside HTML text and double-quoted attributes: `&`, `<`, `>`
 * and `"` become entities.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./jupyter.ts";
 * import assert from "node:assert/strict";
 * assert.equal(escapeHtml(`<a href="x">&</a>`), "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ENTITIES[c]);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/**
 * How long a cell waits, after its last output was sent, before the kernel
 * may report it finished (measured: 30 ms kept 60 cells queued by "Run All"
 * in order with three busy loops competing for this machine's 2 cores; this
 * leaves room for a CI machine running a browser beside the kernel).
 */
export const SETTLE_MS = 50;

/** The kernel-internal part of Deno's Jupyter support this workaround wraps. */
export interface KernelResultHook {
  /** Sends a cell's value as its `execute_result` (Deno's `broadcastResult`). */
  broadcastResult(executionCount: number, result: unknown): Promise<void>;
}

const SETTLED: unique symbol = Symbol("neuronbook.settled");

/**
 * Keeps every cell's outputs under that cell when a frontend queues many cells
 * at once ("Run All"), and returns whether it was installed just now.
 *
 * Why: Deno 2.9's kernel attaches the cell an output belongs to (the Jupyter
 * parent header) only when its server thread forwards the message, not when
 * the cell sends it; when that thread lags behind (a loaded machine, a large
 * output), the kernel has already taken the next queued cell, and the output
 * (a plain `2 + 2` result as much as a figure or a `console.log` line) lands
 * under the next cell, or after its own cell finished and is dropped. The
 * kernel awaits its `broadcastResult` hook before it reports a cell done, so
 * wrapping that hook to wait {@linkcode SETTLE_MS} after the cell's result
 * (or after the cell, when it has none) lets everything the cell sent leave
 * first. Cost: that many milliseconds per cell.
 *
 * `mod.ts` calls it when it is imported; it does nothing outside Deno's
 * kernel (no hook), and nothing the second time.
 *
 * @param hook Deno's hook; by default `Deno[Deno.internal].jupyter`, present
 *   only inside the kernel.
 * @param settleMs The wait after each cell.
 * @returns `true` when the hook was wrapped by this call.
 *
 * @example
 * ```ts
 * import { keepOutputsInOrder } from "./jupyter.ts";
 * import assert from "node:assert/strict";
 * const sent: string[] = [];
 * const hook = {
 *   broadcastResult(_count: number, result: unknown) {
 *     sent.push(String(result));
 *     return Promise.resolve();
 *   },
 * };
 * assert.equal(keepOutputsInOrder(), false); // not inside the kernel
 * assert.equal(keepOutputsInOrder(hook, 5), true);
 * assert.equal(keepOutputsInOrder(hook, 5), false); // already wrapped
 * const start = performance.now();
 * await hook.broadcastResult(1, 42);
 * assert.deepEqual(sent, ["42"]);
 * assert.ok(performance.now() - start >= 4);
 * ```
 */
export function keepOutputsInOrder(
  hook: KernelResultHook | undefined = kernelResultHook(),
  settleMs: number = SETTLE_MS,
): boolean {
  if (typeof hook?.broadcastResult !== "function") return false;
  const original = hook.broadcastResult as KernelResultHook["broadcastResult"] & {
    [SETTLED]?: true;
  };
  if (original[SETTLED]) return false;
  const settled = async (executionCount: number, result: unknown): Promise<void> => {
    try {
      await original.call(hook, executionCount, result);
    } finally {
      await new Promise((resolve) => setTimeout(resolve, settleMs));
    }
  };
  hook.broadcastResult = Object.assign(settled, { [SETTLED]: true as const });
  return true;
}

/** `Deno[Deno.internal].jupyter` inside the kernel, undefined elsewhere. */
function kernelResultHook(): KernelResultHook | undefined {
  if (kernelJupyter() === undefined) return undefined;
  const internals = (Deno as unknown as Record<symbol, { jupyter?: KernelResultHook }>)[
    (Deno as unknown as { internal: symbol }).internal
  ];
  return internals?.jupyter;
}
