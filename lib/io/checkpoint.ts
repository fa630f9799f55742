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
import {
  loadSafetensors,
  type SafeDType,
  type SafeTensor,
  saveSafetensors,
} from "./safetensors.ts";

const TO_SAFE: Record<DType, SafeDType> = { float32: "F32", float64: "F64", int32: "I32" };

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
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModel(
  model: Module,
  path: string,
  metadata: Record<string, string> = {},
): Promise<void> {
  const tensors: Record<string, SafeTensor> = {};
  for (const [name, p] of model.namedParameters()) {
    tensors[name] = { dtype: TO_SAFE[p.dtype], shape: [...p.shape], data: await p.data() };
  }
  await saveSafetensors(path, tensors, { format: "pt", ...metadata });
}

/**
 * Loads parameters saved by {@linkcode saveModel} into `model`, after checking
 * that the names, shapes and dtypes match exactly; on any mismatch nothing
 * is changed and the error lists what differs. Returns the file's metadata.
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
  const { tensors, metadata } = await loadSafetensors(path);
  const params = model.namedParameters();
  const problems: string[] = [];
  const expected = new Set(params.map(([n]) => n));
  for (const name of Object.keys(tensors)) {
    if (!expected.has(name)) problems.push(`unexpected tensor '${name}' in the file`);
  }
  for (const [name, p] of params) {
    const t = tensors[name];
    if (!t) problems.push(`missing '${name}' (model expects ${p.dtype} [${p.shape}])`);
    else if (t.dtype !== TO_SAFE[p.dtype]) {
      problems.push(`'${name}': file has ${t.dtype}, model expects ${TO_SAFE[p.dtype]}`);
    } else if (t.shape.length !== p.ndim || t.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`'${name}': file has shape [${t.shape}], model expects [${p.shape}]`);
    }
  }
  if (problems.length) {
    throw new Error(`${path} does not fit this model:\n  ${problems.join("\n  ")}`);
  }
  noGrad(() => {
    for (const [name, p] of params) {
      const t = tensors[name];
      p.assign(fromValues(t.data, t.shape, { dtype: p.dtype, backend: p.backend.name }));
    }
  });
  return metadata;
}
