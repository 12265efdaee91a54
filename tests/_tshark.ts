/**
 * tshark as the reference for the wire reader: its display-filter counts per
 * kind and its fields per frame (`-T fields -e …`), and the same fields
 * written from our decoded frames, so that tests compare the two line by
 * line.
 *
 * @module
 */

import assert from "node:assert/strict";
import { commandSucceeds } from "./_harness.ts";
import {
  type Frame,
  FRAME_KINDS,
  type FrameKind,
  hexString,
  readCapture,
  TSHARK_FILTERS,
} from "../lib/wire/mod.ts";

/** Whether tshark (Debian `tshark`) is installed. */
export const HAVE_TSHARK: boolean = await commandSucceeds("tshark", ["-v"]);

/** The fields compared, as tshark names them. */
export const FIELDS = [
  "frame.time_epoch",
  "frame.len",
  "frame.cap_len",
  "eth.dst",
  "eth.src",
  "eth.type",
  "vlan.id",
  "sll.pkttype",
  "sll.src.eth",
  "arp.opcode",
  "arp.src.hw_mac",
  "arp.src.proto_ipv4",
  "arp.dst.hw_mac",
  "arp.dst.proto_ipv4",
  "ip.src",
  "ip.dst",
  "ip.ttl",
  "ip.proto",
  "ip.len",
  "ip.id",
  "ip.hdr_len",
  "ip.flags.df",
  "ip.flags.mf",
  "ip.frag_offset",
  "igmp.version",
  "igmp.type",
  "igmp.maddr",
  "igmp.record_type",
  "icmp.type",
  "icmp.code",
  "udp.srcport",
  "udp.dstport",
  "udp.length",
  "udp.payload",
  "tcp.srcport",
  "tcp.dstport",
  "tcp.flags",
  "tcp.seq_raw",
  "tcp.ack_raw",
  "tcp.hdr_len",
  "tcp.payload",
] as const;

const decoder = new TextDecoder();

async function tshark(args: string[]): Promise<string> {
  const output = await new Deno.Command("tshark", {
    args: ["-n", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(
      `tshark ${args.join(" ")}: ${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout);
}

/** How many frames of each kind tshark's display filters select. */
export async function tsharkCounts(
  path: string,
): Promise<Record<FrameKind, number>> {
  const counts = {} as Record<FrameKind, number>;
  await Promise.all(FRAME_KINDS.map(async (kind) => {
    const out = await tshark([
      "-r",
      path,
      "-Y",
      TSHARK_FILTERS[kind],
      "-T",
      "fields",
      "-e",
      "frame.number",
    ]);
    counts[kind] = out.split("\n").filter((line) => line !== "").length;
  }));
  return counts;
}

/** Our counts per kind for a file. */
export async function ourCounts(
  path: string,
): Promise<Record<FrameKind, number>> {
  const counts = Object.fromEntries(FRAME_KINDS.map((k) => [k, 0])) as Record<
    FrameKind,
    number
  >;
  for await (const frame of readCapture(path)) counts[frame.kind]++;
  return counts;
}

/** tshark's {@linkcode FIELDS} for every frame (or those `filter` selects), one array a frame. */
export async function tsharkFields(
  path: string,
  filter?: string,
): Promise<string[][]> {
  const out = await tshark([
    "-r",
    path,
    // Each fragment as it is (we do not reassemble): the first shows its UDP header.
    "-o",
    "ip.defragment:FALSE",
    ...(filter ? ["-Y", filter] : []),
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=a",
    "-E",
    "aggregator=,",
    ...FIELDS.flatMap((f) => ["-e", f]),
  ]);
  return out.split("\n").filter((line) => line !== "").map((line) =>
    normalise(line.split("\t"))
  );
}

const at = (name: (typeof FIELDS)[number]) => FIELDS.indexOf(name);

/**
 * An ICMP error repeats the header it quotes, and tshark lists both: the
 * outer IP fields are kept, the quoted ports too (we keep those), the rest
 * of the quoted datagram is left out of the comparison.
 */
function normalise(row: string[]): string[] {
  if (row[at("icmp.type")] === "") return row;
  return row.map((value, i) => {
    const name = FIELDS[i];
    if (name.startsWith("ip.")) return value.split(",")[0];
    if (
      ["udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport"].includes(
        name,
      )
    ) return value;
    if (name.startsWith("udp.") || name.startsWith("tcp.")) return "";
    return value;
  });
}

const hex16 = (n: number) => `0x${n.toString(16).padStart(4, "0")}`;
const hex8 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;
const bool = (b: boolean) => (b ? "1" : "0");

/** The {@linkcode FIELDS} of one of our frames, as tshark writes them. */
export function ourFields(frame: Frame): string[] {
  const f: Partial<Record<(typeof FIELDS)[number], string>> = {};
  const seconds = frame.timeNs / 1_000_000_000n;
  const nanos = frame.timeNs % 1_000_000_000n;
  f["frame.time_epoch"] = `${seconds}.${nanos.toString().padStart(9, "0")}`;
  f["frame.len"] = String(frame.originalLength);
  f["frame.cap_len"] = String(frame.capturedLength);
  const link = frame.link;
  if (link?.type === "ethernet") {
    f["eth.dst"] = link.dst;
    f["eth.src"] = link.src;
    // tshark's eth.type is the type after the MACs: a tag's TPID if tagged.
    const first = link.vlans.length > 0 ? link.vlans[0].tpid : link.etherType;
    if (first !== undefined) f["eth.type"] = hex16(first);
  }
  if (link?.type !== "raw" && link?.vlans.length) {
    f["vlan.id"] = link.vlans.map((v) => v.id).join(",");
  }
  if (link?.type === "sll") {
    f["sll.pkttype"] = String(link.packetType);
    f["sll.src.eth"] = link.src;
  }
  const arp = frame.arp;
  if (arp) {
    f["arp.opcode"] = String(arp.opcode);
    f["arp.src.hw_mac"] = arp.senderMac;
    f["arp.src.proto_ipv4"] = arp.senderIp;
    f["arp.dst.hw_mac"] = arp.targetMac;
    f["arp.dst.proto_ipv4"] = arp.targetIp;
  }
  const ip = frame.ipv4;
  if (ip) {
    f["ip.src"] = ip.src;
    f["ip.dst"] = ip.dst;
    f["ip.ttl"] = String(ip.ttl);
    f["ip.proto"] = String(ip.protocol);
    f["ip.len"] = String(ip.totalLength);
    f["ip.id"] = hex16(ip.identification);
    f["ip.hdr_len"] = String(ip.headerLength);
    f["ip.flags.df"] = bool(ip.dontFragment);
    f["ip.flags.mf"] = bool(ip.moreFragments);
    // tshark 4.0's field counts 8-byte units (its pane shows bytes).
    f["ip.frag_offset"] = String(ip.fragmentOffset / 8);
  }
  const igmp = frame.igmp;
  if (igmp) {
    f["igmp.version"] = String(igmp.version);
    f["igmp.type"] = hex8(igmp.igmpType);
    const groups = igmp.records.length > 0
      ? igmp.records.map((r) => r.group)
      : igmp.group
      ? [igmp.group]
      : [];
    if (groups.length > 0) f["igmp.maddr"] = groups.join(",");
    if (igmp.records.length > 0) {
      f["igmp.record_type"] = igmp.records.map((r) => r.recordType).join(",");
    }
  }
  const icmp = frame.icmp;
  if (icmp) {
    f["icmp.type"] = String(icmp.icmpType);
    f["icmp.code"] = String(icmp.code);
    const q = icmp.quoted;
    if (q?.srcPort !== undefined) {
      const proto = q.ipv4.protocol === 6 ? "tcp" : "udp";
      f[`${proto}.srcport`] = String(q.srcPort);
      f[`${proto}.dstport`] = String(q.dstPort);
    }
  }
  const udp = frame.udp;
  if (udp) {
    f["udp.srcport"] = String(udp.srcPort);
    f["udp.dstport"] = String(udp.dstPort);
    f["udp.length"] = String(udp.length);
    if (frame.payload.length > 0) f["udp.payload"] = hexString(frame.payload);
  }
  const tcp = frame.tcp;
  if (tcp) {
    f["tcp.srcport"] = String(tcp.srcPort);
    f["tcp.dstport"] = String(tcp.dstPort);
    f["tcp.flags"] = hex16(tcp.flagBits);
    f["tcp.seq_raw"] = String(tcp.seq);
    f["tcp.ack_raw"] = String(tcp.ack);
    f["tcp.hdr_len"] = String(tcp.headerLength);
    if (frame.payload.length > 0) f["tcp.payload"] = hexString(frame.payload);
  }
  return FIELDS.map((name) => f[name] ?? "");
}

/** Our fields for every frame of a file. */
export async function ourFieldRows(path: string): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const frame of readCapture(path)) rows.push(ourFields(frame));
  return rows;
}

/** Asserts that our rows equal tshark's, naming the first frame and field that differ. */
export function assertSameFields(
  ours: string[][],
  theirs: string[][],
  label: string,
): void {
  assert.equal(ours.length, theirs.length, `${label}: frame count`);
  for (let i = 0; i < ours.length; i++) {
    for (let j = 0; j < FIELDS.length; j++) {
      if (ours[i][j] !== theirs[i][j]) {
        assert.fail(
          `${label}: frame ${i + 1}, ${FIELDS[j]}: ours ${
            JSON.stringify(ours[i][j])
          }, tshark ${JSON.stringify(theirs[i][j])}`,
        );
      }
    }
  }
}
