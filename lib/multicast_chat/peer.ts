/**
 * A multicast-chat peer: joins a group and is at once sender and receiver.
 * Each line typed goes out as one datagram `NAME : TEXT`; what the others
 * send is printed above the line being typed (the TCP chat's console), with
 * a bell and a count of unread lines in the prompt. Joins, leaves, renames
 * and `/who` travel as the control datagrams of `wire.ts`.
 *
 * Its own datagrams come back (multicast loopback, so that two peers on one
 * host see each other): they are told apart by the sending socket's port and
 * this host's addresses, never by the name.
 *
 * @module
 */

import {
  MAX_LISTED_NAMES,
  nameProblem,
  parseCommand,
} from "../chat/message.ts";
import { ChatConsole } from "../chat/_console.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { joinGroup, openMulticastSender } from "../udp/multicast.ts";
import { sendTo } from "../udp/sender.ts";
import { formatAddr, MAX_DATAGRAM, openUdp } from "../udp/socket.ts";
import { type Member, Members } from "./members.ts";
import {
  type Control,
  type Datagram,
  encodeControl,
  encodeMessage,
  maxTextBytes,
  parseDatagram,
} from "./wire.ts";

/** How long `/who` waits for answers before it lists the members. */
export const WHO_WAIT_MS = 1000;

/**
 * The peer's rates and bounds: it answers `/who` at most once a second
 * however many ask; it rings at most one bell in 200 ms, so a flood does
 * not ring without end; at most 1024 lines wait to be sent (piped input
 * faster than the socket).
 */
const ANSWER_EVERY_MS = 1000;
const BELL_EVERY_MS = 200;
const MAX_PENDING_SENDS = 1024;

/** The peer's human lines, in the role's language. */
export interface MulticastChatText {
  /** The first line: where it listens and as whom. */
  joined(where: JoinedLine): string;
  /** A typed line too long for a datagram. */
  tooLong(bytes: number, max: number): string;
  /** The prompt. */
  prompt: string;
  /** The word in `(3 new) ` before the prompt: lines that came while typing. */
  unread: string;
  /** The words of `* NAME joined (from)`, `* NAME left`, `* NAME is now NEW`. */
  controlWords: ControlWords;
  /** What was being typed when the session ended. */
  unsentInput(text: string): string;
  /** Lines waiting to be sent are over the limit. */
  backlog: string;
  /** `/name` with a name refused; `problem` says why. */
  badName(problem: string): string;
  /** This peer is now called `name`. */
  renamed(name: string): string;
  /**
   * `/who`'s answer: the members heard from in the last `seconds` (the
   * newest ones, if there are too many to list; `more` are not listed).
   */
  who(names: string[], seconds: number, more: number): string;
  /** An unknown `/word`. */
  unknownCommand(word: string): string;
  /** `/help`'s lines. */
  help: string[];
  /** The last line. */
  summary(counts: ChatCounts): string;
}

/** The verbs of the control lines shown, in the role's language. */
export interface ControlWords {
  /** `* NAME joined (address:port)`. */
  join: string;
  /** `* NAME left`. */
  leave: string;
  /** `* NAME is now NEW`. */
  rename: string;
}

/** What {@linkcode MulticastChatText.joined} says. */
export interface JoinedLine {
  /** `group:port`. */
  to: string;
  /** The interface joined on. */
  iface: string;
  /** The channel's name, if the group came from `--channel`. */
  channel?: string;
  /** This peer's name. */
  name: string;
  /** The TTL. */
  ttl: number;
}

/** The counts of a session. */
export interface ChatCounts {
  /** Lines sent. */
  sent: number;
  /** Messages received from others (named or raw). */
  received: number;
  /** Peers heard from (at most the member table's size). */
  members: number;
  /** Joins seen. */
  joined: number;
  /** Leaves seen. */
  left: number;
}

/** Options for {@linkcode runMulticastChat}. */
export interface MulticastChatOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: MulticastChatText;
  /** The language of the records' details. */
  lang: Lang;
  /** The group. */
  group: string;
  /** The port (0: any free port; the others then need it). */
  port: number;
  /** The channel's name, when the group came from one. */
  channel?: string;
  /** The interface's address to join on (0.0.0.0: the system's choice). */
  iface: string;
  /** The address to send from. */
  bind: string;
  /** The TTL of what is sent. */
  ttl: number;
  /** This peer's name (already checked). */
  name: string;
  /** No bell. */
  quiet: boolean;
  /** Keep receiving after piped input ends. */
  keepOpen: boolean;
  /** `/who` lists the members heard from in the last this many seconds. */
  activeSeconds: number;
}

/**
 * Runs one multicast-chat session until `/quit`, the end of input (unless
 * `keepOpen`), Ctrl+C or SIGTERM; announces the join and the leave; resolves
 * to the exit code. A failure to bind or join throws a `RuntimeError`.
 */
export async function runMulticastChat(
  options: MulticastChatOptions,
): Promise<number> {
  const { out, text, group, ttl } = options;
  let name = options.name;
  const receiver = openUdp({
    hostname: "0.0.0.0",
    port: options.port,
    reuseAddress: true,
  });
  await joinGroup(receiver, group, options.iface);
  const port = (receiver.addr as Deno.NetAddr).port;
  let sender;
  try {
    sender = await openMulticastSender(group, { bind: options.bind, ttl });
  } catch (err) {
    receiver.close();
    throw err;
  }
  const sourcePort = (sender.addr as Deno.NetAddr).port;
  const own = ownAddresses(options.bind);
  const target: Deno.NetAddr = { transport: "udp", hostname: group, port };

  out.line(text.joined({
    to: formatAddr(target),
    iface: options.iface,
    channel: options.channel,
    name,
    ttl,
  }));
  out.record({
    type: "listening",
    group,
    port,
    interface: options.iface,
    ...(options.channel === undefined ? {} : { channel: options.channel }),
    name,
    ttl,
    sourcePort,
  });
  out.flush();

  const counts: ChatCounts = {
    sent: 0,
    received: 0,
    members: 0,
    joined: 0,
    left: 0,
  };
  const members = new Members();
  let unread = 0;
  let lastBell = -Infinity;
  let lastAnswer = -Infinity;
  let over = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => finish = resolve);
  finished.then(() => over = true);
  const timers = new Set<ReturnType<typeof setTimeout>>();

  // Sends in order, one at a time; a failure to send ends the session.
  let sending: Promise<void> = Promise.resolve();
  let pending = 0;
  let failure: unknown;
  const send = (bytes: Uint8Array): boolean => {
    if (pending >= MAX_PENDING_SENDS) return false;
    pending++;
    sending = sending.then(async () => {
      try {
        if (failure === undefined) await sendTo(sender, bytes, target);
      } catch (err) {
        failure ??= err;
        finish();
      } finally {
        pending--;
      }
    });
    return true;
  };
  const sendControl = (control: Control) => send(encodeControl(control));

  const show = (line: string) => {
    if (keyboard.interactive) keyboard.print(line);
    else out.line(line);
  };
  const notify = () => {
    if (!keyboard.interactive) return;
    if (keyboard.pendingInput !== "") {
      unread++;
      keyboard.setPrompt(promptWith(text, unread));
    }
    const now = performance.now();
    if (!options.quiet && now - lastBell >= BELL_EVERY_MS) {
      lastBell = now;
      keyboard.bell();
    }
  };

  const command = (line: string): boolean => {
    const parsed = parseCommand(line);
    if (!parsed) return false;
    switch (parsed.word) {
      case "quit":
        finish();
        break;
      case "help":
        for (const help of text.help) show(help);
        break;
      case "name": {
        const problem = nameProblem(parsed.arg, options.lang);
        if (problem !== undefined) {
          show(text.badName(problem));
          break;
        }
        if (parsed.arg === name) break;
        sendControl({ kind: "rename", name, to: parsed.arg });
        out.record({ type: "rename", name, to: parsed.arg });
        name = parsed.arg;
        show(text.renamed(name));
        break;
      }
      case "who": {
        sendControl({ kind: "who", name });
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (over) return;
          const recent = members.recent({ seconds: options.activeSeconds });
          const listed = newestByName(recent, MAX_LISTED_NAMES);
          const names = listed.map((m) =>
            m.name === undefined ? m.from : `${m.name} (${m.from})`
          );
          show(
            text.who(
              names,
              options.activeSeconds,
              recent.length - names.length,
            ),
          );
          out.record({
            type: "who",
            members: recent.map((m) => ({ from: m.from, name: m.name })),
          });
        }, WHO_WAIT_MS);
        timers.add(timer);
        break;
      }
      default:
        show(text.unknownCommand(parsed.word));
    }
    return true;
  };

  const keyboard = new ChatConsole({
    prompt: text.prompt,
    // Past a whole datagram the terminal beeps; the exact limit (the
    // datagram less "NAME : ") is checked when the line is entered.
    maxLineBytes: MAX_DATAGRAM,
    out,
    onLine: (line) => {
      if (unread > 0) {
        unread = 0;
        keyboard.setPrompt(text.prompt);
      }
      if (over || line.trim() === "" || command(line)) return;
      const bytes = new TextEncoder().encode(line).length;
      const max = maxTextBytes(name);
      if (bytes > max) {
        show(text.tooLong(bytes, max));
        out.record({ type: "unsent", bytes, max, reason: "too-long" });
        return;
      }
      if (!send(encodeMessage(name, line))) {
        show(text.backlog);
        out.record({ type: "unsent", bytes, reason: "backlog" });
        return;
      }
      counts.sent++;
      out.record({ type: "sent", name, text: line, bytes });
    },
    onEnd: () => {
      if (!options.keepOpen || keyboard.interactive) finish();
    },
  });

  const received = (datagram: Datagram, from: string) => {
    switch (datagram.kind) {
      case "message":
      case "raw": {
        members.heard(
          from,
          datagram.kind === "message" ? { name: datagram.name } : {},
        );
        counts.received++;
        show(
          datagram.kind === "message"
            ? `${datagram.name} : ${datagram.text}`
            // Raw text (the module's sender): the sender's address instead.
            : `${from} : ${datagram.text}`,
        );
        out.record({
          type: "message",
          from,
          ...(datagram.kind === "message" ? { name: datagram.name } : {}),
          text: datagram.text,
          group,
        });
        notify();
        return;
      }
      case "leave":
        members.forget(from);
        counts.left++;
        break;
      case "join":
        counts.joined++;
        members.heard(from, { name: datagram.name });
        break;
      case "rename":
        members.heard(from, { name: datagram.to });
        break;
      case "who": {
        members.heard(from, { name: datagram.name });
        const now = performance.now();
        if (now - lastAnswer >= ANSWER_EVERY_MS) {
          lastAnswer = now;
          sendControl({ kind: "here", name });
        }
        return;
      }
      case "here":
        members.heard(from, { name: datagram.name });
        return;
    }
    show(controlLine(datagram, from, text.controlWords));
    out.record({
      type: datagram.kind,
      from,
      name: datagram.name,
      ...(datagram.kind === "rename" ? { to: datagram.to } : {}),
    });
  };

  const receiving = (async () => {
    const buffer = new Uint8Array(MAX_DATAGRAM + 1);
    try {
      while (true) {
        const [data, addr] = await receiver.receive(buffer);
        const from = addr as Deno.NetAddr;
        if (from.port === sourcePort && own.has(from.hostname)) continue;
        received(parseDatagram(data), formatAddr(from));
        counts.members = Math.max(counts.members, members.size);
      }
    } catch {
      // closed at the end, or the socket failed: either way the end
      finish();
    }
  })();

  sendControl({ kind: "join", name });
  const stop = onStop(() => finish());
  keyboard.start();
  await finished;
  stop.dispose();
  for (const timer of timers) clearTimeout(timer);
  const typing = keyboard.pendingInput;
  keyboard.close();
  // What was entered goes out, then the goodbye (unless sending failed).
  if (failure === undefined) sendControl({ kind: "leave", name });
  await sending;
  receiver.close();
  sender.close();
  await receiving;
  if (typing !== "") {
    out.line(text.unsentInput(typing));
    out.record({ type: "unsent", text: typing, reason: "typing" });
  }
  out.line(text.summary(counts));
  out.record({ type: "summary", ...counts });
  if (failure !== undefined) throw failure;
  return 0;
}

/**
 * The `limit` members heard from most recently, sorted by name: in a flood
 * from many senders, the people who just spoke rather than the first names
 * of the alphabet.
 */
function newestByName(members: Member[], limit: number): Member[] {
  if (members.length <= limit) return members;
  return [...members]
    .sort((a, b) => b.lastHeard - a.lastHeard)
    .slice(0, limit)
    .sort((a, b) => (a.name ?? a.from).localeCompare(b.name ?? b.from));
}

/** The prompt, after `(N new) ` when N lines came while typing (99+ at most). */
function promptWith(text: MulticastChatText, unread: number): string {
  if (unread === 0) return text.prompt;
  return `(${unread > 99 ? "99+" : unread} ${text.unread}) ${text.prompt}`;
}

/** `* NAME joined (address:port)`, `* NAME left`, `* NAME is now NEW`. */
function controlLine(
  control: Control,
  from: string,
  words: ControlWords,
): string {
  switch (control.kind) {
    case "join":
      return `* ${control.name} ${words.join} (${from})`;
    case "rename":
      return `* ${control.name} ${words.rename} ${control.to}`;
    default:
      return `* ${control.name} ${words.leave}`;
  }
}

/**
 * The addresses this host's datagrams can come from: its interfaces', and
 * the bound one. Without the permission to list interfaces, any address
 * with the sending port counts: ports are unique per host only, so a peer
 * elsewhere sending from the same port number is then dropped too (a limit
 * documented in docs/multicast_chat.md; the role's permissions include the
 * interface list).
 */
function ownAddresses(bind: string): { has(address: string): boolean } {
  try {
    const addresses = new Set(
      Deno.networkInterfaces()
        .filter((i) => i.family === "IPv4")
        .map((i) => i.address),
    );
    addresses.add(bind);
    return addresses;
  } catch {
    return { has: () => true };
  }
}
