/**
 * The one helper for running a program as a child process and reading its
 * output line by line as it comes: its JSON records collected, its standard
 * error kept, its standard input typed into. The demo, the lab's roles on
 * their hosts and the tests all start their processes with it.
 *
 * @example Run a program and read its output
 * ```ts
 * import { Child } from "./child.ts";
 *
 * // The first line `deno --version` prints, or `undefined` if it fails.
 * async function denoVersion(): Promise<string | undefined> {
 *   const child = new Child(Deno.execPath(), { args: ["--version"] });
 *   const end = await child.done;
 *   return end.code === 0 ? child.lines[0] : undefined;
 * }
 * ```
 *
 * @module
 */

import { lineBatches } from "./_lines.ts";

/** How a child process ended. */
export interface ChildEnd {
  /** Exit code. */
  code: number;
  /** The signal that ended it, if any. */
  signal: string | null;
}

/** Options for {@linkcode Child}. */
export interface ChildOptions {
  /** The program's arguments. */
  args?: string[];
  /** The working directory (default: this process's). */
  cwd?: string | URL;
  /** Environment variables added to this process's. */
  env?: Record<string, string>;
  /** Pipe standard input, to type into it (default: none). */
  stdin?: boolean;
  /**
   * Looks at each line of standard output first; `false` keeps it out of
   * {@linkcode Child.lines} and {@linkcode Child.records} (a caller's own
   * bookkeeping, a cap on what is kept).
   */
  keep?: (line: string) => boolean;
  /** Characters of standard error kept (default: all). */
  maxStderr?: number;
}

/** Options for {@linkcode Child.waitFor} and {@linkcode Child.waitForLine}. */
export interface WaitOptions {
  /** Gives up (resolving to `undefined`) when it aborts. */
  signal?: AbortSignal;
}

/** A program running as a child process, its output collected. */
export class Child {
  /** Every line of standard output kept so far. */
  readonly lines: string[] = [];
  /** When each of {@linkcode Child.lines} was read (ms since the epoch). */
  readonly lineTimes: number[] = [];
  /** Every JSON object among {@linkcode Child.lines}. */
  readonly records: Record<string, unknown>[] = [];
  /** Standard error so far. */
  stderr = "";
  /** When the last output arrived (ms since the epoch). */
  lastOutputAt: number = Date.now();
  /** How it ended, once it has exited and its output is read. */
  end: ChildEnd | undefined;
  /** Resolves when it has exited and its output is read. */
  readonly done: Promise<ChildEnd>;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #keep: (line: string) => boolean;
  #waiters: (() => void)[] = [];

  /** Starts `program` with `options.args`. */
  constructor(program: string, options: ChildOptions = {}) {
    this.#keep = options.keep ?? (() => true);
    const maxStderr = options.maxStderr ?? Infinity;
    const child = new Deno.Command(program, {
      args: options.args ?? [],
      cwd: options.cwd,
      stdin: options.stdin ? "piped" : "null",
      stdout: "piped",
      stderr: "piped",
      env: options.env,
    }).spawn();
    this.#child = child;
    if (options.stdin) this.#stdin = child.stdin.getWriter();
    const stdout = this.#readLines(child.stdout);
    const stderr = (async () => {
      for await (
        const chunk of child.stderr.pipeThrough(new TextDecoderStream())
      ) {
        if (this.stderr.length < maxStderr) this.stderr += chunk;
        this.lastOutputAt = Date.now();
      }
    })();
    this.done = (async () => {
      const status = await child.status;
      await Promise.all([stdout, stderr]);
      this.end = { code: status.code, signal: status.signal };
      this.#wake();
      this.#stdin?.releaseLock();
      return this.end;
    })();
  }

  /** The OS process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /**
   * Resolves to the first record satisfying `match`; to `undefined` if the
   * process ends first or `options.signal` aborts.
   */
  waitFor(
    match: (record: Record<string, unknown>) => boolean,
    options: WaitOptions = {},
  ): Promise<Record<string, unknown> | undefined> {
    return this.#first(this.records, match, options.signal);
  }

  /** Like {@linkcode Child.waitFor}, for a line of standard output. */
  waitForLine(
    match: (line: string) => boolean,
    options: WaitOptions = {},
  ): Promise<string | undefined> {
    return this.#first(this.lines, match, options.signal);
  }

  /** Writes `text` to standard input; a process gone already is fine. */
  async write(text: string): Promise<void> {
    if (!this.#stdin) return;
    try {
      await this.#stdin.write(new TextEncoder().encode(text));
    } catch {
      // exited already; its exit code will tell
    }
  }

  /** Closes standard input (end of input, like Ctrl+D). */
  async closeInput(): Promise<void> {
    const stdin = this.#stdin;
    this.#stdin = undefined;
    try {
      await stdin?.close();
    } catch {
      // exited already
    }
  }

  /** Sends a signal, unless it has exited. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    if (this.end) return;
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  async #first<T>(
    items: T[],
    match: (item: T) => boolean,
    signal: AbortSignal | undefined,
  ): Promise<T | undefined> {
    const wakeOnAbort = () => this.#wake();
    signal?.addEventListener("abort", wakeOnAbort);
    try {
      // Items already looked at did not match: a flood's wake-ups look only at new ones.
      let next = 0;
      while (true) {
        for (; next < items.length; next++) {
          if (match(items[next])) return items[next];
        }
        if (this.end || signal?.aborted) return undefined;
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
    } finally {
      signal?.removeEventListener("abort", wakeOnAbort);
    }
  }

  async #readLines(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const lines of lineBatches(stream)) {
      // One clock reading per batch: the lines arrived together.
      const now = Date.now();
      for (const line of lines) {
        if (!this.#keep(line)) continue;
        this.lines.push(line);
        this.lineTimes.push(now);
        try {
          const value = JSON.parse(line);
          if (value !== null && typeof value === "object") {
            this.records.push(value);
          }
        } catch {
          // a human line
        }
      }
      this.lastOutputAt = Date.now();
      this.#wake();
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Runs `program` on this terminal (stdin, stdout and stderr inherited) and
 * resolves to its exit code. Ctrl+C belongs to it: the terminal sends it to
 * the whole foreground group, so this process only waits. Throws what
 * spawning throws (`Deno.errors.NotFound` for a missing program).
 */
export async function runOnTerminal(
  program: string,
  args: string[],
): Promise<number> {
  const child = new Deno.Command(program, {
    args,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}
