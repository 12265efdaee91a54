/**
 * A connection's outgoing queue: bounded in bytes, written by one loop that
 * never loses the rest of a partial write, and batching whatever queued up
 * while the previous write was in flight into one write.
 *
 * @module
 */

/** Largest single write: queued lines are joined up to this many bytes. */
const BATCH_BYTES = 64 * 1024;

/** A bounded output queue for one connection. */
export class Outbox {
  #conn: Deno.Conn;
  #limit: number;
  #onError: (err: unknown) => void;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #bytes = 0;
  #pumping = false;
  #closed = false;
  #idle: (() => void)[] = [];
  #inFlight = 0;

  /**
   * Creates an outbox for `conn` holding at most `limit` bytes not yet
   * written; `onError` is called once if a write fails.
   */
  constructor(
    conn: Deno.Conn,
    limit: number,
    onError: (err: unknown) => void,
  ) {
    this.#conn = conn;
    this.#limit = limit;
    this.#onError = onError;
  }

  /** Bytes queued or being written. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /**
   * Queues `chunk` (which must not change afterwards; it may be shared by
   * many outboxes). Returns `false`, queueing nothing, if that would go over
   * the limit.
   */
  push(chunk: Uint8Array): boolean {
    if (this.#closed) return true;
    if (this.#bytes + chunk.length > this.#limit) return false;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (!this.#pumping) {
      this.#pumping = true;
      // Start after the current task, so lines queued together go out together.
      queueMicrotask(() => this.#pump());
    }
    return true;
  }

  /** Resolves when everything queued is written, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (!this.#pumping || this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Drops every line not yet started, queues `last` after the write in
   * flight (so it starts on a line boundary), and waits up to `timeoutMs`
   * for it to go out. Later pushes are ignored.
   */
  async finish(last: Uint8Array, timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#chunks = this.#chunks.slice(0, this.#head);
    this.#bytes = this.#inFlight;
    this.#limit = Infinity;
    this.push(last);
    this.#limit = 0;
    await this.drain(timeoutMs);
    this.close();
  }

  /** Drops everything queued; later pushes are ignored. */
  close(): void {
    this.#closed = true;
    this.#chunks = [];
    this.#head = 0;
    this.#wakeIdle();
  }

  async #pump(): Promise<void> {
    try {
      while (!this.#closed && this.#head < this.#chunks.length) {
        const batch = this.#takeBatch();
        this.#inFlight = batch.length;
        let offset = 0;
        while (offset < batch.length) {
          offset += await this.#conn.write(batch.subarray(offset));
          if (this.#closed) return;
        }
        this.#bytes -= batch.length;
        this.#inFlight = 0;
      }
      this.#chunks = [];
      this.#head = 0;
    } catch (err) {
      if (!this.#closed) this.#onError(err);
    } finally {
      this.#pumping = false;
      this.#wakeIdle();
    }
  }

  #takeBatch(): Uint8Array {
    const chunks = this.#chunks;
    const first = chunks[this.#head++];
    if (this.#head === chunks.length || first.length >= BATCH_BYTES) {
      return first;
    }
    let total = first.length;
    let end = this.#head;
    while (end < chunks.length && total + chunks[end].length <= BATCH_BYTES) {
      total += chunks[end].length;
      end++;
    }
    const batch = new Uint8Array(total);
    batch.set(first, 0);
    let offset = first.length;
    for (let i = this.#head; i < end; i++) {
      batch.set(chunks[i], offset);
      offset += chunks[i].length;
    }
    this.#head = end;
    if (this.#head > 1024 && this.#head * 2 > chunks.length) {
      this.#chunks = chunks.slice(this.#head);
      this.#head = 0;
    }
    return batch;
  }

  #wakeIdle(): void {
    const idle = this.#idle;
    this.#idle = [];
    for (const wake of idle) wake();
  }
}
