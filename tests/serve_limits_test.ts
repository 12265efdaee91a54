/**
 * `serve` under the clients a class brings, on loopback: Range requests
 * (206 with exactly those bytes, 416 outside the file), a download cut by a
 * flaky link and resumed with BusyBox `wget -c`, a client that stops
 * reading, hundreds of half-sent requests held open, a client opening
 * connections in a loop, and one address over --max-per-host while another
 * is served: each is one line in serve's log (a flood: a line and a count),
 * its limits hold, and a download already under way goes on.
 */

import assert from "node:assert/strict";
import { runCommand, taskCommand } from "./_dist.ts";
import { type RoleProcess, spawn } from "./_harness.ts";
import { startCutProxy } from "./_cut_proxy.ts";

/** A big file served as an artefact (sparse: zeros, then a marked tail). */
const BIG = "progjar-x86_64-linux";
const BIG_SIZE = 64 * 1024 * 1024;

async function servedDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "progjar-serve-limits-" });
  // The bundle: 1 MB of numbered lines, so that any wrong byte shows.
  const lines = Array.from(
    { length: 40_000 },
    (_, i) => `// line ${String(i).padStart(8, "0")} of the bundle`,
  );
  await Deno.writeTextFile(`${dir}/progjar.js`, lines.join("\n") + "\n");
  const big = await Deno.open(`${dir}/${BIG}`, { write: true, create: true });
  await big.truncate(BIG_SIZE);
  await big.seek(BIG_SIZE - 16, Deno.SeekMode.Start);
  await big.write(new TextEncoder().encode("the end of it.\n\n"));
  big.close();
  return dir;
}

/**
 * How serve sends a file: by the kernel (`sendfile`, the task's
 * `--allow-ffi`), or from its own buffer (the same command without FFI).
 */
const SENDERS = ["kernel", "buffer"] as const;
type Sender = typeof SENDERS[number];

async function startServe(
  dir: string,
  flags: string[] = [],
  sender: Sender = "kernel",
): Promise<{ proc: RoleProcess; port: number; base: string }> {
  const task = await taskCommand("serve");
  assert.ok(task.includes("--allow-ffi"), "the serve task allows FFI");
  const words = task.filter((word) =>
    sender === "kernel" || word !== "--allow-ffi"
  ).map((word) =>
    word.startsWith("--allow-read=")
      ? `--allow-read=${dir}`
      : word.startsWith("--allow-write=")
      ? `--allow-write=${dir}/records`
      : word
  );
  const [program, ...args] = words;
  const proc = spawn("serve", program, [
    ...args,
    "--dir",
    dir,
    "--records",
    `${dir}/records`,
    "--no-build",
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--json",
    "--json-text",
    ...flags,
  ]);
  const listening = await proc.waitForRecord("listening", 30_000);
  assert.equal(listening.files, sender === "kernel" ? "sendfile" : "buffer");
  const port = Number(listening.port);
  return { proc, port, base: `http://127.0.0.1:${port}` };
}

async function stopServe(proc: RoleProcess): Promise<Record<string, unknown>> {
  proc.kill("SIGINT");
  const { code, stderr } = await proc.finished();
  assert.equal(code, 0, stderr);
  return proc.records.find((r) => r.type === "summary")!;
}

/** serve's human lines (`--json-text`). */
function textLines(proc: RoleProcess): string[] {
  return proc.records.filter((r) => r.type === "text").map((r) =>
    String(r.text)
  );
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(
    new Uint8Array(digest),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

for (const sender of SENDERS) {
  Deno.test(`serve: Range gets 206 with exactly those bytes, 416 outside the file; If-Range of an older file gets it whole (${sender})`, async () => {
    const dir = await servedDir();
    const { proc, base } = await startServe(dir, [], sender);
    try {
      const file = await Deno.readFile(`${dir}/progjar.js`);
      const size = file.length;
      const get = (range: string, extra: HeadersInit = {}) =>
        fetch(`${base}/progjar.js`, { headers: { range, ...extra } });

      const whole = await fetch(`${base}/progjar.js`);
      assert.equal(whole.status, 200);
      assert.equal(whole.headers.get("accept-ranges"), "bytes");
      assert.deepEqual(new Uint8Array(await whole.arrayBuffer()), file);
      const etag = whole.headers.get("etag")!;

      for (
        const [range, start, end] of [
          ["bytes=1000-1999", 1000, 1999],
          ["bytes=0-0", 0, 0],
          [`bytes=${size - 10}-`, size - 10, size - 1],
          ["bytes=-100", size - 100, size - 1],
          [`bytes=500-${size + 5000}`, 500, size - 1],
        ] as const
      ) {
        const response = await get(range);
        assert.equal(response.status, 206, range);
        assert.equal(
          response.headers.get("content-range"),
          `bytes ${start}-${end}/${size}`,
          range,
        );
        assert.equal(
          response.headers.get("content-length"),
          `${end - start + 1}`,
        );
        assert.deepEqual(
          new Uint8Array(await response.arrayBuffer()),
          file.subarray(start, end + 1),
          range,
        );
      }
      for (
        const range of [`bytes=${size}-`, `bytes=${size + 10}-${size + 20}`]
      ) {
        const response = await get(range);
        assert.equal(response.status, 416, range);
        assert.equal(response.headers.get("content-range"), `bytes */${size}`);
        await response.body?.cancel();
      }
      // Several ranges, or not bytes: the whole file, as RFC 9110 allows.
      for (const range of ["bytes=0-1,5-6", "lines=1-2", "bytes=abc"]) {
        const response = await get(range);
        assert.equal(response.status, 200, range);
        assert.equal((await response.arrayBuffer()).byteLength, size);
      }
      // A Range valid only for the file the client had: If-Range says which.
      const same = await get("bytes=10-19", { "if-range": etag });
      assert.equal(same.status, 206);
      await same.body?.cancel();
      const older = await get("bytes=10-19", { "if-range": '"1-1"' });
      assert.equal(older.status, 200);
      assert.equal((await older.arrayBuffer()).byteLength, size);
      // HEAD: the same head, no body.
      const head = await fetch(`${base}/progjar.js`, {
        method: "HEAD",
        headers: { range: "bytes=0-9" },
      });
      assert.equal(head.status, 206);
      assert.equal(head.headers.get("content-length"), "10");
      assert.equal((await head.arrayBuffer()).byteLength, 0);

      const summary = await stopServe(proc);
      const transfers = proc.records.filter((r) => r.type === "transfer");
      const partial = transfers.find((t) =>
        (t.range as { start: number } | undefined)?.start === 1000
      )!;
      assert.equal(partial.status, 206);
      assert.equal(partial.bytes, 1000);
      assert.ok(
        textLines(proc).some((line) =>
          /^127\.0\.0\.1 {2}\/progjar\.js {2}206 {2}1 KB {2}[\d.]+ s {2}\(bytes 1000-1999 of \d+\)$/
            .test(line)
        ),
        textLines(proc).join("\n"),
      );
      // Whole answers, and 206s that reached the end, are complete downloads.
      assert.equal(summary.downloads, 8);
    } finally {
      proc.kill();
      await proc.finished();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const sender of SENDERS) {
  Deno.test(`serve: a download cut off by the link resumes with BusyBox wget -c (206 from where it stopped), byte for byte (${sender})`, async () => {
    const dir = await servedDir();
    const { proc, port } = await startServe(dir, [], sender);
    // The first connection through it is cut after 5 MB.
    const proxy = startCutProxy({
      listen: { hostname: "127.0.0.1", port: 0 },
      target: { hostname: "127.0.0.1", port },
      cuts: [5_000_000],
    });
    try {
      const url = `http://127.0.0.1:${proxy.port}/${BIG}`;
      const out = `${dir}/download`;
      const first = await runCommand("busybox", ["wget", "-q", "-O", out, url]);
      assert.notEqual(first.code, 0, "the cut download fails");
      assert.match(first.stderr, /closed prematurely|error/i);
      const partial = (await Deno.stat(out)).size;
      assert.ok(partial > 0 && partial < BIG_SIZE, `${partial}`);
      const resumed = await runCommand("busybox", [
        "wget",
        "-q",
        "-c",
        "-O",
        out,
        url,
      ]);
      assert.equal(resumed.code, 0, resumed.stderr);
      const got = await Deno.readFile(out);
      assert.equal(got.length, BIG_SIZE);
      assert.equal(
        await sha256(got),
        await sha256(await Deno.readFile(`${dir}/${BIG}`)),
      );

      const summary = await stopServe(proc);
      const transfers = proc.records.filter((r) => r.type === "transfer");
      assert.deepEqual(
        transfers.map((t) => [t.status, t.complete]),
        [[200, false], [206, true]],
      );
      assert.deepEqual(transfers[1].range, {
        start: partial,
        end: BIG_SIZE - 1,
        size: BIG_SIZE,
      });
      assert.equal(summary.downloads, 1);
      assert.equal(summary.cutOff, 1);
    } finally {
      await proxy.close();
      proc.kill();
      await proc.finished();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Reads an answer slowly: `chunk` bytes every `everyMs`; resolves to its body's size. */
async function slowDownload(
  port: number,
  path: string,
  options: { chunk: number; everyMs: number },
): Promise<{ status: string; body: number; tail: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(
    new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`),
  );
  const buffer = new Uint8Array(options.chunk);
  let head = "";
  let body = 0;
  let last = new Uint8Array(0);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    let bytes = buffer.subarray(0, n);
    if (!head.includes("\r\n\r\n")) {
      head += new TextDecoder("latin1").decode(bytes);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) continue;
      bytes = bytes.subarray(bytes.length - (head.length - end - 4));
      head = head.slice(0, end + 4);
    }
    body += bytes.length;
    if (bytes.length > 0) last = bytes.slice(-16);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
  conn.close();
  return {
    status: head.split("\r\n", 1)[0],
    body,
    tail: new TextDecoder().decode(last),
  };
}

for (const sender of SENDERS) {
  Deno.test(`serve: a client that stops reading is cut off after --stall-timeout, in one line; hundreds of half-sent requests are closed after --request-timeout, in a line and a count; a download under way goes on (${sender})`, async () => {
    const dir = await servedDir();
    const { proc, port } = await startServe(dir, [
      "--stall-timeout",
      "1",
      "--request-timeout",
      "1",
      "--max-connections",
      "400",
      "--max-per-host",
      "0",
    ], sender);
    const held: Deno.Conn[] = [];
    try {
      // A download under way for the whole test: 64 MB at ~20 MB/s.
      const steady = slowDownload(port, `/${BIG}`, {
        chunk: 256 * 1024,
        everyMs: 10,
      });
      // A VM that asks and then reads nothing.
      const stalled = await Deno.connect({ hostname: "127.0.0.1", port });
      held.push(stalled);
      await stalled.write(
        new TextEncoder().encode(`GET /${BIG} HTTP/1.1\r\nHost: x\r\n\r\n`),
      );
      // 300 requests that never end their head.
      for (let i = 0; i < 300; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        held.push(conn);
        await conn.write(
          new TextEncoder().encode("GET /progjar.js HTTP/1.1\r\nHost: x\r\n"),
        );
      }
      const cut = await proc.waitForRecord("transfer", 20_000);
      assert.equal(cut.cut, "stalled", JSON.stringify(cut));
      assert.equal(cut.complete, false);
      await proc.waitForLine(
        (line) => line.includes("no whole request within 1 s"),
        20_000,
      );
      // Every half-sent connection was closed by serve: reads end.
      for (const conn of held.slice(1)) {
        const n = await conn.read(new Uint8Array(64)).catch(() => null);
        assert.equal(n, null);
      }
      const done = await steady;
      assert.match(done.status, /^HTTP\/1\.1 200 /);
      assert.equal(done.body, BIG_SIZE);
      assert.equal(done.tail, "the end of it.\n\n");

      const summary = await stopServe(proc);
      assert.equal(summary.refused, 300);
      const lines = textLines(proc);
      const timeouts = lines.filter((line) =>
        line.includes("--request-timeout")
      );
      assert.equal(timeouts.length, 1, lines.join("\n"));
      assert.ok(
        lines.some((line) =>
          /^127\.0\.0\.1 {2}… 299 more like it in 10 s not shown/.test(line)
        ),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((line) =>
          /\(cut off: the client took nothing for 1 s \(--stall-timeout\)/.test(
            line,
          )
        ),
        lines.join("\n"),
      );
    } finally {
      for (const conn of held) {
        try {
          conn.close();
        } catch {
          // closed by serve
        }
      }
      proc.kill();
      await proc.finished();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

for (const sender of SENDERS) {
  Deno.test(`serve: a client opening connections in a loop meets --max-connections (503, one line and a count), memory stays bounded, and serve answers again once they are gone (${sender})`, async () => {
    const dir = await servedDir();
    const { proc, port, base } = await startServe(dir, [
      "--max-connections",
      "50",
      "--max-per-host",
      "0",
    ], sender);
    const held: Deno.Conn[] = [];
    try {
      const steady = slowDownload(port, `/${BIG}`, {
        chunk: 512 * 1024,
        everyMs: 5,
      });
      // Connections opened in a loop and kept: 49 slots left, then 503s.
      const busy: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        held.push(conn);
        if (i >= 60 && i % 100 === 0) {
          const answer = new Uint8Array(512);
          const n = await conn.read(answer);
          busy.push(new TextDecoder().decode(answer.subarray(0, n ?? 0)));
        }
      }
      for (const answer of busy) {
        assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
        assert.match(answer, /\r\nretry-after: 5\r\n/);
      }
      const done = await steady;
      assert.equal(done.body, BIG_SIZE);
      for (const conn of held) conn.close();
      held.length = 0;
      // Once they are gone, serve answers again.
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        const response = await fetch(`${base}/progjar.js`);
        status = response.status;
        await response.body?.cancel();
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 200);
      const peak = /VmHWM:\s+(\d+) kB/.exec(
        await Deno.readTextFile(`/proc/${proc.pid}/status`),
      );
      const summary = await stopServe(proc);
      assert.ok(Number(summary.refused) >= 900, JSON.stringify(summary));
      const lines = textLines(proc);
      const full = lines.filter((line) => line.includes("--max-connections"));
      assert.equal(full.length, 1, lines.join("\n"));
      assert.ok(
        lines.some((line) =>
          /^… \d+ more like it in 10 s not shown/.test(line)
        ),
        lines.join("\n"),
      );
      // A bound far above what it needs, not a measurement: a thousand
      // connections must not cost a thousand buffers.
      if (peak) assert.ok(Number(peak[1]) < 160 * 1024, `${peak[1]} kB`);
    } finally {
      for (const conn of held) conn.close();
      proc.kill();
      await proc.finished();
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** `tests/_from_address.py get`: one GET from `address`. */
async function getFrom(
  address: string,
  port: number,
  path: string,
): Promise<{ status: number; bytes: number; sha256: string }> {
  const { code, stdout, stderr } = await runCommand("python3", [
    "tests/_from_address.py",
    "get",
    address,
    String(port),
    path,
  ]);
  assert.equal(code, 0, stderr);
  const [statusLine, body] = stdout.trimEnd().split("\n");
  const [, bytes, sum] = body.split(" ");
  return {
    status: Number(statusLine.split(" ")[1]),
    bytes: Number(bytes),
    sha256: sum,
  };
}

Deno.test("serve: --max-per-host from two addresses: the one over its limit gets 503 in one line, the other is served meanwhile; once its connections close it is served again", async () => {
  const dir = await servedDir();
  const { proc, port } = await startServe(dir, [
    "--max-per-host",
    "4",
    // The held connections stay until they are closed.
    "--request-timeout",
    "60",
  ]);
  // 127.0.0.2 holds 4 connections, each with half a request sent.
  const holder = new Deno.Command("python3", {
    args: ["tests/_from_address.py", "hold", "127.0.0.2", String(port), "4"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const said = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let heard = "";
  try {
    while (!heard.includes("held 4\n")) {
      const { value, done } = await said.read();
      assert.ok(!done, `the holder said: ${heard}`);
      heard += value;
    }
    const bundle = await Deno.readFile(`${dir}/progjar.js`);
    const whole = await sha256(bundle);
    // The fifth and more from 127.0.0.2: busy; 127.0.0.3 at the same time: served.
    const [busy, other] = await Promise.all([
      Promise.all(
        Array.from({ length: 5 }, () => getFrom("127.0.0.2", port, "/")),
      ),
      getFrom("127.0.0.3", port, "/progjar.js"),
    ]);
    for (const answer of busy) assert.equal(answer.status, 503);
    assert.equal(other.status, 200);
    assert.equal(other.bytes, bundle.length);
    assert.equal(other.sha256, whole);
    // One line for the five (a flood is a line and a count), naming the address.
    const lines = textLines(proc).filter((l) => l.includes("--max-per-host"));
    assert.equal(lines.length, 1, textLines(proc).join("\n"));
    assert.match(
      lines[0],
      /^127\.0\.0\.2 +refused: 4 connections open from this address \(--max-per-host\): answered 503 \(503 Service Unavailable\)$/,
    );
    assert.ok(
      !textLines(proc).some((l) => /^127\.0\.0\.3 .*refused/.test(l)),
      textLines(proc).join("\n"),
    );

    // Its held connections closed: 127.0.0.2 is served again.
    await holder.stdin.close();
    while (!heard.includes("closed\n")) {
      const { value, done } = await said.read();
      if (done) break;
      heard += value;
    }
    let again = { status: 0, bytes: 0, sha256: "" };
    for (let i = 0; i < 50 && again.status !== 200; i++) {
      again = await getFrom("127.0.0.2", port, "/progjar.js");
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(again.status, 200);
    assert.equal(again.sha256, whole);
    const summary = await stopServe(proc);
    assert.equal(summary.refused, 5, JSON.stringify(summary));
  } finally {
    said.releaseLock();
    try {
      holder.kill();
    } catch {
      // ended
    }
    await holder.status;
    await holder.stdout.cancel().catch(() => {});
    proc.kill();
    await proc.finished();
    await Deno.remove(dir, { recursive: true });
  }
});
