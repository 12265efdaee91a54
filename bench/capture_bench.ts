/**
 * Capture benchmark (`deno task bench:capture`): what capturing a host's
 * interface costs the roles. A lab of its own (five namespaces on one
 * bridge, as `lab up` builds them): a C feeder on alpine-1 broadcasts the
 * lab's payload at a fixed rate; our broadcast-receiver listens on alpine-2
 * … alpine-5; alpine-2 and alpine-3 are captured, alpine-4 and alpine-5 are
 * not, in the same run, so each figure has its uncaptured peer beside it.
 * Per rate and run: each receiver's loss, the frames in each capture file,
 * the frames the kernel dropped for the capture, and the capturer's CPU
 * time and peak memory.
 *
 * Two capturers can be measured: `tcpdump` (what `lab … --capture` runs,
 * through lib/wire/capture.ts) and `deno` (bench/_deno_capture.ts: a packet
 * socket read with recvmmsg through FFI), the alternative it was chosen
 * over. Not a test: figures depend on the machine and its load.
 *
 * Needs root, iproute2, tcpdump and cc.
 *
 *   deno task bench:capture [--rates 20000,50000] [--runs 3] [--seconds 2]
 *                           [--capturers tcpdump,deno]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { join } from "node:path";
import { delay } from "../lib/cli/async.ts";
import { labDown, labUp } from "../lib/net/netns.ts";
import { parseSubnet } from "../lib/net/subnet.ts";
import { roleCommand } from "../lib/roles.ts";
import { type HostCapture, startCaptures } from "../lib/wire/capture.ts";
import { readCapture } from "../lib/wire/read.ts";
import { benchArgs, runBench } from "./_cli.ts";
import { buildFeeder, readTail, ROOT } from "./_peers.ts";
import { type BenchProcess, readPeakKiB, run, start } from "./_process.ts";

const LAB = "pjbench";
const PORT = 5005;
const HOSTS = [
  ["alpine-1", "192.168.122.207"],
  ["alpine-2", "192.168.122.131"],
  ["alpine-3", "192.168.122.7"],
  ["alpine-4", "192.168.122.12"],
  ["alpine-5", "192.168.122.197"],
] as const;
const CAPTURED = ["alpine-2", "alpine-3"];
const RECEIVERS = ["alpine-2", "alpine-3", "alpine-4", "alpine-5"];
/** How long receivers get after the feeder stops to drain their sockets. */
const DRAIN_MS = 500;

const USAGE = `bench:capture: the receivers' loss with and without capture

Usage:
  deno task bench:capture [flags]

Flags:
  --rates N,…        offered broadcasts/s (default: 20000,50000)
  --runs N           runs per rate and capturer (default: 3)
  --seconds S        seconds of feeding per run (default: 2)
  --capturers LIST   of tcpdump (what the lab uses) and deno (a packet socket
                     read through FFI) (default: tcpdump)

In each run alpine-2 and alpine-3 are captured and alpine-4 and alpine-5
are not. Needs root, iproute2, tcpdump and cc. Prints Markdown tables.`;

function log(text: string): void {
  console.error(`[bench:capture] ${text}`);
}

const netns = (host: string) => `pj_${LAB}_${host}`;

interface Trial {
  capturer: string;
  rate: number;
  run: number;
  sent: number;
  /** Received per receiver host. */
  received: Record<string, number>;
  /** Per captured host: frames of the flood in its file, kernel drops, CPU s, peak KiB. */
  capture: Record<
    string,
    { frames: number; dropped: number; cpuSeconds: number; peakKiB: number }
  >;
}

/** A capture by either capturer, stopped the same way. */
interface Capturer {
  host: string;
  path: string;
  pid: number;
  stop(): Promise<{ droppedByKernel?: number }>;
}

async function startCapturer(
  kind: string,
  dir: string,
): Promise<Capturer[]> {
  if (kind === "tcpdump") {
    const captures: HostCapture[] = await startCaptures(
      CAPTURED.map((name) => ({ name, netns: netns(name) })),
      { dir },
    );
    return captures.map((c) => ({
      host: c.host,
      path: c.path,
      pid: c.pid,
      stop: () => c.stop(),
    }));
  }
  const script = join(import.meta.dirname!, "_deno_capture.ts");
  return await Promise.all(CAPTURED.map(async (host) => {
    const path = join(dir, `${host}.pcap`);
    const stderrPath = join(dir, `${host}.log`);
    const proc = start([
      "ip",
      "netns",
      "exec",
      netns(host),
      Deno.execPath(),
      "run",
      "--allow-ffi",
      "--allow-write",
      script,
      "eth0",
      path,
    ], { stderrPath });
    // Running once the file has its header.
    const deadline = Date.now() + 10_000;
    while ((await Deno.stat(path).catch(() => undefined))?.size !== 24) {
      if (Date.now() > deadline) {
        throw new Error(`deno capture on ${host} did not start`);
      }
      await delay(20);
    }
    return {
      host,
      path,
      pid: proc.pid,
      async stop() {
        await proc.stop("SIGINT");
        const text = await Deno.readTextFile(stderrPath);
        const match = /(\d+) packets dropped by kernel/.exec(text);
        return { droppedByKernel: match ? Number(match[1]) : undefined };
      },
    };
  }));
}

/** User and system CPU seconds of a process so far (clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Whether the process (in its own namespace) has a UDP socket on `port`. */
function listening(pid: number, port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  try {
    return Deno.readTextFileSync(`/proc/${pid}/net/udp`).split("\n")
      .some((line) => (line.trim().split(/\s+/)[1] + " ").endsWith(hex));
  } catch {
    return false;
  }
}

async function startReceivers(dir: string): Promise<Map<string, BenchProcess>> {
  const receivers = new Map<string, BenchProcess>();
  for (const host of RECEIVERS) {
    receivers.set(
      host,
      start([
        "ip",
        "netns",
        "exec",
        netns(host),
        ...roleCommand("broadcast-receiver", [
          "--lang",
          "en",
          "--port",
          String(PORT),
        ]),
      ], { stdoutPath: join(dir, `${host}.out`), cwd: ROOT }),
    );
  }
  const deadline = Date.now() + 20_000;
  for (const [host, proc] of receivers) {
    while (!listening(proc.pid, PORT)) {
      if (Date.now() > deadline) {
        throw new Error(`${host}: receiver not listening`);
      }
      await delay(20);
    }
  }
  return receivers;
}

async function receivedBy(path: string, host: string): Promise<number> {
  const tail = await readTail(path);
  const match = /summary: (\d+) datagrams? received/.exec(tail);
  if (!match) throw new Error(`${host}: no summary in:\n${tail}`);
  return Number(match[1]);
}

async function floodFrames(path: string): Promise<number> {
  let n = 0;
  for await (const frame of readCapture(path)) {
    if (frame.kind === "udp-broadcast" && frame.udp?.dstPort === PORT) n++;
  }
  return n;
}

async function trial(
  feeder: string,
  options: { capturer: string; rate: number; seconds: number; run: number },
): Promise<Trial> {
  const dir = await Deno.makeTempDir({ prefix: "pj_capture_bench_" });
  try {
    const receivers = await startReceivers(dir);
    const captures = await startCapturer(options.capturer, dir);
    const result = await run([
      "ip",
      "netns",
      "exec",
      netns("alpine-1"),
      feeder,
      "192.168.122.255",
      String(PORT),
      String(options.rate),
      String(options.seconds),
      "192.168.122.207",
    ], (options.seconds + 10) * 1000);
    if (result.code !== 0) throw new Error(`feeder failed: ${result.stderr}`);
    const { sent } = JSON.parse(result.stdout);
    await delay(DRAIN_MS);
    const cpu = new Map(captures.map((c) => [c.host, cpuSeconds(c.pid)]));
    const peak = new Map(captures.map((c) => [c.host, readPeakKiB(c.pid)]));
    const received: Record<string, number> = {};
    for (const [host, proc] of receivers) {
      await proc.stop("SIGTERM");
      received[host] = await receivedBy(join(dir, `${host}.out`), host);
    }
    const capture: Trial["capture"] = {};
    for (const c of captures) {
      const stats = await c.stop();
      capture[c.host] = {
        frames: await floodFrames(c.path),
        dropped: stats.droppedByKernel ?? NaN,
        cpuSeconds: cpu.get(c.host)!,
        peakKiB: peak.get(c.host)!,
      };
    }
    return { ...options, sent, received, capture };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function table(trials: Trial[]): string {
  const lines = [
    "| capturer | rate/s | run | sent | lost, captured (a2, a3) | lost, not captured (a4, a5) | frames in file (a2, a3) | kernel drops | capturer CPU s | capturer peak MiB |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const t of trials) {
    const lost = (h: string) => t.sent - t.received[h];
    const c = (h: string) => t.capture[h];
    lines.push(
      `| ${t.capturer} | ${t.rate} | ${t.run} | ${t.sent} | ${
        lost("alpine-2")
      }, ${lost("alpine-3")} | ${lost("alpine-4")}, ${lost("alpine-5")} | ${
        c("alpine-2").frames
      }, ${c("alpine-3").frames} | ${c("alpine-2").dropped}, ${
        c("alpine-3").dropped
      } | ${c("alpine-2").cpuSeconds.toFixed(2)}, ${
        c("alpine-3").cpuSeconds.toFixed(2)
      } | ${(c("alpine-2").peakKiB / 1024).toFixed(0)}, ${
        (c("alpine-3").peakKiB / 1024).toFixed(0)
      } |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = benchArgs("bench:capture", USAGE, () =>
    parseArgs({
      args: Deno.args,
      options: {
        rates: { type: "string", default: "20000,50000" },
        runs: { type: "string", default: "3" },
        seconds: { type: "string", default: "2" },
        capturers: { type: "string", default: "tcpdump" },
      },
    }));
  const rates = values.rates.split(",").map(Number);
  const runs = Number(values.runs);
  const seconds = Number(values.seconds);
  const capturers = values.capturers.split(",");
  for (const c of capturers) {
    if (c !== "tcpdump" && c !== "deno") {
      throw new Error(`unknown capturer "${c}"`);
    }
  }
  const work = await Deno.makeTempDir({ prefix: "pj_capture_feeder_" });
  const subnet = parseSubnet("192.168.122.0/24");
  if (typeof subnet === "string") throw new Error(subnet);
  const network = {
    file: "bench/capture_bench.ts",
    name: LAB,
    subnet,
    hosts: HOSTS.map(([name, address]) => ({ name, address })),
  };
  try {
    const feeder = await buildFeeder(work);
    log(`lab ${LAB} up`);
    await labUp(network, LAB);
    const trials: Trial[] = [];
    for (let r = 1; r <= runs; r++) {
      for (const rate of rates) {
        for (const capturer of capturers) {
          log(`run ${r}, ${rate}/s, ${capturer}`);
          trials.push(await trial(feeder, { capturer, rate, seconds, run: r }));
        }
      }
    }
    console.log(
      `## Capture: receivers' loss with and without capture (${seconds} s per run)\n`,
    );
    console.log(table(trials));
  } finally {
    await labDown(LAB).catch(() => {});
    await Deno.remove(work, { recursive: true });
  }
}

if (import.meta.main) await runBench("bench:capture", main);
