/**
 * The layer base class: a module holds parameters (tensors that require
 * gradients) and child modules in its fields, and computes `forward(x)`.
 * `parameters()` finds them by walking the fields, as PyTorch does.
 *
 * @module
 */
import { Tensor } from "../tensor.ts";

/**
 * Base class of every layer and model.
 *
 * @example A two-parameter model
 * ```ts
 * import { Module, tensor, type Tensor } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * class Affine extends Module {
 *   w = tensor([2], { requiresGrad: true });
 *   b = tensor([1], { requiresGrad: true });
 *   forward(x: Tensor) {
 *     return x.mul(this.w).add(this.b);
 *   }
 * }
 * const m = new Affine();
 * assert.deepEqual(m.forward(tensor([3])).arraySync(), [7]);
 * assert.deepEqual(m.namedParameters().map(([n]) => n), ["w", "b"]);
 * ```
 */
export abstract class Module {
  /** Training mode (dropout active) or evaluation mode. */
  training = true;

  /** Computes the module's output. */
  abstract forward(x: Tensor): Tensor;

  /** Child modules by field name (arrays of modules get `name.i`). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) {
        value.forEach((v, i) => {
          if (v instanceof Module) out.push([`${key}.${i}`, v]);
        });
      }
    }
    return out;
  }

  /**
   * Parameters with dotted names (`"0.weight"`, `"fc1.bias"`), own fields
   * first: every leaf tensor held in a field, frozen ones (`requiresGrad`
   * false) included, so checkpoints keep them.
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.isLeaf) {
        out.push([prefix + key, value]);
      }
    }
    for (const [name, child] of this.namedChildren()) {
      out.push(...child.namedParameters(`${prefix}${name}.`));
    }
    return out;
  }

  /** All parameters (for optimizers). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of parameter elements. */
  parameterCount(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every child; returns this. */
  train(flag = true): this {
    this.training = flag;
    for (const [, child] of this.namedChildren()) child.train(flag);
    return this;
  }

  /** Evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** A one-line description, e.g. `Linear(784 → 10)`; layers override it. */
  describe(): string {
    return this.constructor.name;
  }

  /** Nested description of the model, like PyTorch's `print(model)`. */
  toString(): string {
    const children = this.namedChildren();
    if (!children.length) return this.describe();
    const lines = children.map(([name, c]) =>
      `  (${name}): ${c.toString().replaceAll("\n", "\n  ")}`
    );
    return `${this.describe()}(\n${lines.join("\n")}\n)`;
  }
}
