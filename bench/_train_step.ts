/**
 * A bench's training step: `fit`'s own `trainStep` (forward, cross-entropy,
 * backward, SGD momentum 0.9 update) on a fixed random batch, shared by the
 * CPU bench and the profile.
 *
 * @module
 */
import { crossEntropy, type Module, randn, Rng, SGD, tensor, trainStep } from "../mod.ts";

/**
 * A closure running one training step of `model` on a fixed random batch of
 * `shape` (batch first) with labels 0..9, on the current backend.
 */
export function benchStep(model: Module, shape: number[]): () => void {
  const x = randn(shape, { rng: new Rng(0) });
  const y = tensor(Array.from({ length: shape[0] }, (_, i) => i % 10), { dtype: "int32" });
  const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return () => {
    const { loss, correct } = trainStep(model, { x, y }, crossEntropy, optimizer);
    loss.dispose(), correct?.dispose();
  };
}
