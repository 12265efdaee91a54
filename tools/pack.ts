/**
 * `deno task pack`: "drop one file on the VM and run it" without a denort.
 * Writes `dist/progjar-<machine>-linux`: a POSIX `sh` script followed by a
 * gzip'd tar of the deno binary, the bundle (`dist/progjar.js`) and, so that
 * it also runs on musl hosts such as stock Alpine, the glibc loader and the
 * libraries deno needs. The first run unpacks it once into
 * `${XDG_CACHE_HOME:-$HOME/.cache}/progjar/<id>` (else
 * `${TMPDIR:-/tmp}/progjar-<uid>/<id>`); every run then starts deno through
 * the bundled loader with the role's permissions from `lib/roles.ts`.
 * busybox `sh`, `tail`, `gzip` and `tar` are enough.
 *
 * Usage: `deno task pack [--target x86_64|aarch64]… [--out DIR]`
 * (default: both targets; aarch64 fetches Deno's arm64 build from npm).
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
  TARGETS,
  ToolError,
} from "./_common.ts";
import { dispatchScript, LAUNCHER_FLAGS } from "./_launcher.ts";
import { SERVE_PERMISSIONS } from "../lib/roles.ts";
import { denoFor, glibcFor } from "./_runtime.ts";

/** Options for {@linkcode buildPack}. */
export interface PackOptions {
  /** The output directory; `dist/` by default. */
  outDir?: string;
  /** The bundle to pack; built when absent. */
  bundle?: string;
}

/** What {@linkcode buildPack} wrote. */
export interface PackResult {
  /** The self-extracting program. */
  path: string;
  /** The deno version inside. */
  denoVersion: string;
  /** Whether the glibc loader and libraries are inside (runs on musl hosts). */
  glibc: boolean;
}

/** Writes the self-extracting program for `target`. */
export async function buildPack(
  target: Target,
  options: PackOptions = {},
): Promise<PackResult> {
  const outDir = options.outDir ?? DIST_DIR;
  const bundle = options.bundle ?? await buildBundle({ outDir });
  const deno = await denoFor(target);
  const glibc = await glibcFor(deno.path, target);

  const stage = await Deno.makeTempDir({ prefix: "progjar-pack-" });
  try {
    await Deno.copyFile(deno.path, `${stage}/deno`);
    await Deno.chmod(`${stage}/deno`, 0o755);
    await Deno.copyFile(bundle, `${stage}/progjar.js`);
    if (glibc) {
      await Deno.mkdir(`${stage}/glibc`);
      for (const file of glibc.files) {
        await Deno.copyFile(file.source, `${stage}/glibc/${file.name}`);
        await Deno.chmod(`${stage}/glibc/${file.name}`, 0o755);
      }
    }
    const payload = `${stage}.tar.gz`;
    await mustRun("sh", [
      "-c",
      'tar -C "$1" --owner=0 --group=0 --numeric-owner -cf - . | gzip -6 > "$2"',
      "sh",
      stage,
      payload,
    ], { timeoutMs: 600_000 });
    const data = await Deno.readFile(payload);
    await Deno.remove(payload);
    const digest = new Uint8Array(
      await crypto.subtle.digest("SHA-256", data),
    );
    const hash = Array.from(
      digest.slice(0, 8),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const id = `${deno.version}-${hash}`;
    const header = packHeader({
      id,
      machine: target.machine,
      denoVersion: deno.version,
      loader: glibc?.loader,
    });
    const path = `${outDir}/progjar-${target.machine}-linux`;
    const file = await Deno.open(`${path}.tmp`, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o755,
    });
    await file.write(new TextEncoder().encode(header));
    let written = 0;
    while (written < data.length) {
      written += await file.write(data.subarray(written));
    }
    file.close();
    await Deno.chmod(`${path}.tmp`, 0o755);
    await Deno.rename(`${path}.tmp`, path);
    return { path, denoVersion: deno.version, glibc: glibc !== undefined };
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

/** What the header needs to know. */
interface HeaderFacts {
  id: string;
  machine: string;
  denoVersion: string;
  loader?: string;
}

/**
 * The script in front of the payload. `PJ_SKIP` is the payload's first byte
 * (for `tail -c +N`); it is padded to a fixed width so the header's length
 * does not depend on it.
 */
function packHeader(facts: HeaderFacts): string {
  const render = (skip: string) =>
    `#!/bin/sh
# progjar for ${facts.machine} Linux, glibc or musl (stock Alpine): every lab role
# with Deno ${facts.denoVersion}. A shell script followed by a gzip'd tar; the first run
# unpacks it once into a cache directory (about 100 MB).
#   ./progjar-${facts.machine}-linux <role> [flags…]     ./progjar-${facts.machine}-linux --help
#   ln -s progjar-${facts.machine}-linux udp-server      (then: ./udp-server …)
PJ_ID=${facts.id}
PJ_SKIP=${skip}
PJ_MACHINE=${facts.machine}

pj_fail() {
  echo "progjar: error: $*" >&2
  exit 1
}

case "$(uname -m)" in
  "$PJ_MACHINE") ;;
  *) pj_fail "this file is for $PJ_MACHINE; this host is $(uname -m)" ;;
esac

self=$0
[ -r "$self" ] || pj_fail "cannot read myself ($self); run it by its path"

# The cache: under XDG_CACHE_HOME or HOME, else a private directory in /tmp.
state=
if [ -n "\${XDG_CACHE_HOME:-}" ]; then
  state=$XDG_CACHE_HOME/progjar
elif [ -n "\${HOME:-}" ]; then
  state=$HOME/.cache/progjar
fi
if [ -z "$state" ] || ! mkdir -p "$state" 2>/dev/null || [ ! -w "$state" ]; then
  state=\${TMPDIR:-/tmp}/progjar-$(id -u)
  mkdir -p -m 700 "$state" 2>/dev/null || pj_fail "cannot create $state"
  [ -O "$state" ] && [ ! -L "$state" ] || pj_fail "$state is not mine; remove it"
fi

dir=$state/$PJ_ID
if [ ! -f "$dir/.complete" ]; then
  tmp=$state/.unpack.$$
  rm -rf "$tmp"
  mkdir -p "$tmp" || pj_fail "cannot create $tmp"
  if ! tail -c +$PJ_SKIP "$self" | gzip -dc | tar -xf - -C "$tmp"; then
    rm -rf "$tmp"
    pj_fail "could not unpack into $state (about 100 MB needed)"
  fi
  : > "$tmp/.complete"
  # Runs started together each unpack; the first to finish wins. The
  # directory only ever appears complete (moved in whole) and is never
  # removed, since another run may be using it. A loser's mv lands inside it.
  [ -f "$dir/.complete" ] || mv "$tmp" "$dir" 2>/dev/null || :
  rm -rf "$tmp" "$dir/\${tmp##*/}"
  [ -f "$dir/.complete" ] || pj_fail "$dir is incomplete: remove it and try again"
fi

deno=$dir/deno
js=$dir/progjar.js
${
      facts.loader
        ? `# Start deno through the glibc loader inside: works on musl hosts and needs
# nothing from the host's libc.
loader=$dir/glibc/${facts.loader}
libs=$dir/glibc
unset LD_LIBRARY_PATH LD_PRELOAD`
        : `# No glibc inside this one: the host must provide glibc (not stock Alpine).
loader=`
    }

${serveScript()}
${dispatchScript(builtRoles())}exit 1
`;
  const width = 12;
  const probe = render("0".repeat(width));
  const skip = String(new TextEncoder().encode(probe).length + 1).padStart(
    width,
    "0",
  );
  const header = render(skip);
  if (header.length !== probe.length) throw new ToolError("header length");
  return header;
}

/**
 * `progjar serve`: hands out this file and what sits next to it (the
 * Alpine pack, the bundle) over HTTP, with read access to that directory
 * only; nothing is built here. What the VMs send back goes to `records/`
 * next to it (or `--records DIR`), the one directory it may write.
 */
function serveScript(): string {
  for (const flag of SERVE_PERMISSIONS) {
    if (!/^[A-Za-z0-9=,\/._-]+$/.test(flag)) {
      throw new ToolError(`serve: flag "${flag}" is not shell-safe`);
    }
  }
  return `# progjar serve [flags…]: hands out this file and the files next to it.
if [ "\${1:-}" = serve ]; then
  shift
  here=$(cd "$(dirname "$self")" && pwd) || pj_fail "cannot find my directory"
  DENO_NO_UPDATE_CHECK=1
  export DENO_NO_UPDATE_CHECK
  if [ -z "\${DENO_DIR:-}" ] && [ -z "\${HOME:-}" ]; then
    DENO_DIR=$state/deno
    export DENO_DIR
  fi
  # The VMs' records: records/ next to this file, or --records DIR.
  records=$here/records
  prev=
  for arg in "$@"; do
    case "$arg" in --records=*) records=\${arg#--records=} ;; esac
    [ "$prev" = --records ] && records=$arg
    prev=$arg
  done
  set -- ${LAUNCHER_FLAGS.join(" ")} ${
    SERVE_PERMISSIONS.join(" ")
  } "--allow-read=$here,$records" "--allow-write=$records" "$js" serve \
    --dir "$here" --records "$records" --no-build "$@"
  if [ -n "$loader" ]; then
    exec "$loader" --library-path "$libs" "$deno" run "$@"
  fi
  exec "$deno" run "$@"
fi
`;
}

/** What `deno task pack --help` prints. */
const USAGE =
  `pack: build dist/progjar-<machine>-linux, one self-extracting file per machine
that runs every role on any Linux, stock Alpine included

Usage:
  deno task pack [--target x86_64|aarch64]… [--out DIR]

Flags:
  --target M  build for this machine; repeat for several (default: both)
  --out DIR   where to write the files (default: dist)

On the VM: ./progjar-x86_64-linux <role> [flags…], or a link named after a role.`;

if (import.meta.main) {
  await runTool("pack", async () => {
    const { targets, outDir } = parseBuildArgs(
      Deno.args,
      TARGETS.map((t) => t.machine),
    );
    const bundle = await buildBundle({ outDir });
    const paths = [bundle];
    for (const target of targets) {
      const result = await buildPack(target, { outDir, bundle });
      paths.push(result.path);
      if (!result.glibc) {
        console.error(
          `pack: note: ${result.path} has no glibc inside (no ${target.machine} libc6 on this machine): it needs a glibc host`,
        );
      }
      if (result.denoVersion !== Deno.version.deno) {
        console.error(
          `pack: note: ${result.path} holds deno ${result.denoVersion} (npm has no ${target.triple} build of ${Deno.version.deno})`,
        );
      }
    }
    reportSizes(paths);
  }, { usage: USAGE });
}
