/**
 * Internal: `lab report`, the hand-in report of what was done by hand on the
 * lab's hosts (in `lab console` or `lab exec` shells): the recordings read
 * back, the experiments recognised, the report written; `--list` shows
 * what each host recorded.
 *
 * @module
 */

import { EXIT_OK, RuntimeError, UsageError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { recognise } from "../hand/experiments.ts";
import {
  countRecords,
  labUpAt,
  readRuns,
  type RecordedRun,
  recordsDir,
} from "../hand/records.ts";
import { formatTable, sequenceNotes } from "../results/summary.ts";
import type { Topology } from "../scenario/topology.ts";
import type { Ui } from "./_session.ts";
import type { Cover } from "../report/model.ts";
import { checkReport, writeReport } from "../report/write.ts";
import { attachWire, handCaptureFiles } from "./_capture.ts";

/** What `lab report` was asked for. */
export interface HandReportOptions {
  /** The topology (host addresses, the report's network section). */
  topology: Topology;
  /** `--report FILE`, if given. */
  report?: string;
  /** `--since TIME`, if given. */
  since?: string;
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
  if (options.report !== undefined) await checkReport(options.report);
  const sinceMs = options.since !== undefined
    ? parseSince(options.since)
    : await labUpAt(name) ?? 0;
  const runs = await readRuns(name, sinceMs);
  if (options.list) {
    const counts = await countRecords(name);
    out.record({ type: "records", lab: name, hosts: counts, sinceMs });
    if (counts.length === 0) {
      out.line(
        id
          ? `lab "${name}": belum ada rekaman di ${recordsDir(name)}`
          : `lab "${name}": nothing recorded yet in ${recordsDir(name)}`,
      );
    } else {
      out.line(listTable(runs, options.lang));
    }
    if (options.report === undefined) return EXIT_OK;
  }
  if (runs.length === 0) {
    throw new RuntimeError({
      en: `lab "${name}": no role was recorded since ${
        new Date(sinceMs).toISOString()
      } (start roles in lab console or a lab exec shell first)`,
      id: `lab "${name}": tidak ada role yang terekam sejak ${
        new Date(sinceMs).toISOString()
      } (jalankan dulu role di lab console atau shell lab exec)`,
    });
  }
  const addresses = Object.fromEntries(
    options.topology.hosts.map((h) => [h.name, h.address]),
  );
  const results = recognise(runs, {
    lab: name,
    addresses,
    lang: options.lang,
  });
  // What the hand captures hold of each experiment's time.
  await attachWire(results, await handCaptureFiles(name), addresses, {
    beforeMs: 200,
    afterMs: 1000,
    sequential: false,
  });
  for (const result of results) {
    out.line(`${result.scenario}: ${result.description}`);
    for (const note of sequenceNotes(result, options.lang)) {
      out.line(`  ${note}`);
    }
  }
  await writeReport(
    options.report!,
    {
      // Without lab.yaml's scenarios: their descriptions tell the scripted
      // runs (500 datagrams, 500 ms apart), not what the student did.
      topology: { ...options.topology, scenarios: [] },
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
  });
  return EXIT_OK;
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

/** `--list`: one row per role run, per host. */
function listTable(runs: RecordedRun[], lang: Lang): string {
  const id = lang === "id";
  return formatTable({
    header: id
      ? ["host", "mulai", "role", "argumen", "rekaman", "keluar"]
      : ["host", "started", "role", "arguments", "records", "exit"],
    rows: [...runs]
      .sort((a, b) =>
        a.host.localeCompare(b.host, "en", { numeric: true }) ||
        a.startMs - b.startMs
      )
      .map((r) => [
        r.host,
        new Date(r.startMs).toTimeString().slice(0, 8),
        r.role,
        r.argv.join(" "),
        String(r.records.length),
        r.code === undefined ? (id ? "berjalan" : "running") : String(r.code),
      ]),
  });
}
