import assert from "node:assert/strict";
import { type ConsoleWriter, Output } from "../lib/cli/output.ts";
import { displayBytes } from "../lib/cli/display.ts";
import { receiveLoop } from "../lib/udp/receiver.ts";

/** A writer that keeps every write, taking at most `limit` bytes per call. */
function capture(
  limit = Infinity,
): ConsoleWriter & { text(): string; writes: number } {
  const chunks: Uint8Array[] = [];
  let writes = 0;
  return {
    write(p: Uint8Array): Promise<number> {
      writes++;
      const n = Math.min(p.length, limit);
      chunks.push(p.slice(0, n)); // a copy: the output reuses its buffer
      return Promise.resolve(n);
    },
    text: () => {
      const all = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return new TextDecoder().decode(all);
    },
    get writes() {
      return writes;
    },
  };
}

Deno.test("Output keeps lines and bytes in order, UTF-8 encoded, across partial writes", async () => {
  const writer = capture(7);
  const out = new Output({ writer });
  out.line("plain");
  out.bytes(new TextEncoder().encode("raw "));
  out.bytes(new TextEncoder().encode("bytes\n"));
  out.line("é ✓ 😀 after");
  out.line("");
  out.record({ ignored: true });
  await out.drained();
  assert.equal(writer.text(), "plain\nraw bytes\né ✓ 😀 after\n\n");
});

Deno.test("Output flushes at its high-water mark and takes lines longer than its buffer", async () => {
  const writer = capture();
  const out = new Output({ writer, highWaterMark: 64 });
  const long = "x".repeat(10_000) + "é";
  out.line("short");
  assert.equal(writer.writes, 0, "nothing written below the mark");
  out.line(long);
  assert.ok(writer.writes >= 1, "written once over the mark");
  for (let i = 0; i < 100; i++) out.line(`line ${i}`);
  await out.drained();
  const expected = [
    "short",
    long,
    ...Array.from({ length: 100 }, (_, i) => `line ${i}`),
  ]
    .map((l) => l + "\n").join("");
  assert.equal(writer.text(), expected);
});

Deno.test("Output in JSON mode prints records only", async () => {
  const writer = capture();
  const out = new Output({ writer, json: true });
  out.line("human");
  out.bytes(new TextEncoder().encode("raw\n"));
  out.record({ type: "x", text: "é" });
  await out.drained();
  assert.equal(writer.text(), '{"type":"x","text":"é"}\n');
});

Deno.test("receiveLoop prints each datagram exactly as lines(address, port, displayBytes(data))", async () => {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const target = conn.addr as Deno.NetAddr;
  const a = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const b = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const encoder = new TextEncoder();
  const sends: [Deno.DatagramConn, Uint8Array][] = [
    [a, encoder.encode(" BROADCAST ini angka 1 ")],
    [a, encoder.encode(" BROADCAST ini angka 2 ")],
    [a, encoder.encode("back\\slash")],
    [b, encoder.encode(" BROADCAST ini angka 3 ")],
    [b, encoder.encode("é\x1b[31m")],
    [b, new Uint8Array([0xff, 0x41])],
    [a, encoder.encode(" BROADCAST ini angka 4 ")],
    [a, new Uint8Array(0)],
  ];
  const lines = (address: string, port: number, text: string) => [
    `from ${address}`,
    `got ${text}`,
    `by (${address}, ${port})`,
  ];
  const writer = capture();
  const out = new Output({ writer });
  const done = receiveLoop(conn, { out, lines, count: sends.length });
  let expected = "";
  for (const [socket, payload] of sends) {
    await socket.send(payload, target);
    const port = (socket.addr as Deno.NetAddr).port;
    // One at a time, so the order on the wire is the order sent.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expected += lines("127.0.0.1", port, displayBytes(payload)).join("\n") +
      "\n";
  }
  const summary = await done;
  await out.drained();
  a.close();
  b.close();
  assert.equal(summary.received, sends.length);
  assert.equal(writer.text(), expected);
});

Deno.test("Output keeps a failed timed flush for the next flush to throw, not the timer", async () => {
  const failure = new Error("No space left on device (os error 28)");
  let writes = 0;
  const out = new Output({
    flushDelayMs: 1,
    writer: {
      write() {
        writes++;
        return Promise.reject(failure);
      },
    },
  });
  out.line("first");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(writes, 1);
  out.line("not written");
  assert.throws(() => out.flush(), failure);
  assert.equal(writes, 1);
  out.flush();
});

Deno.test("runRole tells a role's own error in one line when stdout has failed too", async () => {
  // stdout is /dev/full: the timed flush fails first, then the body throws.
  const script = `
    import { runRole } from "./lib/cli/run.ts";
    import { RuntimeError } from "./lib/cli/errors.ts";
    Deno.exit(await runRole([], { name: "probe", summary: { en: "", id: "" }, flags: {} }, async ({ out }) => {
      out.line("x");
      await new Promise((resolve) => setTimeout(resolve, 50));
      throw new RuntimeError("the role's own failure");
    }));
  `;
  const output = await new Deno.Command("sh", {
    args: ["-c", `exec "$0" eval "$1" > /dev/full`, Deno.execPath(), script],
    cwd: new URL("../", import.meta.url),
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1);
  assert.equal(stderr, "probe: error: the role's own failure\n");
});

/** A console that takes nothing until `resume()` (a pipe nobody reads). */
function stalled(): ConsoleWriter & { resume(): void; text(): string } {
  let resume = () => {};
  let open = new Promise<void>((resolve) => resume = resolve);
  const inner = capture();
  return {
    async write(p: Uint8Array): Promise<number> {
      await open;
      return inner.write(p);
    },
    resume() {
      resume();
      open = Promise.resolve();
    },
    text: () => inner.text(),
  };
}

Deno.test("Output never waits for a stalled console: past its queue limit lines are dropped, counted and reported once it drains", async () => {
  const writer = stalled();
  const out = new Output({ writer, queueLimit: 4096, highWaterMark: 1024 });
  for (let i = 0; i < 1000; i++) out.line(`line ${i} ${"x".repeat(40)}`);
  out.flush();
  assert.ok(out.notShown > 0, "some lines dropped");
  const dropped = out.notShown;
  writer.resume();
  await out.drained();
  await out.close();
  const lines = writer.text().split("\n").slice(0, -1);
  const shown = lines.filter((l) => l.startsWith("line "));
  assert.equal(shown.length + dropped, 1000);
  // Shown lines are whole and in order; the notice follows them.
  assert.deepEqual(
    shown.map((l) => Number(l.split(" ")[1])),
    shown.map((_, i) => i),
  );
  assert.deepEqual(lines.slice(shown.length), [
    `… ${dropped} lines not shown`,
    `… ${dropped} lines not shown in all: the console did not keep up`,
  ]);
});

Deno.test("Output.close gives up on a console that is never read when told to", async () => {
  const writer = stalled();
  const out = new Output({ writer, lang: "id" });
  out.line("ringkasan");
  const started = Date.now();
  await out.close({ timeoutMs: 100 });
  assert.ok(Date.now() - started < 1000);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await out.close({ signal: controller.signal });
});

Deno.test("Output colours only a terminal, and never with NO_COLOR", () => {
  const terminal = { ...capture(), isTerminal: () => true };
  const previous = Deno.env.get("NO_COLOR");
  try {
    Deno.env.delete("NO_COLOR");
    assert.equal(
      new Output({ writer: terminal }).style("green", "ok"),
      "\x1b[32mok\x1b[39m",
    );
    assert.equal(new Output({ writer: capture() }).style("red", "x"), "x");
    assert.equal(
      new Output({ writer: terminal, json: true }).style("red", "x"),
      "x",
    );
    Deno.env.set("NO_COLOR", "1");
    assert.equal(new Output({ writer: terminal }).style("green", "ok"), "ok");
  } finally {
    if (previous === undefined) Deno.env.delete("NO_COLOR");
    else Deno.env.set("NO_COLOR", previous);
  }
});
