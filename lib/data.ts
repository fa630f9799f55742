/**
 * The shape of a labelled dataset as tensors: what `datasets/` produces and
 * `fit`, `evaluate` and `predict` consume. It lives below both, so that
 * neither imports the other.
 *
 * @module
 */
import type { Tensor } from "./tensor.ts";

/**
 * Inputs and targets, aligned on axis 0.
 *
 * @example
 * ```ts
 * import { tensor } from "../mod.ts";
 * import type { Data } from "./data.ts";
 * const xor: Data = { x: tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y: tensor([0, 1, 1, 0]) };
 * ```
 */
export interface Data {
  /** Inputs `[N, ...]`. */
  x: Tensor;
  /** Targets `[N]` (int32 class labels) or `[N, ...]` (regression targets). */
  y: Tensor;
}
