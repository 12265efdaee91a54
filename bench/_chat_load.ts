/**
 * The chat benchmark's load generator: N TCP clients in this process, each
 * sending stamped lines and checking every line it receives. It reads both
 * servers' formats: chat-server's `Client_1 : <payload>` and `ncat --chat`'s
 * `<user5> <payload>` (ncat labels a read chunk, not a line, so a line may
 * come with no label at all; the payload names its sender, so it still counts).
 *
 * Payload: `m <sender> <seq> <send time ms> <pad>`; the pad depends on sender
 * and seq, so a line cut or spliced anywhere is caught as corrupted.
 *
 * @module
 */

import { delay } from "../lib/cli/async.ts";

const ENCODER = new TextEncoder();
const PAD = "abcdefghijklmnopqrstuvwxyz0123456789";

function pad(sender: number, seq: number): string {
  const start = (sender * 7 + seq) % PAD.length;
  return (PAD + PAD).slice(start, start + 16);
}

/** What one phase measured. */
export interface PhaseResult {
  /** Messages sent. */
  messages: number;
  /** Copies expected: each message to every other client. */
  expected: number;
  /** Copies received intact, once, in their sender's order. */
  delivered: number;
  /** Lines that were not a known notice and not an intact payload, or repeats. */
  corrupted: number;
  /** Intact payload lines that came with no sender label. */
  unlabelled: number;
  /** Clients whose connection the server closed during the phase. */
  disconnected: number;
  /** Seconds from the first send to the last receipt. */
  seconds: number;
  /** Send-to-receipt latencies in ms, sorted. */
  latencies: Float64Array;
}

/** A set of connected benchmark clients. */
export class LoadClients {
  readonly n: number;
  #conns: Deno.TcpConn[] = [];
  #writes: Promise<void>[] = [];
  #lines = 0;
  #lastLineAt = 0;
  #firstLine: boolean[];
  #closedByServer = 0;
  // Per phase:
  #perClient = 0;
  #next = new Int32Array(0);
  #copies = new Uint16Array(0);
  #sent = new Int32Array(0);
  #result: PhaseResult | undefined;
  #latencies: number[] = [];
  #recordLatency = false;
  #inFlight = 0;
  #onComplete: (() => void) | undefined;
  #stopping = false;

  private constructor(n: number) {
    this.n = n;
    this.#firstLine = new Array(n).fill(false);
  }

  /** Connects `n` clients to 127.0.0.1:`port` and waits until the join notices settle. */
  static async connect(port: number, n: number): Promise<LoadClients> {
    const clients = new LoadClients(n);
    // One at a time: ncat --chat can leave a burst of pending connections
    // unanswered until something else happens.
    for (let i = 0; i < n; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.setNoDelay(true);
      clients.#conns.push(conn);
      clients.#writes.push(Promise.resolve());
      void clients.#read(i);
    }
    const deadline = Date.now() + 30_000;
    while (
      clients.#firstLine.some((got) => !got) ||
      performance.now() - clients.#lastLineAt < 300
    ) {
      if (Date.now() > deadline) {
        const silent = clients.#firstLine.filter((got) => !got).length;
        throw new Error(`${silent} of ${n} clients heard nothing in 30 s`);
      }
      await delay(50);
    }
    return clients;
  }

  /** Closes every connection. */
  close(): void {
    this.#stopping = true;
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  }

  /**
   * Throughput: every client sends `perClient` messages as fast as the
   * server takes them, with at most `window` messages not yet received by
   * everyone, so queues stay small and nothing is cut off for being slow.
   */
  async flood(perClient: number, window: number): Promise<PhaseResult> {
    this.#startPhase(perClient, false);
    const total = this.n * perClient;
    let sender = 0;
    let sentTotal = 0;
    const pump = () => {
      while (this.#inFlight < window && sentTotal < total) {
        while (this.#sent[sender] >= perClient) sender = (sender + 1) % this.n;
        this.#send(sender);
        sentTotal++;
        this.#inFlight++;
        sender = (sender + 1) % this.n;
      }
    };
    let scheduled = false;
    this.#onComplete = () => {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        pump();
      });
    };
    const start = performance.now();
    pump();
    return await this.#finish(start, total);
  }

  /**
   * Latency: `rate` deliveries per second in total (messages sent at
   * rate / (N − 1) per second, spread over the clients) for `seconds`.
   */
  async paced(rate: number, seconds: number): Promise<PhaseResult> {
    const perSecond = rate / (this.n - 1);
    const total = Math.max(1, Math.round(perSecond * seconds));
    const perClient = Math.ceil(total / this.n);
    this.#startPhase(perClient, true);
    let sender = 0;
    let sentTotal = 0;
    const start = performance.now();
    while (sentTotal < total) {
      const due = Math.min(
        total,
        Math.floor((performance.now() - start) / 1000 * perSecond) + 1,
      );
      while (sentTotal < due) {
        this.#send(sender);
        sentTotal++;
        sender = (sender + 1) % this.n;
      }
      await delay(5);
    }
    return await this.#finish(start, total);
  }

  #startPhase(perClient: number, recordLatency: boolean): void {
    this.#perClient = perClient;
    this.#next = new Int32Array(this.n * this.n);
    this.#copies = new Uint16Array(this.n * perClient);
    this.#sent = new Int32Array(this.n);
    this.#latencies = [];
    this.#recordLatency = recordLatency;
    this.#inFlight = 0;
    this.#onComplete = undefined;
    this.#result = {
      messages: 0,
      expected: 0,
      delivered: 0,
      corrupted: 0,
      unlabelled: 0,
      disconnected: 0,
      seconds: 0,
      latencies: new Float64Array(0),
    };
  }

  async #finish(start: number, total: number): Promise<PhaseResult> {
    const result = this.#result!;
    result.messages = total;
    result.expected = total * (this.n - 1);
    const closedBefore = this.#closedByServer;
    let last = result.delivered;
    let lastProgress = performance.now();
    let lastReceipt = performance.now();
    while (result.delivered < result.expected) {
      await delay(10);
      if (result.delivered !== last) {
        last = result.delivered;
        lastProgress = lastReceipt = performance.now();
      } else if (performance.now() - lastProgress > 5000) {
        break; // nothing more is coming: the rest is lost
      }
    }
    if (result.delivered >= result.expected) lastReceipt = this.#lastLineAt;
    result.seconds = (lastReceipt - start) / 1000;
    result.disconnected = this.#closedByServer - closedBefore;
    result.latencies = Float64Array.from(this.#latencies).sort();
    this.#onComplete = undefined;
    return result;
  }

  #send(sender: number): void {
    const seq = this.#sent[sender]++;
    const line = `m ${sender} ${seq} ${performance.now().toFixed(3)} ${
      pad(sender, seq)
    }\n`;
    const conn = this.#conns[sender];
    const bytes = ENCODER.encode(line);
    this.#writes[sender] = this.#writes[sender].then(async () => {
      let offset = 0;
      while (offset < bytes.length) {
        offset += await conn.write(bytes.subarray(offset));
      }
    }).catch(() => {});
  }

  async #read(index: number): Promise<void> {
    const conn = this.#conns[index];
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(64 * 1024);
    let rest = "";
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        const now = performance.now();
        this.#lastLineAt = now;
        this.#firstLine[index] = true;
        rest += decoder.decode(buffer.subarray(0, n), { stream: true });
        let start = 0;
        let newline;
        while ((newline = rest.indexOf("\n", start)) !== -1) {
          this.#line(index, rest.slice(start, newline), now);
          start = newline + 1;
        }
        rest = rest.slice(start);
      }
    } catch {
      // reset
    }
    if (!this.#stopping) this.#closedByServer++;
  }

  #line(receiver: number, line: string, now: number): void {
    this.#lines++;
    const result = this.#result;
    let payload = line;
    let labelled = true;
    if (line.startsWith("<")) {
      if (line.startsWith("<announce>")) return;
      const end = line.indexOf("> ");
      if (end === -1) return this.#corrupt();
      payload = line.slice(end + 2);
    } else if (line.startsWith("m ")) {
      labelled = false; // ncat: a later line of the same read chunk
    } else {
      const sep = line.indexOf(" : ");
      if (sep === -1) {
        if (line === "Selamat datang di Server...") return;
        return this.#corrupt();
      }
      const label = line.slice(0, sep);
      if (label === "Server") return;
      payload = line.slice(sep + 3);
    }
    if (!result) return this.#corrupt();
    const fields = payload.split(" ");
    if (fields.length !== 5 || fields[0] !== "m") return this.#corrupt();
    const sender = Number(fields[1]);
    const seq = Number(fields[2]);
    const sentAt = Number(fields[3]);
    if (
      !Number.isInteger(sender) || sender < 0 || sender >= this.n ||
      sender === receiver || !Number.isInteger(seq) || seq < 0 ||
      seq >= this.#sent[sender] || fields[4] !== pad(sender, seq)
    ) {
      return this.#corrupt();
    }
    const slot = receiver * this.n + sender;
    if (seq < this.#next[slot]) return this.#corrupt(); // a repeat
    this.#next[slot] = seq + 1; // a gap shows up as lost at the end
    result.delivered++;
    if (!labelled) result.unlabelled++;
    if (this.#recordLatency) this.#latencies.push(now - sentAt);
    const id = sender * this.#perClient + seq;
    if (++this.#copies[id] === this.n - 1) {
      this.#inFlight--;
      this.#onComplete?.();
    }
  }

  #corrupt(): void {
    if (this.#result) this.#result.corrupted++;
  }
}

/** The `p`-th percentile (0–100) of sorted values, or NaN. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}
