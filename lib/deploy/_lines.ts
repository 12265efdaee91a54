/**
 * Lines of a byte stream, each bounded before it is held whole: the records
 * endpoint reads what a VM sends with it, and the store its own files.
 *
 * @module
 */

/** A line longer than its bound (nothing of it is decoded). */
export class TooLong extends Error {
  /** The line's index (0: the first). */
  readonly index: number;

  /** A line `index` over its bound. */
  constructor(index: number) {
    super(`line ${index} is too long`);
    this.name = "TooLong";
    this.index = index;
  }
}

/** A line that is not UTF-8. */
export class NotUtf8 extends Error {
  /** The line's index. */
  readonly index: number;

  /** Line `index` is not UTF-8. */
  constructor(index: number) {
    super(`line ${index} is not UTF-8`);
    this.name = "NotUtf8";
    this.index = index;
  }
}

/** One line, without its newline. */
export interface Line {
  /** Its text. */
  text: string;
  /** Its bytes, without the newline. */
  bytes: number;
  /** Its index (0: the first line). */
  index: number;
  /** The byte offset just after it (and its newline). */
  end: number;
  /** Whether a newline ended it (the last line of a stream may lack one). */
  terminated: boolean;
}

/** Options for {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Most bytes of line `index`. */
  limit(index: number): number;
}

const NEWLINE = 0x0a;

/**
 * The lines of `stream`; throws {@linkcode TooLong} or {@linkcode NotUtf8}
 * at the first line that is. Stopping early cancels the stream.
 */
export async function* readLines(
  stream: ReadableStream<Uint8Array>,
  options: ReadLinesOptions,
): AsyncGenerator<Line> {
  const reader = stream.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let parts: Uint8Array[] = [];
  let length = 0;
  let index = 0;
  let offset = 0;
  let done = false;
  // A line is decoded where it lies in the chunk when it fits in one (no
  // copy); only the start of a line cut by a read is copied, since the
  // stream may reuse its buffer for the next read.
  const take = (last: Uint8Array, terminated: boolean): Line => {
    let bytes = last;
    if (parts.length > 0) {
      bytes = new Uint8Array(length);
      let at = 0;
      for (const part of parts) {
        bytes.set(part, at);
        at += part.length;
      }
      bytes.set(last, at);
    }
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch {
      throw new NotUtf8(index);
    }
    offset += length + (terminated ? 1 : 0);
    const line = { text, bytes: length, index, end: offset, terminated };
    parts = [];
    length = 0;
    index++;
    return line;
  };
  try {
    while (true) {
      const read = await reader.read();
      if (read.done) break;
      let chunk = read.value;
      while (chunk.length > 0) {
        const at = chunk.indexOf(NEWLINE);
        const piece = at < 0 ? chunk : chunk.subarray(0, at);
        if (length + piece.length > options.limit(index)) {
          throw new TooLong(index);
        }
        length += piece.length;
        if (at < 0) {
          parts.push(piece.slice());
          break;
        }
        yield take(piece, true);
        chunk = chunk.subarray(at + 1);
      }
    }
    done = true;
    if (length > 0) yield take(new Uint8Array(0), false);
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
