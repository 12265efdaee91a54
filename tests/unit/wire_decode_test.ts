// The frame decoder and the classifier on frames written byte by byte:
// every layer's fields, the kinds, and frames cut short or lying about their
// lengths, which are flagged, never thrown.

import assert from "node:assert/strict";
import {
  type CaptureInterface,
  classify,
  decodeFrame,
  type Frame,
  hexDump,
  hexString,
  ipv6Text,
  payloadText,
} from "../../lib/wire/mod.ts";
import {
  arp,
  concat,
  ethernet,
  igmp,
  igmpV3Query,
  igmpV3Report,
  ipv4,
  ROUTER_ALERT,
  sll,
  sll2,
  tcp,
  u16,
  udp,
  utf8,
} from "../_capture_bytes.ts";

const A = "02:00:00:00:00:01";
const B = "02:00:00:00:00:02";

function iface(linkType = 1, fcsLength = 0): CaptureInterface {
  return {
    id: 0,
    section: 0,
    linkType,
    snaplen: 262144,
    unitsPerSecond: 1_000_000n,
    offsetSeconds: 0n,
    fcsLength,
  };
}

function decode(
  data: Uint8Array,
  options: { linkType?: number; originalLength?: number; fcs?: number } = {},
): Frame {
  return decodeFrame({
    number: 1,
    timeNs: 1_700_000_000_000_001_000n,
    interface: iface(options.linkType, options.fcs),
    capturedLength: data.length,
    originalLength: options.originalLength ?? data.length,
    data,
  });
}

function udpFrame(
  dst: string,
  payload: Uint8Array,
  macDst = B,
  ttl = 64,
): Uint8Array {
  return ethernet(
    macDst,
    A,
    0x0800,
    ipv4({
      src: "192.168.122.207",
      dst,
      protocol: 17,
      ttl,
      payload: udp(40000, 5005, payload),
    }),
  );
}

Deno.test("Ethernet II and IPv4/UDP: every field, the payload without the Ethernet padding", () => {
  const frame = decode(
    concat(udpFrame("192.168.122.131", utf8("Hello World")), new Uint8Array(6)),
  );
  assert.deepEqual(frame.link, {
    type: "ethernet",
    dst: B,
    src: A,
    etherType: 0x0800,
    vlans: [],
  });
  const ip = frame.ipv4!;
  assert.equal(ip.src, "192.168.122.207");
  assert.equal(ip.dst, "192.168.122.131");
  assert.equal(ip.ttl, 64);
  assert.equal(ip.protocol, 17);
  assert.equal(ip.headerLength, 20);
  assert.equal(ip.totalLength, 20 + 8 + 11);
  assert.equal(ip.identification, 0x1234);
  assert.equal(ip.checksumOk, true);
  assert.equal(ip.fragment, false);
  assert.deepEqual(frame.udp, {
    srcPort: 40000,
    dstPort: 5005,
    length: 19,
    checksum: 0,
  });
  assert.equal(payloadText(frame.payload), "Hello World");
  assert.equal(frame.kind, "udp-unicast");
  assert.deepEqual(frame.problems, []);
  assert.equal(frame.cut, false);
  assert.equal(frame.timeMs, 1_700_000_000_000.001);
});

Deno.test("the kinds: broadcast by MAC or 255.255.255.255, multicast by 224/4, unicast, TCP, ARP, IGMP, other", () => {
  const kinds = [
    udpFrame("192.168.122.255", utf8("x"), "ff:ff:ff:ff:ff:ff"),
    udpFrame("255.255.255.255", utf8("x"), "ff:ff:ff:ff:ff:ff"),
    udpFrame("224.1.1.1", utf8("x"), "01:00:5e:01:01:01", 2),
    udpFrame("239.255.255.250", utf8("x"), "01:00:5e:7f:ff:fa"),
    udpFrame("10.0.0.9", utf8("x")),
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 6,
        payload: tcp({ srcPort: 1, dstPort: 2, seq: 1, ack: 0, flags: 0x02 }),
      }),
    ),
    ethernet(
      "ff:ff:ff:ff:ff:ff",
      A,
      0x0806,
      arp(1, A, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"),
    ),
    ethernet(
      "01:00:5e:01:01:01",
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "224.1.1.1",
        protocol: 2,
        ttl: 1,
        options: ROUTER_ALERT,
        payload: igmp(0x16, "224.1.1.1"),
      }),
    ),
    ethernet(B, A, 0x86dd, new Uint8Array(40)),
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 1,
        payload: new Uint8Array([8, 0, 0, 0, 0, 0, 0, 0]),
      }),
    ),
    ethernet(B, A, 0x88cc, new Uint8Array(20)),
  ].map((bytes) => decode(bytes).kind);
  assert.deepEqual(kinds, [
    "udp-broadcast",
    "udp-broadcast",
    "udp-multicast",
    "udp-multicast",
    "udp-unicast",
    "tcp",
    "arp",
    "igmp",
    "other",
    "other",
    "other",
  ]);
});

Deno.test("802.1Q and 802.1ad tags: the tags in order, the EtherType after them", () => {
  const frame = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        payload: udp(1, 2, utf8("v")),
      }),
      [100, 200],
    ),
  );
  assert.equal(frame.link?.type, "ethernet");
  if (frame.link?.type !== "ethernet") return;
  assert.deepEqual(frame.link.vlans, [
    { tpid: 0x88a8, priority: 3, dei: false, id: 100 },
    { tpid: 0x8100, priority: 3, dei: false, id: 200 },
  ]);
  assert.equal(frame.link.etherType, 0x0800);
  assert.equal(frame.udp?.dstPort, 2);
  assert.equal(payloadText(frame.payload), "v");
});

Deno.test("ARP request and reply", () => {
  const frame = decode(
    ethernet(A, B, 0x0806, arp(2, B, "10.0.0.2", A, "10.0.0.1")),
  );
  assert.deepEqual(frame.arp, {
    hardwareType: 1,
    protocolType: 0x0800,
    opcode: 2,
    senderMac: B,
    senderIp: "10.0.0.2",
    targetMac: A,
    targetIp: "10.0.0.1",
  });
});

function igmpFrame(message: Uint8Array, dst = "224.0.0.22"): Frame {
  return decode(
    ethernet(
      "01:00:5e:00:00:16",
      A,
      0x0800,
      ipv4({
        src: "192.168.122.131",
        dst,
        protocol: 2,
        ttl: 1,
        options: ROUTER_ALERT,
        payload: message,
      }),
    ),
  );
}

Deno.test("IGMP v1, v2 and v3: queries, reports, leaves, group records; the Router Alert option", () => {
  const v2 = igmpFrame(igmp(0x16, "224.1.1.1"), "224.1.1.1");
  assert.deepEqual(v2.ipv4?.options, [{
    type: 148,
    data: new Uint8Array([0, 0]),
  }]);
  assert.equal(v2.ipv4?.headerLength, 24);
  assert.equal(v2.ipv4?.checksumOk, true);
  assert.deepEqual(
    [v2.igmp?.version, v2.igmp?.message, v2.igmp?.group, v2.igmp?.checksumOk],
    [2, "report", "224.1.1.1", true],
  );
  const leave = igmpFrame(igmp(0x17, "224.1.1.1"), "224.0.0.2").igmp!;
  assert.deepEqual([leave.version, leave.message, leave.group], [
    2,
    "leave",
    "224.1.1.1",
  ]);
  const v1 = igmpFrame(igmp(0x12, "224.1.1.1")).igmp!;
  assert.deepEqual([v1.version, v1.message], [1, "report"]);
  const q1 = igmpFrame(igmp(0x11, "0.0.0.0", 0), "224.0.0.1").igmp!;
  assert.deepEqual([q1.version, q1.message, q1.group], [1, "query", "0.0.0.0"]);
  const q2 = igmpFrame(igmp(0x11, "0.0.0.0", 100), "224.0.0.1").igmp!;
  assert.deepEqual([q2.version, q2.maxResponse], [2, 100]);
  const q3 = igmpFrame(igmpV3Query("224.1.1.1", ["10.0.0.5"]), "224.1.1.1")
    .igmp!;
  assert.deepEqual([
    q3.version,
    q3.message,
    q3.group,
    q3.sources,
    q3.checksumOk,
  ], [3, "query", "224.1.1.1", ["10.0.0.5"], true]);

  const join = igmpFrame(igmpV3Report([{ type: 4, group: "224.1.1.1" }])).igmp!;
  assert.deepEqual(
    [join.version, join.igmpType, join.message, join.checksumOk],
    [3, 0x22, "report", true],
  );
  assert.deepEqual(join.records, [{
    recordType: 4,
    group: "224.1.1.1",
    sources: [],
  }]);
  const v3leave = igmpFrame(igmpV3Report([{ type: 3, group: "224.1.1.1" }]))
    .igmp!;
  assert.equal(v3leave.message, "leave");
  const two = igmpFrame(igmpV3Report([
    { type: 1, group: "224.1.1.1", sources: ["10.0.0.1", "10.0.0.2"] },
    { type: 2, group: "224.2.2.2" },
  ])).igmp!;
  assert.deepEqual(two.records.map((r) => [r.recordType, r.group, r.sources]), [
    [1, "224.1.1.1", ["10.0.0.1", "10.0.0.2"]],
    [2, "224.2.2.2", []],
  ]);
  const bad = igmp(0x16, "224.1.1.1");
  bad[7] ^= 1;
  assert.equal(igmpFrame(bad).igmp?.checksumOk, false);
});

Deno.test("TCP: ports, raw seq/ack, flags by bit and by name, options, the payload", () => {
  const options = concat(
    new Uint8Array([2, 4]),
    u16(1460),
    new Uint8Array([1, 3, 3, 10, 4, 2]),
  );
  const syn = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 6,
        payload: tcp({
          srcPort: 51000,
          dstPort: 8080,
          seq: 0xfffffff0,
          ack: 0,
          flags: 0x02,
          options,
        }),
      }),
    ),
  );
  const t = syn.tcp!;
  assert.deepEqual([
    t.srcPort,
    t.dstPort,
    t.seq,
    t.ack,
    t.flagBits,
    t.headerLength,
  ], [51000, 8080, 0xfffffff0, 0, 0x02, 32]);
  assert.equal(t.flags.syn, true);
  assert.equal(t.flags.ack, false);
  assert.deepEqual(t.options.map((o) => [o.kind, [...o.data]]), [
    [2, [5, 180]],
    [3, [10]],
    [4, []],
  ]);
  const push = decode(
    ethernet(
      A,
      B,
      0x0800,
      ipv4({
        src: "10.0.0.2",
        dst: "10.0.0.1",
        protocol: 6,
        payload: tcp({
          srcPort: 8080,
          dstPort: 51000,
          seq: 7,
          ack: 0xfffffff1,
          flags: 0x18,
          payload: utf8("Selamat datang di Server..."),
        }),
      }),
    ),
  );
  assert.deepEqual(push.tcp!.flags, {
    fin: false,
    syn: false,
    rst: false,
    psh: true,
    ack: true,
    urg: false,
    ece: false,
    cwr: false,
  });
  assert.equal(payloadText(push.payload), "Selamat datang di Server...");
  assert.equal(push.kind, "tcp");
});

Deno.test("Linux cooked v1 and v2: packet type, address, protocol; broadcast by packet type", () => {
  const inner = ipv4({
    src: "10.0.0.1",
    dst: "10.0.0.255",
    protocol: 17,
    payload: udp(1, 5005, utf8("b")),
  });
  const v1 = decode(sll(1, A, 0x0800, inner), { linkType: 113 });
  assert.deepEqual(v1.link, {
    type: "sll",
    version: 1,
    packetType: 1,
    hatype: 1,
    src: A,
    etherType: 0x0800,
    vlans: [],
  });
  assert.equal(v1.kind, "udp-broadcast");
  const v2 = decode(
    sll2(
      4,
      A,
      0x0800,
      7,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        payload: udp(1, 5005, utf8("u")),
      }),
    ),
    { linkType: 276 },
  );
  assert.deepEqual(v2.link, {
    type: "sll",
    version: 2,
    packetType: 4,
    hatype: 1,
    src: A,
    etherType: 0x0800,
    vlans: [],
    ifindex: 7,
  });
  assert.equal(v2.kind, "udp-unicast");
  assert.equal(payloadText(v2.payload), "u");
  const raw = decode(inner, { linkType: 101 });
  assert.deepEqual(raw.link, { type: "raw", etherType: 0x0800 });
  assert.equal(raw.udp?.dstPort, 5005);
});

Deno.test("fragments: the first has the UDP header, a later one only data; both are UDP by kind", () => {
  const first = decode(
    ethernet(
      "01:00:5e:01:01:01",
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "224.1.1.1",
        protocol: 17,
        moreFragments: true,
        payload: udp(1, 5004, new Uint8Array(24), 3000),
      }),
    ),
  );
  assert.equal(first.ipv4?.fragment, true);
  assert.equal(first.ipv4?.moreFragments, true);
  assert.equal(first.udp?.length, 3000);
  // The UDP length is the whole datagram's: in a first fragment that is no lie.
  assert.equal(first.kind, "udp-multicast");
  assert.deepEqual(first.problems, []);
  const later = decode(
    ethernet(
      "01:00:5e:01:01:01",
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "224.1.1.1",
        protocol: 17,
        fragmentOffset: 1480,
        payload: utf8("tail"),
      }),
    ),
  );
  assert.equal(later.ipv4?.fragmentOffset, 1480);
  assert.equal(later.udp, undefined);
  assert.equal(payloadText(later.payload), "tail");
  assert.equal(later.kind, "udp-multicast");
  assert.deepEqual(later.problems, []);
});

Deno.test("ICMP: a port unreachable quotes the datagram's header and ports; it is other, not UDP", () => {
  const quoted = ipv4({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    protocol: 17,
    payload: udp(40000, 9, utf8("x")),
  }).subarray(0, 28);
  const frame = decode(
    ethernet(
      A,
      B,
      0x0800,
      ipv4({
        src: "10.0.0.2",
        dst: "10.0.0.1",
        protocol: 1,
        payload: concat(new Uint8Array([3, 3, 0, 0, 0, 0, 0, 0]), quoted),
      }),
    ),
  );
  assert.deepEqual([frame.icmp?.icmpType, frame.icmp?.code], [3, 3]);
  assert.deepEqual([
    frame.icmp?.quoted?.ipv4.dst,
    frame.icmp?.quoted?.srcPort,
    frame.icmp?.quoted?.dstPort,
  ], ["10.0.0.2", 40000, 9]);
  assert.equal(frame.udp, undefined);
  assert.equal(classify(frame), "other");
});

Deno.test("IPv6: its header's addresses, compressed; kind other", () => {
  const header = new Uint8Array(40);
  header[0] = 0x60;
  header[6] = 58;
  header[7] = 255;
  header.set([
    0xfe,
    0x80,
    0,
    0,
    0,
    0,
    0,
    0,
    0x1c,
    0x9e,
    0x8f,
    0xff,
    0xfe,
    0x4f,
    0xd1,
    0x74,
  ], 8);
  header.set([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16], 24);
  const frame = decode(ethernet("33:33:00:00:00:16", A, 0x86dd, header));
  assert.deepEqual(frame.ipv6, {
    src: "fe80::1c9e:8fff:fe4f:d174",
    dst: "ff02::16",
    hopLimit: 255,
    nextHeader: 58,
    payloadLength: 0,
  });
  assert.equal(ipv6Text(new Uint8Array(16)), "::");
  assert.equal(
    ipv6Text(
      new Uint8Array([0x20, 1, 0xd, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]),
    ),
    "2001:db8:0:1::1",
  );
});

Deno.test("a frame cut by the snaplen: flagged, every layer that fits kept, no lie reported", () => {
  const whole = udpFrame(
    "224.1.1.1",
    new Uint8Array(1000),
    "01:00:5e:01:01:01",
  );
  const frame = decode(whole.subarray(0, 60), { originalLength: whole.length });
  assert.equal(frame.cut, true);
  assert.equal(frame.udp?.length, 1008);
  assert.equal(frame.payload.length, 60 - 42);
  assert.equal(frame.kind, "udp-multicast");
  assert.deepEqual(frame.problems.map((p) => p.layer), ["frame"]);
  assert.match(
    frame.problems[0].text.en,
    /cut by the capture's snaplen: 60 of 1042 bytes captured/,
  );
  const tiny = decode(whole.subarray(0, 20), { originalLength: whole.length });
  assert.equal(tiny.ipv4, undefined);
  assert.equal(tiny.kind, "other");
  assert.match(
    tiny.problems[1].text.en,
    /IPv4 header needs 20 bytes, 6 captured \(the capture's snaplen\)/,
  );
  const stub = decode(whole.subarray(0, 9), { originalLength: whole.length });
  assert.equal(stub.link, undefined);
  assert.match(
    stub.problems[1].text.en,
    /Ethernet header needs 14 bytes, 9 captured/,
  );
});

Deno.test("lengths that lie inside a frame: IPv4 total length, header length, UDP length, TCP data offset", () => {
  const longIp = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        totalLength: 1500,
        payload: udp(1, 2, utf8("abc")),
      }),
    ),
  );
  assert.match(
    longIp.problems[0].text.en,
    /total length says 1500 bytes, the frame has 31/,
  );
  assert.equal(payloadText(longIp.payload), "abc");
  const shortIp = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        totalLength: 10,
        payload: udp(1, 2, utf8("abc")),
      }),
    ),
  );
  assert.match(
    shortIp.problems[0].text.en,
    /total length 10 is less than its header/,
  );
  assert.equal(shortIp.udp, undefined);
  const badIhl = ipv4({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    protocol: 17,
    payload: udp(1, 2, utf8("abc")),
  });
  badIhl[0] = 0x43;
  assert.match(
    decode(ethernet(B, A, 0x0800, badIhl)).problems[0].text.en,
    /header length 12 is less than 20/,
  );
  const longUdp = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        payload: udp(1, 2, utf8("abc"), 400),
      }),
    ),
  );
  assert.match(
    longUdp.problems[0].text.en,
    /length says 400 bytes, the IP datagram has room for 11/,
  );
  assert.equal(payloadText(longUdp.payload), "abc");
  const shortUdp = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({
        src: "10.0.0.1",
        dst: "10.0.0.2",
        protocol: 17,
        payload: udp(1, 2, utf8("abc"), 3),
      }),
    ),
  );
  assert.match(
    shortUdp.problems[0].text.en,
    /length 3 is less than its header/,
  );
  const segment = tcp({ srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: 0x10 });
  segment[12] = 0x20;
  const badTcp = decode(
    ethernet(
      B,
      A,
      0x0800,
      ipv4({ src: "10.0.0.1", dst: "10.0.0.2", protocol: 6, payload: segment }),
    ),
  );
  assert.match(badTcp.problems[0].text.en, /header length 8 is less than 20/);
  assert.equal(badTcp.kind, "tcp");
  for (const frame of [longIp, shortIp, longUdp, badTcp]) {
    assert.ok(
      frame.problems.every((p) =>
        p.text.id.length > 0 && p.text.id !== p.text.en
      ),
    );
  }
});

Deno.test("a frame check sequence at the end is not payload", () => {
  const frame = decode(
    concat(udpFrame("10.0.0.2", utf8("fcs")), new Uint8Array([1, 2, 3, 4])),
    { fcs: 4 },
  );
  assert.equal(payloadText(frame.payload), "fcs");
  assert.deepEqual(frame.problems, []);
});

Deno.test("payload as text and hex, as the report shows it", () => {
  const bytes = utf8(" BROADCAST ini angka 1 \n\x00é");
  assert.equal(payloadText(bytes), " BROADCAST ini angka 1 \\n\\x00é");
  assert.equal(hexString(utf8("AB")), "4142");
  assert.deepEqual(hexDump(utf8("Hello World, longer than a line")), [
    "0000  48 65 6c 6c 6f 20 57 6f 72 6c 64 2c 20 6c 6f 6e  Hello World, lon",
    "0010  67 65 72 20 74 68 61 6e 20 61 20 6c 69 6e 65     ger than a line",
  ]);
  assert.deepEqual(hexDump(new Uint8Array(40), { limit: 16 }), [
    "0000  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................",
    "… (+24)",
  ]);
});
