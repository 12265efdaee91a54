/**
 * The report as Markdown: the blocks of `document.ts` as text, each
 * picture an SVG file linked from it (written next to the report by
 * `write.ts`).
 *
 * @module
 */

import { cell, codeSpan, fenced, safe } from "./markdown_text.ts";
import type { Block, Cell } from "./document.ts";

/** A rendered Markdown report: its text and the pictures it links. */
export interface MarkdownReport {
  /** The Markdown. */
  text: string;
  /** The SVG files it links, by their path relative to the report. */
  pictures: { path: string; svg: string }[];
}

/**
 * Renders `blocks` as Markdown; pictures are linked as
 * `<folder>/<name>.svg`, `folder` relative to the report.
 */
export function renderMarkdown(
  blocks: Block[],
  folder: string,
): MarkdownReport {
  const out: string[] = [];
  const pictures: { path: string; svg: string }[] = [];
  // Folded transcripts: one line each, their first and last lines.
  let folded = false;
  const flush = () => {
    if (folded) out.push("");
    folded = false;
  };
  // The last block when it was a role's whole transcript: where it starts
  // in `out` and its lines.
  let session: { at: number; lines: string[] } | undefined;
  for (const block of blocks) {
    if (block.kind !== "transcript" || !block.folded) flush();
    if (block.kind !== "transcript" || block.folded) session = undefined;
    switch (block.kind) {
      case "cover":
        out.push(
          `# ${safe(block.title)}`,
          "",
          `**${safe(block.subtitle)}**`,
          "",
          ...block.fields.map(([k, v]) => `- ${k}: ${cellText(v)}`),
          "",
        );
        break;
      case "heading":
        // Its content right under it (a heading needs no blank line after).
        out.push(`${"#".repeat(block.level)} ${safe(block.text)}`);
        break;
      case "paragraph":
        out.push(safe(block.text), "");
        break;
      case "list":
        out.push(...block.items.map((i) => `- ${safe(i)}`), "");
        break;
      case "table":
        out.push(
          `| ${block.header.map(cell).join(" | ")} |`,
          `| ${block.header.map(() => "---").join(" | ")} |`,
          ...block.rows.map((row) =>
            `| ${row.map((c) => cell(cellText(c))).join(" | ")} |`
          ),
          "",
        );
        break;
      case "figure": {
        const path = `${folder}/${block.name}.svg`;
        pictures.push({ path, svg: block.svg });
        // The caption right under the picture (a hard line break).
        out.push(
          `![${block.name}](${encodeURI(path)})\\`,
          `*${safe(block.caption)}*`,
          "",
        );
        break;
      }
      case "transcript":
        if (block.folded) {
          folded = true;
          out.push(foldedLine(block));
          break;
        }
        // A role's transcript starts with its prompt (`host$ command`):
        // that is its title, and the next one goes on in the same block as
        // in a terminal. Other output (standard error) is named.
        if (block.role === undefined) {
          out.push(`#### ${safe(block.title)}`, "");
        } else if (session) {
          // The block just written again, with a blank line and this one.
          session.lines.push("", ...block.lines.map(safe));
          out.splice(session.at);
          out.push(...fenced(session.lines), "");
          break;
        }
        if (block.role !== undefined) {
          session = { at: out.length, lines: block.lines.map(safe) };
        }
        out.push(...fenced(block.lines.map(safe)), "");
        break;
    }
  }
  flush();
  return { text: out.join("\n"), pictures };
}

/**
 * A folded transcript as one list item: the hosts, how many lines, the
 * first and the last ones (lines[0] is the prompt, lines[2] the marker of
 * what is left out).
 */
function foldedLine(
  block: {
    title: string;
    folded?: string;
    lines: string[];
    omitted?: number;
    head?: number;
  },
): string {
  const shown = block.lines.slice(1);
  const head = block.head ?? 1;
  const ends = block.omitted
    ? `${shown.slice(0, head).map(codeSpan).join(" / ")} … ${
      shown.slice(head + 1).map(codeSpan).join(" / ")
    }`
    : shown.map(codeSpan).join(" / ");
  return `- ${safe(block.title)}, ${safe(block.folded ?? "")}${
    ends ? `: ${ends}` : ""
  }`;
}

function cellText(c: Cell): string {
  if (typeof c === "string") return safe(c);
  return (c.before ? `${safe(c.before)} ` : "") + codeSpan(c.code) +
    (c.after ? ` ${c.after}` : "");
}
