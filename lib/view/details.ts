/**
 * A frame's layers as the view's details pane shows them, layer by layer
 * as Wireshark's packet details do: the frame, Ethernet II (or Linux
 * cooked), ARP or IPv4, then IGMP, ICMP, UDP or TCP, and the payload as
 * text and as a hex dump, all from the decoded frame of `lib/wire`.
 *
 * Each field is `[key, value]` or `[key, value, word]`: the page labels
 * the key and words the word (`request`, `UDP`) in its language; values
 * are the same in every language.
 *
 * @example The destination of a frame's Ethernet header
 * ```ts
 * import { frameDetail } from "./details.ts";
 * import type { Frame } from "../wire/frame.ts";
 *
 * function destination(frame: Frame): string | undefined {
 *   const ethernet = frameDetail(frame).layers.find((l) => l.layer === "ethernet");
 *   return ethernet?.fields.find(([key]) => key === "dst")?.[1];
 * }
 * ```
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import { hexDump, payloadText } from "../wire/format.ts";
import type { Frame } from "../wire/frame.ts";

/** One field: its key, its value, and a word the page translates. */
export type Field = [string, string] | [string, string, string];

/** One layer of a frame. */
export interface Layer {
  /** `frame`, `ethernet`, `sll`, `raw`, `arp`, `ipv4`, `ipv6`, `igmp`, `icmp`, `udp`, `tcp`. */
  layer: string;
  /** Its fields, in header order. */
  fields: Field[];
}

/** A frame's details. */
export interface FrameDetail {
  /** The layers, outermost first. */
  layers: Layer[];
  /** The application payload: its length, as text, as hex dump lines. */
  payload: { length: number; text: string; hex: string[] };
  /** What could not be decoded. */
  problems: Text[];
}

/** Most payload bytes the hex dump shows. */
const HEX_LIMIT = 4096;

const PROTOCOLS: Record<number, string> = {
  1: "ICMP",
  2: "IGMP",
  6: "TCP",
  17: "UDP",
};

const ETHER_TYPES: Record<number, string> = {
  0x0800: "IPv4",
  0x0806: "ARP",
  0x86dd: "IPv6",
  0x8100: "802.1Q",
};

const hex = (n: number, digits: number) =>
  `0x${n.toString(16).padStart(digits, "0")}`;

/** The details of `frame`. */
export function frameDetail(frame: Frame): FrameDetail {
  const layers: Layer[] = [{
    layer: "frame",
    fields: [
      ["number", String(frame.number)],
      ["time", new Date(frame.timeMs).toISOString()],
      ["wireLength", String(frame.originalLength)],
      ["capturedLength", String(frame.capturedLength)],
      ...(frame.interface.name
        ? [["interface", frame.interface.name] as Field]
        : []),
    ],
  }];
  const link = frame.link;
  if (link?.type === "ethernet") {
    const type = link.etherType;
    layers.push({
      layer: "ethernet",
      fields: [
        [
          "dst",
          link.dst,
          link.dst === "ff:ff:ff:ff:ff:ff"
            ? "broadcast"
            : parseInt(link.dst.slice(0, 2), 16) & 1
            ? "multicast"
            : "unicast",
        ],
        ["src", link.src],
        ...link.vlans.map((v) =>
          ["vlan", `${v.id} (${hex(v.tpid, 4)})`] as Field
        ),
        type === undefined ? ["length", String(link.length ?? "")] : [
          "type",
          `${hex(type, 4)}${
            ETHER_TYPES[type] ? ` (${ETHER_TYPES[type]})` : ""
          }`,
        ],
      ],
    });
  } else if (link?.type === "sll") {
    layers.push({
      layer: "sll",
      fields: [
        ["packetType", String(link.packetType), `sll${link.packetType}`],
        ["src", link.src],
        [
          "type",
          `${hex(link.etherType, 4)}${
            ETHER_TYPES[link.etherType]
              ? ` (${ETHER_TYPES[link.etherType]})`
              : ""
          }`,
        ],
      ],
    });
  } else if (link?.type === "raw") {
    layers.push({ layer: "raw", fields: [["type", hex(link.etherType, 4)]] });
  }
  if (frame.arp) {
    const arp = frame.arp;
    layers.push({
      layer: "arp",
      fields: [
        [
          "opcode",
          String(arp.opcode),
          arp.opcode === 1 ? "request" : arp.opcode === 2 ? "reply" : "",
        ],
        ["senderMac", arp.senderMac],
        ["senderIp", arp.senderIp],
        ["targetMac", arp.targetMac],
        ["targetIp", arp.targetIp],
      ],
    });
  }
  if (frame.ipv4) {
    const ip = frame.ipv4;
    const flags = [ip.dontFragment ? "DF" : "", ip.moreFragments ? "MF" : ""]
      .filter(Boolean).join(", ");
    layers.push({
      layer: "ipv4",
      fields: [
        ["version", "4"],
        ["headerLength", String(ip.headerLength)],
        ["dscp", `${ip.dscp} (ECN ${ip.ecn})`],
        ["totalLength", String(ip.totalLength)],
        [
          "identification",
          `${hex(ip.identification, 4)} (${ip.identification})`,
        ],
        ["flags", flags || "-"],
        ["fragmentOffset", String(ip.fragmentOffset)],
        ["ttl", String(ip.ttl)],
        [
          "protocol",
          `${ip.protocol}${
            PROTOCOLS[ip.protocol] ? ` (${PROTOCOLS[ip.protocol]})` : ""
          }`,
        ],
        ["checksum", hex(ip.checksum, 4), ip.checksumOk ? "correct" : "wrong"],
        ["src", ip.src],
        ["dst", ip.dst],
        ...ip.options.map((o) =>
          [
            "option",
            `${o.type}${o.type === 148 ? " (Router Alert)" : ""}`,
          ] as Field
        ),
      ],
    });
  }
  if (frame.ipv6) {
    const ip = frame.ipv6;
    layers.push({
      layer: "ipv6",
      fields: [
        ["src", ip.src],
        ["dst", ip.dst],
        ["hopLimit", String(ip.hopLimit)],
        ["nextHeader", String(ip.nextHeader)],
        ["payloadLength", String(ip.payloadLength)],
      ],
    });
  }
  if (frame.igmp) {
    const igmp = frame.igmp;
    layers.push({
      layer: "igmp",
      fields: [
        ["version", String(igmp.version)],
        ["igmpType", hex(igmp.igmpType, 2), igmp.message],
        ...(igmp.message === "query"
          ? [["maxResponse", `${igmp.maxResponse / 10} s`] as Field]
          : []),
        ...(igmp.group !== undefined ? [["group", igmp.group] as Field] : []),
        ...igmp.records.map((r) =>
          [
            "record",
            `${r.group}${r.sources.length ? ` [${r.sources.join(", ")}]` : ""}`,
            `record${r.recordType}`,
          ] as Field
        ),
        ["checksum", "", igmp.checksumOk ? "correct" : "wrong"],
      ],
    });
  }
  if (frame.icmp) {
    const icmp = frame.icmp;
    const quoted = icmp.quoted;
    layers.push({
      layer: "icmp",
      fields: [
        ["icmpType", String(icmp.icmpType), `icmp${icmp.icmpType}`],
        ["code", String(icmp.code)],
        ...(quoted
          ? [
            [
              "quoted",
              `${quoted.ipv4.src}${
                quoted.srcPort !== undefined ? `:${quoted.srcPort}` : ""
              } → ${quoted.ipv4.dst}${
                quoted.dstPort !== undefined ? `:${quoted.dstPort}` : ""
              }`,
            ] as Field,
          ]
          : []),
      ],
    });
  }
  if (frame.udp) {
    const udp = frame.udp;
    layers.push({
      layer: "udp",
      fields: [
        ["srcPort", String(udp.srcPort)],
        ["dstPort", String(udp.dstPort)],
        ["length", String(udp.length)],
        ["checksum", hex(udp.checksum, 4)],
      ],
    });
  }
  if (frame.tcp) {
    const tcp = frame.tcp;
    const flags =
      (["syn", "fin", "rst", "psh", "ack", "urg", "ece", "cwr"] as const)
        .filter((f) => tcp.flags[f]).map((f) => f.toUpperCase()).join(", ");
    layers.push({
      layer: "tcp",
      fields: [
        ["srcPort", String(tcp.srcPort)],
        ["dstPort", String(tcp.dstPort)],
        ["seq", String(tcp.seq)],
        ["ack", String(tcp.ack)],
        ["headerLength", String(tcp.headerLength)],
        ["tcpFlags", `${hex(tcp.flagBits, 3)} (${flags || "-"})`],
        ["window", String(tcp.window)],
        ["checksum", hex(tcp.checksum, 4)],
        ["urgent", String(tcp.urgent)],
        ...(tcp.options.length > 0
          ? [["options", tcp.options.map((o) => o.kind).join(", ")] as Field]
          : []),
      ],
    });
  }
  return {
    layers,
    payload: {
      length: frame.payload.length,
      text: payloadText(frame.payload.subarray(0, HEX_LIMIT)),
      hex: hexDump(frame.payload, { limit: HEX_LIMIT }),
    },
    problems: frame.problems.map((p) => p.text),
  };
}
