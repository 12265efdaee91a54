/**
 * What a report is drawn from: the scenario results with their records and
 * the times each record was read, turned into what the pictures and the
 * conclusions need (a UDP timeline, a chat's sequence of events, a
 * multicast group). Everything here comes from the measured records of one
 * run; nothing is assumed.
 *
 * @example The kind of a scenario, from the roles that ran in it
 * ```ts
 * import { scenarioKind } from "./model.ts";
 *
 * console.log(scenarioKind({
 *   scenario: "s", description: "", lab: "t", ok: true, durationMs: 1,
 *   processes: [],
 * })); // other
 * ```
 *
 * @module
 */

import type { ProcessResult, ScenarioResult } from "../results/results.ts";
import type { LabInfo } from "../results/results.ts";

/** What a report is written from. */
export interface ReportInput {
  /** The lab's topology; absent for the demo (every role on loopback). */
  topology?: LabInfo;
  /** The scenarios run, in order. */
  results: ScenarioResult[];
  /** The lab's name (or `demo`). */
  lab: string;
  /** Scenarios asked for but not run (the run was interrupted). */
  notRun?: string[];
}

/** The student's details on the cover. */
export interface Cover {
  /** The student's name (`--student`). */
  student?: string;
  /** The student number (`--nim`). */
  nim?: string;
  /** The class (`--kelas`). */
  kelas?: string;
}

/**
 * The cover from the topology file's `student:` block with the flags
 * (`--student`, `--nim`, `--kelas`) over it, where given.
 */
export function coverOf(file: Cover | undefined, flags: Cover = {}): Cover {
  const cover: Cover = { ...file };
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) cover[key as keyof Cover] = value;
  }
  return cover;
}

/** One record of a role's output and when it was read. */
export interface TimedRecord {
  /** The JSON record. */
  record: Record<string, unknown>;
  /** Milliseconds from the scenario's start. */
  ms: number;
}

/** A role's JSON records with their times (human lines left out). */
export function timedRecords(p: ProcessResult): TimedRecord[] {
  const out: TimedRecord[] = [];
  for (const [i, line] of p.stdout.entries()) {
    if (!line.startsWith("{")) continue;
    try {
      const record = JSON.parse(line);
      if (record !== null && typeof record === "object") {
        out.push({ record, ms: p.stdoutMs?.[i] ?? p.startedMs });
      }
    } catch {
      // not a record
    }
  }
  return out;
}

/**
 * A role without its `:batch` suffix: the batch path of a role is the same
 * role to the report (same records, same picture).
 */
export function baseRole(role: string): string {
  return role.replace(/:batch$/, "");
}

/**
 * Whether a role counted numbered datagrams: its summary has `firstSeq`
 * (a number, or `null` when nothing came) and it received numbers or
 * nothing at all (a chat over multicast has text, not numbers).
 */
function counts(p: ProcessResult): boolean {
  const s = p.summary;
  if (!s || !("firstSeq" in s)) return false;
  return typeof s.firstSeq === "number" || s.received === 0;
}

/** What a scenario shows, by the roles in it. */
export type ScenarioKind =
  | "numbers"
  | "multicast"
  | "multicast-chat"
  | "chat"
  | "unicast"
  | "other";

/**
 * The kind of a scenario: numbered datagrams (the broadcast lab), a
 * multicast group, a chat over multicast (no server), a TCP chat, unicast; `other` for roles this report does
 * not draw (a transcript and the summary only).
 */
export function scenarioKind(result: ScenarioResult): ScenarioKind {
  const roles = new Set(result.processes.map((p) => baseRole(p.role)));
  if (roles.has("multicast-chat")) return "multicast-chat";
  if (
    result.processes.some((p) => counts(p)) &&
    (roles.has("broadcast-sender") || roles.has("multicast-sender"))
  ) {
    return "numbers";
  }
  if (roles.has("chat-server")) return "chat";
  if (roles.has("multicast-sender") && roles.has("multicast-receiver")) {
    return "multicast";
  }
  if (roles.has("udp-client") || roles.has("udp-server")) return "unicast";
  return "other";
}

/** A stretch of numbers a receiver never got. */
export interface Gap {
  /** The first number missing. */
  from: number;
  /** The last number missing. */
  to: number;
  /** When the number after the gap arrived (ms from the sender's first datagram). */
  atMs: number;
}

/** One host's lane of a UDP timeline; times in ms from the sender's first datagram. */
export interface Lane {
  /** The host. */
  host: string;
  /** Its address. */
  address: string;
  /** Its role. */
  role: string;
  /** Whether it sends (its lane shows the numbers it sent). */
  sender: boolean;
  /** When its process started. */
  startMs: number;
  /** When it was listening (receivers) or sending (senders). */
  readyMs?: number;
  /** When it ended (its summary), if it did. */
  endMs?: number;
  /** The first number: the first received, or 1 for a sender. */
  first?: number;
  /** The last number received or sent. */
  last?: number;
  /** When the first number arrived (or was sent). */
  firstMs?: number;
  /** When the last number arrived (or was sent). */
  lastMs?: number;
  /** Datagrams received (or sent). */
  count: number;
  /** Numbers sent before it listened (its first number - 1). */
  missedBefore: number;
  /** Holes while it listened. */
  gaps: Gap[];
  /** Numbers sent after its last one, when the sender's count is known. */
  lostAfter?: number;
}

/** The timeline of a UDP scenario with numbered datagrams. */
export interface Timeline {
  /** When the sender sent its first datagram, ms from the scenario's start. */
  originMs: number;
  /** The latest time drawn (ms from the origin). */
  endMs: number;
  /** The earliest time drawn (ms from the origin; negative: before it). */
  startMs: number;
  /** Senders first, then receivers in start order. */
  lanes: Lane[];
}

function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value)
    ? value
    : undefined;
}

/**
 * The timeline of a scenario with numbered datagrams, from each role's
 * records: a sender's `sending`/`sent` and `summary`; a receiver's
 * `listening`, `datagram` (with `seq`) and `summary`.
 */
export function udpTimeline(result: ScenarioResult): Timeline {
  const senders = result.processes.filter((p) =>
    baseRole(p.role).endsWith("-sender")
  );
  const receivers = result.processes.filter((p) =>
    !baseRole(p.role).endsWith("-sender") && counts(p)
  );
  // The origin: the first datagram of the (first) sender; its `sending`
  // record comes right before it when it prints none per datagram.
  let originMs = Infinity;
  const senderRecords = senders.map(timedRecords);
  for (const records of senderRecords) {
    const first = records.find((r) => r.record.type === "sent") ??
      records.find((r) => r.record.type === "sending");
    if (first) originMs = Math.min(originMs, first.ms);
  }
  if (!Number.isFinite(originMs)) {
    originMs = Math.min(...result.processes.map((p) => p.startedMs), 0);
  }
  const at = (ms: number) => ms - originMs;
  const lanes: Lane[] = [];
  const sentTotal = senders.length === 1
    ? num(senders[0].summary?.sent)
    : undefined;
  for (const [i, p] of senders.entries()) {
    const records = senderRecords[i];
    const sent = records.filter((r) => r.record.type === "sent");
    const ready = records.find((r) => r.record.type === "sending");
    const summary = records.findLast((r) => r.record.type === "summary");
    const count = num(p.summary?.sent) ?? sent.length;
    const seconds = num(p.summary?.seconds);
    const firstMs = sent[0]?.ms ?? ready?.ms;
    const lastMs = sent.at(-1)?.ms ??
      (firstMs !== undefined && seconds !== undefined
        ? firstMs + seconds * 1000
        : summary?.ms);
    lanes.push({
      host: p.host,
      address: p.address,
      role: p.role,
      sender: true,
      startMs: at(p.startedMs),
      readyMs: ready ? at(ready.ms) : undefined,
      endMs: summary ? at(summary.ms) : undefined,
      first: count > 0 ? 1 : undefined,
      last: count > 0 ? count : undefined,
      firstMs: firstMs === undefined ? undefined : at(firstMs),
      lastMs: lastMs === undefined ? undefined : at(lastMs),
      count,
      missedBefore: 0,
      gaps: [],
    });
  }
  for (const p of receivers) {
    const records = timedRecords(p);
    const ready = records.find((r) => r.record.type === "listening");
    const summary = records.findLast((r) => r.record.type === "summary");
    const numbered = records.filter((r) =>
      r.record.type === "datagram" && num(r.record.seq) !== undefined
    );
    const gaps: Gap[] = [];
    let highest: number | undefined;
    for (const { record, ms } of numbered) {
      const seq = record.seq as number;
      if (highest !== undefined && seq > highest + 1) {
        gaps.push({ from: highest + 1, to: seq - 1, atMs: at(ms) });
      }
      if (highest === undefined || seq > highest) highest = seq;
    }
    const first = num(p.summary?.firstSeq) ??
      num(numbered[0]?.record.seq);
    const last = num(p.summary?.lastSeq) ?? highest;
    const lostAfter = sentTotal !== undefined && last !== undefined &&
        p.stopped
      ? Math.max(0, sentTotal - last)
      : undefined;
    lanes.push({
      host: p.host,
      address: p.address,
      role: p.role,
      sender: false,
      startMs: at(p.startedMs),
      readyMs: ready ? at(ready.ms) : undefined,
      endMs: summary ? at(summary.ms) : undefined,
      first,
      last,
      firstMs: numbered[0] ? at(numbered[0].ms) : undefined,
      lastMs: numbered.at(-1) ? at(numbered.at(-1)!.ms) : undefined,
      count: num(p.summary?.received) ?? numbered.length,
      missedBefore: num(p.summary?.missedBeforeFirst) ??
        (first === undefined ? 0 : first - 1),
      gaps,
      lostAfter,
    });
  }
  const times = lanes.flatMap((l) =>
    [l.startMs, l.readyMs, l.endMs, l.firstMs, l.lastMs].filter((t) =>
      t !== undefined
    ) as number[]
  );
  return {
    originMs,
    startMs: Math.min(0, ...times),
    endMs: Math.max(1, ...times),
    lanes,
  };
}

/** One event of a chat, as the server saw it. */
export type ChatEvent =
  | { kind: "join"; host: string; name: string; ms: number }
  | { kind: "leave"; host: string; name: string; ms: number }
  | {
    kind: "message";
    host: string;
    name: string;
    text: string;
    ms: number;
    /** The hosts it reached, with when. */
    delivered: { host: string; ms: number }[];
    /** The hosts online then that never got it. */
    missing: string[];
  };

/** A chat scenario: the server, its clients and what happened, in order. */
export interface ChatModel {
  /** The server's host. */
  server: string;
  /** The clients' hosts, in start order. */
  clients: string[];
  /** Each client host's name in the chat (after any rename). */
  names: Map<string, string>;
  /** Joins, messages and leaves, in the order the server saw them. */
  events: ChatEvent[];
}

/**
 * The chat from the server's records (`join` with the client's address,
 * `rename`, `message`, `leave`) and each client's `message` records: who
 * sent each line and who it reached.
 */
export function chatModel(result: ScenarioResult): ChatModel | undefined {
  const server = result.processes.find((p) =>
    baseRole(p.role) === "chat-server"
  );
  if (!server) return undefined;
  const clients = result.processes.filter((p) =>
    baseRole(p.role) === "chat-client"
  );
  // A client is known by its address at the join; names change by rename.
  const hostByName = new Map<string, string>();
  const names = new Map<string, string>();
  const online = new Set<string>();
  const inbox = new Map(
    clients.map((c) => [
      c.host,
      timedRecords(c).filter((r) => r.record.type === "message"),
    ]),
  );
  const events: ChatEvent[] = [];
  for (const { record, ms } of timedRecords(server)) {
    if (record.type === "join") {
      const address = String(record.address ?? "").replace(/:\d+$/, "");
      const client = clients.find((c) =>
        c.address === address && !online.has(c.host) &&
        ![...hostByName.values()].includes(c.host)
      ) ?? clients.find((c) =>
        c.address === address
      );
      const host = client?.host ?? address;
      hostByName.set(String(record.name), host);
      names.set(host, String(record.name));
      online.add(host);
      events.push({ kind: "join", host, name: String(record.name), ms });
    } else if (record.type === "rename") {
      const host = hostByName.get(String(record.from));
      if (host === undefined) continue;
      hostByName.delete(String(record.from));
      hostByName.set(String(record.to), host);
      names.set(host, String(record.to));
    } else if (record.type === "message") {
      const name = String(record.from);
      const text = String(record.text);
      const host = hostByName.get(name) ?? name;
      const delivered: { host: string; ms: number }[] = [];
      const missing: string[] = [];
      for (const c of clients) {
        if (c.host === host || !online.has(c.host)) continue;
        const got = inbox.get(c.host)!;
        const at = got.findIndex((r) =>
          r.record.from === name && r.record.text === text
        );
        if (at >= 0) {
          delivered.push({ host: c.host, ms: got[at].ms });
          got.splice(at, 1);
        } else {
          missing.push(c.host);
        }
      }
      events.push({
        kind: "message",
        host,
        name,
        text,
        ms,
        delivered,
        missing,
      });
    } else if (record.type === "leave") {
      const name = String(record.name);
      const host = hostByName.get(name) ?? name;
      online.delete(host);
      events.push({ kind: "leave", host, name, ms });
    }
  }
  return {
    server: server.host,
    clients: clients.map((c) => c.host),
    names,
    events,
  };
}

/** A multicast scenario: the group, its TTL and its members. */
export interface MulticastModel {
  /** The sending host. */
  sender: string;
  /** The sender's address. */
  senderAddress: string;
  /** The group address. */
  group: string;
  /** The group's port. */
  port: number;
  /** The TTL the sender set. */
  ttl?: number;
  /** The TTL read off received datagrams (`--show-ttl`), if any were. */
  wireTtl?: number;
  /** The receiver that read {@linkcode MulticastModel.wireTtl}. */
  wireTtlHost?: string;
  /** Datagrams the sender sent. */
  sent: number;
  /** The members: each receiver, when it joined and what it got. */
  members: {
    host: string;
    address: string;
    joinedMs?: number;
    received: number;
  }[];
}

/** The multicast group of a scenario, from the sender's and receivers' records. */
export function multicastModel(
  result: ScenarioResult,
): MulticastModel | undefined {
  const sender = result.processes.find((p) =>
    baseRole(p.role) === "multicast-sender"
  );
  if (!sender) return undefined;
  const sending = timedRecords(sender).find((r) => r.record.type === "sending")
    ?.record;
  let wireTtl: number | undefined;
  let wireTtlHost: string | undefined;
  const members = result.processes.filter((p) =>
    baseRole(p.role) === "multicast-receiver"
  ).map((p) => {
    const records = timedRecords(p);
    const ttl = records.find((r) => r.record.type === "delivery")?.record.ttl;
    if (typeof ttl === "number" && wireTtl === undefined) {
      wireTtl = ttl;
      wireTtlHost = p.host;
    }
    return {
      host: p.host,
      address: p.address,
      joinedMs: records.find((r) => r.record.type === "listening")?.ms,
      received: num(p.summary?.received) ??
        records.filter((r) => r.record.type === "datagram").length,
    };
  });
  return {
    sender: sender.host,
    senderAddress: sender.address,
    group: String(sending?.group ?? "?"),
    port: num(sending?.port) ?? 0,
    ttl: num(sending?.ttl),
    wireTtl,
    wireTtlHost,
    sent: num(sender.summary?.sent) ?? 0,
    members,
  };
}

/** One event of a chat over multicast, as its author sent it. */
export interface GroupEvent {
  /** A line, a join or a leave. */
  kind: "message" | "join" | "leave";
  /** The author's host. */
  host: string;
  /** The author's name in the chat. */
  name: string;
  /** The line (messages). */
  text?: string;
  /** When the author sent it (ms from the scenario's start). */
  ms: number;
  /** The hosts that got it. */
  delivered: string[];
  /** Members that should have got it and did not (messages only). */
  missing: string[];
}

/** A chat over multicast: peers, module-style receivers, non-members. */
export interface GroupChatModel {
  /** The group address. */
  group: string;
  /** The group's port. */
  port: number;
  /** The channel's name, if the peers joined one. */
  channel?: string;
  /** The TTL the peers set. */
  ttl?: number;
  /** The chat peers' hosts, in start order. */
  peers: string[];
  /** Each peer host's name in the chat. */
  names: Map<string, string>;
  /** Hosts that joined the group with a plain receiver. */
  receivers: string[];
  /** Hosts of the scenario that did not join, with what they received. */
  outsiders: { host: string; received: number }[];
  /** Joins, lines and leaves, in the order they were sent. */
  events: GroupEvent[];
}

/**
 * The chat over multicast of a scenario: each peer's `listening` (its
 * join), `sent` and `summary` (its leave); who got each of them from the
 * other peers' `message`/`join`/`leave` records and the plain receivers'
 * `datagram` texts (`NAME : TEXT`, `* NAME joined`); every other role of
 * the scenario is a non-member, with its own `received` count.
 */
export function groupChatModel(
  result: ScenarioResult,
): GroupChatModel | undefined {
  const peers = result.processes.filter((p) =>
    baseRole(p.role) === "multicast-chat"
  );
  if (peers.length === 0) return undefined;
  const receivers = result.processes.filter((p) =>
    baseRole(p.role) === "multicast-receiver"
  );
  const outsiders = result.processes.filter((p) =>
    !peers.includes(p) && !receivers.includes(p)
  );
  const records = new Map(
    [...peers, ...receivers].map((p) => [p.host, timedRecords(p)]),
  );
  const listening = peers.map((p) =>
    records.get(p.host)!.find((r) => r.record.type === "listening")
  );
  const first = listening.find((r) => r !== undefined)?.record;
  const names = new Map<string, string>();
  for (const [i, p] of peers.entries()) {
    names.set(p.host, String(listening[i]?.record.name ?? p.host));
  }
  // Who got a datagram: a peer by its record, a receiver by the text.
  const got = (
    host: string,
    event: { kind: string; name: string; text?: string },
  ): boolean => {
    const peer = peers.some((p) => p.host === host);
    return records.get(host)!.some(({ record }) =>
      peer
        ? record.type === event.kind && record.name === event.name &&
          (event.kind !== "message" || record.text === event.text)
        : record.type === "datagram" && record.text === (
              event.kind === "message"
                ? `${event.name} : ${event.text}`
                : `* ${event.name} ${event.kind === "join" ? "joined" : "left"}`
            )
    );
  };
  const events: GroupEvent[] = [];
  for (const [i, p] of peers.entries()) {
    const name = names.get(p.host)!;
    const own = records.get(p.host)!;
    const all = [
      ...(listening[i]
        ? [{ kind: "join" as const, ms: listening[i]!.ms }]
        : []),
      ...own.filter((r) => r.record.type === "sent").map((r) => ({
        kind: "message" as const,
        ms: r.ms,
        text: String(r.record.text),
      })),
      ...(p.stopped || p.summary
        ? [{
          kind: "leave" as const,
          ms: own.findLast((r) => r.record.type === "summary")?.ms ??
            p.startedMs,
        }]
        : []),
    ];
    for (const e of all) {
      const event = { ...e, host: p.host, name };
      const members = [...peers, ...receivers].filter((m) => m !== p);
      const delivered = members.filter((m) => got(m.host, event)).map((m) =>
        m.host
      );
      events.push({
        ...event,
        delivered,
        missing: e.kind === "message"
          ? members.map((m) => m.host).filter((h) => !delivered.includes(h))
          : [],
      });
    }
  }
  events.sort((a, b) => a.ms - b.ms);
  return {
    group: String(first?.group ?? "?"),
    port: num(first?.port) ?? 0,
    channel: typeof first?.channel === "string" ? first.channel : undefined,
    ttl: num(first?.ttl),
    peers: peers.map((p) => p.host),
    names,
    receivers: receivers.map((p) => p.host),
    outsiders: outsiders.map((p) => ({
      host: p.host,
      received: num(p.summary?.received) ?? 0,
    })),
    events,
  };
}

/** The unicast exchange: what the client sent, the reply and its round trip. */
export interface UnicastModel {
  /** The client's host. */
  client?: string;
  /** The server's host. */
  server?: string;
  /** The text the server received. */
  request?: string;
  /** The reply's text. */
  reply?: string;
  /** The round-trip time. */
  rttMs?: number;
}

/** The unicast exchange of a scenario, from its records. */
export function unicastModel(result: ScenarioResult): UnicastModel {
  const client = result.processes.find((p) =>
    baseRole(p.role) === "udp-client"
  );
  const server = result.processes.find((p) =>
    baseRole(p.role) === "udp-server"
  );
  const reply = client &&
    timedRecords(client).find((r) => r.record.type === "reply")?.record;
  const request = server &&
    timedRecords(server).find((r) => r.record.type === "datagram")?.record;
  return {
    client: client?.host,
    server: server?.host,
    request: request ? String(request.text) : undefined,
    reply: reply ? String(reply.text) : undefined,
    rttMs: num(reply?.rttMs),
  };
}

/** Hosts to draw in the topology: the lab's, or those of the results (loopback). */
export function hostsOf(
  input: ReportInput,
): { name: string; address: string }[] {
  if (input.topology) {
    return input.topology.hosts.map((h) => ({
      name: h.name,
      address: h.address,
    }));
  }
  const seen = new Map<string, string>();
  for (const r of input.results) {
    for (const p of r.processes) seen.set(p.host, p.address);
  }
  return [...seen].map(([name, address]) => ({ name, address }));
}
