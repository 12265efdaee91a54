/**
 * Internal: the lab's captures. `lab run --capture DIR` (or next to
 * `--report FILE`) captures every host for the whole run and gives each
 * scenario its time window of the files; `lab capture start|stop|status`
 * and `lab console --capture DIR` keep detached captures for hand runs,
 * listed in the lab's recording directory (`capture.json`), which
 * `lab report` reads with each experiment's window.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { errorText, EXIT_OK, RuntimeError, UsageError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { recordsDir } from "../hand/records.ts";
import { labStatus } from "../net/netns.ts";
import { labInterfaces, type LabState } from "../net/lab_state.ts";
import { picturesFolder } from "../report/write.ts";
import type { ScenarioResult } from "../results/results.ts";
import { formatTable } from "../results/summary.ts";
import {
  captureFile,
  type CaptureHost,
  type CaptureStats,
  checkCaptureTool,
  type DetachedCapture,
  type HostCapture,
  isRunning,
  startCaptures,
  startDetached,
  stopDetached,
} from "../wire/capture.ts";
import { CaptureError } from "../wire/errors.ts";
import { readCapture } from "../wire/read.ts";
import { type HostFiles, wireSummaries } from "../wire/summary.ts";
import { CAPTURE_TEXT } from "./_capture_text.ts";
import type { Ui } from "./_session.ts";

/** Frames after a scenario's end that are still its own (late leaves, ACKs). */
export const CAPTURE_AFTER_MS = 300;

/**
 * Where `lab run` captures: `--capture DIR`, else next to `--report FILE`
 * (`FILE_files/capture`), unless `--no-capture`. `explicit` when asked for
 * by `--capture` (a missing tcpdump is then an error, not a note).
 */
export function runCaptureDir(
  options: { capture?: string; noCapture?: boolean; report?: string },
): { dir: string; explicit: boolean } | undefined {
  if (options.noCapture) return undefined;
  if (options.capture !== undefined) {
    return { dir: options.capture, explicit: true };
  }
  if (options.report === undefined) return undefined;
  const report = options.report;
  return {
    dir: join(dirname(report), picturesFolder(report), "capture"),
    explicit: false,
  };
}

/**
 * Before anything is built: an explicit capture without tcpdump is one
 * line and exit 1; an implicit one (next to the report) is a note and no
 * capture. Resolves to whether to capture.
 */
export async function checkRunCapture(
  ui: Ui,
  where: { dir: string; explicit: boolean } | undefined,
  lang: Lang,
): Promise<boolean> {
  if (where === undefined) return false;
  try {
    await checkCaptureTool();
  } catch (err) {
    if (where.explicit) throw err;
    ui.out.line(
      CAPTURE_TEXT[lang].notCapturing((err as RuntimeError).text[lang]),
    );
    return false;
  }
  // The place too, before the lab is built for nothing.
  try {
    await Deno.mkdir(where.dir, { recursive: true });
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `--capture ${where.dir}`, id: `--capture ${where.dir}` },
      }),
    );
  }
  return true;
}

/** One interface the lab captures: a host's, or one of a router's. */
export interface CaptureTarget extends CaptureHost {
  /** The host or router it belongs to. */
  node: string;
  /** Its segment, on a lab with routers. */
  segment?: string;
  /** Whether it is a router's (its file is then `<router>.<interface>`). */
  router?: boolean;
}

/**
 * What a capture of the lab listens on: every host's interface (a file
 * named after the host) and every router's interfaces (`router-1.eth0`,
 * `router-1.eth1`: host and router names have no dots, so no file is
 * two captures'), or only those of the hosts and routers in `only`.
 */
export function captureTargets(
  state: LabState,
  only?: string[],
): CaptureTarget[] {
  return labInterfaces(state).filter((i) =>
    only === undefined || only.includes(i.node)
  ).map((i) => ({
    name: i.kind === "router" ? `${i.node}.${i.device}` : i.node,
    netns: i.netns,
    ...(i.device === "eth0" ? {} : { interface: i.device }),
    node: i.node,
    ...(i.segment === undefined ? {} : { segment: i.segment }),
    ...(i.kind === "router" ? { router: true } : {}),
  }));
}

/** What a capture's file is, for the report: its segment and router. */
function placeOf(
  target: { node?: string; segment?: string; router?: boolean },
): { segment?: string; router?: string } {
  return {
    ...(target.segment === undefined ? {} : { segment: target.segment }),
    ...(target.router && target.node !== undefined
      ? { router: target.node }
      : {}),
  };
}

/** `lab run`'s captures, one per host and router interface, for the whole run. */
export async function startRunCapture(
  ui: Ui,
  targets: CaptureTarget[],
  options: { dir: string; lang: Lang },
): Promise<HostCapture[]> {
  const { dir, lang } = options;
  const captures = await startCaptures(
    targets.map(({ name, netns, interface: device }) => ({
      name,
      netns,
      ...(device === undefined ? {} : { interface: device }),
    })),
    { dir },
  );
  const ports = targets.filter((t) => t.router).length;
  ui.out.line(
    CAPTURE_TEXT[lang].capturing(targets.length - ports, dir, ports),
  );
  return captures;
}

/**
 * Stops `lab run`'s captures (started for `targets`, in that order) and
 * says, per file, what it holds and what the kernel dropped for it; the
 * files and drops.
 */
export async function stopRunCapture(
  ui: Ui,
  captures: HostCapture[],
  options: { targets: CaptureTarget[]; lang: Lang },
): Promise<HostFiles[]> {
  const { targets, lang } = options;
  const stats = await Promise.all(captures.map((c) => c.stop()));
  const files = captures.map((c, i) => ({
    host: c.host,
    files: [c.path],
    ...(stats[i].droppedByKernel === undefined
      ? {}
      : { dropped: stats[i].droppedByKernel }),
    ...placeOf(targets[i] ?? {}),
  }));
  printStats(
    ui,
    captures.map((c, i) => ({ host: c.host, path: c.path, stats: stats[i] })),
    lang,
  );
  return files;
}

function printStats(
  ui: Ui,
  rows: { host: string; path: string; stats?: CaptureStats }[],
  lang: Lang,
): void {
  const text = CAPTURE_TEXT[lang];
  for (const { host, path, stats } of rows) {
    ui.out.line(
      text.stopped(host, path, stats?.captured, stats?.droppedByKernel),
    );
    ui.out.record({
      type: "capture",
      host,
      path,
      ...(stats?.captured === undefined ? {} : { frames: stats.captured }),
      ...(stats?.droppedByKernel === undefined
        ? {}
        : { droppedByKernel: stats.droppedByKernel }),
    });
  }
}

/** How each result's window is drawn around its start and duration. */
export interface WindowOptions {
  /** Frames this long before its start are its own too. */
  beforeMs: number;
  /** Frames this long after its end are its own too. */
  afterMs: number;
  /**
   * Scenarios run one after another (`lab run`): a window ends where the
   * next begins. Hand experiments may overlap (a server listening while a
   * multicast goes on): a frame then counts in each.
   */
  sequential: boolean;
  /** A lab with routers: its segments in order (each datagram's TTL on each). */
  segments?: string[];
}

/** Gives each result its frames: its time window of the hosts' files. */
export async function attachWire(
  results: ScenarioResult[],
  captures: HostFiles[],
  addresses: Record<string, string>,
  options: WindowOptions = {
    beforeMs: 0,
    afterMs: CAPTURE_AFTER_MS,
    sequential: true,
  },
): Promise<void> {
  const timed = results.filter((r) => r.startedAt !== undefined)
    .sort((a, b) => a.startedAt! - b.startedAt!);
  if (timed.length === 0 || captures.length === 0) return;
  const windows = timed.map((result, i) => {
    const from = result.startedAt! - options.beforeMs;
    const next = timed[i + 1]?.startedAt;
    let to = result.startedAt! + result.durationMs + options.afterMs;
    if (options.sequential && next !== undefined) {
      to = Math.min(to, next - options.beforeMs - 1);
    }
    return { result, fromMs: from, toMs: to };
  });
  const wires = await wireSummaries({
    captures,
    addresses,
    scenarios: windows,
    ...(options.segments ? { segments: options.segments } : {}),
  });
  windows.forEach((w, i) => w.result.wire = wires[i]);
}

// --- hand runs: detached captures ------------------------------------------

/** A detached capture as the lab lists it. */
interface Listed extends DetachedCapture {
  /** The host's (or router's) network namespace. */
  netns: string;
  /** The host or router (`host` is the capture's name: `router-1.eth0`). */
  node?: string;
  /** Its segment, on a lab with routers. */
  segment?: string;
  /** Whether it is a router's interface. */
  router?: boolean;
}

/** Whether a listed capture is one of `names`' (hosts, routers or captures). */
function among(c: Listed, names: string[]): boolean {
  return names.includes(c.host) ||
    (c.node !== undefined && names.includes(c.node));
}

function stateFile(lab: string): string {
  return join(recordsDir(lab), "capture.json");
}

/** The lab's hand captures, running and stopped, oldest first. */
export async function listedCaptures(lab: string): Promise<Listed[]> {
  try {
    const state = JSON.parse(await Deno.readTextFile(stateFile(lab)));
    return Array.isArray(state.captures) ? state.captures : [];
  } catch {
    return [];
  }
}

async function saveCaptures(lab: string, captures: Listed[]): Promise<void> {
  await Deno.mkdir(recordsDir(lab), { recursive: true, mode: 0o755 });
  await Deno.writeTextFile(
    stateFile(lab),
    JSON.stringify({ captures }, null, 2) + "\n",
  );
}

/** `lab capture start|stop|status [HOST|ROUTER…]`; the exit code. */
export async function captureCommand(
  ui: Ui,
  options: { operands: string[]; dir?: string; lang: Lang },
): Promise<number> {
  const [action, ...hosts] = options.operands;
  const text = CAPTURE_TEXT[options.lang];
  if (action === undefined || !["start", "stop", "status"].includes(action)) {
    throw new UsageError(text.usage(action));
  }
  if (action !== "start" && options.dir !== undefined) {
    throw new UsageError(text.dirOnlyStart);
  }
  const status = await labStatus(ui.name);
  if (!status.up || !status.state) {
    throw new RuntimeError(text.notUp(ui.name, ui.hint("up")));
  }
  const known = [
    ...status.state.hosts.map((h) => h.name),
    ...(status.state.routers ?? []).map((r) => r.name),
  ];
  for (const host of hosts) {
    if (!known.includes(host)) {
      throw new UsageError(text.unknownHost(host, known.join(", ")));
    }
  }
  const chosen = hosts.length > 0 ? hosts : known;
  if (action === "start") {
    await startHand(
      ui,
      captureTargets(status.state, chosen),
      resolve(options.dir ?? "capture"),
      options.lang,
    );
  } else if (action === "stop") {
    await stopHand(ui, chosen, options.lang);
  } else {
    await statusHand(ui, chosen, options.lang);
  }
  return EXIT_OK;
}

/**
 * Starts a detached capture on each of `hosts` (hosts' and routers'
 * interfaces, {@linkcode captureTargets}) not capturing yet, into `dir`
 * (a file of the capture's name; `-2`, `-3`, … when that is taken).
 */
export async function startHand(
  ui: Ui,
  hosts: CaptureTarget[],
  dir: string,
  lang: Lang,
): Promise<void> {
  const text = CAPTURE_TEXT[lang];
  await checkCaptureTool();
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `--capture ${dir}`, id: `--capture ${dir}` },
      }),
    );
  }
  const listed = await listedCaptures(ui.name);
  for (const host of hosts) {
    const running = [];
    for (const c of listed.filter((c) => c.host === host.name)) {
      if (!c.stoppedAt && await isRunning(c, c.netns)) running.push(c);
    }
    if (running.length > 0) {
      ui.out.line(text.already(host.name, running[0].path));
      continue;
    }
    const name = await freeName(dir, host.name);
    const capture = await startDetached({
      name,
      netns: host.netns,
      ...(host.interface === undefined ? {} : { interface: host.interface }),
    }, { dir });
    const entry: Listed = {
      ...capture,
      host: host.name,
      netns: host.netns,
      node: host.node,
      ...(host.segment === undefined ? {} : { segment: host.segment }),
      ...(host.router ? { router: true } : {}),
    };
    listed.push(entry);
    await saveCaptures(ui.name, listed);
    ui.out.line(text.started(host.name, capture.path));
    ui.out.record({
      type: "capture",
      action: "start",
      host: host.name,
      path: capture.path,
      pid: capture.pid,
    });
  }
  ui.out.line(
    text.stopHint(
      ui.hint("capture stop"),
      ui.hint("report --report laporan.md"),
    ),
  );
}

/** `<host>`, or `<host>-2`, `<host>-3`, … : the first whose file is not there. */
async function freeName(dir: string, host: string): Promise<string> {
  for (let n = 1;; n++) {
    const name = n === 1 ? host : `${host}-${n}`;
    try {
      await Deno.lstat(captureFile(dir, name));
    } catch {
      return name;
    }
  }
}

/** Stops the running hand captures of `hosts`; prints what each holds. */
export async function stopHand(
  ui: Ui,
  hosts: string[],
  lang: Lang,
): Promise<void> {
  const listed = await listedCaptures(ui.name);
  const stopping = listed.filter((c) =>
    among(c, hosts) && c.stoppedAt === undefined
  );
  if (stopping.length === 0) {
    ui.out.line(CAPTURE_TEXT[lang].nothingRunning);
    return;
  }
  const stopped = await Promise.all(
    stopping.map((c) => stopDetached(c, c.netns)),
  );
  for (const [i, c] of stopping.entries()) {
    listed[listed.indexOf(c)] = { ...c, ...stopped[i] };
  }
  await saveCaptures(ui.name, listed);
  printStats(
    ui,
    stopped.map((c) => ({ host: c.host, path: c.path, stats: c.stats })),
    lang,
  );
}

async function statusHand(ui: Ui, hosts: string[], lang: Lang): Promise<void> {
  const text = CAPTURE_TEXT[lang];
  const listed = (await listedCaptures(ui.name)).filter((c) => among(c, hosts));
  if (listed.length === 0) {
    ui.out.line(text.noneYet(ui.hint("capture start")));
    return;
  }
  const rows: string[][] = [];
  for (const c of listed) {
    const running = c.stoppedAt === undefined && await isRunning(c, c.netns);
    const frames = await countFrames(c.path);
    rows.push([
      c.host,
      running ? text.running : text.stoppedWord,
      new Date(c.startedAt).toTimeString().slice(0, 8),
      c.path,
      frames === undefined ? "?" : String(frames),
      c.stats?.droppedByKernel === undefined
        ? "–"
        : String(c.stats.droppedByKernel),
    ]);
    ui.out.record({
      type: "capture",
      host: c.host,
      path: c.path,
      running,
      startedAt: c.startedAt,
      ...(frames === undefined ? {} : { frames }),
      ...(c.stats?.droppedByKernel === undefined
        ? {}
        : { droppedByKernel: c.stats.droppedByKernel }),
    });
  }
  ui.out.line(formatTable({ header: text.statusHeader, rows }));
}

async function countFrames(path: string): Promise<number | undefined> {
  let n = 0;
  try {
    for await (const _ of readCapture(path).records()) n++;
  } catch (err) {
    // A file still being written may end inside a frame: what is whole counts.
    if (!(err instanceof CaptureError) || err.reason !== "truncated") {
      return n > 0 ? n : undefined;
    }
  }
  return n;
}

/** `lab down`: stops the hand captures still running, so their files are whole. */
export async function stopHandCaptures(ui: Ui, lang: Lang): Promise<void> {
  const listed = await listedCaptures(ui.name);
  const running = [];
  for (const c of listed) {
    if (c.stoppedAt === undefined && await isRunning(c, c.netns)) {
      running.push(c.host);
    }
  }
  if (running.length > 0) await stopHand(ui, running, lang);
}

/** The hand captures' files per host, for `lab report`. */
export async function handCaptureFiles(lab: string): Promise<HostFiles[]> {
  const byHost = new Map<string, HostFiles>();
  for (const c of await listedCaptures(lab)) {
    const entry: HostFiles = byHost.get(c.host) ??
      { host: c.host, files: [], ...placeOf(c) };
    entry.files.push(c.path);
    if (c.stoppedAt === undefined && await isRunning(c, c.netns)) {
      (entry.growing ??= []).push(c.path);
    }
    if (c.stats?.droppedByKernel !== undefined) {
      entry.dropped = (entry.dropped ?? 0) + c.stats.droppedByKernel;
    }
    byHost.set(c.host, entry);
  }
  return [...byHost.values()];
}
