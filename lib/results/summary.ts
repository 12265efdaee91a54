/**
 * The per-host summary of a scenario: one row per role on a host, with the
 * fields of its `summary` record and the outcome of its checks.
 *
 * @example Format a summary table for the terminal and for Markdown
 * ```ts
 * import { formatMarkdownTable, formatTable, type Table } from "./summary.ts";
 *
 * const table: Table = {
 *   header: ["host", "received", "missed"],
 *   rows: [["alpine-2", "6", "0"], ["alpine-3", "4", "2"]],
 * };
 * console.log(formatTable(table));
 * // host      received  missed
 * // alpine-2  6         0
 * // alpine-3  4         2
 * console.log(formatMarkdownTable(table).split("\n", 1)[0]);
 * // "| host | received | missed |"
 * ```
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import type { Check } from "./results.ts";
import type { ProcessResult, ScenarioResult } from "./results.ts";
import { tableLines } from "../cli/table.ts";

/** A table: header and rows of cells. */
export interface Table {
  /** Column names. */
  header: string[];
  /** One row per role on a host. */
  rows: string[][];
}

/**
 * The tables' own words. Summary fields keep their record names (`received`,
 * `firstSeq`, …): they are what `expect:` in lab.yaml and `--json` use.
 */
const TEXT = {
  en: {
    host: "host",
    role: "role",
    exit: "exit",
    lines: "lines",
    check: "check",
    stopped: "stopped",
    ok: "ok",
    fail: "FAIL",
    failed: "FAILED",
    note: (p: ProcessResult, first: number, missed: number, gaps: number) =>
      `${p.host} (started at ${
        seconds(p.startedMs)
      } s): first number ${first}, so it missed ${
        plural(missed, "datagram", "datagrams")
      } sent before it listened; ${gaps} lost while listening`,
    lostAfter: (last: number, lost: number, sent: number) =>
      `; lost after ${last}: ${lost} (the sender sent ${sent})`,
  },
  id: {
    host: "host",
    role: "role",
    exit: "keluar",
    lines: "baris",
    check: "cek",
    stopped: "dihentikan",
    ok: "ok",
    fail: "GAGAL",
    failed: "GAGAL",
    note: (p: ProcessResult, first: number, missed: number, gaps: number) =>
      `${p.host} (mulai pada ${
        seconds(p.startedMs)
      } s): angka pertama ${first}, ${
        missed === 0
          ? "tidak ada yang terlewat sebelum ia mendengarkan"
          : `jadi ${missed} datagram yang dikirim sebelum ia mendengarkan terlewat`
      }; ${gaps} hilang selama mendengarkan`,
    lostAfter: (last: number, lost: number, sent: number) =>
      `; hilang setelah ${last}: ${lost} (pengirim mengirim ${sent})`,
  },
};

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

/** Summary fields shown first, in this order, when a role reports them. */
const PREFERRED = [
  "sent",
  "received",
  "firstSeq",
  "lastSeq",
  "missing",
  "missedBeforeFirst",
  "gaps",
];

/**
 * Builds the summary of a scenario result: one table per role (a role's
 * summary fields differ from another's), rows in start order.
 */
export function summaryTables(
  result: ScenarioResult,
  lang: Lang = "en",
): Table[] {
  const roles = [...new Set(result.processes.map((p) => p.role))];
  return roles.map((role) =>
    roleTable(result.processes.filter((p) => p.role === role), lang)
  );
}

/** Fields about the lab's numbers: noise when no host received a number. */
const SEQUENCE_FIELDS = [
  "firstSeq",
  "lastSeq",
  "missing",
  "missedBeforeFirst",
  "gaps",
  "duplicates",
  "outOfOrder",
  "invalid",
];

function roleTable(processes: ProcessResult[], lang: Lang): Table {
  const text = TEXT[lang];
  // A chat over multicast has no numbered payloads: its receivers' tables
  // would otherwise show every message as "invalid".
  const numbered = processes.some((p) =>
    typeof p.summary?.firstSeq === "number"
  );
  const fields: string[] = [];
  for (const p of processes) {
    for (const key of Object.keys(p.summary ?? {})) {
      if (key === "type" || fields.includes(key)) continue;
      if (!numbered && SEQUENCE_FIELDS.includes(key)) continue;
      // Forged numbers are rare: a column of zeros is noise.
      if (key === "outOfRange" && processes.every((p) => !p.summary?.[key])) {
        continue;
      }
      fields.push(key);
    }
  }
  fields.sort((a, b) => rank(a) - rank(b));
  const hasLines = processes.some((p) =>
    p.checks.some((c) => c.name === "lines")
  );
  const header = [
    text.host,
    text.role,
    text.exit,
    ...fields,
    ...(hasLines ? [text.lines] : []),
    text.check,
  ];
  const rows = processes.map((p) => {
    const lines = p.checks.find((c) => c.name === "lines");
    return [
      p.host,
      p.role,
      exitCell(p, lang),
      ...fields.map((f) => cell(p.summary?.[f])),
      ...(hasLines ? [lines ? checkDetail(lines, lang) : ""] : []),
      checkCell(p, lang),
    ];
  });
  return { header, rows };
}

function rank(field: string): number {
  const index = PREFERRED.indexOf(field);
  return index === -1 ? PREFERRED.length : index;
}

function exitCell(p: ProcessResult, lang: Lang): string {
  if (p.code === null) return "-";
  return p.stopped && p.code === 0
    ? `0 (${TEXT[lang].stopped})`
    : String(p.code);
}

function cell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "-";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function checkCell(p: ProcessResult, lang: Lang): string {
  const failed = p.checks.filter((c) => !c.ok);
  if (failed.length === 0) return TEXT[lang].ok;
  return `${TEXT[lang].fail} ${failedChecks(failed, lang)}`;
}

/** What a check found, in `lang` (its `detail` is the English). */
export function checkDetail(check: Check, lang: Lang): string {
  return lang === "id" && check.detailId !== undefined
    ? check.detailId
    : check.detail;
}

/** Failed checks as `name: detail; …`, in `lang`. */
export function failedChecks(checks: Check[], lang: Lang): string {
  return checks.map((c) => `${c.name}: ${checkDetail(c, lang)}`).join("; ");
}

/**
 * One sentence per receiver that counted sequence numbers: when it started,
 * its first number and what it missed. The broadcast lab's question ("what
 * differs when the receivers start after the sender?") in numbers. A
 * receiver cannot see what was sent after its last number; when the
 * scenario had one broadcast-sender and the receiver listened until the
 * end (stopped by the runner), the sender's count tells what was lost after
 * it.
 */
export function sequenceNotes(
  result: ScenarioResult,
  lang: Lang = "en",
): string[] {
  const text = TEXT[lang];
  const sent = senderCount(result);
  const notes: string[] = [];
  for (const p of result.processes) {
    const first = p.summary?.firstSeq;
    const missed = p.summary?.missedBeforeFirst;
    if (typeof first !== "number" || typeof missed !== "number") continue;
    const gaps = typeof p.summary?.gaps === "number" ? p.summary.gaps : 0;
    const last = p.summary?.lastSeq;
    const tail = sent !== undefined && p.stopped && typeof last === "number"
      ? text.lostAfter(last, Math.max(0, sent - last), sent)
      : "";
    notes.push(text.note(p, first, missed, gaps) + tail);
  }
  return notes;
}

/** How many numbers the scenario's one broadcast-sender sent, if known. */
function senderCount(result: ScenarioResult): number | undefined {
  const senders = result.processes.filter((p) => p.role === "broadcast-sender");
  if (senders.length !== 1) return undefined;
  const { summary, args } = senders[0];
  // A fixed --message carries no numbers to compare with.
  if (args.includes("--message")) return undefined;
  return typeof summary?.sent === "number" ? summary.sent : undefined;
}

/** Formats a table as aligned text columns. */
export function formatTable(table: Table): string {
  return tableLines([table.header, ...table.rows]).join("\n");
}

/** Formats a table as Markdown. */
export function formatMarkdownTable(table: Table): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  return [
    `| ${table.header.map(escape).join(" | ")} |`,
    `| ${table.header.map(() => "---").join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

/** One line on how a scenario went, e.g. `broadcast-receivers-first: ok (4.2 s)`. */
export function verdictLine(
  result: ScenarioResult,
  lang: Lang = "en",
): string {
  const took = seconds(result.durationMs);
  const text = TEXT[lang];
  if (result.ok) return `${result.scenario}: ${text.ok} (${took} s)`;
  return `${result.scenario}: ${text.failed} (${took} s)${
    result.error ? `: ${result.error}` : ""
  }`;
}
