/**
 * Addresses and bytes as people read them, the way Wireshark writes them:
 * MAC addresses `01:00:5e:01:01:01`, IPv4 dotted, IPv6 compressed, payload
 * as text (one line, control characters escaped) and as a hex dump with an
 * ASCII column.
 *
 * @example A payload as text and as hex
 * ```ts
 * import { hexDump, payloadText } from "./format.ts";
 *
 * const bytes = new TextEncoder().encode(" BROADCAST ini angka 1 ");
 * console.log(payloadText(bytes)); // " BROADCAST ini angka 1 "
 * console.log(hexDump(bytes).join("\n"));
 * // 0000  20 42 52 4f 41 44 43 41 53 54 20 69 6e 69 20 61   BROADCAST ini a
 * // 0010  6e 67 6b 61 20 31 20                             ngka 1
 * ```
 *
 * @module
 */

const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

/** The 6 bytes at `at` as a MAC address, `aa:bb:cc:dd:ee:ff`. */
export function macText(bytes: Uint8Array, at = 0): string {
  return `${HEX[bytes[at]]}:${HEX[bytes[at + 1]]}:${HEX[bytes[at + 2]]}:${
    HEX[bytes[at + 3]]
  }:${HEX[bytes[at + 4]]}:${HEX[bytes[at + 5]]}`;
}

/** Bytes as colon-separated hex, `aa:bb:…` (any length). */
export function colonHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => HEX[b]).join(":");
}

/** The 4 bytes at `at` as a dotted IPv4 address. */
export function ipv4Text(bytes: Uint8Array, at = 0): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

/** 16 bytes as an IPv6 address in its compressed form (RFC 5952). */
export function ipv6Text(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  // The longest run of two or more zero words becomes "::".
  let bestStart = -1, bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((word) => word.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${
    hex.slice(bestStart + bestLength).join(":")
  }`;
}

/** Bytes as one hex string without separators, as tshark prints `data.data`. */
export function hexString(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += HEX[b];
  return text;
}

/** Options for {@linkcode hexDump}. */
export interface HexDumpOptions {
  /** At most this many bytes; a last line says how many more there were. */
  limit?: number;
}

/**
 * Bytes as hex dump lines, 16 a line: offset, hex, and the printable ASCII
 * (others as `.`), as Wireshark's packet bytes pane shows them.
 */
export function hexDump(
  bytes: Uint8Array,
  options: HexDumpOptions = {},
): string[] {
  const limit = Math.min(bytes.length, options.limit ?? bytes.length);
  const lines: string[] = [];
  for (let at = 0; at < limit; at += 16) {
    const row = bytes.subarray(at, Math.min(at + 16, limit));
    const hex = Array.from(row, (b) => HEX[b]).join(" ").padEnd(47);
    const ascii = Array.from(
      row,
      (b) => b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".",
    ).join("");
    lines.push(
      `${at.toString(16).padStart(4, "0")}  ${hex}  ${ascii}`.trimEnd(),
    );
  }
  if (limit < bytes.length) lines.push(`… (+${bytes.length - limit})`);
  return lines;
}

const utf8 = new TextDecoder();
const ESCAPES: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

/**
 * A payload as one line of text: UTF-8 (an invalid sequence shows as
 * U+FFFD), with line breaks, tabs and other control characters escaped
 * (`\n`, `\x00`), so that what a chat sends without a newline and what it
 * sends with one look different.
 */
export function payloadText(bytes: Uint8Array): string {
  return utf8.decode(bytes).replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f]/g,
    (c) => ESCAPES[c] ?? `\\x${HEX[c.charCodeAt(0)]}`,
  );
}
