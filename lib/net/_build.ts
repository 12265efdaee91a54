/**
 * Internal: building a lab's namespaces with iproute2 once `lab up` has made
 * sure nothing is in the way. The one-switch lab: a bridge `br0` in the
 * switch's namespace and every host's `eth0` patched into it, exactly as it
 * always was. A lab of several segments: one bridge per segment in the
 * switch's namespace, each host patched into its segment's, and each router
 * a namespace of its own with one interface per segment it joins,
 * forwarding on, its routes to the segments beyond, and its multicast
 * forwarder started (`routers.ts`).
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { ip, ipBatch } from "./ip.ts";
import {
  bridgeName,
  ifaceOf,
  type LabNames,
  type LabState,
  NETNS_ETC,
  portName,
  portOf,
} from "./lab_state.ts";
import type { LabNetwork } from "./network.ts";
import { hostRouting, routerRoutes } from "./routes.ts";
import { startRouters } from "./routers.ts";
import { makeUtsNamespaces } from "./_uts.ts";

/** The file in the switch's directory that says the lab is complete. */
export const STATE_FILE = "progjar-lab.json";
/** How many `ip` processes configure hosts at once. */
const PARALLEL = 8;

/** Options for {@linkcode build}. */
export interface BuildOptions {
  /** Aborting stops the build (the caller removes what was made). */
  signal?: AbortSignal;
  /** The language of the routers' lines. */
  lang?: Lang;
}

/**
 * Builds the lab `state` describes (made from `topology`), ending with its
 * state file: the mark that the lab is complete.
 */
export async function build(
  topology: LabNetwork,
  names: LabNames,
  state: LabState,
  options: BuildOptions = {},
): Promise<void> {
  const { signal } = options;
  const checkAbort = () => {
    if (signal?.aborted) {
      throw new RuntimeError({ en: "interrupted", id: "diinterupsi" });
    }
  };
  if (topology.segments === undefined) {
    await buildOneSwitch(topology, names, state, checkAbort);
  } else {
    await buildSegments(topology, names, state, checkAbort);
  }
  checkAbort();
  const routers = state.routers ?? [];
  await makeUtsNamespaces([...state.hosts, ...routers]);
  checkAbort();
  if (routers.length > 0) {
    const modes = await startRouters(routers, {
      lab: names.lab,
      lang: options.lang,
      signal,
    });
    for (const router of routers) router.multicast = modes.get(router.name);
  }
  checkAbort();
  await Deno.mkdir(`${NETNS_ETC}/${names.switchNs}`, { recursive: true });
  await Deno.writeTextFile(
    `${NETNS_ETC}/${names.switchNs}/${STATE_FILE}`,
    JSON.stringify(state, null, 2) + "\n",
  );
}

/**
 * The one-switch lab: the switch namespace with bridge `br0`, and per host
 * a namespace whose `eth0` (address, broadcast, a route for multicast) is
 * patched into the bridge.
 */
async function buildOneSwitch(
  topology: LabNetwork,
  names: LabNames,
  state: LabState,
  checkAbort: () => void,
): Promise<void> {
  // One process creates every namespace and veth pair; the host end is
  // created inside the host's namespace, the peer inside the switch's.
  const root = [`netns add ${names.switchNs}`];
  for (const host of state.hosts) root.push(`netns add ${host.netns}`);
  state.hosts.forEach((host, i) => {
    root.push(
      `link add name ${ifaceOf(host)} netns ${host.netns} type veth peer name ${
        portOf(host, i)
      } netns ${names.switchNs}`,
    );
  });
  await ipBatch(root);
  checkAbort();

  // The switch: a bridge that floods multicast (no IGMP snooping) and
  // forwards at once (no STP).
  const bridge = ["link set lo up", bridgeLine(bridgeName(0))];
  state.hosts.forEach((host, i) => {
    bridge.push(`link set ${portOf(host, i)} master br0`);
    bridge.push(`link set ${portOf(host, i)} up`);
  });
  // The switch's side holds the gateway, as GNS3's NAT node holds .1: the
  // hosts get the default route DHCP gives a VM, and the switch namespace
  // has no way out (nothing else in it), so nothing leaves the lab.
  if (state.gateway !== undefined) {
    bridge.push(
      `addr add ${state.gateway}/${topology.subnet.prefix} broadcast ${topology.subnet.broadcast} dev br0`,
    );
  }
  bridge.push("link set br0 up");
  await ipBatch(bridge, { netns: names.switchNs });
  checkAbort();

  const prefix = topology.subnet.prefix;
  const hostsFile = hostsLines(topology);
  await inParallel(state.hosts, async (host) => {
    checkAbort();
    const dev = ifaceOf(host);
    await ipBatch([
      "link set lo up",
      `addr add ${host.address}/${prefix} broadcast ${topology.subnet.broadcast} dev ${dev}`,
      `link set ${dev} up`,
      // Multicast senders and joins on INADDR_ANY need a route to 224/4.
      `route add 224.0.0.0/4 dev ${dev}`,
      state.gateway !== undefined
        ? `route add default via ${state.gateway} dev ${dev}`
        : `route add default dev ${dev}`,
    ], { netns: host.netns });
    await writeHostsFile(host.netns, hostsFile);
  });
}

/** A bridge that floods multicast (no IGMP snooping) and forwards at once (no STP). */
function bridgeLine(name: string): string {
  return `link add ${name} type bridge stp_state 0 mcast_snooping 0`;
}

/**
 * A lab of several segments: a bridge per segment in the switch's
 * namespace; each host on its segment's bridge with its default gateway
 * and routes; each router with an interface on each of its segments,
 * forwarding on and a route to every segment beyond.
 */
async function buildSegments(
  topology: LabNetwork,
  names: LabNames,
  state: LabState,
  checkAbort: () => void,
): Promise<void> {
  const segments = state.segments!;
  const routers = state.routers ?? [];
  const bridgeOf = (segment: string) =>
    segments.find((s) => s.name === segment)!.bridge;
  const root = [`netns add ${names.switchNs}`];
  for (const ns of [...state.hosts, ...routers]) {
    root.push(`netns add ${ns.netns}`);
  }
  // The switch's ends: p1, p2, … for hosts, r1e0, r1e1, … for routers.
  const ports: { name: string; bridge: string }[] = [];
  state.hosts.forEach((host, i) => {
    root.push(
      `link add name eth0 netns ${host.netns} type veth peer name ${
        portName(i)
      } netns ${names.switchNs}`,
    );
    ports.push({ name: portName(i), bridge: bridgeOf(host.segment!) });
  });
  routers.forEach((router, r) => {
    router.ports.forEach((port, k) => {
      const peer = `r${r + 1}e${k}`;
      root.push(
        `link add name ${port.device} netns ${router.netns} type veth peer name ${peer} netns ${names.switchNs}`,
      );
      ports.push({ name: peer, bridge: bridgeOf(port.segment) });
    });
  });
  await ipBatch(root);
  checkAbort();

  const bridge = ["link set lo up"];
  for (const segment of segments) bridge.push(bridgeLine(segment.bridge));
  for (const port of ports) {
    bridge.push(`link set ${port.name} master ${port.bridge}`);
    bridge.push(`link set ${port.name} up`);
  }
  for (const segment of segments) bridge.push(`link set ${segment.bridge} up`);
  await ipBatch(bridge, { netns: names.switchNs });
  checkAbort();

  const subnetOf = (segment: string) =>
    topology.segments!.find((s) => s.name === segment)!.subnet;
  const hostsFile = hostsLines(topology);
  await inParallel(state.hosts, async (host) => {
    checkAbort();
    const subnet = subnetOf(host.segment!);
    const routing = hostRouting(topology, host.name);
    await ipBatch([
      "link set lo up",
      `addr add ${host.address}/${subnet.prefix} broadcast ${subnet.broadcast} dev eth0`,
      "link set eth0 up",
      "route add 224.0.0.0/4 dev eth0",
      ...(routing.gateway
        ? [`route add default via ${routing.gateway.address} dev eth0`]
        : []),
      ...routing.routes.map((r) => `route add ${r.cidr} via ${r.via} dev eth0`),
    ], { netns: host.netns });
    await writeHostsFile(host.netns, hostsFile);
  });
  checkAbort();
  await inParallel(routers, async (router) => {
    checkAbort();
    const lines = ["link set lo up"];
    for (const port of router.ports) {
      const subnet = subnetOf(port.segment);
      lines.push(
        `addr add ${port.address}/${subnet.prefix} broadcast ${subnet.broadcast} dev ${port.device}`,
        `link set ${port.device} up`,
      );
    }
    for (const route of routerRoutes(topology, router.name)) {
      lines.push(`route add ${route.cidr} via ${route.via}`);
    }
    await ipBatch(lines, { netns: router.netns });
    // Unicast forwarding: the kernel's, per namespace (new ones start at 0).
    await ip([
      "netns",
      "exec",
      router.netns,
      "/bin/sh",
      "-c",
      "echo 1 > /proc/sys/net/ipv4/ip_forward",
    ]);
    await writeHostsFile(router.netns, hostsFile);
  });
}

/** The lab's `/etc/hosts`: every host, and every router by each of its addresses. */
function hostsLines(topology: LabNetwork): string[] {
  return [
    "# written by the progjar lab; removed by `lab down`",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    ...topology.hosts.map((host) => `${host.address}\t${host.name}`),
    ...(topology.routers ?? []).flatMap((router) =>
      router.ports.map((port) => `${port.address}\t${router.name}`)
    ),
  ];
}

async function writeHostsFile(netns: string, lines: string[]): Promise<void> {
  await Deno.mkdir(`${NETNS_ETC}/${netns}`, { recursive: true });
  await Deno.writeTextFile(
    `${NETNS_ETC}/${netns}/hosts`,
    lines.join("\n") + "\n",
  );
}

/** Runs `work` on every item, {@linkcode PARALLEL} at a time. */
export async function inParallel<T>(
  items: T[],
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, items.length) }, worker),
  );
}
