/**
 * What the training loop reports, and to what: `fit` sends numbers to a
 * {@linkcode ProgressReporter}; drawing them (a terminal bar, a notebook
 * chart) lives in `lib/display/progress.ts`.
 *
 * @module
 */

/** What the training loop tells a reporter after a step it has read. */
export interface ProgressUpdate {
  /** Epoch, from 1. */
  epoch: number;
  /** Number of epochs. */
  epochs: number;
  /** Steps done in this epoch. */
  step: number;
  /** Steps per epoch. */
  steps: number;
  /** Mean training loss so far this epoch. */
  loss: number;
  /** Training accuracy so far this epoch (classification only). */
  accuracy?: number;
  /** Examples per second this epoch. */
  examplesPerSecond: number;
  /** Seconds elapsed in this epoch. */
  seconds: number;
}

/** What the training loop tells a reporter at the end of an epoch. */
export interface EpochUpdate extends ProgressUpdate {
  /** Validation loss, if there is a validation set. */
  valLoss?: number;
  /** Validation accuracy, if there is a validation set. */
  valAccuracy?: number;
}

/** Receives progress from `fit`. */
export interface ProgressReporter {
  /** After a step whose loss was read (throttle inside). */
  update(u: ProgressUpdate): void;
  /** At the end of each epoch. */
  epochEnd(u: EpochUpdate): void;
  /** When training ends (normally or not); resolves once output is flushed. */
  close(): void | Promise<void>;
}
