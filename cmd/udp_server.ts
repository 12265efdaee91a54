/**
 * udp-server: Lab 1's UDP server. Prints every datagram with its sender and
 * answers each with a reply ("Get off my lawn!").
 *
 * @module
 */

import { KERNEL_DROPS_NOTE } from "../lib/udp/kernel_drops.ts";
import { plural } from "../lib/cli/i18n.ts";
import { checkIpv4, checkPort } from "../lib/cli/address.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli/parse.ts";
import { formatAddr, openUdp, type UdpSocket } from "../lib/udp/socket.ts";
import {
  ioChoice,
  printDelivery,
  RECEIVER_IO_FLAGS,
} from "../lib/udp/io_flags.ts";
import { type BatchSocket, openBatch } from "../lib/udp/batch_socket.ts";
import { localNetworks } from "../lib/cli/address.ts";
import { replyLoop } from "../lib/udp/server.ts";
import { UDP_REPLY } from "../lib/udp/payload.ts";
import { PORTS } from "../lib/ports.ts";
import { formatKernelDrops } from "../lib/udp/receiver.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import {
  DATAGRAM_COUNT_FLAG,
  DURATION_FLAG,
  LISTEN_BIND_FLAG,
  listenPortFlag,
} from "../lib/cli/common_flags.ts";

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
    ...RECEIVER_IO_FLAGS,
  },
  examples: [
    "udp-server",
    "udp-server --port 10000 --reply 'Get off my lawn!' --count 1",
    "udp-server:batch --show-ttl --count 1",
  ],
  notes: KERNEL_DROPS_NOTE,
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
  const io = ioChoice(flags);
  const text = TEXT[flags.lang];

  // The batch path also tells each request's TTL (--show-ttl): how many
  // routers it crossed. Replies go out one by one, as they are made.
  let batch: BatchSocket | undefined;
  let conn: UdpSocket;
  if (io.batch) {
    batch = openBatch({
      hostname: bind,
      port,
      rcvbuf: io.rcvbuf,
      showTtl: io.showTtl,
      sendBatch: 1,
    });
    conn = batch;
  } else {
    conn = openUdp({ hostname: bind, port });
  }
  const broadcasts = io.showTtl
    ? localNetworks().map((net) => net.broadcast)
    : [];
  const local = conn.addr as Deno.NetAddr;
  out.line(text.listening(formatAddr(local)));
  out.record({ type: "listening", address: local.hostname, port: local.port });
  out.flush();

  const { received, replied, kernelDrops } = await replyLoop(conn, {
    out,
    text,
    lang: flags.lang,
    reply,
    count,
    durationSeconds: duration,
    afterEach: batch && io.showTtl
      ? () =>
        printDelivery(out, batch.lastDelivery(), {
          lang: flags.lang,
          broadcasts,
        })
      : undefined,
  });
  out.line(text.summary(received, replied));
  out.line(formatKernelDrops(kernelDrops, flags.lang));
  out.record({ type: "summary", received, replied, kernelDrops });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
