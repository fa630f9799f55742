/**
 * Reverse-mode differentiation: topological order by an explicit stack (no
 * recursion limit on deep graphs), then one reverse sweep that applies each
 * node's rule from `grad_rules.ts` exactly once, with complete gradients.
 * The sweep runs in a `scope`: every intermediate gradient is disposed when
 * it ends (on WebGPU its buffer goes back to the pool at once) and only the
 * leaves' `.grad` stay.
 *
 * @module
 */
import { noGrad, scope } from "../engine.ts";
import type { Tensor } from "../tensor.ts";
import { onesLike } from "../ops/creation.ts";
import { add } from "../ops/elementwise.ts";
import { showShape } from "../shape.ts";
import { GRAD_RULES, type GradRule } from "./grad_rules.ts";
import type { GraphOp } from "../op_set.ts";

/**
 * Back-propagates from `root` into the `.grad` of every leaf that requires a
 * gradient, then releases the graph so memory does not grow across steps.
 *
 * @example
 * ```ts
 * import { tensor } from "../../mod.ts";
 * import { backward } from "./backward.ts";
 * import assert from "node:assert/strict";
 * const x = tensor([3], { requiresGrad: true });
 * backward(x.mul(x).sum());
 * assert.deepEqual(x.grad!.arraySync(), [6]);
 * ```
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(
      root.graphReleased
        ? "backward(): the graph of this tensor was already used by an earlier backward() and " +
          "released; recompute the forward pass (this tensor's, or that of a tensor it was " +
          "computed from), or compute both losses first and call backward() once on their sum"
        : "backward(): this tensor does not require gradients: create the inputs with " +
          "{ requiresGrad: true } and do not compute it inside noGrad()",
    );
  }
  if (
    gradient &&
    (gradient.ndim !== root.ndim || gradient.shape.some((d, i) => d !== root.shape[i]))
  ) {
    throw new Error(
      `backward(): upstream gradient shape ${showShape(gradient.shape)} does not match the ` +
        `output shape ${showShape(root.shape)}`,
    );
  }
  if (!gradient && root.size !== 1) {
    throw new Error(
      `backward(): the output has shape ${showShape(root.shape)}, not a scalar; pass an ` +
        `upstream gradient of that shape, e.g. y.backward(onesLike(y))`,
    );
  }
  const order = topologicalOrder(root);
  const leaves: Tensor[] = [];
  // Returning the leaves keeps their `.grad`; everything else made here goes.
  scope(() =>
    noGrad(() => {
      const grads = new Map<Tensor, Tensor>([[root, gradient ?? onesLike(root)]]);
      for (let i = order.length - 1; i >= 0; i--) {
        const t = order[i];
        const g = grads.get(t);
        grads.delete(t);
        const node = t.node;
        if (!node) {
          if (!g) continue;
          // Accumulate in place (a `.grad` read earlier sees the sum); a new
          // gradient is a view of its own, so that disposing one leaf's
          // gradient never frees another's (a rule may hand the same tensor
          // to several inputs) nor the caller's upstream gradient.
          if (t.grad) t.grad.assign(add(t.grad, g));
          else t.grad = g.detach();
          leaves.push(t);
          continue;
        }
        if (g) {
          const needs = node.inputs.map((x) => x.requiresGrad);
          const rule = GRAD_RULES[node.prim] as GradRule<GraphOp>;
          const inputGrads = rule(g, { inputs: node.inputs, attrs: node.attrs, out: t, needs });
          node.inputs.forEach((x, k) => {
            const gx = inputGrads[k];
            if (!needs[k] || !gx) return;
            const prev = grads.get(x);
            grads.set(x, prev ? add(prev, gx) : gx);
          });
        }
        t.node = null;
        t.requiresGrad = false;
        t.graphReleased = true;
      }
      return leaves;
    })
  );
}

/** Tensors reachable from `root` through nodes, each after all of its inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length) {
    const [t, expanded] = stack.pop()!;
    if (expanded) {
      order.push(t);
      continue;
    }
    if (visited.has(t)) continue;
    visited.add(t);
    stack.push([t, true]);
    for (const x of t.node?.inputs ?? []) {
      if (x.graphReleased) {
        throw new Error(
          "backward(): part of this graph was already used by an earlier backward() and " +
            "released; compute both losses first and call backward() once on their sum, " +
            "or recompute the shared part",
        );
      }
      if (x.requiresGrad && !visited.has(x)) stack.push([x, false]);
    }
  }
  return order;
}
