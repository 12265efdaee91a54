import assert from "node:assert/strict";
import { roleCommand, runRole, startListening, startRole } from "./_harness.ts";
import { ChatSocket } from "./_chat_socket.ts";

function startServer() {
  return startListening("chat-server", ["--bind", "127.0.0.1", "--lang", "en"]);
}

Deno.test("chat-client: piped lines are sent one by one; incoming lines are labelled; --name", async () => {
  const { proc, port } = await startServer();
  const peer = await ChatSocket.connect(port);
  await peer.waitFor(/^Server : you are Client_1/);
  const client = startRole("chat-client", [
    "--port",
    String(port),
    "--name",
    "Budi",
    "--lang",
    "id",
  ], { stdin: true });
  await peer.waitFor("Server : Client_2 is now Budi");
  await client.write("satu\ndua\n");
  await peer.waitFor("Budi : dua");
  await peer.send("balasan\n");
  await client.waitForLine((line) => line === "Client_1 : balasan");
  await client.closeStdin();
  const { code, stdout } = await client.finished();
  assert.equal(code, 0);
  const lines = stdout.split("\n");
  assert.equal(lines[0], `Menyambungkan ke Server 127.0.0.1:${port}`);
  assert.equal(lines[1], "Pesan dari server : Selamat datang di Server...");
  assert.match(lines.at(-1)!, /^selesai: 2 baris dikirim, \d+ diterima$/);
  assert.deepEqual(
    peer.lines.filter((line) => line.startsWith("Budi : ")),
    ["Budi : satu", "Budi : dua"],
  );
  peer.close();
  proc.kill();
  await proc.finished();
});

Deno.test("chat-client: peer text is shown escaped, never as raw terminal control", async () => {
  // A hostile "server": sends an escape sequence and invalid UTF-8.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = startRole("chat-client", [
    "--json",
    "--port",
    String(listener.addr.port),
  ], { stdin: true });
  const conn = await listener.accept();
  await conn.write(
    new Uint8Array([
      ...new TextEncoder().encode("hi\nX : \x1b[2J\x07"),
      0xff,
      0x0a,
    ]),
  );
  const line = await client.waitForLine((l) => l.includes('"type":"message"'));
  assert.deepEqual(JSON.parse(line), {
    type: "message",
    from: "X",
    text: "\\x1b[2J\\x07\\xff",
  });
  await client.closeStdin();
  assert.equal((await client.finished()).code, 0);
  conn.close();
  listener.close();
});

Deno.test("chat-client: server gone: a clear error on stderr and exit 1", async () => {
  const { proc, port } = await startServer();
  const client = startRole("chat-client", ["--json", "--port", String(port)], {
    stdin: true,
  });
  await client.waitForRecord("welcome");
  proc.kill("SIGTERM");
  await proc.finished();
  await client.waitForRecord("closed");
  // Typed after the server went away: reported, not silently dropped.
  await client.write("too late\n").catch(() => {});
  const { code, stderr } = await client.finished();
  assert.equal(code, 1);
  assert.equal(
    stderr.trim(),
    "chat-client: error: the server closed the connection",
  );
  assert.ok(
    client.records.some((r) =>
      r.type === "server" && r.text === "server shutting down; goodbye"
    ),
  );
});

Deno.test("chat-client: connection refused and bad flags: one line, exit 1 or 2", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const refused = await runRole("chat-client", ["--port", String(port)]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stderr,
    /^chat-client: error: connecting to 127\.0\.0\.1:\d+: connection refused/,
  );
  assert.equal(refused.stderr.trim().split("\n").length, 1);
  for (
    const args of [["--name", "Server"], ["--name", "a b"], ["--port", "x"]]
  ) {
    const bad = await runRole("chat-client", args);
    assert.equal(bad.code, 2, args.join(" "));
    assert.equal(bad.stderr.trim().split("\n").length, 1);
  }
});

Deno.test("chat-client --help lists its flags in both languages", async () => {
  const en = await runRole("chat-client", ["--help", "--lang", "en"]);
  assert.equal(en.code, 0);
  assert.match(en.stdout, /--name NAME/);
  const id = await runRole("chat-server", ["--help", "--lang", "id"]);
  assert.match(id.stdout, /--max-clients N\s+klien terbanyak/);
});

const hasTmux = new Deno.Command("sh", { args: ["-c", "command -v tmux"] })
  .outputSync().success;

Deno.test({
  name:
    "chat-client on a terminal (tmux): an incoming line does not mangle the line being typed; unsent input is named",
  ignore: !hasTmux,
  fn: async () => {
    const { proc, port } = await startServer();
    const peer = await ChatSocket.connect(port);
    await peer.waitFor(/^Server : you are Client_1/);
    // A private tmux server, so nothing else running tmux is touched.
    const socket = `progjar-chat-test-${Deno.pid}`;
    const tmux = (...args: string[]) =>
      new Deno.Command("tmux", { args: ["-L", socket, ...args] }).output();
    const screen = async () =>
      new TextDecoder().decode((await tmux("capture-pane", "-p")).stdout)
        .split("\n").map((line) => line.trimEnd()).filter((line) =>
          line !== ""
        );
    const waitScreen = async (match: (lines: string[]) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const lines = await screen();
        if (match(lines)) return lines;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`screen never matched:\n${(await screen()).join("\n")}`);
    };
    const command = roleCommand("chat-client", ["--port", String(port)])
      .map((arg) => `'${arg}'`).join(" ");
    try {
      await tmux(
        "new-session",
        "-d",
        "-x",
        "100",
        "-y",
        "20",
        "-c",
        new URL("../", import.meta.url).pathname,
        `NO_COLOR=1 LANG=C.UTF-8 ${command}; echo EXIT=$?; sleep 30`,
      );
      await peer.waitFor("Server : Client_2 joined (2 online)");
      await waitScreen((l) => l.at(-1) === "Enter message :");
      await tmux("send-keys", "-l", "hello wor");
      await waitScreen((l) => l.at(-1) === "Enter message : hello wor");
      await peer.send("incoming while typing\n");
      const lines = await waitScreen((l) =>
        l.includes("Client_1 : incoming while typing")
      );
      assert.deepEqual(lines.slice(-2), [
        "Client_1 : incoming while typing",
        "Enter message : hello wor",
      ]);
      await tmux("send-keys", "-l", "ld");
      await tmux("send-keys", "Enter");
      await peer.waitFor("Client_2 : hello world");
      await tmux("send-keys", "-l", "half typed");
      await waitScreen((l) => l.at(-1) === "Enter message : half typed");
      proc.kill("SIGTERM");
      await proc.finished();
      const end = await waitScreen((l) => l.at(-1) === "EXIT=1");
      assert.ok(end.includes("not sent (you were typing it): half typed"));
      assert.ok(
        end.includes("chat-client: error: the server closed the connection"),
      );
    } finally {
      await tmux("kill-server");
      peer.close();
      proc.kill();
      await proc.finished();
    }
  },
});
