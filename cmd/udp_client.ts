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
import { UsageError } from "../lib/cli/errors.ts";
import { UDP_REQUEST } from "../lib/udp/payload.ts";
import { PORTS } from "../lib/ports.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { MAX_DATAGRAM, tooLongText } from "../lib/udp/socket.ts";
import { requestReply } from "../lib/udp/client.ts";
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
  },
  id: {
    sent: (bytes: number, to: string) => `dikirim ${bytes} byte ke ${to}`,
    reply: (from: string, text: string) => `balasan dari ${from}: ${text}`,
    rtt: (ms: string) => `waktu pulang-pergi ${ms} ms`,
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
  await requestReply({ transport: "udp", hostname: address, port }, message, {
    out,
    text,
    timeoutSeconds: timeout,
  });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
