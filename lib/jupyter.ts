/**
 * The Jupyter kernel seam: everything neuronbook knows about Deno's Jupyter
 * kernel is here, so the rest of the code stays plain TypeScript. Nothing
 * touches `Deno.jupyter` at import time.
 *
 * - {@linkcode JUPYTER_DISPLAY}: the method the kernel calls on a cell's
 *   value (and on `Deno.jupyter.display(obj)`) for its MIME bundle;
 * - {@linkcode kernelJupyter}: `Deno.jupyter` inside the kernel, else undefined;
 * - {@linkcode escapeHtml}: the one HTML escaper of the rich outputs.
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
