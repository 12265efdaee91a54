/**
 * A raw TCP chat peer for tests: what a `nc` user or a misbehaving program
 * would do, without the chat-client's checks in the way.
 *
 * @module
 */

const ENCODER = new TextEncoder();

/** A TCP connection to a chat-server that collects the lines it receives. */
export class ChatSocket {
  /** Every complete line received so far. */
  readonly lines: string[] = [];
  /** Resolves when the server closes the connection (or it breaks). */
  readonly closed: Promise<void>;
  /** Bytes received after the last newline. */
  rest = "";
  #conn: Deno.TcpConn;
  #waiters: (() => void)[] = [];
  #isClosed = false;

  private constructor(conn: Deno.TcpConn, read: boolean) {
    this.#conn = conn;
    this.closed = read ? this.#read() : new Promise(() => {});
  }

  /** Connects to the server on 127.0.0.1:`port`; `read: false` never reads (a stalled peer). */
  static async connect(
    port: number,
    options: { read?: boolean } = {},
  ): Promise<ChatSocket> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    return new ChatSocket(conn, options.read ?? true);
  }

  /** Whether the server closed the connection. */
  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Sends text as UTF-8, as is (add the newline yourself). */
  send(text: string): Promise<void> {
    return this.sendBytes(ENCODER.encode(text));
  }

  /** Sends bytes as is, all of them. */
  async sendBytes(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await this.#conn.write(bytes.subarray(offset));
    }
  }

  /** Waits for a received line that satisfies `match`. */
  async waitFor(
    match: string | RegExp | ((line: string) => boolean),
    timeoutMs = 10_000,
  ): Promise<string> {
    const test = typeof match === "string"
      ? (line: string) => line === match
      : match instanceof RegExp
      ? (line: string) => match.test(line)
      : match;
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const found = this.lines.find(test);
      if (found !== undefined) return found;
      if (this.#isClosed || Date.now() > deadline) {
        throw new Error(
          `no line matching ${match} (${
            this.#isClosed ? "connection closed" : "timed out"
          }); got:\n${this.lines.slice(-20).join("\n")}`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Waits until `count` lines satisfy `match`. */
  async waitForCount(
    match: (line: string) => boolean,
    count: number,
    timeoutMs = 20_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.filter(match).length < count) {
      if (this.#isClosed || Date.now() > deadline) {
        throw new Error(
          `${this.lines.filter(match).length} of ${count} lines; last:\n${
            this.lines.slice(-5).join("\n")
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  /** Shuts down the sending side only (a half-close). */
  closeWrite(): Promise<void> {
    return this.#conn.closeWrite();
  }

  /** Closes the connection (with unread data pending, the kernel sends a reset). */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(64 * 1024);
    try {
      while (true) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        this.rest += decoder.decode(buffer.subarray(0, n), { stream: true });
        const parts = this.rest.split("\n");
        this.rest = parts.pop()!;
        for (const part of parts) this.lines.push(part);
        this.#wake();
      }
    } catch {
      // reset or closed by us
    }
    this.#isClosed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
