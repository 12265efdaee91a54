// The lab from a GNS3 project, as a student types it: lab up/run/exec
// --gns3 FILE builds the project's hosts in namespaces; bad project files
// are one line and exit 2 with nothing built; lab export writes a project
// that imports back.
import assert from "node:assert/strict";
import { crc32 } from "../lib/gns3/_crc32.ts";
import { writeZip } from "../lib/gns3/_zip_write.ts";
import {
  deflatedZeros,
  FIXTURES,
  nodeId,
  projectJson,
  rawZip,
  staticInterfaces,
  THREE_HOSTS,
} from "./_gns3.ts";
import {
  CAN_BUILD_LABS,
  lab,
  labEtcEntries,
  labNamespaces,
  parseRecords,
  results,
  uniqueLabName,
} from "./_lab.ts";
import { ROOT } from "./_dist.ts";

const ignore = !CAN_BUILD_LABS;
const encode = (s: string) => new TextEncoder().encode(s);

async function assertNothingBuilt(name: string): Promise<void> {
  assert.deepEqual(await labNamespaces(name), [], "namespaces made");
  assert.deepEqual(await labEtcEntries(name), [], "/etc/netns entries made");
}

/**
 * A portable project: three hosts on two chained switches with static
 * addresses in 10.40.0.0/24, and a router image on a third switch with a
 * fourth host behind it.
 */
async function chainedProject(dir: string): Promise<string> {
  const nodes = [
    { n: 1, name: "sender", type: "docker" },
    { n: 2, name: "Receiver-A", type: "docker" },
    { n: 3, name: "receiver-b", type: "vpcs" },
    { n: 4, name: "behind-router", type: "docker" },
    { n: 10, name: "SW1", type: "ethernet_switch" },
    { n: 11, name: "SW2", type: "ethernet_switch" },
    { n: 12, name: "SW3", type: "ethernet_switch" },
    { n: 20, name: "R1", type: "dynamips", symbol: ":/symbols/router.svg" },
  ];
  const links: [number, number, number, number, number?, number?][] = [
    [1, 0, 10, 0],
    [2, 0, 10, 1],
    [10, 7, 11, 7],
    [3, 0, 11, 2],
    [20, 0, 11, 6],
    [20, 0, 12, 0, 1, 0],
    [4, 0, 12, 1],
  ];
  const config = (n: number, text: string) => ({
    name: `project-files/${n === 3 ? "vpcs" : "docker"}/${nodeId(n)}/${
      n === 3 ? "startup.vpc" : "etc/network/interfaces"
    }`,
    data: encode(text),
  });
  const path = `${dir}/chained.gns3project`;
  await Deno.writeFile(
    path,
    await writeZip([
      {
        name: "project.gns3",
        data: encode(JSON.stringify(projectJson(8, nodes, links))),
      },
      config(1, staticInterfaces("10.40.0.11")),
      config(2, staticInterfaces("10.40.0.12")),
      config(3, "set pcname receiver-b\nip 10.40.0.13 10.40.0.1 24\n"),
      config(4, staticInterfaces("10.40.1.14")),
    ]),
  );
  return path;
}

/** `lab exec HOST -- deno task ROLE ARGS…` in the background, JSON lines piped. */
function execRole(
  name: string,
  file: string,
  host: string,
  role: string[],
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--quiet",
      "lab",
      "exec",
      host,
      "--gns3",
      file,
      "--name",
      name,
      "--",
      Deno.execPath(),
      "task",
      "--quiet",
      ...role,
      "--json",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", LANG: "C.UTF-8" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads `child`'s stdout until a record of `type` arrives; resolves to the text read. */
async function waitFor(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  type: string,
): Promise<string> {
  let text = "";
  const decoder = new TextDecoder();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
    if (parseRecords(text).some((r) => r.type === type)) return text;
  }
  throw new Error(`no ${type} record in: ${text}`);
}

Deno.test({
  name:
    "lab --gns3: a broadcast crosses an imported topology (chained switches, a router left out)",
  ignore,
  async fn() {
    const name = uniqueLabName("g");
    const dir = await Deno.makeTempDir({ prefix: "pj_gns3_" });
    const children: Deno.ChildProcess[] = [];
    try {
      const file = await chainedProject(dir);
      const up = await lab(["up", "--gns3", file, "--name", name, "--json"]);
      assert.equal(up.code, 0, up.stdout + up.stderr);
      const imported = up.records.find((r) => r.type === "gns3")!;
      assert.deepEqual(imported.hosts, ["sender", "receiver-a", "receiver-b"]);
      assert.deepEqual(imported.bridges, ["SW1", "SW2"]);
      assert.deepEqual(imported.notes, [
        "R1 (dynamips): a router image: not emulated, left out",
        "behind-router: on another L2 segment (SW3) than the lab's (SW1, SW2): left out (the lab has one segment)",
        "Receiver-A: named receiver-a in the lab (lower-case letters, digits and hyphens)",
      ]);
      // The bridge's ports are the switches' ports the project names.
      const ports = await new Deno.Command("ip", {
        args: ["-n", `pj_${name}`, "-br", "link"],
        stdout: "piped",
      }).output();
      const names = new TextDecoder().decode(ports.stdout).split("\n")
        .map((l) => l.split("@")[0].split(" ")[0]).filter((n) =>
          /^s\d/.test(n)
        );
      assert.deepEqual(names.sort(), ["s1e0", "s1e1", "s2e2"]);

      // Receivers on both switches, then a sender bound to its address.
      for (const host of ["receiver-a", "receiver-b"]) {
        children.push(execRole(name, file, host, [
          "broadcast-receiver",
          "--port",
          "5005",
          "--count",
          "5",
          "--duration",
          "20",
        ]));
      }
      const readers = children.map((c) => c.stdout.getReader());
      const seen = await Promise.all(
        readers.map((r, i) =>
          waitFor(r, "listening").catch(async (err) => {
            const status = await children[i].status;
            const stderr = await new Response(children[i].stderr).text();
            throw new Error(`${err.message}; exit ${status.code}: ${stderr}`);
          })
        ),
      );
      const sender = await lab([
        "exec",
        "sender",
        "--gns3",
        file,
        "--name",
        name,
        "--",
        Deno.execPath(),
        "task",
        "--quiet",
        "broadcast-sender",
        "--to",
        "10.40.0.255",
        "--bind",
        "10.40.0.11",
        "--count",
        "5",
        "--interval",
        "50",
        "--json",
      ]);
      assert.equal(sender.code, 0, sender.stdout + sender.stderr);
      for (const [i, reader] of readers.entries()) {
        const text = seen[i] + await waitFor(reader, "summary");
        const summary = parseRecords(text).find((r) => r.type === "summary")!;
        assert.equal(summary.received, 5, text);
        // Every datagram came from the sender's address in the project.
        const froms = parseRecords(text).filter((r) => r.type === "datagram")
          .map((r) => `${r.from} ${r.seq}`);
        assert.deepEqual(
          froms,
          [1, 2, 3, 4, 5].map((n) => `10.40.0.11 ${n}`),
          text,
        );
      }
      // The host behind the router was not built.
      const behind = await lab([
        "exec",
        "behind-router",
        "--gns3",
        file,
        "--name",
        name,
        "--",
        "true",
      ]);
      assert.equal(behind.code, 2);
      assert.match(behind.stderr, /unknown host "behind-router"/);
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGTERM");
        } catch {
          // already gone
        }
        await child.status;
        await child.stderr.cancel().catch(() => {});
      }
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
      await assertNothingBuilt(name);
    }
  },
});

Deno.test({
  name:
    "lab run --gns3: lab.yaml's scenarios run on the practicum's project (the NAT node left out)",
  ignore,
  async fn() {
    const name = uniqueLabName("gr");
    try {
      const run = await lab([
        "run",
        "broadcast-receivers-first",
        "--gns3",
        `${FIXTURES}practicum/praktikum-udp-2.gns3`,
        "--name",
        name,
        "--json",
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const result = results(run.records).get("broadcast-receivers-first")!;
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.deepEqual(
        run.records.find((r) => r.type === "gns3")!.notes,
        ["NAT1 (nat): GNS3's NAT to the outside (the lab's hosts reach only each other): not emulated, left out"],
      );
      // A scenario the project cannot run says why.
      const router = await lab([
        "run",
        "unicast",
        "--gns3",
        `${FIXTURES}router/router.gns3`,
        "--name",
        name,
      ]);
      assert.equal(router.code, 2);
      assert.match(
        router.stderr,
        /scenario unicast left out: alpine-2 is not in the project/,
      );
    } finally {
      await lab(["down", "--name", name]);
      await assertNothingBuilt(name);
    }
  },
});

/** The bad project files of the issue, each with what its one line says. */
async function badFiles(dir: string): Promise<[string, string, RegExp][]> {
  const write = async (file: string, data: string | Uint8Array) => {
    const path = `${dir}/${file}`;
    await Deno.writeFile(path, typeof data === "string" ? encode(data) : data);
    return path;
  };
  const valid = JSON.stringify(
    projectJson(9, THREE_HOSTS.nodes, THREE_HOSTS.links),
  );
  const bomb = await deflatedZeros(300, crc32);
  return [
    [
      "not JSON",
      await write("notjson.gns3", "{ this is not json"),
      /notjson\.gns3: not a GNS3 project: not JSON/,
    ],
    [
      "another type",
      await write(
        "type.gns3",
        JSON.stringify({ ...JSON.parse(valid), type: "appliance" }),
      ),
      /"type" is "appliance", not "topology"/,
    ],
    [
      "GNS3 1.x's revision",
      await write(
        "old.gns3",
        JSON.stringify({ ...JSON.parse(valid), revision: 4 }),
      ),
      /revision 4 is GNS3 1\.x's format/,
    ],
    [
      "an unknown revision",
      await write(
        "new.gns3",
        JSON.stringify({ ...JSON.parse(valid), revision: 12 }),
      ),
      /revision 12 is newer than GNS3 2\.2's/,
    ],
    [
      "duplicate names",
      await write(
        "dup.gns3",
        JSON.stringify(projectJson(9, [
          { n: 1, name: "alpine-1", type: "docker" },
          { n: 2, name: "alpine-1", type: "docker" },
        ], [])),
      ),
      /two nodes named "alpine-1"/,
    ],
    [
      "a link to a node that does not exist",
      await write(
        "link.gns3",
        JSON.stringify(projectJson(9, THREE_HOSTS.nodes, [[1, 0, 42, 0]])),
      ),
      /links to node .*, which is not in the project/,
    ],
    [
      "a zip bomb",
      await write(
        "bomb.gns3project",
        rawZip([
          {
            name: "project.gns3",
            data: encode(valid),
            crc: crc32(encode(valid)),
          },
          {
            name: "project-files/qemu/disk.img",
            data: bomb.data,
            size: bomb.size,
            method: 8,
            crc: bomb.crc,
          },
        ]),
      ),
      /entry "project-files\/qemu\/disk\.img" would inflate to 314572800 bytes from \d+ \(\d+:1\): refused as a zip bomb/,
    ],
    [
      "a path outside the zip",
      await write(
        "outside.gns3project",
        await writeZip([
          { name: "project.gns3", data: encode(valid) },
          {
            name: "project-files/../../../etc/cron.d/x",
            data: encode("* * * * * root true\n"),
          },
        ]),
      ),
      /entry "project-files\/\.\.\/\.\.\/\.\.\/etc\/cron\.d\/x" points outside the zip/,
    ],
    [
      "--strict and a router image",
      `${FIXTURES}router/router.gns3`,
      /--strict: R1 \(dynamips\): a router image/,
    ],
  ];
}

Deno.test({
  name:
    "lab up --gns3: every bad project file is one line, exit 2, nothing built",
  ignore,
  async fn() {
    const name = uniqueLabName("gb");
    const dir = await Deno.makeTempDir({ prefix: "pj_gns3_" });
    try {
      for (const [what, file, line] of await badFiles(dir)) {
        const strict = what.startsWith("--strict") ? ["--strict"] : [];
        const up = await lab(["up", "--gns3", file, "--name", name, ...strict]);
        assert.equal(up.code, 2, `${what}: ${up.stdout}${up.stderr}`);
        const lines = up.stderr.trim().split("\n");
        assert.match(lines[0], line, what);
        assert.match(lines[0], /^lab: error: /, what);
        if (!strict.length) {
          assert.equal(lines.length, 1, `${what}: ${up.stderr}`);
        }
        assert.doesNotMatch(
          up.stderr,
          /\bat .*\.ts:\d+/,
          `${what}: a stack trace`,
        );
        await assertNothingBuilt(name);
      }
      // In Indonesian too.
      const id = await lab([
        "up",
        "--gns3",
        `${dir}/new.gns3`,
        "--name",
        name,
        "--lang",
        "id",
      ]);
      assert.equal(id.code, 2);
      assert.match(id.stderr, /revisi berkas 12 lebih baru dari GNS3 2\.2/);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
      await assertNothingBuilt(name);
    }
  },
});

Deno.test("lab export --gns3 writes the lab as a project that reads back with lab.yaml's hosts; flags are checked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pj_gns3_" });
  try {
    const file = `${dir}/progjar.gns3project`;
    const exported = await lab(["export", "--gns3", file]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /wrote .*progjar\.gns3project: a GNS3 portable project \(5 Docker Alpine hosts on Switch1, NAT1\)/,
    );
    const again = await lab(["export", "--gns3", file]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists: not overwritten/);
    // Read back with no lab.yaml at all: the project's own addresses.
    const list = await lab([
      "list",
      "--gns3",
      file,
      "--file",
      `${dir}/none.yaml`,
      "--json",
    ]);
    assert.equal(list.code, 2, "a --file named must exist");
    const back = await lab(["list", "--gns3", file, "--json"]);
    assert.equal(back.code, 0, back.stderr);
    assert.deepEqual(back.records.find((r) => r.type === "gns3")!.hosts, [
      "alpine-1",
      "alpine-2",
      "alpine-3",
      "alpine-4",
      "alpine-5",
    ]);
    assert.equal(back.records.filter((r) => r.type === "scenario").length, 6);
    for (
      const [args, pattern] of [
        [["export"], /export needs --gns3 FILE/],
        [
          ["export", "--gns3", `${dir}/x.zip`],
          /name the project FILE\.gns3project/,
        ],
        [
          ["export", "--gns3", `${dir}/y.gns3`, "--strict"],
          /--strict is for importing a GNS3 project/,
        ],
        [
          ["up", "--subnet", "10.0.0.0/24"],
          /--subnet is for importing a GNS3 project/,
        ],
        [
          ["list", "--gns3", file, "--subnet", "10.0.0.1/24"],
          /--subnet: 10\.0\.0\.1 is not the network address/,
        ],
      ] as [string[], RegExp][]
    ) {
      const bad = await lab(args);
      assert.equal(bad.code, 2, args.join(" "));
      assert.match(bad.stderr, pattern, args.join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
