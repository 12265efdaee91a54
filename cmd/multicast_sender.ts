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
import { errorText, RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { printError, writeConsole } from "../lib/cli/output.ts";
import { PORTS } from "../lib/ports.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import { printSendSummary, SendCounter } from "../lib/udp/sender.ts";
import { formatAddr, MAX_DATAGRAM, openUdp } from "../lib/udp/socket.ts";
import {
  GROUP_FLAG,
  peerPortFlag,
  SOURCE_BIND_FLAG,
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
    ttl: {
      type: "string",
      default: "2",
      valueName: "HOPS",
      help: {
        en: "time to live: how many routers a datagram may cross (0 to 255)",
        id: "time to live: berapa router yang boleh dilewati (0 sampai 255)",
      },
    },
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
  },
  examples: [
    "multicast-sender",
    "echo halo | multicast-sender --group 224.1.1.1 --port 5004 --ttl 2",
    "multicast-sender --bind 127.0.0.1 --message 'halo semua' --count 3",
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
  const text = TEXT[flags.lang];
  const encoder = new TextEncoder();
  if (message !== undefined) {
    const bytes = encoder.encode(message).length;
    if (bytes > MAX_DATAGRAM) {
      throw new UsageError({
        en: `--message: ${TEXT.en.tooLong(bytes)}`,
        id: `--message: ${TEXT.id.tooLong(bytes)}`,
      });
    }
  }

  const conn = openUdp({ hostname: bind, port: 0, loopback: true });
  try {
    // Deno sets the TTL through a group membership, so the sender joins too;
    // it is bound to another port and never receives its own messages.
    const membership = await conn.joinMulticastV4(group, bind);
    await membership.setTTL(ttl);
    await membership.setLoopback(true);
  } catch (err) {
    conn.close();
    throw new RuntimeError(
      errorText(err, {
        doing: {
          en: `setting up multicast to ${group}`,
          id: `menyiapkan multicast ke ${group}`,
        },
      }),
    );
  }
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

  const target: Deno.NetAddr = { transport: "udp", hostname: group, port };
  const counter = new SendCounter();
  const sendLine = async (line: string) => {
    const bytes = encoder.encode(line);
    if (bytes.length > MAX_DATAGRAM) {
      printError(`${SPEC.name}: ${text.tooLong(bytes.length)}`);
      return;
    }
    try {
      await conn.send(bytes, target);
    } catch (err) {
      throw new RuntimeError(
        errorText(err, {
          doing: { en: `sending to ${to}`, id: `mengirim ke ${to}` },
        }),
      );
    }
    counter.add(bytes.length);
    out.line(text.sent(bytes.length, to));
    out.record({ type: "sent", bytes: bytes.length });
  };

  const stop = onStop(() => {});
  // Lines typed by hand come at a person's pace: a rate says nothing there.
  const typed = message === undefined && Deno.stdin.isTerminal();
  try {
    if (message !== undefined) {
      for (let i = 0; i < count && !stop.stopped; i++) await sendLine(message);
    } else {
      await sendLines(sendLine, {
        prompt: typed && !out.json ? text.prompt : undefined,
        // --json-text (the lab's transcripts): the human lines include what
        // a terminal would have shown, the prompt and the line typed at it.
        echo: !typed && out.json && out.showsLines ? text.prompt : undefined,
        out,
        signal: stop.signal,
      });
    }
  } finally {
    stop.dispose();
    conn.close();
    printSendSummary(out, counter.summary(), flags.lang, { rate: !typed });
  }
  return 0;
}

/** Reads standard input line by line, calling `sendLine` for each non-empty line. */
async function sendLines(
  sendLine: (line: string) => Promise<void>,
  options: {
    prompt: string | undefined;
    /**
     * Show each line read after this prompt, as a terminal shows it, and
     * say so with a `typed` record.
     */
    echo?: string;
    out: {
      flush(): void;
      line(text: string): void;
      record(value: Record<string, unknown>): void;
    };
    signal: AbortSignal;
  },
): Promise<void> {
  const { prompt, echo, out, signal } = options;
  const showPrompt = () => {
    if (prompt === undefined) return;
    out.flush();
    writeConsole(prompt);
  };
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
    .getReader();
  // A stop (Ctrl+C, SIGTERM) ends the wait for the next line.
  const stopped = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined);
    signal.addEventListener("abort", () => resolve(undefined));
  });
  let rest = "";
  showPrompt();
  while (!signal.aborted) {
    const chunk = await Promise.race([reader.read(), stopped]);
    if (chunk === undefined || chunk.done) break;
    rest += chunk.value;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    for (const part of parts) {
      const line = part.endsWith("\r") ? part.slice(0, -1) : part;
      if (echo !== undefined) {
        out.line(echo + line);
        out.record({ type: "typed", text: line });
      }
      if (line !== "") await sendLine(line);
      showPrompt();
    }
  }
  if (!signal.aborted && rest !== "") {
    if (echo !== undefined) {
      out.line(echo + rest);
      out.record({ type: "typed", text: rest });
    }
    await sendLine(rest);
  }
  // The prompt the terminal was left showing when input ended.
  if (echo !== undefined) out.line(echo);
  // After Ctrl+C, onStop has already ended the prompt's line.
  if (prompt !== undefined && signal.reason !== "SIGINT") {
    writeConsole("\n");
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
