// The shape of the tree, from the import graph Deno itself resolves
// (`deno info --json`): no import circle between files, none between
// folders, and no file past its size.
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl, pathToFileURL } from "node:url";

const toFileUrl = (path: string) => pathToFileURL(path).href;

const ROOT = join(import.meta.dirname!, "..");
/** Most lines of a module in lib/ and of a program in cmd/. */
const LIB_LINES = 600;
const CMD_LINES = 300;

/** Every .ts file under `dir`, relative to the repository. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/**
 * The import graph of mod.ts, cmd/ and lib/ as Deno resolves it: one entry
 * module that imports them all, given to `deno info --json`.
 */
async function importGraph(): Promise<Map<string, Set<string>>> {
  const files = ["mod.ts", ...tsFiles("cmd"), ...tsFiles("lib")];
  const dir = await Deno.makeTempDir({ prefix: "pj_graph_" });
  try {
    const entry = join(dir, "all.ts");
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import "${toFileUrl(join(ROOT, f))}";\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: {
          code?: { specifier: string };
          type?: { specifier: string };
        }[];
      }[];
    };
    const inRepo = (specifier: string | undefined) => {
      if (!specifier?.startsWith("file://")) return undefined;
      const path = relative(ROOT, fromFileUrl(specifier));
      return path.startsWith("..") ? undefined : path;
    };
    const graph = new Map<string, Set<string>>();
    for (const module of info.modules) {
      const from = inRepo(module.specifier);
      if (from === undefined) continue;
      const to = graph.get(from) ?? new Set<string>();
      graph.set(from, to);
      for (const dep of module.dependencies ?? []) {
        // A type-only import is an arrow of the graph too.
        for (const s of [dep.code?.specifier, dep.type?.specifier]) {
          const path = inRepo(s);
          if (path !== undefined) to.add(path);
        }
      }
    }
    return graph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The strongly connected parts of `graph` with more than one node (Tarjan). */
function circles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const part: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        part.push(w);
      } while (w !== v);
      if (part.length > 1 || graph.get(v)?.has(v)) found.push(part.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** One circle's files as a path that goes round it: a → b → … → a. */
function round(part: string[], graph: Map<string, Set<string>>): string {
  const members = new Set(part);
  const path = [part[0]];
  const seen = new Set(path);
  let at = part[0];
  for (;;) {
    const next = [...graph.get(at) ?? []].filter((n) => members.has(n));
    const back = next.find((n) => n === part[0]);
    const fresh = next.find((n) => !seen.has(n));
    if (
      fresh === undefined || (back !== undefined && seen.size === members.size)
    ) {
      path.push(back ?? next[0]);
      break;
    }
    path.push(fresh);
    seen.add(fresh);
    at = fresh;
  }
  return path.join(" → ");
}

/** The folder of a file: `lib/udp`, `cmd`, or `.` for mod.ts. */
function folderOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut < 0 ? "." : path.slice(0, cut);
}

/** The graph between folders: an arrow wherever a file imports another folder's. */
function folderGraph(graph: Map<string, Set<string>>) {
  const folders = new Map<string, Set<string>>();
  const because = new Map<string, string>();
  for (const [from, tos] of graph) {
    const a = folderOf(from);
    if (!folders.has(a)) folders.set(a, new Set());
    for (const to of tos) {
      const b = folderOf(to);
      if (a === b) continue;
      folders.get(a)!.add(b);
      because.set(`${a} ${b}`, `${from} imports ${to}`);
    }
  }
  return { folders, because };
}

Deno.test("no import circle between files of mod.ts, cmd/ and lib/", async () => {
  const graph = await importGraph();
  assert.ok(graph.size > 50, `the graph has only ${graph.size} modules`);
  const found = circles(graph).map((part) => round(part, graph));
  assert.deepEqual(found, [], `import circles:\n${found.join("\n")}`);
});

Deno.test("no import circle between folders: each folder's imports point one way", async () => {
  const { folders, because } = folderGraph(await importGraph());
  const found = circles(folders).map((part) => {
    const path = round(part, folders).split(" → ");
    const steps = path.slice(1).map((b, i) =>
      `  ${because.get(`${path[i]} ${b}`)}`
    );
    return `${path.join(" → ")}\n${steps.join("\n")}`;
  });
  assert.deepEqual(found, [], `folder circles:\n${found.join("\n")}`);
});

Deno.test("the report imports no lab code", async () => {
  const graph = await importGraph();
  const lab =
    /^lib\/(lab|net|scenario|hand|deploy|udp|chat|multicast_chat|demo)\//;
  const wrong = [...graph].filter(([from]) => from.startsWith("lib/report/"))
    .flatMap(([from, tos]) =>
      [...tos].filter((to) => lab.test(to)).map((to) => `${from} imports ${to}`)
    );
  assert.deepEqual(wrong, []);
});

Deno.test("no module in lib/ over 600 lines, no program in cmd/ over 300", () => {
  const over: string[] = [];
  for (const [dir, most] of [["lib", LIB_LINES], ["cmd", CMD_LINES]] as const) {
    for (const file of tsFiles(dir)) {
      const lines = Deno.readTextFileSync(join(ROOT, file)).split("\n").length -
        1;
      if (lines > most) over.push(`${file}: ${lines} lines (at most ${most})`);
    }
  }
  assert.deepEqual(over, []);
});

Deno.test("the circle finder names the files of a circle", () => {
  const graph = new Map([
    ["lib/a/x.ts", new Set(["lib/a/y.ts"])],
    ["lib/a/y.ts", new Set(["lib/a/z.ts"])],
    ["lib/a/z.ts", new Set(["lib/a/x.ts", "lib/b/w.ts"])],
    ["lib/b/w.ts", new Set(["lib/a/x.ts"])],
    ["lib/c/v.ts", new Set(["lib/a/x.ts"])],
  ]);
  const found = circles(graph);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0], [
    "lib/a/x.ts",
    "lib/a/y.ts",
    "lib/a/z.ts",
    "lib/b/w.ts",
  ]);
  const path = round(found[0], graph);
  assert.ok(
    path.startsWith("lib/a/x.ts → ") && path.endsWith(" → lib/a/x.ts"),
    path,
  );
  const { folders } = folderGraph(graph);
  assert.deepEqual(circles(folders), [["lib/a", "lib/b"]]);
});
