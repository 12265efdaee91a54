/**
 * The practicum's experiments recognised in what was recorded by hand (on
 * the lab's hosts or on the VMs serve installed: `recordings.ts`), each as
 * a {@linkcode ScenarioResult} like `lab run`'s, so the report is drawn and
 * concluded from the student's own numbers:
 *
 * - broadcast: each `broadcast-sender` run with the receivers that got its
 *   datagrams; "receivers first" when every receiver listened before the
 *   sender started, "sender first" otherwise (the course's order: the
 *   endless sender started first, the receivers one by one, all stopped
 *   with Ctrl+C; their first numbers say how many each missed);
 * - multicast: each `multicast-sender` (or `multicast-chat`) run with the
 *   multicast roles that ran with it, and its TTL;
 * - the chat: each `chat-server` run with the clients that ran with it;
 * - unicast: each `udp-server` run with its clients.
 *
 * People make false starts, and none of them is an experiment: a role that
 * ended having done nothing (a sender that failed before its first
 * datagram, a receiver started and stopped with nothing received, a server
 * no client reached, a client that never connected) is left out. Roles that
 * did their part with no experiment to be in (a receiver of a sender that
 * was not recorded) come last, together, as `other`. A receiver that ran through two
 * experiments is cut in two: what came before the next sender started
 * belongs to the first.
 *
 * The experiments are numbered in the order they happened (`lab report
 * --list`); {@linkcode chooseExperiments} picks those of the report: by
 * default the last complete one of each kind (a scenario repeated counts
 * once), or the numbers asked for (`--only 2,4`).
 *
 * @example Two failed sends and a real one: one experiment
 * ```ts
 * import { recognise } from "./experiments.ts";
 * import type { RecordedRun } from "./recordings.ts";
 *
 * const run = (host: string, role: string, startMs: number, endMs: number, records: Record<string, unknown>[], code = 0): RecordedRun => ({
 *   host, source: host, pid: startMs, role, argv: [], via: "task", lang: "en",
 *   startMs, endMs, code, dropped: 0, text: [],
 *   records: records.map((record, i) => ({ t: startMs + i + 1, record })),
 * });
 * const failed = (at: number) => run("alpine-1", "broadcast-sender", at, at + 5, [{ type: "summary", sent: 0 }], 1);
 * const found = recognise([
 *   failed(0), failed(100),
 *   run("alpine-2", "broadcast-receiver", 200, 900, [{ type: "datagram", seq: 1 }, { type: "summary", received: 1, firstSeq: 1 }]),
 *   run("alpine-1", "broadcast-sender", 300, 400, [{ type: "sent", seq: 1 }, { type: "summary", sent: 1 }]),
 * ], { lab: "progjar", addresses: {} });
 * console.log(found.experiments.map((e) => e.result.scenario)); // [ "broadcast-receivers-first" ]
 * console.log(found.leftOut.map((l) => l.reason)); // [ "nothing-sent", "nothing-sent" ]
 * ```
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import type { Lang, Text } from "../cli/i18n.ts";
import type { ScenarioResult } from "../results/results.ts";
import {
  endOf,
  type Family,
  type Grouped,
  nameOf,
  resultOf,
  startOf,
} from "./_experiment_result.ts";
import { naturalOrder, type RecordedRun } from "./recordings.ts";

export { ttlOf } from "./_experiment_result.ts";

/** How long after a sender ends its datagrams may still arrive. */
const ARRIVAL_MS = 1000;

/** Options for {@linkcode recognise}. */
export interface RecogniseOptions {
  /** The lab's name. */
  lab: string;
  /** Each host's address. */
  addresses: Record<string, string>;
  /** The descriptions' language (English if not given). */
  lang?: Lang;
}

/** One experiment recognised. */
export interface Experiment {
  /** Its number, from 1, in the order the experiments started. */
  number: number;
  /** Its kind: the scenario of `lab.yaml` it matches (`broadcast-sender-first`). */
  scenario: string;
  /** When its first role started. */
  startMs: number;
  /** When its last role ended (or was last heard from). */
  endMs: number;
  /** The hosts it ran on, in natural order. */
  hosts: string[];
  /**
   * Whether it is complete: someone got something, and it is over (its
   * sender or server ended, or every other role did).
   */
  complete: boolean;
  /** Why it is not complete, when it is not. */
  incomplete?: Text;
  /** The runs in it, as recorded (a receiver cut to its part is here whole). */
  runs: RecordedRun[];
  /** It, as the report draws it. */
  result: ScenarioResult;
}

/** Why a run is in no experiment. */
export type LeftOutReason =
  | "nothing-sent"
  | "nothing-received"
  | "no-client"
  | "not-connected"
  | "no-reply"
  | "nothing-done";

/** A run that is in no experiment, and why. */
export interface LeftOut {
  /** The run. */
  run: RecordedRun;
  /** Why it is left out. */
  reason: LeftOutReason;
}

/** What {@linkcode recognise} found. */
export interface Recognised {
  /** The experiments, in the order they started, numbered from 1. */
  experiments: Experiment[];
  /** The runs in none, in start order: the false starts. */
  leftOut: LeftOut[];
}

const FAMILIES: Record<
  Exclude<Family, "other">,
  { leads: string[]; joins: string[] }
> = {
  broadcast: { leads: ["broadcast-sender"], joins: ["broadcast-receiver"] },
  multicast: {
    leads: ["multicast-sender"],
    joins: ["multicast-receiver", "multicast-chat"],
  },
  chat: { leads: ["chat-server"], joins: ["chat-client"] },
  unicast: { leads: ["udp-server"], joins: ["udp-client"] },
};

/** Records that show a role did its part: sent, received, joined, answered. */
const ACTIVE = new Set(["sent", "datagram", "join", "connected", "reply"]);
/** …and a multicast chat's lines from others. */
const ACTIVE_CHAT = new Set([...ACTIVE, "message"]);

/**
 * Finds the experiments in `runs` (every role run recorded, in start
 * order, on one clock) and the runs left out of them.
 */
export function recognise(
  runs: RecordedRun[],
  options: RecogniseOptions,
): Recognised {
  const leftOut: LeftOut[] = [];
  const live: RecordedRun[] = [];
  for (const run of runs) {
    const reason = falseStart(run);
    if (reason === undefined) live.push(run);
    else leftOut.push({ run, reason });
  }
  const grouped: Grouped[] = [];
  const used = new Set<RecordedRun>();
  for (const family of Object.keys(FAMILIES) as (keyof typeof FAMILIES)[]) {
    grouped.push(...familyExperiments(family, live, used));
  }
  grouped.sort((a, b) => startOf(a) - startOf(b));
  // Roles that did their part with no experiment to be in (a receiver of
  // a sender not recorded): shown together, last, as `other`.
  const alone = live.filter((run) => !used.has(run));
  if (alone.length > 0) {
    grouped.push({
      family: "other",
      lead: alone[0],
      runs: alone,
      cut: new Set(),
      sources: alone,
    });
  }
  leftOut.sort((a, b) => a.run.startMs - b.run.startMs);
  const experiments = grouped.map((e, i): Experiment => {
    const incomplete = incompleteWhy(e);
    return {
      number: i + 1,
      scenario: nameOf(e),
      startMs: startOf(e),
      endMs: Math.max(...e.runs.map(endOf)),
      hosts: [...new Set(e.runs.map((r) => r.host))].sort(naturalOrder),
      complete: incomplete === undefined,
      ...(incomplete ? { incomplete } : {}),
      runs: e.sources,
      result: resultOf(e, options),
    };
  });
  return { experiments, leftOut };
}

/**
 * The experiments of the report: those numbered in `only` (`--only 2,4`),
 * in the order they happened; by default the last complete one of each
 * kind. A number that is not an experiment's is a usage error.
 */
export function chooseExperiments(
  found: Recognised,
  only?: number[],
): Experiment[] {
  const all = found.experiments;
  if (only !== undefined) {
    const missing = only.filter((n) => !all.some((e) => e.number === n));
    if (missing.length > 0) {
      const have = all.length === 0
        ? { en: "none was recognised", id: "tidak ada yang dikenali" }
        : all.length === 1
        ? { en: "there is 1", id: "yang ada: 1" }
        : { en: `there are 1-${all.length}`, id: `yang ada: 1-${all.length}` };
      throw new UsageError({
        en: `--only: no experiment ${
          missing.join(", ")
        } (${have.en}; see --list)`,
        id: `--only: tidak ada eksperimen ${
          missing.join(", ")
        } (${have.id}; lihat --list)`,
      });
    }
    return all.filter((e) => only.includes(e.number));
  }
  const last = new Map<string, Experiment>();
  for (const e of all) if (e.complete) last.set(e.scenario, e);
  return all.filter((e) => last.get(e.scenario) === e);
}

/**
 * `--only`'s value: experiment numbers separated by commas (`2,4`), each
 * at least 1; anything else is a usage error.
 */
export function parseOnly(value: string): number[] {
  const parts = value.split(",").map((p) => p.trim());
  if (parts.every((p) => /^[1-9]\d{0,5}$/.test(p))) {
    return [...new Set(parts.map(Number))].sort((a, b) => a - b);
  }
  throw new UsageError({
    en:
      `--only: expected experiment numbers like 2,4 (see --list), got "${value}"`,
    id:
      `--only: harus nomor eksperimen seperti 2,4 (lihat --list), bukan "${value}"`,
  });
}

/** Why `run` is a false start (it ended having done nothing), if it is. */
function falseStart(run: RecordedRun): LeftOutReason | undefined {
  if (run.endMs === undefined) return undefined;
  const summary = run.records.findLast((r) => r.record.type === "summary")
    ?.record;
  const active = (kinds: Set<string>) =>
    run.records.some((r) => kinds.has(String(r.record.type)));
  switch (run.role) {
    case "broadcast-sender":
    case "multicast-sender":
      return active(ACTIVE) || positive(summary?.sent)
        ? undefined
        : "nothing-sent";
    case "broadcast-receiver":
    case "multicast-receiver":
      return active(ACTIVE) || positive(summary?.received)
        ? undefined
        : "nothing-received";
    case "chat-server":
      return active(ACTIVE) ? undefined : "no-client";
    case "chat-client":
      return active(ACTIVE) ? undefined : "not-connected";
    case "udp-server":
      return active(ACTIVE) ? undefined : "nothing-received";
    case "udp-client":
      return active(new Set(["reply"])) ? undefined : "no-reply";
    case "multicast-chat":
      return active(ACTIVE_CHAT) ? undefined : "nothing-done";
    default:
      return undefined;
  }
}

function positive(value: unknown): boolean {
  return typeof value === "number" && value > 0;
}

function familyExperiments(
  family: keyof typeof FAMILIES,
  runs: RecordedRun[],
  used: Set<RecordedRun>,
): Grouped[] {
  const { leads, joins } = FAMILIES[family];
  const leaders = runs.filter((r) => leads.includes(r.role));
  const members = runs.filter((r) => joins.includes(r.role));
  // multicast-chat alone (no sender): its runs are one group.
  if (leaders.length === 0 && family === "multicast") {
    const chat = members.filter((r) => r.role === "multicast-chat");
    if (chat.length > 0) {
      for (const r of chat) used.add(r);
      return [{
        family,
        lead: chat[0],
        runs: chat,
        cut: new Set(),
        sources: chat,
      }];
    }
  }
  const experiments: Grouped[] = [];
  leaders.forEach((lead, i) => {
    const previousEnd = i > 0 ? endOf(leaders[i - 1]) : -Infinity;
    const nextStart = i + 1 < leaders.length
      ? leaders[i + 1].startMs
      : Infinity;
    const until = endOf(lead) + ARRIVAL_MS;
    const e: Grouped = {
      family,
      lead,
      runs: [lead],
      cut: new Set(),
      sources: [lead],
    };
    used.add(lead);
    for (const member of members) {
      const from = Math.max(member.startMs, previousEnd);
      const to = Math.min(endOf(member), nextStart);
      // It ran while the lead did (and before the next one started).
      if (from > until || from >= nextStart || to < lead.startMs) continue;
      const part = cut(member, from, nextStart, otherSender(lead));
      // A receiver left running that got nothing of this sender's.
      if (part !== member && receives(member) && !received(part)) continue;
      used.add(member);
      e.runs.push(part);
      e.sources.push(member);
      if (part !== member) e.cut.add(part);
    }
    experiments.push(e);
  });
  return experiments;
}

function receives(run: RecordedRun): boolean {
  return run.role === "broadcast-receiver" ||
    run.role === "multicast-receiver";
}

function received(run: RecordedRun): boolean {
  return run.records.some((r) => r.record.type === "datagram");
}

/**
 * `run` with only what it recorded from `from` until before `to`, less the
 * datagrams `foreign` says another sender sent.
 */
function cut(
  run: RecordedRun,
  from: number,
  to: number,
  foreign: (record: Record<string, unknown>) => boolean,
): RecordedRun {
  if (run.startMs >= from && endOf(run) < to) return run;
  const inside = <T extends { t: number }>(items: T[]) =>
    items.filter((item) => item.t >= from && item.t < to);
  return {
    ...run,
    startMs: Math.max(run.startMs, from),
    ...(endOf(run) < to ? {} : { endMs: undefined, code: undefined }),
    records: inside(run.records).filter((r) => !foreign(r.record)),
    text: inside(run.text),
  };
}

/**
 * Whether a record is a datagram sent by another sender than `lead`: from
 * another port than the one `lead` said it sent from. Times of different
 * VMs are serve's estimates, each too large by its own delivery's trip (a
 * few ms, not the same for two deliveries), and a sender's first datagram
 * goes a few ms after its start: a receiver started first may seem to get
 * the next sender's first datagram before that sender started. The port
 * says whose it is where the time cannot. A lead that named no port (or a
 * datagram without one) claims nothing.
 */
function otherSender(
  lead: RecordedRun,
): (record: Record<string, unknown>) => boolean {
  const port = lead.records.find((r) => r.record.type === "sending")?.record
    .sourcePort;
  if (typeof port !== "number") return () => false;
  return (record) =>
    record.type === "datagram" && typeof record.port === "number" &&
    record.port !== port;
}

/** Why experiment `e` is not complete, or `undefined` when it is. */
function incompleteWhy(e: Grouped): Text | undefined {
  if (e.family === "other") return undefined;
  const others = e.runs.filter((r) => r !== e.lead);
  const got = others.filter((r) =>
    receives(r)
      ? received(r) || (!e.cut.has(r) && positive(summaryReceived(r)))
      : true
  );
  if (e.family === "multicast" && e.lead.role === "multicast-chat") {
    return e.runs.length > 1 ? undefined : {
      en: "one peer alone",
      id: "satu peserta saja",
    };
  }
  if (got.length === 0) {
    return e.family === "broadcast" || e.family === "multicast"
      ? {
        en: "no receiver got anything",
        id: "tidak ada penerima yang menerima",
      }
      : { en: "no client", id: "tanpa klien" };
  }
  const over = e.lead.endMs !== undefined ||
    others.every((r) => r.endMs !== undefined || e.cut.has(r));
  if (!over) {
    return {
      en: `${e.lead.role} on ${e.lead.host} still running`,
      id: `${e.lead.role} di ${e.lead.host} masih berjalan`,
    };
  }
  return undefined;
}

function summaryReceived(run: RecordedRun): unknown {
  return run.records.findLast((r) => r.record.type === "summary")?.record
    .received;
}
