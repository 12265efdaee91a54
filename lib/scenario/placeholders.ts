/**
 * The placeholders of a topology file's flag values and input lines
 * (`{host}`, `{address}`, …): which exist, and what they stand for on a host.
 *
 * @example Fill a flag value in for one host
 * ```ts
 * import { fillPlaceholders, placeholderValues } from "./placeholders.ts";
 * import { parseTopology } from "./topology.ts";
 *
 * const topology = parseTopology(
 *   "network: { subnet: 10.1.0.0/24 }\nhosts:\n  alpine-1: 10.1.0.11\n",
 * );
 * const values = placeholderValues(topology, topology.hosts[0]);
 * console.log(fillPlaceholders("{host} sends to {broadcast}", values));
 * // "alpine-1 sends to 10.1.0.255"
 * ```
 *
 * @module
 */

import type { LabHost, Topology } from "./types.ts";

/** The placeholders allowed in flag values and input lines. */
export const PLACEHOLDERS = [
  "host",
  "address",
  "broadcast",
  "network",
  "subnet",
] as const;

/**
 * The values placeholders stand for on one host: its own name and address,
 * and its subnet's (its segment's, on a lab of several).
 */
export function placeholderValues(
  topology: Topology,
  host: LabHost,
): Record<(typeof PLACEHOLDERS)[number], string> {
  const subnet = topology.segments?.find((s) => s.name === host.segment)
    ?.subnet ?? topology.subnet;
  return {
    host: host.name,
    address: host.address,
    broadcast: subnet.broadcast,
    network: subnet.network,
    subnet: subnet.cidr,
  };
}

/** Replaces `{host}`, `{address}`, … in `text`. */
export function fillPlaceholders(
  text: string,
  values: Record<string, string>,
): string {
  return text.replace(/\{([a-z]+)\}/g, (whole, name) => values[name] ?? whole);
}
