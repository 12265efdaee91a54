/**
 * IPv4 and what rides on it (ICMP, IGMP v1/v2/v3, UDP, TCP), and the IPv6
 * header. Each decoder fills its layer into the frame and says in
 * `problems` what the bytes did not allow; none throws.
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import { ipv4Text, ipv6Text } from "./format.ts";
import type {
  Frame,
  IgmpGroupRecord,
  IgmpLayer,
  Ipv4Layer,
  Ipv4Option,
  TcpOption,
} from "./frame.ts";

/** A frame being decoded: the layers so far and the bytes. */
export interface Decoding {
  /** The frame, filled in layer by layer. */
  frame: Frame;
  /** The frame's bytes (without any FCS). */
  bytes: Uint8Array;
  /** A view of the same bytes. */
  view: DataView;
  /** Where the IP datagram ends by its header (may be past the bytes captured). */
  claimedEnd?: number;
}

/** Adds a problem to the frame. */
export function problem(d: Decoding, layer: string, text: Text): void {
  d.frame.problems.push({ layer, text });
}

/** Says that a layer's header was cut short: by snaplen, or by a lie. */
export function cutShort(
  d: Decoding,
  layer: string,
  need: number,
  have: number,
): void {
  const by = d.frame.cut
    ? { en: " (the capture's snaplen)", id: " (snaplen tangkapan)" }
    : { en: "", id: "" };
  problem(d, layer, {
    en: `${layer} header needs ${need} bytes, ${have} captured${by.en}`,
    id: `header ${layer} perlu ${need} byte, tertangkap ${have}${by.id}`,
  });
}

/** The ones' complement sum of `bytes[start, end)`, folded. */
function checksumOf(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i + 1 < end; i += 2) {
    sum += (bytes[i] << 8) | bytes[i + 1];
  }
  if ((end - start) % 2 === 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The fields of the IPv4 header at `at` (whose 20 bytes are there). */
export function ipv4Header(
  bytes: Uint8Array,
  view: DataView,
  at: number,
): Ipv4Layer {
  const headerLength = (bytes[at] & 0x0f) * 4;
  const flagsOffset = view.getUint16(at + 6);
  const end = Math.min(at + headerLength, bytes.length);
  const options: Ipv4Option[] = [];
  for (let i = at + 20; i < end;) {
    const type = bytes[i];
    if (type === 0) break;
    if (type === 1) {
      i++;
      continue;
    }
    const length = bytes[i + 1];
    if (length === undefined || length < 2 || i + length > end) break;
    options.push({ type, data: bytes.slice(i + 2, i + length) });
    i += length;
  }
  return {
    headerLength,
    dscp: bytes[at + 1] >> 2,
    ecn: bytes[at + 1] & 3,
    totalLength: view.getUint16(at + 2),
    identification: view.getUint16(at + 4),
    dontFragment: (flagsOffset & 0x4000) !== 0,
    moreFragments: (flagsOffset & 0x2000) !== 0,
    fragmentOffset: (flagsOffset & 0x1fff) * 8,
    ttl: bytes[at + 8],
    protocol: bytes[at + 9],
    checksum: view.getUint16(at + 10),
    checksumOk: headerLength >= 20 && at + headerLength <= bytes.length &&
      checksumOf(bytes, at, at + headerLength) === 0xffff,
    src: ipv4Text(bytes, at + 12),
    dst: ipv4Text(bytes, at + 16),
    options,
    fragment: (flagsOffset & 0x3fff) !== 0,
  };
}

/** Decodes IPv4 at `at` and the layer above it. */
export function decodeIpv4(d: Decoding, at: number): void {
  const { bytes, frame } = d;
  const have = bytes.length - at;
  if (have < 20) return cutShort(d, "IPv4", 20, have);
  const version = bytes[at] >> 4;
  if (version !== 4) {
    return problem(d, "IPv4", {
      en: `version ${version} in an IPv4 frame`,
      id: `versi ${version} di frame IPv4`,
    });
  }
  const ip = ipv4Header(bytes, d.view, at);
  frame.ipv4 = ip;
  if (ip.headerLength < 20) {
    return problem(d, "IPv4", {
      en: `header length ${ip.headerLength} is less than 20`,
      id: `panjang header ${ip.headerLength} kurang dari 20`,
    });
  }
  if (have < ip.headerLength) return cutShort(d, "IPv4", ip.headerLength, have);
  if (ip.totalLength < ip.headerLength) {
    return problem(d, "IPv4", {
      en:
        `total length ${ip.totalLength} is less than its header (${ip.headerLength})`,
      id:
        `panjang total ${ip.totalLength} kurang dari header-nya (${ip.headerLength})`,
    });
  }
  // The Ethernet padding of short frames is not the datagram's.
  let end = at + ip.totalLength;
  if (end > bytes.length) {
    if (!frame.cut) {
      problem(d, "IPv4", {
        en: `total length says ${ip.totalLength} bytes, the frame has ${have}`,
        id:
          `panjang total menyebut ${ip.totalLength} byte, frame hanya ${have}`,
      });
    }
    end = bytes.length;
  }
  const start = at + ip.headerLength;
  if (ip.fragmentOffset > 0) {
    // Not the first fragment: what follows is the middle of a datagram.
    frame.payload = bytes.slice(start, end);
    return;
  }
  const inner: Decoding = {
    ...d,
    bytes: bytes.subarray(0, end),
    claimedEnd: at + ip.totalLength,
  };
  if (ip.protocol === 1) decodeIcmp(inner, start);
  else if (ip.protocol === 2) decodeIgmp(inner, start);
  else if (ip.protocol === 6) decodeTcp(inner, start);
  else if (ip.protocol === 17) decodeUdp(inner, start);
  else frame.payload = bytes.slice(start, end);
}

/** Decodes the IPv6 header at `at` (nothing above it). */
export function decodeIpv6(d: Decoding, at: number): void {
  const { bytes } = d;
  const have = bytes.length - at;
  if (have < 40) return cutShort(d, "IPv6", 40, have);
  d.frame.ipv6 = {
    payloadLength: d.view.getUint16(at + 4),
    nextHeader: bytes[at + 6],
    hopLimit: bytes[at + 7],
    src: ipv6Text(bytes.subarray(at + 8, at + 24)),
    dst: ipv6Text(bytes.subarray(at + 24, at + 40)),
  };
}

function decodeIcmp(d: Decoding, at: number): void {
  const { bytes } = d;
  const have = bytes.length - at;
  if (have < 4) return cutShort(d, "ICMP", 4, have);
  const icmpType = bytes[at];
  d.frame.icmp = { icmpType, code: bytes[at + 1] };
  const error = [3, 4, 5, 11, 12].includes(icmpType);
  const quoted = at + 8;
  if (!error || bytes.length - quoted < 20 || bytes[quoted] >> 4 !== 4) return;
  const ipv4 = ipv4Header(bytes, d.view, quoted);
  const ports = quoted + ipv4.headerLength;
  d.frame.icmp.quoted = { ipv4 };
  if (
    (ipv4.protocol === 6 || ipv4.protocol === 17) && bytes.length >= ports + 4
  ) {
    d.frame.icmp.quoted.srcPort = d.view.getUint16(ports);
    d.frame.icmp.quoted.dstPort = d.view.getUint16(ports + 2);
  }
}

function decodeIgmp(d: Decoding, at: number): void {
  const { bytes, view } = d;
  const have = bytes.length - at;
  if (have < 8) return cutShort(d, "IGMP", 8, have);
  const igmpType = bytes[at];
  const layer: IgmpLayer = {
    version: 2,
    igmpType,
    message: "unknown",
    maxResponse: bytes[at + 1],
    records: [],
    sources: [],
    checksumOk: checksumOf(bytes, at, bytes.length) === 0xffff,
  };
  d.frame.igmp = layer;
  const group = ipv4Text(bytes, at + 4);
  if (igmpType === 0x11) {
    layer.message = "query";
    layer.group = group;
    if (have >= 12) {
      layer.version = 3;
      const count = view.getUint16(at + 10);
      for (let i = 0; i < count; i++) {
        if (at + 12 + 4 * i + 4 > bytes.length) {
          return cutShort(d, "IGMP", 12 + 4 * count, have);
        }
        layer.sources.push(ipv4Text(bytes, at + 12 + 4 * i));
      }
    } else {
      layer.version = layer.maxResponse === 0 ? 1 : 2;
    }
  } else if (igmpType === 0x12 || igmpType === 0x16) {
    layer.version = igmpType === 0x12 ? 1 : 2;
    layer.message = "report";
    layer.group = group;
  } else if (igmpType === 0x17) {
    layer.message = "leave";
    layer.group = group;
  } else if (igmpType === 0x22) {
    layer.version = 3;
    layer.message = "report";
    const count = view.getUint16(at + 6);
    let i = at + 8;
    for (let n = 0; n < count; n++) {
      if (i + 8 > bytes.length) return cutShort(d, "IGMP", i + 8 - at, have);
      const sources = view.getUint16(i + 2);
      const size = 8 + 4 * sources + 4 * bytes[i + 1];
      if (i + size > bytes.length) {
        return cutShort(d, "IGMP", i + size - at, have);
      }
      const record: IgmpGroupRecord = {
        recordType: bytes[i],
        group: ipv4Text(bytes, i + 4),
        sources: [],
      };
      for (let s = 0; s < sources; s++) {
        record.sources.push(ipv4Text(bytes, i + 8 + 4 * s));
      }
      layer.records.push(record);
      i += size;
    }
    // A v3 report that only says "include nothing" for its groups is a leave.
    if (
      layer.records.length > 0 &&
      layer.records.every((r) => r.recordType === 3 && r.sources.length === 0)
    ) {
      layer.message = "leave";
    }
  }
}

function decodeUdp(d: Decoding, at: number): void {
  const { bytes, view, frame } = d;
  const have = bytes.length - at;
  if (have < 8) return cutShort(d, "UDP", 8, have);
  const length = view.getUint16(at + 4);
  frame.udp = {
    srcPort: view.getUint16(at),
    dstPort: view.getUint16(at + 2),
    length,
    checksum: view.getUint16(at + 6),
  };
  let end = at + length;
  if (length < 8) {
    problem(d, "UDP", {
      en: `length ${length} is less than its header (8)`,
      id: `panjang ${length} kurang dari header-nya (8)`,
    });
    end = bytes.length;
  } else if (
    end > (d.claimedEnd ?? bytes.length) && !frame.ipv4?.moreFragments
  ) {
    // (A first fragment's UDP length is the whole datagram's: no lie.)
    const room = (d.claimedEnd ?? bytes.length) - at;
    problem(d, "UDP", {
      en: `length says ${length} bytes, the IP datagram has room for ${room}`,
      id: `panjang menyebut ${length} byte, datagram IP hanya memuat ${room}`,
    });
    end = bytes.length;
  } else if (end > bytes.length) {
    end = bytes.length;
  }
  frame.payload = bytes.slice(at + 8, end);
}

function decodeTcp(d: Decoding, at: number): void {
  const { bytes, view, frame } = d;
  const have = bytes.length - at;
  if (have < 20) return cutShort(d, "TCP", 20, have);
  const headerLength = (bytes[at + 12] >> 4) * 4;
  const flagBits = ((bytes[at + 12] & 0x0f) << 8) | bytes[at + 13];
  const options: TcpOption[] = [];
  const end = Math.min(at + headerLength, bytes.length);
  for (let i = at + 20; i < end;) {
    const kind = bytes[i];
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const length = bytes[i + 1];
    if (length === undefined || length < 2 || i + length > end) break;
    options.push({ kind, data: bytes.slice(i + 2, i + length) });
    i += length;
  }
  frame.tcp = {
    srcPort: view.getUint16(at),
    dstPort: view.getUint16(at + 2),
    seq: view.getUint32(at + 4),
    ack: view.getUint32(at + 8),
    headerLength,
    flagBits,
    flags: {
      fin: (flagBits & 0x01) !== 0,
      syn: (flagBits & 0x02) !== 0,
      rst: (flagBits & 0x04) !== 0,
      psh: (flagBits & 0x08) !== 0,
      ack: (flagBits & 0x10) !== 0,
      urg: (flagBits & 0x20) !== 0,
      ece: (flagBits & 0x40) !== 0,
      cwr: (flagBits & 0x80) !== 0,
    },
    window: view.getUint16(at + 14),
    checksum: view.getUint16(at + 16),
    urgent: view.getUint16(at + 18),
    options,
  };
  if (headerLength < 20) {
    return problem(d, "TCP", {
      en: `header length ${headerLength} is less than 20`,
      id: `panjang header ${headerLength} kurang dari 20`,
    });
  }
  if (have < headerLength) return cutShort(d, "TCP", headerLength, have);
  frame.payload = bytes.slice(at + headerLength);
}
