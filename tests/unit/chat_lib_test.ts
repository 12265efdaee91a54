import assert from "node:assert/strict";
import { LineFramer, MAX_LINE_BYTES } from "../../lib/chat/framing.ts";
import { Outbox } from "../../lib/chat/_outbox.ts";
import {
  checkLine,
  lineExcerpt,
  nameProblem,
  NOTICES,
  parseChatLine,
  parseCommand,
  parseNotice,
  parsePresence,
} from "../../lib/chat/message.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function collect(options = {}) {
  const lines: string[] = [];
  const overflows: number[] = [];
  const framer = new LineFramer({
    line: (b) => lines.push(new TextDecoder().decode(b)),
    overflow: (n) => overflows.push(n),
  }, options);
  return { framer, lines, overflows };
}

Deno.test("LineFramer: lines split across chunks, CRLF, limit, and a last line at the end", () => {
  const { framer, lines, overflows } = collect();
  framer.push(bytes("hel"));
  framer.push(bytes("lo\r\nwor"));
  framer.push(bytes("ld\n" + "x".repeat(MAX_LINE_BYTES + 1) + "\nok\n"));
  framer.push(bytes("x".repeat(MAX_LINE_BYTES) + "\r\n"));
  framer.push(bytes("tail"));
  framer.end();
  assert.deepEqual(lines, [
    "hello",
    "world",
    "ok",
    "x".repeat(MAX_LINE_BYTES),
    "tail",
  ]);
  assert.deepEqual(overflows, [MAX_LINE_BYTES]);
});

Deno.test("LineFramer: raw text with no newline counts after a pause, until the first newline", async () => {
  const { framer, lines } = collect({ rawIdleMs: 20 });
  framer.push(bytes("raw one"));
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.deepEqual(lines, ["raw one"]);
  framer.push(bytes("line\npartial"));
  await new Promise((resolve) => setTimeout(resolve, 80));
  // Line mode now: a partial line waits for its newline.
  assert.deepEqual(lines, ["raw one", "line"]);
  framer.push(bytes(" done\n"));
  assert.deepEqual(lines, ["raw one", "line", "partial done"]);
  framer.dispose();
});

Deno.test("checkLine: plain text passes; control, escapes, bidi and bad UTF-8 do not", () => {
  assert.deepEqual(checkLine(bytes("Halo, apa kabar? \\ ok")), {
    ok: true,
    text: "Halo, apa kabar? \\ ok",
  });
  assert.deepEqual(checkLine(bytes("héllo 世界")), {
    ok: true,
    text: "héllo 世界",
  });
  for (
    const bad of ["\x1b[31m", "a\tb", "\x7f", "\u0085", "\u202e", "\u2066"]
  ) {
    assert.deepEqual(checkLine(bytes(bad)), { ok: false, problem: "control" });
  }
  assert.deepEqual(checkLine(new Uint8Array([0xed, 0xa0, 0x80])), {
    ok: false,
    problem: "invalid-utf8",
  });
  assert.deepEqual(checkLine(new Uint8Array(MAX_LINE_BYTES + 1).fill(0x61)), {
    ok: false,
    problem: "too-long",
  });
});

Deno.test("names and labels: reserved and malformed names refused; lines parse by label", () => {
  assert.equal(nameProblem("Budi_2", "en"), undefined);
  for (const name of ["Server", "SERVER", "client_7", "", "a b", "a:b", "é"]) {
    assert.ok(nameProblem(name, "en"), name);
  }
  assert.deepEqual(parseChatLine("Client_1 : Server : x"), {
    from: "Client_1",
    text: "Server : x",
  });
  assert.deepEqual(parseChatLine("Selamat datang di Server..."), {
    text: "Selamat datang di Server...",
  });
  assert.deepEqual(parsePresence("Client_3 bergabung (3 online)"), {
    kind: "join",
    name: "Client_3",
  });
  assert.deepEqual(parsePresence("Budi was disconnected: not reading"), {
    kind: "leave",
    name: "Budi",
  });
});

Deno.test("Outbox: partial writes are continued, lines batched in order, the limit refuses more", async () => {
  const written: number[] = [];
  let calls = 0;
  // A connection that takes at most 3 bytes per write.
  const conn = {
    write(p: Uint8Array): Promise<number> {
      calls++;
      const n = Math.min(3, p.length);
      written.push(...p.subarray(0, n));
      return Promise.resolve(n);
    },
  } as unknown as Deno.Conn;
  const outbox = new Outbox(conn, 20, (err) => {
    throw err;
  });
  assert.equal(outbox.push(bytes("one\n")), true);
  assert.equal(outbox.push(bytes("two\n")), true);
  assert.equal(outbox.push(bytes("three\n")), true);
  // 14 bytes queued; 7 more would pass the limit of 20.
  assert.equal(outbox.push(bytes("fourth\n")), false);
  await outbox.drain(1000);
  assert.equal(
    new TextDecoder().decode(new Uint8Array(written)),
    "one\ntwo\nthree\n",
  );
  assert.equal(calls, 5); // one batch of 14 bytes, 3 at a time
  assert.equal(outbox.pendingBytes, 0);
  assert.equal(outbox.push(bytes("fourth\n")), true);
  await outbox.drain(1000);
  assert.match(new TextDecoder().decode(new Uint8Array(written)), /fourth\n$/);
});

Deno.test("commands, excerpts of refused lines, and the notices that end a connection", () => {
  assert.deepEqual(parseCommand("/name  Budi "), { word: "name", arg: "Budi" });
  assert.deepEqual(parseCommand("/QUIT"), { word: "quit", arg: "" });
  assert.equal(parseCommand("/usr/bin"), undefined);
  assert.equal(parseCommand(" /quit"), undefined);
  assert.equal(lineExcerpt(bytes("short")), "short");
  assert.equal(lineExcerpt(bytes("x".repeat(41))), "x".repeat(40) + "…");
  assert.equal(
    lineExcerpt(new Uint8Array([0x1b, 0xff, ...bytes("é")])),
    "\\x1b\\xffé",
  );
  for (const lang of ["en", "id"] as const) {
    const n = NOTICES[lang];
    assert.deepEqual(parseNotice(n.shutdown), { kind: "shutdown" });
    assert.deepEqual(parseNotice(n.full(4)), {
      kind: "refused",
      reason: "full",
    });
    assert.deepEqual(parseNotice(n.perHost("10.0.0.1", 1)), {
      kind: "refused",
      reason: "per-host",
    });
    assert.equal(parseNotice(n.youIdle(60))?.kind, "disconnected");
    assert.equal(parsePresence(n.idle("Client_3", 2))?.kind, "leave");
  }
  assert.equal(parseNotice("server full of people"), undefined);
});
