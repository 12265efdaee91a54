/**
 * serve's limits on its command line: the flags, their defaults (those of
 * the HTTP server, `http_server.ts`) and what they become.
 *
 * @example
 * ```ts
 * import { LIMIT_FLAGS } from "./serve_limits.ts";
 *
 * console.log(LIMIT_FLAGS["max-connections"].default); // "256"
 * ```
 *
 * @module
 */

import { intFlag, numberFlag } from "../cli/parse.ts";
import type { FlagSpec, ParsedFlags } from "../cli/parse.ts";
import { DEFAULT_LIMITS, type Limits } from "./http_server.ts";

/** `--max-connections`, `--max-per-host`, `--request-timeout`, `--stall-timeout`. */
export const LIMIT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "max-connections": {
    type: "string",
    default: String(DEFAULT_LIMITS.maxConnections),
    valueName: "N",
    help: {
      en: "most connections at once; one more is answered 503 (busy)",
      id: "koneksi terbanyak sekaligus; kelebihannya dijawab 503 (sibuk)",
    },
  },
  "max-per-host": {
    type: "string",
    default: String(DEFAULT_LIMITS.maxPerHost),
    valueName: "N",
    help: {
      en: "most connections at once from one address (0: no limit)",
      id: "koneksi terbanyak sekaligus dari satu alamat (0: tanpa batas)",
    },
  },
  "request-timeout": {
    type: "string",
    default: String(DEFAULT_LIMITS.requestTimeoutMs / 1000),
    valueName: "SECONDS",
    help: {
      en: "time a client has to send its request; then it is closed",
      id: "waktu bagi klien untuk mengirim permintaannya; lalu ditutup",
    },
  },
  "stall-timeout": {
    type: "string",
    default: String(DEFAULT_LIMITS.stallTimeoutMs / 1000),
    valueName: "SECONDS",
    help: {
      en: "time a download may take no data before it is cut off",
      id: "waktu sebuah unduhan boleh tidak mengambil data sebelum diputus",
    },
  },
};

/** The limits the flags name (a bad value: a usage error, exit 2). */
export function limitsOf(
  flags: ParsedFlags,
): Pick<
  Limits,
  "maxConnections" | "maxPerHost" | "requestTimeoutMs" | "stallTimeoutMs"
> {
  const seconds = (name: string) =>
    numberFlag(flags, name, { min: 0.05, max: 24 * 3600 })! * 1000;
  return {
    maxConnections: intFlag(flags, "max-connections", {
      min: 1,
      max: 100_000,
    })!,
    maxPerHost: intFlag(flags, "max-per-host", { min: 0, max: 100_000 })!,
    requestTimeoutMs: seconds("request-timeout"),
    stallTimeoutMs: seconds("stall-timeout"),
  };
}
