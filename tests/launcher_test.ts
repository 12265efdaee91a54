import assert from "node:assert/strict";
import { BATCH_ROLES, ROLES } from "../lib/roles.ts";
import { dispatchScript } from "../tools/_launcher.ts";
import { runCommand } from "./_dist.ts";

/**
 * The launcher's command line for `args`, with `echo` standing in for deno:
 * what it would run, one word a line after `run`.
 */
async function launched(
  args: string[],
  options: { path?: string } = {},
): Promise<string[]> {
  const path = options.path === undefined ? "" : `PATH=${options.path}\n`;
  const script = `${path}deno=/bin/echo\njs=progjar.js\nstate=/tmp\nloader=\n${
    dispatchScript(ROLES).replace(
      /exec "\$deno" run (.*)$/m,
      'for word in "$deno" run $1; do echo "$word"; done; exit 0',
    )
  }`;
  const { code, stdout, stderr } = await runCommand("sh", [
    "-c",
    script,
    "progjar",
    ...args,
  ]);
  assert.equal(code, 0, stderr);
  return stdout.trimEnd().split("\n");
}

/** The flags between `--no-prompt` and the bundle. */
function flagsOf(words: string[]): string[] {
  return words.slice(
    words.indexOf("--no-prompt") + 1,
    words.indexOf("progjar.js"),
  );
}

Deno.test("launcher: every role runs with its own flags; no --allow-ffi without --io batch", async () => {
  for (const role of ROLES) {
    const words = await launched([role.name, "--port", "5005"]);
    assert.deepEqual(flagsOf(words), role.permissions, role.name);
    assert.deepEqual(words.slice(-3), [role.name, "--port", "5005"]);
  }
  // "--io" as another flag's value, or after "--", asks for nothing.
  const plain = await launched(["broadcast-receiver", "--", "--io", "batch"]);
  assert.ok(!plain.includes("--allow-ffi"));
});

Deno.test("launcher: --io batch runs a UDP role with its :batch row's flags", async () => {
  for (const row of BATCH_ROLES) {
    const name = row.name.replace(/:batch$/, "");
    for (const io of [["--io", "batch"], ["--io=batch"]]) {
      const words = await launched([name, "--count", "3", ...io]);
      assert.deepEqual(flagsOf(words), row.permissions, `${name} ${io}`);
      assert.deepEqual(words.slice(-4 - io.length + 1), [
        name,
        "--count",
        "3",
        ...io,
      ]);
    }
  }
  // The TCP roles have no batch path: their flags stay.
  const chat = await launched(["chat-server", "--io", "batch"]);
  assert.ok(!chat.includes("--allow-ffi"));
});

Deno.test("launcher: without ss on the host (stock Alpine) no role is granted it, so deno prints no note about it", async () => {
  const receiver = ROLES.find((role) => role.name === "broadcast-receiver")!;
  assert.ok(receiver.permissions.includes("--allow-run=ss"));
  // A PATH with no ss in it: the launcher drops that one grant.
  const words = await launched(["broadcast-receiver"], { path: "/var/empty" });
  assert.deepEqual(
    flagsOf(words),
    receiver.permissions.filter((flag) => flag !== "--allow-run=ss"),
  );
});
