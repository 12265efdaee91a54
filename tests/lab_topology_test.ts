import assert from "node:assert/strict";
import { MAX_NESTING } from "../lib/scenario/topology_check.ts";
import { CAN_BUILD_LABS, lab, labNamespaces, tempYaml } from "./_lab.ts";
import { BASE } from "./_lab_yaml.ts";

Deno.test("subnets: a multicast subnet, as a person meets it: one line with file:line:column, exit 2", async () => {
  const path = await tempYaml(BASE.replace("192.168.122.0/24", "224.1.1.0/24"));
  try {
    const { code, stderr } = await lab(["up", "--file", path]);
    assert.equal(code, 2);
    assert.match(
      stderr.trim(),
      /^lab: error: [^\n]*:3:11: network\.subnet: 224\.1\.1\.0\/24 is multicast \(224\.0\.0\.0\/4\): hosts cannot have these addresses$/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("lab.yaml nested too deeply, as a person meets it: one line, exit 2", async () => {
  const flow = BASE + `scenarios: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
  const path = await tempYaml(flow);
  try {
    const { code, stderr } = await lab(["up", "--file", path]);
    assert.equal(code, 2);
    assert.match(
      stderr,
      new RegExp(
        `^lab: error: [^\\n]*:7:${
          11 + MAX_NESTING
        }: nested too deeply \\(more than ${MAX_NESTING} levels\\)\\n$`,
      ),
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("lab: a bad topology file exits 2 with one line per problem, nothing built", async () => {
  const path = await tempYaml(BASE + "  alpine-3: 192.168.122.131\n");
  try {
    const { code, stderr } = await lab(["up", "--file", path]);
    assert.equal(code, 2);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0],
      /^lab: error: .*:7:13: hosts\.alpine-3: address 192\.168\.122\.131 is already alpine-2's$/,
    );
    if (CAN_BUILD_LABS) assert.deepEqual(await labNamespaces("t"), []);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("lab: usage errors exit 2 with one line", async () => {
  const cases: [string[], RegExp][] = [
    [[], /a command is needed/],
    [["start"], /unknown command "start"/],
    [["run", "nope"], /unknown scenario "nope" \(scenarios: unicast, /],
    [["run"], /needs a scenario name or --all/],
    [["up", "--all"], /--all is only for run/],
    [["exec", "alpine-9", "--", "true"], /unknown host "alpine-9"/],
    [["up", "--name", "Bad_Name"], /--name: expected lower-case/],
    [["up", "--file", "/nonexistent.yaml"], /cannot read the topology file/],
    [
      ["up", "--rootfs", "/nonexistent"],
      /^lab: error: --rootfs \/nonexistent: \/nonexistent does not exist \(build one with: sudo deno task alpine-rootfs\)$/m,
    ],
    [["down", "--rootfs", "/tmp"], /--rootfs is only for up, run and console/],
    [
      ["exec", "a", "b"],
      /exec takes one host, got 2 \(a b\); put the command after "--"/,
    ],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await lab(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.match(stderr, pattern);
  }
});

Deno.test("lab: without ip, a clear message and exit 1", async () => {
  const { code, stderr } = await lab(["up", "--name", "tnoip"], {
    env: { PATH: "/nonexistent" },
  });
  assert.equal(code, 1);
  assert.match(stderr, /^lab: error: the lab needs iproute2's `ip` command/m);
});
