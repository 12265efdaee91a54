/**
 * A GNS3 project's topology file (`.gns3`, JSON; `project.gns3` inside a
 * portable `.gns3project`), read and checked: the nodes with their types and
 * switch ports, and the links between their ports. GNS3 2.x writes file
 * revisions 5 to 9 (9: GNS3 2.2), which share the parts read here; older
 * revisions are GNS3 1.x's format, newer ones a GNS3 not known yet.
 *
 * Every problem is one line naming the file and the place (`topology.links[2]`),
 * in English and Indonesian; all of them are reported at once.
 *
 * @example Read a project of one switch and two Docker hosts
 * ```ts
 * import { parseProject } from "./project.ts";
 *
 * const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
 * const project = parseProject(JSON.stringify({
 *   type: "topology", revision: 9, version: "2.2.44", name: "udp",
 *   project_id: id(0),
 *   topology: {
 *     nodes: [
 *       { node_id: id(1), name: "alpine-1", node_type: "docker", compute_id: "local" },
 *       { node_id: id(2), name: "alpine-2", node_type: "docker", compute_id: "local" },
 *       { node_id: id(3), name: "Switch1", node_type: "ethernet_switch", compute_id: "local" },
 *     ],
 *     links: [
 *       { nodes: [{ node_id: id(1), adapter_number: 0, port_number: 0 }, { node_id: id(3), adapter_number: 0, port_number: 0 }] },
 *       { nodes: [{ node_id: id(2), adapter_number: 0, port_number: 0 }, { node_id: id(3), adapter_number: 0, port_number: 1 }] },
 *     ],
 *     drawings: [], computes: [],
 *   },
 * }), { file: "udp.gns3" });
 * console.log(project.nodes.map((n) => n.name)); // ["alpine-1", "alpine-2", "Switch1"]
 * console.log(project.nodes[2].ports?.length); // 8 (GNS3's default switch)
 * ```
 *
 * @example A file that is not a topology: one line, exit code 2
 * ```ts
 * import { parseProject } from "./project.ts";
 *
 * try {
 *   parseProject('{"type": "appliance"}', { file: "x.gns3" });
 * } catch (err) {
 *   console.log((err as Error).message);
 *   // x.gns3: "type" is "appliance", not "topology": not a GNS3 project file
 * }
 * ```
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";

/** The node types of GNS3 2.x (its `node_type`). */
export const NODE_TYPES = [
  "cloud",
  "nat",
  "ethernet_hub",
  "ethernet_switch",
  "frame_relay_switch",
  "atm_switch",
  "docker",
  "dynamips",
  "vpcs",
  "traceng",
  "virtualbox",
  "vmware",
  "iou",
  "qemu",
] as const;

/** One of {@linkcode NODE_TYPES}. */
export type Gns3NodeType = (typeof NODE_TYPES)[number];

/** The file revisions read (GNS3 2.0 to 2.2). */
export const REVISIONS = { min: 5, max: 9 } as const;

/** A port of an Ethernet switch or hub (`properties.ports_mapping`). */
export interface Gns3Port {
  /** `port_number`. */
  number: number;
  /** Its name, e.g. `Ethernet3`. */
  name: string;
  /** `access` (one VLAN), `dot1q` (a trunk; `vlan` is the native one) or `qinq`; a hub's ports are `access`. */
  kind: "access" | "dot1q" | "qinq";
  /** The VLAN (1 when not given). */
  vlan: number;
}

/** One node of the project. */
export interface Gns3Node {
  /** `node_id` (a UUID). */
  id: string;
  /** Its name as GNS3 shows it. */
  name: string;
  /** `node_type`. */
  type: Gns3NodeType;
  /** `symbol`, e.g. `:/symbols/router.svg` (tells a router image from a PC). */
  symbol?: string;
  /** A switch's or hub's ports (GNS3's default eight when the file has none). */
  ports?: Gns3Port[];
  /** Where it is in the file, for messages: `topology.nodes[3]`. */
  where: string;
}

/** One end of a link: a node's adapter and port. */
export interface Gns3End {
  /** The node's `node_id`. */
  node: string;
  /** `adapter_number` (a Docker node's adapter N is its `ethN`). */
  adapter: number;
  /** `port_number` (a switch's port). */
  port: number;
}

/** A link: a cable between two ports. */
export interface Gns3Link {
  /** `link_id`, when the file has one. */
  id?: string;
  /** Its two ends. */
  ends: [Gns3End, Gns3End];
  /** Where it is in the file: `topology.links[2]`. */
  where: string;
}

/** A checked project. */
export interface Gns3Project {
  /** The project's name. */
  name: string;
  /** `project_id`, when given. */
  projectId?: string;
  /** The file revision (5 … 9). */
  revision: number;
  /** The GNS3 version that wrote it, when given. */
  version?: string;
  /** The nodes, in file order. */
  nodes: Gns3Node[];
  /** The links, in file order. */
  links: Gns3Link[];
}

/** Options for {@linkcode parseProject}. */
export interface ParseProjectOptions {
  /** The file named in messages. */
  file: string;
}

/** More nodes than this is not a practicum's project. */
const MAX_NODES = 10_000;
/** Past this many problems, the rest are counted. */
const MAX_PROBLEMS = 20;
/** What a node id may be: a UUID's letters (it names a folder). */
const NODE_ID = /^[A-Za-z0-9-]{1,64}$/;

/** GNS3's default switch: eight access ports in VLAN 1. */
function defaultPorts(): Gns3Port[] {
  return Array.from({ length: 8 }, (_, i) => ({
    number: i,
    name: `Ethernet${i}`,
    kind: "access" as const,
    vlan: 1,
  }));
}

/** Problems of one file, each a line in both languages. */
class Problems {
  readonly list: Text[] = [];
  add(en: string, id: string): void {
    this.list.push({ en, id });
  }
  /** Throws them all as one {@linkcode UsageError}, each line naming `file`. */
  throwIfAny(file: string): void {
    if (this.list.length === 0) return;
    const shown = this.list.slice(0, MAX_PROBLEMS);
    const more = this.list.length - shown.length;
    const lines = (lang: "en" | "id") =>
      [
        ...shown.map((t) => `${file}: ${t[lang]}`),
        ...(more > 0
          ? [
            lang === "en"
              ? `${file}: and ${more} more problems`
              : `${file}: dan ${more} masalah lain`,
          ]
          : []),
      ].join("\n");
    throw new UsageError({ en: lines("en"), id: lines("id") });
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/**
 * Reads and checks a `.gns3` file's text. Throws a {@linkcode UsageError}
 * (exit code 2) with one line per problem.
 */
export function parseProject(
  text: string,
  options: ParseProjectOptions,
): Gns3Project {
  const { file } = options;
  const problems = new Problems();
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (err) {
    const detail = text.trim() === ""
      ? "the file is empty"
      : (err as Error).message.split("\n", 1)[0];
    problems.add(
      `not a GNS3 project: not JSON (${detail})`,
      `bukan proyek GNS3: bukan JSON (${detail})`,
    );
    problems.throwIfAny(file);
  }
  if (!isObject(root)) {
    problems.add(
      "not a GNS3 project: the JSON is not an object",
      "bukan proyek GNS3: JSON-nya bukan objek",
    );
    problems.throwIfAny(file);
  }
  const top = root as Json;
  if (top.type !== "topology") {
    const got = top.type === undefined ? "missing" : `"${String(top.type)}"`;
    problems.add(
      `"type" is ${got}, not "topology": not a GNS3 project file`,
      `"type" ${
        top.type === undefined ? "tidak ada" : `berisi ${got}`
      }, bukan "topology": bukan berkas proyek GNS3`,
    );
    problems.throwIfAny(file);
  }
  const revision = top.revision;
  if (!Number.isSafeInteger(revision)) {
    problems.add(
      `no file revision ("revision": ${
        JSON.stringify(revision) ?? "missing"
      }): GNS3 2.x writes 5 to 9`,
      `tidak ada revisi berkas ("revision": ${
        JSON.stringify(revision) ?? "tidak ada"
      }): GNS3 2.x menulis 5 sampai 9`,
    );
  } else if ((revision as number) < REVISIONS.min) {
    problems.add(
      `file revision ${revision} is GNS3 1.x's format, which is not read: open the project in GNS3 2.x, save it, and try again (revisions 5 to 9 are read)`,
      `revisi berkas ${revision} adalah format GNS3 1.x, yang tidak dibaca: buka proyek di GNS3 2.x, simpan, lalu coba lagi (revisi 5 sampai 9 yang dibaca)`,
    );
  } else if ((revision as number) > REVISIONS.max) {
    problems.add(
      `file revision ${revision} is newer than GNS3 2.2's (${REVISIONS.max}): not known here (revisions 5 to 9 are read)`,
      `revisi berkas ${revision} lebih baru dari GNS3 2.2 (${REVISIONS.max}): belum dikenal di sini (revisi 5 sampai 9 yang dibaca)`,
    );
  }
  problems.throwIfAny(file);

  const topology = top.topology;
  if (!isObject(topology)) {
    problems.add(
      `"topology" is ${
        topology === undefined ? "missing" : "not an object"
      }: no nodes or links to read`,
      `"topology" ${
        topology === undefined ? "tidak ada" : "bukan objek"
      }: tidak ada node atau link untuk dibaca`,
    );
    problems.throwIfAny(file);
  }
  const body = topology as Json;
  const nodes = nodeList(body.nodes, problems);
  const links = linkList(body.links, nodes, problems);
  problems.throwIfAny(file);
  return {
    name: typeof top.name === "string" ? top.name : "",
    ...(typeof top.project_id === "string"
      ? { projectId: top.project_id }
      : {}),
    revision: revision as number,
    ...(typeof top.version === "string" ? { version: top.version } : {}),
    nodes,
    links,
  };
}

function nodeList(value: unknown, problems: Problems): Gns3Node[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(
      `topology.nodes is not a list`,
      `topology.nodes bukan daftar`,
    );
    return [];
  }
  if (value.length > MAX_NODES) {
    problems.add(
      `topology.nodes: ${value.length} nodes, more than ${MAX_NODES}`,
      `topology.nodes: ${value.length} node, lebih dari ${MAX_NODES}`,
    );
    return [];
  }
  const nodes: Gns3Node[] = [];
  const ids = new Map<string, string>();
  const names = new Map<string, string>();
  value.forEach((item, i) => {
    const where = `topology.nodes[${i}]`;
    if (!isObject(item)) {
      problems.add(`${where} is not an object`, `${where} bukan objek`);
      return;
    }
    const name = typeof item.name === "string" && item.name.trim() !== ""
      ? item.name
      : undefined;
    const label = name === undefined ? where : `${where} ("${name}")`;
    if (name === undefined) {
      problems.add(`${where}: no name`, `${where}: tidak bernama`);
    }
    const id = item.node_id;
    if (typeof id !== "string" || !NODE_ID.test(id)) {
      problems.add(
        `${label}: node_id ${JSON.stringify(id) ?? "missing"} is not a UUID`,
        `${label}: node_id ${JSON.stringify(id) ?? "tidak ada"} bukan UUID`,
      );
    }
    const type = item.node_type;
    if (!(NODE_TYPES as readonly unknown[]).includes(type)) {
      problems.add(
        `${label}: node_type ${
          JSON.stringify(type) ?? "missing"
        } is not one of GNS3's (${NODE_TYPES.join(", ")})`,
        `${label}: node_type ${
          JSON.stringify(type) ?? "tidak ada"
        } bukan salah satu jenis GNS3 (${NODE_TYPES.join(", ")})`,
      );
    }
    if (typeof id === "string" && ids.has(id)) {
      problems.add(
        `${label}: node_id ${id} is also ${ids.get(id)}'s`,
        `${label}: node_id ${id} juga milik ${ids.get(id)}`,
      );
    }
    if (name !== undefined && names.has(name)) {
      problems.add(
        `${label}: two nodes named "${name}" (also ${names.get(name)})`,
        `${label}: dua node bernama "${name}" (juga ${names.get(name)})`,
      );
    }
    if (
      name === undefined || typeof id !== "string" || !NODE_ID.test(id) ||
      !(NODE_TYPES as readonly unknown[]).includes(type)
    ) {
      return;
    }
    ids.set(id, label);
    names.set(name, where);
    const node: Gns3Node = { id, name, type: type as Gns3NodeType, where };
    if (typeof item.symbol === "string") node.symbol = item.symbol;
    if (type === "ethernet_switch" || type === "ethernet_hub") {
      const ports = portList(item.properties, label, problems);
      if (ports) node.ports = ports;
    }
    nodes.push(node);
  });
  return nodes;
}

/**
 * A switch's or hub's ports: `properties.ports_mapping` (revisions 5 and
 * older converters wrote `properties.ports`), GNS3's default eight when
 * neither is there.
 */
function portList(
  properties: unknown,
  label: string,
  problems: Problems,
): Gns3Port[] | undefined {
  const list = isObject(properties)
    ? properties.ports_mapping ?? properties.ports
    : undefined;
  if (list === undefined || list === null) return defaultPorts();
  if (!Array.isArray(list)) {
    problems.add(
      `${label}: properties.ports_mapping is not a list`,
      `${label}: properties.ports_mapping bukan daftar`,
    );
    return undefined;
  }
  const ports: Gns3Port[] = [];
  const numbers = new Set<number>();
  list.forEach((port, j) => {
    const where = `${label}: ports_mapping[${j}]`;
    if (!isObject(port) || !isCount(port.port_number)) {
      problems.add(
        `${where}: no port_number`,
        `${where}: tidak ada port_number`,
      );
      return;
    }
    const number = port.port_number;
    if (numbers.has(number)) {
      problems.add(
        `${where}: port ${number} is listed twice`,
        `${where}: port ${number} terdaftar dua kali`,
      );
      return;
    }
    numbers.add(number);
    const kind = port.type === "dot1q" || port.type === "qinq"
      ? port.type
      : "access";
    const vlan = Number.isSafeInteger(port.vlan) && (port.vlan as number) > 0
      ? port.vlan as number
      : 1;
    ports.push({
      number,
      name: typeof port.name === "string" ? port.name : `Ethernet${number}`,
      kind,
      vlan,
    });
  });
  return ports;
}

function linkList(
  value: unknown,
  nodes: Gns3Node[],
  problems: Problems,
): Gns3Link[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(`topology.links is not a list`, `topology.links bukan daftar`);
    return [];
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const used = new Map<string, string>();
  const links: Gns3Link[] = [];
  value.forEach((item, i) => {
    const where = `topology.links[${i}]`;
    if (!isObject(item) || !Array.isArray(item.nodes)) {
      problems.add(
        `${where}: no "nodes" list`,
        `${where}: tidak ada daftar "nodes"`,
      );
      return;
    }
    if (item.nodes.length !== 2) {
      problems.add(
        `${where}: a link has two ends, this one ${item.nodes.length}`,
        `${where}: link punya dua ujung, yang ini ${item.nodes.length}`,
      );
      return;
    }
    const ends: Gns3End[] = [];
    item.nodes.forEach((end: unknown, j: number) => {
      const at = `${where}.nodes[${j}]`;
      if (
        !isObject(end) || typeof end.node_id !== "string" ||
        !isCount(end.adapter_number) || !isCount(end.port_number)
      ) {
        problems.add(
          `${at}: needs node_id, adapter_number and port_number`,
          `${at}: perlu node_id, adapter_number dan port_number`,
        );
        return;
      }
      const node = byId.get(end.node_id);
      if (!node) {
        problems.add(
          `${at}: links to node ${end.node_id}, which is not in the project`,
          `${at}: terhubung ke node ${end.node_id}, yang tidak ada di proyek`,
        );
        return;
      }
      const port = {
        node: end.node_id,
        adapter: end.adapter_number,
        port: end.port_number,
      };
      if (node.ports && !node.ports.some((p) => p.number === port.port)) {
        problems.add(
          `${at}: ${node.name} has no port ${port.port} (its ports: ${
            node.ports.map((p) => p.number).join(", ")
          })`,
          `${at}: ${node.name} tidak punya port ${port.port} (port-nya: ${
            node.ports.map((p) => p.number).join(", ")
          })`,
        );
        return;
      }
      const key = `${port.node}/${port.adapter}/${port.port}`;
      const other = used.get(key);
      if (other !== undefined) {
        problems.add(
          `${at}: ${node.name}'s adapter ${port.adapter} port ${port.port} is already linked (${other})`,
          `${at}: adapter ${port.adapter} port ${port.port} milik ${node.name} sudah terhubung (${other})`,
        );
        return;
      }
      used.set(key, where);
      ends.push(port);
    });
    if (ends.length !== 2) return;
    if (ends[0].node === ends[1].node) {
      const name = byId.get(ends[0].node)!.name;
      problems.add(
        `${where}: links ${name} to itself`,
        `${where}: menghubungkan ${name} ke dirinya sendiri`,
      );
      return;
    }
    links.push({
      ...(typeof item.link_id === "string" ? { id: item.link_id } : {}),
      ends: [ends[0], ends[1]],
      where,
    });
  });
  return links;
}
