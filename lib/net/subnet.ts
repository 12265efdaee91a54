/**
 * IPv4 subnets in CIDR form, for the lab's topology file.
 *
 * @module
 */

import { ipv4ToNumber, isIpv4, numberToIpv4 } from "../cli/address.ts";

/** An IPv4 subnet such as 192.168.122.0/24. */
export interface Subnet {
  /** The CIDR text as written, normalised: `192.168.122.0/24`. */
  cidr: string;
  /** The network address, e.g. `192.168.122.0`. */
  network: string;
  /** The prefix length, e.g. `24`. */
  prefix: number;
  /** The broadcast address, e.g. `192.168.122.255`. */
  broadcast: string;
}

/**
 * Ranges no host of a lab can be in: each is at least a /8, and a lab's
 * prefix is /8 or longer, so the network address alone decides.
 */
const RESERVED: { network: number; prefix: number; what: string }[] = [
  { network: 0x00000000, prefix: 8, what: '"this network" (0.0.0.0/8)' },
  { network: 0x7f000000, prefix: 8, what: "loopback (127.0.0.0/8)" },
  { network: 0xe0000000, prefix: 4, what: "multicast (224.0.0.0/4)" },
  { network: 0xf0000000, prefix: 4, what: "reserved (240.0.0.0/4)" },
];

/**
 * Parses `a.b.c.d/n` with a prefix from 8 to 30 (a lab needs room for
 * hosts) outside the loopback, multicast, 0.0.0.0/8 and 240.0.0.0/4 ranges
 * (no interface can have such an address), or returns a reason why not.
 */
export function parseSubnet(text: string): Subnet | string {
  const match = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIpv4(match[1])) {
    return `expected a subnet like 192.168.122.0/24, got "${text}"`;
  }
  const prefix = Number(match[2]);
  if (prefix < 8 || prefix > 30) {
    return `prefix /${prefix} is outside /8 … /30`;
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = ipv4ToNumber(match[1]);
  const network = (base & mask) >>> 0;
  if (network !== base) {
    return `${match[1]} is not the network address of a /${prefix} (that is ${
      numberToIpv4(network)
    })`;
  }
  for (const range of RESERVED) {
    const rangeMask = (0xffffffff << (32 - range.prefix)) >>> 0;
    if (((network & rangeMask) >>> 0) === range.network) {
      return `${
        match[1]
      }/${prefix} is ${range.what}: hosts cannot have these addresses`;
    }
  }
  return {
    cidr: `${match[1]}/${prefix}`,
    network: numberToIpv4(network),
    prefix,
    broadcast: numberToIpv4((network | ~mask) >>> 0),
  };
}

/**
 * Says why `address` cannot be a host of `subnet` (outside it, or its
 * network or broadcast address), or returns `undefined` when it can.
 */
export function hostAddressProblem(
  subnet: Subnet,
  address: string,
): string | undefined {
  if (!isIpv4(address)) {
    return `expected an IPv4 address like 192.168.122.7, got "${address}"`;
  }
  const value = ipv4ToNumber(address);
  const network = ipv4ToNumber(subnet.network);
  const broadcast = ipv4ToNumber(subnet.broadcast);
  if (value < network || value > broadcast) {
    return `${address} is outside the subnet ${subnet.cidr}`;
  }
  if (value === network) {
    return `${address} is the network address of ${subnet.cidr}`;
  }
  if (value === broadcast) {
    return `${address} is the broadcast address of ${subnet.cidr}`;
  }
  return undefined;
}

/**
 * The address the lab's switch side holds as every host's default gateway,
 * as GNS3's NAT node holds `.1` of 192.168.122.0/24: the subnet's first
 * address no host has (`.1` unless a host took it); `undefined` when every
 * address is a host's.
 */
export function gatewayAddress(
  subnet: Subnet,
  hosts: readonly string[],
): string | undefined {
  const taken = new Set(hosts.map(ipv4ToNumber));
  const last = ipv4ToNumber(subnet.broadcast) - 1;
  for (let a = ipv4ToNumber(subnet.network) + 1; a <= last; a++) {
    if (!taken.has(a)) return numberToIpv4(a);
  }
  return undefined;
}
