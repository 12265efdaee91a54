/**
 * The chat relay: every connected client reads and writes on its own, every
 * accepted line goes to every other client exactly once and in order, and
 * a client that stops reading is cut off instead of slowing the others.
 *
 * Memory is bounded: per client one line buffer ({@linkcode MAX_LINE_BYTES})
 * and one output queue of at most `queueLimit` bytes, so at most
 * `maxClients × (queueLimit + 8 KiB)` plus the runtime's own few KiB per connection for all clients together.
 *
 * @example Relay the lines of every accepted connection (opens a TCP port: type-checked only)
 * ```ts
 * import { ChatHub } from "./hub.ts";
 *
 * export async function serve(port: number): Promise<void> {
 *   const hub = new ChatHub({ maxClients: 4, onEvent: (event) => console.log(event) });
 *   for await (const conn of Deno.listen({ port })) void hub.serve(conn);
 * }
 * ```
 *
 * @module
 */

import { writeFully } from "../cli/_write_fully.ts";
import type { Lang } from "../cli/i18n.ts";
import { LineFramer, MAX_LINE_BYTES } from "./framing.ts";
import {
  checkLine,
  clientLabel,
  LABEL_SEPARATOR,
  lineExcerpt,
  type LineProblem,
  MAX_LISTED_NAMES,
  nameProblem,
  NOTICES,
  parseCommand,
  SERVER_LABEL,
  WELCOME,
} from "./message.ts";
import { Outbox } from "./_outbox.ts";

/** Default bound on bytes waiting to be written to one client: 256 KiB. */
export const DEFAULT_QUEUE_LIMIT = 256 * 1024;
/** Default number of clients at once. */
export const DEFAULT_MAX_CLIENTS = 100;
/**
 * Default number of clients from one address: a lab host runs one client
 * (a few terminals at most), and a script on one address cannot take more
 * than this many of the slots.
 */
export const DEFAULT_MAX_PER_HOST = 8;

/** Why a client left. */
export type LeaveReason =
  | "left"
  | "quit"
  | "reset"
  | "slow"
  | "idle"
  | "shutdown";

/** Which limit turned a connection away. */
export type RefusalLimit = "clients" | "per-host";

/** What the hub reports to the program running it. */
export type HubEvent =
  | { type: "join"; name: string; address: string; online: number }
  | { type: "leave"; name: string; reason: LeaveReason; online: number }
  | { type: "message"; from: string; text: string }
  | { type: "rejected"; from: string; problem: LineProblem; line: string }
  | { type: "rename"; from: string; to: string }
  | { type: "full"; address: string; limit: RefusalLimit };

/** Options for {@linkcode ChatHub}. */
export interface HubOptions {
  /** Most clients at once; default {@linkcode DEFAULT_MAX_CLIENTS}. */
  maxClients?: number;
  /** Most bytes waiting for one client; default {@linkcode DEFAULT_QUEUE_LIMIT}. */
  queueLimit?: number;
  /** Most clients from one address; default {@linkcode DEFAULT_MAX_PER_HOST}; 0: no limit. */
  maxPerHost?: number;
  /** Disconnect a client that sent nothing for this long; 0 or absent: never. */
  idleTimeoutMs?: number;
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
  host: string;
  conn: Deno.Conn;
  /** When the client last sent anything (performance.now()). */
  heard: number;
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
  /** Clients cut off for sending nothing for `idleTimeoutMs`. */
  idle: number;
}

/** A chat relay for any number of TCP connections. */
export class ChatHub {
  #members = new Set<Member>();
  #next = 1;
  #maxClients: number;
  #maxPerHost: number;
  #perHost = new Map<string, number>();
  #idleTimeoutMs: number;
  #idleTimer: ReturnType<typeof setInterval> | undefined;
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
    idle: 0,
  };

  /** Creates a hub; see {@linkcode HubOptions}. */
  constructor(options: HubOptions = {}) {
    this.#maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS;
    this.#maxPerHost = options.maxPerHost ?? DEFAULT_MAX_PER_HOST;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 0;
    if (this.#idleTimeoutMs > 0) {
      // One sweep for all clients: a read only stamps the time.
      const every = Math.min(1000, Math.max(100, this.#idleTimeoutMs / 10));
      const timer = setInterval(() => this.#sweepIdle(), every);
      Deno.unrefTimer(timer);
      this.#idleTimer = timer;
    }
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
    const host = remote.hostname;
    const fromHost = this.#perHost.get(host) ?? 0;
    let refusal: Uint8Array | undefined;
    let limit: RefusalLimit = "clients";
    if (this.#closing || this.#members.size >= this.#maxClients) {
      refusal = serverLine(notices.full(this.#maxClients));
    } else if (this.#maxPerHost > 0 && fromHost >= this.#maxPerHost) {
      limit = "per-host";
      refusal = serverLine(notices.perHost(host, this.#maxPerHost));
    }
    if (refusal) {
      this.stats.refused++;
      this.#onEvent({ type: "full", address, limit });
      await refuse(conn, refusal);
      return;
    }
    this.#perHost.set(host, fromHost + 1);
    const label = clientLabel(this.#next++);
    const member: Member = {
      label,
      prefix: linePrefix(label),
      address,
      host,
      conn,
      heard: performance.now(),
      gone: false,
      outbox: new Outbox(
        conn,
        this.#queueLimit,
        () => this.#drop(member, "reset"),
      ),
      framer: new LineFramer({
        line: (bytes) => this.#onLine(member, bytes),
        overflow: (_max, head) => this.#reject(member, "too-long", head),
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
    clearInterval(this.#idleTimer);
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
      member.heard = performance.now();
      member.framer.push(buffer.subarray(0, n));
    }
  }

  #onLine(member: Member, bytes: Uint8Array): void {
    if (member.gone || bytes.length === 0) return;
    const checked = checkLine(bytes);
    if (!checked.ok) {
      this.#reject(member, checked.problem, bytes);
      return;
    }
    // Blank to the eye: nothing to relay.
    if (checked.text.trim() === "") return;
    const command = parseCommand(checked.text);
    if (command) {
      this.#command(member, command.word, command.arg);
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

  #reject(member: Member, problem: LineProblem, bytes: Uint8Array): void {
    if (member.gone) return;
    this.stats.rejected++;
    // Quoted back, so a user of nc or a script sees which line it was.
    const line = lineExcerpt(bytes);
    this.#onEvent({ type: "rejected", from: member.label, problem, line });
    const notice = NOTICES[this.#lang].problem[problem];
    this.#toOne(member, serverLine(`${notice}: "${line}"`));
  }

  #command(member: Member, word: string, arg: string): void {
    const notices = NOTICES[this.#lang];
    switch (word) {
      case "name":
        if (arg === "") this.#toOne(member, serverLine(notices.nameUsage));
        else this.#rename(member, arg);
        return;
      case "help":
        this.#toOne(member, serverLine(notices.help));
        return;
      case "quit":
        this.#drop(member, "quit");
        return;
      default:
        this.#toOne(member, serverLine(notices.unknownCommand(word)));
    }
  }

  #sweepIdle(): void {
    const now = performance.now();
    for (const member of [...this.#members]) {
      if (now - member.heard >= this.#idleTimeoutMs) {
        this.#drop(member, "idle");
      }
    }
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
    if (before === name) {
      this.#toOne(member, serverLine(notices.alreadyNamed(name)));
      return;
    }
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
    const fromHost = (this.#perHost.get(member.host) ?? 1) - 1;
    if (fromHost > 0) this.#perHost.set(member.host, fromHost);
    else this.#perHost.delete(member.host);
    member.framer.dispose();
    const notices = NOTICES[this.#lang];
    const last = reason === "slow"
      ? notices.youTooSlow(this.#queueLimit)
      : reason === "idle"
      ? notices.youIdle(this.#idleTimeoutMs / 1000)
      : reason === "quit"
      ? notices.bye
      : undefined;
    if (reason === "slow") this.stats.slow++;
    if (reason === "idle") this.stats.idle++;
    if (last !== undefined) {
      // Best effort when slow: its socket buffer is probably full.
      void member.outbox.finish(serverLine(last), 500).then(() =>
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
      : reason === "idle"
      ? notices.idle(member.label, online)
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
  const write = writeFully(conn, bytes).catch(() => {});
  await Promise.race([write, timeout]);
  clearTimeout(timer);
}

/**
 * Turns a connection away: writes `notice`, ends the sending side, and reads
 * (and drops) what the peer still sends for up to 500 ms before closing, so
 * unread input does not make the kernel reset the connection and lose the
 * notice before the peer reads it.
 */
async function refuse(conn: Deno.Conn, notice: Uint8Array): Promise<void> {
  await writeBriefly(conn, notice);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 500);
  });
  const drain = (async () => {
    await conn.closeWrite();
    const buffer = new Uint8Array(4096);
    while (await conn.read(buffer) !== null) {
      // dropped
    }
  })().catch(() => {});
  await Promise.race([drain, timeout]);
  clearTimeout(timer);
  closeQuietly(conn);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
