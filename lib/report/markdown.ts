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
  // Folded transcripts in a row share one code block.
  let folded: string[] = [];
  let titles: string[] = [];
  const flush = () => {
    if (folded.length === 0) return;
    out.push(`#### ${titles.join("; ")}`, "", ...fenced(folded), "");
    folded = [];
    titles = [];
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
          if (folded.length > 0) folded.push("");
          titles.push(
            `${safe(block.title.split(" ")[0])}: ${safe(block.folded)}`,
          );
          folded.push(...block.lines.map(safe));
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

function cellText(c: Cell): string {
  if (typeof c === "string") return safe(c);
  return codeSpan(c.code) + (c.after ? ` ${c.after}` : "");
}
