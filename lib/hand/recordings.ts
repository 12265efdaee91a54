/**
 * The one reader of what roles recorded (`lib/cli/recording.ts`), for both
 * places it is kept:
 *
 * - a lab's directory, `/run/progjar/<lab>/<host>.jsonl`: one file per
 *   host, the entries of every role started there (`records.ts`);
 * - serve's store (`serve --records DIR`), `DIR/<vm>.jsonl`: one file per
 *   VM serve installed, each run delivered whole when it ended. Its entries
 *   are the same, with `t` already on the host's clock and a `run` field
 *   (the run's id); and two more kinds: `vm` (what the VM reported of
 *   itself: host name, eth0's address, prefix and broadcast address; the
 *   latest wins) and `clock` (serve's estimate of the host's clock minus
 *   the VM's, for one delivery).
 *
 * A lab's runs are told apart by process id (a new `start` of the same pid
 * is a new run), a store's by run id. Whatever a file holds is untrusted
 * text: roles, arguments, lines and a VM's host name are escaped for
 * display ({@linkcode displayShown}) and nothing in them picks a path.
 *
 * @example A VM's file in serve's store, read back
 * ```ts
 * import { parseRecording } from "./recordings.ts";
 *
 * const lines = [
 *   { t: 1000, vm: { id: "vm-1-10-0-0-2", hostname: "alpine-2", address: "10.0.0.2", prefix: 24, broadcast: "10.0.0.255" } },
 *   { t: 1001, pid: 7, run: "r1", start: { role: "broadcast-receiver", argv: [], lang: "en" } },
 *   { t: 1900, pid: 7, run: "r1", end: { code: 0, dropped: 0 } },
 *   { t: 1950, clock: { offsetMs: -183000, run: "r1" } },
 * ].map((l) => JSON.stringify(l)).join("\n");
 * const recording = parseRecording("vm-1-10-0-0-2", lines);
 * console.log(recording.host, recording.runs[0].clockOffsetMs); // alpine-2 -183000
 * ```
 *
 * @module
 */

import { isIpv4 } from "../cli/address.ts";
import { displayShown } from "../cli/display.ts";
import { patternLines, type RecordingEntry } from "../cli/recording.ts";

/** One role as it ran on one host, read back from its recording. */
export interface RecordedRun {
  /** The host, as shown: the lab's host name, or the VM's reported one. */
  host: string;
  /** The file it came from: the lab's host name, or the VM's id in the store. */
  source: string;
  /** The role's process id. */
  pid: number;
  /** The run's id (a store's runs; the lab's have none). */
  run?: string;
  /** The role (`broadcast-receiver`). */
  role: string;
  /** Its command line after the role's name. */
  argv: string[];
  /** How it was started: `task` (`deno task <role>`) or `command`. */
  via: string;
  /** The language it spoke. */
  lang: string;
  /** When it started (ms since the epoch, on the host's clock). */
  startMs: number;
  /** When it ended, if it has. */
  endMs?: number;
  /** Its exit code, if it has ended. */
  code?: number;
  /** Entries it could not write (a full disk). */
  dropped: number;
  /** Its JSON records with their times. */
  records: { t: number; record: Record<string, unknown> }[];
  /** Its human lines with their times. */
  text: { t: number; text: string }[];
  /**
   * The host's clock minus the VM's when its run was delivered (serve's
   * estimate); absent on a lab host (one clock).
   */
  clockOffsetMs?: number;
}

/** What a VM reported of itself (its `vm` entries in serve's store). */
export interface VmFacts {
  /** Its id in serve's store (the file's name). */
  id: string;
  /** Its host name, escaped for display. */
  hostname?: string;
  /** eth0's IPv4 address. */
  address?: string;
  /** Its prefix length. */
  prefix?: number;
  /** Its network's broadcast address. */
  broadcast?: string;
}

/** One recording file read back. */
export interface Recording {
  /** The file's name without `.jsonl`: the lab's host, or the VM's id. */
  id: string;
  /** The host as shown: the lab's host, the VM's host name, or its id. */
  host: string;
  /** What the VM reported of itself (the latest), for a store's file. */
  vm?: VmFacts;
  /** Its runs, in the order they started in the file. */
  runs: RecordedRun[];
  /** Lines in the file. */
  entries: number;
}

/** Longest host name shown (a VM's may be anything up to 253 bytes). */
const HOSTNAME_SHOWN = 63;

/** The runs of `recordings` that started at or after `sinceMs`, in start order. */
export function runsOf(
  recordings: Recording[],
  sinceMs = 0,
): RecordedRun[] {
  return recordings.flatMap((r) => r.runs)
    .filter((r) => r.startMs >= sinceMs)
    .sort((a, b) =>
      a.startMs - b.startMs || naturalOrder(a.host, b.host) || a.pid - b.pid
    );
}

/**
 * Reads every `*.jsonl` file of `dir` (a lab's recordings or serve's
 * store), in natural order of their names. Two VMs that report the same
 * host name are shown with their ids (`alpine-1 (vm-4-…)`). A directory
 * that does not exist holds none.
 */
export async function readRecordings(dir: string): Promise<Recording[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && /^[^.].*\.jsonl$/.test(entry.name)) {
        names.push(entry.name.slice(0, -".jsonl".length));
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const recordings: Recording[] = [];
  for (const id of names.sort(naturalOrder)) {
    const text = await Deno.readTextFile(`${dir}/${id}.jsonl`).catch(() => "");
    recordings.push(parseRecording(id, text));
  }
  const count = new Map<string, number>();
  for (const r of recordings) count.set(r.host, (count.get(r.host) ?? 0) + 1);
  for (const r of recordings) {
    if (count.get(r.host)! > 1 && r.host !== r.id) {
      rename(r, `${r.host} (${r.id})`);
    }
  }
  return recordings;
}

function rename(recording: Recording, host: string): void {
  recording.host = host;
  for (const run of recording.runs) run.host = host;
}

/**
 * Reads one recording file's `text` (lines of entries), a lab host's or a
 * VM's in serve's store, named `id`. Lines that are not entries (cut short
 * by a full disk, hand-edited) are skipped.
 */
export function parseRecording(id: string, text: string): Recording {
  const shownId = displayShown(id);
  const open = new Map<string | number, RecordedRun>();
  const patterns = new Map<string | number, string[] | null>();
  const offsets = new Map<string, number>();
  const runs: RecordedRun[] = [];
  let vm: VmFacts | undefined;
  let entries = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    entries++;
    const value = parseLine(line);
    if (value === undefined) continue;
    if ("vm" in value) {
      vm = vmFacts(shownId, value.vm) ?? vm;
      continue;
    }
    if ("clock" in value) {
      const { offsetMs, run } = value.clock;
      if (typeof run === "string") offsets.set(run, offsetMs);
      continue;
    }
    const entry = value;
    const key = typeof entry.run === "string" ? entry.run : entry.pid;
    if (entry.start) {
      const run = newRun(shownId, entry);
      open.set(key, run);
      patterns.delete(key);
      runs.push(run);
      continue;
    }
    const run = open.get(key);
    if (!run) continue;
    if (entry.record) {
      run.records.push({ t: entry.t, record: entry.record });
      // A datagram the receiver's fast path printed: its lines.
      const lines = entry.record.type === "datagram"
        ? patternLines(patterns.get(key), entry.record.text)
        : undefined;
      for (const line of lines ?? []) {
        run.text.push({ t: entry.t, text: displayShown(line) });
      }
    } else if (entry.pattern !== undefined) {
      patterns.set(key, entry.pattern);
    } else if (entry.text !== undefined) {
      run.text.push({ t: entry.t, text: displayShown(String(entry.text)) });
    } else if (entry.end) {
      run.endMs = entry.t;
      run.code = typeof entry.end.code === "number" ? entry.end.code : 1;
      run.dropped = typeof entry.end.dropped === "number"
        ? entry.end.dropped
        : 0;
      open.delete(key);
      patterns.delete(key);
    }
  }
  const host = vm?.hostname ?? shownId;
  for (const run of runs) {
    run.host = host;
    const offset = run.run === undefined ? undefined : offsets.get(run.run);
    if (offset !== undefined) run.clockOffsetMs = offset;
  }
  return { id: shownId, host, ...(vm ? { vm } : {}), runs, entries };
}

type Line =
  | (RecordingEntry & { run?: unknown })
  | { vm: Record<string, unknown> }
  | { clock: { offsetMs: number; run?: unknown } };

function parseLine(line: string): Line | undefined {
  let value;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (typeof value.t !== "number") return undefined;
  if (isObject(value.vm)) return { vm: value.vm };
  if (isObject(value.clock)) {
    const offsetMs = value.clock.offsetMs;
    if (typeof offsetMs !== "number" || !Number.isFinite(offsetMs)) {
      return undefined;
    }
    return { clock: { offsetMs, run: value.clock.run } };
  }
  if (typeof value.pid !== "number") return undefined;
  // Records, patterns and starts of the wrong shape are not entries.
  if (value.record !== undefined && !isObject(value.record)) return undefined;
  if (value.start !== undefined && !isObject(value.start)) return undefined;
  if (value.end !== undefined && !isObject(value.end)) return undefined;
  if (
    value.pattern !== undefined && value.pattern !== null &&
    !Array.isArray(value.pattern)
  ) {
    return undefined;
  }
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function vmFacts(
  id: string,
  value: Record<string, unknown>,
): VmFacts | undefined {
  const facts: VmFacts = { id };
  if (typeof value.hostname === "string" && value.hostname !== "") {
    facts.hostname = displayShown(value.hostname.slice(0, HOSTNAME_SHOWN));
  }
  if (typeof value.address === "string" && isIpv4(value.address)) {
    facts.address = value.address;
  }
  if (
    typeof value.prefix === "number" && Number.isInteger(value.prefix) &&
    value.prefix >= 0 && value.prefix <= 32
  ) {
    facts.prefix = value.prefix;
  }
  if (typeof value.broadcast === "string" && isIpv4(value.broadcast)) {
    facts.broadcast = value.broadcast;
  }
  return facts;
}

function newRun(
  source: string,
  entry: RecordingEntry & { run?: unknown },
): RecordedRun {
  const start = entry.start!;
  return {
    host: source,
    source,
    pid: entry.pid,
    ...(typeof entry.run === "string" ? { run: entry.run } : {}),
    role: displayShown(String(start.role)),
    argv: Array.isArray(start.argv)
      ? start.argv.map((a) => displayShown(String(a)))
      : [],
    via: start.via === "task" ? "task" : "command",
    lang: start.lang === "id" ? "id" : "en",
    startMs: entry.t,
    dropped: 0,
    records: [],
    text: [],
  };
}

/** `alpine-2` before `alpine-10`. */
export function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
