// The fast CPU backend's memory: a program that drops its tensors without
// dispose() or scope() keeps running once tensors fill their part of the
// WebAssembly memory (new tensors fall back to JS arrays, the kernels copy
// them into the part kept for temporaries), and freed temporaries are never
// taken as a tensor's storage.
import assert from "node:assert/strict";
import { noGrad, randn, type Tensor } from "../../mod.ts";
import { HEAP_LIMIT, TENSOR_LIMIT, WasmHeap } from "../../lib/cpu/wasm_heap.ts";

Deno.test("wasm heap: a block freed above the tensor limit is not reused for a tensor", () => {
  const heap = new WasmHeap();
  const n = 2 ** 20; // 4 MiB blocks
  const held: Float32Array[] = [];
  for (let x = heap.float32(n); x; x = heap.float32(n)) held.push(x);
  assert.ok(heap.used <= TENSOR_LIMIT, `tensors used ${heap.used} bytes`);
  const temp = heap.float32(n, HEAP_LIMIT)!;
  assert.ok(heap.ptrOf(temp) + 4 * n > TENSOR_LIMIT);
  heap.release(temp);
  assert.equal(heap.float32(n), undefined, "a tensor took the temporaries' block");
  assert.ok(heap.float32(n, HEAP_LIMIT), "the temporaries' block was not reused");
  heap.release(held[0]);
  assert.ok(heap.float32(n), "a tensor's freed block was not reused");
});

Deno.test("fast cpu: a loop that never disposes its tensors runs past the tensor limit", () => {
  const w = randn([100, 784]);
  const rows = Math.ceil((TENSOR_LIMIT / (3 * 4 * w.size)) * 1.5); // ~1.5x the tensors' part
  let x: Tensor = w;
  noGrad(() => {
    for (let i = 0; i < rows; i++) x = x.mul(0.5).add(w.mul(0.5));
  });
  const got = x.dataSync(), want = w.dataSync();
  for (let i = 0; i < want.length; i += 997) assert.ok(Math.abs(got[i] - want[i]) < 1e-5);
});
