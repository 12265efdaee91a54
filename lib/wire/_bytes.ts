/**
 * A buffered reader over a file or a stream that hands out exactly the
 * bytes asked for, reading in chunks: memory stays at the largest record
 * asked for plus one chunk, whatever the file's size.
 *
 * @module
 */

/** Something bytes can be read from, as `Deno.FsFile` can. */
export interface ByteSource {
  /** Reads into `into`; the number of bytes read, or `null` at the end. */
  read(into: Uint8Array): Promise<number | null>;
}

/** What a reader does at the end of its source. */
export interface FollowOptions {
  /** Keep reading as the file grows, until this is aborted. */
  signal: AbortSignal;
  /** How long to wait before looking again, in ms; default 100. */
  intervalMs?: number;
}

const CHUNK = 256 * 1024;

/** Turns a stream's chunks into a {@linkcode ByteSource}. */
export function streamSource(
  stream: ReadableStream<Uint8Array>,
): ByteSource & { release(): void } {
  const reader = stream.getReader();
  let left: Uint8Array | undefined;
  return {
    async read(into: Uint8Array): Promise<number | null> {
      while (left === undefined || left.length === 0) {
        const { done, value } = await reader.read();
        if (done) return null;
        left = value;
      }
      const n = Math.min(into.length, left.length);
      into.set(left.subarray(0, n));
      left = left.subarray(n);
      return n;
    },
    release() {
      reader.releaseLock();
    },
  };
}

/** Reads exact byte counts from a {@linkcode ByteSource}, in chunks. */
export class ByteReader {
  #source: ByteSource;
  #follow?: FollowOptions;
  #buf = new Uint8Array(CHUNK);
  #start = 0;
  #end = 0;
  #offset = 0;
  #ended = false;

  /** Reads `source`; with `follow`, waits at its end for more. */
  constructor(source: ByteSource, follow?: FollowOptions) {
    this.#source = source;
    this.#follow = follow;
  }

  /** The offset in the source of the next unread byte. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes buffered and not yet consumed. */
  get available(): number {
    return this.#end - this.#start;
  }

  /**
   * Buffers at least `n` bytes if the source has them; returns how many are
   * buffered (fewer than `n` only at the source's end).
   */
  async fill(n: number): Promise<number> {
    while (this.available < n && !this.#ended) {
      this.#makeRoom(n);
      const got = await this.#source.read(this.#buf.subarray(this.#end));
      if (got === null) {
        if (this.#follow?.signal.aborted || !(await this.#waitForMore())) {
          this.#ended = true;
        }
        continue;
      }
      this.#end += got;
    }
    return this.available;
  }

  /** The next `n` buffered bytes, not consumed (valid until the next fill). */
  view(n: number): Uint8Array {
    return this.#buf.subarray(this.#start, this.#start + n);
  }

  /** Consumes `n` buffered bytes. */
  consume(n: number): void {
    this.#start += n;
    this.#offset += n;
  }

  /**
   * Consumes `n` bytes without keeping them (a large block skipped costs no
   * memory); returns how many there were.
   */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.available === 0 && (await this.fill(1)) === 0) break;
      const step = Math.min(left, this.available);
      this.consume(step);
      left -= step;
    }
    return n - left;
  }

  #makeRoom(n: number): void {
    const have = this.available;
    if (
      this.#buf.length - this.#start >= n &&
      this.#buf.length - this.#end >= CHUNK / 4
    ) {
      return;
    }
    if (n > this.#buf.length) {
      let size = this.#buf.length;
      while (size < n) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#buf = bigger;
    } else {
      this.#buf.copyWithin(0, this.#start, this.#end);
    }
    this.#start = 0;
    this.#end = have;
  }

  async #waitForMore(): Promise<boolean> {
    const follow = this.#follow;
    if (follow === undefined || follow.signal.aborted) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, follow.intervalMs ?? 100);
      function done() {
        clearTimeout(timer);
        follow!.signal.removeEventListener("abort", done);
        resolve();
      }
      follow.signal.addEventListener("abort", done, { once: true });
    });
    // Once more after the abort too: the writer's last bytes may have come.
    return true;
  }

  /** Whether the reader waits at the end (a partial record there is normal). */
  get following(): boolean {
    return this.#follow !== undefined;
  }
}
