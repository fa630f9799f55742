/**
 * `deno task bench`: the CPU figures (`cpu_bench.ts`), then LeNet-5 training
 * on the CPU and on WebGPU with the WebGPU figures (`gpu_bench.ts`), in one
 * run. Without a WebGPU adapter the WebGPU part is one line saying so.
 *
 * @module
 */
import { cpuBench } from "./cpu_bench.ts";
import { gpuBench } from "./gpu_bench.ts";

await cpuBench();
await gpuBench();
