/**
 * Watching a lab live: every frame that crosses its switch, read as it is
 * captured, and what each host's sockets are, for the hub.
 *
 * - The frames: tcpdump on the switch's bridge (`br0`, in the switch's
 *   namespace, with `lib/wire`'s command line, writing pcap to a pipe),
 *   read by `lib/wire`'s reader as it comes. The bridge sees every frame
 *   once, as it comes in by its port (a promiscuous bridge device gets
 *   all it forwards), in the order the switch handled them; the host it
 *   came from is the one whose interface has its source MAC (read from
 *   each host's `eth0` when the lab is found up). A lab with routers has
 *   a bridge per segment: each is captured, each frame is its segment's,
 *   and a router's interface is a port of its segment's switch (a
 *   datagram a router sends on is seen again on the next segment, with
 *   its TTL one less).
 * - The sockets: each host's `/proc/net/udp` and `/proc/net/igmp`, read
 *   every {@linkcode SOCKET_POLL_MS} by a shell in the host's namespace
 *   (its built-ins only, on a pipe that closes when the view ends); and
 *   the roles' recordings (`/run/progjar/<lab>/<host>.jsonl`), read again
 *   when they grow.
 *
 * A lab that is not up is waited for; a lab taken down (tcpdump ends with
 * its namespace) is waited for again, so that `lab view` watches every
 * `lab run` that builds and removes its own lab.
 *
 * @example Watch lab "progjar" until aborted
 * ```ts
 * import { LiveHub } from "./hub.ts";
 * import { watchLab } from "./live.ts";
 *
 * async function watch(signal: AbortSignal) {
 *   const hub = new LiveHub({ lab: "progjar", lang: "en", note: "" });
 *   const result = await watchLab({ lab: "progjar", hub, signal });
 *   console.log(result.kernelDropped, "frames dropped by the kernel");
 *   hub.close();
 * }
 * ```
 *
 * @module
 */

import { delay } from "../cli/async.ts";
import { RuntimeError } from "../cli/errors.ts";
import { parseRuns, recordFile } from "../hand/records.ts";
import { IP } from "../net/ip.ts";
import { labNames, type LabState, labStatus } from "../net/netns.ts";
import { ifaceOf } from "../net/lab_state.ts";
import {
  BLOCK_MS,
  checkCaptureTool,
  parseTcpdumpStats,
  tcpdumpArgs,
} from "../wire/capture.ts";
import { CaptureError } from "../wire/errors.ts";
import { readCapture } from "../wire/read.ts";
import type { Frame } from "../wire/frame.ts";
import { FrameMerger } from "./_merge.ts";
import { lineBatches } from "../cli/_lines.ts";
import { parseProcIgmp, parseProcSnmp, parseProcUdp } from "./_proc_net.ts";
import type { LiveHub } from "./hub.ts";
import { recordedSockets, SocketBook } from "./sockets.ts";

/** How often each host's sockets are read (ms). */
export const SOCKET_POLL_MS = 25;
/** How often the recordings are looked at (ms). */
const RECORDS_POLL_MS = 500;
/** How often a lab that is not up is looked for (ms). */
const WAIT_POLL_MS = 150;
/** Recordings larger than this are left to the kernel's view. */
const RECORDS_MAX_BYTES = 64 * 1024 * 1024;

/** What the watcher tells the terminal. */
export type LabChange =
  | { type: "waiting" }
  | {
    type: "watching";
    hosts: number;
    subnet: string;
    /** On a lab of several segments: each one's name and subnet. */
    segments?: string[];
    /** And how many routers join them. */
    routers?: number;
  }
  | { type: "down"; frames: number; kernelDropped: number };

/** Options for {@linkcode watchLab}. */
export interface WatchOptions {
  /** The lab's name. */
  lab: string;
  /** Where the frames and sockets go. */
  hub: LiveHub;
  /** Stops watching. */
  signal: AbortSignal;
  /** Called when the lab comes up or goes down. */
  onChange?: (change: LabChange) => void;
}

/** What watching found, over every time the lab was up. */
export interface WatchResult {
  /** Frames the kernel dropped before tcpdump read them (tcpdump says). */
  kernelDropped: number;
  /** Times the lab was found up and watched. */
  sessions: number;
}

/**
 * Watches lab `lab` until `signal` aborts: waits for it to be up, captures
 * its switch, reads its hosts' sockets, waits again when it goes down.
 * Throws a {@linkcode RuntimeError} when tcpdump is not installed.
 */
export async function watchLab(options: WatchOptions): Promise<WatchResult> {
  await checkCaptureTool();
  const { lab, hub, signal } = options;
  const result: WatchResult = { kernelDropped: 0, sessions: 0 };
  let announced = false;
  while (!signal.aborted) {
    const status = await labStatus(lab);
    if (!status.up || !status.state) {
      if (!announced) {
        options.onChange?.({ type: "waiting" });
        announced = true;
      }
      await delay(WAIT_POLL_MS, { signal });
      continue;
    }
    announced = false;
    result.sessions++;
    const before = hub.model.totals.frames;
    const dropped = await watchOnce(lab, status.state, options);
    result.kernelDropped += dropped;
    hub.settle();
    if (!signal.aborted) {
      hub.setState("down");
      options.onChange?.({
        type: "down",
        frames: hub.model.totals.frames - before,
        kernelDropped: dropped,
      });
      announced = true;
    }
  }
  return result;
}

/**
 * The ports the view draws: every host and, on a lab of several
 * segments, every router's interface, each with its segment's index.
 */
function portsOf(lab: string, state: LabState): WatchedHost[] {
  const segments = state.segments ?? [];
  const segmentOf = (name?: string) => {
    const i = segments.findIndex((s) => s.name === name);
    return i < 0 ? {} : { segment: i };
  };
  return [
    ...state.hosts.map((h) => ({
      lab,
      host: h.name,
      address: h.address,
      netns: h.netns,
      device: ifaceOf(h),
      ...segmentOf(h.segment),
    })),
    ...(state.routers ?? []).flatMap((r) =>
      r.ports.map((p) => ({
        lab,
        host: r.name,
        address: p.address,
        netns: r.netns,
        device: p.device,
        router: true,
        ...segmentOf(p.segment),
      }))
    ),
  ].map((h, index) => ({ ...h, index }));
}

/** One time the lab is up: until it goes down or the signal aborts. */
async function watchOnce(
  lab: string,
  state: LabState,
  options: WatchOptions,
): Promise<number> {
  const { hub, signal } = options;
  const names = labNames(lab);
  // A lab of several segments: every segment's switch (a bridge each), its
  // hosts, and the routers' interfaces between them.
  const segments = state.segments;
  const hosts = portsOf(lab, state);
  const bridges = segments?.map((s) => s.bridge) ?? ["br0"];
  const macs = await Promise.all(
    hosts.map((h) => interfaceMac(h.netns, h.device)),
  );
  const switchMacs = (await Promise.all(
    bridges.map((b) => interfaceMac(names.switchNs, b)),
  )).filter((m): m is string => m !== undefined);
  const sockets = new SocketBook();
  hub.setHosts(
    hosts.map((h, i) => ({
      name: h.host,
      address: h.address,
      ...(macs[i] ? { mac: macs[i] } : {}),
      ...(h.segment === undefined ? {} : { segment: h.segment }),
      ...(h.router ? { router: true, device: h.device } : {}),
    })),
    sockets,
    {
      switchMacs,
      ...(segments
        ? {
          segments: segments.map((s) => ({ name: s.name, subnet: s.subnet })),
        }
        : {}),
    },
  );
  const senders = new Map<string, number>();
  macs.forEach((mac, i) => mac && senders.set(mac, i));
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener("abort", onAbort);
  // A router's sockets are not the experiment's: only the hosts' are read.
  const watchers = hosts.filter((h) => !h.router).map((h) =>
    watchSockets(h, { sockets, signal: stop.signal })
  );
  const captures = bridges.map((b) => startBridgeCapture(names.switchNs, b));
  try {
    try {
      await Promise.all(captures.map((c) => c.ready));
    } catch (err) {
      // The lab went down as it was found up: wait for it again.
      if (!(await labStatus(lab)).up) return 0;
      throw err;
    }
    hub.setState("watching");
    options.onChange?.({
      type: "watching",
      hosts: state.hosts.length,
      subnet: state.subnet,
      ...(segments
        ? {
          segments: segments.map((s) => `${s.name} ${s.subnet}`),
          routers: state.routers?.length ?? 0,
        }
        : {}),
    });
    // Ctrl+C: the kernel's last block of frames first, then tcpdump stops.
    const stopping = () =>
      delay(BLOCK_MS).then(() => captures.forEach((c) => c.stop()));
    signal.addEventListener("abort", stopping, { once: true });
    const publish = (frame: Frame, i: number) => {
      const src = frame.link?.type === "ethernet" ? frame.link.src : "";
      // What no host's interface sent (the bridge's own IPv6) came from
      // the switch.
      hub.publish(
        frame,
        senders.get(src) ?? -1,
        segments ? { segment: i } : {},
      );
    };
    // Several switches: their frames in the order they were captured.
    const merger = segments ? new FrameMerger(bridges.length, publish) : null;
    const ticks = merger ? setInterval(() => merger.release(), 100) : 0;
    try {
      await Promise.all(captures.map(async (capture, i) => {
        try {
          for await (
            const frame of readCapture(capture.stdout, { name: bridges[i] })
          ) {
            if (merger) merger.push(i, frame);
            else publish(frame, i);
          }
        } catch (err) {
          // A half-written last record when tcpdump is stopped is no error.
          if (!(err instanceof CaptureError)) throw err;
        }
      }));
    } finally {
      clearInterval(ticks);
      merger?.drain();
      signal.removeEventListener("abort", stopping);
    }
    let dropped = 0;
    for (const c of captures) dropped += (await c.stats()).droppedByKernel ?? 0;
    return dropped;
  } finally {
    stop.abort();
    signal.removeEventListener("abort", onAbort);
    for (const c of captures) c.stop();
    await Promise.all(watchers);
  }
}

/** The MAC of `device` in namespace `netns`, if it can be read. */
async function interfaceMac(
  netns: string,
  device: string,
): Promise<string | undefined> {
  try {
    const output = await new Deno.Command(IP, {
      args: ["-n", netns, "-j", "link", "show", "dev", device],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const links = JSON.parse(new TextDecoder().decode(output.stdout));
    const mac = links?.[0]?.address;
    return typeof mac === "string" ? mac : undefined;
  } catch {
    return undefined;
  }
}

/** tcpdump on the bridge, writing pcap to its standard output. */
interface BridgeCapture {
  /** Resolves once tcpdump is capturing; rejects if it could not start. */
  ready: Promise<void>;
  /** The pcap stream. */
  stdout: ReadableStream<Uint8Array>;
  /** Asks tcpdump to finish (it writes out what it has). */
  stop(): void;
  /** What tcpdump said when it ended. */
  stats(): Promise<ReturnType<typeof parseTcpdumpStats>>;
}

function startBridgeCapture(switchNs: string, bridge: string): BridgeCapture {
  // setsid: Ctrl+C on the terminal does not reach tcpdump, which is
  // stopped after the kernel's last block; if this process dies, tcpdump
  // ends at its next write to the closed pipe.
  const child = new Deno.Command(IP, {
    args: [
      "netns",
      "exec",
      switchNs,
      "setsid",
      ...tcpdumpArgs(
        { name: "switch", netns: switchNs, interface: bridge },
        "-",
      ),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => ready = resolve);
  const log = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length > 65_536) text = text.slice(-16_384);
      if (/listening on/.test(text)) ready();
    }
    return text;
  })();
  const ended = child.status.then(() => {
    throw new RuntimeError({
      en: `capture on the switch: tcpdump: ${lastLine(text)}`,
      id: `penangkapan di switch: tcpdump: ${lastLine(text)}`,
    });
  });
  let stopped = false;
  return {
    ready: Promise.race([listening, ended]),
    stdout: child.stdout,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        child.kill("SIGINT");
      } catch {
        // already ended
      }
    },
    async stats() {
      await child.status;
      return parseTcpdumpStats(await log);
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter((l) => !/^listening on/.test(l))
    .at(-1)?.replace(/^tcpdump: /, "") ?? "exited";
}

/** One host (or a router's port) on a switch. */
interface WatchedHost {
  lab: string;
  host: string;
  address: string;
  netns: string;
  /** Its interface on the switch. */
  device: string;
  index: number;
  /** Its segment's index, on a lab of several. */
  segment?: number;
  /** A router's port (its sockets are not watched). */
  router?: boolean;
}

/**
 * What the shell in a host's namespace runs: for each line it reads, it
 * prints the namespace's UDP sockets and multicast memberships, then a
 * line ".". Shell built-ins only: no process is started per reading.
 * (This process cannot read `/proc/<pid>/net` itself: Deno grants those
 * files only with every permission.)
 */
const READER_SCRIPT = [
  "while read -r _; do",
  "for f in /proc/net/snmp /proc/net/udp /proc/net/igmp; do",
  'while IFS= read -r l; do printf "%s\\n" "$l"; done < "$f"',
  "done",
  'printf ".\\n"',
  "done",
].join("\n");

/**
 * Reads a host's sockets from the kernel and its recording until `signal`
 * aborts (or the namespace goes).
 */
async function watchSockets(
  target: WatchedHost,
  { sockets, signal }: { sockets: SocketBook; signal: AbortSignal },
): Promise<void> {
  const reader = new Deno.Command(IP, {
    args: ["netns", "exec", target.netns, "/bin/sh", "-c", READER_SCRIPT],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = reader.stdin.getWriter();
  const lines = lineBatches(reader.stdout)[Symbol.asyncIterator]();
  let buffered: string[] = [];
  const nextReading = async (): Promise<string[] | undefined> => {
    const reading: string[] = [];
    for (;;) {
      while (buffered.length > 0) {
        const line = buffered.shift()!;
        if (line === ".") return reading;
        reading.push(line);
      }
      const next = await lines.next();
      if (next.done) return undefined;
      buffered = next.value;
    }
  };
  const ask = new TextEncoder().encode("\n");
  const records = recordFile(target.lab, target.host);
  let recordsSize = -1;
  let recordsAt = 0;
  try {
    while (!signal.aborted) {
      const asked = Date.now();
      await writer.write(ask);
      const reading = await nextReading();
      // The shell is gone (the lab went down): nothing more to read.
      if (reading === undefined) return;
      // The shell read the files between the question and the answer.
      const t = (asked + Date.now()) / 2;
      const udp = reading.findIndex((l) => /^\s*sl\s/.test(l));
      const igmp = reading.findIndex((l) => l.startsWith("Idx"));
      if (udp >= 0 && igmp > udp) {
        sockets.kernelSnapshot(target.index, t, {
          udp: parseProcUdp(reading.slice(udp, igmp).join("\n")),
          groups: parseProcIgmp(reading.slice(igmp).join("\n"), target.device),
          ...parseProcSnmp(reading.slice(0, udp).join("\n")),
        });
      }
      if (asked - recordsAt >= RECORDS_POLL_MS) {
        recordsAt = asked;
        recordsSize = await readRecorded(target, records, recordsSize, sockets);
      }
      await delay(SOCKET_POLL_MS, { signal });
    }
  } catch {
    // Its pipe broke with the namespace: the lab went down.
  } finally {
    await writer.close().catch(() => {});
    try {
      reader.kill("SIGTERM");
    } catch {
      // ended with its namespace
    }
    await reader.status;
    await reader.stdout.cancel().catch(() => {});
  }
}

/** Reads a host's recording again if it changed; its size now. */
async function readRecorded(
  target: WatchedHost,
  path: string,
  lastSize: number,
  sockets: SocketBook,
): Promise<number> {
  try {
    const { size } = await Deno.stat(path);
    if (size === lastSize || size > RECORDS_MAX_BYTES) return size;
    const runs = parseRuns(target.host, await Deno.readTextFile(path));
    sockets.setRecorded(target.index, recordedSockets(runs));
    return size;
  } catch {
    return lastSize;
  }
}
