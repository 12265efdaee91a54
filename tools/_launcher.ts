/**
 * The POSIX `sh` launcher shared by the self-extracting program
 * (`deno task pack`) and the Alpine pack (`deno task alpine-pack`). It picks
 * the role from the program's name (a symlink `udp-server -> progjar`) or
 * its first argument, and runs the bundle with that role's permissions from
 * `lib/roles.ts`, so each role gets only what it needs even though one file
 * holds them all. busybox `sh` is enough.
 *
 * @module
 */

import type { Role } from "../lib/roles.ts";
import { ToolError } from "./_common.ts";

/** Flags the launcher adds for every role: no config file lookup, no prompts. */
export const LAUNCHER_FLAGS = ["--no-config", "--no-prompt"];

/**
 * `role_flags ROLE`: prints the role's `deno run` flags, or fails for a name
 * that is not a role. One `case` arm per role, generated from the table.
 */
export function roleFlagsFunction(roles: readonly Role[]): string {
  const arms = roles.map((role) => {
    for (const flag of role.permissions) {
      // The flags are split on spaces by the shell: keep them plain.
      if (!/^[A-Za-z0-9=,\/._-]+$/.test(flag)) {
        throw new ToolError(
          `role ${role.name}: flag "${flag}" is not shell-safe`,
        );
      }
    }
    return `    ${role.name}) echo '${role.permissions.join(" ")}' ;;`;
  });
  return [
    "# Each role's deno permissions, from lib/roles.ts (nothing broader).",
    "role_flags() {",
    '  case "$1" in',
    ...arms,
    "    *) return 1 ;;",
    "  esac",
    "}",
  ].join("\n");
}

/**
 * The dispatch and `exec` part of a launcher. Expects `$deno` (the deno
 * binary), `$js` (the bundle) and optionally `$loader` and `$libs` (a glibc
 * loader and library directory to start deno through) to be set, and
 * `$state` (a writable directory for DENO_DIR when HOME is unset).
 */
export function dispatchScript(roles: readonly Role[]): string {
  return `${roleFlagsFunction(roles)}

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

# deno keeps its caches in DENO_DIR, else under HOME; one of them must exist.
if [ -z "\${DENO_DIR:-}" ] && [ -z "\${HOME:-}" ]; then
  DENO_DIR=$state/deno
  export DENO_DIR
fi
DENO_NO_UPDATE_CHECK=1
export DENO_NO_UPDATE_CHECK
set -f
if [ -n "\${loader:-}" ]; then
  exec "$loader" --library-path "$libs" "$deno" run ${
    LAUNCHER_FLAGS.join(" ")
  } $flags "$js" \${role:+"$role"} "$@"
fi
exec "$deno" run ${LAUNCHER_FLAGS.join(" ")} $flags "$js" \${role:+"$role"} "$@"
`;
}
