/**
 * Labs with routers, built for real (root and iproute2): the hop lab
 * (labs/multicast-ttl.yaml) up, its status, exec on hosts and routers, the
 * TTL scenario checked by the module's own Python receiver on every host,
 * unicast across three routers (with an independent TTL probe), bad files
 * refused with nothing built, Ctrl+C in up and in run, and a forwarder that
 * died started again by lab up. Every lab has a name of its own and is
 * taken down whatever happens.
 */

import assert from "node:assert/strict";
import { ROOT } from "./_dist.ts";
import { commandSucceeds } from "./_harness.ts";
import { smcrouteConfig } from "../lib/net/smcroute.ts";
import {
  CAN_BUILD_LABS,
  lab,
  labEtcEntries,
  labNamespaces,
  results,
  spawnLab,
  tempYaml,
  uniqueLabName,
} from "./_lab.ts";

const ignore = !CAN_BUILD_LABS;
/** The module's receiver and the TTL probe are Python: without it, skipped. */
const PYTHON = await commandSucceeds("python3", ["-c", "import socket"]);
if (!ignore && !PYTHON) {
  console.log(
    "python3 not found: the module's receivers and the TTL probe are not run",
  );
}
const FILE = "labs/multicast-ttl.yaml";
const HOSTS = ["alpine-1", "alpine-2", "alpine-3", "alpine-4", "alpine-5"];
/** The lines of multicast-ttl, by TTL. */
const line = (ttl: number) => `pesan dengan TTL ${ttl} dari alpine-1`;

/** The module's receiver (tests/_module_receiver.py) on a lab host. */
class ModuleReceiver {
  readonly host: string;
  #child: Deno.ChildProcess;
  #text = "";
  #done: Promise<void>;

  constructor(name: string, host: string) {
    this.host = host;
    const child = new Deno.Command("ip", {
      args: [
        "netns",
        "exec",
        `pj_${name}_${host}`,
        "python3",
        "tests/_module_receiver.py",
        "224.1.1.1",
        "5004",
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#child = child;
    this.#done = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) {
        this.#text += decoder.decode(chunk, { stream: true });
      }
    })();
  }

  /** Waits until it has joined the group. */
  async ready(): Promise<void> {
    for (let i = 0; i < 200 && !this.#text.includes("ready\n"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(this.#text.includes("ready\n"), `${this.host}: not ready`);
  }

  /** Waits (up to 5 s) until it has printed `text`. */
  async waitFor(text: string): Promise<void> {
    for (let i = 0; i < 100 && !this.#text.includes(text); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stops it; the lines it printed after "ready". */
  async stop(): Promise<string[]> {
    try {
      this.#child.kill("SIGTERM");
    } catch {
      // ended already
    }
    await this.#child.status;
    await this.#done;
    return this.#text.split("\n").filter((l) => l !== "" && l !== "ready");
  }
}

/** Processes of the machine whose command line names lab `name`'s namespaces. */
async function processesOf(name: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name) || Number(entry.name) === Deno.pid) continue;
    try {
      const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`))
        .replaceAll("\0", " ");
      if (cmdline.includes(`pj_${name}_`)) found.push(cmdline);
    } catch {
      // gone
    }
  }
  return found;
}

/** The forwarders' files of lab `name` left in /run/progjar-lab/routers. */
async function routerFiles(name: string): Promise<string[]> {
  const left: string[] = [];
  try {
    for await (const entry of Deno.readDir("/run/progjar-lab/routers")) {
      if (entry.name.startsWith(`pj_${name}_`)) left.push(entry.name);
    }
  } catch {
    // none at all
  }
  return left;
}

/** Nothing of lab `name` is left: namespaces, files, processes. */
async function assertGone(name: string): Promise<void> {
  assert.deepEqual(await labNamespaces(name), [], "namespaces left");
  assert.deepEqual(await labEtcEntries(name), [], "/etc/netns entries left");
  assert.deepEqual(await routerFiles(name), [], "router files left");
  assert.deepEqual(await processesOf(name), [], "processes left");
}

type Json = Record<string, unknown>;

Deno.test({
  name:
    "the hop lab: up, status with segments, gateways and routers, exec on a router, multicast-ttl checked by the module's receiver on every host, the report, down",
  ignore,
  async fn() {
    const name = uniqueLabName("hop");
    const work = await Deno.makeTempDir({ prefix: "progjar-hops-" });
    const receivers: ModuleReceiver[] = [];
    try {
      const up = await lab(["up", "--file", FILE, "--name", name, "--json"]);
      assert.equal(up.code, 0, up.stderr);
      const upRecord = up.records.find((r) => r.type === "up")!;
      assert.equal(upRecord.segments, 4);
      const modes = (upRecord.routers as Json[]).map((r) => r.multicast);
      assert.equal(modes.length, 3);
      // This kernel (like CI's) has no multicast routing: user space.
      for (const mode of modes) {
        assert.ok(mode === "user-space" || mode === "smcroute");
      }

      const status = await lab(["status", "--name", name]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(
        status.stdout,
        /^lab "\S+" is up: 5 hosts on 4 segments joined by 3 routers, from labs\/multicast-ttl\.yaml$/m,
      );
      assert.match(
        status.stdout,
        /^alpine-3 +lan-2 +10\.11\.2\.13 +10\.11\.2\.2 \(router-2\) +pj_\S+_alpine-3 +0 +0$/m,
      );
      assert.match(
        status.stdout,
        /^router-2 +eth0 lan-2 10\.11\.2\.2, eth1 lan-3 10\.11\.3\.1 +pj_\S+_router-2 +(user space: 0 forwarded, 0 dropped at TTL 1|kernel \(smcroute\))$/m,
      );
      assert.match(
        status.stdout,
        /^switch pj_\S+: br0 lan-1, br1 lan-2, br2 lan-3, br3 lan-4$/m,
      );

      // A router is a machine of the lab: its routes, forwarding on, its name.
      const routes = await lab([
        "exec",
        "router-2",
        "--name",
        name,
        "--",
        "/bin/sh",
        "-c",
        "hostname; cat /proc/sys/net/ipv4/ip_forward; ip -4 route",
      ]);
      assert.equal(routes.code, 0, routes.stderr);
      assert.match(routes.stdout, /^router-2\n1\n/);
      assert.match(
        routes.stdout,
        /^10\.11\.1\.0\/24 via 10\.11\.2\.1 dev eth0/m,
      );
      assert.match(
        routes.stdout,
        /^10\.11\.4\.0\/24 via 10\.11\.3\.2 dev eth1/m,
      );
      const host = await lab([
        "exec",
        "alpine-3",
        "--name",
        name,
        "--",
        "ip",
        "-4",
        "route",
      ]);
      assert.match(host.stdout, /^default via 10\.11\.2\.2 dev eth0/m);
      assert.match(host.stdout, /^10\.11\.1\.0\/24 via 10\.11\.2\.1 dev eth0/m);

      // The module's receiver, independent of ours, on every host.
      if (PYTHON) {
        for (const h of HOSTS) receivers.push(new ModuleReceiver(name, h));
      }
      for (const r of receivers) await r.ready();

      const report = `${work}/laporan.md`;
      const run = await lab([
        "run",
        "multicast-ttl",
        "--file",
        FILE,
        "--name",
        name,
        "--json",
        "--report",
        report,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const result = results(run.records).get("multicast-ttl")!;
      assert.equal(result.ok, true, JSON.stringify(result));
      const details = result.processes.filter((p) =>
        p.role === "multicast-receiver:batch"
      ).map((p) =>
        `${p.host} ${p.checks.find((c) => c.name === "lines")!.detail}`
      );
      assert.deepEqual(details, [
        "alpine-2 4/4, none beyond reach",
        "alpine-3 3/3, none beyond reach",
        "alpine-4 2/2, none beyond reach",
        "alpine-5 1/1, none beyond reach",
      ]);

      // Who got which TTL, as the module's receiver printed it: alpine-1
      // (the sender's own host) and alpine-2 every line, then one TTL fewer
      // per router.
      const got: Record<string, string[]> = {};
      for (const r of receivers) got[r.host] = await r.stop();
      receivers.length = 0;
      const from = (ttl: number) =>
        [1, 2, 3, 4].filter((t) => t >= ttl).map(line);
      if (PYTHON) {
        assert.deepEqual(got, {
          "alpine-1": from(1),
          "alpine-2": from(1),
          "alpine-3": from(2),
          "alpine-4": from(3),
          "alpine-5": from(4),
        });
      }

      // What each router did: one copy per TTL that went on, one drop (the
      // status files are written at most 5 times a second: look again).
      const counts = async () => {
        const after = await lab(["status", "--name", name, "--json"]);
        const routers = after.records.find((r) => r.type === "status")!
          .routers as Json[];
        return routers.map((r) => {
          const forwarder = r.forwarder as Json;
          const stats = forwarder.stats as Json | undefined;
          return stats
            ? `${r.name} ${r.running} ${stats.forwarded} ${
              (stats.dropped as Json).ttl ?? 0
            }`
            : `${r.name} ${r.running} ${forwarder.mode}`;
        });
      };
      if (modes[0] === "user-space") {
        const wanted = [
          "router-1 true 3 1",
          "router-2 true 2 1",
          "router-3 true 1 1",
        ];
        let seen = await counts();
        for (let i = 0; i < 20 && seen.join() !== wanted.join(); i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          seen = await counts();
        }
        assert.deepEqual(seen, wanted);
      }

      // The report: the table, the picture, the answer to the module.
      const text = await Deno.readTextFile(report);
      assert.match(text, /^\| alpine-2 \| 0 \| 1 \| 2 \| 3 \| 4 \|$/m);
      assert.match(text, /^\| alpine-5 \| 3 \| - \| - \| - \| 1 \|$/m);
      assert.match(
        text,
        /Measured here with TTL 2: it reached alpine-2 \(0 routers, TTL 2\) and alpine-3 \(1 router, TTL 1\), not alpine-4 \(2 routers\) and alpine-5 \(3 routers\)\. It crossed at most 1 router; router-2 got it with TTL 1 and dropped it\./,
      );
      const picture = await Deno.readTextFile(
        `${work}/laporan_files/1-multicast-ttl.svg`,
      );
      assert.equal(picture.match(/class="drop"/g)?.length, 3);
      const topology = await Deno.readTextFile(
        `${work}/laporan_files/topology.svg`,
      );
      assert.ok(topology.includes('data-router="router-3"'));

      const down = await lab(["down", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stdout, /down in \d+ ms: 9 namespaces removed/);
      await assertGone(name);
    } finally {
      for (const r of receivers) await r.stop();
      await lab(["down", "--name", name]);
      await Deno.remove(work, { recursive: true });
    }
  },
});

/** A UDP exchange across the lab in Python: the TTL each side read. */
const PROBE = `
import socket, struct, sys
role, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
s.settimeout(10)
if role == "server":
    s.bind(("", port))
    print("ready", flush=True)
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(4))
    s.sendto(b"reply", addr)
else:
    s.sendto(b"probe", (sys.argv[3], port))
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(4))
for level, kind, value in anc:
    if level == socket.IPPROTO_IP and kind == 2:
        print("ttl", struct.unpack("i", value[:4])[0], flush=True)
`;

/** One datagram within 2 s, and the TTL it arrived with; `none` if none came. */
const ONCE = `
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, getattr(socket, "IP_RECVTTL", 12), 1)
s.bind(("", int(sys.argv[1])))
s.settimeout(2)
print("ready", flush=True)
try:
    data, anc, _, addr = s.recvmsg(2048, socket.CMSG_SPACE(4))
    print("ttl", struct.unpack("i", anc[0][2][:4])[0], flush=True)
except socket.timeout:
    print("none", flush=True)
`;

Deno.test({
  name:
    "unicast across three routers: udp-client on alpine-1 gets udp-server's reply on alpine-5, which read TTL 61 (3 routers); a Python probe reads 61 both ways; TTL 3 does not reach it, TTL 4 does",
  ignore,
  async fn() {
    const name = uniqueLabName("uni");
    const work = await Deno.makeTempDir({ prefix: "progjar-unicast-" });
    try {
      const up = await lab(["up", "--file", FILE, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const report = `${work}/report.md`;
      const run = await lab([
        "run",
        "unicast-hops",
        "--file",
        FILE,
        "--name",
        name,
        "--json",
        "--report",
        report,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const result = results(run.records).get("unicast-hops")!;
      assert.equal(result.ok, true, JSON.stringify(result));
      const text = await Deno.readTextFile(report);
      assert.match(text, /^ {2}TTL 61, to 10\.11\.4\.15 \(unicast\)$/m);
      assert.match(text, /^reply from 10\.11\.4\.15:10000: Get off my lawn!$/m);
      assert.match(
        text,
        /The request arrived at alpine-5 with TTL 61: it left alpine-1 with 64 \(Linux's starting TTL\), so it crossed 64 − 61 = 3 routers \(router-1, router-2 and router-3\)\./,
      );

      // The kernel's own count, without the roles.
      if (!PYTHON) return;
      const server = new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          `pj_${name}_alpine-5`,
          "python3",
          "-c",
          PROBE,
          "server",
          "47001",
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = server.stdout.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /ready/);
      const client = await new Deno.Command("ip", {
        args: [
          "netns",
          "exec",
          `pj_${name}_alpine-1`,
          "python3",
          "-c",
          PROBE,
          "client",
          "47001",
          "alpine-5",
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const rest: string[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest.push(new TextDecoder().decode(value));
      }
      await server.status;
      await server.stderr.cancel();
      assert.match(rest.join(""), /ttl 61/);
      assert.match(new TextDecoder().decode(client.stdout), /ttl 61/);

      // The kernel's routers drop unicast at TTL 0 too: TTL 3 does not reach
      // alpine-5 (router-3 gets it with 1), TTL 4 does, with 1 left.
      for (const [ttl, wanted] of [[3, /^none$/m], [4, /^ttl 1$/m]] as const) {
        const listen = new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            `pj_${name}_alpine-5`,
            "python3",
            "-c",
            ONCE,
            "47002",
          ],
          stdout: "piped",
        }).spawn();
        const out = listen.stdout.getReader();
        assert.match(
          new TextDecoder().decode((await out.read()).value),
          /ready/,
        );
        await new Deno.Command("ip", {
          args: [
            "netns",
            "exec",
            `pj_${name}_alpine-1`,
            "python3",
            "-c",
            `import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ${ttl}); s.sendto(b"x", ("alpine-5", 47002))`,
          ],
        }).output();
        let said = "";
        for (;;) {
          const { value, done } = await out.read();
          if (done) break;
          said += new TextDecoder().decode(value);
        }
        await listen.status;
        assert.match(said, wanted, `TTL ${ttl}`);
      }
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(work, { recursive: true });
    }
    await assertGone(name);
  },
});

Deno.test({
  name:
    "bad topology files: a router linking a segment to itself, two routers on one pair, a loop, a host on no segment, overlapping subnets: one line, exit 2, nothing built",
  ignore,
  async fn() {
    const name = uniqueLabName("bad");
    const head = `name: ${name}
segments:
  lan-1: 10.21.1.0/24
  lan-2: 10.21.2.0/24
  lan-3: 10.21.3.0/24
`;
    const hosts = "hosts:\n  alpine-1: 10.21.1.11\n  alpine-2: 10.21.2.12\n";
    const cases: [string, RegExp][] = [
      [
        `${head}routers:\n  router-1: [lan-1, lan-1]\n${hosts}`,
        /:7:21: routers\.router-1: links lan-1 to itself \(it is on lan-1 twice\): a router joins different segments$/,
      ],
      [
        `${head}routers:\n  router-1: [lan-1, lan-2]\n  router-2: [10.21.2.2, 10.21.1.2]\n${hosts}`,
        /:8:13: routers\.router-2: joins lan-2 and lan-1, as router-1 already does: two routers between the same segments make a loop/,
      ],
      [
        `${head}routers:\n  r1: [lan-1, lan-2]\n  r2: [lan-2, lan-3]\n  r3: [lan-3, lan-1]\n${hosts}`,
        /:9:7: routers\.r3: closes a loop: lan-3 and lan-1 are already joined through r2, r1/,
      ],
      [
        `${head}routers:\n  router-1: [lan-1, lan-2]\n${hosts}  alpine-9: 10.99.0.9\n`,
        /:11:13: hosts\.alpine-9: 10\.99\.0\.9 is on no segment \(segments: lan-1 10\.21\.1\.0\/24, lan-2 10\.21\.2\.0\/24, lan-3 10\.21\.3\.0\/24\)$/,
      ],
      [
        `name: ${name}\nsegments:\n  lan-1: 10.21.0.0/16\n  lan-2: 10.21.2.0/24\nrouters:\n  router-1: [lan-1, lan-2]\nhosts:\n  alpine-1: 10.21.1.11\n`,
        /:4:10: segments\.lan-2: 10\.21\.2\.0\/24 overlaps lan-1 \(10\.21\.0\.0\/16\): each segment needs its own subnet$/,
      ],
    ];
    for (const [text, message] of cases) {
      const file = await tempYaml(text);
      try {
        for (const command of [["up"], ["run", "--all"]]) {
          const out = await lab([...command, "--file", file]);
          assert.equal(out.code, 2, `${command[0]}: ${out.stderr}`);
          const lines = out.stderr.trim().split("\n");
          assert.equal(lines.length, 1, out.stderr);
          assert.match(lines[0], message);
          assert.ok(lines[0].startsWith(`lab: error: ${file}:`), lines[0]);
          assert.equal(out.stdout, "");
          await assertGone(name);
        }
      } finally {
        await Deno.remove(file);
      }
    }
  },
});

/** Reads `child`'s stdout until `pattern` shows, then returns what was read. */
async function readUntil(
  child: Deno.ChildProcess,
  pattern: RegExp,
): Promise<{ seen: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  while (!pattern.test(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += decoder.decode(value);
  }
  return { seen, reader };
}

Deno.test({
  name:
    "Ctrl+C in lab up while the routers start, and in lab run while the receivers listen: exit 130, nothing of the lab left",
  ignore,
  async fn() {
    const name = uniqueLabName("int");
    try {
      const child = spawnLab(["up", "--file", FILE, "--name", name]);
      // The routers' namespaces exist: interrupt while they are set up and
      // their forwarders start.
      for (let i = 0; i < 400; i++) {
        if ((await labNamespaces(name)).includes(`pj_${name}_router-3`)) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill("SIGINT");
      const status = await child.output();
      const stderr = new TextDecoder().decode(status.stderr);
      // Interrupted while it built, or just after (then it is up: take it down).
      if (status.code === 130) {
        assert.match(
          stderr,
          /interrupted \(Ctrl\+C\); what was built is removed/,
        );
        await assertGone(name);
      } else {
        assert.equal(status.code, 0, stderr);
        await lab(["down", "--name", name]);
      }

      const run = spawnLab(["run", "--all", "--file", FILE, "--name", name]);
      const { reader } = await readUntil(
        run,
        /alpine-2, alpine-3, alpine-4, alpine-5: listening/,
      );
      run.kill("SIGINT");
      const rest: string[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest.push(new TextDecoder().decode(value));
      }
      const ended = await run.status;
      await run.stderr.cancel();
      assert.equal(ended.code, 130, rest.join(""));
      assert.match(rest.join(""), /taken down/);
      await assertGone(name);
    } finally {
      await lab(["down", "--name", name]);
    }
  },
});

Deno.test({
  name:
    "a forwarder that died: lab status says so, lab up starts it again, multicast crosses that router again",
  ignore,
  async fn() {
    const name = uniqueLabName("sup");
    const receivers: ModuleReceiver[] = [];
    try {
      const up = await lab(["up", "--file", FILE, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const forwarder = JSON.parse(
        await Deno.readTextFile(
          `/run/progjar-lab/routers/pj_${name}_router-2.json`,
        ),
      );
      Deno.kill(forwarder.pid, "SIGKILL");
      for (let i = 0; i < 100; i++) {
        const pids = new TextDecoder().decode(
          (await new Deno.Command("ip", {
            args: ["netns", "pids", `pj_${name}_router-2`],
            stdout: "piped",
          }).output()).stdout,
        ).trim();
        if (pids === "") break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const status = await lab(["status", "--name", name, "--lang", "id"]);
      assert.match(
        status.stdout,
        /^router-2 +.* tidak berjalan: lab up menjalankannya lagi$/m,
      );
      const again = await lab(["up", "--file", FILE, "--name", name]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        /^started again the multicast forwarder of router-2 \(it had stopped\)$/m,
      );
      assert.match(again.stdout, /is already up/);
      if (!PYTHON) return;
      const receiver = new ModuleReceiver(name, "alpine-5");
      receivers.push(receiver);
      await receiver.ready();
      const send = await lab([
        "exec",
        "alpine-1",
        "--name",
        name,
        "--",
        Deno.execPath(),
        "task",
        "multicast-sender",
        "--ttl",
        "4",
        "--message",
        line(4),
      ]);
      assert.equal(send.code, 0, send.stderr);
      await receiver.waitFor(line(4));
      assert.deepEqual(await receiver.stop(), [line(4)]);
      receivers.length = 0;
    } finally {
      for (const r of receivers) await r.stop();
      await lab(["down", "--name", name]);
    }
    await assertGone(name);
  },
});

Deno.test({
  name:
    "smcroute, where installed: the configuration lab-router gives smcrouted passes its own check in a router's namespace; without kernel multicast routing the routers still forward in user space",
  ignore: ignore || !await commandSucceeds("smcrouted", ["-v"]),
  async fn() {
    const name = uniqueLabName("smc");
    const conf = await Deno.makeTempFile({ suffix: ".conf" });
    try {
      const up = await lab(["up", "--file", FILE, "--name", name, "--json"]);
      assert.equal(up.code, 0, up.stderr);
      await Deno.writeTextFile(conf, smcrouteConfig(["eth0", "eth1"]) + "\n");
      const check = await new Deno.Command("ip", {
        args: ["netns", "exec", `pj_${name}_router-1`, "smcrouted", "-F", conf],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(
        check.code,
        0,
        new TextDecoder().decode(check.stdout) +
          new TextDecoder().decode(check.stderr),
      );
      const status = await lab(["status", "--name", name, "--json"]);
      const routers = status.records.find((r) => r.type === "status")!
        .routers as Json[];
      for (const router of routers) {
        const forwarder = router.forwarder as Json;
        // MRT_INIT decides, not whether smcroute is installed.
        if (String(forwarder.reason).includes("ENOPROTOOPT")) {
          assert.equal(forwarder.mode, "user-space");
        } else {
          assert.equal(forwarder.mode, "smcroute");
        }
      }
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(conf);
    }
    await assertGone(name);
  },
});
