/**
 * `deno task bundle`: one self-contained JavaScript file, `dist/progjar.js`,
 * holding every role (bundled from `cmd/progjar.ts` with `deno bundle`).
 * Run a role with its permissions from `lib/roles.ts`:
 *
 * ```sh
 * deno run --unstable-net --allow-net --allow-env=LANG,LC_ALL,LC_MESSAGES,NO_COLOR \
 *   --allow-read=/etc/hosts progjar.js broadcast-receiver
 * ```
 *
 * `deno bundle` fetches esbuild from the npm registry on its first run.
 *
 * Usage: `deno task bundle [--out DIR]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { checkIndex } from "./roles_index.ts";
import {
  DENO_VERSION,
  DIST_DIR,
  mustRun,
  reportSizes,
  runTool,
  ToolError,
} from "./_common.ts";

/** Options for {@linkcode buildBundle}. */
export interface BundleOptions {
  /** The output directory; `dist/` by default. */
  outDir?: string;
}

/** Bundles `cmd/progjar.ts` into `<outDir>/progjar.js`; returns its path. */
export async function buildBundle(
  options: BundleOptions = {},
): Promise<string> {
  const outDir = options.outDir ?? DIST_DIR;
  await checkIndex();
  await Deno.mkdir(outDir, { recursive: true });
  const out = `${outDir}/progjar.js`;
  const tmp = `${out}.tmp`;
  // esbuild comes from npm on the first run: allow for a slow download.
  await mustRun(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "deno",
    "-o",
    tmp,
    "cmd/progjar.ts",
  ], { env: { NO_COLOR: "1" }, timeoutMs: 300_000 });
  const code = await Deno.readTextFile(tmp);
  if (!code.includes("usage: progjar <role>")) {
    throw new ToolError(
      `deno bundle wrote ${tmp} without the multi-call program`,
    );
  }
  const header = [
    `// progjar: every lab role in one file (bundled by deno ${DENO_VERSION}).`,
    "// Run: deno run <the role's permissions> progjar.js <role> [flags…]",
    "//      deno run progjar.js --help   (lists the roles)",
    "",
  ].join("\n");
  await Deno.writeTextFile(tmp, header + code);
  await Deno.rename(tmp, out);
  return out;
}

/** What `deno task bundle --help` prints. */
const USAGE =
  `bundle: build dist/progjar.js, one JavaScript file holding every role

Usage:
  deno task bundle [--out DIR]

Flags:
  --out DIR   where to write progjar.js (default: dist)

Run it on any host with Deno 2, with the role's flags from lib/roles.ts:
  deno run --unstable-net --allow-net … progjar.js <role> [flags…]`;

if (import.meta.main) {
  await runTool("bundle", async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: { out: { type: "string" } },
      strict: true,
    });
    const out = await buildBundle({ outDir: values.out });
    reportSizes([out]);
  }, { usage: USAGE });
}
