/**
 * `deno task alpine-pack`: `dist/progjar-alpine-<machine>.tar.gz` for stock
 * Alpine (musl) hosts. Inside, `progjar-alpine-<machine>/`:
 *
 * - `install.sh`: POSIX `sh` (busybox is enough); copies `progjar/` to
 *   `/opt/progjar` and links every role (and `progjar`) into
 *   `/usr/local/bin`. `sh install.sh --uninstall` removes both.
 * - `progjar/bin/deno`: Deno, patched (patchelf) so that its ELF interpreter
 *   is `/opt/progjar/glibc/<loader>` and its RPATH `/opt/progjar/glibc`.
 * - `progjar/glibc/`: the glibc loader and the libraries deno needs, taken
 *   from the build machine. Only the patched deno reads them: nothing of
 *   musl is touched (`/lib`, `/usr/lib`, `/lib64`, `/etc/ld-musl-*`).
 * - `progjar/lib/progjar.js`: the bundle; `progjar/bin/progjar`: the
 *   launcher that runs a role with its permissions from `lib/roles.ts`.
 *
 * The install place is fixed (`/opt/progjar`): the interpreter path is
 * written into the deno binary at build time.
 *
 * Usage: `deno task alpine-pack [--target x86_64|aarch64]… [--out DIR]`
 * (default: x86_64).
 *
 * @module
 */

import { buildBundle } from "./bundle.ts";
import {
  builtRoles,
  DIST_DIR,
  mustRun,
  parseBuildArgs,
  reportSizes,
  runTool,
  type Target,
  ToolError,
} from "./_common.ts";
import {
  dispatchScript,
  installedServeRefusal,
  vmRecordsParts,
} from "./_launcher.ts";
import { denoFor, glibcFor, patchelf } from "./_runtime.ts";

/** Where install.sh puts everything (written into deno's ELF header). */
export const PREFIX = "/opt/progjar";

/** Options for {@linkcode buildAlpinePack}. */
export interface AlpinePackOptions {
  /** The output directory; `dist/` by default. */
  outDir?: string;
  /** The bundle to pack; built when absent. */
  bundle?: string;
}

/** Writes `progjar-alpine-<machine>.tar.gz` for `target`; returns its path. */
export async function buildAlpinePack(
  target: Target,
  options: AlpinePackOptions = {},
): Promise<string> {
  const outDir = options.outDir ?? DIST_DIR;
  const bundle = options.bundle ?? await buildBundle({ outDir });
  const deno = await denoFor(target);
  const glibc = await glibcFor(deno.path, target);
  if (!glibc) {
    throw new ToolError(
      `the glibc files for ${target.machine} are not on this machine (${target.libDir}); install libc6 and libgcc-s1 for ${target.machine}`,
    );
  }
  const name = `progjar-alpine-${target.machine}`;
  const stage = await Deno.makeTempDir({ prefix: "progjar-alpine-" });
  const top = `${stage}/${name}`;
  try {
    for (const dir of ["bin", "glibc", "lib"]) {
      await Deno.mkdir(`${top}/progjar/${dir}`, { recursive: true });
    }
    for (const file of glibc.files) {
      await Deno.copyFile(file.source, `${top}/progjar/glibc/${file.name}`);
      await Deno.chmod(`${top}/progjar/glibc/${file.name}`, 0o755);
    }
    const denoOut = `${top}/progjar/bin/deno`;
    await Deno.copyFile(deno.path, denoOut);
    await Deno.chmod(denoOut, 0o755);
    // RPATH (not RUNPATH): searched before LD_LIBRARY_PATH, so a musl
    // LD_LIBRARY_PATH on the host cannot hand deno a musl library.
    await patchelf([
      "--set-interpreter",
      `${PREFIX}/glibc/${glibc.loader}`,
      "--force-rpath",
      "--set-rpath",
      `${PREFIX}/glibc`,
      denoOut,
    ]);
    await Deno.copyFile(bundle, `${top}/progjar/lib/progjar.js`);
    await writeScript(
      `${top}/progjar/bin/progjar`,
      launcher(deno.version, target.machine),
    );
    await writeScript(
      `${top}/install.sh`,
      installScript(target, deno.version),
    );
    const out = `${outDir}/${name}.tar.gz`;
    await mustRun("sh", [
      "-c",
      'tar -C "$1" --owner=0 --group=0 --numeric-owner -cf - "$2" | gzip -6 > "$3.tmp" && mv "$3.tmp" "$3"',
      "sh",
      stage,
      name,
      out,
    ], { timeoutMs: 600_000 });
    return out;
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

async function writeScript(path: string, text: string): Promise<void> {
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, 0o755);
}

/** `/opt/progjar/bin/progjar`: the role launcher; role commands link to it. */
function launcher(denoVersion: string, machine: string): string {
  const records = vmRecordsParts();
  return `#!/bin/sh
# progjar on a musl host: every lab role with Deno ${denoVersion} (glibc build,
# started through ${PREFIX}/glibc; see install.sh).
#   progjar <role> [flags…]     progjar --help     <role> [flags…]
deno=${PREFIX}/bin/deno
js=${PREFIX}/lib/progjar.js
state=\${TMPDIR:-/tmp}/progjar-$(id -u)
loader=

${installedServeRefusal(machine)}

${records.send}

${dispatchScript(builtRoles(), records)}`;
}

/** `install.sh`: installs into PREFIX, links the roles; `--uninstall` undoes it. */
function installScript(target: Target, denoVersion: string): string {
  const commands = [
    ...builtRoles().map((role) => role.name),
    "progjar",
    "progjar-send",
  ];
  return `#!/bin/sh
# Installs progjar (every lab role, Deno ${denoVersion}) on a musl host such as stock
# Alpine: ${PREFIX}/ and one command per role in \${BINDIR:-/usr/local/bin}.
# glibc's loader and the libraries deno needs go to ${PREFIX}/glibc, which only
# ${PREFIX}/bin/deno reads (its ELF interpreter and RPATH point there). Nothing
# of musl is touched: /lib, /usr/lib, /lib64 and /etc/ld-musl-* stay as they are.
#   sh install.sh                 install (as root; busybox sh is enough)
#   sh install.sh --uninstall     remove ${PREFIX} and the role commands
#   sh install.sh --move          move progjar/ into place instead of copying it
#                                 (the served install.sh: no second copy on disk)
set -eu
PREFIX=${PREFIX}
BINDIR=\${BINDIR:-/usr/local/bin}
COMMANDS="${commands.join(" ")}"

say() { echo "install.sh: $*"; }
fail() {
  echo "install.sh: error: $*" >&2
  exit 1
}

ours() { [ "$(readlink "$1" 2>/dev/null)" = "$PREFIX/bin/progjar" ]; }

if [ "\${1:-}" = --uninstall ]; then
  for name in $COMMANDS; do
    if ours "$BINDIR/$name"; then rm -f "$BINDIR/$name"; fi
  done
  rm -rf "$PREFIX"
  say "removed $PREFIX and its commands in $BINDIR"
  exit 0
fi
move=
if [ "\${1:-}" = --move ]; then
  move=1
  shift
fi
[ $# -eq 0 ] || fail "usage: sh install.sh [--uninstall | --move]"

machine=$(uname -m)
[ "$machine" = ${target.machine} ] || fail "this pack is for ${target.machine}; this host is $machine"
here=$(cd "$(dirname "$0")" && pwd)
[ -f "$here/progjar/bin/deno" ] || fail "progjar/ not found next to install.sh: unpack the whole .tar.gz first"
mkdir -p "$(dirname "$PREFIX")" 2>/dev/null && [ -w "$(dirname "$PREFIX")" ] ||
  fail "cannot write $(dirname "$PREFIX"): run as root"

# A copy cut short (a full disk, Ctrl+C) never stays: only a complete
# $PREFIX.new replaces $PREFIX.
trap 'rm -rf "$PREFIX.new"' EXIT
trap 'exit 130' INT TERM
rm -rf "$PREFIX.new"
if [ -n "$move" ]; then
  mv "$here/progjar" "$PREFIX.new"
else
  cp -Rp "$here/progjar" "$PREFIX.new" || fail "could not copy into $PREFIX.new (disk full?)"
fi
rm -rf "$PREFIX"
mv "$PREFIX.new" "$PREFIX"
trap - EXIT INT TERM

mkdir -p "$BINDIR"
for name in $COMMANDS; do
  if [ -e "$BINDIR/$name" ] || [ -L "$BINDIR/$name" ]; then
    ours "$BINDIR/$name" || { say "skipped $BINDIR/$name: it exists and is not ours"; continue; }
  fi
  ln -sf "$PREFIX/bin/progjar" "$BINDIR/$name"
done

if ! version=$("$PREFIX/bin/deno" --version 2>&1); then
  fail "deno does not start: $version"
fi
[ -r /proc/self/exe ] || say "warning: /proc is not mounted; deno needs it (mount -t proc proc /proc)"
say "installed $(echo "$version" | head -n 1) and the roles into $PREFIX"
say "commands in $BINDIR: $COMMANDS"
say "check: progjar --help"
`;
}

/** What `deno task alpine-pack --help` prints. */
const USAGE =
  `alpine-pack: build dist/progjar-alpine-<machine>.tar.gz: Deno with its own
glibc, the roles and an install.sh for stock Alpine (installs to /opt/progjar)

Usage:
  deno task alpine-pack [--target x86_64|aarch64]… [--out DIR]

Flags:
  --target M  build for this machine; repeat for several (default: x86_64)
  --out DIR   where to write the files (default: dist)

On the VM, as root: tar -xzf progjar-alpine-x86_64.tar.gz && sh progjar-alpine-x86_64/install.sh`;

if (import.meta.main) {
  await runTool("alpine-pack", async () => {
    const { targets, outDir } = parseBuildArgs(Deno.args, ["x86_64"]);
    const bundle = await buildBundle({ outDir });
    const paths = [bundle];
    for (const target of targets) {
      paths.push(await buildAlpinePack(target, { outDir, bundle }));
    }
    reportSizes(paths);
  }, { usage: USAGE });
}
