/**
 * Helpers shared by the build tools: paths, running a command with a time
 * limit, one-line failures, sizes, and the targets we build for.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { exitCodeOf, UsageError } from "../lib/cli/errors.ts";
import { type Role, ROLES } from "../lib/roles.ts";

/** The repository root. */
export const ROOT_DIR: string = dirname(import.meta.dirname!);

/** Where the builds go (`dist/`, ignored by git). */
export const DIST_DIR: string = join(ROOT_DIR, "dist");

/** The Deno version the tools build with (the one running them). */
export const DENO_VERSION: string = Deno.version.deno;

/** A target we build for: Deno's triple and the short names around it. */
export interface Target {
  /** Deno's `--target` triple. */
  triple: string;
  /** `uname -m` on such a host. */
  machine: string;
  /** ELF `e_machine` of its binaries. */
  elfMachine: number;
  /** The npm package holding this target's `deno` binary. */
  npmPackage: string;
  /** Debian's multiarch directory for its glibc libraries. */
  libDir: string;
}

/** The two Linux targets of `deno compile` that the lab VMs can be. */
export const TARGETS: readonly Target[] = [
  {
    triple: "x86_64-unknown-linux-gnu",
    machine: "x86_64",
    elfMachine: 62,
    npmPackage: "@deno/linux-x64-glibc",
    libDir: "/lib/x86_64-linux-gnu",
  },
  {
    triple: "aarch64-unknown-linux-gnu",
    machine: "aarch64",
    elfMachine: 183,
    npmPackage: "@deno/linux-arm64-glibc",
    libDir: "/lib/aarch64-linux-gnu",
  },
];

/** Finds a target by triple or by machine name (`x86_64`, `aarch64`). */
export function findTarget(name: string): Target | undefined {
  return TARGETS.find((t) => t.triple === name || t.machine === name);
}

/** The command line every build task takes: `--target NAME` (repeatable) and `--out DIR`. */
export interface BuildArgs {
  /** The targets asked for, or `defaults` when none was. */
  targets: Target[];
  /** The output directory (default `dist/`). */
  outDir: string;
}

/**
 * Parses a build task's `--target`/`--out` flags. A bad flag or an unknown
 * target is a {@linkcode UsageError} (exit 2). `defaults` names the machines built when no
 * `--target` is given.
 */
export function parseBuildArgs(
  args: string[],
  defaults: readonly string[],
): BuildArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        target: { type: "string", multiple: true },
        out: { type: "string" },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(
      `${err instanceof Error ? err.message : String(err)} (see --help)`,
    );
  }
  const targets = (values.target ?? defaults).map((name) => {
    const target = findTarget(name);
    if (!target) {
      throw new UsageError(`unknown --target ${name} (x86_64 or aarch64)`);
    }
    return target;
  });
  return { targets, outDir: values.out ?? DIST_DIR };
}

/** The roles of the table whose entry file exists (all, once every role is written). */
export function builtRoles(): Role[] {
  return ROLES.filter((role) => {
    try {
      Deno.statSync(join(ROOT_DIR, role.entry));
      return true;
    } catch {
      return false;
    }
  });
}

/** A failure the tool reports as one line on standard error (exit 1). */
export class ToolError extends Error {
  /** Creates a tool failure with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** Options for {@linkcode runTool}. */
export interface ToolOptions {
  /** What `--help` (or `-h`) prints: what the tool does and its flags. */
  usage?: string;
}

/**
 * Runs a tool's body: `--help` prints `options.usage`; a failure becomes one
 * line on standard error and exit 1, a {@linkcode UsageError} or a bad flag
 * exit 2, as for the roles.
 */
export async function runTool(
  name: string,
  body: () => Promise<void>,
  options: ToolOptions = {},
): Promise<never> {
  if (
    options.usage !== undefined &&
    (Deno.args.includes("--help") || Deno.args.includes("-h"))
  ) {
    console.log(options.usage);
    Deno.exit(0);
  }
  try {
    await body();
    Deno.exit(0);
  } catch (err) {
    // node:util's parseArgs: an unknown flag or a missing value.
    const badFlag = (err as { code?: unknown })?.code?.toString()
      .startsWith("ERR_PARSE_ARGS") === true;
    const message = err instanceof ToolError || err instanceof UsageError
      ? err.message
      : err instanceof Error
      ? err.message.split("\n", 1)[0] + (badFlag ? " (see --help)" : "")
      : String(err);
    console.error(`${name}: error: ${message}`);
    Deno.exit(badFlag ? 2 : exitCodeOf(err));
  }
}

/** Options for {@linkcode run}. */
export interface RunOptions {
  /** Environment to add (or remove, with `undefined`). */
  env?: Record<string, string | undefined>;
  /** Working directory; the repository root by default. */
  cwd?: string;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
}

/** What a finished command left. */
export interface RunResult {
  /** The exit code (124 after a time-out, as `timeout(1)`). */
  code: number;
  /** Its standard output. */
  stdout: string;
  /** Its standard error. */
  stderr: string;
}

/** Runs a command to completion, with output captured and a time limit. */
export async function run(
  program: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const env: Record<string, string> = {};
  const clear: string[] = [];
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) clear.push(key);
    else env[key] = value;
  }
  const base = Deno.env.toObject();
  for (const key of clear) delete base[key];
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd ?? ROOT_DIR,
    env: { ...base, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutMs);
  const output = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    code: timedOut ? 124 : output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs a command that must succeed; otherwise throws its first error line. */
export async function mustRun(
  program: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(program, args, options);
  if (result.code !== 0) {
    const why = result.code === 124
      ? `timed out after ${options.timeoutMs} ms`
      : firstErrorLine(result.stderr) || `exit code ${result.code}`;
    throw new ToolError(`${program} ${args[0] ?? ""}: ${why}`);
  }
  return result.stdout;
}

/** The first line of `text` that says `error`, else its first non-empty line. */
export function firstErrorLine(text: string): string {
  // deno colours its output even when piped unless NO_COLOR is set
  // deno-lint-ignore no-control-regex
  const lines = text.replace(/\x1b\[[0-9;]*m/g, "").split("\n").map((l) =>
    l.trim()
  ).filter((l) => l !== "");
  return lines.find((l) => /error/i.test(l)) ?? lines[0] ?? "";
}

/** A size for people: `95.6 MB`, `312 KB`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}

/** Prints `path  size` for each built artefact. */
export function reportSizes(paths: string[]): void {
  for (const path of paths) {
    const size = Deno.statSync(path).size;
    console.log(`  ${path.replace(`${ROOT_DIR}/`, "")}  ${formatSize(size)}`);
  }
}

/** Reads an ELF file's `e_machine` (62 x86-64, 183 aarch64); undefined if not ELF. */
export function elfMachine(path: string): number | undefined {
  const file = Deno.openSync(path);
  try {
    const head = new Uint8Array(20);
    if (file.readSync(head) !== 20) return undefined;
    if (head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c) {
      return undefined;
    }
    return head[18] | (head[19] << 8);
  } finally {
    file.close();
  }
}

/** Whether the file contains `needle` (ASCII); reads it whole. */
export async function fileContains(
  path: string,
  needle: string,
): Promise<boolean> {
  const bytes = await Deno.readFile(path);
  const text = new TextDecoder("latin1").decode(bytes);
  return text.includes(needle);
}
