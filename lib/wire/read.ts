/**
 * Reads capture files as they are written by tcpdump, dumpcap, tshark and
 * Wireshark: pcap (either byte order, micro- or nanosecond time stamps) and
 * pcapng (any number of sections in either byte order, interfaces with their
 * own link types and time resolutions; enhanced, simple and obsolete packet
 * blocks; name resolution and interface statistics kept; other blocks
 * skipped). The file is read in chunks as the frames are asked for: a 1 GB
 * capture never sits in memory, only the frame being read.
 *
 * A file that cannot be read on throws one {@linkcode CaptureError} (a
 * one-line message naming the file, what is wrong and where) after every
 * frame before the problem was yielded: nothing already read is lost.
 *
 * @example Count a capture's frames by kind
 * ```ts
 * import { readCapture } from "./read.ts";
 *
 * async function countKinds(path: string): Promise<Map<string, number>> {
 *   const counts = new Map<string, number>();
 *   for await (const frame of readCapture(path)) {
 *     counts.set(frame.kind, (counts.get(frame.kind) ?? 0) + 1);
 *   }
 *   return counts;
 * }
 * ```
 *
 * @module
 */

import { errorText } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";
import {
  ByteReader,
  type ByteSource,
  type FollowOptions,
  streamSource,
} from "./_bytes.ts";
import {
  addNames,
  BYTE_ORDER_MAGIC,
  EPB,
  IDB,
  interfaceOf,
  type InterfaceStatistics,
  ISB,
  NRB,
  OPB,
  packetOptions,
  pad4,
  SHB,
  SPB,
  statisticsOf,
  timeNsOf,
  timeUnitsAt,
} from "./_pcapng.ts";
import { decodeFrame, isDecodedLinkType, linkTypeName } from "./decode.ts";
import { CaptureError, type CaptureErrorReason } from "./errors.ts";
import type { CapturedFrame, CaptureInterface, Frame } from "./frame.ts";

export type { InterfaceStatistics } from "./_pcapng.ts";
export type { FollowOptions } from "./_bytes.ts";

/** What a capture can be read from: a path, an open file, or a stream. */
export type CaptureSource = string | ByteSource | ReadableStream<Uint8Array>;

/** Options for {@linkcode readCapture}. */
export interface ReadCaptureOptions {
  /** The name errors give the capture; default the path, or `capture`. */
  name?: string;
  /**
   * Keep reading as a file grows (a capture being written), until the
   * signal is aborted; a record half-written at that point is left unread.
   */
  follow?: FollowOptions;
  /**
   * What decoding does with a frame of a link type it does not know:
   * `"error"` (the default) throws a {@linkcode CaptureError}; `"keep"`
   * yields it undecoded, of kind `other`, with a problem saying so.
   */
  unknownLinkTypes?: "error" | "keep";
}

/** The most bytes one frame may have (Wireshark's limit for most link types). */
export const MAX_FRAME = 262_144;
/** The largest pcapng block read (larger ones are skipped when unknown). */
const MAX_BLOCK = 16 * 1024 * 1024;

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAP_MODIFIED = 0xa1b2cd34;
const SWAPPED: Record<number, number> = {
  0xd4c3b2a1: PCAP_MICRO,
  0x4d3cb2a1: PCAP_NANO,
  0x34cdb2a1: PCAP_MODIFIED,
};

/**
 * A capture being read: iterate it for decoded {@linkcode Frame}s, or
 * {@linkcode CaptureReader.records} for the frames undecoded. What the
 * file says besides frames (its format, interfaces, statistics, names) is
 * filled in as reading gets there.
 */
export class CaptureReader implements AsyncIterable<Frame> {
  /** The name errors give the capture. */
  readonly name: string;
  /** `pcap` or `pcapng`, once the header is read. */
  format?: "pcap" | "pcapng";
  /** Every interface described so far (pcapng: all sections). */
  readonly interfaces: CaptureInterface[] = [];
  /** Interface statistics blocks read so far (dumpcap writes one per interface at the end). */
  readonly statistics: InterfaceStatistics[] = [];
  /** Host names from name resolution blocks, by address. */
  readonly names: Map<string, string[]> = new Map();
  #source: CaptureSource;
  #options: ReadCaptureOptions;
  #used = false;

  /** Reads `source`; nothing is read until iterated. */
  constructor(source: CaptureSource, options: ReadCaptureOptions = {}) {
    this.#source = source;
    this.#options = options;
    this.name = options.name ??
      (typeof source === "string" ? source : "capture");
  }

  /** The frames decoded, in file order. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Frame> {
    const keep = this.#options.unknownLinkTypes === "keep";
    for await (const record of this.records()) {
      if (!keep && !isDecodedLinkType(record.interface.linkType)) {
        throw this.#unknownLink(record);
      }
      yield decodeFrame(record);
    }
  }

  /** The frames as the file holds them, undecoded, in file order. */
  async *records(): AsyncGenerator<CapturedFrame> {
    if (this.#used) throw new Error("a CaptureReader is read once");
    this.#used = true;
    const { source, close } = await this.#open();
    const bytes = new ByteReader(source, this.#options.follow);
    try {
      if ((await bytes.fill(4)) < 4) {
        if (bytes.following) return;
        throw this.#error("not-capture", {
          en: bytes.available === 0
            ? "empty file, not a capture"
            : "too short to be a capture",
          id: bytes.available === 0
            ? "berkas kosong, bukan tangkapan"
            : "terlalu pendek untuk tangkapan",
        }, 0);
      }
      const head = bytes.view(4);
      const le = new DataView(head.buffer, head.byteOffset, 4).getUint32(
        0,
        true,
      );
      if (le === SHB) {
        this.format = "pcapng";
        yield* this.#pcapng(bytes);
      } else {
        this.format = "pcap";
        yield* this.#pcap(bytes, le);
      }
    } catch (err) {
      if (err instanceof CaptureError) throw err;
      // The file or stream failed under us (a directory, an I/O error).
      throw this.#error("unreadable", unreadable(err), bytes.offset);
    } finally {
      close();
    }
  }

  async #open(): Promise<{ source: ByteSource; close: () => void }> {
    const source = this.#source;
    if (typeof source === "string") {
      let file: Deno.FsFile;
      try {
        file = await Deno.open(source);
      } catch (err) {
        throw this.#error("unreadable", unreadable(err), 0);
      }
      return { source: file, close: () => file.close() };
    }
    if (source instanceof ReadableStream) {
      const adapted = streamSource(source);
      return { source: adapted, close: () => adapted.release() };
    }
    return { source, close: () => {} };
  }

  #error(reason: CaptureErrorReason, what: Text, offset: number): CaptureError {
    return new CaptureError(reason, {
      en: `${this.name}: ${what.en}`,
      id: `${this.name}: ${what.id}`,
    }, offset);
  }

  #truncated(
    what: Text,
    bytes: ByteReader,
    needed: number,
  ): CaptureError {
    return this.#error("truncated", {
      en:
        `truncated: ${what.en} at byte ${bytes.offset} needs ${needed} bytes, the file ends after ${bytes.available}`,
      id:
        `terpotong: ${what.id} di byte ${bytes.offset} perlu ${needed} byte, berkas berakhir setelah ${bytes.available}`,
    }, bytes.offset);
  }

  #unknownLink(record: CapturedFrame): CaptureError {
    const type = record.interface.linkType;
    const name = linkTypeName(type);
    const known =
      "Ethernet (1), raw IP (101, 228, 229), Linux cooked (113, 276)";
    return this.#error("unknown-link-type", {
      en: `frame ${record.number}: link type ${type}${
        name ? ` (${name})` : ""
      } is not one this reader decodes: ${known}`,
      id: `frame ${record.number}: tipe link ${type}${
        name ? ` (${name})` : ""
      } tidak dibaca oleh pembaca ini: ${known}`,
    }, 0);
  }

  async *#pcap(
    bytes: ByteReader,
    magicLe: number,
  ): AsyncGenerator<CapturedFrame> {
    let magic = magicLe;
    let littleEndian = true;
    if (SWAPPED[magic] !== undefined) {
      magic = SWAPPED[magic];
      littleEndian = false;
    }
    if (magic === PCAP_MODIFIED) {
      throw this.#error("unsupported", {
        en:
          "a modified (Kuznetzov) pcap: not read here; convert it with editcap -F pcap",
        id:
          "pcap termodifikasi (Kuznetzov): tidak dibaca di sini; ubah dengan editcap -F pcap",
      }, 0);
    }
    if (magic !== PCAP_MICRO && magic !== PCAP_NANO) {
      const start = Array.from(
        bytes.view(4),
        (b) => b.toString(16).padStart(2, "0"),
      ).join(" ");
      throw this.#error("not-capture", {
        en: `not a pcap or pcapng capture (it starts with ${start})`,
        id: `bukan tangkapan pcap atau pcapng (diawali ${start})`,
      }, 0);
    }
    if ((await bytes.fill(24)) < 24) {
      if (bytes.following) return;
      throw this.#truncated(
        { en: "the pcap header", id: "header pcap" },
        bytes,
        24,
      );
    }
    const header = viewOf(bytes.view(24));
    const major = header.getUint16(4, littleEndian);
    if (major !== 2) {
      throw this.#error("unsupported", {
        en: `pcap version ${major}.${
          header.getUint16(6, littleEndian)
        }: only 2.x is read`,
        id: `pcap versi ${major}.${
          header.getUint16(6, littleEndian)
        }: hanya 2.x yang dibaca`,
      }, 4);
    }
    const snaplen = header.getUint32(16, littleEndian);
    const network = header.getUint32(20, littleEndian);
    const iface: CaptureInterface = {
      id: 0,
      section: 0,
      linkType: network & 0xffff,
      snaplen,
      unitsPerSecond: magic === PCAP_NANO ? 1_000_000_000n : 1_000_000n,
      offsetSeconds: 0n,
      // The FCS bits of the link-type field (pcap spec §"LinkType and additional information").
      fcsLength: network & 0x04000000 ? ((network >>> 28) & 0xf) * 2 : 0,
    };
    this.interfaces.push(iface);
    bytes.consume(24);
    const nano = magic === PCAP_NANO;
    const max = Math.max(MAX_FRAME, snaplen);
    for (let number = 1;; number++) {
      const got = await bytes.fill(16);
      if (got === 0) return;
      const what = { en: `frame ${number}`, id: `frame ${number}` };
      if (got < 16) {
        if (bytes.following) return;
        throw this.#truncated(what, bytes, 16);
      }
      const record = viewOf(bytes.view(16));
      const seconds = record.getUint32(0, littleEndian);
      const fraction = record.getUint32(4, littleEndian);
      const capturedLength = record.getUint32(8, littleEndian);
      const originalLength = record.getUint32(12, littleEndian);
      if (capturedLength > max) {
        throw this.#error("damaged", {
          en:
            `frame ${number} at byte ${bytes.offset} claims ${capturedLength} bytes, more than any frame (${max}): the file is damaged`,
          id:
            `frame ${number} di byte ${bytes.offset} mengaku ${capturedLength} byte, lebih dari frame mana pun (${max}): berkas rusak`,
        }, bytes.offset);
      }
      if ((await bytes.fill(16 + capturedLength)) < 16 + capturedLength) {
        if (bytes.following) return;
        throw this.#truncated(what, bytes, 16 + capturedLength);
      }
      const data = bytes.view(16 + capturedLength).slice(16);
      bytes.consume(16 + capturedLength);
      yield {
        number,
        timeNs: BigInt(seconds) * 1_000_000_000n +
          BigInt(fraction) * (nano ? 1n : 1000n),
        interface: iface,
        capturedLength,
        originalLength,
        data,
      };
    }
  }

  async *#pcapng(bytes: ByteReader): AsyncGenerator<CapturedFrame> {
    let littleEndian = true;
    let section = -1;
    let interfaces: CaptureInterface[] = [];
    let number = 0;
    for (;;) {
      const got = await bytes.fill(12);
      if (got === 0) return;
      const what = {
        en: `block after frame ${number}`,
        id: `blok setelah frame ${number}`,
      };
      if (got < 12) {
        if (bytes.following) return;
        throw this.#truncated(what, bytes, 12);
      }
      const head = viewOf(bytes.view(12));
      const typeLe = head.getUint32(0, true);
      if (typeLe === SHB) {
        const magic = head.getUint32(8, true);
        if (magic !== BYTE_ORDER_MAGIC && magic !== 0x4d3c2b1a) {
          throw this.#error("damaged", {
            en:
              `section header at byte ${bytes.offset} has no byte-order magic: the file is damaged`,
            id:
              `header seksi di byte ${bytes.offset} tanpa magic urutan byte: berkas rusak`,
          }, bytes.offset);
        }
        littleEndian = magic === BYTE_ORDER_MAGIC;
      }
      const type = head.getUint32(0, littleEndian);
      const length = head.getUint32(4, littleEndian);
      if (length < 12 || length % 4 !== 0) {
        throw this.#error("damaged", {
          en:
            `block at byte ${bytes.offset} claims a length of ${length} (not a multiple of 4 of at least 12): the file is damaged`,
          id:
            `blok di byte ${bytes.offset} mengaku panjang ${length} (bukan kelipatan 4 minimal 12): berkas rusak`,
        }, bytes.offset);
      }
      const known = [SHB, IDB, EPB, SPB, OPB, NRB, ISB].includes(type);
      if (!known) {
        // Unknown blocks are skipped unread, however large.
        if ((await bytes.skip(length)) < length && !bytes.following) {
          throw this.#truncated(what, bytes, length);
        }
        continue;
      }
      if (length > MAX_BLOCK) {
        throw this.#error("damaged", {
          en:
            `block at byte ${bytes.offset} claims ${length} bytes, more than any block (${MAX_BLOCK}): the file is damaged`,
          id:
            `blok di byte ${bytes.offset} mengaku ${length} byte, lebih dari blok mana pun (${MAX_BLOCK}): berkas rusak`,
        }, bytes.offset);
      }
      if ((await bytes.fill(length)) < length) {
        if (bytes.following) return;
        throw this.#truncated(what, bytes, length);
      }
      const view = viewOf(bytes.view(length));
      const offset = bytes.offset;
      if (view.getUint32(length - 4, littleEndian) !== length) {
        throw this.#error("damaged", {
          en: `block at byte ${offset}: its two lengths differ (${length} and ${
            view.getUint32(length - 4, littleEndian)
          }): the file is damaged`,
          id:
            `blok di byte ${offset}: kedua panjangnya berbeda (${length} dan ${
              view.getUint32(length - 4, littleEndian)
            }): berkas rusak`,
        }, offset);
      }
      const damaged = (en: string, id: string) =>
        this.#error("damaged", {
          en: `block at byte ${offset}: ${en}: the file is damaged`,
          id: `blok di byte ${offset}: ${id}: berkas rusak`,
        }, offset);
      const ifaceOf = (id: number) => {
        const iface = interfaces[id];
        if (iface === undefined) {
          throw damaged(
            `it names interface ${id}, but the section describes ${interfaces.length}`,
            `menyebut antarmuka ${id}, padahal seksi hanya menjelaskan ${interfaces.length}`,
          );
        }
        return iface;
      };
      let frame: CapturedFrame | undefined;
      if (type === SHB) {
        if (length < 28) {
          throw damaged(
            "a section header shorter than 28 bytes",
            "header seksi kurang dari 28 byte",
          );
        }
        const major = view.getUint16(12, littleEndian);
        if (major !== 1) {
          throw this.#error("unsupported", {
            en: `pcapng version ${major}.${
              view.getUint16(14, littleEndian)
            }: only 1.x is read`,
            id: `pcapng versi ${major}.${
              view.getUint16(14, littleEndian)
            }: hanya 1.x yang dibaca`,
          }, offset);
        }
        section++;
        interfaces = [];
      } else if (section < 0) {
        throw damaged(
          "a block before the first section header",
          "blok sebelum header seksi pertama",
        );
      } else if (type === IDB) {
        if (length < 20) {
          throw damaged(
            "an interface block shorter than 20 bytes",
            "blok antarmuka kurang dari 20 byte",
          );
        }
        const iface = interfaceOf(
          view,
          littleEndian,
          interfaces.length,
          section,
        );
        interfaces.push(iface);
        this.interfaces.push(iface);
      } else if (type === EPB || type === OPB) {
        if (length < 32) {
          throw damaged(
            "a packet block shorter than 32 bytes",
            "blok paket kurang dari 32 byte",
          );
        }
        const enhanced = type === EPB;
        const iface = ifaceOf(
          enhanced
            ? view.getUint32(8, littleEndian)
            : view.getUint16(8, littleEndian),
        );
        const capturedLength = view.getUint32(20, littleEndian);
        const originalLength = view.getUint32(24, littleEndian);
        if (28 + capturedLength > length - 4) {
          throw damaged(
            `frame ${
              number + 1
            } claims ${capturedLength} captured bytes, the block holds ${
              length - 32
            }`,
            `frame ${
              number + 1
            } mengaku ${capturedLength} byte tertangkap, bloknya memuat ${
              length - 32
            }`,
          );
        }
        number++;
        frame = {
          number,
          timeNs: timeNsOf(timeUnitsAt(view, 12, littleEndian), iface),
          interface: iface,
          capturedLength,
          originalLength,
          data: bytes.view(length).slice(28, 28 + capturedLength),
          ...packetOptions(view, 28 + pad4(capturedLength), littleEndian),
        };
      } else if (type === SPB) {
        if (length < 16) {
          throw damaged(
            "a simple packet block shorter than 16 bytes",
            "blok paket sederhana kurang dari 16 byte",
          );
        }
        const iface = ifaceOf(0);
        const originalLength = view.getUint32(8, littleEndian);
        const room = length - 16;
        const capturedLength = Math.min(
          originalLength,
          room,
          iface.snaplen || room,
        );
        number++;
        frame = {
          number,
          // A simple packet block has no time stamp.
          timeNs: 0n,
          interface: iface,
          capturedLength,
          originalLength,
          data: bytes.view(length).slice(12, 12 + capturedLength),
        };
      } else if (type === NRB) {
        addNames(view, littleEndian, this.names);
      } else if (type === ISB) {
        if (length >= 24) {
          this.statistics.push(
            statisticsOf(
              view,
              littleEndian,
              ifaceOf(view.getUint32(8, littleEndian)),
            ),
          );
        }
      }
      bytes.consume(length);
      if (frame) yield frame;
    }
  }
}

/** Reads a capture; see {@linkcode CaptureReader}. */
export function readCapture(
  source: CaptureSource,
  options: ReadCaptureOptions = {},
): CaptureReader {
  return new CaptureReader(source, options);
}

function unreadable(err: unknown): Text {
  if (err instanceof Deno.errors.NotFound) {
    return { en: "no such file", id: "berkas tidak ada" };
  }
  if (err instanceof Deno.errors.IsADirectory) {
    return {
      en: "a directory, not a capture",
      id: "direktori, bukan tangkapan",
    };
  }
  return errorText(err);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
