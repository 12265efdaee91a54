import assert from "node:assert/strict";
import {
  CAN_BUILD_LABS,
  lab,
  labEtcEntries,
  labNamespaces,
  spawnLab,
  tempYaml,
  uniqueLabName,
} from "./_lab.ts";

const ignore = !CAN_BUILD_LABS;

async function run(program: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(program, {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.ok(
    output.success,
    `${program} ${args.join(" ")}: ${new TextDecoder().decode(output.stderr)}`,
  );
  return stdout;
}

/** The mounts of the machine that mention `text`. */
async function mountsWith(text: string): Promise<string[]> {
  return (await Deno.readTextFile("/proc/self/mountinfo")).split("\n")
    .filter((line) => line.includes(text));
}

const LISTEN = `name: hostnames
network:
  subnet: 10.78.0.0/24
hosts:
  alpine-1: 10.78.0.1
  alpine-2: 10.78.0.2
scenarios:
  listen:
    timeout: 30s
    steps:
      - host: alpine-2
        role: broadcast-receiver
        flags: { port: 5005, duration: 6 }
        wait: listening
`;

Deno.test({
  name:
    "lab: each host has its own host name (exec shells and roles of lab run); down removes its UTS namespaces",
  ignore,
  async fn() {
    const name = uniqueLabName("u");
    const file = await tempYaml(LISTEN);
    const machine = Deno.hostname();
    try {
      const up = await lab(["up", "--file", file, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      for (const host of ["alpine-1", "alpine-2"]) {
        const got = await lab(["exec", host, "--name", name, "--", "hostname"]);
        assert.equal(got.code, 0, got.stderr);
        assert.equal(got.stdout.trim(), host);
      }
      // A shell on the host, as after logging in to the VM.
      const shell = await lab([
        "exec",
        "alpine-1",
        "--name",
        name,
        "--",
        "sh",
        "-c",
        'echo "$(hostname) $(uname -n)"',
      ]);
      assert.equal(shell.stdout.trim(), "alpine-1 alpine-1");
      assert.equal(Deno.hostname(), machine, "the machine's name changed");

      // A role started by lab run sees its host's name.
      const child = spawnLab(["run", "listen", "--file", file, "--name", name]);
      try {
        // A process that `ip netns exec` has just started is in the host's
        // network namespace a moment before it enters its own UTS namespace:
        // look again until every one has settled (or give up and show it).
        let seen: string[] = [];
        for (let i = 0; i < 100; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const pids =
            (await run("ip", ["netns", "pids", `pj_${name}_alpine-2`]))
              .split(/\s+/).filter(Boolean);
          seen = [];
          for (const pid of pids) {
            const host = await run("nsenter", ["--uts", "-t", pid, "hostname"])
              .catch(() => "(gone)\n");
            if (host.trim() !== "(gone)") seen.push(`${pid}=${host.trim()}`);
          }
          if (seen.length > 0 && seen.every((s) => s.endsWith("=alpine-2"))) {
            break;
          }
        }
        assert.ok(seen.length > 0, "no role running on alpine-2");
        for (const entry of seen) {
          assert.ok(entry.endsWith("=alpine-2"), `pid ${entry}`);
        }
      } finally {
        const status = await child.output();
        assert.equal(status.code, 0, new TextDecoder().decode(status.stdout));
      }

      const down = await lab(["down", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(await mountsWith(`pj_${name}_`), []);
      const left = [];
      try {
        for await (const entry of Deno.readDir("/run/progjar-lab/uts")) {
          if (entry.name.startsWith(`pj_${name}_`)) left.push(entry.name);
        }
      } catch {
        // no directory: nothing left
      }
      assert.deepEqual(left, []);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name:
    "lab up: a namespace of the lab's name made by hand is left alone, and up refuses in one line (exit 1)",
  ignore,
  async fn() {
    const name = uniqueLabName("o");
    const ns = `pj_${name}_alpine-2`;
    const etc = `/etc/netns/${ns}`;
    await run("ip", ["netns", "add", ns]);
    try {
      await run("ip", [
        "-n",
        ns,
        "link",
        "add",
        "mine0",
        "type",
        "veth",
        "peer",
        "name",
        "mine1",
      ]);
      await Deno.mkdir(etc, { recursive: true });
      await Deno.writeTextFile(`${etc}/resolv.conf`, "nameserver 10.0.0.1\n");

      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 1, up.stdout);
      assert.equal(up.stderr.trim().split("\n").length, 1, up.stderr);
      assert.match(
        up.stderr,
        new RegExp(
          `^lab: error: namespace ${ns} exists but was not made by lab "${name}"`,
        ),
      );
      // Nothing of it was touched, and nothing else was made.
      assert.deepEqual(await labNamespaces(name), [ns]);
      assert.match(await run("ip", ["-n", ns, "link"]), /mine0/);
      assert.equal(
        await Deno.readTextFile(`${etc}/resolv.conf`),
        "nameserver 10.0.0.1\n",
      );
      // down leaves it too, and says so.
      const down = await lab(["down", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.match(down.stdout, new RegExp(`left alone .*${ns}`));
      assert.deepEqual(await labNamespaces(name), [ns]);
      assert.deepEqual(await labEtcEntries(name), [ns]);
    } finally {
      await run("ip", ["netns", "del", ns]).catch(() => {});
      await Deno.remove(etc, { recursive: true }).catch(() => {});
      await lab(["down", "--name", name]);
    }
  },
});

Deno.test({
  name:
    "lab up: what an unfinished lab of its own left is still removed before building",
  ignore,
  async fn() {
    const name = uniqueLabName("r");
    try {
      const first = await lab(["up", "--name", name]);
      assert.equal(first.code, 0, first.stderr);
      // As if the build had stopped before its last step.
      await Deno.remove(`/etc/netns/pj_${name}/progjar-lab.json`);
      const again = await lab(["up", "--name", name]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(
        again.stdout,
        new RegExp(
          `removed 6 namespaces left from an unfinished lab "${name}"`,
        ),
      );
    } finally {
      await lab(["down", "--name", name]);
    }
    assert.deepEqual(await labNamespaces(name), []);
    assert.deepEqual(await labEtcEntries(name), []);
  },
});
