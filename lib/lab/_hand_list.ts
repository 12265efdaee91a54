/**
 * Internal: `lab report --list`: every run recorded (host, start, role,
 * arguments, exit, and which experiment it is in or why none), then the
 * experiments recognised, numbered, with their time, hosts, verdict and
 * whether the report holds them; and the VMs whose clocks were off.
 *
 * @module
 */

import type { Lang, Text } from "../cli/i18n.ts";
import type {
  Experiment,
  LeftOutReason,
  Recognised,
} from "../hand/experiments.ts";
import type { RecordedRun } from "../hand/recordings.ts";
import { naturalOrder } from "../hand/recordings.ts";
import { clockOffText } from "../results/clock.ts";
import type { LabInfo } from "../results/results.ts";
import { formatTable } from "../results/summary.ts";

const REASONS: Record<LeftOutReason, Text> = {
  "nothing-sent": {
    en: "false start: sent nothing",
    id: "salah mulai: tidak mengirim apa pun",
  },
  "nothing-received": {
    en: "false start: received nothing",
    id: "salah mulai: tidak menerima apa pun",
  },
  "no-client": {
    en: "false start: no client came",
    id: "salah mulai: tidak ada klien",
  },
  "not-connected": {
    en: "false start: never connected",
    id: "salah mulai: tidak pernah tersambung",
  },
  "no-reply": {
    en: "false start: no reply",
    id: "salah mulai: tidak ada balasan",
  },
  "nothing-done": {
    en: "false start: sent and received nothing",
    id: "salah mulai: tidak mengirim dan menerima apa pun",
  },
};

const TEXT = {
  en: {
    runs: ["host", "started", "role", "arguments", "records", "exit", "in"],
    experiments: ["#", "time", "experiment", "hosts", "verdict", "report"],
    running: "running",
    passed: "passed",
    failed: (what: string) => `failed: ${what}`,
    incomplete: (why: string) => `not complete: ${why}`,
    yes: "yes",
    none: "no experiment recognised yet",
    clock: (host: string, off: string) =>
      `${host}: clock ${off} (times shown on the host's clock)`,
  },
  id: {
    runs: ["host", "mulai", "role", "argumen", "rekaman", "keluar", "di"],
    experiments: ["#", "waktu", "eksperimen", "host", "hasil", "laporan"],
    running: "berjalan",
    passed: "lolos",
    failed: (what: string) => `gagal: ${what}`,
    incomplete: (why: string) => `belum lengkap: ${why}`,
    yes: "ya",
    none: "belum ada eksperimen yang dikenali",
    clock: (host: string, off: string) =>
      `${host}: jam ${off} (waktu ditampilkan menurut jam host)`,
  },
};

/** What `--list` shows. */
export interface HandListInput {
  /** The runs read. */
  runs: RecordedRun[];
  /** What was recognised in them. */
  found: Recognised;
  /** The experiments the report holds. */
  chosen: Experiment[];
  /** The lab (its hosts' clocks). */
  lab?: LabInfo;
}

/** `--list`'s lines, in `lang`. */
export function handList(input: HandListInput, lang: Lang): string[] {
  const text = TEXT[lang];
  const { runs, found, chosen } = input;
  const where = new Map<RecordedRun, string>();
  for (const { run, reason } of found.leftOut) {
    where.set(run, REASONS[reason][lang]);
  }
  for (const e of found.experiments) {
    for (const run of e.runs) {
      where.set(
        run,
        [where.get(run), `#${e.number}`].filter(Boolean).join(" "),
      );
    }
  }
  const lines = [formatTable({
    header: text.runs,
    rows: [...runs]
      .sort((a, b) => naturalOrder(a.host, b.host) || a.startMs - b.startMs)
      .map((r) => [
        r.host,
        clock(r.startMs),
        r.role,
        r.argv.join(" "),
        String(r.records.length),
        r.code === undefined ? text.running : String(r.code),
        where.get(r) ?? "",
      ]),
  })];
  lines.push("");
  if (found.experiments.length === 0) {
    lines.push(text.none);
  } else {
    lines.push(formatTable({
      header: text.experiments,
      rows: found.experiments.map((e) => [
        String(e.number),
        `${clock(e.startMs)}-${clock(e.endMs)}`,
        e.scenario,
        e.hosts.join(", "),
        verdict(e, lang),
        chosen.includes(e) ? text.yes : "",
      ]),
    }));
  }
  for (const host of input.lab?.hosts ?? []) {
    if (host.clockOffsetMs === undefined) continue;
    lines.push(text.clock(host.name, clockOffText(host.clockOffsetMs, lang)));
  }
  return lines;
}

/** An experiment's verdict: passed, failed (the first check that did), or not complete. */
export function verdict(e: Experiment, lang: Lang): string {
  const text = TEXT[lang];
  if (e.incomplete) return text.incomplete(e.incomplete[lang]);
  if (e.result.ok) return text.passed;
  for (const p of e.result.processes) {
    const check = p.checks.find((c) => !c.ok);
    if (check) {
      const detail = lang === "id"
        ? check.detailId ?? check.detail
        : check.detail;
      return text.failed(`${p.host} ${check.name} ${detail}`);
    }
  }
  return text.failed(e.result.error ?? "");
}

/** A time of day on this machine's clock: `10:15:30`. */
export function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}
