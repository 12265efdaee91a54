/**
 * The lab's report helpers: failure excerpts for the terminal and the
 * Markdown text of a report (the report itself is `lib/report/`); the
 * outcome line, transcripts and Markdown escapes it re-exports live in
 * `lib/results/outcome.ts` and `lib/report/markdown_text.ts`.
 *
 * @example The report of a run
 * ```ts
 * import { formatReport, outcomeLine } from "./report.ts";
 * import type { ScenarioResult } from "../results/results.ts";
 * import { parseTopology } from "../scenario/topology.ts";
 *
 * const topology = parseTopology(
 *   "network: { subnet: 10.1.0.0/24 }\nhosts:\n  alpine-1: 10.1.0.11\n",
 * );
 * const result: ScenarioResult = {
 *   scenario: "hello",
 *   description: "nothing runs",
 *   lab: "progjar",
 *   ok: true,
 *   durationMs: 1200,
 *   processes: [],
 * };
 * console.log(outcomeLine(result)); // hello: ok (1.2 s)
 * const markdown = formatReport(topology, [result], {
 *   lab: "progjar",
 *   date: new Date("2025-01-01T00:00:00Z"),
 * });
 * console.log(markdown.split("\n", 1)[0]); // # Lab report
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { ScenarioResult } from "../results/results.ts";
import { reportBlocks } from "../report/document.ts";
import { renderMarkdown } from "../report/markdown.ts";
import { failedChecks } from "../results/summary.ts";
import { transcript } from "../results/outcome.ts";
import { safe } from "../report/markdown_text.ts";

export {
  outcomeLine,
  transcript,
  type TranscriptOptions,
} from "../results/outcome.ts";
export {
  cell,
  codeSpan,
  fenced,
  quotedLine,
  safe,
} from "../report/markdown_text.ts";
import type { Topology } from "../scenario/topology.ts";

/** Options for {@linkcode formatReport}. */
export interface ReportOptions {
  /** The lab's name. */
  lab: string;
  /** When the run happened; default now. */
  date?: Date;
  /** The report's language; default English. */
  lang?: Lang;
  /** Scenarios asked for but not run, because the run was interrupted. */
  notRun?: string[];
  /** The time zone of the date; default the machine's. */
  timeZone?: string;
  /** The folder of the pictures, relative to the report. */
  folder?: string;
}

/**
 * The Markdown report of one or more scenario results (pictures linked
 * from `<folder>/`, default `report_files`); `writeReport` in
 * `lib/report/write.ts` writes it with its pictures.
 */
export function formatReport(
  topology: Topology,
  results: ScenarioResult[],
  options: ReportOptions,
): string {
  const blocks = reportBlocks(
    { topology, results, lab: options.lab, notRun: options.notRun },
    { lang: options.lang, date: options.date, timeZone: options.timeZone },
  );
  return renderMarkdown(blocks, options.folder ?? "report_files").text;
}

/**
 * For each role whose checks failed: its host, what failed, and the last
 * lines of its terminal and of its standard error, so the reason shows in
 * the terminal, not only in the report.
 */
export function failureExcerpts(
  result: ScenarioResult,
  lines = 6,
  options: { lang?: Lang } = {},
): string[] {
  const lang = options.lang ?? "en";
  const out: string[] = [];
  for (const p of result.processes) {
    if (p.ok) continue;
    const failed = failedChecks(p.checks.filter((c) => !c.ok), lang);
    const heading = `${p.host} (${p.role}): ${failed}`;
    out.push(heading);
    const shown = transcript(p, { head: 0, tail: lines, lang });
    out.push(...shown.map((line) => `  | ${line}`));
    // The error line is often in the check already: not twice.
    const stderr = p.stderr.trim().split("\n").map((l) => safe(l.trim()))
      .filter((l) => l !== "" && !heading.includes(l)).slice(-3);
    out.push(...stderr.map((line) => `  ! ${line}`));
  }
  return out;
}
