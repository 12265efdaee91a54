/**
 * The flags that choose the batch path (`--io batch`, `batch_socket.ts`)
 * and its receivers' extras (`--rcvbuf`, `--show-ttl`), shared by the
 * broadcast and multicast roles, and the lines the extras print.
 *
 * @example A receiver's choice of path
 * ```ts
 * import { parseFlags } from "../cli/parse.ts";
 * import { ioChoice, RECEIVER_IO_FLAGS } from "./io_flags.ts";
 *
 * const spec = { name: "r", summary: { en: "r", id: "r" }, flags: RECEIVER_IO_FLAGS };
 * const io = ioChoice(parseFlags(["--io", "batch", "--show-ttl"], spec));
 * console.log(io.batch, io.showTtl); // true true
 * ```
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { type FlagSpec, intFlag, type ParsedFlags } from "../cli/parse.ts";
import { castOf, type Delivery } from "./batch_socket.ts";

/** The receive buffer the batch path asks for without `--rcvbuf`: 4 MiB. */
export const DEFAULT_RCVBUF = 4 * 1024 * 1024;

/** `--io plain|batch`: Deno's sockets, or the C library's batched calls. */
export const IO_FLAG: FlagSpec = {
  type: "string",
  default: "plain",
  valueName: "plain|batch",
  help: {
    en:
      "batch: up to 64 datagrams per system call through FFI (needs --allow-ffi: the :batch task; the progjar packs grant it)",
    id:
      "batch: sampai 64 datagram per panggilan sistem lewat FFI (perlu --allow-ffi: task :batch; paket progjar memberikannya)",
  },
};

/** The receivers' batch flags: `--io`, `--rcvbuf`, `--show-ttl`. */
export const RECEIVER_IO_FLAGS: Readonly<Record<string, FlagSpec>> = {
  io: IO_FLAG,
  rcvbuf: {
    type: "string",
    valueName: "BYTES",
    help: {
      en:
        `with --io batch: receive buffer to ask for (default ${DEFAULT_RCVBUF}; net.core.rmem_max caps it)`,
      id:
        `dengan --io batch: buffer penerimaan yang diminta (bawaan ${DEFAULT_RCVBUF}; dibatasi net.core.rmem_max)`,
    },
  },
  "show-ttl": {
    type: "boolean",
    help: {
      en:
        "with --io batch: after each datagram, its TTL and destination (broadcast, multicast or unicast)",
      id:
        "dengan --io batch: setelah tiap datagram, TTL dan tujuannya (broadcast, multicast atau unicast)",
    },
  },
};

/** The path chosen on the command line. */
export interface IoChoice {
  /** `--io batch`. */
  batch: boolean;
  /** The receive buffer to ask for (receivers on the batch path). */
  rcvbuf?: number;
  /** `--show-ttl`. */
  showTtl: boolean;
}

/**
 * Reads `--io` (and a receiver's `--rcvbuf`, `--show-ttl`). Throws a
 * {@linkcode UsageError} for another `--io` value, or for a batch-only flag
 * without `--io batch`.
 */
export function ioChoice(flags: ParsedFlags): IoChoice {
  const io = flags.values.io;
  if (io !== "plain" && io !== "batch") {
    throw new UsageError({
      en: `--io: expected plain or batch, got '${io}'`,
      id: `--io: seharusnya plain atau batch, bukan '${io}'`,
    });
  }
  const batch = io === "batch";
  const showTtl = flags.values["show-ttl"] === true;
  const rcvbuf = intFlag(flags, "rcvbuf", { min: 1, max: 1 << 30 });
  for (const [name, given] of [["rcvbuf", rcvbuf], ["show-ttl", showTtl]]) {
    if (!batch && given !== undefined && given !== false) {
      throw new UsageError({
        en: `--${name} needs --io batch`,
        id: `--${name} perlu --io batch`,
      });
    }
  }
  return {
    batch,
    rcvbuf: batch ? rcvbuf ?? DEFAULT_RCVBUF : undefined,
    showTtl,
  };
}

const TEXT = {
  en: {
    rcvbuf: (granted: number, asked: number) =>
      `receive buffer: ${granted} bytes in force (asked ${asked}; Linux doubles it and caps it by net.core.rmem_max)`,
    delivery: (ttl: string, to: string, cast: string) =>
      `  TTL ${ttl}, to ${to} (${cast})`,
  },
  id: {
    rcvbuf: (granted: number, asked: number) =>
      `buffer penerimaan: ${granted} byte berlaku (diminta ${asked}; Linux menggandakannya dan membatasinya dengan net.core.rmem_max)`,
    delivery: (ttl: string, to: string, cast: string) =>
      `  TTL ${ttl}, ke ${to} (${cast})`,
  },
};

/** Prints the receive buffer in force: a line, and a `rcvbuf` record. */
export function printRcvbuf(
  out: Output,
  sizes: { granted: number; asked: number },
  lang: Lang,
): void {
  out.line(TEXT[lang].rcvbuf(sizes.granted, sizes.asked));
  out.record({ type: "rcvbuf", bytes: sizes.granted, asked: sizes.asked });
}

/**
 * Prints how one datagram arrived (`--show-ttl`): a line under its lines,
 * and a `delivery` record after its `datagram` record. `broadcasts` are
 * this host's networks' broadcast addresses.
 */
export function printDelivery(
  out: Output,
  delivery: Delivery,
  options: { lang: Lang; broadcasts: readonly string[] },
): void {
  const to = delivery.to;
  const cast = to === undefined ? undefined : castOf(to, options.broadcasts);
  out.line(
    TEXT[options.lang].delivery(
      delivery.ttl === undefined ? "?" : String(delivery.ttl),
      to ?? "?",
      cast ?? "?",
    ),
  );
  out.record({
    type: "delivery",
    ttl: delivery.ttl ?? null,
    to: to ?? null,
    cast: cast ?? null,
  });
}
