/**
 * Opening UDP sockets for the roles, with failures (port in use, address not
 * on this host, no permission) turned into one-line runtime errors that say
 * what was being done.
 *
 * @example Bind a receiver's socket (opens a UDP port: type-checked only)
 * ```ts
 * import { formatAddr, openUdp } from "./socket.ts";
 *
 * export function listen(): Deno.DatagramConn {
 *   const conn = openUdp({ hostname: "0.0.0.0", port: 5005, reuseAddress: true });
 *   console.log(`listening on udp ${formatAddr(conn.addr)}`);
 *   return conn;
 * }
 * ```
 *
 * @module
 */

import { errorText, portHolderCommand, RuntimeError } from "../cli/errors.ts";
import type { Text } from "../cli/i18n.ts";

/** The largest UDP payload over IPv4 (65,535 − 8 UDP − 20 IP header bytes). */
export const MAX_DATAGRAM = 65507;

/**
 * The part of a socket the receive loop and the send loops use: a
 * `Deno.DatagramConn`, or the batch path's `BatchSocket`.
 */
export type UdpSocket = Pick<
  Deno.DatagramConn,
  "addr" | "receive" | "send" | "close"
>;

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
  const { hostname, port } = options;
  try {
    return Deno.listenDatagram({
      transport: "udp",
      hostname,
      port,
      reuseAddress: options.reuseAddress ?? false,
      loopback: options.loopback ?? false,
    });
  } catch (err) {
    const doing = {
      en: `binding udp ${hostname}:${port}`,
      id: `mengikat udp ${hostname}:${port}`,
    };
    if (err instanceof Deno.errors.AddrInUse && options.reuseAddress) {
      throw new RuntimeError(sharedPortInUse(doing, port));
    }
    throw new RuntimeError(
      errorText(err, { doing, transport: "udp", port }),
    );
  }
}

/**
 * Why a shared port can be taken, and the way out. Deno's `reuseAddress`
 * sets SO_REUSEADDR; the course's Python receivers set SO_REUSEPORT; Linux
 * lets sockets share a port only when they all set the same one, so the two
 * cannot listen on one port in either order.
 */
function sharedPortInUse(doing: Text, port: number): Text {
  const ss = portHolderCommand("udp", port);
  return {
    en:
      `${doing.en}: address already in use: another program holds this port and does not share it the same way (${ss} shows which); ` +
      "the course's Python receivers set SO_REUSEPORT, this one SO_REUSEADDR, and Linux will not mix the two: " +
      "set SO_REUSEADDR in the Python program instead, or pick another --port",
    id:
      `${doing.id}: alamat sudah dipakai: program lain memegang port ini dan tidak berbagi dengan cara yang sama (${ss} menunjukkan yang mana); ` +
      "penerima Python praktikum memakai SO_REUSEPORT, penerima ini SO_REUSEADDR, dan Linux tidak mau mencampur keduanya: " +
      "pakai SO_REUSEADDR di program Python, atau pilih --port lain",
  };
}

/** `--message` longer than one datagram holds: the usage error's text. */
export function tooLongText(bytes: number): Text {
  return {
    en:
      `--message: ${bytes} bytes is more than a UDP datagram holds (${MAX_DATAGRAM})`,
    id:
      `--message: ${bytes} byte melebihi isi satu datagram UDP (${MAX_DATAGRAM})`,
  };
}

/** `host:port` of a socket address. */
export function formatAddr(addr: Deno.Addr): string {
  const net = addr as Deno.NetAddr;
  return `${net.hostname}:${net.port}`;
}
