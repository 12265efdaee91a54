/**
 * How far a VM's clock was off the host's, in words, as `lab report --list`
 * and the report both say it (QEMU VMs with no NTP can be minutes off; the
 * times shown are always on the host's clock).
 *
 * @example
 * ```ts
 * import { clockOffText } from "./clock.ts";
 *
 * console.log(clockOffText({ min: 183_000, max: 183_000 }, "en")); // 3 min 3 s behind the host's
 * console.log(clockOffText({ min: -2_500, max: -2_400 }, "id")); // 2,5 dtk mendahului jam host
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";

/** A clock this close to the host's is not worth a word. */
export const CLOCK_NOTED_MS = 1000;

/** A duration as `3 min 3 s`, `2.5 s`, `1 h 2 min` (`id`: mnt, dtk, j). */
export function durationText(ms: number, lang: Lang): string {
  const id = lang === "id";
  const abs = Math.abs(ms);
  const [h, min, s] = id ? ["j", "mnt", "dtk"] : ["h", "min", "s"];
  if (abs < 60_000) {
    const value = (Math.round(abs / 100) / 10).toString();
    return `${id ? value.replace(".", ",") : value} ${s}`;
  }
  const total = Math.round(abs / 1000);
  const parts = [
    [Math.floor(total / 3600), h],
    [Math.floor(total / 60) % 60, min],
    [total % 60, s],
  ] as const;
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n} ${unit}`)
    .join(" ");
}

/**
 * How far a VM's clock was off, from `offset` (the host's clock minus the
 * VM's: positive, the VM is behind): `3 min 3 s behind the host's`, or
 * `between 2 s and 3 min behind` when it moved.
 */
export function clockOffText(
  offset: { min: number; max: number },
  lang: Lang,
): string {
  const id = lang === "id";
  const way = (ms: number) =>
    ms >= 0
      ? (id ? "tertinggal dari jam host" : "behind the host's")
      : (id ? "mendahului jam host" : "ahead of the host's");
  const same = offset.max - offset.min < CLOCK_NOTED_MS ||
    Math.sign(offset.min) !== Math.sign(offset.max);
  if (same) {
    const ms = Math.abs(offset.max) >= Math.abs(offset.min)
      ? offset.max
      : offset.min;
    return `${durationText(ms, lang)} ${way(ms)}`;
  }
  const [near, far] = Math.abs(offset.min) <= Math.abs(offset.max)
    ? [offset.min, offset.max]
    : [offset.max, offset.min];
  return id
    ? `antara ${durationText(near, lang)} dan ${durationText(far, lang)} ${
      way(far)
    }`
    : `between ${durationText(near, lang)} and ${durationText(far, lang)} ${
      way(far)
    }`;
}
