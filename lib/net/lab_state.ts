/**
 * A lab's names and its state: the namespaces it is made of (switch, hosts,
 * routers) and what `lab up` records about a built lab in its state file,
 * to compare with a topology and to show in `lab status`. The state also
 * lists every interface of the lab with its namespace
 * ({@linkcode labInterfaces}), for whatever captures or draws them.
 *
 * @example The interfaces of a built lab
 * ```ts
 * import { labInterfaces, type LabState } from "./lab_state.ts";
 *
 * const state: LabState = {
 *   file: "lab.yaml", subnet: "10.1.1.0/24", broadcast: "10.1.1.255",
 *   hosts: [{ name: "h1", address: "10.1.1.11", netns: "pj_t_h1", segment: "a" }],
 *   routers: [{
 *     name: "r1", netns: "pj_t_r1",
 *     ports: [
 *       { device: "eth0", segment: "a", address: "10.1.1.1" },
 *       { device: "eth1", segment: "b", address: "10.1.2.1" },
 *     ],
 *   }],
 * };
 * for (const i of labInterfaces(state)) console.log(i.netns, i.device, i.segment);
 * // pj_t_h1 eth0 a
 * // pj_t_r1 eth0 a
 * // pj_t_r1 eth1 b
 * ```
 *
 * @module
 */

import type { LabNetwork } from "./network.ts";
import { hostRouting } from "./routes.ts";
import { gatewayAddress } from "./subnet.ts";

/** Where `ip netns exec` finds per-namespace files. */
export const NETNS_ETC = "/etc/netns";

/** The namespace names of a lab. */
export interface LabNames {
  /** The lab's name. */
  lab: string;
  /** The switch's namespace (holds the bridges: `br0`, one per segment). */
  switchNs: string;
  /** Every host and router namespace starts with this. */
  hostPrefix: string;
}

/** Returns the namespace names for lab `lab`. */
export function labNames(lab: string): LabNames {
  return { lab, switchNs: `pj_${lab}`, hostPrefix: `pj_${lab}_` };
}

/** The namespace of `host` (or router) in lab `lab`. */
export function hostNetns(lab: string, host: string): string {
  return `${labNames(lab).hostPrefix}${host}`;
}

/** How a router forwards multicast. */
export type MulticastMode = "user-space" | "smcroute";

/** One host as the state file records it. */
export interface HostState {
  name: string;
  address: string;
  netns: string;
  rootfs?: string;
  /** Its interface, when not `eth0` (a host imported from GNS3). */
  iface?: string;
  /** Its bridge port, when not `p<N>` (a host imported from GNS3). */
  port?: string;
  /** Its segment, on a lab of several. */
  segment?: string;
  /** Its default gateway's address, if it has one. */
  gateway?: string;
}

/** One router as the state file records it. */
export interface RouterState {
  name: string;
  netns: string;
  /** Its interfaces, `eth0`, `eth1`, … in the file's order. */
  ports: { device: string; segment: string; address: string }[];
  /** How it forwards multicast (known once its forwarder has started). */
  multicast?: MulticastMode;
}

/** What `up` records about a built lab. */
export interface LabState {
  /** The topology file. */
  file: string;
  /** The subnet in CIDR form (the first segment's, on a lab of several). */
  subnet: string;
  /** The broadcast address of that subnet. */
  broadcast: string;
  /**
   * On the one-switch lab, every host's default gateway: the switch's own
   * address (GNS3's NAT node at `.1`); absent in a lab built before hosts
   * had one, or when every address is a host's (the default route is then
   * the host's interface itself). A lab with routers routes through them.
   */
  gateway?: string;
  /** The hosts with their namespaces and, if any, their root file systems. */
  hosts: HostState[];
  /** The segments, each a bridge of the switch namespace. */
  segments?: {
    name: string;
    subnet: string;
    broadcast: string;
    bridge: string;
  }[];
  /** The routers. */
  routers?: RouterState[];
}

/** The bridge of the `i`-th segment (the one-switch lab's is `br0`). */
export function bridgeName(i: number): string {
  return `br${i}`;
}

/** The bridge port of the `i`-th host (interface names have 15 characters at most). */
export function portName(i: number): string {
  return `p${i + 1}`;
}

/**
 * The bridge port of the `i`-th host on the one-switch lab: its own name
 * (a GNS3 switch port's), else `p<i+1>`.
 */
export function portOf(host: { port?: string }, i: number): string {
  return host.port ?? portName(i);
}

/** The host's interface: its own name (a GNS3 adapter's), else `eth0`. */
export function ifaceOf(host: { iface?: string }): string {
  return host.iface ?? "eth0";
}

/** The state a topology gives, to compare with a running lab's. */
export function stateOf(topology: LabNetwork, lab: string): LabState {
  const segmented = topology.segments !== undefined;
  return {
    file: topology.file,
    subnet: topology.subnet.cidr,
    broadcast: topology.subnet.broadcast,
    ...(segmented ? {} : gatewayField(topology)),
    hosts: topology.hosts.map((host) => {
      const gateway = segmented
        ? hostRouting(topology, host.name).gateway?.address
        : undefined;
      return {
        name: host.name,
        address: host.address,
        netns: hostNetns(lab, host.name),
        ...(host.rootfs === undefined ? {} : { rootfs: host.rootfs }),
        ...(host.iface === undefined ? {} : { iface: host.iface }),
        ...(host.port === undefined ? {} : { port: host.port }),
        ...(host.segment === undefined ? {} : { segment: host.segment }),
        ...(gateway === undefined ? {} : { gateway }),
      };
    }),
    ...(segmented
      ? {
        segments: topology.segments!.map((s, i) => ({
          name: s.name,
          subnet: s.subnet.cidr,
          broadcast: s.subnet.broadcast,
          bridge: bridgeName(i),
        })),
        routers: (topology.routers ?? []).map((r) => ({
          name: r.name,
          netns: hostNetns(lab, r.name),
          ports: r.ports.map((p, i) => ({
            device: `eth${i}`,
            segment: p.segment,
            address: p.address,
          })),
        })),
      }
      : {}),
  };
}

/** The one-switch lab's gateway: the subnet's first address no host has. */
function gatewayField(topology: LabNetwork): { gateway?: string } {
  const gateway = gatewayAddress(
    topology.subnet,
    topology.hosts.map((h) => h.address),
  );
  return gateway === undefined ? {} : { gateway };
}

/**
 * Whether two states describe the same network, root file systems,
 * segments and routers included (the file name may differ).
 */
export function sameNetwork(a: LabState, b: LabState): boolean {
  const key = (s: LabState) =>
    JSON.stringify([
      s.subnet,
      s.hosts.map((h, i) => [
        h.name,
        h.address,
        h.rootfs ?? null,
        h.segment,
        ifaceOf(h),
        portOf(h, i),
      ]),
      (s.segments ?? []).map((g) => [g.name, g.subnet]),
      (s.routers ?? []).map((r) => [r.name, r.ports]),
    ]);
  return key(a) === key(b);
}

/** The namespaces a lab's state names: hosts, then routers. */
export function stateNamespaces(state: LabState): string[] {
  return [
    ...state.hosts.map((h) => h.netns),
    ...(state.routers ?? []).map((r) => r.netns),
  ];
}

/** One interface of a built lab, where to find it. */
export interface LabInterface {
  /** The host or router it belongs to. */
  node: string;
  /** Whether that is a host or a router. */
  kind: "host" | "router";
  /** The namespace it is in. */
  netns: string;
  /** Its name there, e.g. `eth0`. */
  device: string;
  /** Its address. */
  address: string;
  /** Its segment (absent on the one-switch lab). */
  segment?: string;
}

/**
 * Every interface of a built lab: each host's `eth0`, then each router's
 * `eth0`, `eth1`, … with the namespace it is in and its segment. This is
 * what a capture of the lab needs to know to listen on the routers too (a
 * frame's TTL seen going down hop by hop) and what a view of the lab draws.
 */
export function labInterfaces(state: LabState): LabInterface[] {
  return [
    ...state.hosts.map((h) => ({
      node: h.name,
      kind: "host" as const,
      netns: h.netns,
      device: ifaceOf(h),
      address: h.address,
      ...(h.segment === undefined ? {} : { segment: h.segment }),
    })),
    ...(state.routers ?? []).flatMap((r) =>
      r.ports.map((p) => ({
        node: r.name,
        kind: "router" as const,
        netns: r.netns,
        device: p.device,
        address: p.address,
        segment: p.segment,
      }))
    ),
  ];
}
