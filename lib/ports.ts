/**
 * Where the labs meet: the course's default ports (UDP, broadcast,
 * multicast, the TCP chat) and Lab 3's multicast group. The roles' flags
 * default to these, so a lab host and the course's Python programs agree
 * without any flag.
 *
 * @example The broadcast lab's port and the multicast group
 * ```ts
 * import { MULTICAST_GROUP, PORTS } from "./ports.ts";
 *
 * console.log(PORTS.broadcast); // 5005
 * console.log(MULTICAST_GROUP); // "224.1.1.1"
 * ```
 *
 * @module
 */

/** Lab ports: UDP (Lab 1), broadcast, multicast, and the TCP chat. */
export const PORTS = {
  udp: 10000,
  broadcast: 5005,
  multicast: 5004,
  chat: 8080,
} as const;

/** Lab 3's multicast group. */
export const MULTICAST_GROUP = "224.1.1.1";
