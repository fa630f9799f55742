/**
 * Ready-made networks from the lectures: LeNet-5 and multi-layer perceptrons.
 *
 * @module
 */
import type { Rng } from "../random.ts";
import { Conv2d, Flatten, Linear, MaxPool2d, Sequential } from "./layers.ts";
import { ReLU } from "./activations.ts";
import type { Module } from "./module.ts";

/** Options of the model builders. */
export interface ModelOptions {
  /** Generator for the initial weights (default: the global one). */
  rng?: Rng;
}

/**
 * LeNet-5 for 28×28 digits: conv 6@5×5 pad 2 → ReLU → maxpool 2 → conv 16@5×5
 * → ReLU → maxpool 2 → 120 → 84 → 10 (61,706 parameters). He-initialized.
 *
 * @example
 * ```ts
 * import { lenet5, zeros } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * const net = lenet5();
 * assert.equal(net.parameterCount(), 61706);
 * assert.deepEqual(net.forward(zeros([2, 1, 28, 28])).shape, [2, 10]);
 * ```
 */
export function lenet5(options: ModelOptions = {}): Sequential {
  const { rng } = options;
  return new Sequential(
    new Conv2d(1, 6, 5, { padding: 2, rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(6, 16, 5, { rng }),
    new ReLU(),
    new MaxPool2d(2),
    new Flatten(),
    new Linear(400, 120, { rng }),
    new ReLU(),
    new Linear(120, 84, { rng }),
    new ReLU(),
    new Linear(84, 10, { rng }),
  );
}

/**
 * A multi-layer perceptron with the given layer sizes and an activation
 * between layers (default ReLU); the last layer is linear (logits).
 *
 * @example The lecture's 784-10-10 network has 7,960 parameters
 * ```ts
 * import { mlp } from "../../mod.ts";
 * import assert from "node:assert/strict";
 * assert.equal(mlp([784, 10, 10]).parameterCount(), 7960);
 * ```
 */
export function mlp(
  sizes: readonly number[],
  options: ModelOptions & { activation?: () => Module } = {},
): Sequential {
  if (sizes.length < 2) {
    throw new Error(`mlp: need at least input and output sizes, got [${sizes}]`);
  }
  const { rng, activation = () => new ReLU() } = options;
  const layers: Module[] = [];
  for (let i = 1; i < sizes.length; i++) {
    layers.push(new Linear(sizes[i - 1], sizes[i], { rng }));
    if (i < sizes.length - 1) layers.push(activation());
  }
  return new Sequential(...layers);
}
