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

import { RECORD_ENV } from "../cli/recording.ts";
import { RECORD_ALLOW_ENV, recordPermissions } from "../roles.ts";
import {
  naturalOrder,
  parseRecording,
  readRecordings,
  type RecordedRun,
  runsOf,
} from "./recordings.ts";

export { naturalOrder, type RecordedRun } from "./recordings.ts";

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

/** Counts each host's entries and role starts (`lab status`). */
export async function countRecords(lab: string): Promise<HostRecords[]> {
  return (await readRecordings(recordsDir(lab))).map((r) => ({
    host: r.host,
    entries: r.entries,
    runs: r.runs.length,
  }));
}

/**
 * Reads lab `lab`'s recordings: every role run that started at or after
 * `sinceMs`, in start order.
 */
export async function readRuns(
  lab: string,
  sinceMs = 0,
): Promise<RecordedRun[]> {
  return runsOf(await readRecordings(recordsDir(lab)), sinceMs);
}

/**
 * The runs in one host's recording `text` (lines of entries), escaped for
 * display as {@linkcode parseRecording} reads them.
 */
export function parseRuns(host: string, text: string): RecordedRun[] {
  return parseRecording(host, text).runs;
}
