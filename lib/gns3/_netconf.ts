/**
 * Internal: the addresses a GNS3 node's own network configuration gives.
 *
 * A Docker node's is its `/etc/network/interfaces` (GNS3 keeps it in
 * `project-files/docker/<node_id>/etc/network/interfaces`: what "Edit
 * network configuration" edits). An active `iface ethN inet static` stanza
 * gives an address; so does a commented-out one (a static address kept as a
 * comment while DHCP is in use), except GNS3's own sample (`192.168.N.2` for
 * `ethN`), which every new node has. A VPCS node's is its `startup.vpc`
 * (`ip ADDRESS[/N] [GATEWAY] [MASK]`).
 *
 * @module
 */

import { ipv4ToNumber, isIpv4 } from "../cli/address.ts";

/** An IPv4 address with its prefix length, when the configuration gives one. */
export interface ConfiguredAddress {
  /** The address, e.g. `192.168.122.207`. */
  address: string;
  /** The prefix length, from `/N` or `netmask`. */
  prefix?: number;
}

/** What an `interfaces` file configures, per interface name. */
export interface InterfacesConfig {
  /** Active static addresses. */
  static: Map<string, ConfiguredAddress>;
  /** Static addresses in commented-out stanzas (GNS3's sample left out). */
  commented: Map<string, ConfiguredAddress>;
  /** Interfaces configured by DHCP (active). */
  dhcp: Set<string>;
}

/** The prefix length of a dotted netmask, or `undefined` if it is not one. */
export function maskPrefix(mask: string): number | undefined {
  if (/^\d{1,2}$/.test(mask)) {
    const n = Number(mask);
    return n <= 32 ? n : undefined;
  }
  if (!isIpv4(mask)) return undefined;
  const value = ipv4ToNumber(mask);
  let prefix = 0;
  while (prefix < 32 && (value & (0x80000000 >>> prefix)) !== 0) prefix++;
  const rebuilt = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return rebuilt === value ? prefix : undefined;
}

function addressOf(text: string): ConfiguredAddress | undefined {
  const [address, bits] = text.split("/", 2);
  if (!isIpv4(address)) return undefined;
  if (bits === undefined) return { address };
  const prefix = maskPrefix(bits);
  return prefix === undefined ? { address } : { address, prefix };
}

interface Stanza {
  iface: string;
  method: string;
  address?: ConfiguredAddress;
  netmask?: number;
}

/** Parses an `interfaces(5)` file (as ifupdown and busybox read it). */
export function parseInterfaces(text: string): InterfacesConfig {
  const config: InterfacesConfig = {
    static: new Map(),
    commented: new Map(),
    dhcp: new Set(),
  };
  // Active lines and commented-out lines are two files in one: a stanza
  // of one goes on only with lines of the same kind.
  const current: { active?: Stanza; commented?: Stanza } = {};
  const finish = (kind: "active" | "commented") => {
    const stanza = current[kind];
    current[kind] = undefined;
    if (!stanza || stanza.method !== "static" || !stanza.address) return;
    const found: ConfiguredAddress = { ...stanza.address };
    if (found.prefix === undefined && stanza.netmask !== undefined) {
      found.prefix = stanza.netmask;
    }
    if (kind === "active") {
      if (!config.static.has(stanza.iface)) {
        config.static.set(stanza.iface, found);
      }
      return;
    }
    const sample = /^eth(\d+)$/.exec(stanza.iface);
    if (sample && found.address === `192.168.${sample[1]}.2`) return;
    if (!config.commented.has(stanza.iface)) {
      config.commented.set(stanza.iface, found);
    }
  };
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    const kind = trimmed.startsWith("#") ? "commented" : "active";
    const line = trimmed.replace(/^#+/, "").trim();
    const words = line.split(/\s+/);
    const keyword = words[0];
    if (keyword === "iface") {
      finish(kind);
      if (words[2] === "inet" && words[1] !== undefined) {
        current[kind] = { iface: words[1], method: words[3] ?? "" };
        if (kind === "active" && words[3] === "dhcp") {
          config.dhcp.add(words[1]);
        }
      }
      continue;
    }
    if (
      keyword === "auto" || keyword.startsWith("allow-") ||
      keyword === "mapping" || keyword === "source" ||
      keyword === "source-directory" || keyword === "no-auto-down" ||
      keyword === "no-scripts"
    ) {
      finish(kind);
      continue;
    }
    const stanza = current[kind];
    if (!stanza || words.length < 2) continue;
    if (keyword === "address" && stanza.address === undefined) {
      stanza.address = addressOf(words[1]);
    } else if (keyword === "netmask") {
      stanza.netmask = maskPrefix(words[1]);
    }
  }
  finish("active");
  finish("commented");
  return config;
}

/**
 * The address a VPCS `startup.vpc` sets (its last `ip` command), `"dhcp"`
 * for `ip dhcp`, or `undefined` when it sets none. VPCS's default prefix
 * is /24.
 */
export function parseVpcs(
  text: string,
): ConfiguredAddress | "dhcp" | undefined {
  let found: ConfiguredAddress | "dhcp" | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const words = raw.trim().split(/\s+/);
    if (words[0] !== "ip" || words.length < 2) continue;
    if (words[1] === "dhcp") {
      found = "dhcp";
      continue;
    }
    const address = addressOf(words[1]);
    if (!address) continue;
    // After the address: a gateway and a mask, in either order; a mask is
    // a bare length or a dotted netmask (255.…).
    for (const word of words.slice(2)) {
      if (address.prefix !== undefined) break;
      if (/^\d{1,2}$/.test(word) || (isIpv4(word) && word.startsWith("255."))) {
        address.prefix = maskPrefix(word);
      }
    }
    found = { address: address.address, prefix: address.prefix ?? 24 };
  }
  return found;
}
