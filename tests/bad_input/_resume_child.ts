// The training run of the checkpoint tests; run as a program (`deno run -A
// _resume_child.ts DIR`) it trains 30 epochs with a checkpoint after every
// step into DIR, to be killed part way by the test.
import {
  Adam,
  CosineLR,
  Dropout,
  fit,
  Linear,
  manualSeed,
  ReLU,
  Rng,
  Sequential,
  tensor,
} from "../../mod.ts";

/** 40 points in 3 classes. */
export function problem() {
  const rng = new Rng(5);
  const x = tensor(Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]));
  const y = tensor(Array.from({ length: 40 }, (_, i) => i % 3), { dtype: "int32" });
  return { x, y };
}

/** A small MLP with dropout, Adam and a cosine schedule: every kind of state a checkpoint holds. */
export function setup() {
  manualSeed(1); // Dropout draws from the global generator
  const model = new Sequential(
    new Linear(2, 16, { rng: new Rng(2) }),
    new ReLU(),
    new Dropout(0.2),
    new Linear(16, 3, { rng: new Rng(3) }),
  );
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const scheduler = new CosineLR(optimizer, { tMax: 4 });
  return { model, optimizer, scheduler };
}

/** The fit options both runs share. */
export const base = { epochs: 4, batchSize: 6, progress: false as const, seed: 9 };

if (import.meta.main) {
  const { model, optimizer, scheduler } = setup();
  await fit(model, problem(), {
    ...base,
    epochs: 30,
    optimizer,
    scheduler,
    checkpoint: Deno.args[0],
    checkpointEvery: 1e-9,
  });
}
