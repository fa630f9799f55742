/**
 * What `fit` records and returns: step and epoch records, the history, and
 * the error it throws when training diverges.
 *
 * @module
 */

/** One record per read step. */
export interface StepRecord {
  /** Epoch, from 1. */
  epoch: number;
  /** Step within the epoch, from 1. */
  step: number;
  /** Mean loss over the steps since the previous record. */
  loss: number;
  /** Accuracy over the same steps (classification). */
  accuracy?: number;
}

/** One record per epoch. */
export interface EpochRecord {
  /** Epoch, from 1. */
  epoch: number;
  /** Mean training loss over the epoch. */
  loss: number;
  /** Training accuracy over the epoch (classification). */
  accuracy?: number;
  /** Validation loss. */
  valLoss?: number;
  /** Validation accuracy. */
  valAccuracy?: number;
  /** Wall-clock seconds of the epoch's training steps. */
  seconds: number;
  /** Training examples per second. */
  examplesPerSecond: number;
}

/** Why `fit` ended before its last epoch. */
export type StopCause =
  | "maxSeconds"
  | "earlyStopping"
  | "minLossChange"
  | "onBatchEnd"
  | "onEpochEnd";

/** What `fit` returns. */
export interface History {
  /** Per read step (every `logEvery` steps). */
  steps: StepRecord[];
  /** Per epoch. */
  epochs: EpochRecord[];
  /** Why training ended before `epochs`, if it did (short). */
  stopped?: StopCause;
  /** Why training ended before `epochs`, in words. */
  stopReason?: string;
  /** The epoch whose weights the model holds after early stopping with `restoreBest`. */
  bestEpoch?: number;
}

/**
 * Thrown when the loss or a parameter becomes NaN or infinite; carries the
 * history up to then.
 *
 * @example Catch it and keep the history
 * ```ts
 * import { fit, mlp, SGD, tensor, TrainingDivergedError } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const model = mlp([1, 1]);
 * const data = { x: tensor([[1e30], [-1e30]]), y: tensor([[1e30], [1e30]]) };
 * const loss = (o: ReturnType<typeof tensor>, t: ReturnType<typeof tensor>) => o.sub(t).pow(2).mean();
 * const err = await fit(model, data, {
 *   optimizer: new SGD(model.parameters(), { lr: 1 }), loss, epochs: 1, batchSize: 2, progress: false,
 * }).catch((e) => e);
 * assert.ok(err instanceof TrainingDivergedError);
 * assert.match(err.message, /epoch 1/);
 * ```
 */
export class TrainingDivergedError extends Error {
  /** The history before the bad value (no NaN in it). */
  readonly history: History;
  /** Builds the error. */
  constructor(message: string, history: History) {
    super(message);
    this.name = "TrainingDivergedError";
    this.history = history;
  }
}
