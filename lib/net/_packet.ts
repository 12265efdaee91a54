/**
 * Internal: what a router does to one IPv4 multicast packet before it sends
 * it on, by the kernel's rules for forwarding: only group traffic beyond the
 * link (224.0.0.0/4 without 224.0.0.0/24, and never IGMP), the TTL taken
 * down by one and the packet dropped when it would reach 0, the header's
 * checksum made again, and the UDP checksum computed in full: a packet read
 * off a veth may carry only the pseudo-header's part of it (the sender's
 * kernel left the rest to a "hardware" that a veth does not have).
 *
 * @example A UDP datagram with TTL 2, forwarded: TTL 1
 * ```ts
 * import { forwarded, udpPacket } from "./_packet.ts";
 *
 * const packet = udpPacket({
 *   from: "10.11.1.11", to: "224.1.1.1", ttl: 2,
 *   sourcePort: 40000, port: 5004, data: new TextEncoder().encode("halo"),
 * });
 * const out = forwarded(packet);
 * console.log(typeof out === "string" ? out : out[8]); // 1
 * console.log(forwarded(out as Uint8Array)); // ttl
 * ```
 *
 * @module
 */

/** Why a packet is not forwarded. */
export type Drop =
  | "short"
  | "not-ipv4"
  | "not-multicast"
  | "link-local"
  | "igmp"
  | "ttl";

/** IP protocol numbers met here. */
const IGMP = 2;
const UDP = 17;

/**
 * The packet to send on for `packet` (a whole IPv4 packet, header first), or
 * why it is not forwarded. The result is a copy; `packet` is left as it is.
 */
export function forwarded(packet: Uint8Array): Uint8Array | Drop {
  if (packet.length < 20) return "short";
  if (packet[0] >> 4 !== 4) return "not-ipv4";
  const headerLength = (packet[0] & 0x0f) * 4;
  const total = (packet[2] << 8) | packet[3];
  if (headerLength < 20 || total < headerLength || total > packet.length) {
    return "short";
  }
  if ((packet[16] & 0xf0) !== 0xe0) return "not-multicast";
  // 224.0.0.0/24 stays on its link (RFC 5771), whatever its TTL.
  if (packet[16] === 224 && packet[17] === 0 && packet[18] === 0) {
    return "link-local";
  }
  if (packet[9] === IGMP) return "igmp";
  // A router that would send it on with TTL 0 drops it instead.
  if (packet[8] <= 1) return "ttl";
  const out = packet.slice(0, total);
  out[8] -= 1;
  out[10] = 0;
  out[11] = 0;
  const check = checksum(out.subarray(0, headerLength));
  out[10] = check >> 8;
  out[11] = check & 0xff;
  const fragment = ((out[6] & 0x3f) << 8 | out[7]) !== 0;
  // Only a whole datagram has its UDP checksum here: a fragment's was
  // computed in full before the sender's kernel cut it.
  if (out[9] === UDP && !fragment && total - headerLength >= 8) {
    setUdpChecksum(out, headerLength);
  }
  return out;
}

/** The Internet checksum (RFC 1071) of `bytes`, from the sum `start`. */
export function checksum(bytes: Uint8Array, start = 0): number {
  let sum = start;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (even < bytes.length) sum += bytes[even] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Computes the UDP checksum of the datagram after the header, in place. */
function setUdpChecksum(packet: Uint8Array, headerLength: number): void {
  const udp = packet.subarray(headerLength);
  const length = (udp[4] << 8) | udp[5];
  if (length < 8 || length > udp.length) return;
  udp[6] = 0;
  udp[7] = 0;
  // The pseudo-header: source, destination, protocol, UDP length.
  let sum = UDP + length;
  for (let i = 12; i < 20; i += 2) sum += (packet[i] << 8) | packet[i + 1];
  let check = checksum(udp.subarray(0, length), sum);
  // 0 means "no checksum" in UDP: a computed 0 is sent as all ones.
  if (check === 0) check = 0xffff;
  udp[6] = check >> 8;
  udp[7] = check & 0xff;
}

/** Whether the UDP checksum of `packet` (a whole IPv4 packet) is right. */
export function udpChecksumOk(packet: Uint8Array): boolean {
  const headerLength = (packet[0] & 0x0f) * 4;
  const udp = packet.subarray(headerLength);
  const length = (udp[4] << 8) | udp[5];
  if (((udp[6] << 8) | udp[7]) === 0) return true;
  let sum = UDP + length;
  for (let i = 12; i < 20; i += 2) sum += (packet[i] << 8) | packet[i + 1];
  return checksum(udp.subarray(0, length), sum) === 0;
}

/** What {@linkcode udpPacket} builds. */
export interface UdpPacketOptions {
  /** The source address. */
  from: string;
  /** The destination address. */
  to: string;
  /** The TTL. */
  ttl: number;
  /** The source port. */
  sourcePort: number;
  /** The destination port. */
  port: number;
  /** The payload. */
  data: Uint8Array;
}

/** A whole IPv4 UDP packet with correct checksums (for tests and examples). */
export function udpPacket(options: UdpPacketOptions): Uint8Array {
  const { data } = options;
  const packet = new Uint8Array(28 + data.length);
  const view = new DataView(packet.buffer);
  packet[0] = 0x45;
  view.setUint16(2, packet.length);
  packet[8] = options.ttl;
  packet[9] = UDP;
  packet.set(options.from.split(".").map(Number), 12);
  packet.set(options.to.split(".").map(Number), 16);
  view.setUint16(10, checksum(packet.subarray(0, 20)));
  view.setUint16(20, options.sourcePort);
  view.setUint16(22, options.port);
  view.setUint16(24, 8 + data.length);
  packet.set(data, 28);
  setUdpChecksum(packet, 20);
  return packet;
}

/** The dotted source and destination of an IPv4 packet. */
export function addressesOf(packet: Uint8Array): { from: string; to: string } {
  return {
    from: packet.subarray(12, 16).join("."),
    to: packet.subarray(16, 20).join("."),
  };
}
