/**
 * Internal: which GNS3 nodes the lab can be, and the L2 segments their
 * links make.
 *
 * Hosts (Docker, VPCS, QEMU/VirtualBox/VMware machines that are not a
 * router's image) become the lab's hosts; Ethernet switches and hubs are
 * what joins them. A segment is every host adapter that a frame can reach
 * from another: through hubs, switches (per VLAN: an access port is in its
 * VLAN, a dot1q trunk carries every VLAN and its native one untagged) and
 * direct cables. Switches chained together are one segment, as one switch
 * would be. Routers, NAT and cloud nodes forward nothing here: a link to
 * one joins nothing.
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import type { Gns3Node, Gns3Project } from "./project.ts";

/** What the lab makes of a node. */
export type NodeKind =
  | { kind: "host" }
  | { kind: "bridge" }
  | { kind: "out"; what: Text };

/** A symbol that marks a VM image as a network device, not a PC. */
const DEVICE_SYMBOL =
  /(router|firewall|switch|asa|pix|ids|ips|atm|frame_relay|route_switch)/i;

/** What the lab makes of `node`: a host, a bridge, or nothing (and why). */
export function nodeKind(node: Gns3Node): NodeKind {
  switch (node.type) {
    case "docker":
    case "vpcs":
    case "traceng":
      return { kind: "host" };
    case "qemu":
    case "virtualbox":
    case "vmware":
      if (node.symbol && DEVICE_SYMBOL.test(node.symbol.split("/").at(-1)!)) {
        return {
          kind: "out",
          what: {
            en: "a router or switch image (by its symbol)",
            id: "image router atau switch (dari simbolnya)",
          },
        };
      }
      return { kind: "host" };
    case "ethernet_switch":
    case "ethernet_hub":
      return { kind: "bridge" };
    case "dynamips":
    case "iou":
      return {
        kind: "out",
        what: { en: "a router image", id: "image router" },
      };
    case "nat":
      return {
        kind: "out",
        what: {
          en:
            "GNS3's NAT to the outside (the lab's hosts reach only each other)",
          id: "NAT GNS3 ke luar (host lab hanya saling menjangkau)",
        },
      };
    case "cloud":
      return {
        kind: "out",
        what: {
          en:
            "a cloud (the machine's own network, which the lab never touches)",
          id: "cloud (jaringan mesin sendiri, yang tidak pernah disentuh lab)",
        },
      };
    case "frame_relay_switch":
    case "atm_switch":
      return {
        kind: "out",
        what: {
          en: "a WAN switch (not Ethernet)",
          id: "switch WAN (bukan Ethernet)",
        },
      };
  }
}

/** How one host adapter is cabled into its segment. */
export interface Attachment {
  /** The host's node id. */
  host: string;
  /** Its adapter (`ethN`). */
  adapter: number;
  /** The switch or hub and port at the other end of its cable, if any. */
  via?: { node: string; port: number };
}

/** One L2 segment. */
export interface Segment {
  /** Its hosts' node ids, in file order. */
  hosts: string[];
  /** Every host adapter in it, in file order of hosts, then adapter. */
  attachments: Attachment[];
  /** The switches and hubs in it, in file order. */
  bridges: string[];
  /** The switches' VLANs it is, in order (a hub's count as VLAN 1). */
  vlans: number[];
}

class Sets {
  readonly #parent = new Map<string, string>();
  find(key: string): string {
    let root = this.#parent.get(key) ?? key;
    if (!this.#parent.has(key)) this.#parent.set(key, key);
    while (root !== this.#parent.get(root)) root = this.#parent.get(root)!;
    this.#parent.set(key, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(rb, ra);
  }
  keys(): string[] {
    return [...this.#parent.keys()];
  }
}

type End =
  | { vertex: string }
  | { trunk: { node: string; native: number } };

/**
 * The segments of `project`, largest first (most hosts; of equal ones, the
 * one with the host that comes first in the file).
 */
export function segmentsOf(
  project: Gns3Project,
  kinds: ReadonlyMap<string, NodeKind>,
): Segment[] {
  const byId = new Map(project.nodes.map((n) => [n.id, n]));
  const order = new Map(project.nodes.map((n, i) => [n.id, i]));
  const vlans = new Set<number>([1]);
  for (const node of project.nodes) {
    for (const port of node.ports ?? []) vlans.add(port.vlan);
  }
  const sets = new Sets();
  const vias = new Map<string, { node: string; port: number }>();
  const endOf = (nodeId: string, adapter: number, port: number): End => {
    const node = byId.get(nodeId)!;
    if (kinds.get(nodeId)?.kind === "host") {
      return { vertex: `h|${nodeId}|${adapter}` };
    }
    if (node.type === "ethernet_hub") return { vertex: `b|${nodeId}|1` };
    const config = node.ports?.find((p) => p.number === port);
    const vlan = config?.vlan ?? 1;
    return config?.kind === "dot1q"
      ? { trunk: { node: nodeId, native: vlan } }
      : { vertex: `b|${nodeId}|${vlan}` };
  };
  for (const link of project.links) {
    const [a, b] = link.ends;
    const ka = kinds.get(a.node)?.kind;
    const kb = kinds.get(b.node)?.kind;
    if (ka === "out" || kb === "out" || !ka || !kb) continue;
    const ea = endOf(a.node, a.adapter, a.port);
    const eb = endOf(b.node, b.adapter, b.port);
    if (ka === "host" && kb === "bridge") {
      vias.set(`h|${a.node}|${a.adapter}`, { node: b.node, port: b.port });
    }
    if (kb === "host" && ka === "bridge") {
      vias.set(`h|${b.node}|${b.adapter}`, { node: a.node, port: a.port });
    }
    if ("vertex" in ea && "vertex" in eb) {
      sets.union(ea.vertex, eb.vertex);
    } else if ("trunk" in ea && "vertex" in eb) {
      sets.union(eb.vertex, `b|${ea.trunk.node}|${ea.trunk.native}`);
    } else if ("vertex" in ea && "trunk" in eb) {
      sets.union(ea.vertex, `b|${eb.trunk.node}|${eb.trunk.native}`);
    } else if ("trunk" in ea && "trunk" in eb) {
      // Tagged frames keep their VLAN; untagged ones go native to native.
      for (const vlan of vlans) {
        sets.union(`b|${ea.trunk.node}|${vlan}`, `b|${eb.trunk.node}|${vlan}`);
      }
      sets.union(
        `b|${ea.trunk.node}|${ea.trunk.native}`,
        `b|${eb.trunk.node}|${eb.trunk.native}`,
      );
    }
  }
  const groups = new Map<string, Segment>();
  for (const key of sets.keys()) {
    const root = sets.find(key);
    let segment = groups.get(root);
    if (!segment) {
      segment = { hosts: [], attachments: [], bridges: [], vlans: [] };
      groups.set(root, segment);
    }
    const [type, id, number] = key.split("|");
    if (type === "h") {
      if (!segment.hosts.includes(id)) segment.hosts.push(id);
      const via = vias.get(key);
      segment.attachments.push({
        host: id,
        adapter: Number(number),
        ...(via ? { via } : {}),
      });
    } else {
      if (!segment.bridges.includes(id)) segment.bridges.push(id);
      if (!segment.vlans.includes(Number(number))) {
        segment.vlans.push(Number(number));
      }
    }
  }
  const byFile = (a: string, b: string) => order.get(a)! - order.get(b)!;
  const segments = [...groups.values()].filter((s) => s.hosts.length > 0);
  // A host linked to nothing (or only to left-out nodes) is alone.
  const placed = new Set(segments.flatMap((s) => s.hosts));
  for (const node of project.nodes) {
    if (kinds.get(node.id)?.kind === "host" && !placed.has(node.id)) {
      segments.push({
        hosts: [node.id],
        attachments: [{ host: node.id, adapter: 0 }],
        bridges: [],
        vlans: [],
      });
    }
  }
  for (const segment of segments) {
    segment.hosts.sort(byFile);
    segment.bridges.sort(byFile);
    segment.vlans.sort((a, b) => a - b);
    segment.attachments.sort((a, b) =>
      byFile(a.host, b.host) || a.adapter - b.adapter
    );
  }
  return segments.sort((a, b) =>
    b.hosts.length - a.hosts.length || byFile(a.hosts[0], b.hosts[0])
  );
}
