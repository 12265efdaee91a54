/**
 * The checks of a scenario's results: each role's exit, and what its step
 * expects (`prints`, `lines`, a field of its summary compared to a number).
 *
 * @example Check a role's summary against its step's expectation
 * ```ts
 * import { type CheckedRole, checksOf } from "./checks.ts";
 *
 * const role: CheckedRole = {
 *   step: { expect: [{ field: "received", op: ">=", value: 3 }] },
 *   input: [],
 *   proc: { end: { code: 0, signal: null }, records: [], stderr: "" },
 * };
 * const summary = { type: "summary", received: 2 };
 * for (const check of checksOf(role, { summary, all: [role] })) {
 *   console.log(check.name, check.ok, check.detail);
 * }
 * // exit true 0
 * // received false 2 (wanted >=3)
 * ```
 *
 * @module
 */

import type { ChildEnd } from "../cli/child.ts";
import { plural } from "../cli/i18n.ts";
import { lastLine } from "../net/host_process.ts";
import type { Expectation, FieldExpectation } from "./types.ts";

import type { Check } from "../results/results.ts";
export type { Check };

/** A check whose detail has words: `[English, Indonesian]`. */
function worded(name: string, ok: boolean, [en, id]: [string, string]): Check {
  return en === id
    ? { name, ok, detail: en }
    : { name, ok, detail: en, detailId: id };
}

/** What the checks look at of one role on one host. */
export interface CheckedRole {
  /** The host it runs on (for `lines: reachable`). */
  host?: string;
  /** Its step, with what it expects. */
  step: { expect: Expectation[] };
  /** Lines typed into it. */
  input: string[];
  /** Its process: how it ended, its records, its standard error. */
  proc: {
    end: ChildEnd | undefined;
    records: Record<string, unknown>[];
    stderr: string;
  };
}

/** Options for {@linkcode checksOf}. */
export interface CheckOptions<R extends CheckedRole> {
  /** The role's last `summary` record, if any. */
  summary: Record<string, unknown> | undefined;
  /** Every role of the scenario (`lines` looks at what the others got typed). */
  all: R[];
  /**
   * The routers between two hosts, for `lines: reachable` (`undefined`:
   * no path). Without it every host counts as 0 routers away.
   */
  hops?: Hops;
}

/** The number of routers between two hosts; `undefined` when none joins them. */
export type Hops = (from: string, to: string) => number | undefined;

/**
 * The checks of `r`'s result: its exit, then each of its step's
 * expectations (`prints`, `lines`, the summary's fields).
 */
export function checksOf<R extends CheckedRole>(
  r: R,
  options: CheckOptions<R>,
): Check[] {
  const { summary, all, hops } = options;
  const end = r.proc.end;
  const expectedExit = r.step.expect.find((e) => e.field === "exit");
  const exitWanted = expectedExit?.field === "exit" && "op" in expectedExit
    ? expectedExit
    : { field: "exit", op: "=", value: 0 } as const;
  const checks: Check[] = [];
  if (!end) {
    checks.push(worded("exit", false, ["still running", "masih berjalan"]));
  } else if (end.signal && end.code !== 0) {
    const last = lastLine(r.proc.stderr);
    checks.push(worded("exit", false, [
      `killed by ${end.signal}${last}`,
      `dihentikan oleh ${end.signal}${last}`,
    ]));
  } else {
    const ok = compare(end.code, exitWanted.op, exitWanted.value);
    checks.push({
      name: "exit",
      ok,
      detail: ok ? String(end.code) : `${end.code}${lastLine(r.proc.stderr)}`,
    });
  }
  for (const expectation of r.step.expect) {
    if (expectation.field === "prints") {
      const text = String(expectation.value);
      const ok = textsOf(r.proc.records).some((t) => t.includes(text));
      const quoted = JSON.stringify(text);
      checks.push(
        worded(
          "prints",
          ok,
          ok ? [quoted, quoted] : [`no ${quoted}`, `tidak ada ${quoted}`],
        ),
      );
    } else if (!("op" in expectation)) {
      checks.push(linesCheck(r, all, { hops })!);
    } else if (expectation.field !== "exit") {
      checks.push(fieldCheck(expectation, summary));
    }
  }
  return checks;
}

function fieldCheck(
  expectation: FieldExpectation,
  summary: Record<string, unknown> | undefined,
): Check {
  const { field, op, value } = expectation;
  const wanted = `${op === "=" ? "" : op}${value}`;
  if (!summary) {
    return worded(field, false, [
      `no summary (wanted ${wanted})`,
      `tidak ada ringkasan (diharapkan ${wanted})`,
    ]);
  }
  const actual = summary[field];
  if (typeof actual !== "number") {
    const found = JSON.stringify(actual ?? null);
    return worded(field, false, [
      `${found} (wanted ${wanted})`,
      `${found} (diharapkan ${wanted})`,
    ]);
  }
  const ok = compare(actual, op, value);
  return ok ? { name: field, ok, detail: `${actual}` } : worded(field, ok, [
    `${actual} (wanted ${wanted})`,
    `${actual} (diharapkan ${wanted})`,
  ]);
}

function compare(actual: number, op: string, value: number): boolean {
  switch (op) {
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    default:
      return actual === value;
  }
}

/**
 * The `lines` check of `r`, or `undefined` if it has none: whether it
 * showed the lines typed into the others (`others`) or into all (`all`),
 * or exactly those its host is within reach of (`reachable`).
 */
export function linesCheck<R extends CheckedRole>(
  r: R,
  all: R[],
  options: { hops?: Hops } = {},
): Check | undefined {
  const expectation = r.step.expect.find((e) => e.field === "lines");
  if (!expectation) return undefined;
  if (expectation.value === "reachable") {
    return reachCheck(r, all, options.hops ?? (() => 0));
  }
  const wanted = all
    .filter((other) => expectation.value === "all" || other !== r)
    .flatMap((other) => other.input);
  const seen = textsOf(r.proc.records);
  const missing = wanted.filter((line) => !seen.some((t) => t.includes(line)));
  const got = `${wanted.length - missing.length}/${wanted.length}`;
  if (missing.length === 0) return { name: "lines", ok: true, detail: got };
  const first = JSON.stringify(missing[0]);
  const more = missing.length - 1;
  return worded("lines", false, [
    `${got}, missing ${first}${more > 0 ? ` and ${more} more` : ""}`,
    `${got}, kurang ${first}${more > 0 ? ` dan ${more} lagi` : ""}`,
  ]);
}

/** The TTL a sender set (its `sending` record's), if it says. */
export function senderTtl(role: CheckedRole): number | undefined {
  const sending = role.proc.records.find((rec) => rec.type === "sending");
  return typeof sending?.ttl === "number" ? sending.ttl : undefined;
}

/**
 * `lines: reachable`: every line of a sender whose TTL is more than the
 * routers between it and `r`'s host arrived, and no line of the others
 * (each router takes one off the TTL and drops the datagram at 0).
 */
function reachCheck<R extends CheckedRole>(
  r: R,
  all: R[],
  hops: Hops,
): Check {
  const seen = textsOf(r.proc.records);
  const got = (line: string) => seen.some((t) => t.includes(line));
  let wanted = 0;
  let arrived = 0;
  type Odd = { line: string; ttl: number; away: number | undefined };
  const missing: Odd[] = [];
  const beyond: Odd[] = [];
  for (const sender of all) {
    const ttl = senderTtl(sender);
    if (sender === r || ttl === undefined || sender.host === undefined) {
      continue;
    }
    const away = r.host === undefined ? 0 : hops(sender.host, r.host);
    const reaches = away !== undefined && ttl > away;
    for (const line of sender.input) {
      if (reaches) {
        wanted++;
        if (got(line)) arrived++;
        else missing.push({ line, ttl, away });
      } else if (got(line)) {
        beyond.push({ line, ttl, away });
      }
    }
  }
  const count = `${arrived}/${wanted}`;
  if (missing.length === 0 && beyond.length === 0) {
    return worded("lines", true, [
      `${count}, none beyond reach`,
      `${count}, tidak ada yang di luar jangkauan`,
    ]);
  }
  const en = (o: Odd) =>
    `${JSON.stringify(o.line)} (TTL ${o.ttl}, ${
      o.away === undefined ? "no route" : plural(o.away, "router", "routers")
    } away`;
  const id = (o: Odd) =>
    `${JSON.stringify(o.line)} (TTL ${o.ttl}, ${
      o.away === undefined ? "tanpa rute" : `${o.away} router`
    } jauhnya`;
  const parts: [string, string][] = [];
  if (missing.length > 0) {
    parts.push([`missing ${en(missing[0])})`, `kurang ${id(missing[0])})`]);
  }
  if (beyond.length > 0) {
    parts.push([
      `got ${en(beyond[0])}: beyond its reach)`,
      `mendapat ${id(beyond[0])}: di luar jangkauannya)`,
    ]);
  }
  return worded("lines", false, [
    `${count}, ${parts.map((p) => p[0]).join("; ")}`,
    `${count}, ${parts.map((p) => p[1]).join("; ")}`,
  ]);
}

function textsOf(records: Record<string, unknown>[]): string[] {
  const texts: string[] = [];
  for (const record of records) {
    for (const value of Object.values(record)) {
      if (typeof value === "string") texts.push(value);
    }
  }
  return texts;
}
