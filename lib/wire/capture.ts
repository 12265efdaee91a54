/**
 * Capturing every frame of a lab host's interface into a file Wireshark
 * opens: tcpdump, run in the host's network namespace
 * (`ip netns exec <ns> tcpdump -i eth0 -w DIR/<host>.pcap -U …`), one per
 * host. tcpdump was chosen over capturing in Deno by measuring both
 * (`deno task bench:capture --capturers tcpdump,deno`, figures in
 * docs/benchmarks.md): at 20,000 and 50,000 broadcasts/s both wrote every
 * frame and neither cost the receivers anything their uncaptured peers did
 * not lose too, but tcpdump took 0.02-0.05 s of CPU per 2-s run and 14 MiB
 * against 0.5-0.8 s and 48 MiB for a Deno process reading the same packet
 * socket with recvmmsg through FFI (which would also need `--allow-ffi`).
 * With `--immediate-mode` tcpdump dropped 1-9 % at those rates: the kernel
 * hands frames over in blocks instead (see {@linkcode BLOCK_MS}).
 *
 * A capture runs either tied to this process ({@linkcode startCaptures},
 * for `lab run`), or detached from it ({@linkcode startDetached}, for
 * `lab capture start`: it outlives the command, its messages go to a log
 * next to the file, and {@linkcode stopDetached} stops it later by its
 * process id). Stopping asks tcpdump to finish (SIGINT): it writes out what
 * it has and says how many frames it captured and how many the kernel
 * dropped for it, which {@linkcode parseTcpdumpStats} reads.
 *
 * Without tcpdump, {@linkcode checkCaptureTool} says so in one line naming
 * the Debian package, before anything is started.
 *
 * @example Capture two hosts while something runs
 * ```ts
 * import { startCaptures } from "./capture.ts";
 *
 * async function captured(run: () => Promise<void>) {
 *   const captures = await startCaptures([
 *     { name: "alpine-1", netns: "pj_progjar_alpine-1" },
 *     { name: "alpine-2", netns: "pj_progjar_alpine-2" },
 *   ], { dir: "capture" });
 *   try {
 *     await run();
 *   } finally {
 *     for (const c of captures) console.log(c.host, await c.stop());
 *   }
 * }
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { delay } from "../cli/async.ts";
import { errorText, RuntimeError } from "../cli/errors.ts";
import { IP } from "../net/ip.ts";

/** A lab host whose interface is captured. */
export interface CaptureHost {
  /** The host's name: the file is `<name>.pcap`. */
  name: string;
  /** Its network namespace. */
  netns: string;
  /** The interface; default `eth0`. */
  interface?: string;
}

/** What tcpdump said about a capture when it ended. */
export interface CaptureStats {
  /** Frames written to the file. */
  captured?: number;
  /** Frames the filter saw (all of them: there is no filter). */
  receivedByFilter?: number;
  /** Frames the kernel dropped because tcpdump did not read them in time. */
  droppedByKernel?: number;
  /** Frames the interface dropped (when the driver counts them). */
  droppedByInterface?: number;
}

/** Options for {@linkcode startCaptures} and {@linkcode startDetached}. */
export interface CaptureOptions {
  /** The directory the files go to (made if missing). */
  dir: string;
  /** How long tcpdump may take to start, in ms; default 10,000. */
  readyMs?: number;
}

/** The kernel buffer tcpdump asks for, in KiB (libpcap's default is 2 MiB). */
const BUFFER_KIB = 8192;
/**
 * How long the kernel keeps a block of frames before handing it to tcpdump
 * (libpcap's timeout, 1 s, plus a margin): stopping sooner loses the last
 * frames.
 */
export const BLOCK_MS = 1200;

/** The file a host's capture goes to. */
export function captureFile(dir: string, host: string): string {
  return join(dir, `${host}.pcap`);
}

/** tcpdump's command line for one host, after `ip netns exec <ns>`. */
export function tcpdumpArgs(host: CaptureHost, file: string): string[] {
  return [
    "tcpdump",
    "-i",
    host.interface ?? "eth0",
    "-w",
    file,
    // Each frame written out as tcpdump gets it (a file readable while it
    // grows). Not --immediate-mode: without it the kernel hands frames over
    // in blocks (TPACKET_V3), at a twentieth of the CPU and without drops
    // (docs/benchmarks.md); a block is handed over when full or after
    // BLOCK_MS, which is why stopping waits that long first.
    "-U",
    "-B",
    String(BUFFER_KIB),
    // Stay root: the directory is the user's (some builds switch to "tcpdump").
    "-Z",
    "root",
  ];
}

/**
 * Throws a one-line {@linkcode RuntimeError} unless tcpdump is installed
 * (looked up on `PATH`, as `ip netns exec` will).
 */
export async function checkCaptureTool(): Promise<void> {
  if (await onPath("tcpdump") === undefined) {
    throw new RuntimeError({
      en:
        "capturing needs tcpdump, which is not installed (Debian/Ubuntu: apt-get install tcpdump)",
      id:
        "penangkapan memerlukan tcpdump, yang belum terpasang (Debian/Ubuntu: apt-get install tcpdump)",
    });
  }
}

async function onPath(program: string): Promise<string | undefined> {
  let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  try {
    path = Deno.env.get("PATH") || path;
  } catch {
    // no --allow-env=PATH: the usual places
  }
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = await Deno.stat(join(dir, program));
      if (info.isFile && (info.mode ?? 0o111) & 0o111) {
        return join(dir, program);
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Reads tcpdump's closing lines ("12 packets captured", "… received by
 * filter", "… dropped by kernel", "… dropped by interface").
 */
export function parseTcpdumpStats(text: string): CaptureStats {
  const stats: CaptureStats = {};
  const find = (what: string) => {
    const match = new RegExp(`(\\d+) packets? ${what}`).exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const set = <K extends keyof CaptureStats>(key: K, value?: number) => {
    if (value !== undefined) stats[key] = value;
  };
  set("captured", find("captured"));
  set("receivedByFilter", find("received by filter"));
  set("droppedByKernel", find("dropped by kernel"));
  set("droppedByInterface", find("dropped by interface"));
  return stats;
}

/** The last line tcpdump wrote that says what went wrong. */
function reasonOf(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) =>
    l !== "" && !/^(listening on|\d+ packets?)/.test(l)
  );
  return lines.at(-1)?.replace(/^tcpdump: /, "") ?? "exited";
}

function failed(host: string, reason: string): RuntimeError {
  return new RuntimeError({
    en: `capture on ${host}: tcpdump: ${reason}`,
    id: `penangkapan di ${host}: tcpdump: ${reason}`,
  });
}

/** One host's capture, tied to this process. */
export class HostCapture {
  /** The host. */
  readonly host: string;
  /** The file. */
  readonly path: string;
  /** When tcpdump said it was listening (ms since the epoch). */
  readonly startedAt: number;
  /** tcpdump's process id. */
  readonly pid: number;
  #child: Deno.ChildProcess;
  #log: Promise<string>;
  #stats?: Promise<CaptureStats>;

  private constructor(
    host: string,
    path: string,
    child: Deno.ChildProcess,
    log: Promise<string>,
  ) {
    this.host = host;
    this.path = path;
    this.#child = child;
    this.#log = log;
    this.startedAt = Date.now();
    this.pid = child.pid;
  }

  /** Starts tcpdump on `host`; resolves once it is capturing. */
  static async start(
    host: CaptureHost,
    options: CaptureOptions,
  ): Promise<HostCapture> {
    const path = captureFile(options.dir, host.name);
    const child = new Deno.Command(IP, {
      args: ["netns", "exec", host.netns, ...tcpdumpArgs(host, path)],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    let text = "";
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => ready = resolve);
    const log = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        text += decoder.decode(chunk, { stream: true });
        if (/listening on/.test(text)) ready();
      }
      return text;
    })();
    const outcome = await Promise.race([
      listening.then(() => "ready" as const),
      child.status.then(() => "ended" as const),
      delay(options.readyMs ?? 10_000).then(() => "slow" as const),
    ]);
    if (outcome !== "ready") {
      if (outcome === "slow") child.kill("SIGKILL");
      await child.status;
      throw failed(
        host.name,
        outcome === "slow" ? "did not start" : reasonOf(await log),
      );
    }
    return new HostCapture(host.name, path, child, log);
  }

  /**
   * Stops tcpdump, once the kernel has handed it the last frames (after
   * {@linkcode BLOCK_MS}, or `waitMs`); what it said about the capture.
   */
  stop(waitMs = BLOCK_MS): Promise<CaptureStats> {
    this.#stats ??= (async () => {
      await delay(waitMs);
      try {
        this.#child.kill("SIGINT");
      } catch {
        // already ended
      }
      const timer = setTimeout(() => {
        try {
          this.#child.kill("SIGKILL");
        } catch {
          // ended meanwhile
        }
      }, 5000);
      await this.#child.status;
      clearTimeout(timer);
      return parseTcpdumpStats(await this.#log);
    })();
    return this.#stats;
  }
}

/**
 * Starts a capture on every host, all or none: if one cannot start, those
 * started are stopped again and the error says which host and why.
 */
export async function startCaptures(
  hosts: CaptureHost[],
  options: CaptureOptions,
): Promise<HostCapture[]> {
  await checkCaptureTool();
  await makeDir(options.dir);
  const started = await Promise.allSettled(
    hosts.map((host) => HostCapture.start(host, options)),
  );
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    for (const s of started) if (s.status === "fulfilled") await s.value.stop();
    throw (failure as PromiseRejectedResult).reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<HostCapture>).value);
}

async function makeDir(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `--capture ${dir}`, id: `--capture ${dir}` },
      }),
    );
  }
}

/** A capture running detached, as {@linkcode startDetached} left it. */
export interface DetachedCapture {
  /** The host. */
  host: string;
  /** The capture file. */
  path: string;
  /** tcpdump's messages (its closing statistics end up here). */
  log: string;
  /** tcpdump's process id. */
  pid: number;
  /** When it started capturing (ms since the epoch). */
  startedAt: number;
  /** When it was stopped, once it is. */
  stoppedAt?: number;
  /** What it said when it ended, once it has. */
  stats?: CaptureStats;
}

/**
 * Starts tcpdump on `host`, detached from this process (its own session,
 * its messages to a log beside the file), so that it captures after this
 * command has ended; resolves once it is capturing.
 */
export async function startDetached(
  host: CaptureHost,
  options: CaptureOptions,
): Promise<DetachedCapture> {
  const path = captureFile(options.dir, host.name);
  const log = join(options.dir, `.${host.name}.tcpdump.log`);
  await Deno.writeTextFile(log, "");
  // `ip netns exec` execs setsid, which execs tcpdump: one process, its pid.
  const child = new Deno.Command(IP, {
    args: [
      "netns",
      "exec",
      host.netns,
      "/bin/sh",
      "-c",
      'log="$1"; shift; exec setsid "$@" 2>>"$log"',
      "sh",
      log,
      ...tcpdumpArgs(host, path),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  const deadline = Date.now() + (options.readyMs ?? 10_000);
  let ended = false;
  child.status.then(() => ended = true);
  for (;;) {
    const text = await Deno.readTextFile(log).catch(() => "");
    if (/listening on/.test(text)) break;
    if (ended || Date.now() > deadline) {
      if (!ended) await signalPid(host.netns, child.pid, "KILL");
      throw failed(host.name, ended ? reasonOf(text) : "did not start");
    }
    await delay(50);
  }
  return {
    host: host.name,
    path,
    log,
    pid: child.pid,
    startedAt: Date.now(),
  };
}

/**
 * Whether the detached capture's tcpdump is still running: its process
 * id is still tcpdump writing this file (not an id used again). Read by a
 * shell through `ip`: Deno lets only a program with every permission read
 * another process's `/proc` entry.
 */
export async function isRunning(
  capture: DetachedCapture,
  netns: string,
): Promise<boolean> {
  const output = await new Deno.Command(IP, {
    args: [
      "netns",
      "exec",
      netns,
      "/bin/sh",
      "-c",
      'cat "/proc/$1/cmdline"',
      "sh",
      String(capture.pid),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  if (!output?.success) return false;
  const cmdline = new TextDecoder().decode(output.stdout).split("\0");
  return cmdline[0].endsWith("tcpdump") && cmdline.includes(capture.path);
}

/**
 * Stops a detached capture (SIGINT, then SIGKILL after 5 s) and reads what
 * tcpdump said as it ended; a capture already ended is only read.
 */
export async function stopDetached(
  capture: DetachedCapture,
  netns: string,
): Promise<DetachedCapture> {
  if (await isRunning(capture, netns)) {
    // The kernel's last block of frames first (see BLOCK_MS).
    await delay(BLOCK_MS);
    await signalPid(netns, capture.pid, "INT");
    const deadline = Date.now() + 5000;
    while (await isRunning(capture, netns)) {
      if (Date.now() > deadline) {
        await signalPid(netns, capture.pid, "KILL");
        break;
      }
      await delay(50);
    }
  }
  const text = await Deno.readTextFile(capture.log).catch(() => "");
  return {
    ...capture,
    stoppedAt: capture.stoppedAt ?? Date.now(),
    stats: parseTcpdumpStats(text),
  };
}

/**
 * Signals a process by id with the shell's kill, through `ip` (the one
 * program the lab may run; process ids are machine-wide).
 */
async function signalPid(
  netns: string,
  pid: number,
  signal: "INT" | "KILL",
): Promise<void> {
  await new Deno.Command(IP, {
    args: ["netns", "exec", netns, "/bin/sh", "-c", `kill -${signal} ${pid}`],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
}
