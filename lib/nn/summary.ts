/**
 * Keras-style model summaries: one row per layer with its output shape and
 * parameter count, and the totals (the lectures' "A total of 7,960
 * parameters").
 *
 * @module
 */
import { noGrad } from "../engine.ts";
import type { Shape } from "../op_set.ts";
import { showShape } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { zeros } from "../ops/mod.ts";
import { Sequential } from "./layers.ts";
import { Module } from "./module.ts";

/** One line of a {@linkcode ModelSummary}. */
export interface SummaryRow {
  /** Child name: the index in a `Sequential`, the field name otherwise. */
  name: string;
  /** The layer's `describe()`, e.g. `Linear(784 → 10)`. */
  layer: string;
  /** Output shape with the batch axis shown as N (`[N, 10]`), or `"?"` where unknown. */
  outputShape: string;
  /** Parameter elements in the layer and its children. */
  params: number;
}

/** The result of {@linkcode summary}; `toString()` gives the table. */
export interface ModelSummary {
  /** One row per layer (per child module for models other than `Sequential`). */
  rows: SummaryRow[];
  /** Every parameter element (each shared tensor counted once). */
  totalParams: number;
  /** The elements of parameters that require gradients. */
  trainableParams: number;
  /** The table, with totals like `Total params: 7,960`. */
  toString(): string;
}

/** 7960 → "7,960". */
function withCommas(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Leaf float tensors held directly in the module's fields (trainable or frozen). */
function ownTensors(m: Module): Tensor[] {
  const out: Tensor[] = [];
  for (const value of Object.values(m)) {
    if (value instanceof Tensor && value.isLeaf && value.dtype !== "int32") out.push(value);
  }
  return out;
}

/** Every module in the tree, root first. */
function allModules(m: Module, seen = new Set<Module>()): Module[] {
  if (seen.has(m)) return [];
  seen.add(m);
  return [m, ...m.namedChildren().flatMap(([, c]) => allModules(c, seen))];
}

/** Distinct parameter tensors in the tree of `m`. */
function tensorsOf(m: Module): Set<Tensor> {
  return new Set(allModules(m).flatMap(ownTensors));
}

function count(tensors: Iterable<Tensor>, filter: (t: Tensor) => boolean = () => true): number {
  let n = 0;
  for (const t of tensors) if (filter(t)) n += t.size;
  return n;
}

/** `[1, 6, 28, 28]` → `[N, 6, 28, 28]` (the summary runs one sample). */
function showBatched(shape: Shape): string {
  if (shape.length === 0 || shape[0] !== 1) return showShape(shape);
  return `[N${shape.length > 1 ? ", " : ""}${shape.slice(1).join(", ")}]`;
}

/** Runs `fn` in evaluation mode (no dropout masks drawn), then restores every module's mode. */
function inEvalMode<T>(model: Module, fn: () => T): T {
  const modes = allModules(model).map((m) => [m, m.training] as const);
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    for (const [m, training] of modes) m.training = training;
  }
}

/** A zero input of one sample, in the parameters' dtype and on their backend. */
function sampleInput(model: Module, inputShape: Shape): Tensor {
  const first = [...tensorsOf(model)][0];
  return zeros([1, ...inputShape], {
    dtype: first?.dtype,
    backend: first?.backend.name,
  });
}

function sequentialRows(model: Sequential, inputShape: Shape | undefined): SummaryRow[] {
  const shapes: string[] = model.layers.map(() => "?");
  if (inputShape) {
    inEvalMode(model, () => {
      let x = sampleInput(model, inputShape);
      model.layers.forEach((layer, i) => {
        try {
          x = layer.forward(x);
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          throw new Error(
            `summary: layer ${i} (${layer.describe()}) fails on input ${showBatched(x.shape)}` +
              ` from input shape ${showShape(inputShape)}: ${message}`,
            { cause: e },
          );
        }
        shapes[i] = showBatched(x.shape);
      });
    });
  }
  return model.layers.map((layer, i) => ({
    name: String(i),
    layer: layer.describe(),
    outputShape: shapes[i],
    params: count(tensorsOf(layer)),
  }));
}

/** Rows for any other module: its direct children, output shapes caught on the way through. */
function childRows(model: Module, inputShape: Shape | undefined): SummaryRow[] {
  const children = model.namedChildren();
  const shapes = new Map<Module, string>();
  let modelShape = "?";
  if (inputShape) {
    // Wrap each child's forward for one pass to record what it returns.
    const saved = children.map(([, c]) =>
      [c, Object.getOwnPropertyDescriptor(c, "forward")] as const
    );
    for (const [, child] of children) {
      const original = child.forward;
      Object.defineProperty(child, "forward", {
        configurable: true,
        writable: true,
        value: (x: Tensor) => {
          const y = original.call(child, x);
          if (!shapes.has(child)) shapes.set(child, showBatched(y.shape));
          return y;
        },
      });
    }
    try {
      inEvalMode(model, () => {
        modelShape = showBatched(model.forward(sampleInput(model, inputShape)).shape);
      });
    } catch {
      // The shapes stay unknown ("?"); the counts do not need a forward pass.
    } finally {
      for (const [child, descriptor] of saved) {
        if (descriptor) Object.defineProperty(child, "forward", descriptor);
        else delete (child as { forward?: unknown }).forward;
      }
    }
  }
  const rows: SummaryRow[] = [];
  const own = ownTensors(model);
  if (own.length) {
    rows.push({
      name: "(own)",
      layer: model.describe(),
      outputShape: modelShape,
      params: count(own),
    });
  }
  for (const [name, child] of children) {
    rows.push({
      name,
      layer: child.describe(),
      outputShape: shapes.get(child) ?? "?",
      params: count(tensorsOf(child)),
    });
  }
  return rows;
}

function table(model: Module, rows: SummaryRow[], total: number, trainable: number): string {
  const header = ["Name", "Layer", "Output shape", "Param #"];
  const cells = rows.map((r) => [r.name, r.layer, r.outputShape, withCommas(r.params)]);
  const widths = header.map((h, j) => Math.max(h.length, ...cells.map((c) => c[j].length)));
  const line = (c: string[]) =>
    c.map((s, j) => j === 3 ? s.padStart(widths[j]) : s.padEnd(widths[j])).join("   ").trimEnd();
  const rule = "=".repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  return [
    `Model: ${model.describe()}`,
    line(header),
    rule,
    ...cells.map(line),
    rule,
    `Total params: ${withCommas(total)}`,
    `Trainable params: ${withCommas(trainable)}`,
    `Non-trainable params: ${withCommas(total - trainable)}`,
  ].join("\n");
}

/**
 * Summarizes `model` like Keras' `model.summary()`: a row per layer with its
 * output shape and parameter count, and the totals. For a `Sequential`, a
 * zero input of shape `[1, ...inputShape]` goes through the layers under
 * `noGrad` in evaluation mode to find the shapes (a layer that does not fit
 * fails here, naming it). Other modules get one row per child module, with
 * shapes caught during one forward pass when `inputShape` is given (`"?"`
 * where unknown). Frozen tensors (not requiring gradients) count as
 * non-trainable.
 *
 * @example The lecture's 784-10-10 network
 * ```ts
 * import { Rng } from "../../mod.ts";
 * import { Linear, Sequential } from "./layers.ts";
 * import { Sigmoid } from "./activations.ts";
 * import { summary } from "./summary.ts";
 * import assert from "node:assert/strict";
 * const rng = new Rng(0);
 * const model = new Sequential(new Linear(784, 10, { rng }), new Sigmoid(), new Linear(10, 10, { rng }));
 * const s = summary(model, [784]);
 * assert.equal(s.totalParams, 7960);
 * assert.deepEqual(s.rows.map((r) => r.outputShape), ["[N, 10]", "[N, 10]", "[N, 10]"]);
 * assert.match(s.toString(), /Total params: 7,960/);
 * ```
 */
export function summary(model: Module, inputShape?: Shape): ModelSummary {
  if (!(model instanceof Module)) throw new Error("summary: expected a Module");
  const rows = model instanceof Sequential
    ? sequentialRows(model, inputShape)
    : childRows(model, inputShape);
  const tensors = tensorsOf(model);
  const totalParams = count(tensors);
  const trainableParams = count(tensors, (t) => t.requiresGrad);
  const text = () => table(model, rows, totalParams, trainableParams);
  return {
    rows,
    totalParams,
    trainableParams,
    toString: text,
    [Symbol.for("Deno.customInspect")]: text,
  } as ModelSummary;
}
