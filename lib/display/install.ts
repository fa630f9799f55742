/**
 * Gives tensors, models and `Value`s their rich notebook display by adding
 * a `Symbol.for("Jupyter.display")` method to their classes, for code that
 * does not get it from the classes themselves. Called explicitly, never at
 * import time.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";
import { Module } from "../nn/module.ts";
import { Value } from "../value.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../jupyter.ts";
import { tensorBundle } from "./tensor_display.ts";
import { moduleBundle } from "./module_display.ts";
import { valueGraphBundle } from "./value_graph.ts";

function install<T>(proto: T, bundle: (self: T) => MimeBundle | Promise<MimeBundle>): void {
  if (Object.prototype.hasOwnProperty.call(proto, JUPYTER_DISPLAY)) return;
  Object.defineProperty(proto, JUPYTER_DISPLAY, {
    value: function (this: T) {
      return bundle(this);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Adds the Jupyter display method to `Tensor` (values as a table or
 * images), `Module` (summary table) and `Value` (picture of the
 * computational graph) where the class does not define one already.
 * Idempotent.
 *
 * @example
 * ```ts
 * import { installDisplays } from "./install.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * installDisplays();
 * const show = (tensor([1, 2]) as unknown as Record<symbol, () => Promise<Record<string, string>>>)[
 *   Symbol.for("Jupyter.display")
 * ];
 * assert.match((await show.call(tensor([1, 2])))["text/html"], /Tensor<\/b> \[2\]/);
 * ```
 */
export function installDisplays(): void {
  install(Tensor.prototype, (t) => tensorBundle(t));
  install(Module.prototype, (m) => moduleBundle(m));
  install(Value.prototype, (v) => valueGraphBundle(v));
}
