// Datasets and the MNIST command line given bad input or a bad network: each
// gets an error in the words of what the user typed, and nothing hangs.
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadMnist } from "../../datasets/mnist.ts";
import { withTempDir } from "../datasets/_fixtures.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

async function run(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

Deno.test("a mirror that never answers is abandoned after timeoutMs, and the next one tried", async () => {
  await withTempDir(async (root) => {
    const never: typeof fetch = (_url, init) =>
      new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    const err = await loadMnist({
      dir: join(root, "none"),
      cacheDir: join(root, "cache"),
      mirrors: ["https://a.invalid/", "https://b.invalid/"],
      fetch: never,
      timeoutMs: 50,
      log: () => {},
    }).then(() => null, (e: Error) => e);
    assert.match(
      err!.message,
      /a\.invalid\/train-images-idx3-ubyte\.gz: timed out after 50 ms with no answer/,
    );
    assert.match(err!.message, /b\.invalid\/train-images-idx3-ubyte\.gz: timed out after 50 ms/);
  });
});

Deno.test("a download that stalls midway times out, and progress is printed", async () => {
  await withTempDir(async (root) => {
    const stalls: typeof fetch = (_url, init) => {
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(100));
          init?.signal?.addEventListener("abort", () => c.error(init.signal!.reason));
        },
      });
      return Promise.resolve(new Response(body, { headers: { "content-length": "1000" } }));
    };
    const logs: string[] = [];
    const err = await loadMnist({
      dir: join(root, "none"),
      cacheDir: join(root, "cache"),
      mirrors: ["https://a.invalid/"],
      fetch: stalls,
      timeoutMs: 50,
      log: (m) => logs.push(m),
    }).then(() => null, (e: Error) => e);
    assert.match(err!.message, /timed out after 50 ms without new data/);
    assert.ok(logs.some((l) => /\d+% of 0\.0 MB/.test(l)), logs.join("\n"));
    assert.ok(
      logs.some((l) => /options\.dir is .*none, which is not a folder/.test(l)),
      logs.join("\n"),
    );
  });
});

Deno.test("deno task mnist --data /nonexistent is an error naming the flag, not a download", async () => {
  const { code, text } = await run(["run", "-A", "cli/mnist.ts", "--data", "/nonexistent"]);
  assert.equal(code, 2);
  assert.match(text, /error: --data \/nonexistent: no such folder/);
  const resume = await run(["run", "-A", "cli/mnist.ts", "--resume"]);
  assert.match(resume.text, /--resume needs --checkpoint DIR/);
});

Deno.test("the CLI's errors speak its flags, not the library's calls", async () => {
  await withTempDir(async (root) => {
    await Deno.mkdir(join(root, "empty"));
    // No network permission: the download fails and the guidance is printed.
    const { code, text } = await run(
      [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "cli/mnist.ts",
        "--data",
        join(root, "empty"),
      ],
      { NEURONBOOK_CACHE: join(root, "cache") },
    );
    assert.equal(code, 1);
    assert.match(text, /--data DIR or set NEURONBOOK_DATA=DIR/);
    assert.doesNotMatch(text, /loadMnist\(\{ dir \}\)|options\.dir/);
  });
});

Deno.test("without --allow-env the message says the variable could not be read", async () => {
  await withTempDir(async (root) => {
    const script = join(root, "load.ts");
    await Deno.writeTextFile(
      script,
      `import { loadMnist } from ${JSON.stringify(join(ROOT, "datasets/mnist.ts"))};\n` +
        `await loadMnist({ download: false, cacheDir: ${JSON.stringify(root)} })` +
        `.catch((e) => console.log(e.message));\n`,
    );
    const { text } = await run(["run", "--allow-read", script]);
    assert.match(text, /\$NEURONBOOK_DATA could not be read: run with --allow-env\)/);
    assert.doesNotMatch(text, /--allow-env is not set/);
  });
});

Deno.test("deno task mnist: --max-seconds stops, --checkpoint --resume goes on, one test pass", async () => {
  await withTempDir(async (root) => {
    const flags = ["--model", "mlp", "--limit", "256", "--epochs", "2", "--out", join(root, "out")];
    const ck = ["--checkpoint", join(root, "ck")];
    const first = await run([
      "run",
      "-A",
      "cli/mnist.ts",
      ...flags,
      ...ck,
      "--max-seconds",
      "0.001",
    ]);
    assert.equal(first.code, 0, first.text);
    assert.match(
      first.text,
      /Stopped after --max-seconds 0.001 .*continue with --checkpoint .* --resume/,
    );
    assert.equal(first.text.match(/Evaluating on 10,000 test images/g)?.length, 1);
    const second = await run(["run", "-A", "cli/mnist.ts", ...flags, ...ck, "--resume"]);
    assert.equal(second.code, 0, second.text);
    assert.doesNotMatch(second.text, /Stopped after/);
    assert.match(second.text, /epoch 2\/2/);
    assert.match(second.text, /Test accuracy: \d+\.\d\d%/);
  });
});
