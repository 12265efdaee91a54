/**
 * The report as one self-contained HTML file: inline CSS and SVG, nothing
 * fetched, an A4 print style (what `.pdf` prints). Transcripts beyond the
 * first of each role are folded (`<details>`).
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { displayShown } from "../cli/display.ts";
import type { Block, Cell } from "./document.ts";

const CSS = `
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt;
  color: #111827; line-height: 1.4; max-width: 190mm; margin: 0 auto; padding: 8px; }
.cover { border-bottom: 3px solid #2563eb; padding: 6mm 0 5mm; margin-bottom: 6mm; }
.cover h1 { font-size: 20pt; margin: 0 0 2mm; }
.cover .course { font-size: 12pt; color: #2563eb; margin: 0 0 4mm; }
.cover table { border: none; font-size: 11pt; }
.cover table td { border: none; padding: 1px 12px 1px 0; white-space: normal; }
.cover td:first-child { color: #6b7280; }
h2 { font-size: 14pt; border-bottom: 1px solid #d1d5db; margin: 7mm 0 2mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; break-after: avoid; }
p, ul { margin: 1mm 0 2mm; }
table { border-collapse: collapse; margin: 1mm 0 3mm; font-size: 7.5pt; }
th, td { border: 1px solid #d1d5db; padding: 2px 4px; text-align: left; vertical-align: top; }
td:nth-child(-n+2) { white-space: nowrap; }
tr { break-inside: avoid; }
th { background: #f3f4f6; }
code, pre { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 8pt; }
pre { background: #f9fafb; border: 1px solid #e5e7eb; padding: 4px 6px; margin: 1mm 0 3mm;
  white-space: pre-wrap; word-break: break-all; }
figure { margin: 2mm 0 4mm; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 8.5pt; color: #6b7280; }
details > summary { cursor: pointer; font-size: 8.5pt; color: #374151; }
.transcript-title { font-size: 8.5pt; font-weight: bold; margin: 2mm 0 0; break-after: avoid; }
ul.conclusion li { margin-bottom: 1mm; }
@media print { body { padding: 0; } h2 { break-before: auto; } }
`;

/**
 * `text` for HTML: control characters escaped as the roles show peer bytes
 * (a role's own `\x1b` keeps its one backslash), then entities.
 */
export function htmlText(text: string): string {
  return displayShown(text).replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ]!,
  );
}

/** Renders `blocks` as one HTML document in `lang`. */
export function renderHtml(blocks: Block[], lang: Lang): string {
  const title = blocks.find((b) => b.kind === "cover");
  const out: string[] = [
    "<!DOCTYPE html>",
    `<html lang="${lang}">`,
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may be fetched: no scripts, no remote anything.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${
      htmlText(title?.kind === "cover" ? title.title : "report")
    }</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
  ];
  let conclusion = false;
  for (const block of blocks) {
    switch (block.kind) {
      case "cover":
        out.push(
          '<section class="cover">',
          `<h1>${htmlText(block.title)}</h1>`,
          `<p class="course">${htmlText(block.subtitle)}</p>`,
          "<table>",
          ...block.fields.map(([k, v]) =>
            `<tr><td>${htmlText(k)}</td><td><b>${cellHtml(v)}</b></td></tr>`
          ),
          "</table>",
          "</section>",
        );
        break;
      case "heading":
        conclusion = block.level === 3 || block.level === 2
          ? /^(Conclusion|Kesimpulan)$/.test(block.text)
          : conclusion;
        out.push(
          `<h${block.level}${block.id ? ` id="${htmlText(block.id)}"` : ""}>${
            htmlText(block.text)
          }</h${block.level}>`,
        );
        break;
      case "paragraph":
        out.push(`<p>${htmlText(block.text)}</p>`);
        break;
      case "list":
        out.push(
          `<ul${conclusion ? ' class="conclusion"' : ""}>`,
          ...block.items.map((i) => `<li>${htmlText(i)}</li>`),
          "</ul>",
        );
        break;
      case "table":
        out.push(
          "<table>",
          `<thead><tr>${
            block.header.map((h) => `<th>${headerHtml(h)}</th>`).join("")
          }</tr></thead><tbody>`,
          ...block.rows.map((row) =>
            `<tr>${row.map((c) => `<td>${cellHtml(c)}</td>`).join("")}</tr>`
          ),
          "</tbody></table>",
        );
        break;
      case "figure":
        out.push(
          `<figure data-picture="${htmlText(block.name)}">`,
          // The SVG is ours, its texts escaped where they were drawn; inline
          // SVG needs no namespace, and the HTML names no address at all.
          block.svg.replace(' xmlns="http://www.w3.org/2000/svg"', ""),
          `<figcaption>${htmlText(block.caption)}</figcaption>`,
          "</figure>",
        );
        break;
      case "transcript": {
        const pre = `<pre>${block.lines.map(htmlText).join("\n")}</pre>`;
        out.push(
          block.folded
            ? `<details><summary>${
              htmlText(`${block.title}: ${block.folded}`)
            }</summary>${pre}</details>`
            : `<p class="transcript-title">${htmlText(block.title)}</p>${pre}`,
        );
        break;
      }
    }
  }
  out.push("</body>", "</html>", "");
  return out.join("\n");
}

/** A column name; a long camelCase field may break before its capitals. */
function headerHtml(name: string): string {
  return htmlText(name).replace(/(?<=[a-z])(?=[A-Z])/g, "<wbr>");
}

function cellHtml(c: Cell): string {
  if (typeof c === "string") return htmlText(c);
  return `${c.before ? `${htmlText(c.before)} ` : ""}<code>${
    htmlText(c.code)
  }</code>${c.after ? ` ${htmlText(c.after)}` : ""}`;
}
