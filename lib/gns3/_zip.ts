/**
 * Internal: a small zip reader for GNS3's portable projects
 * (`.gns3project`), reading the few entries it needs straight from the
 * file, without unpacking anything to disk.
 *
 * It trusts nothing in the archive. The central directory is the index
 * (GNS3 writes its entries streamed, sizes after the data); before any entry
 * is read, the whole directory is checked against {@linkcode ZIP_LIMITS}:
 * the entry count, names (none absolute, none with `..`, no two alike),
 * the total size the entries would inflate to, the ratio of inflated to
 * compressed size (a zip bomb's mark), and entries whose data overlap (the
 * trick of bombs that reuse one compressed block many times). Reading an
 * entry stops at its declared size and checks its CRC-32. Stored and
 * deflated entries are read (deflate through the platform's
 * `DecompressionStream`); ZIP64 is understood, as GNS3 writes it for large
 * projects.
 *
 * @module
 */

import { textOf } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";
import { crc32 } from "./_crc32.ts";

/** Where a zip's bytes come from: a file on disk or bytes in memory. */
export interface ZipSource {
  /** The archive's size in bytes. */
  readonly size: number;
  /** Reads exactly `length` bytes at `offset` (fewer only past the end). */
  readAt(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the file, if any. */
  close(): void;
}

/** The bounds a zip must keep to be read at all. */
export interface ZipLimits {
  /** At most this many entries. */
  maxEntries: number;
  /** The central directory is at most this many bytes. */
  maxDirectoryBytes: number;
  /** All entries together inflate to at most this many bytes. */
  maxTotalBytes: number;
  /**
   * Past `bombFloor` bytes, an entry (or the whole archive) may inflate to
   * at most `maxRatio` times its compressed size.
   */
  maxRatio: number;
  /** Sizes below this are never called a bomb (zero-filled NVRAM files are). */
  bombFloor: number;
}

/** The bounds for GNS3 projects: images included, they stay far inside. */
export const ZIP_LIMITS: Readonly<ZipLimits> = {
  maxEntries: 100_000,
  maxDirectoryBytes: 64 * 2 ** 20,
  maxTotalBytes: 16 * 2 ** 30,
  maxRatio: 100,
  bombFloor: 256 * 2 ** 20,
};

/** One entry of the central directory. */
export interface ZipEntry {
  /** The path inside the archive, `/`-separated as written. */
  name: string;
  /** 0 stored, 8 deflated (others are listed but cannot be read). */
  method: number;
  /** The general-purpose flags (bit 0: encrypted). */
  flags: number;
  /** The CRC-32 of the inflated data. */
  crc32: number;
  /** Bytes in the archive. */
  compressedSize: number;
  /** Bytes once inflated. */
  size: number;
  /** Where its local header starts. */
  localOffset: number;
  /** A directory entry (name ends in `/`). */
  directory: boolean;
  /** A Unix symbolic link (never followed). */
  symlink: boolean;
}

/** A zip that breaks a bound or the format; `text` says how, in both languages. */
export class ZipError extends Error {
  /** The reason in both languages. */
  readonly text: Text;
  /** Creates the error. */
  constructor(text: Text | string) {
    const t = textOf(text);
    super(t.en);
    this.name = "ZipError";
    this.text = t;
  }
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;

const METHODS: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "lzma",
  93: "zstd",
  95: "xz",
};

/** An archive whose central directory passed every check. */
export class ZipArchive {
  /** The entries, in directory order. */
  readonly entries: readonly ZipEntry[];
  readonly #source: ZipSource;
  readonly #byName: Map<string, ZipEntry>;

  private constructor(source: ZipSource, entries: ZipEntry[]) {
    this.#source = source;
    this.entries = entries;
    this.#byName = new Map(entries.map((e) => [e.name, e]));
  }

  /**
   * Reads and checks the central directory of `source`. Throws a
   * {@linkcode ZipError} for anything outside `limits` or the format.
   */
  static async open(
    source: ZipSource,
    limits: ZipLimits = ZIP_LIMITS,
  ): Promise<ZipArchive> {
    const directory = await findDirectory(source, limits);
    const bytes = await source.readAt(directory.offset, directory.size);
    if (bytes.length !== directory.size) {
      throw truncated();
    }
    const entries = parseDirectory(bytes, directory.count, limits);
    checkEntries(entries, {
      limits,
      source,
      directoryOffset: directory.offset,
    });
    return new ZipArchive(source, entries);
  }

  /** The entry named `name`, if there is one. */
  get(name: string): ZipEntry | undefined {
    return this.#byName.get(name);
  }

  /**
   * Reads and inflates `entry`, at most `maxBytes` of it (a larger entry is
   * refused before anything is inflated). Checks its size and CRC-32.
   */
  async read(entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
    const what = `"${entry.name}"`;
    if (entry.size > maxBytes) {
      throw new ZipError({
        en:
          `entry ${what} is ${entry.size} bytes, more than the ${maxBytes} read`,
        id:
          `entri ${what} berukuran ${entry.size} byte, lebih dari ${maxBytes} yang dibaca`,
      });
    }
    if (entry.flags & 1) {
      throw new ZipError({
        en: `entry ${what} is encrypted`,
        id: `entri ${what} terenkripsi`,
      });
    }
    if (entry.method !== 0 && entry.method !== 8) {
      const name = METHODS[entry.method] ?? `method ${entry.method}`;
      throw new ZipError({
        en:
          `entry ${what} is compressed with ${name}; only stored and deflated entries are read (GNS3's export with "zip" compression or none)`,
        id:
          `entri ${what} dikompresi dengan ${name}; hanya entri tersimpan dan deflate yang dibaca (ekspor GNS3 dengan kompresi "zip" atau tanpa kompresi)`,
      });
    }
    const header = await this.#source.readAt(entry.localOffset, 30);
    const view = viewOf(header);
    if (header.length < 30 || view.getUint32(0, true) !== LOCAL) {
      throw corrupt(entry.name, "no local header where the directory says");
    }
    const start = entry.localOffset + 30 + view.getUint16(26, true) +
      view.getUint16(28, true);
    if (start + entry.compressedSize > this.#source.size) throw truncated();
    const raw = await this.#source.readAt(start, entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw truncated();
    const data = entry.method === 0 ? raw : await inflate(raw, entry);
    if (data.length !== entry.size) {
      throw corrupt(entry.name, `${data.length} bytes, not ${entry.size}`);
    }
    if (crc32(data) !== entry.crc32) throw corrupt(entry.name, "CRC mismatch");
    return data;
  }

  /** Closes the source. */
  close(): void {
    this.#source.close();
  }
}

/** A {@linkcode ZipSource} over bytes in memory. */
export function bytesSource(bytes: Uint8Array): ZipSource {
  return {
    size: bytes.length,
    readAt: (offset, length) =>
      Promise.resolve(
        bytes.subarray(offset, Math.min(offset + length, bytes.length)),
      ),
    close: () => {},
  };
}

/** A {@linkcode ZipSource} over an open file (closed with the source). */
export async function fileSource(file: Deno.FsFile): Promise<ZipSource> {
  const { size } = await file.stat();
  return {
    size,
    async readAt(offset, length) {
      const end = Math.min(offset + length, size);
      const out = new Uint8Array(Math.max(0, end - offset));
      await file.seek(offset, Deno.SeekMode.Start);
      let filled = 0;
      while (filled < out.length) {
        const n = await file.read(out.subarray(filled));
        if (n === null) break;
        filled += n;
      }
      return out.subarray(0, filled);
    },
    close: () => file.close(),
  };
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function truncated(): ZipError {
  return new ZipError({
    en: "not a whole zip: it ends too early (cut off while copying?)",
    id: "zip tidak utuh: berakhir terlalu awal (terpotong saat disalin?)",
  });
}

function corrupt(name: string, detail: string): ZipError {
  return new ZipError({
    en: `entry "${name}" is damaged (${detail})`,
    id: `entri "${name}" rusak (${detail})`,
  });
}

function bomb(what: string, size: number, packed: number): ZipError {
  const ratio = Math.round(size / Math.max(packed, 1));
  return new ZipError({
    en:
      `${what} would inflate to ${size} bytes from ${packed} (${ratio}:1): refused as a zip bomb`,
    id:
      `${what} akan mengembang menjadi ${size} byte dari ${packed} (${ratio}:1): ditolak sebagai bom zip`,
  });
}

/** Where the central directory is, from the end record (and ZIP64's). */
async function findDirectory(
  source: ZipSource,
  limits: ZipLimits,
): Promise<{ offset: number; size: number; count: number }> {
  const tailLength = Math.min(source.size, 22 + MAX_COMMENT + 20);
  const tailStart = source.size - tailLength;
  const tail = await source.readAt(tailStart, tailLength);
  const view = viewOf(tail);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (
      view.getUint32(i, true) === EOCD &&
      i + 22 + view.getUint16(i + 20, true) === tail.length
    ) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw new ZipError({
      en: "not a zip archive (no end of central directory)",
      id: "bukan arsip zip (tidak ada akhir direktori pusat)",
    });
  }
  let disk = view.getUint16(at + 4, true);
  let count = view.getUint16(at + 10, true);
  let size = view.getUint32(at + 12, true);
  let offset = view.getUint32(at + 16, true);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = at - 20;
    if (locator < 0 || view.getUint32(locator, true) !== ZIP64_LOCATOR) {
      throw new ZipError({
        en: "a ZIP64 archive without its locator",
        id: "arsip ZIP64 tanpa lokatornya",
      });
    }
    const recordAt = safeNumber(view.getBigUint64(locator + 8, true));
    const record = await source.readAt(recordAt, 56);
    const r = viewOf(record);
    if (record.length < 56 || r.getUint32(0, true) !== ZIP64_EOCD) {
      throw new ZipError({
        en: "a ZIP64 archive whose end record is missing",
        id: "arsip ZIP64 tanpa catatan akhirnya",
      });
    }
    disk = r.getUint32(16, true);
    count = safeNumber(r.getBigUint64(32, true));
    size = safeNumber(r.getBigUint64(40, true));
    offset = safeNumber(r.getBigUint64(48, true));
  }
  if (disk !== 0) {
    throw new ZipError({
      en: "a zip split over several files: join it first",
      id: "zip yang terbagi atas beberapa berkas: gabungkan dulu",
    });
  }
  if (count > limits.maxEntries) {
    throw new ZipError({
      en: `${count} entries, more than ${limits.maxEntries}`,
      id: `${count} entri, lebih dari ${limits.maxEntries}`,
    });
  }
  if (size > limits.maxDirectoryBytes) {
    throw new ZipError({
      en:
        `a central directory of ${size} bytes, more than ${limits.maxDirectoryBytes}`,
      id:
        `direktori pusat ${size} byte, lebih dari ${limits.maxDirectoryBytes}`,
    });
  }
  if (offset + size > source.size) throw truncated();
  return { offset, size, count };
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ZipError({
      en: "a size or offset beyond any real file",
      id: "ukuran atau offset melebihi berkas mana pun",
    });
  }
  return Number(value);
}

function parseDirectory(
  bytes: Uint8Array,
  count: number,
  limits: ZipLimits,
): ZipEntry[] {
  const view = viewOf(bytes);
  const entries: ZipEntry[] = [];
  const utf8 = new TextDecoder("utf-8", { fatal: false });
  let at = 0;
  while (at + 46 <= bytes.length) {
    if (view.getUint32(at, true) !== CENTRAL) break;
    if (entries.length >= limits.maxEntries) {
      throw new ZipError({
        en: `more than ${limits.maxEntries} entries`,
        id: `lebih dari ${limits.maxEntries} entri`,
      });
    }
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const diskStart = view.getUint16(at + 34, true);
    const external = view.getUint32(at + 38, true);
    let localOffset = view.getUint32(at + 42, true);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > bytes.length) break;
    const name = utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    // ZIP64: the fields at their maximum are in the extra field, in order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 0x0001) {
        let field = extra + 4;
        const next = () => {
          if (field + 8 > extra + 4 + length) {
            throw corrupt(name, "short ZIP64 field");
          }
          const value = safeNumber(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      extra += 4 + length;
    }
    if (diskStart !== 0 && diskStart !== 0xffff) {
      throw new ZipError({
        en: "a zip split over several files: join it first",
        id: "zip yang terbagi atas beberapa berkas: gabungkan dulu",
      });
    }
    // Unix mode in the high half of the external attributes.
    const mode = madeBy === 3 ? external >>> 16 : 0;
    entries.push({
      name,
      method,
      flags,
      crc32: crc,
      compressedSize,
      size,
      localOffset,
      directory: name.endsWith("/"),
      symlink: (mode & 0o170000) === 0o120000,
    });
    at = end;
  }
  if (entries.length !== count) {
    throw new ZipError({
      en:
        `the central directory lists ${entries.length} entries, its end record ${count}`,
      id:
        `direktori pusat memuat ${entries.length} entri, catatan akhirnya ${count}`,
    });
  }
  return entries;
}

/**
 * Why `name` cannot be a path inside an archive (absolute, `..`, a NUL),
 * or `undefined` when it can.
 */
export function unsafeName(name: string): string | undefined {
  if (name.includes("\0")) return "a NUL in the name";
  if (/^([/\\]|[A-Za-z]:)/.test(name)) return "an absolute path";
  if (name.split(/[/\\]/).includes("..")) return '".." in the path';
  return undefined;
}

function checkEntries(
  entries: ZipEntry[],
  options: { limits: ZipLimits; source: ZipSource; directoryOffset: number },
): void {
  const { limits, source, directoryOffset } = options;
  const seen = new Set<string>();
  let total = 0;
  for (const entry of entries) {
    const unsafe = unsafeName(entry.name);
    if (unsafe !== undefined) {
      throw new ZipError({
        en: `entry "${entry.name}" points outside the zip (${unsafe}): refused`,
        id: `entri "${entry.name}" menunjuk ke luar zip (${
          unsafe === "a NUL in the name"
            ? "ada NUL di namanya"
            : unsafe === "an absolute path"
            ? "path absolut"
            : '".." di path-nya'
        }): ditolak`,
      });
    }
    if (seen.has(entry.name)) {
      throw new ZipError({
        en: `two entries named "${entry.name}"`,
        id: `dua entri bernama "${entry.name}"`,
      });
    }
    seen.add(entry.name);
    if (entry.method === 0 && entry.size !== entry.compressedSize) {
      throw corrupt(entry.name, "a stored entry whose two sizes differ");
    }
    if (
      entry.size > limits.bombFloor &&
      entry.size > limits.maxRatio * entry.compressedSize
    ) {
      throw bomb(`entry "${entry.name}"`, entry.size, entry.compressedSize);
    }
    total += entry.size;
  }
  if (total > limits.maxTotalBytes) {
    throw new ZipError({
      en:
        `its entries would inflate to ${total} bytes, more than ${limits.maxTotalBytes}: refused`,
      id:
        `entri-entrinya akan mengembang menjadi ${total} byte, lebih dari ${limits.maxTotalBytes}: ditolak`,
    });
  }
  if (total > limits.bombFloor && total > limits.maxRatio * source.size) {
    throw bomb("the archive", total, source.size);
  }
  // Each entry's header and data must end before the next one starts and
  // before the directory: overlapping entries are a bomb's trick.
  const sorted = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i];
    const end = entry.localOffset + 30 +
      new TextEncoder().encode(entry.name).length + entry.compressedSize;
    const limit = i + 1 < sorted.length
      ? sorted[i + 1].localOffset
      : directoryOffset;
    if (end > limit) {
      throw new ZipError({
        en: `entry "${entry.name}" overlaps ${
          i + 1 < sorted.length
            ? `entry "${sorted[i + 1].name}"`
            : "the central directory"
        }: refused as a zip bomb`,
        id: `entri "${entry.name}" bertumpuk dengan ${
          i + 1 < sorted.length
            ? `entri "${sorted[i + 1].name}"`
            : "direktori pusat"
        }: ditolak sebagai bom zip`,
      });
    }
  }
}

/** Inflates `raw`, stopping as soon as it passes the entry's declared size. */
async function inflate(raw: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let filled = 0;
  const stream = new Blob([raw as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(new DecompressionStream("deflate-raw"));
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (filled + value.length > out.length) {
        throw bomb(
          `entry "${entry.name}" (declared ${entry.size} bytes)`,
          filled + value.length,
          entry.compressedSize,
        );
      }
      out.set(value, filled);
      filled += value.length;
    }
  } catch (err) {
    if (err instanceof ZipError) throw err;
    throw corrupt(entry.name, "not valid deflate data");
  } finally {
    reader.cancel().catch(() => {});
  }
  return out.subarray(0, filled);
}
