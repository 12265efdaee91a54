/**
 * What the senders share: the closing line
 * "sent N datagrams in S s" with the rate.
 *
 * @example Count what a sender sent and print its closing line
 * ```ts
 * import { Output } from "../cli/output.ts";
 * import { delay, printSendSummary, SendCounter } from "./sender.ts";
 *
 * const counter = new SendCounter();
 * for (let n = 1; n <= 3; n++) {
 *   counter.add(24); // one datagram of 24 bytes, just sent
 *   await delay(1);
 * }
 * const out = new Output();
 * printSendSummary(out, counter.summary(), "en"); // "done: sent 3 datagrams (72 bytes) in …"
 * await out.close();
 * ```
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";

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
    const now = performance.now();
    if (this.#sent === 0) this.#start = now;
    this.#end = now;
    this.#sent++;
    this.#bytes += bytes;
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
