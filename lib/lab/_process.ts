/**
 * One role running on a lab host (`ip netns exec <ns> deno run …`), with its
 * output collected line by line as it arrives.
 *
 * @module
 */

import { lineBatches } from "../cli/_lines.ts";
import { displayText } from "../cli/display.ts";
import { RuntimeError } from "../cli/errors.ts";
import { IP } from "./_ip.ts";
import { execArgs } from "./netns.ts";

/** Lines kept per process; a flooding role's later lines are counted only. */
const MAX_LINES = 50_000;
/** Human lines kept from the start and from the end of a role's transcript. */
const TEXT_HEAD = 200;
const TEXT_TAIL = 200;

/** How a process ended. */
export interface ProcessEnd {
  /** Exit code. */
  code: number;
  /** The signal that ended it, if any. */
  signal: string | null;
}

/** What {@linkcode LabProcess} runs, and where. */
export interface ProcessOptions {
  /** The lab host's name (for messages). */
  host: string;
  /** The host's network namespace. */
  netns: string;
  /** The program and its arguments, run in the namespace. */
  command: string[];
  /** The working directory. */
  cwd: string;
}

/** A role process on a lab host. */
export class LabProcess {
  /** The host it runs on. */
  readonly host: string;
  /** Every line of standard output so far. */
  readonly lines: string[] = [];
  /** Every JSON record of standard output so far (`text` records aside). */
  readonly records: Record<string, unknown>[] = [];
  /**
   * The role's human lines (its `text` records, from `--json-text`): what
   * it would have printed on a terminal. The first and last 200 are kept.
   */
  readonly text: string[] = [];
  /** Human lines between the kept head and tail. */
  textDropped = 0;
  /** Standard error so far. */
  stderr = "";
  /** Lines not kept because of the cap. */
  dropped = 0;
  /** When the last output arrived (ms since the epoch). */
  lastOutputAt: number = Date.now();
  /** How it ended, once it has. */
  end: ProcessEnd | undefined;
  /** Resolves when it has exited and its output is read. */
  readonly done: Promise<ProcessEnd>;
  #child: Deno.ChildProcess;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #wake: (() => void)[] = [];

  /** Starts `ip netns exec <netns> <command…>` from `cwd`. */
  constructor(options: ProcessOptions) {
    const { host, netns, command, cwd } = options;
    this.host = host;
    const child = new Deno.Command(IP, {
      args: execArgs(netns, command),
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    const stdout = this.#readLines();
    const stderr = (async () => {
      for await (
        const chunk of child.stderr.pipeThrough(new TextDecoderStream())
      ) {
        if (this.stderr.length < 65_536) this.stderr += chunk;
        this.lastOutputAt = Date.now();
      }
    })();
    this.done = (async () => {
      const status = await child.status;
      await Promise.all([stdout, stderr]);
      this.end = { code: status.code, signal: status.signal };
      this.#notify();
      this.#stdin?.releaseLock();
      return this.end;
    })();
  }

  /**
   * Types `lines` into standard input. They go into the transcript too, as
   * `> line`: a terminal would have shown them where they were typed.
   */
  async type(lines: string[]): Promise<void> {
    if (!this.#stdin || lines.length === 0) return;
    // Escaped: a line from lab.yaml may hold ESC or BEL.
    for (const line of lines) this.#addText(`> ${displayText(line)}`);
    try {
      await this.#stdin.write(
        new TextEncoder().encode(lines.map((l) => l + "\n").join("")),
      );
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
  kill(signal: Deno.Signal): void {
    if (this.end) return;
    try {
      this.#child.kill(signal);
    } catch {
      // already gone
    }
  }

  /**
   * Waits for a record of `type`. Rejects with a {@linkcode RuntimeError} if
   * the process exits first or `signal` aborts.
   */
  async waitForRecord(
    type: string,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    // Records already looked at were not it: a flood's wake-ups look only at new ones.
    let next = 0;
    while (true) {
      for (; next < this.records.length; next++) {
        if (this.records[next].type === type) return this.records[next];
      }
      if (this.end) {
        const last = lastLine(this.stderr);
        throw new RuntimeError({
          en:
            `${this.host}: exited (code ${this.end.code}) before a "${type}" record${last}`,
          id:
            `${this.host}: keluar (kode ${this.end.code}) sebelum rekaman "${type}"${last}`,
        });
      }
      if (signal.aborted) {
        throw new RuntimeError({
          en: `${this.host}: no "${type}" record in time`,
          id: `${this.host}: rekaman "${type}" tidak datang tepat waktu`,
        });
      }
      await new Promise<void>((resolve) => {
        this.#wake.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  async #readLines(): Promise<void> {
    for await (const lines of lineBatches(this.#child.stdout)) {
      for (const line of lines) this.#add(line);
      this.lastOutputAt = Date.now();
      this.#notify();
    }
  }

  #add(line: string): void {
    if (line.startsWith('{"type":"text",')) {
      try {
        this.#addText(String(JSON.parse(line).text));
        return;
      } catch {
        // not a text record after all
      }
    }
    // The role showed a typed line itself, where its terminal shows it
    // (after its prompt): the runner's own `> line` is then one too many.
    if (line.startsWith('{"type":"typed",')) {
      try {
        const at = this.text.indexOf(`> ${JSON.parse(line).text}`);
        if (at >= 0) this.text.splice(at, 1);
        return;
      } catch {
        // not a typed record after all
      }
    }
    // A flood must not fill memory: past the cap only summaries are kept.
    if (this.lines.length >= MAX_LINES && !line.includes('"summary"')) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    try {
      const value = JSON.parse(line);
      if (value !== null && typeof value === "object") this.records.push(value);
    } catch {
      // not a JSON line
    }
  }

  /** Keeps the head and a sliding tail of the human lines. */
  #addText(line: string): void {
    if (this.text.length >= TEXT_HEAD + TEXT_TAIL) {
      this.text.splice(TEXT_HEAD, 1);
      this.textDropped++;
    }
    this.text.push(line);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const resolve of wake) resolve();
  }
}

/** `": <last line of stderr>"`, or nothing when stderr is empty. */
export function lastLine(text: string): string {
  const line = text.trim().split("\n").at(-1)?.trim();
  return line ? `: ${line}` : "";
}
