/**
 * The one entry point for writing a report (`lab run --report`, `lab
 * report`, `demo --report`): the format from the file's extension, `.md`
 * (with its SVG pictures in a folder next to it), `.html` (one
 * self-contained file) or `.pdf` (the HTML printed by headless Chromium).
 * Nothing is left half-written: each file is written to a temporary name
 * and renamed.
 *
 * @example Check before a run, write after it
 * ```ts ignore
 * import { checkReport, writeReport } from "./write.ts";
 *
 * await checkReport("laporan.pdf"); // throws at once without Chromium
 * // … the run …
 * await writeReport("laporan.pdf", { lab: "progjar", results: [] }, { lang: "id" });
 * ```
 *
 * @module
 */

import { basename, dirname, extname, join, resolve } from "node:path";
import { errorText, RuntimeError, UsageError } from "../cli/errors.ts";
import { type DocumentOptions, reportBlocks } from "./document.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";
import type { ReportInput } from "./model.ts";
import { findChromium, noChromiumError, printPdf } from "./pdf.ts";

/** The formats a report can be written in. */
export type ReportFormat = "md" | "html" | "pdf";

/** The format of `path` by its extension, or a {@linkcode UsageError}. */
export function reportFormat(path: string): ReportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".md" || ext === ".markdown") return "md";
  if (ext === ".html" || ext === ".htm") return "html";
  if (ext === ".pdf") return "pdf";
  throw new UsageError({
    en: `--report ${path}: the file must end in .md, .html or .pdf`,
    id: `--report ${path}: nama file harus berakhiran .md, .html atau .pdf`,
  });
}

/** The folder next to a Markdown report that holds its pictures. */
export function picturesFolder(path: string): string {
  return `${basename(path, extname(path))}_files`;
}

/**
 * Checks, before a run, that a report can be written to `path`: a known
 * extension, a writable place, Chromium for `.pdf`. Throws the error to
 * print (one line, exit 1); writes nothing.
 */
export async function checkReport(path: string): Promise<void> {
  const format = reportFormat(path);
  if (format === "pdf" && findChromium() === undefined) {
    throw noChromiumError();
  }
  const probe = join(dirname(path), `.${basename(path)}.${Deno.pid}.check`);
  try {
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `--report ${path}`, id: `--report ${path}` },
      }),
    );
  }
}

async function atomicWrite(path: string, data: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${Deno.pid}.tmp`);
  try {
    await Deno.writeTextFile(temp, data);
    await Deno.rename(temp, path);
  } catch (err) {
    await Deno.remove(temp).catch(() => {});
    throw err;
  }
}

/**
 * Writes the report of `input` to `path` in the format its extension
 * names; resolves to the files written (the report first). A file that
 * cannot be written is a {@linkcode RuntimeError} naming `--report`.
 */
export async function writeReport(
  path: string,
  input: ReportInput,
  options: DocumentOptions = {},
): Promise<string[]> {
  try {
    return await writeFormat(path, input, options);
  } catch (err) {
    if (err instanceof RuntimeError || err instanceof UsageError) throw err;
    throw new RuntimeError(
      errorText(err, {
        doing: { en: `--report ${path}`, id: `--report ${path}` },
      }),
    );
  }
}

async function writeFormat(
  path: string,
  input: ReportInput,
  options: DocumentOptions,
): Promise<string[]> {
  const format = reportFormat(path);
  const blocks = reportBlocks(input, options);
  if (format === "md") {
    const folder = picturesFolder(path);
    const markdown = renderMarkdown(blocks, folder);
    const written: string[] = [];
    await Deno.mkdir(join(dirname(path), folder), { recursive: true });
    for (const picture of markdown.pictures) {
      const file = join(dirname(path), picture.path);
      await atomicWrite(file, picture.svg);
      written.push(file);
    }
    await atomicWrite(path, markdown.text);
    return [path, ...written];
  }
  const html = renderHtml(blocks, options.lang ?? "en");
  if (format === "html") {
    await atomicWrite(path, html);
    return [path];
  }
  const chromium = findChromium();
  if (chromium === undefined) throw noChromiumError();
  const dir = await Deno.makeTempDir({ prefix: "progjar-report-" });
  try {
    const source = join(dir, "report.html");
    await Deno.writeTextFile(source, html);
    const printed = resolve(
      dirname(path),
      `.${basename(path)}.${Deno.pid}.tmp`,
    );
    try {
      await printPdf(chromium, await Deno.realPath(source), printed);
      await Deno.rename(printed, path);
    } catch (err) {
      await Deno.remove(printed).catch(() => {});
      throw err;
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  return [path];
}
