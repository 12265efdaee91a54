import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/errors.ts";
import { parseProject } from "../../lib/gns3/project.ts";
import {
  maskPrefix,
  parseInterfaces,
  parseVpcs,
} from "../../lib/gns3/_netconf.ts";
import { nodeId, projectJson, THREE_HOSTS } from "../_gns3.ts";

/** The lines `text` is refused with (English and Indonesian). */
function problems(text: string): { en: string[]; id: string[] } {
  try {
    parseProject(text, { file: "x.gns3" });
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return { en: err.text.en.split("\n"), id: err.text.id.split("\n") };
  }
  assert.fail("the project was accepted");
}

const json = (value: unknown) => JSON.stringify(value);

Deno.test("gns3 project: revisions 5 to 9 as each GNS3 wrote them read the same", () => {
  const seen = [];
  for (const revision of [5, 6, 7, 8, 9]) {
    const project = parseProject(
      json(projectJson(revision, THREE_HOSTS.nodes, THREE_HOSTS.links)),
      { file: "x.gns3" },
    );
    assert.equal(project.revision, revision);
    seen.push(
      JSON.stringify([
        project.nodes.map((n) => [n.name, n.type, n.ports?.length]),
        project.links.map((l) => l.ends),
      ]),
    );
  }
  assert.equal(new Set(seen).size, 1, seen.join("\n"));
});

Deno.test("gns3 project: a switch's ports, VLANs and trunks; a hub's ports; GNS3's default eight", () => {
  const project = parseProject(
    json(projectJson(9, [
      { n: 1, name: "SW", type: "ethernet_switch", vlans: [1, 10, "trunk"] },
      { n: 2, name: "HUB", type: "ethernet_hub", vlans: [1, 1] },
    ], [])),
    { file: "x.gns3" },
  );
  assert.deepEqual(project.nodes[0].ports, [
    { number: 0, name: "Ethernet0", kind: "access", vlan: 1 },
    { number: 1, name: "Ethernet1", kind: "access", vlan: 10 },
    { number: 2, name: "Ethernet2", kind: "dot1q", vlan: 1 },
  ]);
  assert.equal(project.nodes[1].ports?.length, 2);
  const bare = projectJson(
    9,
    [{ n: 1, name: "SW", type: "ethernet_switch" }],
    [],
  );
  // deno-lint-ignore no-explicit-any
  delete (bare.topology as any).nodes[0].properties.ports_mapping;
  assert.equal(
    parseProject(json(bare), { file: "x" }).nodes[0].ports?.length,
    8,
  );
});

Deno.test("gns3 project: not JSON, an empty file, not an object: one line each", () => {
  assert.deepEqual(problems("PK\u0003\u0004garbage").en.length, 1);
  assert.match(
    problems("{nodes: 1}").en[0],
    /^x\.gns3: not a GNS3 project: not JSON \(/,
  );
  assert.match(problems("  ").en[0], /not JSON \(the file is empty\)/);
  assert.match(problems("[1, 2]").en[0], /the JSON is not an object/);
  assert.match(
    problems("{nodes: 1}").id[0],
    /^x\.gns3: bukan proyek GNS3: bukan JSON/,
  );
});

Deno.test("gns3 project: a type other than topology is refused", () => {
  assert.deepEqual(problems(json({ type: "appliance", revision: 9 })).en, [
    'x.gns3: "type" is "appliance", not "topology": not a GNS3 project file',
  ]);
  assert.match(problems(json({ revision: 9 })).en[0], /"type" is missing/);
});

Deno.test("gns3 project: an unknown revision is refused: none, GNS3 1.x's, newer than 2.2's, not a number", () => {
  const base = { type: "topology", topology: { nodes: [], links: [] } };
  assert.match(
    problems(json(base)).en[0],
    /no file revision \("revision": missing\)/,
  );
  assert.match(
    problems(json({ ...base, revision: 4 })).en[0],
    /revision 4 is GNS3 1\.x's format, which is not read: open the project in GNS3 2\.x, save it/,
  );
  assert.match(
    problems(json({ ...base, revision: 10 })).en[0],
    /revision 10 is newer than GNS3 2\.2's \(9\)/,
  );
  assert.match(
    problems(json({ ...base, revision: "9" })).en[0],
    /no file revision \("revision": "9"\)/,
  );
  assert.match(
    problems(json({ ...base, revision: 10 })).id[0],
    /lebih baru dari GNS3 2\.2/,
  );
});

Deno.test("gns3 project: duplicate names and ids are refused, each named", () => {
  const doubled = projectJson(9, [
    { n: 1, name: "alpine-1", type: "docker" },
    { n: 2, name: "alpine-1", type: "docker" },
  ], []);
  assert.deepEqual(problems(json(doubled)).en, [
    'x.gns3: topology.nodes[1] ("alpine-1"): two nodes named "alpine-1" (also topology.nodes[0])',
  ]);
  const sameId = projectJson(9, [
    { n: 1, name: "a", type: "docker" },
    { n: 1, name: "b", type: "docker" },
  ], []);
  assert.match(
    problems(json(sameId)).en[0],
    /node_id .* is also topology\.nodes\[0\] \("a"\)'s/,
  );
});

Deno.test("gns3 project: a link to a node that does not exist, or to a port a switch lacks, or twice on one port, or to itself", () => {
  const nodes = THREE_HOSTS.nodes;
  assert.deepEqual(problems(json(projectJson(9, nodes, [[1, 0, 99, 0]]))).en, [
    `x.gns3: topology.links[0].nodes[1]: links to node ${
      nodeId(99)
    }, which is not in the project`,
  ]);
  assert.match(
    problems(json(projectJson(9, nodes, [[1, 0, 10, 8]]))).en[0],
    /links\[0\]\.nodes\[1\]: Switch1 has no port 8 \(its ports: 0, 1, 2, 3, 4, 5, 6, 7\)/,
  );
  assert.match(
    problems(json(projectJson(9, nodes, [[1, 0, 10, 0], [2, 0, 10, 0]]))).en[0],
    /links\[1\]\.nodes\[1\]: Switch1's adapter 0 port 0 is already linked \(topology\.links\[0\]\)/,
  );
  assert.match(
    problems(json(projectJson(9, nodes, [[10, 1, 10, 2]]))).en[0],
    /links\[0\]: links Switch1 to itself/,
  );
  const three = projectJson(9, nodes, []);
  // deno-lint-ignore no-explicit-any
  (three.topology as any).links = [{
    nodes: [{ node_id: nodeId(1), adapter_number: 0, port_number: 0 }],
  }];
  assert.match(problems(json(three)).en[0], /a link has two ends, this one 1/);
});

Deno.test("gns3 project: every problem at once, with an unknown node type and a missing id", () => {
  const bad = projectJson(9, [
    { n: 1, name: "x", type: "router" },
    { n: 2, name: "y", type: "docker" },
  ], [[2, 0, 7, 0]]);
  // deno-lint-ignore no-explicit-any
  delete (bad.topology as any).nodes[1].node_id;
  const lines = problems(json(bad)).en;
  // y has no id, so the link's first end names no node either.
  assert.equal(lines.length, 4, lines.join("\n"));
  assert.match(lines[0], /"x"\): node_type "router" is not one of GNS3's/);
  assert.match(lines[1], /"y"\): node_id missing is not a UUID/);
  assert.match(
    lines[2],
    /nodes\[0\]: links to node .*, which is not in the project/,
  );
  assert.match(
    lines[3],
    /nodes\[1\]: links to node .*7, which is not in the project/,
  );
});

Deno.test("interfaces: active static, netmask or /N, DHCP, a commented-out static kept, GNS3's sample ignored", () => {
  const config = parseInterfaces([
    "# Static config for eth0",
    "#auto eth0",
    "#iface eth0 inet static",
    "#\taddress 192.168.0.2",
    "#\tnetmask 255.255.255.0",
    "auto eth0",
    "iface eth0 inet dhcp",
    "#\thostname alpine-1",
    "",
    "auto eth1",
    "iface eth1 inet static",
    "    address 10.1.2.3/16",
    "",
    "#iface eth2 inet static",
    "#  address 192.168.122.207",
    "#  netmask 255.255.255.0",
    "iface eth3 inet static",
    "  netmask 255.255.255.128",
    "  address 172.16.0.5",
  ].join("\n"));
  assert.deepEqual([...config.dhcp], ["eth0"]);
  assert.deepEqual(config.static.get("eth1"), {
    address: "10.1.2.3",
    prefix: 16,
  });
  assert.deepEqual(config.static.get("eth3"), {
    address: "172.16.0.5",
    prefix: 25,
  });
  assert.equal(config.commented.get("eth0"), undefined, "GNS3's sample");
  assert.deepEqual(config.commented.get("eth2"), {
    address: "192.168.122.207",
    prefix: 24,
  });
});

Deno.test("vpcs: ip with a mask in each of its spellings, dhcp, the last one wins", () => {
  assert.deepEqual(parseVpcs("set pcname PC1\nip 10.0.0.5 10.0.0.1 24\n"), {
    address: "10.0.0.5",
    prefix: 24,
  });
  assert.deepEqual(parseVpcs("ip 10.0.0.5/26 10.0.0.1"), {
    address: "10.0.0.5",
    prefix: 26,
  });
  assert.deepEqual(parseVpcs("ip 10.0.0.5 255.255.0.0 10.0.0.1"), {
    address: "10.0.0.5",
    prefix: 16,
  });
  assert.deepEqual(parseVpcs("ip 10.0.0.5"), {
    address: "10.0.0.5",
    prefix: 24,
  });
  assert.equal(parseVpcs("ip 10.0.0.5\nip dhcp\n"), "dhcp");
  assert.equal(parseVpcs("set pcname PC1\n"), undefined);
  assert.equal(maskPrefix("255.0.255.0"), undefined);
  assert.equal(maskPrefix("0.0.0.0"), 0);
  assert.equal(maskPrefix("255.255.255.255"), 32);
});
