/**
 * `fit`'s options and their checks: every wrong value is refused before
 * training starts, with an error naming the option, what it must be and
 * what it got.
 *
 * @module
 */
import type { Module } from "../nn/module.ts";
import type { ProgressReporter } from "./reporter.ts";
import type { Data, LossFn, StepOptimizer } from "./train_step.ts";
import type { EarlyStopping } from "./early_stopping.ts";
import type { EpochRecord, StepRecord } from "./history.ts";
import { checkData, checkInteger, checkKnown, checkNumber, checkType, shown } from "./_validate.ts";

/**
 * Options of `fit`.
 *
 * @example
 * ```ts
 * import { Linear, SGD } from "../../mod.ts";
 * import type { FitOptions } from "./fit_options.ts";
 * const model = new Linear(2, 2);
 * const options: FitOptions = { optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 3 };
 * ```
 */
export interface FitOptions {
  /** The optimizer, already given the model's parameters. */
  optimizer: StepOptimizer;
  /** Loss (default: cross-entropy from logits with int32 labels). */
  loss?: LossFn;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per step: 1 is pure SGD, N is full batch (default 32; more than N means N). */
  batchSize?: number;
  /** Reshuffle every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** A validation set evaluated after every epoch. */
  validation?: Data;
  /** Or: hold out this fraction of the training data (its last rows) for validation. */
  validationSplit?: number;
  /** Stop when the monitored quantity stops improving. */
  earlyStopping?: EarlyStopping;
  /** The lecture's rule: stop when the epoch loss changes by less than this. */
  minLossChange?: number;
  /** Called after each epoch's scheduler step, e.g. a learning-rate schedule. */
  scheduler?: { step(): void };
  /** Called after every read step; return `false` to stop. */
  onBatchEnd?: (record: StepRecord) => void | boolean;
  /** Called after every epoch; return `false` to stop. */
  onEpochEnd?: (record: EpochRecord) => void | boolean;
  /** Progress display (default: automatic terminal or notebook output; false for none). */
  progress?: boolean | ProgressReporter;
  /** Read loss/accuracy every this many steps (default 1 on CPU, 50 elsewhere). */
  logEvery?: number;
  /**
   * A folder for checkpoints: the model, the optimizer's state, the schedule's
   * position, the history and the shuffling state, written atomically to
   * `DIR/checkpoint.safetensors` after every epoch and every `checkpointEvery`
   * seconds.
   */
  checkpoint?: string;
  /** Continue from the checkpoint in `checkpoint` if there is one (default false). */
  resume?: boolean;
  /** Seconds between checkpoints within an epoch (default 120). */
  checkpointEvery?: number;
  /**
   * Stop between steps once this many seconds have passed (history.stopped is
   * then "maxSeconds"; with `checkpoint`, `resume: true` continues from there).
   */
  maxSeconds?: number;
}

const KNOWN = [
  "optimizer",
  "loss",
  "epochs",
  "batchSize",
  "shuffle",
  "seed",
  "validation",
  "validationSplit",
  "earlyStopping",
  "minLossChange",
  "scheduler",
  "onBatchEnd",
  "onEpochEnd",
  "progress",
  "logEvery",
  "checkpoint",
  "resume",
  "checkpointEvery",
  "maxSeconds",
] as const;

/** Throws the first problem with `fit`'s arguments. */
export function checkFitOptions(model: Module, data: Data, options: FitOptions): void {
  const where = "fit";
  checkData(data, where);
  checkKnown(where, options, KNOWN);
  checkOptimizer(model, options.optimizer);
  const o = options;
  checkType(where, "loss", o.loss, "function");
  if (o.epochs !== undefined) checkInteger(where, "epochs", o.epochs, 1);
  if (o.batchSize !== undefined) checkInteger(where, "batchSize", o.batchSize, 1);
  if (o.logEvery !== undefined) checkInteger(where, "logEvery", o.logEvery, 1);
  if (o.seed !== undefined) checkInteger(where, "seed", o.seed, 0);
  for (const flag of ["shuffle", "resume"] as const) checkType(where, flag, o[flag], "boolean");
  for (const fn of ["onBatchEnd", "onEpochEnd"] as const) checkType(where, fn, o[fn], "function");
  if (o.validationSplit !== undefined) {
    checkNumber(where, "validationSplit", o.validationSplit, [0, 1]);
  }
  if (o.minLossChange !== undefined) {
    checkNumber(where, "minLossChange", o.minLossChange, [0, Infinity], true);
  }
  for (const s of ["checkpointEvery", "maxSeconds"] as const) {
    if (o[s] !== undefined) checkNumber(where, s, o[s], [0, Infinity]);
  }
  if (o.checkpoint !== undefined && (typeof o.checkpoint !== "string" || !o.checkpoint)) {
    throw new TypeError(`fit: checkpoint must be a folder path, got ${shown(o.checkpoint)}`);
  }
  if (o.resume && !o.checkpoint) {
    throw new TypeError("fit: resume: true needs checkpoint: DIR, the folder to resume from");
  }
  if (o.scheduler !== undefined && typeof o.scheduler?.step !== "function") {
    throw new TypeError(`fit: scheduler must have a step() method, got ${shown(o.scheduler)}`);
  }
  if (o.validation !== undefined) checkData(o.validation, "fit (validation)");
  checkProgress(o.progress);
  checkEarlyStopping(o.earlyStopping, o.validation !== undefined || !!o.validationSplit);
}

function checkOptimizer(model: Module, optimizer: StepOptimizer | undefined): void {
  if (!optimizer || typeof optimizer.step !== "function") {
    throw new TypeError(
      `fit: the optimizer option is missing or has no step() method (got ${shown(optimizer)}); ` +
        `pass one built over this model's parameters, e.g. ` +
        `{ optimizer: new SGD(model.parameters(), { lr: 0.01 }) }`,
    );
  }
  const own = model.parameters();
  if (!optimizer.params || !own.length) return;
  const updated = new Set(optimizer.params);
  if (!own.some((p) => updated.has(p))) {
    throw new Error(
      `fit: the optimizer updates none of this model's ${own.length} parameters (it was built ` +
        `over another model's, or over parameters this model has since replaced); build it ` +
        `with new SGD(model.parameters(), ...) for this model`,
    );
  }
}

function checkProgress(progress: unknown): void {
  if (progress === undefined || typeof progress === "boolean") return;
  const p = progress as Partial<ProgressReporter>;
  if (typeof p?.update !== "function" || typeof p.epochEnd !== "function") {
    throw new TypeError(
      `fit: progress must be true, false or a reporter with update(), epochEnd() and ` +
        `close(), got ${shown(progress)}`,
    );
  }
}

function checkEarlyStopping(stopping: EarlyStopping | undefined, validated: boolean): void {
  if (stopping === undefined) return;
  const where = "fit: earlyStopping";
  checkKnown(where, stopping, ["monitor", "patience", "minDelta", "restoreBest"]);
  const monitor = stopping.monitor ?? "valLoss";
  if (!["valLoss", "valAccuracy", "loss", "accuracy"].includes(monitor)) {
    throw new TypeError(
      `${where}: monitor must be "valLoss", "valAccuracy", "loss" or "accuracy", got ` +
        `${shown(monitor)}`,
    );
  }
  if (monitor.startsWith("val") && !validated) {
    throw new Error(`fit: earlyStopping monitors ${monitor} but no validation data was given`);
  }
  if (stopping.patience !== undefined) checkInteger(where, "patience", stopping.patience, 1);
  if (stopping.minDelta !== undefined) {
    checkNumber(where, "minDelta", stopping.minDelta, [0, Infinity], true);
  }
  checkType(where, "restoreBest", stopping.restoreBest, "boolean");
}
