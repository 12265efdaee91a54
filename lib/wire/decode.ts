/**
 * Decodes a captured frame layer by layer: the link layer (Ethernet II with
 * 802.1Q/802.1ad tags, Linux cooked v1 and v2, raw IP), then ARP, or IPv4
 * (options, fragments noted) with ICMP, IGMP v1/v2/v3, UDP or TCP above it,
 * or the IPv6 header. The frame's kind comes from
 * {@linkcode "./classify.ts"}.
 *
 * Decoding never throws: what the bytes do not allow (a frame cut by the
 * snaplen, a length that claims more than there is) is said in
 * {@linkcode Frame.problems}, and every layer before it is kept.
 *
 * @example Decode bytes that were never in a file
 * ```ts
 * import { decodeFrame } from "./decode.ts";
 *
 * const frame = decodeFrame({
 *   number: 1,
 *   timeNs: 0n,
 *   interface: {
 *     id: 0, section: 0, linkType: 1, snaplen: 0,
 *     unitsPerSecond: 1_000_000n, offsetSeconds: 0n, fcsLength: 0,
 *   },
 *   capturedLength: 14,
 *   originalLength: 14,
 *   data: new Uint8Array([
 *     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x88, 0xb5,
 *   ]),
 * });
 * console.log(frame.link); // { type: "ethernet", dst: "ff:ff:ff:ff:ff:ff", … }
 * ```
 *
 * @module
 */

import { decodeIpv4, decodeIpv6, type Decoding, problem } from "./_ip.ts";
import { cutShort } from "./_ip.ts";
import { classify } from "./classify.ts";
import { colonHex, ipv4Text, macText } from "./format.ts";
import type {
  CapturedFrame,
  EthernetLayer,
  Frame,
  SllLayer,
  VlanTag,
} from "./frame.ts";

/** LINKTYPE_ETHERNET. */
export const LINK_ETHERNET = 1;
/** LINKTYPE_RAW: raw IPv4 or IPv6. */
export const LINK_RAW = 101;
/** LINKTYPE_LINUX_SLL: Linux cooked capture v1 (`tcpdump -i any`). */
export const LINK_SLL = 113;
/** LINKTYPE_IPV4. */
export const LINK_IPV4 = 228;
/** LINKTYPE_IPV6. */
export const LINK_IPV6 = 229;
/** LINKTYPE_LINUX_SLL2: Linux cooked capture v2. */
export const LINK_SLL2 = 276;

const DECODED = new Set([
  LINK_ETHERNET,
  LINK_RAW,
  LINK_SLL,
  LINK_IPV4,
  LINK_IPV6,
  LINK_SLL2,
]);

const NAMES: Record<number, string> = {
  0: "NULL",
  1: "ETHERNET",
  6: "IEEE802_5",
  9: "PPP",
  101: "RAW",
  105: "IEEE802_11",
  108: "LOOP",
  113: "LINUX_SLL",
  127: "IEEE802_11_RADIOTAP",
  187: "BLUETOOTH_HCI_H4_WITH_PHDR",
  189: "USB_LINUX",
  195: "IEEE802_15_4_WITHFCS",
  201: "BLUETOOTH_HCI_H4_WITH_PHDR",
  220: "USB_LINUX_MMAPPED",
  228: "IPV4",
  229: "IPV6",
  253: "NETLINK",
  276: "LINUX_SLL2",
};

/** Whether {@linkcode decodeFrame} decodes frames of this link type. */
export function isDecodedLinkType(linkType: number): boolean {
  return DECODED.has(linkType);
}

/** The LINKTYPE_ name of a link type, if it is a well-known one. */
export function linkTypeName(linkType: number): string | undefined {
  return NAMES[linkType];
}

/** EtherTypes of VLAN tags: 802.1Q, 802.1ad, and the older QinQ. */
const VLAN_TPIDS = new Set([0x8100, 0x88a8, 0x9100]);

/** Decodes a captured frame (see the module's description). */
export function decodeFrame(record: CapturedFrame): Frame {
  const cut = record.capturedLength < record.originalLength;
  const fcs = record.interface.fcsLength;
  // A frame check sequence at the end is not the frame's content.
  const bytes = fcs > 0 && !cut && record.data.length >= fcs
    ? record.data.subarray(0, record.data.length - fcs)
    : record.data;
  const frame: Frame = {
    ...record,
    timeMs: Number(record.timeNs / 1000n) / 1000,
    kind: "other",
    cut,
    payload: new Uint8Array(0),
    problems: [],
  };
  const d: Decoding = {
    frame,
    bytes,
    view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  };
  if (cut) {
    problem(d, "frame", {
      en:
        `cut by the capture's snaplen: ${record.capturedLength} of ${record.originalLength} bytes captured`,
      id:
        `dipotong snaplen tangkapan: ${record.capturedLength} dari ${record.originalLength} byte tertangkap`,
    });
  } else if (record.capturedLength > record.originalLength) {
    problem(d, "frame", {
      en:
        `${record.capturedLength} bytes captured of a frame of ${record.originalLength}`,
      id:
        `${record.capturedLength} byte tertangkap dari frame ${record.originalLength} byte`,
    });
  }
  const linkType = record.interface.linkType;
  if (linkType === LINK_ETHERNET) decodeEthernet(d);
  else if (linkType === LINK_SLL || linkType === LINK_SLL2) {
    decodeSll(d, linkType);
  } else if (
    linkType === LINK_RAW || linkType === LINK_IPV4 || linkType === LINK_IPV6
  ) {
    const version = bytes.length > 0 ? bytes[0] >> 4 : 0;
    const etherType = linkType === LINK_IPV4
      ? 0x0800
      : linkType === LINK_IPV6
      ? 0x86dd
      : version === 6
      ? 0x86dd
      : 0x0800;
    frame.link = { type: "raw", etherType };
    network(d, etherType, 0);
  } else {
    const name = linkTypeName(linkType);
    problem(d, "frame", {
      en: `link type ${linkType}${name ? ` (${name})` : ""} not decoded`,
      id: `tipe link ${linkType}${name ? ` (${name})` : ""} tidak dibaca`,
    });
  }
  frame.kind = classify(frame);
  return frame;
}

function decodeEthernet(d: Decoding): void {
  const { bytes, view } = d;
  if (bytes.length < 14) return cutShort(d, "Ethernet", 14, bytes.length);
  const link: EthernetLayer = {
    type: "ethernet",
    dst: macText(bytes, 0),
    src: macText(bytes, 6),
    vlans: [],
  };
  d.frame.link = link;
  const tagged = untag(d, view.getUint16(12), 14, link.vlans);
  if (tagged === undefined) return;
  const [type, at] = tagged;
  if (type < 0x0600) {
    // 802.3: a length, then LLC; not decoded further.
    link.length = type;
    return;
  }
  link.etherType = type;
  network(d, type, at);
}

function decodeSll(d: Decoding, linkType: number): void {
  const { bytes, view } = d;
  const v2 = linkType === LINK_SLL2;
  const size = v2 ? 20 : 16;
  if (bytes.length < size) {
    return cutShort(d, v2 ? "SLL2" : "SLL", size, bytes.length);
  }
  const addressLength = Math.min(8, v2 ? bytes[11] : view.getUint16(4));
  const addressAt = v2 ? 12 : 6;
  const address = bytes.subarray(addressAt, addressAt + addressLength);
  const link: SllLayer = {
    type: "sll",
    version: v2 ? 2 : 1,
    packetType: v2 ? bytes[10] : view.getUint16(0),
    hatype: v2 ? view.getUint16(8) : view.getUint16(2),
    src: addressLength === 6 ? macText(address) : colonHex(address),
    etherType: v2 ? view.getUint16(0) : view.getUint16(14),
    vlans: [],
    ...(v2 ? { ifindex: view.getUint32(4) } : {}),
  };
  d.frame.link = link;
  // libpcap puts the tag the kernel took off back in front of the packet.
  const tagged = untag(d, link.etherType, size, link.vlans);
  if (tagged === undefined) return;
  link.etherType = tagged[0];
  network(d, tagged[0], tagged[1]);
}

/**
 * Reads the VLAN tags starting with `type` at `at` into `vlans`; returns
 * the EtherType after them and where it starts, or nothing if cut short.
 */
function untag(
  d: Decoding,
  type: number,
  at: number,
  vlans: VlanTag[],
): [number, number] | undefined {
  while (VLAN_TPIDS.has(type)) {
    if (d.bytes.length < at + 4) {
      cutShort(d, "802.1Q", at + 4, d.bytes.length);
      return undefined;
    }
    const tci = d.view.getUint16(at);
    vlans.push({
      tpid: type,
      priority: tci >> 13,
      dei: (tci & 0x1000) !== 0,
      id: tci & 0x0fff,
    });
    type = d.view.getUint16(at + 2);
    at += 4;
  }
  return [type, at];
}

function network(d: Decoding, etherType: number, at: number): void {
  if (etherType === 0x0800) decodeIpv4(d, at);
  else if (etherType === 0x86dd) decodeIpv6(d, at);
  else if (etherType === 0x0806) decodeArp(d, at);
}

function decodeArp(d: Decoding, at: number): void {
  const { bytes, view } = d;
  const have = bytes.length - at;
  if (have < 8) return cutShort(d, "ARP", 8, have);
  const hardwareLength = bytes[at + 4];
  const protocolLength = bytes[at + 5];
  const size = 8 + 2 * (hardwareLength + protocolLength);
  if (hardwareLength !== 6 || protocolLength !== 4) {
    return problem(d, "ARP", {
      en:
        `addresses of ${hardwareLength} and ${protocolLength} bytes: only Ethernet/IPv4 ARP is decoded`,
      id:
        `alamat ${hardwareLength} dan ${protocolLength} byte: hanya ARP Ethernet/IPv4 yang dibaca`,
    });
  }
  if (have < size) return cutShort(d, "ARP", size, have);
  d.frame.arp = {
    hardwareType: view.getUint16(at),
    protocolType: view.getUint16(at + 2),
    opcode: view.getUint16(at + 6),
    senderMac: macText(bytes, at + 8),
    senderIp: ipv4Text(bytes, at + 14),
    targetMac: macText(bytes, at + 18),
    targetIp: ipv4Text(bytes, at + 24),
  };
}
