/**
 * The chat hub driven in-process: fake connections implement the part of
 * `Deno.TcpConn` the hub uses (remoteAddr, setNoDelay, read, write, close,
 * closeWrite), so no socket is opened.
 */
import assert from "node:assert/strict";
import { ChatHub, type HubEvent, type HubOptions } from "../../lib/chat/hub.ts";

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

/** A client's end of a connection, as the hub sees it. */
class FakeConn {
  readonly remoteAddr: Deno.NetAddr;
  /** Everything the hub wrote, decoded. */
  received = "";
  closed = false;
  /** While true, writes never complete (a client that stops reading). */
  stalled = false;
  #incoming: (Uint8Array | null)[] = [];
  #wake: (() => void) | undefined;

  constructor(hostname: string, port: number) {
    this.remoteAddr = { transport: "tcp", hostname, port };
  }

  /** Sends `text` to the hub, as a client typing it. */
  type(text: string): void {
    this.#incoming.push(ENCODER.encode(text));
    this.#wake?.();
  }

  /** Ends the client's side, as a client that closes. */
  end(): void {
    this.#incoming.push(null);
    this.#wake?.();
  }

  /** The lines received so far. */
  get lines(): string[] {
    return this.received.split("\n").filter((line) => line !== "");
  }

  setNoDelay(): void {}

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#incoming.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    const chunk = this.#incoming.shift()!;
    if (chunk === null) return null;
    buffer.set(chunk);
    return chunk.length;
  }

  write(bytes: Uint8Array): Promise<number> {
    if (this.closed) return Promise.reject(new Deno.errors.BrokenPipe());
    if (this.stalled) return new Promise(() => {});
    this.received += DECODER.decode(bytes);
    return Promise.resolve(bytes.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.#wake?.();
  }
}

/** A hub, its events, and a way to connect fake clients. */
function setUp(options: HubOptions = {}) {
  const events: HubEvent[] = [];
  const hub = new ChatHub({ ...options, onEvent: (e) => events.push(e) });
  const served: Promise<void>[] = [];
  let port = 40000;
  const connect = (hostname = "127.0.0.1") => {
    const conn = new FakeConn(hostname, port++);
    served.push(hub.serve(conn as unknown as Deno.TcpConn));
    return conn;
  };
  return { hub, events, connect, served };
}

/** Waits (at most a second) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!done()) {
    assert.ok(Date.now() < deadline, "timed out");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

Deno.test("ChatHub: welcome, join notices, and lines relayed to the others only, labelled", async () => {
  const { hub, events, connect, served } = setUp();
  const a = connect();
  const b = connect();
  await until(() => b.lines.length >= 2 && a.lines.length >= 3);
  assert.deepEqual(a.lines, [
    "Selamat datang di Server...",
    "Server : you are Client_1 (1 online: Client_1)",
    "Server : Client_2 joined (2 online)",
  ]);
  assert.deepEqual(b.lines, [
    "Selamat datang di Server...",
    "Server : you are Client_2 (2 online: Client_1, Client_2)",
  ]);
  a.type("halo semua\n");
  await until(() => b.lines.length === 3);
  assert.equal(b.lines[2], "Client_1 : halo semua");
  assert.equal(a.lines.length, 3, "no echo to the sender");
  hub.say("dari server");
  await until(() => a.lines.length === 4 && b.lines.length === 4);
  assert.equal(a.lines[3], "Server : dari server");
  assert.deepEqual(hub.names, ["Client_1", "Client_2"]);
  assert.equal(hub.stats.messages, 1);
  assert.deepEqual(events.filter((e) => e.type === "message"), [
    { type: "message", from: "Client_1", text: "halo semua" },
  ]);
  await hub.shutdown(100);
  await Promise.all(served);
  assert.ok(a.lines.at(-1) === "Server : server shutting down; goodbye");
  assert.ok(a.closed && b.closed);
  assert.equal(hub.size, 0);
});

Deno.test("ChatHub: /name, /help, unknown commands, refused lines, /quit", async () => {
  const { hub, events, connect, served } = setUp();
  const a = connect();
  const b = connect();
  await until(() => a.lines.length === 3);
  // One at a time: /quit drops replies still queued behind it.
  for (
    const [i, line] of ["/name Budi", "/help", "/word", "x\x1b[31mred"]
      .entries()
  ) {
    a.type(line + "\n");
    await until(() => a.lines.length === 4 + i);
  }
  a.type("/quit\n");
  await served[0];
  assert.deepEqual(a.lines.slice(3), [
    "Server : you are now Budi",
    "Server : commands: /name NAME (be shown as NAME), /help (this list), /quit (leave)",
    "Server : error: unknown command /word; /help lists the commands",
    'Server : error: message not sent: control characters or escape sequences: "x\\x1b[31mred"',
    "Server : goodbye",
  ]);
  await until(() => b.lines.length === 4);
  assert.deepEqual(b.lines.slice(2), [
    "Server : Client_1 is now Budi",
    "Server : Budi left (1 online)",
  ]);
  assert.deepEqual(
    events.map((e) => e.type),
    ["join", "join", "rename", "rejected", "leave"],
  );
  assert.equal(hub.stats.rejected, 1);
  await hub.shutdown(100);
  await Promise.all(served);
});

Deno.test("ChatHub: a client over --max-clients or --max-per-host is told and turned away", async () => {
  const { hub, events, connect, served } = setUp({
    maxClients: 2,
    maxPerHost: 1,
  });
  connect("10.0.0.1");
  const sameHost = connect("10.0.0.1");
  await served[1];
  assert.deepEqual(sameHost.lines, [
    "Server : too many connections from 10.0.0.1 (at most 1 per host); try again later",
  ]);
  connect("10.0.0.2");
  const third = connect("10.0.0.3");
  await served[3];
  assert.deepEqual(third.lines, [
    "Server : server full (2 clients); try again later",
  ]);
  assert.deepEqual(
    events.filter((e) => e.type === "full").map((e) =>
      e.type === "full" && e.limit
    ),
    ["per-host", "clients"],
  );
  assert.equal(hub.stats.refused, 2);
  await hub.shutdown(100);
  await Promise.all(served);
});

Deno.test("ChatHub: a client that stops reading is cut off; the others go on", async () => {
  const { hub, connect, served } = setUp({ queueLimit: 1024 });
  const talker = connect();
  const slow = connect();
  const reader = connect();
  await until(() => reader.lines.length === 2 && slow.lines.length === 3);
  slow.stalled = true;
  for (let i = 0; i < 100; i++) talker.type(`line ${i} ${"x".repeat(40)}\n`);
  await until(() => hub.size === 2);
  await until(() =>
    reader.lines.some((line) => line.startsWith("Client_1 : line 99 "))
  );
  assert.ok(
    reader.lines.includes(
      "Server : Client_2 was disconnected: not reading (2 online)",
    ),
  );
  assert.equal(hub.stats.slow, 1);
  await hub.shutdown(100);
  await Promise.all(served);
});

Deno.test("ChatHub: a client that closes leaves; its last line without a newline still counts", async () => {
  const { hub, events, connect, served } = setUp();
  const a = connect();
  const b = connect();
  await until(() => a.lines.length === 3);
  a.type("bye\nlast words");
  a.end();
  await served[0];
  await until(() => b.lines.length === 5);
  assert.deepEqual(b.lines.slice(2), [
    "Client_1 : bye",
    "Client_1 : last words",
    "Server : Client_1 left (1 online)",
  ]);
  assert.deepEqual(events.at(-1), {
    type: "leave",
    name: "Client_1",
    reason: "left",
    online: 1,
  });
  await hub.shutdown(100);
  await Promise.all(served);
});
