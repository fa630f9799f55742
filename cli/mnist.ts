/**
 * `deno task mnist`: trains LeNet-5 (or an MLP) on MNIST with a progress bar,
 * then prints test accuracy, the confusion matrix and time per epoch, and
 * writes the weights (safetensors) and the history (JSON) to an output folder.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  Adam,
  confusionMatrix,
  CosineLR,
  crossEntropy,
  fit,
  formatConfusionMatrix,
  gpu,
  type History,
  imageData,
  lenet5,
  loadMnist,
  manualSeed,
  mlp,
  type Module,
  predict,
  saveModel,
  setBackend,
  SGD,
  type Tensor,
  toBackend,
} from "../mod.ts";
import { writeFileAtomic } from "../lib/io/atomic_write.ts";

const USAGE = `Usage: deno task mnist [options]

Trains a network on MNIST and reports test accuracy.

Options:
  --model mlp|lenet5     network (default lenet5; mlp is 784-100-10)
  --epochs N             passes over the training set (default 5)
  --batch-size N         examples per step (default 32)
  --lr X                 learning rate (default 0.02 for sgd, 0.001 for adam)
  --schedule S           cosine (anneal the lr to 0 over the epochs) or constant
                         (default cosine)
  --momentum X           SGD momentum (default 0.9)
  --optimizer adam|sgd   optimizer (default adam)
  --backend NAME         cpu, webgpu or auto (default cpu); auto uses WebGPU on a
                         hardware adapter, else the CPU (software adapters such
                         as llvmpipe are slower than it); webgpu uses any adapter
  --data DIR             folder with the four MNIST IDX .gz files
                         (default $NEURONBOOK_DATA, then the cache, then download)
  --seed N               seed for initialization and shuffling (default 0)
  --out DIR              where to write weights and history (default out/mnist)
  --limit N              train on the first N training images only
  --checkpoint DIR       save a checkpoint in DIR after every epoch and every 2 minutes
  --resume               continue from the checkpoint in --checkpoint DIR (if there is one)
  --max-seconds N        stop training after N seconds (then evaluate and save; continue
                         later with --checkpoint DIR --resume)
  --help                 show this help
`;

/** Parsed command-line options. */
interface Options {
  model: "mlp" | "lenet5";
  epochs: number;
  batchSize: number;
  lr?: number;
  momentum: number;
  optimizer: "sgd" | "adam";
  schedule: "cosine" | "constant";
  backend: "cpu" | "webgpu" | "auto";
  data?: string;
  seed: number;
  out: string;
  limit?: number;
  checkpoint?: string;
  resume: boolean;
  maxSeconds?: number;
}

class UsageError extends Error {}

function parse(args: string[]): Options | null {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: "string", default: "lenet5" },
        epochs: { type: "string", default: "5" },
        "batch-size": { type: "string", default: "32" },
        lr: { type: "string" },
        momentum: { type: "string", default: "0.9" },
        optimizer: { type: "string", default: "adam" },
        schedule: { type: "string", default: "cosine" },
        backend: { type: "string", default: "cpu" },
        data: { type: "string" },
        seed: { type: "string", default: "0" },
        out: { type: "string", default: "out/mnist" },
        limit: { type: "string" },
        checkpoint: { type: "string" },
        resume: { type: "boolean", default: false },
        "max-seconds": { type: "string" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const num = (name: string, text: string | undefined, integer: boolean, min: number) => {
    if (text === undefined) return undefined;
    const v = Number(text);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
      throw new UsageError(
        `--${name} must be ${integer ? "an integer" : "a number"} ≥ ${min}, got "${text}"`,
      );
    }
    return v;
  };
  const oneOf = <T extends string>(name: string, v: string, allowed: readonly T[]): T => {
    if (!allowed.includes(v as T)) {
      throw new UsageError(`--${name} must be one of ${allowed.join(", ")}, got "${v}"`);
    }
    return v as T;
  };
  return {
    model: oneOf("model", values.model!, ["mlp", "lenet5"] as const),
    epochs: num("epochs", values.epochs, true, 1)!,
    batchSize: num("batch-size", values["batch-size"], true, 1)!,
    lr: num("lr", values.lr, false, 0),
    momentum: num("momentum", values.momentum, false, 0)!,
    optimizer: oneOf("optimizer", values.optimizer!, ["sgd", "adam"] as const),
    schedule: oneOf("schedule", values.schedule!, ["cosine", "constant"] as const),
    backend: oneOf("backend", values.backend!, ["cpu", "webgpu", "auto"] as const),
    data: values.data,
    seed: num("seed", values.seed, true, 0)!,
    out: values.out!,
    limit: num("limit", values.limit, true, 1),
    checkpoint: values.checkpoint,
    resume: values.resume!,
    maxSeconds: num("max-seconds", values["max-seconds"], false, 0),
  };
}

/** Flag errors the options can show before anything runs. */
function checkFlags(opts: Options): void {
  if (opts.data !== undefined && !isFolder(opts.data)) {
    throw new UsageError(
      `--data ${opts.data}: no such folder; give the folder holding the four MNIST files ` +
        `(train-images-idx3-ubyte.gz, ...), or leave --data out to use the cache and the download`,
    );
  }
  if (opts.resume && opts.checkpoint === undefined) {
    throw new UsageError("--resume needs --checkpoint DIR, the folder to resume from");
  }
  if (opts.maxSeconds === 0) throw new UsageError('--max-seconds must be > 0, got "0"');
}

function isFolder(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** A library error in the words of this command's flags. */
function inFlagWords(message: string): string {
  return message
    .replaceAll(
      "loadMnist({ dir }) or set NEURONBOOK_DATA=<dir>",
      "--data DIR or set NEURONBOOK_DATA=DIR",
    )
    .replaceAll("options.dir is not given", "--data is not given")
    .replaceAll("(options.dir)", "(--data)")
    .replaceAll(
      'the "cpu" backend (setBackend("cpu"), --backend cpu), or "auto" to fall back to it',
      "--backend cpu, or --backend auto to fall back to it",
    )
    .replaceAll("fit: ", "")
    .replaceAll("resume: true", "--resume")
    .replaceAll("batchSize", "--batch-size");
}

/** Evaluates on the test set once, prints the results and writes the weights and history. */
async function report(
  opts: Options,
  model: Module,
  test: { x: Tensor; y: Tensor },
  history: History,
  backendName: string,
): Promise<void> {
  if (history.stopped === "maxSeconds") {
    console.log(
      `Stopped after --max-seconds ${opts.maxSeconds} (${history.stopReason})` +
        (opts.checkpoint
          ? `; continue with --checkpoint ${opts.checkpoint} --resume`
          : "; add --checkpoint DIR to be able to continue"),
    );
  }

  // One pass over the test set gives the loss, the accuracy and the confusion matrix.
  console.log(`Evaluating on ${test.x.shape[0].toLocaleString("en-US")} test images...`);
  const result = await testResult(model, test);
  const matrix = result.matrix;
  const perEpoch = history.epochs.map((e) => e.seconds);
  const meanSeconds = perEpoch.reduce((a, b) => a + b, 0) / perEpoch.length;
  const meanRate = history.epochs.reduce((a, e) => a + e.examplesPerSecond, 0) /
    history.epochs.length;
  console.log(
    `\nTest accuracy: ${(100 * result.accuracy).toFixed(2)}%  (loss ${result.loss.toFixed(4)})`,
  );
  if (perEpoch.length) {
    console.log(
      `Time per epoch: ${meanSeconds.toFixed(1)} s  ` +
        `(${Math.round(meanRate).toLocaleString("en-US")} training images/s)\n`,
    );
  }
  console.log(formatConfusionMatrix(matrix));

  const weights = `${opts.out}/${opts.model}.safetensors`;
  const historyPath = `${opts.out}/${opts.model}-history.json`;
  await saveModel(model, weights, { model: opts.model, testAccuracy: String(result.accuracy) });
  const summary = {
    options: opts,
    backend: backendName,
    test: { loss: result.loss, accuracy: result.accuracy },
    confusionMatrix: matrix,
    history,
  };
  await writeFileAtomic(historyPath, new TextEncoder().encode(JSON.stringify(summary, null, 2)));
  console.log(`\nWrote ${weights} and ${historyPath}`);
}

/** Loss, accuracy and confusion matrix from one prediction pass. */
async function testResult(model: Module, test: { x: Tensor; y: Tensor }) {
  const logits = predict(model, test.x);
  const labels = toBackend(test.y, logits.backend.name);
  const loss = await crossEntropy(logits, labels).item();
  const matrix = await confusionMatrix(logits, test.y, 10);
  const correct = matrix.reduce((sum, row, i) => sum + row[i], 0);
  return { loss, accuracy: correct / test.x.shape[0], matrix };
}

async function main(args: string[]): Promise<number> {
  let opts: Options | null;
  try {
    opts = parse(args);
    if (opts) checkFlags(opts);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (!opts) {
    console.log(USAGE);
    return 0;
  }
  const backend = await setBackend(opts.backend);
  const device = backend.name === "webgpu" ? ` (${gpu.info().name})` : "";
  manualSeed(opts.seed);

  const mnist = await loadMnist({ dir: opts.data });
  const flatten = opts.model === "mlp";
  // The images stay on the CPU (all of MNIST is 188 MB, above some GPUs' largest
  // buffer); fit and evaluate move one batch at a time to the model's backend.
  const onCpu = { flatten, normalize: "standard", backend: "cpu" } as const;
  const train = imageData(mnist.train, { ...onCpu, limit: opts.limit });
  const test = imageData(mnist.test, onCpu);
  const model: Module = opts.model === "mlp" ? mlp([784, 100, 10]) : lenet5();
  const lr = opts.lr ?? (opts.optimizer === "adam" ? 0.001 : 0.02);
  const optimizer = opts.optimizer === "adam"
    ? new Adam(model.parameters(), { lr })
    : new SGD(model.parameters(), { lr, momentum: opts.momentum });
  console.log(
    `Training ${opts.model} (${model.parameterCount().toLocaleString("en-US")} parameters) on ` +
      `${train.x.shape[0].toLocaleString("en-US")} images, backend ${backend.name}${device}, ` +
      `${opts.optimizer} lr ${lr} (${opts.schedule}), batch ${opts.batchSize}, ${opts.epochs} epochs`,
  );
  const history = await fit(model, train, {
    optimizer,
    scheduler: opts.schedule === "cosine"
      ? new CosineLR(optimizer, { tMax: opts.epochs })
      : undefined,
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    seed: opts.seed,
    checkpoint: opts.checkpoint,
    resume: opts.resume,
    maxSeconds: opts.maxSeconds,
  });
  await report(opts, model, test, history, backend.name);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`error: ${inFlagWords((err as Error).message)}`);
    Deno.exit(1);
  }
}
