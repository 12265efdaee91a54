/**
 * The two languages of the user interface: English and Indonesian (the
 * course's own language). Wire payloads are never translated; only what the
 * programs say to the person at the terminal is.
 *
 * @example Pick a text in the user's language
 * ```ts
 * import { detectLang, plural, type Text } from "./i18n.ts";
 *
 * const hello: Text = { en: "listening", id: "mendengarkan" };
 * console.log(hello[detectLang()]); // from LC_ALL, LC_MESSAGES or LANG
 * console.log(plural(2, "datagram", "datagrams")); // "2 datagrams"
 * ```
 *
 * @module
 */

/** A user-interface language. */
export type Lang = "en" | "id";

/** The languages `--lang` accepts. */
export const LANGS: readonly Lang[] = ["en", "id"];

/** A piece of UI text in both languages. */
export interface Text {
  /** English. */
  en: string;
  /** Indonesian. */
  id: string;
}

/**
 * Picks the language from the locale environment (`LC_ALL`, `LC_MESSAGES`,
 * `LANG`, in that order, as POSIX does): Indonesian for `id_*`, English
 * otherwise. Variables the program may not read count as unset.
 */
export function detectLang(): Lang {
  for (const name of ["LC_ALL", "LC_MESSAGES", "LANG"]) {
    const value = readEnv(name);
    if (value) return value.toLowerCase().startsWith("id") ? "id" : "en";
  }
  return "en";
}

/** Returns whether `value` names a supported language. */
export function isLang(value: string): value is Lang {
  return (LANGS as readonly string[]).includes(value);
}

/**
 * Reads an environment variable, returning `undefined` instead of throwing
 * when the program was not granted access to it (compiled roles get only
 * the locale variables).
 */
export function readEnv(name: string): string | undefined {
  const state = Deno.permissions.querySync({ name: "env", variable: name });
  if (state.state !== "granted") return undefined;
  return Deno.env.get(name);
}

/**
 * `n` and the English noun in its number: `plural(1, "datagram",
 * "datagrams")` is `"1 datagram"`, any other count takes `many`.
 * Indonesian nouns do not inflect: its texts write the count and the noun.
 */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
