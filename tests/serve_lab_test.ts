/**
 * `serve` onto the lab's hosts, as in GNS3: the self-extracting file's
 * `progjar serve` on alpine-1 (a plain namespace), and alpine-2/alpine-3
 * running an Alpine-like root file system (busybox, musl, no glibc, nothing
 * installed) where `wget -qO- http://192.168.122.207:8000/install.sh | sh`
 * is typed. A damaged download, a too-small download directory or /opt, and
 * a link that cuts every connection install nothing; through a link that
 * cuts the pack once, the download resumes (`wget -c`) and installs; the installed roles then run a broadcast across the lab;
 * a second serve on the port in use is one line and exit 1. Needs root, ip,
 * busybox-static, musl and patchelf. Builds the packs once (~20 s).
 */

import assert from "node:assert/strict";
import { buildAlpinePack } from "../tools/alpine_pack.ts";
import { buildBundle } from "../tools/bundle.ts";
import { buildPack } from "../tools/pack.ts";
import { findTarget } from "../tools/_common.ts";
import { buildRootfs, rootfsBuildProblem } from "../tools/_rootfs.ts";
import { runCommand } from "./_dist.ts";
import { type RoleProcess, spawn } from "./_harness.ts";
import { CAN_BUILD_LABS, lab, labNamespaces, uniqueLabName } from "./_lab.ts";

const skip = CAN_BUILD_LABS
  ? await rootfsBuildProblem()
  : "needs root and iproute2's ip";
if (skip) console.log(`serve_lab_test: skipped: ${skip}`);

/** alpine-1's address in lab.yaml: where serve runs. */
const SERVER = "192.168.122.207";
const LINE = `wget -qO- http://${SERVER}:8000/install.sh | sh`;

/** Options for {@linkcode onVm}. */
interface VmOptions {
  /** A tmpfs of this size (e.g. `20m`) mounted at this path of the rootfs first. */
  tmpfs?: { path: string; size: string };
}

/**
 * Runs a shell command line "on the VM" `host`: in its namespace, chrooted
 * into the rootfs with /proc mounted, as root with a clean environment.
 */
function onVm(
  netns: string,
  rootfs: string,
  command: string,
  options: VmOptions = {},
) {
  const mounts = [
    'mount -t proc proc "$root/proc"',
    ...options.tmpfs
      ? [
        `mkdir -p "$root${options.tmpfs.path}"`,
        `mount -t tmpfs -o size=${options.tmpfs.size} tmpfs "$root${options.tmpfs.path}"`,
      ]
      : [],
  ].join(" && ");
  return runCommand("ip", [
    "netns",
    "exec",
    netns,
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    `root=$1; shift; ${mounts} && exec chroot "$root" "$@"`,
    "sh",
    rootfs,
    "/bin/env",
    "-i",
    "HOME=/root",
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "LANG=C.UTF-8",
    "/bin/sh",
    "-c",
    command,
  ]);
}

/** What a failed install must leave: no /opt/progjar, no half-unpacked or downloaded file. */
async function assertNothingInstalled(rootfs: string): Promise<void> {
  const left: string[] = [];
  for (const dir of ["opt", "tmp"]) {
    try {
      for await (const entry of Deno.readDir(`${rootfs}/${dir}`)) {
        left.push(`${dir}/${entry.name}`);
      }
    } catch {
      // no such directory: nothing there
    }
  }
  assert.deepEqual(left, [], "nothing installed or left behind");
  assert.throws(() => Deno.lstatSync(`${rootfs}/usr/local/bin/progjar`));
}

Deno.test({
  name:
    "serve: wget … | sh on Alpine-like lab hosts installs progjar (damaged pack, small /tmp or /opt: nothing installed); a broadcast runs; port in use: one line, exit 1",
  ignore: skip !== undefined,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "progjar-serve-lab-" });
    const name = uniqueLabName("srv");
    const servers: RoleProcess[] = [];
    const ns = (host: string) => `pj_${name}_${host}`;
    const rootfs = `${work}/rootfs`;
    try {
      const started = performance.now();
      const out = `${work}/dist`;
      const bad = `${work}/bad`;
      const bundle = await buildBundle({ outDir: out });
      const x86 = findTarget("x86_64")!;
      const pack = await buildAlpinePack(x86, { outDir: out, bundle });
      const self = (await buildPack(x86, { outDir: out, bundle })).path;
      // The damaged copy is served by a second progjar serve of its own.
      await Deno.mkdir(bad);
      await Deno.copyFile(self, `${bad}/progjar-x86_64-linux`);
      await Deno.chmod(`${bad}/progjar-x86_64-linux`, 0o755);
      await Deno.copyFile(pack, `${bad}/progjar-alpine-x86_64.tar.gz`);
      await buildRootfs(rootfs);
      console.log(
        `built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );

      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 0, up.stderr);

      const serve = (dir: string, port: string) => {
        const proc = spawn("serve", "ip", [
          "netns",
          "exec",
          ns("alpine-1"),
          `${dir}/progjar-x86_64-linux`,
          "serve",
          "--port",
          port,
          "--json",
        ], { env: { HOME: `${work}/home` } });
        servers.push(proc);
        return proc;
      };
      const server = serve(out, "8000");
      const listening = await server.waitForRecord("listening", 60_000);
      assert.ok(
        (listening.lines as string[]).includes(LINE),
        JSON.stringify(listening),
      );
      const facts = server.records.find((r) => r.type === "pack")!;
      assert.equal(facts.size, (await Deno.stat(pack)).size);

      // The port in use: one line, exit 1.
      const second = serve(out, "8000");
      const refused = await second.finished();
      assert.equal(refused.code, 1, refused.stderr);
      assert.equal(refused.stderr.trim().split("\n").length, 1, refused.stderr);
      assert.match(refused.stderr, /^serve: error: address already in use/);

      // A download directory too small: the space message, nothing installed.
      const small = await onVm(ns("alpine-2"), rootfs, LINE, {
        tmpfs: { path: "/tmp", size: "20m" },
      });
      assert.equal(small.code, 1, small.stdout + small.stderr);
      assert.match(
        small.stderr,
        /not enough space in \/tmp \(tmpfs\): 44 MB needed, 20 MB free; 24 MB missing/,
      );
      assert.match(small.stderr, /TMPDIR=\/root sh/);
      await assertNothingInstalled(rootfs);

      // /opt too small: the same, for /opt.
      const smallOpt = await onVm(ns("alpine-2"), rootfs, LINE, {
        tmpfs: { path: "/opt", size: "60m" },
      });
      assert.equal(smallOpt.code, 1, smallOpt.stdout + smallOpt.stderr);
      assert.match(smallOpt.stderr, /not enough space in \/opt \(tmpfs\)/);
      await Deno.remove(`${rootfs}/opt`);
      await assertNothingInstalled(rootfs);

      // A damaged pack: the server's checksum (computed at its start) no
      // longer matches what it sends. Refused, nothing installed.
      const badServer = serve(bad, "8001");
      await badServer.waitForRecord("listening", 60_000);
      const damaged = `${bad}/progjar-alpine-x86_64.tar.gz`;
      const stat = await Deno.stat(damaged);
      const file = await Deno.open(damaged, { write: true });
      await file.seek(stat.size - 5000, Deno.SeekMode.Start);
      await file.write(new Uint8Array([0x42, 0x42, 0x42]));
      file.close();
      await Deno.utime(damaged, stat.atime!, stat.mtime!);
      const corrupt = await onVm(
        ns("alpine-2"),
        rootfs,
        `wget -qO- http://${SERVER}:8001/install.sh | sh`,
      );
      assert.equal(corrupt.code, 1, corrupt.stdout + corrupt.stderr);
      assert.match(
        corrupt.stderr,
        /error: checksum mismatch: got [0-9a-f]{64}, expected [0-9a-f]{64}/,
      );
      assert.match(corrupt.stderr, /nothing was installed/);
      await assertNothingInstalled(rootfs);

      // A flaky link: proxies on alpine-1 in front of serve. One cuts every
      // connection after 3 MB: four tries, then one line, nothing installed.
      const proxy = (port: number, cuts: string) => {
        const proc = spawn("proxy", "ip", [
          "netns",
          "exec",
          ns("alpine-1"),
          Deno.execPath(),
          "run",
          "--allow-net",
          new URL("./_cut_proxy.ts", import.meta.url).pathname,
          `0.0.0.0:${port}`,
          "127.0.0.1:8000",
          cuts,
        ]);
        servers.push(proc);
        return proc.waitForLine((line) => line.startsWith("listening"), 30_000);
      };
      await proxy(8003, "all:3000000");
      const broken = await onVm(
        ns("alpine-2"),
        rootfs,
        `wget -qO- http://${SERVER}:8003/install.sh | sh`,
      );
      assert.equal(broken.code, 1, broken.stdout + broken.stderr);
      assert.equal(
        broken.stdout.match(
          /the download broke off at \d+ of \d+ bytes; resuming \(try \d of 3\)/g,
        )
          ?.length,
        3,
        broken.stdout,
      );
      assert.match(
        broken.stderr,
        /error: the download failed 4 times \(got \d+ of \d+ bytes; wget: [^)]+\): is serve still running/,
      );
      assert.match(broken.stderr, /nothing was installed/);
      await assertNothingInstalled(rootfs);

      // The line itself, in Indonesian this time (?lang=id), through a proxy
      // that cuts the pack's first connection after 10 MB: it resumes.
      await proxy(8004, ",10000000");
      const install = await onVm(
        ns("alpine-2"),
        rootfs,
        `wget -qO- 'http://${SERVER}:8004/install.sh?lang=id' | sh`,
      );
      assert.equal(install.code, 0, install.stdout + install.stderr);
      assert.match(
        install.stdout,
        /unduhan terputus pada \d+ dari \d+ byte; melanjutkan \(percobaan 1 dari 3\)/,
      );
      assert.match(install.stdout, /checksum cocok/);
      const done =
        /selesai dalam ([\d.]+) dtk \(unduh ([\d.]+) dtk, bongkar ([\d.]+) dtk, start pertama ([\d.]+) dtk\)/
          .exec(install.stdout);
      assert.ok(done, install.stdout);
      console.log(
        `install: ${done[1]} s (download ${done[2]} s, unpack ${
          done[3]
        } s, first start ${done[4]} s)`,
      );
      assert.match(install.stdout, /coba: progjar --help/);
      const help = await onVm(
        ns("alpine-2"),
        rootfs,
        "progjar udp-server --help",
      );
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^udp-server: /);
      // Nothing left in the download directory or next to /opt.
      assert.deepEqual([...Deno.readDirSync(`${rootfs}/tmp`)], []);
      assert.deepEqual(
        [...Deno.readDirSync(`${rootfs}/opt`)].map((e) => e.name),
        ["progjar"],
      );

      // A broadcast across the lab with the installed commands: alpine-3
      // receives what alpine-2 sends to 192.168.122.255.
      const receiver = spawn("broadcast-receiver", "ip", [
        "netns",
        "exec",
        ns("alpine-3"),
        "unshare",
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount -t proc proc "$1/proc" && exec chroot "$1" /bin/env -i HOME=/root PATH=/usr/local/bin:/bin broadcast-receiver --port 5005 --count 5 --duration 30 --json',
        "sh",
        rootfs,
      ]);
      await receiver.waitForRecord("listening", 30_000);
      const sent = await onVm(
        ns("alpine-2"),
        rootfs,
        "broadcast-sender --to 192.168.122.255 --port 5005 --count 5",
      );
      assert.equal(sent.code, 0, sent.stderr);
      const received = await receiver.finished();
      assert.equal(received.code, 0, received.stderr);
      const summary = receiver.records.find((r) => r.type === "summary");
      assert.equal(summary?.received, 5, JSON.stringify(summary));

      // serve's log: alpine-2's downloads, one line each; the damaged one too.
      server.kill("SIGINT");
      const stopped = await server.finished();
      assert.equal(stopped.code, 0, stopped.stderr);
      const transfers = server.records.filter((r) => r.type === "transfer");
      const packs = transfers.filter((t) =>
        t.path === "/progjar-alpine-x86_64.tar.gz"
      );
      // Through the proxies (serve sees them as 127.0.0.1): the broken link's
      // 200 and three 206s cut off, then the resumed install's 200 cut off
      // and a 206 to the end.
      assert.deepEqual(
        packs.map((t) => [t.client, t.status, t.complete]),
        [
          ["127.0.0.1", 200, false],
          ["127.0.0.1", 206, false],
          ["127.0.0.1", 206, false],
          ["127.0.0.1", 206, false],
          ["127.0.0.1", 200, false],
          ["127.0.0.1", 206, true],
        ],
        JSON.stringify(transfers),
      );
      const resumed = packs[5].range as { start: number; end: number };
      assert.equal(resumed.end, facts.size - 1);
      assert.equal(packs[5].bytes, facts.size - resumed.start);
      const total = server.records.find((r) => r.type === "summary");
      assert.equal(total?.requests, transfers.length);
    } finally {
      for (const proc of servers) proc.kill("SIGTERM");
      await Promise.all(servers.map((p) => p.finished()));
      await lab(["down", "--name", name]);
      assert.deepEqual(await labNamespaces(name), []);
      await Deno.remove(work, { recursive: true });
    }
  },
});
