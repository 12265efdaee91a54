import assert from "node:assert/strict";
import { BATCH_ROLES, ROLES } from "../lib/roles.ts";
import { dispatchScript, installedServeRefusal } from "../tools/_launcher.ts";
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

Deno.test("launcher of the installed Alpine pack: progjar serve is one line naming what serves instead, exit 2, in both languages; roles still run", async () => {
  const script = `deno=/bin/echo\njs=progjar.js\nstate=/tmp\nloader=\n${
    installedServeRefusal("x86_64")
  }\n${dispatchScript(ROLES)}`;
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Deno.Command("sh", {
      args: ["-c", script, "progjar", ...args],
      env: { LANG: "C.UTF-8", ...env },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const en =
    "progjar: error: serve hands out the pack files, which an installed copy does not keep; serve from the machine that has them: deno task serve in the repository, or ./progjar-x86_64-linux serve next to progjar-alpine-x86_64.tar.gz";
  const id =
    "progjar: galat: serve membagikan berkas paket, yang tidak disimpan oleh salinan terpasang; jalankan dari mesin yang punya berkasnya: deno task serve di repositori, atau ./progjar-x86_64-linux serve di samping progjar-alpine-x86_64.tar.gz";
  for (
    const [args, env, want] of [
      [["serve"], {}, en],
      [["serve", "--port", "8080"], { LANG: "id_ID.UTF-8" }, id],
      [["serve", "--lang", "id"], {}, id],
      [["serve", "--lang=id"], {}, id],
      [["serve", "--lang", "en"], { LC_ALL: "id_ID.UTF-8" }, en],
    ] as const
  ) {
    const result = await run([...args], env);
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 2, `${args}: ${stderr}`);
    assert.equal(stderr, want + "\n", `${args} ${JSON.stringify(env)}`);
    assert.equal(result.stdout.length, 0);
  }
  // A role still runs through the same launcher.
  const role = await run(["udp-server", "--port", "5005"]);
  assert.equal(role.code, 0);
  assert.match(
    new TextDecoder().decode(role.stdout),
    /progjar\.js udp-server --port 5005/,
  );
});
