/**
 * UDP speed benchmark (`deno task bench:udp`): our broadcast-sender and
 * broadcast-receiver side by side with the lab's own Python programs and
 * iperf2, in one run, on loopback. Prints Markdown tables to stdout and
 * progress to stderr. Not a test: figures depend on the machine and load.
 *
 * (a) senders: datagrams per second, flat out, small datagrams;
 * (p) paired receivers: ours and the lab's Python receiver sharing one port,
 *     fed by one C feeder run (iperf2's server on its own port, same run),
 *     lost per receiver per rate, each run and the range over the runs;
 * (b) one receiver alone at fixed offered rates and flat out;
 * (c) four receivers sharing one port (the lab's shape);
 * then the issue's targets, each met only if it holds in every run.
 *
 * Needs Linux, python3, iperf (iperf2; unless left out of --receivers) and cc.
 *
 *   deno task bench:udp [--runs 3] [--sections a,p,b,c] [--seconds 1]
 *
 * @module
 */

import { delay } from "../lib/cli/async.ts";
import { parseArgs } from "node:util";
import { benchArgs, runBench } from "./_cli.ts";
import {
  BROADCAST,
  buildFeeder,
  DENO_RECEIVE_LOOP,
  feed,
  IPERF_SIZE,
  OUR_BATCH_RECEIVER,
  OUR_RECEIVER,
  PYTHON_RECEIVER,
  PYTHON_REUSEADDR_RECEIVER,
  readIperfServerReport,
  type ReceiverKind,
  runDenoSendLoop,
  runIperfClient,
  runOurSender,
  runPythonSender,
  type SendResult,
  startIperfServer,
} from "./_peers.ts";
import {
  fmt,
  IPERF_SERVER,
  labels,
  lossFreeRate,
  type PairedRun,
  pairedRun,
  type PairedSet,
  pairedTable,
  rangeOf,
  receivedRate,
} from "./_paired.ts";
import {
  type BenchProcess,
  freeUdpPort,
  run,
  waitForUdpSockets,
} from "./_process.ts";

/** How long a receiver gets after the feeder stops to drain its socket. */
const DRAIN_MS = 300;

interface ReceiveRow {
  receiver: string;
  /** Offered rate asked for (0: flat out). */
  rate: number;
  receivers: number;
  sent: number;
  seconds: number;
  /** Received by each receiver. */
  counts: number[];
  peakKiB: number;
  note?: string;
  /** Of the trials at this rate, how many had no loss (set on median rows). */
  lossFree?: number;
  /** How many trials were run (set on median rows). */
  trials?: number;
}

function log(text: string): void {
  console.error(`[bench:udp] ${text}`);
}

const USAGE =
  `bench:udp: our broadcast-sender and broadcast-receiver against the
lab's Python programs and iperf2, on loopback

Usage:
  deno task bench:udp [flags]

Flags:
  --runs N             runs of every step in (a), (p) and (b); ranges over
                       them in (a) and (p), the median run in (b) (default: 3)
  --seconds S          seconds per rate in (p), (b) and (c) (default: 1)
  --paired-rates N,…   offered datagrams/s in (p); 0 is flat out
                       (default: 10000,20000,50000,100000,200000,0)
  --rates N,N,…        offered datagrams/s in (b) and (c)
                       (default: 10000,20000,30000,40000,50000,60000,75000,100000,200000,0)
  --runs-four N        runs per rate in (c) (default: 1)
  --sender-count N     datagrams per sender run in (a) (default: 500000)
  --sections LIST      of a (senders), p (paired receivers), b (one receiver
                       alone), c (four on one port) (default: a,p)
  --receivers LIST     in (b) and (c), of ours,batch,python,iperf,bare (default:
                       all five; batch: ours with --io batch; without iperf, no
                       iperf2 rows anywhere)

Needs Linux, python3, iperf (iperf2, unless left out of --receivers) and cc. Prints Markdown tables.`;

async function main(): Promise<void> {
  const { values } = benchArgs("bench:udp", USAGE, () =>
    parseArgs({
      args: Deno.args,
      options: {
        seconds: { type: "string", default: "1" },
        // Each step is repeated and the range reported: the machine's other
        // work makes single runs noisy.
        runs: { type: "string", default: "3" },
        "runs-four": { type: "string", default: "1" },
        "paired-rates": {
          type: "string",
          default: "10000,20000,50000,100000,200000,0",
        },
        rates: {
          type: "string",
          default: "10000,20000,30000,40000,50000,60000,75000,100000,200000,0",
        },
        "sender-count": { type: "string", default: "500000" },
        sections: { type: "string", default: "a,p" },
        receivers: {
          type: "string",
          default: "ours,batch,python,iperf,bare",
        },
      },
    }));
  const seconds = Number(values.seconds);
  const rates = values.rates.split(",").map(Number);
  const senderCount = Number(values["sender-count"]);
  const trials = Number(values.runs);
  const trialsFour = Number(values["runs-four"]);
  const pairedRates = values["paired-rates"].split(",").map(Number);
  const sections = values.sections.split(",");
  const wanted = values.receivers.split(",");
  const kinds = [
    ...(wanted.includes("ours") ? [OUR_RECEIVER] : []),
    ...(wanted.includes("batch") ? [OUR_BATCH_RECEIVER] : []),
    ...(wanted.includes("python") ? [PYTHON_RECEIVER] : []),
  ];
  // The bare Deno loop is a baseline for one receiver only.
  const baselines = wanted.includes("bare") ? [DENO_RECEIVE_LOOP] : [];

  const iperf = wanted.includes("iperf");
  const missing = await missingPrograms([
    "python3",
    ...(iperf ? ["iperf"] : []),
    "cc",
  ]);
  if (missing.length > 0) {
    console.error(
      `bench:udp: error: needs ${missing.join(", ")} (Debian: apt-get install ${
        missing.map((m) => m === "cc" ? "gcc" : m).join(" ")
      })`,
    );
    Deno.exit(1);
  }

  const dir = await Deno.makeTempDir({ prefix: "bench_udp_" });
  try {
    const feeder = await buildFeeder(dir);
    await warmUp(dir);
    const environment = await describeEnvironment(iperf);

    log("senders");
    const senderRuns: SenderRow[][] = [];
    for (let t = 0; t < (sections.includes("a") ? trials : 0); t++) {
      senderRuns.push(
        await benchSenders(dir, { count: senderCount, seconds, iperf }),
      );
    }

    log("paired receivers");
    const sets = pairedSets(iperf);
    const paired: PairedRun[][] = sets.map(() => []);
    for (let t = 0; t < (sections.includes("p") ? trials : 0); t++) {
      for (const rate of pairedRates) {
        for (const [i, set] of sets.entries()) {
          log(`run ${t + 1}: ${set.title.split(":")[0]} at ${rateLabel(rate)}`);
          paired[i].push(await pairedRun(set, { dir, feeder, rate, seconds }));
        }
      }
    }

    log("one receiver");
    const single: ReceiveRow[] = [];
    for (const rate of sections.includes("b") ? rates : []) {
      const runs: ReceiveRow[] = [];
      // Trials interleaved, so a busy moment hits every receiver alike.
      for (let t = 0; t < trials; t++) {
        for (const kind of [...kinds, ...baselines]) {
          runs.push(await benchReceivers(kind, { dir, feeder, rate, seconds }));
        }
        if (wanted.includes("iperf")) {
          runs.push(await benchIperfServer({ dir, rate, seconds }));
        }
      }
      single.push(...medianRows(runs));
    }

    log("four receivers on one port");
    const four: ReceiveRow[] = [];
    for (const rate of sections.includes("c") ? rates : []) {
      const runs: ReceiveRow[] = [];
      for (let t = 0; t < trialsFour; t++) {
        for (const kind of kinds) {
          runs.push(
            await benchReceivers(kind, {
              dir,
              feeder,
              rate,
              seconds,
              receivers: 4,
            }),
          );
        }
      }
      four.push(...medianRows(runs));
    }

    // Other work on the machine shows in the figures: say how busy it was.
    environment.push(
      `load average ${
        (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3)
          .join(" ")
      } at end`,
    );
    const args = Deno.args.length > 0 ? ` ${Deno.args.join(" ")}` : "";
    console.log(
      report({
        command: `deno task bench:udp${args}`,
        environment,
        senderRuns,
        sets,
        paired,
        single,
        four,
        seconds,
        senderCount,
        trials,
        trialsFour,
      }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The programs of `names` that are not on the PATH. */
async function missingPrograms(names: string[]): Promise<string[]> {
  const missing = [];
  for (const name of names) {
    const found = await run(["/bin/sh", "-c", `command -v ${name}`], 10_000);
    if (found.code !== 0) missing.push(name);
  }
  return missing;
}

/** Runs each Deno role once so module loading is cached before timing. */
async function warmUp(dir: string): Promise<void> {
  await runOurSender({
    port: freeUdpPort(),
    count: 1,
    quiet: true,
    outPath: `${dir}/warmup.txt`,
  });
}

async function describeEnvironment(withIperf: boolean): Promise<string[]> {
  const line = async (command: string[]) =>
    (await run(command, 10_000)).stdout.split("\n")[0].trim();
  const iperf = withIperf
    ? await run(["iperf", "-v"], 10_000)
    : { stdout: "no iperf2", stderr: "" };
  return [
    `${await line(["uname", "-sr"])}, ${navigator.hardwareConcurrency} CPUs, ` +
    `load average ${
      (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(
        " ",
      )
    } at start`,
    `deno ${Deno.version.deno}; ${await line([
      "python3",
      "--version",
    ])}; ${(iperf.stdout + iperf.stderr).trim().split(" (")[0]}`,
  ];
}

// ------------------------------------------------------------------ (a)

interface SenderRow {
  sender: string;
  result: SendResult;
}

async function benchSenders(
  dir: string,
  options: { count: number; seconds: number; iperf: boolean },
): Promise<SenderRow[]> {
  // The lab's shape: a receiving socket is bound (it never reads, so the
  // kernel drops once its buffer is full); the senders don't know either way.
  const port = freeUdpPort();
  const sink = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port,
    reuseAddress: true,
  });
  const rows: SenderRow[] = [];
  try {
    const common = { port, count: options.count };
    rows.push({
      sender: "broadcast-sender (ours), printing every datagram",
      result: await runOurSender({
        ...common,
        quiet: false,
        outPath: `${dir}/sender.txt`,
      }),
    });
    rows.push({
      sender: "broadcast-sender (ours) --quiet",
      result: await runOurSender({
        ...common,
        quiet: true,
        outPath: `${dir}/sender.txt`,
      }),
    });
    rows.push({
      sender: "broadcast-sender:batch (ours, sendmmsg) --quiet",
      result: await runOurSender({
        ...common,
        quiet: true,
        batch: true,
        outPath: `${dir}/sender.txt`,
      }),
    });
    rows.push({
      sender: "lab sender loop (Python), prints nothing",
      result: await runPythonSender({ ...common, errPath: `${dir}/py.txt` }),
    });
    rows.push({
      sender: "bare Deno send loop, nothing else (baseline)",
      result: await runDenoSendLoop({ ...common, errPath: `${dir}/deno.txt` }),
    });
  } finally {
    sink.close();
    await Deno.remove(`${dir}/sender.txt`).catch(() => {});
  }
  if (!options.iperf) return rows;
  // iperf2 needs its own server to answer its end-of-test handshake.
  const iperfPort = freeUdpPort();
  const server = startIperfServer(iperfPort, `${dir}/iperf_server.txt`);
  try {
    await waitForUdpSockets(iperfPort, { count: 1 });
    rows.push({
      sender: `iperf2 client, -l ${IPERF_SIZE}, flat out (to 127.0.0.1)`,
      result: await runIperfClient({
        port: iperfPort,
        rate: 0,
        seconds: options.seconds,
        outPath: `${dir}/iperf_client.txt`,
      }),
    });
  } finally {
    await server.stop("SIGTERM");
  }
  return rows;
}

// ------------------------------------------------------------------ (b), (c)

async function benchReceivers(
  kind: ReceiverKind,
  options: {
    dir: string;
    feeder: string;
    rate: number;
    seconds: number;
    receivers?: number;
  },
): Promise<ReceiveRow> {
  const n = options.receivers ?? 1;
  log(`${kind.label} x${n} at ${rateLabel(options.rate)}`);
  const port = freeUdpPort();
  const paths = Array.from(
    { length: n },
    (_, i) => `${options.dir}/receiver_${i}.txt`,
  );
  const procs: BenchProcess[] = paths.map((path) => kind.start(port, path));
  try {
    await waitForUdpSockets(port, { count: n });
    const sent = await feed(options.feeder, {
      port,
      rate: options.rate,
      seconds: options.seconds,
    });
    await delay(DRAIN_MS);
    const peakKiB = Math.max(...procs.map((p) => p.peakKiB()));
    await Promise.all(procs.map((p) => p.stop(kind.stopSignal)));
    const counts = await Promise.all(paths.map((path) => kind.count(path)));
    return {
      receiver: kind.label,
      rate: options.rate,
      receivers: n,
      sent: sent.sent,
      seconds: sent.seconds,
      counts,
      peakKiB,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop("SIGKILL", 1000)));
    for (const path of paths) await Deno.remove(path).catch(() => {});
  }
}

/** iperf2's server fed by iperf2's client (it reads only iperf's own datagrams). */
async function benchIperfServer(
  options: { dir: string; rate: number; seconds: number },
): Promise<ReceiveRow> {
  log(`iperf2 server at ${rateLabel(options.rate)}`);
  const port = freeUdpPort();
  const serverPath = `${options.dir}/iperf_server.txt`;
  const server = startIperfServer(port, serverPath);
  try {
    await waitForUdpSockets(port, { count: 1 });
    const sent = await runIperfClient({
      port,
      rate: options.rate,
      seconds: options.seconds,
      outPath: `${options.dir}/iperf_client.txt`,
    });
    let report: { lost: number; total: number } | undefined;
    for (let i = 0; i < 100 && report === undefined; i++) {
      report = readIperfServerReport(await Deno.readTextFile(serverPath));
      if (report === undefined) await delay(50);
    }
    if (report === undefined) throw new Error("iperf server: no report");
    return {
      receiver: "iperf2 server (fed by iperf2 client)",
      rate: options.rate,
      receivers: 1,
      sent: report.total,
      seconds: sent.seconds,
      counts: [report.total - report.lost],
      peakKiB: server.peakKiB(),
      note: options.rate === 0 ? "iperf2 client's own flat out" : undefined,
    };
  } finally {
    await server.stop("SIGTERM");
  }
}

// ------------------------------------------------------------------ trials

/** Per receiver, in first-seen order, the trial with the median loss. */
function medianRows(runs: ReceiveRow[]): ReceiveRow[] {
  const byReceiver = new Map<string, ReceiveRow[]>();
  for (const row of runs) {
    const list = byReceiver.get(row.receiver) ?? [];
    list.push(row);
    byReceiver.set(row.receiver, list);
  }
  return [...byReceiver.values()].map((list) => {
    const sorted = [...list].sort((a, b) => lossPercent(a) - lossPercent(b));
    return {
      ...sorted[(sorted.length - 1) >> 1],
      lossFree: list.filter((r) => r.counts.every((c) => c >= r.sent)).length,
      trials: list.length,
    };
  });
}

// ------------------------------------------------------------------ report

function rateLabel(rate: number): string {
  return rate === 0 ? "flat out" : `${fmt(rate)}/s`;
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}

function lossPercent(row: ReceiveRow): number {
  const got = row.counts.reduce((a, b) => a + b, 0);
  return 100 * (1 - got / (row.sent * row.receivers));
}

function worstLossPercent(row: ReceiveRow): number {
  return 100 * (1 - Math.min(...row.counts) / row.sent);
}

function pct(p: number): string {
  if (p <= 0) return "0";
  return p < 0.01 ? "<0.01" : p.toFixed(2);
}

/** The rate asked for, and the rate achieved when the sender fell short. */
function offeredLabel(row: ReceiveRow): string {
  const actual = row.sent / row.seconds;
  if (row.rate === 0) return `flat out (${fmt(actual)}/s)`;
  if (actual < row.rate * 0.98) {
    return `${fmt(row.rate)}/s (sent ${fmt(actual)}/s)`;
  }
  return `${fmt(row.rate)}/s`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The receivers fed together in (p): the plain path's pair, the batch path's. */
function pairedSets(iperf: boolean): PairedSet[] {
  return [
    {
      title:
        "Plain path: broadcast-receiver and Lab 1's Python receiver (SO_REUSEADDR) on one port",
      receivers: [OUR_RECEIVER, PYTHON_REUSEADDR_RECEIVER],
      iperf: false,
    },
    {
      title:
        "Batch path: broadcast-receiver --io batch and the lab's Python receiver (SO_REUSEPORT) on one port" +
        (iperf ? "; iperf2's server on its own port, same feeder run" : ""),
      receivers: [OUR_BATCH_RECEIVER, PYTHON_RECEIVER],
      iperf,
    },
  ];
}

function report(
  data: {
    command: string;
    environment: string[];
    senderRuns: SenderRow[][];
    sets: PairedSet[];
    paired: PairedRun[][];
    single: ReceiveRow[];
    four: ReceiveRow[];
    seconds: number;
    senderCount: number;
    trials: number;
    trialsFour: number;
  },
): string {
  const out: string[] = [];
  out.push("## UDP speed", "", `- command: \`${data.command}\``);
  for (const line of data.environment) out.push(`- ${line}`);
  out.push(
    `- loopback: senders bind 127.0.0.1 and send to ${BROADCAST} (iperf2 to 127.0.0.1); receivers bind 0.0.0.0`,
    `- payload " BROADCAST ini angka N " (23–28 bytes); iperf2 -l ${IPERF_SIZE}`,
    `- every figure is a range min–max over ${
      plural(data.trials, "run")
    }; a target is met only if it holds in every run`,
    "",
  );
  const targets: string[] = [];
  const verdict = (met: boolean) => met ? "**met**" : "**not met**";

  if (data.senderRuns.length > 0) {
    const runs = data.senderRuns;
    out.push(
      `### (a) Senders, flat out (${
        fmt(data.senderCount)
      } datagrams each; iperf2 for ${data.seconds} s), to a bound socket that never reads`,
      "",
      "| sender | datagrams/s min–max | peak MiB max |",
      "| --- | ---: | ---: |",
    );
    const rate = (r: SenderRow) => r.result.sent / r.result.seconds;
    runs[0].forEach((row, i) => {
      const all = runs.map((run) => run[i]);
      out.push(
        `| ${row.sender} | ${rangeOf(all.map(rate), fmt)} | ${
          mib(Math.max(...all.map((r) => r.result.peakKiB)))
        } |`,
      );
    });
    out.push("");
    // Ratios within each run: both senders measured minutes apart at most.
    const ratios = (a: string, b: string) =>
      runs.map((run) => {
        const find = (label: string) =>
          run.find((r) => r.sender.startsWith(label));
        const x = find(a), y = find(b);
        return x && y ? rate(x) / rate(y) : NaN;
      }).filter((r) => !Number.isNaN(r));
    const vsPython = ratios("broadcast-sender:batch", "lab sender");
    targets.push(
      `- sender, batch ≥ 1.5× the Python loop: ${
        rangeOf(vsPython, times)
      } per run: ${verdict(Math.min(...vsPython) >= 1.5)}`,
    );
    const vsIperf = ratios("broadcast-sender:batch", "iperf2");
    if (vsIperf.length > 0) {
      targets.push(
        `- sender, batch ≥ iperf2's client: ${
          rangeOf(vsIperf, times)
        } per run: ${verdict(Math.min(...vsIperf) >= 1)}`,
      );
    }
    const plainVsPython = ratios(
      "broadcast-sender (ours) --quiet",
      "lab sender",
    );
    targets.push(
      `- (for reference) sender, plain --quiet / Python loop: ${
        rangeOf(plainVsPython, times)
      } per run`,
    );
  }

  data.sets.forEach((set, i) => {
    const runs = data.paired[i];
    if (runs.length === 0) return;
    out.push(
      `### (p${i + 1}) ${set.title}`,
      "",
      `One C feeder run per rate and run (${data.seconds} s) floods the lab's payload to the shared port; each receiver prints every datagram to its own file and gets its own copy${
        set.iperf
          ? "; the same run sends each datagram again, in iperf2's format, to iperf2's server"
          : ""
      }. Lost = sent − received (each receiver's own count).`,
      "",
      ...pairedTable(set, runs),
      "",
    );
    const [ours, python] = set.receivers.map((r) => r.label);
    const free = labels(set).map((label) => {
      const rate = lossFreeRate(runs, label);
      return `${label} ${rate > 0 ? `${fmt(rate)}/s` : "none"}`;
    });
    out.push(
      `Highest rate loss-free in every run (every lower rate too): ${
        free.join("; ")
      }.`,
      "",
    );
    if (i === 0) {
      const misses = runs.filter((r) =>
        r.lost.get(python) === 0 && r.lost.get(ours)! > 0
      );
      const pythonFree = runs.filter((r) => r.lost.get(python) === 0).length;
      targets.push(
        `- plain receiver: no loss wherever Python (sharing the port) had none (Python loss-free in ${pythonFree} of ${runs.length} paired runs${
          pythonFree === 0 ? ", so these runs test nothing" : ""
        }): ${
          misses.length === 0
            ? verdict(pythonFree > 0)
            : `${verdict(false)}: ${
              misses.map((r) =>
                `${rateLabel(r.rate)} ours lost ${fmt(r.lost.get(ours)!)}`
              ).join(", ")
            }`
        }`,
      );
    } else {
      if (set.iperf) {
        const batch = lossFreeRate(runs, ours);
        const iperf = lossFreeRate(runs, IPERF_SERVER);
        targets.push(
          `- batch receiver's loss-free rate ≥ iperf2's (same feeder runs): ${
            perSecond(batch)
          } against ${perSecond(iperf)}: ${verdict(batch >= iperf)}`,
        );
      }
      const flat = runs.filter((r) => r.rate === 0).map((r) =>
        receivedRate(r, ours) / receivedRate(r, python)
      );
      if (flat.length > 0) {
        targets.push(
          `- flat out, batch receiver ≥ 2× Python's received: ${
            rangeOf(flat, times)
          } per run: ${verdict(Math.min(...flat) >= 2)}`,
        );
      }
    }
  });

  const receiveTable = (rows: ReceiveRow[], four: boolean) => {
    out.push(
      four
        ? "| offered | receivers | sent | received/s (each, mean) | loss % (all) | loss % (worst) | loss-free runs | peak MiB (largest) |"
        : "| offered | receiver | sent | received/s | loss % | loss-free runs | peak MiB |",
      four
        ? "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        : "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    );
    for (const row of rows) {
      const offered = offeredLabel(row);
      const mean = row.counts.reduce((a, b) => a + b, 0) / row.counts.length;
      const cells = four
        ? [
          offered,
          `${row.receiver} x${row.receivers}`,
          fmt(row.sent),
          fmt(mean / row.seconds),
          pct(lossPercent(row)),
          pct(worstLossPercent(row)),
          `${row.lossFree}/${row.trials}`,
          mib(row.peakKiB),
        ]
        : [
          offered,
          row.receiver,
          fmt(row.sent),
          fmt(mean / row.seconds),
          pct(lossPercent(row)),
          `${row.lossFree}/${row.trials}`,
          mib(row.peakKiB),
        ];
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push("");
  };

  if (data.single.length > 0) {
    out.push(
      `### (b) One receiver alone, printing every datagram to a file (${data.seconds} s per rate; median of ${
        plural(data.trials, "run")
      }; iperf2's server fed by iperf2's client)`,
      "",
    );
    receiveTable(data.single, false);
  }
  if (data.four.length > 0) {
    out.push(
      `### (c) Four receivers on one port, each printing to its own file (${data.seconds} s per rate; median of ${
        plural(data.trialsFour, "run")
      })`,
      "",
      "iperf2's server cannot share a port (it does not set SO_REUSEADDR/SO_REUSEPORT), so it has no row here.",
      "",
    );
    receiveTable(data.four, true);
  }

  out.push("### Targets (issue 16), over every run", "", ...targets);
  return out.join("\n");
}

function perSecond(rate: number): string {
  return rate > 0 ? `${fmt(rate)}/s` : "none loss-free";
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

if (import.meta.main) await runBench("bench:udp", main);
