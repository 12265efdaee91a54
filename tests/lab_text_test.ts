import assert from "node:assert/strict";
import { shellLine } from "../lib/cli/shell_line.ts";
import { CAN_BUILD_LABS, lab, tempYaml, uniqueLabName } from "./_lab.ts";
import { CONTROL, HOSTILE, HOSTILE_FILE as FILE } from "./_lab_yaml.ts";
import { HAS_TMUX, shellQuote, Terminal } from "./_pty.ts";

Deno.test("shell lines: a shell turns them back into the same arguments", async () => {
  const args = ["broadcast-sender", "--message", HOSTILE, "it's \\ \u202e"];
  const line = shellLine(args);
  const { stdout } = await new Deno.Command("bash", {
    args: ["-c", `printf '%s\\0' ${line}`],
    stdout: "piped",
  }).output();
  assert.deepEqual(new TextDecoder().decode(stdout).split("\0"), [
    ...args,
    "",
  ]);
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
        /^\| \d+\.\d s \| alpine-1 \| ````deno task broadcast-sender .*\$'x```y \\\| z\\x1b\[31m'```` \| 0 \| 1 \| /m,
      );
    } finally {
      await Deno.remove(path);
      await Deno.remove(report);
    }
  },
});
