/**
 * The lab's hosts as Alpine VMs: every role runs inside an Alpine-like root
 * file system (busybox, musl, no glibc) with progjar installed by the Alpine
 * pack's install.sh, and the shipped scenarios give the same summaries as
 * on the machine. Needs root, ip, busybox-static, musl and patchelf.
 */

import assert from "node:assert/strict";
import { buildAlpinePack } from "../tools/alpine_pack.ts";
import { buildLabRootfs } from "../tools/alpine_rootfs.ts";
import { buildBundle } from "../tools/bundle.ts";
import { findTarget } from "../tools/_common.ts";
import { rootfsBuildProblem } from "../tools/_rootfs.ts";
import {
  assertSenderFirst,
  assertTcpChat,
  CAN_BUILD_LABS,
  lab,
  labNamespaces,
  results,
  uniqueLabName,
} from "./_lab.ts";

const skip = CAN_BUILD_LABS
  ? await rootfsBuildProblem()
  : "needs root and iproute2's ip";
if (skip) console.log(`lab_rootfs_test: skipped: ${skip}`);

/** Lines of any process's mount table that mention `path`. */
async function mountsUnder(path: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const text = await Deno.readTextFile(`/proc/${entry.name}/mounts`);
      found.push(...text.split("\n").filter((l) => l.includes(path)));
    } catch {
      // the process has gone
    }
  }
  return found;
}

Deno.test({
  name:
    "lab --rootfs: hosts run their roles on an Alpine-like rootfs; same summaries; exec gets a shell there; the hop lab too; nothing left",
  ignore: skip !== undefined,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "progjar-lab-rootfs-" });
    const rootfs = `${work}/rootfs`;
    const report = `${work}/report.md`;
    const name = uniqueLabName("rfs");
    const hopName = uniqueLabName("rfh");
    try {
      const bundle = await buildBundle({ outDir: work });
      const pack = await buildAlpinePack(findTarget("x86_64")!, {
        outDir: work,
        bundle,
      });
      await buildLabRootfs(rootfs, { pack });

      const up = await lab(["up", "--rootfs", rootfs, "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      assert.match(
        up.stdout,
        /^alpine-2 +192\.168\.122\.131 +\S+ +\/\S+\/rootfs$/m,
      );

      // exec: a shell "on the VM": its host name, the lab's host names,
      // busybox and the installed role commands, /proc mounted.
      const exec = await lab([
        "exec",
        "alpine-2",
        "--name",
        name,
        "--",
        "/bin/sh",
        "-c",
        "hostname; echo $HOME; grep alpine-1 /etc/hosts; readlink /bin/ls; " +
        "command -v broadcast-receiver; test -r /proc/self/exe && echo proc",
      ], { env: { LANG: "C.UTF-8" } });
      assert.equal(exec.code, 0, exec.stderr);
      assert.deepEqual(exec.stdout.trim().split("\n"), [
        "alpine-2",
        "/root",
        "192.168.122.207\talpine-1",
        "/bin/busybox",
        "/usr/local/bin/broadcast-receiver",
        "proc",
      ]);

      // A run against the lab with other root file systems is refused.
      const mixed = await lab(["run", "tcp-chat", "--name", name]);
      assert.equal(mixed.code, 1);
      assert.match(mixed.stderr, /other hosts or root file systems/);

      const run = await lab([
        "run",
        "broadcast-sender-first",
        "multicast",
        "tcp-chat",
        "--rootfs",
        rootfs,
        "--name",
        name,
        "--lang",
        "id",
        "--json",
        "--report",
        report,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const all = results(run.records);
      assertSenderFirst(all.get("broadcast-sender-first")!);
      assertTcpChat(all.get("tcp-chat")!);

      // The report: commands as typed on the VM, what its terminal showed.
      const text = await Deno.readTextFile(report);
      assert.match(
        text,
        /\| alpine-2 \| `broadcast-receiver --port 5005 --count 300 --lang id` \|/,
      );
      assert.match(
        text,
        /^alpine-2\$ broadcast-receiver --port 5005 --count 300 --lang id$/m,
      );
      assert.match(text, /^diterima {2}BROADCAST ini angka \d+ $/m);
      // A :batch row on the VM: its role's command with --io batch.
      assert.match(
        text,
        /\| alpine-5 \| `multicast-receiver --io batch --group 224\.1\.1\.1 --port 5004 --show-ttl --lang id` /,
      );
      assert.match(text, /^ {2}TTL 2, ke 224\.1\.1\.1 \(multicast\)$/m);
      assert.match(text, /^dikirim oleh \(192\.168\.122\.207, \d+\)$/m);
      assert.match(text, /^angka pertama \d+: terlewat \d+ yang dikirim/m);
      assert.match(
        text,
        /^Pesan dari server : Selamat datang di Server\.\.\.$/m,
      );
      assert.match(text, /^alpine-3 : halo dari alpine-3$/m);

      const down = await lab(["down", "--name", name]);
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(await labNamespaces(name), []);
      assert.deepEqual(await mountsUnder(rootfs), [], "mounts left");

      // The hop lab on the same "VMs": the routers run on the machine, the
      // hosts' roles inside the root file system, the TTL as on the machine.
      const hops = await lab([
        "run",
        "--all",
        "--file",
        "labs/multicast-ttl.yaml",
        "--rootfs",
        rootfs,
        "--name",
        hopName,
        "--json",
        "--report",
        `${work}/hops.md`,
      ]);
      assert.equal(hops.code, 0, hops.stdout + hops.stderr);
      const hop = results(hops.records);
      assert.equal(hop.get("multicast-ttl")!.ok, true);
      assert.equal(hop.get("unicast-hops")!.ok, true);
      const hopText = await Deno.readTextFile(`${work}/hops.md`);
      assert.match(hopText, /^\| alpine-5 \| 3 \| - \| - \| - \| 1 \|$/m);
      assert.match(
        hopText,
        /^alpine-5\$ udp-server --io batch --count 1 --show-ttl$/m,
      );
      assert.match(hopText, /^ {2}TTL 61, to 10\.11\.4\.15 \(unicast\)$/m);
      assert.deepEqual(await labNamespaces(hopName), []);
      assert.deepEqual(await mountsUnder(rootfs), [], "mounts left");
    } finally {
      await lab(["down", "--name", name]);
      await lab(["down", "--name", hopName]);
      await Deno.remove(work, { recursive: true });
    }
  },
});
