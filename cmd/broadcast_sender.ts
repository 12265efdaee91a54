/**
 * broadcast-sender: the broadcast lab's client. Sends " BROADCAST ini angka
 * N " with N counting up from 1 (or a fixed `--message`) to a broadcast
 * address, in a loop with no pause unless `--interval` asks for one.
 *
 * @module
 */

import {
  checkIpv4,
  checkPort,
  localNetworks,
  networkOf,
} from "../lib/cli/address.ts";
import { type CommandSpec, intFlag, stringFlag } from "../lib/cli/parse.ts";
import { UsageError } from "../lib/cli/errors.ts";
import type { Lang } from "../lib/cli/i18n.ts";
import { printError } from "../lib/cli/output.ts";
import { PORTS } from "../lib/ports.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { sendNumbered } from "../lib/udp/sender.ts";
import { openBatch } from "../lib/udp/batch_socket.ts";
import { IO_FLAG, ioChoice } from "../lib/udp/io_flags.ts";
import {
  formatAddr,
  MAX_DATAGRAM,
  openUdp,
  tooLongText,
} from "../lib/udp/socket.ts";
import {
  peerPortFlag,
  SOURCE_BIND_FLAG,
  SUMMARY_ONLY_FLAG,
} from "../lib/cli/common_flags.ts";

/** broadcast-sender's command line. */
export const SPEC: CommandSpec = {
  name: "broadcast-sender",
  summary: {
    en:
      'send " BROADCAST ini angka N " (N = 1, 2, 3, …) to a broadcast address',
    id: 'kirim " BROADCAST ini angka N " (N = 1, 2, 3, …) ke alamat broadcast',
  },
  flags: {
    to: {
      type: "string",
      short: "t",
      default: "255.255.255.255",
      valueName: "ADDR",
      help: {
        en: "broadcast address, e.g. 192.168.122.255",
        id: "alamat broadcast, mis. 192.168.122.255",
      },
    },
    port: peerPortFlag(PORTS.broadcast, "UDP receivers"),
    bind: SOURCE_BIND_FLAG,
    count: {
      type: "string",
      short: "c",
      valueName: "N",
      help: {
        en:
          "send N datagrams and exit (default: until Ctrl+C; with --message: 1)",
        id:
          "kirim N datagram lalu keluar (bawaan: sampai Ctrl+C; dengan --message: 1)",
      },
    },
    interval: {
      type: "string",
      short: "i",
      default: "0",
      valueName: "MS",
      help: {
        en: "pause between datagrams in milliseconds (0: none, like the lab)",
        id:
          "jeda antar datagram dalam milidetik (0: tanpa jeda, seperti praktikum)",
      },
    },
    message: {
      type: "string",
      short: "m",
      valueName: "TEXT",
      help: {
        en: "send this text instead of the numbered payload",
        id: "kirim teks ini, bukan muatan berangka",
      },
    },
    quiet: SUMMARY_ONLY_FLAG,
    io: IO_FLAG,
  },
  examples: [
    "broadcast-sender --to 192.168.122.255",
    "broadcast-sender --bind 127.0.0.1 --to 127.255.255.255 --count 100 --interval 10",
    "broadcast-sender:batch --bind 127.0.0.1 --to 127.255.255.255 --quiet",
  ],
};

const TEXT = {
  en: {
    sending: (from: string, to: string) => `sending from ${from} to ${to}`,
    sent: (text: string) => `sent ${text}`,
    unicast: (to: string, net: string, broadcast: string) =>
      `note: ${to} is one host's address, so this is unicast to that host only; the broadcast address of ${net} is ${broadcast}`,
  },
  id: {
    sending: (from: string, to: string) => `mengirim dari ${from} ke ${to}`,
    sent: (text: string) => `dikirim ${text}`,
    unicast: (to: string, net: string, broadcast: string) =>
      `catatan: ${to} adalah alamat satu host, jadi ini unicast ke host itu saja; alamat broadcast ${net} adalah ${broadcast}`,
  },
};

/** Runs broadcast-sender with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, send);
}

async function send({ flags, out }: RoleContext): Promise<number> {
  const to = checkIpv4("to", stringFlag(flags, "to")!);
  const port = checkPort("port", stringFlag(flags, "port")!);
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const message = stringFlag(flags, "message");
  const count = intFlag(flags, "count", { min: 1 }) ??
    (message === undefined ? undefined : 1);
  const interval = intFlag(flags, "interval", { min: 0, max: 3_600_000 })!;
  const quiet = flags.values.quiet === true;
  const io = ioChoice(flags);
  const text = TEXT[flags.lang];
  const fixed = message === undefined
    ? undefined
    : new TextEncoder().encode(message);
  if (fixed !== undefined && fixed.length > MAX_DATAGRAM) {
    throw new UsageError(tooLongText(fixed.length));
  }
  warnIfUnicast(to, flags.lang);

  const conn = io.batch
    // With a pause, each datagram goes out when its time comes.
    ? openBatch({ hostname: bind, port: 0, sendBatch: interval > 0 ? 1 : 64 })
    : openUdp({ hostname: bind, port: 0 });
  const target: Deno.NetAddr = { transport: "udp", hostname: to, port };
  const local = formatAddr(conn.addr);
  out.line(text.sending(local, `${to}:${port}`));
  out.record({
    type: "sending",
    from: (conn.addr as Deno.NetAddr).hostname,
    sourcePort: (conn.addr as Deno.NetAddr).port,
    to,
    port,
  });
  out.flush();

  await sendNumbered(conn, target, {
    out,
    lang: flags.lang,
    sent: text.sent,
    message,
    count,
    intervalMs: interval,
    quiet,
  });
  return 0;
}

/**
 * Says so when `to` is a host's address on one of this host's networks:
 * only that host would get the datagrams (a common slip: the receiver's
 * address instead of the subnet's broadcast address).
 */
function warnIfUnicast(to: string, lang: Lang): void {
  if (to === "255.255.255.255") return;
  const net = networkOf(to, localNetworks());
  if (!net || to === net.broadcast || to === net.network) return;
  printError(
    `${SPEC.name}: ${
      TEXT[lang].unicast(to, `${net.network}/${net.prefix}`, net.broadcast)
    }`,
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
