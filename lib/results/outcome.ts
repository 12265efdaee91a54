/**
 * A scenario's outcome in words, as the terminal and the report both show
 * it: its one-line verdict (or that Ctrl+C stopped it), and a role's
 * terminal output bounded to its first and last lines.
 *
 * @example
 * ```ts
 * import { outcomeLine } from "./outcome.ts";
 *
 * console.log(outcomeLine({
 *   scenario: "hello",
 *   description: "nothing runs",
 *   lab: "progjar",
 *   ok: true,
 *   durationMs: 1200,
 *   processes: [],
 * })); // hello: ok (1.2 s)
 * ```
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import type { ProcessResult, ScenarioResult } from "./results.ts";
import { verdictLine } from "./summary.ts";

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
