/**
 * The demo: the broadcast lab ("Praktikum UDP 2") end to end on loopback.
 * One broadcast-sender and four broadcast-receivers run as separate
 * processes, in both of the lab's orders: receivers first, then sender
 * first with the receivers started one by one while it sends. It ends with
 * a table per receiver and a paragraph answering the lab's question with
 * the numbers.
 *
 * Everything goes to 127.255.255.255 from 127.0.0.1: no datagram leaves
 * this machine, and no root is needed.
 *
 * @module
 */

import { join } from "node:path";
import { type ColumnAlign, tableLines } from "../cli/table.ts";
import { delay } from "../cli/async.ts";
import { Child } from "../cli/child.ts";
import { RuntimeError } from "../cli/errors.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { roleCommand } from "../roles.ts";
import type { ProcessResult, ScenarioResult } from "../results/results.ts";
import { checkReport, writeReport } from "../report/write.ts";
import type { SequenceSummary } from "../udp/sequence.ts";

/** The repository root: the roles run from there, as `deno task` runs them. */
const ROOT = join(import.meta.dirname!, "..", "..");

/** What {@linkcode runDemo} runs. */
export interface DemoOptions {
  /** Datagrams the sender sends in each run. */
  count: number;
  /** The sender's pause between datagrams, in milliseconds. */
  interval: number;
  /** How many receivers. */
  receivers: number;
  /** The language of the lines printed. */
  lang: Lang;
  /** Where to write a report of both runs (`.md`, `.html`, `.pdf`), if anywhere. */
  report?: string;
}

/** The broadcast address and source of every run: loopback only. */
const TO = "127.255.255.255";
const FROM = "127.0.0.1";
/** Time for receivers to read what is queued before they are stopped. */
const SETTLE_MS = 300;
/** A safety net: no child outlives a stuck demo by more than this. */
const CHILD_LIMIT_SECONDS = "60";

/** One receiver's result in one run. */
interface Row {
  order: "receivers-first" | "sender-first";
  receiver: number;
  /** The last number the demo had seen the sender send when this receiver was listening (a lower bound; sender first). */
  startedAfter: number | null;
  summary: SequenceSummary;
}

const TEXT = {
  en: {
    run1: (n: number, count: number, port: number, interval: number) =>
      `Run 1, receivers first: ${
        plural(n, "receiver listens", "receivers listen")
      } on udp port ${port}, then the sender sends ${
        plural(count, "datagram", "datagrams")
      } to ${TO}:${port} (pause ${interval} ms).`,
    run2: (n: number) =>
      `Run 2, sender first: the sender starts; receivers 1 to ${n} start one by one while it sends.`,
    started: (k: number, after: number | null) =>
      `  receiver ${k} (alpine-${
        k + 1
      }) listening; the sender had sent at least ${after ?? 0}`,
    sent: (s: Record<string, unknown>) =>
      `  sender: ${
        plural(Number(s.sent), "datagram", "datagrams")
      } in ${s.seconds} s`,
    header: [
      "order",
      "receiver",
      "received",
      "first number",
      "missed before first",
      "lost while listening",
      "lost after last",
    ],
    order: {
      "receivers-first": "receivers first",
      "sender-first": "sender first",
    },
    none: "-",
    report: (path: string) => `report: ${path}`,
  },
  id: {
    run1: (n: number, count: number, port: number, interval: number) =>
      `Putaran 1, penerima dulu: ${n} penerima mendengarkan di port udp ${port}, lalu pengirim mengirim ${count} datagram ke ${TO}:${port} (jeda ${interval} ms).`,
    run2: (n: number) =>
      `Putaran 2, pengirim dulu: pengirim mulai; penerima 1 sampai ${n} dijalankan satu per satu selama pengiriman.`,
    started: (k: number, after: number | null) =>
      `  penerima ${k} (alpine-${
        k + 1
      }) mendengarkan; pengirim sudah mengirim sedikitnya ${after ?? 0}`,
    sent: (s: Record<string, unknown>) =>
      `  pengirim: ${s.sent} datagram dalam ${s.seconds} s`,
    header: [
      "urutan",
      "penerima",
      "diterima",
      "angka pertama",
      "terlewat sebelum mulai",
      "hilang saat mendengarkan",
      "hilang setelah terakhir",
    ],
    order: {
      "receivers-first": "penerima dulu",
      "sender-first": "pengirim dulu",
    },
    none: "-",
    report: (path: string) => `laporan: ${path}`,
  },
};

/**
 * Runs the demo's two orders, printing to `out`; resolves to the exit code.
 * Ctrl+C or SIGTERM takes every child down with it.
 */
export async function runDemo(
  out: Output,
  options: DemoOptions,
): Promise<number> {
  const { count, interval, receivers, lang } = options;
  const text = TEXT[lang];
  // Find out now, not after both runs, that the report cannot be written.
  if (options.report !== undefined) await checkReport(options.report);
  const date = new Date();
  const children = new Set<Child>();
  // The children of each run, with their times, for the report.
  let run = new DemoRun("receivers-first");
  const runs = [run];
  const spawn = (name: string, args: string[]) => {
    const [program, ...rest] = roleCommand(name, args);
    const child = new Child(program, {
      args: rest,
      cwd: ROOT,
      // The demo's own processes: no "is there a newer deno?" lookups.
      env: { DENO_NO_UPDATE_CHECK: "1" },
    });
    children.add(child);
    run.add(child, name, args);
    return child;
  };
  // Ctrl+C or SIGTERM: take every child down with the demo.
  const stop = onStop(() => {
    for (const child of children) child.kill();
  });
  // For a report each receiver records every datagram (its timeline lane).
  const receiverArgs = [
    "--json",
    ...(options.report === undefined ? ["--quiet"] : []),
    "--duration",
    CHILD_LIMIT_SECONDS,
  ];
  const senderArgs = (port: number) => [
    "--json",
    "--bind",
    FROM,
    "--to",
    TO,
    "--port",
    String(port),
    "--count",
    String(count),
    "--interval",
    String(interval),
  ];
  const rows: Row[] = [];
  try {
    // Run 1: receivers first. The first one picks a free port; the rest share it.
    const first = spawn("broadcast-receiver", [...receiverArgs, "--port", "0"]);
    const port = (await listening(first)).port as number;
    const group = [first];
    for (let k = 1; k < receivers; k++) {
      group.push(spawn("broadcast-receiver", [
        ...receiverArgs,
        "--port",
        String(port),
      ]));
    }
    await Promise.all(group.map(listening));
    out.line(text.run1(receivers, count, port, interval));
    out.flush();
    const sender1 = spawn("broadcast-sender", [...senderArgs(port), "--quiet"]);
    out.line(text.sent(await finish(sender1)));
    out.flush();
    rows.push(...await stopAll(group, "receivers-first", []));
    checkStopped(stop.stopped);

    // Run 2: sender first, on the same port; receiver k starts once the
    // sender has sent a share of its datagrams (10 %, 30 %, 50 %, 70 % …).
    out.line(text.run2(receivers));
    out.flush();
    run = new DemoRun("sender-first");
    runs.push(run);
    const sender2 = spawn("broadcast-sender", senderArgs(port));
    const late: Child[] = [];
    const startedAfter: (number | null)[] = [];
    for (let k = 0; k < receivers; k++) {
      const share = (0.1 + (0.6 * k) / Math.max(1, receivers - 1)) * count;
      await sender2.waitFor((r) =>
        r.type === "sent" && (r.seq as number) >= Math.floor(share)
      );
      const receiver = spawn("broadcast-receiver", [
        ...receiverArgs,
        "--port",
        String(port),
      ]);
      await listening(receiver);
      const sent = sender2.records.findLast((r) => r.type === "sent");
      startedAfter.push((sent?.seq as number | undefined) ?? null);
      out.line(text.started(k + 1, startedAfter[k]));
      out.flush();
      late.push(receiver);
    }
    out.line(text.sent(await finish(sender2)));
    rows.push(...await stopAll(late, "sender-first", startedAfter));
    checkStopped(stop.stopped);
  } finally {
    stop.dispose();
    for (const child of children) child.kill();
  }

  printTable(out, rows, count, lang);
  for (const row of rows) {
    out.record({
      ...row.summary,
      missing: missedBefore(row, count) + row.summary.gaps,
      missedBeforeFirst: missedBefore(row, count),
      lostAfterLast: lostAfterLast(row, count),
      type: "row",
      order: row.order,
      receiver: row.receiver,
      startedAfter: row.startedAfter,
    });
  }
  const answer = answerText(rows, count, lang);
  out.line("");
  out.line(answer);
  out.record({ type: "answer", sent: count, text: answer });
  if (options.report !== undefined) {
    await writeReport(options.report, {
      lab: "demo",
      results: runs.map((r) => r.result(lang)),
    }, { lang, date });
    out.line(text.report(options.report));
  }
  return 0;
}

/**
 * One of the demo's runs as a lab scenario result, for the report: each
 * child's records with when they were read, from the run's start.
 */
class DemoRun {
  readonly order: Row["order"];
  readonly started = Date.now();
  #roles: { child: Child; role: string; args: string[]; startedMs: number }[] =
    [];

  constructor(order: Row["order"]) {
    this.order = order;
  }

  /** Notes a child started in this run. */
  add(child: Child, role: string, args: string[]): void {
    this.#roles.push({
      child,
      role,
      args,
      startedMs: Date.now() - this.started,
    });
  }

  /** The run as a scenario result: the sender is alpine-1, receivers alpine-2 …. */
  result(lang: Lang): ScenarioResult {
    let receiver = 1;
    const processes: ProcessResult[] = this.#roles.map((r, step) => {
      const host = r.role === "broadcast-sender"
        ? "alpine-1"
        : `alpine-${++receiver}`;
      const typed = [
        "deno",
        "task",
        r.role,
        ...r.args.filter((a) => a !== "--json"),
      ];
      const summary = r.child.records.findLast((rec) => rec.type === "summary");
      return {
        host,
        address: FROM,
        role: r.role,
        step,
        args: r.args,
        command: typed,
        typed,
        input: [],
        startedMs: r.startedMs,
        code: r.child.end?.code ?? null,
        signal: r.child.end?.signal ?? null,
        stopped: r.role !== "broadcast-sender",
        endKeys: r.role !== "broadcast-sender" ? ["Ctrl+C"] : [],
        stdout: r.child.lines,
        stdoutMs: r.child.lineTimes.map((t) => t - this.started),
        dropped: 0,
        transcript: [],
        transcriptOmitted: 0,
        stderr: r.child.stderr,
        summary,
        checks: [],
        ok: r.child.end?.code === 0,
      };
    });
    const last = Math.max(
      0,
      ...processes.flatMap((p) => p.stdoutMs.slice(-1)),
    );
    return {
      scenario: this.order,
      description: TEXT[lang].order[this.order],
      lab: "demo",
      ok: processes.every((p) => p.ok),
      durationMs: last,
      processes,
    };
  }
}

/** Waits for a receiver's `listening` record; fails with its error line if it exits first. */
async function listening(child: Child): Promise<Record<string, unknown>> {
  const record = await child.waitFor((r) => r.type === "listening");
  if (!record) {
    await child.done;
    throw new RuntimeError({
      en: `a receiver did not start: ${child.stderr.trim()}`,
      id: `sebuah penerima tidak mulai: ${child.stderr.trim()}`,
    });
  }
  return record;
}

/** Waits for the sender to finish; returns its summary record. */
async function finish(sender: Child): Promise<Record<string, unknown>> {
  const { code } = await sender.done;
  const summary = sender.records.findLast((r) => r.type === "summary");
  if (code !== 0 || !summary) {
    throw new RuntimeError({
      en: `the sender failed: ${sender.stderr.trim()}`,
      id: `pengirim gagal: ${sender.stderr.trim()}`,
    });
  }
  return summary;
}

/** Lets the receivers read what is queued, stops them, and collects their summaries. */
async function stopAll(
  group: Child[],
  order: Row["order"],
  startedAfter: (number | null)[],
): Promise<Row[]> {
  await delay(SETTLE_MS);
  for (const child of group) child.kill("SIGTERM");
  return await Promise.all(group.map(async (child, k) => {
    await child.done;
    const summary = child.records.findLast((r) => r.type === "summary");
    if (!summary) {
      throw new RuntimeError({
        en: `receiver ${k + 1} printed no summary: ${child.stderr.trim()}`,
        id: `penerima ${
          k + 1
        } tidak mencetak ringkasan: ${child.stderr.trim()}`,
      });
    }
    return {
      order,
      receiver: k + 1,
      startedAfter: startedAfter[k] ?? null,
      summary: summary as unknown as SequenceSummary,
    };
  }));
}

function checkStopped(stopped: boolean): void {
  if (stopped) {
    throw new RuntimeError({
      en: "stopped before the demo finished",
      id: "dihentikan sebelum demo selesai",
    });
  }
}

/**
 * What a receiver missed before its first number; one that got nothing (it
 * started after the sender had finished) missed everything that was sent.
 */
function missedBefore(row: Row, sent: number): number {
  return row.summary.firstSeq === null ? sent : row.summary.missedBeforeFirst;
}

/**
 * What was sent after a receiver's last number: it listened until the
 * sender had finished, so the sender's count tells what it lost at the end,
 * which the receiver itself cannot see.
 */
function lostAfterLast(row: Row, sent: number): number {
  const last = row.summary.lastSeq;
  return last === null ? 0 : Math.max(0, sent - last);
}

function printTable(
  out: Output,
  rows: Row[],
  sent: number,
  lang: Lang,
): void {
  const text = TEXT[lang];
  const cells = rows.map((row) => [
    text.order[row.order],
    `alpine-${row.receiver + 1}`,
    String(row.summary.received),
    row.summary.firstSeq === null ? text.none : String(row.summary.firstSeq),
    String(missedBefore(row, sent)),
    String(row.summary.gaps),
    String(lostAfterLast(row, sent)),
  ]);
  // The order is text; every other column is a number.
  const align: ColumnAlign[] = text.header.map((_, i) =>
    i === 0 ? "left" : "right"
  );
  out.line("");
  for (
    const line of tableLines([text.header, ...cells], { align, rule: true })
  ) {
    out.line(line);
  }
}

/** The lab's question ("what is the difference?") answered from the numbers. */
function answerText(rows: Row[], sent: number, lang: Lang): string {
  const first = rows.filter((r) => r.order === "receivers-first");
  const late = rows.filter((r) => r.order === "sender-first");
  const allFromOne = first.every((r) => r.summary.firstSeq === 1);
  const received1 = first.map((r) => r.summary.received);
  const firsts = late.map((r) =>
    r.summary.firstSeq === null
      ? (lang === "id" ? "tidak ada" : "none")
      : String(r.summary.firstSeq)
  ).join(", ");
  const missed = late.map((r) => missedBefore(r, sent)).join(", ");
  const lost = rows.reduce(
    (sum, r) => sum + r.summary.gaps + lostAfterLast(r, sent),
    0,
  );
  const range = (values: number[]) =>
    Math.min(...values) === Math.max(...values)
      ? String(values[0])
      : `${Math.min(...values)}${lang === "id" ? " sampai " : " to "}${
        Math.max(...values)
      }`;
  if (lang === "id") {
    return [
      allFromOne
        ? `Bila penerima dijalankan dulu, setiap penerima mendapat aliran yang sama dari angka 1 (${
          range(received1)
        } dari ${sent} datagram).`
        : `Bila penerima dijalankan dulu, penerima mulai dari angka ${
          first.map((r) => r.summary.firstSeq).join(", ")
        }.`,
      `Bila pengirim dijalankan dulu, penerima hanya mendapat yang dikirim setelah ia membuka port-nya: angka pertamanya bergantung pada kapan ia dijalankan (di sini ${firsts}), dan semua yang dikirim sebelumnya (${missed} datagram) tidak pernah sampai kepadanya, karena broadcast UDP tidak disimpan atau diulang untuk penerima yang terlambat.`,
      lost === 0
        ? "Tidak ada yang hilang selama mendengarkan di kedua urutan: bedanya hanya kapan penerima mulai, bukan jaringannya."
        : `Selama mendengarkan ${lost} datagram hilang (antrean soket penerima penuh karena pengirim tidak berhenti); UDP tidak mengirim ulang.`,
    ].join(" ");
  }
  return [
    allFromOne
      ? `With the receivers started first, every receiver got the same stream from number 1 (${
        range(received1)
      } of ${plural(sent, "datagram", "datagrams")}).`
      : `With the receivers started first, they began at numbers ${
        first.map((r) => r.summary.firstSeq).join(", ")
      }.`,
    `With the sender started first, a receiver only gets what is sent after it has opened its port: its first number depends on when it was started (here ${firsts}), and everything sent before that (${missed} datagrams) never reached it, because a UDP broadcast is not stored or repeated for late listeners.`,
    lost === 0
      ? "Nothing was lost while listening in either order: the difference is when each receiver started, not the network."
      : `${
        plural(lost, "datagram was", "datagrams were")
      } lost while listening (a receiver's socket queue overflowed while the sender did not pause); UDP does not resend them.`,
  ].join(" ");
}
