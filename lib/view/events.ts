/**
 * The view's events: one per frame that crossed the switch, with where it
 * came from, the ports it left by, what each receiving host's socket did
 * with it, and a line of info; and the exact counts of everything seen,
 * which never sample.
 *
 * The info is language-free (`["udp", 5005, " BROADCAST ini angka 312 "]`):
 * the page words it in the reader's language, e.g.
 * `UDP 5005 " BROADCAST ini angka 312 "`.
 *
 * @example Events from a capture
 * ```ts
 * import { EventModel } from "./events.ts";
 * import { HostTable } from "./hosts.ts";
 * import { readCapture } from "../wire/read.ts";
 *
 * async function count(path: string): Promise<number> {
 *   const model = new EventModel(new HostTable([], { learn: true }));
 *   for await (const frame of readCapture(path)) model.add(frame);
 *   return model.totals.kinds["udp-broadcast"];
 * }
 * ```
 *
 * @module
 */

import { payloadText } from "../wire/format.ts";
import { type Frame, FRAME_KINDS, type FrameKind } from "../wire/frame.ts";
import type { HostTable } from "./hosts.ts";
import { SocketBook, type Verdict } from "./sockets.ts";

/** A line of info, language-free: a code and its values. */
export type Info = (string | number)[];

/** One frame crossing the switch. */
export interface ViewEvent {
  /** Its number, from 1, in the order the view saw the frames. */
  n: number;
  /** When it was captured (ms since the epoch, with fractions). */
  t: number;
  /** The host (port) it came from; -1: the switch itself. */
  from: number;
  /** The hosts (ports) it left by. */
  to: number[];
  /** What it is. */
  kind: FrameKind;
  /** A line of info (see {@linkcode infoOf}). */
  info: Info;
  /** Its length on the wire, in bytes. */
  len: number;
  /** What each host of `to` did with it (same order); `?`: not yet known. */
  v: (Verdict | "?")[];
  /** Its IPv4 destination, if it has one. */
  dst?: string;
  /** On a lab of several segments: the segment (its index) it crossed. */
  seg?: number;
  /** Its IPv4 TTL there, on a lab of several segments. */
  ttl?: number;
}

/** What one host sent and got, counted exactly. */
export interface HostCounts {
  /** Frames it sent. */
  sent: number;
  /** Frames that reached its port. */
  arrived: number;
  /** UDP datagrams its sockets took. */
  received: number;
  /** UDP datagrams it dropped: not a member, or no socket on the port. */
  dropped: number;
}

/** Everything seen, counted exactly. */
export interface Totals {
  /** Frames. */
  frames: number;
  /** Bytes on the wire. */
  bytes: number;
  /** Frames by kind. */
  kinds: Record<FrameKind, number>;
  /** By host, in the table's order. */
  hosts: HostCounts[];
  /** The first and last capture time (ms since the epoch); 0 before any. */
  firstMs: number;
  /** The last frame's time. */
  lastMs: number;
}

/** Longest payload text an info line carries (the details have all of it). */
const INFO_TEXT = 80;

/** Zero counts of every kind. */
export function zeroKinds(): Record<FrameKind, number> {
  return Object.fromEntries(FRAME_KINDS.map((k) => [k, 0])) as Record<
    FrameKind,
    number
  >;
}

/** Options for {@linkcode EventModel}. */
export interface EventModelOptions {
  /** What the hosts' sockets were; by default nothing is known. */
  sockets?: SocketBook;
}

/** Turns frames into events and counts them. */
export class EventModel {
  /** The hosts. */
  readonly hosts: HostTable;
  /** The hosts' sockets. */
  readonly sockets: SocketBook;
  /** Everything seen so far. */
  readonly totals: Totals = {
    frames: 0,
    bytes: 0,
    kinds: zeroKinds(),
    hosts: [],
    firstMs: 0,
    lastMs: 0,
  };

  /** A model over `hosts`. */
  constructor(hosts: HostTable, options: EventModelOptions = {}) {
    this.hosts = hosts;
    this.sockets = options.sockets ?? new SocketBook();
  }

  /**
   * The event of `frame`; `sender` is the host whose port it came in by
   * (live: by its MAC; -1 for the switch's own), else the table finds it.
   */
  add(frame: Frame, sender?: number, options: AddOptions = {}): ViewEvent {
    const hosts = this.hosts;
    const from = sender ?? hosts.senderOf(frame).index;
    const to = hosts.portsOf(frame, from, options.segment);
    const t = frame.timeMs;
    if (frame.udp && from >= 0) {
      this.sockets.sentFrom(from, frame.udp.srcPort, t);
    }
    const udp = frame.kind.startsWith("udp");
    const v: (Verdict | "?")[] = to.map((i) =>
      udp && options.later?.(i)
        ? "?"
        : this.sockets.verdict(i, hosts.hosts[i].address, frame, t)
    );
    const totals = this.totals;
    totals.frames++;
    totals.bytes += frame.originalLength;
    totals.kinds[frame.kind]++;
    if (totals.firstMs === 0) totals.firstMs = t;
    totals.lastMs = Math.max(totals.lastMs, t);
    while (totals.hosts.length < hosts.hosts.length) {
      totals.hosts.push({ sent: 0, arrived: 0, received: 0, dropped: 0 });
    }
    if (from >= 0) totals.hosts[from].sent++;
    to.forEach((i, k) => {
      totals.hosts[i].arrived++;
      this.#count(i, v[k]);
    });
    return {
      n: totals.frames,
      t,
      from,
      to,
      kind: frame.kind,
      info: infoOf(frame),
      len: frame.originalLength,
      v,
      ...(frame.ipv4 ? { dst: frame.ipv4.dst } : {}),
      ...(options.segment === undefined ? {} : {
        seg: options.segment,
        ...(frame.ipv4 ? { ttl: frame.ipv4.ttl } : {}),
      }),
    };
  }

  /** Counts the verdicts of `event` that were `?` when it was added. */
  settled(event: ViewEvent, wasLater: boolean[]): void {
    event.to.forEach((i, k) => {
      if (wasLater[k]) this.#count(i, event.v[k]);
    });
  }

  #count(host: number, verdict: Verdict | "?"): void {
    const counts = this.totals.hosts[host];
    if (verdict === "r") counts.received++;
    else if (verdict === "m" || verdict === "p") counts.dropped++;
  }
}

/** Options for {@linkcode EventModel.add}. */
export interface AddOptions {
  /**
   * Hosts whose verdict is settled later (the live view's kernel readings,
   * see `_verdicts.ts`): their `v` is `?` until then.
   */
  later?: (host: number) => boolean;
  /**
   * A lab of several segments: the segment whose switch the frame crossed
   * (its ports are the only ones it may leave by).
   */
  segment?: number;
}

/**
 * A frame's line of info, language-free:
 * - `["udp", dstPort, text]`, `["tcp", srcPort, dstPort, flags, seq, ack, dataLength, text]`;
 * - `["arp-request", targetIp, senderIp]`, `["arp-reply", senderIp, senderMac]`;
 * - `["igmp-join", group, version]`, `["igmp-leave", group, version]`,
 *   `["igmp-query", group, version]`, `["igmp", type]`;
 * - `["icmp", type, code]`, `["ipv6", src, dst]`, `["other", etherType]`.
 */
export function infoOf(frame: Frame): Info {
  if (frame.arp) {
    const arp = frame.arp;
    if (arp.opcode === 1) return ["arp-request", arp.targetIp, arp.senderIp];
    if (arp.opcode === 2) return ["arp-reply", arp.senderIp, arp.senderMac];
    return ["arp", arp.opcode];
  }
  if (frame.udp) {
    return ["udp", frame.udp.dstPort, shortText(frame.payload)];
  }
  if (frame.tcp) {
    const tcp = frame.tcp;
    const flags = (["syn", "fin", "rst", "psh", "ack", "urg"] as const)
      .filter((f) => tcp.flags[f]).map((f) => f.toUpperCase()).join(",");
    return [
      "tcp",
      tcp.srcPort,
      tcp.dstPort,
      flags,
      tcp.seq,
      tcp.ack,
      frame.payload.length,
      shortText(frame.payload),
    ];
  }
  if (frame.igmp) return igmpInfo(frame);
  if (frame.icmp) return ["icmp", frame.icmp.icmpType, frame.icmp.code];
  if (frame.ipv6) return ["ipv6", frame.ipv6.src, frame.ipv6.dst];
  if (frame.ipv4) return ["ip", frame.ipv4.protocol];
  const type = frame.link?.type === "ethernet"
    ? frame.link.etherType
    : frame.link?.etherType;
  return [
    "other",
    type === undefined ? "" : `0x${type.toString(16).padStart(4, "0")}`,
  ];
}

function igmpInfo(frame: Frame): Info {
  const igmp = frame.igmp!;
  // v3 names its groups in its records: the first one says which.
  const group = igmp.group ?? igmp.records[0]?.group ?? "";
  if (igmp.message === "query") {
    return ["igmp-query", igmp.group ?? "0.0.0.0", igmp.version];
  }
  if (igmp.message === "leave") return ["igmp-leave", group, igmp.version];
  if (igmp.message === "report") return ["igmp-join", group, igmp.version];
  return ["igmp", igmp.igmpType];
}

function shortText(payload: Uint8Array): string {
  const text = payloadText(payload.subarray(0, INFO_TEXT * 4));
  return text.length <= INFO_TEXT ? text : `${text.slice(0, INFO_TEXT - 1)}…`;
}

/**
 * An event as the page gets it: `[n, t, from, to, kind, info, len,
 * verdicts, dst]`, the verdicts one letter per port (`-` for none); on a
 * lab of several segments, then `segment, ttl` (0: no IPv4).
 */
export type EventRow =
  | [number, number, number, number[], number, Info, number, string, string]
  | [
    number,
    number,
    number,
    number[],
    number,
    Info,
    number,
    string,
    string,
    number,
    number,
  ];

/** The row the page gets for `event` (kinds by their index in FRAME_KINDS). */
export function eventRow(event: ViewEvent): EventRow {
  const row: EventRow = [
    event.n,
    Math.round(event.t * 1000) / 1000,
    event.from,
    event.to,
    FRAME_KINDS.indexOf(event.kind),
    event.info,
    event.len,
    event.v.map((v) => v || "-").join(""),
    event.dst ?? "",
  ];
  return event.seg === undefined ? row : [...row, event.seg, event.ttl ?? 0];
}
