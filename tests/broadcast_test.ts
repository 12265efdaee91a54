import assert from "node:assert/strict";
import { runRole, startRole } from "./_harness.ts";
import {
  loopbackBroadcast,
  sendRaw,
  startSharedReceivers,
  summaryOf,
} from "./_udp.ts";

Deno.test("a broadcast to 127.255.255.255 reaches four receivers sharing one port", async () => {
  const { procs, port } = await startSharedReceivers("broadcast-receiver", 4, [
    "--count",
    "50",
    "--quiet",
  ]);
  const sender = await runRole(
    "broadcast-sender",
    loopbackBroadcast(
      port,
      "--count",
      "50",
      "--interval",
      "1",
      "--json",
      "--quiet",
    ),
  );
  assert.equal(sender.code, 0, sender.stderr);
  const sent = JSON.parse(sender.stdout.split("\n").at(-1)!);
  assert.equal(sent.type, "summary");
  assert.equal(sent.sent, 50);
  assert.equal(sent.bytes, 50 * " BROADCAST ini angka 1 ".length + 41);
  for (const proc of procs) {
    const { code } = await proc.finished();
    assert.equal(code, 0, proc.stderr);
    assert.deepEqual(summaryOf(proc), {
      type: "summary",
      received: 50,
      firstSeq: 1,
      lastSeq: 50,
      missing: 0,
      missedBeforeFirst: 0,
      gaps: 0,
      duplicates: 0,
      outOfOrder: 0,
      invalid: 0,
      outOfRange: 0,
      kernelDrops: 0,
    });
  }
});

Deno.test("broadcast-receiver prints each datagram like the lab, in Indonesian and English", async () => {
  for (
    const [lang, received, sentBy] of [
      ["id", "diterima", "dikirim oleh"],
      ["en", "received", "sent by"],
    ]
  ) {
    const { procs, port } = await startSharedReceivers(
      "broadcast-receiver",
      1,
      ["--count", "2"],
    );
    const human = startRole("broadcast-receiver", [
      "--port",
      String(port),
      "--count",
      "2",
      "--duration",
      "20",
      "--lang",
      lang,
    ]);
    await human.waitForLine((line) => line.includes(`:${port}`));
    const sender = await runRole(
      "broadcast-sender",
      loopbackBroadcast(port, "--count", "2", "--interval", "1"),
    );
    assert.equal(sender.code, 0, sender.stderr);
    const { stdout } = await human.finished();
    await procs[0].finished();
    assert.match(stdout, new RegExp(`${received}  BROADCAST ini angka 1 \n`));
    assert.match(
      stdout,
      new RegExp(`${sentBy} \\(127\\.0\\.0\\.1, \\d+\\)\n`),
    );
    assert.ok(stdout.includes(`${received}  BROADCAST ini angka 2 `));
  }
});

Deno.test("receivers started after the sender report the numbers they missed", async () => {
  const first = await startSharedReceivers("broadcast-receiver", 1, [
    "--quiet",
  ]);
  const port = first.port;
  const sender = startRole(
    "broadcast-sender",
    loopbackBroadcast(port, "--count", "400", "--interval", "3", "--json"),
  );
  // Wait until the sender is well into its run, then start two late receivers.
  const seen = await sender.waitForLine((line) => line.includes('"seq":100,'));
  assert.ok(seen);
  const late = [];
  for (let i = 0; i < 2; i++) {
    const proc = startRole("broadcast-receiver", [
      "--json",
      "--quiet",
      "--port",
      String(port),
    ]);
    await proc.waitForRecord("listening");
    late.push(proc);
  }
  const { code } = await sender.finished();
  assert.equal(code, 0, sender.stderr);
  // Give the receivers time to read what is queued, then stop them.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const proc of [first.procs[0], ...late]) proc.kill("SIGTERM");
  assert.equal((await first.procs[0].finished()).code, 0);
  const early = summaryOf(first.procs[0]);
  assert.equal(early.firstSeq, 1);
  assert.equal(early.missedBeforeFirst, 0);
  for (const proc of late) {
    assert.equal((await proc.finished()).code, 0, proc.stderr);
    const s = summaryOf(proc);
    const firstSeq = s.firstSeq as number;
    assert.ok(firstSeq > 100, `late receiver's first number ${firstSeq}`);
    assert.equal(s.missedBeforeFirst, firstSeq - 1);
    assert.equal(
      s.received,
      (s.lastSeq as number) - firstSeq + 1 - (s.gaps as number),
    );
    assert.equal(
      s.missing,
      (s.missedBeforeFirst as number) + (s.gaps as number),
    );
  }
});

Deno.test("a 65,507-byte datagram arrives whole", async () => {
  const { procs, port } = await startSharedReceivers("broadcast-receiver", 1, [
    "--count",
    "1",
  ]);
  const big = new Uint8Array(65507).fill(0x61);
  await sendRaw(port, [big]);
  await procs[0].finished();
  const datagram = procs[0].records.find((r) => r.type === "datagram");
  assert.equal(datagram?.bytes, 65507);
  assert.equal((datagram?.text as string).length, 65507);
  assert.equal(summaryOf(procs[0]).invalid, 1);
});

Deno.test("non-UTF-8 bytes and control characters are shown escaped, never raw", async () => {
  const { procs, port } = await startSharedReceivers("broadcast-receiver", 1, [
    "--count",
    "1",
  ]);
  const human = startRole("broadcast-receiver", [
    "--port",
    String(port),
    "--count",
    "1",
    "--duration",
    "20",
  ]);
  await human.waitForLine((line) => line.includes(`:${port}`));
  const nasty = new Uint8Array([
    0xff,
    0x41,
    0x1b,
    0x5b,
    0x33,
    0x31,
    0x6d,
    0x0a,
  ]);
  // Broadcast, so both receivers sharing the port get a copy.
  await sendRaw(port, [nasty], "127.255.255.255");
  const { stdout } = await human.finished();
  await procs[0].finished();
  assert.equal(
    procs[0].records.find((r) => r.type === "datagram")?.text,
    "\\xffA\\x1b[31m\\n",
  );
  assert.ok(stdout.includes("received \\xffA\\x1b[31m\\n"), stdout);
  assert.ok(!stdout.includes("\x1b"), "raw ESC reached the terminal");
});

Deno.test("no datagram crashes a receiver; odd ones count as invalid", async () => {
  const { procs, port } = await startSharedReceivers("broadcast-receiver", 1, [
    "--count",
    "7",
    "--quiet",
  ]);
  const encoder = new TextEncoder();
  await sendRaw(port, [
    new Uint8Array(0),
    crypto.getRandomValues(new Uint8Array(512)),
    encoder.encode(" BROADCAST ini angka 0 "),
    encoder.encode(" BROADCAST ini angka 99999999999999 "),
    encoder.encode(" BROADCAST ini angka -3 "),
    encoder.encode(" BROADCAST ini angka 2 "),
    encoder.encode(" BROADCAST ini angka 2 "),
  ]);
  const { code } = await procs[0].finished();
  assert.equal(code, 0, procs[0].stderr);
  const s = summaryOf(procs[0]);
  assert.equal(s.received, 7);
  assert.equal(s.invalid, 4);
  assert.equal(s.duplicates, 1);
});

Deno.test("broadcast-receiver stops on --duration and still prints its summary", async () => {
  const { code, stdout } = await runRole("broadcast-receiver", [
    "--port",
    "0",
    "--duration",
    "0.2",
  ]);
  assert.equal(code, 0);
  assert.match(
    stdout,
    /summary: 0 datagrams received; no numbered datagram received/,
  );
});
