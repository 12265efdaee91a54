/**
 * The lab's wire payloads. These are the course's own strings and are never
 * translated: the broadcast lab's sender sends `" BROADCAST ini angka N "`
 * (note the spaces) with N counting up from 1.
 *
 * @example Number the broadcast lab's payloads and read them back
 * ```ts
 * import { broadcastPayload, parseSequence } from "./payload.ts";
 *
 * const payload = broadcastPayload(7); // " BROADCAST ini angka 7 "
 * console.log(parseSequence(new TextEncoder().encode(payload))); // 7
 * ```
 *
 * @module
 */

/** The UDP lab's request ("Hello World") and reply ("Get off my lawn!"). */
export const UDP_REQUEST = "Hello World";
/** The UDP server's reply in the lecture slides. */
export const UDP_REPLY = "Get off my lawn!";
/** Lab 1's broadcast sender payload. */
export const BROADCAST_GREETING = "Halo Dunia!";

/** The broadcast lab's payload for sequence number `n`. */
export function broadcastPayload(n: number): string {
  return ` BROADCAST ini angka ${n} `;
}

const PREFIX = " BROADCAST ini angka ";
/** Where the numbered payloads' digits end in their buffer. */
const DIGITS_END = PREFIX.length + 16;

/**
 * The broadcast lab's payloads as bytes, numbered 1, 2, 3, … in one reused
 * buffer: each {@linkcode NumberedPayloads.next} rewrites only the digits
 * that change, as an odometer does, so a flood neither builds a string nor
 * encodes one per datagram. The bytes equal
 * `new TextEncoder().encode(broadcastPayload(n))`.
 */
export class NumberedPayloads {
  // The prefix, up to 16 digits ending at DIGITS_END, and " ".
  #buffer = new Uint8Array(DIGITS_END + 1);
  #first = DIGITS_END;
  #n = 0;

  /** Starts before number 1. */
  constructor() {
    this.#buffer[DIGITS_END] = 0x20;
  }

  /** The number of the payload last returned (0 before the first). */
  get number(): number {
    return this.#n;
  }

  /**
   * The next payload. Its bytes are valid until the next call (the buffer
   * is reused); up to 10^16 - 1, beyond any count a flood reaches.
   */
  next(): Uint8Array<ArrayBuffer> {
    const buffer = this.#buffer;
    let i = DIGITS_END - 1;
    while (i >= this.#first && buffer[i] === 0x39) buffer[i--] = 0x30;
    if (i >= this.#first) {
      buffer[i]++;
    } else {
      // One digit more: a leading 1, and the prefix moves left by one.
      buffer[i] = 0x31;
      this.#first = i;
      for (let j = 0; j < PREFIX.length; j++) {
        buffer[i - PREFIX.length + j] = PREFIX.charCodeAt(j);
      }
    }
    this.#n++;
    return buffer.subarray(this.#first - PREFIX.length, DIGITS_END + 1);
  }
}

/**
 * Reads the sequence number from a broadcast-lab payload, or returns
 * `undefined` if the datagram is not one (so it counts as invalid).
 * Works on bytes, without decoding, since it runs for every datagram.
 */
export function parseSequence(bytes: Uint8Array): number | undefined {
  const length = bytes.length;
  // " BROADCAST ini angka " + digits + " "
  if (length < PREFIX.length + 2 || length > PREFIX.length + 16) {
    return undefined;
  }
  for (let i = 0; i < PREFIX.length; i++) {
    if (bytes[i] !== PREFIX.charCodeAt(i)) return undefined;
  }
  if (bytes[length - 1] !== 0x20) return undefined;
  let n = 0;
  for (let i = PREFIX.length; i < length - 1; i++) {
    const digit = bytes[i] - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n >= 1 ? n : undefined;
}
