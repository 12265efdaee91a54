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
import { recognise, ttlOf } from "../../lib/hand/experiments.ts";
import { parseRuns, type RecordedRun } from "../../lib/hand/records.ts";
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

function run(
  host: string,
  role: string,
  at: { start: number; end?: number; argv?: string[] },
  datagrams: [number, number][] = [],
): RecordedRun {
  return {
    host,
    pid: Math.floor(at.start) + host.length,
    role,
    argv: at.argv ?? [],
    via: "task",
    lang: "en",
    startMs: at.start,
    endMs: at.end,
    code: at.end === undefined ? undefined : 0,
    dropped: 0,
    records: datagrams.map(([t, seq]) => ({
      t,
      record: { type: "datagram", seq, text: ` BROADCAST ini angka ${seq} ` },
    })),
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
    run("alpine-1", "broadcast-sender", { start: 1000, end: 1300 }),
    run("alpine-1", "broadcast-sender", { start: 10_000, end: 12_500 }),
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
  const results = recognise(runs, { lab: "t", addresses: ADDRESSES });
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
  const id = recognise(runs, { lab: "t", addresses: ADDRESSES, lang: "id" });
  assert.equal(
    id[1].description,
    "manual: broadcast-sender di alpine-1 dijalankan lebih dulu, penerima di alpine-2, alpine-3 menyusul",
  );
});

Deno.test("recognise: a receiver left running through two senders is cut in two", () => {
  const runs = byStart([
    run("alpine-2", "broadcast-receiver", { start: 0, end: 20_000 }, [
      ...numbers(1000, 1, 100),
      ...numbers(10_000, 1, 50),
    ]),
    run("alpine-1", "broadcast-sender", { start: 1000, end: 1100 }),
    run("alpine-1", "broadcast-sender", { start: 10_000, end: 10_050 }),
  ]);
  const results = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.deepEqual(results.map((r) => r.scenario), [
    "broadcast-receivers-first",
    "broadcast-receivers-first",
  ]);
  const receiver = (i: number) =>
    results[i].processes.find((p) => p.role === "broadcast-receiver")!;
  assert.equal(receiver(0).summary?.received, 100);
  assert.equal(receiver(0).summary?.lastSeq, 100);
  assert.equal(receiver(1).summary?.received, 50);
  assert.equal(receiver(1).summary?.firstSeq, 1);
});

Deno.test("recognise: a receiver that got nothing from 1 on fails receivers-first's check", () => {
  const runs = byStart([
    run(
      "alpine-2",
      "broadcast-receiver",
      { start: 0, end: 3000 },
      numbers(1000, 5, 300),
    ),
    run("alpine-1", "broadcast-sender", { start: 1000, end: 1300 }),
  ]);
  const [result] = recognise(runs, { lab: "t", addresses: ADDRESSES });
  assert.equal(result.scenario, "broadcast-receivers-first");
  assert.equal(result.ok, false);
  const check = result.processes[0].checks.find((c) => c.name === "firstSeq");
  assert.deepEqual(check, {
    name: "firstSeq",
    ok: false,
    detail: "5 (wanted 1)",
  });
});

Deno.test("recognise: multicast with its TTL, the chat, unicast and what belongs to none", () => {
  const runs = byStart([
    run("alpine-2", "multicast-receiver", { start: 0, end: 5000 }),
    run("alpine-3", "multicast-receiver", { start: 100, end: 5000 }),
    run("alpine-1", "multicast-sender", {
      start: 1000,
      end: 4000,
      argv: ["--ttl", "3"],
    }),
    run("alpine-1", "chat-server", { start: 10_000, end: 20_000 }),
    run("alpine-2", "chat-client", { start: 11_000, end: 19_000 }),
    run("alpine-3", "chat-client", { start: 12_000, end: 19_000 }),
    run("alpine-1", "udp-server", { start: 30_000, end: 40_000 }),
    run("alpine-2", "udp-client", { start: 31_000, end: 31_100 }),
    run("alpine-3", "broadcast-receiver", { start: 50_000, end: 51_000 }),
  ]);
  const results = recognise(runs, { lab: "t", addresses: ADDRESSES });
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
  const id = recognise(runs, { lab: "t", addresses: ADDRESSES, lang: "id" });
  assert.equal(
    id[0].description,
    "manual: multicast-sender di alpine-1 (TTL 3), 2 anggota di alpine-2, alpine-3",
  );
  assert.equal(
    id[3].description,
    "manual: role yang tidak termasuk eksperimen mana pun",
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
