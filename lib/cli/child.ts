/**
 * Internal: starting roles as separate processes with the command line
 * `deno task <role>` runs, and reading their JSON lines as they come. Used by
 * the demo, which runs the broadcast lab's hosts as processes.
 *
 * @module
 */

import { lineBatches } from "./_lines.ts";
import { roleCommand } from "../roles.ts";

const ROOT = new URL("../../", import.meta.url);

/** A role running as its own process, its JSON records collected. */
export class Spawned {
  /** Every JSON record printed so far. */
  readonly records: Record<string, unknown>[] = [];
  /** Standard error, collected. */
  stderr = "";
  #child: Deno.ChildProcess;
  #done: Promise<void>;
  #ended = false;
  #waiters: (() => void)[] = [];

  /** Starts role `name` with `args` (which should include `--json`). */
  constructor(name: string, args: string[]) {
    const [program, ...rest] = roleCommand(name, args);
    this.#child = new Deno.Command(program, {
      args: rest,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // The demo's own processes: no "is there a newer deno?" lookups.
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    this.#done = Promise.all([
      this.#readRecords(this.#child.stdout),
      this.#readStderr(this.#child.stderr),
    ]).then(() => {
      this.#ended = true;
      this.#wake();
    });
  }

  /** Resolves to the first record satisfying `match` (and `undefined` if the process ends first). */
  async waitFor(
    match: (record: Record<string, unknown>) => boolean,
  ): Promise<Record<string, unknown> | undefined> {
    // Records already looked at did not match: each wake-up looks only at new ones.
    let next = 0;
    while (true) {
      for (; next < this.records.length; next++) {
        if (match(this.records[next])) return this.records[next];
      }
      if (this.#ended) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Sends a signal; a process already gone is fine. */
  kill(signal: Deno.Signal = "SIGTERM"): void {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
  }

  /** Waits for the process to exit; resolves to its exit code. */
  async exited(): Promise<number> {
    const status = await this.#child.status;
    await this.#done;
    return status.code;
  }

  async #readRecords(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const lines of lineBatches(stream)) {
      for (const line of lines) {
        try {
          this.records.push(JSON.parse(line));
        } catch {
          // not a JSON line
        }
      }
      this.#wake();
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #readStderr(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      this.stderr += chunk;
    }
  }
}
