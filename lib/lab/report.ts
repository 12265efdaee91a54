/**
 * A report a student can hand in: the topology, the command run on each
 * host, each host's transcript and the summary table, as Markdown.
 *
 * @example The report of a run
 * ```ts
 * import { formatReport, outcomeLine } from "./report.ts";
 * import type { ScenarioResult } from "./scenario.ts";
 * import { parseTopology } from "./topology.ts";
 *
 * const topology = parseTopology(
 *   "network: { subnet: 10.1.0.0/24 }\nhosts:\n  alpine-1: 10.1.0.11\n",
 * );
 * const result: ScenarioResult = {
 *   scenario: "hello",
 *   description: "nothing runs",
 *   lab: "progjar",
 *   ok: true,
 *   durationMs: 1200,
 *   processes: [],
 * };
 * console.log(outcomeLine(result)); // hello: ok (1.2 s)
 * const markdown = formatReport(topology, [result], {
 *   lab: "progjar",
 *   date: new Date("2025-01-01T00:00:00Z"),
 * });
 * console.log(markdown.split("\n", 1)[0]); // # Lab report: hello
 * ```
 *
 * @module
 */

import { displayText, hasControlChars } from "../cli/display.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import { shellLine } from "./_shell.ts";
import type { ProcessResult, ScenarioResult } from "./scenario.ts";
import {
  failedChecks,
  formatMarkdownTable,
  sequenceNotes,
  summaryTables,
  verdictLine,
} from "./summary.ts";
import { scenarioDescription, type Topology } from "./topology.ts";

const TEXT = {
  en: {
    title: "Lab report",
    intro: (date: string, lab: string, file: string) => [
      `Run ${date} in lab \`${lab}\` from ${codeSpan(file)}: every host is a`,
      "Linux network namespace with one interface `eth0` on a shared bridge (one",
      "L2 segment, like the GNS3 switch); each role ran as its own process.",
    ],
    rootfs: (roots: string) => [
      `Hosts with a root file system ran their roles inside it (chroot into`,
      `${roots}: busybox and musl, progjar installed`,
      "by the Alpine pack's install.sh), as on the lab's Alpine VMs.",
    ],
    topology: "Topology",
    subnet: (cidr: string, broadcast: string) =>
      `Subnet ${cidr}, broadcast address ${broadcast}.`,
    host: "host",
    address: "address",
    root: "root file system",
    machineRoot: "(the machine's)",
    scenario: "Scenario",
    result: "Result",
    commands: "Commands per host",
    start: "start",
    command: "command (as typed on the host)",
    typedInput: "typed",
    then: (keys: string) => `then ${keys}`,
    summary: "Summary",
    transcripts: "Transcripts",
    transcriptsIntro: [
      "What each host's terminal showed (first and last lines when long;",
      "`> …` is a line typed into the role).",
    ],
    stderr: "Standard error:",
    noOutput: "(no output)",
    omitted: (n: number) => `… ${plural(n, "line", "lines")} omitted …`,
    interrupted: (scenario: string, seconds: string) =>
      `${scenario}: INTERRUPTED (Ctrl+C) after ${seconds} s`,
    notRun: (names: string) => `Not run (the run was interrupted): ${names}.`,
  },
  id: {
    title: "Laporan praktikum",
    intro: (date: string, lab: string, file: string) => [
      `Dijalankan ${date} di lab \`${lab}\` dari ${
        codeSpan(file)
      }: setiap host adalah`,
      "network namespace Linux dengan satu antarmuka `eth0` pada bridge bersama",
      "(satu segmen L2, seperti switch GNS3); setiap role berjalan sebagai proses sendiri.",
    ],
    rootfs: (roots: string) => [
      `Host dengan root file system menjalankan role-nya di dalamnya (chroot ke`,
      `${roots}: busybox dan musl, progjar dipasang`,
      "oleh install.sh paket Alpine), seperti di VM Alpine praktikum.",
    ],
    topology: "Topologi",
    subnet: (cidr: string, broadcast: string) =>
      `Subnet ${cidr}, alamat broadcast ${broadcast}.`,
    host: "host",
    address: "alamat",
    root: "root file system",
    machineRoot: "(milik mesin)",
    scenario: "Skenario",
    result: "Hasil",
    commands: "Perintah per host",
    start: "mulai",
    command: "perintah (seperti diketik di host)",
    typedInput: "diketik",
    then: (keys: string) => `lalu ${keys}`,
    summary: "Ringkasan",
    transcripts: "Transkrip",
    transcriptsIntro: [
      "Yang tampil di terminal setiap host (baris pertama dan terakhir bila",
      "panjang; `> …` adalah baris yang diketik ke role).",
    ],
    stderr: "Standard error:",
    noOutput: "(tidak ada keluaran)",
    omitted: (n: number) => `… ${n} baris tidak ditampilkan …`,
    interrupted: (scenario: string, seconds: string) =>
      `${scenario}: DIHENTIKAN (Ctrl+C) setelah ${seconds} s`,
    notRun: (names: string) => `Tidak dijalankan (run dihentikan): ${names}.`,
  },
};

/** Transcripts longer than this are shown as their head and tail. */
const HEAD_LINES = 15;
const TAIL_LINES = 5;
/** A transcript at most this many lines longer than head + tail is shown whole. */
const MIN_OMITTED = 5;

/** Options for {@linkcode formatReport}. */
export interface ReportOptions {
  /** The lab's name. */
  lab: string;
  /** When the run happened; default now. */
  date?: Date;
  /** The report's language; default English. */
  lang?: Lang;
  /** Scenarios asked for but not run, because the run was interrupted. */
  notRun?: string[];
}

/**
 * The one-line outcome of a scenario: the summary's verdict, or, for one
 * that Ctrl+C stopped, that it was interrupted (not that it failed).
 */
export function outcomeLine(result: ScenarioResult, lang: Lang = "en"): string {
  return result.interrupted
    ? TEXT[lang].interrupted(
      result.scenario,
      (result.durationMs / 1000).toFixed(1),
    )
    : verdictLine(result, lang);
}

/** Writes the Markdown report of one or more scenario results. */
export function formatReport(
  topology: Topology,
  results: ScenarioResult[],
  options: ReportOptions,
): string {
  const date = (options.date ?? new Date()).toISOString().replace(
    /\.\d+Z$/,
    "Z",
  );
  const lang = options.lang ?? "en";
  const text = TEXT[lang];
  const out: string[] = [
    `# ${text.title}: ${results.map((r) => r.scenario).join(", ")}`,
    "",
    ...text.intro(date, options.lab, topology.file),
    ...rootfsNote(topology, lang),
    "",
    `## ${text.topology}`,
    "",
    text.subnet(topology.subnet.cidr, topology.subnet.broadcast),
    "",
    ...(topology.hosts.some((h) => h.rootfs !== undefined)
      ? [
        `| ${text.host} | ${text.address} | ${text.root} |`,
        "| --- | --- | --- |",
        ...topology.hosts.map((h) =>
          `| ${h.name} | ${h.address} | ${cell(h.rootfs ?? text.machineRoot)} |`
        ),
      ]
      : [
        `| ${text.host} | ${text.address} |`,
        "| --- | --- |",
        ...topology.hosts.map((h) => `| ${h.name} | ${h.address} |`),
      ]),
    "",
  ];
  for (const result of results) {
    out.push(`## ${text.scenario} \`${result.scenario}\``, "");
    const scenario = topology.scenarios.find((s) => s.name === result.scenario);
    const description = scenario
      ? scenarioDescription(scenario, lang)
      : result.description;
    if (description) out.push(description, "");
    out.push(`${text.result}: ${outcomeLine(result, lang)}`, "");
    out.push(`### ${text.commands}`, "");
    out.push(`| ${text.start} | ${text.host} | ${text.command} |`);
    out.push("| --- | --- | --- |");
    for (const p of result.processes) {
      const command = shellLine(p.typed);
      // Then what is typed into it, and the keys that end it.
      const typed = p.input.length > 0
        ? [
          `${text.typedInput}: ${p.input.map(quotedLine).join(", ")}`,
        ]
        : [];
      const keys = p.endKeys?.length ? [text.then(p.endKeys.join(", "))] : [];
      const input = typed.length + keys.length > 0
        ? ` (${[...typed, ...keys].join("; ")})`
        : "";
      out.push(
        `| ${(p.startedMs / 1000).toFixed(1)} s | ${p.host} | ${
          cell(codeSpan(command) + input)
        } |`,
      );
    }
    out.push("", `### ${text.summary}`, "");
    for (const table of summaryTables(result, lang)) {
      out.push(formatMarkdownTable(table), "");
    }
    const notes = sequenceNotes(result, lang);
    if (notes.length > 0) {
      out.push(...notes.map((note) => `- ${note}`), "");
    }
    out.push(`### ${text.transcripts}`, "", ...text.transcriptsIntro, "");
    for (const p of result.processes) {
      out.push(`#### ${p.host} (${p.address}): ${p.role}`, "");
      out.push(
        ...fenced([
          `${p.host}$ ${shellLine(p.typed)}`,
          ...transcript(p, { head: HEAD_LINES, tail: TAIL_LINES, lang }),
        ]),
        "",
      );
      if (p.stderr.trim() !== "") {
        out.push(
          text.stderr,
          "",
          ...fenced(p.stderr.trimEnd().split("\n").map(safe)),
          "",
        );
      }
    }
  }
  const notRun = options.notRun ?? [];
  if (notRun.length > 0) {
    out.push(text.notRun(notRun.map((n) => `\`${n}\``).join(", ")), "");
  }
  return out.join("\n");
}

function rootfsNote(topology: Topology, lang: Lang): string[] {
  const roots = [...new Set(topology.hosts.flatMap((h) => h.rootfs ?? []))];
  if (roots.length === 0) return [];
  return TEXT[lang].rootfs(roots.map(codeSpan).join(", "));
}

/** The longest run of backticks in `text`. */
function longestBackticks(text: string): number {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  return longest;
}

/**
 * `text` with control characters, line breaks and bidirectional overrides
 * escaped as the roles escape peer bytes; text without any is left as it
 * is (a shell line's `$'\x1b'` keeps its one backslash).
 */
export function safe(text: string): string {
  return hasControlChars(text) ? displayText(text) : text;
}

/**
 * `text` as a Markdown code span that it cannot close: delimited by more
 * backticks than any run in it (CommonMark), control characters escaped.
 */
export function codeSpan(text: string): string {
  const shown = safe(text);
  const ticks = "`".repeat(longestBackticks(shown) + 1);
  const pad = shown.startsWith("`") || shown.endsWith("`") ? " " : "";
  return `${ticks}${pad}${shown}${pad}${ticks}`;
}

/**
 * A typed line as a JSON string, with the characters JSON leaves raw that
 * a terminal or viewer would act on (C1 controls, bidirectional overrides)
 * as `\uNNNN` too.
 */
export function quotedLine(line: string): string {
  return JSON.stringify(line).replace(
    /[\u0080-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Text for a table cell: a `|` would end the cell, even in a code span. */
export function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** Lines in a fenced code block that no line of theirs can close. */
export function fenced(lines: string[]): string[] {
  let longest = 2;
  for (const line of lines) longest = Math.max(longest, longestBackticks(line));
  const fence = "`".repeat(longest + 1);
  return [fence, ...lines, fence];
}

/** How much of a transcript to show. */
export interface TranscriptOptions {
  /** Lines from the start. */
  head: number;
  /** Lines from the end. */
  tail: number;
  /** The language of the runner's own words; default English. */
  lang?: Lang;
}

/**
 * A role's terminal output, bounded: the first `head` and last `tail`
 * lines with `… K lines omitted …` between them when there were more.
 */
export function transcript(
  p: ProcessResult,
  options: TranscriptOptions,
): string[] {
  const lines = p.transcript;
  const text = TEXT[options.lang ?? "en"];
  if (lines.length === 0) return [text.noOutput];
  const { head, tail } = options;
  const cut = Math.max(0, lines.length - head - tail);
  // Cutting fewer lines than the marker is worth would hide them for nothing.
  if (p.transcriptOmitted === 0 && cut <= MIN_OMITTED) return lines;
  const omitted = p.transcriptOmitted + cut;
  return [
    ...lines.slice(0, head),
    text.omitted(omitted),
    ...lines.slice(-tail),
  ];
}

/**
 * For each role whose checks failed: its host, what failed, and the last
 * lines of its terminal and of its standard error, so the reason shows in
 * the terminal, not only in the report.
 */
export function failureExcerpts(
  result: ScenarioResult,
  lines = 6,
  options: { lang?: Lang } = {},
): string[] {
  const lang = options.lang ?? "en";
  const out: string[] = [];
  for (const p of result.processes) {
    if (p.ok) continue;
    const failed = failedChecks(p.checks.filter((c) => !c.ok), lang);
    const heading = `${p.host} (${p.role}): ${failed}`;
    out.push(heading);
    const shown = transcript(p, { head: 0, tail: lines, lang });
    out.push(...shown.map((line) => `  | ${line}`));
    // The error line is often in the check already: not twice.
    const stderr = p.stderr.trim().split("\n").map((l) => safe(l.trim()))
      .filter((l) => l !== "" && !heading.includes(l)).slice(-3);
    out.push(...stderr.map((line) => `  ! ${line}`));
  }
  return out;
}
