import assert from "node:assert/strict";
import { UsageError } from "../../lib/cli/errors.ts";
import {
  closestWord,
  type CommandSpec,
  COMMON_FLAGS,
  flagRows,
  formatHelp,
  intFlag,
  langOfArgs,
  numberFlag,
  parseFlags,
  stringFlag,
} from "../../lib/cli/parse.ts";

const SPEC: CommandSpec = {
  name: "probe",
  summary: { en: "a test program", id: "program uji" },
  flags: {
    port: {
      type: "string",
      short: "p",
      default: "5005",
      valueName: "PORT",
      help: { en: "the port", id: "port-nya" },
    },
    count: {
      type: "string",
      valueName: "N",
      help: { en: "how many", id: "berapa" },
    },
    interval: { type: "string", help: { en: "pause", id: "jeda" } },
    quiet: { type: "boolean", short: "q", help: { en: "quiet", id: "diam" } },
  },
  examples: ["probe --port 5005"],
  notes: { en: "A note.", id: "Catatan." },
};

/** The usage error `run` throws, in both languages. */
function usageError(run: () => unknown): { en: string; id: string } {
  try {
    run();
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.text;
  }
  assert.fail("expected a UsageError");
}

Deno.test("parseFlags: defaults filled in, common flags off, no operands", () => {
  const parsed = parseFlags([], SPEC);
  assert.equal(parsed.values.port, "5005");
  assert.equal(parsed.values.count, undefined);
  assert.equal(parsed.values.quiet, undefined);
  assert.equal(parsed.json, false);
  assert.equal(parsed.jsonText, false);
  assert.equal(parsed.help, false);
  assert.deepEqual(parsed.operands, []);
  assert.deepEqual(parsed.afterDash, []);
});

Deno.test("parseFlags: long, =value, short and boolean flags; --json, --json-text, --lang, -h", () => {
  const parsed = parseFlags(
    [
      "--port=6000",
      "--count",
      "3",
      "-q",
      "--json",
      "--json-text",
      "--lang",
      "id",
      "-h",
    ],
    SPEC,
  );
  assert.equal(stringFlag(parsed, "port"), "6000");
  assert.equal(intFlag(parsed, "count", { min: 1 }), 3);
  assert.equal(parsed.values.quiet, true);
  assert.equal(parsed.json, true);
  assert.equal(parsed.jsonText, true);
  assert.equal(parsed.lang, "id");
  assert.equal(parsed.help, true);
  assert.equal(parseFlags(["-p", "7"], SPEC).values.port, "7");
});

Deno.test("parseFlags: unknown flags get a guess or a pointer to --help", () => {
  assert.deepEqual(usageError(() => parseFlags(["--prot", "1"], SPEC)), {
    en: "unknown flag --prot (did you mean --port?)",
    id: "flag --prot tidak dikenal (maksudnya --port?)",
  });
  assert.equal(
    usageError(() => parseFlags(["--zzzzzz"], SPEC)).en,
    "unknown flag --zzzzzz (see --help)",
  );
});

Deno.test("parseFlags: missing values, stray words, values on booleans, bad --lang", () => {
  assert.equal(
    usageError(() => parseFlags(["--count"], SPEC)).en,
    "--count needs a value",
  );
  assert.equal(
    usageError(() => parseFlags(["extra"], SPEC)).en,
    'unexpected argument "extra" (flags look like --port 5005)',
  );
  assert.equal(
    usageError(() => parseFlags(["--quiet=yes"], SPEC)).en,
    "--quiet takes no value",
  );
  assert.deepEqual(usageError(() => parseFlags(["--lang", "fr"], SPEC)), {
    en: '--lang: expected "en" or "id", got "fr"',
    id: '--lang: harus "en" atau "id", bukan "fr"',
  });
});

Deno.test("parseFlags: a negative number after a flag is its value, for the flag's own check", () => {
  const parsed = parseFlags(["--count", "-3"], SPEC);
  assert.equal(parsed.values.count, "-3");
  assert.equal(
    usageError(() => intFlag(parsed, "count", { min: 1 })).en,
    '--count: must be a positive whole number (1, 2, 3, …), got "-3"',
  );
});

Deno.test("parseFlags: operands and everything after -- only when the spec takes them", () => {
  const spec = { ...SPEC, operands: true };
  const parsed = parseFlags(
    ["exec", "alpine-2", "-q", "--", "ip", "--port"],
    spec,
  );
  assert.deepEqual(parsed.operands, ["exec", "alpine-2"]);
  assert.deepEqual(parsed.afterDash, ["ip", "--port"]);
  assert.equal(parsed.values.quiet, true);
});

Deno.test("intFlag and numberFlag: ranges and bad values name the flag", () => {
  const flags = (args: string[]) => parseFlags(args, SPEC);
  assert.equal(intFlag(flags([]), "count"), undefined);
  assert.equal(
    numberFlag(flags(["--interval", "0.5"]), "interval", { min: 0 }),
    0.5,
  );
  assert.equal(numberFlag(flags(["--interval", ".5"]), "interval"), 0.5);
  assert.equal(
    usageError(() => intFlag(flags(["--count", "1.5"]), "count")).en,
    '--count: expected a whole number, got "1.5"',
  );
  assert.deepEqual(
    usageError(() =>
      intFlag(flags(["--port", "70000"]), "port", { min: 0, max: 65535 })
    ),
    {
      en: '--port: expected a whole number from 0 to 65535, got "70000"',
      id: '--port: harus bilangan bulat dari 0 sampai 65535, bukan "70000"',
    },
  );
  assert.equal(
    usageError(() =>
      numberFlag(flags(["--interval", "soon"]), "interval", { min: 0 })
    ).en,
    '--interval: expected a number of at least 0, got "soon"',
  );
  assert.equal(
    usageError(() =>
      numberFlag(flags(["--interval", "9"]), "interval", { max: 5 })
    ).en,
    '--interval: expected a number of at most 5, got "9"',
  );
});

Deno.test("langOfArgs: --lang before -- wins, in either spelling", () => {
  assert.equal(langOfArgs(["--lang", "id"]), "id");
  assert.equal(langOfArgs(["--x", "--lang=id"]), "id");
  assert.equal(langOfArgs(["--lang=en", "--", "--lang=id"]), "en");
});

Deno.test("closestWord: near misses only", () => {
  const words = ["port", "bind", "count", "ttl"];
  assert.equal(closestWord("prot", words), "port");
  assert.equal(closestWord("cuont", words), "count");
  assert.equal(closestWord("x", words), undefined);
  assert.equal(closestWord("interval", words), undefined);
});

Deno.test("formatHelp: usage, flags with defaults, examples, notes and exit codes, in both languages", () => {
  assert.equal(
    formatHelp(SPEC, "en"),
    [
      "probe: a test program",
      "",
      "Usage:",
      "  probe [flags]",
      "",
      "Flags:",
      "  -p, --port PORT       the port (default: 5005)",
      "      --count N         how many",
      "      --interval VALUE  pause",
      "  -q, --quiet           quiet",
      "      --json            print one JSON object per line",
      '      --json-text       with --json: also every human line, as {"type":"text"} records (for transcripts)',
      "      --lang en|id      language of messages (default from LANG)",
      "  -h, --help            show this help and exit",
      "",
      "Examples:",
      "  probe --port 5005",
      "",
      "A note.",
      "",
      "Exit codes: 0 success, 1 runtime failure, 2 usage error.",
    ].join("\n"),
  );
  const id = formatHelp(SPEC, "id");
  assert.match(id, /^Pemakaian:\n {2}probe \[flag\]$/m);
  assert.match(id, /--port PORT {7}port-nya \(bawaan: 5005\)$/m);
  assert.match(id, /^Contoh:$/m);
  assert.match(id, /^Kode keluar: 0 berhasil/m);
});

Deno.test("flagRows: what --help and docs/roles.md show for each flag", () => {
  assert.deepEqual(flagRows(SPEC.flags, "en").slice(0, 2), [
    {
      flag: "--port",
      short: "-p",
      value: "PORT",
      default: "5005",
      help: "the port",
    },
    {
      flag: "--count",
      short: undefined,
      value: "N",
      default: undefined,
      help: "how many",
    },
  ]);
  assert.deepEqual(
    flagRows(COMMON_FLAGS, "en").map((row) => row.flag),
    ["--json", "--json-text", "--lang", "--help"],
  );
});
