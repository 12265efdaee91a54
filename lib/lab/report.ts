/**
 * A report a student can hand in: the topology, the command run on each
 * host, each host's transcript and the summary table, as Markdown.
 *
 * @module
 */

import type { ScenarioResult } from "./scenario.ts";
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
    "",
    "## Topology",
    "",
    `Subnet ${topology.subnet.cidr}, broadcast address ${topology.subnet.broadcast}.`,
    "",
    "| host | address |",
    "| --- | --- |",
    ...topology.hosts.map((h) => `| ${h.name} | ${h.address} |`),
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
      const command = [`deno task ${p.role}`, ...p.args.map(quote)].join(" ");
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
    out.push("### Transcripts", "");
    for (const p of result.processes) {
      out.push(`#### ${p.host} (${p.address}): ${p.role}`, "");
      out.push("```", ...transcript(p.stdout, p.dropped), "```", "");
      if (p.stderr.trim() !== "") {
        out.push("Standard error:", "", "```", p.stderr.trimEnd(), "```", "");
      }
    }
  }
  return out.join("\n");
}

function transcript(lines: string[], dropped: number): string[] {
  if (lines.length === 0) return ["(no output)"];
  if (lines.length <= HEAD_LINES + TAIL_LINES + 1 && dropped === 0) {
    return lines;
  }
  const skipped = lines.length - HEAD_LINES - TAIL_LINES + dropped;
  return [
    ...lines.slice(0, HEAD_LINES),
    `… ${skipped} lines not shown …`,
    ...lines.slice(-TAIL_LINES),
  ];
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg)
    ? arg
    : `'${arg.replaceAll("'", `'\\''`)}'`;
}
