/**
 * The UDP lab's client exchange: send one datagram to the server, wait for
 * its answer, print the reply and the round-trip time. No reply within the
 * timeout, or a stop while waiting, is a runtime error (exit code 1).
 *
 * @module
 */

import { displayBytes } from "../cli/display.ts";
import { errorText, RuntimeError } from "../cli/errors.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { sendTo } from "./sender.ts";
import { formatAddr, MAX_DATAGRAM, openUdp } from "./socket.ts";

/** The client's human lines, in the role's language. */
export interface RequestText {
  /** The request went to `to` (`host:port`). */
  sent(bytes: number, to: string): string;
  /** The reply came from `from`; `text` is escaped. */
  reply(from: string, text: string): string;
  /** The round-trip time, in milliseconds with three decimals. */
  rtt(ms: string): string;
}

/** Options for {@linkcode requestReply}. */
export interface RequestOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: RequestText;
  /** How long to wait for the reply. */
  timeoutSeconds: number;
}

const FAILURE_TEXT = {
  en: {
    stopped: (to: string) => `stopped before a reply came from ${to}`,
    noReply: (to: string, seconds: number) =>
      `no reply from ${to} within ${seconds} s (is udp-server running there, and is the port right?)`,
  },
  id: {
    stopped: (to: string) => `dihentikan sebelum balasan datang dari ${to}`,
    noReply: (to: string, seconds: number) =>
      `tidak ada balasan dari ${to} dalam ${seconds} s (apakah udp-server berjalan di sana, dan port-nya benar?)`,
  },
};

/**
 * Sends `message` to `target` from a free local port and prints the first
 * datagram that comes back from the target itself (anything else is someone
 * else's and is skipped). Throws a {@linkcode RuntimeError} when no reply
 * comes within the timeout or a stop (Ctrl+C, SIGTERM) comes first.
 */
export async function requestReply(
  target: Deno.NetAddr,
  message: Uint8Array,
  options: RequestOptions,
): Promise<void> {
  const { out, text, timeoutSeconds: timeout } = options;
  const { hostname: address, port } = target;
  const to = `${address}:${port}`;
  const conn = openUdp({ hostname: "0.0.0.0", port: 0 });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close();
  }, timeout * 1000);
  // Ctrl+C or SIGTERM while waiting: say so and exit 1 (no reply), not 130.
  const stop = onStop(() => {
    if (!timedOut) conn.close();
  });
  try {
    const start = performance.now();
    await sendTo(conn, message, target);
    out.line(text.sent(message.length, to));
    out.record({ type: "sent", to: address, port, bytes: message.length });
    const buffer = new Uint8Array(MAX_DATAGRAM + 1);
    while (true) {
      let data: Uint8Array;
      let from: Deno.NetAddr;
      try {
        const [received, addr] = await conn.receive(buffer);
        data = received;
        from = addr as Deno.NetAddr;
      } catch (err) {
        if (timedOut) {
          throw new RuntimeError({
            en: FAILURE_TEXT.en.noReply(to, timeout),
            id: FAILURE_TEXT.id.noReply(to, timeout),
          });
        }
        if (stop.stopped) {
          throw new RuntimeError({
            en: FAILURE_TEXT.en.stopped(to),
            id: FAILURE_TEXT.id.stopped(to),
          });
        }
        throw new RuntimeError(
          errorText(err, { doing: { en: "receiving", id: "menerima" } }),
        );
      }
      // Only the server's answer counts; anything else is someone else's.
      if (from.hostname !== address || from.port !== port) continue;
      const rttMs = performance.now() - start;
      const shown = displayBytes(data);
      out.line(text.reply(formatAddr(from), shown));
      out.line(text.rtt(rttMs.toFixed(3)));
      out.record({
        type: "reply",
        from: from.hostname,
        port: from.port,
        bytes: data.length,
        text: shown,
        rttMs: Math.round(rttMs * 1000) / 1000,
      });
      return;
    }
  } finally {
    clearTimeout(timer);
    stop.dispose();
    if (!timedOut && !stop.stopped) conn.close();
  }
}
