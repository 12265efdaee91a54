/**
 * Flags that several roles share, defined once so that the same flag reads
 * the same in every `--help` and cannot drift between roles.
 *
 * @example A role's flags from the shared ones
 * ```ts
 * import { listenPortFlag, SUMMARY_ONLY_FLAG } from "./common_flags.ts";
 * import { type CommandSpec, parseFlags } from "./parse.ts";
 *
 * const spec: CommandSpec = {
 *   name: "my-receiver",
 *   summary: { en: "receive datagrams", id: "terima datagram" },
 *   flags: { port: listenPortFlag(5005, "UDP"), quiet: SUMMARY_ONLY_FLAG },
 * };
 * const flags = parseFlags(["-p", "6000", "-q"], spec);
 * console.log(flags.values.port, flags.values.quiet); // 6000 true
 * ```
 *
 * @module
 */

import type { FlagSpec } from "./parse.ts";
import type { Text } from "./i18n.ts";
import { MULTICAST_GROUP } from "../ports.ts";

/** `--count N` of a listener: exit after N datagrams. */
export const DATAGRAM_COUNT_FLAG: FlagSpec = {
  type: "string",
  short: "c",
  valueName: "N",
  help: { en: "exit after N datagrams", id: "keluar setelah N datagram" },
};

/** `--duration SECONDS`: exit after that long (servers and receivers). */
export const DURATION_FLAG: FlagSpec = {
  type: "string",
  valueName: "SECONDS",
  help: {
    en: "exit after this many seconds",
    id: "keluar setelah sekian detik",
  },
};

/** `--quiet`: a flood's summary without a line per datagram. */
export const SUMMARY_ONLY_FLAG: FlagSpec = {
  type: "boolean",
  short: "q",
  help: {
    en: "print only the summary, not every datagram",
    id: "cetak ringkasan saja, bukan setiap datagram",
  },
};

/** `--bind ADDR` of a server: the local address to listen on. */
export const LISTEN_BIND_FLAG: FlagSpec = {
  type: "string",
  short: "b",
  default: "0.0.0.0",
  valueName: "ADDR",
  help: {
    en: "local address to listen on",
    id: "alamat lokal untuk mendengarkan",
  },
};

/** `--bind ADDR` of a broadcast or multicast sender: the source address. */
export const SOURCE_BIND_FLAG: FlagSpec = {
  type: "string",
  short: "b",
  default: "0.0.0.0",
  valueName: "ADDR",
  help: {
    en: "source address; picks the interface (127.0.0.1: loopback only)",
    id: "alamat sumber; memilih antarmuka (127.0.0.1: loopback saja)",
  },
};

/** `--group ADDR`: the multicast group (Lab 3's 224.1.1.1). */
export const GROUP_FLAG: FlagSpec = {
  type: "string",
  short: "g",
  default: MULTICAST_GROUP,
  valueName: "ADDR",
  help: {
    en: "multicast group (224.0.0.0 to 239.255.255.255)",
    id: "grup multicast (224.0.0.0 sampai 239.255.255.255)",
  },
};

/** `--host HOST` of a client: the server's address or name. */
export const SERVER_HOST_FLAG: FlagSpec = {
  type: "string",
  short: "H",
  default: "127.0.0.1",
  valueName: "HOST",
  help: {
    en: "server address or host name",
    id: "alamat atau nama host server",
  },
};

/** `--port PORT` of a server listening on `port` by default. */
export function listenPortFlag(
  port: number,
  transport: "UDP" | "TCP",
): FlagSpec {
  return {
    type: "string",
    short: "p",
    default: String(port),
    valueName: "PORT",
    help: {
      en: `${transport} port to listen on (0: any free port)`,
      id: `port ${transport} (0: port bebas)`,
    },
  };
}

/** `--port PORT` of a receiver that shares its port with others on the host. */
export function sharedPortFlag(port: number): FlagSpec {
  return {
    type: "string",
    short: "p",
    default: String(port),
    valueName: "PORT",
    help: {
      en:
        "UDP port, shared with other receivers on this host, not with programs that set SO_REUSEPORT (0: any free port)",
      id:
        "port UDP, dipakai bersama penerima lain di host ini, tidak dengan program yang memakai SO_REUSEPORT (0: port bebas)",
    },
  };
}

/** Whose port a sender or client sends to (see {@linkcode peerPortFlag}). */
export type Peer = "UDP server" | "TCP server" | "UDP receivers";

const PEER_PORT_HELP: Record<Peer, Text> = {
  "UDP server": { en: "server's UDP port", id: "port UDP server" },
  "TCP server": { en: "server's TCP port", id: "port TCP server" },
  "UDP receivers": { en: "receivers' UDP port", id: "port UDP penerima" },
};

/** `--port PORT` of a sender or client: the port of `peer`, `port` by default. */
export function peerPortFlag(port: number, peer: Peer): FlagSpec {
  return {
    type: "string",
    short: "p",
    default: String(port),
    valueName: "PORT",
    help: PEER_PORT_HELP[peer],
  };
}

/** `--interface ADDR`: the interface a multicast role joins on, by address. */
export const JOIN_INTERFACE_FLAG: FlagSpec = {
  type: "string",
  short: "I",
  default: "0.0.0.0",
  valueName: "ADDR",
  help: {
    en: "address of the interface to join on (0.0.0.0: the system's choice)",
    id: "alamat antarmuka untuk bergabung (0.0.0.0: pilihan sistem)",
  },
};

/** `--ttl HOPS`: a multicast sender's time to live (default 2, the module's). */
export const TTL_FLAG: FlagSpec = {
  type: "string",
  default: "2",
  valueName: "HOPS",
  help: {
    en: "time to live: how many routers a datagram may cross (0 to 255)",
    id: "time to live: berapa router yang boleh dilewati (0 sampai 255)",
  },
};
