/**
 * What `lab report` reads and recognises, without a lab: the recording
 * queue that drops rather than waits, a recording read back (the receivers'
 * patterns, escaping), the practicum's experiments recognised from start
 * times and first numbers, and `--since`.
 */

import assert from "node:assert/strict";
import { displayShown } from "../../lib/cli/display.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { parseEntry, patternLines, Recorder } from "../../lib/cli/recording.ts";
import {
  chooseExperiments,
  parseOnly,
  recognise,
  ttlOf,
} from "../../lib/hand/experiments.ts";
import { parseRuns } from "../../lib/hand/records.ts";
import type { RecordedRun } from "../../lib/hand/recordings.ts";
import { overallConclusion } from "../../lib/report/conclusions.ts";
import type { ScenarioResult } from "../../lib/results/results.ts";
import { parseSince } from "../../lib/lab/_hand_report.ts";

// ------------------------------------------------------------ the recorder

Deno.test("Recorder: a full queue drops entries and counts them; the end entry still gets there", async () => {
  const path = await Deno.makeTempFile();
  const file = await Deno.open(path, { append: true });
  const recorder = new Recorder(path, file, { limit: 300 });
  // Nothing is written before the first await: the queue fills up.
  for (let i = 0; i < 10; i++) recorder.text(`line ${i} ${"x".repeat(40)}`);
  assert.equal(recorder.dropped, 7);
  assert.equal(await recorder.close(0), 7);
  const entries = (await Deno.readTextFile(path)).trim().split("\n").map(
    (l) => parseEntry(l)!,
  );
  assert.deepEqual(
    entries.map((e) => e.text?.slice(0, 6) ?? e.end),
    ["line 0", "line 1", "line 2", { code: 0, dropped: 7 }],
  );
  await Deno.remove(path);
});

Deno.test("Recorder: entries written as the queue empties are not dropped", async () => {
  const path = await Deno.makeTempFile();
  const file = await Deno.open(path, { append: true });
  const recorder = new Recorder(path, file, { limit: 300 });
  for (let i = 0; i < 10; i++) {
    recorder.text(`line ${i} ${"x".repeat(40)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(await recorder.close(0), 0);
  const text = await Deno.readTextFile(path);
  assert.equal(text.trim().split("\n").length, 11);
  await Deno.remove(path);
});

// ------------------------------------------------------ reading it back

/** Whether `text` holds a control character (a line break aside). */
function hasControl(text: string): boolean {
  return [...text].some((ch) => {
    const code = ch.codePointAt(0)!;
    return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) ||
      (code >= 0xd800 && code <= 0xdfff);
  });
}

function line(value: Record<string, unknown>): string {
  return JSON.stringify({ pid: 7, ...value });
}

Deno.test("parseRuns: a pattern gives each plain datagram its printed lines; the others keep their own", () => {
  const pattern = [
    "message from 10.0.0.1",
    "received \u0000",
    "sent by (10.0.0.1, 4000)",
  ];
  const text = [
    line({ t: 1, start: { role: "broadcast-receiver", argv: [], lang: "en" } }),
    line({ t: 2, text: "listening for broadcasts on udp 0.0.0.0:5005" }),
    line({ t: 3, pattern }),
    line({
      t: 3,
      record: { type: "datagram", seq: 1, text: " BROADCAST ini angka 1 " },
    }),
    // Not plain: its lines were printed (and recorded) one by one.
    line({ t: 4, text: "message from 10.0.0.1" }),
    line({ t: 4, text: "received caf\u00e9 \\x1b" }),
    line({ t: 4, text: "sent by (10.0.0.1, 4000)" }),
    line({
      t: 4,
      record: { type: "datagram", seq: null, text: "caf\u00e9 \\x1b" },
    }),
    line({ t: 5, record: { type: "datagram", seq: 2, text: "$1 $& angka 2" } }),
    line({ t: 6, pattern: null }),
    line({ t: 7, record: { type: "datagram", seq: 3, text: "angka 3" } }),
    '{"t":8,"pid":7,"text":"cut short by a full di',
    line({ t: 9, end: { code: 0, dropped: 1 } }),
  ].join("\n");
  const [run] = parseRuns("alpine-2", text);
  assert.deepEqual(run.text.map((t) => t.text), [
    "listening for broadcasts on udp 0.0.0.0:5005",
    "message from 10.0.0.1",
    "received  BROADCAST ini angka 1 ",
    "sent by (10.0.0.1, 4000)",
    "message from 10.0.0.1",
    "received caf\u00e9 \\x1b",
    "sent by (10.0.0.1, 4000)",
    "message from 10.0.0.1",
    "received $1 $& angka 2",
    "sent by (10.0.0.1, 4000)",
  ]);
  assert.equal(run.records.length, 4);
  assert.equal(run.dropped, 1);
  assert.equal(run.code, 0);
});

Deno.test("parseRuns: what was recorded cannot drive a terminal: control characters escaped, backslashes as printed", () => {
  const text = [
    line({
      t: 1,
      start: {
        role: "chat-client\u001b[2J",
        argv: ["--name", "a\u202eb"],
        lang: "id",
      },
    }),
    line({ t: 2, text: "Client_1 : \u001b[31mred\u0007 \\x1b \ud800 \u0085" }),
    line({ t: 3, pattern: ["got \u0000 \u001b]0;title\u0007"] }),
    line({ t: 3, record: { type: "datagram", text: "plain" } }),
  ].join("\n");
  const [run] = parseRuns("alpine-2", text);
  assert.equal(run.role, "chat-client\\x1b[2J");
  assert.deepEqual(run.argv, ["--name", "a\\u{202e}b"]);
  assert.equal(run.lang, "id");
  assert.deepEqual(run.text.map((t) => t.text), [
    "Client_1 : \\x1b[31mred\\x07 \\x1b \\u{d800} \\u{85}",
    "got plain \\x1b]0;title\\x07",
  ]);
  for (const { text } of run.text) {
    assert.ok(!hasControl(text), text);
  }
});

Deno.test("displayShown: escapes what a terminal acts on, leaves printed escapes alone", () => {
  assert.equal(displayShown("a\\x1b b\tc"), "a\\x1b b\\tc");
  assert.equal(displayShown(displayShown("\u001b\ud800")), "\\x1b\\u{d800}");
  assert.equal(patternLines(["x \u0000"], "a\\b"), undefined);
  assert.equal(patternLines(["x \u0000"], "caf\u00e9"), undefined);
  assert.deepEqual(patternLines(["x \u0000"], "ok"), ["x ok"]);
});

// ------------------------------------------------------------ recognise

const ADDRESSES = {
  "alpine-1": "192.168.122.207",
  "alpine-2": "192.168.122.131",
  "alpine-3": "192.168.122.7",
};

/** What a run did, for {@linkcode run}. */
interface Did {
  start: number;
  end?: number;
  argv?: string[];
  code?: number;
  /** A sender's count (its summary's `sent`). */
  sent?: number;
  /** A receiver's summary, as it printed it at its end. */
  summary?: Record<string, unknown>;
  /** Other records, at the run's start. */
  records?: Record<string, unknown>[];
  /** A receiver's: the source port its datagrams came from. */
  port?: number;
}

function run(
  host: string,
  role: string,
  at: Did,
  datagrams: [number, number][] = [],
): RecordedRun {
  const end = at.end;
  const records = [
    ...(at.records ?? []).map((record) => ({ t: at.start + 1, record })),
    ...datagrams.map(([t, seq]) => ({
      t,
      record: {
        type: "datagram",
        ...(at.port === undefined ? {} : { port: at.port }),
        seq,
        text: ` BROADCAST ini angka ${seq} `,
      },
    })),
  ];
  if (at.sent !== undefined && end !== undefined) {
    records.push({ t: end, record: { type: "summary", sent: at.sent } });
  }
  if (at.summary !== undefined && end !== undefined) {
    records.push({ t: end, record: { type: "summary", ...at.summary } });
  }
  return {
    host,
    source: host,
    pid: Math.floor(at.start) + host.length,
    role,
    argv: at.argv ?? [],
    via: "task",
    lang: "en",
    startMs: at.start,
    endMs: end,
    code: end === undefined ? undefined : at.code ?? 0,
    dropped: 0,
    records,
    text: [],
  };
}

/** Datagrams `from`…`to`, one per ms from `t`. */
function numbers(t: number, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  for (let n = from; n <= to; n++) out.push([t + n - from, n]);
  return out;
}

function byStart(runs: RecordedRun[]): RecordedRun[] {
  return runs.sort((a, b) => a.startMs - b.startMs);
}

/** The results of the experiments the report holds by default. */
function reported(runs: RecordedRun[], lang?: "id"): ScenarioResult[] {
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES, lang });
  return chooseExperiments(found).map((e) => e.result);
}

const sender = (at: Did) =>
  run("alpine-1", "broadcast-sender", { sent: 300, ...at });

Deno.test("recognise: receivers first, then sender first, from start times and first numbers", () => {
  const runs = byStart([
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 0, end: 1500 },
      numbers(1000, 1, 300),
    ),
    run(
      "alpine-3",
      "broadcast-receiver",
      { start: 200, end: 1500 },
      numbers(1000, 1, 300),
    ),
    sender({ start: 1000, end: 1300 }),
    sender({ start: 10_000, end: 12_500, sent: 2500 }),
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 10_700, end: 13_000 },
      numbers(10_700, 701, 2500),
    ),
    run(
      "alpine-3",
      "broadcast-receiver",
      { start: 11_400, end: 13_000 },
      numbers(11_400, 1401, 2500),
    ),
  ]);
  const results = reported(runs);
  assert.deepEqual(results.map((r) => r.scenario), [
    "broadcast-receivers-first",
    "broadcast-sender-first",
  ]);
  const [first, second] = results;
  assert.equal(first.processes[0].host, "alpine-2");
  assert.deepEqual(
    first.processes.map((p) => [p.host, p.role, p.summary?.firstSeq ?? null]),
    [
      ["alpine-2", "broadcast-receiver", 1],
      ["alpine-3", "broadcast-receiver", 1],
      ["alpine-1", "broadcast-sender", null],
    ],
  );
  assert.ok(first.ok);
  assert.equal(
    first.description,
    "by hand: receivers on alpine-2, alpine-3 started first, then broadcast-sender on alpine-1",
  );
  assert.deepEqual(
    second.processes.map((p) => [p.host, p.summary?.firstSeq ?? null]),
    [["alpine-1", null], ["alpine-2", 701], ["alpine-3", 1401]],
  );
  assert.ok(second.ok);
  assert.equal(second.processes[2].address, "192.168.122.7");
  assert.deepEqual(second.processes[0].typed, [
    "deno",
    "task",
    "broadcast-sender",
  ]);
  const id = reported(runs, "id");
  assert.equal(
    id[1].description,
    "manual: broadcast-sender di alpine-1 dijalankan lebih dulu, penerima di alpine-2, alpine-3 menyusul",
  );
});

Deno.test("recognise: a receiver left running through two senders is cut in two; the second part's numbers are its own, not the run's summary", () => {
  const runs = byStart([
    run("alpine-2", "broadcast-receiver", {
      start: 0,
      end: 20_000,
      // What it printed at the end covers both: first number 1, 150 in all.
      summary: { received: 150, firstSeq: 1, lastSeq: 100, gaps: 0 },
    }, [
      ...numbers(1000, 1, 100),
      ...numbers(10_000, 1, 50),
    ]),
    sender({ start: 1000, end: 1100, sent: 100 }),
    sender({ start: 10_000, end: 10_050, sent: 50 }),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  const results = found.experiments.map((e) => e.result);
  assert.deepEqual(results.map((r) => r.scenario), [
    "broadcast-receivers-first",
    "broadcast-receivers-first",
  ]);
  const receiver = (i: number) =>
    results[i].processes.find((p) => p.role === "broadcast-receiver")!;
  assert.equal(receiver(0).summary?.received, 100);
  assert.equal(receiver(0).summary?.lastSeq, 100);
  assert.equal(receiver(1).summary?.received, 50);
  assert.equal(receiver(1).summary?.lastSeq, 50);
  assert.equal(receiver(1).summary?.firstSeq, 1);
  // Repeated: the report holds the last one only.
  assert.deepEqual(chooseExperiments(found).map((e) => e.number), [2]);
});

Deno.test("recognise: a receiver whose first datagram seems to come before its sender started (VMs' clocks as serve estimated them) is in that sender's experiment, not the one before", () => {
  // As serve stored a practicum: alpine-1's times 5 ms late (its delivery's
  // trip), alpine-3's (sent later with progjar-send) exact. alpine-3's run
  // of the receivers-first order started after the first sender ended, and
  // seems to get the second sender's 1 two ms before that sender started.
  const sending = (sourcePort: number) => ({
    type: "sending",
    from: "0.0.0.0",
    sourcePort,
    to: "255.255.255.255",
    port: 5005,
  });
  const runs = byStart([
    sender({
      start: 1663,
      end: 4107,
      sent: 806,
      records: [sending(40853)],
    }),
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 2109, end: 4215, port: 40853 },
      numbers(2123, 158, 806),
    ),
    run(
      "alpine-3",
      "broadcast-receiver",
      { start: 2625, end: 4217, port: 40853 },
      numbers(2643, 330, 806),
    ),
    sender({ start: 4411, end: 5386, records: [sending(59372)] }),
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 4307, end: 5948, port: 59372 },
      numbers(4424, 1, 300),
    ),
    run(
      "alpine-3",
      "broadcast-receiver",
      { start: 4323, end: 5936, port: 59372 },
      numbers(4409, 1, 300),
    ),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.deepEqual(
    found.experiments.map((e) => [
      e.scenario,
      e.result.processes.map((p) => [p.host, p.summary?.firstSeq ?? null]),
      e.result.ok,
    ]),
    [
      [
        "broadcast-sender-first",
        [["alpine-1", null], ["alpine-2", 158], ["alpine-3", 330]],
        true,
      ],
      [
        "broadcast-receivers-first",
        [["alpine-2", 1], ["alpine-3", 1], ["alpine-1", null]],
        true,
      ],
    ],
  );
  // A receiver left running through both: each part has its own sender's.
  const through = byStart([
    sender({ start: 1000, end: 2000, sent: 100, records: [sending(40853)] }),
    sender({ start: 2100, end: 2300, sent: 100, records: [sending(59372)] }),
    {
      ...run("alpine-2", "broadcast-receiver", { start: 500, end: 3000 }),
      records: [
        ...numbers(1005, 1, 100).map(([t, seq]) => ({
          t,
          record: { type: "datagram", port: 40853, seq },
        })),
        // Stamped a little after its sender ended, a little before the next
        // one started.
        ...numbers(2001, 101, 103).map(([t, seq]) => ({
          t,
          record: { type: "datagram", port: 40853, seq },
        })),
        ...numbers(2098, 1, 100).map(([t, seq]) => ({
          t,
          record: { type: "datagram", port: 59372, seq },
        })),
      ],
    },
  ]);
  const parts = recognise(through, { lab: "t", addresses: ADDRESSES })
    .experiments.map((e) =>
      e.result.processes.find((p) => p.role === "broadcast-receiver")!.summary
    );
  assert.deepEqual(
    parts.map((s) => [s?.firstSeq, s?.lastSeq, s?.received]),
    [[1, 103, 103], [1, 100, 100]],
  );
});

Deno.test("recognise: a receiver that got nothing from 1 on fails receivers-first's check", () => {
  const runs = byStart([
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 0, end: 3000 },
      numbers(1000, 5, 300),
    ),
    sender({ start: 1000, end: 1300 }),
  ]);
  const [result] = reported(runs);
  assert.equal(result.scenario, "broadcast-receivers-first");
  assert.equal(result.ok, false);
  const check = result.processes[0].checks.find((c) => c.name === "firstSeq");
  assert.deepEqual(check, {
    name: "firstSeq",
    ok: false,
    detail: "5 (wanted 1)",
  });
});

Deno.test("recognise: the issue's false start: two sends that failed (no route) are no experiment, and the Kesimpulan of the real one passes", () => {
  const failed = (start: number) =>
    run("alpine-1", "broadcast-sender", {
      start,
      end: start + 40,
      code: 1,
      argv: ["--count", "300"],
      records: [{ type: "sending", to: "255.255.255.255", port: 5005 }],
      sent: 0,
    });
  const runs = byStart([
    failed(0),
    // A receiver started, then the same failed send again.
    run("alpine-2", "broadcast-receiver", { start: 500, end: 9000 }, [
      ...numbers(5000, 1, 300),
    ]),
    failed(1000),
    sender({ start: 5000, end: 5300, argv: ["--to", "192.168.122.255"] }),
  ]);
  const found = recognise(runs, {
    lab: "t",
    addresses: ADDRESSES,
    lang: "id",
  });
  assert.deepEqual(
    found.experiments.map((e) => [e.number, e.scenario, e.complete]),
    [[1, "broadcast-receivers-first", true]],
  );
  assert.equal(
    found.experiments[0].result.description,
    "manual: penerima di alpine-2 dijalankan lebih dulu, lalu broadcast-sender di alpine-1",
  );
  assert.deepEqual(
    found.leftOut.map((l) => [l.run.startMs, l.reason]),
    [[0, "nothing-sent"], [1000, "nothing-sent"]],
  );
  const overall = overallConclusion(
    chooseExperiments(found).map((e) => e.result),
    "id",
  );
  assert.ok(!overall.some((l) => /Tidak lolos/.test(l)), overall.join("\n"));
  assert.match(overall.join("\n"), /lolos/);
});

Deno.test("recognise: a receiver started and stopped with nothing received, a server no client reached, a client that never connected: left out", () => {
  const runs = byStart([
    run("alpine-2", "broadcast-receiver", {
      start: 0,
      end: 2000,
      records: [{ type: "listening", port: 5005 }],
      summary: { received: 0, firstSeq: null },
    }),
    run("alpine-3", "broadcast-receiver", { start: 2500, end: 9000 }, [
      ...numbers(3000, 1, 300),
    ]),
    sender({ start: 3000, end: 3300 }),
    run("alpine-1", "chat-server", {
      start: 20_000,
      end: 21_000,
      records: [{ type: "listening", port: 8080 }],
    }),
    run("alpine-2", "chat-client", {
      start: 22_000,
      end: 22_100,
      code: 1,
      records: [{ type: "connecting", host: "alpine-1", port: 8080 }],
    }),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.deepEqual(found.experiments.map((e) => e.scenario), [
    "broadcast-receivers-first",
  ]);
  assert.deepEqual(
    found.experiments[0].result.processes.map((p) => p.host),
    ["alpine-3", "alpine-1"],
  );
  assert.deepEqual(found.leftOut.map((l) => [l.run.role, l.reason]), [
    ["broadcast-receiver", "nothing-received"],
    ["chat-server", "no-client"],
    ["chat-client", "not-connected"],
  ]);
});

Deno.test("recognise: the course's sender first: the endless sender first, receivers one by one, all stopped with Ctrl+C; each first number as the receiver printed it", () => {
  // Ctrl+C on every pane: the sender and each receiver end with 0 and
  // their own summary; a receiver's first number is the one it printed.
  const printed = { "alpine-2": 1812, "alpine-3": 3650 } as const;
  const runs = byStart([
    run("alpine-1", "broadcast-sender", {
      start: 0,
      end: 9_000,
      sent: 8990,
      records: [{ type: "sending", to: "255.255.255.255", port: 5005 }],
    }),
    run("alpine-2", "broadcast-receiver", {
      start: 1_700,
      end: 9_100,
      summary: { received: 7179, firstSeq: 1812, lastSeq: 8990, gaps: 0 },
    }, numbers(1_812, 1812, 8990)),
    run("alpine-3", "broadcast-receiver", {
      start: 3_500,
      end: 9_050,
      summary: { received: 5341, firstSeq: 3650, lastSeq: 8990, gaps: 0 },
    }, numbers(3_650, 3650, 8990)),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.equal(found.experiments.length, 1);
  const [e] = found.experiments;
  assert.equal(e.scenario, "broadcast-sender-first");
  assert.ok(e.complete);
  assert.ok(
    e.result.ok,
    JSON.stringify(e.result.processes.map((p) => p.checks)),
  );
  for (const host of ["alpine-2", "alpine-3"] as const) {
    const p = e.result.processes.find((p) => p.host === host)!;
    assert.equal(p.summary?.firstSeq, printed[host]);
  }
  assert.deepEqual(e.hosts, ["alpine-1", "alpine-2", "alpine-3"]);
  assert.equal(e.startMs, 0);
  assert.equal(e.endMs, 9_100);
});

Deno.test("recognise: a scenario repeated counts once: the last complete one of each kind; one still running is not complete", () => {
  const receiversFirst = (t: number) => [
    run("alpine-2", "broadcast-receiver", { start: t, end: t + 2000 }, [
      ...numbers(t + 500, 1, 300),
    ]),
    sender({ start: t + 500, end: t + 800 }),
  ];
  const runs = byStart([
    ...receiversFirst(0),
    ...receiversFirst(10_000),
    // The third is still going: its sender has not ended.
    run("alpine-2", "broadcast-receiver", { start: 20_000 }, [
      ...numbers(20_500, 1, 30),
    ]),
    run("alpine-1", "broadcast-sender", { start: 20_500 }),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.deepEqual(
    found.experiments.map((e) => [e.number, e.complete]),
    [[1, true], [2, true], [3, false]],
  );
  assert.equal(
    found.experiments[2].incomplete?.en,
    "broadcast-sender on alpine-1 still running",
  );
  assert.deepEqual(chooseExperiments(found).map((e) => e.number), [2]);
  assert.deepEqual(chooseExperiments(found, [1, 3]).map((e) => e.number), [
    1,
    3,
  ]);
});

Deno.test("--only: numbers separated by commas; a number no experiment has, or anything else, is a usage error naming --list", () => {
  assert.deepEqual(parseOnly("4,2"), [2, 4]);
  assert.deepEqual(parseOnly(" 3 , 3"), [3]);
  for (const bad of ["", "0", "2,", "a", "1-3", "-1", "2;4"]) {
    assert.throws(() => parseOnly(bad), UsageError, bad);
  }
  const found = recognise(
    byStart([
      run("alpine-2", "broadcast-receiver", { start: 0, end: 2000 }, [
        ...numbers(500, 1, 300),
      ]),
      sender({ start: 500, end: 800 }),
    ]),
    { lab: "t", addresses: ADDRESSES },
  );
  assert.throws(
    () => chooseExperiments(found, [1, 4]),
    (err: Error) => {
      assert.ok(err instanceof UsageError);
      assert.match(
        err.message,
        /^--only: no experiment 4 \(there is 1; see --list\)$/,
      );
      return true;
    },
  );
});

Deno.test("recognise: multicast with its TTL, the chat, unicast, and a role that got something with no experiment to be in, as other", () => {
  const joined = [{ type: "join", name: "c", address: "a", online: 1 }];
  const runs = byStart([
    run("alpine-2", "multicast-receiver", { start: 0, end: 5000 }, [[1500, 1]]),
    run("alpine-3", "multicast-receiver", { start: 100, end: 5000 }, [[
      1500,
      1,
    ]]),
    run("alpine-1", "multicast-sender", {
      start: 1000,
      end: 4000,
      argv: ["--ttl", "3"],
      records: [{ type: "sent", bytes: 3 }],
    }),
    run("alpine-1", "chat-server", {
      start: 10_000,
      end: 20_000,
      records: joined,
    }),
    run("alpine-2", "chat-client", {
      start: 11_000,
      end: 19_000,
      records: [{ type: "connected" }],
    }),
    run("alpine-3", "chat-client", {
      start: 12_000,
      end: 19_000,
      records: [{ type: "connected" }],
    }),
    run("alpine-1", "udp-server", {
      start: 30_000,
      end: 40_000,
      records: [{ type: "datagram", text: "Hello World" }],
    }),
    run("alpine-2", "udp-client", {
      start: 31_000,
      end: 31_100,
      records: [{ type: "reply", text: "Get off my lawn!" }],
    }),
    run("alpine-3", "broadcast-receiver", { start: 50_000, end: 51_000 }, [
      [50_500, 7],
    ]),
  ]);
  const found = recognise(runs, { lab: "t", addresses: ADDRESSES });
  const results = found.experiments.map((e) => e.result);
  assert.deepEqual(
    results.map((r) => [r.scenario, r.processes.map((p) => p.host).join(" ")]),
    [
      ["multicast-chat", "alpine-2 alpine-3 alpine-1"],
      ["tcp-chat", "alpine-1 alpine-2 alpine-3"],
      ["unicast", "alpine-1 alpine-2"],
      ["other", "alpine-3"],
    ],
  );
  assert.deepEqual(results.map((r) => r.description), [
    "by hand: multicast-sender on alpine-1 (TTL 3), 2 members on alpine-2, alpine-3",
    "by hand: chat-server on alpine-1, clients on alpine-2, alpine-3",
    "by hand: udp-server on alpine-1, 1 client on alpine-2",
    "by hand: roles that belong to no experiment",
  ]);
  assert.deepEqual(found.leftOut, []);
  assert.deepEqual(
    chooseExperiments(found).map((e) => [e.number, e.scenario, e.complete]),
    [[1, "multicast-chat", true], [2, "tcp-chat", true], [3, "unicast", true], [
      4,
      "other",
      true,
    ]],
  );
  const id = recognise(runs, { lab: "t", addresses: ADDRESSES, lang: "id" });
  assert.equal(
    id.experiments[0].result.description,
    "manual: multicast-sender di alpine-1 (TTL 3), 2 anggota di alpine-2, alpine-3",
  );
});

Deno.test("ttlOf: --ttl N, --ttl=N, else the course's 2", () => {
  const sender = (argv: string[]) =>
    run("alpine-1", "multicast-sender", { start: 0, argv });
  assert.equal(ttlOf(sender(["--ttl", "5"])), 5);
  assert.equal(ttlOf(sender(["--ttl=1"])), 1);
  assert.equal(ttlOf(sender([])), 2);
});

// -------------------------------------------------------------- --since

Deno.test("parseSince: how long ago, a time of today, a date and time; anything else is a usage error", () => {
  const now = new Date(2026, 10, 30, 12, 0, 0);
  assert.equal(parseSince("90s", now), now.getTime() - 90_000);
  assert.equal(parseSince("15m", now), now.getTime() - 900_000);
  assert.equal(parseSince("2h", now), now.getTime() - 7_200_000);
  assert.equal(
    parseSince("10:15", now),
    new Date(2026, 10, 30, 10, 15).getTime(),
  );
  assert.equal(
    parseSince("9:05:30", now),
    new Date(2026, 10, 30, 9, 5, 30).getTime(),
  );
  assert.equal(
    parseSince("2026-11-29T08:00:00Z", now),
    Date.UTC(2026, 10, 29, 8, 0, 0),
  );
  for (const bad of ["24:00", "10:60", "yesterday", "15", "5d", "2026-13-45"]) {
    assert.throws(() => parseSince(bad, now), UsageError, bad);
  }
});
