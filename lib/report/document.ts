/**
 * The report's content, once, as blocks (headings, paragraphs, tables,
 * pictures, transcripts) that `markdown.ts` and `html.ts` render: the
 * cover, the topology, each scenario with its commands, summary, picture,
 * conclusion and trimmed transcripts, and the overall conclusion.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { clockOffText } from "../results/clock.ts";
import { outcomeLine, transcript } from "../results/outcome.ts";
import { quotedLine } from "./markdown_text.ts";
import type { ProcessResult, ScenarioResult } from "../results/results.ts";
import { shellLine } from "../cli/shell_line.ts";
import { sequenceNotes, summaryTables } from "../results/summary.ts";
import { scenarioDescription } from "../results/results.ts";
import { overallConclusion, scenarioConclusion } from "./conclusions.ts";
import { TEXT } from "./_document_text.ts";
import { wireBlocks } from "./wire.ts";
import { formatWhen } from "./cover.ts";
import {
  baseRole,
  chatModel,
  type Cover,
  groupChatModel,
  hostsOf,
  multicastModel,
  type ReportInput,
  scenarioKind,
  udpTimeline,
} from "./model.ts";
import { chatSvg, groupChatSvg, multicastSvg, timelineSvg } from "./svg.ts";
import { reachSvg } from "./svg_network.ts";
import { introOf, topologyFigure } from "./_document_lab.ts";
import { reachModel, reachTable } from "../results/reach.ts";

/** A table cell: text, or a command shown as code with words around it. */
export type Cell = string | { code: string; before?: string; after?: string };

/** One block of the report. */
export type Block =
  | {
    kind: "cover";
    title: string;
    subtitle: string;
    fields: [string, Cell][];
  }
  | { kind: "heading"; level: 2 | 3 | 4; text: string; id?: string }
  | { kind: "paragraph"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; header: string[]; rows: Cell[][] }
  | { kind: "figure"; name: string; svg: string; caption: string }
  | {
    kind: "transcript";
    title: string;
    lines: string[];
    /** Shown folded (HTML) with this line as its summary. */
    folded?: string;
    /** Lines of it left out (in place of the marker line). */
    omitted?: number;
    /** The role it is of (folded ones of a role are listed together). */
    role?: string;
    /** Folded: how many of its lines (after the prompt) come before the marker of those left out. */
    head?: number;
  };

/** How a report is written. */
export interface DocumentOptions {
  /** The language; default English. */
  lang?: Lang;
  /** The student's details. */
  cover?: Cover;
  /** When the run happened; default now. */
  date?: Date;
  /** The IANA time zone for the date; default the machine's. */
  timeZone?: string;
}

/** Lines of a whole transcript: its first and last ones when long. */
const HEAD = 7;
/** A transcript up to this long is shown whole. */
const WHOLE = 40;
const TAIL = 5;

/** The report of `input` as blocks. */
export function reportBlocks(
  input: ReportInput,
  options: DocumentOptions = {},
): Block[] {
  const lang = options.lang ?? "en";
  const text = TEXT[lang];
  const topology = input.topology;
  const cover = options.cover ?? {};
  const blocks: Block[] = [
    {
      kind: "cover",
      title: topology ? text.title : text.demoTitle,
      subtitle: text.course,
      fields: [
        [text.student, cover.student ?? text.missing],
        [text.nim, cover.nim ?? text.missing],
        [text.kelas, cover.kelas ?? text.missing],
        [
          text.date,
          formatWhen(options.date ?? new Date(), lang, options.timeZone),
        ],
        [
          text.lab,
          topology ? { code: topology.file, before: input.lab } : input.lab,
        ],
        [text.scenarios, input.results.map((r) => r.scenario).join(", ")],
      ],
    },
    {
      kind: "paragraph",
      text: `${introOf(input, lang)} ${text.transcriptsIntro}`,
    },
    { kind: "heading", level: 2, text: text.topology, id: "topology" },
    topologyFigure(input, lang),
  ];
  // The picture names every host and address; a table only adds the
  // root file systems, when hosts have them.
  if (topology?.hosts.some((h) => h.rootfs !== undefined)) {
    blocks.push(hostTable(input, lang));
  }
  const off = (topology?.hosts ?? []).flatMap((h) =>
    h.clockOffsetMs ? [`${h.name} ${clockOffText(h.clockOffsetMs, lang)}`] : []
  );
  if (off.length > 0) {
    blocks.push({ kind: "paragraph", text: text.clocks(off.join("; ")) });
  }
  const roots = [...new Set(topology?.hosts.flatMap((h) => h.rootfs ?? []))];
  if (roots.length > 0) {
    blocks.push({ kind: "paragraph", text: text.rootfs(roots.join(", ")) });
  }
  // One whole transcript per role in the whole report.
  const shown = new Set<string>();
  for (const [i, result] of input.results.entries()) {
    blocks.push(
      ...scenarioBlocks(result, { input, index: i + 1, lang, shown }),
    );
  }
  if ((input.notRun ?? []).length > 0) {
    blocks.push({
      kind: "paragraph",
      text: text.notRun(input.notRun!.join(", ")),
    });
  }
  blocks.push(
    { kind: "heading", level: 2, text: text.overall, id: "conclusion" },
    {
      kind: "list",
      items: overallConclusion(input.results, lang, topology),
    },
  );
  return blocks;
}

/** The hosts as a table: name, address and, when any has one, root file system. */
function hostTable(input: ReportInput, lang: Lang): Block {
  const text = TEXT[lang];
  const lab = input.topology?.hosts;
  const rooted = lab?.some((h) => h.rootfs !== undefined) ?? false;
  const rows: Cell[][] = (lab ?? hostsOf(input)).map((h) => [
    h.name,
    h.address,
  ]);
  if (rooted) {
    for (const [i, h] of lab!.entries()) {
      rows[i].push(h.rootfs ? { code: h.rootfs } : text.machineRoot);
    }
  }
  return {
    kind: "table",
    header: [text.host, text.address, ...(rooted ? [text.root] : [])],
    rows,
  };
}

function scenarioBlocks(
  result: ScenarioResult,
  at: { input: ReportInput; index: number; lang: Lang; shown: Set<string> },
): Block[] {
  const { input, index, lang } = at;
  const text = TEXT[lang];
  const scenario = input.topology?.scenarios.find((s) =>
    s.name === result.scenario
  );
  const description = scenario
    ? scenarioDescription(scenario, lang)
    : result.description;
  const blocks: Block[] = [
    {
      kind: "heading",
      level: 2,
      text: `${text.scenario} ${index}: ${result.scenario}`,
      id: result.scenario,
    },
  ];
  // What it is and how it went, in one paragraph.
  const outcome = outcomeLine(result, lang).replace(`${result.scenario}: `, "");
  const summary = summaryBlocks(result, lang);
  blocks.push(
    {
      kind: "paragraph",
      text: [
        description && !/[.!?]$/.test(description)
          ? `${description}.`
          : description,
        `${text.result}: ${outcome}.`,
        ...summary.zero,
      ].filter((t) => t).join(" "),
    },
    ...summary.tables,
  );
  const reach = reachModel(result, input.topology);
  if (reach) {
    blocks.push(
      { kind: "paragraph", text: text.reachTable(reach.sender) },
      { kind: "table", ...reachTable(reach, lang) },
    );
  }
  const figure = pictureOf(result, { input, lang, index });
  if (figure) blocks.push(figure);
  blocks.push(
    { kind: "heading", level: 3, text: text.conclusion },
    {
      kind: "list",
      items: [
        ...scenarioConclusion(result, hostsOf(input), lang, input.topology),
        ...lossNotes(result, lang),
      ],
    },
  );
  if (result.wire) blocks.push(...wireBlocks(result.wire, lang));
  // The demo's roles print records only: no terminal to show.
  const transcripts = transcriptBlocks(result, { lang, shown: at.shown });
  if (transcripts.length > 0) {
    blocks.push(
      { kind: "heading", level: 3, text: text.transcripts },
      ...transcripts,
    );
  }
  return blocks;
}

/** Counters that are noise when zero for every host: named once instead. */
const QUIET_WHEN_ZERO = [
  "duplicates",
  "outOfOrder",
  "invalid",
  "outOfRange",
  "kernelDrops",
  "refused",
  "rejected",
  "slow",
  "idle",
  "aborted",
];

/**
 * The summary tables, one per role, each row with its host's command as
 * typed (and what was typed into it) after the host: the commands and
 * their results in one place. Columns of {@linkcode QUIET_WHEN_ZERO} that
 * are 0 on every row are left out and named in `zero`.
 */
function summaryBlocks(
  result: ScenarioResult,
  lang: Lang,
): { tables: Block[]; zero: string[] } {
  const text = TEXT[lang];
  const zero = new Set<string>();
  // A role's batch row is the same role here: one table (the command
  // says which ran).
  const same = {
    ...result,
    processes: result.processes.map((p) => ({ ...p, role: baseRole(p.role) })),
  };
  const roles = [...new Set(same.processes.map((p) => p.role))];
  const tables: Block[] = summaryTables(same, lang).map((t, i) => {
    // summaryTables: a table per role in this order, rows in start order.
    const processes = same.processes.filter((p) => p.role === roles[i]);
    const drop = t.header.flatMap((h, i) =>
      i < 2 ||
        (QUIET_WHEN_ZERO.includes(h) && t.rows.every((r) => r[i] === "0"))
        ? [i]
        : []
    );
    for (const i of drop.slice(2)) zero.add(fieldLabel(t.header[i], lang));
    return {
      kind: "table",
      header: [
        text.start,
        text.host,
        text.command,
        ...t.header.filter((_, i) => !drop.includes(i)).map((h) =>
          fieldLabel(h, lang)
        ),
      ],
      rows: t.rows.map((r, j) => {
        const p = processes[j];
        return [
          `${(p.startedMs / 1000).toFixed(1)} s`,
          p.host,
          { code: shellLine(p.typed), after: commandNote(p, lang) },
          ...r.filter((_, i) => !drop.includes(i)),
        ];
      }),
    };
  });
  // A role with nothing to count (only its exit and check, like the UDP
  // client) joins the table before it, "–" in that table's counters.
  const merged: Extract<Block, { kind: "table" }>[] = [];
  for (const t of tables as Extract<Block, { kind: "table" }>[]) {
    const before = merged.at(-1);
    if (before && t.header.length === 5) {
      const blanks = before.header.length - 5;
      for (const r of t.rows) {
        before.rows.push([...r.slice(0, 4), ...Array(blanks).fill("–"), r[4]]);
      }
    } else {
      merged.push(t);
    }
  }
  return {
    tables: merged,
    zero: zero.size > 0 ? [text.allZero([...zero].join(", "))] : [],
  };
}

/**
 * Summary fields in Indonesian for an Indonesian report. The terminal's
 * tables and `--json` keep the record names (`expect:` in lab.yaml uses
 * them); a report handed in reads as one language.
 */
const FIELD_LABELS_ID: Record<string, string> = {
  sent: "terkirim",
  received: "diterima",
  replied: "dibalas",
  bytes: "byte",
  seconds: "detik",
  rate: "laju (/s)",
  firstSeq: "angka pertama",
  lastSeq: "angka terakhir",
  missing: "hilang",
  missedBeforeFirst: "terlewat sebelum mulai",
  gaps: "celah",
  duplicates: "duplikat",
  outOfOrder: "tidak urut",
  invalid: "tidak valid",
  outOfRange: "di luar rentang",
  kernelDrops: "dibuang kernel",
};

function fieldLabel(field: string, lang: Lang): string {
  return lang === "id" ? FIELD_LABELS_ID[field] ?? field : field;
}

/**
 * The summary's note of each receiver that lost numbers, while listening
 * or after its last one (the conclusion already has every first number).
 */
function lossNotes(result: ScenarioResult, lang: Lang): string[] {
  if (scenarioKind(result) !== "numbers") return [];
  const losing = new Set(
    udpTimeline(result).lanes.filter((l) =>
      !l.sender && (l.gaps.length > 0 || (l.lostAfter ?? 0) > 0)
    ).map((l) => l.host),
  );
  return sequenceNotes(result, lang).filter((note) =>
    losing.has(note.split(" ", 1)[0])
  );
}

function commandNote(p: ProcessResult, lang: Lang): string | undefined {
  const text = TEXT[lang];
  const parts = [
    ...(p.input.length > 0
      ? [`${text.typed}: ${p.input.map(quotedLine).join(", ")}`]
      : []),
    ...(p.endKeys?.length ? [text.then(p.endKeys.join(", "))] : []),
  ];
  return parts.length > 0 ? `(${parts.join("; ")})` : undefined;
}

function pictureOf(
  result: ScenarioResult,
  at: { input: ReportInput; lang: Lang; index: number },
): Block | undefined {
  const { lang, index } = at;
  const text = TEXT[lang];
  const name = `${index}-${result.scenario.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const reach = reachModel(result, at.input.topology);
  if (reach) {
    return {
      kind: "figure",
      name,
      svg: reachSvg(reach, lang),
      caption: text.reachCaption,
    };
  }
  switch (scenarioKind(result)) {
    case "numbers":
      return {
        kind: "figure",
        name,
        svg: timelineSvg(udpTimeline(result), lang),
        caption: text.timelineCaption,
      };
    case "chat": {
      const chat = chatModel(result);
      return chat && {
        kind: "figure",
        name,
        svg: chatSvg(chat, lang),
        caption: text.chatCaption,
      };
    }
    case "multicast-chat": {
      const chat = groupChatModel(result);
      return chat && {
        kind: "figure",
        name,
        svg: groupChatSvg(chat, lang),
        caption: text.groupChatCaption,
      };
    }
    case "multicast": {
      const group = multicastModel(result);
      if (!group) return undefined;
      const others = hostsOf(at.input).filter((h) =>
        h.name !== group.sender && !group.members.some((m) => m.host === h.name)
      );
      return {
        kind: "figure",
        name,
        svg: multicastSvg(group, { lang, others }),
        caption: text.multicastCaption,
      };
    }
    default:
      return undefined;
  }
}

/**
 * One whole transcript per role in the report (its first process), the
 * others folded to their first and last lines with how many are left out.
 */
function transcriptBlocks(
  result: ScenarioResult,
  at: { lang: Lang; shown: Set<string> },
): Block[] {
  const { lang, shown: seen } = at;
  const text = TEXT[lang];
  // The whole one of a role not shown yet: its batch row when one ran (it
  // prints all the plain one does and how each datagram arrived), else
  // the first.
  const chosen = new Map<string, ProcessResult>();
  for (const p of result.processes) {
    const role = baseRole(p.role);
    if (seen.has(role) || p.transcript.length === 0) continue;
    const current = chosen.get(role);
    if (!current || (p.role !== role && current.role === role)) {
      chosen.set(role, p);
    }
  }
  for (const role of chosen.keys()) seen.add(role);
  const whole: Block[] = [];
  const rest = new Map<string, ProcessResult[]>();
  const stderr: Block[] = [];
  for (const p of result.processes) {
    const title = `${p.host} (${p.address}): ${p.role}`;
    const prompt = `${p.host}$ ${shellLine(p.typed)}`;
    if (chosen.get(baseRole(p.role)) === p) {
      whole.push({
        kind: "transcript",
        title,
        role: p.role,
        // Whole when it fits a page's column; a flood as its ends.
        lines: [
          prompt,
          ...transcript(p, {
            head: p.transcript.length <= WHOLE ? WHOLE : HEAD,
            tail: TAIL,
            lang,
          }),
        ],
      });
    } else if (p.transcript.length > 0) {
      rest.set(p.role, [...rest.get(p.role) ?? [], p]);
    }
    if (p.stderr.trim() !== "") {
      const lines = p.stderr.trimEnd().split("\n");
      stderr.push({
        kind: "transcript",
        title: text.stderr(p.host),
        lines: lines.length > 12
          ? [
            ...lines.slice(0, 6),
            text.more(lines.length - 10),
            ...lines.slice(-4),
          ]
          : lines,
      });
    }
  }
  // The whole ones first, then the rest as counts, then any errors.
  const folded = [...rest].map(([role, ps]) => foldedBlock(role, ps, lang));
  return [...whole, ...folded, ...stderr];
}

/**
 * The transcripts of one role's other hosts as one entry: every host's
 * line count, the first and last lines (once when all hosts agree, else
 * one per host in order), and how many lines are left out.
 */
function foldedBlock(
  role: string,
  processes: ProcessResult[],
  lang: Lang,
): Block {
  const text = TEXT[lang];
  const [p] = processes;
  const prompt = `${p.host}$ ${shellLine(p.typed)}`;
  const totals = processes.map((p) =>
    p.transcript.length + p.transcriptOmitted
  );
  const title = processes.length === 1
    ? `${p.host} (${p.address}): ${role}`
    : `${processes.map((p) => p.host).join(", ")}: ${role}`;
  // Short enough to show whole.
  if (processes.length === 1 && p.transcriptOmitted === 0 && totals[0] <= 3) {
    return {
      kind: "transcript",
      title,
      role,
      lines: [prompt, ...p.transcript],
      folded: text.folded(totals[0], totals[0]),
      omitted: 0,
    };
  }
  const onceOrEach = (lines: string[]) =>
    new Set(lines).size === 1 ? [lines[0]] : lines;
  const firsts = onceOrEach(processes.map((p) => p.transcript[0]));
  const lasts = onceOrEach(processes.map((p) => p.transcript.at(-1)!));
  const omitted = totals.reduce((n, total) => n + Math.max(0, total - 2), 0);
  return {
    kind: "transcript",
    title,
    role,
    lines: [prompt, ...firsts, text.more(omitted), ...lasts],
    head: firsts.length,
    folded: processes.length === 1
      ? text.folded(totals[0], 2)
      : text.foldedGroup(totals, {
        first: firsts.length === 1,
        last: lasts.length === 1,
      }),
    omitted,
  };
}
