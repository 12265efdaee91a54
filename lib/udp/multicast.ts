/**
 * The multicast lab's sockets and its sender: joining the group (with the
 * usual failures explained), a sender's socket with its TTL, and sending
 * `--message` or each line of standard input to the group.
 *
 * @module
 */

import { errorText, RuntimeError } from "../cli/errors.ts";
import type { Lang, Text } from "../cli/i18n.ts";
import { openBatch } from "./batch_socket.ts";
import { type Output, printError } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { sendLines } from "./_typed_lines.ts";
import { printSendSummary, SendCounter, sendTo } from "./sender.ts";
import { formatAddr, MAX_DATAGRAM, openUdp, type UdpSocket } from "./socket.ts";

/**
 * Joins `group` on the interface with address `iface` (0.0.0.0: the one the
 * routing table picks). On failure the socket is closed and a
 * {@linkcode RuntimeError} says what is missing: a route for multicast, or
 * an interface with that address.
 */
export async function joinGroup(
  conn: Pick<Deno.DatagramConn, "close"> & {
    joinMulticastV4(group: string, iface: string): Promise<unknown>;
  },
  group: string,
  iface: string,
): Promise<void> {
  try {
    await conn.joinMulticastV4(group, iface);
  } catch (err) {
    conn.close();
    // ENODEV: the kernel found no interface to join on.
    const noDevice = err instanceof Error && /os error 19\b/.test(err.message);
    const doing = {
      en: `joining ${group} on ${iface}`,
      id: `bergabung ke ${group} di ${iface}`,
    };
    if (!noDevice) throw new RuntimeError(errorText(err, { doing }));
    throw new RuntimeError(
      iface === "0.0.0.0"
        ? {
          en:
            `${doing.en}: no interface for multicast (no route to 224.0.0.0/4 on this host; give --interface ADDR)`,
          id:
            `${doing.id}: tidak ada antarmuka untuk multicast (tidak ada rute ke 224.0.0.0/4 di host ini; beri --interface ALAMAT)`,
        }
        : {
          en:
            `${doing.en}: no interface of this host has the address ${iface} (check --interface)`,
          id:
            `${doing.id}: tidak ada antarmuka host ini yang beralamat ${iface} (periksa --interface)`,
        },
    );
  }
}

/** Options for {@linkcode openMulticastSender}. */
export interface MulticastSenderOptions {
  /** Local address to send from. */
  bind: string;
  /** Hops the datagrams may take (0: this host only). */
  ttl: number;
  /**
   * The batch path (`--io batch`): send this many datagrams per system call
   * (1: each line at once, as typed).
   */
  batch?: number;
}

/**
 * Opens a socket that sends to `group` with the given TTL, its datagrams
 * looped back to receivers on this host too. Throws a
 * {@linkcode RuntimeError} when the system refuses.
 */
export async function openMulticastSender(
  group: string,
  options: MulticastSenderOptions,
): Promise<UdpSocket> {
  const { bind, ttl } = options;
  if (options.batch !== undefined) {
    const socket = openBatch({
      hostname: bind,
      port: 0,
      sendBatch: options.batch,
    });
    try {
      // The interface by its address, so a sender bound to 127.0.0.1 never
      // sends through a real interface.
      socket.setMulticast({ iface: bind, ttl });
    } catch (err) {
      socket.close();
      throw new RuntimeError(errorText(err, { doing: settingUp(group) }));
    }
    return socket;
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
    throw new RuntimeError(errorText(err, { doing: settingUp(group) }));
  }
  return conn;
}

function settingUp(group: string): Text {
  return {
    en: `setting up multicast to ${group}`,
    id: `menyiapkan multicast ke ${group}`,
  };
}

/** The multicast sender's human lines, in the role's language. */
export interface GroupSendText {
  /** The prompt on a terminal. */
  prompt: string;
  /** A line of `bytes` bytes went to `to` (`group:port`). */
  sent(bytes: number, to: string): string;
  /** A line of `bytes` bytes was too long for one datagram. */
  tooLong(bytes: number): string;
}

/** Options for {@linkcode sendToGroup}. */
export interface GroupSendOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: GroupSendText;
  /** The role's name, before a warning. */
  name: string;
  /** The language of the summary. */
  lang: Lang;
  /** Send this text `count` times instead of reading standard input. */
  message?: string;
  /** How many times to send `message` (default 1). */
  count?: number;
}

const ENCODER = new TextEncoder();

/**
 * Sends `options.message`, or each non-empty line of standard input (with a
 * prompt on a terminal), to `target` until input ends or a stop (Ctrl+C,
 * SIGTERM). A line too long for one datagram is skipped with a warning. The
 * socket is closed and the summary printed on return.
 */
export async function sendToGroup(
  conn: UdpSocket,
  target: Deno.NetAddr,
  options: GroupSendOptions,
): Promise<void> {
  const { out, text, message, count = 1 } = options;
  const to = formatAddr(target);
  const counter = new SendCounter();
  const sendLine = async (line: string) => {
    const bytes = ENCODER.encode(line);
    if (bytes.length > MAX_DATAGRAM) {
      printError(`${options.name}: ${text.tooLong(bytes.length)}`);
      return;
    }
    await sendTo(conn, bytes, target);
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
    printSendSummary(out, counter.summary(), options.lang, { rate: !typed });
  }
}
