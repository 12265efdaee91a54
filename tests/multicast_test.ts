import assert from "node:assert/strict";
import { commandSucceeds, runRole, startRole } from "./_harness.ts";
import { startSharedReceivers, summaryOf } from "./_udp.ts";

const GROUP = "224.1.1.1";

/** Whether python3 is here to read the TTL off a received datagram. */
function hasPython(): Promise<boolean> {
  return commandSucceeds("python3", ["-c", "import socket"]);
}

/** Starts tests/_ttl_probe.py joined to the group on loopback; resolves once it has joined. */
async function startTtlProbe(port: number) {
  const child = new Deno.Command("python3", {
    args: ["tests/_ttl_probe.py", GROUP, String(port), "127.0.0.1"],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) {
    const { value, done } = await lines.read();
    if (done) break;
    seen += value;
  }
  assert.ok(seen.includes("ready"), "the TTL probe did not start");
  return {
    /** The probe's report: "ttl N bytes B". */
    async report(): Promise<string> {
      let rest = "";
      while (true) {
        const { value, done } = await lines.read();
        if (done) break;
        rest += value;
      }
      await child.status;
      await child.stderr.cancel();
      return rest.trim();
    },
  };
}

Deno.test("multicast from a sender bound to 127.0.0.1 reaches two receivers joined on 127.0.0.1, TTL 2 on the wire", async () => {
  const { procs, port } = await startSharedReceivers("multicast-receiver", 2, [
    "--interface",
    "127.0.0.1",
    "--count",
    "3",
  ]);
  const python = await hasPython();
  if (!python) {
    console.log("python3 not found: TTL on the wire not checked");
  }
  const probe = python ? await startTtlProbe(port) : undefined;
  const sender = await runRole("multicast-sender", [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--message",
    "halo grup",
    "--count",
    "3",
    "--json",
  ]);
  assert.equal(sender.code, 0, sender.stderr);
  const records = sender.stdout.split("\n").map((line) => JSON.parse(line));
  assert.equal(records[0].ttl, 2);
  assert.equal(records.at(-1).sent, 3);
  for (const proc of procs) {
    assert.equal((await proc.finished()).code, 0, proc.stderr);
    const texts = proc.records.filter((r) => r.type === "datagram").map((r) =>
      r.text
    );
    assert.deepEqual(texts, ["halo grup", "halo grup", "halo grup"]);
    assert.equal(summaryOf(proc).received, 3);
  }
  if (probe) assert.equal(await probe.report(), "ttl 2 bytes 9");
});

Deno.test("multicast-sender sends --ttl as given, on the wire", async () => {
  if (!await hasPython()) {
    console.log("python3 not found: skipped");
    return;
  }
  const { procs, port } = await startSharedReceivers("multicast-receiver", 1, [
    "--interface",
    "127.0.0.1",
    "--count",
    "1",
  ]);
  const probe = await startTtlProbe(port);
  const sender = await runRole("multicast-sender", [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--ttl",
    "7",
    "--message",
    "x",
  ]);
  assert.equal(sender.code, 0, sender.stderr);
  assert.equal(await probe.report(), "ttl 7 bytes 1");
  await procs[0].finished();
});

Deno.test("multicast-sender sends each piped line; receivers print them escaped", async () => {
  const { procs, port } = await startSharedReceivers("multicast-receiver", 1, [
    "--interface",
    "127.0.0.1",
    "--count",
    "2",
  ]);
  const human = startRole("multicast-receiver", [
    "--port",
    String(port),
    "--interface",
    "127.0.0.1",
    "--count",
    "2",
    "--duration",
    "20",
    "--lang",
    "id",
  ]);
  await human.waitForLine((line) => line.includes(`port udp ${port}`));
  const sender = startRole("multicast-sender", [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
  ], { stdin: true });
  await sender.write("halo semua\n\nsiapa\x1b[2J di sana?\n");
  await sender.closeStdin();
  const sent = await sender.finished();
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, /done: sent 2 datagrams/);
  const { stdout } = await human.finished();
  await procs[0].finished();
  assert.match(stdout, /pesan dari 127\.0\.0\.1:\d+: halo semua\n/);
  assert.ok(stdout.includes(": siapa\\x1b[2J di sana?"), stdout);
  assert.ok(!stdout.includes("\x1b"));
  assert.match(stdout, /^ringkasan: 2 pesan diterima$/m);
});

Deno.test("multicast-receiver's summary counts messages (chat text has no numbers)", async () => {
  const { code, stdout } = await runRole("multicast-receiver", [
    "--port",
    "0",
    "--interface",
    "127.0.0.1",
    "--duration",
    "0.2",
  ]);
  assert.equal(code, 0);
  assert.match(stdout, /^summary: 0 messages received$/m);
  assert.doesNotMatch(stdout, /numbered/);
});
