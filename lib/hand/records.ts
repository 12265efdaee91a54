/**
 * A lab's recordings: what the roles started by hand on its hosts (in
 * `lab console` or any `lab exec` shell) recorded, one file per host in the
 * lab's own directory, `/run/progjar/<lab>/<host>.jsonl`
 * (`lib/cli/recording.ts` writes them). `lab up` makes the directory,
 * `lab down` removes it (unless `--keep-records`), `lab status` counts the
 * entries and `lab report` reads them.
 *
 * @module
 */

import { displayShown } from "../cli/display.ts";
import {
  parseEntry,
  patternLines,
  RECORD_ENV,
  type RecordingEntry,
} from "../cli/recording.ts";
import { RECORD_ALLOW_ENV, recordPermissions } from "../roles.ts";

/** Where every lab keeps its recordings. */
export const RECORDS_ROOT = "/run/progjar";

/** The file that says when the lab came up. */
const UP_FILE = "lab.json";

/** The directory of lab `lab`'s recordings. */
export function recordsDir(lab: string): string {
  return `${RECORDS_ROOT}/${lab}`;
}

/** The recording file of `host` in lab `lab`. */
export function recordFile(lab: string, host: string): string {
  return `${recordsDir(lab)}/${host}.jsonl`;
}

/**
 * The environment a command on `host` gets, as `NAME=value`: where its
 * roles record, and for `deno task <role>` the permission to write there.
 */
export function recordEnv(lab: string, host: string): string[] {
  const path = recordFile(lab, host);
  return [
    `${RECORD_ENV}=${path}`,
    `${RECORD_ALLOW_ENV}=${recordPermissions(path).join(" ")}`,
  ];
}

/**
 * Makes the lab's recording directory (world-readable, for `lab report`
 * run as anyone) and notes when the lab came up, unless it already has.
 */
export async function prepareRecords(lab: string): Promise<void> {
  const dir = recordsDir(lab);
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  try {
    await Deno.writeTextFile(
      `${dir}/${UP_FILE}`,
      JSON.stringify({ lab, upAt: Date.now() }) + "\n",
      { createNew: true },
    );
  } catch (err) {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  }
}

/** When lab `lab` came up (ms since the epoch), if it says. */
export async function labUpAt(lab: string): Promise<number | undefined> {
  try {
    const value = JSON.parse(
      await Deno.readTextFile(`${recordsDir(lab)}/${UP_FILE}`),
    );
    return typeof value.upAt === "number" ? value.upAt : undefined;
  } catch {
    return undefined;
  }
}

/** Removes lab `lab`'s recordings; whether there were any. */
export async function removeRecords(lab: string): Promise<boolean> {
  try {
    await Deno.remove(recordsDir(lab), { recursive: true });
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/** After `lab up` again over kept records: a new "since" for the report. */
export async function resetUpTime(lab: string): Promise<void> {
  await Deno.remove(`${recordsDir(lab)}/${UP_FILE}`).catch(() => {});
}

/** One role as it ran on one host, read back from its recording. */
export interface RecordedRun {
  /** The host. */
  host: string;
  /** The role's process id. */
  pid: number;
  /** The role (`broadcast-receiver`). */
  role: string;
  /** Its command line after the role's name. */
  argv: string[];
  /** How it was started: `task` (`deno task <role>`) or `command`. */
  via: string;
  /** The language it spoke. */
  lang: string;
  /** When it started (ms since the epoch). */
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
}

/** Entry counts of one host's recording. */
export interface HostRecords {
  /** The host. */
  host: string;
  /** Lines in its file. */
  entries: number;
  /** The roles that started there. */
  runs: number;
}

/** The hosts that have a recording in lab `lab`, sorted. */
export async function recordedHosts(lab: string): Promise<string[]> {
  const hosts: string[] = [];
  try {
    for await (const entry of Deno.readDir(recordsDir(lab))) {
      if (entry.isFile && entry.name.endsWith(".jsonl")) {
        hosts.push(entry.name.slice(0, -".jsonl".length));
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return hosts.sort(naturalOrder);
}

/** Counts each host's entries and role starts (`lab status`, `--list`). */
export async function countRecords(lab: string): Promise<HostRecords[]> {
  const counts: HostRecords[] = [];
  for (const host of await recordedHosts(lab)) {
    const text = await Deno.readTextFile(recordFile(lab, host)).catch(() => "");
    let entries = 0;
    let runs = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      entries++;
      if (line.includes(',"start":{')) runs++;
    }
    counts.push({ host, entries, runs });
  }
  return counts;
}

/**
 * Reads lab `lab`'s recordings: every role run that started at or after
 * `sinceMs`, in start order.
 */
export async function readRuns(
  lab: string,
  sinceMs = 0,
): Promise<RecordedRun[]> {
  const runs: RecordedRun[] = [];
  for (const host of await recordedHosts(lab)) {
    const text = await Deno.readTextFile(recordFile(lab, host)).catch(() => "");
    runs.push(...parseRuns(host, text).filter((r) => r.startMs >= sinceMs));
  }
  return runs.sort((a, b) => a.startMs - b.startMs || a.pid - b.pid);
}

/**
 * The runs in one host's recording `text` (lines of entries). Their role,
 * command line and human lines are escaped for display
 * (`displayShown`): they are shown as the role printed them, but nothing
 * in them (a peer's bytes, a hand-edited file) drives a terminal or a
 * report.
 */
export function parseRuns(host: string, text: string): RecordedRun[] {
  const open = new Map<number, RecordedRun>();
  const patterns = new Map<number, string[] | null>();
  const runs: RecordedRun[] = [];
  for (const line of text.split("\n")) {
    const entry = parseEntry(line);
    if (!entry) continue;
    if (entry.start) {
      const run = newRun(host, entry);
      open.set(entry.pid, run);
      patterns.delete(entry.pid);
      runs.push(run);
      continue;
    }
    const run = open.get(entry.pid);
    if (!run) continue;
    if (entry.record) {
      run.records.push({ t: entry.t, record: entry.record });
      // A datagram the receiver's fast path printed: its lines.
      const lines = entry.record.type === "datagram"
        ? patternLines(patterns.get(entry.pid), entry.record.text)
        : undefined;
      for (const line of lines ?? []) {
        run.text.push({ t: entry.t, text: displayShown(line) });
      }
    } else if (entry.pattern !== undefined) {
      patterns.set(entry.pid, entry.pattern);
    } else if (entry.text !== undefined) {
      run.text.push({ t: entry.t, text: displayShown(String(entry.text)) });
    } else if (entry.end) {
      run.endMs = entry.t;
      run.code = entry.end.code;
      run.dropped = entry.end.dropped;
      open.delete(entry.pid);
      patterns.delete(entry.pid);
    }
  }
  return runs;
}

function newRun(host: string, entry: RecordingEntry): RecordedRun {
  const start = entry.start!;
  return {
    host,
    pid: entry.pid,
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
