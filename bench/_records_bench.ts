/**
 * `bench:serve --records`: a class's VMs sending their runs to serve at the
 * same moment. N VMs, each a network namespace of its own on one bridge
 * (tests/_vm_fleet.ts: its own address, host name and /var/lib, its secret
 * from the install.sh it fetched with BusyBox wget), each with three runs
 * pending (the first 1 MiB on every third VM, else 64 KiB; then 16 KiB and
 * 2 KiB), sent with the pack's own `progjar send`, all started at one
 * moment (behind a gate: tests/_vm_fleet.ts's `Gate`). serve is held stopped
 * until every VM has connected (or 5 s after the first did), then let go:
 * the time is from then until every sender has ended; serve's peak RSS is
 * its VmHWM over its whole life (start-up included); stored/expected counts
 * serve's `records-run` lines.
 *
 * No peer: python's http.server and BusyBox httpd take no uploads, and a
 * handler written for the benchmark would measure that handler, not a
 * server the course could use instead. The figures are serve's own.
 *
 * @module
 */

import { join } from "node:path";
import { buildBundle } from "../tools/bundle.ts";
import {
  establishedTo,
  Fleet,
  type FleetRun,
  Gate,
  makeRun,
  pool,
  writeRun,
} from "../tests/_vm_fleet.ts";
import { readPeakKiB, start } from "./_process.ts";

const PORT = 8000;

/** One measurement. */
export interface RecordsRow {
  vms: number;
  seconds: number;
  waiting: number;
  peakKiB: number;
  stored: number;
  expected: number;
  failedSenders: number;
}

/** The runs of VM `i`, as tests/serve_records_load_test.ts sends them. */
function runsOf(i: number): FleetRun[] {
  return [
    makeRun(i, 0, i % 3 === 0 ? 1024 * 1024 : 64 * 1024),
    makeRun(i, 1, 16 * 1024),
    makeRun(i, 2, 2 * 1024),
  ];
}

/** `deno task serve`'s command line in the fleet's server namespace. */
async function serveCommand(
  root: string,
  fleet: Fleet,
  work: string,
): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const served = join(work, "served");
  const records = join(work, "records");
  const words = (config.tasks.serve as string).split(" ")
    .filter((w) => !w.startsWith("$"))
    .map((w) =>
      w.startsWith("--allow-read=")
        ? `--allow-read=${served},${records}`
        : w.startsWith("--allow-write=")
        ? `--allow-write=${records}`
        : w === "cmd/serve.ts"
        ? join(root, "cmd/serve.ts")
        : w
    );
  return [
    "ip",
    "netns",
    "exec",
    fleet.serverNetns,
    Deno.execPath(),
    ...words.slice(1),
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
  ];
}

/** One run of `vms` VMs at once (needs root, ip, unshare, busybox). */
export async function measureRecords(
  root: string,
  vms: number,
): Promise<RecordsRow> {
  const work = await Deno.makeTempDir({ prefix: "progjar-bench-records-" });
  let fleet: Fleet | undefined;
  try {
    const bundle = await buildBundle({ outDir: join(work, "dist") });
    await Deno.mkdir(join(work, "served"));
    await Deno.writeFile(
      join(work, "served", "progjar-alpine-x86_64.tar.gz"),
      new Blob(["a pack serve reads the size of"]).stream()
        .pipeThrough(new CompressionStream("gzip")),
    );
    fleet = await Fleet.up({
      tag: `bench${(Deno.pid % 1000).toString(36)}`,
      work,
      count: vms,
      bundle,
    });
    const log = join(work, "serve.log");
    const serve = start(await serveCommand(root, fleet, work), {
      stdoutPath: log,
      stderrPath: join(work, "serve.err"),
    });
    try {
      const deadline = Date.now() + 30_000;
      while (
        !(await Deno.readTextFile(log).catch(() => "")).includes(
          '"type":"listening"',
        )
      ) {
        if (Date.now() > deadline) throw new Error("serve did not start");
        await new Promise((r) => setTimeout(r, 50));
      }
      await pool(fleet.vms, 16, (vm) => fleet!.install(vm, PORT));
      for (const vm of fleet.vms) {
        for (const run of runsOf(vm.index)) await writeRun(vm, run);
      }
      await using gate = await Gate.make();
      Deno.kill(serve.pid, "SIGSTOP");
      const senders = fleet.vms.map((vm) => {
        const [program, ...args] = fleet!.send(vm, undefined, { gate });
        return new Deno.Command(program, {
          args,
          env: { DENO_NO_UPDATE_CHECK: "1" },
          stdin: "null",
          stdout: "null",
          stderr: "null",
        }).spawn().status;
      });
      await gate.open();
      let until = Date.now() + 30_000;
      let waiting = 0;
      while (Date.now() < until) {
        waiting = establishedTo(serve.pid, PORT);
        if (waiting >= vms) break;
        if (waiting > 0) until = Math.min(until, Date.now() + 5_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      const started = performance.now();
      Deno.kill(serve.pid, "SIGCONT");
      const statuses = await Promise.all(senders);
      const seconds = (performance.now() - started) / 1000;
      const peakKiB = Math.max(serve.peakKiB(), readPeakKiB(serve.pid));
      await serve.stop("SIGINT");
      const stored = (await Deno.readTextFile(log)).split("\n")
        .filter((l) => l.includes('"type":"records-run"')).length;
      return {
        vms,
        seconds,
        waiting,
        peakKiB,
        stored,
        expected: vms * 3,
        failedSenders: statuses.filter((s) => !s.success).length,
      };
    } finally {
      try {
        Deno.kill(serve.pid, "SIGCONT");
      } catch {
        // gone
      }
      await serve.stop("SIGKILL").catch(() => {});
    }
  } finally {
    await fleet?.down();
    await Deno.remove(work, { recursive: true });
  }
}

/** The section's table, in Markdown. */
export function printRecords(rows: RecordsRow[]): void {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? sorted[mid]
      : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  console.log(
    `\nVMs posting their runs at once (3 runs each; the first 1 MiB on every third VM, else 64 KiB), ${
      rows.length / new Set(rows.map((r) => r.vms)).size
    } run(s) per row; serve's own figures (no peer takes uploads)\n`,
  );
  console.log(
    "| VMs | waiting at once | time until all stored, s | peak RSS, MB | runs stored/expected | senders that kept runs |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|");
  for (const vms of new Set(rows.map((r) => r.vms))) {
    const mine = rows.filter((r) => r.vms === vms);
    const times = mine.map((r) => r.seconds);
    console.log(
      `| ${vms} | ${Math.min(...mine.map((r) => r.waiting))} | ${
        median(times).toFixed(2)
      } (${Math.min(...times).toFixed(2)}–${Math.max(...times).toFixed(2)}) | ${
        (Math.max(...mine.map((r) => r.peakKiB)) / 1024).toFixed(1)
      } | ${mine.reduce((s, r) => s + r.stored, 0)}/${
        mine.reduce((s, r) => s + r.expected, 0)
      } | ${mine.reduce((s, r) => s + r.failedSenders, 0)} |`,
    );
  }
  const at150 = rows.filter((r) => r.vms === 150);
  if (at150.length > 0) {
    const peak = Math.max(...at150.map((r) => r.peakKiB)) / 1024;
    console.log(
      `\n- peak RSS at 150 VMs: ${peak.toFixed(1)} MB (at most 64 MB: ${
        peak <= 64 ? "met" : "not met"
      })`,
    );
  }
}
