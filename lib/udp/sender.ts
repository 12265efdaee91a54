/**
 * What the senders share: a send that fails
 * with a clear error, the broadcast lab's numbered send loop, and the closing
 * line "sent N datagrams in S s" with the rate.
 *
 * @example Count what a sender sent and print its closing line
 * ```ts
 * import { Output } from "../cli/output.ts";
 * import { printSendSummary, SendCounter } from "./sender.ts";
 *
 * const counter = new SendCounter();
 * for (let n = 1; n <= 3; n++) counter.add(24); // three datagrams of 24 bytes
 * const out = new Output();
 * printSendSummary(out, counter.summary(), "en"); // "done: sent 3 datagrams (72 bytes) in …"
 * await out.close();
 * ```
 *
 * @module
 */

import { errorText, RuntimeError } from "../cli/errors.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { delay } from "../cli/async.ts";
import { onStop } from "../cli/run.ts";
import { NumberedPayloads } from "./payload.ts";
import { formatAddr, type UdpSocket } from "./socket.ts";

const ENCODER = new TextEncoder();

/** A sender's totals; the last line of its `--json` output. */
export interface SendSummary {
  /** Always `"summary"`. */
  type: "summary";
  /** Datagrams sent. */
  sent: number;
  /** Payload bytes sent. */
  bytes: number;
  /** Seconds from the first send to the last. */
  seconds: number;
  /** Datagrams per second (0 when fewer than two were sent). */
  rate: number;
}

/** Counts datagrams and bytes sent, and the time they took. */
export class SendCounter {
  #sent = 0;
  #bytes = 0;
  #start = 0;
  #end = 0;

  /** Records one datagram of `bytes` bytes, just sent. */
  add(bytes: number): void {
    this.count(bytes);
    this.stamp();
  }

  /**
   * Counts one datagram of `bytes` bytes without reading the clock (a
   * flood reads it once at its end, {@linkcode SendCounter.stamp}).
   */
  count(bytes: number): void {
    if (this.#sent === 0) this.#start = performance.now();
    this.#sent++;
    this.#bytes += bytes;
  }

  /** Records now as the time of the last datagram sent. */
  stamp(): void {
    if (this.#sent > 0) this.#end = performance.now();
  }

  /** The totals so far. */
  summary(): SendSummary {
    const seconds = (this.#end - this.#start) / 1000;
    return {
      type: "summary",
      sent: this.#sent,
      bytes: this.#bytes,
      seconds: Math.round(seconds * 1000) / 1000,
      rate: seconds > 0 ? Math.round((this.#sent - 1) / seconds) : 0,
    };
  }
}

/** Options for {@linkcode printSendSummary}. */
export interface SendSummaryOptions {
  /**
   * Tell the time and the rate (default). Off for lines typed by hand, whose
   * pace is the typist's, not the network's.
   */
  rate?: boolean;
}

/** Prints a sender's summary: one human line, or the `summary` record. */
export function printSendSummary(
  out: Output,
  summary: SendSummary,
  lang: Lang,
  options: SendSummaryOptions = {},
): void {
  const { sent, bytes, seconds, rate } = summary;
  const timed = options.rate ?? true;
  out.line(
    lang === "id"
      ? `selesai: ${sent} datagram (${bytes} byte) dikirim${
        timed ? ` dalam ${seconds.toFixed(3)} s, ${rate} datagram/s` : ""
      }`
      : `done: sent ${plural(sent, "datagram", "datagrams")} (${
        plural(bytes, "byte", "bytes")
      })${timed ? ` in ${seconds.toFixed(3)} s, ${rate} datagrams/s` : ""}`,
  );
  out.record({ ...summary });
}

/**
 * Sends `bytes` to `target`, turning a refusal (no route, no permission to
 * broadcast) into a {@linkcode RuntimeError} that names the target.
 */
export async function sendTo(
  conn: UdpSocket,
  bytes: Uint8Array,
  target: Deno.NetAddr,
): Promise<void> {
  try {
    await conn.send(bytes, target);
  } catch (err) {
    const to = formatAddr(target);
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `sending to ${to}`, id: `mengirim ke ${to}` },
      }),
    );
  }
}

/** Options for {@linkcode sendNumbered}. */
export interface SendNumberedOptions {
  /** Where to print. */
  out: Output;
  /** The language of the summary. */
  lang: Lang;
  /** The human line for one datagram sent, given its payload. */
  sent(payload: string): string;
  /** Send this text every time instead of the numbered payloads. */
  message?: string;
  /** Stop after this many datagrams (default: until a stop). */
  count?: number;
  /** Milliseconds between datagrams (0: none). */
  intervalMs?: number;
  /** Print nothing per datagram, only the summary (for floods). */
  quiet?: boolean;
}

/**
 * The broadcast lab's send loop: " BROADCAST ini angka N " with N counting
 * up from 1 (or `options.message` every time) to `target`, until the count
 * or a stop (Ctrl+C, SIGTERM). The socket is closed and the summary printed
 * on return, also when a send fails.
 */
export async function sendNumbered(
  conn: UdpSocket,
  target: Deno.NetAddr,
  options: SendNumberedOptions,
): Promise<void> {
  const { out, message, count, quiet = false } = options;
  const interval = options.intervalMs ?? 0;
  const fixed = message === undefined ? undefined : ENCODER.encode(message);
  const numbered = new NumberedPayloads();
  const stop = onStop(() => {});
  const counter = new SendCounter();
  const decoder = new TextDecoder();
  try {
    for (let n = 1; count === undefined || n <= count; n++) {
      if (stop.stopped) break;
      const bytes = fixed ?? numbered.next();
      await sendTo(conn, bytes, target);
      counter.count(bytes.length);
      if (!quiet) {
        out.line(options.sent(message ?? decoder.decode(bytes)));
        out.record({
          type: "sent",
          seq: fixed ? null : n,
          bytes: bytes.length,
        });
      }
      if (interval > 0) {
        // The pause after the last datagram is not sending time.
        counter.stamp();
        await delay(interval, { signal: stop.signal });
      }
    }
  } finally {
    if (interval === 0) counter.stamp();
    stop.dispose();
    conn.close();
    printSendSummary(out, counter.summary(), options.lang);
  }
}
