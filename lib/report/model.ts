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

import { baseRole, num, timedRecords } from "./_timed.ts";

export { baseRole, type TimedRecord, timedRecords } from "./_timed.ts";
export { chatModel, groupChatModel, multicastModel } from "./model_chat.ts";
export type {
  ChatEvent,
  ChatModel,
  GroupChatModel,
  GroupEvent,
  MulticastModel,
} from "./model_chat.ts";

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
  /** The TTL the server read on the request (`--show-ttl`), if it did. */
  requestTtl?: number;
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
  const serverRecords = server ? timedRecords(server) : [];
  const at = serverRecords.findIndex((r) => r.record.type === "datagram");
  const request = at >= 0 ? serverRecords[at].record : undefined;
  const delivery = serverRecords[at + 1]?.record;
  const requestTtl = at >= 0 && delivery?.type === "delivery"
    ? num(delivery.ttl)
    : undefined;
  return {
    client: client?.host,
    server: server?.host,
    request: request ? String(request.text) : undefined,
    reply: reply ? String(reply.text) : undefined,
    rttMs: num(reply?.rttMs),
    ...(requestTtl === undefined ? {} : { requestTtl }),
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
