import assert from "node:assert/strict";
import { errorText, RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { plural } from "../lib/cli/i18n.ts";
import type {
  ProcessResult,
  ScenarioResult,
} from "../lib/scenario/scenario.ts";
import { sequenceNotes } from "../lib/results/summary.ts";
import { formatSummary } from "../lib/udp/receiver.ts";
import { SequenceTracker } from "../lib/udp/sequence.ts";
import { runRole, spawn } from "./_harness.ts";

function summaryOf(seqs: (number | undefined)[]) {
  const tracker = new SequenceTracker();
  for (const seq of seqs) tracker.add(seq);
  return tracker.summary();
}

Deno.test("plural: one takes the singular, every other count the plural", () => {
  assert.equal(plural(1, "datagram", "datagrams"), "1 datagram");
  assert.equal(plural(0, "datagram", "datagrams"), "0 datagrams");
  assert.equal(plural(2, "reply", "replies"), "2 replies");
});

Deno.test("a receiver's summary counts in the singular for one datagram", () => {
  assert.deepEqual(formatSummary(summaryOf([undefined]), "en"), [
    "summary: 1 datagram received; no numbered datagram received",
  ]);
  assert.match(
    formatSummary(summaryOf([1]), "en")[0],
    /^summary: 1 datagram received \(0 without a number, 0 duplicates,/,
  );
});

Deno.test("a multicast chat receiver's summary counts messages, not numbers", () => {
  const three = summaryOf([undefined, undefined, undefined]);
  assert.deepEqual(formatSummary(three, "en", { messages: true }), [
    "summary: 3 messages received",
  ]);
  assert.deepEqual(formatSummary(three, "id", { messages: true }), [
    "ringkasan: 3 pesan diterima",
  ]);
  assert.deepEqual(
    formatSummary(summaryOf([undefined]), "en", { messages: true }),
    [
      "summary: 1 message received",
    ],
  );
  // Numbered payloads sent to a group still get the sequence summary.
  assert.match(
    formatSummary(summaryOf([1, 2]), "en", { messages: true })[1],
    /^first number 1:/,
  );
});

/** Every `.ts` file under `dir` of the repository, with its text. */
function sources(dir: string): [string, string][] {
  const root = new URL(`../${dir}/`, import.meta.url);
  const files: [string, string][] = [];
  for (const entry of Deno.readDirSync(root)) {
    const url = new URL(entry.name, root);
    if (entry.isDirectory) {
      files.push(...sources(`${dir}/${entry.name}`));
    } else if (entry.name.endsWith(".ts")) {
      files.push([`${dir}/${entry.name}`, Deno.readTextFileSync(url)]);
    }
  }
  return files;
}

/** The text from `open` (just after a "(") to its matching ")". */
function callArguments(text: string, open: number): string {
  let depth = 1;
  let at = open;
  while (depth > 0 && at < text.length) {
    const c = text[at++];
    if (c === "(") depth++;
    else if (c === ")") depth--;
  }
  return text.slice(open, at - 1);
}

Deno.test("every error a program prints is given in both languages, not as one English string", () => {
  const gaps: string[] = [];
  for (const [path, text] of [...sources("cmd"), ...sources("lib")]) {
    const line = (at: number) =>
      `${path}:${text.slice(0, at).split("\n").length}`;
    // An error built from a bare string literal has no Indonesian.
    for (const m of text.matchAll(/new (?:Usage|Runtime)Error\(\s*[`"']/g)) {
      gaps.push(`${line(m.index)}: ${m[0].trim()}`);
    }
    // What was being done, put in front of a system error: a Text too.
    for (const m of text.matchAll(/doing:\s*[`"']/g)) {
      gaps.push(`${line(m.index)}: ${m[0]}`);
    }
    // A line made at once must be made in the user's language.
    for (const m of text.matchAll(/\bdescribeError\(/g)) {
      if (path === "lib/cli/errors.ts") continue;
      const args = callArguments(text, m.index + m[0].length);
      if (!/\blang\b/.test(args)) {
        gaps.push(`${line(m.index)}: ${m[0]}${args})`);
      }
    }
  }
  assert.deepEqual(gaps, []);
});

Deno.test("Indonesian texts use one form of address: kamu, never Anda", () => {
  const found = [...sources("cmd"), ...sources("lib")].filter(([, text]) =>
    /\bAnda\b/.test(text)
  ).map(([path]) => path);
  assert.deepEqual(found, []);
});

/**
 * English words that never appear in an Indonesian message (names of flags,
 * socket options and commands aside, which are the same in both).
 */
const ENGLISH =
  /\b(the|is|not|of|and|or|to|on|in|by|this|that|expected|got|unknown|already|use|refused|permission|denied|needs|value|must|error|such|available|did|you|mean|see|reset|unreachable|found|missing|interrupted|binding|sending|connecting|listening|joining|no|before|within|while|cannot)\b/i;

/** `text` with what is the same in both languages taken out. */
function wordsOf(text: string): string {
  return text
    .replace(/os error \d+/g, "")
    .replace(/ss -[tu]lpn( '[^']*')?/g, "")
    .replace(/"[^"]*"/g, "")
    .replace(/--[\w-]+/g, "");
}

Deno.test("every kind of system error reads in Indonesian with --lang id", () => {
  const errors = [
    new Deno.errors.AddrInUse("Address already in use (os error 98)"),
    new Deno.errors.AddrNotAvailable("Cannot assign requested address"),
    new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
    new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
    new Deno.errors.NetworkUnreachable("Network is unreachable (os error 101)"),
    new Error("No such device (os error 19)"),
    new Deno.errors.NotFound("No such file or directory (os error 2)"),
  ];
  for (const err of errors) {
    const text = errorText(err, { doing: { en: "binding", id: "mengikat" } });
    assert.match(text.id, /^mengikat: /, err.message);
    assert.doesNotMatch(wordsOf(text.id), ENGLISH, text.id);
    assert.match(text.en, /^binding: /);
  }
  assert.equal(new UsageError("x").text.id, "x");
  assert.equal(new RuntimeError({ en: "a", id: "b" }).message, "a");
});

/** [program and arguments, the exit code] */
type Case = [string[], number];

Deno.test("with --lang id (or LANG=id_ID.UTF-8) every error path prints Indonesian only", async () => {
  // Held without SO_REUSEADDR: nobody may share it.
  const taken = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const busy = String((taken.addr as Deno.NetAddr).port);
  // A TCP port nobody listens on: opened, then closed.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = String(listener.addr.port);
  listener.close();
  const cases: Case[] = [
    [["udp-client", "--prot", "5"], 2],
    [["udp-client", "--bogus"], 2],
    [["udp-client", "--port"], 2],
    [["udp-client", "127.0.0.1"], 2],
    [["udp-client", "--port", "70000"], 2],
    [["udp-client", "--host", "300.1.1.1"], 2],
    [["udp-client", "--host", "a..b"], 2],
    [["udp-client", "--timeout", "soon"], 2],
    [["udp-client", "--message", "x".repeat(65_508)], 2],
    [["udp-client", "--host", "nope.invalid"], 1],
    [["udp-client", "--host", "127.0.0.1", "--port", busy, "-t", "0.3"], 1],
    [["udp-server", "--bind", "127.0.0.1", "--port", busy], 1],
    [["udp-server", "--count", "-3"], 2],
    [["udp-server", "--duration=-1"], 2],
    [["broadcast-receiver", "--bind", "127.0.0.1", "--port", busy], 1],
    [["broadcast-receiver", "--quiet=yes"], 2],
    [["broadcast-sender", "--bind", "198.51.100.1", "--count", "1"], 1],
    [["broadcast-sender", "--to", "1.2.3"], 2],
    [["multicast-sender", "--group", "10.0.0.1"], 2],
    [["multicast-sender", "--ttl", "256", "--bind", "127.0.0.1"], 2],
    [["multicast-receiver", "--port", "0", "--interface", "198.51.100.1"], 1],
    [["chat-client", "--host", "127.0.0.1", "--port", closed], 1],
    [["chat-server", "--max-clients", "0"], 2],
  ];
  try {
    await Promise.all(cases.flatMap(([[role, ...args], code], i) => {
      // Half the cases choose the language by flag, half by the locale.
      const byLocale = i % 2 === 1;
      return [
        runRole(role, byLocale ? args : [...args, "--lang", "id"], {
          env: byLocale ? { LANG: "id_ID.UTF-8" } : {},
        }).then((result) => {
          const what = `${role} ${args.join(" ").slice(0, 60)}`;
          assert.equal(result.code, code, `${what}: ${result.stderr}`);
          const line = result.stderr.trimEnd();
          assert.equal(line.split("\n").length, 1, `${what}: ${line}`);
          assert.match(line, new RegExp(`^${role}: galat: `), what);
          assert.doesNotMatch(wordsOf(line), ENGLISH, `${what}: ${line}`);
        }),
      ];
    }));
  } finally {
    taken.close();
  }
});

Deno.test("progjar's and lab's usage errors are Indonesian with --lang id", async () => {
  const deno = (args: string[]) =>
    spawn("deno", Deno.execPath(), args).finished();
  const cases: [string[], RegExp][] = [
    [
      ["run", "cmd/progjar.ts", "udp-servr", "--lang", "id"],
      /^progjar: galat: peran "udp-servr" tidak dikenal \(maksudnya udp-server\?\)$/,
    ],
    [
      ["run", "cmd/progjar.ts", "zzz", "--lang=id"],
      /^progjar: galat: peran "zzz" tidak dikenal \(peran: udp-server, /,
    ],
    [
      ["run", "-A", "cmd/lab.ts", "launch", "--lang", "id"],
      /^lab: galat: perintah "launch" tidak dikenal \(perintah: up, /,
    ],
    [
      ["run", "-A", "cmd/lab.ts", "status", "--all", "--lang", "id"],
      /^lab: galat: --all hanya untuk run$/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await deno(args);
    assert.equal(code, 2, stderr);
    assert.match(stderr.trimEnd(), message);
    assert.doesNotMatch(wordsOf(stderr), ENGLISH, stderr);
  }
});

Deno.test('a lab note for a receiver that missed nothing says so, not "0 … terlewat"', () => {
  const p = {
    host: "alpine-2",
    startedMs: 300,
    summary: { firstSeq: 1, missedBeforeFirst: 0, gaps: 0 },
  } as unknown as ProcessResult;
  const result = { processes: [p] } as unknown as ScenarioResult;
  assert.deepEqual(sequenceNotes(result, "id"), [
    "alpine-2 (mulai pada 0.3 s): angka pertama 1, tidak ada yang terlewat sebelum ia mendengarkan; 0 hilang selama mendengarkan",
  ]);
});
