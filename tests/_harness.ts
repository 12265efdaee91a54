/**
 * Test harness: starts roles as separate processes with the same command
 * lines a user runs (`deno run <the role's permissions> cmd/<role>.ts …`,
 * exactly what `deno task <role>` runs), and reads their output line by line.
 *
 * @module
 */

import { Child } from "../lib/cli/child.ts";
import { roleCommand } from "../lib/roles.ts";

export { roleCommand };

const ROOT = new URL("../", import.meta.url);

/**
 * A running role process with its output collected as it arrives: the
 * library's {@linkcode Child} with the tests' habits (a name in messages,
 * waits that fail after a timeout).
 */
export class RoleProcess {
  /** The role's name. */
  readonly name: string;
  #child: Child;
  #stdinPiped: boolean;

  constructor(name: string, child: Child, stdinPiped: boolean) {
    this.name = name;
    this.#child = child;
    this.#stdinPiped = stdinPiped;
  }

  /** Every stdout line so far. */
  get lines(): string[] {
    return this.#child.lines;
  }

  /** Everything written to stderr so far. */
  get stderr(): string {
    return this.#child.stderr;
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Every stdout line parsed as JSON (lines that are not JSON are skipped). */
  get records(): Record<string, unknown>[] {
    return this.#child.records;
  }

  /** Waits until a stdout line satisfies `match`; returns it. Rejects after `timeoutMs`. */
  async waitForLine(
    match: (line: string) => boolean,
    timeoutMs = 10_000,
  ): Promise<string> {
    // A timer of our own, cleared at once: the tests' sanitizer counts timers.
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    try {
      const found = await this.#child.waitForLine(match, {
        signal: timeout.signal,
      });
      if (found !== undefined) return found;
    } finally {
      clearTimeout(timer);
    }
    throw new Error(
      `${this.name}: no matching line within ${timeoutMs} ms; stdout:\n${
        this.lines.join("\n")
      }\nstderr:\n${this.stderr}`,
    );
  }

  /** Waits for a JSON record of `type` (e.g. `"listening"`); returns it. */
  async waitForRecord(
    type: string,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const line = await this.waitForLine((line) => {
      try {
        return JSON.parse(line).type === type;
      } catch {
        return false;
      }
    }, timeoutMs);
    return JSON.parse(line);
  }

  /** Writes text to the process's standard input (needs `stdin: true`). */
  async write(text: string): Promise<void> {
    if (!this.#stdinPiped) throw new Error("stdin was not piped");
    await this.#child.write(text);
  }

  /** Closes the process's standard input. */
  async closeStdin(): Promise<void> {
    await this.#child.closeInput();
  }

  /** Sends a signal (default SIGTERM). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    this.#child.kill(signal);
  }

  /** Waits for exit; returns the code and all output. */
  async finished(): Promise<
    { code: number; signal: string | null; stdout: string; stderr: string }
  > {
    const { code, signal } = await this.#child.done;
    return {
      code,
      signal,
      stdout: this.lines.join("\n"),
      stderr: this.stderr,
    };
  }
}

/** Options for {@linkcode startRole}. */
export interface StartOptions {
  /** Pipe standard input so the test can type into it. */
  stdin?: boolean;
  /** Extra environment variables (e.g. `LANG`). */
  env?: Record<string, string>;
}

/**
 * Spawns `program args` (from the repository root unless `cwd` says
 * otherwise) with its output collected, as a {@linkcode RoleProcess}.
 */
export function spawn(
  name: string,
  program: string,
  args: string[],
  options: StartOptions & { cwd?: string | URL } = {},
): RoleProcess {
  const child = new Child(program, {
    args,
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin,
    env: {
      NO_COLOR: "1",
      LANG: "C.UTF-8",
      DENO_NO_UPDATE_CHECK: "1",
      ...options.env,
    },
  });
  return new RoleProcess(name, child, options.stdin ?? false);
}

/** Starts a role as its own process, from the repository root. */
export function startRole(
  name: string,
  args: string[],
  options: StartOptions = {},
): RoleProcess {
  const [program, ...rest] = roleCommand(name, args);
  return spawn(name, program, rest, options);
}

/** Runs a role to completion and returns its exit code and output. */
export function runRole(
  name: string,
  args: string[],
  options: StartOptions = {},
): Promise<
  { code: number; signal: string | null; stdout: string; stderr: string }
> {
  return startRole(name, args, options).finished();
}

/** Starts a listening role with `--json --port 0` and returns it with the port it got. */
export async function startListening(
  name: string,
  args: string[],
  options: StartOptions = {},
): Promise<{ proc: RoleProcess; port: number }> {
  const proc = startRole(name, ["--json", "--port", "0", ...args], options);
  const record = await proc.waitForRecord("listening");
  return { proc, port: record.port as number };
}

/**
 * Whether `program` runs here and succeeds with `args` (a tool a test needs:
 * `ip`, `python3`, …); output is discarded.
 */
export async function commandSucceeds(
  program: string,
  args: string[],
): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(program, {
      args,
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
