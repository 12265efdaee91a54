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
