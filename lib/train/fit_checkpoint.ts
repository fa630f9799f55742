/**
 * `fit`'s checkpoints: one safetensors file, `DIR/checkpoint.safetensors`,
 * written atomically, holding the model's parameters (`model.NAME`), the
 * optimizer's buffers (`optimizer.I.BUFFER`), early stopping's best weights
 * (`best.I`) and, in the metadata, everything else as JSON: where the run
 * stands (epoch, step, the epoch's sums), the shuffling and global
 * generators' states, the optimizer's step counts and hyperparameters, the
 * schedule's position, early stopping's state and the history. A resumed
 * run continues exactly where the saved one was (bit-identical on the CPU).
 *
 * @module
 */
import { join } from "node:path";
import { defaultRng, type RngState } from "../random.ts";
import { fromValues } from "../ops/mod.ts";
import type { Tensor } from "../tensor.ts";
import type { OptimizerState, ParamState } from "../optim/optimizer.ts";
import { assignParameters, mismatches, safeTensorOf } from "../io/checkpoint.ts";
import { loadSafetensors, type SafeTensor, saveSafetensors } from "../io/safetensors.ts";
import type { EarlyStopperState } from "./early_stopping.ts";
import type { EpochSums, Run } from "./_run.ts";
import type { History } from "./history.ts";

/** The file inside the checkpoint folder. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";
const KEY = "neuronbook.fit";

/** What a run must share with the checkpoint it resumes from. */
interface Config {
  rows: number;
  batchSize: number;
  seed: number;
  shuffle: boolean;
}

/** The JSON in the checkpoint's metadata. */
interface Saved {
  version: 1;
  config: Config;
  epoch: number;
  step: number;
  epochRng: RngState;
  globalRng: RngState;
  sums: EpochSums;
  history: History;
  optimizer: {
    stepCount: number;
    groups: Record<string, unknown>[];
    params: ({ step: number; buffers: string[] } | null)[];
  } | null;
  schedulerT: number | null;
  stopper: (Omit<EarlyStopperState, "best"> & { best: number | null }) | null;
}

type Exportable = { exportState(): OptimizerState; importState(s: OptimizerState): void };
const exportable = (o: unknown): o is Exportable =>
  typeof (o as Exportable).exportState === "function" &&
  typeof (o as Exportable).importState === "function";

function configOf(run: Run): Config {
  return {
    rows: run.train.x.shape[0],
    batchSize: run.size,
    seed: run.options.seed ?? 0,
    shuffle: run.options.shuffle ?? true,
  };
}

function schedulerOf(run: Run): { t: number } | null {
  const s = run.options.scheduler as { t?: unknown } | undefined;
  return typeof s?.t === "number" ? s as { t: number } : null;
}

/** Writes the run's checkpoint to `dir` (atomically) and notes the time. */
export async function saveRun(run: Run, dir: string): Promise<void> {
  const tensors: Record<string, SafeTensor> = {};
  const put = async (name: string, t: Tensor) => void (tensors[name] = await safeTensorOf(t));
  for (const [name, p] of run.model.namedParameters()) await put(`model.${name}`, p);
  let optimizer: Saved["optimizer"] = null;
  if (exportable(run.optimizer)) {
    const state = run.optimizer.exportState();
    for (const [i, s] of state.params.entries()) {
      for (const [k, b] of Object.entries(s?.buffers ?? {})) await put(`optimizer.${i}.${k}`, b);
    }
    optimizer = {
      stepCount: state.stepCount,
      groups: state.groups,
      params: state.params.map((s) => s && { step: s.step, buffers: Object.keys(s.buffers) }),
    };
  }
  for (const [i, w] of (run.stopper?.bestWeights ?? []).entries()) await put(`best.${i}`, w);
  const stopper = run.stopper?.state;
  const saved: Saved = {
    version: 1,
    config: configOf(run),
    epoch: run.epoch,
    step: run.step,
    epochRng: run.epochRng,
    globalRng: defaultRng().getState(),
    sums: run.sums,
    history: run.history,
    optimizer,
    schedulerT: schedulerOf(run)?.t ?? null,
    stopper: stopper
      ? { ...stopper, best: Number.isFinite(stopper.best) ? stopper.best : null }
      : null,
  };
  await saveSafetensors(join(dir, CHECKPOINT_FILE), tensors, {
    format: "pt",
    [KEY]: JSON.stringify(saved),
  });
  run.saved = performance.now();
}

/**
 * Puts the run where the checkpoint in `dir` left it; without a checkpoint
 * there, the run starts from the beginning. Checks everything (the file, the
 * data's size, the batch size, the seed, the model's parameters, the
 * optimizer) before changing anything.
 */
export async function resumeRun(run: Run, dir: string): Promise<void> {
  const path = join(dir, CHECKPOINT_FILE);
  const exists = await Deno.stat(path).then(() => true, () => false);
  if (!exists) return;
  const params = run.model.namedParameters();
  const { tensors, metadata } = await loadSafetensors(path, {
    check: (header, meta) => {
      if (!meta[KEY]) {
        throw new Error(`fit: ${path} is not a checkpoint written by fit (no '${KEY}' metadata)`);
      }
      const problems = mismatches(params, header, "model.");
      if (problems.length) {
        throw new Error(
          `fit: cannot resume from ${path}: it was written for another model:\n  ` +
            problems.join("\n  "),
        );
      }
    },
  });
  const saved = JSON.parse(metadata[KEY]) as Saved;
  checkConfig(run, saved, path);
  const optimizerState = savedOptimizer(run, saved, tensors, path);
  assignParameters(params, tensors, "model.");
  if (optimizerState) (run.optimizer as unknown as Exportable).importState(optimizerState);
  const scheduler = schedulerOf(run);
  if (scheduler && saved.schedulerT !== null) scheduler.t = saved.schedulerT;
  if (run.stopper && saved.stopper) {
    run.stopper.state = { ...saved.stopper, best: saved.stopper.best ?? Infinity };
    const best = params.map((_, i) => tensors[`best.${i}`]);
    if (best.every(Boolean)) {
      run.stopper.bestWeights = best.map((t, i) =>
        fromValues(t.data, t.shape, {
          dtype: params[i][1].dtype,
          backend: params[i][1].backend.name,
        })
      );
    }
  }
  Object.assign(run, {
    history: saved.history,
    epoch: saved.epoch,
    step: saved.step,
    epochRng: saved.epochRng,
    sums: saved.sums,
  });
  run.rng.setState(saved.epochRng);
  defaultRng().setState(saved.globalRng);
  if (run.history.stopped === "maxSeconds") {
    delete run.history.stopped, delete run.history.stopReason;
  }
}

function checkConfig(run: Run, saved: Saved, path: string): void {
  if (saved.version !== 1) {
    throw new Error(`fit: ${path} has checkpoint version ${saved.version}; this fit reads 1`);
  }
  const now = configOf(run);
  const words: Record<keyof Config, string> = {
    rows: "training rows",
    batchSize: "batchSize",
    seed: "seed",
    shuffle: "shuffle",
  };
  const differ = (Object.keys(words) as (keyof Config)[]).filter((k) => saved.config[k] !== now[k]);
  if (differ.length) {
    throw new Error(
      `fit: cannot resume from ${path}: ` +
        differ.map((k) => `it has ${words[k]} ${saved.config[k]}, this run ${now[k]}`).join("; ") +
        `. Resume with the same data and options, or use another checkpoint folder`,
    );
  }
}

function savedOptimizer(
  run: Run,
  saved: Saved,
  tensors: Record<string, SafeTensor>,
  path: string,
): OptimizerState | null {
  if (!saved.optimizer) return null;
  if (!exportable(run.optimizer)) {
    throw new Error(
      `fit: ${path} holds an optimizer's state, but this optimizer has no importState()`,
    );
  }
  const params: (ParamState | null)[] = saved.optimizer.params.map((s, i) => {
    if (!s) return null;
    const buffers: Record<string, Tensor> = {};
    for (const k of s.buffers) {
      const t = tensors[`optimizer.${i}.${k}`];
      if (!t) throw new Error(`fit: ${path} lacks the optimizer buffer optimizer.${i}.${k}`);
      buffers[k] = fromValues(t.data, t.shape, {
        dtype: t.dtype === "F64" ? "float64" : t.dtype === "I32" ? "int32" : "float32",
        backend: "cpu",
      });
    }
    return { step: s.step, buffers };
  });
  return { stepCount: saved.optimizer.stepCount, groups: saved.optimizer.groups, params };
}
