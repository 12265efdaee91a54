/**
 * udp-client: Lab 1's UDP client. Sends a message ("Hello World"), prints
 * the reply and the round-trip time, and exits 1 with a clear message when
 * no reply comes within `--timeout` seconds.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkHost, checkPort, resolveIpv4 } from "../lib/cli/address.ts";
import { type CommandSpec, numberFlag, stringFlag } from "../lib/cli/parse.ts";
import { displayBytes } from "../lib/cli/display.ts";
import { errorText, RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { UDP_REQUEST } from "../lib/udp/payload.ts";
import { PORTS } from "../lib/ports.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import {
  formatAddr,
  MAX_DATAGRAM,
  openUdp,
  tooLongText,
} from "../lib/udp/socket.ts";
import { peerPortFlag, SERVER_HOST_FLAG } from "../lib/cli/common_flags.ts";

/** udp-client's command line. */
export const SPEC: CommandSpec = {
  name: "udp-client",
  summary: {
    en: "send a UDP datagram, print the reply and the round-trip time",
    id: "kirim datagram UDP, cetak balasan dan waktu pulang-pergi",
  },
  flags: {
    host: SERVER_HOST_FLAG,
    port: peerPortFlag(PORTS.udp, "UDP server"),
    message: {
      type: "string",
      short: "m",
      default: UDP_REQUEST,
      valueName: "TEXT",
      help: { en: "text to send", id: "teks yang dikirim" },
    },
    timeout: {
      type: "string",
      short: "t",
      default: "2",
      valueName: "SECONDS",
      help: {
        en: "give up when no reply comes within this time",
        id: "menyerah bila tidak ada balasan dalam waktu ini",
      },
    },
  },
  examples: [
    "udp-client --host 192.168.122.131",
    "udp-client --host alpine-2 --port 10000 --message 'Hello World' --timeout 1",
  ],
};

const TEXT = {
  en: {
    sent: (bytes: number, to: string) =>
      `sent ${plural(bytes, "byte", "bytes")} to ${to}`,
    reply: (from: string, text: string) => `reply from ${from}: ${text}`,
    rtt: (ms: string) => `round-trip time ${ms} ms`,
    stopped: (to: string) => `stopped before a reply came from ${to}`,
    noReply: (to: string, seconds: number) =>
      `no reply from ${to} within ${seconds} s (is udp-server running there, and is the port right?)`,
  },
  id: {
    sent: (bytes: number, to: string) => `dikirim ${bytes} byte ke ${to}`,
    reply: (from: string, text: string) => `balasan dari ${from}: ${text}`,
    rtt: (ms: string) => `waktu pulang-pergi ${ms} ms`,
    stopped: (to: string) => `dihentikan sebelum balasan datang dari ${to}`,
    noReply: (to: string, seconds: number) =>
      `tidak ada balasan dari ${to} dalam ${seconds} s (apakah udp-server berjalan di sana, dan port-nya benar?)`,
  },
};

/** Runs udp-client with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, request);
}

async function request({ flags, out }: RoleContext): Promise<number> {
  const host = checkHost("host", stringFlag(flags, "host")!);
  const port = checkPort("port", stringFlag(flags, "port")!);
  const message = new TextEncoder().encode(stringFlag(flags, "message")!);
  const timeout = numberFlag(flags, "timeout", { min: 0.001, max: 86400 })!;
  const text = TEXT[flags.lang];
  if (message.length > MAX_DATAGRAM) {
    throw new UsageError(tooLongText(message.length));
  }

  const address = await resolveIpv4(host);
  const target: Deno.NetAddr = { transport: "udp", hostname: address, port };
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
    try {
      await conn.send(message, target);
    } catch (err) {
      throw new RuntimeError(
        errorText(err, {
          doing: { en: `sending to ${to}`, id: `mengirim ke ${to}` },
        }),
      );
    }
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
            en: TEXT.en.noReply(to, timeout),
            id: TEXT.id.noReply(to, timeout),
          });
        }
        if (stop.stopped) {
          throw new RuntimeError({
            en: TEXT.en.stopped(to),
            id: TEXT.id.stopped(to),
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
      return 0;
    }
  } finally {
    clearTimeout(timer);
    stop.dispose();
    if (!timedOut && !stop.stopped) conn.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
