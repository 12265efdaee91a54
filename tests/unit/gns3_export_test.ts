import assert from "node:assert/strict";
import { ROLE_SPECS } from "../../cmd/_role_specs.ts";
import { RuntimeError, UsageError } from "../../lib/cli/errors.ts";
import { exportFormat, projectOf, writeGns3 } from "../../lib/gns3/export.ts";
import { importGns3 } from "../../lib/gns3/import.ts";
import { parseProject } from "../../lib/gns3/project.ts";
import { readGns3 } from "../../lib/gns3/read.ts";
import { loadTopology, parseTopology } from "../../lib/scenario/topology.ts";

const lab = await loadTopology("lab.yaml", { specs: ROLE_SPECS });

// deno-lint-ignore no-explicit-any
type Json = any;

function counter(): () => string {
  let n = 0;
  return () =>
    `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, "0")}`;
}

Deno.test("gns3 export: Docker Alpine hosts, one switch with each on its own port, a NAT node on it", () => {
  const { project, files } = projectOf(lab, { uuid: counter() });
  const p = project as Json;
  assert.equal(p.type, "topology");
  assert.equal(p.revision, 9);
  assert.match(p.project_id, /^[0-9a-f-]{36}$/);
  const nodes = p.topology.nodes as Json[];
  assert.deepEqual(
    nodes.map((n) => `${n.name} ${n.node_type}`),
    [
      "alpine-1 docker",
      "alpine-2 docker",
      "alpine-3 docker",
      "alpine-4 docker",
      "alpine-5 docker",
      "Switch1 ethernet_switch",
      "NAT1 nat",
    ],
  );
  assert.ok(
    nodes.slice(0, 5).every((n) => n.properties.image === "alpine:latest"),
  );
  const sw = nodes[5];
  assert.equal(sw.properties.ports_mapping.length, 8);
  const links = p.topology.links as Json[];
  // Host N on EthernetN, the NAT node on the next port.
  assert.deepEqual(
    links.map((l) => [
      nodes.find((n) => n.node_id === l.nodes[0].node_id).name,
      l.nodes[1].node_id === sw.node_id ? l.nodes[1].port_number : "?",
    ]),
    [["alpine-1", 0], ["alpine-2", 1], ["alpine-3", 2], ["alpine-4", 3], [
      "alpine-5",
      4,
    ], ["NAT1", 5]],
  );
  // Each host's network configuration: the lab's address, the NAT as gateway.
  assert.equal(files.length, 5);
  assert.equal(
    files[0].path,
    `project-files/docker/${nodes[0].node_id}/etc/network/interfaces`,
  );
  assert.match(
    files[0].text,
    /^iface eth0 inet static\n\taddress 192\.168\.122\.207\n\tnetmask 255\.255\.255\.0\n\tgateway 192\.168\.122\.1$/m,
  );
  assert.match(files[4].text, /address 192\.168\.122\.197/);
  assert.match(files[4].text, /^#iface eth0 inet dhcp$/m);
  // What it writes reads as a project.
  assert.equal(
    parseProject(JSON.stringify(project), { file: "x" }).nodes.length,
    7,
  );
});

Deno.test("gns3 export: no gateway line off the NAT network; more hosts than eight, more ports", () => {
  const hosts = Array.from(
    { length: 9 },
    (_, i) => `  h${i + 1}: 10.1.0.${i + 10}`,
  );
  const other = parseTopology(
    `network: { subnet: 10.1.0.0/24 }\nhosts:\n${hosts.join("\n")}\n`,
  );
  const { project, files } = projectOf(other);
  assert.doesNotMatch(files[0].text, /gateway/);
  assert.equal(
    (project as Json).topology.nodes[9].properties.ports_mapping.length,
    10,
  );
});

Deno.test("gns3 export → import is a round trip, as a portable project and as a .gns3 with its project-files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const name of ["lab.gns3project", "lab.gns3p", "folder/lab.gns3"]) {
      const path = `${dir}/${name}`;
      await Deno.mkdir(`${dir}/folder`, { recursive: true });
      const written = await writeGns3(lab, path);
      assert.equal(written.format, name.endsWith(".gns3") ? "gns3" : "zip");
      // Read back without lab.yaml: the addresses come from the project.
      const back = importGns3(await readGns3(path));
      assert.deepEqual(
        back.topology.hosts.map((h) => [h.name, h.address]),
        lab.hosts.map((h) => [h.name, h.address]),
        name,
      );
      assert.equal(back.topology.subnet.cidr, lab.subnet.cidr);
      assert.deepEqual(back.notes.map((n) => n.en), [
        "NAT1 (nat): GNS3's NAT to the outside (the lab's hosts reach only each other): not emulated, left out",
      ]);
      // With lab.yaml, every scenario runs on it.
      const withBase = importGns3(await readGns3(path), { base: lab });
      assert.equal(withBase.topology.scenarios.length, lab.scenarios.length);
      assert.equal((await readGns3(path)).project.name, "lab");
    }
    // The .gns3 wrote its hosts' configurations beside it.
    const entries = [];
    for await (const e of Deno.readDir(`${dir}/folder/project-files/docker`)) {
      entries.push(e.name);
    }
    assert.equal(entries.length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gns3 export: never overwrites a file; the ending must say which format", async () => {
  const path = await Deno.makeTempFile({ suffix: ".gns3project" });
  try {
    await assert.rejects(() => writeGns3(lab, path), (err: unknown) => {
      assert.ok(err instanceof RuntimeError);
      assert.match(err.message, /exists: not overwritten/);
      return true;
    });
    assert.equal((await Deno.stat(path)).size, 0, "left as it was");
  } finally {
    await Deno.remove(path);
  }
  assert.throws(() => exportFormat("lab.zip"), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.match(
      err.message,
      /name the project FILE\.gns3project .* or FILE\.gns3/,
    );
    return true;
  });
  assert.equal(exportFormat("X.GNS3PROJECT"), "zip");
});
