/**
 * One training step as `fit` runs it (forward, cross-entropy, backward, SGD
 * momentum update, all inside a scope), on random data of a fixed shape:
 * shared by the CPU bench and the profile.
 *
 * @module
 */
import { crossEntropy, type Module, randn, Rng, scope, SGD, tensor } from "../mod.ts";

/**
 * A closure running one SGD (momentum 0.9) step of `model` on a fixed random
 * batch of `shape` (batch first) with labels 0..9, on the current backend.
 */
export function trainStep(model: Module, shape: number[]): () => void {
  const x = randn(shape, { rng: new Rng(0) });
  const y = tensor(Array.from({ length: shape[0] }, (_, i) => i % 10), { dtype: "int32" });
  const opt = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  return () =>
    scope(() => {
      const loss = crossEntropy(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }, [model, opt]);
}
