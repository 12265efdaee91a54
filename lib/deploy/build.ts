/**
 * `serve` in the repository builds what it is to hand out before it starts:
 * an artefact that is missing, or older than the code it is built from, is
 * built with its own task (`deno task alpine-pack`, `deno task pack`), the
 * same a person would run. Outside the repository (the self-extracting
 * file's `progjar serve`) nothing is built: it only says which task would.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";
import { type Artefact, listArtefacts } from "./artefacts.ts";

/** An artefact `serve` wants, and the task that builds it. */
export interface Wanted {
  /** Its file name in `dist/`. */
  name: string;
  /** The `deno task` command line that builds it (without `deno task`). */
  task: string[];
}

/** What `serve` builds for `machine` when it is missing or stale. */
export function wantedArtefacts(machine: string): Wanted[] {
  return [
    {
      name: `progjar-alpine-${machine}.tar.gz`,
      task: ["alpine-pack", "--target", machine],
    },
    { name: `progjar-${machine}-linux`, task: ["pack", "--target", machine] },
    { name: "progjar.js", task: ["bundle"] },
  ];
}

/** The directories and files the artefacts are built from. */
const SOURCES = ["cmd", "lib", "tools", "deno.json", "deno.lock"];

/** The newest modification time (ms) among the sources under `root`. */
export async function newestSource(root: string): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    const stat = await Deno.stat(path).catch(() => undefined);
    if (!stat) return;
    if (stat.isFile) {
      newest = Math.max(newest, stat.mtime?.getTime() ?? 0);
      return;
    }
    if (!stat.isDirectory) return;
    for await (const entry of Deno.readDir(path)) {
      await visit(`${path}/${entry.name}`);
    }
  };
  for (const source of SOURCES) await visit(`${root}/${source}`);
  return newest;
}

/** Why an artefact needs building: missing, or older than the sources. */
export interface Outdated extends Wanted {
  /** `missing` or `stale`. */
  why: "missing" | "stale";
}

/**
 * The wanted artefacts of `dir` that are missing or older than the newest
 * source under `root` (the repository).
 */
export async function outdatedArtefacts(
  dir: string,
  options: { root: string; machine: string },
): Promise<Outdated[]> {
  const present = await listArtefacts(dir);
  const newest = await newestSource(options.root);
  const outdated: Outdated[] = [];
  for (const wanted of wantedArtefacts(options.machine)) {
    const found: Artefact | undefined = present.find((a) =>
      a.name === wanted.name
    );
    if (!found) outdated.push({ ...wanted, why: "missing" });
    else if (found.mtime < newest) outdated.push({ ...wanted, why: "stale" });
  }
  return outdated;
}

/**
 * The artefacts of `dir` that serve does not build for `machine` (another
 * machine's packs) and that are older than the newest source under `root`,
 * each with the task that rebuilds it.
 */
export async function staleArtefacts(
  dir: string,
  options: { root: string; machine: string },
): Promise<Outdated[]> {
  const newest = await newestSource(options.root);
  const own = wantedArtefacts(options.machine).map((w) => w.name);
  const stale: Outdated[] = [];
  for (const artefact of await listArtefacts(dir)) {
    if (own.includes(artefact.name) || artefact.mtime >= newest) continue;
    const task = rebuildTask(artefact.name);
    if (task) stale.push({ name: artefact.name, task, why: "stale" });
  }
  return stale;
}

/** The task that writes artefact `name`, from its name. */
function rebuildTask(name: string): string[] | undefined {
  const pack = /^progjar-alpine-([a-z0-9_]+)\.tar\.gz$/.exec(name);
  if (pack) return ["alpine-pack", "--target", pack[1]];
  const file = /^progjar-([a-z0-9_]+)-linux$/.exec(name);
  if (file) return ["pack", "--target", file[1]];
  if (name === "progjar.js") return ["bundle"];
  return undefined;
}

/**
 * The repository `dir` belongs to (its parent has the deno.json with the
 * build tasks), or undefined: then nothing is built.
 */
export function repositoryOf(dir: string): string | undefined {
  const root = dir.includes("/")
    ? dir.slice(0, dir.lastIndexOf("/")) || "/"
    : ".";
  try {
    const config = JSON.parse(Deno.readTextFileSync(`${root}/deno.json`));
    return config?.tasks?.["alpine-pack"] ? root : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds, one by one with its own task, what of `dir` is missing or older
 * than the sources under `root`; `onBuild` hears of each before its build.
 * Throws when a task ran but did not write its artefact.
 */
export async function buildOutdated(
  dir: string,
  options: { root: string; machine: string; onBuild(next: Outdated): void },
): Promise<void> {
  const { root, machine } = options;
  let outdated = await outdatedArtefacts(dir, { root, machine });
  while (outdated.length > 0) {
    const next = outdated[0];
    options.onBuild(next);
    await runBuildTask(next.task, root);
    outdated = await outdatedArtefacts(dir, { root, machine });
    if (outdated.some((o) => o.name === next.name)) {
      const task = next.task.join(" ");
      throw new RuntimeError({
        en: `deno task ${task} did not write ${dir}/${next.name}`,
        id: `deno task ${task} tidak menulis ${dir}/${next.name}`,
      });
    }
  }
}

/**
 * Runs `deno task <task…>` in `root` with its output on this terminal;
 * throws with the task's name when it fails.
 */
export async function runBuildTask(
  task: readonly string[],
  root: string,
): Promise<void> {
  const { code } = await new Deno.Command("deno", {
    args: ["task", "--quiet", ...task],
    cwd: root,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    const command = `deno task ${task.join(" ")}`;
    throw new RuntimeError({
      en: `${command} failed (exit code ${code}; its error is above)`,
      id: `${command} gagal (kode keluar ${code}; galatnya di atas)`,
    });
  }
}
