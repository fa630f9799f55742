// Model checkpoints: bit-exact round trips and refusals that change nothing.
import assert from "node:assert/strict";
import { lenet5, Linear, loadModel, mlp, predict, randn, Rng, saveModel } from "../../mod.ts";
import { decodeSafetensors } from "../../lib/io/safetensors.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a LeNet-5 checkpoint round trip reproduces predictions bit for bit", () =>
  withDir(async (dir) => {
    const a = lenet5({ rng: new Rng(1) }), b = lenet5({ rng: new Rng(2) });
    const x = randn([4, 1, 28, 28], { rng: new Rng(3) });
    await saveModel(a, `${dir}/lenet.safetensors`, { note: "test" });
    const meta = await loadModel(b, `${dir}/lenet.safetensors`);
    assert.equal(meta.note, "test");
    assert.deepEqual(predict(b, x).dataSync(), predict(a, x).dataSync());
    const file = decodeSafetensors(await Deno.readFile(`${dir}/lenet.safetensors`));
    assert.deepEqual(Object.keys(file.tensors).sort(), a.namedParameters().map(([n]) => n).sort());
    assert.deepEqual(file.tensors["0.weight"].shape, [6, 1, 5, 5]);
  }));

Deno.test("loading a mismatched checkpoint names every difference and changes nothing", () =>
  withDir(async (dir) => {
    await saveModel(mlp([4, 3, 2]), `${dir}/m.safetensors`);
    const other = mlp([4, 5, 2], { rng: new Rng(9) });
    const before = other.parameters().map((p) => p.dataSync());
    await assert.rejects(
      () => loadModel(other, `${dir}/m.safetensors`),
      (e: Error) =>
        /'0\.weight': file has shape \[3,4\], model expects \[5,4\]/.test(e.message) &&
        /'2\.weight'/.test(e.message),
    );
    other.parameters().forEach((p, i) => assert.deepEqual(p.dataSync(), before[i]));
    await assert.rejects(
      () => loadModel(new Linear(4, 3), `${dir}/m.safetensors`),
      /unexpected tensor/,
    );
  }));

Deno.test("a truncated or corrupt checkpoint is refused with the path in the message", () =>
  withDir(async (dir) => {
    const path = `${dir}/m.safetensors`;
    await saveModel(new Linear(3, 2), path);
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 3));
    await assert.rejects(
      () => loadModel(new Linear(3, 2), path),
      (e: Error) => e.message.includes(path),
    );
    await Deno.writeFile(path, new TextEncoder().encode("not a checkpoint at all"));
    await assert.rejects(
      () => loadModel(new Linear(3, 2), path),
      (e: Error) => e.message.includes(path),
    );
  }));
