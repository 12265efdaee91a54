import assert from "node:assert/strict";
import { ROLE_SPECS } from "../../cmd/_role_specs.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import {
  gatewayAddress,
  parseSubnet,
  type Subnet,
} from "../../lib/net/subnet.ts";
import { privilegeProblem } from "../../lib/net/netns.ts";
import {
  loadTopology,
  parseTopology,
  scenarioDescription,
} from "../../lib/scenario/topology.ts";
import {
  MAX_NESTING,
  parseDuration,
} from "../../lib/scenario/topology_check.ts";
import { BASE } from "../_lab_yaml.ts";

const specs = ROLE_SPECS;

/** The problems `text` is rejected with, one per line. */
function problems(text: string): string[] {
  try {
    parseTopology(text, { file: "x.yaml", specs });
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message.split("\n");
  }
  assert.fail("the topology was accepted");
}

Deno.test("lab.yaml: the lab's five hosts, its broadcast address and the five practicums", async () => {
  const topology = await loadTopology("lab.yaml", { specs });
  assert.equal(topology.name, "progjar");
  assert.equal(topology.subnet.broadcast, "192.168.122.255");
  assert.deepEqual(
    topology.hosts.map((h) => `${h.name} ${h.address}`),
    [
      "alpine-1 192.168.122.207",
      "alpine-2 192.168.122.131",
      "alpine-3 192.168.122.7",
      "alpine-4 192.168.122.12",
      "alpine-5 192.168.122.197",
    ],
  );
  assert.deepEqual(topology.scenarios.map((s) => s.name), [
    "unicast",
    "broadcast-receivers-first",
    "broadcast-sender-first",
    "multicast",
    "multicast-chat",
    "tcp-chat",
  ]);
});

Deno.test("scenario descriptions: plain text for both languages, or { en, id }", () => {
  const steps = `    steps:
      - host: alpine-2
        role: udp-server
`;
  const topology = parseTopology(
    `${BASE}scenarios:
  plain:
    description: one text
${steps}  both:
    description: { en: in English, id: dalam bahasa Indonesia }
${steps}`,
    { file: "x.yaml", specs },
  );
  const [plain, both] = topology.scenarios;
  assert.equal(scenarioDescription(plain, "en"), "one text");
  assert.equal(scenarioDescription(plain, "id"), "one text");
  assert.equal(scenarioDescription(both, "en"), "in English");
  assert.equal(scenarioDescription(both, "id"), "dalam bahasa Indonesia");
  // The JSON field stays the English text.
  assert.equal(both.description, "in English");
  const lines = problems(`${BASE}scenarios:
  a:
    description: { en: only English }
${steps}  b:
    description: { en: x, id: y, fr: z }
${steps}  c:
    description: { en: "", id: [y] }
${steps}`);
  const expected = [
    /^x\.yaml:\d+:\d+: scenario a: description: expected id: \(text\)$/,
    /^x\.yaml:\d+:\d+: scenario b: description: unknown key "fr"/,
    /^x\.yaml:\d+:\d+: scenario c: description: en: expected text$/,
    /^x\.yaml:\d+:\d+: scenario c: description: id: expected text$/,
  ];
  for (const pattern of expected) {
    assert.ok(
      lines.some((line) => pattern.test(line)),
      `no line matches ${pattern}; got:\n${lines.join("\n")}`,
    );
  }
  assert.equal(lines.length, expected.length, lines.join("\n"));
});

Deno.test("the 50-host fixture is a valid topology", async () => {
  const topology = await loadTopology("tests/fixtures/lab50.yaml", { specs });
  assert.equal(topology.hosts.length, 50);
  assert.equal(new Set(topology.hosts.map((h) => h.address)).size, 50);
});

Deno.test("a YAML syntax error is reported with file:line:column", () => {
  const lines = problems(BASE + "scenarios:\n  x: [unclosed\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^x\.yaml:(8|9):\d+: .*Flow sequence/);
});

Deno.test("a duplicate key is a YAML error with its position", () => {
  const lines = problems(BASE + "  alpine-1: 192.168.122.5\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^x\.yaml:7:3: .*unique/i);
});

Deno.test("every problem of the topology: one line each, with its position", () => {
  const text = `name: t
network:
  subnet: 192.168.122.0/24
colour: blue
hosts:
  alpine-1: 192.168.122.207
  alpine-2: 192.168.122.207
  alpine-3: 10.0.0.1
  alpine-4: 192.168.122.255
  alpine-5: 192.168.122.0
  Alpine_6: 192.168.122.6
scenarios:
  s:
    steps:
      - host: alpine-9
        role: broadcast-receiver
      - host: alpine-1
        role: no-such-role
      - host: alpine-1
        role: broadcast-sender
        after: soon
        flags: { colour: red, quiet: yes, count: true, to: "{nowhere}" }
        stop: later
        expect: { lines: some, firstSeq: big }
      - host: alpine-1
        role: udp-server
        flags: { json: true }
`;
  const expected = [
    /^x\.yaml:4:1: the topology file: unknown key "colour"/,
    /^x\.yaml:7:13: hosts\.alpine-2: address 192\.168\.122\.207 is already alpine-1's$/,
    /^x\.yaml:8:13: hosts\.alpine-3: 10\.0\.0\.1 is outside the subnet 192\.168\.122\.0\/24$/,
    /^x\.yaml:9:13: hosts\.alpine-4: 192\.168\.122\.255 is the broadcast address/,
    /^x\.yaml:10:13: hosts\.alpine-5: 192\.168\.122\.0 is the network address/,
    /^x\.yaml:11:3: host name "Alpine_6"/,
    /^x\.yaml:15:15: scenario s: unknown host "alpine-9"$/,
    /^x\.yaml:18:15: scenario s: unknown role "no-such-role"$/,
    /^x\.yaml:21:16: scenario s: after: expected a duration/,
    /^x\.yaml:22:18: .*broadcast-sender has no flag --colour/,
    /^x\.yaml:22:38: .*--quiet is a switch: use true or false$/,
    /^x\.yaml:22:50: .*--count takes a value, not true$/,
    /^x\.yaml:22:60: .*unknown placeholder \{nowhere\}/,
    /^x\.yaml:23:15: scenario s: stop: expected "self"/,
    /^x\.yaml:24:26: scenario s: expect: lines: expected "all", "others" or "reachable"$/,
    /^x\.yaml:24:42: .*firstSeq: expected a number or a comparison/,
    /^x\.yaml:27:18: scenario s: flags: --json is set by the lab runner$/,
  ];
  const lines = problems(text);
  for (const pattern of expected) {
    assert.ok(
      lines.some((line) => pattern.test(line)),
      `no line matches ${pattern}; got:\n${lines.join("\n")}`,
    );
  }
  assert.equal(lines.length, expected.length, lines.join("\n"));
});

Deno.test("durations: seconds as numbers, ms/s/m as text; anything else is rejected", () => {
  assert.equal(parseDuration(1.5), 1500);
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("2s"), 2000);
  assert.equal(parseDuration("1m"), 60_000);
  for (const bad of ["2", "2 h", "-1s", "", true, null]) {
    assert.equal(parseDuration(bad), undefined, String(bad));
  }
  assert.equal(parseDuration(-1), undefined);
});

Deno.test("subnets: the network address and a sane prefix are required", () => {
  const subnet = parseSubnet("10.1.0.0/16");
  assert.ok(typeof subnet !== "string");
  assert.equal(subnet.broadcast, "10.1.255.255");
  assert.match(parseSubnet("10.1.0.1/16") as string, /not the network address/);
  assert.match(parseSubnet("10.0.0.0/31") as string, /outside/);
  assert.match(parseSubnet("10.0.0/8") as string, /expected a subnet/);
});

Deno.test("subnets: multicast, loopback, 0.0.0.0/8 and 240.0.0.0/4 are refused", () => {
  for (
    const [cidr, what] of [
      ["224.1.1.0/24", "multicast (224.0.0.0/4)"],
      ["239.255.0.0/16", "multicast (224.0.0.0/4)"],
      ["127.0.0.0/8", "loopback (127.0.0.0/8)"],
      ["127.5.0.0/16", "loopback (127.0.0.0/8)"],
      ["0.0.0.0/8", '"this network" (0.0.0.0/8)'],
      ["240.0.0.0/24", "reserved (240.0.0.0/4)"],
      ["255.255.255.0/24", "reserved (240.0.0.0/4)"],
    ]
  ) {
    const text = BASE.replace("192.168.122.0/24", cidr);
    assert.deepEqual(problems(text), [
      `x.yaml:3:11: network.subnet: ${cidr} is ${what}: hosts cannot have these addresses`,
    ]);
  }
  // Neighbours of the refused ranges are fine.
  for (
    const cidr of ["1.0.0.0/8", "126.0.0.0/8", "128.0.0.0/8", "223.1.1.0/24"]
  ) {
    assert.equal(typeof parseSubnet(cidr), "object", cidr);
  }
});

Deno.test("lab.yaml nested too deeply: one line with its position, not a stack overflow", () => {
  const flow = BASE + `scenarios: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
  assert.deepEqual(problems(flow), [
    // The top-level mapping is the first level, the first "[" the second.
    `x.yaml:7:${
      11 + MAX_NESTING
    }: nested too deeply (more than ${MAX_NESTING} levels)`,
  ]);
  const maps = BASE + `scenarios: ${"{a: ".repeat(2000)}1${"}".repeat(2000)}\n`;
  assert.match(problems(maps)[0], /^x\.yaml:7:\d+: nested too deeply/);
  const block = BASE + "scenarios:\n" +
    Array.from({ length: 1500 }, (_, i) => `${" ".repeat(i + 1)}- `).join(
      "\n",
    ) +
    "x\n";
  assert.match(problems(block)[0], /^x\.yaml:\d+:\d+: nested too deeply/);
  // At the limit it is only the usual problems.
  const fine = BASE +
    `scenarios: ${"[".repeat(MAX_NESTING - 1)}${"]".repeat(MAX_NESTING - 1)}\n`;
  assert.doesNotMatch(problems(fine).join("\n"), /nested too deeply/);
});

Deno.test("the lab says plainly when it is not root or has no ip", () => {
  assert.match(privilegeProblem({ uid: 1000, ip: true })!, /needs root/);
  assert.match(privilegeProblem({ uid: null, ip: true })!, /needs root/);
  assert.match(privilegeProblem({ uid: 0, ip: false })!, /iproute2/);
  assert.equal(privilegeProblem({ uid: 0, ip: true }), undefined);
});

/** A directory that looks like a rootfs with progjar installed. */
async function fakeRootfs(dir: string): Promise<void> {
  for (const sub of ["bin", "etc", "proc", "usr/local/bin"]) {
    await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  }
  await Deno.symlink("/bin/busybox", `${dir}/bin/sh`);
  await Deno.symlink("/bin/busybox", `${dir}/bin/env`);
  await Deno.writeTextFile(`${dir}/etc/hosts`, "");
  await Deno.symlink(
    "/opt/progjar/bin/progjar",
    `${dir}/usr/local/bin/progjar`,
  );
}

Deno.test("rootfs: for all hosts or per host, relative to the file; checked with its position", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lab_rootfs_" });
  try {
    await Deno.mkdir(`${dir}/empty`);
    await fakeRootfs(`${dir}/alpine`);
    const text = `network: { subnet: 192.168.122.0/24 }
rootfs: alpine
hosts:
  alpine-1: 192.168.122.207
  alpine-2: { address: 192.168.122.131, rootfs: ${dir}/alpine/ }
`;
    const topology = parseTopology(text, { file: `${dir}/lab.yaml`, specs });
    assert.deepEqual(topology.hosts.map((h) => h.rootfs), [
      `${dir}/alpine`,
      `${dir}/alpine`,
    ]);
    assert.deepEqual(
      problems(
        `${BASE}  alpine-3: { address: 192.168.122.7, rootfs: ${dir}/empty }
  alpine-4: { rootfs: ${dir}/alpine }
  alpine-5: { address: 192.168.122.5, disk: 1 }
rootfs: /nonexistent
`,
      ),
      [
        "x.yaml:10:9: rootfs: /nonexistent does not exist (build one with: sudo deno task alpine-rootfs)",
        `x.yaml:7:47: hosts.alpine-3.rootfs: ${dir}/empty is not a root file system: no /bin/sh (a shell)`,
        `x.yaml:8:13: hosts.alpine-4: missing key: address`,
        `x.yaml:9:39: hosts.alpine-5: unknown key "disk" (known: address, rootfs)`,
      ],
    );
    await Deno.remove(`${dir}/alpine/usr/local/bin/progjar`);
    assert.deepEqual(
      problems(`${BASE}rootfs: ${dir}/alpine
`),
      [
        `x.yaml:7:9: rootfs: ${dir}/alpine has no progjar installed (no /usr/local/bin/progjar; build one with: sudo deno task alpine-rootfs)`,
      ],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gatewayAddress: .1 as GNS3's NAT node, else the first address no host has, else none", () => {
  const net = (cidr: string) => parseSubnet(cidr) as Subnet;
  assert.equal(
    gatewayAddress(net("192.168.122.0/24"), ["192.168.122.207"]),
    "192.168.122.1",
  );
  assert.equal(
    gatewayAddress(net("10.0.0.0/29"), ["10.0.0.1", "10.0.0.2", "10.0.0.4"]),
    "10.0.0.3",
  );
  assert.equal(
    gatewayAddress(net("10.0.0.0/30"), ["10.0.0.1", "10.0.0.2"]),
    undefined,
  );
});
