/**
 * The roles' command lines, loaded from their entry files, so the topology
 * file's flags can be checked against what each role accepts.
 *
 * @module
 */

import type { CommandSpec } from "../cli/parse.ts";
import { ROLES } from "../roles.ts";

const ROOT = new URL("../../", import.meta.url);

/** Imports every role that exists and returns its `SPEC` by role name. */
export async function loadRoleSpecs(): Promise<Map<string, CommandSpec>> {
  const specs = new Map<string, CommandSpec>();
  for (const role of ROLES) {
    const url = new URL(role.entry, ROOT);
    try {
      Deno.statSync(url);
    } catch {
      continue; // not built yet: its flags go unchecked
    }
    const module = await import(url.href);
    if (module.SPEC) specs.set(role.name, module.SPEC as CommandSpec);
  }
  return specs;
}
