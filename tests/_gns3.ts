/**
 * Test helpers: GNS3 projects written as GNS3 2.x writes them (the `.gns3`
 * topology file of revisions 5 to 9), with the fields each revision has,
 * and small zips built by hand.
 *
 * @module
 */

/** A node id: a UUID made from a number. */
export function nodeId(n: number): string {
  return `5f1c0000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** A node of a test project. */
export interface NodeSpec {
  /** Its number (its id is {@linkcode nodeId} of it). */
  n: number;
  /** Its name. */
  name: string;
  /** Its `node_type`. */
  type: string;
  /** A symbol (a router image's, say). */
  symbol?: string;
  /** A switch's ports: VLAN per port, `"trunk"` for a dot1q port (default: 8 ports in VLAN 1). */
  vlans?: (number | "trunk")[];
}

/** A link: `[a, aPort, b, bPort]`, optionally with adapters `[…, aAdapter, bAdapter]`. */
export type LinkSpec = [number, number, number, number, number?, number?];

function switchPorts(spec: NodeSpec, revision: number) {
  const vlans = spec.vlans ?? Array.from({ length: 8 }, () => 1);
  return vlans.map((vlan, port) => ({
    name: `Ethernet${port}`,
    port_number: port,
    ...(spec.type === "ethernet_switch"
      ? {
        type: vlan === "trunk" ? "dot1q" : "access",
        vlan: vlan === "trunk" ? 1 : vlan,
        ...(revision >= 8 ? { ethertype: "" } : {}),
      }
      : {}),
  }));
}

/** One node as revision `revision` writes it. */
function nodeJson(spec: NodeSpec, revision: number, i: number) {
  const bridge = spec.type === "ethernet_switch" ||
    spec.type === "ethernet_hub";
  const properties: Record<string, unknown> = {};
  if (bridge) {
    // Revision 5 (converted from GNS3 1.x) called them `ports`.
    properties[revision === 5 ? "ports" : "ports_mapping"] = switchPorts(
      spec,
      revision,
    );
  } else if (spec.type === "docker") {
    Object.assign(properties, {
      adapters: 1,
      image: "alpine:latest",
      console_http_path: "/",
      console_http_port: 80,
      console_resolution: "1024x768",
      ...(revision >= 8 ? { extra_volumes: [], extra_hosts: null } : {}),
    });
  }
  return {
    compute_id: "local",
    console: bridge ? null : 5000 + i,
    // Revision 9 made a missing console "none"; before it was null.
    console_type: bridge ? (revision >= 9 ? "none" : null) : "telnet",
    label: {
      rotation: 0,
      style: "font-family: TypeWriter;font-size: 10;font-weight: bold;",
      text: spec.name,
      x: 10,
      y: -25,
    },
    name: spec.name,
    node_id: nodeId(spec.n),
    node_type: spec.type,
    ...(revision >= 6
      ? { port_name_format: "Ethernet{0}", port_segment_size: 0 }
      : {}),
    ...(revision >= 7 ? { first_port_name: null } : {}),
    ...(revision === 8 ? { appliance_id: nodeId(900 + i) } : {}),
    ...(revision >= 9 ? { template_id: nodeId(900 + i), locked: false } : {}),
    properties,
    symbol: spec.symbol ??
      (bridge
        ? ":/symbols/ethernet_switch.svg"
        : `:/symbols/${spec.type}_guest.svg`),
    x: i * 100,
    y: 0,
    z: 1,
  };
}

/** A `.gns3` file's object of revision `revision` (5 … 9, or anything for bad files). */
export function projectJson(
  revision: number,
  nodes: NodeSpec[],
  links: LinkSpec[],
): Record<string, unknown> {
  return {
    auto_start: false,
    name: `test-r${revision}`,
    project_id: nodeId(0),
    revision,
    topology: {
      computes: revision <= 6
        ? [{
          compute_id: "local",
          host: "127.0.0.1",
          name: "Local",
          port: 3080,
          protocol: "http",
        }]
        : [],
      drawings: [],
      links: links.map(([a, ap, b, bp, aa = 0, ba = 0], i) => ({
        link_id: nodeId(500 + i),
        nodes: [
          { adapter_number: aa, node_id: nodeId(a), port_number: ap },
          { adapter_number: ba, node_id: nodeId(b), port_number: bp },
        ],
        ...(revision >= 7 ? { filters: {}, suspend: false } : {}),
      })),
      nodes: nodes.map((n, i) => nodeJson(n, revision, i)),
    },
    type: "topology",
    version: { 5: "2.0.0a3", 6: "2.0.0b2", 7: "2.0.3", 8: "2.1.21" }[
      revision
    ] ?? "2.2.44",
  };
}

/** Three Docker hosts on one switch, and a NAT node on its port 7. */
export const THREE_HOSTS: { nodes: NodeSpec[]; links: LinkSpec[] } = {
  nodes: [
    { n: 1, name: "alpine-1", type: "docker" },
    { n: 2, name: "alpine-2", type: "docker" },
    { n: 3, name: "alpine-3", type: "docker" },
    { n: 10, name: "Switch1", type: "ethernet_switch" },
    { n: 11, name: "NAT1", type: "nat" },
  ],
  links: [[1, 0, 10, 0], [2, 0, 10, 1], [3, 0, 10, 2], [11, 0, 10, 7]],
};

/** The fixtures' folder. */
export const FIXTURES: string = new URL("./fixtures/gns3/", import.meta.url)
  .pathname;

/** An `interfaces` file with one active static stanza for eth0. */
export function staticInterfaces(address: string, netmask = "255.255.255.0") {
  return `auto eth0\niface eth0 inet static\n\taddress ${address}\n\tnetmask ${netmask}\n`;
}

/** One entry of {@linkcode rawZip}: its bytes as stored, and what it declares. */
export interface RawEntry {
  /** The name written. */
  name: string;
  /** The bytes in the archive (already deflated for method 8). */
  data: Uint8Array;
  /** 0 stored (default), 8 deflated. */
  method?: number;
  /** The inflated size declared (default: the data's length). */
  size?: number;
  /** The CRC-32 declared. */
  crc: number;
}

/** A zip written field by field, declaring whatever it is told to. */
export function rawZip(entries: RawEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const size = entry.size ?? entry.data.length;
    const local = new Uint8Array(30 + name.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 20, true);
    l.setUint16(8, entry.method ?? 0, true);
    l.setUint32(14, entry.crc, true);
    l.setUint32(18, entry.data.length, true);
    l.setUint32(22, size, true);
    l.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const c = new DataView(central.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(10, entry.method ?? 0, true);
    c.setUint32(16, entry.crc, true);
    c.setUint32(20, entry.data.length, true);
    c.setUint32(24, size, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    central.set(name, 46);
    parts.push(local, entry.data);
    centrals.push(central);
    offset += local.length + entry.data.length;
  }
  const size = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, size, true);
  e.setUint32(16, offset, true);
  const all = [...parts, ...centrals, end];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of all) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * `mib` MiB of zeros, deflated as they stream (never all in memory), with
 * their CRC-32: the body of a real zip bomb.
 */
export async function deflatedZeros(
  mib: number,
  crc32: (data: Uint8Array, crc?: number) => number,
): Promise<{ data: Uint8Array; size: number; crc: number }> {
  const chunk: Uint8Array<ArrayBuffer> = new Uint8Array(2 ** 20);
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(chunk, crc);
  let sent = 0;
  const zeros = new ReadableStream<BufferSource>({
    pull(controller) {
      if (sent++ < mib) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const data = new Uint8Array(
    await new Response(zeros.pipeThrough(new CompressionStream("deflate-raw")))
      .arrayBuffer(),
  );
  return { data, size: mib * 2 ** 20, crc };
}
