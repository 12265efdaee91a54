/**
 * Whether this system can run a lab: root (to make namespaces) and
 * iproute2's `ip`.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";
import { ip, noIp } from "./ip.ts";

/** Whether the system can run a lab, as reported by {@linkcode labPrivileges}. */
export interface Privileges {
  /** The effective user id, or `null` if unknown. */
  uid: number | null;
  /** Whether `ip` could be run. */
  ip: boolean;
}

/** Finds out whether we are root and `ip` exists. */
export async function labPrivileges(): Promise<Privileges> {
  let uid: number | null = null;
  try {
    uid = Deno.uid();
  } catch {
    // no --allow-sys=uid: treat as unknown
  }
  let hasIp = true;
  try {
    await ip(["-V"]);
  } catch {
    hasIp = false;
  }
  return { uid, ip: hasIp };
}

/**
 * Says what is missing for a lab (root, `ip`), or `undefined` when nothing
 * is. The lab needs both to create namespaces.
 */
export function privilegeProblem(privileges: Privileges): string | undefined {
  if (!privileges.ip) return noIp().message;
  if (privileges.uid !== 0) {
    return "the lab needs root to create network namespaces: run it as root (e.g. sudo deno task lab …)";
  }
  return undefined;
}

/** Throws a {@linkcode RuntimeError} unless we are root and `ip` exists. */
export async function checkLabPrivileges(): Promise<void> {
  const problem = privilegeProblem(await labPrivileges());
  if (problem) throw new RuntimeError(problem);
}
