import assert from "node:assert/strict";
import { startListening } from "./_harness.ts";
import { ChatSocket } from "./_chat_socket.ts";

const CLIENTS = 50;
const MESSAGES = 100;

Deno.test(`chat-server: ${CLIENTS} clients × ${MESSAGES} messages, every delivery exactly once and in each sender's order`, async () => {
  const { proc, port } = await startListening("chat-server", [
    "--bind",
    "127.0.0.1",
    "--lang",
    "en",
    "--quiet",
    // Every client is 127.0.0.1.
    "--max-per-host",
    "0",
  ]);
  const socks: ChatSocket[] = [];
  const labels: string[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const sock = await ChatSocket.connect(port);
    const youAre = await sock.waitFor(/^Server : you are /);
    labels.push(/you are (\S+)/.exec(youAre)![1]);
    socks.push(sock);
  }
  await socks[0].waitFor(
    `Server : ${labels.at(-1)} joined (${CLIENTS} online)`,
  );
  const senderOf = new Map(labels.map((label, i) => [label, i]));

  // Everyone sends at once, in bursts, with no waiting for turns.
  await Promise.all(socks.map(async (sock, i) => {
    for (let seq = 0; seq < MESSAGES; seq += 10) {
      let burst = "";
      for (let k = seq; k < seq + 10; k++) burst += `m ${i} ${k}\n`;
      await sock.send(burst);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }));

  const isMessage = (line: string) => !line.startsWith("Server : ");
  const expected = (CLIENTS - 1) * MESSAGES;
  for (const sock of socks) {
    await sock.waitForCount(
      (line) => isMessage(line) && line.startsWith("Client_"),
      expected,
      40_000,
    );
  }
  for (const [r, sock] of socks.entries()) {
    const next = new Array(CLIENTS).fill(0);
    for (const line of sock.lines) {
      if (!line.startsWith("Client_")) continue;
      const match = /^(Client_\d+) : m (\d+) (\d+)$/.exec(line);
      assert.ok(match, `receiver ${r}: corrupted line ${JSON.stringify(line)}`);
      const sender = Number(match[2]);
      assert.equal(senderOf.get(match[1]), sender, `label of sender ${sender}`);
      assert.notEqual(sender, r, "a client got its own line back");
      assert.equal(Number(match[3]), next[sender], `order from ${sender}`);
      next[sender]++;
    }
    for (let s = 0; s < CLIENTS; s++) {
      assert.equal(next[s], s === r ? 0 : MESSAGES, `from ${s} to ${r}`);
    }
    assert.equal(sock.rest, "");
  }
  for (const sock of socks) sock.close();
  proc.kill("SIGTERM");
  const { code } = await proc.finished();
  assert.equal(code, 0);
  const summary = proc.records.at(-1)!;
  assert.equal(summary.messages, CLIENTS * MESSAGES);
  assert.equal(summary.slow, 0);
});
