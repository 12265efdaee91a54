import assert from "node:assert/strict";
import {
  bytesSource,
  ZIP_LIMITS,
  ZipArchive,
  ZipError,
  type ZipLimits,
} from "../../lib/gns3/_zip.ts";
import { writeZip } from "../../lib/gns3/_zip_write.ts";
import { crc32 } from "../../lib/gns3/_crc32.ts";
import { FIXTURES } from "../_gns3.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function open(bytes: Uint8Array, limits?: ZipLimits) {
  return await ZipArchive.open(bytesSource(bytes), limits);
}

async function refused(
  bytes: Uint8Array,
  pattern: RegExp,
  limits?: ZipLimits,
): Promise<void> {
  await assert.rejects(
    async () => {
      const archive = await open(bytes, limits);
      for (const entry of archive.entries) await archive.read(entry, 2 ** 30);
    },
    (err: unknown) => {
      assert.ok(err instanceof ZipError, String(err));
      assert.match(err.message, pattern);
      assert.equal(err.message.includes("\n"), false, "one line");
      assert.ok(err.text.id.length > 0);
      return true;
    },
  );
}

/** Where the `index`-th central directory entry starts. */
function centralAt(zip: Uint8Array, index: number): number {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let found = -1;
  for (let i = 0; i + 4 <= zip.length; i++) {
    if (view.getUint32(i, true) === 0x02014b50 && ++found === index) return i;
  }
  throw new Error("no such entry");
}

/** A copy of `zip` with a 32-bit field of a central entry set. */
function patch(
  zip: Uint8Array,
  index: number,
  field: "crc" | "compressed" | "size" | "offset",
  value: number,
): Uint8Array {
  const copy = zip.slice();
  const at = centralAt(copy, index) +
    { crc: 16, compressed: 20, size: 24, offset: 42 }[field];
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
}

Deno.test("crc32: the standard check value", () => {
  assert.equal(crc32(text("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array()), 0);
});

Deno.test("zip: what writeZip writes reads back, deflated and stored", async () => {
  const big = text("nodes ".repeat(2000));
  const zip = await writeZip([
    { name: "project.gns3", data: big },
    { name: "a/b.txt", data: text("x") },
  ]);
  const archive = await open(zip);
  const [first, second] = archive.entries;
  assert.equal(first.method, 8);
  assert.ok(first.compressedSize < first.size / 10);
  assert.equal(second.method, 0, "one byte is stored, not deflated");
  assert.deepEqual(await archive.read(archive.get("project.gns3")!, 1e6), big);
  assert.equal(
    new TextDecoder().decode(await archive.read(archive.get("a/b.txt")!, 10)),
    "x",
  );
  assert.equal(archive.get("missing"), undefined);
});

Deno.test("zip: a portable project written streamed (sizes after the data, as GNS3's export does) is read from its central directory", async () => {
  const bytes = await Deno.readFile(`${FIXTURES}static.gns3project`);
  const archive = await open(bytes);
  const entry = archive.get("project.gns3")!;
  assert.ok(entry.flags & 0x08, "the fixture has data descriptors");
  const json = JSON.parse(
    new TextDecoder().decode(await archive.read(entry, 1e6)),
  );
  assert.equal(json.type, "topology");
  assert.equal(archive.entries.length, 7);
});

Deno.test("zip: an entry larger than the caller reads is refused before inflating", async () => {
  const zip = await writeZip([{ name: "f", data: new Uint8Array(5000) }]);
  const archive = await open(zip);
  await assert.rejects(
    () => archive.read(archive.entries[0], 4000),
    /entry "f" is 5000 bytes, more than the 4000 read/,
  );
});

Deno.test("zip: names outside the zip are refused (.., absolute, drive letters, NUL)", async () => {
  for (
    const name of [
      "../evil",
      "a/../../evil",
      "/etc/passwd",
      "C:/x",
      "a\\..\\b",
      "a\0b",
    ]
  ) {
    const zip = await writeZip([{ name, data: text("x") }]);
    await refused(zip, /points outside the zip/);
  }
  // A name with dots that is not ".." is fine.
  const zip = await writeZip([{ name: "a/..b/c..", data: text("x") }]);
  assert.equal((await open(zip)).entries[0].name, "a/..b/c..");
});

Deno.test("zip: two entries of one name are refused", async () => {
  const zip = await writeZip([
    { name: "project.gns3", data: text("{}") },
    { name: "project.gns3", data: text("[]") },
  ]);
  await refused(zip, /two entries named "project\.gns3"/);
});

Deno.test("zip: a bomb is refused: a huge declared size, a huge total, overlapping entries, inflating past the declared size", async () => {
  const zeros = await writeZip([{
    name: "zeros",
    data: new Uint8Array(1 << 20),
  }]);
  const packed = (await open(zeros)).entries[0].compressedSize;
  // Declared: 1 GiB from about a kilobyte.
  await refused(
    patch(zeros, 0, "size", 2 ** 30),
    /entry "zeros" would inflate to 1073741824 bytes .*zip bomb/,
  );
  // The real thing with small limits: 1 MiB of zeros, past a 64 KiB floor.
  const small: ZipLimits = { ...ZIP_LIMITS, bombFloor: 1 << 16 };
  await refused(zeros, /zip bomb/, small);
  // A total past the bound.
  await refused(zeros, /more than 1000/, {
    ...ZIP_LIMITS,
    maxTotalBytes: 1000,
  });
  // Two entries whose data overlap (one compressed block read twice).
  const two = await writeZip([
    { name: "a", data: text("a".repeat(100)) },
    { name: "b", data: text("b".repeat(100)) },
  ]);
  await refused(patch(two, 1, "offset", 0), /overlaps .*zip bomb/);
  // An entry that says it is smaller than it inflates to.
  await refused(patch(zeros, 0, "size", 1000), /declared 1000 bytes/);
  assert.ok(packed < 2000);
});

Deno.test("zip: damage is one line each: CRC, truncation, not a zip, too many entries, other methods, encryption", async () => {
  const zip = await writeZip([{
    name: "f",
    data: text("hello hello hello hello"),
  }]);
  const entry = centralAt(zip, 0);
  await refused(
    patch(zip, 0, "crc", 1),
    /entry "f" is damaged \(CRC mismatch\)/,
  );
  await refused(
    zip.slice(0, zip.length - 30),
    /no end of central directory|ends too early/,
  );
  await refused(text("PK not a zip at all"), /not a zip archive/);
  await refused(zip, /more than 0 entries|1 entries, more than 0/, {
    ...ZIP_LIMITS,
    maxEntries: 0,
  });
  const bzip = zip.slice();
  new DataView(bzip.buffer).setUint16(entry + 10, 12, true);
  await refused(bzip, /compressed with bzip2/);
  const locked = zip.slice();
  new DataView(locked.buffer).setUint16(entry + 8, 0x0801, true);
  await refused(locked, /encrypted/);
});

Deno.test("zip: ZIP64 sizes in the extra field are read", async () => {
  // A stored entry whose central sizes and offset are in a ZIP64 field.
  const data = text("zip64 body");
  const plain = await writeZip([{ name: "z", data }]);
  const at = centralAt(plain, 0);
  const before = plain.subarray(0, at);
  const central = plain.subarray(at, at + 46 + 1);
  const extra = new Uint8Array(4 + 24);
  const e = new DataView(extra.buffer);
  e.setUint16(0, 0x0001, true);
  e.setUint16(2, 24, true);
  e.setBigUint64(4, BigInt(data.length), true);
  e.setBigUint64(12, BigInt(data.length), true);
  e.setBigUint64(20, 0n, true);
  const entry = new Uint8Array([...central, ...extra]);
  const v = new DataView(entry.buffer);
  v.setUint32(20, 0xffffffff, true);
  v.setUint32(24, 0xffffffff, true);
  v.setUint32(42, 0xffffffff, true);
  v.setUint16(30, extra.length, true);
  const end = new Uint8Array(22);
  const d = new DataView(end.buffer);
  d.setUint32(0, 0x06054b50, true);
  d.setUint16(8, 1, true);
  d.setUint16(10, 1, true);
  d.setUint32(12, entry.length, true);
  d.setUint32(16, before.length, true);
  const zip = new Uint8Array([...before, ...entry, ...end]);
  const archive = await open(zip);
  assert.equal(archive.entries[0].size, data.length);
  assert.deepEqual(await archive.read(archive.entries[0], 100), data);
});
