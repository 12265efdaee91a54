// The view's server with a browser that stops reading, on a real socket:
// what cannot be written waits in the kernel and in a bounded backlog, the
// rest is not sent but counted, and every event is accounted for (sent,
// sampled or dropped); a page that reads on gets every event meanwhile.

import assert from "node:assert/strict";
import { LiveHub } from "../lib/view/hub.ts";
import { startViewServer } from "../lib/view/server.ts";
import { readCapture } from "../lib/wire/read.ts";
import type { Frame } from "../lib/wire/frame.ts";
import { practicumTraffic } from "./_view_frames.ts";

const A = { address: "192.168.122.207", mac: "02:00:00:00:00:01" };
const B = { address: "192.168.122.131", mac: "02:00:00:00:00:02" };

async function broadcastFrame(): Promise<Frame> {
  const { bytes } = practicumTraffic([A, B], {
    broadcast: "192.168.122.255",
    datagrams: 1,
  });
  for await (const f of readCapture(new Blob([bytes as BlobPart]).stream())) {
    if (f.kind === "udp-broadcast") return f;
  }
  throw new Error("no broadcast frame");
}

/** A WebSocket client that completes the handshake and never reads again. */
async function stalledClient(port: number): Promise<Deno.TcpConn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  ));
  const head = new Uint8Array(512);
  await conn.read(head);
  return conn;
}

Deno.test("a browser that stops reading: a bounded backlog, then nothing more sent but everything counted; a reading one gets every event", async () => {
  const frame = await broadcastFrame();
  const hub = new LiveHub({
    lab: "t",
    lang: "en",
    note: "",
    // No sampling: every event is offered to every page, to fill a socket fast.
    limits: { eventsPerSecond: 10_000_000, backlogBytes: 256 * 1024 },
  });
  hub.setHosts([
    { name: "alpine-1", ...A },
    { name: "alpine-2", ...B },
  ]);
  const stop = new AbortController();
  const server = await startViewServer({
    hostname: "127.0.0.1",
    port: 0,
    source: hub,
    signal: stop.signal,
  });
  const stalled = await stalledClient(server.port);
  const reader = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
  let received = 0;
  reader.onmessage = (m) => {
    const message = JSON.parse(m.data);
    if (message.type === "events") received += message.rows.length;
  };
  await new Promise((resolve) => reader.onopen = resolve);
  try {
    const total = 200_000;
    const start = Date.now();
    for (let n = 0; n < total; n++) {
      hub.publish({ ...frame, timeMs: start + n / 100 }, 0);
      // Let the ticks run: about 50,000 frames a second.
      if (n % 2_500 === 2_499) await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const summary = hub.summary();
    assert.equal(summary.totals.frames, total);
    const [slow, fast] = [...summary.clients].sort((a, b) =>
      b.dropped - a.dropped
    );
    assert.ok(slow.dropped > 0, `the stalled one dropped ${slow.dropped}`);
    assert.ok(slow.stalls >= 1);
    assert.equal(
      slow.sent + slow.sampled + slow.dropped,
      total,
      "every event accounted for",
    );
    // What it was sent fits the kernel's buffers and the backlog: a few MB, not 200,000 events.
    assert.ok(slow.sent < total / 2, `sent ${slow.sent}`);
    assert.equal(fast.dropped, 0);
    assert.equal(fast.sent, total);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(received, total, "the page that reads got every event");
  } finally {
    reader.close();
    stalled.close();
    hub.close();
    stop.abort();
    await server.finished;
  }
});
