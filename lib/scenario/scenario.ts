/**
 * Running a scenario in a lab: start each step's role on its hosts in order
 * (`ip netns exec <host> deno run <the role's permissions> <entry> --json …`),
 * wait for "listening" records where the scenario says so, type input, stop
 * the long-running roles at the end, and check each host's summary. The
 * steps themselves (start, input, settle, stop) are in `_steps.ts`.
 *
 * @module
 */

import { join } from "node:path";
import { RuntimeError, UsageError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { findRole } from "../roles.ts";
import { shellLine } from "../cli/shell_line.ts";
import {
  aborted,
  abortMessage,
  pause,
  ROOT,
  type Running,
  settle,
  start,
  stopAll,
  typeInput,
  waitWordId,
} from "./_steps.ts";
import { checksOf, type Hops } from "./checks.ts";
import { routersBetween } from "../net/routes.ts";
import { hasRoleCommand, ROOTFS_HINT } from "../net/rootfs.ts";
import type { Scenario, Topology } from "./types.ts";

import type { ProcessResult, ScenarioResult } from "../results/results.ts";
export type { ProcessResult, ScenarioResult };

/** Options for {@linkcode runScenario}. */
export interface RunOptions {
  /** The lab's name (it must be up). */
  lab: string;
  /** The language of the roles' messages (unless a step sets `lang`). */
  lang?: Lang;
  /** Aborting (Ctrl+C) stops every role and ends the run. */
  signal?: AbortSignal;
  /** Called with a line of progress, e.g. `alpine-2: broadcast-receiver started`. */
  onProgress?: (line: string) => void;
}

/**
 * Runs `scenario` in a lab that is up and returns what every role did.
 * Never leaves a role running: on failure, timeout or abort each is stopped.
 */
export async function runScenario(
  topology: Topology,
  scenario: Scenario,
  options: RunOptions,
): Promise<ScenarioResult> {
  const started = Date.now();
  const progress = options.onProgress ?? (() => {});
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort("timeout"),
    scenario.timeoutMs,
  );
  const onAbort = () => controller.abort("interrupted");
  options.signal?.addEventListener("abort", onAbort);
  const signal = controller.signal;
  const running: Running[] = [];
  const hops: Hops = (from, to) => routersBetween(topology, from, to)?.length;
  let error: string | undefined;
  try {
    checkEntries(topology, scenario);
    for (const [index, step] of scenario.steps.entries()) {
      await pause(step.afterMs, signal);
      if (step.kind === "input") {
        await typeInput(running, step, {
          topology,
          lang: options.lang,
          progress,
        });
        continue;
      }
      const group = step.hosts.map((host) =>
        start(topology, step, { index, host, started, ...options })
      );
      running.push(...group);
      for (const r of group) {
        progress(`${r.host}: ${shellLine([step.role, ...r.args])}`);
        await r.proc.type(r.input);
        if (step.stop === "self") {
          await r.proc.closeInput();
          r.ended.input = r.input.length > 0;
        }
      }
      if (step.wait) {
        await Promise.all(
          group.map((r) => r.proc.waitForRecord(step.wait!, signal)),
        );
        progress(
          `${step.hosts.join(", ")}: ${
            options.lang === "id" ? waitWordId(step.wait) : step.wait
          }`,
        );
      }
    }
    // The roles that end by themselves: wait for them.
    await Promise.race([
      Promise.all(
        running.filter((r) => r.step.stop === "self").map((r) => r.proc.done),
      ),
      aborted(signal),
    ]);
    if (signal.aborted) throw abortMessage(signal);
    await settle(running, { lingerMs: scenario.lingerMs, signal, hops });
  } catch (err) {
    const lang = options.lang ?? "en";
    error = err instanceof RuntimeError || err instanceof UsageError
      ? err.text[lang]
      : err instanceof Error
      ? err.message
      : String(err);
    // After Ctrl+C whatever failed next (a wait, a role stopped early) is
    // its consequence: the verdict is the interruption itself.
    if (
      signal.aborted &&
      (signal.reason === "interrupted" || !(err instanceof RuntimeError))
    ) {
      error = abortMessage(signal).text[lang];
    }
    if (signal.reason === "timeout") {
      const waiting = running.filter((r) => !r.proc.end).map((r) =>
        `${r.host} ${r.step.role}`
      );
      const still = lang === "id" ? "masih berjalan" : "still running";
      error = `${error} (${scenario.timeoutMs / 1000} s)${
        waiting.length > 0 ? `; ${still}: ${waiting.join(", ")}` : ""
      }`;
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    await stopAll(running);
  }
  const processes = running.map((r) => result(r, running, { started, hops }));
  const interrupted = signal.reason === "interrupted";
  return {
    scenario: scenario.name,
    description: scenario.description,
    lab: options.lab,
    ok: !interrupted && error === undefined && processes.every((p) => p.ok),
    error,
    ...(interrupted ? { interrupted } : {}),
    durationMs: Date.now() - started,
    startedAt: started,
    processes,
  };
}

function checkEntries(topology: Topology, scenario: Scenario): void {
  for (const step of scenario.steps) {
    if (step.kind !== "start") continue;
    const role = findRole(step.role)!;
    for (const name of step.hosts) {
      const rootfs = topology.hosts.find((h) => h.name === name)?.rootfs;
      const installed = role.name.replace(/:batch$/, "");
      if (rootfs !== undefined && !hasRoleCommand(rootfs, installed)) {
        throw new RuntimeError({
          en:
            `${step.where}: role ${installed} is not installed in ${rootfs} (${ROOTFS_HINT})`,
          id:
            `${step.where}: peran ${installed} tidak terpasang di ${rootfs} (buat dengan: sudo deno task alpine-rootfs)`,
        });
      }
    }
    try {
      Deno.statSync(join(ROOT, role.entry));
    } catch {
      throw new RuntimeError({
        en:
          `${step.where}: role ${role.name} is not built yet (${role.entry} is missing)`,
        id:
          `${step.where}: peran ${role.name} belum dibangun (${role.entry} tidak ada)`,
      });
    }
  }
}

function result(
  r: Running,
  all: Running[],
  { started, hops }: { started: number; hops: Hops },
): ProcessResult {
  const summary = r.proc.records.findLast((rec) => rec.type === "summary");
  const checks = checksOf(r, { summary, all, hops });
  return {
    host: r.host,
    address: r.address,
    role: r.step.role,
    step: r.index,
    args: r.args,
    command: r.command,
    typed: r.typed,
    ...(r.rootfs === undefined ? {} : { rootfs: r.rootfs }),
    input: r.input,
    startedMs: r.startedMs,
    code: r.proc.end?.code ?? null,
    signal: r.proc.end?.signal ?? null,
    stopped: r.stopped,
    endKeys: [
      ...(r.ended.input ? ["Ctrl+D"] : []),
      ...(r.ended.signal ? ["Ctrl+C"] : []),
    ],
    stdout: r.proc.lines,
    stdoutMs: r.proc.lineTimes.map((t) => t - started),
    dropped: r.proc.dropped,
    transcript: r.proc.text,
    transcriptOmitted: r.proc.textDropped,
    stderr: r.proc.stderr,
    summary,
    checks,
    ok: checks.every((c) => c.ok),
  };
}

/**
 * The scenarios of `topology` that `lab run` runs: those named in `wanted`,
 * or every one with `all`. Throws a {@linkcode UsageError} for a name it
 * does not have.
 */
export function pickScenarios(
  topology: Topology,
  wanted: string[],
  all: boolean,
): Scenario[] {
  const known = topology.scenarios.map((s) => s.name).join(", ");
  if (all && wanted.length > 0) {
    throw new UsageError({
      en: "give scenario names or --all, not both",
      id: "beri nama skenario atau --all, jangan keduanya",
    });
  }
  if (all) {
    if (topology.scenarios.length === 0) {
      throw new UsageError({
        en: `${topology.file} has no scenarios`,
        id: `${topology.file} tidak punya skenario`,
      });
    }
    return topology.scenarios;
  }
  if (wanted.length === 0) {
    throw new UsageError({
      en: `run needs a scenario name or --all (scenarios: ${known})`,
      id: `run perlu nama skenario atau --all (skenario: ${known})`,
    });
  }
  return wanted.map((name) => {
    const scenario = topology.scenarios.find((s) => s.name === name);
    if (!scenario) {
      throw new UsageError({
        en: `unknown scenario "${name}" (scenarios: ${known})`,
        id: `skenario "${name}" tidak dikenal (skenario: ${known})`,
      });
    }
    return scenario;
  });
}
