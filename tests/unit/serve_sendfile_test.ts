import assert from "node:assert/strict";
import {
  drained,
  kernelFile,
  kernelSends,
  NEAR_SEND_BUFFER,
  sendBufferFor,
  socketFd,
} from "../../lib/deploy/_sendfile.ts";

/** A connected pair on loopback: our accepted side and the client's. */
async function pair(
  listener: Deno.TcpListener,
): Promise<{ served: Deno.TcpConn; client: Deno.TcpConn }> {
  const port = (listener.addr as Deno.NetAddr).port;
  const [client, served] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port }),
    listener.accept(),
  ]);
  return { served, client };
}

/** The inode of a socket, from what the kernel lists for its ports. */
function inodeOfPorts(local: number, remote: number): string | undefined {
  const hex = (port: number) =>
    port.toString(16).toUpperCase().padStart(4, "0");
  for (const line of Deno.readTextFileSync("/proc/net/tcp").split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hex(local)}`) && f[2]?.endsWith(`:${hex(remote)}`)) {
      return f[9];
    }
  }
  return undefined;
}

async function randomFile(size: number): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "progjar-sendfile-" });
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  }
  await Deno.writeFile(path, bytes);
  return path;
}

async function readAll(
  conn: Deno.Conn,
  length: number,
  options: { pauseMs?: number } = {},
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = await conn.read(out.subarray(got, Math.min(length, got + 65536)));
    if (n === null) break;
    got += n;
    if (options.pauseMs) {
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
  }
  return out.subarray(0, got);
}

const linux = Deno.build.os === "linux";

/** The send buffer of one socket, as `ss` reads it (`tb` in `skmem`). */
async function sendBufferOfSocket(conn: Deno.TcpConn): Promise<number> {
  const local = (conn.localAddr as Deno.NetAddr).port;
  const remote = (conn.remoteAddr as Deno.NetAddr).port;
  const out = await new Deno.Command("ss", {
    args: [
      "-tmnH",
      "state",
      "established",
      `( sport = :${local} and dport = :${remote} )`,
    ],
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const tb = /tb(\d+)/.exec(text);
  assert.ok(tb, `ss: ${text}`);
  return Number(tb[1]);
}

Deno.test({
  name:
    "sendfile: socketFd names each connection's own descriptor (checked against the kernel's socket list)",
  ignore: !linux,
  async fn() {
    assert.ok(kernelSends());
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const a = await pair(listener);
    const b = await pair(listener);
    try {
      const fds = [socketFd(a.served), socketFd(b.served)];
      assert.notEqual(fds[0], fds[1]);
      for (const [i, conn] of [a.served, b.served].entries()) {
        const link = Deno.readLinkSync(`/proc/self/fd/${fds[i]}`);
        const inode = inodeOfPorts(
          (conn.localAddr as Deno.NetAddr).port,
          (conn.remoteAddr as Deno.NetAddr).port,
        );
        assert.equal(link, `socket:[${inode}]`);
      }
    } finally {
      for (const conn of [a.served, a.client, b.served, b.client]) conn.close();
    }
  },
});

Deno.test({
  name:
    "sendfile: a part of a file reaches a slow reader byte for byte, waiting for room in the socket",
  ignore: !linux,
  async fn() {
    const size = 12 * 1024 * 1024;
    const path = await randomFile(size);
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { served, client } = await pair(listener);
    try {
      const stat = Deno.statSync(path);
      const file = kernelFile(path, { dev: stat.dev!, ino: stat.ino! })!;
      assert.ok(file);
      const start = 1000;
      const length = size - 5000;
      let progress = 0;
      const reading = readAll(client, length, { pauseMs: 1 });
      const end = await file.send(socketFd(served)!, {
        start,
        length,
        progress: (n) => progress += n,
        cut: () => false,
      });
      file.close();
      assert.equal(end, "done");
      assert.equal(progress, length);
      const got = await reading;
      const want = Deno.readFileSync(path).subarray(start, start + length);
      assert.equal(got.length, length);
      assert.ok(got.every((byte, i) => byte === want[i]), "same bytes");
    } finally {
      served.close();
      client.close();
      await Deno.remove(path);
    }
  },
});

Deno.test("sendfile: a client close enough for 256 KiB at 10 Gbit/s gets 256 KiB, one further keeps the kernel's", () => {
  // 10 Gbit/s is 1,250 bytes a microsecond; Linux doubles what is asked.
  assert.equal(NEAR_SEND_BUFFER, 128 * 1024);
  for (const rtt of [0, 30, 200, 209]) {
    assert.equal(sendBufferFor(rtt), NEAR_SEND_BUFFER, `${rtt} µs`);
  }
  for (const rtt of [210, 1000, 30_000]) {
    assert.equal(sendBufferFor(rtt), undefined, `${rtt} µs`);
  }
});

Deno.test({
  name:
    "sendfile: over loopback the kernel queues 256 KiB for a client, not the 4 MB it grows to (ss reads both sockets)",
  ignore: !linux,
  async fn() {
    const size = 16 * 1024 * 1024;
    const path = await randomFile(size);
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const kernel = await pair(listener);
    const written = await pair(listener);
    try {
      const stat = Deno.statSync(path);
      const file = kernelFile(path, { dev: stat.dev!, ino: stat.ino! })!;
      let cut = false;
      const sending = file.send(socketFd(kernel.served)!, {
        start: 0,
        length: size,
        progress: () => {},
        cut: () => cut,
      });
      // The same bytes through Deno's own socket, to a client that does
      // not read either: the kernel's tuning grows its buffer.
      const bytes = Deno.readFileSync(path);
      const writing = (async () => {
        for (let at = 0; at < size;) {
          at += await written.served.write(bytes.subarray(at));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(
        await sendBufferOfSocket(kernel.served),
        2 * NEAR_SEND_BUFFER,
      );
      const tuned = await sendBufferOfSocket(written.served);
      assert.ok(tuned > 4 * NEAR_SEND_BUFFER, `the kernel's: ${tuned}`);
      // Both clients then read everything: the small buffer loses nothing.
      const got = await readAll(kernel.client, size);
      assert.equal(got.length, size);
      assert.ok(got.every((byte, i) => byte === bytes[i]), "same bytes");
      assert.equal(await sending, "done");
      await readAll(written.client, size);
      await writing;
      cut = true;
      file.close();
    } finally {
      for (
        const c of [
          kernel.served,
          kernel.client,
          written.served,
          written.client,
        ]
      ) {
        c.close();
      }
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name:
    "sendfile: a client that never reads: the send waits, and ends as cut once the server cuts it",
  ignore: !linux,
  async fn() {
    const path = await randomFile(32 * 1024 * 1024);
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { served, client } = await pair(listener);
    try {
      const stat = Deno.statSync(path);
      const file = kernelFile(path, { dev: stat.dev!, ino: stat.ino! })!;
      let cut = false;
      let progress = 0;
      const sending = file.send(socketFd(served)!, {
        start: 0,
        length: stat.size,
        progress: (n) => progress += n,
        cut: () => cut,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.ok(progress > 0 && progress < stat.size, `${progress} sent`);
      cut = true;
      assert.equal(await sending, "cut");
      file.close();
    } finally {
      served.close();
      client.close();
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name:
    "sendfile: a file renamed over the one answered is not sent (the caller sends the bytes it opened)",
  ignore: !linux,
  async fn() {
    const path = await randomFile(1024);
    const newer = await randomFile(2048);
    try {
      const old = Deno.statSync(path);
      const same = kernelFile(path, { dev: old.dev!, ino: old.ino! });
      assert.ok(same);
      same.close();
      await Deno.rename(newer, path);
      assert.equal(
        kernelFile(path, { dev: old.dev!, ino: old.ino! }),
        undefined,
      );
      assert.equal(
        kernelFile(`${path}.missing`, { dev: old.dev!, ino: old.ino! }),
        undefined,
      );
    } finally {
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name:
    "sendfile: drained is true once the client has every byte, false when it went away with bytes unread",
  ignore: !linux,
  async fn() {
    const size = 3 * 1024 * 1024;
    const path = await randomFile(size);
    using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const stat = Deno.statSync(path);
    const send = async (fd: number, length = size) => {
      const file = kernelFile(path, { dev: stat.dev!, ino: stat.ino! })!;
      const end = await file.send(fd, {
        start: 0,
        length,
        progress: () => {},
        cut: () => false,
      });
      file.close();
      return end;
    };
    try {
      // Reads it all and keeps the connection open (as a keep-alive does).
      const whole = await pair(listener);
      const wholeFd = socketFd(whole.served)!;
      const reading = readAll(whole.client, size);
      assert.equal(await send(wholeFd), "done");
      assert.equal(
        await drained(wholeFd, {
          left: () => {},
          cut: () => false,
        }),
        true,
      );
      assert.equal((await reading).length, size);
      whole.served.close();
      whole.client.close();

      // Reads 16 KiB and goes: the kernel took 160 KiB (what its send
      // buffer for a client this close, 256 KiB, holds at once), the
      // client did not.
      const part = 160 * 1024;
      const gone = await pair(listener);
      // Looked up while connected: a reset socket has no peer to name.
      const goneFd = socketFd(gone.served)!;
      assert.equal(await send(goneFd, part), "done");
      await gone.client.read(new Uint8Array(16 * 1024));
      gone.client.close();
      let left = 0;
      assert.equal(
        await drained(goneFd, {
          left: (n) => left = n,
          cut: () => false,
        }),
        false,
      );
      // What it had not acknowledged when last looked at (0 if the reset
      // came first): the download's line says "up to" the rest.
      assert.ok(left >= 0 && left <= part);
      gone.served.close();
    } finally {
      await Deno.remove(path);
    }
  },
});
