/**
 * The UDP lab's server loop: print every datagram with its sender and
 * answer each with the reply, until `--count`, `--duration`, Ctrl+C or
 * SIGTERM.
 *
 * @module
 */

import { closeCountingDrops } from "./kernel_drops.ts";
import { displayBytes } from "../cli/display.ts";
import { describeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { formatAddr, MAX_DATAGRAM, type UdpSocket } from "./socket.ts";

/** The server's human lines, in the role's language. */
export interface ReplyLoopText {
  /** A datagram arrived from `from` (`host:port`); `text` is escaped. */
  datagram(from: string, bytes: number, text: string): string;
  /** The reply went back to `to`. */
  replied(to: string): string;
}

/** Options for {@linkcode replyLoop}. */
export interface ReplyLoopOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: ReplyLoopText;
  /** The language of a failed reply's note. */
  lang: Lang;
  /** What every datagram is answered with. */
  reply: Uint8Array;
  /** Stop after this many datagrams. */
  count?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Called after each datagram's line, before the reply (`--show-ttl`). */
  afterEach?: () => void;
}

/** What {@linkcode replyLoop} did. */
export interface ReplyStats {
  /** Datagrams received. */
  received: number;
  /** Replies sent. */
  replied: number;
  /** Datagrams the kernel dropped (buffer full), where it can be read. */
  kernelDrops: number | undefined;
}

/**
 * Receives datagrams on `conn` and answers each with `options.reply` until
 * a stop; the socket is closed on return. A reply that cannot be sent is
 * noted and the loop goes on: one unreachable client must not stop the
 * server.
 */
export async function replyLoop(
  conn: UdpSocket,
  options: ReplyLoopOptions,
): Promise<ReplyStats> {
  const { out, text, reply, count } = options;
  // The kernel's drop count is read before the socket closes (it goes
  // with the socket); a stop starts that read and the close after it.
  const close = closeCountingDrops(conn);
  const stop = onStop(() => void close(), {
    durationSeconds: options.durationSeconds,
  });
  // One extra byte: a datagram that fills it was longer than UDP allows.
  const buffer = new Uint8Array(MAX_DATAGRAM + 1);
  let received = 0;
  let replied = 0;
  try {
    while (count === undefined || received < count) {
      const [data, addr] = await conn.receive(buffer);
      if (stop.stopped) break;
      const from = addr as Deno.NetAddr;
      received++;
      const shown = displayBytes(data);
      out.line(text.datagram(formatAddr(from), data.length, shown));
      out.record({
        type: "datagram",
        from: from.hostname,
        port: from.port,
        bytes: data.length,
        text: shown,
      });
      options.afterEach?.();
      try {
        await conn.send(reply, from);
        replied++;
        out.line(text.replied(formatAddr(from)));
      } catch (err) {
        out.line(
          describeError(err, {
            doing: {
              en: `replying to ${formatAddr(from)}`,
              id: `membalas ke ${formatAddr(from)}`,
            },
            lang: options.lang,
          }),
        );
      }
    }
  } catch (err) {
    if (!stop.stopped) throw err;
  } finally {
    stop.dispose();
  }
  const kernelDrops = await close();
  return { received, replied, kernelDrops };
}
