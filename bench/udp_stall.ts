/**
 * `deno task bench:udp-stall`: where the plain receiver's time goes when it
 * loses datagrams. One C feeder run per run floods the lab's payload to a
 * port shared by our broadcast-receiver (run through
 * `bench/_timed_receiver.ts`, a clock on every receive), Lab 1's Python
 * receiver and a bare Deno receive loop; per run it prints each one's loss
 * and, for ours: how far it fell behind the flood in the first 100 ms and
 * later (the default receive buffer holds ~256 small datagrams: 12.8 ms at
 * 20,000/s), its main thread's CPU time per datagram at the start and
 * later, V8's collections in the flood, and every pause of more than 5 ms
 * split by the kernel's own account (`/proc/…/schedstat`) into running,
 * waiting for a CPU (preempted) and neither (blocked).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { delay } from "../lib/cli/async.ts";
import { benchArgs, runBench } from "./_cli.ts";
import {
  buildFeeder,
  DENO_RECEIVE_LOOP,
  feed,
  PYTHON_REUSEADDR_RECEIVER,
  ROOT,
} from "./_peers.ts";
import { freeUdpPort, start, waitForUdpSockets } from "./_process.ts";

const USAGE = `bench:udp-stall: why the plain broadcast-receiver loses datagrams

Usage:
  deno task bench:udp-stall [--runs N] [--rate N] [--seconds S]

  --runs N      feeder runs (default: 10)
  --rate N      datagrams/s offered (default: 20000)
  --seconds S   seconds per run (default: 1)

Linux only (reads /proc); needs python3 and cc. Prints a Markdown table.`;

/** Pauses shorter than this are not listed. */
const STALL_MS = 5;

interface Trace {
  gcMark: number;
  times: number[];
  seqs: number[];
  sched: number[][];
}

const options = benchArgs("bench:udp-stall", USAGE, () =>
  parseArgs({
    options: {
      runs: { type: "string", default: "10" },
      rate: { type: "string", default: "20000" },
      seconds: { type: "string", default: "1" },
    },
  }).values);

await runBench("bench:udp-stall", async () => {
  const rate = Number(options.rate);
  const dir = await Deno.makeTempDir({ prefix: "udp_stall_" });
  try {
    const feeder = await buildFeeder(dir);
    console.log(
      `## Plain receiver's pauses at ${rate.toLocaleString("en-US")}/s`,
    );
    console.log(
      `\n- load average ${
        Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
      } at start\n`,
    );
    console.log(
      "| run | lost: ours / Python / bare Deno | ours behind the flood, max: first 100 ms / later | ours µs CPU per datagram: first 1,024 / later | V8 collections in the flood (max ms) | ours paused > 5 ms: count, ms in all = running + preempted + blocked |",
    );
    console.log("| ---: | --- | --- | --- | --- | --- |");
    for (let run = 1; run <= Number(options.runs); run++) {
      console.log(
        await oneRun(run, {
          dir,
          feeder,
          rate,
          seconds: Number(options.seconds),
        }),
      );
    }
    console.log(
      `\n- load average ${
        Deno.loadavg().map((l) => l.toFixed(2)).join(" ")
      } at end`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function oneRun(
  run: number,
  o: { dir: string; feeder: string; rate: number; seconds: number },
): Promise<string> {
  const port = freeUdpPort();
  const paths = {
    ours: `${o.dir}/ours.txt`,
    trace: `${o.dir}/trace.json`,
    python: `${o.dir}/python.txt`,
    bare: `${o.dir}/bare.txt`,
  };
  // The task's own flags, plus V8's collection log.
  const ours = start([
    Deno.execPath(),
    "run",
    "--unstable-net",
    "--allow-all",
    "--v8-flags=--expose-gc,--trace-gc",
    "bench/_timed_receiver.ts",
    "--lang",
    "en",
    "--port",
    String(port),
  ], { stdoutPath: paths.ours, cwd: ROOT, env: { STALL_TRACE: paths.trace } });
  const python = PYTHON_REUSEADDR_RECEIVER.start(port, paths.python);
  const bare = DENO_RECEIVE_LOOP.start(port, paths.bare);
  await waitForUdpSockets(port, { count: 3 });
  const sent =
    (await feed(o.feeder, { port, rate: o.rate, seconds: o.seconds }))
      .sent;
  await delay(300);
  await Promise.all([
    ours.stop("SIGTERM"),
    python.stop(PYTHON_REUSEADDR_RECEIVER.stopSignal),
    bare.stop(DENO_RECEIVE_LOOP.stopSignal),
  ]);
  const trace: Trace = JSON.parse(await Deno.readTextFile(paths.trace));
  const lost = [
    sent - trace.seqs.length,
    sent - await PYTHON_REUSEADDR_RECEIVER.count(paths.python),
    sent - await DENO_RECEIVE_LOOP.count(paths.bare),
  ];
  const { times, sched } = trace;
  const gcs = collections(await Deno.readTextFile(paths.ours), trace);
  const inFlood = gcs.filter((g) => g.at >= times[0] && g.at <= times.at(-1)!);
  const [early, late] = behind(trace, o.rate);
  const stalls = pauses(trace);
  const perDatagram = (from: number, to: number) =>
    sched[to] === undefined
      ? "?"
      : ((sched[to][1] - sched[from][1]) / 1e3 / ((to - from) * 64)).toFixed(1);
  return `| ${run} | ${lost.map(fmt).join(" / ")} | ${early.toFixed(1)} / ${
    late.toFixed(1)
  } ms | ${perDatagram(0, 16)} / ${
    perDatagram(160, 208)
  } | ${inFlood.length} (${
    Math.max(0, ...inFlood.map((g) => g.ms)).toFixed(2)
  }) | ${stalls.count}, ${stalls.total.toFixed(0)} = ${
    stalls.running.toFixed(0)
  } + ${stalls.preempted.toFixed(0)} + ${stalls.blocked.toFixed(0)} |`;
}

/** V8's `--trace-gc` lines, on our clock (the start's `gc` ties the two). */
function collections(log: string, trace: Trace): { at: number; ms: number }[] {
  const lines = [
    ...log.matchAll(
      /\]\s+(\d+) ms: [A-Za-z -]+? [\d.]+ \([\d.]+\) -> [^,]*, pooled: [\d.]+ MB, ([\d.]+) \/ [\d.]+ ms.*\) ([a-z ]+)/g,
    ),
  ];
  const mark = lines.find((m) => m[3].includes("testing"));
  if (!mark) return [];
  const offset = trace.gcMark - Number(mark[1]);
  return lines.map((m) => ({ at: Number(m[1]) + offset, ms: Number(m[2]) }));
}

/**
 * How far the receiver fell behind the flood at most (ms), in its first
 * 100 ms and after: each datagram's receive time against its number's
 * place in the feeder's schedule, from the least delay seen.
 */
function behind(trace: Trace, rate: number): [number, number] {
  const { times, seqs } = trace;
  const lag = seqs.map((s, i) =>
    times[i] - times[0] - (s - seqs[0]) * 1000 / rate
  );
  const least = Math.min(...lag);
  let early = 0;
  let late = 0;
  lag.forEach((l, i) => {
    if (times[i] - times[0] < 100) early = Math.max(early, l - least);
    else late = Math.max(late, l - least);
  });
  return [early, late];
}

/** Pauses between two receives longer than {@linkcode STALL_MS}, split. */
function pauses(trace: Trace) {
  const { times, sched } = trace;
  const sum = { count: 0, total: 0, running: 0, preempted: 0, blocked: 0 };
  for (let i = 1; i < times.length; i++) {
    const gap = times[i] - times[i - 1];
    if (gap < STALL_MS) continue;
    // The samples around the pause (every 64 datagrams).
    const a = sched.findLastIndex((s) => s[0] <= times[i - 1]);
    const b = sched.findIndex((s) => s[0] >= times[i]);
    if (a < 0 || b < 0) continue;
    const span = sched[b][0] - sched[a][0];
    const running = (sched[b][1] - sched[a][1]) / 1e6;
    const preempted = (sched[b][2] - sched[a][2]) / 1e6;
    sum.count++;
    sum.total += gap;
    // Scaled to the pause: the samples also hold up to 64 datagrams' time.
    const scale = gap / span;
    sum.running += running * scale;
    sum.preempted += preempted * scale;
    sum.blocked += Math.max(0, span - running - preempted) * scale;
  }
  return sum;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}
