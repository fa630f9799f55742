/**
 * `deno task sizes`: how big the executed notebooks are on disk, as a
 * Markdown table (the README's), and what their own images take (PNG, JPEG
 * and GIF outputs, and raster pictures embedded as `data:` URLs, e.g. in a
 * figure's static picture), which the 1.5 MB budget leaves out.
 *
 * Usage: `deno task sizes [DIR] [--before DIR0]` (DIR defaults to
 * `out/notebooks`, what `deno task notebooks` writes; with `--before`, a
 * column for the same notebooks executed by another version, e.g. into
 * `--out out/before`). Exits non-zero when DIR holds no executed notebook.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** Sizes of one executed notebook, in bytes. */
export interface NotebookSize {
  /** Path relative to the folder. */
  notebook: string;
  /** The file's size. */
  bytes: number;
  /** What its raster images take in the file (image outputs and base64 `data:` URLs). */
  imageBytes: number;
}

const RASTER_MIMES = ["image/png", "image/jpeg", "image/gif"];
const DATA_URL = /data:image\/(?:png|jpeg|gif);base64,[A-Za-z0-9+/=]+/g;

/**
 * The size of an executed notebook's text and how much of it is raster
 * images.
 *
 * @example
 * ```ts
 * import { notebookSize } from "./notebook_sizes.ts";
 * import assert from "node:assert/strict";
 * const nb = JSON.stringify({ cells: [{ cell_type: "code", outputs: [
 *   { output_type: "display_data", data: { "image/png": "iVBORw0K", "text/plain": "<img>" } },
 *   { output_type: "display_data", data: { "text/html": ['<img src="data:image/png;base64,AAAA">'] } },
 * ] }] });
 * const size = notebookSize("a.ipynb", nb);
 * assert.equal(size.bytes, nb.length);
 * assert.equal(size.imageBytes, "iVBORw0K".length + "data:image/png;base64,AAAA".length);
 * ```
 */
export function notebookSize(notebook: string, text: string): NotebookSize {
  const nb = JSON.parse(text) as {
    cells: { outputs?: { data?: Record<string, string | string[]> }[] }[];
  };
  let imageBytes = 0;
  for (const cell of nb.cells) {
    for (const output of cell.outputs ?? []) {
      for (const [mime, value] of Object.entries(output.data ?? {})) {
        const s = Array.isArray(value) ? value.join("") : String(value);
        if (RASTER_MIMES.includes(mime)) imageBytes += s.length;
        else for (const m of s.matchAll(DATA_URL)) imageBytes += m[0].length;
      }
    }
  }
  return { notebook, bytes: new TextEncoder().encode(text).length, imageBytes };
}

/** The executed notebooks under `dir` (hidden folders skipped), sorted. */
async function listNotebooks(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    if (e.name.startsWith(".") || e.name.startsWith("_")) continue;
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) found.push(...await listNotebooks(dir, `${rel}/`));
    else if (e.name.endsWith(".ipynb")) found.push(rel);
  }
  return found.sort();
}

/** Every executed notebook's size under `dir`. */
export async function folderSizes(dir: string): Promise<NotebookSize[]> {
  return await Promise.all(
    (await listNotebooks(dir)).map(async (nb) =>
      notebookSize(nb, await Deno.readTextFile(`${dir}/${nb}`))
    ),
  );
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

/**
 * The Markdown table: notebook, size before (when given), size, its images,
 * and the size apart from its images.
 *
 * @example
 * ```ts
 * import { sizeTable } from "./notebook_sizes.ts";
 * import assert from "node:assert/strict";
 * const table = sizeTable(
 *   [{ notebook: "a.ipynb", bytes: 700_000, imageBytes: 200_000 }],
 *   [{ notebook: "a.ipynb", bytes: 2_190_000, imageBytes: 0 }],
 * );
 * assert.match(table, /\| a \| 2\.19 \| 0\.70 \| 0\.20 \| 0\.50 \|/);
 * ```
 */
export function sizeTable(after: NotebookSize[], before?: NotebookSize[]): string {
  const old = new Map((before ?? []).map((s) => [s.notebook, s.bytes]));
  const head = ["notebook", ...(before ? ["before (MB)"] : []), "size (MB)", "images", "without"];
  const rows = after.map((s) => [
    s.notebook.replace(/\.ipynb$/, ""),
    ...(before ? [old.has(s.notebook) ? mb(old.get(s.notebook)!) : "-"] : []),
    mb(s.bytes),
    mb(s.imageBytes),
    mb(s.bytes - s.imageBytes),
  ]);
  return [head, head.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { before: { type: "string" } },
    allowPositionals: true,
  });
  const dir = positionals[0] ?? "out/notebooks";
  const after = await folderSizes(dir).catch(() => []);
  if (!after.length) {
    console.error(`no executed notebooks in ${dir}: run \`deno task notebooks\` first`);
    Deno.exit(1);
  }
  console.log(sizeTable(after, values.before ? await folderSizes(values.before) : undefined));
}
