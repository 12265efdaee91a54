/**
 * `deno task alpine-rootfs`: `dist/alpine-rootfs`, an Alpine-like root file
 * system (static busybox and musl from Debian's `busybox-static` and `musl`
 * packages, no glibc) with progjar installed the way a student installs it
 * on an Alpine VM: the Alpine pack (`deno task alpine-pack`) unpacked in
 * `/root` and its `install.sh` run. The lab's hosts run in it with
 * `lab run --rootfs dist/alpine-rootfs` (or `rootfs:` in lab.yaml).
 *
 * Needs root (mknod, chroot, mount). Usage:
 * `sudo deno task alpine-rootfs [--out DIR] [--pack FILE.tar.gz]`
 *
 * @module
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildAlpinePack } from "./alpine_pack.ts";
import { buildBundle } from "./bundle.ts";
import {
  DIST_DIR,
  findTarget,
  formatSize,
  ROOT_DIR,
  run,
  runTool,
  ToolError,
} from "./_common.ts";
import {
  buildRootfs,
  installAlpinePack,
  rootfsBuildProblem,
} from "./_rootfs.ts";

/** Options for {@linkcode buildLabRootfs}. */
export interface LabRootfsOptions {
  /** The Alpine pack to install; built (with the bundle) when absent. */
  pack?: string;
}

/**
 * Builds the rootfs at `dir` (replacing an earlier one) and installs the
 * Alpine pack into it. Returns install.sh's output.
 */
export async function buildLabRootfs(
  dir: string,
  options: LabRootfsOptions = {},
): Promise<string> {
  const problem = await rootfsBuildProblem();
  if (problem) throw new ToolError(problem);
  await checkNotMounted(dir);
  let pack = options.pack;
  if (pack === undefined) {
    const outDir = DIST_DIR;
    const bundle = await buildBundle({ outDir });
    pack = await buildAlpinePack(findTarget("x86_64")!, { outDir, bundle });
  }
  await Deno.remove(dir, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  await buildRootfs(dir);
  return await installAlpinePack(dir, pack);
}

/** Refuses to remove a rootfs that a lab host still uses (something mounted in it). */
async function checkNotMounted(dir: string): Promise<void> {
  const mounts = await run("sh", ["-c", "cat /proc/*/mounts 2>/dev/null"]);
  const real = await Deno.realPath(dir).catch(() => dir);
  if (
    mounts.stdout.split("\n").some((l) =>
      l.split(" ")[1]?.startsWith(`${real}/`)
    )
  ) {
    throw new ToolError(
      `${dir} is in use by a lab host (something is mounted in it): run lab down first`,
    );
  }
}

/** What `deno task alpine-rootfs --help` prints. */
const USAGE =
  `alpine-rootfs: build an Alpine-like root file system (busybox and musl from
Debian's packages, no glibc) with progjar installed by the Alpine pack, for
deno task lab up|run --rootfs DIR

Usage:
  sudo deno task alpine-rootfs [--out DIR] [--pack FILE.tar.gz]

Flags:
  --out DIR    where to build it; replaces an earlier one (default: dist/alpine-rootfs)
  --pack FILE  the Alpine pack to install (default: build it first)`;

if (import.meta.main) {
  await runTool("alpine-rootfs", async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        pack: { type: "string" },
      },
      strict: true,
    });
    const dir = values.out ?? join(DIST_DIR, "alpine-rootfs");
    await buildLabRootfs(dir, { pack: values.pack });
    const du = await run("du", ["-sb", dir]);
    const bytes = Number(du.stdout.split(/\s/)[0]);
    const shown = dir.replace(`${ROOT_DIR}/`, "");
    console.log(
      `  ${shown}  ${Number.isFinite(bytes) ? formatSize(bytes) : ""}`,
    );
    console.log(
      `next: sudo deno task lab run --all --rootfs ${shown}; sudo deno task lab exec alpine-2`,
    );
  }, { usage: USAGE });
}
