/**
 * Test helper: a small practicum's traffic as a pcap file, written byte by
 * byte, on any subnet: ARP, an IGMPv3 join, the broadcast lab's numbered
 * datagrams, a multicast line, a unicast request and its reply, a TCP
 * handshake's first segment.
 *
 * @module
 */

import {
  arp,
  concat,
  ethernet,
  igmpV3Report,
  ipv4,
  pcapFile,
  type PcapRecord,
  ROUTER_ALERT,
  tcp,
  udp,
  utf8,
} from "./_capture_bytes.ts";

/** A host of the traffic. */
export interface TrafficHost {
  address: string;
  mac: string;
}

/** What {@linkcode practicumTraffic} writes, and how much of each. */
export interface Traffic {
  /** The pcap file. */
  bytes: Uint8Array;
  /** Frames written, by kind. */
  kinds: Record<string, number>;
  /** Frames in all. */
  frames: number;
}

const BROADCAST_MAC = "ff:ff:ff:ff:ff:ff";

/** The multicast MAC of an IPv4 group. */
function groupMac(group: string): string {
  const [, b, c, d] = group.split(".").map(Number);
  return `01:00:5e:${
    [b & 0x7f, c, d].map((n) => n.toString(16).padStart(2, "0")).join(":")
  }`;
}

/**
 * Traffic between `hosts` (the first sends) on a subnet whose broadcast
 * address is `broadcast`, one frame each millisecond from `startSeconds`.
 */
export function practicumTraffic(
  hosts: TrafficHost[],
  options: { broadcast: string; datagrams?: number; startSeconds?: number },
): Traffic {
  const [a, b] = hosts;
  const frames: Uint8Array[] = [];
  const kinds: Record<string, number> = {};
  const add = (kind: string, frame: Uint8Array) => {
    frames.push(frame);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  };
  add(
    "arp",
    ethernet(
      BROADCAST_MAC,
      a.mac,
      0x0806,
      arp(1, a.mac, a.address, "00:00:00:00:00:00", b.address),
    ),
  );
  add(
    "arp",
    ethernet(a.mac, b.mac, 0x0806, arp(2, b.mac, b.address, a.mac, a.address)),
  );
  add(
    "igmp",
    ethernet(
      groupMac("224.0.0.22"),
      b.mac,
      0x0800,
      ipv4({
        src: b.address,
        dst: "224.0.0.22",
        protocol: 2,
        ttl: 1,
        options: ROUTER_ALERT,
        payload: igmpV3Report([{ type: 4, group: "224.1.1.1" }]),
      }),
    ),
  );
  for (let n = 1; n <= (options.datagrams ?? 20); n++) {
    add(
      "udp-broadcast",
      ethernet(
        BROADCAST_MAC,
        a.mac,
        0x0800,
        ipv4({
          src: a.address,
          dst: options.broadcast,
          protocol: 17,
          payload: udp(40000, 5005, utf8(` BROADCAST ini angka ${n} `)),
        }),
      ),
    );
  }
  add(
    "udp-multicast",
    ethernet(
      groupMac("224.1.1.1"),
      a.mac,
      0x0800,
      ipv4({
        src: a.address,
        dst: "224.1.1.1",
        protocol: 17,
        ttl: 2,
        payload: udp(40001, 5004, utf8("Halo semua")),
      }),
    ),
  );
  add(
    "udp-unicast",
    ethernet(
      b.mac,
      a.mac,
      0x0800,
      ipv4({
        src: a.address,
        dst: b.address,
        protocol: 17,
        payload: udp(40002, 10000, utf8("Hello World")),
      }),
    ),
  );
  add(
    "udp-unicast",
    ethernet(
      a.mac,
      b.mac,
      0x0800,
      ipv4({
        src: b.address,
        dst: a.address,
        protocol: 17,
        payload: udp(10000, 40002, utf8("Get off my lawn!")),
      }),
    ),
  );
  add(
    "tcp",
    ethernet(
      b.mac,
      a.mac,
      0x0800,
      ipv4({
        src: a.address,
        dst: b.address,
        protocol: 6,
        payload: tcp({
          srcPort: 41000,
          dstPort: 8080,
          seq: 1000,
          ack: 0,
          flags: 0x02,
        }),
      }),
    ),
  );
  const start = options.startSeconds ?? 1_700_000_000;
  const records: PcapRecord[] = frames.map((data, i) => ({
    seconds: start + Math.floor(i / 1000),
    fraction: (i % 1000) * 1000,
    data,
  }));
  return { bytes: pcapFile({ records }), kinds, frames: frames.length };
}

/** `bytes` cut after `keep` bytes (a capture killed mid-write). */
export function truncated(bytes: Uint8Array, keep: number): Uint8Array {
  return concat(bytes.subarray(0, keep));
}
