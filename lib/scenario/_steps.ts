/**
 * The steps of a running scenario: starting a role on a host (as the
 * student's command line and as the runner's), typing input into it,
 * waiting for output to settle, and stopping what still runs at the end,
 * as a student stops it.
 *
 * @module
 */

import { join } from "node:path";
import { delay } from "../cli/async.ts";
import { RuntimeError } from "../cli/errors.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import { findRole } from "../roles.ts";
import { IP } from "../net/ip.ts";
import { LabProcess } from "../net/host_process.ts";
import { type Hops, linesCheck } from "./checks.ts";
import { execArgs, hostNetns, onHost } from "../net/netns.ts";
import { fillPlaceholders, placeholderValues } from "./placeholders.ts";
import type { InputStep, StartStep, Topology } from "./types.ts";

/** The repository root: the roles' entry files are named from there. */
export const ROOT = join(import.meta.dirname!, "..", "..");

/** Output must pause this long before the long-running roles are stopped. */
const QUIET_MS = 300;
/** Output pause after a chat client left, before the next one leaves. */
const LEAVE_QUIET_MS = 250;
/** Time a role gets to end by itself once its input has ended. */
const INPUT_END_MS = 3_000;
/** Time a stopped role gets to print its summary before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** One role started on one host, while the scenario runs. */
export interface Running {
  /** Its step. */
  step: StartStep;
  /** The index of its step (from 0). */
  index: number;
  /** The host. */
  host: string;
  /** The host's address. */
  address: string;
  /** The flags it got, placeholders filled in. */
  args: string[];
  /** The full command line run from the machine. */
  command: string[];
  /** The command as a student types it on the host. */
  typed: string[];
  /** The root file system it runs in, if any. */
  rootfs?: string;
  /** Lines typed into it. */
  input: string[];
  /** Milliseconds from the scenario's start to its start. */
  startedMs: number;
  /** Its process. */
  proc: LabProcess;
  /** Whether the runner stopped it. */
  stopped: boolean;
  /** Whether its input was ended (Ctrl+D) and whether it got SIGTERM (Ctrl+C). */
  ended: { input: boolean; signal: boolean };
}

/** Options for {@linkcode start}. */
export interface StartOptions {
  /** The lab's name. */
  lab: string;
  /** The language of the role's messages (unless its step sets `lang`). */
  lang?: Lang;
  /** The index of the step (from 0). */
  index: number;
  /** The host to start it on. */
  host: string;
  /** When the scenario started (`Date.now()`). */
  started: number;
}

function values(topology: Topology, host: string): Record<string, string> {
  return placeholderValues(
    topology,
    topology.hosts.find((h) => h.name === host)!,
  );
}

/** Starts `step`'s role on `options.host`. */
export function start(
  topology: Topology,
  step: StartStep,
  options: StartOptions,
): Running {
  const { index, host: name, lab, started } = options;
  const host = topology.hosts.find((h) => h.name === name)!;
  const role = findRole(step.role)!;
  const fill = values(topology, name);
  const args: string[] = [];
  for (const [flag, value] of step.flags) {
    args.push(`--${flag}`);
    if (value !== true) args.push(fillPlaceholders(value, fill));
  }
  // The runner reads records; --json-text adds the human lines, so the
  // report shows what the host's terminal would have shown.
  const runnerArgs = ["--json", "--json-text"];
  // Typed by hand, the command must print what the transcript shows: name a
  // language other than the default English.
  const typedLang: string[] = [];
  if (options.lang && !step.flags.some(([flag]) => flag === "lang")) {
    runnerArgs.push("--lang", options.lang);
    if (options.lang !== "en") typedLang.push("--lang", options.lang);
  }
  let command: string[];
  let typed: string[];
  if (host.rootfs !== undefined) {
    // On the "VM": the command install.sh put in PATH, as a student types it
    // (a `:batch` row is its role's command with `--io batch`).
    const installed = [role.name.replace(/:batch$/, ""), ...role.args ?? []];
    typed = [...installed, ...args, ...typedLang];
    command = onHost(
      { ...host, netns: hostNetns(lab, name) },
      [...installed, ...runnerArgs, ...args],
      { env: ["NO_COLOR=1"] },
    );
  } else {
    typed = ["deno", "task", role.name, ...args, ...typedLang];
    const entry = join(ROOT, role.entry);
    command = onHost({ ...host, netns: hostNetns(lab, name) }, [
      Deno.execPath(),
      "run",
      ...role.permissions,
      entry,
      // A `:batch` row's own flags (`--io batch`), as its task passes them.
      ...role.args ?? [],
      ...runnerArgs,
      ...args,
    ]);
  }
  const netns = hostNetns(lab, name);
  return {
    step,
    index,
    host: name,
    address: fill.address,
    args,
    command: [IP, ...execArgs(netns, command)],
    typed,
    rootfs: host.rootfs,
    input: step.input.map((line) => fillPlaceholders(line, fill)),
    startedMs: Date.now() - started,
    proc: new LabProcess({
      host: name,
      netns,
      command,
      cwd: ROOT,
    }),
    stopped: false,
    ended: { input: false, signal: false },
  };
}

/** Options for {@linkcode typeInput}. */
export interface TypeInputOptions {
  /** The lab's hosts. */
  topology: Topology;
  /** The language of the progress line. */
  lang?: Lang;
  /** Called with a line of progress. */
  progress: (line: string) => void;
}

/**
 * Types an input step's lines into the last role started on each of its
 * hosts. Throws a {@linkcode RuntimeError} when nothing runs on one.
 */
export async function typeInput(
  running: Running[],
  step: InputStep,
  options: TypeInputOptions,
): Promise<void> {
  const { topology, progress } = options;
  for (const host of step.hosts) {
    const target = running.findLast((r) => r.host === host);
    if (!target) {
      throw new RuntimeError({
        en: `${step.where}: nothing runs on ${host}`,
        id: `${step.where}: tidak ada yang berjalan di ${host}`,
      });
    }
    const lines = step.input.map((line) =>
      fillPlaceholders(line, values(topology, host))
    );
    target.input.push(...lines);
    await target.proc.type(lines);
    progress(
      options.lang === "id"
        ? `${host}: ${lines.length} baris diketik ke ${target.step.role}`
        : `${host}: typed ${
          plural(lines.length, "line", "lines")
        } into ${target.step.role}`,
    );
  }
}

/**
 * Waits until output has paused for a moment and every `lines` expectation
 * is met, or `lingerMs` has passed: the roles that run to the end have
 * then printed what they will print.
 */
export async function settle(
  running: Running[],
  options: { lingerMs: number; signal: AbortSignal; hops?: Hops },
): Promise<void> {
  const { lingerMs, signal, hops } = options;
  const deadline = Date.now() + lingerMs;
  while (Date.now() < deadline && !signal.aborted) {
    const last = Math.max(...running.map((r) => r.proc.lastOutputAt));
    const quiet = Date.now() - last >= QUIET_MS;
    const linesMet = running.every((r) =>
      linesCheck(r, running, { hops })?.ok ?? true
    );
    if (quiet && linesMet) return;
    await delay(50, { signal });
  }
}

/**
 * Waits until the output of `running` has paused for `ms`, or 1 s at most.
 */
async function quiet(running: Running[], ms: number): Promise<void> {
  const deadline = Date.now() + 1000;
  while (Date.now() < deadline) {
    const last = Math.max(0, ...running.map((r) => r.proc.lastOutputAt));
    if (Date.now() - last >= ms) return;
    await delay(20);
  }
}

/**
 * Stops the roles still running, later steps first (clients before servers).
 * A role that was typed into is left as a student leaves it, by ending its
 * input (Ctrl+D): a chat client then says goodbye and the server sees it
 * leave, not lose its connection. What is still running then gets SIGTERM.
 */
export async function stopAll(running: Running[]): Promise<void> {
  const steps = [...new Set(running.map((r) => r.index))].sort((a, b) => b - a);
  for (const index of steps) {
    const typedInto = running.filter((r) =>
      r.index === index && !r.proc.end && r.input.length > 0
    );
    // One after the other, as people leave a chat: one leaving while
    // another's goodbye is in flight would cut that one's connection short.
    for (const r of typedInto) {
      r.stopped = true;
      r.ended.input = true;
      await r.proc.closeInput();
      await Promise.race([
        r.proc.done,
        delay(INPUT_END_MS),
      ]);
      // The news of it leaving reaches the others (a server notices, then
      // tells the rest), and they have shown it, before the next one leaves.
      await delay(LEAVE_QUIET_MS);
      await quiet(running.filter((other) => !other.proc.end), LEAVE_QUIET_MS);
    }
    const group = running.filter((r) => r.index === index && !r.proc.end);
    for (const r of group) {
      r.stopped = true;
      r.ended.signal = true;
      r.proc.kill("SIGTERM");
    }
    await Promise.race([
      Promise.all(group.map((r) => r.proc.done)),
      delay(STOP_GRACE_MS),
    ]);
    for (const r of group) r.proc.kill("SIGKILL");
    await Promise.all(group.map((r) => r.proc.closeInput()));
  }
  await Promise.all(running.map((r) => r.proc.done));
}

/**
 * Waits `ms`; rejects with the reason (timeout, Ctrl+C) if the scenario is
 * stopped meanwhile, so that the run ends there.
 */
export async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await delay(ms, { signal });
  if (signal.aborted) throw abortMessage(signal);
}

/** Resolves when `signal` is aborted. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** Why the scenario was stopped: its timeout or Ctrl+C. */
export function abortMessage(signal: AbortSignal): RuntimeError {
  return new RuntimeError(
    signal.reason === "timeout"
      ? {
        en: "the scenario did not finish within its timeout",
        id: "skenario tidak selesai dalam batas waktunya",
      }
      : { en: "interrupted", id: "diinterupsi" },
  );
}

/** A record type a step waits for, as a progress word in Indonesian. */
export function waitWordId(type: string): string {
  const words: Record<string, string> = {
    listening: "mendengarkan",
    sending: "mengirim",
    connected: "tersambung",
    summary: "ringkasan",
  };
  return words[type] ?? type;
}
