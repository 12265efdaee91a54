// The capture reader on files written byte by byte: pcap in both byte orders
// and resolutions, pcapng with several interfaces and sections, the blocks it
// keeps and skips, streams in any chunking, following a growing file, and
// every kind of damaged file as one CaptureError line after the good frames.

import assert from "node:assert/strict";
import { describeError, exitCodeOf } from "../../lib/cli/errors.ts";
import {
  type CapturedFrame,
  CaptureError,
  type CaptureErrorReason,
  type Frame,
  readCapture,
  type ReadCaptureOptions,
} from "../../lib/wire/mod.ts";
import {
  byteOption,
  concat,
  epb,
  ethernet,
  idb,
  ipv4,
  isb,
  nrb,
  opb,
  otherBlock,
  pcapFile,
  shb,
  sll,
  spb,
  textOption,
  u32Option,
  u64Option,
  udp,
  utf8,
} from "../_capture_bytes.ts";

const MAC_A = "02:00:00:00:00:01";
const MAC_B = "02:00:00:00:00:02";

function datagram(n: number, dst = "192.168.122.255"): Uint8Array {
  return ethernet(
    dst.endsWith(".255") ? "ff:ff:ff:ff:ff:ff" : MAC_B,
    MAC_A,
    0x0800,
    ipv4({
      src: "192.168.122.207",
      dst,
      protocol: 17,
      payload: udp(40000, 5005, utf8(` BROADCAST ini angka ${n} `)),
    }),
  );
}

function stream(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

async function frames(
  bytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const frame of readCapture(stream(bytes, 4096), options)) {
    out.push(frame);
  }
  return out;
}

/** Reads until the error; returns the frames before it and the error. */
async function failing(
  bytes: Uint8Array,
  options: ReadCaptureOptions = {},
): Promise<{ frames: Frame[]; error: CaptureError }> {
  const out: Frame[] = [];
  try {
    for await (
      const frame of readCapture(stream(bytes, 7), {
        name: "x.pcap",
        ...options,
      })
    ) out.push(frame);
  } catch (err) {
    assert.ok(err instanceof CaptureError, `not a CaptureError: ${err}`);
    return { frames: out, error: err };
  }
  throw new Error("no error");
}

function assertOneLine(error: CaptureError, reason: CaptureErrorReason): void {
  assert.equal(error.reason, reason, error.message);
  assert.ok(error.message.startsWith("x.pcap: "), error.message);
  assert.ok(error.text.id.startsWith("x.pcap: "), error.text.id);
  assert.ok(!error.message.includes("\n"));
  assert.equal(exitCodeOf(error), 2);
  assert.equal(describeError(error, { lang: "id" }), error.text.id);
}

for (const littleEndian of [true, false]) {
  for (const nano of [false, true]) {
    Deno.test(`pcap, ${littleEndian ? "little" : "big"}-endian, ${nano ? "nano" : "micro"}seconds: every frame with its time and bytes`, async () => {
      const data = [datagram(1), datagram(2), datagram(3)];
      const file = pcapFile({
        littleEndian,
        nano,
        snaplen: 65535,
        records: data.map((d, i) => ({
          seconds: 1700000000 + i,
          fraction: nano ? 123456789 : 123456,
          data: d,
        })),
      });
      const got = await frames(file);
      assert.equal(got.length, 3);
      got.forEach((frame, i) => {
        assert.equal(frame.number, i + 1);
        assert.deepEqual(frame.data, data[i]);
        assert.equal(frame.capturedLength, data[i].length);
        assert.equal(frame.originalLength, data[i].length);
        assert.equal(frame.interface.linkType, 1);
        assert.equal(frame.interface.snaplen, 65535);
        const fraction = nano ? 123456789n : 123456000n;
        assert.equal(
          frame.timeNs,
          BigInt(1700000000 + i) * 1_000_000_000n + fraction,
        );
        assert.equal(frame.timeMs, (1700000000 + i) * 1000 + 123.456);
        assert.equal(frame.kind, "udp-broadcast");
      });
    });
  }
}

for (const littleEndian of [true, false]) {
  Deno.test(`pcapng, ${littleEndian ? "little" : "big"}-endian: interfaces with their own link type and resolution; EPB, SPB, OPB; NRB and ISB kept; unknown blocks skipped`, async () => {
    const le = littleEndian;
    const file = concat(
      shb(le, [textOption(4, "a test")]),
      idb(le, 1, 262144, [textOption(2, "eth0"), byteOption(9, 9)]),
      // 2^-10 s units, and an offset of 100 s.
      idb(le, 113, 96, [
        textOption(2, "any"),
        byteOption(9, 0x80 | 10),
        u64Option(le, 14, 100n),
      ]),
      otherBlock(le, 0x00000bad, 40),
      epb(le, 0, 1_700_000_000_123_456_789n, datagram(1), [
        u32Option(le, 2, 1),
        textOption(1, "first"),
      ]),
      nrb(le, [["192.168.122.207", ["alpine-1"]]]),
      epb(
        le,
        1,
        1024n * 5n + 512n,
        sll(1, MAC_A, 0x0800, datagram(2).subarray(14)),
        [u32Option(le, 2, 2)],
      ),
      otherBlock(le, 0x0000000a, 0),
      spb(le, datagram(3)),
      opb(le, 0, 1_000_000_000n, datagram(4)),
      isb(le, 0, 4n, 7n),
    );
    const reader = readCapture(stream(file, 13));
    const got: Frame[] = [];
    for await (const frame of reader) got.push(frame);
    assert.equal(reader.format, "pcapng");
    assert.deepEqual(got.map((f) => f.number), [1, 2, 3, 4]);
    assert.deepEqual(
      reader.interfaces.map((i) => [i.name, i.linkType, i.unitsPerSecond]),
      [
        ["eth0", 1, 1_000_000_000n],
        ["any", 113, 1024n],
      ],
    );
    const [a, b, c, d] = got;
    assert.equal(a.timeNs, 1_700_000_000_123_456_789n);
    assert.equal(a.direction, "in");
    assert.deepEqual(a.comments, ["first"]);
    assert.equal(a.interface.name, "eth0");
    assert.equal(b.interface.name, "any");
    assert.equal(b.timeNs, 105_500_000_000n);
    assert.equal(b.direction, "out");
    assert.equal(b.link?.type, "sll");
    assert.equal(b.kind, "udp-broadcast");
    assert.deepEqual(c.data, datagram(3));
    assert.equal(c.timeNs, 0n);
    assert.equal(d.timeNs, 1_000_000_000n);
    assert.deepEqual(reader.names.get("192.168.122.207"), ["alpine-1"]);
    assert.equal(reader.statistics.length, 1);
    assert.equal(reader.statistics[0].received, 4n);
    assert.equal(reader.statistics[0].dropped, 7n);
    assert.equal(reader.statistics[0].interface.name, "eth0");
  });
}

Deno.test("pcapng: a second section in the other byte order starts its own interfaces", async () => {
  const file = concat(
    shb(true),
    idb(true, 1, 0, [textOption(2, "first")]),
    epb(true, 0, 1n, datagram(1)),
    shb(false),
    idb(false, 1, 0, [textOption(2, "second")]),
    epb(false, 0, 2n, datagram(2)),
  );
  const got = await frames(file);
  assert.deepEqual(
    got.map((f) => [f.number, f.interface.name, f.interface.section]),
    [
      [1, "first", 0],
      [2, "second", 1],
    ],
  );
  assert.deepEqual(got[1].data, datagram(2));
});

Deno.test("a stream read one byte at a time gives the same frames as a file", async () => {
  const file = concat(
    shb(true),
    idb(true, 1, 0),
    ...Array.from(
      { length: 20 },
      (_, i) => epb(true, 0, BigInt(i), datagram(i)),
    ),
  );
  const whole = await frames(file);
  const bytewise: CapturedFrame[] = [];
  for await (const frame of readCapture(stream(file, 1)).records()) {
    bytewise.push(frame);
  }
  assert.equal(bytewise.length, 20);
  assert.deepEqual(bytewise.map((f) => f.data), whole.map((f) => f.data));
});

Deno.test("a path is opened, read and closed; an open Deno.FsFile is read as is", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    await Deno.writeFile(
      path,
      pcapFile({ records: [{ seconds: 1, fraction: 2, data: datagram(1) }] }),
    );
    const byPath: Frame[] = [];
    for await (const frame of readCapture(path)) byPath.push(frame);
    assert.equal(byPath.length, 1);
    using file = await Deno.open(path);
    const byFile: Frame[] = [];
    for await (const frame of readCapture(file)) byFile.push(frame);
    assert.deepEqual(byFile.map((f) => f.data), byPath.map((f) => f.data));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("following a file being written: frames appended later come, a half-written record waits", async () => {
  const path = await Deno.makeTempFile({ suffix: ".pcap" });
  try {
    const full = pcapFile({
      records: [1, 2, 3].map((n) => ({
        seconds: n,
        fraction: 0,
        data: datagram(n),
      })),
    });
    const first = 24 + 16 + datagram(1).length;
    // The header, one record and half of the next.
    await Deno.writeFile(path, full.subarray(0, first + 20));
    const controller = new AbortController();
    const got: number[] = [];
    const reading = (async () => {
      for await (
        const frame of readCapture(path, {
          follow: { signal: controller.signal, intervalMs: 10 },
        })
      ) {
        got.push(frame.number);
        if (got.length === 1) {
          // The rest comes later, while the reader waits at the end.
          setTimeout(() => {
            Deno.writeFileSync(path, full.subarray(first + 20), {
              append: true,
            });
          }, 80);
        }
        if (got.length === 3) {
          // A half-written record when stopped is left unread, without an error.
          await Deno.writeFile(path, full.subarray(24, 40), { append: true });
          controller.abort();
        }
      }
    })();
    await reading;
    assert.deepEqual(got, [1, 2, 3]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("a large capture is streamed: memory stays flat while 256 MiB go through", async () => {
  const frame = ethernet(
    MAC_B,
    MAC_A,
    0x0800,
    ipv4({
      src: "10.0.0.1",
      dst: "10.0.0.2",
      protocol: 17,
      payload: udp(1, 2, new Uint8Array(1400)),
    }),
  );
  const record = concat(new Uint8Array(16), frame);
  new DataView(record.buffer).setUint32(8, frame.length, true);
  new DataView(record.buffer).setUint32(12, frame.length, true);
  const total = 256 * 1024 * 1024;
  const count = Math.floor(total / record.length);
  const batch = concat(...Array.from({ length: 64 }, () => record));
  let sent = 0;
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(pcapFile({ records: [] }));
    },
    pull(controller) {
      if (sent >= count) return controller.close();
      const n = Math.min(64, count - sent);
      controller.enqueue(
        n === 64 ? batch : batch.subarray(0, n * record.length),
      );
      sent += n;
    },
  });
  const before = Deno.memoryUsage().rss;
  let seen = 0, peak = before;
  for await (const f of readCapture(source)) {
    seen++;
    if (f.kind !== "udp-unicast") {
      throw new Error(`frame ${f.number}: ${f.kind}`);
    }
    if (seen % 20000 === 0) peak = Math.max(peak, Deno.memoryUsage().rss);
  }
  assert.equal(seen, count);
  const grew = (peak - before) / 1024 / 1024;
  assert.ok(grew < 96, `memory grew by ${grew.toFixed(0)} MiB reading 256 MiB`);
});

Deno.test("not a capture at all: empty, too short, text, JSON, a pcap of another version", async () => {
  for (
    const [bytes, pattern] of [
      [new Uint8Array(0), /empty file, not a capture/],
      [new Uint8Array([0xa1, 0xb2]), /too short/],
      [
        utf8("hello world, this is text\n"),
        /not a pcap or pcapng capture \(it starts with 68 65 6c 6c\)/,
      ],
      [utf8('{"type":"datagram"}\n'), /not a pcap or pcapng capture/],
    ] as const
  ) {
    const { frames, error } = await failing(bytes);
    assert.equal(frames.length, 0);
    assertOneLine(error, "not-capture");
    assert.match(error.message, pattern);
  }
  const { error } = await failing(pcapFile({ version: [3, 0], records: [] }));
  assertOneLine(error, "unsupported");
  assert.match(error.message, /pcap version 3\.0/);
});

Deno.test("a truncated file: every whole frame before it, then one line saying where it ends", async () => {
  const file = pcapFile({
    records: [1, 2, 3].map((n) => ({
      seconds: n,
      fraction: 0,
      data: datagram(n),
    })),
  });
  const record = 16 + datagram(1).length;
  // Inside the file header, a record header, and a record's data.
  for (
    const [cut, whole] of [[10, 0], [24 + record + 5, 1], [
      24 + 2 * record + 30,
      2,
    ]]
  ) {
    const { frames, error } = await failing(file.subarray(0, cut));
    assert.equal(frames.length, whole);
    assertOneLine(error, "truncated");
    assert.match(
      error.message,
      /truncated: .* at byte \d+ needs \d+ bytes, the file ends after \d+/,
    );
    assert.match(error.text.id, /terpotong/);
  }
  const ng = concat(
    shb(true),
    idb(true, 1, 0),
    epb(true, 0, 0n, datagram(1)),
    epb(true, 0, 0n, datagram(2)),
  );
  const { frames, error } = await failing(ng.subarray(0, ng.length - 9));
  assert.equal(frames.length, 1);
  assertOneLine(error, "truncated");
});

Deno.test("lengths that lie about the file: a frame bigger than any, a block not a multiple of 4, lengths that differ, an interface not described", async () => {
  const lie = pcapFile({
    records: [{ seconds: 1, fraction: 0, data: datagram(1) }, {
      seconds: 1,
      fraction: 0,
      data: datagram(2),
      capturedLength: 0x7fffffff,
    }],
  });
  let { frames, error } = await failing(lie);
  assert.equal(frames.length, 1);
  assertOneLine(error, "damaged");
  assert.match(
    error.message,
    /frame 2 at byte \d+ claims 2147483647 bytes, more than any frame/,
  );

  const block = epb(true, 0, 0n, datagram(1));
  const odd = block.slice();
  new DataView(odd.buffer).setUint32(4, block.length - 2, true);
  ({ error } = await failing(concat(shb(true), idb(true, 1, 0), odd)));
  assertOneLine(error, "damaged");
  assert.match(error.message, /not a multiple of 4/);

  const differ = block.slice();
  new DataView(differ.buffer).setUint32(
    block.length - 4,
    block.length + 4,
    true,
  );
  ({ error } = await failing(concat(shb(true), idb(true, 1, 0), differ)));
  assertOneLine(error, "damaged");
  assert.match(error.message, /two lengths differ/);

  ({ frames, error } = await failing(
    concat(shb(true), idb(true, 1, 0), block, epb(true, 3, 0n, datagram(2))),
  ));
  assert.equal(frames.length, 1);
  assertOneLine(error, "damaged");
  assert.match(error.message, /names interface 3, but the section describes 1/);

  const inner = block.slice();
  new DataView(inner.buffer).setUint32(20, 5000, true);
  ({ error } = await failing(concat(shb(true), idb(true, 1, 0), inner)));
  assertOneLine(error, "damaged");
  assert.match(error.message, /claims 5000 captured bytes/);

  ({ error } = await failing(concat(idb(true, 1, 0), block)));
  assertOneLine(error, "not-capture");
});

Deno.test("an unknown link type: one line naming it, or the frames kept undecoded when asked", async () => {
  const file = pcapFile({
    linkType: 187,
    records: [{ seconds: 1, fraction: 0, data: new Uint8Array([1, 2, 3, 4]) }],
  });
  const { frames: before, error } = await failing(file);
  assert.equal(before.length, 0);
  assertOneLine(error, "unknown-link-type");
  assert.match(
    error.message,
    /link type 187 \(BLUETOOTH_HCI_H4_WITH_PHDR\) is not one this reader decodes/,
  );
  const kept = await frames(file, { unknownLinkTypes: "keep" });
  assert.equal(kept.length, 1);
  assert.equal(kept[0].kind, "other");
  assert.equal(kept[0].link, undefined);
  assert.match(kept[0].problems[0].text.en, /link type 187 .* not decoded/);
});

Deno.test("a missing file, a directory: one line each", async () => {
  for (const path of ["/nonexistent/x.pcap", "/tmp"]) {
    try {
      for await (const _ of readCapture(path)) { /* nothing */ }
      assert.fail("no error");
    } catch (err) {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.reason, "unreadable");
      assert.match(
        err.message,
        new RegExp(`^${path}: (no such file|a directory, not a capture)$`),
      );
    }
  }
});

Deno.test("never a crash: 3,000 damaged copies of a real-looking capture give frames or a CaptureError, nothing else", async () => {
  const good = concat(
    shb(true),
    idb(true, 1, 0, [byteOption(9, 9)]),
    ...Array.from(
      { length: 6 },
      (_, i) =>
        epb(
          true,
          0,
          BigInt(i),
          datagram(i, i % 2 ? "224.1.1.1" : "192.168.122.255"),
        ),
    ),
    isb(true, 0, 6n, 0n),
  );
  const pcap = pcapFile({
    records: Array.from(
      { length: 6 },
      (_, i) => ({ seconds: i, fraction: 0, data: datagram(i) }),
    ),
  });
  // A fixed seed: a failure can be repeated.
  let seed = 22;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 3000; round++) {
    const bytes = (round % 2 ? good : pcap).slice();
    const changes = 1 + Math.floor(random() * 6);
    for (let i = 0; i < changes; i++) {
      bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
    }
    const cut = random() < 0.3
      ? Math.floor(random() * bytes.length)
      : bytes.length;
    try {
      for await (
        const frame of readCapture(stream(bytes.subarray(0, cut), 64), {
          unknownLinkTypes: "keep",
        })
      ) {
        assert.ok(frame.data.length === frame.capturedLength);
      }
    } catch (err) {
      if (!(err instanceof CaptureError)) {
        throw new Error(
          `round ${round}: ${err instanceof Error ? err.stack : err}`,
        );
      }
      assert.ok(!err.message.includes("\n"));
    }
  }
});

Deno.test("a reader is read once", async () => {
  const reader = readCapture(stream(pcapFile({ records: [] }), 100));
  for await (const _ of reader) { /* nothing */ }
  await assert.rejects(async () => {
    for await (const _ of reader) { /* nothing */ }
  });
});
