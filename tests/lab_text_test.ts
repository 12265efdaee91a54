import assert from "node:assert/strict";
import { UsageError } from "../lib/cli/errors.ts";
import { shellLine } from "../lib/lab/_shell.ts";
import { ROLE_SPECS } from "../cmd/_role_specs.ts";
import { formatReport } from "../lib/lab/report.ts";
import type { ProcessResult, ScenarioResult } from "../lib/lab/scenario.ts";
import { parseTopology } from "../lib/lab/topology.ts";
import { CAN_BUILD_LABS, lab, tempYaml, uniqueLabName } from "./_lab.ts";
import { HAS_TMUX, shellQuote, Terminal } from "./_pty.ts";

const specs = ROLE_SPECS;

/** Text a terminal acts on: ESC (colours, title), BEL, a line break. */
const HOSTILE = "a\x1b]0;pwned\x07b\x1b[31mred\nnext";

const FILE = `name: t
network:
  subnet: 192.168.122.0/24
hosts:
  alpine-1: 192.168.122.207
  alpine-2: 192.168.122.131
scenarios:
  hostile:
    description: "evil \\e]0;pwned\\a title\\e[31m\\nsecond line"
    steps:
      - host: alpine-1
        role: broadcast-sender
        flags:
          to: "{broadcast}"
          count: 1
          quiet: true
          message: "x\`\`\`y | z\\e[31m"
`;

/** Every character a terminal would act on (but the line break). */
// deno-lint-ignore no-control-regex -- control characters are the point
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]/;

Deno.test("shell lines: control characters as $'…', which a shell turns back into the same text", async () => {
  const args = ["broadcast-sender", "--message", HOSTILE, "it's \\ \u202e"];
  const line = shellLine(args);
  assert.doesNotMatch(line, CONTROL);
  assert.doesNotMatch(line, /[\n\u202e]/);
  assert.equal(
    line,
    "broadcast-sender --message $'a\\x1b]0;pwned\\x07b\\x1b[31mred\\nnext' $'it\\'s \\\\ \\u202e'",
  );
  // The shell reads it back as the original arguments.
  const { stdout } = await new Deno.Command("bash", {
    args: ["-c", `printf '%s\\0' ${line}`],
    stdout: "piped",
  }).output();
  assert.deepEqual(new TextDecoder().decode(stdout).split("\0"), [
    ...args,
    "",
  ]);
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
  assert.match(report, / from ``x`y\.yaml``: /);
  // One table row, three cells: every | inside is escaped.
  const row = report.split("\n").find((l) => l.startsWith("| 0.0 s |"))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 5, row);
  assert.match(
    row,
    /^\| 0\.0 s \| alpine-1 \| ````broadcast-sender --message \$'x```y \\\| z\\x1b\[31m'```` \(typed: "one \\\| `two`\\u001b\[2J"\) \|$/,
  );
  // The description stays one line.
  assert.match(
    report,
    /^evil \\x1b\]0;pwned\\x07 title\\x1b\[31m\\nsecond line$/m,
  );
  // Fences longer than any backtick run inside: "```" does not close them.
  assert.match(
    report,
    /^````\nalpine-1\$ broadcast-sender --message .*\n```\n> one .*\nafter\n````$/m,
  );
  assert.match(report, /^````\nwarning \\x1b\[31m```\n````$/m);
});

Deno.test({
  name:
    "lab list in a terminal: a description with ESC and BEL shows escaped, on one line",
  ignore: !HAS_TMUX,
  fn: async () => {
    const path = await tempYaml(FILE);
    const terminal = await Terminal.start(
      `deno task lab list --file ${
        shellQuote(path)
      }; deno task lab list --file ${shellQuote(path)} --lang id`,
      { env: { LANG: "C.UTF-8" } },
    );
    try {
      const line =
        "hostile: evil \\x1b]0;pwned\\x07 title\\x1b[31m\\nsecond line";
      const screen = await terminal.waitFor((s) => s.split(line).length === 3);
      assert.equal(await terminal.exitCode(), 0);
      assert.doesNotMatch(screen, /^second line/m);
    } finally {
      await terminal.close();
      await Deno.remove(path);
    }
  },
});

Deno.test({
  name:
    "lab run: a hostile description and flag value reach neither the terminal nor the report raw",
  ignore: !CAN_BUILD_LABS,
  fn: async () => {
    const path = await tempYaml(FILE);
    const report = await Deno.makeTempFile({ suffix: ".md" });
    try {
      const { code, stdout, stderr } = await lab([
        "run",
        "hostile",
        "--file",
        path,
        "--name",
        uniqueLabName("txt"),
        "--report",
        report,
      ]);
      assert.equal(code, 0, stdout + stderr);
      assert.doesNotMatch(stdout + stderr, CONTROL);
      assert.match(
        stdout,
        /^== hostile: evil \\x1b\]0;pwned\\x07 title\\x1b\[31m\\nsecond line$/m,
      );
      assert.match(
        stdout,
        /^ {2}alpine-1: broadcast-sender .*--message \$'x```y \| z\\x1b\[31m'/m,
      );
      const text = await Deno.readTextFile(report);
      assert.doesNotMatch(text, CONTROL);
      assert.match(
        text,
        /^\| \d+\.\d s \| alpine-1 \| ````deno task broadcast-sender .*\$'x```y \\\| z\\x1b\[31m'```` \|$/m,
      );
    } finally {
      await Deno.remove(path);
      await Deno.remove(report);
    }
  },
});
