/**
 * Early stopping, apart from the loop that uses it: watch one number per
 * epoch, keep a copy of the best weights, say when to stop.
 *
 * @module
 */
import { noGrad } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import type { Module } from "../nn/module.ts";

/**
 * Early stopping on a monitored quantity.
 *
 * @example
 * ```ts
 * import type { EarlyStopping } from "./early_stopping.ts";
 * const stopping: EarlyStopping = { monitor: "valAccuracy", patience: 2 };
 * ```
 */
export interface EarlyStopping {
  /** What to watch (default "valLoss"; accuracies are maximized, losses minimized). */
  monitor?: "valLoss" | "valAccuracy" | "loss" | "accuracy";
  /** Epochs without improvement before stopping (default 3). */
  patience?: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch when stopping (default true). */
  restoreBest?: boolean;
}

/** The monitored values of an epoch (an `EpochRecord` has them). */
type Monitored = Partial<Record<"valLoss" | "valAccuracy" | "loss" | "accuracy", number>>;

/**
 * Where an {@linkcode EarlyStopper} stands (saved in `fit`'s checkpoints).
 *
 * @example
 * ```ts
 * import type { EarlyStopperState } from "./early_stopping.ts";
 * const start: EarlyStopperState = { best: Infinity, bestEpoch: 0, waited: 0 };
 * ```
 */
export interface EarlyStopperState {
  /** Best score so far (losses as they are, accuracies negated: lower is better). */
  best: number;
  /** The epoch that scored it (0: none yet). */
  bestEpoch: number;
  /** Epochs since then. */
  waited: number;
}

/**
 * Watches one quantity per epoch; {@linkcode EarlyStopper.update} returns
 * why to stop, or undefined to go on. With `restoreBest` it keeps a copy of
 * the best epoch's weights and {@linkcode EarlyStopper.restore} puts them back.
 *
 * @example Stop after two epochs without a lower validation loss
 * ```ts
 * import { Linear } from "../../mod.ts";
 * import { EarlyStopper } from "./early_stopping.ts";
 * import assert from "node:assert/strict";
 * const model = new Linear(1, 1);
 * const s = new EarlyStopper({ patience: 2 });
 * assert.equal(s.update({ valLoss: 1 }, 1, model), undefined);
 * assert.equal(s.update({ valLoss: 2 }, 2, model), undefined);
 * assert.match(s.update({ valLoss: 3 }, 3, model)!, /did not improve for 2 epochs \(best: epoch 1\)/);
 * assert.equal(s.restore(model), 1);
 * ```
 */
export class EarlyStopper {
  /** The quantity watched. */
  readonly monitor: NonNullable<EarlyStopping["monitor"]>;
  /** Where it stands. */
  state: EarlyStopperState = { best: Infinity, bestEpoch: 0, waited: 0 };
  /** A copy of the best epoch's weights (with `restoreBest`). */
  bestWeights: Tensor[] | null = null;
  #patience: number;
  #minDelta: number;
  #restoreBest: boolean;

  /** Takes `fit`'s `earlyStopping` option. */
  constructor(options: EarlyStopping) {
    this.monitor = options.monitor ?? "valLoss";
    this.#patience = options.patience ?? 3;
    this.#minDelta = options.minDelta ?? 0;
    this.#restoreBest = options.restoreBest ?? true;
  }

  /** Scores epoch `epoch`; returns why to stop, or undefined. */
  update(record: Monitored, epoch: number, model: Module): string | undefined {
    const value = record[this.monitor];
    if (value === undefined) {
      throw new Error(`fit: earlyStopping monitors ${this.monitor}, which is not computed`);
    }
    const score = this.monitor.endsWith("ccuracy") ? -value : value;
    const s = this.state;
    if (score < s.best - this.#minDelta) {
      this.state = { best: score, bestEpoch: epoch, waited: 0 };
      if (this.#restoreBest) {
        this.bestWeights?.forEach((t) => t.dispose());
        this.bestWeights = noGrad(() => model.parameters().map((p) => p.clone()));
      }
    } else if (++s.waited >= this.#patience) {
      const epochs = s.waited === 1 ? "epoch" : "epochs";
      return `${this.monitor} did not improve for ${s.waited} ${epochs} (best: epoch ${s.bestEpoch})`;
    }
    return undefined;
  }

  /** Puts the best weights back (if kept); returns their epoch, or undefined. */
  restore(model: Module): number | undefined {
    if (!this.bestWeights) return undefined;
    const params = model.parameters();
    this.bestWeights.forEach((w, i) => params[i].assign(w));
    return this.state.bestEpoch;
  }
}
