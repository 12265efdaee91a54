import assert from "node:assert/strict";
import { ROLE_SPECS } from "../../cmd/_role_specs.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import { shellLine } from "../../lib/cli/shell_line.ts";
import { formatReport } from "../../lib/lab/report.ts";
import type {
  ProcessResult,
  ScenarioResult,
} from "../../lib/scenario/scenario.ts";
import { parseTopology } from "../../lib/scenario/topology.ts";
import { CONTROL, HOSTILE, HOSTILE_FILE as FILE } from "../_lab_yaml.ts";

const specs = ROLE_SPECS;

Deno.test("shell lines: control characters as $'…', which a shell turns back into the same text", () => {
  const args = ["broadcast-sender", "--message", HOSTILE, "it's \\ \u202e"];
  const line = shellLine(args);
  assert.doesNotMatch(line, CONTROL);
  assert.doesNotMatch(line, /[\n\u202e]/);
  assert.equal(
    line,
    "broadcast-sender --message $'a\\x1b]0;pwned\\x07b\\x1b[31mred\\nnext' $'it\\'s \\\\ \\u202e'",
  );
});

Deno.test("lab.yaml: a description and the file's text in messages are escaped", () => {
  const topology = parseTopology(FILE, { file: "x.yaml", specs });
  const description = topology.scenarios[0].description;
  assert.equal(
    description,
    "evil \\x1b]0;pwned\\x07 title\\x1b[31m\\nsecond line",
  );
  try {
    parseTopology(FILE.replace("name: t", 'name: "t\\e]0;x\\a"'), {
      file: "x.yaml",
      specs,
    });
    assert.fail("accepted");
  } catch (err) {
    assert.ok(err instanceof UsageError);
    assert.doesNotMatch(err.message, CONTROL);
    assert.match(err.message, /got "t\\x1b\]0;x\\x07"/);
  }
});

Deno.test("report: code spans, tables and fences that text from lab.yaml cannot break", () => {
  const topology = parseTopology(FILE, { file: "x`y.yaml", specs });
  const typed = ["broadcast-sender", "--message", "x```y | z\x1b[31m"];
  const p: ProcessResult = {
    host: "alpine-1",
    address: "192.168.122.207",
    role: "broadcast-sender",
    step: 0,
    args: typed.slice(1),
    command: [],
    typed,
    input: ["one | `two`\x1b[2J"],
    startedMs: 0,
    code: 0,
    signal: null,
    stopped: false,
    stdout: [],
    stdoutMs: [],
    dropped: 0,
    transcript: ["```", "> one | `two`\\x1b[2J", "after"],
    transcriptOmitted: 0,
    stderr: "warning \x1b[31m```\n",
    summary: { type: "summary", sent: 1 },
    checks: [{ name: "exit", ok: true, detail: "0" }],
    ok: true,
  };
  const result: ScenarioResult = {
    scenario: "hostile",
    description: topology.scenarios[0].description,
    lab: "t",
    ok: true,
    durationMs: 100,
    processes: [p],
  };
  const report = formatReport(topology, [result], { lab: "t" });
  assert.doesNotMatch(report, CONTROL);
  // The file name's backtick does not end its code span.
  assert.match(report, /^- Lab: t ``x`y\.yaml``$/m);
  // One table row, six cells (start, host, command, exit, sent, check):
  // every | inside is escaped.
  const row = report.split("\n").find((l) => l.startsWith("| 0.0 s |"))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 8, row);
  assert.match(
    row,
    /^\| 0\.0 s \| alpine-1 \| ````broadcast-sender --message \$'x```y \\\| z\\x1b\[31m'```` \(typed: "one \\\| `two`\\u001b\[2J"\) \| 0 \| 1 \| ok \|$/,
  );
  // The description stays one line.
  assert.match(
    report,
    /^evil \\x1b\]0;pwned\\x07 title\\x1b\[31m\\nsecond line\. Result: ok \(0\.1 s\)\.$/m,
  );
  // Fences longer than any backtick run inside: "```" does not close them.
  assert.match(
    report,
    /^````\nalpine-1\$ broadcast-sender --message .*\n```\n> one .*\nafter\n````$/m,
  );
  assert.match(report, /^````\nwarning \\x1b\[31m```\n````$/m);
});
