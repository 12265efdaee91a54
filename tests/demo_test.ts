import assert from "node:assert/strict";
import { answerText } from "../cmd/demo.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno task demo runs both orders and its table is consistent", async () => {
  // The same command a user types, with a shorter run.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "task",
      "--quiet",
      "demo",
      "--json",
      "--count",
      "400",
      "--interval",
      "2",
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1", LANG: "C.UTF-8" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const records = out.trim().split("\n").map((line) => JSON.parse(line));
  const rows = records.filter((r) => r.type === "row");
  assert.equal(rows.length, 8);
  for (const row of rows) {
    // Every number is accounted for: received = distinct numbers + repeats + invalid.
    if (row.firstSeq !== null) {
      assert.equal(row.missedBeforeFirst, row.firstSeq - 1);
      assert.equal(
        row.received,
        row.lastSeq - row.firstSeq + 1 - row.gaps + row.duplicates +
          row.invalid,
      );
    }
    assert.equal(row.missing, row.missedBeforeFirst + row.gaps);
  }
  const first = rows.filter((r) => r.order === "receivers-first");
  const late = rows.filter((r) => r.order === "sender-first");
  assert.equal(first.length, 4);
  for (const row of first) {
    assert.equal(row.firstSeq, 1);
    assert.equal(row.missedBeforeFirst, 0);
    assert.equal(row.lastSeq, 400);
  }
  // Started while the sender was sending: each missed what came before it,
  // and one started later missed more.
  assert.equal(late.length, 4);
  assert.ok(
    late[0].firstSeq > 1,
    `first late receiver began at ${late[0].firstSeq}`,
  );
  const firsts = late.map((r) => r.firstSeq).filter((n) => n !== null);
  assert.deepEqual(firsts, [...firsts].sort((a, b) => a - b));
  const answer = records.at(-1);
  assert.equal(answer.type, "answer");
  assert.ok(
    answer.text.includes(
      `here ${late.map((r) => r.firstSeq ?? "none").join(", ")}`,
    ),
  );
});

Deno.test("demo: a late receiver that got nothing missed everything sent", () => {
  const summary = (firstSeq: number | null, received: number) => ({
    type: "summary" as const,
    received,
    firstSeq,
    lastSeq: firstSeq === null ? null : firstSeq + received - 1,
    missing: firstSeq === null ? 0 : firstSeq - 1,
    missedBeforeFirst: firstSeq === null ? 0 : firstSeq - 1,
    gaps: 0,
    duplicates: 0,
    outOfOrder: 0,
    invalid: 0,
  });
  const rows = [
    {
      order: "receivers-first" as const,
      receiver: 1,
      startedAfter: null,
      summary: summary(1, 50),
    },
    {
      order: "sender-first" as const,
      receiver: 1,
      startedAfter: 20,
      summary: summary(26, 25),
    },
    {
      order: "sender-first" as const,
      receiver: 2,
      startedAfter: 50,
      summary: summary(null, 0),
    },
  ];
  const text = answerText(rows, 50, "en");
  assert.match(text, /\(here 26, none\)/);
  assert.match(text, /\(25, 50 datagrams\) never reached it/);
  assert.match(answerText(rows, 50, "id"), /\(di sini 26, tidak ada\)/);
});
