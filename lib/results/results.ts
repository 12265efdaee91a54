/**
 * What a run produced, as the report and the terminal's summary read it:
 * each role's process on its host, each scenario's result and the checks of
 * them. The scenario runner (`lib/scenario`) and the experiments recognised
 * in recordings (`lib/hand`) both produce these; the report (`lib/report`)
 * and the summary tables render them, and need nothing else of the lab.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { ScenarioWire } from "./wire.ts";

/** A scenario as the report names and describes it. */
export interface ScenarioInfo {
  /** The scenario's name, e.g. `broadcast-sender-first`. */
  name: string;
  /** What it shows, in one or two sentences (English, or the only text given). */
  description: string;
  /** The description in Indonesian, when one is given. */
  descriptionId?: string;
}

/**
 * The lab a run happened in, as the report draws it: a topology file's
 * network and scenarios, or the hosts that recorded a practicum by hand.
 */
export interface LabInfo {
  /** The file it was read from. */
  file: string;
  /** The subnet its hosts are on. */
  subnet: { cidr: string; broadcast: string };
  /**
   * Its hosts, with the root file system each ran in, if any, its segment
   * on a lab of several, and for a VM whose clock was more than a second
   * off the host's, by how much.
   */
  hosts: LabHostInfo[];
  /**
   * What the hosts are: the lab's network namespaces (the default), or the
   * course's VMs that `serve` installed, whose runs came back to it.
   */
  hostsAre?: "namespaces" | "vms";
  /** Its segments, on a lab with routers (each a switch of its own). */
  segments?: { name: string; subnet: { cidr: string; broadcast: string } }[];
  /** Its routers, with the segments they join and their addresses there. */
  routers?: {
    name: string;
    ports: { segment: string; address: string }[];
    /** How it forwarded multicast, when the lab said (`user-space`, `smcroute`). */
    multicast?: string;
  }[];
  /** Its scenarios. */
  scenarios: ScenarioInfo[];
  /** The report's cover (name, nim, kelas), from the topology file. */
  student?: { student?: string; nim?: string; kelas?: string };
}

/** One host of a {@linkcode LabInfo}. */
export interface LabHostInfo {
  /** Its name. */
  name: string;
  /** Its address. */
  address: string;
  /** The root file system its roles ran in, if any. */
  rootfs?: string;
  /** Its segment, on a lab of several. */
  segment?: string;
  /**
   * The host's clock minus this VM's (ms) over its runs, when it was more
   * than a second off: the least and the most (equal for one delivery).
   * Every time in the report is on the host's clock.
   */
  clockOffsetMs?: { min: number; max: number };
}

/**
 * A scenario's description in `lang`: its Indonesian text when asked for and
 * given, else the English (or only) one.
 */
export function scenarioDescription(
  scenario: ScenarioInfo,
  lang: Lang,
): string {
  return lang === "id" && scenario.descriptionId !== undefined
    ? scenario.descriptionId
    : scenario.description;
}

/** One check of a host's result. */
export interface Check {
  /** What was checked, e.g. `exit`, `missing`, `lines`. */
  name: string;
  /** Whether it passed. */
  ok: boolean;
  /** What was found, e.g. `0`, `6/6`, `3 (wanted >1)`: in English. */
  detail: string;
  /**
   * `detail` in Indonesian, when it has words (the lab's tables and report
   * show it with `--lang id`; `--json` keeps to `detail`).
   */
  detailId?: string;
}

/** What one role did on one host. */
export interface ProcessResult {
  /** The host. */
  host: string;
  /** The host's address. */
  address: string;
  /** The role. */
  role: string;
  /** The index of its step (from 0). */
  step: number;
  /** The flags it got (without `--json`), placeholders filled in. */
  args: string[];
  /** The full command line run from the machine (ip netns exec …). */
  command: string[];
  /** The command as a student types it on the host (without `--json`). */
  typed: string[];
  /** The root file system the role ran in, if any. */
  rootfs?: string;
  /** Lines typed into it. */
  input: string[];
  /** Milliseconds from the scenario's start to this role's start. */
  startedMs: number;
  /** Exit code (`null` if it never ended). */
  code: number | null;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** Whether the runner stopped it (SIGTERM at the end). */
  stopped: boolean;
  /**
   * The keys that end it as a student ends it: `Ctrl+D` (end of the typed
   * input), `Ctrl+C` (stopped at the end of the scenario).
   */
  endKeys?: string[];
  /** Its standard output lines (JSON records). */
  stdout: string[];
  /** When each line of `stdout` was read: milliseconds from the scenario's start. */
  stdoutMs: number[];
  /** Lines of output not kept (a flood beyond the cap). */
  dropped: number;
  /**
   * What it would have printed on the host's terminal (its human lines in
   * the run's language): the first and last lines when there were many.
   */
  transcript: string[];
  /** Human lines left out between the kept first and last ones. */
  transcriptOmitted: number;
  /** Its standard error. */
  stderr: string;
  /** Its last `summary` record, if any. */
  summary?: Record<string, unknown>;
  /** The checks of its result. */
  checks: Check[];
  /** Whether every check passed. */
  ok: boolean;
}

/** The result of one scenario. */
export interface ScenarioResult {
  /** The scenario's name. */
  scenario: string;
  /** Its description. */
  description: string;
  /** The lab it ran in. */
  lab: string;
  /** Whether every role's checks passed and nothing went wrong. */
  ok: boolean;
  /** What went wrong, if the run itself failed (timeout, a role not ready). */
  error?: string;
  /** Whether Ctrl+C (or SIGTERM) stopped it before it could finish. */
  interrupted?: boolean;
  /** How long it took. */
  durationMs: number;
  /** When it started, in ms since the epoch (for its part of a capture). */
  startedAt?: number;
  /** Each role on each host, in start order. */
  processes: ProcessResult[];
  /** What the hosts' captures showed during it, when they were captured. */
  wire?: ScenarioWire;
}
