/**
 * A receiver's socket on the path `--io` chose: Deno's own socket, or the
 * batch socket with its receive buffer and, with `--show-ttl`, each
 * datagram's TTL and destination. What the broadcast and multicast
 * receivers share between parsing their flags and their receive loop.
 *
 * @example Open a receiver's socket the way `--io plain` does
 * ```ts
 * import { openReceiver } from "./receiver_socket.ts";
 *
 * // Only defined here: running it would bind a port.
 * function listen() {
 *   return openReceiver({ batch: false, showTtl: false }, {
 *     hostname: "127.0.0.1",
 *     port: 0,
 *   });
 * }
 * ```
 *
 * @module
 */

import { localNetworks } from "../cli/address.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { type BatchSocket, openBatch } from "./batch_socket.ts";
import { collectGarbage } from "./collect_garbage.ts";
import { type IoChoice, printDelivery, printRcvbuf } from "./io_flags.ts";
import { openUdp } from "./socket.ts";

/** A receiver's socket, and the same socket again when it is a batch one. */
export interface ReceiverSocket {
  /** The socket to receive on (and to join a group with). */
  conn: Deno.DatagramConn | BatchSocket;
  /** Set on the batch path: what only it can tell. */
  batch?: BatchSocket;
}

/** Where {@linkcode openReceiver} binds. */
export interface ReceiverAddress {
  /** Local address. */
  hostname: string;
  /** Local port (0: any free port). */
  port: number;
}

/**
 * Opens a receiver's socket on the path `io` chose, sharing the port with
 * other receivers. V8's costly first collection runs here, before the
 * socket exists, rather than in the middle of the first flood.
 */
export function openReceiver(
  io: IoChoice,
  address: ReceiverAddress,
): ReceiverSocket {
  collectGarbage();
  if (!io.batch) return { conn: openUdp({ ...address, reuseAddress: true }) };
  const batch = openBatch({
    ...address,
    share: true,
    rcvbuf: io.rcvbuf,
    showTtl: io.showTtl,
  });
  return { conn: batch, batch };
}

/** Options for {@linkcode printReceiverDetails} and {@linkcode deliveryPrinter}. */
export interface DetailsOptions {
  /** The `--io` choice the socket was opened with. */
  io: IoChoice;
  /** The language of the lines. */
  lang: Lang;
}

/** Prints the receive buffer in force, on the batch path (nothing otherwise). */
export function printReceiverDetails(
  out: Output,
  socket: ReceiverSocket,
  options: DetailsOptions,
): void {
  if (socket.batch === undefined) return;
  printRcvbuf(
    out,
    { granted: socket.batch.rcvbuf(), asked: options.io.rcvbuf! },
    options.lang,
  );
}

/**
 * With `--show-ttl` on the batch path, a function printing the last
 * datagram's TTL and destination (for `receiveLoop`'s `afterEach`);
 * `undefined` otherwise.
 */
export function deliveryPrinter(
  out: Output,
  socket: ReceiverSocket,
  options: DetailsOptions,
): (() => void) | undefined {
  const batch = socket.batch;
  if (batch === undefined || !options.io.showTtl) return undefined;
  const broadcasts = localNetworks().map((net) => net.broadcast);
  return () =>
    printDelivery(out, batch.lastDelivery(), {
      lang: options.lang,
      broadcasts,
    });
}
