/**
 * Internal: what one scenario's frames show, collected frame by frame as
 * the captures are read (`summary.ts` reads them and hands each frame in
 * the scenario's time window to {@linkcode ScenarioFrames.add}). It keeps
 * only what the report shows: counts, the first frame of each kind, the
 * members' IGMP messages, the non-members' share of the group's frames,
 * the TCP chat's handshakes and a relayed line, and each numbered
 * receiver's first frame.
 *
 * @module
 */

import type { ProcessResult, ScenarioResult } from "../results/results.ts";
import {
  type ScenarioWire,
  WIRE_KINDS,
  type WireConversation,
  type WireFrame,
  type WireKind,
  type WireSegment,
} from "../results/wire.ts";
import { parseSequence } from "../udp/payload.ts";
import type { Frame, FrameKind } from "./frame.ts";
import { payloadText } from "./format.ts";
import type { RelativeNumbers } from "./tcp_streams.ts";

const utf8 = new TextDecoder();
import { tcpFlagNames, wireFrame } from "./view.ts";

/** A frame as collected: decoded, with where it is from. */
export interface SeenFrame {
  /** The host whose capture it is. */
  host: string;
  /** The capture file's name. */
  file: string;
  /** The frame. */
  frame: Frame;
  /** TCP's relative numbers, for a TCP frame. */
  tcp?: RelativeNumbers;
}

const base = (role: string) => role.replace(/:batch$/, "");

function flag(p: ProcessResult, name: string): string | undefined {
  const at = p.args.findIndex((a) =>
    a === `--${name}` || a.startsWith(`--${name}=`)
  );
  if (at < 0) return undefined;
  return p.args[at].includes("=") ? p.args[at].split("=")[1] : p.args[at + 1];
}

/** When a receiver's role started and when it said it was listening. */
function timesOf(
  p: ProcessResult | undefined,
): { startedMs: number; listeningMs?: number } {
  if (!p) return { startedMs: 0 };
  const at = p.stdout.findIndex((line) => line.includes('"listening"'));
  return {
    startedMs: p.startedMs,
    ...(at >= 0 && p.stdoutMs[at] !== undefined
      ? { listeningMs: p.stdoutMs[at] }
      : {}),
  };
}

/** The kinds a scenario is about, by the roles in it. */
export function kindsAbout(result: ScenarioResult): WireKind[] {
  const roles = new Set(result.processes.map((p) => base(p.role)));
  const kinds = new Set<WireKind>();
  if (roles.has("broadcast-sender") || roles.has("broadcast-receiver")) {
    kinds.add("udp-broadcast");
  }
  if ([...roles].some((r) => r.startsWith("multicast"))) {
    kinds.add("igmp").add("udp-multicast");
  }
  if (roles.has("chat-server") || roles.has("chat-client")) {
    kinds.add("arp").add("tcp");
  }
  if (
    kinds.size === 0 && (roles.has("udp-server") || roles.has("udp-client"))
  ) {
    kinds.add("arp").add("udp-unicast");
  }
  return WIRE_KINDS.filter((k) => kinds.has(k));
}

interface Client {
  host: string;
  address: string;
  text?: string;
  handshake: SeenFrame[];
  line: SeenFrame[];
  /** Raw seq + length the server's ACK must reach. */
  lineEnd?: number;
  acked?: boolean;
}

/** One scenario's frames, collected. */
export class ScenarioFrames {
  readonly result: ScenarioResult;
  readonly startMs: number;
  #about: WireKind[];
  #hostOrder: string[];
  #counts = new Map<string, Record<WireKind, number>>();
  #firstOfKind = new Map<string, SeenFrame>();
  #members: Set<string>;
  #senders: Set<string>;
  /** Per host, per group: its first join and its first leave after it. */
  #groupsOf = new Map<
    string,
    Map<string, { join?: SeenFrame; leave?: SeenFrame }>
  >();
  #groupFrames = new Map<
    string,
    Map<string, { n: number; first: SeenFrame }>
  >();
  #server?: { host: string; address: string; port?: number };
  #clients = new Map<string, Client>();
  #relays = new Map<string, { end: number; acked: boolean }>();
  #numbered = new Map<
    string,
    {
      socketFirst: number;
      before: number;
      wireFirst?: number;
      found?: SeenFrame;
    }
  >();
  #addressOf: Record<string, string>;
  /** The captures of routers' interfaces: no host's, so no member's or non-member's. */
  #routers: Set<string>;

  constructor(
    result: ScenarioResult,
    addresses: Record<string, string>,
    options: { routers?: Set<string> } = {},
  ) {
    this.result = result;
    this.#routers = options.routers ?? new Set();
    this.startMs = result.startedAt ?? 0;
    this.#addressOf = addresses;
    this.#about = kindsAbout(result);
    const ps = result.processes;
    const roleHosts = (...roles: string[]) =>
      new Set(
        ps.filter((p) => roles.includes(base(p.role))).map((p) => p.host),
      );
    this.#senders = roleHosts("broadcast-sender", "multicast-sender");
    this.#members = roleHosts("multicast-receiver", "multicast-chat");
    // Receivers first (what their interface took), senders last.
    this.#hostOrder = [
      ...new Set([
        ...ps.filter((p) => !this.#senders.has(p.host)).map((p) => p.host),
        ...ps.map((p) => p.host),
      ]),
    ];
    const server = ps.find((p) => base(p.role) === "chat-server");
    if (server) {
      const port = Number(flag(server, "port"));
      this.#server = {
        host: server.host,
        address: server.address,
        ...(Number.isInteger(port) && port > 0 ? { port } : {}),
      };
      for (const p of ps.filter((p) => base(p.role) === "chat-client")) {
        this.#clients.set(p.address, {
          host: p.host,
          address: p.address,
          text: p.input[0]?.replace(/^> /, ""),
          handshake: [],
          line: [],
        });
      }
    }
    for (const p of ps) {
      const first = p.summary?.firstSeq;
      if (typeof first === "number" && !this.#senders.has(p.host)) {
        this.#numbered.set(p.host, { socketFirst: first, before: 0 });
      }
    }
  }

  /** Counts and keeps what the report needs of one frame in the window. */
  add(seen: SeenFrame): void {
    const { host, frame } = seen;
    let counts = this.#counts.get(host);
    if (!counts) {
      counts = Object.fromEntries(WIRE_KINDS.map((k) => [k, 0])) as Record<
        WireKind,
        number
      >;
      this.#counts.set(host, counts);
    }
    counts[frame.kind]++;
    const key = `${host} ${frame.kind}`;
    if (!this.#firstOfKind.has(key) && this.#exampleWorthy(seen)) {
      this.#firstOfKind.set(key, seen);
    }
    if (frame.igmp) this.#igmp(seen);
    if (frame.kind === "udp-multicast") this.#multicast(seen);
    if (frame.tcp && this.#server) this.#tcp(seen);
    const numbered = this.#numbered.get(host);
    if (
      numbered &&
      (frame.kind === "udp-broadcast" || frame.kind === "udp-multicast")
    ) {
      const n = parseSequence(frame.payload);
      if (n !== undefined && numbered.found === undefined) {
        numbered.wireFirst ??= n;
        if (n === numbered.socketFirst) numbered.found = seen;
        else numbered.before++;
      }
    }
  }

  #exampleWorthy({ frame, host }: SeenFrame): boolean {
    // A data frame shows more than an empty one: UDP and TCP with payload.
    if (frame.kind.startsWith("udp-") || frame.kind === "tcp") {
      return frame.payload.length > 0;
    }
    // A member's own membership report, as its interface sent it.
    if (frame.kind === "igmp") {
      return frame.igmp?.message === "report" &&
        frame.ipv4?.src === this.#addressOf[host];
    }
    return true;
  }

  /** Where to show a kind's frame from: the hosts that take part in it first. */
  #preferred(kind: WireKind): string[] {
    const byName = (a: string, b: string) =>
      a.localeCompare(b, "en", { numeric: true });
    const members = [...this.#members].sort(byName);
    if (kind === "igmp" || kind === "udp-multicast") return members;
    if ((kind === "tcp" || kind === "arp") && this.#server) {
      return [this.#server.host];
    }
    return [];
  }

  #igmp(seen: SeenFrame): void {
    const igmp = seen.frame.igmp!;
    // The host's own messages: those it sent (its address as the source).
    if (seen.frame.ipv4?.src !== this.#addressOf[seen.host]) return;
    const groups = this.#groupsOf.get(seen.host) ?? new Map();
    this.#groupsOf.set(seen.host, groups);
    const entry = (group: string) => {
      if (!groups.has(group)) groups.set(group, {});
      return groups.get(group)!;
    };
    // IGMPv3 says join or leave per group record (one report may do both).
    const changes: [string, "join" | "leave"][] = igmp.records.length > 0
      ? igmp.records.flatMap((r): [string, "join" | "leave"][] =>
        r.recordType === 2 || r.recordType === 4
          ? [[r.group, "join"]]
          : r.recordType === 3 && r.sources.length === 0
          ? [[r.group, "leave"]]
          : []
      )
      : igmp.group === undefined || igmp.message === "query"
      ? []
      : [[igmp.group, igmp.message === "leave" ? "leave" : "join"]];
    for (const [group, change] of changes) {
      const e = entry(group);
      if (change === "join") e.join ??= seen;
      else if (e.join && !e.leave) e.leave = seen;
    }
  }

  /**
   * A frame just after the window: only a member's leave still counts (a
   * socket closed as the scenario ended says so a moment later).
   */
  late(seen: SeenFrame): void {
    if (!seen.frame.igmp || !this.#members.has(seen.host)) return;
    const groups = this.#groupsOf.get(seen.host);
    if (!groups || [...groups.values()].every((e) => !e.join || e.leave)) {
      return;
    }
    this.#igmp(seen);
  }

  #joined(host: string): string[] {
    return [...this.#groupsOf.get(host) ?? []].filter(([, e]) => e.join)
      .map(([g]) => g);
  }

  #multicast(seen: SeenFrame): void {
    if (
      this.#members.has(seen.host) || this.#senders.has(seen.host) ||
      this.#routers.has(seen.host)
    ) return;
    const dst = seen.frame.ipv4!.dst;
    const byGroup = this.#groupFrames.get(seen.host) ?? new Map();
    this.#groupFrames.set(seen.host, byGroup);
    const entry = byGroup.get(dst);
    if (entry) entry.n++;
    else byGroup.set(dst, { n: 1, first: seen });
  }

  #tcp(seen: SeenFrame): void {
    const server = this.#server!;
    // One capture's view of the conversation: the server's, if it was captured.
    if (seen.host !== server.host && this.#capturedServer) return;
    const { frame } = seen;
    const ip = frame.ipv4!, tcp = frame.tcp!;
    const fromServer = ip.src === server.address;
    const peer = fromServer ? ip.dst : ip.src;
    const port = fromServer ? tcp.srcPort : tcp.dstPort;
    const client = this.#clients.get(peer);
    if (!client) return;
    if (
      tcp.flags.syn && !tcp.flags.ack && !fromServer &&
      server.port === undefined
    ) {
      server.port = tcp.dstPort;
    }
    if (server.port !== undefined && port !== server.port) return;
    if (
      client.handshake.length < 3 &&
      (client.handshake.length > 0 || (tcp.flags.syn && !tcp.flags.ack))
    ) {
      client.handshake.push(seen);
      return;
    }
    const text = frame.payload.length > 0 ? utf8.decode(frame.payload) : "";
    const owner = this.#lineOwner;
    if (!owner) {
      // The first line a client typed that the server got: the one followed.
      if (!fromServer && client.text && text.includes(client.text)) {
        client.line.push(seen);
        client.lineEnd = (tcp.seq + frame.payload.length) % 2 ** 32;
        for (const other of this.#clients.values()) {
          if (other !== client) {
            this.#relays.set(other.address, { end: -1, acked: false });
          }
        }
        this.#lineOwner = client;
      }
      return;
    }
    if (owner.line.length > 2 + 2 * this.#clients.size) return;
    if (client === owner) {
      // The server's acknowledgment of the line.
      if (
        fromServer && !owner.acked && tcp.flags.ack &&
        tcp.ack === owner.lineEnd
      ) {
        owner.line.push(seen);
        owner.acked = true;
      }
      return;
    }
    // The server relaying it to another client, and that client's ACK.
    const relay = this.#relays.get(peer);
    if (!relay) return;
    if (
      fromServer && relay.end < 0 && owner.text && text.includes(owner.text)
    ) {
      owner.line.push(seen);
      relay.end = (tcp.seq + frame.payload.length) % 2 ** 32;
    } else if (
      !fromServer && relay.end >= 0 && !relay.acked && tcp.ack === relay.end
    ) {
      owner.line.push(seen);
      relay.acked = true;
    }
  }

  #lineOwner?: Client;
  #capturedServer = false;

  /** Says the server host's capture exists: the conversation is read from it alone. */
  serverCaptured(hosts: string[]): void {
    this.#capturedServer = this.#server !== undefined &&
      hosts.includes(this.#server.host);
  }

  /** What was collected, for the report. */
  wire(
    hosts: { host: string; files: string[]; dropped?: number }[],
    notes: ScenarioWire["notes"],
    window: ScenarioWire["window"],
  ): ScenarioWire {
    const view = (s: SeenFrame) =>
      wireFrame(s.frame, {
        host: s.host,
        file: s.file,
        startMs: this.startMs,
        tcp: s.tcp,
      });
    const examples: WireFrame[] = [];
    for (const kind of this.#about) {
      const order = [
        ...this.#preferred(kind),
        ...this.#hostOrder,
        ...hosts.map((h) => h.host),
      ];
      const host = order.find((h) =>
        this.#firstOfKind.has(`${h} ${kind as FrameKind}`)
      );
      if (host) examples.push(view(this.#firstOfKind.get(`${host} ${kind}`)!));
    }
    const wire: ScenarioWire = {
      window,
      hosts: hosts.map((h) => ({
        ...h,
        counts: this.#counts.get(h.host) ??
          Object.fromEntries(WIRE_KINDS.map((k) => [k, 0])) as Record<
            WireKind,
            number
          >,
      })),
      examples,
      notes,
    };
    const captured = new Set(hosts.map((h) => h.host));
    if (this.#members.size > 0) {
      const groups = new Set<string>();
      for (const m of this.#members) {
        for (const g of this.#joined(m)) groups.add(g);
      }
      wire.memberships = [...this.#members].filter((h) => captured.has(h))
        .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
        .flatMap((host) => {
          const mine = this.#joined(host).filter((g) => groups.has(g));
          return (mine.length > 0 ? mine : [""]).map((group) => {
            const e = this.#groupsOf.get(host)?.get(group) ?? {};
            return {
              host,
              group,
              ...(e.join ? { join: view(e.join) } : {}),
              ...(e.leave ? { leave: view(e.leave) } : {}),
            };
          });
        });
      // The IGMP frame shown: the first member's join.
      const join = wire.memberships.find((m) => m.join)?.join;
      const at = examples.findIndex((e) => e.kind === "igmp");
      if (join && at >= 0) examples[at] = join;
      wire.nonMembers = [];
      for (const [host, byGroup] of this.#groupFrames) {
        for (const [group, { n, first }] of byGroup) {
          if (groups.size > 0 && !groups.has(group)) continue;
          const listener = this.result.processes.find((p) =>
            p.host === host && p.summary
          );
          const received = listener?.summary?.received;
          wire.nonMembers.push({
            host,
            group,
            frames: n,
            first: view(first),
            reported: this.#joined(host).includes(group),
            ...(typeof received === "number"
              ? { socketReceived: received, role: base(listener!.role) }
              : {}),
          });
        }
      }
    }
    if (this.#server) {
      wire.conversations = [...this.#clients.values()].filter((c) =>
        c.handshake.length > 0
      ).map((c) => {
        const conversation: WireConversation = {
          client: c.host,
          server: this.#server!.host,
          handshake: c.handshake.map((s) => this.#segment(s)),
        };
        if (c.line.length > 0) {
          conversation.line = {
            text: c.text ?? "",
            segments: c.line.map((s) => this.#segment(s)),
          };
        }
        return conversation;
      });
    }
    if (this.#numbered.size > 0) {
      wire.firsts = [...this.#numbered].filter(([host]) => captured.has(host))
        .map(([host, n]) => ({
          host,
          socketFirst: n.socketFirst,
          ...(n.found ? { frame: view(n.found) } : {}),
          before: n.before,
          ...(n.wireFirst !== undefined ? { wireFirst: n.wireFirst } : {}),
          ...timesOf(
            this.result.processes.find((p) =>
              p.host === host && typeof p.summary?.firstSeq === "number"
            ),
          ),
        }));
    }
    return wire;
  }

  #segment(s: SeenFrame): WireSegment {
    const { frame } = s;
    const name = (address: string) =>
      Object.entries(this.#addressOf).find(([, a]) => a === address)?.[0] ??
        address;
    const text = frame.payload.length > 0
      ? payloadText(frame.payload)
      : undefined;
    return {
      host: s.host,
      number: frame.number,
      atMs: frame.timeMs - this.startMs,
      from: name(frame.ipv4!.src),
      to: name(frame.ipv4!.dst),
      flags: tcpFlagNames(frame.tcp!),
      seq: s.tcp?.seq ?? frame.tcp!.seq,
      ack: s.tcp?.ack ?? frame.tcp!.ack,
      length: frame.payload.length,
      ...(text !== undefined ? { text } : {}),
    };
  }
}
