/**
 * udp-server: Lab 1's UDP server. Prints every datagram with its sender and
 * answers each with a reply ("Get off my lawn!").
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkIpv4, checkPort } from "../lib/cli/address.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli/parse.ts";
import { displayBytes } from "../lib/cli/display.ts";
import { describeError } from "../lib/cli/errors.ts";
import { openUdp } from "../lib/udp/socket.ts";
import { closeCountingDrops } from "../lib/udp/kernel_drops.ts";
import { formatKernelDrops } from "../lib/udp/receiver.ts";
import { PORTS, UDP_REPLY } from "../lib/udp/payload.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import {
  DATAGRAM_COUNT_FLAG,
  DURATION_FLAG,
  LISTEN_BIND_FLAG,
  listenPortFlag,
} from "../lib/cli/common_flags.ts";

/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65507;

/** udp-server's command line. */
export const SPEC: CommandSpec = {
  name: "udp-server",
  summary: {
    en: "print every UDP datagram with its sender and answer it",
    id: "cetak setiap datagram UDP beserta pengirimnya lalu balas",
  },
  flags: {
    port: listenPortFlag(PORTS.udp, "UDP"),
    bind: LISTEN_BIND_FLAG,
    reply: {
      type: "string",
      default: UDP_REPLY,
      valueName: "TEXT",
      help: {
        en: "reply sent for every datagram",
        id: "balasan untuk setiap datagram",
      },
    },
    count: DATAGRAM_COUNT_FLAG,
    duration: DURATION_FLAG,
  },
  examples: [
    "udp-server",
    "udp-server --port 10000 --reply 'Get off my lawn!' --count 1",
  ],
  notes: {
    en:
      "The summary also tells how many datagrams the kernel dropped because the receive\n" +
      "buffer was full (Linux, ss): then this program, not the network, was too slow.",
    id:
      "Ringkasan juga menyebut berapa datagram yang dibuang kernel karena buffer penerimaan\n" +
      "penuh (Linux, ss): berarti program ini, bukan jaringan, yang terlalu lambat.",
  },
};

const TEXT = {
  en: {
    listening: (address: string) => `listening on udp ${address}`,
    datagram: (from: string, bytes: number, text: string) =>
      `received ${plural(bytes, "byte", "bytes")} from ${from}: ${text}`,
    replied: (to: string) => `replied to ${to}`,
    summary: (received: number, replied: number) =>
      `done: ${plural(received, "datagram", "datagrams")} received, ${
        plural(replied, "reply", "replies")
      } sent`,
  },
  id: {
    listening: (address: string) => `mendengarkan di udp ${address}`,
    datagram: (from: string, bytes: number, text: string) =>
      `diterima ${bytes} byte dari ${from}: ${text}`,
    replied: (to: string) => `dibalas ke ${to}`,
    summary: (received: number, replied: number) =>
      `selesai: ${received} datagram diterima, ${replied} balasan dikirim`,
  },
};

/** Runs udp-server with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, serve);
}

async function serve({ flags, out }: RoleContext): Promise<number> {
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const reply = new TextEncoder().encode(stringFlag(flags, "reply")!);
  const count = intFlag(flags, "count", { min: 1 });
  const duration = numberFlag(flags, "duration", { min: 0 });
  const text = TEXT[flags.lang];

  const conn = openUdp({ hostname: bind, port });
  const local = conn.addr as Deno.NetAddr;
  out.line(text.listening(`${local.hostname}:${local.port}`));
  out.record({ type: "listening", address: local.hostname, port: local.port });
  out.flush();

  const close = closeCountingDrops(conn);
  const stop = onStop(() => void close(), { durationSeconds: duration });
  const buffer = new Uint8Array(MAX_DATAGRAM + 1);
  let received = 0;
  let replied = 0;
  let kernelDrops: number | undefined;
  try {
    while (count === undefined || received < count) {
      const [data, addr] = await conn.receive(buffer);
      if (stop.stopped) break;
      const from = addr as Deno.NetAddr;
      received++;
      const shown = displayBytes(data);
      out.line(
        text.datagram(`${from.hostname}:${from.port}`, data.length, shown),
      );
      out.record({
        type: "datagram",
        from: from.hostname,
        port: from.port,
        bytes: data.length,
        text: shown,
      });
      try {
        await conn.send(reply, from);
        replied++;
        out.line(text.replied(`${from.hostname}:${from.port}`));
      } catch (err) {
        // One unreachable client must not stop the server.
        out.line(
          describeError(err, {
            doing: {
              en: `replying to ${from.hostname}:${from.port}`,
              id: `membalas ke ${from.hostname}:${from.port}`,
            },
            lang: flags.lang,
          }),
        );
      }
    }
  } catch (err) {
    if (!stop.stopped) throw err;
  } finally {
    stop.dispose();
    kernelDrops = await close();
  }
  out.line(text.summary(received, replied));
  out.line(formatKernelDrops(kernelDrops, flags.lang));
  out.record({ type: "summary", received, replied, kernelDrops });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
