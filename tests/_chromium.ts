/**
 * Test helper: headless Chromium on a local file, with the report's own
 * flags (no network, a throw-away profile): a screenshot, a PDF, the DOM.
 *
 * @module
 */

import { chromiumFlags, findChromium } from "../lib/report/pdf.ts";

/** Chromium's program name, if installed (CI installs the `chromium` package). */
export const CHROMIUM: string | undefined = findChromium();

if (!CHROMIUM) {
  console.log(
    "note: report rendering tests are skipped: they need chromium (apt-get install chromium)",
  );
}

/** Runs Chromium on the local file `path` with `args`; resolves to stdout. */
export async function chromium(path: string, args: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "test-chromium-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(CHROMIUM!, {
      args: [...chromiumFlags(profile), ...args, `file://${path}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(
        `chromium: exit ${code}: ${new TextDecoder().decode(stderr)}`,
      );
    }
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

/** The number of pages of a PDF (its /Type /Page objects). */
export function pdfPages(bytes: Uint8Array): number {
  const text = new TextDecoder("latin1").decode(bytes);
  return (text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length;
}

/**
 * The text of a PDF as poppler's `pdftotext -layout` reads it, or
 * `undefined` when pdftotext is not installed (apt-get install
 * poppler-utils).
 */
export async function pdfText(path: string): Promise<string | undefined> {
  try {
    const { code, stdout, stderr } = await new Deno.Command("pdftotext", {
      args: ["-layout", path, "-"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(
        `pdftotext: exit ${code}: ${new TextDecoder().decode(stderr)}`,
      );
    }
    return new TextDecoder().decode(stdout);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}
