// What the report's "on the wire" takes from captures, on captures written
// byte by byte: counts per kind in a scenario's window, the IGMP joins and
// leaves (also a leave just after the window), the non-member that got the
// group's frames, a TCP handshake and a relayed line with Wireshark's
// relative numbers, a late receiver's first frame; the section in both
// languages; tcpdump's closing lines; where `lab run` captures.

import assert from "node:assert/strict";
import type {
  ProcessResult,
  ScenarioResult,
} from "../../lib/results/results.ts";
import { wireBlocks } from "../../lib/report/wire.ts";
import { parseTcpdumpStats, tcpdumpArgs } from "../../lib/wire/capture.ts";
import { wireSummaries } from "../../lib/wire/summary.ts";
import { TcpStreams } from "../../lib/wire/tcp_streams.ts";
import { runCaptureDir } from "../../lib/lab/_capture.ts";
import {
  ethernet,
  igmpV3Report,
  ipv4,
  pcapFile,
  type PcapRecord,
  ROUTER_ALERT,
  tcp,
  udp,
  utf8,
} from "../_capture_bytes.ts";

const T0 = 1_700_000_000; // seconds
const ADDRESS: Record<string, string> = {
  "alpine-1": "192.168.122.207",
  "alpine-2": "192.168.122.131",
  "alpine-5": "192.168.122.197",
};
const MAC: Record<string, string> = {
  "alpine-1": "02:00:00:00:00:01",
  "alpine-2": "02:00:00:00:00:02",
  "alpine-5": "02:00:00:00:00:05",
};

function at(ms: number, data: Uint8Array): PcapRecord {
  return {
    seconds: T0 + Math.floor(ms / 1000),
    fraction: (ms % 1000) * 1000,
    data,
  };
}

function igmpFrame(host: string, type: number, group: string): Uint8Array {
  return ethernet(
    "01:00:5e:00:00:16",
    MAC[host],
    0x0800,
    ipv4({
      src: ADDRESS[host],
      dst: "224.0.0.22",
      protocol: 2,
      ttl: 1,
      options: ROUTER_ALERT,
      payload: igmpV3Report([{ type, group }]),
    }),
  );
}

function toGroup(text: string): Uint8Array {
  return ethernet(
    "01:00:5e:01:01:01",
    MAC["alpine-1"],
    0x0800,
    ipv4({
      src: ADDRESS["alpine-1"],
      dst: "224.1.1.1",
      protocol: 17,
      ttl: 2,
      payload: udp(40000, 5004, utf8(text)),
    }),
  );
}

function process(
  host: string,
  role: string,
  extra: Partial<ProcessResult> = {},
): ProcessResult {
  return {
    host,
    address: ADDRESS[host],
    role,
    step: 0,
    args: [],
    command: [],
    typed: [],
    input: [],
    startedMs: 0,
    code: 0,
    signal: null,
    stopped: true,
    stdout: [],
    stdoutMs: [],
    dropped: 0,
    transcript: [],
    transcriptOmitted: 0,
    stderr: "",
    checks: [],
    ok: true,
    ...extra,
  };
}

function scenario(
  name: string,
  processes: ProcessResult[],
  startMs: number,
  durationMs: number,
): ScenarioResult {
  return {
    scenario: name,
    description: "",
    lab: "t",
    ok: true,
    durationMs,
    startedAt: T0 * 1000 + startMs,
    processes,
  };
}

const made: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of made) Deno.removeSync(dir, { recursive: true });
});

async function files(
  records: Record<string, PcapRecord[]>,
): Promise<{ host: string; files: string[] }[]> {
  const dir = await Deno.makeTempDir();
  made.push(dir);
  return await Promise.all(
    Object.entries(records).map(async ([host, rs]) => {
      const path = `${dir}/${host}.pcap`;
      await Deno.writeFile(path, pcapFile({ records: rs }));
      return { host, files: [path] };
    }),
  );
}

Deno.test("multicast: a member's join and its leave just after the window; the non-member's frames and its socket's 0", async () => {
  const captures = await files({
    "alpine-2": [
      at(100, igmpFrame("alpine-2", 4, "224.1.1.1")),
      at(200, toGroup("Halo semua")),
      at(300, toGroup("pesan kedua")),
      // After the window (1000 ms), but its own leave.
      at(1500, igmpFrame("alpine-2", 3, "224.1.1.1")),
    ],
    "alpine-5": [
      at(100, igmpFrame("alpine-2", 4, "224.1.1.1")),
      at(200, toGroup("Halo semua")),
      at(300, toGroup("pesan kedua")),
    ],
  });
  const result = scenario(
    "multicast-chat",
    [
      process("alpine-5", "udp-server", {
        summary: { type: "summary", received: 0 },
      }),
      process("alpine-2", "multicast-receiver"),
      process("alpine-1", "multicast-sender"),
    ],
    0,
    1000,
  );
  const [wire] = await wireSummaries({
    captures,
    addresses: ADDRESS,
    scenarios: [{ result, fromMs: T0 * 1000, toMs: T0 * 1000 + 1000 }],
  });
  assert.deepEqual(
    wire.hosts.map((h) => [h.host, h.counts.igmp, h.counts["udp-multicast"]]),
    [
      ["alpine-2", 1, 2],
      ["alpine-5", 1, 2],
    ],
  );
  assert.deepEqual(wire.examples.map((e) => [e.kind, e.host, e.number]), [[
    "igmp",
    "alpine-2",
    1,
  ], ["udp-multicast", "alpine-2", 2]]);
  assert.equal(wire.memberships?.length, 1);
  const m = wire.memberships![0];
  assert.deepEqual([m.host, m.group, m.join?.number, m.leave?.number], [
    "alpine-2",
    "224.1.1.1",
    1,
    4,
  ]);
  assert.deepEqual(
    wire.nonMembers?.map((
      n,
    ) => [n.host, n.group, n.frames, n.reported, n.socketReceived, n.role]),
    [
      ["alpine-5", "224.1.1.1", 2, false, 0, "udp-server"],
    ],
  );
  const ip = wire.examples[1].layers.find((l) => l.layer === "ip")!;
  assert.deepEqual(ip.fields.find(([k]) => k === "ip.ttl"), ["ip.ttl", "2"]);
  assert.equal(wire.examples[1].payload?.text, "Halo semua");

  for (const lang of ["en", "id"] as const) {
    const blocks = wireBlocks(wire, lang);
    const text = JSON.stringify(blocks);
    assert.match(text, lang === "en" ? /On the wire/ : /Di kabel/);
    assert.match(
      text,
      lang === "en"
        ? /alpine-5 is not a member of 224\.1\.1\.1/
        : /alpine-5 bukan anggota 224\.1\.1\.1/,
    );
    assert.match(text, /Time to live(?: \(TTL\))?: 2 {2}\[ip\.ttl\]/);
    assert.match(
      text,
      /frame\.time_epoch >= 1700000000\.000 && frame\.time_epoch <= 1700000001\.000/,
    );
  }
});

Deno.test("TCP chat: the handshake and a line relayed, seq/ack relative as Wireshark shows them", async () => {
  const server = ADDRESS["alpine-1"],
    client = ADDRESS["alpine-2"],
    other = ADDRESS["alpine-5"];
  const seg = (src: string, dst: string, f: Parameters<typeof tcp>[0]) =>
    ethernet(
      MAC["alpine-1"],
      MAC["alpine-2"],
      0x0800,
      ipv4({ src, dst, protocol: 6, payload: tcp(f) }),
    );
  const line = utf8("halo dari alpine-2\n");
  const relay = utf8("alpine-2 : halo dari alpine-2\n");
  const captures = await files({
    "alpine-1": [
      at(
        10,
        seg(client, server, {
          srcPort: 40000,
          dstPort: 8080,
          seq: 1000,
          ack: 0,
          flags: 0x02,
        }),
      ),
      at(
        11,
        seg(server, client, {
          srcPort: 8080,
          dstPort: 40000,
          seq: 5000,
          ack: 1001,
          flags: 0x12,
        }),
      ),
      at(
        12,
        seg(client, server, {
          srcPort: 40000,
          dstPort: 8080,
          seq: 1001,
          ack: 5001,
          flags: 0x10,
        }),
      ),
      at(
        20,
        seg(other, server, {
          srcPort: 40001,
          dstPort: 8080,
          seq: 7000,
          ack: 0,
          flags: 0x02,
        }),
      ),
      at(
        21,
        seg(server, other, {
          srcPort: 8080,
          dstPort: 40001,
          seq: 9000,
          ack: 7001,
          flags: 0x12,
        }),
      ),
      at(
        22,
        seg(other, server, {
          srcPort: 40001,
          dstPort: 8080,
          seq: 7001,
          ack: 9001,
          flags: 0x10,
        }),
      ),
      at(
        50,
        seg(client, server, {
          srcPort: 40000,
          dstPort: 8080,
          seq: 1001,
          ack: 5001,
          flags: 0x18,
          payload: line,
        }),
      ),
      at(
        51,
        seg(server, other, {
          srcPort: 8080,
          dstPort: 40001,
          seq: 9001,
          ack: 7001,
          flags: 0x18,
          payload: relay,
        }),
      ),
      at(
        52,
        seg(server, client, {
          srcPort: 8080,
          dstPort: 40000,
          seq: 5001,
          ack: 1001 + line.length,
          flags: 0x10,
        }),
      ),
      at(
        53,
        seg(other, server, {
          srcPort: 40001,
          dstPort: 8080,
          seq: 7001,
          ack: 9001 + relay.length,
          flags: 0x10,
        }),
      ),
    ],
  });
  const result = scenario(
    "tcp-chat",
    [
      process("alpine-1", "chat-server", { args: ["--port", "8080"] }),
      process("alpine-2", "chat-client", { input: ["halo dari alpine-2"] }),
      process("alpine-5", "chat-client", { input: ["halo dari alpine-5"] }),
    ],
    0,
    1000,
  );
  const [wire] = await wireSummaries({
    captures,
    addresses: ADDRESS,
    scenarios: [{ result, fromMs: T0 * 1000, toMs: T0 * 1000 + 1000 }],
  });
  const [a2, a5] = wire.conversations!;
  assert.deepEqual(
    a2.handshake.map((s) => [s.from, s.to, s.flags, s.seq, s.ack]),
    [
      ["alpine-2", "alpine-1", "SYN", 0, 0],
      ["alpine-1", "alpine-2", "SYN, ACK", 0, 1],
      ["alpine-2", "alpine-1", "ACK", 1, 1],
    ],
  );
  assert.equal(a5.handshake.length, 3);
  assert.deepEqual(
    a2.line?.segments.map((
      s,
    ) => [s.from, s.to, s.flags, s.seq, s.ack, s.length]),
    [
      ["alpine-2", "alpine-1", "PSH, ACK", 1, 1, line.length],
      ["alpine-1", "alpine-5", "PSH, ACK", 1, 1, relay.length],
      ["alpine-1", "alpine-2", "ACK", 1, 1 + line.length, 0],
      ["alpine-5", "alpine-1", "ACK", 1, 1 + relay.length, 0],
    ],
  );
  assert.equal(a2.line?.segments[0].text, "halo dari alpine-2\\n");
  const blocks = JSON.stringify(wireBlocks(wire, "en"));
  assert.match(
    blocks,
    /alpine-2 connects to alpine-1: the three-way handshake/,
  );
  assert.match(blocks, /The line \\"halo dari alpine-2\\" typed on alpine-2/);
});

Deno.test("sender first: the frame that carried the socket's first number, and how many the interface saw before it", async () => {
  const frame = (n: number) =>
    ethernet(
      "ff:ff:ff:ff:ff:ff",
      MAC["alpine-1"],
      0x0800,
      ipv4({
        src: ADDRESS["alpine-1"],
        dst: "192.168.122.255",
        protocol: 17,
        payload: udp(40000, 5005, utf8(` BROADCAST ini angka ${n} `)),
      }),
    );
  const captures = await files({
    "alpine-2": Array.from({ length: 30 }, (_, i) => at(10 * i, frame(i + 1))),
  });
  const result = scenario(
    "broadcast-sender-first",
    [
      process("alpine-1", "broadcast-sender"),
      process("alpine-2", "broadcast-receiver", {
        startedMs: 100,
        stdout: ['{"type":"listening","port":5005}'],
        stdoutMs: [180],
        summary: { type: "summary", firstSeq: 20, received: 11 },
      }),
    ],
    0,
    1000,
  );
  const [wire] = await wireSummaries({
    captures,
    addresses: ADDRESS,
    scenarios: [{ result, fromMs: T0 * 1000, toMs: T0 * 1000 + 1000 }],
  });
  assert.deepEqual(
    wire.firsts?.map((
      f,
    ) => [
      f.host,
      f.socketFirst,
      f.frame?.number,
      f.before,
      f.wireFirst,
      f.startedMs,
      f.listeningMs,
    ]),
    [
      ["alpine-2", 20, 20, 19, 1, 100, 180],
    ],
  );
  assert.equal(wire.hosts[0].counts["udp-broadcast"], 30);
  const text = JSON.stringify(wireBlocks(wire, "id"));
  assert.match(text, /angka pertama \(soket\)/);
});

Deno.test("TcpStreams: relative numbers per direction; a capture that starts mid-connection counts from 1", () => {
  const streams = new TcpStreams();
  const ends = { src: "10.0.0.1", dst: "10.0.0.2" };
  const back = { src: "10.0.0.2", dst: "10.0.0.1" };
  const seg = (
    seq: number,
    ack: number,
    syn: boolean,
    hasAck: boolean,
    sp = 1,
    dp = 2,
  ) => ({ srcPort: sp, dstPort: dp, seq, ack, flags: { syn, ack: hasAck } });
  assert.deepEqual(streams.relative(ends, seg(0xfffffff0, 0, true, false)), {
    seq: 0,
    ack: 0,
  });
  assert.deepEqual(
    streams.relative(back, seg(10, 0xfffffff1, true, true, 2, 1)),
    { seq: 0, ack: 1 },
  );
  // Wrapping past 2^32.
  assert.deepEqual(streams.relative(ends, seg(0x00000010, 11, false, true)), {
    seq: 0x20,
    ack: 1,
  });
  const mid = new TcpStreams();
  assert.deepEqual(mid.relative(ends, seg(5000, 9000, false, true)), {
    seq: 1,
    ack: 1,
  });
});

Deno.test("tcpdump's closing lines, its command line, where lab run captures", () => {
  assert.deepEqual(
    parseTcpdumpStats(
      "tcpdump: listening on eth0, link-type EN10MB\n1 packet captured\n12 packets received by filter\n3 packets dropped by kernel\n2 packets dropped by interface\n",
    ),
    {
      captured: 1,
      receivedByFilter: 12,
      droppedByKernel: 3,
      droppedByInterface: 2,
    },
  );
  assert.deepEqual(
    parseTcpdumpStats("tcpdump: eth9: No such device exists"),
    {},
  );
  const args = tcpdumpArgs(
    { name: "alpine-2", netns: "pj_x_alpine-2" },
    "cap/alpine-2.pcap",
  );
  assert.deepEqual(args.slice(0, 5), [
    "tcpdump",
    "-i",
    "eth0",
    "-w",
    "cap/alpine-2.pcap",
  ]);
  assert.ok(args.includes("-U"));
  assert.ok(!args.includes("--immediate-mode"));
  assert.deepEqual(runCaptureDir({ report: "out/laporan.md" }), {
    dir: "out/laporan_files/capture",
    explicit: false,
  });
  assert.deepEqual(runCaptureDir({ report: "laporan.pdf", capture: "cap" }), {
    dir: "cap",
    explicit: true,
  });
  assert.equal(
    runCaptureDir({ report: "laporan.pdf", noCapture: true }),
    undefined,
  );
  assert.equal(runCaptureDir({}), undefined);
});
