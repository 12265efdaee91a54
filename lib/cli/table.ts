/**
 * Plain-text tables: rows of cells padded into columns two spaces apart,
 * for help texts, role lists and the labs' summaries.
 *
 * @example A table with a right-aligned column of numbers
 * ```ts
 * import { tableLines } from "./table.ts";
 *
 * const lines = tableLines(
 *   [["host", "received"], ["alpine-2", "6"], ["alpine-3", "14"]],
 *   { align: ["left", "right"] },
 * );
 * console.log(lines.join("\n"));
 * // host      received
 * // alpine-2         6
 * // alpine-3        14
 * ```
 *
 * @module
 */

/** How a column's cells are padded. */
export type ColumnAlign = "left" | "right";

/** Options for {@linkcode tableLines}. */
export interface TableOptions {
  /**
   * Each column's alignment, by index; missing ones are `"left"`. Numbers
   * read best `"right"`.
   */
  align?: readonly ColumnAlign[];
  /** Put a line of dashes under the first row (the header). */
  rule?: boolean;
}

/**
 * Lays out `rows` as aligned columns, two spaces apart, one string per line.
 * Widths are measured in UTF-16 code units (`String.length`), which is right
 * for the ASCII the tables hold. Trailing spaces are cut, so a left-aligned
 * last column is not padded.
 *
 * @example
 * ```ts
 * import { tableLines } from "./table.ts";
 *
 * tableLines([["role", "sent"], ["broadcast-sender", "100"]], {
 *   align: ["left", "right"],
 * });
 * // ["role              sent", "broadcast-sender   100"]
 * ```
 */
export function tableLines(
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const widths: number[] = [];
  for (let i = 0; i < columns; i++) {
    widths.push(Math.max(...rows.map((row) => (row[i] ?? "").length)));
  }
  const format = (row: readonly string[]) =>
    row.map((cell, i) =>
      options.align?.[i] === "right"
        ? cell.padStart(widths[i])
        : cell.padEnd(widths[i])
    ).join("  ").trimEnd();
  const lines = rows.map(format);
  if (options.rule && lines.length > 0) {
    lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  }
  return lines;
}
