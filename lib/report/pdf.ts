/**
 * Printing the HTML report to PDF with headless Chromium (Debian package
 * `chromium`), on a local file, with everything that could reach the
 * network switched off.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";

/**
 * Where Chromium is installed (Debian `chromium`, Ubuntu's and snap's
 * names). Absolute paths: `deno task lab` grants exactly these
 * (`--allow-run`), and Deno says nothing of a path that is absent, where a
 * bare name it cannot find is noted at every start.
 */
export const CHROMIUM_PATHS: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/local/bin/chromium",
  "/snap/bin/chromium",
];

/** The flags that keep a headless Chromium to the file it renders. */
export function chromiumFlags(profile: string): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--metrics-recording-only",
    `--user-data-dir=${profile}`,
  ];
}

/** The path of the installed Chromium, or `undefined`. */
export function findChromium(): string | undefined {
  return CHROMIUM_PATHS.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
}

/** The error for a `.pdf` report without Chromium: one line naming the package. */
export function noChromiumError(): RuntimeError {
  return new RuntimeError({
    en:
      "a .pdf report needs Chromium (Debian/Ubuntu: apt-get install chromium); or write .html and print it",
    id:
      "laporan .pdf perlu Chromium (Debian/Ubuntu: apt-get install chromium); atau tulis .html lalu cetak",
  });
}

/** Prints the HTML file `html` to the PDF file `pdf` with `chromium`. */
export async function printPdf(
  chromium: string,
  html: string,
  pdf: string,
): Promise<void> {
  const profile = await Deno.makeTempDir({ prefix: "progjar-chromium-" });
  try {
    const { code, stderr } = await new Deno.Command(chromium, {
      args: [
        ...chromiumFlags(profile),
        "--no-pdf-header-footer",
        `--print-to-pdf=${pdf}`,
        `file://${html}`,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    let size = 0;
    try {
      size = Deno.statSync(pdf).size;
    } catch {
      // not written
    }
    if (code !== 0 || size === 0) {
      const last = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
      throw new RuntimeError({
        en: `chromium could not print the report (exit ${code})${
          last ? `: ${last}` : ""
        }`,
        id: `chromium gagal mencetak laporan (kode ${code})${
          last ? `: ${last}` : ""
        }`,
      });
    }
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
