/**
 * A GNS3 project as the lab's topology: its host nodes become the lab's
 * hosts (names kept), its switches and hubs the bridge, its cables the
 * hosts' veths on the ports the project names.
 *
 * The lab has one L2 segment (one bridge), so the hosts imported are those
 * of the project's largest segment: chained switches are one segment and
 * import whole. Everything left out or changed is one line of
 * {@linkcode Gns3Import.notes}: a router image, NAT or cloud node; a host on
 * another segment or linked to nothing; a host's second adapter; a name
 * made lower-case; an address that could not be kept. `strict` refuses the
 * project instead, one line per note.
 *
 * Addresses come from the project where it has them (a static address in a
 * Docker node's `interfaces`, active or commented out, or a VPCS node's
 * `ip`), else from lab.yaml's host of the same name, else the next free one
 * of the subnet from its third address on (the first is left for a
 * gateway, as GNS3's NAT node has 192.168.122.1). The subnet is the one
 * asked for, else the one most of the project's static addresses are in,
 * else lab.yaml's, else 192.168.122.0/24 (GNS3's NAT network).
 *
 * @example Two Docker nodes on a switch, a NAT node left out
 * ```ts
 * import { importGns3 } from "./import.ts";
 * import { parseProject } from "./project.ts";
 *
 * const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
 * const link = (a: number, b: number, port: number) => ({
 *   nodes: [
 *     { node_id: id(a), adapter_number: 0, port_number: 0 },
 *     { node_id: id(b), adapter_number: 0, port_number: port },
 *   ],
 * });
 * const project = parseProject(JSON.stringify({
 *   type: "topology", revision: 9, name: "lab",
 *   topology: {
 *     nodes: [
 *       { node_id: id(1), name: "alpine-1", node_type: "docker", compute_id: "local" },
 *       { node_id: id(2), name: "alpine-2", node_type: "docker", compute_id: "local" },
 *       { node_id: id(3), name: "Switch1", node_type: "ethernet_switch", compute_id: "local" },
 *       { node_id: id(4), name: "NAT1", node_type: "nat", compute_id: "local" },
 *     ],
 *     links: [link(1, 3, 0), link(2, 3, 1), link(4, 3, 7)],
 *     drawings: [], computes: [],
 *   },
 * }), { file: "lab.gns3" });
 * const { topology, notes } = importGns3(
 *   { file: "lab.gns3", zip: false, project, configs: new Map() },
 * );
 * console.log(topology.hosts.map((h) => `${h.name} ${h.address} ${h.port}`));
 * // ["alpine-1 192.168.122.2 e0", "alpine-2 192.168.122.3 e1"]
 * console.log(notes[0].en.startsWith("NAT1 (nat): ")); // true
 * ```
 *
 * @module
 */

import { ipv4ToNumber, numberToIpv4 } from "../cli/address.ts";
import { UsageError } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";
import { hostAddressProblem, parseSubnet, type Subnet } from "../net/subnet.ts";
import type { LabHost } from "../net/network.ts";
import type { Scenario, Topology } from "../scenario/types.ts";
import {
  type ConfiguredAddress,
  parseInterfaces,
  parseVpcs,
} from "./_netconf.ts";
import {
  type NodeKind,
  nodeKind,
  type Segment,
  segmentsOf,
} from "./_segments.ts";
import type { Gns3Node } from "./project.ts";
import type { Gns3Source } from "./read.ts";

/** The subnet when neither the project nor lab.yaml gives one: GNS3's NAT network. */
export const GNS3_NAT_SUBNET = "192.168.122.0/24";
/** More hosts than this is beyond one bridge (as lab.yaml's limit). */
const MAX_HOSTS = 250;

/** Options for {@linkcode importGns3}. */
export interface ImportOptions {
  /** lab.yaml: its name, subnet, hosts' addresses, scenarios and cover. */
  base?: Topology;
  /** The subnet asked for (`--subnet`). */
  subnet?: Subnet;
  /** Refuse the project rather than leave anything out or change it. */
  strict?: boolean;
}

/** What {@linkcode importGns3} made of a project. */
export interface Gns3Import {
  /** The lab's topology: the project's hosts, lab.yaml's scenarios that fit. */
  topology: Topology;
  /** What was left out or changed, one line each. */
  notes: Text[];
  /** lab.yaml's scenarios left out (a host they need is not imported), one line each. */
  scenarioNotes: Text[];
  /** The switches and hubs that became the bridge, by their GNS3 names. */
  bridges: string[];
}

/** A lab host name from a GNS3 name: lower-case letters, digits, hyphens, 32 at most. */
export function labHostName(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+/, "")
    .slice(0, 32).replace(/-+$/, "");
}

function t(en: string, id: string): Text {
  return { en, id };
}

/** The addresses a node's configuration gives for its interface `iface`. */
function configured(
  node: Gns3Node,
  iface: string,
  source: Gns3Source,
): { active?: ConfiguredAddress; commented?: ConfiguredAddress } {
  const config = source.configs.get(node.id);
  if (config?.interfaces !== undefined) {
    const parsed = parseInterfaces(config.interfaces);
    return {
      active: parsed.static.get(iface),
      commented: parsed.dhcp.has(iface) || !parsed.static.has(iface)
        ? parsed.commented.get(iface)
        : undefined,
    };
  }
  if (config?.vpcs !== undefined) {
    const found = parseVpcs(config.vpcs);
    return found && found !== "dhcp" ? { active: found } : {};
  }
  return {};
}

function subnetOfAddress(found: ConfiguredAddress): Subnet | undefined {
  if (found.prefix === undefined || found.prefix < 8 || found.prefix > 30) {
    return undefined;
  }
  const mask = (0xffffffff << (32 - found.prefix)) >>> 0;
  const network = numberToIpv4((ipv4ToNumber(found.address) & mask) >>> 0);
  const subnet = parseSubnet(`${network}/${found.prefix}`);
  return typeof subnet === "string" ? undefined : subnet;
}

/** The subnet most of `found` are in (the first of equals). */
function commonSubnet(found: ConfiguredAddress[]): Subnet | undefined {
  const counts = new Map<string, { subnet: Subnet; n: number }>();
  for (const address of found) {
    const subnet = subnetOfAddress(address);
    if (!subnet) continue;
    const entry = counts.get(subnet.cidr) ?? { subnet, n: 0 };
    entry.n++;
    counts.set(subnet.cidr, entry);
  }
  let best: { subnet: Subnet; n: number } | undefined;
  for (const entry of counts.values()) {
    if (!best || entry.n > best.n) best = entry;
  }
  return best?.subnet;
}

/** A host being imported. */
interface Candidate {
  node: Gns3Node;
  name: string;
  iface: string;
  port: string;
  active?: ConfiguredAddress;
  commented?: ConfiguredAddress;
  address?: string;
  /** Why the project's address could not be kept. */
  lost?: Text;
}

/**
 * Makes the lab's topology of `source`. Throws a {@linkcode UsageError}
 * (exit code 2) when nothing can be a host, when two hosts end up with one
 * name, when the subnet is too small, or, with `strict`, when anything would
 * be left out or changed.
 */
export function importGns3(
  source: Gns3Source,
  options: ImportOptions = {},
): Gns3Import {
  const { project, file } = source;
  const { base } = options;
  const notes: Text[] = [];
  const kinds = new Map<string, NodeKind>(
    project.nodes.map((n) => [n.id, nodeKind(n)]),
  );
  const byId = new Map(project.nodes.map((n) => [n.id, n]));
  for (const node of project.nodes) {
    const kind = kinds.get(node.id)!;
    if (kind.kind !== "out") continue;
    notes.push(t(
      `${node.name} (${node.type}): ${kind.what.en}: not emulated, left out`,
      `${node.name} (${node.type}): ${kind.what.id}: tidak diemulasikan, ditinggalkan`,
    ));
  }
  const segments = segmentsOf(project, kinds);
  if (segments.length === 0) {
    throw new UsageError(t(
      `${file}: no node the lab can be a host of (docker, vpcs, qemu, virtualbox, vmware): nothing to build`,
      `${file}: tidak ada node yang bisa menjadi host lab (docker, vpcs, qemu, virtualbox, vmware): tidak ada yang dibangun`,
    ));
  }
  const main = segments[0];
  const bridges = main.bridges.map((id) => byId.get(id)!.name);
  // A segment by its switches (and VLANs, where the project has others).
  const vlans = segments.some((s) => s.vlans.some((v) => v !== 1));
  const named = (segment: Segment) =>
    segment.bridges.length === 0
      ? segment.hosts.map((id) => byId.get(id)!.name).join(", ")
      : `${segment.bridges.map((id) => byId.get(id)!.name).join(", ")}${
        vlans ? ` VLAN ${segment.vlans.join("/")}` : ""
      }`;
  const where = named(main);
  for (const segment of segments.slice(1)) {
    for (const id of segment.hosts) {
      if (main.hosts.includes(id)) continue;
      const name = byId.get(id)!.name;
      const linked = project.links.some((l) =>
        l.ends.some((e) => e.node === id) &&
        l.ends.every((e) => kinds.get(e.node)?.kind !== "out")
      );
      notes.push(
        linked
          ? t(
            `${name}: on another L2 segment (${
              named(segment)
            }) than the lab's (${where}): left out (the lab has one segment)`,
            `${name}: di segmen L2 lain (${
              named(segment)
            }) dari segmen lab (${where}): ditinggalkan (lab punya satu segmen)`,
          )
          : t(
            `${name}: linked to no switch or host: left out`,
            `${name}: tidak terhubung ke switch atau host: ditinggalkan`,
          ),
      );
    }
  }
  if (main.hosts.length > MAX_HOSTS) {
    throw new UsageError(t(
      `${file}: ${main.hosts.length} hosts on one segment, more than the lab's ${MAX_HOSTS}`,
      `${file}: ${main.hosts.length} host dalam satu segmen, lebih dari batas lab ${MAX_HOSTS}`,
    ));
  }

  // Each host's first adapter on the segment; its other cables left out.
  const candidates: Candidate[] = [];
  const names = new Map<string, string>();
  for (const id of main.hosts) {
    const node = byId.get(id)!;
    const mine = main.attachments.filter((a) => a.host === id);
    const chosen = mine[0];
    for (const link of project.links) {
      for (const [i, end] of link.ends.entries()) {
        if (end.node !== id || end.adapter === chosen.adapter) continue;
        const other = byId.get(link.ends[1 - i].node)!;
        notes.push(t(
          `${node.name}: eth${end.adapter} (to ${other.name}) left out: the lab gives each host one interface`,
          `${node.name}: eth${end.adapter} (ke ${other.name}) ditinggalkan: lab memberi setiap host satu antarmuka`,
        ));
      }
    }
    let name = labHostName(node.name);
    if (name === "") name = `host-${candidates.length + 1}`;
    if (name !== node.name) {
      notes.push(t(
        `${node.name}: named ${name} in the lab (lower-case letters, digits and hyphens)`,
        `${node.name}: bernama ${name} di lab (huruf kecil, angka dan tanda hubung)`,
      ));
    }
    const taken = names.get(name);
    if (taken !== undefined) {
      throw new UsageError(t(
        `${file}: "${node.name}" and "${taken}" are both ${name} in the lab: rename one in GNS3`,
        `${file}: "${node.name}" dan "${taken}" sama-sama ${name} di lab: ganti nama salah satunya di GNS3`,
      ));
    }
    names.set(name, node.name);
    const iface = `eth${chosen.adapter}`;
    let port = `p${candidates.length + 1}`;
    if (chosen.via) {
      const k = main.bridges.indexOf(chosen.via.node);
      port = main.bridges.length === 1
        ? `e${chosen.via.port}`
        : `s${k + 1}e${chosen.via.port}`;
    }
    candidates.push({
      node,
      name,
      iface,
      port,
      ...configured(node, iface, source),
    });
  }

  const statics = candidates.flatMap((c) => c.active ? [c.active] : []);
  const fallback = parseSubnet(GNS3_NAT_SUBNET) as Subnet;
  const subnet = options.subnet ?? commonSubnet(statics) ??
    commonSubnet(candidates.flatMap((c) => c.commented ? [c.commented] : [])) ??
    base?.subnet ?? fallback;
  assignAddresses(candidates, { subnet, base, notes, file });

  if (options.strict && notes.length > 0) {
    const lines = (lang: "en" | "id") =>
      notes.map((n) => `${file}: --strict: ${n[lang]}`).join("\n");
    throw new UsageError({ en: lines("en"), id: lines("id") });
  }

  const baseHosts = new Map((base?.hosts ?? []).map((h) => [h.name, h]));
  const hosts: LabHost[] = candidates.map((c) => {
    const rootfs = baseHosts.get(c.name)?.rootfs ?? base?.rootfs;
    return {
      name: c.name,
      address: c.address!,
      ...(rootfs !== undefined ? { rootfs } : {}),
      iface: c.iface,
      port: c.port,
    };
  });
  const { scenarios, scenarioNotes } = fittingScenarios(
    base?.scenarios ?? [],
    { hosts: new Set(hosts.map((h) => h.name)), known: baseHosts },
  );
  return {
    topology: {
      file,
      name: base?.name ?? "progjar",
      subnet,
      hosts,
      scenarios,
      ...(base?.student ? { student: base.student } : {}),
      ...(base?.rootfs !== undefined ? { rootfs: base.rootfs } : {}),
    },
    notes,
    scenarioNotes,
    bridges,
  };
}

/**
 * Gives every candidate an address: the project's static ones first, then
 * the commented ones, then lab.yaml's by name, then the next free.
 */
function assignAddresses(
  candidates: Candidate[],
  context: { subnet: Subnet; base?: Topology; notes: Text[]; file: string },
): void {
  const { subnet, base, notes, file } = context;
  const owner = new Map<string, string>();
  const take = (c: Candidate, address: string) => {
    c.address = address;
    owner.set(address, c.name);
  };
  const fromProject = (kind: "active" | "commented") => {
    for (const c of candidates) {
      const found = c[kind];
      if (c.address !== undefined || !found) continue;
      const how = kind === "active"
        ? t("its static address in the project", "alamat statisnya di proyek")
        : t(
          "the static address commented out in the project",
          "alamat statis yang dikomentari di proyek",
        );
      const problem = hostAddressProblem(subnet, found.address);
      const other = owner.get(found.address);
      if (problem === undefined && other === undefined) {
        take(c, found.address);
      } else if (kind === "active" || other !== undefined) {
        c.lost = problem !== undefined
          ? t(
            `${found.address} (${how.en}) does not fit the lab's subnet ${subnet.cidr}`,
            `${found.address} (${how.id}) tidak cocok dengan subnet lab ${subnet.cidr}`,
          )
          : t(
            `${found.address} (${how.en}) is ${other}'s already`,
            `${found.address} (${how.id}) sudah milik ${other}`,
          );
      }
    }
  };
  fromProject("active");
  fromProject("commented");
  const baseHosts = new Map((base?.hosts ?? []).map((h) => [h.name, h]));
  for (const c of candidates) {
    const known = baseHosts.get(c.name)?.address;
    if (c.address !== undefined || known === undefined) continue;
    if (hostAddressProblem(subnet, known) === undefined && !owner.has(known)) {
      take(c, known);
    }
  }
  const network = ipv4ToNumber(subnet.network);
  const broadcast = ipv4ToNumber(subnet.broadcast);
  let next = network + 2;
  for (const c of candidates) {
    if (c.address === undefined) {
      while (next < broadcast && owner.has(numberToIpv4(next))) next++;
      if (next >= broadcast) {
        throw new UsageError(t(
          `${file}: no free address left in ${subnet.cidr} for ${c.name} (${candidates.length} hosts): choose a larger one with --subnet`,
          `${file}: tidak ada alamat bebas di ${subnet.cidr} untuk ${c.name} (${candidates.length} host): pilih yang lebih besar dengan --subnet`,
        ));
      }
      take(c, numberToIpv4(next));
    }
    if (c.lost) {
      notes.push(t(
        `${c.name}: ${c.lost.en}: it has ${c.address} in the lab`,
        `${c.name}: ${c.lost.id}: di lab alamatnya ${c.address}`,
      ));
    }
  }
}

/** Every host name a scenario needs: its steps' hosts and flag values naming lab.yaml hosts. */
function neededHosts(
  scenario: Scenario,
  known: ReadonlyMap<string, unknown>,
): string[] {
  const needed = new Set<string>();
  for (const step of scenario.steps) {
    for (const host of step.hosts) needed.add(host);
    if (step.kind === "start") {
      for (const [, value] of step.flags) {
        if (typeof value === "string" && known.has(value)) needed.add(value);
      }
    }
  }
  // In lab.yaml's order, whatever order the steps name them in.
  const order = [...known.keys()];
  return [...needed].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function fittingScenarios(
  scenarios: Scenario[],
  context: { hosts: Set<string>; known: ReadonlyMap<string, unknown> },
): { scenarios: Scenario[]; scenarioNotes: Text[] } {
  const fitting: Scenario[] = [];
  const scenarioNotes: Text[] = [];
  for (const scenario of scenarios) {
    const missing = neededHosts(scenario, context.known).filter((h) =>
      !context.hosts.has(h)
    );
    if (missing.length === 0) {
      fitting.push(scenario);
      continue;
    }
    scenarioNotes.push(t(
      `scenario ${scenario.name} left out: ${missing.join(", ")} ${
        missing.length === 1 ? "is" : "are"
      } not in the project`,
      `skenario ${scenario.name} ditinggalkan: ${
        missing.join(", ")
      } tidak ada di proyek`,
    ));
  }
  return { scenarios: fitting, scenarioNotes };
}
