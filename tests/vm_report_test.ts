/**
 * The practicum as on GNS3, end to end, into the hand-in report: five VMs
 * (each lab host an Alpine-like root file system of its own), `progjar
 * serve` on alpine-1's host, the paste line run on all five; on each VM the
 * roles typed into a plain `sh` under a pty as a student types them: one
 * false start, the sender-first order (the endless sender, receivers one by
 * one, Ctrl+C everywhere), then the receivers-first order. alpine-3's clock
 * is 183 s behind: its runs, recorded on its own clock while serve was out
 * of its reach, go with `progjar-send` afterwards. Then
 * `lab report --records DIR` writes a PDF whose receivers' first numbers are
 * those the receivers printed, in the right order, the false start left out,
 * alpine-3's clock named. Needs root, ip, tmux, busybox-static, musl,
 * patchelf and chromium. Builds the packs once (~20 s).
 */

import assert from "node:assert/strict";
import { buildAlpinePack } from "../tools/alpine_pack.ts";
import { buildBundle } from "../tools/bundle.ts";
import { buildPack } from "../tools/pack.ts";
import { findTarget } from "../tools/_common.ts";
import { buildRootfs, rootfsBuildProblem } from "../tools/_rootfs.ts";
import { CHROMIUM, pdfText } from "./_chromium.ts";
import { type RoleProcess, spawn } from "./_harness.ts";
import { CAN_BUILD_LABS, lab, labNamespaces, uniqueLabName } from "./_lab.ts";
import { HAS_TMUX, type Terminal } from "./_pty.ts";
import { LINE, RECORDS, until, Vm } from "./_vm.ts";

const skip = !HAS_TMUX
  ? "needs tmux"
  : !CHROMIUM
  ? "needs chromium"
  : CAN_BUILD_LABS
  ? await rootfsBuildProblem()
  : "needs root and iproute2's ip";
if (skip) console.log(`vm_report_test: skipped: ${skip}`);

const HOSTS = ["alpine-1", "alpine-2", "alpine-3", "alpine-4", "alpine-5"];
const RECEIVERS = HOSTS.slice(1);
/** alpine-3's clock: this far behind the host's. */
const SKEW_MS = -183_000;

/** The first numbers a receiver's console printed, in order. */
function firstNumbers(screen: string): number[] {
  return [...screen.matchAll(/first number (\d+)/g)].map((m) => Number(m[1]));
}

/** Types `line` into a console and presses Enter. */
async function typeLine(console: Terminal, line: string): Promise<void> {
  await console.type(line);
  await console.press("Enter");
}

Deno.test({
  name:
    "VMs as on GNS3 into the report: serve on one host, the paste line on five, roles typed into sh (a false start, sender first with Ctrl+C, receivers first), a clock 183 s behind; lab report --records writes the PDF with each receiver's first number",
  ignore: skip !== undefined,
  async fn() {
    const work = await Deno.makeTempDir({ prefix: "progjar-vm-report-" });
    const name = uniqueLabName("vrp");
    const ns = (host: string) => `pj_${name}_${host}`;
    const records = `${work}/records`;
    const servers: RoleProcess[] = [];
    const consoles = new Map<string, Terminal>();
    try {
      const out = `${work}/dist`;
      const bundle = await buildBundle({ outDir: out });
      const x86 = findTarget("x86_64")!;
      await buildAlpinePack(x86, { outDir: out, bundle });
      await buildPack(x86, { outDir: out, bundle });
      const vms = new Map(
        HOSTS.map((h) => [h, new Vm(h, ns(h), `${work}/${h}`)]),
      );
      for (const vm of vms.values()) await buildRootfs(vm.rootfs);
      const vm = (host: string) => vms.get(host)!;

      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const server = spawn("serve", "ip", [
        "netns",
        "exec",
        ns("alpine-1"),
        `${out}/progjar-x86_64-linux`,
        "serve",
        "--port",
        "8000",
        "--records",
        records,
        "--json",
      ], { env: { HOME: `${work}/home` } });
      servers.push(server);
      await server.waitForRecord("listening", 60_000);
      const runsAtServe = () =>
        server.records.filter((r) => r.type === "records-run");

      // The paste line on all five (alpine-1 too: serve runs beside it).
      for (const host of HOSTS) {
        const install = await vm(host).run(LINE);
        assert.equal(install.code, 0, `${host}: ${install.stderr}`);
      }
      for (const host of HOSTS) {
        const console = await vm(host).console();
        consoles.set(host, console);
      }
      const on = (host: string) => consoles.get(host)!;
      // alpine-3 cannot reach serve while the practicum runs (serve's port
      // as the VM knows it: nothing listens there): its runs wait on its
      // own disk.
      const conf = `${vm("alpine-3").rootfs}/var/lib/progjar/serve.conf`;
      const reachable = await Deno.readTextFile(conf);
      assert.match(reachable, /^base=http:\/\/192\.168\.122\.207:8000$/m);
      await Deno.writeTextFile(conf, reachable.replace(":8000\n", ":8009\n"));

      // The false start: a command copied from another VM (its address).
      await typeLine(
        on("alpine-1"),
        "broadcast-sender --count 300 --bind 192.168.122.131",
      );
      await on("alpine-1").waitFor(/broadcast-sender: error: /, 30_000);

      // Sender first, as the course runs it: the endless sender (no --to,
      // as on GNS3: the default route), the receivers one by one, Ctrl+C.
      await typeLine(on("alpine-1"), "broadcast-sender --interval 2");
      await on("alpine-1").waitFor(
        /sent {2}BROADCAST ini angka [1-9]\d{2}/,
        30_000,
      );
      for (const host of RECEIVERS) {
        await typeLine(on(host), "broadcast-receiver");
        await on(host).waitFor(/received {2}BROADCAST ini angka/, 30_000);
        await new Promise((resolve) => setTimeout(resolve, 400));
      }
      await on("alpine-1").press("C-c");
      await on("alpine-1").waitFor(/done: sent \d+ datagrams/, 15_000);
      for (const host of RECEIVERS) await on(host).press("C-c");
      const printed = new Map<string, number[]>();
      for (const host of RECEIVERS) {
        const screen = await on(host).waitFor(/first number \d+/, 15_000);
        printed.set(host, firstNumbers(screen));
      }
      const later = RECEIVERS.map((h) => printed.get(h)![0]);
      assert.ok(later.every((n) => n > 1), `first numbers ${later}`);
      assert.deepEqual([...later].sort((a, b) => a - b), later);

      // Receivers first.
      for (const host of RECEIVERS) {
        await typeLine(on(host), "clear; broadcast-receiver");
      }
      for (const host of RECEIVERS) {
        await on(host).waitFor(
          (s) =>
            (s.match(/listening for broadcasts/g) ?? []).length >= 1 &&
            !/first number/.test(s.split("listening for broadcasts").at(-1)!),
          30_000,
        );
      }
      await typeLine(
        on("alpine-1"),
        "clear; broadcast-sender --count 300 --interval 2",
      );
      await on("alpine-1").waitFor(
        (s) => /done: sent 300 datagrams/.test(s.split("--count 300").at(-1)!),
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const host of RECEIVERS) await on(host).press("C-c");
      for (const host of RECEIVERS) {
        const screen = await on(host).waitFor(
          (s) => firstNumbers(s).length >= 2,
          15_000,
        );
        printed.get(host)!.push(firstNumbers(screen).at(-1)!);
        assert.equal(printed.get(host)![1], 1, `${host}: got all from 1`);
      }

      // Every run but alpine-3's is at serve: 3 of alpine-1, 2 per receiver.
      await until(
        "the runs at serve",
        () => runsAtServe().length === 9,
        60_000,
      );
      // alpine-3's two runs, on its own clock, 183 s behind; then serve in
      // reach again and progjar-send typed.
      const a3 = vm("alpine-3");
      const pending = a3.runs("pending");
      assert.equal(pending.length, 2, `alpine-3 pending: ${pending}`);
      for (const run of pending) {
        const path = `${a3.rootfs}${RECORDS}/pending/${run}.jsonl`;
        const lines = (await Deno.readTextFile(path)).trimEnd().split("\n")
          .map((l) => JSON.parse(l));
        await Deno.writeTextFile(
          path,
          lines.map((l) => JSON.stringify({ ...l, t: l.t + SKEW_MS }))
            .join("\n") + "\n",
        );
      }
      await Deno.writeTextFile(conf, reachable);
      await typeLine(
        on("alpine-3"),
        `PROGJAR_SEND_CLOCK_SKEW_MS=${SKEW_MS} progjar-send`,
      );
      await on("alpine-3").waitFor(/2 sent/, 30_000);
      await until("alpine-3's runs", () => runsAtServe().length === 11);

      // The report, from the store alone.
      const list = await lab(["report", "--records", records, "--list"]);
      assert.equal(list.code, 0, list.stderr);
      // Every run arrived whole, with its end: none cut short while it ran.
      assert.doesNotMatch(list.stdout, / running /);
      assert.match(
        list.stdout,
        /^alpine-1 +[\d:]+ +broadcast-sender +--count 300 --bind 192\.168\.122\.131 +\d+ +1 +false start: sent nothing$/m,
      );
      assert.match(
        list.stdout,
        /^1 +[\d:-]+ +broadcast-sender-first +alpine-1, alpine-2, alpine-3, alpine-4, alpine-5 +passed +yes$/m,
      );
      assert.match(
        list.stdout,
        /^2 +[\d:-]+ +broadcast-receivers-first +alpine-1, alpine-2, alpine-3, alpine-4, alpine-5 +passed +yes$/m,
      );
      assert.match(
        list.stdout,
        /^alpine-3: clock 3 min [23] s behind the host's/m,
      );
      const pdf = `${work}/laporan.pdf`;
      const html = `${work}/laporan.html`;
      for (const file of [pdf, html]) {
        const made = await lab([
          "report",
          "--records",
          records,
          "--report",
          file,
          "--lang",
          "id",
          "--student",
          "Budi Santoso",
        ]);
        assert.equal(made.code, 0, made.stdout + made.stderr);
      }
      const page = await Deno.readTextFile(html);
      const lanes = (scenario: string) =>
        new Map(
          [
            ...page.match(
              new RegExp(
                `<figure data-picture="\\d+-${scenario}">[\\s\\S]*?</figure>`,
              ),
            )![0].matchAll(/data-host="([^"]+)" data-first="(\d*)"/g),
          ].map((m) => [m[1], Number(m[2])]),
        );
      const senderFirst = lanes("broadcast-sender-first");
      const receiversFirst = lanes("broadcast-receivers-first");
      for (const host of RECEIVERS) {
        const [late, early] = printed.get(host)!;
        assert.equal(senderFirst.get(host), late, `${host}, sender first`);
        assert.equal(
          receiversFirst.get(host),
          early,
          `${host}, receivers first`,
        );
      }
      assert.doesNotMatch(page, /--bind 192\.168\.122\.131|Tidak lolos/);
      const text = await pdfText(pdf);
      if (text !== undefined) {
        assert.match(text, /Skenario 1: broadcast-sender-first/);
        assert.match(text, /Skenario 2: broadcast-receivers-first/);
        for (const host of RECEIVERS) {
          assert.match(text, new RegExp(`#${printed.get(host)![0]}\\b`));
        }
        assert.match(text, /alpine-3 3 mnt [23] dtk tertinggal dari jam host/);
        assert.doesNotMatch(text, /--bind 192\.168\.122\.131/);
      }
    } finally {
      for (const console of consoles.values()) await console.close();
      for (const proc of servers) proc.kill("SIGTERM");
      await Promise.all(servers.map((p) => p.finished()));
      await lab(["down", "--name", name]);
      assert.deepEqual(await labNamespaces(name), []);
      await Deno.remove(work, { recursive: true });
    }
  },
});
