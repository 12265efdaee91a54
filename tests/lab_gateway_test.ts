/**
 * A lab host has what DHCP gives a VM in GNS3: a default route through the
 * switch's side at `.1` (GNS3's NAT node). So the first command a student
 * types, `broadcast-sender` with no `--to` (255.255.255.255), reaches the
 * other hosts as on a VM; and a datagram for outside the lab ends at the
 * switch: measured on the switch's bridge (it arrives) and on every
 * interface of the machine itself (nothing).
 */

import assert from "node:assert/strict";
import { taskCommand } from "./_dist.ts";
import { type RoleProcess, spawn } from "./_harness.ts";
import { CAN_BUILD_LABS, lab, tempYaml, uniqueLabName } from "./_lab.ts";

const ignore = !CAN_BUILD_LABS;
const LAB = await taskCommand("lab");
/** TEST-NET-3 (RFC 5737): never routed anywhere. */
const OUTSIDE = "203.0.113.7";

async function output(program: string, args: string[]) {
  const out = await new Deno.Command(program, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** `lab exec HOST -- command…` as its own process, its output collected. */
function onHost(name: string, host: string, command: string[]): RoleProcess {
  const [program, ...args] = LAB;
  return spawn(host, program, [
    ...args,
    "exec",
    host,
    "--name",
    name,
    "--",
    ...command,
  ]);
}

/**
 * tcpdump listening (only) for UDP to `OUTSIDE` on every interface of
 * namespace `netns` (the machine's own without one), once it listens.
 */
async function capture(netns?: string): Promise<RoleProcess> {
  const [program, ...where] = netns === undefined
    ? ["tcpdump"]
    : ["ip", "netns", "exec", netns, "tcpdump"];
  const proc = spawn("tcpdump", program, [
    ...where,
    "-n",
    "-l",
    "-p",
    "-i",
    "any",
    `udp and dst host ${OUTSIDE}`,
  ]);
  const deadline = Date.now() + 15_000;
  while (!/listening on/.test(proc.stderr)) {
    if (Date.now() > deadline) throw new Error(`tcpdump: ${proc.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return proc;
}

Deno.test({
  name:
    "lab hosts: a default route via .1 as DHCP gives in GNS3: broadcast-sender with no --to reaches the others; nothing for outside leaves the machine",
  ignore,
  async fn() {
    const name = uniqueLabName("gw");
    const procs: RoleProcess[] = [];
    try {
      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 0, up.stderr);

      // What `ip route` shows on the VM, on the host.
      const route = await lab([
        "exec",
        "alpine-1",
        "--name",
        name,
        "--",
        "ip",
        "route",
      ]);
      assert.match(
        route.stdout,
        /^default via 192\.168\.122\.1 dev eth0/m,
        route.stdout,
      );

      // The first command typed: no --to.
      const receivers = ["alpine-2", "alpine-3"].map((host) =>
        onHost(name, host, [
          "deno",
          "task",
          "broadcast-receiver",
          "--count",
          "5",
          "--duration",
          "60",
          "--json",
        ])
      );
      procs.push(...receivers);
      for (const r of receivers) await r.waitForRecord("listening", 60_000);
      const sender = onHost(name, "alpine-1", [
        "deno",
        "task",
        "broadcast-sender",
        "--count",
        "5",
        "--interval",
        "20",
      ]);
      procs.push(sender);
      const sent = await sender.finished();
      assert.equal(sent.code, 0, sent.stdout + sent.stderr);
      assert.match(sent.stdout, /to 255\.255\.255\.255:5005/);
      for (const r of receivers) {
        const done = await r.finished();
        assert.equal(done.code, 0, done.stderr);
        const summary = r.records.find((x) => x.type === "summary");
        assert.equal(summary?.received, 5, JSON.stringify(summary));
        assert.equal(summary?.firstSeq, 1);
      }

      // The switch holds .1 and nothing else: no interface out, no route out.
      const sw = `pj_${name}`;
      const links = await output("ip", ["-n", sw, "-o", "link"]);
      assert.deepEqual(
        [...links.stdout.matchAll(/^\d+: ([^:@]+)[:@]/gm)].map((m) => m[1])
          .sort(),
        ["br0", "lo", "p1", "p2", "p3", "p4", "p5"],
      );
      const out = await output("ip", ["-n", sw, "route", "get", OUTSIDE]);
      assert.notEqual(out.code, 0, out.stdout);
      assert.match(out.stderr, /unreachable/i);

      // Measured: a datagram for outside reaches the switch's bridge, and
      // not one reaches any interface of the machine.
      const atSwitch = await capture(sw);
      const atMachine = await capture();
      procs.push(atSwitch, atMachine);
      const outside = onHost(name, "alpine-1", [
        "deno",
        "task",
        "broadcast-sender",
        "--to",
        OUTSIDE,
        "--port",
        "9",
        "--count",
        "3",
        "--interval",
        "50",
      ]);
      procs.push(outside);
      assert.equal((await outside.finished()).code, 0);
      let seen = 0;
      await atSwitch.waitForLine((l) =>
        l.includes(`> ${OUTSIDE}.9:`) && ++seen === 3
      );
      // Time for a stray one to show up where it must not.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      atMachine.kill("SIGINT");
      const machine = await atMachine.finished();
      assert.deepEqual(
        machine.stdout.split("\n").filter((l) => l.includes(OUTSIDE)),
        [],
      );
      assert.match(machine.stderr, /\b0 packets captured/);
    } finally {
      for (const p of procs) p.kill("SIGINT");
      await Promise.all(procs.map((p) => p.finished()));
      await lab(["down", "--name", name]);
    }
  },
});

Deno.test({
  name:
    "lab hosts: when a host has .1, the gateway is the first address no host has, and lab status says which",
  ignore,
  async fn() {
    const name = uniqueLabName("gw1");
    const file = await tempYaml(`name: gw
network:
  subnet: 10.79.0.0/29
hosts:
  alpine-1: 10.79.0.1
  alpine-2: 10.79.0.2
  alpine-3: 10.79.0.4
`);
    try {
      const up = await lab(["up", "--file", file, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const route = await lab([
        "exec",
        "alpine-3",
        "--name",
        name,
        "--",
        "ip",
        "route",
      ]);
      assert.match(route.stdout, /^default via 10\.79\.0\.3 dev eth0/m);
      const sw = await output("ip", ["-n", `pj_${name}`, "-4", "addr"]);
      assert.match(sw.stdout, /inet 10\.79\.0\.3\/29 brd 10\.79\.0\.7/);
      // lab status says so, in both languages and in its record.
      const status = await lab(["status", "--name", name]);
      assert.match(
        status.stdout,
        /is up: 3 hosts on 10\.79\.0\.0\/29 \(broadcast 10\.79\.0\.7, every host's gateway 10\.79\.0\.3\), from /,
      );
      const id = await lab(["status", "--name", name, "--lang", "id"]);
      assert.match(
        id.stdout,
        /menyala: 3 host di 10\.79\.0\.0\/29 \(broadcast 10\.79\.0\.7, gateway setiap host 10\.79\.0\.3\), dari /,
      );
      const json = await lab(["status", "--name", name, "--json"]);
      assert.equal(
        json.records.find((r) => r.type === "status")?.gateway,
        "10.79.0.3",
      );
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(file);
    }
  },
});
