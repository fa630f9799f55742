// Checkpoints: fit's checkpoint/resume gives the same weights as a run that
// was never stopped (bit-identical on the CPU), and bad or foreign files get
// named errors that change nothing and read no more than they must.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type EpochUpdate,
  fit,
  type History,
  Linear,
  loadModel,
  manualSeed,
  ReLU,
  saveModel,
  Sequential,
  SGD,
} from "../../mod.ts";
import { writeFileAtomic } from "../../lib/io/atomic_write.ts";
import { base, problem, setup } from "./_resume_child.ts";
import { decodeSafetensors, encodeSafetensors, loadSafetensors } from "../../lib/io/safetensors.ts";

Deno.test("a run resumed after every step is bit-identical to an uninterrupted one", async () => {
  const data = problem();
  const a = setup();
  const full = await fit(a.model, data, {
    ...base,
    optimizer: a.optimizer,
    scheduler: a.scheduler,
    validation: data,
  });

  const dir = await Deno.makeTempDir();
  const b = setup();
  let h: History, calls = 0;
  do {
    // A fresh start each time, as after a kernel restart: new model, new optimizer, new seed.
    const c = setup();
    if (calls > 0) manualSeed(12345); // the checkpoint must restore the global generator
    h = await fit(c.model, data, {
      ...base,
      optimizer: c.optimizer,
      scheduler: c.scheduler,
      validation: data,
      checkpoint: dir,
      resume: true,
      maxSeconds: 1e-9, // one step per call
    });
    Object.assign(b, c);
    calls++;
  } while (h.stopped === "maxSeconds");
  assert.ok(calls >= 4 * 7, `resumed ${calls} times`);
  const params = (m: Sequential) => m.parameters().map((p) => Array.from(p.dataSync()));
  assert.deepEqual(params(b.model), params(a.model));
  assert.deepEqual(
    h.epochs.map((e) => [e.loss, e.valLoss]),
    full.epochs.map((e) => [e.loss, e.valLoss]),
  );
  assert.deepEqual(h.steps.map((s) => s.loss), full.steps.map((s) => s.loss));
  assert.equal(b.optimizer.paramGroups[0].lr, a.optimizer.paramGroups[0].lr);
  // A finished run resumes to its own result without training, and its progress shows the
  // epochs the checkpoint holds (a notebook run again showed an empty progress box).
  const d = setup();
  const shown: EpochUpdate[] = [];
  const again = await fit(d.model, data, {
    ...base,
    optimizer: d.optimizer,
    scheduler: d.scheduler,
    checkpoint: dir,
    resume: true,
    progress: {
      update: () => assert.fail("no step runs"),
      epochEnd: (u) => shown.push(u),
      close() {},
    },
  });
  assert.deepEqual(params(d.model), params(a.model));
  assert.equal(again.epochs.length, 4);
  assert.deepEqual(
    shown.map((u) => [u.epoch, u.loss, u.epochs]),
    full.epochs.map((e) => [e.epoch, e.loss, 4]),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("checkpointEvery saves within an epoch; resume refuses other data or another model", async () => {
  const data = problem();
  const dir = await Deno.makeTempDir();
  const a = setup();
  const saved: number[] = [];
  await fit(a.model, data, {
    ...base,
    optimizer: a.optimizer,
    epochs: 1,
    checkpoint: dir,
    checkpointEvery: 1e-9,
    onBatchEnd: (r) => {
      if (r.step < 2) return;
      const file = decodeSafetensors(Deno.readFileSync(join(dir, "checkpoint.safetensors")));
      saved.push(JSON.parse(file.metadata["neuronbook.fit"]).step);
    },
  });
  const { metadata } = await loadSafetensors(join(dir, "checkpoint.safetensors"));
  const meta = JSON.parse(metadata["neuronbook.fit"]);
  assert.deepEqual([meta.epoch, meta.step], [2, 0], "saved again at the end of the epoch");
  assert.deepEqual(saved, [1, 2, 3, 4, 5, 6], "at step k, the checkpoint of step k - 1");
  const b = setup();
  await assert.rejects(
    fit(b.model, data, {
      ...base,
      optimizer: b.optimizer,
      batchSize: 5,
      checkpoint: dir,
      resume: true,
    }),
    /cannot resume from .*it has batchSize 6, this run 5/,
  );
  const other = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 3));
  await assert.rejects(
    fit(other, data, {
      ...base,
      optimizer: new SGD(other.parameters(), { lr: 0.1 }),
      checkpoint: dir,
      resume: true,
    }),
    /written for another model:[\s\S]*'model.0.weight': file has shape \[16,2\], model expects \[4,2\]/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadModel reads only the header of a file that does not fit, and caps the list", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "big.safetensors");
  const tensors: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }> = {};
  for (let i = 0; i < 5000; i++) {
    tensors[`t${i}`] = { dtype: "F32", shape: [64], data: new Float32Array(64) };
  }
  const bytes = encodeSafetensors(tensors);
  await Deno.writeFile(path, bytes);
  let read = 0;
  const original = Deno.FsFile.prototype.read, readFile = Deno.readFile;
  Deno.FsFile.prototype.read = async function (p: Uint8Array) {
    const n = await original.call(this, p);
    read += n ?? 0;
    return n;
  };
  Object.assign(Deno, {
    readFile: async (...args: Parameters<typeof Deno.readFile>) => {
      const b = await readFile(...args);
      read += b.length;
      return b;
    },
  });
  try {
    const err = await loadModel(new Linear(2, 2), path).catch((e) => e as Error);
    assert.match(err.message, /does not fit this model/);
    assert.match(err.message, /\.\.\. and 4,992 more problems/);
    assert.ok(err.message.length < 2000, `message of ${err.message.length} characters`);
    const header = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(read, header, `read ${read} bytes of ${bytes.length}; the header is ${header}`);
  } finally {
    Deno.FsFile.prototype.read = original;
    Object.assign(Deno, { readFile });
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("saveModel onto a folder names it; stale temporaries of killed writes are cleaned", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(saveModel(new Linear(2, 2), dir), /is a folder; give a file path/);
  const target = join(dir, "m.safetensors");
  const stale = `${target}.tmp-999999999-deadbeef`; // a process that no longer exists
  await Deno.writeFile(stale, new Uint8Array(1000));
  // A write in progress (another process, or this one) holds a lock on its temporary: kept.
  const live = await Deno.open(`${target}.tmp-1-0000beef`, { write: true, create: true });
  await live.lock(true);
  const unrelated = join(dir, "other.tmp-1-x");
  await Deno.writeFile(unrelated, new Uint8Array(1));
  await saveModel(new Linear(2, 2), target);
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    ["m.safetensors", "m.safetensors.tmp-1-0000beef", "other.tmp-1-x"],
  );
  live.close();
  await writeFileAtomic(join(dir, "x.bin"), new Uint8Array([1, 2]));
  assert.deepEqual(await Deno.readFile(join(dir, "x.bin")), new Uint8Array([1, 2]));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a training process killed with SIGKILL resumes to the weights of an uninterrupted run", async () => {
  const data = problem();
  const a = setup();
  await fit(a.model, data, { ...base, epochs: 30, optimizer: a.optimizer, scheduler: a.scheduler });

  const dir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_resume_child.ts", import.meta.url).pathname, dir],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const file = join(dir, "checkpoint.safetensors");
  let step = 0;
  for (let i = 0; i < 600 && step < 3; i++) { // wait for a checkpoint a few steps in
    await new Promise((r) => setTimeout(r, 50));
    try {
      step = JSON.parse(decodeSafetensors(await Deno.readFile(file)).metadata["neuronbook.fit"])
        .step;
    } catch { /* not written yet, or being renamed */ }
  }
  child.kill("SIGKILL");
  const { code } = await child.status;
  assert.notEqual(code, 0, "the child was killed, not finished");
  assert.equal(
    [...Deno.readDirSync(dir)].filter((e) => e.name.includes(".tmp-")).length <= 1,
    true,
    "at most one temporary left behind",
  );

  const b = setup();
  manualSeed(777); // a restarted kernel: any global state
  const h = await fit(b.model, data, {
    ...base,
    epochs: 30,
    optimizer: b.optimizer,
    scheduler: b.scheduler,
    checkpoint: dir,
    resume: true,
  });
  assert.equal(h.epochs.length, 30);
  const params = (m: Sequential) => m.parameters().map((p) => Array.from(p.dataSync()));
  assert.deepEqual(params(b.model), params(a.model));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["checkpoint.safetensors"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("atomic writes flush the file and its folder to disk before and after the rename", async () => {
  const dir = await Deno.makeTempDir();
  const synced: string[] = [];
  const sync = Deno.FsFile.prototype.sync;
  Deno.FsFile.prototype.sync = async function () {
    synced.push((await this.stat()).isDirectory ? "folder" : "file");
    return sync.call(this);
  };
  try {
    await writeFileAtomic(join(dir, "a.bin"), new Uint8Array([1]));
  } finally {
    Deno.FsFile.prototype.sync = sync;
  }
  assert.deepEqual(synced, ["file", "folder"]);
  await Deno.remove(dir, { recursive: true });
});
