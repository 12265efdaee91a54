/**
 * The date on the cover: in the local time zone, with the zone's name as
 * Indonesians write it (WIB, WITA, WIT), otherwise Intl's short name.
 *
 * @example
 * ```ts
 * import { formatWhen, zoneName } from "./cover.ts";
 *
 * console.log(zoneName("Asia/Makassar", new Date(0))); // WITA
 * console.log(formatWhen(new Date("2026-01-02T03:04:05Z"), "en", "Asia/Jakarta"));
 * // 2 January 2026, 10:04 WIB
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";

/** Indonesia's three zones, by their IANA names. */
const INDONESIA: Record<string, string> = {
  "Asia/Jakarta": "WIB",
  "Asia/Pontianak": "WIB",
  "Asia/Makassar": "WITA",
  "Asia/Jayapura": "WIT",
};

/**
 * The machine's time zone: `TZ` when it may be read and names a zone Intl
 * knows, otherwise what Intl resolved (which also follows `TZ`).
 */
export function localTimeZone(): string {
  try {
    const granted =
      Deno.permissions.querySync({ name: "env", variable: "TZ" }).state ===
        "granted";
    const tz = granted ? Deno.env.get("TZ")?.replace(/^:/, "") : undefined;
    if (tz) {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return tz;
    }
  } catch {
    // an unknown TZ: Intl's own choice below
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC";
}

/** The zone's name at `date`: WIB/WITA/WIT, or Intl's short name (UTC, CET, GMT+8). */
export function zoneName(timeZone: string, date: Date): string {
  if (INDONESIA[timeZone]) return INDONESIA[timeZone];
  const part = new Intl.DateTimeFormat("en-US", {
    timeZone,
    timeZoneName: "short",
  }).formatToParts(date).find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** `date` as a reader expects it: day, month name, year, time and zone. */
export function formatWhen(
  date: Date,
  lang: Lang,
  timeZone: string = localTimeZone(),
): string {
  const day = new Intl.DateTimeFormat(lang === "id" ? "id-ID" : "en-GB", {
    timeZone,
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(date);
  const time = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(date);
  return `${day}, ${lang === "id" ? time.replace(":", ".") : time} ${
    zoneName(timeZone, date)
  }`;
}
