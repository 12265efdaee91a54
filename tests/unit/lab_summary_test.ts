import assert from "node:assert/strict";
import { failureExcerpts, formatReport } from "../../lib/lab/report.ts";
import type {
  ProcessResult,
  ScenarioResult,
} from "../../lib/scenario/scenario.ts";
import {
  formatTable,
  sequenceNotes,
  summaryTables,
  verdictLine,
} from "../../lib/results/summary.ts";
import { parseTopology } from "../../lib/scenario/topology.ts";

function receiver(
  host: string,
  startedMs: number,
  firstSeq: number,
  ok = true,
): ProcessResult {
  const lines = Array.from(
    { length: 40 },
    (_, i) => JSON.stringify({ type: "datagram", seq: firstSeq + i }),
  );
  return {
    host,
    address: "192.168.122.131",
    role: "broadcast-receiver",
    step: 1,
    args: ["--port", "5005", "--count", "40"],
    command: [],
    typed: [
      "deno",
      "task",
      "broadcast-receiver",
      "--port",
      "5005",
      "--count",
      "40",
    ],
    input: [],
    startedMs,
    code: ok ? 0 : 1,
    signal: null,
    stopped: false,
    stdout: lines,
    stdoutMs: lines.map((_, i) => startedMs + 100 + i * 2),
    dropped: 0,
    // As kept by the runner: first and last 200 of 999 human lines.
    transcript: Array.from({ length: 400 }, (_, i) => {
      const n = i < 200 ? i : i + 599;
      return [
        "pesan dari 192.168.122.207",
        `diterima  BROADCAST ini angka ${firstSeq + Math.floor(n / 3)} `,
        "dikirim oleh (192.168.122.207, 40000)",
      ][n % 3];
    }),
    transcriptOmitted: 599,
    stderr: ok ? "" : "broadcast-receiver: error: boom\n",
    summary: {
      type: "summary",
      received: 40,
      firstSeq,
      lastSeq: firstSeq + 39,
      missing: firstSeq - 1,
      missedBeforeFirst: firstSeq - 1,
      gaps: 0,
    },
    checks: [{ name: "exit", ok, detail: ok ? "0" : "1: boom" }],
    ok,
  };
}

const RESULT: ScenarioResult = {
  scenario: "broadcast-sender-first",
  description: "sender first",
  lab: "t",
  ok: false,
  durationMs: 4200,
  processes: [
    {
      ...receiver("alpine-1", 0, 1),
      role: "broadcast-sender",
      args: ["--to", "192.168.122.255", "--message", "it's"],
      summary: { type: "summary", sent: 900 },
      stdout: ['{"type":"sending"}'],
      stdoutMs: [0],
      typed: [
        "deno",
        "task",
        "broadcast-sender",
        "--to",
        "192.168.122.255",
        "--message",
        "it's",
      ],
      transcript: ["sending to 192.168.122.255:5005"],
      transcriptOmitted: 0,
    },
    receiver("alpine-2", 1100, 318),
    receiver("alpine-3", 1600, 467, false),
  ],
};

Deno.test("summary: one table per role, with its own summary fields and the checks", () => {
  const tables = summaryTables(RESULT);
  assert.equal(tables.length, 2);
  assert.deepEqual(tables[0].header, ["host", "role", "exit", "sent", "check"]);
  assert.deepEqual(tables[1].header.slice(0, 6), [
    "host",
    "role",
    "exit",
    "received",
    "firstSeq",
    "lastSeq",
  ]);
  assert.deepEqual(tables[1].rows[1].at(-1), "FAIL exit: 1: boom");
  // outOfRange only when a receiver counted some.
  assert.ok(!tables[1].header.includes("outOfRange"));
  const forged = {
    ...RESULT,
    processes: RESULT.processes.map((p, i) =>
      i === 1 ? { ...p, summary: { ...p.summary, outOfRange: 3 } } : p
    ),
  };
  assert.ok(summaryTables(forged)[1].header.includes("outOfRange"));
  const text = formatTable(tables[1]);
  assert.match(text, /^alpine-2 +broadcast-receiver +0 +40 +318 +357 /m);
});

Deno.test("summary: receivers of unnumbered text get no sequence columns", () => {
  const chat = {
    ...receiver("alpine-2", 0, 1),
    role: "multicast-receiver",
    summary: {
      type: "summary",
      received: 3,
      firstSeq: null,
      lastSeq: null,
      missing: 0,
      missedBeforeFirst: 0,
      gaps: 0,
      duplicates: 0,
      outOfOrder: 0,
      invalid: 3,
    },
  };
  const [table] = summaryTables({ ...RESULT, processes: [chat] });
  assert.deepEqual(table.header, ["host", "role", "exit", "received", "check"]);
  assert.deepEqual(table.rows[0], [
    "alpine-2",
    "multicast-receiver",
    "0",
    "3",
    "ok",
  ]);
});

Deno.test("summary: each late receiver's first number and what it missed", () => {
  assert.deepEqual(sequenceNotes(RESULT).slice(0, 1), [
    "alpine-2 (started at 1.1 s): first number 318, so it missed 317 datagrams sent before it listened; 0 lost while listening",
  ]);
  // The sender has no sequence summary.
  assert.equal(sequenceNotes(RESULT).length, 2);
});

Deno.test("summary: with the sender's count, what a receiver lost after its last number", () => {
  const sender = {
    ...RESULT.processes[0],
    args: ["--to", "192.168.122.255", "--count", "2000"],
    summary: { type: "summary", sent: 2000 },
  };
  // Stopped at the end: it listened until the sender had finished.
  const tail = (host: string) => ({
    ...receiver(host, 500, 1),
    stopped: true,
    summary: { ...receiver(host, 500, 1).summary, lastSeq: 1932 },
  });
  // Ended by itself (--count): what came later was sent after it stopped.
  const counted = receiver("alpine-4", 900, 100);
  const result = {
    ...RESULT,
    processes: [sender, tail("alpine-2"), tail("alpine-3"), counted],
  };
  const notes = sequenceNotes(result);
  assert.equal(
    notes[0],
    "alpine-2 (started at 0.5 s): first number 1, so it missed 0 datagrams sent before it listened; 0 lost while listening; lost after 1932: 68 (the sender sent 2000)",
  );
  assert.match(notes[1], /; lost after 1932: 68 /);
  assert.doesNotMatch(notes[2], /lost after/);
  assert.match(
    sequenceNotes(result, "id")[0],
    /; hilang setelah 1932: 68 \(pengirim mengirim 2000\)$/,
  );
  const topology = parseTopology(
    "network: { subnet: 192.168.122.0/24 }\nhosts: { alpine-1: 192.168.122.207, alpine-2: 192.168.122.131 }\n",
  );
  const report = formatReport(topology, [result], { lab: "t" });
  assert.match(report, /^- alpine-3 .*; lost after 1932: 68 /m);
});

Deno.test("lab run: a failed role's checks and last terminal lines, for the terminal", () => {
  const lines = failureExcerpts(RESULT, 2);
  assert.deepEqual(lines, [
    "alpine-3 (broadcast-receiver): exit: 1: boom",
    "  | … 997 lines omitted …",
    "  | diterima  BROADCAST ini angka 799 ",
    "  | dikirim oleh (192.168.122.207, 40000)",
    "  ! broadcast-receiver: error: boom",
  ]);
});

Deno.test("report: topology, commands as typed on each host, tables, cut transcripts", () => {
  const topology = parseTopology(
    "network: { subnet: 192.168.122.0/24 }\nhosts: { alpine-1: 192.168.122.207, alpine-2: 192.168.122.131 }\n",
  );
  const report = formatReport(topology, [RESULT], {
    lab: "t",
    date: new Date("2026-01-02T03:04:05Z"),
  });
  assert.match(report, /^# Lab report$/m);
  assert.match(report, /^- Scenarios: broadcast-sender-first$/m);
  assert.match(report, /^- Lab: t `lab\.yaml`$/m);
  // The topology picture names the hosts: no table of them without rootfs.
  assert.doesNotMatch(report, /^\| alpine-1 \| 192\.168\.122\.207 \|$/m);
  // Each host's command as typed, with its results, one table per role.
  assert.match(
    report,
    /^\| 1\.1 s \| alpine-2 \| `deno task broadcast-receiver --port 5005 --count 40` \| 0 \| 40 \| 318 \| 357 \|/m,
  );
  assert.match(report, /--message 'it'\\''s'/);
  assert.match(
    report,
    /^\| start \| host \| command \(as typed on the host\) \| exit \| received \| firstSeq /m,
  );
  assert.match(report, /^sender first\. Result: FAILED \(4\.2 s\)\.$/m);
  assert.match(
    report,
    /alpine-2 listened at [\d.]+ s → first #318 \(317 missed\)/,
  );
  // Transcripts: what the terminal showed, cut to the first and last lines.
  // The whole ones in one block, each from its prompt, as in a terminal.
  assert.match(
    report,
    /```\nalpine-1\$ deno task broadcast-sender .*\nsending to 192\.168\.122\.255:5005\n\nalpine-2\$ deno task broadcast-receiver --port 5005 --count 40\npesan dari 192\.168\.122\.207\nditerima {2}BROADCAST ini angka 318 \ndikirim oleh \(192\.168\.122\.207, 40000\)\n/,
  );
  // The other receiver: its count, first and last lines.
  assert.match(
    report,
    /^- alpine-3 \(192\.168\.122\.131\): broadcast-receiver, 999 lines, 2 shown: `pesan dari 192\.168\.122\.207` … `dikirim oleh \(192\.168\.122\.207, 40000\)`$/m,
  );
  assert.match(report, /^… 987 lines omitted …$/m);
  assert.match(report, /^dikirim oleh \(192\.168\.122\.207, 40000\)\n```$/m);
  assert.doesNotMatch(report, /"type":"datagram"/);
  assert.match(
    report,
    /#### alpine-3: standard error\n\n```\nbroadcast-receiver: error: boom\n```/,
  );
});

Deno.test("lab with --lang id: tables, notes, failures and verdict in Indonesian", () => {
  const stopped = { ...receiver("alpine-4", 2000, 600), stopped: true };
  const missing = {
    ...receiver("alpine-5", 2500, 700, false),
    checks: [
      { name: "exit", ok: true, detail: "0" },
      {
        name: "lines",
        ok: false,
        detail: '1/2, missing "b"',
        detailId: '1/2, kurang "b"',
      },
    ],
  };
  const result = {
    ...RESULT,
    processes: [...RESULT.processes, stopped, missing],
  };
  const tables = summaryTables(result, "id");
  assert.deepEqual(tables[0].header, ["host", "role", "keluar", "sent", "cek"]);
  assert.deepEqual(tables[1].header.at(-2), "baris");
  const rows = tables[1].rows;
  assert.equal(rows[1].at(-1), "GAGAL exit: 1: boom");
  assert.equal(rows[2][2], "0 (dihentikan)");
  assert.equal(rows[3].at(-2), '1/2, kurang "b"');
  // English keeps the English detail.
  assert.equal(summaryTables(result)[1].rows[3].at(-2), '1/2, missing "b"');
  assert.equal(
    sequenceNotes(result, "id")[0],
    "alpine-2 (mulai pada 1.1 s): angka pertama 318, jadi 317 datagram yang dikirim sebelum ia mendengarkan terlewat; 0 hilang selama mendengarkan",
  );
  assert.deepEqual(failureExcerpts(result, 1, { lang: "id" }).slice(0, 2), [
    "alpine-3 (broadcast-receiver): exit: 1: boom",
    "  | … 998 baris tidak ditampilkan …",
  ]);
  assert.equal(
    verdictLine(result, "id"),
    "broadcast-sender-first: GAGAL (4.2 s)",
  );
});

Deno.test("report with --lang id: headings and prose in Indonesian, the scenario's Indonesian description", () => {
  const topology = parseTopology(
    `network: { subnet: 192.168.122.0/24 }
hosts: { alpine-1: 192.168.122.207, alpine-2: 192.168.122.131 }
scenarios:
  broadcast-sender-first:
    description: { en: sender first, id: pengirim dulu }
    steps:
      - { host: alpine-2, role: broadcast-receiver }
`,
  );
  const report = formatReport(topology, [RESULT], {
    lab: "t",
    date: new Date("2026-01-02T03:04:05Z"),
    lang: "id",
  });
  assert.match(report, /^# Laporan praktikum$/m);
  assert.match(report, /^- Tanggal: 2 Januari 2026, /m);
  assert.match(report, /^## Topologi$/m);
  assert.match(
    report,
    /^## Skenario 1: broadcast-sender-first\npengirim dulu\. Hasil: GAGAL \(4\.2 s\)\.$/m,
  );
  assert.match(
    report,
    /^\| mulai \| host \| perintah \(seperti diketik di host\) \| keluar \|/m,
  );
  assert.match(
    report,
    /alpine-2 mendengarkan pada [\d.]+ s → pertama #318 \(317 terlewat\)/,
  );
  assert.match(report, /^### Transkrip$/m);
  assert.match(report, /^… 987 baris tidak ditampilkan …$/m);
  assert.match(report, /^### Kesimpulan$/m);
  assert.doesNotMatch(
    report,
    /Lab report|Commands|omitted|started at/,
  );
  const english = formatReport(topology, [RESULT], { lab: "t" });
  assert.match(
    english,
    /^## Scenario 1: broadcast-sender-first\nsender first\. /m,
  );
});
