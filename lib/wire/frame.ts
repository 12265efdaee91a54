/**
 * The decoded frame: one type that everything reading frames shares (the
 * report's "on the wire" section, the live view, the tests). A frame holds
 * what its capture file said about it (time, interface, lengths, bytes) and
 * each layer this project decodes, layer by layer as Wireshark's packet
 * details show them: the link (Ethernet II with 802.1Q tags, or Linux
 * cooked), then ARP, or IPv4 with IGMP, ICMP, UDP or TCP above it.
 *
 * A layer is absent when the frame does not have it, or when the bytes ran
 * out before it (a frame cut by the capture's snaplen, a length that lies):
 * such a frame keeps what could be decoded and says what is missing in
 * {@linkcode Frame.problems}; reading never throws for one frame.
 *
 * @example Tell a frame's kind and its addresses
 * ```ts
 * import type { Frame } from "./frame.ts";
 *
 * function describe(frame: Frame): string {
 *   const ip = frame.ipv4;
 *   return ip ? `${frame.kind} ${ip.src} → ${ip.dst} TTL ${ip.ttl}` : frame.kind;
 * }
 * ```
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";

/**
 * What a frame is, for counting what an interface saw: ARP, IGMP, UDP by
 * destination (broadcast, multicast, unicast), TCP, and everything else
 * (IPv6, ICMP, other EtherTypes). See {@linkcode "./classify.ts"}.
 */
export type FrameKind =
  | "arp"
  | "igmp"
  | "udp-broadcast"
  | "udp-multicast"
  | "udp-unicast"
  | "tcp"
  | "other";

/** Every {@linkcode FrameKind}, in the order a table lists them. */
export const FRAME_KINDS: readonly FrameKind[] = [
  "arp",
  "igmp",
  "udp-broadcast",
  "udp-multicast",
  "udp-unicast",
  "tcp",
  "other",
];

/** One interface of a capture: pcap has one, pcapng one per IDB. */
export interface CaptureInterface {
  /** The interface's number in its section (pcapng's interface id; 0 in pcap). */
  id: number;
  /** The pcapng section it belongs to, from 0 (always 0 in pcap). */
  section: number;
  /** The link-layer header type (LINKTYPE_*): 1 Ethernet, 113 Linux cooked, … */
  linkType: number;
  /** The most bytes of a frame the capture kept; 0 for "no limit". */
  snaplen: number;
  /** The interface's name (pcapng `if_name`), e.g. `eth0`. */
  name?: string;
  /** The interface's description (pcapng `if_description`). */
  description?: string;
  /** How many time units make a second: 1,000,000 for µs, 1e9 for ns. */
  unitsPerSecond: bigint;
  /** Seconds added to every time stamp (pcapng `if_tsoffset`). */
  offsetSeconds: bigint;
  /** Bytes of frame check sequence at the end of each frame (usually 0). */
  fcsLength: number;
}

/** A frame as the capture file holds it, before decoding. */
export interface CapturedFrame {
  /** The frame's number in the file, from 1 (Wireshark's `frame.number`). */
  number: number;
  /** When it was captured, in nanoseconds since 1970-01-01 UTC. */
  timeNs: bigint;
  /** The interface it was captured on. */
  interface: CaptureInterface;
  /** Bytes the file holds of the frame (`frame.cap_len`). */
  capturedLength: number;
  /** Bytes the frame had on the wire (`frame.len`). */
  originalLength: number;
  /** The captured bytes (a copy: safe to keep). */
  data: Uint8Array;
  /** Which way it went, when the file says (pcapng `epb_flags`). */
  direction?: "in" | "out";
  /** The frame's comments (pcapng `opt_comment`). */
  comments?: string[];
}

/** An 802.1Q (or 802.1ad) VLAN tag. */
export interface VlanTag {
  /** The tag protocol: 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  tpid: number;
  /** Priority code point, 0-7. */
  priority: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** The VLAN id, 0-4095. */
  id: number;
}

/** Ethernet II (or 802.3 with a length instead of a type). */
export interface EthernetLayer {
  /** Says which link layer this is. */
  type: "ethernet";
  /** Destination MAC, `ff:ff:ff:ff:ff:ff` style (`eth.dst`). */
  dst: string;
  /** Source MAC (`eth.src`). */
  src: string;
  /** The EtherType after any VLAN tags (`eth.type`); absent for 802.3 frames. */
  etherType?: number;
  /** The 802.3 length field, for frames that have one instead of a type. */
  length?: number;
  /** VLAN tags, outermost first. */
  vlans: VlanTag[];
}

/** Linux "cooked" capture, v1 (LINKTYPE 113) or v2 (276): `tcpdump -i any`. */
export interface SllLayer {
  /** Says which link layer this is. */
  type: "sll";
  /** 1 or 2. */
  version: 1 | 2;
  /**
   * The packet type: 0 to us, 1 broadcast, 2 multicast, 3 to another host,
   * 4 sent by us (`sll.pkttype`).
   */
  packetType: number;
  /** The ARPHRD_ type of the device: 1 Ethernet, 772 loopback, … */
  hatype: number;
  /** The link-layer source address, as `aa:bb:…` (`sll.src.eth` when 6 bytes). */
  src: string;
  /** The EtherType of what follows, after any VLAN tags. */
  etherType: number;
  /** VLAN tags (libpcap puts back what the kernel took off), outermost first. */
  vlans: VlanTag[];
  /** The interface's index on the capturing machine (v2 only). */
  ifindex?: number;
}

/** No link layer: the frame starts with the IP header (LINKTYPE 101, 228). */
export interface RawLayer {
  /** Says which link layer this is. */
  type: "raw";
  /** 0x0800 for IPv4, 0x86dd for IPv6, from the first nibble. */
  etherType: number;
}

/** The link layer of a frame. */
export type LinkLayer = EthernetLayer | SllLayer | RawLayer;

/** ARP over Ethernet/IPv4 (the fields of `arp.*`). */
export interface ArpLayer {
  /** 1 request, 2 reply (`arp.opcode`). */
  opcode: number;
  /** Hardware type, 1 for Ethernet. */
  hardwareType: number;
  /** Protocol type, 0x0800 for IPv4. */
  protocolType: number;
  /** Sender's MAC (`arp.src.hw_mac`). */
  senderMac: string;
  /** Sender's IPv4 address (`arp.src.proto_ipv4`). */
  senderIp: string;
  /** Target's MAC (`arp.dst.hw_mac`). */
  targetMac: string;
  /** Target's IPv4 address (`arp.dst.proto_ipv4`). */
  targetIp: string;
}

/** One IPv4 option. */
export interface Ipv4Option {
  /** The option's type byte (148 Router Alert, 7 Record Route, …). */
  type: number;
  /** Its value bytes (without type and length). */
  data: Uint8Array;
}

/** The IPv4 header (`ip.*`). */
export interface Ipv4Layer {
  /** Header length in bytes (`ip.hdr_len`). */
  headerLength: number;
  /** Differentiated services code point. */
  dscp: number;
  /** Explicit congestion notification bits. */
  ecn: number;
  /** The datagram's total length as the header says (`ip.len`). */
  totalLength: number;
  /** Identification (`ip.id`). */
  identification: number;
  /** Don't fragment. */
  dontFragment: boolean;
  /** More fragments follow. */
  moreFragments: boolean;
  /** Fragment offset in bytes (`ip.frag_offset`). */
  fragmentOffset: number;
  /** Time to live (`ip.ttl`). */
  ttl: number;
  /** Protocol: 1 ICMP, 2 IGMP, 6 TCP, 17 UDP (`ip.proto`). */
  protocol: number;
  /** Header checksum as sent. */
  checksum: number;
  /** Whether the header checksum is right. */
  checksumOk: boolean;
  /** Source address (`ip.src`). */
  src: string;
  /** Destination address (`ip.dst`). */
  dst: string;
  /** The options, in order (IGMP carries Router Alert). */
  options: Ipv4Option[];
  /** Whether this frame is a fragment (offset > 0 or more to come). */
  fragment: boolean;
}

/** The IPv6 header, decoded only this far: the kinds count it as other. */
export interface Ipv6Layer {
  /** Source address, in the usual compressed form. */
  src: string;
  /** Destination address. */
  dst: string;
  /** Hop limit. */
  hopLimit: number;
  /** The first next-header value. */
  nextHeader: number;
  /** Payload length as the header says. */
  payloadLength: number;
}

/** A group record of an IGMPv3 membership report. */
export interface IgmpGroupRecord {
  /**
   * 1 MODE_IS_INCLUDE, 2 MODE_IS_EXCLUDE, 3 CHANGE_TO_INCLUDE (a leave when
   * no sources), 4 CHANGE_TO_EXCLUDE (a join), 5 ALLOW_NEW, 6 BLOCK_OLD.
   */
  recordType: number;
  /** The group (`igmp.maddr`). */
  group: string;
  /** Source addresses. */
  sources: string[];
}

/** IGMP v1, v2 or v3 (`igmp.*`). */
export interface IgmpLayer {
  /** The version this message is, by its type and length. */
  version: 1 | 2 | 3;
  /**
   * 0x11 query, 0x12 v1 report, 0x16 v2 report, 0x17 leave, 0x22 v3 report
   * (`igmp.type`).
   */
  igmpType: number;
  /** What the message does, in a word. */
  message: "query" | "report" | "leave" | "unknown";
  /** Max response time in tenths of a second (queries). */
  maxResponse: number;
  /** The group (`igmp.maddr`): the one joined or left, or queried (0.0.0.0: all). */
  group?: string;
  /** v3 reports: the group records. */
  records: IgmpGroupRecord[];
  /** v3 queries: source addresses. */
  sources: string[];
  /** Whether the checksum is right. */
  checksumOk: boolean;
}

/** The transport header an ICMP error quotes. */
export interface QuotedHeader {
  /** The quoted IPv4 header. */
  ipv4: Ipv4Layer;
  /** Its ports, when it quoted UDP or TCP. */
  srcPort?: number;
  /** Its destination port. */
  dstPort?: number;
}

/** ICMP (`icmp.*`); errors carry the start of the datagram they are about. */
export interface IcmpLayer {
  /** 0 echo reply, 3 unreachable, 8 echo request, 11 time exceeded, … */
  icmpType: number;
  /** The code (3/3: port unreachable). */
  code: number;
  /** For errors: the quoted header. */
  quoted?: QuotedHeader;
}

/** UDP (`udp.*`). */
export interface UdpLayer {
  /** Source port (`udp.srcport`). */
  srcPort: number;
  /** Destination port (`udp.dstport`). */
  dstPort: number;
  /** Length of header and data as the header says (`udp.length`). */
  length: number;
  /** The checksum as sent (offloaded sends carry a partial one). */
  checksum: number;
}

/** The TCP flags, by name. */
export interface TcpFlags {
  /** No more data. */
  fin: boolean;
  /** Synchronize sequence numbers. */
  syn: boolean;
  /** Reset. */
  rst: boolean;
  /** Push. */
  psh: boolean;
  /** The acknowledgment field counts. */
  ack: boolean;
  /** The urgent pointer counts. */
  urg: boolean;
  /** ECN echo. */
  ece: boolean;
  /** Congestion window reduced. */
  cwr: boolean;
}

/** One TCP option. */
export interface TcpOption {
  /** The kind: 2 MSS, 3 window scale, 4 SACK permitted, 8 timestamps, … */
  kind: number;
  /** Its value bytes. */
  data: Uint8Array;
}

/** TCP (`tcp.*`). */
export interface TcpLayer {
  /** Source port (`tcp.srcport`). */
  srcPort: number;
  /** Destination port (`tcp.dstport`). */
  dstPort: number;
  /** Sequence number as sent (`tcp.seq_raw`). */
  seq: number;
  /** Acknowledgment number as sent (`tcp.ack_raw`). */
  ack: number;
  /** Header length in bytes (`tcp.hdr_len`). */
  headerLength: number;
  /** The 12 flag bits as a number (`tcp.flags`). */
  flagBits: number;
  /** The flags by name. */
  flags: TcpFlags;
  /** Window as sent, unscaled (`tcp.window_size_value`). */
  window: number;
  /** Checksum as sent. */
  checksum: number;
  /** Urgent pointer. */
  urgent: number;
  /** The options, in order (no NOPs, no end marker). */
  options: TcpOption[];
}

/** Something a frame's bytes did not allow, said once per layer. */
export interface FrameProblem {
  /** The layer: `frame`, `ethernet`, `ipv4`, `udp`, … */
  layer: string;
  /** What is wrong, in both languages. */
  text: Text;
}

/** A decoded frame: the file's record and every layer decoded. */
export interface Frame extends CapturedFrame {
  /** The time as milliseconds since the epoch (with fractions). */
  timeMs: number;
  /** What the frame is, for counting (see {@linkcode FRAME_KINDS}). */
  kind: FrameKind;
  /** Whether the capture kept fewer bytes than the frame had (snaplen). */
  cut: boolean;
  /** The link layer; absent only if even that was cut off. */
  link?: LinkLayer;
  /** ARP, if this is an ARP frame. */
  arp?: ArpLayer;
  /** IPv4 header. */
  ipv4?: Ipv4Layer;
  /** IPv6 header (not decoded further). */
  ipv6?: Ipv6Layer;
  /** IGMP message. */
  igmp?: IgmpLayer;
  /** ICMP message. */
  icmp?: IcmpLayer;
  /** UDP header. */
  udp?: UdpLayer;
  /** TCP header. */
  tcp?: TcpLayer;
  /**
   * The bytes above the last decoded layer that belong to it: UDP's or TCP's
   * data (application payload), empty when there is none; only what was
   * captured.
   */
  payload: Uint8Array;
  /** What could not be decoded, and why. Empty for a sound frame. */
  problems: FrameProblem[];
}
