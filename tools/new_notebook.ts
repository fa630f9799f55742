/**
 * Writes a notebook (nbformat 4, Deno kernel, no outputs) from a plain-text
 * source, so notebooks can be authored as text and committed without outputs.
 *
 * The source is split into cells by marker lines:
 *
 * ```text
 * # %% [markdown]
 * # # A title
 * #
 * # Some text.
 * # %%
 * const x = 1;
 * ```
 *
 * `# %%` starts a code cell and `# %% [markdown]` a markdown cell whose lines
 * are commented out with `# ` (the "percent" format of Jupytext and VS Code).
 *
 * Usage: `deno run --allow-read --allow-write tools/new_notebook.ts SRC.ts OUT.ipynb`
 * (or `--strip NB.ipynb...` to remove outputs and execution counts in place).
 *
 * @module
 */

/** One notebook cell as nbformat 4 stores it. */
export interface Cell {
  /** `"code"` or `"markdown"`. */
  cell_type: "code" | "markdown";
  /** Cell metadata. */
  metadata: Record<string, unknown>;
  /** Source lines, each but the last ending in "\n". */
  source: string[];
  /** Code cells only: outputs (always empty here). */
  outputs?: unknown[];
  /** Code cells only: execution count (always null here). */
  execution_count?: number | null;
  /** Cell id (nbformat 4.5). */
  id?: string;
}

/** An nbformat 4 notebook. */
export interface Notebook {
  /** The cells. */
  cells: Cell[];
  /** Kernel and language metadata. */
  metadata: Record<string, unknown>;
  /** Major format version (4). */
  nbformat: number;
  /** Minor format version. */
  nbformat_minor: number;
}

/** The metadata every neuronbook notebook carries: the Deno kernel. */
export const DENO_METADATA = {
  kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
  language_info: {
    name: "typescript",
    file_extension: ".ts",
    mimetype: "text/x.typescript",
    codemirror_mode: "typescript",
    nbconvert_exporter: "script",
    pygments_lexer: "typescript",
  },
};

function lines(text: string): string[] {
  const trimmed = text.replace(/^\n+|\s+$/g, "");
  if (trimmed === "") return [];
  const parts = trimmed.split("\n");
  return parts.map((l, i) => (i < parts.length - 1 ? l + "\n" : l));
}

/**
 * Builds a notebook from percent-format text.
 *
 * @example
 * ```ts
 * import { fromPercent } from "./new_notebook.ts";
 * import assert from "node:assert/strict";
 * const nb = fromPercent("# %% [markdown]\n# # Title\n#\n# Text\n\n# %%\nconst x = 1;\nx\n");
 * assert.deepEqual(nb.cells.map((c) => c.cell_type), ["markdown", "code"]);
 * assert.deepEqual(nb.cells[0].source, ["# Title\n", "\n", "Text"]);
 * assert.deepEqual(nb.cells[1].source, ["const x = 1;\n", "x"]);
 * ```
 */
export function fromPercent(text: string): Notebook {
  const cells: Cell[] = [];
  let kind: "code" | "markdown" | null = null;
  let buf: string[] = [];
  const flush = () => {
    if (kind === null) return;
    const id = `cell-${cells.length}`;
    // Keys in the order Jupyter writes them, so that saving from Jupyter changes little.
    if (kind === "markdown") {
      // Markdown lines are commented out in the percent format: "# text", or "#" alone.
      const text = buf.map((l) => l.replace(/^# ?/, "")).join("\n");
      cells.push({ cell_type: "markdown", id, metadata: {}, source: lines(text) });
    } else {
      const source = lines(buf.join("\n"));
      cells.push({
        cell_type: "code",
        execution_count: null,
        id,
        metadata: {},
        outputs: [],
        source,
      });
    }
  };
  for (const line of text.split("\n")) {
    const m = /^# %%(.*)$/.exec(line);
    if (m) {
      flush();
      kind = /\[markdown\]/.test(m[1]) ? "markdown" : "code";
      buf = [];
    } else if (kind !== null) {
      buf.push(line);
    }
  }
  flush();
  return { cells, metadata: structuredClone(DENO_METADATA), nbformat: 4, nbformat_minor: 5 };
}

/**
 * Removes outputs and execution counts (what gets committed).
 *
 * @example
 * ```ts
 * import { fromPercent, stripOutputs } from "./new_notebook.ts";
 * import assert from "node:assert/strict";
 * const nb = fromPercent("# %%\n1 + 1\n");
 * nb.cells[0].outputs = [{ output_type: "execute_result" }];
 * nb.cells[0].execution_count = 3;
 * stripOutputs(nb);
 * assert.deepEqual([nb.cells[0].outputs, nb.cells[0].execution_count], [[], null]);
 * ```
 */
export function stripOutputs(nb: Notebook): Notebook {
  for (const c of nb.cells) {
    if (c.cell_type === "code") {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  return nb;
}

/** Serializes a notebook the way Jupyter does (1-space indent, trailing newline). */
export function serialize(nb: Notebook): string {
  return JSON.stringify(nb, null, 1) + "\n";
}

if (import.meta.main) {
  const args = Deno.args;
  if (args[0] === "--strip") {
    for (const path of args.slice(1)) {
      const nb = JSON.parse(await Deno.readTextFile(path)) as Notebook;
      await Deno.writeTextFile(path, serialize(stripOutputs(nb)));
      console.log(`stripped ${path}`);
    }
  } else if (args.length === 2) {
    await Deno.writeTextFile(args[1], serialize(fromPercent(await Deno.readTextFile(args[0]))));
    console.log(`wrote ${args[1]}`);
  } else {
    console.error(
      "usage: tools/new_notebook.ts SRC.ts OUT.ipynb | tools/new_notebook.ts --strip NB.ipynb...",
    );
    Deno.exit(2);
  }
}
