/**
 * `serve` as its own process on loopback (no root): what it hands out and
 * logs, the install.sh it writes for the address the client used, bad flags
 * (exit 2), the port in use (exit 1), and Ctrl+C in a real terminal (a
 * summary, exit 0) in both languages. The lab test (`serve_lab_test.ts`)
 * runs the script itself on Alpine-like hosts.
 */

import assert from "node:assert/strict";
import { runCommand, taskCommand } from "./_dist.ts";
import { spawn } from "./_harness.ts";
import { HAS_TMUX, shellQuote, Terminal } from "./_pty.ts";
import { freePort } from "./_udp.ts";

/**
 * `deno task serve` with read access to `dir` instead of dist/, and the
 * VMs' records in `dir/records`.
 */
async function serveCommand(dir: string): Promise<string[]> {
  const words = (await taskCommand("serve")).map((word) =>
    word.startsWith("--allow-read=")
      ? `--allow-read=${dir}`
      : word.startsWith("--allow-write=")
      ? `--allow-write=${dir}/records`
      : word
  );
  return [...words, "--records", `${dir}/records`];
}

/** A small gzip'd tar standing in for the Alpine pack (3 MB of noise inside, so that it streams in many chunks). */
async function fakePack(dir: string): Promise<string> {
  const path = `${dir}/progjar-alpine-x86_64.tar.gz`;
  const result = await runCommand("sh", [
    "-c",
    'cd "$1" && mkdir -p stage/progjar-alpine-x86_64 && head -c 3000000 /dev/urandom > stage/progjar-alpine-x86_64/noise && tar -C stage -cf - . | gzip > "$2" && rm -rf stage',
    "sh",
    dir,
    path,
  ]);
  assert.equal(result.code, 0, result.stderr);
  return path;
}

/**
 * A GET with a Host header of our choosing (fetch sends the URL's own);
 * returns the whole answer, status line and headers included.
 */
async function rawGet(
  port: number,
  path: string,
  host: string,
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ),
  );
  return await new Response(conn.readable).text();
}

Deno.test("serve: hands out the files, install.sh for the Host used, one line per request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "progjar-serve-" });
  const [program, ...args] = await serveCommand(dir);
  const pack = await fakePack(dir);
  await Deno.writeTextFile(`${dir}/progjar.js`, "// the bundle\n");
  await Deno.writeTextFile(`${dir}/secret.txt`, "not for the VMs\n");
  const server = spawn("serve", program, [
    ...args,
    "--dir",
    dir,
    "--no-build",
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--json",
  ]);
  try {
    const listening = await server.waitForRecord("listening", 30_000);
    const base = `http://127.0.0.1:${listening.port}`;
    assert.deepEqual(listening.lines, [
      `wget -qO- ${base}/install.sh | sh`,
    ]);

    const data = await Deno.readFile(pack);
    const sha = Array.from(
      new Uint8Array(await crypto.subtle.digest("SHA-256", data)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const script = await (await fetch(`${base}/install.sh`)).text();
    assert.match(script, new RegExp(`^SHA256=${sha}$`, "m"));
    assert.match(script, new RegExp(`^SIZE=${data.length}$`, "m"));
    assert.match(script, new RegExp(`^BASE=${base}$`, "m"));
    // The tar holds 3 MB and its headers: 4 MB to unpack, rounded up.
    assert.match(script, /^UNPACKED_MB=4$/m);
    // The address the VM used, not ours: a NAT cloud's 192.168.122.1.
    const port = Number(listening.port);
    const viaNat = await rawGet(
      port,
      "/install.sh?lang=id",
      "192.168.122.1:8000",
    );
    assert.match(viaNat, /^BASE=http:\/\/192\.168\.122\.1:8000$/m);
    assert.match(viaNat, /checksum tidak cocok/);
    // A Host header that could carry shell or URL tricks is refused.
    const tricky = await rawGet(port, "/install.sh", "x;rm -rf /");
    assert.match(tricky, /^HTTP\/1\.1 400 /);

    const got = new Uint8Array(
      await (await fetch(`${base}/progjar-alpine-x86_64.tar.gz`)).arrayBuffer(),
    );
    assert.deepEqual(got, data);
    for (const path of ["/secret.txt", "/../secret.txt", "/etc/passwd"]) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      await response.body?.cancel();
    }
    const index = await (await fetch(`${base}/`)).text();
    assert.match(index, /\/progjar\.js/);
    assert.doesNotMatch(index, /secret/);

    server.kill("SIGINT");
    const { code, stderr } = await server.finished();
    assert.equal(code, 0, stderr);
    const transfers = server.records.filter((r) => r.type === "transfer");
    const download = transfers.find((t) =>
      t.path === "/progjar-alpine-x86_64.tar.gz"
    );
    assert.equal(download?.bytes, data.length);
    assert.equal(download?.complete, true);
    assert.equal(download?.client, "127.0.0.1");
    const summary = server.records.find((r) => r.type === "summary");
    assert.equal(summary?.requests, transfers.length);
    // The tricky Host is a refusal (a line of its own, throttled in a
    // flood), not a request.
    assert.equal(summary?.requests, 7);
    assert.equal(summary?.refused, 1);
    const refused = server.records.filter((r) => r.type === "refused");
    assert.deepEqual(
      refused.map((r) => [r.kind, r.status]),
      [["bad-request", 400]],
    );
  } finally {
    server.kill();
    await server.finished();
    await Deno.remove(dir, { recursive: true });
  }
});

for (const lang of ["en", "id"] as const) {
  Deno.test(`serve (${lang}): a download cut off says "up to" its bytes, in its line and in the summary`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "progjar-serve-" });
    const [program, ...args] = await serveCommand(dir);
    await fakePack(dir);
    const server = spawn("serve", program, [
      ...args,
      "--dir",
      dir,
      "--no-build",
      "--bind",
      "127.0.0.1",
      "--port",
      "0",
      "--lang",
      lang,
    ]);
    try {
      const listening = await server.waitForLine(
        (line) => /http 127\.0\.0\.1:\d+/.test(line),
        30_000,
      );
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(listening)![1]);
      // A client that reads the headers and a little of the 3 MB, then goes.
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(
        new TextEncoder().encode(
          "GET /progjar-alpine-x86_64.tar.gz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        ),
      );
      await conn.read(new Uint8Array(16 * 1024));
      conn.close();
      const cut = await server.waitForLine(
        (line) => line.startsWith("127.0.0.1  /progjar-alpine-x86_64"),
        30_000,
      );
      assert.match(
        cut,
        lang === "en"
          ? /^127\.0\.0\.1 {2}\/progjar-alpine-x86_64\.tar\.gz {2}200 {2}up to [\d.]+ [KM]?B {2}[\d.]+ s {2}\(cut off: the client went away; it got at most this much\)$/
          : /^127\.0\.0\.1 {2}\/progjar-alpine-x86_64\.tar\.gz {2}200 {2}paling banyak [\d.]+ [KM]?B {2}[\d.]+ dtk {2}\(terputus: klien pergi; yang diterimanya paling banyak sebesar ini\)$/,
      );
      server.kill("SIGINT");
      const { code, stdout, stderr } = await server.finished();
      assert.equal(code, 0, stderr);
      assert.match(
        stdout,
        lang === "en"
          ? /^done: 1 request, 0 complete downloads, up to [\d.]+ [KM]?B sent \(1 download cut off\)$/m
          : /^selesai: 1 permintaan, 0 unduhan lengkap, paling banyak [\d.]+ [KM]?B terkirim \(1 unduhan terputus\)$/m,
      );
    } finally {
      server.kill();
      await server.finished();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("serve: bad --port or --bind is one line and exit 2; the port in use one line and exit 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "progjar-serve-" });
  const [program, ...args] = await serveCommand(dir);
  const common = [...args, "--dir", dir, "--no-build"];
  try {
    for (
      const [flags, pattern] of [
        [["--port", "70000"], /^serve: error: .*port/],
        [["--bind", "1.2.3"], /^serve: error: .*bind/],
        [["--port", "x", "--lang", "id"], /^serve: galat: /],
      ] as const
    ) {
      const result = await runCommand(program, [...common, ...flags]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, pattern);
    }
    const port = freePort("tcp");
    const taken = Deno.listen({ hostname: "127.0.0.1", port });
    try {
      const result = await runCommand(program, [
        ...common,
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
      ]);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
      assert.match(result.stderr, /^serve: error: address already in use/);
    } finally {
      taken.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const lang of ["en", "id"] as const) {
  Deno.test({
    name:
      `serve in a terminal (${lang}): the line to paste, a download line, Ctrl+C: summary, exit 0`,
    ignore: !HAS_TMUX,
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "progjar-serve-" });
      await fakePack(dir);
      const port = freePort("tcp");
      const words = [
        ...await serveCommand(dir),
        "--dir",
        dir,
        "--no-build",
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--lang",
        lang,
      ];
      const term = await Terminal.start(words.map(shellQuote).join(" "));
      try {
        const line = `wget -qO- http://127.0.0.1:${port}/install.sh | sh`;
        await term.waitFor(line, 30_000);
        const response = await fetch(
          `http://127.0.0.1:${port}/progjar-alpine-x86_64.tar.gz`,
        );
        await response.arrayBuffer();
        await term.waitFor(
          /127\.0\.0\.1 {2}\/progjar-alpine-x86_64\.tar\.gz {2}200/,
        );
        await term.press("C-c");
        const code = await term.exitCode();
        const screen = await term.screen();
        assert.equal(code, 0, screen);
        assert.match(
          screen,
          lang === "en"
            ? /done: 1 request, 1 complete download, 3\.0 MB sent/
            : /selesai: 1 permintaan, 1 unduhan lengkap, 3\.0 MB terkirim/,
        );
      } finally {
        await term.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
