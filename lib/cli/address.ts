/**
 * IPv4 addresses and ports: parsing, checking and resolving, with messages
 * that name the flag at fault.
 *
 * @example Check the addresses and ports given on a command line
 * ```ts
 * import { checkHost, checkPort, isMulticastIpv4, numberToIpv4 } from "./address.ts";
 *
 * console.log(checkPort("port", "5005")); // 5005
 * console.log(checkHost("host", "alpine-2")); // "alpine-2" (resolved later)
 * console.log(isMulticastIpv4("224.1.1.1")); // true
 * console.log(numberToIpv4(0xc0a87aff)); // "192.168.122.255"
 * // checkPort("port", "70000") throws a UsageError: exit code 2
 * ```
 *
 * @module
 */

import { RuntimeError, UsageError } from "./errors.ts";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted-quad IPv4 address into its four octets, or `undefined`. */
export function parseIpv4(
  text: string,
): [number, number, number, number] | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets as [number, number, number, number];
}

/** Returns whether `text` is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

/** Returns whether `text` is an IPv4 multicast address (224.0.0.0/4). */
export function isMulticastIpv4(text: string): boolean {
  const octets = parseIpv4(text);
  return octets !== undefined && octets[0] >= 224 && octets[0] <= 239;
}

/** The 32-bit value of an IPv4 address (unsigned). */
export function ipv4ToNumber(text: string): number {
  const octets = parseIpv4(text);
  if (!octets) {
    throw new UsageError({
      en: `not an IPv4 address: "${text}"`,
      id: `bukan alamat IPv4: "${text}"`,
    });
  }
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) |
    octets[3]) >>> 0;
}

/** The dotted-quad form of a 32-bit value. */
export function numberToIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join(".");
}

/** Options for {@linkcode checkPort}. */
export interface PortOptions {
  /** Accept 0 (let the system pick a free port); for listeners. */
  allowZero?: boolean;
}

/**
 * Checks a port given on the command line, returning it as a number.
 * Throws a {@linkcode UsageError} naming `flag` if it is not a whole number
 * in range.
 */
export function checkPort(
  flag: string,
  text: string,
  options: PortOptions = {},
): number {
  const min = options.allowZero ? 0 : 1;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= min && port <= 65535)) {
    throw new UsageError({
      en: `--${flag}: expected a port from ${min} to 65535, got "${text}"`,
      id: `--${flag}: harus port dari ${min} sampai 65535, bukan "${text}"`,
    });
  }
  return port;
}

/**
 * Checks an IPv4 address given on the command line. Throws a
 * {@linkcode UsageError} naming `flag` if it is not a dotted quad.
 */
export function checkIpv4(flag: string, text: string): string {
  if (!isIpv4(text)) {
    throw new UsageError({
      en:
        `--${flag}: expected an IPv4 address like 192.168.122.7, got "${text}"`,
      id: `--${flag}: harus alamat IPv4 seperti 192.168.122.7, bukan "${text}"`,
    });
  }
  return text;
}

/**
 * Checks a multicast group given on the command line: an IPv4 address in
 * 224.0.0.0/4. Throws a {@linkcode UsageError} naming `flag` otherwise.
 */
export function checkGroup(flag: string, text: string): string {
  checkIpv4(flag, text);
  if (!isMulticastIpv4(text)) {
    throw new UsageError({
      en:
        `--${flag}: expected a multicast group from 224.0.0.0 to 239.255.255.255, got "${text}"`,
      id:
        `--${flag}: harus grup multicast dari 224.0.0.0 sampai 239.255.255.255, bukan "${text}"`,
    });
  }
  return text;
}

/**
 * Checks a host given on the command line: an IPv4 address or a host name
 * (letters, digits, dots and hyphens). Resolution happens later, at run time.
 */
export function checkHost(flag: string, text: string): string {
  if (isIpv4(text)) return text;
  const label = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
  const looksNumeric = /^[\d.]+$/.test(text);
  if (
    text.length === 0 || text.length > 253 || looksNumeric ||
    !text.split(".").every((part) => label.test(part))
  ) {
    throw new UsageError({
      en: `--${flag}: expected an IPv4 address or a host name, got "${text}"`,
      id: `--${flag}: harus alamat IPv4 atau nama host, bukan "${text}"`,
    });
  }
  return text;
}

/**
 * Resolves a host name to an IPv4 address (an address is returned as is).
 * Like the system resolver, `/etc/hosts` comes before DNS, so the lab's
 * host names (alpine-1 …) never cause a DNS query; names under `.invalid`
 * fail at once without one (RFC 6761). Throws a {@linkcode RuntimeError}
 * ("unknown host") when the name cannot be resolved.
 */
export async function resolveIpv4(host: string): Promise<string> {
  if (isIpv4(host)) return host;
  if (host === "localhost") return "127.0.0.1";
  const fromHosts = await lookupHostsFile(host);
  if (fromHosts) return fromHosts;
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name !== "invalid" && !name.endsWith(".invalid")) {
    try {
      const records = await Deno.resolveDns(host, "A");
      if (records.length > 0) return records[0];
    } catch {
      // reported below as an unknown host
    }
  }
  throw new RuntimeError({
    en: `unknown host "${host}" (not in /etc/hosts or DNS)`,
    id: `host "${host}" tidak dikenal (tidak ada di /etc/hosts maupun DNS)`,
  });
}

async function lookupHostsFile(host: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile("/etc/hosts");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const fields = line.replace(/#.*/, "").trim().split(/\s+/);
    if (
      fields.length > 1 && isIpv4(fields[0]) && fields.slice(1).includes(host)
    ) {
      return fields[0];
    }
  }
  return undefined;
}

/** An IPv4 network this host has an address on. */
export interface LocalNetwork {
  /** The interface's name, e.g. `eth0`. */
  name: string;
  /** This host's address on it. */
  address: string;
  /** The prefix length, e.g. 24. */
  prefix: number;
  /** The network's own address, e.g. `192.168.122.0`. */
  network: string;
  /** The network's broadcast address, e.g. `192.168.122.255`. */
  broadcast: string;
}

/**
 * This host's IPv4 networks, or none when the program may not list the
 * interfaces (`--allow-sys=networkInterfaces`): the hints that use them are
 * skipped rather than asking for a permission.
 */
export function localNetworks(): LocalNetwork[] {
  const state = Deno.permissions.querySync({
    name: "sys",
    kind: "networkInterfaces",
  });
  if (state.state !== "granted") return [];
  const networks: LocalNetwork[] = [];
  for (const iface of Deno.networkInterfaces()) {
    if (iface.family !== "IPv4" || !isIpv4(iface.address)) continue;
    const prefix = Number(iface.cidr.split("/")[1]);
    if (!(prefix >= 0 && prefix <= 32)) continue;
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    const address = ipv4ToNumber(iface.address);
    networks.push({
      name: iface.name,
      address: iface.address,
      prefix,
      network: numberToIpv4((address & mask) >>> 0),
      broadcast: numberToIpv4((address | ~mask) >>> 0),
    });
  }
  return networks;
}

/** The network of `networks` that holds `address`, if any. */
export function networkOf(
  address: string,
  networks: LocalNetwork[],
): LocalNetwork | undefined {
  const value = ipv4ToNumber(address);
  return networks.find((net) => {
    const mask = net.prefix === 0 ? 0 : (~0 << (32 - net.prefix)) >>> 0;
    return ((value & mask) >>> 0) === ipv4ToNumber(net.network);
  });
}
