/**
 * A report a student can hand in: the topology, the command run on each
 * host, each host's transcript and the summary table, as Markdown.
 *
 * @module
 */

import { shellLine } from "./_shell.ts";
import type { ProcessResult, ScenarioResult } from "./scenario.ts";
import {
  formatMarkdownTable,
  sequenceNotes,
  summaryTables,
  verdictLine,
} from "./summary.ts";
import type { Topology } from "./topology.ts";

/** Transcripts longer than this are shown as their head and tail. */
const HEAD_LINES = 15;
const TAIL_LINES = 5;

/** Options for {@linkcode formatReport}. */
export interface ReportOptions {
  /** The lab's name. */
  lab: string;
  /** When the run happened; default now. */
  date?: Date;
}

/** Writes the Markdown report of one or more scenario results. */
export function formatReport(
  topology: Topology,
  results: ScenarioResult[],
  options: ReportOptions,
): string {
  const date = (options.date ?? new Date()).toISOString().replace(
    /\.\d+Z$/,
    "Z",
  );
  const out: string[] = [
    `# Lab report: ${results.map((r) => r.scenario).join(", ")}`,
    "",
    `Run ${date} in lab \`${options.lab}\` from \`${topology.file}\`: every host is a`,
    "Linux network namespace with one interface `eth0` on a shared bridge (one",
    "L2 segment, like the GNS3 switch); each role ran as its own process.",
    ...rootfsNote(topology),
    "",
    "## Topology",
    "",
    `Subnet ${topology.subnet.cidr}, broadcast address ${topology.subnet.broadcast}.`,
    "",
    ...(topology.hosts.some((h) => h.rootfs !== undefined)
      ? [
        "| host | address | root file system |",
        "| --- | --- | --- |",
        ...topology.hosts.map((h) =>
          `| ${h.name} | ${h.address} | ${h.rootfs ?? "(the machine's)"} |`
        ),
      ]
      : [
        "| host | address |",
        "| --- | --- |",
        ...topology.hosts.map((h) => `| ${h.name} | ${h.address} |`),
      ]),
    "",
  ];
  for (const result of results) {
    out.push(`## Scenario \`${result.scenario}\``, "");
    if (result.description) out.push(result.description, "");
    out.push(`Result: ${verdictLine(result)}`, "");
    out.push("### Commands per host", "");
    out.push("| start | host | command (as typed on the host) |");
    out.push("| --- | --- | --- |");
    for (const p of result.processes) {
      const command = shellLine(p.typed);
      const input = p.input.length > 0
        ? ` (typed: ${p.input.map((l) => JSON.stringify(l)).join(", ")})`
        : "";
      out.push(
        `| ${(p.startedMs / 1000).toFixed(1)} s | ${p.host} | \`${command}\`${
          input.replaceAll("|", "\\|")
        } |`,
      );
    }
    out.push("", "### Summary", "");
    for (const table of summaryTables(result)) {
      out.push(formatMarkdownTable(table), "");
    }
    const notes = sequenceNotes(result);
    if (notes.length > 0) {
      out.push(...notes.map((note) => `- ${note}`), "");
    }
    out.push(
      "### Transcripts",
      "",
      "What each host's terminal showed (first and last lines when long;",
      "`> …` is a line typed into the role).",
      "",
    );
    for (const p of result.processes) {
      out.push(`#### ${p.host} (${p.address}): ${p.role}`, "");
      out.push(
        "```",
        `${p.host}$ ${shellLine(p.typed)}`,
        ...transcript(p, { head: HEAD_LINES, tail: TAIL_LINES }),
        "```",
        "",
      );
      if (p.stderr.trim() !== "") {
        out.push("Standard error:", "", "```", p.stderr.trimEnd(), "```", "");
      }
    }
  }
  return out.join("\n");
}

function rootfsNote(topology: Topology): string[] {
  const roots = [...new Set(topology.hosts.flatMap((h) => h.rootfs ?? []))];
  if (roots.length === 0) return [];
  return [
    `Hosts with a root file system ran their roles inside it (chroot into`,
    `${
      roots.map((r) => `\`${r}\``).join(", ")
    }: busybox and musl, progjar installed`,
    "by the Alpine pack's install.sh), as on the lab's Alpine VMs.",
  ];
}

/** How much of a transcript to show. */
export interface TranscriptOptions {
  /** Lines from the start. */
  head: number;
  /** Lines from the end. */
  tail: number;
}

/**
 * A role's terminal output, bounded: the first `head` and last `tail`
 * lines with `… K lines omitted …` between them when there were more.
 */
export function transcript(
  p: ProcessResult,
  options: TranscriptOptions,
): string[] {
  const lines = p.transcript;
  if (lines.length === 0) return ["(no output)"];
  const { head, tail } = options;
  const omitted = p.transcriptOmitted + Math.max(0, lines.length - head - tail);
  if (omitted === 0) return lines;
  return [
    ...lines.slice(0, head),
    `… ${omitted} lines omitted …`,
    ...lines.slice(-tail),
  ];
}

/**
 * For each role whose checks failed: its host, what failed, and the last
 * lines of its terminal and of its standard error, so the reason shows in
 * the terminal, not only in the report.
 */
export function failureExcerpts(result: ScenarioResult, lines = 6): string[] {
  const out: string[] = [];
  for (const p of result.processes) {
    if (p.ok) continue;
    const failed = p.checks.filter((c) => !c.ok).map((c) =>
      `${c.name}: ${c.detail}`
    );
    const heading = `${p.host} (${p.role}): ${failed.join("; ")}`;
    out.push(heading);
    const shown = transcript(p, { head: 0, tail: lines });
    out.push(...shown.map((line) => `  | ${line}`));
    // The error line is often in the check already: not twice.
    const stderr = p.stderr.trim().split("\n").map((l) => l.trim())
      .filter((l) => l !== "" && !heading.includes(l)).slice(-3);
    out.push(...stderr.map((line) => `  ! ${line}`));
  }
  return out;
}
