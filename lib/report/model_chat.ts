/**
 * The report's models of the chats and of multicast: the TCP chat's events
 * (joins, lines, relays, leaves), the multicast group with its TTL, and the
 * multicast chat's members and deliveries, each read from the records of a
 * scenario's processes.
 *
 * @module
 */

import type { ScenarioResult } from "../results/results.ts";
import { baseRole, num, timedRecords } from "./_timed.ts";

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
