/**
 * Model checkpoints in the safetensors format: parameter names as PyTorch
 * writes them (`0.weight`, `fc1.bias`), readable by the Python `safetensors`
 * library and PyTorch's `load_file`.
 *
 * @module
 */
import type { DType } from "../op_set.ts";
import type { Module } from "../nn/module.ts";
import { fromValues } from "../ops/mod.ts";
import { noGrad } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import {
  loadSafetensors,
  type SafeDType,
  type SafeTensor,
  type SafetensorsHeader,
  saveSafetensors,
} from "./safetensors.ts";

const TO_SAFE: Record<DType, SafeDType> = { float32: "F32", float64: "F64", int32: "I32" };

/**
 * A tensor's values as a safetensors entry (reads it back from its backend).
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { safeTensorOf } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 * assert.deepEqual((await safeTensorOf(tensor([1, 2]))).shape, [2]);
 * ```
 */
export async function safeTensorOf(t: Tensor): Promise<SafeTensor> {
  return { dtype: TO_SAFE[t.dtype], shape: [...t.shape], data: await t.data() };
}

/**
 * Writes every parameter of `model` to `path` (atomically).
 *
 * @example
 * ```ts
 * import { Linear, saveModel, loadModel } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const a = new Linear(3, 2), b = new Linear(3, 2);
 * await saveModel(a, `${dir}/m.safetensors`);
 * await loadModel(b, `${dir}/m.safetensors`);
 * assert.deepEqual(b.weight.dataSync(), a.weight.dataSync());
 * await assert.rejects(saveModel(a, dir), /is a folder/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModel(
  model: Module,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const isFolder = await Deno.stat(path).then((s) => s.isDirectory, () => false);
  if (isFolder) {
    throw new Error(
      `saveModel: ${path} is a folder; give a file path such as ${path}/model.safetensors`,
    );
  }
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, p] of model.namedParameters()) tensors[name] = await safeTensorOf(p);
  await saveSafetensors(path, tensors, { format: "pt", ...metadata });
}

/** At most this many problems are listed in an error; the rest are counted. */
const MAX_LISTED = 10;

/**
 * What stops `header` from being loaded into `params` (named as the file
 * names them, after `prefix`): missing, unexpected, wrong dtype or shape. At
 * most ten are listed, then how many more.
 *
 * @example
 * ```ts
 * import { Linear } from "../../mod.ts";
 * import { mismatches } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 * const params = new Linear(2, 1).namedParameters();
 * assert.deepEqual(mismatches(params, { weight: { dtype: "F32", shape: [1, 2] } }), [
 *   "missing 'bias' (model expects float32 [1])",
 * ]);
 * ```
 */
export function mismatches(
  params: [string, Tensor][],
  header: SafetensorsHeader,
  prefix = "",
): string[] {
  const problems: string[] = [];
  const expected = new Set(params.map(([n]) => prefix + n));
  for (const name of Object.keys(header)) {
    if (name.startsWith(prefix) && !expected.has(name)) {
      problems.push(`unexpected tensor '${name}' in the file`);
    }
  }
  for (const [name, p] of params) {
    const t = header[prefix + name];
    if (!t) problems.push(`missing '${prefix + name}' (model expects ${p.dtype} [${p.shape}])`);
    else if (t.dtype !== TO_SAFE[p.dtype]) {
      problems.push(`'${prefix + name}': file has ${t.dtype}, model expects ${TO_SAFE[p.dtype]}`);
    } else if (t.shape.length !== p.ndim || t.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`'${prefix + name}': file has shape [${t.shape}], model expects [${p.shape}]`);
    }
  }
  if (problems.length <= MAX_LISTED) return problems;
  return [
    ...problems.slice(0, MAX_LISTED),
    `... and ${(problems.length - MAX_LISTED).toLocaleString("en-US")} more problems`,
  ];
}

/**
 * Writes the file's tensors into `params` (checked by {@linkcode mismatches} first).
 *
 * @example
 * ```ts
 * import { Linear } from "../../mod.ts";
 * import { assignParameters } from "./checkpoint.ts";
 * import assert from "node:assert/strict";
 * const m = new Linear(1, 1);
 * assignParameters(m.namedParameters(), {
 *   weight: { dtype: "F32", shape: [1, 1], data: new Float32Array([3]) },
 *   bias: { dtype: "F32", shape: [1], data: new Float32Array([4]) },
 * });
 * assert.deepEqual(m.weight.arraySync(), [[3]]);
 * ```
 */
export function assignParameters(
  params: [string, Tensor][],
  tensors: Record<string, SafeTensor>,
  prefix = "",
): void {
  noGrad(() => {
    for (const [name, p] of params) {
      const t = tensors[prefix + name];
      p.assign(fromValues(t.data, t.shape, { dtype: p.dtype, backend: p.backend.name }));
    }
  });
}

/**
 * Loads parameters saved by {@linkcode saveModel} into `model`, after checking
 * that the names, shapes and dtypes match exactly; on any mismatch nothing
 * is changed and the error lists what differs (the first ten problems).
 * The header is checked before any tensor data is read. Returns the file's
 * metadata.
 *
 * @example
 * ```ts
 * import { Linear, saveModel, loadModel } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await saveModel(new Linear(3, 2), `${dir}/m.safetensors`);
 * await assert.rejects(() => loadModel(new Linear(4, 2), `${dir}/m.safetensors`), /shape/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadModel(model: Module, path: string): Promise<Record<string, string>> {
  const params = model.namedParameters();
  const { tensors, metadata } = await loadSafetensors(path, {
    check: (header) => {
      const problems = mismatches(params, header);
      if (problems.length) {
        throw new Error(`${path} does not fit this model:\n  ${problems.join("\n  ")}`);
      }
    },
  });
  assignParameters(params, tensors);
  return metadata;
}
