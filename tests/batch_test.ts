import assert from "node:assert/strict";
import {
  commandSucceeds,
  runRole,
  spawn,
  startListening,
  startRole,
} from "./_harness.ts";
import { loopbackBroadcast, summaryOf } from "./_udp.ts";

/** The records of a receiver's run but its `rcvbuf` and `listening` ones. */
function received(records: Record<string, unknown>[]) {
  return records.filter((r) => r.type !== "rcvbuf" && r.type !== "listening");
}

Deno.test("batch and plain receivers on one port get the same datagrams and print the same summary", async () => {
  const plain = await startListening("broadcast-receiver", [
    "--count",
    "100",
    "--duration",
    "20",
  ]);
  const batch = startRole("broadcast-receiver:batch", [
    "--json",
    "--port",
    String(plain.port),
    "--count",
    "100",
    "--duration",
    "20",
  ]);
  await batch.waitForRecord("listening");
  const sender = await runRole(
    "broadcast-sender",
    loopbackBroadcast(
      plain.port,
      "--count",
      "100",
      "--interval",
      "1",
      "--quiet",
    ),
  );
  assert.equal(sender.code, 0, sender.stderr);
  for (const proc of [plain.proc, batch]) {
    const { code } = await proc.finished();
    assert.equal(code, 0, proc.stderr);
  }
  assert.equal(summaryOf(batch).received, 100);
  assert.equal(summaryOf(batch).kernelDrops, 0);
  assert.deepEqual(received(batch.records), received(plain.proc.records));
});

Deno.test("batch and plain receivers print the same lines, in Indonesian too", async () => {
  for (const lang of ["en", "id"]) {
    const args = ["--count", "3", "--duration", "20", "--lang", lang];
    const plain = await startListening("broadcast-receiver", args);
    const port = String(plain.port);
    const human = [
      startRole("broadcast-receiver", ["--port", port, ...args]),
      startRole("broadcast-receiver:batch", ["--port", port, ...args]),
    ];
    for (const proc of human) {
      await proc.waitForLine((line) => line.includes(`:${port}`));
    }
    const sender = await runRole(
      "broadcast-sender",
      loopbackBroadcast(plain.port, "--count", "3", "--interval", "1"),
    );
    assert.equal(sender.code, 0, sender.stderr);
    const [a, b] = await Promise.all(human.map((proc) => proc.finished()));
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    await plain.proc.finished();
    const lines = (text: string) =>
      text.split("\n").filter((line) =>
        !/^(receive buffer|buffer penerimaan):/.test(line)
      );
    assert.deepEqual(lines(b.stdout), lines(a.stdout));
    assert.match(b.stdout, lang === "id" ? /diterima/ : /received/);
  }
});

Deno.test("a batch receiver shares its port with an SO_REUSEPORT Python receiver", async () => {
  if (!await commandSucceeds("python3", ["-c", "import socket"])) {
    console.log("skipped: no python3");
    return;
  }
  const batch = await startListening("broadcast-receiver:batch", [
    "--count",
    "20",
    "--quiet",
    "--duration",
    "20",
  ]);
  const python = spawn("python", "python3", [
    "tests/_reuseport_receiver.py",
    String(batch.port),
    "20",
  ]);
  await python.waitForLine((line) => line === "ready");
  const sender = await runRole(
    "broadcast-sender",
    loopbackBroadcast(
      batch.port,
      "--count",
      "20",
      "--interval",
      "1",
      "--quiet",
    ),
  );
  assert.equal(sender.code, 0, sender.stderr);
  const py = await python.finished();
  assert.equal(py.code, 0, py.stderr);
  assert.match(py.stdout, /^received 20$/m);
  assert.equal((await batch.proc.finished()).code, 0, batch.proc.stderr);
  assert.equal(summaryOf(batch.proc).received, 20);
});

Deno.test("--show-ttl: TTL 2 on a multicast sent with TTL 2; broadcast and unicast told apart", async () => {
  const group = "224.1.1.1";
  const multicast = await startListening("multicast-receiver:batch", [
    "--group",
    group,
    "--interface",
    "127.0.0.1",
    "--show-ttl",
    "--count",
    "2",
    "--duration",
    "20",
  ]);
  for (const role of ["multicast-sender", "multicast-sender:batch"]) {
    const sender = await runRole(role, [
      "--bind",
      "127.0.0.1",
      "--group",
      group,
      "--port",
      String(multicast.port),
      "--ttl",
      "2",
      "--message",
      "halo",
    ]);
    assert.equal(sender.code, 0, sender.stderr);
  }
  assert.equal((await multicast.proc.finished()).code, 0);
  const deliveries = multicast.proc.records.filter((r) =>
    r.type === "delivery"
  );
  assert.deepEqual(deliveries, [
    { type: "delivery", ttl: 2, to: group, cast: "multicast" },
    { type: "delivery", ttl: 2, to: group, cast: "multicast" },
  ]);

  const broadcast = await startListening("broadcast-receiver:batch", [
    "--show-ttl",
    "--count",
    "2",
    "--duration",
    "20",
  ]);
  for (const to of ["127.255.255.255", "127.0.0.1"]) {
    const sender = await runRole("broadcast-sender", [
      "--bind",
      "127.0.0.1",
      "--to",
      to,
      "--port",
      String(broadcast.port),
      "--count",
      "1",
    ]);
    assert.equal(sender.code, 0, sender.stderr);
  }
  assert.equal((await broadcast.proc.finished()).code, 0);
  const casts = broadcast.proc.records.filter((r) => r.type === "delivery")
    .map((r) => [r.to, r.cast]);
  assert.deepEqual(casts, [
    ["127.255.255.255", "broadcast"],
    ["127.0.0.1", "unicast"],
  ]);
});

Deno.test("--rcvbuf: the receive buffer in force is reported, capped by net.core.rmem_max", async () => {
  const max = Number(
    (await Deno.readTextFile("/proc/sys/net/core/rmem_max")).trim(),
  );
  const asked = 1 << 20;
  const proc = startRole("broadcast-receiver:batch", [
    "--json",
    "--port",
    "0",
    "--rcvbuf",
    String(asked),
    "--duration",
    "0.2",
  ]);
  const record = await proc.waitForRecord("rcvbuf");
  assert.equal((await proc.finished()).code, 0, proc.stderr);
  // Linux doubles what it grants, for its own bookkeeping.
  assert.deepEqual(record, {
    type: "rcvbuf",
    bytes: 2 * Math.min(asked, max),
    asked,
  });
});

Deno.test("batch senders: a sendmmsg flood arrives whole; lines and summary as on the plain path", async () => {
  const receiver = await startListening("broadcast-receiver:batch", [
    "--count",
    "2000",
    "--quiet",
    "--duration",
    "20",
  ]);
  const sender = await runRole(
    "broadcast-sender:batch",
    loopbackBroadcast(receiver.port, "--count", "2000", "--json", "--quiet"),
  );
  assert.equal(sender.code, 0, sender.stderr);
  const sent = JSON.parse(sender.stdout.trim().split("\n").at(-1)!);
  assert.equal(sent.sent, 2000);
  assert.equal((await receiver.proc.finished()).code, 0);
  const summary = summaryOf(receiver.proc);
  assert.equal(summary.received, 2000);
  assert.equal(summary.gaps, 0);
  assert.equal(summary.invalid, 0);
  assert.equal(summary.duplicates, 0);
  assert.equal(summary.lastSeq, 2000);

  // Each datagram's line, as on the plain path.
  const lines = await runRole(
    "broadcast-sender:batch",
    loopbackBroadcast(receiver.port, "--count", "2", "--lang", "id"),
  );
  assert.match(lines.stdout, /^dikirim {2}BROADCAST ini angka 2 $/m);
  assert.match(lines.stdout, /^selesai: 2 datagram \(46 byte\) dikirim/m);
});

Deno.test("--io batch without FFI is one line, exit 1; a bad --io or a batch flag without it, exit 2", async () => {
  const noFfi = await runRole("broadcast-receiver", [
    "--io",
    "batch",
    "--port",
    "0",
  ]);
  assert.equal(noFfi.code, 1);
  assert.equal(noFfi.stderr.trim().split("\n").length, 1, noFfi.stderr);
  assert.match(noFfi.stderr, /--allow-ffi/);
  for (
    const args of [["--io", "fast"], ["--rcvbuf", "100"], ["--show-ttl"]]
  ) {
    const bad = await runRole("multicast-receiver", args);
    assert.equal(bad.code, 2, bad.stderr);
    assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  }
  const sender = await runRole("multicast-sender", ["--io", "batch"]);
  assert.equal(sender.code, 1, sender.stderr);
});
