/**
 * What a program prints: human lines or, with `--json`, one JSON object per
 * line. Writes are batched (a flood of datagrams must not cost one system
 * call each) and flushed within a few milliseconds, so a person watching
 * still sees every line as it happens.
 *
 * Batches go through a bounded queue that is written asynchronously, so a
 * console that stops reading (a pipe nobody reads, a terminal paused with
 * Ctrl+S, a stalled SSH session) never stops the program: while the queue is
 * full, new lines are dropped and counted, and once the console has caught
 * up "… N lines not shown" is printed (with `--json`, a `not-shown` record).
 *
 * @example Print human lines, or JSON records with `--json`
 * ```ts
 * import { Output } from "./output.ts";
 *
 * const out = new Output({ json: false });
 * out.line("listening on udp 0.0.0.0:5005"); // printed: a human line
 * out.record({ type: "listening", port: 5005 }); // skipped: not --json
 * await out.close();
 * ```
 *
 * @module
 */

import { writeFully } from "./_write_fully.ts";
import { type Lang, plural } from "./i18n.ts";
import { readEnv } from "./i18n.ts";
import type { Recorder } from "./recording.ts";

/** Where bytes go; `Deno.stdout` and `Deno.stderr` fit. */
export interface ConsoleWriter {
  /** Writes some of `p`, resolving to how many bytes were written. */
  write(p: Uint8Array): Promise<number>;
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
  writer?: ConsoleWriter;
  /** Flush once this many bytes are pending; default 64 KiB. */
  highWaterMark?: number;
  /** Flush pending lines after this many milliseconds; default 10. */
  flushDelayMs?: number;
  /**
   * Most bytes waiting for a slow console before lines are dropped; default
   * {@linkcode TEXT_QUEUE_LIMIT}, or {@linkcode JSON_QUEUE_LIMIT} with `json`.
   */
  queueLimit?: number;
  /** Language of the "lines not shown" notices; default English. */
  lang?: Lang;
  /**
   * Also appends every record and human line here, whatever is printed
   * (a role on a lab host: `lib/cli/recording.ts`).
   */
  recorder?: Recorder;
}

/** Options for {@linkcode Output.close}. */
export interface CloseOptions {
  /** Stop waiting for a slow console after this many milliseconds. */
  timeoutMs?: number;
  /** Stop waiting for a slow console when this is aborted. */
  signal?: AbortSignal;
}

/**
 * Human output waiting for a slow console before lines are dropped: far
 * more than a screen, little enough that a paused terminal costs no memory.
 */
export const TEXT_QUEUE_LIMIT = 1024 * 1024;
/**
 * JSON records waiting for a slow reader before records are dropped (and
 * counted in a `not-shown` record). Programs read records as they come; a
 * reader this far behind is not reading.
 */
export const JSON_QUEUE_LIMIT = 16 * 1024 * 1024;

/** The colours {@linkcode Output.style} knows. */
export type Colour = "green" | "yellow" | "red" | "cyan" | "dim" | "bold";

// SGR codes, written here rather than by `styleText`, which reads Node's
// colour variables (TERM, CI, …) and so asks for env permissions on a TTY.
const SGR: Record<Colour, [number, number]> = {
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

const NOT_SHOWN = {
  en: {
    now: (n: number) => `… ${plural(n, "line", "lines")} not shown`,
    total: (n: number) =>
      `… ${
        plural(n, "line", "lines")
      } not shown in all: the console did not keep up`,
  },
  id: {
    now: (n: number) => `… ${n} baris tidak ditampilkan`,
    total: (n: number) =>
      `… total ${n} baris tidak ditampilkan: konsol tidak bisa mengikuti`,
  },
};

const ENCODER = new TextEncoder();
const NEWLINE = 0x0a;

/**
 * The bytes waiting for one writer, written in order by one asynchronous
 * write at a time. Shared by every {@linkcode Output} on that writer and by
 * {@linkcode writeConsole}, so their bytes keep their order.
 */
class ConsoleQueue {
  #writer: ConsoleWriter;
  // Bytes to write, and writes elsewhere (standard error) to make in order.
  #chunks: (Uint8Array | (() => void))[] = [];
  #bytes = 0;
  #writing = false;
  #released = false;
  #idle: (() => void)[] = [];
  /** Set when the reader has gone away (e.g. `| head`): nothing more is written. */
  broken = false;
  /** A write error, for the next flush to throw. */
  failure: unknown;
  /** Lines dropped since the last notice. */
  dropped = 0;
  /** Lines dropped in all. */
  droppedTotal = 0;
  /** Formats the notice printed once the queue drains after drops. */
  notice: ((lines: number) => Uint8Array) | undefined;

  constructor(writer: ConsoleWriter) {
    this.#writer = writer;
  }

  /** Whether nothing is waiting or being written. */
  get idle(): boolean {
    return !this.#writing && this.#chunks.length === 0;
  }

  /**
   * Queues a copy of `bytes`. Past `limit` queued bytes, and from then on
   * until the queue drains, they are dropped and their lines counted instead
   * (without a limit, never).
   */
  push(bytes: Uint8Array, limit = Infinity): void {
    if (this.broken || bytes.length === 0) return;
    // Once dropping, keep dropping until the console has caught up, so the
    // notice stands where the gap is.
    if (
      limit !== Infinity &&
      (this.dropped > 0 ||
        (this.#bytes > 0 && this.#bytes + bytes.length > limit))
    ) {
      const lines = countLines(bytes);
      this.dropped += lines;
      this.droppedTotal += lines;
      return;
    }
    this.#chunks.push(bytes.slice());
    this.#bytes += bytes.length;
    if (!this.#writing) void this.#pump();
  }

  /** Resolves once everything queued is written (or cannot be). */
  drained(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /**
   * Runs `write` once everything queued before it is written: on a terminal
   * an error line must not come before the lines that led to it (nor be
   * wiped by a prompt's redraw queued before it).
   */
  defer(write: () => void): void {
    if (this.idle || this.broken || this.#released) write();
    else this.#chunks.push(write);
  }

  /**
   * Drops the bytes waiting to be written (not the write in progress, nor
   * deferred writes) and counts their lines as not shown.
   */
  discard(): void {
    let lines = 0;
    this.#chunks = this.#chunks.filter((c) => {
      if (typeof c === "function") return true;
      lines += countLines(c);
      return false;
    });
    this.#bytes = 0;
    this.droppedTotal += lines;
  }

  /**
   * Runs every deferred write now, and later ones at once: the program has
   * stopped waiting for this writer (it ends).
   */
  release(): void {
    this.#released = true;
    const deferred = this.#chunks.filter((c) => typeof c === "function");
    this.#chunks = this.#chunks.filter((c) => typeof c !== "function");
    for (const write of deferred) write();
  }

  async #pump(): Promise<void> {
    this.#writing = true;
    while (this.#chunks.length > 0) {
      if (typeof this.#chunks[0] === "function") {
        (this.#chunks.shift() as () => void)();
        continue;
      }
      // Whatever piled up during the last write goes out in one write (up
      // to a deferred write, which must come after it).
      let end = this.#chunks.findIndex((c) => typeof c === "function");
      if (end < 0) end = this.#chunks.length;
      const bytes = this.#chunks.slice(0, end) as Uint8Array[];
      this.#chunks = this.#chunks.slice(end);
      const chunk = bytes.length === 1 ? bytes[0] : concat(bytes);
      try {
        await writeFully(this.#writer, chunk);
      } catch (err) {
        this.broken = true;
        if (!(err instanceof Deno.errors.BrokenPipe)) this.failure = err;
        this.release();
        this.#chunks = [];
      }
      this.#bytes = this.#chunks.reduce(
        (n, c) => n + (typeof c === "function" ? 0 : c.length),
        0,
      );
      if (
        this.#chunks.length === 0 && this.dropped > 0 && !this.broken &&
        this.notice
      ) {
        const notice = this.notice(this.dropped);
        this.dropped = 0;
        this.#chunks.push(notice);
        this.#bytes = notice.length;
      }
    }
    this.#writing = false;
    const idle = this.#idle;
    this.#idle = [];
    for (const resolve of idle) resolve();
  }
}

const QUEUES = new WeakMap<ConsoleWriter, ConsoleQueue>();

function queueFor(writer: ConsoleWriter): ConsoleQueue {
  let queue = QUEUES.get(writer);
  if (!queue) {
    queue = new ConsoleQueue(writer);
    QUEUES.set(writer, queue);
  }
  return queue;
}

/** A batched line printer for human text or JSON lines. */
export class Output {
  /** Whether this output prints JSON lines. */
  readonly json: boolean;
  #jsonText: boolean;
  #queue: ConsoleQueue;
  #queueLimit: number;
  #lang: Lang;
  // Pending output as bytes, encoded as each line arrives and reused after
  // every flush: a flood of lines then leaves no strings for the garbage
  // collector to copy around, and a flush is one copy with no join/encode.
  #buffer: Uint8Array;
  #length = 0;
  #highWaterMark: number;
  #flushDelayMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #colour: boolean;
  #recorder: Recorder | undefined;

  /** Creates an output; see {@linkcode OutputOptions}. */
  constructor(options: OutputOptions = {}) {
    this.json = options.json ?? false;
    this.#jsonText = this.json && (options.jsonText ?? false);
    const writer = options.writer ?? Deno.stdout;
    this.#queue = queueFor(writer);
    this.#queueLimit = options.queueLimit ??
      (this.json ? JSON_QUEUE_LIMIT : TEXT_QUEUE_LIMIT);
    this.#lang = options.lang ?? "en";
    this.#queue.notice = (n) => this.#encodeNotice(n, false);
    this.#highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#flushDelayMs = options.flushDelayMs ?? 10;
    this.#buffer = new Uint8Array(this.#highWaterMark + 4096);
    this.#colour = !this.json && !readEnv("NO_COLOR") &&
      (writer.isTerminal?.() ?? false);
    this.#recorder = options.recorder;
  }

  /**
   * Whether records are wanted even without `--json` (a recording): code
   * that builds records only for `--json` checks this instead.
   */
  get recording(): boolean {
    return this.#recorder !== undefined;
  }

  /** Prints a human line (ignored in JSON mode unless `jsonText`). */
  line(text: string): void {
    this.#recorder?.text(text);
    if (!this.json) this.#pushText(text);
    else if (this.#jsonText) {
      this.#pushText(JSON.stringify({ type: "text", text }));
    }
  }

  /**
   * Records the human lines that each following `datagram` record with a
   * plain text was printed as through {@linkcode bytes} (the receivers' fast
   * path), its text in place of `PATTERN_MARK`; `null`: none. Prints
   * nothing, and does nothing without a recording.
   */
  recordPattern(lines: string[] | null): void {
    this.#recorder?.pattern(lines);
  }

  /**
   * Records a human line the terminal showed that was not printed through
   * this output (a prompt with the line typed at it, a chat line drawn
   * above the input line); prints nothing, and does nothing without a
   * recording.
   */
  recordLine(text: string): void {
    this.#recorder?.text(text);
  }

  /** Records a JSON record without printing it (a recording only). */
  recordOnly(value: Record<string, unknown>): void {
    this.#recorder?.record(value);
  }

  /** Prints a JSON record (ignored in human mode). */
  record(value: Record<string, unknown>): void {
    this.#recorder?.record(value);
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
    if (this.json || this.#queue.broken) return;
    this.#reserve(chunk.length);
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.length;
    this.#scheduleFlush();
  }

  /** Colours `text` when printing to a terminal; returns it unchanged otherwise. */
  style(colour: Colour, text: string): string {
    if (!this.#colour) return text;
    const [on, off] = SGR[colour];
    return `\x1b[${on}m${text}\x1b[${off}m`;
  }

  /**
   * Hands everything pending to the console queue now, without waiting for
   * it to be written (see {@linkcode drained}). Throws a write failure of an
   * earlier flush (a reader that is gone is not an error).
   */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#throwFailure();
    if (this.#length === 0) return;
    const length = this.#length;
    this.#length = 0;
    // push copies, so the buffer can be reused at once.
    this.#queue.push(this.#buffer.subarray(0, length), this.#queueLimit);
  }

  /**
   * Flushes and resolves once everything printed so far is written, e.g.
   * before a child process writes to the same terminal.
   */
  async drained(): Promise<void> {
    this.flush();
    await this.#queue.drained();
  }

  /**
   * The last output of a program: flushes, waits for the console (at most
   * `timeoutMs`, or until `signal` is aborted), prints how many lines were
   * not shown in all, if any (human output), and throws a write failure. Never waits
   * forever when given a limit: a console that is not read does not keep
   * the program from ending.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const givenUp = new Promise<void>((resolve) => {
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(resolve, options.timeoutMs);
      }
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener("abort", () => resolve());
    });
    try {
      // Lines dropped so far get their notice first; then the last lines
      // (the summary), which are never dropped.
      await Promise.race([this.#queue.drained(), givenUp]);
      this.#throwFailure();
      if (this.#length > 0) {
        this.#queue.push(this.#buffer.subarray(0, this.#length));
        this.#length = 0;
      }
      // Records end with the summary (programs read the last one); the
      // `not-shown` records already carry the counts.
      if (!this.json && this.#queue.droppedTotal > 0) {
        this.#queue.push(this.#encodeNotice(this.#queue.droppedTotal, true));
        this.#queue.droppedTotal = 0;
      }
      await Promise.race([this.#queue.drained(), givenUp]);
      this.#throwFailure();
    } finally {
      clearTimeout(timer);
      // Given up on a stalled console: errors still get to standard error.
      if (!this.#queue.idle) this.#queue.release();
    }
  }

  #throwFailure(): void {
    const failure = this.#queue.failure;
    if (failure !== undefined) {
      this.#queue.failure = undefined;
      throw failure;
    }
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
    return this.#queue.broken;
  }

  /** Lines (records, with `--json`) dropped so far because the console was behind. */
  get notShown(): number {
    return this.#queue.droppedTotal;
  }

  #encodeNotice(lines: number, total: boolean): Uint8Array {
    const text = NOT_SHOWN[this.#lang];
    const line = this.json
      ? JSON.stringify(
        total
          ? { type: "not-shown", records: lines, total: true }
          : { type: "not-shown", records: lines },
      )
      : total
      ? text.total(lines)
      : text.now(lines);
    return ENCODER.encode(line + "\n");
  }

  #pushText(text: string): void {
    if (this.#queue.broken) return;
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
    buffer[at++] = NEWLINE;
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
        // with a stack trace): a failure stays for the role's next flush,
        // which ends the role with one line.
        if (this.#queue.failure !== undefined) return;
        this.flush();
      }, this.#flushDelayMs);
    }
  }
}

/**
 * Writes `text` to standard output in order with every {@linkcode Output}
 * on it, without blocking (prompts, echo, a terminal's line end on Ctrl+C).
 * Past the text queue limit it is dropped and counted like a line.
 */
export function writeConsole(text: string): void {
  queueFor(Deno.stdout).push(ENCODER.encode(text), TEXT_QUEUE_LIMIT);
}

/**
 * Drops the lines still waiting for the terminal on standard output (they
 * count as not shown), so what is printed next comes next: after Ctrl+C a
 * flood's backlog must not keep the summary off the screen. Only for a
 * terminal: a pipe or file gets every line it can take.
 */
export function skipConsoleBacklog(): void {
  if (Deno.stdout.isTerminal()) queueFor(Deno.stdout).discard();
}

/**
 * Prints one line to standard error (diagnostics, errors): at once, or on a
 * terminal right after the output queued before it.
 */
export function printError(text: string): void {
  const write = () => writeError(text);
  if (Deno.stdout.isTerminal()) queueFor(Deno.stdout).defer(write);
  else write();
}

function writeError(text: string): void {
  const bytes = ENCODER.encode(text + "\n");
  let offset = 0;
  try {
    while (offset < bytes.length) {
      offset += Deno.stderr.writeSync(bytes.subarray(offset));
    }
  } catch {
    // standard error is gone: nothing to tell it on
  }
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === NEWLINE) n++;
  // A piece of a line (a prompt) counts as one.
  return Math.max(n, 1);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}
