/**
 * UDP speed benchmark (`deno task bench:udp`): our broadcast-sender and
 * broadcast-receiver side by side with the lab's own Python programs and
 * iperf2, in one run, on loopback. Prints Markdown tables to stdout and
 * progress to stderr. Not a test: figures depend on the machine and load.
 *
 * (a) senders: datagrams per second, flat out, small datagrams;
 * (b) one receiver at fixed offered rates and flat out, printing every
 *     datagram to a file: received per second and loss;
 * (c) four receivers sharing one port (the lab's shape);
 * (d) peak memory (VmHWM) of every process, in each table.
 *
 * Needs Linux, python3, iperf (iperf2; unless left out of --receivers) and cc.
 *
 *   deno task bench:udp [--seconds 2] [--rates 10000,20000,...,200000,0]
 *                       [--sender-count 200000]
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
  --seconds S          seconds per rate in (b) and (c) (default: 1)
  --rates N,N,…        offered datagrams/s; 0 is flat out
                       (default: 10000,20000,30000,40000,50000,60000,75000,100000,200000,0)
  --trials N           trials per step in (a) and (b); the median is shown (default: 3)
  --trials-four N      trials per rate in (c) (default: 1)
  --sender-count N     datagrams per sender trial in (a) (default: 200000)
  --sections a,b,c     which tables (default: a,b,c)
  --receivers LIST     of ours,batch,python,iperf,bare (default: all five;
                       batch: ours with --io batch; without iperf, no iperf2 rows)

Needs Linux, python3, iperf (iperf2, unless left out of --receivers) and cc. Prints Markdown tables.`;

async function main(): Promise<void> {
  const { values } = benchArgs("bench:udp", USAGE, () =>
    parseArgs({
      args: Deno.args,
      options: {
        seconds: { type: "string", default: "1" },
        // Each step is repeated and the median trial reported: the machine's
        // other work makes single runs noisy.
        trials: { type: "string", default: "3" },
        "trials-four": { type: "string", default: "1" },
        rates: {
          type: "string",
          default: "10000,20000,30000,40000,50000,60000,75000,100000,200000,0",
        },
        "sender-count": { type: "string", default: "200000" },
        // For quick runs while tuning: a subset of sections and receivers.
        sections: { type: "string", default: "a,b,c" },
        receivers: {
          type: "string",
          default: "ours,batch,python,iperf,bare",
        },
      },
    }));
  const seconds = Number(values.seconds);
  const rates = values.rates.split(",").map(Number);
  const senderCount = Number(values["sender-count"]);
  const trials = Number(values.trials);
  const trialsFour = Number(values["trials-four"]);
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
    const senders: SenderRow[] = [];
    if (sections.includes("a")) {
      const runs: SenderRow[][] = [];
      for (let t = 0; t < trials; t++) {
        runs.push(
          await benchSenders(dir, { count: senderCount, seconds, iperf }),
        );
      }
      senders.push(...medianSenders(runs));
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
    console.log(
      report({
        environment,
        senders,
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

/** Per sender, the trial with the median rate. */
function medianSenders(runs: SenderRow[][]): SenderRow[] {
  const rate = (r: SenderRow) => r.result.sent / r.result.seconds;
  return runs[0].map((_, i) => {
    const sorted = runs.map((run) => run[i]).sort((a, b) => rate(a) - rate(b));
    return sorted[(sorted.length - 1) >> 1];
  });
}

// ------------------------------------------------------------------ report

function rateLabel(rate: number): string {
  return rate === 0 ? "flat out" : `${fmt(rate)}/s`;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
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

/**
 * The highest rate offered that `receiver` took with no loss at all in the
 * median trial (so in most trials), every lower rate loss-free too.
 */
function lossFreeRate(rows: ReceiveRow[], receiver: string): number {
  let best = 0;
  const mine = rows
    .filter((r) => r.receiver === receiver)
    .sort((a, b) => offeredRate(a) - offeredRate(b));
  for (const row of mine) {
    if (row.counts.some((c) => c < row.sent)) break;
    best = offeredRate(row);
  }
  return best;
}

/** The rate offered: the one asked for, unless the sender fell short of it. */
function offeredRate(row: ReceiveRow): number {
  const actual = row.sent / row.seconds;
  return row.rate > 0 && actual >= row.rate * 0.98 ? row.rate : actual;
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

function ratio(a: number, b: number): string {
  return b === 0 ? "n/a" : `${(a / b).toFixed(2)}x`;
}

function report(
  data: {
    environment: string[];
    senders: SenderRow[];
    single: ReceiveRow[];
    four: ReceiveRow[];
    seconds: number;
    senderCount: number;
    trials: number;
    trialsFour: number;
  },
): string {
  const out: string[] = [];
  out.push("## UDP speed", "");
  for (const line of data.environment) out.push(`- ${line}`);
  out.push(
    `- loopback: senders bind 127.0.0.1 and send to ${BROADCAST} (iperf2 to 127.0.0.1); receivers bind 0.0.0.0`,
    `- payload " BROADCAST ini angka N " (24-30 bytes); iperf2 -l ${IPERF_SIZE}`,
    "",
  );

  out.push(
    `### (a) Senders, flat out (${
      fmt(data.senderCount)
    } datagrams; iperf2 ${data.seconds} s; median of ${
      plural(data.trials, "trial")
    })`,
    "",
    "| sender | sent | seconds | datagrams/s | peak MiB |",
    "| --- | ---: | ---: | ---: | ---: |",
  );
  for (const { sender, result } of data.senders) {
    out.push(
      `| ${sender} | ${fmt(result.sent)} | ${result.seconds.toFixed(3)} | ${
        fmt(result.sent / result.seconds)
      } | ${mib(result.peakKiB)} |`,
    );
  }
  out.push("");

  const receiveTable = (rows: ReceiveRow[], four: boolean) => {
    out.push(
      four
        ? "| offered | receivers | sent | received/s (each, mean) | loss % (all) | loss % (worst) | loss-free trials | peak MiB (largest) |"
        : "| offered | receiver | sent | received/s | loss % | loss-free trials | peak MiB |",
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

  out.push(
    `### (b) One receiver, printing every datagram to a file (${data.seconds} s per rate; median of ${
      plural(data.trials, "trial")
    })`,
    "",
  );
  receiveTable(data.single, false);
  out.push(
    `### (c) Four receivers on one port, each printing to its own file (${data.seconds} s per rate; median of ${
      plural(data.trialsFour, "trial")
    })`,
    "",
    "iperf2's server cannot share a port (it does not set SO_REUSEADDR/SO_REUSEPORT), so it has no row here.",
    "",
  );
  receiveTable(data.four, true);

  const ours = lossFreeRate(data.single, OUR_RECEIVER.label);
  const python = lossFreeRate(data.single, PYTHON_RECEIVER.label);
  const iperf = lossFreeRate(
    data.single,
    "iperf2 server (fed by iperf2 client)",
  );
  const ours4 = lossFreeRate(data.four, OUR_RECEIVER.label);
  const python4 = lossFreeRate(data.four, PYTHON_RECEIVER.label);
  const bare = lossFreeRate(data.single, DENO_RECEIVE_LOOP.label);
  const batch = lossFreeRate(data.single, OUR_BATCH_RECEIVER.label);
  const batch4 = lossFreeRate(data.four, OUR_BATCH_RECEIVER.label);
  // Sender rates by the start of their label.
  const sendRate = (label: string) => {
    const row = data.senders.find((r) => r.sender.startsWith(label));
    return row === undefined ? 0 : row.result.sent / row.result.seconds;
  };
  const oursPrinting = sendRate("broadcast-sender (ours), printing");
  const oursQuiet = sendRate("broadcast-sender (ours) --quiet");
  const pythonSend = sendRate("lab sender");
  const batchSend = sendRate("broadcast-sender:batch");
  out.push(
    "### Ratios (same run; loss-free: no datagram lost in the median trial)",
    "",
    `- highest loss-free offered rate, one receiver: ours ${
      fmt(ours)
    }/s, Python ${fmt(python)}/s, iperf2 ${fmt(iperf)}/s: ours/Python ${
      ratio(ours, python)
    }, ours/iperf2 ${ratio(ours, iperf)} (bare Deno receive loop: ${
      fmt(bare)
    }/s)`,
    `- highest loss-free offered rate, four receivers: ours ${
      fmt(ours4)
    }/s, Python ${fmt(python4)}/s: ours/Python ${ratio(ours4, python4)}`,
    `- batch path (--io batch), loss-free offered rate: one receiver ${
      fmt(batch)
    }/s (batch/plain ${ratio(batch, ours)}, batch/Python ${
      ratio(batch, python)
    }), four receivers ${fmt(batch4)}/s (batch/Python ${
      ratio(batch4, python4)
    }); sender batch/Python ${ratio(batchSend, pythonSend)}, batch/iperf2 ${
      ratio(batchSend, sendRate("iperf2"))
    }`,
    `- sender rate: ours printing/Python ${
      ratio(oursPrinting, pythonSend)
    }, ours --quiet/Python ${
      ratio(oursQuiet, pythonSend)
    }, ours --quiet/iperf2 ${
      ratio(oursQuiet, sendRate("iperf2"))
    }, bare Deno send loop/Python ${ratio(sendRate("bare Deno"), pythonSend)}`,
  );
  return out.join("\n");
}

if (import.meta.main) await runBench("bench:udp", main);
