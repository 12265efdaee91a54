/**
 * The hosts a view draws, and which of them a frame comes from and goes
 * to, as the lab's switch decides it.
 *
 * A live lab names every host: its name, address and interface's MAC. A
 * capture brought from elsewhere (GNS3's link capture, Wireshark, tcpdump
 * on a VM) names none: its hosts are found in the frames, by their MAC
 * address, and named after the topology file's host of the address they
 * use (ARP's sender address, else the IPv4 source); an address the file
 * does not know names a host of its own (`192.168.122.1`), and a host that
 * never showed an address is named by its MAC.
 *
 * The switch is the lab's: a bridge with no IGMP snooping. A frame to the
 * broadcast address or to a multicast address leaves by every port but
 * the one it came in by; a unicast frame by the port of the host whose MAC
 * it is addressed to, or, when that MAC was never seen, by every port (an
 * unknown unicast is flooded).
 *
 * @example Who sent a frame and where the switch sends it
 * ```ts
 * import { HostTable } from "./hosts.ts";
 * import type { Frame } from "../wire/frame.ts";
 *
 * const hosts = new HostTable([
 *   { name: "alpine-1", address: "192.168.122.207" },
 *   { name: "alpine-2", address: "192.168.122.131" },
 * ]);
 * function route(frame: Frame): string {
 *   const from = hosts.senderOf(frame);
 *   const to = hosts.portsOf(frame, from.index);
 *   return `${from.name} → ${to.map((i) => hosts.hosts[i].name).join(", ")}`;
 * }
 * ```
 *
 * @module
 */

import type { Frame } from "../wire/frame.ts";

/** A host of the view: a port of the switch. */
export interface ViewHost {
  /** Its place in the picture, from 0. */
  index: number;
  /** Its name: the lab's, or its address when the lab does not know it. */
  name: string;
  /** Its IPv4 address, when known. */
  address?: string;
  /** Its interface's MAC address, when known. */
  mac?: string;
  /** Whether the lab (or the topology file) names it. */
  known: boolean;
  /** On a lab of several segments: the segment (its index) its port is on. */
  segment?: number;
  /** A router's port: the router's interface on that segment, e.g. `eth1`. */
  device?: string;
  /** Whether it is a router's port (its name is the router's). */
  router?: boolean;
}

/** A host the table starts with. */
export interface HostSeed {
  /** Its name. */
  name: string;
  /** Its IPv4 address. */
  address: string;
  /** Its interface's MAC address, if known. */
  mac?: string;
  /** Its segment's index, on a lab of several segments. */
  segment?: number;
  /** A router's port: its interface, e.g. `eth1`. */
  device?: string;
  /** Whether it is a router's port. */
  router?: boolean;
}

/** Options for {@linkcode HostTable}. */
export interface HostTableOptions {
  /**
   * Whether frames from addresses the table does not know add hosts (a
   * capture being read); otherwise they are put on the first host's port
   * (never happens in a lab, whose every port is captured).
   */
  learn?: boolean;
  /** The subnet's broadcast address, for captures without Ethernet headers. */
  broadcast?: string;
  /** Called when a host is added. */
  onAdd?: (host: ViewHost) => void;
  /**
   * The switch's own MACs (a bridge with an address, as GNS3's NAT node
   * is): a frame to one of them ends at the switch.
   */
  switchMacs?: string[];
}

const NO_ADDRESS = "0.0.0.0";

/** The hosts of a view, found by address and MAC. */
export class HostTable {
  /** The hosts, in picture order. */
  readonly hosts: ViewHost[] = [];
  #byMac = new Map<string, ViewHost>();
  #byAddress = new Map<string, ViewHost>();
  #options: HostTableOptions;

  /** A table of `seeds` (the lab's hosts, in order). */
  constructor(seeds: HostSeed[], options: HostTableOptions = {}) {
    this.#options = options;
    for (const seed of seeds) {
      const host = this.#add({
        name: seed.name,
        address: seed.address,
        known: true,
        ...(seed.segment === undefined ? {} : { segment: seed.segment }),
        ...(seed.device === undefined ? {} : { device: seed.device }),
        ...(seed.router ? { router: true } : {}),
      });
      if (seed.mac) this.bindMac(host, seed.mac);
    }
  }

  /** The host with this IPv4 address. */
  byAddress(address: string): ViewHost | undefined {
    return this.#byAddress.get(address);
  }

  /** The host whose interface has this MAC. */
  byMac(mac: string): ViewHost | undefined {
    return this.#byMac.get(mac);
  }

  /** Notes that `host`'s interface has `mac`. */
  bindMac(host: ViewHost, mac: string): void {
    if (this.#byMac.has(mac)) return;
    host.mac ??= mac;
    this.#byMac.set(mac, host);
  }

  /**
   * The host a frame came from: the one whose MAC it carries, else the one
   * of its source address (learning the MAC), else, when the table learns,
   * a new host named by its address or MAC.
   */
  senderOf(frame: Frame): ViewHost {
    const mac = sourceMac(frame);
    const known = mac === undefined ? undefined : this.#byMac.get(mac);
    if (known) return this.#adopt(known, frame);
    const address = sourceAddress(frame);
    let host = address === undefined ? undefined : this.#byAddress.get(address);
    if (host?.mac !== undefined && mac !== undefined && host.mac !== mac) {
      // Another interface using that address (a router answering for a
      // remote one): a host of its own, named by its MAC.
      host = undefined;
    }
    if (!host) {
      if (!this.#options.learn) return this.hosts[0] ?? this.#unknown(frame);
      host = this.#unknown(frame);
    }
    if (mac !== undefined) this.bindMac(host, mac);
    return host;
  }

  /**
   * The ports a frame leaves the switch by (host indices), given the one
   * it came in by: every other port for broadcast and multicast (no IGMP
   * snooping) and for an unknown unicast; the addressed host's otherwise.
   * On a lab of several segments, `segment` is the switch the frame
   * crossed: only that segment's ports.
   */
  portsOf(frame: Frame, from: number, segment?: number): number[] {
    const link = frame.link;
    const here = (h: ViewHost) =>
      segment === undefined || h.segment === segment;
    const everyOther = () =>
      this.hosts.filter((h) => h.index !== from && here(h)).map((h) => h.index);
    if (link?.type === "ethernet") {
      // The group bit of the first octet: broadcast and multicast.
      if (parseInt(link.dst.slice(0, 2), 16) & 1) return everyOther();
      if (this.#options.switchMacs?.includes(link.dst)) return [];
      let to = this.#byMac.get(link.dst) ??
        (frame.ipv4 ? this.#unboundAt(frame.ipv4.dst) : undefined);
      if (to !== undefined && !here(to)) to = undefined;
      if (to === undefined) return everyOther();
      return to.index === from ? [] : [to.index];
    }
    if (
      link?.type === "sll" && (link.packetType === 1 || link.packetType === 2)
    ) {
      return everyOther();
    }
    const dst = frame.ipv4?.dst ?? frame.arp?.targetIp;
    if (dst === undefined || frame.arp !== undefined || isGroupAddress(dst)) {
      return everyOther();
    }
    if (dst === "255.255.255.255" || dst === this.#options.broadcast) {
      return everyOther();
    }
    let to = this.#byAddress.get(dst);
    if (to === undefined && this.#options.learn) {
      to = this.#add({ name: dst, address: dst, known: false });
    }
    if (to === undefined) return everyOther();
    return to.index === from ? [] : [to.index];
  }

  /** A host that has no MAC yet, at this address (a lab host not heard from). */
  #unboundAt(address: string): ViewHost | undefined {
    const host = this.#byAddress.get(address);
    return host && host.mac === undefined ? host : undefined;
  }

  /** A known host seen with an address: named now if it was only a MAC. */
  #adopt(host: ViewHost, frame: Frame): ViewHost {
    if (host.address === undefined) {
      const address = sourceAddress(frame);
      if (address !== undefined && !this.#byAddress.has(address)) {
        host.address = address;
        host.name = address;
        this.#byAddress.set(address, host);
      }
    }
    return host;
  }

  #unknown(frame: Frame): ViewHost {
    const address = sourceAddress(frame);
    if (address !== undefined && !this.#byAddress.has(address)) {
      return this.#add({ name: address, address, known: false });
    }
    return this.#add({ name: sourceMac(frame) ?? "?", known: false });
  }

  #add(fields: Omit<ViewHost, "index">): ViewHost {
    const host: ViewHost = { index: this.hosts.length, ...fields };
    this.hosts.push(host);
    if (host.address !== undefined && !this.#byAddress.has(host.address)) {
      this.#byAddress.set(host.address, host);
    }
    this.#options.onAdd?.(host);
    return host;
  }
}

/** The frame's link-layer source address, if it has one. */
export function sourceMac(frame: Frame): string | undefined {
  const link = frame.link;
  if (link?.type === "ethernet") return link.src;
  if (link?.type === "sll" && link.src.length === 17) return link.src;
  return undefined;
}

/** The address a frame's sender says it has: ARP's sender, else IPv4's source. */
export function sourceAddress(frame: Frame): string | undefined {
  const address = frame.arp?.senderIp ?? frame.ipv4?.src;
  return address === undefined || address === NO_ADDRESS ? undefined : address;
}

/** Whether `address` is IPv4 multicast (224.0.0.0/4). */
export function isGroupAddress(address: string): boolean {
  const first = Number(address.slice(0, address.indexOf(".")));
  return first >= 224 && first <= 239;
}
