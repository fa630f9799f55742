/**
 * Dispatch and graph recording: every primitive call goes through
 * {@linkcode dispatch}, which runs the backend's kernel and, when gradients
 * are wanted, records a node that `backward()` later walks.
 *
 * @module
 */
import {
  type DType,
  type GraphAttrs,
  type GraphOp,
  isDifferentiable,
  type Primitive,
  type PrimitiveAttrs,
  type Shape,
} from "./op_set.ts";
import type { Backend, OutSpec } from "./backend.ts";
import { sizeOf } from "./shape.ts";
import { describeAllocation, isAllocationFailure } from "./format.ts";
import { beginScope, endScope, infoOf, Tensor, trackTensor } from "./tensor.ts";

let gradEnabled = true;

/**
 * Runs `fn` without recording a graph (inference, optimizer updates,
 * evaluation). Synchronous: for async work, await inside and call again.
 *
 * @example
 * ```ts
 * import { noGrad, tensor } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const w = tensor([1, 2], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2));
 * assert.equal(y.requiresGrad, false);
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  const before = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = before;
  }
}

/**
 * Whether operations are currently recorded for autograd.
 *
 * @example
 * ```ts
 * import { isGradEnabled, noGrad } from "../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isGradEnabled(), true);
 * assert.equal(noGrad(() => isGradEnabled()), false);
 * ```
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** A module, as far as {@linkcode scope} cares: its parameters. */
export interface KeepModule {
  /** The tensors to keep. */
  parameters(): Tensor[];
}

/** An optimizer, as far as {@linkcode scope} cares: its parameters and their state. */
export interface KeepOptimizer {
  /** Its parameters. */
  readonly params: readonly Tensor[];
  /** State buffers (momentum, moment estimates) of a parameter, once it has any. */
  stateOf(p: Tensor): { readonly buffers: Readonly<Record<string, Tensor>> } | undefined;
}

/** What a {@linkcode scope} keeps: tensors (with their `.grad`), modules, optimizers, or arrays of them. */
export type Keep = Tensor | KeepModule | KeepOptimizer | readonly Keep[] | null | undefined;

/**
 * Runs `fn`, then disposes every tensor created inside it except the
 * returned ones (a tensor, or arrays and plain objects holding tensors) and
 * those reachable from `keep`: tensors and their `.grad`, modules (their
 * parameters) and optimizers (their parameters and state buffers), looked at
 * when `fn` returns, so parameters that `assign` updated inside and state an
 * optimizer's first step created are kept. Like TensorFlow.js's `tidy`.
 *
 * On WebGPU this returns a step's buffers to the pool at once instead of
 * when the garbage collector notices; `fit`, `evaluate` and `predict` run
 * each batch this way. On the CPU it only marks the tensors disposed. A
 * disposed tensor refuses to be used with a clear error. Scopes nest: what a
 * scope keeps belongs to the enclosing one. `fn` must be synchronous. A
 * returned tensor keeps its values, not its graph (its inputs are disposed).
 *
 * @example One training step that leaves only the parameters (and the loss)
 * ```ts
 * import { Linear, mse, scope, SGD, tensor } from "../mod.ts";
 * import assert from "node:assert/strict";
 * const model = new Linear(2, 1);
 * const opt = new SGD(model.parameters(), { lr: 0.1 });
 * const x = tensor([[1, 2], [3, 4]]), y = tensor([[1], [2]]);
 * let hidden = x;
 * const loss = scope(() => {
 *   hidden = x.mul(2);
 *   const loss = mse(model.forward(x), y);
 *   opt.zeroGrad();
 *   loss.backward();
 *   opt.step();
 *   return loss.detach();
 * }, [model, opt]);
 * assert.ok(loss.itemSync() > 0);
 * assert.ok(hidden.isDisposed && !model.parameters()[0].isDisposed);
 * ```
 */
export function scope<T>(fn: () => T, keep: Iterable<Keep> = []): T {
  beginScope();
  let result: T;
  let created: Tensor[];
  try {
    result = fn();
  } finally {
    created = endScope();
  }
  if (result instanceof Promise) {
    throw new Error(
      "scope(fn): fn returned a Promise; scopes are synchronous (await outside the scope, " +
        "or scope each synchronous part)",
    );
  }
  const kept = new Set<Tensor>();
  collectKept(result, kept);
  for (const k of keep) collectKept(k, kept);
  for (const t of created) {
    if (kept.has(t)) trackTensor(t); // what a scope keeps belongs to the enclosing one
    else t.dispose();
  }
  return result;
}

function collectKept(item: unknown, kept: Set<Tensor>): void {
  if (item === null || typeof item !== "object") return;
  if (item instanceof Tensor) {
    kept.add(item);
    if (item.grad) kept.add(item.grad);
  } else if (Array.isArray(item)) {
    for (const x of item) collectKept(x, kept);
  } else if (typeof (item as KeepModule).parameters === "function") {
    collectKept((item as KeepModule).parameters(), kept);
  } else if (typeof (item as KeepOptimizer).stateOf === "function") {
    const opt = item as KeepOptimizer;
    for (const p of opt.params) {
      collectKept(p, kept);
      collectKept(Object.values(opt.stateOf(p)?.buffers ?? {}), kept);
    }
  } else if (Object.getPrototypeOf(item) === Object.prototype) {
    collectKept(Object.values(item), kept);
  }
}

/**
 * Runs primitive `prim` on the inputs' backend and returns the output tensor,
 * recording a graph node if any float input requires a gradient.
 */
export function dispatch<P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
  shape: Shape,
  dtype: DType,
): Tensor {
  const backend = checkBackends(prim, inputs);
  const out: OutSpec = { shape, dtype, size: sizeOf(shape) };
  const storage = runKernel(backend, prim, inputs, attrs, out);
  return record(new Tensor(backend, storage, shape, dtype), prim, inputs, attrs as GraphAttrs[P]);
}

/**
 * Runs a primitive with several outputs of one shape and dtype (`optimStep`):
 * its kernel returns one storage per output. Such a primitive has no
 * gradient, so nothing is recorded.
 */
export function dispatchOutputs<P extends Primitive>(
  prim: P,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
  shape: Shape,
  dtype: DType,
): Tensor[] {
  const backend = checkBackends(prim, inputs);
  const out: OutSpec = { shape, dtype, size: sizeOf(shape) };
  const storages = runKernel(backend, prim, inputs, attrs, out) as unknown[];
  return storages.map((s) => new Tensor(backend, s, shape, dtype));
}

function checkBackends(prim: Primitive, inputs: readonly Tensor[]): Backend {
  const backend: Backend = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new Error(
        `${prim}: inputs live on different backends (${backend.name} and ${t.backend.name}); ` +
          `move one with .to("${backend.name}")`,
      );
    }
  }
  return backend;
}

function runKernel<P extends Primitive>(
  backend: Backend,
  prim: P,
  inputs: readonly Tensor[],
  attrs: PrimitiveAttrs[P],
  out: OutSpec,
): unknown {
  try {
    return backend.kernels[prim](inputs.map(infoOf), attrs, out);
  } catch (err) {
    if (!isAllocationFailure(err)) throw err;
    throw new RangeError(
      `${prim}: cannot allocate its output, ${describeAllocation(out.dtype, out.shape)}`,
      { cause: err },
    );
  }
}

/** A view of `x` with a new shape and the same storage, recorded for autograd. */
export function reshapeView(x: Tensor, shape: Shape): Tensor {
  return record(x.view(shape), "reshape", [x], { shape });
}

function record<P extends GraphOp>(
  result: Tensor,
  prim: P,
  inputs: readonly Tensor[],
  attrs: GraphAttrs[P],
): Tensor {
  if (
    gradEnabled && result.dtype !== "int32" && isDifferentiable(prim, attrs) &&
    inputs.some((t) => t.requiresGrad)
  ) {
    result.node = { prim, inputs, attrs };
    result.requiresGrad = true;
  } else if (gradEnabled && inputs.some((t) => t.graphReleased)) {
    result.graphReleased = true; // so its backward() names the real cause
  }
  return result;
}
