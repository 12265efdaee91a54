/**
 * Line framing for the chat: the wire carries newline-terminated UTF-8
 * lines of at most {@linkcode MAX_LINE_BYTES} bytes.
 *
 * The lab's own Python clients send raw text with no newline at all (one
 * `send()` per message). To serve them too, a connection that has never sent
 * a newline is in *raw mode*: a partial line that stays idle for
 * {@linkcode RAW_IDLE_MS} milliseconds is taken as one message. The first
 * newline a connection sends switches it to *line mode* for good, where only
 * a newline (or the end of the connection) ends a line, so a line split
 * across slow TCP segments is never cut in two.
 *
 * @example Split a TCP stream into chat lines
 * ```ts
 * import { LineFramer } from "./framing.ts";
 *
 * const lines: string[] = [];
 * const framer = new LineFramer({
 *   line: (bytes) => lines.push(new TextDecoder().decode(bytes)),
 *   overflow: (max) => console.log(`a line over ${max} bytes was dropped`),
 * });
 * framer.push(new TextEncoder().encode("hal"));
 * framer.push(new TextEncoder().encode("o\r\nsemua\n"));
 * framer.dispose();
 * console.log(lines); // ["halo", "semua"]
 * ```
 *
 * @module
 */

/** The longest line accepted, in bytes, not counting the newline. */
export const MAX_LINE_BYTES = 4096;

/** How long a raw-mode partial line waits for more bytes before it counts as a message. */
export const RAW_IDLE_MS = 150;

/** Bytes of an over-long line kept for {@linkcode FramerEvents.overflow}: 40 characters of up to 4 bytes. */
export const OVERFLOW_HEAD_BYTES = 160;

const NEWLINE = 0x0a;

/** What a {@linkcode LineFramer} reports. */
export interface FramerEvents {
  /**
   * A complete line, without its newline (and without a trailing CR). The
   * bytes are a view valid only during the call: copy them to keep them.
   */
  line(bytes: Uint8Array): void;
  /**
   * A line went over the limit of `maxLineBytes`; it is dropped up to the
   * next newline (in raw mode, up to the next pause). `head` is its first
   * bytes (at most {@linkcode OVERFLOW_HEAD_BYTES}), to quote it back.
   */
  overflow(maxLineBytes: number, head: Uint8Array): void;
}

/** Options for {@linkcode LineFramer}. */
export interface FramerOptions {
  /** Longest line in bytes; default {@linkcode MAX_LINE_BYTES}. */
  maxLineBytes?: number;
  /** Raw-mode idle time in ms; default {@linkcode RAW_IDLE_MS}; 0 turns raw mode off. */
  rawIdleMs?: number;
}

/**
 * Splits a byte stream into lines with a length limit and the raw-mode idle
 * rule. Memory per connection is bounded by the line limit.
 */
export class LineFramer {
  #events: FramerEvents;
  #max: number;
  #idleMs: number;
  #partial: Uint8Array;
  #length = 0;
  /** Whether the rest of an over-long line is being skipped. */
  #skipping = false;
  #lineMode: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Creates a framer that reports to `events`. */
  constructor(events: FramerEvents, options: FramerOptions = {}) {
    this.#events = events;
    this.#max = options.maxLineBytes ?? MAX_LINE_BYTES;
    this.#idleMs = options.rawIdleMs ?? RAW_IDLE_MS;
    this.#lineMode = this.#idleMs === 0;
    // Grown on demand (most lines never need it) up to one byte more than
    // the limit: room for the CR of a CRLF line.
    this.#partial = new Uint8Array(0);
  }

  /** Whether the peer has sent a newline (raw mode is over). */
  get lineMode(): boolean {
    return this.#lineMode;
  }

  /** Feeds bytes read from the connection. */
  push(chunk: Uint8Array): void {
    this.#clearTimer();
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.#append(chunk.subarray(start));
        break;
      }
      this.#lineMode = true;
      if (this.#length === 0 && !this.#skipping) {
        // The whole line is in this chunk: no copy.
        this.#emit(chunk.subarray(start, newline));
      } else {
        this.#append(chunk.subarray(start, newline));
        this.#finishLine();
      }
      start = newline + 1;
    }
    if (!this.#lineMode && (this.#length > 0 || this.#skipping)) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#finishLine();
      }, this.#idleMs);
    }
  }

  /** The connection ended: a final partial line counts as a line. */
  end(): void {
    this.#clearTimer();
    if (this.#length > 0 || this.#skipping) this.#finishLine();
  }

  /** Stops the idle timer without reporting anything (the connection is gone). */
  dispose(): void {
    this.#clearTimer();
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#skipping) return;
    const needed = this.#length + bytes.length;
    if (needed > this.#max + 1) {
      // Said at once, so the sender hears of it without waiting for a newline.
      const head = new Uint8Array(
        Math.min(OVERFLOW_HEAD_BYTES, needed),
      );
      head.set(this.#partial.subarray(0, Math.min(this.#length, head.length)));
      if (this.#length < head.length) {
        head.set(bytes.subarray(0, head.length - this.#length), this.#length);
      }
      this.#skipping = true;
      this.#length = 0;
      this.#events.overflow(this.#max, head);
      return;
    }
    if (needed > this.#partial.length) {
      const grown = new Uint8Array(
        Math.min(
          this.#max + 1,
          Math.max(needed, 2 * this.#partial.length, 256),
        ),
      );
      grown.set(this.#partial.subarray(0, this.#length));
      this.#partial = grown;
    }
    this.#partial.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  #finishLine(): void {
    if (this.#skipping) {
      this.#skipping = false;
      return;
    }
    const line = this.#partial.subarray(0, this.#length);
    this.#length = 0;
    this.#emit(line);
  }

  #emit(line: Uint8Array): void {
    const length = line.length;
    if (length > 0 && line[length - 1] === 0x0d) line = line.subarray(0, -1);
    if (line.length > this.#max) {
      this.#events.overflow(this.#max, line.slice(0, OVERFLOW_HEAD_BYTES));
      return;
    }
    this.#events.line(line);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
