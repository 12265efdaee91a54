/**
 * One role running on a lab host (`ip netns exec <ns> deno run …`), with its
 * output collected line by line as it arrives.
 *
 * @module
 */

import { Child, type ChildEnd } from "../cli/child.ts";
import { displayText } from "../cli/display.ts";
import { RuntimeError } from "../cli/errors.ts";
import { IP } from "./ip.ts";
import { execArgs } from "./netns.ts";

/** Lines kept per process; a flooding role's later lines are counted only. */
const MAX_LINES = 50_000;
/** Human lines kept from the start and from the end of a role's transcript. */
const TEXT_HEAD = 200;
const TEXT_TAIL = 200;

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
  /**
   * The role's human lines (its `text` records, from `--json-text`): what
   * it would have printed on a terminal. The first and last 200 are kept.
   */
  readonly text: string[] = [];
  /** Human lines between the kept head and tail. */
  textDropped = 0;
  /** Lines not kept because of the cap. */
  dropped = 0;
  /** Resolves when it has exited and its output is read. */
  readonly done: Promise<ChildEnd>;
  #child: Child;

  /** Starts `ip netns exec <netns> <command…>` from `cwd`. */
  constructor(options: ProcessOptions) {
    const { host, netns, command, cwd } = options;
    this.host = host;
    this.#child = new Child(IP, {
      args: execArgs(netns, command),
      cwd,
      stdin: true,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      keep: (line) => this.#keep(line),
      maxStderr: 65_536,
    });
    this.done = this.#child.done;
  }

  /** Every line of standard output so far (`text` records aside). */
  get lines(): string[] {
    return this.#child.lines;
  }

  /** When each of {@linkcode LabProcess.lines} was read (ms since the epoch). */
  get lineTimes(): number[] {
    return this.#child.lineTimes;
  }

  /** Every JSON record of standard output so far (`text` records aside). */
  get records(): Record<string, unknown>[] {
    return this.#child.records;
  }

  /** Standard error so far. */
  get stderr(): string {
    return this.#child.stderr;
  }

  /** When the last output arrived (ms since the epoch). */
  get lastOutputAt(): number {
    return this.#child.lastOutputAt;
  }

  /** How it ended, once it has. */
  get end(): ChildEnd | undefined {
    return this.#child.end;
  }

  /**
   * Types `lines` into standard input. They go into the transcript too, as
   * `> line`: a terminal would have shown them where they were typed.
   */
  async type(lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    // Escaped: a line from lab.yaml may hold ESC or BEL.
    for (const line of lines) this.#addText(`> ${displayText(line)}`);
    await this.#child.write(lines.map((l) => l + "\n").join(""));
  }

  /** Closes standard input (end of input, like Ctrl+D). */
  closeInput(): Promise<void> {
    return this.#child.closeInput();
  }

  /** Sends a signal, unless it has exited. */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /**
   * Waits for a record of `type`. Rejects with a {@linkcode RuntimeError} if
   * the process exits first or `signal` aborts.
   */
  async waitForRecord(
    type: string,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const record = await this.#child.waitFor((r) => r.type === type, {
      signal,
    });
    if (record) return record;
    if (this.end) {
      const last = lastLine(this.stderr);
      throw new RuntimeError({
        en:
          `${this.host}: exited (code ${this.end.code}) before a "${type}" record${last}`,
        id:
          `${this.host}: keluar (kode ${this.end.code}) sebelum rekaman "${type}"${last}`,
      });
    }
    throw new RuntimeError({
      en: `${this.host}: no "${type}" record in time`,
      id: `${this.host}: rekaman "${type}" tidak datang tepat waktu`,
    });
  }

  /** Whether the child keeps `line` as output (the transcript's aside). */
  #keep(line: string): boolean {
    if (line.startsWith('{"type":"text",')) {
      try {
        this.#addText(String(JSON.parse(line).text));
        return false;
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
        return false;
      } catch {
        // not a typed record after all
      }
    }
    // A flood must not fill memory: past the cap only summaries are kept.
    if (this.lines.length >= MAX_LINES && !line.includes('"summary"')) {
      this.dropped++;
      return false;
    }
    return true;
  }

  /** Keeps the head and a sliding tail of the human lines. */
  #addText(line: string): void {
    if (this.text.length >= TEXT_HEAD + TEXT_TAIL) {
      this.text.splice(TEXT_HEAD, 1);
      this.textDropped++;
    }
    this.text.push(line);
  }
}

/** `": <last line of stderr>"`, or nothing when stderr is empty. */
export function lastLine(text: string): string {
  const line = text.trim().split("\n").at(-1)?.trim();
  return line ? `: ${line}` : "";
}
