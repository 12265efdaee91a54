/**
 * Every role's command line, by role name: what the lab checks a topology
 * file's flags against.
 *
 * @module
 */

import type { CommandSpec } from "../lib/cli/parse.ts";
import { ROLE_MODULES } from "./_roles_index.ts";

/** Each role's `SPEC`, by role name. */
export const ROLE_SPECS: Readonly<Record<string, CommandSpec>> = Object
  .fromEntries(
    Object.entries(ROLE_MODULES).map(([name, module]) => [name, module.SPEC]),
  );
