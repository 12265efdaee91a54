/**
 * The programs the UDP benchmark compares, and how each one's own output is
 * read: our broadcast-sender and broadcast-receiver (the `deno task`
 * command lines from lib/roles.ts), the lab's Python sender and receiver
 * (bench/peers/), iperf2's client and server, and a C feeder that offers
 * numbered lab payloads at a fixed rate.
 *
 * All traffic stays on loopback: senders bind 127.0.0.1 and send to
 * 127.255.255.255 (iperf2 to 127.0.0.1); receivers bind 0.0.0.0, since a
 * socket bound to 127.0.0.1 does not get broadcasts.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { roleCommand } from "../lib/roles.ts";
import { type BenchProcess, run, start } from "./_process.ts";

/** The repository root: our roles run from there, as `deno task` does. */
export const ROOT: string = dirname(import.meta.dirname!);
const PEERS = join(import.meta.dirname!, "peers");
/** Where senders send: loopback's broadcast address. */
export const BROADCAST = "127.255.255.255";
/** What senders bind to: loopback only. */
export const SOURCE = "127.0.0.1";

/** How many datagrams a sender sent, in how long (by its own clock). */
export interface SendResult {
  /** Datagrams sent. */
  sent: number;
  /** Seconds the sending took. */
  seconds: number;
  /** Peak resident memory in KiB. */
  peakKiB: number;
}

// ---------------------------------------------------------------- feeder

/** Compiles bench/_feeder.c into `dir`; returns the program's path. */
export async function buildFeeder(dir: string): Promise<string> {
  const source = join(import.meta.dirname!, "_feeder.c");
  const program = `${dir}/feeder`;
  const result = await run(
    ["cc", "-O2", "-Wall", "-o", program, source],
    60_000,
  );
  if (result.code !== 0) {
    throw new Error(`cc failed:\n${result.stderr}`);
  }
  return program;
}

/**
 * Offers numbered lab payloads to `port` at `rate` datagrams/s (0: flat
 * out) for `seconds`; resolves to what the feeder sent.
 */
export async function feed(
  feeder: string,
  options: {
    port: number;
    rate: number;
    seconds: number;
    /** Also send each datagram in iperf2's format to an iperf2 server here. */
    iperfPort?: number;
  },
): Promise<SendResult> {
  const { port, rate, seconds } = options;
  const result = await run([
    feeder,
    BROADCAST,
    String(port),
    String(rate),
    String(seconds),
    SOURCE,
    ...(options.iperfPort ? [String(options.iperfPort)] : []),
  ], (seconds + 10) * 1000);
  if (result.code !== 0) throw new Error(`feeder failed: ${result.stderr}`);
  const { sent, seconds: took } = JSON.parse(result.stdout);
  return { sent, seconds: took, peakKiB: 0 };
}

// ---------------------------------------------------------------- senders

/** Our broadcast-sender: `count` datagrams; `quiet` drops the per-datagram lines. */
export async function runOurSender(
  options: {
    port: number;
    count: number;
    quiet: boolean;
    outPath: string;
    /** The batch path (`broadcast-sender:batch`, sendmmsg). */
    batch?: boolean;
  },
): Promise<SendResult> {
  const args = [
    "--lang",
    "en",
    "--bind",
    SOURCE,
    "--to",
    BROADCAST,
    "--port",
    String(options.port),
    "--count",
    String(options.count),
  ];
  if (options.quiet) args.push("--quiet");
  const role = options.batch ? "broadcast-sender:batch" : "broadcast-sender";
  const proc = start(roleCommand(role, args), {
    stdoutPath: options.outPath,
    cwd: ROOT,
  });
  await proc.wait(60_000);
  // Its own closing line: "done: sent N datagrams (B bytes) in S s, R datagrams/s".
  const tail = await readTail(options.outPath);
  const match = /done: sent (\d+) datagrams? \(\d+ bytes\) in ([\d.]+) s/.exec(
    tail,
  );
  if (!match) throw new Error(`broadcast-sender: no summary in:\n${tail}`);
  return {
    sent: Number(match[1]),
    seconds: Number(match[2]),
    peakKiB: proc.peakKiB(),
  };
}

/** The lab's Python sender loop, `count` datagrams. */
export function runPythonSender(
  options: { port: number; count: number; errPath: string },
): Promise<SendResult> {
  return runPeerSender(
    ["python3", join(PEERS, "lab_sender.py")],
    options,
  );
}

/** Baseline: a bare `Deno.DatagramConn.send` loop (bench/peers/deno_send_loop.ts). */
export function runDenoSendLoop(
  options: { port: number; count: number; errPath: string },
): Promise<SendResult> {
  return runPeerSender([
    Deno.execPath(),
    "run",
    "--unstable-net",
    "--allow-net",
    join(PEERS, "deno_send_loop.ts"),
  ], options);
}

/**
 * Runs a peer sender (`program… BROADCAST PORT COUNT SOURCE`) that ends by
 * printing `sent N in S s` on standard error.
 */
async function runPeerSender(
  program: string[],
  options: { port: number; count: number; errPath: string },
): Promise<SendResult> {
  const proc = start([
    ...program,
    BROADCAST,
    String(options.port),
    String(options.count),
    SOURCE,
  ], { stderrPath: options.errPath });
  await proc.wait(60_000);
  const text = await Deno.readTextFile(options.errPath);
  const match = /sent (\d+) in ([\d.]+) s/.exec(text);
  if (!match) {
    throw new Error(
      `${program.at(-1)!.split("/").at(-1)}: no summary in:\n${text}`,
    );
  }
  return {
    sent: Number(match[1]),
    seconds: Number(match[2]),
    peakKiB: proc.peakKiB(),
  };
}

/**
 * iperf2's client with `size`-byte datagrams at `rate` datagrams/s (0: as
 * fast as it goes) for `seconds`, to an iperf2 server on 127.0.0.1:`port`.
 */
export async function runIperfClient(
  options: { port: number; rate: number; seconds: number; outPath: string },
): Promise<SendResult> {
  const rate = options.rate > 0 ? `${options.rate}pps` : "100Mpps";
  const proc = start([
    "iperf",
    "-c",
    SOURCE,
    "-u",
    "-e",
    "-l",
    String(IPERF_SIZE),
    "-b",
    rate,
    "-t",
    String(options.seconds),
    "-p",
    String(options.port),
  ], { stdoutPath: options.outPath, stderrPath: "/dev/null" });
  await proc.wait((options.seconds + 20) * 1000);
  const text = await Deno.readTextFile(options.outPath);
  // "[  1] 0.0000-2.0000 sec  10.7 MBytes  44.8 Mbits/sec  349794/0  174897 pps"
  const interval = /\]\s+0\.0+-([\d.]+) sec\s.*?\s(\d+)\/(\d+)\s+\d+ pps/.exec(
    text,
  );
  const sent = /Sent (\d+) datagrams/.exec(text);
  if (!interval || !sent) throw new Error(`iperf client: no report:\n${text}`);
  return {
    sent: Number(sent[1]),
    seconds: Number(interval[1]),
    peakKiB: proc.peakKiB(),
  };
}

/** iperf2's datagram size here: the lab's payload at six digits (as _feeder.c). */
export const IPERF_SIZE = 28;

// ---------------------------------------------------------------- receivers

/** A kind of receiver: how to start one and read its own count. */
export interface ReceiverKind {
  /** Name in the table. */
  label: string;
  /** Starts one receiver on `port`, its standard output to `outPath`. */
  start(port: number, outPath: string): BenchProcess;
  /** The signal that stops it with its output flushed. */
  stopSignal: Deno.Signal;
  /** Datagrams it received, from its own output. */
  count(outPath: string): Promise<number>;
}

/** Our broadcast-receiver, printing every datagram (the default). */
export const OUR_RECEIVER: ReceiverKind = ourReceiver(
  "broadcast-receiver",
  "broadcast-receiver (ours)",
);

/** Our broadcast-receiver on the batch path (recvmmsg, a 4 MiB buffer asked). */
export const OUR_BATCH_RECEIVER: ReceiverKind = ourReceiver(
  "broadcast-receiver:batch",
  "broadcast-receiver --io batch (ours)",
);

function ourReceiver(role: string, label: string): ReceiverKind {
  return {
    label,
    start(port, outPath) {
      return start(
        roleCommand(role, ["--lang", "en", "--port", String(port)]),
        { stdoutPath: outPath, cwd: ROOT },
      );
    },
    stopSignal: "SIGTERM",
    async count(outPath) {
      // Its own summary: "summary: N datagrams received (…)".
      const tail = await readTail(outPath);
      const match = /summary: (\d+) datagrams? received/.exec(tail);
      if (!match) throw new Error(`${role}: no summary in:\n${tail}`);
      return Number(match[1]);
    },
  };
}

/** The lab's Python receiver, printing every datagram. */
export const PYTHON_RECEIVER: ReceiverKind = {
  label: "lab receiver (Python)",
  start(port, outPath) {
    return start([
      "python3",
      join(PEERS, "lab_receiver.py"),
      String(port),
    ], { stdoutPath: outPath });
  },
  // KeyboardInterrupt: Python flushes its buffered stdout on the way out.
  stopSignal: "SIGINT",
  async count(outPath) {
    return countLinesStarting(await Deno.readFile(outPath), "diterima ");
  },
};

/**
 * The lab's Python receiver with SO_REUSEADDR instead of SO_REUSEPORT (as
 * Lab 1's receiver sets it), to share a port with our plain path.
 */
export const PYTHON_REUSEADDR_RECEIVER: ReceiverKind = {
  ...PYTHON_RECEIVER,
  label: "lab receiver (Python, SO_REUSEADDR)",
  start(port, outPath) {
    return start([
      "python3",
      join(PEERS, "lab_receiver.py"),
      String(port),
      "reuseaddr",
    ], { stdoutPath: outPath });
  },
};

/** Baseline: a bare `Deno.DatagramConn.receive` loop that prints nothing. */
export const DENO_RECEIVE_LOOP: ReceiverKind = {
  label: "bare Deno receive loop, prints nothing (baseline)",
  start(port, outPath) {
    return start([
      Deno.execPath(),
      "run",
      "--unstable-net",
      "--allow-net",
      join(PEERS, "deno_receive_loop.ts"),
      String(port),
    ], { stdoutPath: outPath });
  },
  stopSignal: "SIGTERM",
  async count(outPath) {
    const tail = await readTail(outPath);
    const match = /summary: (\d+) datagrams? received/.exec(tail);
    if (!match) throw new Error(`deno_receive_loop.ts: no summary:\n${tail}`);
    return Number(match[1]);
  },
};

/** Starts an iperf2 UDP server on `port` (bound to 0.0.0.0). */
export function startIperfServer(port: number, outPath: string): BenchProcess {
  return start([
    "iperf",
    "-s",
    "-u",
    "-e",
    "-l",
    String(IPERF_SIZE),
    "-p",
    String(port),
  ], { stdoutPath: outPath });
}

/** Lost and total datagrams from an iperf2 server's report, once it is there. */
export function readIperfServerReport(
  text: string,
): { lost: number; total: number } | undefined {
  const match = /\s(\d+)\/(\d+) \(/.exec(text);
  return match
    ? { lost: Number(match[1]), total: Number(match[2]) }
    : undefined;
}

// ---------------------------------------------------------------- files

/** The last `bytes` bytes of a file, as text. */
export async function readTail(path: string, bytes = 4096): Promise<string> {
  using file = await Deno.open(path);
  const size = (await file.stat()).size;
  const start = Math.max(0, size - bytes);
  await file.seek(start, Deno.SeekMode.Start);
  const buffer = new Uint8Array(size - start);
  let offset = 0;
  while (offset < buffer.length) {
    const n = await file.read(buffer.subarray(offset));
    if (n === null) break;
    offset += n;
  }
  return new TextDecoder().decode(buffer.subarray(0, offset));
}

/** How many lines of `bytes` start with `prefix` (ASCII). */
export function countLinesStarting(bytes: Uint8Array, prefix: string): number {
  const want = new TextEncoder().encode(prefix);
  let count = 0;
  let lineStart = 0;
  while (lineStart < bytes.length) {
    let match = lineStart + want.length <= bytes.length;
    for (let i = 0; match && i < want.length; i++) {
      if (bytes[lineStart + i] !== want[i]) match = false;
    }
    if (match) count++;
    const newline = bytes.indexOf(0x0a, lineStart);
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  return count;
}
