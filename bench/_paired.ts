/**
 * Paired receiver runs for `bench:udp` (section p): receivers that share one
 * port are fed by one C feeder run, so each gets its own copy of the same
 * broadcast datagrams at the same moment, and an iperf2 server on a port of
 * its own is fed by the same run (the feeder sends each datagram a second
 * time in iperf2's format). Lost = sent − received, from each receiver's own
 * output; every rate is run `runs` times and reported as a range.
 *
 * @module
 */

import { delay } from "../lib/cli/async.ts";
import {
  feed,
  readIperfServerReport,
  type ReceiverKind,
  startIperfServer,
} from "./_peers.ts";
import {
  type BenchProcess,
  freeUdpPort,
  waitForUdpSockets,
} from "./_process.ts";

/** How long receivers get after the feeder stops to drain their sockets. */
const DRAIN_MS = 300;
/** The label of the iperf2 server's rows. */
export const IPERF_SERVER = "iperf2 server (own port, same feeder run)";

/** Receivers fed together. */
export interface PairedSet {
  /** Heading of the set's table. */
  title: string;
  /** Receivers sharing one port (each gets every datagram). */
  receivers: ReceiverKind[];
  /** An iperf2 server on its own port, fed by the same feeder run. */
  iperf: boolean;
}

/** One feeder run at one rate. */
export interface PairedRun {
  /** Rate asked for (0: flat out). */
  rate: number;
  /** Datagrams the feeder sent (to each port). */
  sent: number;
  /** Seconds the feeder took. */
  seconds: number;
  /** Lost per receiver label. */
  lost: Map<string, number>;
}

/** Runs `set` once at `rate`; `dir` holds the receivers' output files. */
export async function pairedRun(
  set: PairedSet,
  options: { dir: string; feeder: string; rate: number; seconds: number },
): Promise<PairedRun> {
  const port = freeUdpPort();
  const procs: BenchProcess[] = [];
  const paths = set.receivers.map((_, i) => `${options.dir}/paired_${i}.txt`);
  const iperfPath = `${options.dir}/paired_iperf.txt`;
  try {
    set.receivers.forEach((kind, i) => procs.push(kind.start(port, paths[i])));
    await waitForUdpSockets(port, { count: set.receivers.length });
    let iperfPort: number | undefined;
    let iperf: BenchProcess | undefined;
    if (set.iperf) {
      iperfPort = freeUdpPort();
      iperf = startIperfServer(iperfPort, iperfPath);
      await waitForUdpSockets(iperfPort, { count: 1 });
    }
    const sent = await feed(options.feeder, {
      port,
      rate: options.rate,
      seconds: options.seconds,
      iperfPort,
    });
    await delay(DRAIN_MS);
    const lost = new Map<string, number>();
    await Promise.all(
      set.receivers.map((kind, i) => procs[i].stop(kind.stopSignal)),
    );
    for (const [i, kind] of set.receivers.entries()) {
      lost.set(kind.label, sent.sent - await kind.count(paths[i]));
    }
    if (iperf) {
      let report: { lost: number; total: number } | undefined;
      for (let i = 0; i < 100 && report === undefined; i++) {
        report = readIperfServerReport(await Deno.readTextFile(iperfPath));
        if (report === undefined) await delay(50);
      }
      await iperf.stop("SIGTERM");
      if (report === undefined) throw new Error("iperf2 server: no report");
      lost.set(IPERF_SERVER, report.lost);
    }
    return { rate: options.rate, sent: sent.sent, seconds: sent.seconds, lost };
  } finally {
    await Promise.all(procs.map((p) => p.stop("SIGKILL", 1000)));
    for (const path of [...paths, iperfPath]) {
      await Deno.remove(path).catch(() => {});
    }
  }
}

/** The labels of a set's receivers, the iperf2 server last. */
export function labels(set: PairedSet): string[] {
  return [
    ...set.receivers.map((r) => r.label),
    ...(set.iperf ? [IPERF_SERVER] : []),
  ];
}

/**
 * The highest rate at which `label` lost nothing in every run, every lower
 * rate too; 0 if none. The runs of one level (a rate asked for, or flat out)
 * count together: flat out at the lowest rate the feeder reached in them.
 */
export function lossFreeRate(runs: PairedRun[], label: string): number {
  const levels = [...new Set(runs.map((r) => r.rate))].map((rate) => {
    const at = runs.filter((r) => r.rate === rate);
    return {
      rate: Math.min(...at.map(offered)),
      clean: at.every((r) => (r.lost.get(label) ?? 1) === 0),
    };
  }).sort((a, b) => a.rate - b.rate);
  let best = 0;
  for (const level of levels) {
    if (!level.clean) break;
    best = level.rate;
  }
  return best;
}

/** The rate offered: asked for, or the feeder's own for flat out. */
export function offered(run: PairedRun): number {
  return run.rate > 0 ? run.rate : Math.round(run.sent / run.seconds);
}

/** Received per second in `run` by `label`. */
export function receivedRate(run: PairedRun, label: string): number {
  return (run.sent - run.lost.get(label)!) / run.seconds;
}

/** A set's table: per rate and receiver, the lost of each run and the range. */
export function pairedTable(set: PairedSet, runs: PairedRun[]): string[] {
  const out = [
    "| offered | receiver | sent (per run) | lost, each run | lost % min–max | received/s min–max |",
    "| --- | --- | --- | --- | ---: | ---: |",
  ];
  const rates = [...new Set(runs.map((r) => r.rate))];
  for (const rate of rates) {
    const at = runs.filter((r) => r.rate === rate);
    for (const label of labels(set)) {
      const lost = at.map((r) => r.lost.get(label)!);
      const percent = at.map((r) => 100 * r.lost.get(label)! / r.sent);
      const received = at.map((r) => receivedRate(r, label));
      out.push(
        `| ${
          rate === 0
            ? `flat out (${range(at.map((r) => r.sent / r.seconds))}/s)`
            : `${fmt(rate)}/s`
        } | ${label} | ${at.map((r) => fmt(r.sent)).join(", ")} | ${
          lost.map(fmt).join(", ")
        } | ${rangeOf(percent, pct)} | ${range(received)} |`,
      );
    }
  }
  return out;
}

/** `min–max` of `values`, formatted; one value if they agree. */
export function rangeOf(
  values: number[],
  format: (n: number) => string,
): string {
  const low = format(Math.min(...values));
  const high = format(Math.max(...values));
  return low === high ? low : `${low}–${high}`;
}

function range(values: number[]): string {
  return rangeOf(values, fmt);
}

/** A whole number with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

function pct(p: number): string {
  if (p <= 0) return "0";
  return p < 0.01 ? "<0.01" : p.toFixed(2);
}
