/**
 * The lab's report helpers: a scenario's one-line outcome, bounded
 * transcripts, failure excerpts for the terminal, the Markdown text of a
 * report (the report itself is `lib/report/`), and the Markdown escapes
 * the report uses.
 *
 * @example The report of a run
 * ```ts
 * import { formatReport, outcomeLine } from "./report.ts";
 * import type { ScenarioResult } from "./scenario.ts";
 * import { parseTopology } from "./topology.ts";
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

import { displayText, hasControlChars } from "../cli/display.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import type { ProcessResult, ScenarioResult } from "./scenario.ts";
import { reportBlocks } from "../report/document.ts";
import { renderMarkdown } from "../report/markdown.ts";
import { failedChecks, verdictLine } from "./summary.ts";
import type { Topology } from "./topology.ts";

const TEXT = {
  en: {
    noOutput: "(no output)",
    omitted: (n: number) => `… ${plural(n, "line", "lines")} omitted …`,
    interrupted: (scenario: string, seconds: string) =>
      `${scenario}: INTERRUPTED (Ctrl+C) after ${seconds} s`,
  },
  id: {
    noOutput: "(tidak ada keluaran)",
    omitted: (n: number) => `… ${n} baris tidak ditampilkan …`,
    interrupted: (scenario: string, seconds: string) =>
      `${scenario}: DIHENTIKAN (Ctrl+C) setelah ${seconds} s`,
  },
};

/** A transcript at most this many lines longer than head + tail is shown whole. */
const MIN_OMITTED = 5;

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
 * The one-line outcome of a scenario: the summary's verdict, or, for one
 * that Ctrl+C stopped, that it was interrupted (not that it failed).
 */
export function outcomeLine(result: ScenarioResult, lang: Lang = "en"): string {
  return result.interrupted
    ? TEXT[lang].interrupted(
      result.scenario,
      (result.durationMs / 1000).toFixed(1),
    )
    : verdictLine(result, lang);
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

/** The longest run of backticks in `text`. */
function longestBackticks(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  return longest;
}

/**
 * `text` with control characters, line breaks and bidirectional overrides
 * escaped as the roles escape peer bytes; text without any is left as it
 * is (a shell line's `$'\x1b'` keeps its one backslash).
 */
export function safe(text: string): string {
  return hasControlChars(text) ? displayText(text) : text;
}

/**
 * `text` as a Markdown code span that it cannot close: delimited by more
 * backticks than any run in it (CommonMark), control characters escaped.
 */
export function codeSpan(text: string): string {
  const shown = safe(text);
  const ticks = "`".repeat(longestBackticks(shown) + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") ? " " : "";
  return `${ticks}${pad}${shown}${pad}${ticks}`;
}

/**
 * A typed line as a JSON string, with the characters JSON leaves raw that
 * a terminal or viewer would act on (C1 controls, bidirectional overrides)
 * as `\uNNNN` too.
 */
export function quotedLine(line: string): string {
  return JSON.stringify(line).replace(
    /[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text for a table cell: a `|` would end the cell, even in a code span. */
export function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** Lines in a fenced code block that no line of theirs can close. */
export function fenced(lines: string[]): string[] {
  let longest = 2;
  for (const line of lines) longest = Math.max(longest, longestBackticks(line));
  const fence = "`".repeat(longest + 1);
  return [fence, ...lines, fence];
}

/** How much of a transcript to show. */
export interface TranscriptOptions {
  /** Lines from the start. */
  head: number;
  /** Lines from the end. */
  tail: number;
  /** The language of the runner's own words; default English. */
  lang?: Lang;
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
  const text = TEXT[options.lang ?? "en"];
  if (lines.length === 0) return [text.noOutput];
  const { head, tail } = options;
  const cut = Math.max(0, lines.length - head - tail);
  // Cutting fewer lines than the marker is worth would hide them for nothing.
  if (p.transcriptOmitted === 0 && cut <= MIN_OMITTED) return lines;
  const omitted = p.transcriptOmitted + cut;
  return [
    ...lines.slice(0, head),
    text.omitted(omitted),
    ...lines.slice(-tail),
  ];
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
