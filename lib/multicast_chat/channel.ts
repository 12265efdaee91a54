/**
 * `--channel NAME`: a name everyone can type, mapped to a multicast group
 * the same way on every host. The name (lower case) is hashed with 32-bit
 * FNV-1a and the hash's low 24 bits fill 239.x.y.z, the administratively
 * scoped range (RFC 2365) that routers keep inside a site. 24 bits leave
 * room for collisions: two names can share a group (about one pair in
 * 16 million); peers on a shared group see each other's messages.
 *
 * @example Every host computes the same group
 * ```ts
 * import { channelGroup } from "./channel.ts";
 *
 * console.log(channelGroup("kelas")); // "239.x.y.z", the same everywhere
 * console.log(channelGroup("Kelas") === channelGroup("kelas")); // true
 * ```
 *
 * @module
 */

/** The longest channel name, in characters. */
export const MAX_CHANNEL_LENGTH = 32;

const CHANNEL = /^[A-Za-z0-9_.-]+$/;

/** Why a channel name is refused, or `undefined` if it is fine. */
export function channelProblem(name: string): string | undefined {
  if (
    name.length === 0 || name.length > MAX_CHANNEL_LENGTH ||
    !CHANNEL.test(name)
  ) {
    return `1-${MAX_CHANNEL_LENGTH}`;
  }
  return undefined;
}

/** The group of channel `name`: 239.x.y.z from FNV-1a of the lower-case name. */
export function channelGroup(name: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name.toLowerCase())) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `239.${(hash >>> 16) & 255}.${(hash >>> 8) & 255}.${hash & 255}`;
}
