/**
 * Sorts frames into the kinds a socket lab is about: ARP, IGMP, UDP by
 * where it goes (broadcast, multicast, unicast), TCP, and everything else.
 *
 * The kind comes from the headers, not from whether the layer above was
 * decoded: a UDP datagram's later fragments are UDP too, and an ICMP error
 * that quotes a UDP header is ICMP ("other"). UDP is broadcast when its
 * frame went to the link's broadcast address (Ethernet `ff:ff:ff:ff:ff:ff`,
 * Linux cooked packet type 1) or to 255.255.255.255; multicast when it went
 * to 224.0.0.0/4; unicast otherwise. Only IPv4 is sorted: IPv6 is "other".
 *
 * {@linkcode TSHARK_FILTERS} says the same as tshark display filters, so
 * that `tshark -r FILE -Y FILTER` counts what {@linkcode classify} counts.
 *
 * @example The kind of a decoded frame
 * ```ts
 * import { classify, TSHARK_FILTERS } from "./classify.ts";
 * import type { Frame } from "./frame.ts";
 *
 * function check(frame: Frame): string {
 *   const kind = classify(frame); // the same as frame.kind
 *   return `${kind}: tshark -Y '${TSHARK_FILTERS[kind]}'`;
 * }
 * ```
 *
 * @module
 */

import type { Frame, FrameKind } from "./frame.ts";

const UDP = "ip.proto == 17 && !icmp";
const BROADCAST =
  "(eth.dst == ff:ff:ff:ff:ff:ff || sll.pkttype == 1 || ip.dst == 255.255.255.255)";
const MULTICAST = "ip.dst == 224.0.0.0/4";

/** The tshark display filter that selects each kind's frames. */
export const TSHARK_FILTERS: Readonly<Record<FrameKind, string>> = {
  arp: "arp",
  igmp: "ip.proto == 2 && !icmp",
  "udp-broadcast": `${UDP} && ${BROADCAST}`,
  "udp-multicast": `${UDP} && !${BROADCAST} && ${MULTICAST}`,
  "udp-unicast": `${UDP} && !${BROADCAST} && !(${MULTICAST})`,
  tcp: "ip.proto == 6 && !icmp",
  other:
    "!arp && !(ip.proto == 2 && !icmp) && !(ip.proto == 17 && !icmp) && !(ip.proto == 6 && !icmp)",
};

/** The kind of a decoded frame (see the module's description). */
export function classify(frame: Frame): FrameKind {
  const link = frame.link;
  if (link?.etherType === 0x0806) return "arp";
  const ip = frame.ipv4;
  if (ip === undefined) return "other";
  if (ip.protocol === 2) return "igmp";
  if (ip.protocol === 6) return "tcp";
  if (ip.protocol !== 17) return "other";
  const linkBroadcast = link?.type === "ethernet"
    ? link.dst === "ff:ff:ff:ff:ff:ff"
    : link?.type === "sll" && link.packetType === 1;
  if (linkBroadcast || ip.dst === "255.255.255.255") return "udp-broadcast";
  const first = Number(ip.dst.slice(0, ip.dst.indexOf(".")));
  if (first >= 224 && first <= 239) return "udp-multicast";
  return "udp-unicast";
}
