/**
 * Exit codes and the errors that carry them.
 *
 * Every program in this toolkit ends with one of three codes, so that scripts
 * and the lab runner can tell a typo from a network failure:
 *
 * | code | meaning                                                    |
 * | ---- | ---------------------------------------------------------- |
 * | 0    | success (including a clean stop by Ctrl+C or SIGTERM)      |
 * | 1    | runtime failure: port in use, no reply, peer gone, …       |
 * | 2    | usage error: bad flag, port, address, file; nothing was sent |
 *
 * @example Turn a thrown value into one line and an exit code
 * ```ts
 * import { describeError, exitCodeOf, UsageError } from "./errors.ts";
 *
 * const err = new UsageError({ en: "--port: expected a port", id: "--port: harus port" });
 * console.log(describeError(err, { lang: "id" })); // "--port: harus port"
 * console.log(exitCodeOf(err)); // 2
 * console.log(exitCodeOf(new Error("boom"))); // 1
 * ```
 *
 * @module
 */

import type { Lang, Text } from "./i18n.ts";

/** The program did what it was asked. */
export const EXIT_OK = 0;
/** A runtime failure: the network, a peer or the system said no. */
export const EXIT_FAILURE = 1;
/** The command line (or an input file) is wrong; nothing was done. */
export const EXIT_USAGE = 2;

/** A message for the user: one text, or the same text in both languages. */
export type Message = string | Text;

/** `message` as a {@linkcode Text}; a plain string stands for both languages. */
export function textOf(message: Message): Text {
  return typeof message === "string" ? { en: message, id: message } : message;
}

/** A mistake in the command line or an input file: exit code 2. */
export class UsageError extends Error {
  /** The message in both languages (`message` is the English one). */
  readonly text: Text;

  /** Creates a usage error with a one-line message. */
  constructor(message: Message) {
    const text = textOf(message);
    super(text.en);
    this.name = "UsageError";
    this.text = text;
  }
}

/** A failure at run time that has already been put into words: exit code 1. */
export class RuntimeError extends Error {
  /** The message in both languages (`message` is the English one). */
  readonly text: Text;

  /** Creates a runtime error with a one-line message. */
  constructor(message: Message) {
    const text = textOf(message);
    super(text.en);
    this.name = "RuntimeError";
    this.text = text;
  }
}

/** Options for {@linkcode describeError} and {@linkcode errorText}. */
export interface DescribeOptions {
  /** What was being done, e.g. `"binding 0.0.0.0:5005"`; put in front of the reason. */
  doing?: Message;
  /** The language of the line; default English. */
  lang?: Lang;
  /**
   * The socket's transport, for a port already in use: `ss -tlpn` shows who
   * holds a TCP port, `ss -ulpn` a UDP one (the default).
   */
  transport?: "tcp" | "udp";
  /** The port, for a port already in use: `ss … 'sport = :PORT'` then shows just it. */
  port?: number;
}

/**
 * Turns any thrown value into one line a student can act on, without a stack
 * trace. Known Deno error classes get a plain-language reason.
 */
export function describeError(
  err: unknown,
  options: DescribeOptions = {},
): string {
  return errorText(err, options)[options.lang ?? "en"];
}

/**
 * {@linkcode describeError} in both languages, e.g. to wrap in a
 * {@linkcode RuntimeError} that is printed later in the user's language.
 */
export function errorText(
  err: unknown,
  options: DescribeOptions = {},
): Text {
  const reason = reasonOf(err, options);
  if (options.doing === undefined) return reason;
  const doing = textOf(options.doing);
  return { en: `${doing.en}: ${reason.en}`, id: `${doing.id}: ${reason.id}` };
}

/** The word in front of an error line: `udp-server: error: …`. */
export const ERROR_WORD: Text = { en: "error", id: "galat" };

/**
 * The `ss` command that names the program holding a port: `ss -tlpn` for
 * TCP listeners, `ss -ulpn` for UDP sockets, narrowed to the port if known.
 */
export function portHolderCommand(
  transport: "tcp" | "udp",
  port?: number,
): string {
  const ss = transport === "tcp" ? "ss -tlpn" : "ss -ulpn";
  return port === undefined || port === 0 ? ss : `${ss} 'sport = :${port}'`;
}

/** Returns the exit code that fits a thrown value. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

function reasonOf(err: unknown, options: DescribeOptions): Text {
  if (err instanceof UsageError || err instanceof RuntimeError) {
    return err.text;
  }
  const detail = firstLine(err instanceof Error ? err.message : String(err));
  // The system's own words are English; the Indonesian line keeps only the
  // error number from them.
  const code = /os error \d+/.exec(detail)?.[0];
  const idDetail = code ? ` (${code})` : "";
  if (err instanceof Deno.errors.AddrInUse) {
    const ss = portHolderCommand(options.transport ?? "udp", options.port);
    return {
      en:
        `address already in use (another program has this port: ${ss} shows which; stop it or pick another --port)`,
      id:
        `alamat sudah dipakai (program lain memegang port ini: ${ss} menunjukkan yang mana; hentikan atau pilih --port lain)`,
    };
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return {
      en: "address not available on this host (check --bind / --interface)",
      id: "alamat tidak ada di host ini (periksa --bind / --interface)",
    };
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return {
      en: `permission denied (${detail})`,
      id: `izin ditolak${idDetail}`,
    };
  }
  if (err instanceof Deno.errors.NotCapable) {
    return {
      en: `missing Deno permission (${detail})`,
      id: `izin Deno kurang (${detail})`,
    };
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return {
      en: "connection refused (is the server running on that host and port?)",
      id: "koneksi ditolak (apakah server berjalan di host dan port itu?)",
    };
  }
  if (err instanceof Deno.errors.ConnectionReset) {
    return {
      en: "connection reset by peer",
      id: "koneksi diputus oleh pihak lain",
    };
  }
  if (err instanceof Deno.errors.NetworkUnreachable) {
    return {
      en: "network unreachable (no route to that address from this host)",
      id:
        "jaringan tidak terjangkau (tidak ada rute ke alamat itu dari host ini)",
    };
  }
  if (/os error 19\b/.test(detail)) {
    return {
      en: "no such interface (ENODEV)",
      id: "antarmuka itu tidak ada (ENODEV)",
    };
  }
  if (err instanceof Deno.errors.NotFound) {
    return { en: `not found (${detail})`, id: `tidak ditemukan${idDetail}` };
  }
  return { en: detail, id: detail };
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0].trim();
  return line === "" ? "unknown error" : line;
}
