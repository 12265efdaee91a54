/**
 * What the receive loop is told: where to print, the human lines of each
 * datagram, and when to stop. Its own module so that the loop
 * (`receiver.ts`) and the per-datagram handler it builds
 * (`_datagram_handler.ts`) both use it, without importing each other.
 *
 * @module
 */

import type { Output } from "../cli/output.ts";

/**
 * Human lines for one datagram: the sender's address and port and the
 * payload, already escaped for display. `text` must appear in the lines as it
 * is (interpolated, not measured or cut): the receive loop builds each
 * sender's lines once, with a marker in its place, for a flood's fast path.
 */
export type DatagramLines = (
  address: string,
  port: number,
  text: string,
) => string[];

/** Options for {@linkcode receiveLoop}. */
export interface ReceiveOptions {
  /** Where to print. */
  out: Output;
  /** Human lines for each datagram (not used with `--json` or `quiet`). */
  lines: DatagramLines;
  /** Stop after this many datagrams. */
  count?: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Print nothing per datagram, only the summary (for floods). */
  quiet?: boolean;
  /** Prints more about the datagram just shown (`--show-ttl`). */
  afterEach?: () => void;
}
