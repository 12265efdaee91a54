/**
 * serve's records under a class's load: 150 VMs, each a network namespace
 * of its own on one bridge (its own address, host name and /var/lib), each
 * given its secret by the install.sh it fetched with BusyBox wget, each
 * sending its runs with the pack's own `progjar send` at the same moment
 * (serve is held stopped until all 150 have connected and sent, then let
 * go, or 5 s after the first connected). Every run is stored once, line for line, in its own VM's file, none
 * refused, and serve's peak memory is bounded; then the same with
 * `--max-connections` far below 150: the VMs turned away keep their runs
 * pending and deliver them on the next try, nothing lost or doubled.
 * Needs root, ip, unshare and busybox.
 */

import assert from "node:assert/strict";
import { buildBundle } from "../tools/bundle.ts";
import { runCommand, taskCommand } from "./_dist.ts";
import { type RoleProcess, spawn } from "./_harness.ts";
import { CAN_BUILD_LABS, uniqueLabName } from "./_lab.ts";
import { until } from "./_vm.ts";
import {
  checkVmFile,
  establishedTo,
  Fleet,
  type FleetRun,
  type FleetVm,
  Gate,
  makeRun,
  peakKiB,
  pool,
  writeRun,
} from "./_vm_fleet.ts";

const VMS = 150;
const PORT = 8000;

const skip = !CAN_BUILD_LABS
  ? "needs root and iproute2's ip"
  : (await runCommand("busybox", ["wget", "--help"]).catch(() => ({
      code: 127,
    })
    )).code === 127
  ? "needs busybox"
  : undefined;
if (skip) console.log(`serve_records_load_test: skipped: ${skip}`);

/** A served directory with a pack (serve issues secrets only with one). */
async function servedDir(work: string): Promise<string> {
  const dir = `${work}/served`;
  await Deno.mkdir(dir);
  const gzip = new Blob(["not really a tar, but gzip: serve reads its size"])
    .stream().pipeThrough(new CompressionStream("gzip"));
  await Deno.writeFile(`${dir}/progjar-alpine-x86_64.tar.gz`, gzip);
  return dir;
}

async function startServe(
  fleet: Fleet,
  work: string,
  flags: string[] = [],
): Promise<RoleProcess> {
  const served = `${work}/served`;
  const records = `${work}/records`;
  const words = (await taskCommand("serve")).map((word) =>
    word.startsWith("--allow-read=")
      ? `--allow-read=${served},${records}`
      : word.startsWith("--allow-write=")
      ? `--allow-write=${records}`
      : word
  );
  const proc = spawn("serve", "ip", [
    "netns",
    "exec",
    fleet.serverNetns,
    ...words,
    "--dir",
    served,
    "--records",
    records,
    "--no-build",
    "--bind",
    fleet.serverAddress,
    "--port",
    String(PORT),
    "--json",
    "--json-text",
    ...flags,
  ]);
  await proc.waitForRecord("listening", 30_000);
  return proc;
}

/** The runs of VM `i`: the first sent is the largest (1 MiB for every third VM). */
function runsOf(i: number): FleetRun[] {
  return [
    makeRun(i, 0, i % 3 === 0 ? 1024 * 1024 : 64 * 1024),
    makeRun(i, 1, 16 * 1024),
    makeRun(i, 2, 2 * 1024),
  ];
}

interface Sent {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `progjar send` on every VM of `vms` at once while serve is
 * stopped, lets serve go once all have connected (or 5 s after the first
 * did), and waits for them.
 * Returns their outcomes and how many were waiting at once.
 */
async function sendAtOnce(
  fleet: Fleet,
  serve: RoleProcess,
  vms: readonly FleetVm[],
): Promise<{ sent: Sent[]; waiting: number; seconds: number }> {
  await using gate = await Gate.make();
  Deno.kill(serve.pid, "SIGSTOP");
  let released = false;
  const release = () => {
    if (!released) Deno.kill(serve.pid, "SIGCONT");
    released = true;
  };
  try {
    const children = vms.map((vm) => {
      const [program, ...args] = fleet.send(vm, undefined, { gate });
      return new Deno.Command(program, {
        args,
        env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    });
    const outputs = children.map((c) => c.output());
    await gate.open();
    // Held until all have connected, or 5 s after the first did (each
    // sender gives up after 15 s without an answer).
    let deadline = Date.now() + 30_000;
    let waiting = 0;
    while (Date.now() < deadline) {
      waiting = establishedTo(serve.pid, PORT);
      if (waiting >= vms.length) break;
      if (waiting > 0) deadline = Math.min(deadline, Date.now() + 5_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    const started = performance.now();
    release();
    const sent = (await Promise.all(outputs)).map((o) => ({
      code: o.code,
      stdout: new TextDecoder().decode(o.stdout),
      stderr: new TextDecoder().decode(o.stderr),
    }));
    return { sent, waiting, seconds: (performance.now() - started) / 1000 };
  } finally {
    release();
  }
}

async function fleetTest(
  tag: string,
  body: (fleet: Fleet, work: string) => Promise<void>,
): Promise<void> {
  const work = await Deno.makeTempDir({ prefix: "progjar-records-load-" });
  let fleet: Fleet | undefined;
  try {
    const bundle = await buildBundle({ outDir: `${work}/dist` });
    await servedDir(work);
    fleet = await Fleet.up({
      tag: uniqueLabName(tag),
      work,
      count: VMS,
      bundle,
    });
    await body(fleet, work);
  } finally {
    await fleet?.down();
    await Deno.remove(work, { recursive: true });
  }
}

function ofType(proc: RoleProcess, type: string): Record<string, unknown>[] {
  return proc.records.filter((r) => r.type === type);
}

/** Waits for serve's lines of `count` runs kept (its output is read as it comes). */
async function logged(serve: RoleProcess, count: number): Promise<void> {
  await until(
    `${count} records-run lines`,
    () => ofType(serve, "records-run").length >= count,
    10_000,
  ).catch(() => {});
  assert.equal(ofType(serve, "records-run").length, count);
}

/** Every VM's file checked against what it sent; every run once in all. */
async function checkStore(
  fleet: Fleet,
  work: string,
  runs: Map<FleetVm, FleetRun[]>,
): Promise<void> {
  const problems: string[] = [];
  const files = new Set<string>();
  for await (const entry of Deno.readDir(`${work}/records`)) {
    if (entry.name.endsWith(".jsonl")) files.add(entry.name);
  }
  assert.equal(files.size, fleet.vms.length, [...files].join(" "));
  for (const vm of fleet.vms) {
    const text = await Deno.readTextFile(`${work}/records/${vm.vm}.jsonl`);
    problems.push(...checkVmFile(text, vm, runs.get(vm)!));
    assert.deepEqual(fleet.runs(vm, "pending"), [], vm.hostname);
    assert.deepEqual(fleet.runs(vm, "refused"), [], vm.hostname);
    assert.deepEqual(
      fleet.runs(vm, "sent"),
      runs.get(vm)!.map((r) => r.run),
      vm.hostname,
    );
  }
  assert.deepEqual(problems.slice(0, 20), []);
}

Deno.test({
  name:
    "serve records: 150 VMs send their runs at the same moment: every run stored once, line for line, in its VM's file, none refused, memory bounded",
  ignore: skip !== undefined,
  async fn() {
    await fleetTest("rl", async (fleet, work) => {
      const serve = await startServe(fleet, work);
      try {
        await pool(fleet.vms, 16, (vm) => fleet.install(vm, PORT));
        const runs = new Map(fleet.vms.map((vm) => [vm, runsOf(vm.index)]));
        for (const [vm, list] of runs) {
          for (const run of list) await writeRun(vm, run);
        }
        const before = peakKiB(serve.pid);
        const { sent, waiting, seconds } = await sendAtOnce(
          fleet,
          serve,
          fleet.vms,
        );
        const peak = peakKiB(serve.pid);
        console.log(
          `  ${waiting} of ${VMS} deliveries waiting at once; all stored ${
            seconds.toFixed(1)
          } s later; serve's peak RSS ${
            (before / 1024).toFixed(1)
          } MB before, ${(peak / 1024).toFixed(1)} MB after`,
        );
        for (const [i, s] of sent.entries()) {
          assert.equal(
            s.code,
            0,
            `vm-${i + 1}: ${s.stdout}${s.stderr}`,
          );
        }
        await logged(serve, VMS * 3);
        assert.deepEqual(ofType(serve, "records-refused"), []);
        assert.deepEqual(ofType(serve, "records-duplicate"), []);
        await checkStore(fleet, work, runs);
        // The first runs, on their way at once, are 59 MB: a serve that held
        // them grew by 246 MB. This one, collecting every 16 deliveries and
        // every 2 MiB read, grew by 7.7–8.6 MB here (3 runs; 9.4–10.1 MB
        // collecting by deliveries only), and once by 22.3 MB on another
        // machine (collecting by deliveries only): how much garbage lives
        // until a collection depends on how the reads interleave. Growing by
        // half of what is on its way would be holding it; the 64 MB target
        // is a figure of bench:serve --records on a quiet machine, not
        // asserted here.
        const inFlight = [...runs.values()].reduce(
          (sum, list) => sum + list[0].lines.join("\n").length,
          0,
        );
        assert.ok(peak > 0, "no VmHWM");
        assert.ok(inFlight > 50e6, `${inFlight} bytes on their way`);
        assert.ok(
          (peak - before) * 1024 < inFlight / 2,
          `serve grew from ${before} kB to ${peak} kB with ${inFlight} bytes on their way`,
        );
      } finally {
        serve.kill("SIGINT");
        await serve.finished();
      }
    });
  },
});

Deno.test({
  name:
    "serve records: 150 VMs at once against --max-connections 16: the VMs turned away are told serve is busy and keep their runs; sent again, every run is stored once",
  ignore: skip !== undefined,
  async fn() {
    await fleetTest("rm", async (fleet, work) => {
      const serve = await startServe(fleet, work, [
        "--max-connections",
        "16",
        // The connections held open below stay until they are closed.
        "--request-timeout",
        "300",
      ]);
      try {
        await pool(fleet.vms, 16, (vm) => fleet.install(vm, PORT));
        const runs = new Map(fleet.vms.map((vm) => [vm, runsOf(vm.index)]));
        for (const [vm, list] of runs) {
          for (const run of list) await writeRun(vm, run);
        }
        const first = await sendAtOnce(fleet, serve, fleet.vms);
        const said = first.sent.map((s) => s.stdout + s.stderr);
        const busy = said.filter((s) => /^serve is busy \(HTTP 503: /m.test(s));
        console.log(
          `  ${first.waiting} waiting at once; ${busy.length} turned away at first, ${
            first.sent.filter((s) => s.code !== 0).length
          } still busy after 3 tries; e.g. ${busy[0]?.split("\n")[0]}`,
        );
        assert.ok(busy.length > 0, "every VM got through: no limit met");
        for (const [i, s] of said.entries()) {
          // Told it is busy, not a connection cut (on a busy machine a
          // sender may give up waiting: it keeps its runs all the same).
          assert.doesNotMatch(
            s,
            /not reachable: (?!no answer)/,
            `vm-${i + 1}: ${s}`,
          );
          if (first.sent[i].code !== 0) assert.match(s, /runs? kept in/, s);
        }
        // Each VM keeps what serve did not take.
        for (const vm of fleet.vms) {
          assert.deepEqual(fleet.runs(vm, "refused"), [], vm.hostname);
          assert.deepEqual(
            [...fleet.runs(vm, "sent"), ...fleet.runs(vm, "pending")].sort(),
            runs.get(vm)!.map((r) => r.run),
            vm.hostname,
          );
        }
        // What is left goes with the next try (the next role's end, or
        // progjar-send by hand): every try takes some.
        for (let round = 2; round <= 20; round++) {
          const left = fleet.vms.filter((vm) =>
            fleet.runs(vm, "pending").length > 0
          );
          if (left.length === 0) break;
          await sendAtOnce(fleet, serve, left);
          const still = fleet.vms.filter((vm) =>
            fleet.runs(vm, "pending").length > 0
          );
          assert.ok(still.length < left.length, `round ${round}: no progress`);
        }
        await logged(serve, VMS * 3);
        assert.deepEqual(ofType(serve, "records-refused"), []);
        await checkStore(fleet, work, runs);
        const lines = serve.records.filter((r) => r.type === "text").map((r) =>
          String(r.text)
        ).filter((l) => l.includes("--max-connections"));
        assert.ok(lines.length >= 1, "no line for the limit");

        // serve full for longer than a sender tries: 16 connections held
        // open (BusyBox nc sending nothing). The runs stay pending, and go
        // once the slots are free again.
        const holders = Array.from({ length: 16 }, () => {
          const [program, ...args] = fleet.on(fleet.vms[149], [
            "busybox",
            "nc",
            fleet.serverAddress,
            String(PORT),
          ]);
          return new Deno.Command(program, {
            args,
            stdin: "piped",
            stdout: "null",
            stderr: "null",
          }).spawn();
        });
        try {
          const deadline = Date.now() + 10_000;
          while (establishedTo(serve.pid, PORT) < 16) {
            assert.ok(Date.now() < deadline, "the holders did not connect");
            await new Promise((r) => setTimeout(r, 50));
          }
          const late = fleet.vms.slice(0, 2);
          for (const vm of late) {
            const run = makeRun(vm.index, 3, 4096);
            runs.get(vm)!.push(run);
            await writeRun(vm, run);
          }
          const tried = await Promise.all(late.map((vm) => {
            const [program, ...args] = fleet.send(vm);
            return runCommand(program, args);
          }));
          for (const [i, t] of tried.entries()) {
            assert.equal(t.code, 1, t.stdout + t.stderr);
            assert.equal(
              t.stdout.match(/^serve is busy /gm)?.length,
              3,
              t.stdout + t.stderr,
            );
            assert.match(
              t.stdout,
              /HTTP 503: serve is busy: 16 connections open; .*; 1 run kept in \/var\/lib\/progjar\/records\/pending\//,
            );
            assert.equal(fleet.runs(late[i], "pending").length, 1);
          }
        } finally {
          for (const h of holders) {
            h.kill("SIGTERM");
            await h.status;
          }
        }
        const deadline = Date.now() + 10_000;
        while (establishedTo(serve.pid, PORT) > 0 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
        }
        for (const vm of fleet.vms.slice(0, 2)) {
          const [program, ...args] = fleet.send(vm);
          const t = await runCommand(program, args);
          assert.equal(t.code, 0, t.stdout + t.stderr);
        }
        await logged(serve, VMS * 3 + 2);
        await checkStore(fleet, work, runs);
      } finally {
        serve.kill("SIGINT");
        await serve.finished();
      }
    });
  },
});
