/**
 * Command-line flags for every role: one declarative spec per program gives
 * parsing (strict, as `node:util` parseArgs; see `_parse_args.ts`), defaults, checking and `--help`
 * in English and Indonesian. Every program also takes `--help`, `--json`
 * and `--lang`.
 *
 * @example Parse a command line and read its flags
 * ```ts
 * import { type CommandSpec, formatHelp, intFlag, parseFlags } from "./parse.ts";
 *
 * const spec: CommandSpec = {
 *   name: "probe",
 *   summary: { en: "a probe", id: "sebuah probe" },
 *   flags: {
 *     count: { type: "string", valueName: "N", help: { en: "how many", id: "berapa" } },
 *   },
 * };
 * const flags = parseFlags(["--count", "3", "--lang", "id"], spec);
 * console.log(intFlag(flags, "count", { min: 1 })); // 3
 * console.log(flags.lang); // "id"
 * console.log(formatHelp(spec, "en").split("\n", 1)[0]); // "probe: a probe"
 * ```
 *
 * @module
 */

import { parseArgs } from "./_parse_args.ts";
import { textOf, UsageError } from "./errors.ts";
import { detectLang, isLang, type Lang, type Text } from "./i18n.ts";
import { tableLines } from "./table.ts";

/** One flag of a program. */
export interface FlagSpec {
  /** `string` takes a value (`--port 5005` or `--port=5005`); `boolean` does not. */
  type: "string" | "boolean";
  /** A one-letter alias, e.g. `"p"` for `-p`. */
  short?: string;
  /** The default value, shown in `--help`. */
  default?: string | boolean;
  /** A name for the value in `--help`, e.g. `PORT`. */
  valueName?: string;
  /** What the flag does. */
  help: Text;
}

/** A program's command line: its name, purpose, flags and examples. */
export interface CommandSpec {
  /** The role name, e.g. `udp-server`. */
  name: string;
  /** One line on what the program does. */
  summary: Text;
  /** The program's own flags (the common ones are added). */
  flags: Record<string, FlagSpec>;
  /** What follows the name in `--help`'s usage line; default `[flags]`. */
  usage?: Text;
  /** Example command lines shown in `--help`. */
  examples?: string[];
  /** Extra `--help` text (exit codes are always listed). */
  notes?: Text;
  /**
   * Whether the program takes operands, words that are not flags (e.g.
   * `lab exec HOST -- COMMAND`). Without it, an operand is a usage error.
   */
  operands?: boolean;
}

/** The parsed command line. */
export interface ParsedFlags {
  /** Values by flag name; defaults filled in. */
  values: Record<string, string | boolean | undefined>;
  /** The UI language, from `--lang` or the locale. */
  lang: Lang;
  /** Whether `--json` was given. */
  json: boolean;
  /** Whether `--json-text` was given: human lines too, as `text` records. */
  jsonText: boolean;
  /** Whether `--help` was given (nothing else was checked). */
  help: boolean;
  /** The operands before any `--`, in order (only with `spec.operands`). */
  operands: string[];
  /** Every argument after the first `--`, untouched (only with `spec.operands`). */
  afterDash: string[];
}

/** The flags every program takes besides its own: `--json`, `--json-text`, `--lang`, `--help`. */
export const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  json: {
    type: "boolean",
    help: {
      en: "print one JSON object per line",
      id: "cetak satu objek JSON per baris",
    },
  },
  "json-text": {
    type: "boolean",
    help: {
      en:
        'with --json: also every human line, as {"type":"text"} records (for transcripts)',
      id:
        'dengan --json: juga setiap baris untuk manusia, sebagai rekaman {"type":"text"} (untuk transkrip)',
    },
  },
  lang: {
    type: "string",
    valueName: "en|id",
    help: {
      en: "language of messages (default from LANG)",
      id: "bahasa pesan (bawaan dari LANG)",
    },
  },
  help: {
    type: "boolean",
    short: "h",
    help: {
      en: "show this help and exit",
      id: "tampilkan bantuan ini lalu keluar",
    },
  },
};

/**
 * Parses `args` against `spec`. Unknown flags, missing values and stray
 * arguments throw a {@linkcode UsageError}; checking the values themselves
 * (ports, addresses, …) is left to the program, through the helpers below.
 */
export function parseFlags(args: string[], spec: CommandSpec): ParsedFlags {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string }
  > = {};
  for (const [name, flag] of Object.entries(flags)) {
    options[name] = flag.short
      ? { type: flag.type, short: flag.short }
      : { type: flag.type };
  }
  const dash = spec.operands ? args.indexOf("--") : -1;
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(dash === -1 ? args : args.slice(0, dash), flags),
      options,
      strict: true,
      allowPositionals: spec.operands === true,
    });
  } catch (err) {
    throw new UsageError(translateParseError(err, Object.keys(flags)));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(flags)) {
    values[name] = parsed.values[name] ?? flag.default;
  }
  const langValue = values.lang;
  let lang = detectLang();
  if (typeof langValue === "string") {
    if (!isLang(langValue)) {
      throw new UsageError({
        en: `--lang: expected "en" or "id", got "${langValue}"`,
        id: `--lang: harus "en" atau "id", bukan "${langValue}"`,
      });
    }
    lang = langValue;
  }
  return {
    values,
    lang,
    json: values.json === true,
    jsonText: values["json-text"] === true,
    help: values.help === true,
    operands: parsed.positionals,
    afterDash: dash === -1 ? [] : args.slice(dash + 1),
  };
}

/**
 * The language of a command line before it is parsed: `--lang en|id` (or
 * `--lang=…`) among `args`, else the locale's. Lets a mistake in the flags
 * themselves be told in the language asked for.
 */
export function langOfArgs(args: string[]): Lang {
  for (let i = 0; i < args.length && args[i] !== "--"; i++) {
    const value = args[i] === "--lang"
      ? args[i + 1]
      : args[i].startsWith("--lang=")
      ? args[i].slice("--lang=".length)
      : undefined;
    if (value !== undefined && isLang(value)) return value;
  }
  return detectLang();
}

/**
 * `--count -3` as `--count=-3`: parseArgs refuses a value that starts with
 * "-", but a negative number after a flag that takes a value is meant as its
 * value, and the flag's own check then says what it accepts.
 */
function joinNegativeValues(
  args: string[],
  flags: Record<string, FlagSpec>,
): string[] {
  const takesValue = (arg: string): string | undefined => {
    const name = arg.startsWith("--")
      ? arg.slice(2)
      : Object.keys(flags).find((n) => arg === `-${flags[n].short}`);
    return name !== undefined && flags[name]?.type === "string"
      ? name
      : undefined;
  };
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = takesValue(args[i]);
    if (name !== undefined && /^-\.?\d/.test(args[i + 1] ?? "")) {
      joined.push(`--${name}=${args[++i]}`);
    } else {
      joined.push(args[i]);
    }
  }
  return joined;
}

/** Node's parseArgs errors, reworded as one line that names the flag. */
function translateParseError(err: unknown, names: string[]): Text {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) {
    const flag = unknown[1];
    const guess = closestFlag(flag, names);
    return guess
      ? {
        en: `unknown flag ${flag} (did you mean ${guess}?)`,
        id: `flag ${flag} tidak dikenal (maksudnya ${guess}?)`,
      }
      : {
        en: `unknown flag ${flag} (see --help)`,
        id: `flag ${flag} tidak dikenal (lihat --help)`,
      };
  }
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(
    message,
  );
  if (missing) {
    return {
      en: `${missing[1]} needs a value`,
      id: `${missing[1]} perlu nilai`,
    };
  }
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) {
    return {
      en: `unexpected argument "${
        positional[1]
      }" (flags look like --port 5005)`,
      id: `argumen "${
        positional[1]
      }" tidak diharapkan (flag ditulis seperti --port 5005)`,
    };
  }
  const dashValue = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/
    .exec(message);
  if (dashValue) {
    const flag = dashValue[1];
    return {
      en: `${flag}: a value starting with "-" must be written ${flag}=VALUE`,
      id: `${flag}: nilai yang diawali "-" harus ditulis ${flag}=NILAI`,
    };
  }
  const noValue = /Option '(?:-\w, )?(--[\w-]+)' (?:does not take an argument)/
    .exec(message);
  if (noValue) {
    return {
      en: `${noValue[1]} takes no value`,
      id: `${noValue[1]} tidak menerima nilai`,
    };
  }
  return textOf(message.split("\n", 1)[0].replace(/\. To specify.*$/, ""));
}

/** The flag `typed` was probably meant to be, e.g. `--port` for `--prot`. */
function closestFlag(typed: string, names: string[]): string | undefined {
  if (!typed.startsWith("--")) return undefined;
  const name = closestWord(typed.slice(2).split("=", 1)[0], names);
  return name === undefined ? undefined : `--${name}`;
}

/**
 * The word of `words` that `word` was probably meant to be: the nearest by
 * edit distance (a swap of two letters counts as one edit), if it is close.
 */
export function closestWord(
  word: string,
  words: readonly string[],
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of words) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // At most two edits, and fewer than half the word: "--x" is no "--ttl".
  const close = bestDistance <= 2 && bestDistance * 2 < word.length;
  return close ? best : undefined;
}

/** Optimal string alignment distance: insert, delete, substitute, swap. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i === 0 ? j : i),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/** Returns a string flag's value, or `undefined` when it was not given and has no default. */
export function stringFlag(
  parsed: ParsedFlags,
  name: string,
): string | undefined {
  const value = parsed.values[name];
  return typeof value === "string" ? value : undefined;
}

/** Options for {@linkcode intFlag} and {@linkcode numberFlag}. */
export interface RangeOptions {
  /** Smallest accepted value. */
  min?: number;
  /** Largest accepted value. */
  max?: number;
}

/**
 * Returns a whole-number flag, or `undefined` when absent. Throws a
 * {@linkcode UsageError} for anything but digits in range.
 */
export function intFlag(
  parsed: ParsedFlags,
  name: string,
  options: RangeOptions = {},
): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const value = /^-?\d{1,15}$/.test(text) ? Number(text) : NaN;
  checkRange(name, text, value, options, "int");
  return value;
}

/**
 * Returns a decimal-number flag (e.g. seconds), or `undefined` when absent.
 * Throws a {@linkcode UsageError} for anything but a finite number in range.
 */
export function numberFlag(
  parsed: ParsedFlags,
  name: string,
  options: RangeOptions = {},
): number | undefined {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const value = /^-?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
  checkRange(name, text, value, options, "number");
  return value;
}

function checkRange(
  name: string,
  text: string,
  value: number,
  options: RangeOptions,
  kind: "int" | "number",
): void {
  const { min, max } = options;
  const ok = Number.isFinite(value) && (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (ok) return;
  if (kind === "int" && min === 1 && max === undefined) {
    throw new UsageError({
      en:
        `--${name}: must be a positive whole number (1, 2, 3, …), got "${text}"`,
      id:
        `--${name}: harus bilangan bulat positif (1, 2, 3, …), bukan "${text}"`,
    });
  }
  let range = { en: "", id: "" };
  if (min !== undefined && max !== undefined) {
    range = { en: ` from ${min} to ${max}`, id: ` dari ${min} sampai ${max}` };
  } else if (min !== undefined) {
    range = { en: ` of at least ${min}`, id: ` paling kecil ${min}` };
  } else if (max !== undefined) {
    range = { en: ` of at most ${max}`, id: ` paling besar ${max}` };
  }
  const what = kind === "int"
    ? { en: "a whole number", id: "bilangan bulat" }
    : { en: "a number", id: "bilangan" };
  throw new UsageError({
    en: `--${name}: expected ${what.en}${range.en}, got "${text}"`,
    id: `--${name}: harus ${what.id}${range.id}, bukan "${text}"`,
  });
}
/** One flag as `--help` and `docs/roles.md` show it. */
export interface FlagRow {
  /** The flag as typed, e.g. `--port`. */
  flag: string;
  /** Its one-letter alias, e.g. `-p`, if any. */
  short?: string;
  /** The value's name, e.g. `PORT`, for a flag that takes one. */
  value?: string;
  /** The default of a flag that takes a value, if it has one. */
  default?: string;
  /** What it does, in the chosen language. */
  help: string;
}

/** The rows of a flag table for `flags`, in the order they are declared. */
export function flagRows(
  flags: Readonly<Record<string, FlagSpec>>,
  lang: Lang,
): FlagRow[] {
  return Object.entries(flags).map(([name, flag]) => ({
    flag: `--${name}`,
    short: flag.short ? `-${flag.short}` : undefined,
    value: flag.type === "string" ? flag.valueName ?? "VALUE" : undefined,
    default: typeof flag.default === "string" ? flag.default : undefined,
    help: flag.help[lang],
  }));
}

/** Formats `--help` for a program in the chosen language. */
export function formatHelp(spec: CommandSpec, lang: Lang): string {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const rows: [string, string][] = flagRows(flags, lang).map((row) => {
    const short = row.short ? `${row.short}, ` : "    ";
    const value = row.value ? ` ${row.value}` : "";
    const fallback = row.default === undefined
      ? ""
      : lang === "id"
      ? ` (bawaan: ${row.default})`
      : ` (default: ${row.default})`;
    return [`  ${short}${row.flag}${value}`, row.help + fallback];
  });
  const lines = [
    `${spec.name}: ${spec.summary[lang]}`,
    "",
    lang === "id" ? "Pemakaian:" : "Usage:",
    `  ${spec.name} ${
      spec.usage?.[lang] ?? (lang === "id" ? "[flag]" : "[flags]")
    }`,
    "",
    lang === "id" ? "Flag:" : "Flags:",
    ...tableLines(rows),
  ];
  if (spec.examples?.length) {
    lines.push("", lang === "id" ? "Contoh:" : "Examples:");
    lines.push(...spec.examples.map((example) => `  ${example}`));
  }
  if (spec.notes) lines.push("", spec.notes[lang]);
  lines.push(
    "",
    lang === "id"
      ? "Kode keluar: 0 berhasil, 1 gagal saat berjalan, 2 salah pemakaian."
      : "Exit codes: 0 success, 1 runtime failure, 2 usage error.",
  );
  return lines.join("\n");
}
