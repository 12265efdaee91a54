/**
 * Test harness: starts roles as separate processes with the same command
 * lines a user runs (`deno run <the role's permissions> cmd/<role>.ts …`,
 * exactly what `deno task <role>` runs), and reads their output line by line.
 *
 * @module
 */

import { lineBatches } from "../lib/cli/_lines.ts";
import { roleCommand } from "../lib/roles.ts";

export { roleCommand };

const ROOT = new URL("../", import.meta.url);

/** A running role process with its output collected as it arrives. */
export class RoleProcess {
  /** The role's name. */
  readonly name: string;
  /** Every stdout line so far. */
  readonly lines: string[] = [];
  /** Everything written to stderr so far. */
  stderr = "";
  #child: Deno.ChildProcess;
  #waiters: (() => void)[] = [];
  #stdoutDone: Promise<void>;
  #stderrDone: Promise<void>;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;

  constructor(name: string, child: Deno.ChildProcess, stdinPiped: boolean) {
    this.name = name;
    this.#child = child;
    this.#stdoutDone = this.#readLines(child.stdout);
    this.#stderrDone = (async () => {
      for await (
        const chunk of child.stderr.pipeThrough(new TextDecoderStream())
      ) {
        this.stderr += chunk;
      }
    })();
    if (stdinPiped) this.#stdin = child.stdin.getWriter();
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** Every stdout line parsed as JSON (lines that are not JSON are skipped). */
  get records(): Record<string, unknown>[] {
    const records = [];
    for (const line of this.lines) {
      try {
        records.push(JSON.parse(line));
      } catch {
        // a human line
      }
    }
    return records;
  }

  /** Waits until a stdout line satisfies `match`; returns it. Rejects after `timeoutMs`. */
  async waitForLine(
    match: (line: string) => boolean,
    timeoutMs = 10_000,
  ): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.lines.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name}: no matching line within ${timeoutMs} ms; stdout:\n${
            this.lines.join("\n")
          }\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
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
    if (!this.#stdin) throw new Error("stdin was not piped");
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Closes the process's standard input. */
  async closeStdin(): Promise<void> {
    await this.#stdin?.close();
  }

  /** Sends a signal (default SIGTERM). */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  /** Waits for exit; returns the code and all output. */
  async finished(): Promise<
    { code: number; signal: string | null; stdout: string; stderr: string }
  > {
    const status = await this.#child.status;
    await this.#stdoutDone;
    await this.#stderrDone;
    return {
      code: status.code,
      signal: status.signal,
      stdout: this.lines.join("\n"),
      stderr: this.stderr,
    };
  }

  async #readLines(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const lines of lineBatches(stream)) {
      for (const line of lines) this.lines.push(line);
      this.#wake();
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
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
  const child = new Deno.Command(program, {
    args,
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
    env: {
      NO_COLOR: "1",
      LANG: "C.UTF-8",
      DENO_NO_UPDATE_CHECK: "1",
      ...options.env,
    },
  }).spawn();
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
