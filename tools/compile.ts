/**
 * `deno task compile`: every role of `lib/roles.ts`, and the multi-call
 * program `progjar`, compiled with `deno compile` for each target into
 * `dist/<target>/<role>` and `dist/<target>/progjar`. Each role gets exactly
 * its permissions from the table; `progjar` holds every role, so it gets
 * their union (each role's flags merged, nothing more).
 *
 * `deno compile` builds on denort, Deno's runtime-only binary, which it
 * takes from `DENORT_BIN`, else from its cache
 * (`$DENO_DIR/dl/release/v<version>/denort-<target>.zip`), else downloads
 * from dl.deno.land (or the mirror in `DENORT_BASE_URL`, laid out the same
 * way: `<base>/release/v<version>/denort-<target>.zip`). This tool finds it up front, with a short time limit
 * on the download, and otherwise stops with one line saying what to do. A
 * `DENORT_BIN` that is really the `deno` CLI is refused: a program compiled
 * on it starts deno's own command line instead of the role.
 *
 * Usage: `deno task compile [--target x86_64|aarch64]… [--out DIR]`
 *
 * @module
 */

import { checkIndex } from "./roles_index.ts";
import type { Role } from "../lib/roles.ts";
import {
  builtRoles,
  DENO_VERSION,
  DIST_DIR,
  elfMachine,
  fileContains,
  mustRun,
  parseBuildArgs,
  reportSizes,
  runTool,
  type Target,
  TARGETS,
  ToolError,
} from "./_common.ts";
import { exists } from "./_runtime.ts";

/** Milliseconds to wait for dl.deno.land to answer before giving up. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Milliseconds the whole download may take. */
export const DOWNLOAD_TIMEOUT_MS = 300_000;

/** Text only the full `deno` CLI holds (its `compile` subcommand's help). */
const CLI_MARK = "Compile the script into a self contained executable";

/**
 * The flags of several roles merged into one set: the least that lets one
 * program run all of them. `--allow-x=a,b` lists are merged; a bare
 * `--allow-x` (everything of that kind) wins over lists.
 */
export function unionPermissions(roles: readonly Role[]): string[] {
  const lists = new Map<string, Set<string> | "all">();
  for (const role of roles) {
    for (const flag of role.permissions) {
      const eq = flag.indexOf("=");
      const name = eq < 0 ? flag : flag.slice(0, eq);
      const have = lists.get(name);
      if (eq < 0) {
        lists.set(name, "all");
      } else if (have !== "all") {
        const set = have ?? new Set<string>();
        for (const item of flag.slice(eq + 1).split(",")) set.add(item);
        lists.set(name, set);
      }
    }
  }
  return [...lists].map(([name, value]) =>
    value === "all" ? name : `${name}=${[...value].join(",")}`
  );
}

/** How `deno compile` gets denort for one target. */
export interface Runtime {
  /** The target. */
  target: Target;
  /** `DENORT_BIN` for this target's `deno compile`, or undefined for its cache. */
  denortBin?: string;
}

/** Where `deno compile` caches denort for a target. */
export async function cachedZipPath(target: Target): Promise<string> {
  const info = await mustRun(Deno.execPath(), ["info", "--json"], {
    env: { NO_COLOR: "1" },
    timeoutMs: 60_000,
  });
  const denoDir = JSON.parse(info).denoDir as string;
  return `${denoDir}/dl/release/v${DENO_VERSION}/denort-${target.triple}.zip`;
}

/** What to tell the user when denort cannot be had. */
function whatToDo(triples: readonly string[]): string {
  const zip = triples.map((t) => `denort-${t}.zip`).join(" or ");
  return `set DENORT_BIN=/path/to/denort (unzip ${zip} of deno ${DENO_VERSION} from https://github.com/denoland/deno/releases/tag/v${DENO_VERSION}), or build the self-extracting program instead: deno task pack`;
}

/**
 * Checks `DENORT_BIN`, if set: it must exist, be an ELF file and not be the
 * deno CLI. Returns its ELF machine.
 */
export async function checkDenortBin(
  path: string,
  targets: readonly Target[],
): Promise<number> {
  const triples = targets.map((t) => t.triple);
  if (!exists(path)) {
    throw new ToolError(
      `DENORT_BIN=${path}: no such file; ${whatToDo(triples)}`,
    );
  }
  const machine = elfMachine(path);
  if (machine === undefined) {
    throw new ToolError(
      `DENORT_BIN=${path} is not a Linux executable; ${whatToDo(triples)}`,
    );
  }
  if (await fileContains(path, CLI_MARK)) {
    throw new ToolError(
      `DENORT_BIN=${path} is the deno CLI, not denort (a program compiled on it would start deno's own command line, not the role); ${
        whatToDo(triples)
      }`,
    );
  }
  return machine;
}

/** Finds denort for every target, downloading into deno's cache if need be. */
export async function resolveRuntimes(
  targets: readonly Target[],
): Promise<Runtime[]> {
  const denortBin = Deno.env.get("DENORT_BIN") || undefined;
  const binMachine = denortBin
    ? await checkDenortBin(denortBin, targets)
    : undefined;
  const runtimes: Runtime[] = [];
  const missing: string[] = [];
  const reasons: string[] = [];
  for (const target of targets) {
    if (denortBin && binMachine === target.elfMachine) {
      runtimes.push({ target, denortBin });
      continue;
    }
    const zip = await cachedZipPath(target);
    if (!exists(zip)) {
      const reason = await download(target, zip);
      if (reason) {
        missing.push(target.triple);
        reasons.push(reason);
        continue;
      }
    }
    runtimes.push({ target });
  }
  if (missing.length > 0) {
    const bin = denortBin ? `DENORT_BIN is not for it, ` : "";
    // DENORT_BIN serves one target: say how to build just the others.
    const others = runtimes.map((r) => ` --target ${r.target.machine}`).join(
      "",
    );
    const only = others === "" ? "" : `; or only${others}`;
    throw new ToolError(
      `no denort for ${
        missing.join(", ")
      } (${bin}none in deno's cache, download failed: ${reasons[0]}): ${
        whatToDo(missing)
      }${only}`,
    );
  }
  return runtimes;
}

/**
 * Downloads denort's zip into deno's cache with a time limit; returns why
 * it failed, or undefined.
 */
async function download(
  target: Target,
  zip: string,
): Promise<string | undefined> {
  const base = Deno.env.get("DENORT_BASE_URL") || "https://dl.deno.land";
  const url = `${base}/release/v${DENO_VERSION}/denort-${target.triple}.zip`;
  const controller = new AbortController();
  let timer = setTimeout(() => controller.abort(), CONNECT_TIMEOUT_MS);
  try {
    const response = await fetch(url, { signal: controller.signal });
    clearTimeout(timer);
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      return `${url}: HTTP ${response.status}`;
    }
    timer = setTimeout(() => controller.abort(), DOWNLOAD_TIMEOUT_MS);
    await Deno.mkdir(zip.slice(0, zip.lastIndexOf("/")), { recursive: true });
    const tmp = `${zip}.part`;
    const file = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    await response.body.pipeTo(file.writable);
    await Deno.rename(tmp, zip);
    return undefined;
  } catch (err) {
    if (controller.signal.aborted) return `${url}: no answer in time`;
    // fetch's own message is "fetch failed"; the cause says why.
    const cause = err instanceof Error && err.cause instanceof Error
      ? err.cause
      : err;
    const message = cause instanceof Error ? cause.message : String(cause);
    const why = message.split("\n", 1)[0].replace(
      /^error sending request for url \([^)]*\): /,
      "",
    );
    return `${url}: ${why}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Options for {@linkcode compileAll}. */
export interface CompileOptions {
  /** The output directory; `dist/` by default. */
  outDir?: string;
}

/** Compiles every role and `progjar` for each runtime; returns the files. */
export async function compileAll(
  runtimes: readonly Runtime[],
  options: CompileOptions = {},
): Promise<string[]> {
  const outDir = options.outDir ?? DIST_DIR;
  const roles = builtRoles();
  // One type check for everything; the compiles below skip it.
  await mustRun(Deno.execPath(), ["check", "--quiet", "cmd/progjar.ts"], {
    env: { NO_COLOR: "1" },
    timeoutMs: 300_000,
  });
  const programs = [
    ...roles.map((role) => ({
      name: role.name,
      entry: role.entry,
      flags: [...role.permissions],
    })),
    {
      name: "progjar",
      entry: "cmd/progjar.ts",
      flags: unionPermissions(roles),
    },
  ];
  const written: string[] = [];
  for (const { target, denortBin } of runtimes) {
    const dir = `${outDir}/${target.triple}`;
    await Deno.mkdir(dir, { recursive: true });
    for (const program of programs) {
      const out = `${dir}/${program.name}`;
      await mustRun(Deno.execPath(), [
        "compile",
        "--quiet",
        "--no-check",
        "--target",
        target.triple,
        ...program.flags,
        "-o",
        out,
        program.entry,
      ], {
        env: { NO_COLOR: "1", DENORT_BIN: denortBin },
        timeoutMs: 300_000,
      });
      written.push(out);
    }
  }
  return written;
}

/** What `deno task compile --help` prints. */
const USAGE =
  `compile: deno compile every role, and the multi-call progjar, into
DIR/<target>/, each with only its own permissions

Usage:
  deno task compile [--target x86_64|aarch64]… [--out DIR]

Flags:
  --target M  build for this machine; repeat for several (default: both)
  --out DIR   where to write the programs (default: dist)

Needs denort: DENORT_BIN=/path/to/denort, else Deno's cache, else dl.deno.land
(or DENORT_BASE_URL, a mirror with the same layout).`;

if (import.meta.main) {
  await runTool("compile", async () => {
    const { targets, outDir } = parseBuildArgs(
      Deno.args,
      TARGETS.map((t) => t.machine),
    );
    await checkIndex();
    const runtimes = await resolveRuntimes(targets);
    reportSizes(await compileAll(runtimes, { outDir }));
  }, { usage: USAGE });
}
