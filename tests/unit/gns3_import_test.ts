import assert from "node:assert/strict";
import { ROLE_SPECS } from "../../cmd/_role_specs.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import {
  type Gns3Import,
  importGns3,
  type ImportOptions,
  labHostName,
} from "../../lib/gns3/import.ts";
import { parseProject } from "../../lib/gns3/project.ts";
import {
  type Gns3Source,
  type NodeConfig,
  readGns3,
} from "../../lib/gns3/read.ts";
import { parseSubnet, type Subnet } from "../../lib/net/subnet.ts";
import { loadTopology } from "../../lib/scenario/topology.ts";
import {
  FIXTURES,
  type LinkSpec,
  type NodeSpec,
  projectJson,
  staticInterfaces,
  THREE_HOSTS,
} from "../_gns3.ts";

const base = await loadTopology("lab.yaml", { specs: ROLE_SPECS });

function source(
  nodes: NodeSpec[],
  links: LinkSpec[],
  configs: Record<number, NodeConfig> = {},
  revision = 9,
): Gns3Source {
  const project = parseProject(
    JSON.stringify(projectJson(revision, nodes, links)),
    { file: "t.gns3" },
  );
  const map = new Map<string, NodeConfig>();
  for (const [n, config] of Object.entries(configs)) {
    map.set(
      project.nodes.find((node) =>
        node.id.endsWith(Number(n).toString(16).padStart(12, "0"))
      )!.id,
      config,
    );
  }
  return { file: "t.gns3", zip: false, project, configs: map };
}

function hosts(result: Gns3Import): string[] {
  return result.topology.hosts.map((h) =>
    `${h.name} ${h.address} ${h.iface} ${h.port}`
  );
}

function notes(result: Gns3Import): string[] {
  return result.notes.map((n) => n.en);
}

function refusal(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message.split("\n");
  }
  assert.fail("accepted");
}

const subnet = (cidr: string) => parseSubnet(cidr) as Subnet;

Deno.test("gns3 import: the practicum's project (five alpines, a switch, a NAT node): lab.yaml's addresses and every scenario", async () => {
  const result = importGns3(
    await readGns3(`${FIXTURES}practicum/praktikum-udp-2.gns3`),
    { base },
  );
  assert.deepEqual(hosts(result), [
    "alpine-1 192.168.122.207 eth0 e0",
    "alpine-2 192.168.122.131 eth0 e1",
    "alpine-3 192.168.122.7 eth0 e2",
    "alpine-4 192.168.122.12 eth0 e3",
    "alpine-5 192.168.122.197 eth0 e4",
  ]);
  assert.equal(result.topology.subnet.cidr, "192.168.122.0/24");
  assert.deepEqual(notes(result), [
    "NAT1 (nat): GNS3's NAT to the outside (the lab's hosts reach only each other): not emulated, left out",
  ]);
  assert.match(result.notes[0].id, /^NAT1 \(nat\): NAT GNS3 ke luar/);
  assert.deepEqual(
    result.topology.scenarios.map((s) => s.name),
    base.scenarios.map((s) => s.name),
  );
  assert.deepEqual(result.scenarioNotes, []);
  assert.deepEqual(result.bridges, ["Switch1"]);
  assert.equal(result.topology.name, "progjar");
});

Deno.test("gns3 import: a router image between two switches: one line each for what is left out, VPCS addresses kept", async () => {
  const result = importGns3(await readGns3(`${FIXTURES}router/router.gns3`), {
    base,
  });
  assert.deepEqual(hosts(result), [
    "pc1 10.0.1.11 eth0 e0",
    "pc2 10.0.1.12 eth0 e1",
    "alpine-1 10.0.1.2 eth0 e2",
  ]);
  assert.equal(result.topology.subnet.cidr, "10.0.1.0/24");
  assert.deepEqual(notes(result), [
    "R1 (dynamips): a router image: not emulated, left out",
    "vIOS-1 (qemu): a router or switch image (by its symbol): not emulated, left out",
    "alpine-2: on another L2 segment (SW2) than the lab's (SW1): left out (the lab has one segment)",
    "PC1: named pc1 in the lab (lower-case letters, digits and hyphens)",
    "PC2: named pc2 in the lab (lower-case letters, digits and hyphens)",
  ]);
  // Only the scenarios whose hosts are all there run; unicast needs alpine-2.
  assert.deepEqual(result.topology.scenarios, []);
  assert.equal(
    result.scenarioNotes[0].en,
    "scenario unicast left out: alpine-2 is not in the project",
  );
});

Deno.test("gns3 import: --strict refuses a project it would change, one line per change", async () => {
  const router = await readGns3(`${FIXTURES}router/router.gns3`);
  const refused = refusal(() => importGns3(router, { base, strict: true }));
  assert.equal(refused.length, 5);
  assert.match(
    refused[0],
    /^.*router\.gns3: --strict: R1 \(dynamips\): a router image/,
  );
  // A project the lab takes as it is passes.
  const clean = source(
    THREE_HOSTS.nodes.slice(0, 4),
    THREE_HOSTS.links.slice(0, 3),
  );
  assert.equal(importGns3(clean, { strict: true }).notes.length, 0);
});

Deno.test("gns3 import: a portable project (zip) with static addresses: they and their subnet are kept", async () => {
  const result = importGns3(await readGns3(`${FIXTURES}static.gns3project`), {
    base,
  });
  assert.deepEqual(hosts(result), [
    "alpine-1 10.0.0.11 eth0 e0",
    "alpine-2 10.0.0.12 eth0 e1",
    "alpine-3 10.0.0.13 eth0 e2",
  ]);
  assert.equal(result.topology.subnet.cidr, "10.0.0.0/24");
  assert.deepEqual(result.topology.scenarios.map((s) => s.name), ["unicast"]);
  assert.equal(result.scenarioNotes.length, 5);
});

Deno.test("gns3 import: every revision 5 to 9 gives the same lab", () => {
  const labs = [5, 6, 7, 8, 9].map((revision) =>
    JSON.stringify(
      hosts(
        importGns3(source(THREE_HOSTS.nodes, THREE_HOSTS.links, {}, revision), {
          base,
        }),
      ),
    )
  );
  assert.equal(new Set(labs).size, 1);
  assert.deepEqual(JSON.parse(labs[0]), [
    "alpine-1 192.168.122.207 eth0 e0",
    "alpine-2 192.168.122.131 eth0 e1",
    "alpine-3 192.168.122.7 eth0 e2",
  ]);
});

Deno.test("gns3 import: chained switches and a hub are one segment; bridge ports say which switch", () => {
  const result = importGns3(source([
    { n: 1, name: "a", type: "docker" },
    { n: 2, name: "b", type: "vpcs" },
    { n: 3, name: "c", type: "docker" },
    { n: 10, name: "SW1", type: "ethernet_switch" },
    { n: 11, name: "SW2", type: "ethernet_switch", vlans: ["trunk", 1, 1, 1] },
    { n: 12, name: "HUB1", type: "ethernet_hub" },
  ], [[1, 0, 10, 0], [10, 7, 11, 0], [2, 0, 11, 3], [11, 1, 12, 0], [
    3,
    0,
    12,
    4,
  ]]));
  assert.deepEqual(hosts(result), [
    "a 192.168.122.2 eth0 s1e0",
    "b 192.168.122.3 eth0 s2e3",
    "c 192.168.122.4 eth0 s3e4",
  ]);
  assert.deepEqual(result.bridges, ["SW1", "SW2", "HUB1"]);
  assert.deepEqual(notes(result), []);
});

Deno.test("gns3 import: VLANs split a switch; trunks carry them; the larger segment is the lab's", () => {
  const nodes: NodeSpec[] = [
    { n: 1, name: "v1-a", type: "docker" },
    { n: 2, name: "v10-a", type: "docker" },
    { n: 3, name: "v10-b", type: "docker" },
    {
      n: 10,
      name: "SW1",
      type: "ethernet_switch",
      vlans: [1, 10, 1, 1, 1, 1, 1, "trunk"],
    },
    { n: 11, name: "SW2", type: "ethernet_switch", vlans: ["trunk", 10] },
  ];
  const result = importGns3(
    source(nodes, [[1, 0, 10, 0], [2, 0, 10, 1], [10, 7, 11, 0], [
      3,
      0,
      11,
      1,
    ]]),
  );
  assert.deepEqual(result.topology.hosts.map((h) => h.name), [
    "v10-a",
    "v10-b",
  ]);
  assert.deepEqual(notes(result), [
    "v1-a: on another L2 segment (SW1, SW2 VLAN 1) than the lab's (SW1, SW2 VLAN 10): left out (the lab has one segment)",
  ]);
});

Deno.test("gns3 import: a host's second adapter and a host linked to nothing are one line each", () => {
  const result = importGns3(source([
    { n: 1, name: "alpine-1", type: "docker" },
    { n: 2, name: "alpine-2", type: "docker" },
    { n: 3, name: "lonely", type: "docker" },
    { n: 10, name: "SW1", type: "ethernet_switch" },
    { n: 11, name: "SW2", type: "ethernet_switch" },
  ], [[1, 0, 10, 0], [2, 0, 10, 1], [2, 0, 11, 0, 1, 0]]));
  assert.deepEqual(notes(result), [
    "lonely: linked to no switch or host: left out",
    "alpine-2: eth1 (to SW2) left out: the lab gives each host one interface",
  ]);
  // A host cabled on eth1 only keeps that name.
  const second = importGns3(source(
    [{ n: 1, name: "h", type: "docker" }, {
      n: 10,
      name: "SW",
      type: "ethernet_switch",
    }],
    [[1, 0, 10, 5, 1, 0]],
  ));
  assert.deepEqual(hosts(second), ["h 192.168.122.2 eth1 e5"]);
});

Deno.test("gns3 import: addresses: static beats lab.yaml, a commented static serves under DHCP, clashes and misfits are lines", () => {
  const nodes: NodeSpec[] = [
    { n: 1, name: "alpine-1", type: "docker" },
    { n: 2, name: "alpine-2", type: "docker" },
    { n: 3, name: "alpine-3", type: "docker" },
    { n: 4, name: "alpine-4", type: "docker" },
    { n: 10, name: "SW", type: "ethernet_switch" },
  ];
  const links: LinkSpec[] = [[1, 0, 10, 0], [2, 0, 10, 1], [3, 0, 10, 2], [
    4,
    0,
    10,
    3,
  ]];
  const result = importGns3(
    source(nodes, links, {
      1: { interfaces: staticInterfaces("192.168.122.50") },
      2: {
        interfaces:
          "auto eth0\niface eth0 inet dhcp\n#iface eth0 inet static\n#\taddress 192.168.122.60\n",
      },
      3: { interfaces: staticInterfaces("192.168.122.50") },
      4: { interfaces: staticInterfaces("10.9.9.9", "255.0.0.0") },
    }),
    { base },
  );
  assert.deepEqual(hosts(result), [
    "alpine-1 192.168.122.50 eth0 e0",
    "alpine-2 192.168.122.60 eth0 e1",
    "alpine-3 192.168.122.7 eth0 e2",
    "alpine-4 192.168.122.12 eth0 e3",
  ]);
  assert.deepEqual(notes(result), [
    "alpine-3: 192.168.122.50 (its static address in the project) is alpine-1's already: it has 192.168.122.7 in the lab",
    "alpine-4: 10.9.9.9 (its static address in the project) does not fit the lab's subnet 192.168.122.0/24: it has 192.168.122.12 in the lab",
  ]);
});

Deno.test("gns3 import: --subnet chooses the subnet; without lab.yaml, addresses are given out from the third on", () => {
  const given = importGns3(source(THREE_HOSTS.nodes, THREE_HOSTS.links), {
    subnet: subnet("10.20.0.0/24"),
  });
  assert.deepEqual(given.topology.hosts.map((h) => h.address), [
    "10.20.0.2",
    "10.20.0.3",
    "10.20.0.4",
  ]);
  assert.equal(given.topology.name, "progjar");
  const none = importGns3(source(THREE_HOSTS.nodes, THREE_HOSTS.links));
  assert.equal(none.topology.subnet.cidr, "192.168.122.0/24");
  assert.deepEqual(
    refusal(() =>
      importGns3(source(THREE_HOSTS.nodes, THREE_HOSTS.links), {
        subnet: subnet("10.0.0.0/30"),
      })
    ),
    [
      "t.gns3: no free address left in 10.0.0.0/30 for alpine-2 (3 hosts): choose a larger one with --subnet",
    ],
  );
});

Deno.test("gns3 import: names become lab host names; two that meet are refused; no host at all is refused", () => {
  assert.equal(labHostName("Alpine Linux-1"), "alpine-linux-1");
  assert.equal(labHostName("remote_busybox-1"), "remote-busybox-1");
  assert.equal(labHostName("Ñandú 2"), "nandu-2");
  assert.equal(labHostName("x".repeat(40)), "x".repeat(32));
  const clash = source([
    { n: 1, name: "PC1", type: "vpcs" },
    { n: 2, name: "pc1", type: "vpcs" },
    { n: 10, name: "SW", type: "ethernet_switch" },
  ], [[1, 0, 10, 0], [2, 0, 10, 1]]);
  assert.deepEqual(refusal(() => importGns3(clash)), [
    't.gns3: "pc1" and "PC1" are both pc1 in the lab: rename one in GNS3',
  ]);
  const routers = source([
    { n: 1, name: "R1", type: "dynamips" },
    { n: 2, name: "R2", type: "iou" },
  ], [[1, 0, 2, 0]]);
  assert.match(
    refusal(() => importGns3(routers))[0],
    /no node the lab can be a host of/,
  );
});

Deno.test("gns3 import: lab.yaml's root file systems go to the imported hosts (its own, or the file's)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const root of ["all", "own"]) {
      for (const sub of ["bin", "etc", "proc", "usr/local/bin"]) {
        await Deno.mkdir(`${dir}/${root}/${sub}`, { recursive: true });
      }
      for (
        const file of [
          "bin/sh",
          "bin/env",
          "etc/hosts",
          "usr/local/bin/progjar",
        ]
      ) {
        await Deno.writeTextFile(`${dir}/${root}/${file}`, "");
      }
    }
    await Deno.writeTextFile(
      `${dir}/lab.yaml`,
      "rootfs: all\nnetwork: { subnet: 10.0.0.0/24 }\nhosts:\n  alpine-2: { address: 10.0.0.5, rootfs: own }\n",
    );
    const options: ImportOptions = {
      base: await loadTopology(`${dir}/lab.yaml`),
    };
    const result = importGns3(
      source(THREE_HOSTS.nodes, THREE_HOSTS.links),
      options,
    );
    assert.deepEqual(
      result.topology.hosts.map((h) => `${h.name} ${h.address} ${h.rootfs}`),
      [
        `alpine-1 10.0.0.2 ${dir}/all`,
        `alpine-2 10.0.0.5 ${dir}/own`,
        `alpine-3 10.0.0.3 ${dir}/all`,
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
