import assert from "node:assert/strict";
import { roleCommand, runRole, startListening, startRole } from "./_harness.ts";
import { ChatSocket } from "./_chat_socket.ts";
import { HAS_TMUX, Terminal } from "./_pty.ts";

/** `promise`, or a rejection after `ms` (a client that should have exited). */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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

Deno.test("chat-client: the server's goodbye ends it with one line and exit 0", async () => {
  const { proc, port } = await startServer();
  const client = startRole("chat-client", ["--port", String(port)], {
    stdin: true,
  });
  await client.waitForLine((line) => line.startsWith("Server : you are"));
  proc.kill("SIGTERM");
  assert.equal((await proc.finished()).code, 0);
  const { code, stdout, stderr } = await client.finished();
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const lines = stdout.split("\n");
  const bye = lines.indexOf("Server : server shutting down; goodbye");
  assert.ok(bye > 0, stdout);
  assert.deepEqual(lines.slice(bye + 1), [
    "the server shut down: 0 lines sent, 3 received",
  ]);
  await client.closeStdin().catch(() => {});
});

Deno.test("chat-client: a server that closes without a goodbye: one error line, exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const client = startRole("chat-client", [
    "--json",
    "--port",
    String(listener.addr.port),
  ], { stdin: true });
  const conn = await listener.accept();
  await conn.write(new TextEncoder().encode("hi\n"));
  await client.waitForRecord("welcome");
  conn.close();
  await client.waitForRecord("closed");
  // Typed after the server went away: reported, not silently dropped.
  await client.write("too late\n").catch(() => {});
  const { code, stderr } = await client.finished();
  assert.equal(code, 1);
  assert.equal(
    stderr.trim(),
    "chat-client: error: the server closed the connection",
  );
  listener.close();
});

Deno.test("chat-client, piped, turned away by a full server (or the per-host limit): says so on stderr and exits 1", async () => {
  const { proc, port } = await startListening("chat-server", [
    "--bind",
    "127.0.0.1",
    "--lang",
    "en",
    "--max-clients",
    "1",
  ]);
  const first = await ChatSocket.connect(port);
  await first.waitFor(/^Server : you are Client_1/);
  for (const lang of ["en", "id"]) {
    const refused = await runRole("chat-client", [
      "--port",
      String(port),
      "--lang",
      lang,
    ]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.equal(
      refused.stderr.trim(),
      lang === "en"
        ? "chat-client: error: the server is full; try again later"
        : "chat-client: error: server penuh; coba lagi nanti",
    );
  }
  // With a line piped in, as in `printf 'halo\n' | chat-client`.
  const piped = startRole("chat-client", ["--port", String(port)], {
    stdin: true,
  });
  await piped.write("halo\n");
  await piped.closeStdin();
  const { code, stdout, stderr } = await piped.finished();
  assert.equal(code, 1, stdout);
  assert.match(stdout, /^Server : server full \(1 client\); try again later$/m);
  // A line that arrives after the refusal may be named as not sent; no
  // count of lines sent, as if the session had happened.
  assert.doesNotMatch(stdout, /\d+ lines? sent/);
  assert.equal(
    stderr.trim(),
    "chat-client: error: the server is full; try again later",
  );
  first.close();
  proc.kill();
  await proc.finished();

  const perHost = await startListening("chat-server", [
    "--bind",
    "127.0.0.1",
    "--max-per-host",
    "1",
  ]);
  const one = await ChatSocket.connect(perHost.port);
  await one.waitFor(/^Server : you are Client_1/);
  const second = await runRole("chat-client", [
    "--port",
    String(perHost.port),
    "--lang",
    "en",
  ]);
  assert.equal(second.code, 1);
  assert.equal(
    second.stderr.trim(),
    "chat-client: error: too many clients from this address; try again later",
  );
  one.close();
  perHost.proc.kill();
  await perHost.proc.finished();
});

Deno.test("chat-client: blank lines are not sent, /quit leaves with exit 0, an idle cut-off is named", async () => {
  const { proc, port } = await startServer();
  const peer = await ChatSocket.connect(port);
  await peer.waitFor(/^Server : you are Client_1/);
  const client = startRole("chat-client", ["--port", String(port)], {
    stdin: true,
  });
  await peer.waitFor("Server : Client_2 joined (2 online)");
  await client.write("   \n\nreal\n/quit\nnever sent\n");
  const { code, stdout } = await within(client.finished()).finally(() =>
    client.kill()
  );
  assert.equal(code, 0);
  assert.match(stdout, /^done: 1 line sent, \d+ received$/m);
  await peer.waitFor("Server : Client_2 left (1 online)");
  assert.deepEqual(
    peer.lines.filter((line) => line.startsWith("Client_2 : ")),
    ["Client_2 : real"],
  );
  peer.close();
  proc.kill();
  await proc.finished();
  // A client that sends nothing for --idle-timeout is told why it was cut off.
  const strict = await startListening("chat-server", [
    "--bind",
    "127.0.0.1",
    "--lang",
    "en",
    "--idle-timeout",
    "1.5",
  ]);
  const idle = startRole("chat-client", ["--port", String(strict.port)], {
    stdin: true,
  });
  const end = await within(idle.finished()).finally(() => idle.kill());
  assert.equal(end.code, 1);
  assert.match(
    end.stdout,
    /^Server : you are disconnected: nothing sent for 1\.5 s$/m,
  );
  assert.equal(
    end.stderr.trim(),
    "chat-client: error: the server disconnected this client: nothing sent for 1.5 s",
  );
  await idle.closeStdin().catch(() => {});
  strict.proc.kill();
  await strict.proc.finished();
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

Deno.test("chat-client --help lists its flags, the commands and how to quit, in both languages", async () => {
  const en = await runRole("chat-client", ["--help", "--lang", "en"]);
  assert.equal(en.code, 0);
  assert.match(en.stdout, /--name NAME/);
  assert.match(en.stdout, /^ {2}\/name NAME +be shown as NAME$/m);
  assert.match(en.stdout, /^ {2}\/help +/m);
  assert.match(
    en.stdout,
    /^ {2}\/quit +leave \(so do Ctrl\+D on an empty line and Ctrl\+C\)$/m,
  );
  const idClient = await runRole("chat-client", ["--help", "--lang", "id"]);
  assert.match(idClient.stdout, /^ {2}\/quit +keluar/m);
  assert.doesNotMatch(idClient.stdout, /\bAnda\b/);
  const id = await runRole("chat-server", ["--help", "--lang", "id"]);
  assert.match(id.stdout, /--max-clients N\s+klien terbanyak/);
});

const hasTmux = new Deno.Command("sh", { args: ["-c", "command -v tmux"] })
  .outputSync().success;

Deno.test({
  name:
    "chat-client on a terminal (tmux): an incoming line does not mangle the line being typed; at the server's goodbye unsent input is named, exit 0",
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
      const end = await waitScreen((l) => l.at(-1) === "EXIT=0");
      assert.ok(end.includes("Server : server shutting down; goodbye"));
      assert.ok(end.includes("not sent (you were typing it): half typed"));
      assert.ok(
        end.some((l) =>
          /^the server shut down: 1 line sent, \d+ received$/.test(l)
        ),
      );
    } finally {
      await tmux("kill-server");
      peer.close();
      proc.kill();
      await proc.finished();
    }
  },
});

Deno.test({
  name:
    "chat-client in a terminal, --lang id: /help and a bare /name answer only me, a blank line is not sent, /quit exits 0; a full server: exit 1",
  ignore: !HAS_TMUX,
  fn: async () => {
    const { proc, port } = await startListening("chat-server", [
      "--bind",
      "127.0.0.1",
      "--lang",
      "id",
      "--max-clients",
      "2",
    ]);
    const peer = await ChatSocket.connect(port);
    await peer.waitFor(/^Server : kamu adalah Client_1/);
    const term = await Terminal.start(
      `deno task chat-client --port ${port} --lang id`,
    );
    const full = [];
    try {
      await term.waitFor(/Masukkan Pesan :$/);
      await peer.waitFor("Server : Client_2 bergabung (2 online)");
      await term.type("/help");
      await term.press("Enter");
      await term.waitFor(
        "Server : perintah: /name NAMA (tampil sebagai NAMA), /help (daftar ini), /quit (keluar)",
      );
      await term.type("/name");
      await term.press("Enter");
      await term.waitFor(
        "Server : pemakaian: /name NAMA (1-24 huruf, angka, _ . atau -)",
      );
      await term.type("   ");
      await term.press("Enter");
      // The server is full now: a third client in a terminal is told so.
      const third = await Terminal.start(
        `deno task chat-client --port ${port} --lang en`,
      );
      full.push(third);
      assert.equal(await third.exitCode(), 1);
      assert.match(
        await third.screen(),
        /Server : server penuh \(2 klien\); coba lagi nanti\nchat-client: error: the server is full; try again later/,
      );
      await term.type("/quit");
      await term.press("Enter");
      assert.equal(await term.exitCode(), 0);
      assert.match(
        await term.screen(),
        /selesai: 2 baris dikirim, \d+ diterima/,
      );
      await peer.waitFor("Server : Client_2 keluar (1 online)");
      assert.deepEqual(
        peer.lines.filter((line) =>
          line.startsWith("Client_2") || line.includes("/help")
        ),
        [],
      );
    } finally {
      for (const t of full) await t.close();
      await term.close();
      peer.close();
      proc.kill();
      await proc.finished();
    }
  },
});
