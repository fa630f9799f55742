/**
 * Atomic, durable file writes: write to a temporary file beside the target,
 * flush it to disk (fsync), rename it over the target, then flush the folder,
 * so a crash, a `kill -9` or a power cut never leaves a half-written
 * checkpoint or dataset behind (and never destroys the previous good copy).
 * Temporaries left by a write that was killed are removed by the next write
 * to the same path (a live writer holds a lock on its own).
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Writes `data` to `path` atomically and durably, creating parent
 * directories; first removes stale temporaries of earlier writes to `path`
 * that were killed.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic_write.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a/b.bin`, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(await Deno.readFile(`${dir}/a/b.bin`), new Uint8Array([1, 2, 3]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  await removeStaleTemporaries(path);
  const tmp = `${path}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const file = await Deno.open(tmp, { write: true, createNew: true });
  let open = true;
  try {
    await file.lock(true); // held until renamed: tells other writers this one is alive
    for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
    await file.sync(); // the bytes are on disk before the name points at them
    if (Deno.build.os === "windows") file.close(), open = false; // (Windows renames only closed files)
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  } finally {
    if (open) file.close();
  }
  await syncFolder(dir); // and the rename itself survives a power cut
}

/** Flushes a folder's entries to disk (where the platform allows opening a folder). */
async function syncFolder(dir: string): Promise<void> {
  let folder: Deno.FsFile | undefined;
  try {
    folder = await Deno.open(dir, { read: true });
  } catch {
    return; // e.g. Windows cannot open a folder as a file
  }
  try {
    await folder.sync();
  } catch {
    // Some file systems do not sync folders; the rename is still atomic.
  } finally {
    folder.close();
  }
}

/**
 * Removes `PATH.tmp-PID-XXXXXXXX` files whose writer is gone. A writer holds
 * an exclusive lock on its temporary until it is renamed; the operating
 * system drops the lock when the process dies (even by `kill -9`), so a
 * temporary whose lock can be taken belongs to no one.
 */
async function removeStaleTemporaries(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  const dir = dirname(path);
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !/^\d+-[0-9a-f]{8}$/.test(entry.name.slice(prefix.length))) continue;
      if (!entry.name.startsWith(prefix)) continue;
      const full = join(dir, entry.name);
      using file = await Deno.open(full, { read: true, write: true });
      if (await file.tryLock(true)) await Deno.remove(full);
    }
  } catch {
    // Cleaning up is a courtesy: never fail the write for it.
  }
}
