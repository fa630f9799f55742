/**
 * Where the time of one training step goes: runs LeNet-5 and the MLP
 * 784-100-10 (batch 64, SGD momentum 0.9) on a CPU backend and reports the
 * time spent in each primitive kernel (grouped by kernel and its op or
 * shape), plus what is left for JavaScript overhead (graph, autograd, scope).
 *
 * `deno run --allow-read --allow-env bench/profile.ts [backend]` (default "cpu").
 *
 * @module
 */
import { getBackend, lenet5, mlp, type Module, setBackend } from "../mod.ts";
import { benchStep } from "./_train_step.ts";
import { FastCpuBackend } from "../lib/cpu/fast_backend.ts";

type AnyKernel = (
  inputs: readonly { shape: readonly number[] }[],
  attrs: unknown,
  out: unknown,
) => unknown;

/** A profile row's name: the kernel, its op, and for matmul and the window kernels their shapes. */
function kernelKey(name: string, inputs: readonly { shape: readonly number[] }[], attrs: unknown) {
  const a = attrs as {
    op?: string;
    transA?: boolean;
    transB?: boolean;
    geom?: { n: number; c: number; h: number; w: number; kh: number; kw: number; stride: number };
  };
  if (name === "matmul") {
    const shapes = inputs.map((i) => `[${i.shape}]`).join("x");
    return `matmul ${a.transA ? "T" : "N"}${a.transB ? "T" : "N"} ${shapes}`;
  }
  if (a.geom) {
    const g = a.geom;
    return `${name} ${g.kh}x${g.kw} stride ${g.stride} of [${[g.n, g.c, g.h, g.w]}]`;
  }
  return `${name}${a.op ? ":" + a.op : ""}`;
}

/** Wraps every kernel of the current backend with a timer; returns the table and a reset. */
function instrument(): {
  table: Map<string, { ms: number; calls: number }>;
  kernelMs: () => number;
} {
  const table = new Map<string, { ms: number; calls: number }>();
  const kernels = getBackend().kernels as unknown as Record<string, AnyKernel>;
  for (const [name, fn] of Object.entries(kernels)) {
    kernels[name] = (inputs, attrs, out) => {
      const start = performance.now();
      const result = fn(inputs, attrs, out);
      const ms = performance.now() - start;
      const key = kernelKey(name, inputs, attrs);
      const row = table.get(key) ?? { ms: 0, calls: 0 };
      row.ms += ms, row.calls++;
      table.set(key, row);
      return result;
    };
  }
  return { table, kernelMs: () => [...table.values()].reduce((s, r) => s + r.ms, 0) };
}

function profile(name: string, model: Module, inShape: number[], steps: number) {
  const step = benchStep(model, inShape);
  for (let i = 0; i < 20; i++) step(); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const plain = (performance.now() - t0) / steps;
  const { table, kernelMs } = instrument();
  const t1 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const total = (performance.now() - t1) / steps;
  const rows = [...table.entries()].sort((a, b) => b[1].ms - a[1].ms);
  console.log(
    `\n${name}, batch ${inShape[0]}: ${plain.toFixed(2)} ms/step (${
      (inShape[0] * 1000 / plain).toFixed(0)
    } images/s); instrumented ${total.toFixed(2)} ms, kernels ${
      (kernelMs() / steps).toFixed(2)
    } ms, rest (JS graph/autograd/alloc) ${(total - kernelMs() / steps).toFixed(2)} ms`,
  );
  for (const [key, r] of rows.slice(0, 25)) {
    console.log(
      `${(r.ms / steps).toFixed(3).padStart(8)} ms ${
        (100 * r.ms / steps / total).toFixed(1).padStart(5)
      }% ${String(r.calls / steps).padStart(3)}x  ${key}`,
    );
  }
}

if (import.meta.main) {
  const backend = await setBackend(Deno.args[0] ?? "cpu");
  // The fast backend's worker threads start in the background: wait for them.
  if (backend instanceof FastCpuBackend) await backend.threadsReady();
  profile("LeNet-5", lenet5(), [64, 1, 28, 28], 30);
  await setBackend(Deno.args[0] ?? "cpu");
  profile("MLP 784-100-10", mlp([784, 100, 10]), [64, 784], 200);
}
