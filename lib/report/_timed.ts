/**
 * A process's records with the time each was read, and the small readers
 * every model of the report uses.
 *
 * @module
 */

import type { ProcessResult } from "../results/results.ts";

/** One record of a role's output and when it was read. */
export interface TimedRecord {
  /** The JSON record. */
  record: Record<string, unknown>;
  /** Milliseconds from the scenario's start. */
  ms: number;
}

/** A role's JSON records with their times (human lines left out). */
export function timedRecords(p: ProcessResult): TimedRecord[] {
  const out: TimedRecord[] = [];
  for (const [i, line] of p.stdout.entries()) {
    if (!line.startsWith("{")) continue;
    try {
      const record = JSON.parse(line);
      if (record !== null && typeof record === "object") {
        out.push({ record, ms: p.stdoutMs?.[i] ?? p.startedMs });
      }
    } catch {
      // not a record
    }
  }
  return out;
}

/**
 * A role without its `:batch` suffix: the batch path of a role is the same
 * role to the report (same records, same picture).
 */
export function baseRole(role: string): string {
  return role.replace(/:batch$/, "");
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value)
    ? value
    : undefined;
}
