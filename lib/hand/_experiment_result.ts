/**
 * Internal: one experiment recognised in what was recorded by hand, turned
 * into a {@linkcode ScenarioResult} like `lab run`'s: its description, each
 * role's process with its transcript, summary and the checks `lab run`
 * makes in the scenario of the same name.
 *
 * @module
 */

import { displayShown } from "../cli/display.ts";
import type { Lang } from "../cli/i18n.ts";
import { SequenceTracker } from "../udp/sequence.ts";
import type {
  Check,
  ProcessResult,
  ScenarioResult,
} from "../results/results.ts";
import { naturalOrder, type RecordedRun } from "./recordings.ts";

/** Transcript lines kept from the start and from the end of a role's. */
const TRANSCRIPT_HEAD = 200;
const TRANSCRIPT_TAIL = 200;

/** The practicum's kinds of experiment, by what leads them. */
export type Family = "broadcast" | "multicast" | "chat" | "unicast" | "other";

/** One experiment: its leading run (sender, server) and the others, cut to it. */
export interface Grouped {
  /** Its kind. */
  family: Family;
  /** The run that leads it (the sender, the server). */
  lead: RecordedRun;
  /** The runs of the experiment (the lead too), each cut to its part of it. */
  runs: RecordedRun[];
  /** The runs that are cut to a part of themselves (their own summary is not this part's). */
  cut: Set<RecordedRun>;
  /** The runs as recorded, whole, in the order of `runs`. */
  sources: RecordedRun[];
}

/** When a run ended, or its last sign of life when it has not. */
export function endOf(run: RecordedRun): number {
  return run.endMs ?? run.records.at(-1)?.t ?? run.text.at(-1)?.t ??
    run.startMs;
}

/** When the experiment's first run started. */
export function startOf(e: Grouped): number {
  return Math.min(...e.runs.map((r) => r.startMs));
}

/** The experiment's name: the scenario of `lab.yaml` it matches. */
export function nameOf(e: Grouped): string {
  switch (e.family) {
    case "broadcast":
      return e.runs.every((r) => r === e.lead || r.startMs <= e.lead.startMs)
        ? "broadcast-receivers-first"
        : "broadcast-sender-first";
    case "multicast":
      return "multicast-chat";
    case "chat":
      return "tcp-chat";
    case "unicast":
      return "unicast";
    case "other":
      return "other";
  }
}

/** The experiments' descriptions, by language. */
const DESCRIBE = {
  en: {
    receiversFirst: (hosts: string, role: string, host: string) =>
      `by hand: receivers on ${hosts} started first, then ${role} on ${host}`,
    senderFirst: (hosts: string, role: string, host: string) =>
      `by hand: ${role} on ${host} started, receivers on ${hosts} joined later`,
    multicast: (
      role: string,
      host: string,
      ttl: number,
      n: number,
      hosts: string,
    ) =>
      `by hand: ${role} on ${host} (TTL ${ttl}), ${n} ${
        n === 1 ? "member" : "members"
      }${hosts ? ` on ${hosts}` : ""}`,
    chat: (host: string, hosts: string) =>
      `by hand: chat-server on ${host}, ${
        hosts ? `clients on ${hosts}` : "no client"
      }`,
    unicast: (role: string, host: string, n: number, hosts: string) =>
      `by hand: ${role} on ${host}, ${n} ${n === 1 ? "client" : "clients"}${
        hosts ? ` on ${hosts}` : ""
      }`,
    other: "by hand: roles that belong to no experiment",
  },
  id: {
    receiversFirst: (hosts: string, role: string, host: string) =>
      `manual: penerima di ${hosts} dijalankan lebih dulu, lalu ${role} di ${host}`,
    senderFirst: (hosts: string, role: string, host: string) =>
      `manual: ${role} di ${host} dijalankan lebih dulu, penerima di ${hosts} menyusul`,
    multicast: (
      role: string,
      host: string,
      ttl: number,
      n: number,
      hosts: string,
    ) =>
      `manual: ${role} di ${host} (TTL ${ttl}), ${n} anggota${
        hosts ? ` di ${hosts}` : ""
      }`,
    chat: (host: string, hosts: string) =>
      `manual: chat-server di ${host}, ${
        hosts ? `klien di ${hosts}` : "tanpa klien"
      }`,
    unicast: (role: string, host: string, n: number, hosts: string) =>
      `manual: ${role} di ${host}, ${n} klien${hosts ? ` di ${hosts}` : ""}`,
    other: "manual: role yang tidak termasuk eksperimen mana pun",
  },
};

function describe(e: Grouped, name: string, lang: Lang): string {
  const text = DESCRIBE[lang];
  const others = e.runs.filter((r) => r !== e.lead);
  const hosts = [...new Set(others.map((r) => r.host))].sort(naturalOrder)
    .join(", ");
  switch (name) {
    case "broadcast-receivers-first":
      return text.receiversFirst(hosts, e.lead.role, e.lead.host);
    case "broadcast-sender-first":
      return text.senderFirst(hosts, e.lead.role, e.lead.host);
    case "multicast-chat":
      return text.multicast(
        e.lead.role,
        e.lead.host,
        ttlOf(e.lead),
        others.length,
        hosts,
      );
    case "tcp-chat":
      return text.chat(e.lead.host, hosts);
    case "unicast":
      return text.unicast(e.lead.role, e.lead.host, others.length, hosts);
    default:
      return text.other;
  }
}

/** The TTL a multicast sender used: its `--ttl`, else the default 2. */
export function ttlOf(run: RecordedRun): number {
  const at = run.argv.findIndex((a) => a === "--ttl" || a.startsWith("--ttl="));
  if (at < 0) return 2;
  const value = run.argv[at].includes("=")
    ? run.argv[at].split("=")[1]
    : run.argv[at + 1];
  const ttl = Number(value);
  return Number.isInteger(ttl) ? ttl : 2;
}

/** What {@linkcode resultOf} needs besides the experiment. */
export interface ResultOptions {
  /** The lab's name. */
  lab: string;
  /** Each host's address. */
  addresses: Record<string, string>;
  /** The descriptions' language (English if not given). */
  lang?: Lang;
}

/** The experiment as a scenario's result. */
export function resultOf(
  e: Grouped,
  options: ResultOptions,
): ScenarioResult {
  const name = nameOf(e);
  const started = startOf(e);
  // In the order they were started, as the student typed them.
  const processes = [...e.runs]
    .sort((a, b) => a.startMs - b.startMs)
    .map((run, step) =>
      processOf(run, step, started, options, {
        name,
        lead: e.lead,
        whole: !e.cut.has(run),
      })
    );
  const ended = Math.max(...e.runs.map(endOf));
  return {
    scenario: name,
    description: describe(e, name, options.lang ?? "en"),
    lab: options.lab,
    ok: processes.every((p) => p.ok),
    durationMs: Math.max(0, ended - started),
    startedAt: started,
    processes,
  };
}

function processOf(
  run: RecordedRun,
  step: number,
  started: number,
  options: ResultOptions,
  context: { name: string; lead: RecordedRun; whole: boolean },
): ProcessResult {
  const typed = run.via === "task"
    ? ["deno", "task", run.role, ...run.argv]
    : [run.role, ...run.argv];
  const summary = summaryOf(run, context.whole);
  const checks = checksOf(run, summary, context);
  const text = run.text.map((t) => t.text);
  const omitted = Math.max(0, text.length - TRANSCRIPT_HEAD - TRANSCRIPT_TAIL);
  return {
    host: run.host,
    address: options.addresses[run.host] ?? "",
    role: run.role,
    step,
    args: run.argv,
    command: typed,
    typed,
    input: run.records
      .filter((r) =>
        r.record.type === "typed" || r.record.type === "operator" ||
        // a chat client's line as it sent it
        (r.record.type === "sent" && typeof r.record.text === "string")
      )
      // A typed line as the report shows it (records keep it raw).
      .map((r) => displayShown(String(r.record.text))),
    startedMs: run.startMs - started,
    code: run.code ?? null,
    signal: null,
    stopped: false,
    stdout: run.records.map((r) => JSON.stringify(r.record)),
    stdoutMs: run.records.map((r) => r.t - started),
    dropped: run.dropped,
    transcript: omitted === 0 ? text : [
      ...text.slice(0, TRANSCRIPT_HEAD),
      ...text.slice(-TRANSCRIPT_TAIL),
    ],
    transcriptOmitted: omitted,
    stderr: "",
    summary,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

/**
 * The run's summary: its own last `summary` record (what it printed) when
 * the whole run belongs to the experiment, else one counted from its
 * datagrams.
 */
function summaryOf(
  run: RecordedRun,
  whole: boolean,
): Record<string, unknown> | undefined {
  const own = whole
    ? run.records.findLast((r) => r.record.type === "summary")
    : undefined;
  const datagrams = run.records.filter((r) => r.record.type === "datagram");
  if (own && (run.code !== undefined || datagrams.length === 0)) {
    return own.record;
  }
  if (datagrams.length === 0) return own?.record;
  const tracker = new SequenceTracker();
  for (const d of datagrams) {
    const seq = d.record.seq;
    tracker.add(typeof seq === "number" ? seq : undefined);
  }
  return { ...tracker.summary() };
}

/** The checks `lab run` makes in the scenario of the same name. */
function checksOf(
  run: RecordedRun,
  summary: Record<string, unknown> | undefined,
  context: { name: string; lead: RecordedRun; whole: boolean },
): Check[] {
  const checks: Check[] = [];
  if (run.code !== undefined) {
    checks.push({
      name: "exit",
      ok: run.code === 0,
      detail: String(run.code),
    });
  }
  if (run.role !== "broadcast-receiver" || !summary) return checks;
  const first = summary.firstSeq;
  if (context.name === "broadcast-receivers-first") {
    checks.push({
      name: "firstSeq",
      ok: first === 1,
      detail: `${first} (wanted 1)`,
    });
    checks.push({
      name: "gaps",
      ok: summary.gaps === 0,
      detail: `${summary.gaps} (wanted 0)`,
    });
  } else if (run.startMs > context.lead.startMs) {
    checks.push({
      name: "firstSeq",
      ok: typeof first === "number" && first > 1,
      detail: `${first} (wanted >1)`,
    });
  }
  return checks;
}
