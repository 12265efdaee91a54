import assert from "node:assert/strict";
import { roleCommand } from "./_harness.ts";
import { ChatSocket } from "./_chat_socket.ts";

const ROOT = new URL("../", import.meta.url);
const WELCOME = "Selamat datang di Server...";

/**
 * A role whose standard output is a pipe the test does not read (until it
 * calls `readAll`): what `| sleep 600`, a paused terminal or a stalled SSH
 * session does to a program.
 */
class Stalled {
  readonly child: Deno.ChildProcess;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  text = "";

  constructor(name: string, args: string[]) {
    const [program, ...rest] = roleCommand(name, args);
    this.child = new Deno.Command(program, {
      args: rest,
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
      env: { NO_COLOR: "1", LANG: "C.UTF-8", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    this.#reader = this.child.stdout.getReader();
  }

  /** Reads until the first line (then reading stops); returns it. */
  async firstLine(): Promise<string> {
    while (!this.text.includes("\n")) await this.#readChunk();
    return this.text.slice(0, this.text.indexOf("\n"));
  }

  /** Reads (the console catches up) until `match` is in the text. */
  async readUntil(match: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!match.test(this.text)) {
      if (Date.now() > deadline) {
        throw new Error(`no ${match} in:\n${this.text.slice(-2000)}`);
      }
      if (!await this.#readChunk()) {
        throw new Error(`ended without ${match}:\n${this.text.slice(-2000)}`);
      }
    }
  }

  /** Sends SIGTERM; resolves to milliseconds until exit and the exit code. */
  async terminate(limitMs: number): Promise<{ ms: number; code: number }> {
    const start = Date.now();
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, limitMs);
    const status = await this.child.status;
    clearTimeout(timer);
    return { ms: Date.now() - start, code: status.code };
  }

  async readRest(): Promise<void> {
    while (await this.#readChunk()) { /* collect */ }
  }

  async #readChunk(): Promise<boolean> {
    const { value, done } = await this.#reader.read();
    if (done) return false;
    this.text += this.#decoder.decode(value, { stream: true });
    return true;
  }
}

async function join(port: number): Promise<ChatSocket> {
  const sock = await ChatSocket.connect(port);
  await sock.waitFor(WELCOME);
  await sock.waitFor(/^Server : you are /);
  return sock;
}

Deno.test("chat-server relays 3000 messages between live clients while its stdout is a pipe nobody reads", async () => {
  const server = new Stalled("chat-server", [
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--lang",
    "en",
  ]);
  const port = Number(/:(\d+) /.exec(await server.firstLine())![1]);
  const a = await join(port);
  const b = await join(port);
  // Long lines: the console pipe (64 KiB) and the output queue (1 MiB)
  // fill up long before the last message.
  const pad = "x".repeat(400);
  const total = 3000;
  const started = Date.now();
  for (let i = 1; i <= total; i += 100) {
    let batch = "";
    for (let k = i; k < i + 100; k++) batch += `m${k} ${pad}\n`;
    await a.send(batch);
  }
  await b.waitForCount((line) => line.startsWith("Client_1 : m"), total);
  const ms = Date.now() - started;
  console.log(`relayed ${total} messages in ${ms} ms, stdout not read`);
  // A new client is still welcomed.
  const c = await join(port);
  // The console catches up: what it missed is counted, once.
  await server.readUntil(/^… \d+ lines not shown$/m);
  const notShown = Number(/^… (\d+) lines not shown$/m.exec(server.text)![1]);
  assert.ok(notShown > 0 && notShown < total + 10, `${notShown}`);
  const { code } = await server.terminate(5_000);
  await server.readRest();
  assert.equal(code, 0);
  assert.match(
    server.text,
    new RegExp(`^done: 3 clients, ${total} messages relayed `, "m"),
  );
  assert.match(
    server.text,
    /^… \d+ lines not shown in all: the console did not keep up$/m,
  );
  for (const sock of [a, b, c]) sock.close();
});

Deno.test("chat-server stops on SIGTERM within a second or so while its stdout is not read", async () => {
  const server = new Stalled("chat-server", [
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
  ]);
  const port = Number(/:(\d+) /.exec(await server.firstLine())![1]);
  const a = await join(port);
  await join(port).then((b) => b.close());
  await a.send(`${"y".repeat(2000)}\n`.repeat(200));
  // A second client sees the flood, so the server has printed it all.
  const d = await join(port);
  const { ms, code } = await server.terminate(10_000);
  a.close();
  d.close();
  assert.equal(code, 0, `exit ${code} after ${ms} ms`);
  assert.ok(ms < 2_500, `stopped after ${ms} ms`);
  await server.readRest();
});

Deno.test("broadcast-receiver stops on SIGTERM within a second while its stdout is not read", async () => {
  const receiver = new Stalled("broadcast-receiver", [
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
  ]);
  const port = Number(/:(\d+)$/.exec(await receiver.firstLine())![1]);
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const payload = new TextEncoder().encode(" BROADCAST ini angka 1 ".repeat(8));
  // ~3 MB of lines: the pipe is full long before the end.
  for (let i = 0; i < 10_000; i++) {
    await socket.send(payload, {
      transport: "udp",
      hostname: "127.0.0.1",
      port,
    });
    if (i % 500 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  socket.close();
  await new Promise((r) => setTimeout(r, 300));
  const { ms, code } = await receiver.terminate(10_000);
  assert.equal(code, 0, `exit ${code} after ${ms} ms`);
  assert.ok(ms < 1_500, `stopped after ${ms} ms`);
  await receiver.readRest();
});
