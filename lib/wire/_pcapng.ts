/**
 * The blocks of pcapng (draft-ietf-opsawg-pcapng): a section header (SHB)
 * sets the byte order and starts a new list of interfaces (IDB); frames come
 * as enhanced (EPB), simple (SPB) or obsolete (OPB) packet blocks; name
 * resolution (NRB) and interface statistics (ISB) blocks are kept; every
 * other block is skipped. Each function reads one whole block (type and
 * both lengths included) from a DataView.
 *
 * @module
 */

import type { CaptureInterface } from "./frame.ts";
import { ipv6Text } from "./format.ts";

/** Block types. */
export const SHB = 0x0a0d0d0a;
/** Interface description block. */
export const IDB = 0x00000001;
/** Obsolete packet block. */
export const OPB = 0x00000002;
/** Simple packet block. */
export const SPB = 0x00000003;
/** Name resolution block. */
export const NRB = 0x00000004;
/** Interface statistics block. */
export const ISB = 0x00000005;
/** Enhanced packet block. */
export const EPB = 0x00000006;
/** The byte-order magic of a section header. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** What an interface statistics block says (pcapng ISB). */
export interface InterfaceStatistics {
  /** The interface it is about. */
  interface: CaptureInterface;
  /** Frames the interface received (`isb_ifrecv`). */
  received?: bigint;
  /** Frames the interface dropped (`isb_ifdrop`). */
  dropped?: bigint;
  /** Frames the operating system dropped (`isb_osdrop`). */
  osDropped?: bigint;
  /** Frames the filter accepted (`isb_filteraccept`). */
  filterAccepted?: bigint;
  /** Frames delivered to the capturing program (`isb_usrdeliv`). */
  delivered?: bigint;
}

/** One option of a block. */
export interface BlockOption {
  /** Its code. */
  code: number;
  /** Its value. */
  value: Uint8Array;
}

/** The options from `start` to the block's trailing length. */
export function blockOptions(
  view: DataView,
  start: number,
  littleEndian: boolean,
): BlockOption[] {
  const options: BlockOption[] = [];
  const end = view.byteLength - 4;
  let at = start;
  while (at + 4 <= end) {
    const code = view.getUint16(at, littleEndian);
    const length = view.getUint16(at + 2, littleEndian);
    if (code === 0) break;
    // A broken option ends the list, as readers do; the frame itself is fine.
    if (at + 4 + length > end) break;
    options.push({
      code,
      value: new Uint8Array(view.buffer, view.byteOffset + at + 4, length),
    });
    at += 4 + pad4(length);
  }
  return options;
}

/** `n` rounded up to a multiple of 4. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

const utf8 = new TextDecoder();

/** An option's value as text. */
export function optionText(option: BlockOption): string {
  return utf8.decode(option.value).replace(/\0+$/, "");
}

function u64(value: Uint8Array, littleEndian: boolean): bigint | undefined {
  if (value.length < 8) return undefined;
  return new DataView(value.buffer, value.byteOffset, 8).getBigUint64(
    0,
    littleEndian,
  );
}

/** Reads an interface description block. */
export function interfaceOf(
  view: DataView,
  littleEndian: boolean,
  id: number,
  section: number,
): CaptureInterface {
  const iface: CaptureInterface = {
    id,
    section,
    linkType: view.getUint16(8, littleEndian),
    snaplen: view.getUint32(12, littleEndian),
    unitsPerSecond: 1_000_000n,
    offsetSeconds: 0n,
    fcsLength: 0,
  };
  for (const option of blockOptions(view, 16, littleEndian)) {
    if (option.code === 2) iface.name = optionText(option);
    if (option.code === 3) iface.description = optionText(option);
    if (option.code === 9 && option.value.length >= 1) {
      const resolution = option.value[0];
      const exponent = BigInt(resolution & 0x7f);
      iface.unitsPerSecond = resolution & 0x80
        ? 2n ** exponent
        : 10n ** exponent;
    }
    if (option.code === 14 && option.value.length >= 8) {
      iface.offsetSeconds = new DataView(
        option.value.buffer,
        option.value.byteOffset,
        8,
      ).getBigInt64(0, littleEndian);
    }
    if (option.code === 13 && option.value.length >= 1) {
      iface.fcsLength = option.value[0];
    }
  }
  return iface;
}

/** A time stamp in an interface's units as nanoseconds since the epoch. */
export function timeNsOf(units: bigint, iface: CaptureInterface): bigint {
  const ns = iface.unitsPerSecond === 1_000_000_000n
    ? units
    : iface.unitsPerSecond === 1_000_000n
    ? units * 1000n
    : units * 1_000_000_000n / iface.unitsPerSecond;
  return ns + iface.offsetSeconds * 1_000_000_000n;
}

/** The 64-bit time stamp of an EPB, OPB or ISB at `at`. */
export function timeUnitsAt(
  view: DataView,
  at: number,
  littleEndian: boolean,
): bigint {
  const high = BigInt(view.getUint32(at, littleEndian));
  const low = BigInt(view.getUint32(at + 4, littleEndian));
  return (high << 32n) | low;
}

/** What a packet block's options say about its frame. */
export interface PacketOptions {
  /** Inbound or outbound, from `epb_flags`. */
  direction?: "in" | "out";
  /** `opt_comment`s. */
  comments?: string[];
}

/** The direction and comments among a packet block's options. */
export function packetOptions(
  view: DataView,
  start: number,
  littleEndian: boolean,
): PacketOptions {
  const result: PacketOptions = {};
  if (start >= view.byteLength - 4) return result;
  for (const option of blockOptions(view, start, littleEndian)) {
    if (option.code === 1) {
      (result.comments ??= []).push(optionText(option));
    }
    if (option.code === 2 && option.value.length >= 4) {
      const flags = new DataView(
        option.value.buffer,
        option.value.byteOffset,
        4,
      )
        .getUint32(0, littleEndian);
      const direction = flags & 3;
      if (direction === 1) result.direction = "in";
      if (direction === 2) result.direction = "out";
    }
  }
  return result;
}

/** Reads an interface statistics block. */
export function statisticsOf(
  view: DataView,
  littleEndian: boolean,
  iface: CaptureInterface,
): InterfaceStatistics {
  const stats: InterfaceStatistics = { interface: iface };
  for (const option of blockOptions(view, 20, littleEndian)) {
    const value = u64(option.value, littleEndian);
    if (value === undefined) continue;
    if (option.code === 4) stats.received = value;
    if (option.code === 5) stats.dropped = value;
    if (option.code === 6) stats.filterAccepted = value;
    if (option.code === 7) stats.osDropped = value;
    if (option.code === 8) stats.delivered = value;
  }
  return stats;
}

/** Adds a name resolution block's IPv4 and IPv6 names to `names`. */
export function addNames(
  view: DataView,
  littleEndian: boolean,
  names: Map<string, string[]>,
): void {
  const end = view.byteLength - 4;
  let at = 8;
  while (at + 4 <= end) {
    const type = view.getUint16(at, littleEndian);
    const length = view.getUint16(at + 2, littleEndian);
    if (type === 0 || at + 4 + length > end) return;
    const value = new Uint8Array(view.buffer, view.byteOffset + at + 4, length);
    const size = type === 1 ? 4 : type === 2 ? 16 : 0;
    if (size > 0 && length > size) {
      const address = size === 4
        ? [...value.subarray(0, 4)].join(".")
        : ipv6Text(value.subarray(0, 16));
      const list = utf8.decode(value.subarray(size)).split("\0").filter((
        name,
      ) => name !== "");
      names.set(address, [...(names.get(address) ?? []), ...list]);
    }
    at += 4 + pad4(length);
  }
}
