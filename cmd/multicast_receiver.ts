/**
 * multicast-receiver: the multicast chat's receiver (Modul 11). Joins a
 * group on an interface and prints each message; several receivers can run
 * on one host, each getting its own copy.
 *
 * @module
 */

import { KERNEL_DROPS_NOTE } from "../lib/udp/kernel_drops.ts";
import { checkGroup, checkIpv4, checkPort } from "../lib/cli/address.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli/parse.ts";
import { PORTS } from "../lib/ports.ts";
import { printSummary, receiveLoop } from "../lib/udp/receiver.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { joinGroup } from "../lib/udp/multicast.ts";
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
  GROUP_FLAG,
  JOIN_INTERFACE_FLAG,
  sharedPortFlag,
  SUMMARY_ONLY_FLAG,
} from "../lib/cli/common_flags.ts";

/** multicast-receiver's command line. */
export const SPEC: CommandSpec = {
  name: "multicast-receiver",
  summary: {
    en: "join a multicast group and print every message sent to it",
    id: "bergabung ke grup multicast dan cetak setiap pesan ke grup itu",
  },
  flags: {
    group: GROUP_FLAG,
    port: sharedPortFlag(PORTS.multicast),
    interface: JOIN_INTERFACE_FLAG,
    count: DATAGRAM_COUNT_FLAG,
    duration: DURATION_FLAG,
    quiet: SUMMARY_ONLY_FLAG,
    ...RECEIVER_IO_FLAGS,
  },
  examples: [
    "multicast-receiver",
    "multicast-receiver --group 224.1.1.1 --port 5004 --interface 127.0.0.1",
    "multicast-receiver:batch --interface 127.0.0.1 --show-ttl",
  ],
  notes: KERNEL_DROPS_NOTE,
};

const TEXT = {
  en: {
    listening: (group: string, port: number, iface: string) =>
      `joined ${group} on ${iface}, listening on udp port ${port}`,
    lines: (address: string, port: number, text: string) => [
      `message from ${address}:${port}: ${text}`,
    ],
  },
  id: {
    listening: (group: string, port: number, iface: string) =>
      `bergabung ke ${group} di ${iface}, mendengarkan di port udp ${port}`,
    lines: (address: string, port: number, text: string) => [
      `pesan dari ${address}:${port}: ${text}`,
    ],
  },
};

/** Runs multicast-receiver with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, receive);
}

async function receive({ flags, out }: RoleContext): Promise<number> {
  const group = checkGroup("group", stringFlag(flags, "group")!);
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const iface = checkIpv4("interface", stringFlag(flags, "interface")!);
  const count = intFlag(flags, "count", { min: 1 });
  const duration = numberFlag(flags, "duration", { min: 0 });
  const io = ioChoice(flags);
  const text = TEXT[flags.lang];

  const quiet = flags.values.quiet === true;
  // Before binding: a flood that starts at once meets compiled code.
  await warmUpReceiver({ out, lines: text.lines, quiet });
  // Bound to every address, as the module's receivers are, so that the
  // group's datagrams arrive whichever interface they come in on.
  const socket = openReceiver(io, { hostname: "0.0.0.0", port });
  await joinGroup(socket.conn, group, iface);
  const local = socket.conn.addr as Deno.NetAddr;
  out.line(text.listening(group, local.port, iface));
  out.record({
    type: "listening",
    group,
    interface: iface,
    address: local.hostname,
    port: local.port,
  });
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
  printSummary(out, summary, flags.lang, { messages: true });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
