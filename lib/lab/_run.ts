/**
 * Internal: `lab run`, the sequence of a practicum: the lab up (if it is
 * not), each scenario run and its tables printed, the lab down (if built
 * for the run), the report written, whatever happened in between.
 *
 * @module
 */

import { EXIT_FAILURE, EXIT_OK, RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import {
  checkLabPrivileges,
  labDown,
  labStatus,
  sameNetwork,
  stateOf,
} from "../net/netns.ts";
import { failureExcerpts, outcomeLine } from "./report.ts";
import { type Cover, coverOf } from "../report/model.ts";
import { checkReport, writeReport } from "../report/write.ts";
import {
  pickScenarios,
  runScenario,
  type ScenarioResult,
} from "../scenario/scenario.ts";
import {
  formatTable,
  sequenceNotes,
  summaryTables,
} from "../results/summary.ts";
import { reachModel, reachTable, reachTitle } from "../results/reach.ts";
import { scenarioDescription, type Topology } from "../scenario/topology.ts";
import { type Ui, up, withInterrupt } from "./_session.ts";
import {
  attachWire,
  CAPTURE_AFTER_MS,
  captureTargets,
  checkRunCapture,
  runCaptureDir,
  startRunCapture,
  stopRunCapture,
} from "./_capture.ts";
import type { HostCapture } from "../wire/capture.ts";

/** What `lab run` runs: the scenarios `wanted` (or `--all`) of `topology`. */
export interface RunOptions {
  topology: Topology;
  /** Scenario names given as operands. */
  wanted: string[];
  /** `--all`: every scenario of the file. */
  all?: boolean;
  /** `--report`: where to write the report, if anywhere. */
  report?: string;
  /** `--student`, `--nim`, `--kelas`: the cover (over the file's `student:`). */
  cover?: Cover;
  /** `--keep`: leave a lab built for the run up. */
  keep?: boolean;
  /** The language of the lines and the report. */
  lang: Lang;
  /** `--capture DIR`, if given. */
  capture?: string;
  /** `--no-capture`. */
  noCapture?: boolean;
}

/**
 * `lab run`: brings the lab up if needed, runs the scenarios one after the
 * other, takes down what it built and writes the report; resolves to the
 * exit code.
 */
export async function run(ui: Ui, options: RunOptions): Promise<number> {
  const { topology, wanted, lang } = options;
  const { out, text, name } = ui;
  const scenarios = pickScenarios(topology, wanted, options.all === true);
  const reportPath = options.report;
  if (reportPath !== undefined) {
    // Find out now, not after the run, that the report cannot be written.
    await checkReport(reportPath);
  }
  const date = new Date();
  await checkLabPrivileges();
  // Before anything is built: an asked-for capture needs tcpdump.
  const where = runCaptureDir({ ...options, report: reportPath });
  const capturing = await checkRunCapture(ui, where, lang);
  return await withInterrupt(ui, async (signal) => {
    const before = await labStatus(name);
    if (
      before.up && before.state &&
      !sameNetwork(before.state, stateOf(topology, name))
    ) {
      throw new RuntimeError({
        en:
          `lab "${name}" is up with other hosts or root file systems (from ${before.state.file}); take it down first: ${
            ui.hint("down")
          }`,
        id:
          `lab "${name}" menyala dengan host atau root file system lain (dari ${before.state.file}); matikan dulu: ${
            ui.hint("down")
          }`,
      });
    }
    let builtHere = false;
    if (!before.up) {
      await up(ui, { topology, signal, hint: false });
      builtHere = true;
    }
    const state = builtHere ? (await labStatus(name)).state : before.state;
    // The report says how the routers forwarded multicast.
    const modes = new Map(
      (state?.routers ?? []).map((r) => [r.name, r.multicast]),
    );
    const lab: Topology = topology.routers
      ? {
        ...topology,
        routers: topology.routers.map((r) => ({
          ...r,
          ...(modes.get(r.name) ? { multicast: modes.get(r.name) } : {}),
        })),
      }
      : topology;
    const results: ScenarioResult[] = [];
    let captures: HostCapture[] = [];
    // Every host's interface and, on a lab with routers, every router's.
    const targets = capturing
      ? captureTargets(state ?? stateOf(topology, name))
      : [];
    try {
      if (capturing) {
        captures = await startRunCapture(ui, targets, {
          dir: where!.dir,
          lang,
        });
      }
      for (const scenario of scenarios) {
        if (signal.aborted) break;
        out.line("");
        const description = scenarioDescription(scenario, lang);
        out.line(
          out.style(
            "bold",
            `== ${scenario.name}${description ? `: ${description}` : ""}`,
          ),
        );
        const result = await runScenario(topology, scenario, {
          lab: name,
          lang,
          signal,
          onProgress: (line) => out.line(out.style("dim", `  ${line}`)),
        });
        results.push(result);
        printResult(out, result, { lang, topology });
      }
    } finally {
      const notRun = signal.aborted
        ? scenarios.slice(results.length).map((s) => s.name)
        : [];
      if (notRun.length > 0) out.line(text.notRun(notRun.join(", ")));
      // The captures end before the lab (which would stop them unfinished).
      const files = captures.length > 0
        ? await stopRunCapture(ui, captures, { targets, lang })
        : [];
      try {
        if (builtHere && (options.keep !== true || signal.aborted)) {
          await labDown(name);
          out.line(text.takenDown(name));
        }
      } finally {
        // Whatever happened, the report holds what ran.
        if (reportPath !== undefined) {
          await attachWire(
            results,
            files,
            Object.fromEntries(topology.hosts.map((h) => [h.name, h.address])),
            {
              beforeMs: 0,
              afterMs: CAPTURE_AFTER_MS,
              sequential: true,
              ...(topology.segments
                ? { segments: topology.segments.map((s) => s.name) }
                : {}),
            },
          );
          const cover = coverOf(topology.student, options.cover);
          await writeReport(
            reportPath,
            { topology: lab, results, lab: name, notRun },
            { lang, cover, date },
          );
          out.line(text.report(reportPath));
        }
      }
    }
    const ok = !signal.aborted && results.every((r) => r.ok);
    out.record({
      type: "done",
      ok,
      scenarios: results.length,
      ...(signal.aborted ? { interrupted: true } : {}),
    });
    return ok ? EXIT_OK : EXIT_FAILURE;
  });
}

function printResult(
  out: Output,
  result: ScenarioResult,
  { lang, topology }: { lang: Lang; topology: Topology },
): void {
  const tables = summaryTables(result, lang).map(formatTable);
  out.line(tables.join("\n\n"));
  // A TTL experiment: who got which TTL, as one table.
  const reach = reachModel(result, topology);
  if (reach) {
    out.line(
      ["", reachTitle(reach, lang), formatTable(reachTable(reach, lang))]
        .join("\n"),
    );
  }
  const notes = sequenceNotes(result, lang);
  if (notes.length > 0) out.line(["", ...notes].join("\n"));
  // Interrupted, the roles' unmet checks say only that they were cut short.
  const excerpts = result.interrupted
    ? []
    : failureExcerpts(result, undefined, { lang });
  if (excerpts.length > 0) {
    out.line(["", ...excerpts.map((l) => out.style("red", l))].join("\n"));
  }
  const verdict = outcomeLine(result, lang);
  out.line(out.style(result.ok ? "green" : "red", verdict));
  out.record({
    type: "result",
    ...result,
    processes: result.processes.map((
      { stdout, stdoutMs: _, transcript, ...rest },
    ) => ({
      ...rest,
      // The record keeps the English details (`detailId` is for people).
      checks: rest.checks.map(({ detailId: _, ...check }) => check),
      outputLines: stdout.length,
      transcriptLines: transcript.length,
    })),
  });
  out.flush();
}
