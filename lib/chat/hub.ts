/**
 * The chat relay: every connected client reads and writes on its own, every
 * accepted line goes to every other client exactly once and in order, and
 * a client that stops reading is cut off instead of slowing the others.
 *
 * Memory is bounded: per client one line buffer ({@linkcode MAX_LINE_BYTES})
 * and one output queue of at most `queueLimit` bytes, so at most
 * `maxClients × (queueLimit + 8 KiB)` plus the runtime's own few KiB per connection for all clients together.
 *
 * @module
 */

import type { Lang } from "../i18n.ts";
import { LineFramer, MAX_LINE_BYTES } from "./framing.ts";
import {
  checkLine,
  clientLabel,
  LABEL_SEPARATOR,
  type LineProblem,
  MAX_LISTED_NAMES,
  NAME_COMMAND,
  nameProblem,
  NOTICES,
  SERVER_LABEL,
  WELCOME,
} from "./message.ts";
import { Outbox } from "./_outbox.ts";

/** Default bound on bytes waiting to be written to one client: 256 KiB. */
export const DEFAULT_QUEUE_LIMIT = 256 * 1024;
/** Default number of clients at once. */
export const DEFAULT_MAX_CLIENTS = 100;

/** Why a client left. */
export type LeaveReason =
  | "left"
  | "reset"
  | "slow"
  | "shutdown";

/** What the hub reports to the program running it. */
export type HubEvent =
  | { type: "join"; name: string; address: string; online: number }
  | { type: "leave"; name: string; reason: LeaveReason; online: number }
  | { type: "message"; from: string; text: string }
  | { type: "rejected"; from: string; problem: LineProblem }
  | { type: "rename"; from: string; to: string }
  | { type: "full"; address: string };

/** Options for {@linkcode ChatHub}. */
export interface HubOptions {
  /** Most clients at once; default {@linkcode DEFAULT_MAX_CLIENTS}. */
  maxClients?: number;
  /** Most bytes waiting for one client; default {@linkcode DEFAULT_QUEUE_LIMIT}. */
  queueLimit?: number;
  /** Language of the notices sent to clients. */
  lang?: Lang;
  /** Raw-mode idle time (see `framing.ts`). */
  rawIdleMs?: number;
  /** Called for every event, in order. */
  onEvent?: (event: HubEvent) => void;
}

interface Member {
  label: string;
  /** `label` and the separator, encoded: what precedes each of its lines. */
  prefix: Uint8Array;
  address: string;
  conn: Deno.Conn;
  outbox: Outbox;
  framer: LineFramer;
  gone: boolean;
}

const ENCODER = new TextEncoder();
const NEWLINE = 0x0a;

/** Counts of what a hub did. */
export interface HubStats {
  /** Clients accepted. */
  joined: number;
  /** Clients turned away because the server was full. */
  refused: number;
  /** Client lines relayed. */
  messages: number;
  /** Client lines refused (too long, invalid, control characters). */
  rejected: number;
  /** Line copies queued for clients (one per recipient). */
  deliveries: number;
  /** Clients cut off for not reading. */
  slow: number;
}

/** A chat relay for any number of TCP connections. */
export class ChatHub {
  #members = new Set<Member>();
  #next = 1;
  #maxClients: number;
  #queueLimit: number;
  #lang: Lang;
  #rawIdleMs: number | undefined;
  #onEvent: (event: HubEvent) => void;
  #closing = false;
  /** What the hub did so far. */
  readonly stats: HubStats = {
    joined: 0,
    refused: 0,
    messages: 0,
    rejected: 0,
    deliveries: 0,
    slow: 0,
  };

  /** Creates a hub; see {@linkcode HubOptions}. */
  constructor(options: HubOptions = {}) {
    this.#maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.#queueLimit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
    this.#lang = options.lang ?? "en";
    this.#rawIdleMs = options.rawIdleMs;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** How many clients are connected. */
  get size(): number {
    return this.#members.size;
  }

  /** The labels of the connected clients, in order of arrival. */
  get names(): string[] {
    return [...this.#members].map((member) => member.label);
  }

  /**
   * Takes a new connection: welcomes it and relays its lines until it goes,
   * or tells it the server is full and closes it. Resolves when the
   * connection is over.
   */
  async serve(conn: Deno.TcpConn): Promise<void> {
    const remote = conn.remoteAddr as Deno.NetAddr;
    const address = `${remote.hostname}:${remote.port}`;
    const notices = NOTICES[this.#lang];
    try {
      conn.setNoDelay(true);
    } catch {
      // already reset by the peer; the read below finds out
    }
    if (this.#closing || this.#members.size >= this.#maxClients) {
      this.stats.refused++;
      this.#onEvent({ type: "full", address });
      await writeBriefly(conn, serverLine(notices.full(this.#maxClients)));
      closeQuietly(conn);
      return;
    }
    const label = clientLabel(this.#next++);
    const member: Member = {
      label,
      prefix: linePrefix(label),
      address,
      conn,
      gone: false,
      outbox: new Outbox(
        conn,
        this.#queueLimit,
        () => this.#drop(member, "reset"),
      ),
      framer: new LineFramer({
        line: (bytes) => this.#onLine(member, bytes),
        overflow: () => this.#reject(member, "too-long"),
      }, { rawIdleMs: this.#rawIdleMs, maxLineBytes: MAX_LINE_BYTES }),
    };
    this.#members.add(member);
    this.stats.joined++;
    const online = this.#members.size;
    const names = online <= MAX_LISTED_NAMES ? this.names : [];
    member.outbox.push(ENCODER.encode(WELCOME + "\n"));
    member.outbox.push(serverLine(notices.youAre(label, online, names)));
    this.#toOthers(member, serverLine(notices.joined(label, online)));
    this.#onEvent({
      type: "join",
      name: label,
      address,
      online,
    });
    try {
      await this.#readLoop(member);
    } catch (err) {
      // A bug must cost one connection, not the server.
      this.#drop(member, "reset");
      throw err;
    }
  }

  /** Sends the operator's text to every client as `Server : <text>`. */
  say(text: string): void {
    this.#toOthers(undefined, serverLine(text));
  }

  /**
   * Tells every client the server is shutting down, waits up to
   * `timeoutMs` for their queues to drain, and closes every connection.
   */
  async shutdown(timeoutMs = 1000): Promise<void> {
    this.#closing = true;
    this.say(NOTICES[this.#lang].shutdown);
    const members = [...this.#members];
    await Promise.all(members.map((m) => m.outbox.drain(timeoutMs)));
    for (const member of members) this.#drop(member, "shutdown");
  }

  async #readLoop(member: Member): Promise<void> {
    const buffer = new Uint8Array(4 * 1024);
    while (!member.gone) {
      let n: number | null;
      try {
        n = await member.conn.read(buffer);
      } catch {
        this.#drop(member, "reset");
        return;
      }
      if (n === null) {
        // Half-close or close: a last line without a newline still counts.
        member.framer.end();
        this.#drop(member, "left");
        return;
      }
      member.framer.push(buffer.subarray(0, n));
    }
  }

  #onLine(member: Member, bytes: Uint8Array): void {
    if (member.gone || bytes.length === 0) return;
    const checked = checkLine(bytes);
    if (!checked.ok) {
      this.#reject(member, checked.problem);
      return;
    }
    if (checked.text.startsWith(NAME_COMMAND)) {
      this.#rename(member, checked.text.slice(NAME_COMMAND.length).trim());
      return;
    }
    this.stats.messages++;
    this.#onEvent({ type: "message", from: member.label, text: checked.text });
    // Built once, shared by every recipient's queue.
    const prefix = member.prefix;
    const line = new Uint8Array(prefix.length + bytes.length + 1);
    line.set(prefix, 0);
    line.set(bytes, prefix.length);
    line[line.length - 1] = NEWLINE;
    this.#toOthers(member, line);
  }

  #reject(member: Member, problem: LineProblem): void {
    if (member.gone) return;
    this.stats.rejected++;
    this.#onEvent({ type: "rejected", from: member.label, problem });
    this.#toOne(member, serverLine(NOTICES[this.#lang].problem[problem]));
  }

  #rename(member: Member, name: string): void {
    const notices = NOTICES[this.#lang];
    const problem = nameProblem(name, this.#lang);
    if (problem !== undefined) {
      this.#toOne(member, serverLine(notices.badName(problem)));
      return;
    }
    const taken = [...this.#members].some((other) =>
      other !== member && other.label.toLowerCase() === name.toLowerCase()
    );
    if (taken) {
      this.#toOne(member, serverLine(notices.nameTaken(name)));
      return;
    }
    const before = member.label;
    if (before === name) return;
    member.label = name;
    member.prefix = linePrefix(name);
    this.#onEvent({ type: "rename", from: before, to: name });
    this.#toOne(member, serverLine(notices.youRenamed(name)));
    this.#toOthers(member, serverLine(notices.renamed(before, name)));
  }

  #toOne(member: Member, line: Uint8Array): void {
    if (!member.outbox.push(line)) this.#drop(member, "slow");
  }

  #toOthers(sender: Member | undefined, line: Uint8Array): void {
    let slow: Member[] | undefined;
    for (const member of this.#members) {
      if (member === sender) continue;
      if (member.outbox.push(line)) {
        this.stats.deliveries++;
      } else {
        (slow ??= []).push(member);
      }
    }
    if (slow) { for (const member of slow) this.#drop(member, "slow"); }
  }

  #drop(member: Member, reason: LeaveReason): void {
    if (member.gone) return;
    member.gone = true;
    this.#members.delete(member);
    member.framer.dispose();
    const notices = NOTICES[this.#lang];
    if (reason === "slow") {
      this.stats.slow++;
      // Best effort: its socket buffer is probably full.
      const notice = serverLine(notices.youTooSlow(this.#queueLimit));
      void member.outbox.finish(notice, 500).then(() =>
        closeQuietly(member.conn)
      );
    } else {
      member.outbox.close();
      closeQuietly(member.conn);
    }
    const online = this.#members.size;
    this.#onEvent({ type: "leave", name: member.label, reason, online });
    if (reason === "shutdown") return;
    const text = reason === "slow"
      ? notices.tooSlow(member.label, online)
      : notices.left(member.label, online);
    this.#toOthers(undefined, serverLine(text));
  }
}

/** `<label> : `, encoded. */
function linePrefix(label: string): Uint8Array {
  return ENCODER.encode(label + LABEL_SEPARATOR);
}

/** `Server : <text>\n`, encoded. */
function serverLine(text: string): Uint8Array {
  return ENCODER.encode(`${SERVER_LABEL}${LABEL_SEPARATOR}${text}\n`);
}

/** Writes `bytes` but gives up after 500 ms (a peer that does not read). */
async function writeBriefly(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 500);
  });
  const write = (async () => {
    let offset = 0;
    while (offset < bytes.length) {
      offset += await conn.write(bytes.subarray(offset));
    }
  })().catch(() => {});
  await Promise.race([write, timeout]);
  clearTimeout(timer);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
