/**
 * The per-host summary of a scenario: one row per role on a host, with the
 * fields of its `summary` record and the outcome of its checks.
 *
 * @module
 */

import type { ProcessResult, ScenarioResult } from "./scenario.ts";

/** A table: header and rows of cells. */
export interface Table {
  /** Column names. */
  header: string[];
  /** One row per role on a host. */
  rows: string[][];
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
export function summaryTables(result: ScenarioResult): Table[] {
  const roles = [...new Set(result.processes.map((p) => p.role))];
  return roles.map((role) =>
    roleTable(result.processes.filter((p) => p.role === role))
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

function roleTable(processes: ProcessResult[]): Table {
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
      fields.push(key);
    }
  }
  fields.sort((a, b) => rank(a) - rank(b));
  const hasLines = processes.some((p) =>
    p.checks.some((c) => c.name === "lines")
  );
  const header = [
    "host",
    "role",
    "exit",
    ...fields,
    ...(hasLines ? ["lines"] : []),
    "check",
  ];
  const rows = processes.map((p) => [
    p.host,
    p.role,
    exitCell(p),
    ...fields.map((f) => cell(p.summary?.[f])),
    ...(hasLines
      ? [p.checks.find((c) => c.name === "lines")?.detail ?? ""]
      : []),
    checkCell(p),
  ]);
  return { header, rows };
}

function rank(field: string): number {
  const index = PREFERRED.indexOf(field);
  return index === -1 ? PREFERRED.length : index;
}

function exitCell(p: ProcessResult): string {
  if (p.code === null) return "-";
  return p.stopped && p.code === 0 ? "0 (stopped)" : String(p.code);
}

function cell(value: unknown): string {
  if (value === undefined) return "";
  if (value === null) return "-";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function checkCell(p: ProcessResult): string {
  const failed = p.checks.filter((c) => !c.ok);
  if (failed.length === 0) return "ok";
  return "FAIL " + failed.map((c) => `${c.name}: ${c.detail}`).join("; ");
}

/**
 * One sentence per receiver that counted sequence numbers: when it started,
 * its first number and what it missed. The broadcast lab's question ("what
 * differs when the receivers start after the sender?") in numbers.
 */
export function sequenceNotes(result: ScenarioResult): string[] {
  const notes: string[] = [];
  for (const p of result.processes) {
    const first = p.summary?.firstSeq;
    const missed = p.summary?.missedBeforeFirst;
    if (typeof first !== "number" || typeof missed !== "number") continue;
    const gaps = typeof p.summary?.gaps === "number" ? p.summary.gaps : 0;
    notes.push(
      `${p.host} (started at ${
        (p.startedMs / 1000).toFixed(1)
      } s): first number ${first}, so it missed ${missed} datagram(s) sent before it listened; ${gaps} lost while listening`,
    );
  }
  return notes;
}

/** Formats a table as aligned text columns. */
export function formatTable(table: Table): string {
  const widths = table.header.map((h, i) =>
    Math.max(h.length, ...table.rows.map((row) => row[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i]))
      .join("  ").trimEnd();
  return [line(table.header), ...table.rows.map(line)].join("\n");
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
export function verdictLine(result: ScenarioResult): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  if (result.ok) return `${result.scenario}: ok (${seconds} s)`;
  return `${result.scenario}: FAILED (${seconds} s)${
    result.error ? `: ${result.error}` : ""
  }`;
}
