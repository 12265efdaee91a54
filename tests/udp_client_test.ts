import assert from "node:assert/strict";
import { runRole, startListening, startRole } from "./_harness.ts";

Deno.test("udp-client gets the lab's reply from udp-server and reports the RTT", async () => {
  const { proc, port } = await startListening("udp-server", [
    "--bind",
    "127.0.0.1",
    "--count",
    "1",
  ]);
  const client = await runRole("udp-client", [
    "--json",
    "--port",
    String(port),
  ]);
  assert.equal(client.code, 0, client.stderr);
  const records = client.stdout.split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(records[0], {
    type: "sent",
    to: "127.0.0.1",
    port,
    bytes: 11,
  });
  assert.equal(records[1].type, "reply");
  assert.equal(records[1].text, "Get off my lawn!");
  assert.equal(records[1].port, port);
  assert.ok(records[1].rttMs > 0);
  assert.equal((await proc.finished()).code, 0);
  assert.equal(
    proc.records.find((r) => r.type === "datagram")?.text,
    "Hello World",
  );
});

Deno.test("udp-client prints the reply in Indonesian with --lang id", async () => {
  const { proc, port } = await startListening("udp-server", [
    "--bind",
    "127.0.0.1",
    "--count",
    "1",
  ]);
  const client = await runRole("udp-client", [
    "--lang",
    "id",
    "--host",
    "localhost",
    "--port",
    String(port),
  ]);
  await proc.finished();
  assert.equal(client.code, 0, client.stderr);
  assert.match(
    client.stdout,
    /balasan dari 127\.0\.0\.1:\d+: Get off my lawn!/,
  );
  assert.match(client.stdout, /waktu pulang-pergi \d+\.\d{3} ms/);
});

Deno.test("udp-client exits 1 with one clear line when no reply comes", async () => {
  await withSilentPort(async (port) => {
    const { code, stderr } = await runRole("udp-client", [
      "--port",
      String(port),
      "--timeout",
      "0.3",
    ]);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split("\n").length, 1);
    assert.match(
      stderr,
      new RegExp(`no reply from 127\\.0\\.0\\.1:${port} within 0\\.3 s`),
    );
  });
});

Deno.test("udp-client exits 1 for an unknown host", async () => {
  const { code, stderr } = await runRole("udp-client", [
    "--host",
    "no-such-host.invalid",
  ]);
  assert.equal(code, 1);
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(stderr, /unknown host "no-such-host\.invalid"/);
});

Deno.test("udp-client stopped by Ctrl+C while waiting: one line, exit 1", async () => {
  await withSilentPort(async (port) => {
    const client = startRole("udp-client", [
      "--json",
      "--port",
      String(port),
      "--timeout",
      "60",
    ]);
    await client.waitForRecord("sent");
    client.kill("SIGINT");
    const { code, signal, stderr } = await client.finished();
    assert.equal(signal, null);
    assert.equal(code, 1, stderr);
    assert.equal(
      stderr,
      `udp-client: error: stopped before a reply came from 127.0.0.1:${port}\n`,
    );
  });
});

/** Runs `body` with a UDP port on 127.0.0.1 that is open but never answers. */
async function withSilentPort(
  body: (port: number) => Promise<void>,
): Promise<void> {
  const silent = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await body((silent.addr as Deno.NetAddr).port);
  } finally {
    silent.close();
  }
}
