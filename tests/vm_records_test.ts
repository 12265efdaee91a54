/**
 * The VMs' records, as on GNS3: `progjar serve` on alpine-1 of the
 * namespaces lab, and alpine-2/alpine-3 each an Alpine-like root file
 * system of its own (its own disk: busybox, musl, no glibc) where the paste
 * line is run. Roles are typed into a plain `sh` under a pty (no login
 * shell, no profile); what each ran comes back to serve's `--records DIR`
 * when it ends, one file per VM. Then: serve down while roles end (the runs
 * stay on the VM and go with the next role that ends, or with
 * `progjar-send`), serve restarted (the secrets kept; nothing lost or
 * doubled), a VM whose clock is 183 s behind, the role's exit with serve
 * down or not answering, and forged, oversized, `../` and control-character
 * deliveries refused with the store unchanged. Needs root, ip, tmux,
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
import { HAS_TMUX, type Terminal } from "./_pty.ts";
import { LINE, RECORDS, SERVER, until, Vm } from "./_vm.ts";

const skip = !HAS_TMUX
  ? "needs tmux"
  : CAN_BUILD_LABS
  ? await rootfsBuildProblem()
  : "needs root and iproute2's ip";
if (skip) console.log(`vm_records_test: skipped: ${skip}`);

/** One line of a store file. */
type Line = Record<string, unknown> & { t: number; run?: string };

async function storeLines(dir: string): Promise<Map<string, Line[]>> {
  const files = new Map<string, Line[]>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".jsonl")) continue;
    const text = await Deno.readTextFile(`${dir}/${entry.name}`);
    files.set(
      entry.name,
      text.trimEnd().split("\n").map((l) => JSON.parse(l)),
    );
  }
  return files;
}

/** Every file of the store with its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    files[entry.name] = await Deno.readTextFile(`${dir}/${entry.name}`);
  }
  return files;
}

Deno.test({
  name:
    "VM records: roles typed into plain sh on installed VMs come back to serve's store; serve down, restarted, a clock off, forged deliveries",
  ignore: skip !== undefined,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "progjar-vm-records-" });
    const name = uniqueLabName("vmr");
    const ns = (host: string) => `pj_${name}_${host}`;
    const records = `${work}/records`;
    const servers: RoleProcess[] = [];
    const terminals: Terminal[] = [];
    try {
      const out = `${work}/dist`;
      const bundle = await buildBundle({ outDir: out });
      const x86 = findTarget("x86_64")!;
      await buildAlpinePack(x86, { outDir: out, bundle });
      await buildPack(x86, { outDir: out, bundle });
      const vms = [
        new Vm("alpine-2", ns("alpine-2"), `${work}/alpine-2`),
        new Vm("alpine-3", ns("alpine-3"), `${work}/alpine-3`),
      ];
      for (const vm of vms) await buildRootfs(vm.rootfs);
      const [a2, a3] = vms;

      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 0, up.stderr);

      const serve = () => {
        const proc = spawn("serve", "ip", [
          "netns",
          "exec",
          ns("alpine-1"),
          `${out}/progjar-x86_64-linux`,
          "serve",
          "--port",
          "8000",
          "--records",
          records,
          "--records-max-run",
          "200K",
          "--json",
          "--json-text",
        ], { env: { HOME: `${work}/home` } });
        servers.push(proc);
        return proc;
      };
      const stopServe = async (proc: RoleProcess) => {
        proc.kill("SIGINT");
        const done = await proc.finished();
        assert.equal(done.code, 0, done.stderr);
      };
      let server = serve();
      await server.waitForRecord("listening", 60_000);
      const of = (type: string, proc = server) =>
        proc.records.filter((r) => r.type === type);
      // serve's human lines (--json-text).
      const said = () => of("text").map((r) => String(r.text));

      // The paste line on each VM: installed, and serve has its facts.
      for (const vm of vms) {
        const install = await vm.run(LINE);
        assert.equal(install.code, 0, install.stdout + install.stderr);
        const last = install.stdout.trimEnd().split("\n").at(-1)!;
        assert.match(last, /^install\.sh: records: .*: progjar-send$/);
        assert.match(
          install.stdout,
          /serve at http:\/\/192\.168\.122\.207:8000 knows this VM/,
        );
        const conf = await Deno.stat(`${vm.rootfs}/var/lib/progjar/serve.conf`);
        assert.equal(conf.mode! & 0o777, 0o600);
      }
      await until("both VMs' facts", () => of("records-facts").length === 2);
      const facts = of("records-facts");
      assert.deepEqual(facts.map((f) => f.hostname), ["alpine-2", "alpine-3"]);
      assert.deepEqual(facts.map((f) => f.client), [
        "192.168.122.131",
        "192.168.122.7",
      ]);

      // The practicum typed into each VM's console: a receiver on
      // alpine-3, a sender on alpine-2, the receiver stopped with Ctrl+C.
      const c2 = await a2.console();
      const c3 = await a3.console();
      terminals.push(c2, c3);
      await c3.type("broadcast-receiver --port 5005");
      await c3.press("Enter");
      await c3.waitFor(/listening/, 30_000);
      await c2.type(
        "broadcast-sender --to 192.168.122.255 --port 5005 --count 5",
      );
      await c2.press("Enter");
      await c3.waitFor(/BROADCAST ini angka 5/, 30_000);
      await c3.press("C-c");
      await c3.waitFor(/5 datagrams received/, 15_000);
      await until("two runs at serve", () => of("records-run").length === 2);
      const runs = of("records-run");
      assert.deepEqual(runs.map((r) => `${r.hostname} ${r.role}`).sort(), [
        "alpine-2 broadcast-sender",
        "alpine-3 broadcast-receiver",
      ]);
      // serve's one line per run: host, role, times, entries.
      assert.ok(
        said().some((l) =>
          /^records: alpine-3 \(192\.168\.122\.7\) {2}broadcast-receiver {2}\d\d:\d\d:\d\d–\d\d:\d\d:\d\d {2}\d+ entries → /
            .test(l)
        ),
        said().join("\n"),
      );
      for (const vm of vms) {
        await until(`${vm.host}: sent`, () => vm.runs("sent").length === 1);
        assert.deepEqual(vm.runs("pending"), []);
      }
      const store = await storeLines(records);
      const receiverFile = store.get("vm-2-192-168-122-7.jsonl")!;
      const received = receiverFile.filter((l) =>
        (l.record as { type?: string } | undefined)?.type === "datagram"
      );
      assert.deepEqual(
        received.map((l) => (l.record as { seq: number }).seq),
        [1, 2, 3, 4, 5],
      );
      assert.equal(
        receiverFile[0].vm &&
          (receiverFile[0].vm as { hostname: string }).hostname,
        "alpine-3",
      );
      assert.deepEqual(receiverFile[0].vm, {
        id: "vm-2-192-168-122-7",
        hostname: "alpine-3",
        address: "192.168.122.7",
        prefix: 24,
        broadcast: "192.168.122.255",
        installedFrom: "192.168.122.7",
      });

      // serve down while roles end: the role's exit is not delayed, the
      // runs stay on the VM.
      await stopServe(server);
      const timed = async (vm: Vm) => {
        const result = await vm.run(
          "broadcast-sender --to 192.168.122.255 --port 5005 --count 3",
        );
        const exited = Date.now();
        assert.equal(result.code, 0, result.stderr);
        const pending = vm.runs("pending").at(-1)!;
        const text = await Deno.readTextFile(
          `${vm.rootfs}${RECORDS}/pending/${pending}.jsonl`,
        );
        const end = JSON.parse(text.trimEnd().split("\n").at(-1)!);
        assert.ok("end" in end, text);
        return exited - end.t;
      };
      const downDelay = await timed(a2);
      // serve's host not answering at all (its link down): the same.
      await runCommand("ip", [
        "-n",
        ns("alpine-1"),
        "link",
        "set",
        "eth0",
        "down",
      ]);
      const silentDelay = await timed(a2);
      await runCommand("ip", [
        "-n",
        ns("alpine-1"),
        "link",
        "set",
        "eth0",
        "up",
      ]);
      console.log(
        `exit after the end entry: ${downDelay} ms (serve down), ${silentDelay} ms (serve not answering)`,
      );
      assert.ok(downDelay < 1000 && silentDelay < 1000);
      // Each role's watcher tried and kept its run.
      await until(
        "the watchers' tries",
        async () => {
          const log = await Deno.readTextFile(
            `${a2.rootfs}/var/lib/progjar/send.log`,
          ).catch(() => "");
          return (log.match(/kept in/g) ?? []).length >= 2;
        },
        60_000,
      );
      assert.equal(a2.runs("pending").length, 2);

      // A receiver on alpine-3 runs across serve's restart.
      await c3.type("broadcast-receiver --port 5005");
      await c3.press("Enter");
      await c3.waitFor((s) => (s.match(/listening/g) ?? []).length >= 2);

      // The VM whose clock is off: alpine-2's clock 183 s behind. Its
      // pending runs were recorded on that clock, and its progjar-send reads
      // it (PROGJAR_SEND_CLOCK_SKEW_MS).
      const skew = -183_000;
      const original = new Map<string, number[]>();
      for (const run of a2.runs("pending")) {
        const path = `${a2.rootfs}${RECORDS}/pending/${run}.jsonl`;
        const lines = (await Deno.readTextFile(path)).trimEnd().split("\n")
          .map((l) => JSON.parse(l));
        original.set(run, lines.map((l) => l.t));
        await Deno.writeTextFile(
          path,
          lines.map((l) => JSON.stringify({ ...l, t: l.t + skew })).join("\n") +
            "\n",
        );
      }

      // serve restarted with the same --records: the VMs installed before
      // still deliver.
      server = serve();
      await server.waitForRecord("listening", 60_000);
      assert.ok(
        said().some((l) => /records from the VMs: .* \(2 VMs, /.test(l)),
        said().join("\n"),
      );
      await c2.type(`${"PROGJAR_SEND_CLOCK_SKEW_MS"}=${skew} progjar-send`);
      await c2.press("Enter");
      await c2.waitFor(/2 sent/, 30_000);
      await until("alpine-2's two runs", () => of("records-run").length === 2);
      for (const run of of("records-run")) {
        assert.ok(
          Math.abs(Number(run.offsetMs) + skew) < 1000,
          JSON.stringify(run),
        );
      }
      assert.ok(
        said().some((l) =>
          /the VM's clock is 18[23]\.\d s behind this machine's/.test(l)
        ),
        said().join("\n"),
      );
      // On the host's clock again: within the estimate's error.
      const afterSkew = await storeLines(records);
      for (const [run, times] of original) {
        const stored = afterSkew.get("vm-1-192-168-122-131.jsonl")!
          .filter((l) => l.run === run && !("clock" in l));
        assert.equal(stored.length, times.length);
        stored.forEach((l, i) => assert.ok(Math.abs(l.t - times[i]) < 1000));
      }

      // alpine-3's receiver, started before the restart, ends: its run goes.
      await c3.press("C-c");
      await until("alpine-3's run", () => of("records-run").length === 3);

      // With serve down again, a run on alpine-3 goes with the next role.
      await stopServe(server);
      assert.equal((await a3.run("udp-client --help")).code, 0);
      const lost = await a3.run(
        "broadcast-sender --to 192.168.122.255 --port 5005 --count 2",
      );
      assert.equal(lost.code, 0, lost.stderr);
      await until(
        "alpine-3's watcher tried",
        async () =>
          ((await Deno.readTextFile(`${a3.rootfs}/var/lib/progjar/send.log`)
            .catch(() => "")).match(/kept in/g) ?? []).length >= 1,
        60_000,
      );
      server = serve();
      await server.waitForRecord("listening", 60_000);
      const next = await a3.run(
        "broadcast-sender --to 192.168.122.255 --port 5005 --count 1",
      );
      assert.equal(next.code, 0, next.stderr);
      await until(
        "both with the next role",
        () => of("records-run").length === 2,
      );
      assert.deepEqual(a3.runs("pending"), []);

      // progjar-send again: nothing to send, nothing doubled.
      await c2.type("progjar-send");
      await c2.press("Enter");
      await c2.waitFor(/serve at .* knows this VM/, 30_000);

      // Nothing lost, nothing twice: every run on the VMs is in the store
      // once, whole.
      const final = await storeLines(records);
      for (const vm of vms) {
        const file = [...final.entries()].find(([, lines]) =>
          (lines[0].vm as { hostname: string }).hostname === vm.host
        )![1];
        const starts = file.filter((l) =>
          "start" in l
        ).map((l) => l.run);
        assert.deepEqual(starts.sort(), vm.runs("sent"));
        for (const run of vm.runs("sent")) {
          const sent = (await Deno.readTextFile(
            `${vm.rootfs}${RECORDS}/sent/${run}.jsonl`,
          )).trimEnd().split("\n");
          assert.equal(
            file.filter((l) => l.run === run && !("clock" in l)).length,
            sent.length,
            `${vm.host} ${run}`,
          );
        }
      }
      assert.equal(a2.runs("sent").length, 3);
      assert.equal(a3.runs("sent").length, 4);

      // Forged deliveries, from the lab's network: refused, the store as it was.
      const before = await snapshot(records);
      const refusedBefore = of("records-refused").length;
      const secret = (await Deno.readTextFile(
        `${a2.rootfs}/var/lib/progjar/serve.conf`,
      )).match(/^secret=(\w+)$/m)![1];
      const head = (hostname: string, run = "forged-1") =>
        JSON.stringify({
          progjar: 1,
          run,
          clock: Date.now(),
          vm: { hostname },
        });
      const start = JSON.stringify({
        t: Date.now(),
        pid: 9,
        start: { role: "udp-server", argv: [], lang: "en" },
      });
      const post = async (
        host: string,
        body: string,
        secretOf?: string,
      ) => {
        const file = `${work}/body`;
        await Deno.writeTextFile(file, body);
        return await runCommand("ip", [
          "netns",
          "exec",
          ns(host),
          "/bin/busybox",
          "wget",
          "-q",
          "-O-",
          ...secretOf ? ["--header", `Authorization: Bearer ${secretOf}`] : [],
          "--post-file",
          file,
          `http://${SERVER}:8000/records`,
        ]);
      };
      const cases: [string, () => Promise<unknown>, number][] = [
        [
          "no secret",
          () => post("alpine-2", `${head("alpine-2")}\n${start}\n`),
          401,
        ],
        [
          "alpine-2's secret from alpine-4",
          () => post("alpine-4", `${head("alpine-2")}\n${start}\n`, secret),
          403,
        ],
        [
          "../ in the host name",
          () => post("alpine-2", `${head("../../etc")}\n${start}\n`, secret),
          400,
        ],
        [
          "control characters in the host name",
          () =>
            post(
              "alpine-2",
              `${head("alpine-2\u001b[31m")}\n${start}\n`,
              secret,
            ),
          400,
        ],
        [
          "oversized",
          () =>
            post(
              "alpine-2",
              `${head("alpine-2", "forged-2")}\n${start}\n${
                Array.from({ length: 300 }, () =>
                  JSON.stringify({ t: 1, pid: 9, text: "x".repeat(1000) }))
                  .join("\n")
              }\n`,
              secret,
            ),
          413,
        ],
      ];
      for (const [what, send, status] of cases) {
        const count = of("records-refused").length;
        await send();
        await until(what, () => of("records-refused").length === count + 1);
        const refused = of("records-refused").at(-1)!;
        assert.equal(
          refused.status,
          status,
          `${what}: ${JSON.stringify(refused)}`,
        );
        assert.deepEqual(
          await snapshot(records),
          before,
          `${what}: store changed`,
        );
      }
      assert.equal(of("records-refused").length, refusedBefore + cases.length);
      // One line each.
      assert.equal(
        said().filter((l) => l.startsWith("records: refused ")).length,
        cases.length,
      );
    } finally {
      for (const t of terminals) await t.close();
      for (const proc of servers) proc.kill("SIGTERM");
      await Promise.all(servers.map((p) => p.finished()));
      await lab(["down", "--name", name]);
      assert.deepEqual(await labNamespaces(name), []);
      await Deno.remove(work, { recursive: true });
    }
  },
});
