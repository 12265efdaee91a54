/**
 * The lab as a GNS3 project, for a student who has no project file: one
 * Docker Alpine node per host, named as the host; one Ethernet switch, each
 * host cabled to its own port (host N to `EthernetN`); a NAT node on the
 * switch's next port, as the course's topology has; and each node's network
 * configuration (`/etc/network/interfaces`, GNS3's "Edit network
 * configuration") set to the address the lab gives it, with the DHCP
 * stanza the practicum used kept beside it as a comment.
 *
 * The file is revision 9 (GNS3 2.2). `FILE.gns3project` (or `.gns3p`) is a
 * portable project (a zip: `project.gns3` and `project-files/`), what
 * GNS3's File → Import portable project opens; `FILE.gns3` is the topology
 * file, with `project-files/` written beside it, as GNS3 keeps a project in
 * its folder. Reading either back gives the same hosts and addresses.
 *
 * @example The project of a two-host lab (not written anywhere)
 * ```ts
 * import { projectOf } from "./export.ts";
 *
 * const lab = {
 *   file: "lab.yaml", name: "progjar",
 *   subnet: { cidr: "192.168.122.0/24", network: "192.168.122.0", prefix: 24, broadcast: "192.168.122.255" },
 *   hosts: [
 *     { name: "alpine-1", address: "192.168.122.207" },
 *     { name: "alpine-2", address: "192.168.122.131" },
 *   ],
 * };
 * const { project, files } = projectOf(lab, { name: "praktikum" });
 * const nodes = (project.topology as { nodes: { name: string; node_type: string }[] }).nodes;
 * console.log(nodes.map((n) => `${n.name} ${n.node_type}`));
 * // ["alpine-1 docker", "alpine-2 docker", "Switch1 ethernet_switch", "NAT1 nat"]
 * console.log(files[0].text.includes("address 192.168.122.207")); // true
 * ```
 *
 * @module
 */

import { basename, dirname, extname, join } from "node:path";
import { ipv4ToNumber, numberToIpv4 } from "../cli/address.ts";
import { RuntimeError, UsageError } from "../cli/errors.ts";
import type { LabNetwork } from "../net/network.ts";
import { writeZip } from "./_zip_write.ts";

/** The Docker image of the exported hosts (GNS3's Alpine Linux appliance). */
export const ALPINE_IMAGE = "alpine:latest";
/** The GNS3 version the file says wrote it. */
const VERSION = "2.2.0";
/** GNS3's NAT node's address on its network (libvirt's virbr0). */
const NAT_GATEWAY = "192.168.122.1";

/** Options for {@linkcode projectOf}. */
export interface ProjectOptions {
  /** The project's name in GNS3; default the lab's name. */
  name?: string;
  /** Makes the UUIDs (tests give a counter); default random. */
  uuid?: () => string;
}

/** A project to write: the topology and the files of `project-files/`. */
export interface ProjectFiles {
  /** The `.gns3` JSON as an object. */
  project: Record<string, unknown>;
  /** The nodes' files, by their path inside the project. */
  files: { path: string; text: string }[];
}

function netmask(prefix: number): string {
  return numberToIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/** The `interfaces` file of a host: the lab's address, DHCP as a comment. */
export function interfacesText(
  host: { name: string; address: string },
  lab: LabNetwork,
): string {
  const { subnet } = lab;
  const value = ipv4ToNumber(NAT_GATEWAY);
  // The NAT node is the gateway when the lab is on its network.
  const nat = value > ipv4ToNumber(subnet.network) &&
    value < ipv4ToNumber(subnet.broadcast) &&
    !lab.hosts.some((h) => h.address === NAT_GATEWAY);
  return [
    `# ${host.name}: its address in the progjar lab (written by lab export).`,
    "auto eth0",
    "iface eth0 inet static",
    `\taddress ${host.address}`,
    `\tnetmask ${netmask(subnet.prefix)}`,
    ...(nat
      ? [
        `\tgateway ${NAT_GATEWAY}`,
        `\tup echo nameserver ${NAT_GATEWAY} > /etc/resolv.conf`,
      ]
      : []),
    "",
    "# DHCP from the NAT node instead, as in the practicum: comment out the",
    "# stanza above and uncomment these lines.",
    "#auto eth0",
    "#iface eth0 inet dhcp",
    `#\thostname ${host.name}`,
    "",
  ].join("\n");
}

function label(text: string): Record<string, unknown> {
  return {
    rotation: 0,
    style:
      "font-family: TypeWriter;font-size: 10.0;font-weight: bold;fill: #000000;fill-opacity: 1.0;",
    text,
    x: 0,
    y: -25,
  };
}

/** The GNS3 project of `lab` (nothing is written). */
export function projectOf(
  lab: LabNetwork,
  options: ProjectOptions = {},
): ProjectFiles {
  const uuid = options.uuid ?? (() => crypto.randomUUID());
  const common = (name: string, x: number, y: number) => ({
    compute_id: "local",
    console: null,
    console_auto_start: false,
    label: label(name),
    locked: false,
    port_name_format: "Ethernet{0}",
    port_segment_size: 0,
    first_port_name: null,
    x,
    y,
    z: 1,
  });
  const width = 150;
  const left = -((lab.hosts.length - 1) * width) / 2;
  const hosts = lab.hosts.map((host, i) => ({
    ...common(host.name, Math.round(left + i * width), -200),
    node_id: uuid(),
    node_type: "docker",
    name: host.name,
    console_type: "telnet",
    symbol: ":/symbols/docker_guest.svg",
    properties: {
      adapters: 1,
      image: ALPINE_IMAGE,
      start_command: "",
      environment: "",
      extra_hosts: "",
      extra_volumes: [],
      console_http_path: "/",
      console_http_port: 80,
      console_resolution: "1024x768",
      usage: "",
    },
  }));
  const ports = Math.max(8, lab.hosts.length + 1);
  const switchNode = {
    ...common("Switch1", 0, 0),
    node_id: uuid(),
    node_type: "ethernet_switch",
    name: "Switch1",
    console_type: "none",
    symbol: ":/symbols/ethernet_switch.svg",
    properties: {
      ports_mapping: Array.from({ length: ports }, (_, n) => ({
        ethertype: "",
        name: `Ethernet${n}`,
        port_number: n,
        type: "access",
        vlan: 1,
      })),
    },
  };
  const nat = {
    ...common("NAT1", 0, 200),
    node_id: uuid(),
    node_type: "nat",
    name: "NAT1",
    console_type: "none",
    symbol: ":/symbols/cloud.svg",
    properties: {
      ports_mapping: [{
        interface: "virbr0",
        name: "nat0",
        port_number: 0,
        type: "ethernet",
      }],
    },
  };
  const link = (node: string, port: number) => ({
    link_id: uuid(),
    nodes: [
      { node_id: node, adapter_number: 0, port_number: 0 },
      { node_id: switchNode.node_id, adapter_number: 0, port_number: port },
    ],
    filters: {},
    link_style: {},
    suspend: false,
  });
  const project = {
    name: options.name ?? lab.name,
    project_id: uuid(),
    revision: 9,
    version: VERSION,
    type: "topology",
    auto_start: false,
    auto_open: false,
    auto_close: true,
    scene_width: 2000,
    scene_height: 1000,
    zoom: 100,
    show_layers: false,
    snap_to_grid: false,
    show_grid: false,
    grid_size: 75,
    drawing_grid_size: 25,
    show_interface_labels: false,
    supplier: null,
    variables: null,
    topology: {
      nodes: [...hosts, switchNode, nat],
      links: [
        ...hosts.map((h, i) => link(h.node_id, i)),
        link(nat.node_id, lab.hosts.length),
      ],
      drawings: [],
      computes: [],
    },
  };
  const files = lab.hosts.map((host, i) => ({
    path: `project-files/docker/${hosts[i].node_id}/etc/network/interfaces`,
    text: interfacesText(host, lab),
  }));
  return { project, files };
}

/** What {@linkcode writeGns3} wrote. */
export interface Written {
  /** The project file. */
  file: string;
  /** `zip` (a portable project) or `gns3` (a topology file and its folder). */
  format: "zip" | "gns3";
  /** The node configuration files written beside a `.gns3`. */
  files: string[];
}

/** How `path`'s ending says to write it, or a usage error. */
export function exportFormat(path: string): "zip" | "gns3" {
  const ending = extname(path).toLowerCase();
  if (ending === ".gns3") return "gns3";
  if (ending === ".gns3project" || ending === ".gns3p") return "zip";
  throw new UsageError({
    en:
      `--gns3 ${path}: name the project FILE.gns3project (a portable project, one file) or FILE.gns3 (a topology file, project-files/ beside it)`,
    id:
      `--gns3 ${path}: beri nama FILE.gns3project (proyek portabel, satu berkas) atau FILE.gns3 (berkas topologi, project-files/ di sebelahnya)`,
  });
}

/**
 * Writes `lab` as a GNS3 project to `path`, by its ending (see
 * {@linkcode exportFormat}). An existing file is never overwritten (exit 1).
 */
export async function writeGns3(
  lab: LabNetwork,
  path: string,
  options: ProjectOptions = {},
): Promise<Written> {
  const format = exportFormat(path);
  const name = options.name ?? basename(path, extname(path));
  const { project, files } = projectOf(lab, { ...options, name });
  const json = new TextEncoder().encode(
    JSON.stringify(project, null, 4) + "\n",
  );
  if (format === "zip") {
    const zip = await writeZip([
      { name: "project.gns3", data: json },
      ...files.map((f) => ({
        name: f.path,
        data: new TextEncoder().encode(f.text),
      })),
    ]);
    await writeNew(path, zip);
    return { file: path, format, files: [] };
  }
  await writeNew(path, json);
  const written: string[] = [];
  for (const file of files) {
    const target = join(dirname(path), file.path);
    await Deno.mkdir(dirname(target), { recursive: true });
    await writeNew(target, new TextEncoder().encode(file.text));
    written.push(target);
  }
  return { file: path, format, files: written };
}

async function writeNew(path: string, data: Uint8Array): Promise<void> {
  try {
    await Deno.writeFile(path, data, { createNew: true });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      throw new RuntimeError({
        en:
          `${path} exists: not overwritten (remove it, or choose another name)`,
        id: `${path} sudah ada: tidak ditimpa (hapus, atau pilih nama lain)`,
      });
    }
    const detail = err instanceof Error
      ? err.message.split("\n", 1)[0]
      : String(err);
    throw new RuntimeError({
      en: `${path}: cannot write: ${detail}`,
      id: `${path}: tidak bisa ditulis: ${detail}`,
    });
  }
}
