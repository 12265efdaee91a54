/**
 * Benchmark helpers for processes: start a program with its standard output
 * going to a file (as a user's `> file` would), watch its peak memory, wait
 * for its UDP socket to be bound, and stop it with a signal within a time
 * limit. Linux only (`/proc`).
 *
 * @module
 */

import { delay } from "../lib/cli/async.ts";
import { run as runCommand } from "../tools/_common.ts";

/** A started program. */
export interface BenchProcess {
  /** The program's process id (the shell `exec`s it, so it is the program's own). */
  readonly pid: number;
  /** Resolves when it exits. */
  readonly status: Promise<Deno.CommandStatus>;
  /** The highest peak resident memory seen so far, in KiB. */
  peakKiB(): number;
  /** Sends `signal`, then SIGKILL if it has not exited within `timeoutMs`. */
  stop(signal: Deno.Signal, timeoutMs?: number): Promise<Deno.CommandStatus>;
  /** Waits for a normal exit; kills it after `timeoutMs`. */
  wait(timeoutMs: number): Promise<Deno.CommandStatus>;
}

/** Options for {@linkcode start}. */
export interface StartOptions {
  /** File that receives standard output (default: discarded). */
  stdoutPath?: string;
  /** File that receives standard error (default: discarded). */
  stderrPath?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory. */
  cwd?: string | URL;
}

/**
 * Starts `command` ([program, ...args]) through `sh -c 'exec …'`, so its
 * output goes straight to a file with no pipe through this process, and its
 * pid is the program's own (for `/proc/<pid>/status`).
 */
export function start(
  command: string[],
  options: StartOptions = {},
): BenchProcess {
  const script = 'exec "$@" >"$BENCH_STDOUT" 2>"$BENCH_STDERR"';
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", script, "sh", ...command],
    cwd: options.cwd,
    env: {
      BENCH_STDOUT: options.stdoutPath ?? "/dev/null",
      BENCH_STDERR: options.stderrPath ?? "/dev/null",
      ...options.env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let peak = 0;
  let exited = false;
  const sample = () => {
    if (!exited) peak = Math.max(peak, readPeakKiB(child.pid));
  };
  // Sampling catches programs that exit by themselves; VmHWM is the
  // kernel's own high-water mark, so a sample misses nothing before it.
  const poller = setInterval(sample, 50);
  const status = child.status.then((s) => {
    exited = true;
    clearInterval(poller);
    return s;
  });
  const killAfter = async (timeoutMs: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const result = await Promise.race([status, timeout]);
    clearTimeout(timer);
    if (result === "timeout") {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
    }
    return await status;
  };
  return {
    pid: child.pid,
    status,
    peakKiB() {
      sample();
      return peak;
    },
    stop(signal, timeoutMs = 10_000) {
      sample();
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
      return killAfter(timeoutMs);
    },
    wait: killAfter,
  };
}

/** `VmHWM` (peak resident set) of a process in KiB, or 0 if it is gone. */
export function readPeakKiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = /^VmHWM:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** How many UDP sockets are bound to local `port` (from `/proc/net/udp`). */
export function countUdpSockets(port: number): number {
  const hex = ":" + port.toString(16).toUpperCase().padStart(4, "0") + " ";
  let count = 0;
  for (const line of Deno.readTextFileSync("/proc/net/udp").split("\n")) {
    // "  sl  local_address rem_address …": the local address is field 2.
    const local = line.trim().split(/\s+/)[1];
    if (local !== undefined && (local + " ").endsWith(hex)) count++;
  }
  return count;
}

/** Waits until `count` UDP sockets are bound to `port`; throws after `timeoutMs`. */
export async function waitForUdpSockets(
  port: number,
  options: { count: number; timeoutMs?: number },
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (countUdpSockets(port) < options.count) {
    if (Date.now() > deadline) {
      throw new Error(`no ${options.count} udp sockets on port ${port}`);
    }
    await delay(20);
  }
}

/** A UDP port that was free a moment ago (bound to port 0, then closed). */
export function freeUdpPort(): number {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = (conn.addr as Deno.NetAddr).port;
  conn.close();
  return port;
}

/** Runs `command` to completion with a time limit; returns its output. */
export function run(
  command: string[],
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program, ...args] = command;
  return runCommand(program, args, { timeoutMs, cwd: Deno.cwd() });
}
