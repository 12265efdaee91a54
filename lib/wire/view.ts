/**
 * A decoded frame as the report shows it ({@linkcode WireFrame}): its
 * layers with tshark's field names and values written as tshark writes
 * them (`eth.type` `0x0800`, `ip.proto` `17`, `tcp.flags` `0x0018`), a
 * one-line summary like Wireshark's Info column, and the payload as text
 * and hex.
 *
 * @example The layers of a decoded frame
 * ```ts
 * import { wireFrame } from "./view.ts";
 * import type { Frame, TcpLayer } from "./frame.ts";
 *
 * function fields(frame: Frame): string[] {
 *   const view = wireFrame(frame, { host: "alpine-2", file: "alpine-2.pcap", startMs: 0 });
 *   return view.layers.flatMap((l) => l.fields.map(([k, v]) => `${k}=${v}`));
 * }
 * ```
 *
 * @module
 */

import type { WireFrame, WireLayer } from "../results/wire.ts";
import { hexDump, payloadText } from "./format.ts";
import type { Frame, TcpLayer } from "./frame.ts";
import type { RelativeNumbers } from "./tcp_streams.ts";

/** Where a frame is from, for {@linkcode wireFrame}. */
export interface ViewContext {
  /** The host whose capture it is. */
  host: string;
  /** The capture file's name. */
  file: string;
  /** The scenario's start, ms since the epoch (for `atMs`). */
  startMs: number;
  /** TCP: the relative numbers (see `tcp_streams.ts`). */
  tcp?: RelativeNumbers;
  /** Most payload bytes shown as hex; default 96. */
  hexBytes?: number;
}

const hex16 = (n: number) => `0x${n.toString(16).padStart(4, "0")}`;
const hex8 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
const bit = (b: boolean) => (b ? "1" : "0");

/** TCP flags by name, as Wireshark lists them: `SYN, ACK`. */
export function tcpFlagNames(flags: TcpLayer): string {
  const f = flags.flags;
  return [
    f.cwr && "CWR",
    f.ece && "ECE",
    f.urg && "URG",
    f.fin && "FIN",
    f.syn && "SYN",
    f.rst && "RST",
    f.psh && "PSH",
    f.ack && "ACK",
  ].filter(Boolean).join(", ");
}

/** The frame as the report shows it. */
export function wireFrame(frame: Frame, context: ViewContext): WireFrame {
  const layers: WireLayer[] = [];
  const link = frame.link;
  if (link?.type === "ethernet") {
    const first = link.vlans[0]?.tpid ?? link.etherType;
    layers.push({
      layer: "eth",
      fields: [
        ["eth.dst", link.dst],
        ["eth.src", link.src],
        ...(first === undefined
          ? []
          : [["eth.type", hex16(first)]] as [string, string][]),
      ],
    });
  } else if (link?.type === "sll") {
    layers.push({
      layer: "sll",
      fields: [
        ["sll.pkttype", String(link.packetType)],
        ["sll.src.eth", link.src],
      ],
    });
  }
  if (link && link.type !== "raw") {
    for (const vlan of link.vlans) {
      layers.push({ layer: "vlan", fields: [["vlan.id", String(vlan.id)]] });
    }
  }
  if (frame.arp) {
    const a = frame.arp;
    layers.push({
      layer: "arp",
      fields: [
        ["arp.opcode", String(a.opcode)],
        ["arp.src.hw_mac", a.senderMac],
        ["arp.src.proto_ipv4", a.senderIp],
        ["arp.dst.hw_mac", a.targetMac],
        ["arp.dst.proto_ipv4", a.targetIp],
      ],
    });
  }
  const ip = frame.ipv4;
  if (ip) {
    layers.push({
      layer: "ip",
      fields: [
        ["ip.src", ip.src],
        ["ip.dst", ip.dst],
        ["ip.ttl", String(ip.ttl)],
        ["ip.proto", String(ip.protocol)],
        ["ip.len", String(ip.totalLength)],
        ["ip.id", hex16(ip.identification)],
        ["ip.flags.df", bit(ip.dontFragment)],
        ["ip.flags.mf", bit(ip.moreFragments)],
        // tshark 4.0 writes the offset in 8-byte units.
        ["ip.frag_offset", String(ip.fragmentOffset / 8)],
        ...ip.options.map((o) =>
          ["ip.opt.type", String(o.type)] as [string, string]
        ),
      ],
    });
  }
  const igmp = frame.igmp;
  if (igmp) {
    const fields: [string, string][] = [
      ["igmp.version", String(igmp.version)],
      ["igmp.type", hex8(igmp.igmpType)],
    ];
    if (igmp.records.length > 0) {
      fields.push(["igmp.num_grp_recs", String(igmp.records.length)]);
      for (const r of igmp.records) {
        fields.push(["igmp.record_type", String(r.recordType)], [
          "igmp.maddr",
          r.group,
        ]);
      }
    } else if (igmp.group !== undefined) {
      fields.push(["igmp.maddr", igmp.group]);
    }
    layers.push({ layer: "igmp", fields });
  }
  if (frame.icmp) {
    layers.push({
      layer: "icmp",
      fields: [["icmp.type", String(frame.icmp.icmpType)], [
        "icmp.code",
        String(frame.icmp.code),
      ]],
    });
  }
  if (frame.udp) {
    const u = frame.udp;
    layers.push({
      layer: "udp",
      fields: [
        ["udp.srcport", String(u.srcPort)],
        ["udp.dstport", String(u.dstPort)],
        ["udp.length", String(u.length)],
      ],
    });
  }
  const tcp = frame.tcp;
  if (tcp) {
    const rel = context.tcp;
    layers.push({
      layer: "tcp",
      fields: [
        ["tcp.srcport", String(tcp.srcPort)],
        ["tcp.dstport", String(tcp.dstPort)],
        ...(rel ? [["tcp.seq", String(rel.seq)]] as [string, string][] : []),
        ["tcp.seq_raw", String(tcp.seq)],
        ...(rel ? [["tcp.ack", String(rel.ack)]] as [string, string][] : []),
        ["tcp.ack_raw", String(tcp.ack)],
        ["tcp.flags", hex16(tcp.flagBits)],
        ["tcp.len", String(frame.payload.length)],
      ],
    });
  }
  const view: WireFrame = {
    host: context.host,
    file: context.file,
    number: frame.number,
    timeMs: frame.timeMs,
    atMs: frame.timeMs - context.startMs,
    length: frame.originalLength,
    kind: frame.kind,
    info: infoOf(frame, context.tcp),
    layers,
  };
  if ((frame.udp || frame.tcp) && frame.payload.length > 0) {
    view.payload = {
      length: frame.payload.length,
      text: payloadText(frame.payload),
      hex: hexDump(frame.payload, { limit: context.hexBytes ?? 96 }),
    };
  }
  if (frame.problems.length > 0) {
    view.problems = frame.problems.map((p) => p.text);
  }
  return view;
}

const IGMP_RECORDS: Record<number, string> = {
  1: "MODE_IS_INCLUDE",
  2: "MODE_IS_EXCLUDE",
  3: "CHANGE_TO_INCLUDE",
  4: "CHANGE_TO_EXCLUDE",
  5: "ALLOW_NEW",
  6: "BLOCK_OLD",
};

/** IGMPv3 record types by name. */
export function igmpRecordName(type: number): string {
  return IGMP_RECORDS[type] ?? `type ${type}`;
}

/** A one-line summary of the frame, as Wireshark's Info column says it. */
export function infoOf(frame: Frame, rel?: RelativeNumbers): string {
  if (frame.arp) {
    const a = frame.arp;
    return a.opcode === 1
      ? `Who has ${a.targetIp}? Tell ${a.senderIp}`
      : a.opcode === 2
      ? `${a.senderIp} is at ${a.senderMac}`
      : `ARP opcode ${a.opcode}`;
  }
  const ip = frame.ipv4;
  const igmp = frame.igmp;
  if (igmp) {
    if (igmp.message === "query") {
      return `IGMPv${igmp.version} Membership Query ${igmp.group ?? ""}`.trim();
    }
    if (igmp.records.length > 0) {
      return `IGMPv3 Membership Report: ${
        igmp.records.map((r) => `${r.group} ${igmpRecordName(r.recordType)}`)
          .join(", ")
      }`;
    }
    return igmp.message === "leave"
      ? `IGMPv2 Leave Group ${igmp.group}`
      : `IGMPv${igmp.version} Membership Report ${igmp.group ?? ""}`.trim();
  }
  if (frame.udp) {
    return `${ip?.src} → ${ip?.dst} UDP ${frame.udp.srcPort} → ${frame.udp.dstPort} Len=${frame.payload.length}`;
  }
  const tcp = frame.tcp;
  if (tcp) {
    const numbers = rel
      ? ` Seq=${rel.seq}${tcp.flags.ack ? ` Ack=${rel.ack}` : ""}`
      : "";
    return `${ip?.src} → ${ip?.dst} TCP ${tcp.srcPort} → ${tcp.dstPort} [${
      tcpFlagNames(tcp)
    }]${numbers} Len=${frame.payload.length}`;
  }
  if (frame.icmp) {
    return `${ip?.src} → ${ip?.dst} ICMP type ${frame.icmp.icmpType} code ${frame.icmp.code}`;
  }
  if (ip) {
    return `${ip.src} → ${ip.dst} protocol ${ip.protocol}${
      ip.fragment ? " (fragment)" : ""
    }`;
  }
  if (frame.ipv6) {
    return `${frame.ipv6.src} → ${frame.ipv6.dst} IPv6 next header ${frame.ipv6.nextHeader}`;
  }
  return frame.link?.type === "ethernet" && frame.link.etherType !== undefined
    ? `EtherType ${hex16(frame.link.etherType)}`
    : `${frame.originalLength} bytes`;
}
