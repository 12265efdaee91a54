/**
 * Opening UDP sockets for the roles, with failures (port in use, address not
 * on this host, no permission) turned into one-line runtime errors that say
 * what was being done.
 *
 * @module
 */

import { describeError, RuntimeError } from "./errors.ts";

/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_DATAGRAM = 65507;

/** Options for {@linkcode openUdp}. */
export interface OpenUdpOptions {
  /** Local address to bind. */
  hostname: string;
  /** Local port (0: any free port). */
  port: number;
  /** Share the port with other receivers on this host (SO_REUSEADDR). */
  reuseAddress?: boolean;
  /** Deliver our own multicast datagrams to receivers on this host too. */
  loopback?: boolean;
}

/**
 * Binds a UDP socket. Throws a {@linkcode RuntimeError} naming the address
 * when the system refuses (exit code 1).
 */
export function openUdp(options: OpenUdpOptions): Deno.DatagramConn {
  try {
    return Deno.listenDatagram({
      transport: "udp",
      hostname: options.hostname,
      port: options.port,
      reuseAddress: options.reuseAddress ?? false,
      loopback: options.loopback ?? false,
    });
  } catch (err) {
    throw new RuntimeError(
      describeError(err, {
        doing: `binding udp ${options.hostname}:${options.port}`,
      }),
    );
  }
}

/** `host:port` of a socket address. */
export function formatAddr(addr: Deno.Addr): string {
  const net = addr as Deno.NetAddr;
  return `${net.hostname}:${net.port}`;
}
