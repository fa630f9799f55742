/**
 * `deno task cycles`: fails when the source files import each other in a
 * cycle, so that the core stays one straight stack a reader can follow
 * bottom-up (see README, "How it is organised").
 *
 * It asks `deno info --json` for the module graph of every `.ts` file under
 * the folders given (default: `lib gpu datasets`), keeps the edges between
 * those files (type-only imports included: they shape reading order too) and
 * reports each strongly connected component with one cycle through it.
 *
 * ```sh
 * deno task cycles            # lib/, gpu/ and datasets/
 * deno task cycles lib        # one folder
 * ```
 *
 * @module
 */
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL as toFileUrl } from "node:url";

/** The import graph: file → the files it imports (both inside the folders checked). */
export type ImportGraph = Map<string, string[]>;

/** Files that import each other in a cycle, and one shortest cycle through them. */
export interface Cycle {
  /** Every file of the strongly connected component, sorted. */
  files: string[];
  /** One cycle, starting and ending on the same file. */
  path: string[];
}

/**
 * The strongly connected components of `graph` that contain a cycle (more
 * than one file, or a file importing itself).
 *
 * @example
 * ```ts
 * import { findCycles } from "./cycles.ts";
 * import assert from "node:assert/strict";
 * const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
 * assert.deepEqual(findCycles(graph), [{ files: ["a", "b", "c"], path: ["a", "b", "c", "a"] }]);
 * assert.deepEqual(findCycles(new Map([["a", ["b"]], ["b", []]])), []);
 * ```
 */
export function findCycles(graph: ImportGraph): Cycle[] {
  // Tarjan's algorithm, iterative so that deep graphs cannot overflow the stack.
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>();
  const cycles: Cycle[] = [];
  let counter = 0;
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    index.set(start, counter), low.set(start, counter++), stack.push(start), onStack.add(start);
    while (work.length) {
      const top = work.at(-1)!;
      const [v, i] = top;
      const next = graph.get(v) ?? [];
      if (i < next.length) {
        top[1]++;
        const w = next[i];
        if (!index.has(w)) {
          index.set(w, counter), low.set(w, counter++), stack.push(w), onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work.at(-1)![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) !== index.get(v)) continue;
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.includes(v)) {
        cycles.push({ files: component.sort(), path: cycleIn(graph, component) });
      }
    }
  }
  return cycles;
}

/** One cycle inside a strongly connected component (breadth-first, so a shortest one). */
function cycleIn(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(parent.get(path[0])!);
        return [...path, start];
      }
      if (!parent.has(w)) parent.set(w, v), queue.push(w);
    }
  }
  return [start, start];
}

/** Every `.ts` file under `dir`, as absolute paths. */
async function tsFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
}

/** The import graph among `files`, from one `deno info --json` over all of them. */
async function importGraph(files: string[]): Promise<ImportGraph> {
  const root = files.map((f) => `import type {} from "${toFileUrl(f).href}";`).join("\n");
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["info", "--json", `data:application/typescript,${encodeURIComponent(root)}`],
  }).output();
  if (code !== 0) throw new Error(`deno info failed:\n${new TextDecoder().decode(stderr)}`);
  const { modules } = JSON.parse(new TextDecoder().decode(stdout)) as { modules: InfoModule[] };
  const wanted = new Set(files.map((f) => toFileUrl(f).href));
  const graph: ImportGraph = new Map();
  for (const m of modules) {
    if (!wanted.has(m.specifier)) continue;
    const deps = (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
      .filter((s): s is string => s !== undefined && wanted.has(s));
    graph.set(fromFileUrl(m.specifier), [...new Set(deps)].map((s) => fromFileUrl(s)));
  }
  return graph;
}

if (import.meta.main) {
  const dirs = Deno.args.length ? Deno.args : ["lib", "gpu", "datasets"];
  const files = (await Promise.all(dirs.map(tsFiles))).flat().sort();
  const graph = await importGraph(files);
  const edges = [...graph.values()].reduce((n, d) => n + d.length, 0);
  const cycles = findCycles(graph);
  const show = (f: string) => relative(Deno.cwd(), f);
  if (cycles.length === 0) {
    console.log(
      `No import cycle among ${files.length} files (${edges} imports) in ${dirs.join(", ")}.`,
    );
  } else {
    for (const { files, path } of cycles) {
      console.error(
        `Import cycle among ${files.length} files (${files.map(show).join(", ")}); ` +
          `one of its loops: ${path.map(show).join(" → ")}`,
      );
    }
    console.error(
      `${cycles.length} import cycle(s) among the files in ${dirs.join(", ")}: make the lower ` +
        `file not import the higher one (move the shared piece down, or install from above).`,
    );
    Deno.exit(1);
  }
}
