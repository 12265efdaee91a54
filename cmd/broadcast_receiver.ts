/**
 * broadcast-receiver: the broadcast lab's server. Shares its port with other
 * receivers on the same host, prints every datagram like the lab ("diterima
 * …", "dikirim oleh (ip, port)") and, on exit, a summary of the sequence
 * numbers: the first one seen, how many were sent before it started, how
 * many were lost while it listened.
 *
 * @module
 */

import { checkIpv4, checkPort, localNetworks } from "../lib/cli/address.ts";
import type { Lang } from "../lib/cli/i18n.ts";
import { printError } from "../lib/cli/output.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli/parse.ts";
import { PORTS } from "../lib/ports.ts";
import { printSummary, receiveLoop } from "../lib/udp/receiver.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { formatAddr } from "../lib/udp/socket.ts";
import { ioChoice, RECEIVER_IO_FLAGS } from "../lib/udp/io_flags.ts";
import {
  deliveryPrinter,
  openReceiver,
  printReceiverDetails,
} from "../lib/udp/receiver_socket.ts";
import { warmUpReceiver } from "../lib/udp/warm_up.ts";
import {
  DATAGRAM_COUNT_FLAG,
  DURATION_FLAG,
  sharedPortFlag,
  SUMMARY_ONLY_FLAG,
} from "../lib/cli/common_flags.ts";

/** broadcast-receiver's command line. */
export const SPEC: CommandSpec = {
  name: "broadcast-receiver",
  summary: {
    en: "receive UDP broadcasts on a shared port and count the lab's numbers",
    id: "terima broadcast UDP di port bersama dan hitung angka praktikum",
  },
  flags: {
    port: sharedPortFlag(PORTS.broadcast),
    bind: {
      type: "string",
      short: "b",
      default: "0.0.0.0",
      valueName: "ADDR",
      help: {
        en: "local address (0.0.0.0 receives broadcasts; 127.0.0.1 does not)",
        id: "alamat lokal (0.0.0.0 menerima broadcast; 127.0.0.1 tidak)",
      },
    },
    count: DATAGRAM_COUNT_FLAG,
    duration: DURATION_FLAG,
    quiet: SUMMARY_ONLY_FLAG,
    ...RECEIVER_IO_FLAGS,
  },
  examples: [
    "broadcast-receiver",
    "broadcast-receiver --port 5005 --duration 10",
    "broadcast-receiver --json --quiet",
    "broadcast-receiver:batch --rcvbuf 8388608 --show-ttl",
  ],
  notes: {
    en:
      "On exit (--count, --duration, Ctrl+C, SIGTERM) a summary tells the first number\n" +
      "received, how many were sent before this receiver started and how many are missing\n" +
      "between the first and the last (what came after the last only the sender knows),\n" +
      "and how many the kernel dropped because the receive buffer was full (Linux, ss).",
    id:
      "Saat keluar (--count, --duration, Ctrl+C, SIGTERM) ringkasan menyebut angka pertama\n" +
      "yang diterima, berapa yang dikirim sebelum penerima ini mulai dan berapa yang terlewat\n" +
      "antara angka pertama dan terakhir (yang sesudah angka terakhir hanya diketahui pengirim),\n" +
      "dan berapa yang dibuang kernel karena buffer penerimaan penuh (Linux, ss).",
  },
};

const TEXT = {
  en: {
    listening: (address: string) =>
      `listening for broadcasts on udp ${address}`,
    ownAddress: (bind: string, iface: string, broadcast: string) =>
      `note: ${bind} is this host's own address on ${iface}, and broadcasts (to ${broadcast}) do not reach a socket bound to it; to receive them, leave out --bind (0.0.0.0, every address)`,
    lines: (address: string, port: number, text: string) => [
      `message from ${address}`,
      `received ${text}`,
      `sent by (${address}, ${port})`,
    ],
  },
  id: {
    listening: (address: string) => `mendengarkan broadcast di udp ${address}`,
    ownAddress: (bind: string, iface: string, broadcast: string) =>
      `catatan: ${bind} adalah alamat host ini sendiri di ${iface}, dan broadcast (ke ${broadcast}) tidak sampai ke soket yang terikat padanya; untuk menerimanya, hilangkan --bind (0.0.0.0, semua alamat)`,
    lines: (address: string, port: number, text: string) => [
      `pesan dari ${address}`,
      `diterima ${text}`,
      `dikirim oleh (${address}, ${port})`,
    ],
  },
};

/** Runs broadcast-receiver with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, receive);
}

async function receive({ flags, out }: RoleContext): Promise<number> {
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const count = intFlag(flags, "count", { min: 1 });
  const duration = numberFlag(flags, "duration", { min: 0 });
  const io = ioChoice(flags);
  const text = TEXT[flags.lang];

  const quiet = flags.values.quiet === true;
  // Before binding: a flood that starts at once meets compiled code.
  await warmUpReceiver({ out, lines: text.lines, quiet });
  const socket = openReceiver(io, { hostname: bind, port });
  const local = socket.conn.addr as Deno.NetAddr;
  warnIfOwnAddress(bind, flags.lang);
  out.line(text.listening(formatAddr(local)));
  out.record({ type: "listening", address: local.hostname, port: local.port });
  printReceiverDetails(out, socket, { io, lang: flags.lang });
  out.flush();

  const summary = await receiveLoop(socket.conn, {
    out,
    lines: text.lines,
    count,
    durationSeconds: duration,
    quiet,
    afterEach: deliveryPrinter(out, socket, { io, lang: flags.lang }),
  });
  printSummary(out, summary, flags.lang);
  return 0;
}

/**
 * Says so when `bind` is one of this host's unicast addresses: Linux gives
 * a broadcast only to sockets bound to 0.0.0.0 or to the broadcast address
 * itself, so such a receiver would wait for nothing.
 */
function warnIfOwnAddress(bind: string, lang: Lang): void {
  const own = localNetworks().find((net) => net.address === bind);
  if (!own) return;
  printError(
    `${SPEC.name}: ${TEXT[lang].ownAddress(bind, own.name, own.broadcast)}`,
  );
}

if (import.meta.main) Deno.exit(await main(Deno.args));
