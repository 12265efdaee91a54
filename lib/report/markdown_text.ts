/**
 * Text made safe for Markdown: control characters escaped as the roles
 * escape peer bytes, code spans and fences that their contents cannot close,
 * table cells, typed lines as JSON strings.
 *
 * @example
 * ```ts
 * import { codeSpan } from "./markdown_text.ts";
 *
 * console.log(codeSpan("a `b` c")); // `` a `b` c ``
 * ```
 *
 * @module
 */

import { displayText, hasControlChars } from "../cli/display.ts";

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
