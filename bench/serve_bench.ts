/**
 * serve benchmark: a class of VMs downloading the pack at once, against the
 * servers serve replaces, in one run, on loopback only.
 *
 * For each client count and server: a fresh server process on 127.0.0.1
 * serving the same file; N `busybox wget -q` (as the VMs run it) started at
 * once; the time until the last one ends; the server's peak resident set
 * (VmHWM, its whole life: start-up included) and, for servers that fork, the
 * peak PSS of all its processes; its CPU seconds; then every download
 * checked by SHA-256. Servers take turns in a rotating order, run after run.
 *
 *     deno task bench:serve [--clients 1,10,100,150] [--runs N]
 *     sudo deno task bench:serve --records [--vms 150] [--runs 3]
 *
 * `--records` measures instead the VMs' records: N VMs (network namespaces
 * of their own) posting their runs at once (`bench/_records_bench.ts`).
 *
 * Not a test: numbers depend on the machine. Needs Linux, busybox (wget,
 * httpd), python3 and sha256sum. Prints a Markdown table.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { benchArgs, runBench } from "./_cli.ts";
import { readPeakKiB, start } from "./_process.ts";
import type { BenchProcess } from "./_process.ts";
import {
  measureRecords,
  printRecords,
  type RecordsRow,
} from "./_records_bench.ts";

const ROOT = dirname(import.meta.dirname!);
const PACK = join(ROOT, "dist", "progjar-alpine-x86_64.tar.gz");

const USAGE =
  `bench:serve: serve against python3 -m http.server and busybox httpd

Usage:
  deno task bench:serve [flags]

Flags:
  --clients N,N,…    concurrent downloads (default: 1,10,100,150)
  --servers A,B,…    ours, python, busybox (default: all three)
  --runs N           runs of every row; the median is shown (default: 20 at
                     up to 10 clients, 3 above)
  --file PATH        the file to download (default: dist/progjar-alpine-x86_64.tar.gz;
                     deno task alpine-pack builds it)
  --size MB          download a file of MB random bytes instead (a smoke run)
  --work DIR         where the downloads land (default: /dev/shm; needs the
                     largest client count times the file's size free)
  --records          instead: VMs posting their runs at once (POST /records),
                     each a network namespace of its own (needs root)
  --vms N,N,…        with --records: how many VMs (default: 150)

Needs Linux, busybox, python3 and sha256sum. Prints a Markdown table.`;

const { values } = benchArgs("bench:serve", USAGE, () =>
  parseArgs({
    args: Deno.args,
    options: {
      clients: { type: "string", default: "1,10,100,150" },
      servers: { type: "string", default: "ours,python,busybox" },
      runs: { type: "string" },
      file: { type: "string" },
      size: { type: "string" },
      work: { type: "string", default: "/dev/shm" },
      records: { type: "boolean", default: false },
      vms: { type: "string", default: "150" },
    },
  }));

const clients = values.clients.split(",").map(Number);
/**
 * Rows of 1 and 10 clients take 20–200 ms, where a server's start and the
 * machine's jitter move a single run by several ms: three runs cannot tell
 * the servers apart there, twenty can (and cost seconds, not minutes).
 */
const SMALL_ROW = { clients: 10, runs: 20 };
const runs = Number(values.runs ?? 3);

/** How many runs a row of `count` clients gets. */
function runsFor(count: number): number {
  if (values.runs !== undefined || count > SMALL_ROW.clients) return runs;
  return SMALL_ROW.runs;
}
const servers = values.servers.split(",");
for (const name of servers) {
  if (!["ours", "python", "busybox"].includes(name)) {
    console.error(
      `bench:serve: error: --servers: ${name}: ours, python or busybox`,
    );
    Deno.exit(2);
  }
}
if (
  clients.some((n) => !Number.isInteger(n) || n < 1) ||
  !Number.isInteger(runs) || runs < 1
) {
  console.error(
    "bench:serve: error: --clients and --runs take whole numbers (see --help)",
  );
  Deno.exit(2);
}

/** One measurement: a server, N clients, one run. */
interface Row {
  server: string;
  clients: number;
  seconds: number;
  peakKiB: number;
  treePssKiB: number;
  cpuSeconds: number;
  intact: number;
}

/** A server started and ready. */
interface Started {
  process: BenchProcess;
  port: number;
}

let nextPort = 18_700 + Math.floor(Math.random() * 500);

/** Where every download of a row lands and the server's files are. */
interface Work {
  /** The downloads (in --work). */
  dir: string;
  /** The served file and serve's records (not under /dev: Deno asks --allow-all there). */
  home: string;
  served: string;
  name: string;
  size: number;
  sha256: string;
}

async function prepare(): Promise<Work> {
  const dir = await Deno.makeTempDir({
    dir: values.work,
    prefix: "progjar-bench-serve-",
  });
  const home = await Deno.makeTempDir({ prefix: "progjar-bench-serve-" });
  const served = join(home, "served");
  await Deno.mkdir(served);
  let name: string;
  if (values.size !== undefined) {
    // A file serve hands out by name; random bytes (no pack facts to read).
    name = "progjar-x86_64-linux";
    const bytes = Math.round(Number(values.size) * 1e6);
    const file = await Deno.open(join(served, name), {
      write: true,
      create: true,
    });
    const chunk = new Uint8Array(1 << 16);
    for (let left = bytes; left > 0; left -= chunk.length) {
      crypto.getRandomValues(chunk);
      await file.write(chunk.subarray(0, Math.min(left, chunk.length)));
    }
    file.close();
  } else {
    const source = values.file ?? PACK;
    try {
      await Deno.stat(source);
    } catch {
      throw new Error(
        `no ${source}: build it with deno task alpine-pack, or give --file or --size MB`,
      );
    }
    name = source.endsWith(".tar.gz")
      ? "progjar-alpine-x86_64.tar.gz"
      : "progjar-x86_64-linux";
    await Deno.copyFile(source, join(served, name));
  }
  const size = (await Deno.stat(join(served, name))).size;
  const sum = await output(["sha256sum", join(served, name)]);
  const need = Math.max(...clients) * size * 1.05;
  const free = Number(
    (await output(["df", "-Pk", dir])).trim().split("\n").at(-1)!.split(
      /\s+/,
    )[3],
  ) * 1024;
  if (free < need) {
    throw new Error(
      `${values.work} has ${(free / 1e9).toFixed(1)} GB free; ${
        (need / 1e9).toFixed(1)
      } GB needed for the downloads (give --work, or fewer --clients)`,
    );
  }
  return { dir, home, served, name, size, sha256: sum.split(" ")[0] };
}

async function output(command: string[]): Promise<string> {
  const result = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(
      `${command.join(" ")}: ${new TextDecoder().decode(result.stderr).trim()}`,
    );
  }
  return new TextDecoder().decode(result.stdout);
}

/** `deno task serve`'s own command line, on loopback, with the bench's dirs. */
async function oursCommand(work: Work, port: number): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const records = join(work.home, "records");
  const words = (config.tasks.serve as string).split(" ")
    .filter((w) => !w.startsWith("$"))
    .map((w) =>
      w.startsWith("--allow-read=")
        ? `--allow-read=${work.home}`
        : w.startsWith("--allow-write=")
        ? `--allow-write=${records}`
        : w === "cmd/serve.ts"
        ? join(ROOT, "cmd/serve.ts")
        : w
    );
  return [
    Deno.execPath(),
    ...words.slice(1),
    "--dir",
    work.served,
    "--records",
    records,
    "--no-build",
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    // Every client here is 127.0.0.1; a class comes from many addresses.
    "--max-per-host",
    "0",
    "--json",
  ];
}

async function startServer(name: string, work: Work): Promise<Started> {
  const port = nextPort++;
  const log = join(work.home, `${name}.log`);
  const command = name === "ours"
    ? await oursCommand(work, port)
    : name === "python"
    ? [
      "python3",
      "-m",
      "http.server",
      String(port),
      "--bind",
      "127.0.0.1",
      "--directory",
      work.served,
    ]
    : ["busybox", "httpd", "-f", "-p", `127.0.0.1:${port}`, "-h", work.served];
  const process = start(command, { stdoutPath: log, stderrPath: log });
  const deadline = Date.now() + 20_000;
  while (true) {
    if (Date.now() > deadline) {
      const said = await Deno.readTextFile(log).catch(() => "");
      throw new Error(`${name} did not start: ${said.trim().slice(-300)}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/${work.name}`, {
        method: "HEAD",
      });
      await response.body?.cancel();
      // serve answers before its start-up is over; it says when it is.
      const ready = name !== "ours" ||
        (await Deno.readTextFile(log)).includes('"type":"listening"');
      if (response.ok && ready) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { process, port };
}

/** utime + stime of a process and its waited-for children, seconds. */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14–17 of stat(5), counted from after the command name.
    return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
  } catch {
    return 0;
  }
}

/** The PSS of a process and all its descendants, KiB. */
function treePssKiB(pid: number): number {
  let total = 0;
  try {
    const rollup = Deno.readTextFileSync(`/proc/${pid}/smaps_rollup`);
    total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
    const children = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`)
      .trim();
    for (const child of children === "" ? [] : children.split(" ")) {
      total += treePssKiB(Number(child));
    }
  } catch {
    // gone meanwhile
  }
  return total;
}

async function measure(
  name: string,
  count: number,
  work: Work,
): Promise<Row> {
  const server = await startServer(name, work);
  const url = `http://127.0.0.1:${server.port}/${work.name}`;
  const downloads = join(work.dir, "downloads");
  await Deno.mkdir(downloads, { recursive: true });
  const cpuBefore = cpuSeconds(server.process.pid);
  let treePeak = treePssKiB(server.process.pid);
  const sampler = setInterval(() => {
    treePeak = Math.max(treePeak, treePssKiB(server.process.pid));
  }, 100);
  const started = performance.now();
  const clients = Array.from(
    { length: count },
    (_, i) =>
      new Deno.Command("busybox", {
        args: ["wget", "-q", "-O", join(downloads, String(i)), url],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn().status,
  );
  const statuses = await Promise.all(clients);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = cpuSeconds(server.process.pid) - cpuBefore;
  const peak = Math.max(
    server.process.peakKiB(),
    readPeakKiB(server.process.pid),
  );
  await server.process.stop("SIGTERM");
  // Two hashing processes at a time: the machine has at least two cores.
  const files = statuses.map((_, i) => join(downloads, String(i)));
  const halves = [
    files.filter((_, i) => i % 2 === 0),
    files.filter((_, i) => i % 2 === 1),
  ]
    .filter((half) => half.length > 0);
  const sums = (await Promise.all(
    halves.map((half) =>
      output(["sha256sum", ...half]).catch((err) => String(err))
    ),
  )).join("\n");
  const intact = statuses.filter((status, i) =>
    status.success &&
    sums.includes(`${work.sha256}  ${join(downloads, String(i))}`)
  ).length;
  await Deno.remove(downloads, { recursive: true });
  return {
    server: name,
    clients: count,
    seconds,
    peakKiB: peak,
    treePssKiB: treePeak,
    cpuSeconds: cpu,
    intact,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (values.records) {
  const counts = values.vms.split(",").map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) {
    console.error("bench:serve: error: --vms takes whole numbers up to 500");
    Deno.exit(2);
  }
  await runBench("bench:serve", async () => {
    const rows: RecordsRow[] = [];
    console.error(
      `bench:serve --records: ${
        counts.join(", ")
      } VMs, ${runs} run(s); load average ${
        (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(
          " ",
        )
      }`,
    );
    for (let run = 0; run < runs; run++) {
      for (const vms of counts) {
        const row = await measureRecords(ROOT, vms);
        rows.push(row);
        console.error(
          `  run ${run + 1}: ${vms} VMs: ${row.seconds.toFixed(2)} s, peak ${
            (row.peakKiB / 1024).toFixed(1)
          } MB, ${row.stored}/${row.expected} stored, ${row.waiting} waiting at once`,
        );
      }
    }
    printRecords(rows);
  });
  Deno.exit(0);
}

const LABELS: Record<string, string> = {
  ours: "serve (`deno task serve --no-build`)",
  python: "`python3 -m http.server`",
  busybox: "BusyBox `httpd`",
};

await runBench("bench:serve", async () => {
  const work = await prepare();
  try {
    const rows: Row[] = [];
    const plan = clients.reduce((sum, n) => sum + runsFor(n), 0) *
      servers.length;
    const most = Math.max(...clients.map(runsFor));
    console.error(
      `bench:serve: ${plan} measurements of ${work.name} (${
        (work.size / 1e6).toFixed(1)
      } MB) in ${work.dir}; load average ${
        (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(
          " ",
        )
      }`,
    );
    for (let run = 0; run < most; run++) {
      for (const count of clients.filter((n) => run < runsFor(n))) {
        // A rotating order: no server always goes first (or last).
        const order = servers.map((_, i) =>
          servers[(i + run) % servers.length]
        );
        for (const name of order) {
          const row = await measure(name, count, work);
          rows.push(row);
          console.error(
            `  run ${run + 1}: ${name} × ${count}: ${
              row.seconds.toFixed(2)
            } s, peak ${
              (row.peakKiB / 1024).toFixed(1)
            } MB, ${row.intact}/${count} intact`,
          );
        }
      }
    }
    printTable(rows, work);
  } finally {
    await Deno.remove(work.dir, { recursive: true });
    await Deno.remove(work.home, { recursive: true });
  }
});

/** Seconds, to the ms under a second: the small counts differ by ms. */
function secs(t: number): string {
  return t.toFixed(t < 1 ? 3 : 2);
}

function printTable(rows: Row[], work: Work): void {
  const mb = (kib: number) => (kib / 1024).toFixed(1);
  console.log(
    `\n${work.name}, ${(work.size / 1e6).toFixed(1)} MB, over loopback; ${
      [...new Set(clients.map(runsFor))].map((n) =>
        `${n} run(s) per row at ${
          clients.filter((c) => runsFor(c) === n).join(", ")
        } clients`
      ).join("; ")
    }; median and (min–max)\n`,
  );
  console.log(
    "| clients | server | time, s | MB/s (all clients) | peak RSS, MB | peak PSS of its processes, MB | server CPU, s | SHA-256 intact |",
  );
  console.log("|---:|---|---:|---:|---:|---:|---:|---:|");
  const targets: string[] = [];
  for (const count of clients) {
    const medians: Record<string, number> = {};
    for (const name of servers) {
      const mine = rows.filter((r) => r.server === name && r.clients === count);
      const times = mine.map((r) => r.seconds);
      const t = median(times);
      medians[name] = t;
      const peak = Math.max(...mine.map((r) => r.peakKiB));
      const pss = Math.max(...mine.map((r) => r.treePssKiB));
      const intact = mine.reduce((sum, r) => sum + r.intact, 0);
      console.log(
        `| ${count} | ${LABELS[name]} | ${secs(t)} (${
          secs(Math.min(...times))
        }–${secs(Math.max(...times))}) | ${
          (count * work.size / 1e6 / t).toFixed(0)
        } | ${mb(peak)} | ${mb(pss)} | ${
          median(mine.map((r) => r.cpuSeconds)).toFixed(1)
        } | ${intact}/${count * mine.length} |`,
      );
    }
    if ("ours" in medians && servers.length > 1) {
      const peers = servers.filter((s) => s !== "ours");
      const best = Math.min(...peers.map((p) => medians[p]));
      targets.push(
        `${count} clients: ours ${secs(medians.ours)} s, the faster peer ${
          secs(best)
        } s: ${medians.ours <= best ? "met" : "not met"}`,
      );
    }
  }
  const ours150 = rows.filter((r) => r.server === "ours" && r.clients === 150);
  if (ours150.length > 0) {
    const peak = Math.max(...ours150.map((r) => r.peakKiB)) / 1024;
    targets.push(
      `peak RSS at 150 clients: ${peak.toFixed(1)} MB (at most 64 MB: ${
        peak <= 64 ? "met" : "not met"
      })`,
    );
  }
  if (targets.length > 0) {
    console.log(`\nTargets (medians; RSS: the highest of every run):`);
    for (const line of targets) console.log(`- ${line}`);
  }
}
