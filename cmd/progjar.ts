/**
 * progjar: the multi-call program. One file holds every role of the table
 * in `lib/roles.ts`, so one copy serves a whole lab VM:
 *
 * - `progjar <role> [flags…]`, e.g. `progjar broadcast-receiver --port 5005`;
 * - or under a role's name (a symlink, hard link or copy named
 *   `udp-server` runs udp-server);
 * - `progjar --help` lists the roles;
 * - `progjar serve` hands out the packs over HTTP (`cmd/serve.ts`);
 * - `progjar send` (`progjar-send`) takes a VM's recorded runs back to the
 *   serve that installed it (`cmd/send.ts`).
 *
 * The bundle (`deno task bundle`) is this file with everything it imports;
 * `deno run <the role's permissions> progjar.js <role> …` runs a role.
 *
 * @module
 */

import process from "node:process";
import { type RoleModule, runMulticall } from "../lib/cli/multicall.ts";
import { ROLE_MODULES } from "./_roles_index.ts";
import * as send from "./send.ts";
import * as serve from "./serve.ts";

/** Options for {@linkcode main}. */
export interface ProgjarOptions {
  /**
   * The name the program was started under (`argv[0]`); a role's name picks
   * that role. Defaults to the process's `argv[0]`.
   */
  programName?: string;
  /** The roles to choose from; defaults to every role in this build, `serve` and `send`. */
  modules?: Readonly<Record<string, RoleModule>>;
}

const TEXT = {
  en: {
    usage: "usage: progjar <role> [flags…]   (or run it under a role's name)",
    roles: "roles:",
    more: "progjar <role> --help shows a role's flags.",
    unknown: (name: string, names: string) =>
      `unknown role "${name}" (roles: ${names})`,
    guess: (name: string, role: string) =>
      `unknown role "${name}" (did you mean ${role}?)`,
  },
  id: {
    usage:
      "pemakaian: progjar <peran> [flag…]   (atau jalankan dengan nama peran)",
    roles: "peran:",
    more: "progjar <peran> --help menampilkan flag sebuah peran.",
    unknown: (name: string, names: string) =>
      `peran "${name}" tidak dikenal (peran: ${names})`,
    guess: (name: string, role: string) =>
      `peran "${name}" tidak dikenal (maksudnya ${role}?)`,
  },
};

/**
 * Picks the role from the program's name or the first argument and runs it;
 * resolves to the exit code. Unknown roles are a usage error (exit 2).
 */
export function main(
  args: string[],
  options: ProgjarOptions = {},
): Promise<number> {
  return runMulticall(args, {
    modules: options.modules ?? { ...ROLE_MODULES, serve, send },
    text: TEXT,
    programName: options.programName ?? process.argv0 ?? "",
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
