/**
 * Neural-network building blocks, all composed from ops so they run on any
 * backend: the `Module` base class, layers, activation layers and the
 * lectures' parametric neuron models, seeded initializers and `summary`.
 *
 * @example A LeNet-5 for 28x28 digits
 * ```ts
 * import { Rng, zeros } from "../../mod.ts";
 * import { Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential, summary } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const rng = new Rng(0);
 * const lenet = new Sequential(
 *   new Conv2d(1, 6, 5, { padding: 2, rng }), new ReLU(), new MaxPool2d(2),
 *   new Conv2d(6, 16, 5, { rng }), new ReLU(), new MaxPool2d(2), new Flatten(),
 *   new Linear(400, 120, { rng }), new ReLU(), new Linear(120, 84, { rng }), new ReLU(),
 *   new Linear(84, 10, { rng }),
 * );
 * assert.deepEqual(lenet.forward(zeros([2, 1, 28, 28])).shape, [2, 10]);
 * assert.match(summary(lenet, [1, 28, 28]).toString(), /Total params: 61,706/);
 * ```
 *
 * @module
 */
export { Module } from "./module.ts";
export * from "./init.ts";
export * from "./layers.ts";
export * from "./activations.ts";
export * from "./summary.ts";
