// The live-frontend test's verdict on a notebook's cells after "Run All"
// (the browser part runs in `deno task live`, in CI).
import assert from "node:assert/strict";
import { checkCells } from "../../tools/live_frontend.ts";

const output = (type: string, count: number | null = null, progress: string | null = null) => ({
  type,
  count,
  mimes: ["text/plain"],
  progress,
  svg: false,
});
const cell = (index: number, prompt: number | string | null, outputs = [output("stream")]) => ({
  index,
  prompt,
  empty: false,
  outputs,
  errors: [],
  progressText: "",
});

Deno.test("live: results under their own cells pass", () => {
  const cells = [
    cell(0, 1, [output("execute_result", 1)]),
    cell(2, 2, [
      output("display_data", null, "run-1"),
      output("display_data", null, "run-2"),
      output("execute_result", 2),
    ]),
  ];
  assert.deepEqual(checkCells(cells, []), []);
});

Deno.test("live: a result under the wrong cell, two results, a stray and an unrun cell fail", () => {
  // Notebook 12 before the fix: In [8] showed nothing, In [9] showed Out[8] and Out[9].
  const cells = [
    cell(14, 8, []),
    cell(16, 9, [output("execute_result", 8), output("execute_result", 9)]),
    cell(18, "*"),
  ];
  assert.deepEqual(checkCells(cells, ["execute_result Out[10]"]), [
    "cell 16 (In [9]) shows Out[8]: another cell's result",
    "cell 16 shows 2 results",
    'cell 18 did not run (prompt "*")',
    "an output arrived after its cell had finished: execute_result Out[10]",
  ]);
});

Deno.test("live: training progress must be one output updated in place, errors are reported", () => {
  const progress = output("display_data", null, "run-1");
  const cells = [{ ...cell(3, 4, [progress, progress]), errors: ["Error: boom"] }];
  assert.deepEqual(checkCells(cells, []), [
    "cell 3: Error: boom",
    "cell 3: training progress is 2 outputs, not one updated in place",
  ]);
});
