/**
 * multicast-sender: the multicast chat's sender (Modul 11). Sends each line
 * typed at the prompt "masukkan pesan :" (or each line of piped standard
 * input, or `--message`) to the group, with TTL 2 by default. Receivers on
 * the sender's own host get the messages too.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkGroup, checkIpv4, checkPort } from "../lib/cli/address.ts";
import { type CommandSpec, intFlag, stringFlag } from "../lib/cli/parse.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { PORTS } from "../lib/ports.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { formatAddr, MAX_DATAGRAM } from "../lib/udp/socket.ts";
import { openMulticastSender, sendToGroup } from "../lib/udp/multicast.ts";
import { IO_FLAG, ioChoice } from "../lib/udp/io_flags.ts";
import {
  GROUP_FLAG,
  peerPortFlag,
  SOURCE_BIND_FLAG,
  TTL_FLAG,
} from "../lib/cli/common_flags.ts";

/** multicast-sender's command line. */
export const SPEC: CommandSpec = {
  name: "multicast-sender",
  summary: {
    en: "send each line typed (or piped, or --message) to a multicast group",
    id:
      "kirim setiap baris yang diketik (atau dari pipa, atau --message) ke grup multicast",
  },
  flags: {
    group: GROUP_FLAG,
    port: peerPortFlag(PORTS.multicast, "UDP receivers"),
    ttl: TTL_FLAG,
    bind: SOURCE_BIND_FLAG,
    message: {
      type: "string",
      short: "m",
      valueName: "TEXT",
      help: {
        en: "send this text (once, or --count times) instead of reading lines",
        id:
          "kirim teks ini (sekali, atau --count kali) alih-alih membaca baris",
      },
    },
    count: {
      type: "string",
      short: "c",
      valueName: "N",
      help: {
        en: "with --message: send it N times",
        id: "dengan --message: kirim N kali",
      },
    },
    io: IO_FLAG,
  },
  examples: [
    "multicast-sender",
    "echo halo | multicast-sender --group 224.1.1.1 --port 5004 --ttl 2",
    "multicast-sender --bind 127.0.0.1 --message 'halo semua' --count 3",
    "multicast-sender:batch --bind 127.0.0.1 --message halo --count 100000",
  ],
};

const TEXT = {
  en: {
    sending: (from: string, group: string, ttl: number) =>
      `sending from ${from} to ${group}, TTL ${ttl}`,
    prompt: "enter message : ",
    sent: (bytes: number, to: string) =>
      `sent ${plural(bytes, "byte", "bytes")} to ${to}`,
    tooLong: (bytes: number) =>
      `line of ${bytes} bytes not sent: a UDP datagram holds at most ${MAX_DATAGRAM}`,
  },
  id: {
    sending: (from: string, group: string, ttl: number) =>
      `mengirim dari ${from} ke ${group}, TTL ${ttl}`,
    prompt: "masukkan pesan :",
    sent: (bytes: number, to: string) => `dikirim ${bytes} byte ke ${to}`,
    tooLong: (bytes: number) =>
      `baris ${bytes} byte tidak dikirim: datagram UDP paling banyak ${MAX_DATAGRAM}`,
  },
};

/** Runs multicast-sender with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, send);
}

async function send({ flags, out }: RoleContext): Promise<number> {
  const group = checkGroup("group", stringFlag(flags, "group")!);
  const port = checkPort("port", stringFlag(flags, "port")!);
  const ttl = intFlag(flags, "ttl", { min: 0, max: 255 })!;
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const message = stringFlag(flags, "message");
  const count = intFlag(flags, "count", { min: 1 }) ?? 1;
  const io = ioChoice(flags);
  const text = TEXT[flags.lang];
  if (message !== undefined) {
    const bytes = new TextEncoder().encode(message).length;
    if (bytes > MAX_DATAGRAM) {
      throw new UsageError({
        en: `--message: ${TEXT.en.tooLong(bytes)}`,
        id: `--message: ${TEXT.id.tooLong(bytes)}`,
      });
    }
  }

  const conn = await openMulticastSender(group, {
    bind,
    ttl,
    // Typed or piped lines go out one by one, as they come.
    batch: !io.batch ? undefined : message === undefined ? 1 : 64,
  });
  const local = conn.addr as Deno.NetAddr;
  const to = `${group}:${port}`;
  out.line(text.sending(formatAddr(local), to, ttl));
  out.record({
    type: "sending",
    from: local.hostname,
    sourcePort: local.port,
    group,
    port,
    ttl,
  });
  out.flush();

  await sendToGroup(conn, { transport: "udp", hostname: group, port }, {
    out,
    text,
    name: SPEC.name,
    lang: flags.lang,
    message,
    count,
  });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
