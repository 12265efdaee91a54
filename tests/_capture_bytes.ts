/**
 * Capture files and frames written byte by byte, for the reader's tests:
 * pcap in either byte order and resolution, pcapng blocks (SHB, IDB, EPB,
 * SPB, OPB, NRB, ISB, any other), and the frames inside them (Ethernet,
 * 802.1Q, Linux cooked, ARP, IPv4 with options, IGMP, UDP, TCP), with the
 * IPv4 and IGMP checksums right.
 *
 * @module
 */

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Big-endian (network order) 16-bit. */
export function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

/** Big-endian 32-bit. */
export function u32(n: number): Uint8Array {
  return new Uint8Array([
    (n >>> 24) & 0xff,
    (n >> 16) & 0xff,
    (n >> 8) & 0xff,
    n & 0xff,
  ]);
}

/** Bytes of a MAC `aa:bb:…` or an IPv4 `a.b.c.d`. */
export function addr(text: string): Uint8Array {
  return text.includes(":")
    ? new Uint8Array(text.split(":").map((h) => parseInt(h, 16)))
    : new Uint8Array(text.split(".").map(Number));
}

const enc = new TextEncoder();

/** UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return enc.encode(text);
}

function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += (bytes[i] << 8) | (bytes[i + 1] ?? 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** An Ethernet II frame, with 802.1Q tags if `vlans` (ids) are given. */
export function ethernet(
  dst: string,
  src: string,
  type: number,
  payload: Uint8Array,
  vlans: number[] = [],
): Uint8Array {
  const tags = vlans.map((id, i) =>
    concat(
      u16(i === 0 && vlans.length > 1 ? 0x88a8 : 0x8100),
      u16((3 << 13) | id),
    )
  );
  // With tags, each tag's TPID sits where the type was; the type comes last.
  if (tags.length === 0) {
    return concat(addr(dst), addr(src), u16(type), payload);
  }
  const parts: Uint8Array[] = [addr(dst), addr(src)];
  for (const tag of tags) parts.push(tag);
  parts.push(u16(type), payload);
  return concat(...parts);
}

/** Fields of {@linkcode ipv4}. */
export interface Ipv4Fields {
  src: string;
  dst: string;
  protocol: number;
  payload: Uint8Array;
  ttl?: number;
  id?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  /** Option bytes (padded to 4 here). */
  options?: Uint8Array;
  /** The total length to write instead of the true one (a lie). */
  totalLength?: number;
}

/** An IPv4 datagram with a correct header checksum. */
export function ipv4(f: Ipv4Fields): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const padded = concat(
    options,
    new Uint8Array((4 - (options.length % 4)) % 4),
  );
  const headerLength = 20 + padded.length;
  const flags = (f.dontFragment ? 0x4000 : 0) | (f.moreFragments ? 0x2000 : 0) |
    ((f.fragmentOffset ?? 0) / 8);
  const header = concat(
    new Uint8Array([0x40 | (headerLength / 4), 0]),
    u16(f.totalLength ?? headerLength + f.payload.length),
    u16(f.id ?? 0x1234),
    u16(flags),
    new Uint8Array([f.ttl ?? 64, f.protocol]),
    u16(0),
    addr(f.src),
    addr(f.dst),
    padded,
  );
  header.set(u16(checksum(header)), 10);
  return concat(header, f.payload);
}

/** The Router Alert option IGMP carries. */
export const ROUTER_ALERT = new Uint8Array([148, 4, 0, 0]);

/** A UDP datagram (checksum 0: none); `length` overrides the true length. */
export function udp(
  srcPort: number,
  dstPort: number,
  payload: Uint8Array,
  length?: number,
): Uint8Array {
  return concat(
    u16(srcPort),
    u16(dstPort),
    u16(length ?? 8 + payload.length),
    u16(0),
    payload,
  );
}

/** Fields of {@linkcode tcp}. */
export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** The flag bits: 0x02 SYN, 0x10 ACK, 0x18 PSH+ACK, … */
  flags: number;
  window?: number;
  /** Option bytes (padded to 4 here). */
  options?: Uint8Array;
  payload?: Uint8Array;
}

/** A TCP segment (checksum 0). */
export function tcp(f: TcpFields): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const padded = concat(
    options,
    new Uint8Array((4 - (options.length % 4)) % 4),
  );
  const headerLength = 20 + padded.length;
  return concat(
    u16(f.srcPort),
    u16(f.dstPort),
    u32(f.seq),
    u32(f.ack),
    new Uint8Array([
      ((headerLength / 4) << 4) | ((f.flags >> 8) & 0x0f),
      f.flags & 0xff,
    ]),
    u16(f.window ?? 64240),
    u16(0),
    u16(0),
    padded,
    f.payload ?? new Uint8Array(0),
  );
}

/** An 8-byte IGMP message (v1/v2 report, leave, v1/v2 query) with its checksum. */
export function igmp(type: number, group: string, maxResponse = 0): Uint8Array {
  const message = concat(
    new Uint8Array([type, maxResponse]),
    u16(0),
    addr(group),
  );
  message.set(u16(checksum(message)), 2);
  return message;
}

/** An IGMPv3 group record. */
export interface GroupRecord {
  type: number;
  group: string;
  sources?: string[];
}

/** An IGMPv3 membership report (type 0x22) with its checksum. */
export function igmpV3Report(records: GroupRecord[]): Uint8Array {
  const body = records.map((r) =>
    concat(
      new Uint8Array([r.type, 0]),
      u16(r.sources?.length ?? 0),
      addr(r.group),
      ...(r.sources ?? []).map(addr),
    )
  );
  const message = concat(
    new Uint8Array([0x22, 0]),
    u16(0),
    u16(0),
    u16(records.length),
    ...body,
  );
  message.set(u16(checksum(message)), 2);
  return message;
}

/** An IGMPv3 query (type 0x11, 12 bytes and sources). */
export function igmpV3Query(group: string, sources: string[] = []): Uint8Array {
  const message = concat(
    new Uint8Array([0x11, 100]),
    u16(0),
    addr(group),
    new Uint8Array([2, 125]),
    u16(sources.length),
    ...sources.map(addr),
  );
  message.set(u16(checksum(message)), 2);
  return message;
}

/** An ARP request (1) or reply (2) over Ethernet/IPv4. */
export function arp(
  opcode: number,
  senderMac: string,
  senderIp: string,
  targetMac: string,
  targetIp: string,
): Uint8Array {
  return concat(
    u16(1),
    u16(0x0800),
    new Uint8Array([6, 4]),
    u16(opcode),
    addr(senderMac),
    addr(senderIp),
    addr(targetMac),
    addr(targetIp),
  );
}

/** A Linux cooked v1 header before `payload`. */
export function sll(
  packetType: number,
  src: string,
  type: number,
  payload: Uint8Array,
): Uint8Array {
  return concat(
    u16(packetType),
    u16(1),
    u16(6),
    addr(src),
    u16(0),
    u16(type),
    payload,
  );
}

/** A Linux cooked v2 header before `payload`. */
export function sll2(
  packetType: number,
  src: string,
  type: number,
  ifindex: number,
  payload: Uint8Array,
): Uint8Array {
  return concat(
    u16(type),
    u16(0),
    u32(ifindex),
    u16(1),
    new Uint8Array([packetType, 6]),
    addr(src),
    u16(0),
    payload,
  );
}

// --- files -----------------------------------------------------------------

/** Writes integers in one byte order. */
export class Bytes {
  #parts: number[] = [];
  constructor(readonly littleEndian: boolean) {}
  u8(n: number): this {
    this.#parts.push(n & 0xff);
    return this;
  }
  u16(n: number): this {
    const b = [n & 0xff, (n >> 8) & 0xff];
    this.#parts.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u32(n: number): this {
    const b = [
      n & 0xff,
      (n >>> 8) & 0xff,
      (n >>> 16) & 0xff,
      (n >>> 24) & 0xff,
    ];
    this.#parts.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u64(n: bigint): this {
    const high = Number(n >> 32n), low = Number(n & 0xffffffffn);
    return this.littleEndian
      ? this.u32(low).u32(high)
      : this.u32(high).u32(low);
  }
  bytes(data: Uint8Array): this {
    for (const b of data) this.#parts.push(b);
    return this;
  }
  pad(): this {
    while (this.#parts.length % 4 !== 0) this.#parts.push(0);
    return this;
  }
  get length(): number {
    return this.#parts.length;
  }
  done(): Uint8Array {
    return new Uint8Array(this.#parts);
  }
}

/** One record of a pcap file. */
export interface PcapRecord {
  seconds: number;
  /** Micro- or nanoseconds, as the file's resolution. */
  fraction: number;
  data: Uint8Array;
  /** The frame's length on the wire; default the data's. */
  originalLength?: number;
  /** The captured length to write instead of the data's (a lie). */
  capturedLength?: number;
}

/** A pcap file. */
export function pcapFile(options: {
  littleEndian?: boolean;
  nano?: boolean;
  linkType?: number;
  snaplen?: number;
  version?: [number, number];
  records: PcapRecord[];
}): Uint8Array {
  const b = new Bytes(options.littleEndian ?? true);
  b.u32(options.nano ? 0xa1b23c4d : 0xa1b2c3d4)
    .u16(options.version?.[0] ?? 2).u16(options.version?.[1] ?? 4)
    .u32(0).u32(0).u32(options.snaplen ?? 262144).u32(options.linkType ?? 1);
  for (const r of options.records) {
    b.u32(r.seconds).u32(r.fraction).u32(r.capturedLength ?? r.data.length)
      .u32(r.originalLength ?? r.data.length).bytes(r.data);
  }
  return b.done();
}

/** A pcapng option. */
export interface Option {
  code: number;
  value: Uint8Array;
}

function block(
  le: boolean,
  type: number,
  body: (b: Bytes) => void,
  options: Option[] = [],
): Uint8Array {
  const inner = new Bytes(le);
  body(inner);
  inner.pad();
  if (options.length > 0) {
    for (const o of options) {
      inner.u16(o.code).u16(o.value.length).bytes(o.value).pad();
    }
    inner.u16(0).u16(0);
  }
  const length = 12 + inner.length;
  return new Bytes(le).u32(type).u32(length).bytes(inner.done()).u32(length)
    .done();
}

/** A section header block. */
export function shb(le: boolean, options: Option[] = []): Uint8Array {
  return block(
    le,
    0x0a0d0d0a,
    (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn),
    options,
  );
}

/** An interface description block. */
export function idb(
  le: boolean,
  linkType: number,
  snaplen: number,
  options: Option[] = [],
): Uint8Array {
  return block(le, 1, (b) => b.u16(linkType).u16(0).u32(snaplen), options);
}

/** An enhanced packet block. */
export function epb(
  le: boolean,
  iface: number,
  units: bigint,
  data: Uint8Array,
  options: Option[] = [],
  originalLength = data.length,
): Uint8Array {
  return block(
    le,
    6,
    (b) =>
      b.u32(iface).u32(Number(units >> 32n)).u32(Number(units & 0xffffffffn))
        .u32(data.length).u32(originalLength).bytes(data),
    options,
  );
}

/** A simple packet block. */
export function spb(
  le: boolean,
  data: Uint8Array,
  originalLength = data.length,
): Uint8Array {
  return block(le, 3, (b) => b.u32(originalLength).bytes(data));
}

/** An obsolete packet block. */
export function opb(
  le: boolean,
  iface: number,
  units: bigint,
  data: Uint8Array,
): Uint8Array {
  return block(
    le,
    2,
    (b) =>
      b.u16(iface).u16(0).u32(Number(units >> 32n)).u32(
        Number(units & 0xffffffffn),
      )
        .u32(data.length).u32(data.length).bytes(data),
  );
}

/** A name resolution block with IPv4 records. */
export function nrb(le: boolean, entries: [string, string[]][]): Uint8Array {
  return block(le, 4, (b) => {
    for (const [ip, names] of entries) {
      const value = concat(
        addr(ip),
        ...names.map((n) => concat(utf8(n), new Uint8Array([0]))),
      );
      b.u16(1).u16(value.length).bytes(value).pad();
    }
    b.u16(0).u16(0);
  });
}

/** An interface statistics block. */
export function isb(
  le: boolean,
  iface: number,
  received: bigint,
  dropped: bigint,
): Uint8Array {
  const u64 = (n: bigint) => new Bytes(le).u64(n).done();
  return block(le, 5, (b) => b.u32(iface).u32(0).u32(0), [
    { code: 4, value: u64(received) },
    { code: 5, value: u64(dropped) },
  ]);
}

/** A block of a type the reader does not know (a custom block, say). */
export function otherBlock(
  le: boolean,
  type: number,
  size: number,
): Uint8Array {
  return block(le, type, (b) => b.bytes(new Uint8Array(size).fill(0xab)));
}

/** A pcapng option whose value is text. */
export function textOption(code: number, text: string): Option {
  return { code, value: utf8(text) };
}

/** A pcapng option of one byte (if_tsresol, if_fcslen). */
export function byteOption(code: number, value: number): Option {
  return { code, value: new Uint8Array([value]) };
}

/** A pcapng option of 4 bytes in the block's order (epb_flags). */
export function u32Option(le: boolean, code: number, value: number): Option {
  return { code, value: new Bytes(le).u32(value).done() };
}

/** A pcapng option of 8 bytes in the block's order (if_tsoffset). */
export function u64Option(le: boolean, code: number, value: bigint): Option {
  return { code, value: new Bytes(le).u64(value).done() };
}
