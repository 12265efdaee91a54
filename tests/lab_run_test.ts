import assert from "node:assert/strict";
import {
  assertSenderFirst,
  assertTcpChat,
  byRole,
  CAN_BUILD_LABS,
  lab,
  labEtcEntries,
  labNamespaces,
  RECEIVERS,
  results,
  spawnLab,
  tempYaml,
  uniqueLabName,
} from "./_lab.ts";

const ignore = !CAN_BUILD_LABS;

async function assertGone(name: string): Promise<void> {
  assert.deepEqual(await labNamespaces(name), [], "namespaces left");
  assert.deepEqual(await labEtcEntries(name), [], "/etc/netns entries left");
}

Deno.test({
  name: "lab run --all: every shipped scenario runs and its summary holds",
  ignore,
  async fn() {
    const name = uniqueLabName("all");
    const report = await Deno.makeTempFile({ suffix: ".md" });
    try {
      const { code, stdout, stderr, records } = await lab([
        "run",
        "--all",
        "--json",
        "--name",
        name,
        "--report",
        report,
      ]);
      const all = results(records);
      const failed = [...all.values()].filter((r) => !r.ok).map((r) =>
        JSON.stringify(r)
      );
      assert.deepEqual(failed, [], stderr);
      assert.equal(code, 0, stdout + stderr);
      assert.equal(all.size, 6);

      // Unicast: the request arrived and the reply came back.
      const unicast = all.get("unicast")!;
      assert.equal(byRole(unicast, "udp-server")[0].summary?.received, 1);
      assert.ok(
        byRole(unicast, "udp-client")[0].checks.some((c) =>
          c.name === "prints" && c.ok
        ),
      );

      // Receivers first: every receiver got the whole stream, nothing missing.
      const first = all.get("broadcast-receivers-first")!;
      const receivers = byRole(first, "broadcast-receiver");
      assert.deepEqual(receivers.map((p) => p.host), RECEIVERS);
      for (const p of receivers) {
        assert.equal(p.summary?.missing, 0, p.host);
        assert.equal(p.summary?.firstSeq, 1, p.host);
        assert.equal(p.summary?.received, 500, p.host);
      }

      // Sender first: each receiver starts late; its first number says how
      // much it missed, and later receivers missed more.
      assertSenderFirst(all.get("broadcast-sender-first")!);

      // Multicast: all four receivers got every line (alpine-5 on the batch
      // path, reading each datagram's TTL).
      const multicast = [
        ...byRole(all.get("multicast")!, "multicast-receiver"),
        ...byRole(all.get("multicast")!, "multicast-receiver:batch"),
      ];
      assert.deepEqual(multicast.map((p) => p.host), RECEIVERS);
      for (const p of multicast) {
        assert.deepEqual(
          p.checks.find((c) => c.name === "lines"),
          { name: "lines", ok: true, detail: "3/3" },
          p.host,
        );
      }

      // Multicast chat: each peer got the other two peers' lines, not its
      // own; alpine-5, not a member, got nothing on the group's port.
      const mchat = all.get("multicast-chat")!;
      assert.equal(mchat.ok, true, JSON.stringify(mchat));
      const peers = byRole(mchat, "multicast-chat");
      assert.deepEqual(peers.map((p) => p.host), [
        "alpine-1",
        "alpine-2",
        "alpine-3",
      ]);
      for (const p of peers) {
        assert.equal(p.summary?.received, 4, p.host);
        assert.equal(p.summary?.sent, 2, p.host);
      }
      assert.equal(byRole(mchat, "udp-server")[0].summary?.received, 0);

      // TCP chat: every client got the other three clients' two lines each.
      assertTcpChat(all.get("tcp-chat")!);

      // run built the lab, so it took it down again.
      await assertGone(name);

      const text = await Deno.readTextFile(report);
      assert.match(
        text,
        /`deno task broadcast-sender --to 192\.168\.122\.255 --port 5005/,
      );
      assert.match(text, /^alpine-2\$ deno task chat-client /m);
      assert.match(
        text,
        /\| start \| host \| command \(as typed on the host\) \| exit \| received \| firstSeq/,
      );
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(report);
    }
  },
});

Deno.test({
  name: "lab: two labs at once stay apart",
  ignore,
  async fn() {
    const names = [uniqueLabName("a"), uniqueLabName("b")];
    try {
      const ups = await Promise.all(names.map((n) => lab(["up", "--name", n])));
      for (const up of ups) assert.equal(up.code, 0, up.stderr);
      for (const n of names) {
        assert.equal((await labNamespaces(n)).length, 6, n);
      }
      // The same addresses in both labs: each receiver must get one copy of
      // its own lab's stream, never the other's.
      const runs = await Promise.all(
        names.map((n) =>
          lab(["run", "broadcast-receivers-first", "--json", "--name", n])
        ),
      );
      for (const run of runs) {
        const result = results(run.records).get("broadcast-receivers-first")!;
        assert.equal(run.code, 0, run.stdout + run.stderr);
        for (const p of byRole(result, "broadcast-receiver")) {
          assert.equal(p.summary?.received, 500, p.host);
          assert.equal(p.summary?.duplicates, 0, p.host);
        }
      }
      // run did not build them, so they are still up.
      for (const n of names) {
        const status = await lab(["status", "--json", "--name", n]);
        assert.equal(status.records[0].up, true, n);
      }
    } finally {
      for (const n of names) await lab(["down", "--name", n]);
    }
    for (const n of names) await assertGone(n);
  },
});

const FAILING = `name: tfail
network:
  subnet: 192.168.122.0/24
hosts:
  alpine-1: 192.168.122.207
  alpine-2: 192.168.122.131
scenarios:
  no-server:
    description:
      en: a receiver that keeps running, and a client with no server
      id: penerima yang terus berjalan, dan klien tanpa server
    timeout: 30s
    steps:
      - host: alpine-2
        role: broadcast-receiver
        wait: listening
        stop: end
        expect: { received: 1 }
      - host: alpine-1
        role: udp-client
        flags: { host: alpine-2, port: 9, timeout: 1 }
`;

Deno.test({
  name:
    "lab: a failed run stops its roles; down then removes everything; up and down are idempotent",
  ignore,
  async fn() {
    const name = uniqueLabName("f");
    const file = await tempYaml(FAILING);
    try {
      const up = await lab(["up", "--file", file, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const again = await lab(["up", "--file", file, "--name", name, "--json"]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.records[0].created, false);
      // Another topology under the same name is refused, not mixed in.
      const other = await lab(["up", "--name", name]);
      assert.equal(other.code, 1);
      assert.match(other.stderr, /is already up with other hosts/);

      // exec: host names resolve inside the lab; the exit code comes back.
      const getent = await lab([
        "exec",
        "alpine-1",
        "--file",
        file,
        "--name",
        name,
        "--",
        "getent",
        "hosts",
        "alpine-2",
      ]);
      assert.equal(getent.code, 0, getent.stderr);
      assert.match(getent.stdout, /^192\.168\.122\.131\s+alpine-2$/m);
      // No command: a shell whose prompt names the host.
      const shell = new Deno.Command(Deno.execPath(), {
        args: [
          "task",
          "--quiet",
          "lab",
          "exec",
          "alpine-2",
          "--file",
          file,
          "--name",
          name,
        ],
        cwd: new URL("../", import.meta.url),
        env: { NO_COLOR: "1", LANG: "C.UTF-8" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const writer = shell.stdin.getWriter();
      await writer.write(new TextEncoder().encode('echo "prompt=$PS1"\n'));
      await writer.close();
      const prompt = await shell.output();
      assert.equal(prompt.code, 0, new TextDecoder().decode(prompt.stderr));
      assert.match(
        new TextDecoder().decode(prompt.stdout),
        /^prompt=alpine-2# $/m,
      );
      const exit3 = await lab([
        "exec",
        "alpine-2",
        "--file",
        file,
        "--name",
        name,
        "--",
        "sh",
        "-c",
        "exit 3",
      ]);
      assert.equal(exit3.code, 3);

      const run = await lab([
        "run",
        "no-server",
        "--file",
        file,
        "--json",
        "--name",
        name,
      ]);
      assert.equal(run.code, 1, run.stdout);
      const result = results(run.records).get("no-server")!;
      assert.equal(result.ok, false);
      const client = byRole(result, "udp-client")[0];
      assert.equal(client.code, 1);
      assert.equal(client.checks[0].ok, false);
      // --json keeps the English details, whatever the language.
      const receiverCheck = byRole(result, "broadcast-receiver")[0].checks[1];
      assert.deepEqual(receiverCheck, {
        name: "received",
        ok: false,
        detail: "0 (wanted 1)",
      });

      // On the terminal, the failed role's reason shows under the tables.
      const human = await lab([
        "run",
        "no-server",
        "--file",
        file,
        "--name",
        name,
      ]);
      assert.equal(human.code, 1);
      assert.match(human.stdout, /^alpine-1 \(udp-client\): exit: 1: /m);
      assert.match(
        human.stdout,
        /^ {2}\| sent 11 bytes to 192\.168\.122\.131:9$/m,
      );
      // In Indonesian: the lab's own words too, not only the roles'.
      const id = await lab([
        "run",
        "no-server",
        "--file",
        file,
        "--name",
        name,
        "--lang",
        "id",
      ]);
      assert.equal(id.code, 1);
      assert.match(
        id.stdout,
        /^== no-server: penerima yang terus berjalan, dan klien tanpa server$/m,
      );
      assert.match(id.stdout, /^host +role +keluar +/m);
      assert.match(id.stdout, /GAGAL received: 0 \(diharapkan 1\)$/m);
      assert.match(
        id.stdout,
        /^ {2}\| dikirim 11 byte ke 192\.168\.122\.131:9$/m,
      );
      assert.match(id.stdout, /^no-server: GAGAL \(\d+\.\d s\)$/m);
      assert.doesNotMatch(id.stdout, /FAIL\b|wanted|started at/);
      // Progress words too: the wait for "listening" reads in Indonesian.
      assert.match(id.stdout, /^ {2}alpine-2: mendengarkan$/m);

      // Nothing of the run is left running; the lab is still up.
      const status = await lab(["status", "--json", "--name", name]);
      assert.equal(status.records[0].up, true);
      assert.deepEqual(status.records[0].pids, {});

      // Something left running on a host (a shell, a role by hand) is
      // stopped by down.
      const leftover = new Deno.Command("ip", {
        args: ["netns", "exec", `pj_${name}_alpine-1`, "sleep", "60"],
      }).spawn();
      for (let i = 0; i < 50; i++) {
        const pids = await new Deno.Command("ip", {
          args: ["netns", "pids", `pj_${name}_alpine-1`],
          stdout: "piped",
        }).output();
        if (pids.stdout.length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const down = await lab(["down", "--json", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(down.records[0].removed, 3);
      assert.equal((await leftover.status).signal, "SIGTERM");
      await assertGone(name);
      const downAgain = await lab(["down", "--json", "--name", name]);
      assert.equal(downAgain.code, 0);
      assert.equal(downAgain.records[0].removed, 0);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "lab: Ctrl+C during a run stops the roles and removes the lab it built",
  ignore,
  async fn() {
    const name = uniqueLabName("int");
    const child = spawnLab(["run", "broadcast-sender-first", "--name", name]);
    const decoder = new TextDecoder();
    let seen = "";
    const reader = child.stdout.getReader();
    try {
      // Interrupt once the sender runs and a receiver has been started.
      while (!/alpine-3: broadcast-receiver/.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value);
      }
      child.kill("SIGINT");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value);
      }
    } finally {
      reader.releaseLock();
    }
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 130, seen);
    assert.match(seen, /broadcast-sender-first: INTERRUPTED \(Ctrl\+C\)/);
    assert.match(seen, /taken down/);
    await assertGone(name);
  },
});

Deno.test({
  name:
    "lab: 50 hosts come up on one bridge with routes through eth0, and go down",
  ignore,
  async fn() {
    const name = uniqueLabName("50");
    try {
      const up = await lab([
        "up",
        "--json",
        "--file",
        "tests/fixtures/lab50.yaml",
        "--name",
        name,
      ]);
      assert.equal(up.code, 0, up.stderr);
      assert.equal((await labNamespaces(name)).length, 51);
      // alpine-50 has its address on eth0 and the subnet routed through it.
      const exec = await lab([
        "exec",
        "alpine-50",
        "--file",
        "tests/fixtures/lab50.yaml",
        "--name",
        name,
        "--",
        "ip",
        "route",
        "get",
        "10.50.0.2",
      ]);
      assert.equal(exec.code, 0, exec.stderr);
      assert.match(exec.stdout, /dev eth0 src 10\.50\.0\.51/);
    } finally {
      const down = await lab(["down", "--json", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(down.records[0].removed, 51);
    }
    await assertGone(name);
  },
});

Deno.test({
  name: "lab: as a user other than root, a clear message and exit 1",
  ignore,
  async fn() {
    // Run as nobody with a copy of Deno's cache (root's is not readable).
    const info = JSON.parse(
      new TextDecoder().decode(
        (await new Deno.Command(Deno.execPath(), {
          args: ["info", "--json"],
          stdout: "piped",
        }).output()).stdout,
      ),
    );
    const cache = await Deno.makeTempDir({ prefix: "deno_nobody_" });
    try {
      const copy = await new Deno.Command("cp", {
        args: ["-r", `${info.denoDir}/.`, cache],
      }).output();
      const chown = await new Deno.Command("chown", {
        args: ["-R", "nobody", cache],
      }).output();
      const wrapper = [
        "setpriv",
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
      ];
      const probe = await new Deno.Command(wrapper[0], {
        args: [...wrapper.slice(1), "test", "-r", "cmd/lab.ts"],
        cwd: new URL("../", import.meta.url),
      }).output().catch(() => ({ success: false }));
      if (!copy.success || !chown.success || !probe.success) {
        console.log(
          "note: skipped: user nobody cannot read the repository here",
        );
        return;
      }
      const { code, stderr } = await lab(["up", "--name", "tnobody"], {
        wrapper,
        env: { DENO_DIR: cache, HOME: cache },
      });
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^lab: error: the lab needs root/m);
      assert.deepEqual(await labNamespaces("tnobody"), []);
    } finally {
      await Deno.remove(cache, { recursive: true });
    }
  },
});

Deno.test({
  name: "lab up: a failure halfway removes what was already built",
  ignore,
  async fn() {
    const name = uniqueLabName("half");
    // A plain file where alpine-3's /etc/netns directory must go makes the
    // build fail after every namespace and veth pair exists.
    const blocker = `/etc/netns/pj_${name}_alpine-3`;
    await Deno.mkdir("/etc/netns", { recursive: true });
    await Deno.writeTextFile(blocker, "in the way\n");
    try {
      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 1, up.stdout);
      assert.equal(up.stderr.trim().split("\n").length, 1, up.stderr);
      assert.match(up.stderr, /^lab: error: .*pj_.*alpine-3/);
      assert.deepEqual(await labNamespaces(name), []);
    } finally {
      await Deno.remove(blocker);
      await lab(["down", "--name", name]);
    }
    await assertGone(name);
  },
});
