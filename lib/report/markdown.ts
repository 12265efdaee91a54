/**
 * The report as Markdown: the blocks of `document.ts` as text, each
 * picture an SVG file linked from it (written next to the report by
 * `write.ts`).
 *
 * @module
 */

import { cell, codeSpan, fenced, safe } from "../lab/report.ts";
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
  for (const block of blocks) {
    if (block.kind !== "transcript" || !block.folded) flush();
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
        out.push(`${"#".repeat(block.level)} ${safe(block.text)}`, "");
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
        out.push(
          `![${block.name}](${encodeURI(path)})`,
          "",
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
        out.push(
          `#### ${safe(block.title)}`,
          "",
          ...fenced(block.lines.map(safe)),
          "",
        );
        break;
    }
  }
  flush();
  return { text: out.join("\n"), pictures };
}

/**
 * A folded transcript as one list item: the host, how many lines, the
 * first and last of them (lines[0] is the prompt).
 */
function foldedLine(
  block: { title: string; folded?: string; lines: string[]; omitted?: number },
): string {
  const shown = block.lines.slice(1);
  const ends = block.omitted
    ? `${codeSpan(shown[0])} … ${codeSpan(shown.at(-1)!)}`
    : shown.map(codeSpan).join(" / ");
  return `- ${safe(block.title)}, ${safe(block.folded ?? "")}${
    ends ? `: ${ends}` : ""
  }`;
}

function cellText(c: Cell): string {
  if (typeof c === "string") return safe(c);
  return codeSpan(c.code) + (c.after ? ` ${c.after}` : "");
}
