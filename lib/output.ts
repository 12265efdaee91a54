/**
 * What a program prints: human lines or, with `--json`, one JSON object per
 * line. Writes are batched (a flood of datagrams must not cost one system
 * call each) and flushed within a few milliseconds, so a person watching
 * still sees every line as it happens.
 *
 * @module
 */

import { styleText } from "node:util";
import { readEnv } from "./i18n.ts";

/** Where bytes go; `Deno.stdout` and `Deno.stderr` fit. */
export interface SyncWriter {
  /** Writes some of `p`, returning how many bytes were written. */
  writeSync(p: Uint8Array): number;
  /** Whether the writer is a terminal (enables colour). */
  isTerminal?(): boolean;
}

/** Options for {@linkcode Output}. */
export interface OutputOptions {
  /** Print JSON lines instead of human lines. */
  json?: boolean;
  /**
   * With `json`: also print each human line, as a `{"type":"text"}` record,
   * so a program reading the records can show what a person would have seen.
   */
  jsonText?: boolean;
  /** Where to write; default `Deno.stdout`. */
  writer?: SyncWriter;
  /** Flush once this many bytes are pending; default 64 KiB. */
  highWaterMark?: number;
  /** Flush pending lines after this many milliseconds; default 10. */
  flushDelayMs?: number;
}

/** The colours {@linkcode Output.style} knows. */
export type Colour = "green" | "yellow" | "red" | "cyan" | "dim" | "bold";

const ENCODER = new TextEncoder();

/** A batched line printer for human text or JSON lines. */
export class Output {
  /** Whether this output prints JSON lines. */
  readonly json: boolean;
  #jsonText: boolean;
  #writer: SyncWriter;
  #pending: string[] = [];
  #pendingLength = 0;
  #highWaterMark: number;
  #flushDelayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #colour: boolean;
  #broken = false;

  /** Creates an output; see {@linkcode OutputOptions}. */
  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.#jsonText = this.json && (options.jsonText ?? false);
    this.#writer = options.writer ?? Deno.stdout;
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#flushDelayMs = options.flushDelayMs ?? 10;
    this.#colour = !this.json && !readEnv("NO_COLOR") &&
      (this.#writer.isTerminal?.() ?? false);
  }

  /** Prints a human line (ignored in JSON mode unless `jsonText`). */
  line(text: string): void {
    if (!this.json) this.#push(text);
    else if (this.#jsonText) {
      this.#push(JSON.stringify({ type: "text", text }));
    }
  }

  /** Prints a JSON record (ignored in human mode). */
  record(value: Record<string, unknown>): void {
    if (this.json) this.#push(JSON.stringify(value));
  }

  /** Colours `text` when printing to a terminal; returns it unchanged otherwise. */
  style(colour: Colour, text: string): string {
    return this.#colour ? styleText(colour, text) : text;
  }

  /** Writes everything pending now. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#pending.length === 0) return;
    const bytes = ENCODER.encode(this.#pending.join(""));
    this.#pending = [];
    this.#pendingLength = 0;
    writeAll(this.#writer, bytes, () => this.#broken = true);
  }

  /**
   * Whether human lines are printed: without `--json`, or with `--json`
   * and `jsonText`. Code that builds lines only for people checks this.
   */
  get showsLines(): boolean {
    return !this.json || this.#jsonText;
  }

  /** Whether the reader of this output has gone away (e.g. `| head`). */
  get broken(): boolean {
    return this.#broken;
  }

  #push(text: string): void {
    if (this.#broken) return;
    this.#pending.push(text, "\n");
    this.#pendingLength += text.length + 1;
    if (this.#pendingLength >= this.#highWaterMark) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.flush();
      }, this.#flushDelayMs);
    }
  }
}

/** Writes every byte, looping over partial writes; calls `onBroken` if the reader is gone. */
function writeAll(
  writer: SyncWriter,
  bytes: Uint8Array,
  onBroken: () => void,
): void {
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += writer.writeSync(bytes.subarray(offset));
    }
  } catch (err) {
    if (err instanceof Deno.errors.BrokenPipe) {
      onBroken();
      return;
    }
    throw err;
  }
}

/** Prints one line to standard error at once (diagnostics, errors). */
export function printError(text: string): void {
  writeAll(Deno.stderr, ENCODER.encode(text + "\n"), () => {});
}
