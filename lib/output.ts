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
  // Pending output as bytes, encoded as each line arrives and reused after
  // every flush: a flood of lines then leaves no strings for the garbage
  // collector to copy around, and a flush is one write with no join/encode.
  #buffer: Uint8Array;
  #length = 0;
  #highWaterMark: number;
  #flushDelayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #colour: boolean;
  #broken = false;
  /** A write error in a timed flush, for the next {@linkcode flush} to throw. */
  #failure: unknown;

  /** Creates an output; see {@linkcode OutputOptions}. */
  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.#jsonText = this.json && (options.jsonText ?? false);
    this.#writer = options.writer ?? Deno.stdout;
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#flushDelayMs = options.flushDelayMs ?? 10;
    this.#buffer = new Uint8Array(this.#highWaterMark + 4096);
    this.#colour = !this.json && !readEnv("NO_COLOR") &&
      (this.#writer.isTerminal?.() ?? false);
  }

  /** Prints a human line (ignored in JSON mode unless `jsonText`). */
  line(text: string): void {
    if (!this.json) this.#pushText(text);
    else if (this.#jsonText) {
      this.#pushText(JSON.stringify({ type: "text", text }));
    }
  }

  /** Prints a JSON record (ignored in human mode). */
  record(value: Record<string, unknown>): void {
    if (this.json) this.#pushText(JSON.stringify(value));
  }

  /**
   * Appends bytes that are already display-safe text (ignored in JSON mode):
   * the receivers' fast path for a flood of plain-ASCII datagrams, so a line
   * can be assembled from pre-encoded pieces and the payload's own bytes.
   * The caller supplies the newlines. Never pass raw peer bytes that
   * `displayBytes` would change (see `displaysAsIs` in display.ts).
   */
  bytes(chunk: Uint8Array): void {
    if (this.json || this.#broken) return;
    this.#reserve(chunk.length);
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
    this.#scheduleFlush();
  }

  /** Colours `text` when printing to a terminal; returns it unchanged otherwise. */
  style(colour: Colour, text: string): string {
    // The decision is made (#colour): without validateStream: false,
    // styleText reads more environment variables, and Deno asks for them.
    return this.#colour
      ? styleText(colour, text, { validateStream: false })
      : text;
  }

  /**
   * Writes everything pending now. Throws what writing throws (a reader that
   * is gone is not an error), including a failure of an earlier timed flush.
   */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    if (this.#length === 0) return;
    const length = this.#length;
    this.#length = 0;
    // writeAll copies synchronously, so the buffer can be reused at once.
    writeAll(
      this.#writer,
      this.#buffer.subarray(0, length),
      () => this.#broken = true,
    );
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

  #pushText(text: string): void {
    if (this.#broken) return;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, plus the newline.
    this.#reserve(text.length * 3 + 1);
    const buffer = this.#buffer;
    let at = this.#length;
    // ASCII is copied in place (most lines are); anything else is encoded.
    let i = 0;
    for (; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) break;
      buffer[at++] = code;
    }
    if (i < text.length) {
      at += ENCODER.encodeInto(text.slice(i), buffer.subarray(at)).written;
    }
    buffer[at++] = 0x0a;
    this.#length = at;
    this.#scheduleFlush();
  }

  /** Makes room for `size` more bytes, flushing or growing the buffer. */
  #reserve(size: number): void {
    if (this.#length + size <= this.#buffer.length) return;
    this.flush();
    if (size > this.#buffer.length) this.#buffer = new Uint8Array(size);
  }

  #scheduleFlush(): void {
    if (this.#length >= this.#highWaterMark) {
      this.flush();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        // A timer has no caller to throw to (it would be an uncaught error
        // with a stack trace): keep the failure for the role's next flush,
        // which ends the role with one line, and print nothing more.
        try {
          this.flush();
        } catch (err) {
          this.#failure = err;
          this.#broken = true;
        }
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
