import assert from "node:assert/strict";
import { runRole, startListening, startRole } from "./_harness.ts";
import { ChatSocket } from "./_chat_socket.ts";

const WELCOME = "Selamat datang di Server...";

function startServer(args: string[] = [], options = {}) {
  return startListening("chat-server", [
    "--bind",
    "127.0.0.1",
    "--lang",
    "en",
    ...args,
  ], options);
}

/** Connects and waits for the welcome and the "you are" line; returns the socket and its label. */
async function join(
  port: number,
): Promise<{ sock: ChatSocket; label: string }> {
  const sock = await ChatSocket.connect(port);
  await sock.waitFor(WELCOME);
  const youAre = await sock.waitFor(/^Server : you are /);
  return { sock, label: /you are (\S+)/.exec(youAre)![1] };
}

async function stopServer(
  proc: Awaited<ReturnType<typeof startServer>>["proc"],
) {
  proc.kill("SIGTERM");
  const { code } = await proc.finished();
  assert.equal(code, 0);
}

Deno.test("chat-server: the lab's 4-client session, with the operator typing at the server", async () => {
  const { proc, port } = await startServer(["--max-clients", "4"], {
    stdin: true,
  });
  const clients = [];
  for (let i = 1; i <= 4; i++) {
    const client = startRole("chat-client", [
      "--json",
      "--port",
      String(port),
    ], { stdin: true });
    // Joining in order makes the labels Client_1 … Client_4.
    await client.waitForRecord("server");
    clients.push(client);
  }
  for (const [i, client] of clients.entries()) {
    await client.write(`halo dari klien ${i + 1}\n`);
  }
  await proc.write("Halo semua\n");
  for (const [i, client] of clients.entries()) {
    for (let k = 1; k <= 4; k++) {
      if (k === i + 1) continue;
      await client.waitForLine((line) =>
        line.includes(`"from":"Client_${k}","text":"halo dari klien ${k}"`)
      );
    }
    await client.waitForLine((line) =>
      line.includes(`"type":"server","text":"Halo semua"`)
    );
  }
  for (const client of clients) await client.closeStdin();
  for (const [i, client] of clients.entries()) {
    const { code } = await client.finished();
    assert.equal(code, 0);
    const records = client.records;
    assert.equal(records.find((r) => r.type === "welcome")?.text, WELCOME);
    const messages = records.filter((r) => r.type === "message");
    // Exactly the three others' lines, none of its own.
    assert.equal(messages.length, 3, JSON.stringify(messages));
    assert.ok(messages.every((m) => m.from !== `Client_${i + 1}`));
    assert.deepEqual(records.at(-1), {
      type: "summary",
      sent: 1,
      received: records.at(-1)!.received,
    });
  }
  await proc.closeStdin();
  await stopServer(proc);
  const relayed = proc.records.filter((r) => r.type === "message");
  assert.equal(relayed.length, 4);
  assert.ok(
    proc.records.some((r) => r.type === "operator" && r.text === "Halo semua"),
  );
});

Deno.test("chat-server: 2 then 4 clients, joins and leaves announced, server full turns away the extra", async () => {
  const { proc, port } = await startServer(["--max-clients", "2"]);
  const a = await join(port);
  const b = await join(port);
  assert.deepEqual([a.label, b.label], ["Client_1", "Client_2"]);
  await a.sock.waitFor("Server : Client_2 joined (2 online)");
  const extra = await ChatSocket.connect(port);
  await extra.closed;
  assert.deepEqual(extra.lines, [
    "Server : server full (2 clients); try again later",
  ]);
  extra.close();
  // The course's server breaks after the first leave; this one carries on.
  a.sock.close();
  await b.sock.waitFor("Server : Client_1 left (1 online)");
  const c = await join(port);
  assert.equal(c.label, "Client_3");
  await c.sock.send("still here\n");
  await b.sock.waitFor("Client_3 : still here");
  b.sock.close();
  c.sock.close();
  await stopServer(proc);
  assert.equal(proc.records.filter((r) => r.type === "full").length, 1);

  const four = await startServer(["--max-clients", "4"]);
  const socks = [];
  for (let i = 0; i < 4; i++) socks.push(await join(four.port));
  await socks[0].sock.waitFor("Server : Client_4 joined (4 online)");
  for (const { sock, label } of socks) await sock.send(`hi from ${label}\n`);
  for (const { sock, label } of socks) {
    for (const other of socks) {
      if (other.label !== label) {
        await sock.waitFor(`${other.label} : hi from ${other.label}`);
      }
    }
    assert.ok(!sock.lines.some((line) => line.startsWith(`${label} : `)));
  }
  socks[1].sock.close();
  await socks[0].sock.waitFor("Server : Client_2 left (3 online)");
  socks[3].sock.close();
  await socks[0].sock.waitFor("Server : Client_4 left (2 online)");
  await socks[2].sock.send("two left\n");
  await socks[0].sock.waitFor("Client_3 : two left");
  socks[0].sock.close();
  socks[2].sock.close();
  await stopServer(four.proc);
});

Deno.test("chat-server: a client that stops reading is cut off; the others get every line in order", async () => {
  const { proc, port } = await startServer(["--queue-kib", "64"]);
  const sender = await join(port);
  const reader = await join(port);
  const staller = await ChatSocket.connect(port, { read: false });
  await reader.sock.waitFor("Server : Client_3 joined (3 online)");
  // 8 MB: more than the stalled socket's kernel buffers plus the 64 KiB queue.
  const filler = "x".repeat(1000);
  const count = 8000;
  const sending = (async () => {
    for (let i = 0; i < count; i += 100) {
      let batch = "";
      for (let k = i; k < i + 100; k++) batch += `${k} ${filler}\n`;
      await sender.sock.send(batch);
    }
  })();
  await reader.sock.waitFor(/^Server : Client_3 was disconnected: not reading/);
  await sending;
  await reader.sock.waitForCount(
    (line) => line.startsWith("Client_1 : "),
    count,
    30_000,
  );
  const got = reader.sock.lines.filter((line) =>
    line.startsWith("Client_1 : ")
  );
  got.forEach((line, k) => assert.equal(line, `Client_1 : ${k} ${filler}`));
  sender.sock.close();
  reader.sock.close();
  staller.close();
  await stopServer(proc);
  const leave = proc.records.find((r) =>
    r.type === "leave" && r.name === "Client_3"
  );
  assert.equal(leave?.reason, "slow");
});

Deno.test("chat-server: resets, half-closes and a killed client are removed at once", async () => {
  const { proc, port } = await startServer();
  const watcher = await join(port);
  // Reset: close with the welcome still unread, so the kernel sends RST.
  const rst = await ChatSocket.connect(port, { read: false });
  await watcher.sock.waitFor("Server : Client_2 joined (2 online)");
  await new Promise((resolve) => setTimeout(resolve, 100));
  rst.close();
  await watcher.sock.waitFor("Server : Client_2 left (1 online)");
  // Half-close with a last line that has no newline: it still counts.
  const half = await join(port);
  await half.sock.send("last words");
  await half.sock.closeWrite();
  await watcher.sock.waitFor("Client_3 : last words");
  await watcher.sock.waitFor("Server : Client_3 left (1 online)");
  half.sock.close();
  // kill -9 of a client process.
  const victim = startRole("chat-client", ["--json", "--port", String(port)], {
    stdin: true,
  });
  await victim.waitForRecord("server");
  await watcher.sock.waitFor("Server : Client_4 joined (2 online)");
  victim.kill("SIGKILL");
  await victim.finished();
  await watcher.sock.waitFor("Server : Client_4 left (1 online)");
  const late = await join(port);
  await late.sock.send("after all that\n");
  await watcher.sock.waitFor("Client_5 : after all that");
  watcher.sock.close();
  late.sock.close();
  await stopServer(proc);
});

Deno.test("chat-server: bad input is refused with an error line that quotes it (40 characters, escaped) and is never relayed; labels cannot be forged", async () => {
  const { proc, port } = await startServer();
  const bad = await join(port);
  const other = await join(port);
  const error = (kind: string, line: string) =>
    `Server : error: message not sent: ${kind}: "${line}"`;
  const control = (line: string) =>
    error("control characters or escape sequences", line);
  const cases: [Uint8Array | string, string][] = [
    [
      "a".repeat(5000) + "\n",
      error("longer than 4096 bytes", "a".repeat(40) + "…"),
    ],
    [
      new Uint8Array([0x68, 0xff, 0xfe, 0x0a]),
      error("not valid UTF-8", "h\\xff\\xfe"),
    ],
    [
      new Uint8Array([0xc0, 0xaf, 0x0a]),
      error("not valid UTF-8", "\\xc0\\xaf"),
    ],
    ["\x1b[31mred\x1b[0m\n", control("\\x1b[31mred\\x1b[0m")],
    ["\x1b]0;title\x07\n", control("\\x1b]0;title\\x07")],
    ["bell\x07\n", control("bell\\x07")],
    ["nul\x00byte\n", control("nul\\x00byte")],
    ["carriage\rreturn\n", control("carriage\\rreturn")],
    ["\u202Eevil\n", control("\\u{202e}evil")],
    ["\u009b31m\n", control("\\u{9b}31m")],
    [
      "\x1b[2J" + "é".repeat(50) + "\n",
      control("\\x1b[2J" + "é".repeat(36) + "…"),
    ],
  ];
  for (const [input, expected] of cases) {
    bad.sock.lines.length = 0;
    await (typeof input === "string"
      ? bad.sock.send(input)
      : bad.sock.sendBytes(input));
    await bad.sock.waitFor(expected);
  }
  // Forging: the label is always the server's; text after it is just text.
  await bad.sock.send("Server : you have been kicked\n");
  await bad.sock.send("Client_2 : I am Client_2\n");
  for (const name of ["Server", "server", "Client_2", "a b", "x".repeat(25)]) {
    await bad.sock.send(`/name ${name}\n`);
    await bad.sock.waitFor(/^Server : error: name not changed/);
    bad.sock.lines.length = 0;
  }
  await bad.sock.send("/name Budi\n");
  await bad.sock.waitFor("Server : you are now Budi");
  await bad.sock.send("crlf line\r\n");
  // After an over-long line without a newline (raw mode), the next line is fine.
  await bad.sock.send("ok at the end\n");
  await other.sock.waitFor("Budi : ok at the end");
  const relayed = other.sock.lines.filter((line) =>
    line !== WELCOME && !line.startsWith("Server : ")
  );
  assert.deepEqual(relayed, [
    "Client_1 : Server : you have been kicked",
    "Client_1 : Client_2 : I am Client_2",
    "Budi : crlf line",
    "Budi : ok at the end",
  ]);
  assert.ok(other.sock.lines.includes("Server : Client_1 is now Budi"));
  bad.sock.close();
  other.sock.close();
  await stopServer(proc);
  const rejected = proc.records.filter((r) => r.type === "rejected");
  assert.equal(rejected.length, cases.length);
});

Deno.test("chat-server: a raw-text line over the limit with no newline is refused, and the next is relayed", async () => {
  const { proc, port } = await startServer();
  const raw = await join(port);
  const other = await join(port);
  await raw.sock.send("b".repeat(6000));
  await raw.sock.waitFor(
    `Server : error: message not sent: longer than 4096 bytes: "${
      "b".repeat(40)
    }…"`,
  );
  await raw.sock.send("\nshort\n");
  await other.sock.waitFor("Client_1 : short");
  assert.ok(!other.sock.lines.some((line) => line.includes("bbbb")));
  raw.sock.close();
  other.sock.close();
  await stopServer(proc);
});

Deno.test("chat-server: the lab's Python clients (raw text, no newline, recv(1024)) chat with each other", async () => {
  const { proc, port } = await startServer();
  // Written after the course's client: send() raw text, recv(1024), no newline.
  const script = `
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect(("127.0.0.1", ${port}))
print("Menyambungkan ke Server", flush=True)
print("Pesan dari server : " + s.recv(1024).decode(), flush=True)
me = sys.argv[1]
if me == "1":
    got = b""
    while b"dari dua" not in got:
        got += s.recv(1024)
    s.send(b"balasan dari satu")
    print(got.decode(), flush=True)
    time.sleep(0.5)
else:
    time.sleep(0.5)
    s.send(b"halo dari dua")
    got = b""
    while b"balasan dari satu" not in got:
        data = s.recv(1024)
        if not data:
            break
        got += data
    print(got.decode(), flush=True)
s.close()
`;
  const run = (who: string) =>
    new Deno.Command("python3", {
      args: ["-c", script, who],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const [one, two] = await Promise.all([run("1"), run("2")]);
  const out1 = new TextDecoder().decode(one.stdout);
  const out2 = new TextDecoder().decode(two.stdout);
  assert.equal(one.code, 0, new TextDecoder().decode(one.stderr));
  assert.equal(two.code, 0, new TextDecoder().decode(two.stderr));
  assert.match(out1, /Pesan dari server : Selamat datang di Server\.\.\./);
  // They connect at the same time, so either may be Client_1.
  const label1 = /you are (Client_\d)/.exec(out1)![1];
  const label2 = /you are (Client_\d)/.exec(out2)![1];
  assert.notEqual(label1, label2);
  assert.ok(out1.includes(`${label2} : halo dari dua\n`), out1);
  assert.ok(out2.includes(`${label1} : balasan dari satu\n`), out2);
  await stopServer(proc);
});

const hasNcat = new Deno.Command("sh", { args: ["-c", "command -v ncat"] })
  .outputSync().success;

Deno.test({
  name: "chat-server: ncat works as a client",
  ignore: !hasNcat,
  fn: async () => {
    const { proc, port } = await startServer();
    const watcher = await join(port);
    const ncat = new Deno.Command("ncat", {
      args: ["127.0.0.1", String(port)],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const writer = ncat.stdin.getWriter();
    await watcher.sock.waitFor("Server : Client_2 joined (2 online)");
    await writer.write(new TextEncoder().encode("from ncat\n"));
    await watcher.sock.waitFor("Client_2 : from ncat");
    await watcher.sock.send("to ncat\n");
    await proc.waitForLine((line) => line.includes('"text":"to ncat"'));
    // Stopping the server sends the goodbye after "to ncat" (one queue, in
    // order) and closes the connection, which ends ncat.
    await stopServer(proc);
    await writer.close().catch(() => {});
    watcher.sock.close();
    const out = new TextDecoder().decode((await ncat.output()).stdout);
    assert.match(out, /^Selamat datang di Server\.\.\.\n/);
    assert.match(
      out,
      /\nClient_1 : to ncat\n(.*\n)*Server : server shutting down; goodbye\n$/,
    );
  },
});

Deno.test("chat-server: SIGTERM tells the clients, closes them and exits 0 with a summary", async () => {
  const { proc, port } = await startServer();
  const a = await join(port);
  const b = await join(port);
  await a.sock.send("one\n");
  await b.sock.waitFor("Client_1 : one");
  proc.kill("SIGTERM");
  await a.sock.closed;
  await b.sock.closed;
  assert.equal(a.sock.lines.at(-1), "Server : server shutting down; goodbye");
  assert.equal(b.sock.lines.at(-1), "Server : server shutting down; goodbye");
  const { code } = await proc.finished();
  assert.equal(code, 0);
  const summary = proc.records.at(-1)!;
  assert.equal(summary.type, "summary");
  assert.equal(summary.joined, 2);
  assert.equal(summary.messages, 1);
  a.sock.close();
  b.sock.close();
});

Deno.test("chat-server: usage and runtime errors are one line with exit 2 or 1", async () => {
  const bad = await runRole("chat-server", ["--max-clients", "0"]);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split("\n").length, 1);
  assert.match(bad.stderr, /--max-clients: expected a whole number/);
  const { proc, port } = await startServer();
  const busy = await runRole("chat-server", [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
  ]);
  assert.equal(busy.code, 1);
  assert.equal(busy.stderr.trim().split("\n").length, 1);
  // A TCP port: ss -tlpn names who listens there (ss -ulpn would show nothing).
  assert.equal(
    busy.stderr.trim(),
    `chat-server: error: listening on tcp 127.0.0.1:${port}: address already in use (another program has this port: ss -tlpn 'sport = :${port}' shows which; stop it or pick another --port)`,
  );
  const sibuk = await runRole("chat-server", [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--lang",
    "id",
  ]);
  assert.equal(sibuk.code, 1);
  assert.equal(
    sibuk.stderr.trim(),
    `chat-server: galat: mendengarkan di tcp 127.0.0.1:${port}: alamat sudah dipakai (program lain memegang port ini: ss -tlpn 'sport = :${port}' menunjukkan yang mana; hentikan atau pilih --port lain)`,
  );
  await stopServer(proc);
});

Deno.test("chat-server: /help, bare /name, /name as before, unknown commands and blank lines answer the sender only; /quit says goodbye and leaves", async () => {
  const { proc, port } = await startServer();
  const user = await join(port);
  const other = await join(port);
  const answer = async (line: string, expected: string | RegExp) => {
    user.sock.lines.length = 0;
    await user.sock.send(line + "\n");
    await user.sock.waitFor(expected);
  };
  await answer(
    "/help",
    "Server : commands: /name NAME (be shown as NAME), /help (this list), /quit (leave)",
  );
  await answer(
    "/name",
    "Server : usage: /name NAME (1-24 letters, digits, _ . or -)",
  );
  await answer("/name   ", /^Server : usage: \/name NAME/);
  await answer("/name Budi", "Server : you are now Budi");
  await answer("/name Budi", "Server : you are already Budi");
  await answer(
    "/nick Ani",
    "Server : error: unknown command /nick; /help lists the commands",
  );
  // Blank to the eye: not relayed, and no answer either.
  await user.sock.send("   \n\u3000\n \r\n");
  await user.sock.send("/usr/bin is a path, not a command\n");
  await other.sock.waitFor("Budi : /usr/bin is a path, not a command");
  user.sock.lines.length = 0;
  await user.sock.send("/QUIT\n");
  await user.sock.closed;
  assert.deepEqual(user.sock.lines, ["Server : goodbye"]);
  await other.sock.waitFor("Server : Budi left (1 online)");
  assert.deepEqual(
    other.sock.lines.filter((line) =>
      line !== WELCOME && !line.startsWith("Server : ")
    ),
    ["Budi : /usr/bin is a path, not a command"],
  );
  other.sock.close();
  await stopServer(proc);
  const leave = proc.records.find((r) =>
    r.type === "leave" && r.name === "Budi"
  );
  assert.equal(leave?.reason, "quit");
  assert.equal(proc.records.at(-1)?.messages, 1);
});

Deno.test("chat-server --idle-timeout: silent connections no longer hold every slot; the notice says why", async () => {
  const { proc, port } = await startServer([
    "--max-clients",
    "4",
    "--idle-timeout",
    "1",
  ]);
  const talker = await join(port);
  // Sends something twice a second, so it is never idle.
  const chatter = setInterval(() => talker.sock.send("still here\n"), 400);
  const silent = [];
  for (let i = 0; i < 3; i++) silent.push(await join(port));
  const extra = await ChatSocket.connect(port);
  await extra.closed;
  assert.match(extra.lines[0], /^Server : server full \(4 clients\)/);
  const started = Date.now();
  for (const { sock } of silent) {
    await sock.closed;
    assert.equal(
      sock.lines.at(-1),
      "Server : you are disconnected: nothing sent for 1 s",
    );
  }
  const after = Date.now() - started;
  assert.ok(after < 4000, `cut off after ${after} ms`);
  await talker.sock.waitFor(
    "Server : Client_2 was disconnected: idle (3 online)",
  );
  const late = await join(port);
  assert.equal(late.label, "Client_5");
  clearInterval(chatter);
  assert.ok(!talker.sock.isClosed);
  talker.sock.close();
  late.sock.close();
  await stopServer(proc);
  const summary = proc.records.at(-1)!;
  assert.equal(summary.idle, 3);
  assert.equal(
    proc.records.filter((r) => r.type === "leave" && r.reason === "idle")
      .length,
    3,
  );
});

Deno.test("chat-server --max-per-host: one address cannot take every slot", async () => {
  const { proc, port } = await startServer([
    "--max-clients",
    "4",
    "--max-per-host",
    "2",
  ]);
  const a = await join(port);
  const b = await join(port);
  const third = await ChatSocket.connect(port);
  // Sent before reading the refusal, as a script would: still told why.
  await third.send("let me in\n");
  await third.closed;
  assert.deepEqual(third.lines, [
    "Server : too many connections from 127.0.0.1 (at most 2 per host); try again later",
  ]);
  a.sock.close();
  await b.sock.waitFor("Server : Client_1 left (1 online)");
  const c = await join(port);
  assert.equal(c.label, "Client_3");
  b.sock.close();
  c.sock.close();
  await stopServer(proc);
  const refused = proc.records.filter((r) => r.type === "full");
  assert.deepEqual(refused.map((r) => r.limit), ["per-host"]);
  // Usage errors are one line, exit 2.
  const bad = await runRole("chat-server", ["--max-per-host", "-1"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^chat-server: error: --max-per-host: /);
  const badIdle = await runRole("chat-server", ["--idle-timeout", "soon"]);
  assert.equal(badIdle.code, 2);
  assert.match(badIdle.stderr, /^chat-server: error: --idle-timeout: /);
});

Deno.test("chat-server: a burst of 200 connections reset before accept (SO_LINGER 0) costs nothing; counted in the summary", async () => {
  const { proc, port } = await startServer(["--json-text"]);
  const burst = `
import socket, struct
for i in range(200):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.connect(("127.0.0.1", ${port}))
    s.close()
`;
  const resets = await new Deno.Command("python3", { args: ["-c", burst] })
    .output();
  assert.ok(resets.success, new TextDecoder().decode(resets.stderr));
  const started = performance.now();
  const sock = await ChatSocket.connect(port);
  await sock.waitFor(WELCOME, 10_000);
  const ms = Math.round(performance.now() - started);
  console.log(`welcome after a burst of 200 resets: ${ms} ms`);
  assert.ok(ms < 3000, `welcome after ${ms} ms`);
  sock.close();
  await stopServer(proc);
  const summary = proc.records.at(-1)!;
  assert.equal(summary.type, "summary");
  const aborted = summary.aborted as number;
  assert.ok(aborted > 0 && aborted <= 200, `aborted ${aborted}`);
  const texts = proc.records.filter((r) => r.type === "text").map((r) =>
    r.text as string
  );
  // Counted, not logged one line each.
  assert.ok(!texts.some((t) => t.includes("accepting a connection")));
  assert.match(
    texts.at(-1)!,
    new RegExp(`, ${aborted} reset before being accepted$`),
  );
});
