import assert from "node:assert/strict";
import { ROLES } from "../lib/roles.ts";
import { runRole } from "./_harness.ts";

/** The flags a help text lists, in order (`--port`, `--bind`, …). */
function flagsOf(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-\w, )?\s*(--[\w-]+)/gm)].map((m) => m[1]);
}

Deno.test("every role's --help: same flags in en and id, usage line in each language, exit 0", async () => {
  await Promise.all(ROLES.map(async (role) => {
    const [en, id] = await Promise.all(
      ["en", "id"].map((lang) =>
        runRole(role.name, ["--help", "--lang", lang])
      ),
    );
    for (const help of [en, id]) {
      assert.equal(help.code, 0, role.name);
      assert.equal(help.stderr, "", role.name);
      assert.match(help.stdout, new RegExp(`^${role.name}: \\S`), role.name);
    }
    assert.match(
      en.stdout,
      new RegExp(`^Usage:\\n  ${role.name} \\[flags\\]$`, "m"),
    );
    assert.match(
      id.stdout,
      new RegExp(`^Pemakaian:\\n  ${role.name} \\[flag\\]$`, "m"),
    );
    const flags = flagsOf(en.stdout);
    assert.ok(flags.includes("--help") && flags.includes("--lang"), role.name);
    assert.deepEqual(flagsOf(id.stdout), flags, role.name);
  }));
});

Deno.test("every build tool and benchmark: --help prints its usage (exit 0); a bad flag is one line, exit 2", async () => {
  const task = (args: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", ...args],
      cwd: new URL("../", import.meta.url),
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const tools = [
    "bundle",
    "pack",
    "alpine-pack",
    "compile",
    "alpine-rootfs",
    "bench:udp",
    "bench:chat",
  ];
  await Promise.all(tools.map(async (tool) => {
    const help = await task([tool, "--help"]);
    assert.equal(help.code, 0, `${tool}: ${decode(help.stderr)}`);
    assert.match(decode(help.stdout), new RegExp(`^${tool}: \\S`), tool);
    assert.match(decode(help.stdout), /^Usage:\n {2}(sudo )?deno task /m, tool);
    const bad = await task([tool, "--bogus"]);
    assert.equal(bad.code, 2, tool);
    assert.equal(
      decode(bad.stderr),
      `${tool}: error: Unknown option '--bogus' (see --help)\n`,
    );
  }));
});
