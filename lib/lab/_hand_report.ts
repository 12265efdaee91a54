/**
 * Internal: `lab report`, the hand-in report of what was done by hand: on
 * the lab's hosts (in `lab console` or `lab exec` shells), or with
 * `--records DIR` on the course's VMs that serve installed (their runs
 * kept in serve's store). Both go the same way: the recordings read back
 * (`lib/hand/recordings.ts`), the experiments recognised and numbered
 * (false starts left out), those of the report chosen (`--only`, else the
 * last complete one of each kind), the report written; `--list` shows
 * every run and experiment.
 *
 * @module
 */

import { EXIT_OK, RuntimeError, UsageError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import {
  chooseExperiments,
  type Experiment,
  parseOnly,
  recognise,
} from "../hand/experiments.ts";
import { labUpAt, recordsDir } from "../hand/records.ts";
import { readRecordings, runsOf } from "../hand/recordings.ts";
import { vmLab } from "../hand/vm_lab.ts";
import type { LabInfo } from "../results/results.ts";
import { sequenceNotes } from "../results/summary.ts";
import type { Topology } from "../scenario/topology.ts";
import type { Ui } from "./_session.ts";
import type { Cover } from "../report/model.ts";
import { checkReport, writeReport } from "../report/write.ts";
import { clock, handList, verdict } from "./_hand_list.ts";
import { attachWire, handCaptureFiles } from "./_capture.ts";

/** What `lab report` was asked for. */
export interface HandReportOptions {
  /**
   * The topology (host addresses, the report's network section); with
   * `--records` only its cover, and it may be absent.
   */
  topology?: Topology;
  /** `--records DIR`: serve's store of the VMs' runs, if given. */
  records?: string;
  /** `--report FILE`, if given. */
  report?: string;
  /** `--since TIME`, if given. */
  since?: string;
  /** `--only N,M`, if given. */
  only?: string;
  /** `--list`. */
  list: boolean;
  /** The report's language. */
  lang: Lang;
  /** The report's cover: `--student`, `--nim`, `--kelas` over lab.yaml's `student:`. */
  cover: Cover;
}

/** `lab report`: lists the recordings or writes the report; the exit code. */
export async function handReport(
  ui: Ui,
  options: HandReportOptions,
): Promise<number> {
  const { out, name } = ui;
  const id = options.lang === "id";
  if (!options.list && options.report === undefined) {
    throw new UsageError({
      en: "report needs --report FILE (.md, .html or .pdf) or --list",
      id: "report perlu --report BERKAS (.md, .html atau .pdf) atau --list",
    });
  }
  const only = options.only === undefined ? undefined : parseOnly(options.only);
  if (options.report !== undefined) await checkReport(options.report);
  const vms = options.records !== undefined;
  const dir = options.records ?? recordsDir(name);
  if (vms) await checkStore(dir);
  const sinceMs = options.since !== undefined
    ? parseSince(options.since)
    : vms
    ? 0
    : await labUpAt(name) ?? 0;
  const recordings = await readRecordings(dir);
  const runs = runsOf(recordings, sinceMs);
  const lab: LabInfo | undefined = vms
    ? vmLab(recordings, { dir, sinceMs })
    : options.topology;
  const addresses = Object.fromEntries(
    (lab?.hosts ?? []).map((h) => [h.name, h.address]),
  );
  const found = recognise(runs, { lab: name, addresses, lang: options.lang });
  const chosen = chooseExperiments(found, only);
  if (options.list) {
    out.record({
      type: "records",
      lab: name,
      dir,
      hosts: recordings.map((r) => ({
        host: r.host,
        ...(vms ? { vm: r.id } : {}),
        entries: r.entries,
        runs: r.runs.length,
      })),
      sinceMs,
    });
    for (const e of found.experiments) {
      out.record({
        type: "experiment",
        number: e.number,
        scenario: e.scenario,
        startMs: e.startMs,
        endMs: e.endMs,
        hosts: e.hosts,
        complete: e.complete,
        ok: e.result.ok,
        report: chosen.includes(e),
      });
    }
    for (const { run, reason } of found.leftOut) {
      out.record({
        type: "left-out",
        host: run.host,
        role: run.role,
        startMs: run.startMs,
        reason,
      });
    }
    if (recordings.length === 0) {
      out.line(
        id
          ? `${where(vms, name, id)}: belum ada rekaman di ${dir}`
          : `${where(vms, name, id)}: nothing recorded yet in ${dir}`,
      );
    } else {
      for (const line of handList({ runs, found, chosen, lab }, options.lang)) {
        out.line(line);
      }
    }
    if (options.report === undefined) return EXIT_OK;
  }
  if (runs.length === 0) {
    const at = new Date(sinceMs).toISOString();
    throw new RuntimeError(
      vms
        ? {
          en:
            `${dir}: no run was delivered since ${at} (roles on the VMs send theirs to serve when they end)`,
          id:
            `${dir}: tidak ada run yang terkirim sejak ${at} (role di VM mengirimnya ke serve saat selesai)`,
        }
        : {
          en:
            `lab "${name}": no role was recorded since ${at} (start roles in lab console or a lab exec shell first)`,
          id:
            `lab "${name}": tidak ada role yang terekam sejak ${at} (jalankan dulu role di lab console atau shell lab exec)`,
        },
    );
  }
  if (chosen.length === 0) {
    throw new RuntimeError({
      en: `${where(vms, name, id)}: no complete experiment in ${runs.length} ${
        runs.length === 1 ? "run" : "runs"
      } (see --list; --only N puts experiment N in anyway)`,
      id: `${
        where(vms, name, id)
      }: tidak ada eksperimen lengkap dari ${runs.length} run (lihat --list; --only N tetap memasukkan eksperimen N)`,
    });
  }
  for (const e of chosen) {
    for (const line of chosenLines(e, options.lang)) out.line(line);
  }
  const left = found.experiments.length - chosen.length;
  if (left > 0 || found.leftOut.length > 0) {
    out.line(
      id
        ? `tidak dimasukkan: ${left} eksperimen lain, ${found.leftOut.length} run salah mulai; lihat --list`
        : `left out: ${left} other ${
          left === 1 ? "experiment" : "experiments"
        }, ${found.leftOut.length} false ${
          found.leftOut.length === 1 ? "start" : "starts"
        }; see --list`,
    );
  }
  const results = chosen.map((e) => e.result);
  if (!vms) {
    // What the hand captures hold of each experiment's time.
    await attachWire(results, await handCaptureFiles(name), addresses, {
      beforeMs: 200,
      afterMs: 1000,
      sequential: false,
      ...(lab?.segments ? { segments: lab.segments.map((s) => s.name) } : {}),
    });
  }
  await writeReport(
    options.report!,
    {
      // Without lab.yaml's scenarios: their descriptions tell the scripted
      // runs (500 datagrams, 500 ms apart), not what the student did.
      topology: lab ? { ...lab, scenarios: [] } : undefined,
      results,
      lab: name,
      notRun: [],
    },
    { lang: options.lang, cover: options.cover, date: new Date() },
  );
  out.line(id ? `laporan: ${options.report}` : `report: ${options.report}`);
  out.record({
    type: "report",
    path: options.report,
    experiments: results.map((r) => r.scenario),
    numbers: chosen.map((e) => e.number),
  });
  return EXIT_OK;
}

function where(vms: boolean, name: string, id: boolean): string {
  return vms ? (id ? "VM" : "the VMs") : `lab "${name}"`;
}

/** One experiment going into the report: its number, time, verdict and notes. */
function chosenLines(e: Experiment, lang: Lang): string[] {
  return [
    `#${e.number} ${clock(e.startMs)} ${e.scenario}: ${e.result.description} (${
      verdict(e, lang)
    })`,
    ...sequenceNotes(e.result, lang).map((n) => `  ${n}`),
  ];
}

/** `--records DIR` must be a directory: one line otherwise (exit 2). */
async function checkStore(dir: string): Promise<void> {
  try {
    if ((await Deno.stat(dir)).isDirectory) return;
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  throw new UsageError({
    en:
      `--records: no directory ${dir} (serve keeps the VMs' runs in records/ next to the directory it serves, or in its --records DIR)`,
    id:
      `--records: direktori ${dir} tidak ada (serve menyimpan run VM di records/ di sebelah direktori yang dilayaninya, atau di --records DIR-nya)`,
  });
}

/**
 * `--since`: an ISO date and time (`2026-11-30T10:15`), a time of today
 * (`10:15`, `10:15:30`, local time) or how long ago (`90s`, `15m`, `2h`).
 */
export function parseSince(value: string, now = new Date()): number {
  const ago = /^(\d+)(s|m|h)$/.exec(value);
  if (ago) {
    const unit = { s: 1000, m: 60_000, h: 3_600_000 }[ago[2] as "s"];
    return now.getTime() - Number(ago[1]) * unit;
  }
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (clock) {
    const [h, m, s = "0"] = clock.slice(1);
    if (Number(h) < 24 && Number(m) < 60 && Number(s) < 60) {
      const at = new Date(now);
      at.setHours(Number(h), Number(m), Number(s), 0);
      return at.getTime();
    }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return at;
  }
  throw new UsageError({
    en:
      `--since: expected a time like 10:15, 2026-11-30T10:15 or 15m (ago), got "${value}"`,
    id:
      `--since: harus waktu seperti 10:15, 2026-11-30T10:15 atau 15m (yang lalu), bukan "${value}"`,
  });
}
