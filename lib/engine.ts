/**
 * Dispatch and graph recording: every primitive call goes through
 * {@linkcode dispatch}, which runs the backend's kernel and, when gradients
 * are wanted, records a node that `backward()` later walks.
 *
 * @module
 */
import type { DType, GraphAttrs, GraphOp, Primitive, PrimitiveAttrs, Shape } from "./op_set.ts";
import type { Backend, OutSpec, TensorInfo } from "./backend.ts";
import { Tensor } from "./tensor.ts";
import { isDifferentiable } from "./autograd/grad_rules.ts";

/** A recorded primitive application: what backward needs to apply the chain rule. */
export interface Node<P extends GraphOp = GraphOp> {
  /** The op that produced the tensor. */
  readonly prim: P;
  /** Its inputs, in order. */
  readonly inputs: readonly Tensor[];
  /** Its attributes. */
  readonly attrs: GraphAttrs[P];
}

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

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** What a kernel sees of a tensor. */
export function infoOf(t: Tensor): TensorInfo {
  return { storage: t.storage, shape: t.shape, dtype: t.dtype, size: t.size };
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
  const backend: Backend = inputs[0].backend;
  for (const t of inputs) {
    if (t.backend !== backend) {
      throw new Error(
        `${prim}: inputs live on different backends (${backend.name} and ${t.backend.name}); ` +
          `move one with .to("${backend.name}")`,
      );
    }
  }
  const out: OutSpec = { shape, dtype, size: sizeOf(shape) };
  const storage = backend.kernels[prim](inputs.map(infoOf), attrs, out);
  return record(new Tensor(backend, storage, shape, dtype), prim, inputs, attrs as GraphAttrs[P]);
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
    result.node = { prim, inputs, attrs } as Node;
    result.requiresGrad = true;
  }
  return result;
}
