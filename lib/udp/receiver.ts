/**
 * The receive loop shared by broadcast-receiver and multicast-receiver: one
 * reusable buffer big enough for any datagram, sequence numbers counted for
 * the summary, output batched, and a clean stop on `--count`, `--duration`,
 * Ctrl+C or SIGTERM, after which the summary is printed.
 *
 * @example Say what a receiver got, in the lab's words
 * ```ts
 * import { formatSummary } from "./receiver.ts";
 * import { SequenceTracker } from "./sequence.ts";
 *
 * const tracker = new SequenceTracker();
 * for (const n of [3, 4, 5]) tracker.add(n);
 * for (const line of formatSummary(tracker.summary(), "en")) console.log(line);
 * // A receiver proper: `await receiveLoop(openUdp({ hostname: "0.0.0.0", port: 5005 }), { out, lines })`
 * ```
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { datagramHandler } from "./_datagram_handler.ts";
import type { ReceiveOptions } from "./receive_options.ts";

export type { DatagramLines, ReceiveOptions } from "./receive_options.ts";
import { onStop } from "../cli/run.ts";
import { type SequenceSummary, SequenceTracker } from "./sequence.ts";
import { MAX_DATAGRAM, type UdpSocket } from "./socket.ts";
import { closeCountingDrops } from "./kernel_drops.ts";

/**
 * A receiver's summary: the sequence numbers, and `kernelDrops`, the
 * datagrams the kernel dropped at the socket because its receive buffer was
 * full (absent where it cannot be read, see `kernel_drops.ts`).
 */
export interface ReceiveSummary extends SequenceSummary {
  /** Dropped by the kernel (receive buffer full) while listening. */
  kernelDrops?: number;
}

/**
 * Receives datagrams on `conn` until a stop, printing each (lab-style lines,
 * or a `datagram` JSON record), and resolves to the sequence summary. The
 * socket is closed on return, after the kernel's drop count is read. A
 * datagram never ends the loop: every payload is shown escaped and one
 * without a sequence number counts as `invalid`.
 */
export async function receiveLoop(
  conn: UdpSocket,
  options: ReceiveOptions,
): Promise<ReceiveSummary> {
  const { count } = options;
  const tracker = new SequenceTracker();
  // One extra byte: a datagram that fills it was longer than UDP allows.
  const buffer = new Uint8Array(MAX_DATAGRAM + 1);
  const handle = datagramHandler(tracker, options);

  // Datagrams arriving while the drop count is read are not shown.
  const close = closeCountingDrops(conn);
  const stop = onStop(() => void close(), {
    durationSeconds: options.durationSeconds,
  });
  let received = 0;
  let kernelDrops: number | undefined;
  try {
    while (count === undefined || received < count) {
      const [data, addr] = await conn.receive(buffer);
      if (stop.stopped) break;
      received++;
      handle(data, addr as Deno.NetAddr);
    }
  } catch (err) {
    if (!stop.stopped) throw err;
  } finally {
    stop.dispose();
    kernelDrops = await close();
  }
  return kernelDrops === undefined
    ? tracker.summary()
    : { ...tracker.summary(), kernelDrops };
}

const SUMMARY_TEXT = {
  en: {
    counts: (s: SequenceSummary) =>
      `summary: ${
        plural(s.received, "datagram", "datagrams")
      } received (${s.invalid} without a number, ${
        plural(s.duplicates, "duplicate", "duplicates")
      }, ${s.outOfOrder} out of order${
        s.outOfRange > 0 ? `, ${s.outOfRange} out of range` : ""
      })`,
    received: (n: number) =>
      `summary: ${plural(n, "datagram", "datagrams")} received`,
    messages: (n: number) =>
      `summary: ${plural(n, "message", "messages")} received`,
    none: "no numbered datagram received",
    first: (s: SequenceSummary) =>
      s.missedBeforeFirst === 0
        ? `first number ${s.firstSeq}: missed none before this receiver started`
        : `first number ${s.firstSeq}: missed ${s.missedBeforeFirst} sent before this receiver started`,
    // What came after the last number is unknown here: only the sender's
    // count can tell (lab run, the demo).
    rest: (s: SequenceSummary) =>
      `last number ${s.lastSeq}; ${
        s.gaps === 0 ? "none" : s.gaps
      } missing between ${s.firstSeq} and ${s.lastSeq}`,
  },
  id: {
    counts: (s: SequenceSummary) =>
      `ringkasan: ${s.received} datagram diterima (${s.invalid} tanpa angka, ${s.duplicates} duplikat, ${s.outOfOrder} tidak berurutan${
        s.outOfRange > 0 ? `, ${s.outOfRange} di luar jangkauan` : ""
      })`,
    received: (n: number) => `ringkasan: ${n} datagram diterima`,
    messages: (n: number) => `ringkasan: ${n} pesan diterima`,
    none: "tidak ada datagram berangka yang diterima",
    first: (s: SequenceSummary) =>
      s.missedBeforeFirst === 0
        ? `angka pertama ${s.firstSeq}: tidak ada yang terlewat sebelum penerima ini mulai`
        : `angka pertama ${s.firstSeq}: terlewat ${s.missedBeforeFirst} yang dikirim sebelum penerima ini mulai`,
    rest: (s: SequenceSummary) =>
      `angka terakhir ${s.lastSeq}; ${
        s.gaps === 0 ? "tidak ada yang" : s.gaps
      } terlewat antara ${s.firstSeq} dan ${s.lastSeq}`,
  },
};

/** Options for {@linkcode formatSummary} and {@linkcode printSummary}. */
export interface SummaryOptions {
  /**
   * The datagrams are text messages (multicast chat): with no numbered
   * payload among them, count "messages" and say nothing about numbers.
   */
  messages?: boolean;
}

/**
 * The summary in words, answering the broadcast lab's question: the first
 * number seen, how many were sent before this receiver started, how many
 * are missing between its first and last numbers. What was sent after the
 * last number only the sender's count can tell.
 */
export function formatSummary(
  summary: SequenceSummary,
  lang: Lang,
  options: SummaryOptions = {},
): string[] {
  const text = SUMMARY_TEXT[lang];
  if (summary.firstSeq === null) {
    // Chat messages carry no numbers: the count is all there is to say.
    return options.messages
      ? [text.messages(summary.received)]
      : [`${text.received(summary.received)}; ${text.none}`];
  }
  return [
    text.counts(summary),
    `${text.first(summary)}; ${text.rest(summary)}`,
  ];
}

const KERNEL_DROPS_TEXT = {
  en: {
    label: "dropped by the kernel (receive buffer full)",
    unknown: "not available",
  },
  id: {
    label: "dibuang kernel (buffer penerimaan penuh)",
    unknown: "tidak tersedia",
  },
};

/**
 * The summary's line on the kernel's drop count: datagrams that reached
 * this host but found the socket's receive buffer full, i.e. a receiver too
 * slow (not a network loss). `undefined`: the count could not be read.
 */
export function formatKernelDrops(
  kernelDrops: number | undefined,
  lang: Lang,
): string {
  const text = KERNEL_DROPS_TEXT[lang];
  return `${text.label}: ${kernelDrops ?? text.unknown}`;
}

/**
 * Prints the summary: human lines, or with `--json` the `summary` record
 * (with `kernelDrops` when it was read).
 */
export function printSummary(
  out: Output,
  summary: ReceiveSummary,
  lang: Lang,
  options: SummaryOptions = {},
): void {
  for (const line of formatSummary(summary, lang, options)) out.line(line);
  out.line(formatKernelDrops(summary.kernelDrops, lang));
  out.record({ ...summary });
}
