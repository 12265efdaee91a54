import assert from "node:assert/strict";
import { runRole, startListening } from "./_harness.ts";

Deno.test("udp-server answers a datagram with the lab's reply and reports it", async () => {
  const { proc, port } = await startListening("udp-server", [
    "--bind",
    "127.0.0.1",
    "--count",
    "1",
    "--json-text",
  ]);
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    await socket.send(new TextEncoder().encode("Hello World"), {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    const [reply] = await socket.receive();
    assert.equal(new TextDecoder().decode(reply), "Get off my lawn!");
  } finally {
    socket.close();
  }
  const { code } = await proc.finished();
  assert.equal(code, 0);
  const datagram = proc.records.find((r) => r.type === "datagram");
  assert.equal(datagram?.text, "Hello World");
  assert.deepEqual(proc.records.at(-1), {
    type: "summary",
    received: 1,
    replied: 1,
    kernelDrops: 0,
  });
  // One datagram, one reply: counted in the singular.
  assert.ok(
    proc.records.some((r) =>
      r.type === "text" && r.text === "done: 1 datagram received, 1 reply sent"
    ),
  );
});

Deno.test("udp-server rejects a bad port with exit 2 and one line", async () => {
  const { code, stderr } = await runRole("udp-server", ["--port", "65536"]);
  assert.equal(code, 2);
  assert.equal(stderr.trim().split("\n").length, 1);
  assert.match(stderr, /--port: expected a port from 0 to 65535, got "65536"/);
});
