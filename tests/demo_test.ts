import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

Deno.test("deno task demo runs both orders and its table is consistent", async () => {
  // The same command a user types, with a shorter run.
  const records = await demoRecords(["--count", "400", "--interval", "2"]);
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
    // The receiver cannot see what came after its last number; the demo
    // knows the sender's count.
    assert.equal(
      row.lostAfterLast,
      row.lastSeq === null ? 0 : 400 - row.lastSeq,
    );
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

Deno.test("demo: a late receiver that got nothing missed everything sent", async () => {
  // With no pause, 20 datagrams are sent long before a receiver's process
  // is up: the late receiver gets none of them.
  const records = await demoRecords([
    "--count",
    "20",
    "--interval",
    "0",
    "--receivers",
    "1",
  ]);
  const late = records.find((r) =>
    r.type === "row" && r.order === "sender-first"
  );
  const missed = late.firstSeq === null ? 20 : late.firstSeq - 1;
  assert.equal(late.missedBeforeFirst, missed);
  assert.equal(late.missing, missed + late.gaps);
  const answer = records.at(-1).text as string;
  assert.ok(
    answer.includes(`here ${late.firstSeq ?? "none"})`) &&
      answer.includes(`(${missed} datagrams)`),
    answer,
  );
});

/**
 * Runs `deno task demo --json …args`, the command a user types, and returns
 * its records; fails the test if it does not exit 0.
 */
// The records are JSON.parse's untyped values, as the assertions read them.
async function demoRecords(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "demo", "--json", ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", LANG: "C.UTF-8" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim().split("\n").map((line) =>
    JSON.parse(line)
  );
}
