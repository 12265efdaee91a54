/**
 * The POSIX `sh` launcher shared by the self-extracting program
 * (`deno task pack`) and the Alpine pack (`deno task alpine-pack`). It picks
 * the role from the program's name (a symlink `udp-server -> progjar`) or
 * its first argument, and runs the bundle with that role's permissions from
 * `lib/roles.ts`, so each role gets only what it needs even though one file
 * holds them all. busybox `sh` is enough.
 *
 * `--io batch` (or `--io=batch`) on the command line of a UDP role that has a
 * batch path switches to that role's `:batch` row from `BATCH_ROLES`: its
 * flags add `--allow-ffi`, which no default role gets. One flag the program
 * parses anyway, rather than four more role names and links.
 *
 * @module
 */

import { VM_CONF, VM_RECORDS, VM_SEND_LOG } from "../lib/deploy/delivery.ts";
import { BATCH_ROLES, type Role, SEND_PERMISSIONS } from "../lib/roles.ts";
import { ToolError } from "./_common.ts";

/** Flags the launcher adds for every role: no config file lookup, no prompts. */
export const LAUNCHER_FLAGS = ["--no-config", "--no-prompt"];

/**
 * `role_flags ROLE`: prints the role's `deno run` flags, or fails for a name
 * that is not a role. One `case` arm per role, generated from the table.
 */
export function roleFlagsFunction(roles: readonly Role[]): string {
  return flagsFunction(roles, {
    name: "role_flags",
    comment:
      "Each role's deno permissions, from lib/roles.ts (nothing broader).",
    key: (role) => role.name,
  });
}

/**
 * `batch_flags ROLE`: prints the flags of the role's `:batch` row (its own
 * and `--allow-ffi`), or fails for a role without a batch path. Only the
 * rows whose role is among `roles` (the roles built) are listed.
 */
export function batchFlagsFunction(roles: readonly Role[]): string {
  const rows = BATCH_ROLES.filter((row) =>
    roles.some((role) => role.name === baseName(row))
  );
  return flagsFunction(rows, {
    name: "batch_flags",
    comment:
      "The :batch rows' permissions (with --allow-ffi), from lib/roles.ts.",
    key: baseName,
  });
}

/** `broadcast-receiver:batch` → `broadcast-receiver`. */
function baseName(row: Role): string {
  return row.name.replace(/:batch$/, "");
}

/** How {@linkcode flagsFunction} names the function and its arms. */
interface FlagsFunctionOptions {
  /** The shell function's name. */
  name: string;
  /** The comment above it. */
  comment: string;
  /** The `case` pattern for a row. */
  key: (role: Role) => string;
}

/** A shell function printing each row's flags for the name `key` gives it. */
function flagsFunction(
  roles: readonly Role[],
  options: FlagsFunctionOptions,
): string {
  const { name, comment, key } = options;
  const arms = roles.map((role) => {
    for (const flag of role.permissions) {
      // The flags are split on spaces by the shell: keep them plain.
      if (!/^[A-Za-z0-9=,\/._-]+$/.test(flag)) {
        throw new ToolError(
          `role ${role.name}: flag "${flag}" is not shell-safe`,
        );
      }
    }
    return `    ${key(role)}) echo '${role.permissions.join(" ")}' ;;`;
  });
  return [
    `# ${comment}`,
    `${name}() {`,
    '  case "$1" in',
    ...arms,
    "    *) return 1 ;;",
    "  esac",
    "}",
  ].join("\n");
}

/** Shell text {@linkcode dispatchScript} puts in for the VMs' records. */
export interface DispatchParts {
  /** After the role is known, before its recording's permissions. */
  record?: string;
  /** Just before deno is started (`exec`: same process id). */
  watch?: string;
}

/**
 * The dispatch and `exec` part of a launcher. Expects `$deno` (the deno
 * binary), `$js` (the bundle) and optionally `$loader` and `$libs` (a glibc
 * loader and library directory to start deno through) to be set, and
 * `$state` (a writable directory for DENO_DIR when HOME is unset).
 */
export function dispatchScript(
  roles: readonly Role[],
  parts: DispatchParts = {},
): string {
  return `${roleFlagsFunction(roles)}

${batchFlagsFunction(roles)}

# Whether the role's own flags ask for the batch path (before any "--").
wants_batch() {
  prev=
  for arg in "$@"; do
    [ "$arg" = -- ] && return 1
    [ "$arg" = --io=batch ] && return 0
    [ "$prev" = --io ] && [ "$arg" = batch ] && return 0
    prev=$arg
  done
  return 1
}

role=\${0##*/}
if flags=$(role_flags "$role"); then
  :
elif [ $# -gt 0 ] && flags=$(role_flags "$1"); then
  role=$1
  shift
else
  role=
  flags=
fi
# --io batch calls the C library through FFI: only then --allow-ffi.
if [ -n "$role" ] && wants_batch "$@" && batch=$(batch_flags "$role"); then
  flags=$batch
fi

# The receivers may run ss (iproute2) for the kernel's drop count. Where there
# is none (stock Alpine) they say "not available"; without this, deno would
# print a note about the missing program at every start.
if ! command -v ss >/dev/null 2>&1; then
  kept=
  for flag in $flags; do
    [ "$flag" = --allow-run=ss ] || kept="$kept $flag"
  done
  flags=\${kept# }
fi

${parts.record ?? ""}
# On a lab host the lab names a file to record to (lib/cli/recording.ts): the
# role may then read that variable and write that one file, nothing more. A
# path the shell would split or expand is not granted (the role says it does
# not record).
case "\${PROGJAR_RECORD:-}" in
  /*[!A-Za-z0-9/._-]*) ;;
  /*) flags="$flags --allow-env=PROGJAR_RECORD --allow-write=$PROGJAR_RECORD" ;;
esac

# deno keeps its caches in DENO_DIR, else under HOME; one of them must exist.
if [ -z "\${DENO_DIR:-}" ] && [ -z "\${HOME:-}" ]; then
  DENO_DIR=$state/deno
  export DENO_DIR
fi
DENO_NO_UPDATE_CHECK=1
export DENO_NO_UPDATE_CHECK
${parts.watch ?? ""}
set -f
if [ -n "\${loader:-}" ]; then
  exec "$loader" --library-path "$libs" "$deno" run ${
    LAUNCHER_FLAGS.join(" ")
  } $flags "$js" \${role:+"$role"} "$@"
fi
exec "$deno" run ${LAUNCHER_FLAGS.join(" ")} $flags "$js" \${role:+"$role"} "$@"
`;
}

/**
 * `progjar serve` on an installed pack: serve hands out the pack files,
 * which an installed copy does not keep (install.sh moved or copied only
 * progjar/). One line naming what serves instead, in the user's language
 * (`--lang`, else LC_ALL, LC_MESSAGES, LANG as lib/cli/i18n.ts reads them),
 * and exit 2, rather than deno's refusal of a permission. Only for the
 * Alpine pack's launcher: the self-extracting file serves itself.
 */
export function installedServeRefusal(machine: string): string {
  const en =
    `progjar: error: serve hands out the pack files, which an installed copy does not keep; ` +
    `serve from the machine that has them: deno task serve in the repository, or ./progjar-${machine}-linux serve next to progjar-alpine-${machine}.tar.gz`;
  const id =
    `progjar: galat: serve membagikan berkas paket, yang tidak disimpan oleh salinan terpasang; ` +
    `jalankan dari mesin yang punya berkasnya: deno task serve di repositori, atau ./progjar-${machine}-linux serve di samping progjar-alpine-${machine}.tar.gz`;
  return `# serve hands out the pack files, which an installed copy does not keep.
if [ "\${0##*/}" = progjar ] && [ "\${1:-}" = serve ]; then
  lang=\${LC_ALL:-\${LC_MESSAGES:-\${LANG:-}}}
  prev=
  for arg in "$@"; do
    case "$prev $arg" in
      "--lang id" | *" --lang=id") lang=id ;;
      "--lang "* | *" --lang="*) lang=en ;;
    esac
    prev=$arg
  done
  case "$lang" in
    id*) echo '${id}' >&2 ;;
    *) echo '${en}' >&2 ;;
  esac
  exit 2
fi`;
}

/**
 * The Alpine pack's launcher's part for a VM installed by serve (its
 * `install.sh` wrote `/var/lib/progjar/serve.conf`), in any shell (nothing
 * read from a profile):
 *
 * - `send`: `progjar-send` / `progjar send` with its permissions
 *   (`SEND_PERMISSIONS`) and the network of serve's address only;
 * - `record`: a role started with no `PROGJAR_RECORD` of the lab's records
 *   to a file of its own run, `/var/lib/progjar/records/pending/<run>.jsonl`
 *   (the VM's disk: a reboot keeps it), the run's id being
 *   `<UTC time>-<process id>-<random>`;
 * - `watch`: before deno is started in its place (same process id), a
 *   detached watcher that waits for that process to end, then starts
 *   `progjar send --after-run`: the role's exit is not delayed at all, and
 *   nothing goes on the network while it runs. The watcher ignores the
 *   terminal's signals (Ctrl+C of this role or the next, a closed console)
 *   and writes to `/var/lib/progjar/send.log`.
 */
export function vmRecordsParts(): Required<DispatchParts> & { send: string } {
  for (const flag of SEND_PERMISSIONS) {
    if (!/^[A-Za-z0-9=,\/._-]+$/.test(flag)) {
      throw new ToolError(`send: flag "${flag}" is not shell-safe`);
    }
  }
  const send =
    `# progjar-send (or: progjar send): this VM's recorded runs to the serve that
# installed it, with the network of serve's address only.
[ "\${0##*/}" = progjar-send ] && set -- send "$@"
if [ "\${1:-}" = send ]; then
  shift
  net=$(sed -n 's|^base=http://||p' ${VM_CONF} 2>/dev/null | head -n 1)
  case "$net" in *[!A-Za-z0-9.:-]*) net= ;; esac
  set -f
  flags="${SEND_PERMISSIONS.join(" ")}\${net:+ --allow-net=$net}"
  if [ -z "\${DENO_DIR:-}" ] && [ -z "\${HOME:-}" ]; then
    DENO_DIR=$state/deno
    export DENO_DIR
  fi
  DENO_NO_UPDATE_CHECK=1
  export DENO_NO_UPDATE_CHECK
  # Deno reads nothing of /proc/<pid> without --allow-all: the shell tells
  # which pending runs have no role running any more (its process gone, or
  # after a reboot another program's); only those may go without their end.
  stopped=
  set +f
  for f in ${VM_RECORDS}/pending/*.jsonl; do
    [ -f "$f" ] || continue
    r=\${f##*/}
    r=\${r%.jsonl}
    p=\${r#*-}
    p=\${p%%-*}
    case "$p" in '' | *[!0-9]*) continue ;; esac
    if ! kill -0 "$p" 2>/dev/null ||
      { [ -r "/proc/$p/cmdline" ] && ! tr '\\0' ' ' < "/proc/$p/cmdline" | grep -q progjar.js; }; then
      stopped="$stopped $r"
    fi
  done
  set -f
  PROGJAR_SEND_STOPPED=\${stopped# }
  export PROGJAR_SEND_STOPPED
  exec "$deno" run ${LAUNCHER_FLAGS.join(" ")} $flags "$js" send "$@"
fi`;
  const record =
    `# Installed by serve: a role records its run to a file of its own on this
# disk, which goes back to serve when the role ends (see below).
deliver=
if [ -n "$role" ] && [ -z "\${PROGJAR_RECORD:-}" ] && [ -f ${VM_CONF} ] &&
  [ -w ${VM_RECORDS}/pending ]; then
  case " $* " in
    *" --help "* | *" -h "*) ;;
    *)
      run=$(date -u +%Y%m%dT%H%M%S)-$$-$(od -An -N4 -tx4 /dev/urandom 2>/dev/null | tr -dc 0-9a-f)
      PROGJAR_RECORD=${VM_RECORDS}/pending/$run.jsonl
      export PROGJAR_RECORD
      deliver=1
      ;;
  esac
fi
`;
  const watch =
    `# The run goes to serve once this process (deno, exec'd below) has ended:
# a watcher in a session of its own, deaf to the terminal's signals.
if [ -n "$deliver" ]; then
  log=${VM_SEND_LOG}
  if [ -f "$log" ] && [ "$(wc -c < "$log")" -gt 262144 ]; then
    mv -f "$log" "$log.1"
  fi
  watch='trap "" HUP INT QUIT; while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec "$2" send --after-run'
  if command -v setsid >/dev/null 2>&1; then
    setsid sh -c "$watch" sh "$$" "$0" </dev/null >>"$log" 2>&1 &
  else
    sh -c "$watch" sh "$$" "$0" </dev/null >>"$log" 2>&1 &
  fi
fi`;
  return { send, record, watch };
}
