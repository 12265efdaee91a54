/**
 * What the frames on the wire showed during a scenario, as the report
 * draws it ("on the wire" / "di kabel"): per host the frames its interface
 * saw by kind, one frame of each kind the scenario is about layer by layer,
 * and what the scenario teaches in frames (the IGMP joins and leaves, the
 * non-member whose kernel dropped the group's frames, the TCP handshakes
 * and a relayed line, each late receiver's first frame beside its socket's
 * first number). `lib/wire` builds it from the capture files; the report
 * renders it and needs nothing else.
 *
 * A frame's fields are keyed by tshark's field names (`eth.dst`, `ip.ttl`,
 * `udp.srcport`, …) with values as tshark prints them, so that the report
 * can name each field's display filter and a test can compare the report
 * with tshark field by field.
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";

/** The kinds frames are counted by, in the order a table lists them. */
export const WIRE_KINDS = [
  "arp",
  "igmp",
  "udp-broadcast",
  "udp-multicast",
  "udp-unicast",
  "tcp",
  "other",
] as const;

/** One of {@linkcode WIRE_KINDS}. */
export type WireKind = (typeof WIRE_KINDS)[number];

/** One layer of a frame as Wireshark's packet details show it. */
export interface WireLayer {
  /** The layer: `eth`, `sll`, `vlan`, `arp`, `ip`, `igmp`, `icmp`, `udp`, `tcp`. */
  layer: string;
  /** Its fields in order: tshark's field name and the value as tshark prints it. */
  fields: [string, string][];
}

/** One frame, layer by layer. */
export interface WireFrame {
  /** The host whose capture it is from. */
  host: string;
  /** The capture file's name (no directory). */
  file: string;
  /** Its number in that file (Wireshark's `frame.number`). */
  number: number;
  /** When it was captured, ms since the epoch. */
  timeMs: number;
  /** Ms since the scenario started. */
  atMs: number;
  /** Bytes on the wire (`frame.len`). */
  length: number;
  /** Its kind. */
  kind: WireKind;
  /** A one-line summary like Wireshark's Info column. */
  info: string;
  /** The layers, outermost first. */
  layers: WireLayer[];
  /** The payload of UDP or TCP, when there is one. */
  payload?: {
    /** Bytes of it. */
    length: number;
    /** As text (control characters escaped). */
    text: string;
    /** As hex dump lines. */
    hex: string[];
  };
  /** What the frame's bytes did not allow (cut by snaplen, a length that lies). */
  problems?: Text[];
}

/** A host's capture and what it saw during the scenario. */
export interface WireHost {
  /** The host. */
  host: string;
  /** The capture file(s), as given (paths). */
  files: string[];
  /** Frames its interface saw during the scenario, by kind. */
  counts: Record<WireKind, number>;
  /** Frames the kernel dropped for the capture (the whole capture's, when known). */
  dropped?: number;
  /** Its segment, on a lab with routers. */
  segment?: string;
  /** The router whose interface this is (`host` is then `router-1.eth0`). */
  router?: string;
}

/** A multicast member's IGMP messages. */
export interface WireMembership {
  /** The member host. */
  host: string;
  /** The group. */
  group: string;
  /** Its membership report when it joined. */
  join?: WireFrame;
  /** Its leave (IGMPv2 leave, or an IGMPv3 report changing to include nothing). */
  leave?: WireFrame;
}

/** A host outside the group that was sent the group's frames anyway. */
export interface WireNonMember {
  /** The host. */
  host: string;
  /** The group. */
  group: string;
  /** The group's frames its interface received. */
  frames: number;
  /** The first of them. */
  first?: WireFrame;
  /** Whether it ever reported membership of the group (it should not have). */
  reported: boolean;
  /** What its socket on the group's port received, if a role listened there. */
  socketReceived?: number;
  /** That role, e.g. `udp-server`. */
  role?: string;
}

/** One TCP segment, as a row. */
export interface WireSegment {
  /** The capture it is from and its number there. */
  host: string;
  /** Its frame number. */
  number: number;
  /** Ms since the scenario started. */
  atMs: number;
  /** The sending host's name (or address). */
  from: string;
  /** The receiving host's name (or address). */
  to: string;
  /** The flags, as `SYN`, `SYN, ACK`, `PSH, ACK`. */
  flags: string;
  /** Sequence number relative to the sender's first (as Wireshark shows it). */
  seq: number;
  /** Acknowledgment number relative to the other side's first. */
  ack: number;
  /** Payload bytes. */
  length: number;
  /** The payload as text, if any. */
  text?: string;
}

/** A TCP chat client's connection: the handshake and one line relayed. */
export interface WireConversation {
  /** The client host. */
  client: string;
  /** The server host. */
  server: string;
  /** SYN, SYN/ACK, ACK. */
  handshake: WireSegment[];
  /** A line the client typed: its segment to the server and the server's relays to the others. */
  line?: { text: string; segments: WireSegment[] };
}

/** A receiver of numbered datagrams: its first frame on the wire and its socket's first number. */
export interface WireFirst {
  /** The receiver. */
  host: string;
  /** The first number its socket got. */
  socketFirst?: number;
  /** The frame on its wire that carried that number. */
  frame?: WireFrame;
  /** Frames of the stream its interface saw before that one (no socket listened yet). */
  before: number;
  /** The first number its interface saw at all. */
  wireFirst?: number;
  /** Ms from the scenario's start to its role's start. */
  startedMs: number;
  /** Ms from the scenario's start to when its role said it listened. */
  listeningMs?: number;
}

/** Where one datagram was seen on a lab with routers: one capture's frame. */
export interface WireHopSighting {
  /** The capture (a host, or a router's interface such as `router-1.eth1`). */
  capture: string;
  /** That capture's file (its name, no directory). */
  file: string;
  /** Its frame number in that file. */
  number: number;
  /** The IPv4 TTL it had there (`ip.ttl`). */
  ttl: number;
}

/** One datagram followed across a lab's segments. */
export interface WireHopDatagram {
  /** Its sender (host name, else address). */
  from: string;
  /** Its destination (host name, group or address). */
  to: string;
  /** Its kind (UDP unicast, multicast, broadcast). */
  kind: WireKind;
  /** Its destination port. */
  port: number;
  /** Its payload, as text (shortened). */
  text: string;
  /** Ms since the scenario started, when first captured. */
  atMs: number;
  /** Per segment (in the order of {@linkcode WireHops.segments}): where it was seen, in time order. */
  seen: WireHopSighting[][];
}

/**
 * A lab with routers: each datagram the scenario's hosts sent, and the TTL
 * it had on each segment (every router takes one off, and drops what would
 * leave with TTL 0).
 */
export interface WireHops {
  /** The lab's segments in order, each with the captures on it. */
  segments: { name: string; captures: string[] }[];
  /** The first datagrams, in the order they were sent. */
  datagrams: WireHopDatagram[];
  /** Datagrams left out of the table (beyond the first ones). */
  more: number;
  /** There were more still, not even counted (a flood). */
  capped?: boolean;
}

/** The frames of one scenario. */
export interface ScenarioWire {
  /** The scenario's part of the captures: frames captured from, until (ms since the epoch). */
  window: { fromMs: number; toMs: number };
  /** Per host captured. */
  hosts: WireHost[];
  /** One frame of each kind the scenario is about. */
  examples: WireFrame[];
  /** Multicast: each member's join and leave. */
  memberships?: WireMembership[];
  /** Multicast: hosts that got the group's frames without being members. */
  nonMembers?: WireNonMember[];
  /** TCP chat: each client's connection. */
  conversations?: WireConversation[];
  /** Numbered datagrams: each receiver's first frame and first number. */
  firsts?: WireFirst[];
  /** A lab with routers: each datagram's TTL on each segment. */
  hops?: WireHops;
  /** What could not be shown, and why (a host not captured, a file damaged). */
  notes: Text[];
}
