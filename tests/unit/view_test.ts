// The live view's parts in-process: hosts found in a capture, the switch's
// ports, the events' info and counts, a frame's layers, the sockets'
// verdicts and how the kernel's counts settle the doubtful ones, the kernel
// tables read, the page's player, the picture's geometry, a browser's
// budget and backlog, and several browsers served the same events.

import assert from "node:assert/strict";
import { DEFAULT_LIMITS, TICK_MS } from "../../lib/view/_client.ts";
import { Client } from "../../lib/view/_client.ts";
import {
  parseProcIgmp,
  parseProcSnmp,
  parseProcUdp,
} from "../../lib/view/_proc_net.ts";
import { parseRequest } from "../../lib/view/_protocol.ts";
import { VerdictQueue } from "../../lib/view/_verdicts.ts";
import { frameDetail } from "../../lib/view/details.ts";
import { EventModel, eventRow, type ViewEvent } from "../../lib/view/events.ts";
import { HostTable } from "../../lib/view/hosts.ts";
import { LiveHub } from "../../lib/view/hub.ts";
import { pictureOf } from "../../lib/view/picture.ts";
import { SocketBook } from "../../lib/view/sockets.ts";
import { Player } from "../../lib/view/page/player.js";
import { topologySvg } from "../../lib/report/svg.ts";
import type { Frame } from "../../lib/wire/frame.ts";
import { readCapture } from "../../lib/wire/read.ts";
import { practicumTraffic } from "../_view_frames.ts";

const A = { address: "192.168.122.207", mac: "02:00:00:00:00:01" };
const B = { address: "192.168.122.50", mac: "02:00:00:00:00:02" };

async function framesOf(bytes: Uint8Array): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const f of readCapture(new Blob([bytes as BlobPart]).stream())) {
    frames.push(f);
  }
  return frames;
}

const traffic = practicumTraffic([A, B], { broadcast: "192.168.122.255" });
const frames = await framesOf(traffic.bytes);
const byKind = (kind: string) => frames.filter((f) => f.kind === kind);

Deno.test("a capture's hosts: the topology's names by address, others named by their address", () => {
  const hosts = new HostTable([
    { name: "alpine-1", address: A.address },
    { name: "alpine-2", address: "192.168.122.131" },
  ], { learn: true });
  const model = new EventModel(hosts);
  const events = frames.map((f) => model.add(f));
  assert.deepEqual(
    hosts.hosts.map((h) => [h.name, h.known, h.mac ?? null]),
    [
      ["alpine-1", true, A.mac],
      ["alpine-2", true, null],
      ["192.168.122.50", false, B.mac],
    ],
  );
  assert.equal(model.totals.frames, traffic.frames);
  for (const [kind, n] of Object.entries(traffic.kinds)) {
    assert.equal(model.totals.kinds[kind as Frame["kind"]], n, kind);
  }
  const broadcast = events.find((e) => e.kind === "udp-broadcast")!;
  assert.equal(broadcast.from, 0);
  assert.deepEqual(
    broadcast.to,
    [1, 2],
    "a broadcast leaves by every other port",
  );
  assert.deepEqual(broadcast.info, ["udp", 5005, " BROADCAST ini angka 1 "]);
  const multicast = events.find((e) => e.kind === "udp-multicast")!;
  assert.deepEqual(multicast.to, [1, 2], "no IGMP snooping: every other port");
  const unicast = events.filter((e) => e.kind === "udp-unicast");
  assert.deepEqual(unicast.map((e) => [e.from, e.to]), [[0, [2]], [2, [0]]]);
  assert.deepEqual(
    events.find((e) => e.kind === "arp")!.info,
    ["arp-request", B.address, A.address],
  );
  assert.deepEqual(
    events.find((e) => e.kind === "igmp")!.info,
    ["igmp-join", "224.1.1.1", 3],
  );
  assert.equal(model.totals.hosts[0].sent, traffic.frames - 3);
  assert.equal(
    eventRow(broadcast)[7],
    "--",
    "no verdict without socket knowledge",
  );
});

Deno.test("a host that never shows an address is named by its MAC, and an unknown unicast floods", async () => {
  const bytes = practicumTraffic([A, B], { broadcast: "192.168.122.255" })
    .bytes;
  const [first] = await framesOf(bytes);
  const hosts = new HostTable([], { learn: true });
  // An IPv6 frame from a MAC never seen: named by the MAC.
  const ipv6 = {
    ...first,
    arp: undefined,
    ipv4: undefined,
    kind: "other" as const,
  };
  assert.equal(hosts.senderOf(ipv6).name, A.mac);
  const other = new HostTable([{ name: "x", address: "10.0.0.1" }, {
    name: "y",
    address: "10.0.0.2",
  }]);
  const unicastToNobody = byKind("udp-unicast")[0];
  const from = other.senderOf(unicastToNobody).index;
  assert.deepEqual(other.portsOf(unicastToNobody, from), [1]);
});

Deno.test("a broadcast frame's layers: Ethernet to ff:ff:ff:ff:ff:ff, IPv4, UDP, the payload as text and hex", () => {
  const detail = frameDetail(byKind("udp-broadcast")[0]);
  const layer = (name: string) =>
    Object.fromEntries(
      detail.layers.find((l) => l.layer === name)!.fields.map((
        f,
      ) => [f[0], f.slice(1)]),
    );
  assert.deepEqual(layer("ethernet").dst, ["ff:ff:ff:ff:ff:ff", "broadcast"]);
  assert.deepEqual(layer("ethernet").src, [A.mac]);
  assert.deepEqual(layer("ipv4").dst, ["192.168.122.255"]);
  assert.deepEqual(layer("ipv4").ttl, ["64"]);
  assert.deepEqual(layer("ipv4").protocol, ["17 (UDP)"]);
  assert.deepEqual(layer("udp").dstPort, ["5005"]);
  assert.equal(detail.payload.text, " BROADCAST ini angka 1 ");
  assert.match(detail.payload.hex[0], /^0000 {2}20 42 52 4f/);
  const igmp = frameDetail(byKind("igmp")[0]);
  assert.ok(igmp.layers.some((l) => l.layer === "igmp"));
});

Deno.test("sockets: received, dropped as not a member, dropped for no socket, a reply to the port sent from", () => {
  const book = new SocketBook();
  const [broadcast] = byKind("udp-broadcast");
  const [multicast] = byKind("udp-multicast");
  const [request, reply] = byKind("udp-unicast");
  const t = broadcast.timeMs;
  book.kernelSnapshot(1, t - 10, {
    udp: [{ address: "0.0.0.0", port: 5005 }],
    groups: [],
  });
  assert.equal(book.verdict(1, B.address, broadcast, t), "r");
  assert.equal(book.verdict(1, B.address, multicast, t), "m");
  book.kernelSnapshot(2, t - 10, {
    udp: [{ address: "0.0.0.0", port: 5004 }],
    groups: ["224.1.1.1"],
  });
  assert.equal(book.verdict(2, B.address, multicast, t), "r");
  assert.equal(book.verdict(2, B.address, broadcast, t), "p");
  assert.equal(
    book.verdict(2, B.address, request, t),
    "p",
    "no socket on 10000",
  );
  // Nothing known of host 0: no verdict, except for a reply to a port it sent from.
  assert.equal(book.verdict(0, A.address, reply, t), "");
  book.sentFrom(0, 40002, t - 1);
  assert.equal(book.verdict(0, A.address, reply, t), "r");
  // A recording says exactly when the socket was there.
  book.setRecorded(3, [{
    transport: "udp",
    address: "0.0.0.0",
    port: 5005,
    from: t - 5,
    to: t + 5,
    role: "broadcast-receiver",
  }]);
  assert.equal(book.verdict(3, B.address, broadcast, t), "r");
  assert.equal(book.verdict(3, B.address, broadcast, t + 6), "p");
});

/** The broadcasts as events to host 1 at the given times, queued. */
function queued(book: SocketBook, times: number[]) {
  const hosts = new HostTable([
    { name: "alpine-1", address: A.address, mac: A.mac },
    { name: "alpine-2", address: B.address, mac: B.mac },
  ]);
  const queue = new VerdictQueue(book, hosts, 1200);
  const model = new EventModel(hosts, { sockets: book });
  const events = times.map((t, i) => {
    const frame = { ...byKind("udp-broadcast")[i], timeMs: t };
    const event = model.add(frame, 0, { later: () => true });
    queue.push(event, frame);
    return event;
  });
  return { queue, events };
}

Deno.test("a socket opened between two readings: the kernel's count of datagrams with no socket says which frames it got", () => {
  const book = new SocketBook();
  book.kernelSnapshot(1, 1000, { udp: [], groups: [], ignoredMulti: 100 });
  book.kernelSnapshot(1, 1025, {
    udp: [{ address: "0.0.0.0", port: 5005 }],
    groups: [],
    ignoredMulti: 103,
  });
  const { queue, events } = queued(book, [1005, 1010, 1015, 1020]);
  // The capture has not gone past the window yet: nothing is released.
  assert.equal(queue.release(1030, 1020).length, 0);
  const out = queue.release(1030, 1030);
  assert.equal(out.length, 4);
  assert.deepEqual(events.map((e) => e.v[0]), ["p", "p", "p", "r"]);
});

Deno.test("a socket closed between two readings: the last frames found no socket", () => {
  const book = new SocketBook();
  book.kernelSnapshot(1, 1000, {
    udp: [{ address: "0.0.0.0", port: 5005 }],
    groups: [],
    ignoredMulti: 7,
  });
  book.kernelSnapshot(1, 1025, { udp: [], groups: [], ignoredMulti: 8 });
  const { queue, events } = queued(book, [1005, 1010, 1015, 1020]);
  queue.release(1030, 1030);
  assert.deepEqual(events.map((e) => e.v[0]), ["r", "r", "r", "p"]);
});

Deno.test("a count that does not fit the window: the nearer reading decides; a frame waits for a reading after it", () => {
  const book = new SocketBook();
  book.kernelSnapshot(1, 1000, { udp: [], groups: [], ignoredMulti: 0 });
  book.kernelSnapshot(1, 1025, {
    udp: [{ address: "0.0.0.0", port: 5005 }],
    groups: [],
    ignoredMulti: 9,
  });
  const { queue, events } = queued(book, [1005, 1020, 1030]);
  const out = queue.release(1040, 1040);
  assert.equal(out.length, 2, "the frame after the last reading waits");
  assert.deepEqual(events.slice(0, 2).map((e) => e.v[0]), ["p", "r"]);
  assert.equal(events[2].v[0], "?");
  assert.equal(queue.drain().length, 1);
  assert.equal(events[2].v[0], "r");
});

Deno.test("the kernel's tables: /proc/net/udp, /proc/net/igmp, /proc/net/snmp", () => {
  const udp = [
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
    "  127: 00000000:138D 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123 2 0000000000000000 0",
    "  200: 837AA8C0:9C40 CF7AA8C0:2710 01 00000000:00000000 00:00000000 00000000     0        0 124 2 0000000000000000 0",
  ].join("\n");
  assert.deepEqual(parseProcUdp(udp), [
    { address: "0.0.0.0", port: 5005 },
    {
      address: "192.168.122.131",
      port: 40000,
      remote: { address: "192.168.122.207", port: 10000 },
    },
  ]);
  const igmp = [
    "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter",
    "1\tlo        :     1      V3",
    "\t\t\t\t010000E0     1 0:00000000\t\t0",
    "4\teth0      :     2      V3",
    "\t\t\t\t4F11AFEF     1 0:00000000\t\t0",
    "\t\t\t\t010000E0     1 0:00000000\t\t0",
  ].join("\n");
  assert.deepEqual(parseProcIgmp(igmp), ["224.0.0.1", "239.175.17.79"]);
  const snmp = [
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors",
    "Udp: 911 3 0 4 0 0 0 346966 0",
  ].join("\n");
  assert.deepEqual(parseProcSnmp(snmp), { ignoredMulti: 346966, noPorts: 3 });
});

function event(n: number): ViewEvent {
  return {
    n,
    t: 1000 + n,
    from: 0,
    to: [1],
    kind: "udp-broadcast",
    info: ["udp", 5005, `${n}`],
    len: 60,
    v: [""],
  };
}

/** An event as the page has it. */
function pageEvent(n: number): PageEvent {
  return { ...event(n), kind: "udp-broadcast" as string, v: "-" };
}

type PageEvent = Omit<ViewEvent, "kind" | "v"> & { kind: string; v: string };

Deno.test("the player: step back and step forward move exactly one event; paused, arrivals queue, bounded and counted", () => {
  const shown: number[] = [];
  const player = new Player({
    queueLimit: 3,
    onShow: (e: PageEvent) => shown.push(e.n),
  });
  player.arrive([1, 2, 3, 4].map(pageEvent));
  assert.equal(player.history.length, 4, "live: shown as they come");
  assert.equal(player.stepBack()!.n, 3);
  assert.equal(player.stepBack()!.n, 2);
  assert.equal(player.stepForward()!.n, 3);
  assert.equal(player.state, "paused");
  player.arrive([5, 6, 7, 8, 9].map(pageEvent));
  assert.equal(player.pending.length, 3);
  assert.equal(player.notQueued, 2);
  assert.equal(player.stepForward()!.n, 4);
  assert.equal(player.stepForward()!.n, 5, "the next from the queue");
  assert.equal(player.pending.length, 2);
  player.goLive();
  assert.equal(player.state, "live");
  assert.deepEqual(player.history.map((e: PageEvent) => e.n), [
    1,
    2,
    3,
    4,
    5,
    6,
    7,
  ]);
  // Filtered, a step goes to the next event the filter shows.
  player.filter = (e: PageEvent) => e.n % 2 === 1;
  player.select(6);
  assert.equal(player.stepBack()!.n, 5);
  assert.equal(shown.at(-1), 5);
});

Deno.test("the player in a replay plays the queue on the capture's own time axis, at its speed", () => {
  const player = new Player({ replay: true });
  player.arrive([1, 2, 3].map(pageEvent));
  player.tick(0);
  assert.equal(player.history.length, 1, "the first at once");
  player.speed = 0.5;
  player.tick(1);
  assert.equal(player.history.length, 1, "1 ms at half speed is half a ms");
  player.tick(1);
  assert.equal(player.history.length, 2);
  player.pause();
  player.tick(100);
  assert.equal(player.history.length, 2, "paused: nothing moves");
});

Deno.test("the picture is the report's topology, and its ports are where its lines end", () => {
  const hosts = [
    { name: "alpine-1", address: "192.168.122.207" },
    { name: "alpine-2", address: "192.168.122.131" },
    { name: "alpine-3", address: "192.168.122.7" },
  ];
  const picture = pictureOf(hosts, { label: "switch (bridge)", note: "x" });
  assert.equal(
    picture.svg,
    topologySvg(hosts, { label: "switch (bridge)", note: "x" }),
  );
  const lines = [
    ...picture.svg.matchAll(
      /<line x1="([\d.]+)" y1="56" x2="([\d.]+)" y2="110"/g,
    ),
  ];
  assert.equal(lines.length, 3);
  lines.forEach((m, i) => {
    assert.equal(Number(m[1]), picture.switch.x);
    assert.equal(Number(m[2]), picture.ports[i].x);
  });
});

/** A WebSocket stand-in: open, with a backlog we set. */
class FakeSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: unknown[] = [];
  onopen?: () => void;
  onmessage?: (m: { data: string }) => void;
  onclose?: () => void;
  onerror?: () => void;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = WebSocket.CLOSED;
  }
}

Deno.test("a browser gets at most its budget (rare kinds kept); one that does not read is sent nothing, and counted", () => {
  const socket = new FakeSocket();
  const client = new Client(socket as unknown as WebSocket, {
    eventsPerSecond: 100,
    backlogBytes: 1000,
  });
  for (let n = 1; n <= 1000; n++) client.offer(event(n));
  client.offer({ ...event(1001), kind: "arp" });
  const sent = client.flush();
  assert.ok(sent.length <= 100 + 4 + 1, `${sent.length} sent`);
  assert.ok(sent.some((e) => e.kind === "arp"), "the rare ARP is kept");
  assert.equal(client.counts.sampled, 1001 - sent.length);
  socket.bufferedAmount = 5000;
  for (let n = 1002; n <= 1100; n++) client.offer(event(n));
  assert.deepEqual(client.flush(), []);
  assert.equal(client.counts.dropped, 99);
  assert.equal(client.counts.slow, true);
  socket.bufferedAmount = 0;
  client.offer(event(1101));
  assert.equal(client.flush().length, 1);
  assert.equal(client.counts.slow, false);
  assert.equal(client.counts.stalls, 1);
  assert.ok(TICK_MS > 0 && DEFAULT_LIMITS.eventsPerSecond > 0);
});

Deno.test("several browsers see the same events with the same numbers", async () => {
  const hub = new LiveHub({ lab: "t", lang: "en", note: "" });
  try {
    hub.setHosts([
      { name: "alpine-1", address: A.address, mac: A.mac },
      { name: "alpine-2", address: B.address, mac: B.mac },
    ]);
    const sockets = [new FakeSocket(), new FakeSocket()];
    for (const s of sockets) {
      hub.attach(s as unknown as WebSocket);
      s.onopen!();
    }
    for (const f of byKind("udp-broadcast")) hub.publish(f, 0);
    await new Promise((resolve) => setTimeout(resolve, TICK_MS * 3));
    const numbers = sockets.map((s) =>
      s.sent.filter((m) => (m as { type: string }).type === "events")
        .flatMap((m) => (m as { rows: number[][] }).rows.map((r) => r[0]))
    );
    assert.equal(numbers[0].length, byKind("udp-broadcast").length);
    assert.deepEqual(numbers[0], numbers[1]);
    assert.equal(hub.summary().browsers, 2);
    assert.equal(
      sockets[0].sent[0] && (sockets[0].sent[0] as { type: string }).type,
      "hello",
    );
  } finally {
    hub.close();
  }
});

Deno.test("a page's requests are checked: detail and credit with a number, nothing else", () => {
  assert.deepEqual(parseRequest('{"type":"detail","n":5}'), {
    type: "detail",
    n: 5,
  });
  assert.deepEqual(parseRequest('{"type":"credit","n":100}'), {
    type: "credit",
    n: 100,
  });
  assert.equal(parseRequest('{"type":"detail","n":-1}'), undefined);
  assert.equal(parseRequest('{"type":"shell","n":1}'), undefined);
  assert.equal(parseRequest("not json"), undefined);
  assert.equal(parseRequest("x".repeat(500)), undefined);
});
