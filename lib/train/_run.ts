/**
 * The state of one `fit` call, in one object: what the epoch loop works
 * with and what a checkpoint saves (private to lib/train/).
 *
 * @module
 */
import type { Rng, RngState } from "../random.ts";
import type { Module } from "../nn/module.ts";
import type { ProgressReporter } from "./reporter.ts";
import type { Data, LossFn, StepOptimizer } from "./train_step.ts";
import type { EarlyStopper } from "./early_stopping.ts";
import type { FitOptions } from "./fit_options.ts";
import type { History } from "./history.ts";

/** Sums over the current epoch's read steps. */
export interface EpochSums {
  /** Summed loss (loss × examples). */
  loss: number;
  /** Correct predictions. */
  correct: number;
  /** Examples. */
  seen: number;
  /** Seconds of training in earlier runs of this epoch (before a resume). */
  seconds: number;
}

/** Everything one `fit` call works with; what a checkpoint saves. */
export interface Run {
  model: Module;
  options: FitOptions;
  train: Data;
  validation?: Data;
  lossFn: LossFn;
  optimizer: StepOptimizer;
  epochs: number;
  size: number;
  steps: number;
  classify: boolean;
  logEvery: number;
  reporter: ProgressReporter | null;
  rng: Rng;
  history: History;
  stopper?: EarlyStopper;
  /** The epoch being trained (from 1) and the steps of it done. */
  epoch: number;
  step: number;
  /** The shuffling generator's state at the start of this epoch. */
  epochRng: RngState;
  sums: EpochSums;
  /** `performance.now()` at the start of this call and at the last checkpoint. */
  started: number;
  saved: number;
}
