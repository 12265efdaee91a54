/**
 * The store's files as `records_store.ts` opens them: `.vms.json` (the VMs
 * serve installed, written atomically) and each VM's file read back (its
 * run ids, size and last facts; a delivery cut short cut off).
 *
 * @module
 */

import { writeFully } from "../cli/_write_fully.ts";
import { readLines } from "./_lines.ts";
import { parseJson } from "./_records_read.ts";

/** The VMs' file of the store. */
export const VMS_FILE = ".vms.json";

const CLOCK_LINE = /^\{"t":\d+,"clock":/;
const VM_LINE = /^\{"t":\d+,"vm":/;
const VM_FILE = /^vm-([0-9]{1,6})-[0-9a-z-]+\.jsonl$/;

/** A VM as `.vms.json` keeps it. */
export interface SavedVm {
  /** Its id (its file: `<id>.jsonl`). */
  id: string;
  /** The address that asked for install.sh. */
  address: string;
  /** The SHA-256 of the secrets issued to it. */
  secrets: string[];
  /** When the first was issued. */
  issuedAt: number;
}

/** What a VM's file holds, as the store needs it. */
export interface VmFile {
  /** Run ids in it. */
  runs: Set<string>;
  /** Its size (complete deliveries only). */
  size: number;
  /** The facts of its last `vm` line, as JSON. */
  facts?: string;
}

/** `.vms.json`. */
export interface VmList {
  /** The number of the next VM. */
  next: number;
  /** The VMs. */
  vms: SavedVm[];
}

/** A store whose data is unusable (`.vms.json` damaged): exit code 2. */
export class StoreFileError extends Error {
  /** The file. */
  readonly path: string;

  /** Names the file and what is wrong with it. */
  constructor(path: string, message: string) {
    super(message);
    this.name = "StoreFileError";
    this.path = path;
  }
}

/**
 * Reads `dir/.vms.json` (none: no VMs yet); the next VM's number is past
 * every VM file in `dir`, so a lost list never hands out a used name.
 */
export async function loadVmList(dir: string): Promise<VmList> {
  const path = `${dir}/${VMS_FILE}`;
  let list: VmList = { next: 1, vms: [] };
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  if (text !== undefined) {
    const value = parseJson(text) as { next?: unknown; vms?: unknown };
    const vms = Array.isArray(value?.vms) ? value.vms : undefined;
    if (!vms || !Number.isSafeInteger(value?.next) || !vms.every(isSavedVm)) {
      throw new StoreFileError(path, "not a records store's VM list");
    }
    list = { next: value.next as number, vms };
  }
  for await (const entry of Deno.readDir(dir)) {
    const n = VM_FILE.exec(entry.name)?.[1];
    if (n) list.next = Math.max(list.next, Number(n) + 1);
  }
  return list;
}

/** Writes `dir/.vms.json` whole (a file beside it, synced, renamed over it). */
export async function saveVmList(dir: string, list: VmList): Promise<void> {
  const path = `${dir}/${VMS_FILE}`;
  const text = JSON.stringify(list, null, 1) + "\n";
  const tmp = `${path}.${Deno.pid}.tmp`;
  const file = await Deno.open(tmp, {
    write: true,
    create: true,
    truncate: true,
    mode: 0o600,
  });
  try {
    await writeFully(file, new TextEncoder().encode(text));
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(tmp, path);
}

/**
 * Reads a VM's file: its runs and last facts. What follows its last
 * `clock` line (a delivery cut short) is cut off.
 */
export async function scanVmFile(path: string): Promise<VmFile> {
  const found: VmFile = { runs: new Set(), size: 0 };
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return found;
    throw err;
  }
  let complete = 0;
  let pendingFacts: string | undefined;
  let size = 0;
  // The file's readable closes it at its end.
  for await (
    const line of readLines(file.readable, { limit: () => Infinity })
  ) {
    size = line.end;
    if (!line.terminated) continue;
    if (CLOCK_LINE.test(line.text)) {
      const run = (parseJson(line.text) as { clock?: { run?: unknown } })
        ?.clock?.run;
      if (typeof run === "string") found.runs.add(run);
      complete = line.end;
      if (pendingFacts !== undefined) found.facts = pendingFacts;
      pendingFacts = undefined;
    } else if (VM_LINE.test(line.text)) {
      const value = parseJson(line.text) as { vm?: unknown } | undefined;
      if (value?.vm !== undefined) pendingFacts = JSON.stringify(value.vm);
    }
  }
  if (size > complete) await Deno.truncate(path, complete);
  found.size = complete;
  return found;
}

function isSavedVm(value: unknown): value is SavedVm {
  const vm = value as Record<string, unknown>;
  return typeof vm === "object" && vm !== null &&
    typeof vm.id === "string" && /^vm-[0-9]{1,6}-[0-9a-z-]+$/.test(vm.id) &&
    typeof vm.address === "string" && Array.isArray(vm.secrets) &&
    vm.secrets.every((s) => typeof s === "string") &&
    typeof vm.issuedAt === "number";
}
