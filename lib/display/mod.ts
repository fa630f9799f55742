/**
 * Rich notebook display: MIME bundles for tensors (values as a table or
 * images), models (summary table), training histories (loss / accuracy
 * plot) and `Value` graphs (picture of the computational graph with each
 * node's value and gradient). Pure functions; nothing here touches
 * `Deno.jupyter`.
 *
 * @example
 * ```ts
 * import { tensorBundle } from "./mod.ts";
 * import { tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const bundle = await tensorBundle(tensor([1, 2, 3]));
 * assert.match(bundle["text/plain"] as string, /^tensor\(\[1\., 2\., 3\.\]\)$/);
 * ```
 *
 * @module
 */
export { tensorBundle, type TensorDisplayOptions } from "./tensor_display.ts";
export { moduleBundle } from "./module_display.ts";
export { historyBundle } from "./history_display.ts";
export {
  NO_BACKWARD_WARNING,
  valueGraphBundle,
  valueGraphDot,
  type ValueGraphOptions,
  valueGraphSvg,
} from "./value_graph.ts";
export { installDisplays } from "./install.ts";
export {
  type BackpropStep,
  backpropSteps,
  type BackpropStepsOptions,
  StepThrough,
  stepThrough,
} from "./backprop_steps.ts";
