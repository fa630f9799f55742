/**
 * CPU/WebGPU parity over every conformance case (forward and the gradient of
 * every input) within 1e-4 relative error in float32.
 *
 * @module
 */
import { opCases } from "../conformance.ts";
import { gpuReady, ignoreGpu } from "./_setup.ts";
import { parity, type ParityResult } from "./_parity.ts";

const results: ParityResult[] = [];

for (const c of opCases()) {
  Deno.test({
    name: `webgpu parity: ${c.name}`,
    ignore: ignoreGpu,
    async fn() {
      await gpuReady();
      results.push(await parity(c));
    },
  });
}

Deno.test({
  name: "webgpu parity: summary of the worst errors",
  ignore: ignoreGpu,
  fn() {
    const worst = (key: "forward" | "backward") =>
      results.reduce((w, r) => r[key] > w[key] ? r : w, results[0]);
    const f = worst("forward"), b = worst("backward");
    console.log(
      `${results.length} cases; worst forward ${f.forward.toExponential(2)} (${f.name}); ` +
        `worst gradient ${b.backward.toExponential(2)} (${b.name})`,
    );
  },
});
