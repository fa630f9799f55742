import assert from "node:assert/strict";
import { main } from "../../tools/grade.ts";
import type { Cell, Notebook } from "../../tools/new_notebook.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const ASSIGNMENT = `${ROOT}notebooks/homework/hw1_backprop.ipynb`;
const SOLUTION = `${ROOT}notebooks/homework/solutions/hw1_backprop_solution.ipynb`;

const read = async (p: string): Promise<Notebook> => JSON.parse(await Deno.readTextFile(p));
const code = (id: string, source: string): Cell => ({
  cell_type: "code",
  id,
  metadata: {},
  source: [source],
  outputs: [],
  execution_count: null,
});
/** The notebook with cell `id`'s source replaced. */
const edit = (nb: Notebook, id: string, source: string): Notebook => ({
  ...nb,
  cells: nb.cells.map((c) => c.id === id ? { ...c, source: [source] } : c),
});
/** The notebook with `cell` inserted after cell `id`. */
const insertAfter = (nb: Notebook, id: string, cell: Cell): Notebook => {
  const i = nb.cells.findIndex((c) => c.id === id);
  return { ...nb, cells: [...nb.cells.slice(0, i + 1), cell, ...nb.cells.slice(i + 1)] };
};

/** The class: the solution, the starter and the five kinds of trouble a grader meets. */
async function submissions(dir: string) {
  const solution = await read(SOLUTION), starter = await read(ASSIGNMENT);
  const source = (id: string) => solution.cells.find((c) => c.id === id)!.source.join("");
  const cheat = 'check("dE/dc", dEdc, dEdc);';
  const class_: Record<string, Notebook | string> = {
    "solution": solution,
    "starter": starter,
    // dE/dw11 multiplied by x2 instead of x1: Part D loses 1 of 9, Part E's step goes wrong too.
    "wrong_gradient": edit(
      solution,
      "cell-17",
      source("cell-17").replace("delta1 * x1", "delta1 * x2"),
    ),
    // Parts A-C graded, then a cell that never ends.
    "hangs": insertAfter(solution, "cell-18", code("mine", "while (true) {}")),
    // The classmate's dE/dc kept, and every check that would show it replaced by one that passes.
    "edited_check": edit(
      edit(
        edit(
          edit(
            solution,
            "cell-14",
            source("cell-14").replace("const dEdc = delta;", "const dEdc = z - t;"),
          ),
          "cell-15",
          cheat,
        ),
        "cell-20",
        cheat,
      ),
      "cell-23",
      cheat,
    ),
    "not_a_notebook": "{ this is not JSON",
  };
  // A cell of its own that throws, one that prints megabytes, and Part E's answer cell deleted.
  const throws = insertAfter(
    insertAfter(solution, "cell-5", code("oops", 'JSON.parse("{oops");')),
    "cell-9",
    code("loud", 'console.log("x".repeat(3_000_000));'),
  );
  class_.throws = { ...throws, cells: throws.cells.filter((c) => c.id !== "cell-22") };
  for (const [name, nb] of Object.entries(class_)) {
    await Deno.writeTextFile(
      `${dir}/${name}.ipynb`,
      typeof nb === "string" ? nb : JSON.stringify(nb),
    );
  }
}

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split("\n").map((l) => l.split(","));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

Deno.test({
  name: "deno task grade: a generated class gets the expected scores, verdicts and feedback",
  permissions: { read: true, write: true, env: true, run: "inherit" },
  fn: async () => {
    const dir = await Deno.makeTempDir(), out = `${dir}/out`, outSlow = `${dir}/out-slow`;
    await Deno.mkdir(`${dir}/class`);
    await Deno.mkdir(`${dir}/slow`);
    await submissions(`${dir}/class`);
    // The one that hangs is graded on its own with a short limit, the class with a generous one
    // (a loaded machine must not time out the others), both at once.
    await Deno.rename(`${dir}/class/hangs.ipynb`, `${dir}/slow/hangs.ipynb`);
    const grade = (folder: string, to: string, timeout: number) =>
      main(["--assignment", ASSIGNMENT, folder, "--out", to, "--timeout", String(timeout)]);
    const codes = await Promise.all([
      grade(`${dir}/class`, out, 600),
      grade(`${dir}/slow`, outSlow, 45),
    ]);
    assert.deepEqual(codes, [0, 0]);
    const rows = Object.fromEntries(
      [out, outSlow].flatMap((o) => parseCsv(Deno.readTextFileSync(`${o}/grades.csv`)))
        .map((r) => [r.file, r]),
    );
    const checks = [
      "A local derivatives",
      "B output layer",
      "C hidden errors",
      "D all nine gradients",
      "E one step",
    ];
    const verdicts = (file: string) => checks.map((c) => rows[file][c]);
    const scores = Object.fromEntries(Object.entries(rows).map(([f, r]) => [f, Number(r.score)]));
    assert.deepEqual(scores, {
      "solution.ipynb": 20,
      "starter.ipynb": 0,
      "wrong_gradient.ipynb": 17, // D: 8 of 9 answers (8 of 9 points), E wrong
      "hangs.ipynb": 9, // A, B, C; D and E never ran
      "edited_check.ipynb": 16, // B: 3 of 4, D: 8 of 9, E wrong, despite the edited checks
      "throws.ipynb": 18, // E unanswered: its answer cell was deleted
      "not_a_notebook.ipynb": 0,
    });
    assert.ok(Object.values(rows).every((r) => r["max score"] === "20"));
    assert.deepEqual(verdicts("solution.ipynb"), ["right", "right", "right", "right", "right"]);
    assert.deepEqual(verdicts("starter.ipynb"), [
      "unanswered",
      "wrong",
      "unanswered",
      "wrong",
      "unanswered",
    ]);
    assert.deepEqual(verdicts("wrong_gradient.ipynb"), [
      "right",
      "right",
      "right",
      "wrong",
      "wrong",
    ]);
    assert.deepEqual(verdicts("hangs.ipynb"), ["right", "right", "right", "error", "error"]);
    assert.deepEqual(verdicts("edited_check.ipynb"), ["right", "wrong", "right", "wrong", "wrong"]);
    assert.deepEqual(verdicts("throws.ipynb"), ["right", "right", "right", "right", "unanswered"]);
    assert.deepEqual(verdicts("not_a_notebook.ipynb"), [
      "error",
      "error",
      "error",
      "error",
      "error",
    ]);

    const feedback = (name: string) =>
      Deno.readTextFile(`${name === "hangs" ? outSlow : out}/feedback/${name}.md`);
    assert.match(
      await feedback("wrong_gradient"),
      /## D all nine gradients: wrong \(8 of 9 points\)\n\n- ✘ dE\/dw11: expected -0\.0\d+, got 0\.\d+/,
    );
    assert.match(await feedback("hangs"), /the notebook ran out of its 45 s/);
    assert.match(
      await feedback("hangs"),
      /## D all nine gradients: error \(0 of 9 points\)\n\nThe check cell did not run/,
    );
    assert.match(await feedback("edited_check"), /✘ dE\/dc: expected -0\.0\d+, got -0\.\d+/);
    const throws = await feedback("throws");
    assert.match(throws, /threw SyntaxError/);
    assert.match(throws, /printed too much/);
    assert.match(throws, /… E after one step: not answered yet/);
    assert.match(await feedback("not_a_notebook"), /not a notebook/);
    // The executed copy of a loud notebook stays small.
    assert.ok((await Deno.stat(`${out}/executed/throws.ipynb`)).size < 1_000_000);

    const report = await Deno.readTextFile(`${out}/report.html`);
    // dE/dc is the answer most of the class got wrong (starter, edited_check: z − t).
    assert.match(report, /most often wrong first<\/h2><table><tr>.*?<\/tr><tr><td>dE\/dc<\/td>/);
    assert.match(report, /<td>dE\/dc<\/td><td>B output layer<\/td><td>\d<\/td><td>2<\/td>/);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "deno task grade: bad command lines are refused in the flags' words",
  permissions: { read: true, write: true, env: true, run: "inherit" },
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const errors: string[] = [];
    const original = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      const run = async (...args: string[]) =>
        [await main(args), errors.splice(0).join("\n")] as const;
      const [c1, e1] = await run(dir, "--out", `${dir}/o`);
      assert.equal(c1, 2);
      assert.match(e1, /--assignment is missing/);
      const [, e2] = await run("--assignment", ASSIGNMENT, "--out", `${dir}/o`);
      assert.match(e2, /SUBMISSIONS_DIR is missing/);
      const [, e3] = await run("--assignment", ASSIGNMENT, dir);
      assert.match(e3, /--out is missing/);
      const [, e4] = await run("--assignment", ASSIGNMENT, `${dir}/nope`, "--out", `${dir}/o`);
      assert.match(e4, /SUBMISSIONS_DIR .*nope: no such folder/);
      const [, e5] = await run(
        "--assignment",
        ASSIGNMENT,
        dir,
        "--out",
        `${dir}/o`,
        "--timeout",
        "soon",
      );
      assert.match(e5, /--timeout soon: give a positive whole number/);
      const [, e6] = await run("--assignment", `${dir}/missing.ipynb`, dir, "--out", `${dir}/o`);
      assert.match(e6, /--assignment .*missing\.ipynb: cannot read it as a notebook/);
      const [, e7] = await run("--assignment", ASSIGNMENT, dir, "--out", `${dir}/o`);
      assert.match(e7, /SUBMISSIONS_DIR .* holds no \.ipynb file/);
      await Deno.writeTextFile(
        `${dir}/plain.ipynb`,
        JSON.stringify({ cells: [code("a", "1 + 1")] }),
      );
      const [, e8] = await run("--assignment", `${dir}/plain.ipynb`, dir, "--out", `${dir}/o`);
      assert.match(e8, /--assignment: no check cell found/);
      const [c9, e9] = await run("--assignment", ASSIGNMENT, dir, "--out", `${dir}/o`, "--bogus");
      assert.equal(c9, 2);
      assert.match(e9, /--bogus/);
      // Nothing was graded, nothing written.
      assert.equal(await Deno.stat(`${dir}/o`).then(() => true, () => false), false);
    } finally {
      console.error = original;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
