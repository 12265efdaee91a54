/**
 * Command-line flags for every role: one declarative spec per program gives
 * parsing (`node:util` parseArgs, strict), defaults, checking and `--help`
 * in English and Indonesian. Every program also takes `--help`, `--json`
 * and `--lang`.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import { detectLang, isLang, type Lang, type Text } from "./i18n.ts";

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

const COMMON_FLAGS: Record<string, FlagSpec> = {
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
      args: dash === -1 ? args : args.slice(0, dash),
      options,
      strict: true,
      allowPositionals: spec.operands === true,
    });
  } catch (err) {
    throw new UsageError(translateParseError(err));
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(flags)) {
    values[name] = parsed.values[name] ?? flag.default;
  }
  const langValue = values.lang;
  let lang = detectLang();
  if (typeof langValue === "string") {
    if (!isLang(langValue)) {
      throw new UsageError(`--lang: expected "en" or "id", got "${langValue}"`);
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

/** Node's parseArgs errors, reworded as one line that names the flag. */
function translateParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]} (see --help)`;
  const missing = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(
    message,
  );
  if (missing) return `${missing[1]} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(message);
  if (positional) {
    return `unexpected argument "${
      positional[1]
    }" (flags look like --port 5005)`;
  }
  const dashValue = /Option '(?:-\w, )?(--[\w-]+)' argument is ambiguous/
    .exec(message);
  if (dashValue) {
    return `${dashValue[1]}: a value starting with "-" must be written ${
      dashValue[1]
    }=VALUE`;
  }
  const ambiguous =
    /Option '(?:-\w, )?(--[\w-]+)' (?:does not take an argument)/.exec(message);
  if (ambiguous) return `${ambiguous[1]} takes no value`;
  return message.split("\n", 1)[0].replace(/\. To specify.*$/, "");
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
  checkRange(name, text, value, options, "a whole number");
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
  checkRange(name, text, value, options, "a number");
  return value;
}

function checkRange(
  name: string,
  text: string,
  value: number,
  options: RangeOptions,
  kind: string,
): void {
  const { min, max } = options;
  const ok = Number.isFinite(value) && (min === undefined || value >= min) &&
    (max === undefined || value <= max);
  if (ok) return;
  let range = "";
  if (min !== undefined && max !== undefined) range = ` from ${min} to ${max}`;
  else if (min !== undefined) range = ` of at least ${min}`;
  else if (max !== undefined) range = ` of at most ${max}`;
  throw new UsageError(`--${name}: expected ${kind}${range}, got "${text}"`);
}

/** Formats `--help` for a program in the chosen language. */
export function formatHelp(spec: CommandSpec, lang: Lang): string {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const rows: [string, string][] = Object.entries(flags).map(([name, flag]) => {
    const short = flag.short ? `-${flag.short}, ` : "    ";
    const value = flag.type === "string" ? ` ${flag.valueName ?? "VALUE"}` : "";
    const fallback = typeof flag.default === "string"
      ? (lang === "id"
        ? ` (bawaan: ${flag.default})`
        : ` (default: ${flag.default})`)
      : "";
    return [`  ${short}--${name}${value}`, flag.help[lang] + fallback];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = [
    `${spec.name}: ${spec.summary[lang]}`,
    "",
    lang === "id" ? "Pemakaian:" : "Usage:",
    `  ${spec.name} ${
      spec.usage?.[lang] ?? (lang === "id" ? "[flag]" : "[flags]")
    }`,
    "",
    lang === "id" ? "Flag:" : "Flags:",
    ...rows.map(([left, right]) => left.padEnd(width) + right),
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
