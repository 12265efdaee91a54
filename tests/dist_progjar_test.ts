import assert from "node:assert/strict";
import { main, type ProgjarOptions } from "../cmd/progjar.ts";
import type { RoleModule } from "../cmd/_role_module.ts";
import { ROLES } from "../lib/roles.ts";
import { buildBundle } from "../tools/bundle.ts";
import { unionPermissions } from "../tools/compile.ts";
import { INDEX_FILE, renderIndex } from "../tools/roles_index.ts";
import {
  broadcastScenario,
  chatScenario,
  runCommand,
  type Starter,
} from "./_dist.ts";
import { spawn } from "./_harness.ts";

// One bundle for this file, built by the same code as `deno task bundle`.
const outDir = await Deno.makeTempDir({ prefix: "progjar-bundle-test-" });
const bundle = await buildBundle({ outDir });
globalThis.addEventListener("unload", () => {
  Deno.removeSync(outDir, { recursive: true });
});

/** `deno run <the role's permissions from the table> progjar.js <role> …`, run from outside the repository. */
const fromBundle: Starter = (role, args, options = {}) => {
  const found = ROLES.find((r) => r.name === role);
  assert.ok(found, role);
  return spawn(role, Deno.execPath(), [
    "run",
    ...found.permissions,
    bundle,
    role,
    ...args,
  ], { stdin: options.stdin, cwd: outDir });
};

Deno.test("cmd/_roles_index.ts holds exactly the table's roles", async () => {
  const { text, missing } = renderIndex();
  assert.deepEqual(
    missing,
    [],
    "every role in lib/roles.ts has its entry file",
  );
  assert.equal(
    await Deno.readTextFile(INDEX_FILE),
    text,
    "cmd/_roles_index.ts is out of date: run `deno task roles-index`",
  );
});

Deno.test("progjar.js --help lists every role of the table, in order, then serve and send", async () => {
  const { code, stdout } = await runCommand(Deno.execPath(), [
    "run",
    bundle,
    "--help",
  ], { cwd: outDir });
  assert.equal(code, 0);
  const listed = stdout.split("\n").filter((l) => l.startsWith("  ")).map((
    l,
  ) => l.trim().split(" ")[0]);
  assert.deepEqual(listed, [...ROLES.map((r) => r.name), "serve", "send"]);
});

Deno.test("progjar.js: no role, or an unknown one, is a usage error (exit 2)", async () => {
  const none = await runCommand(Deno.execPath(), ["run", bundle], {
    cwd: outDir,
  });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: progjar <role>/);
  const unknown = await runCommand(Deno.execPath(), [
    "run",
    bundle,
    "udp-servr",
  ], { cwd: outDir });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.trim().split("\n").length, 1);
  assert.match(unknown.stderr, /unknown role "udp-servr"/);
});

Deno.test("progjar.js runs every role's --help with just that role's permissions", async () => {
  for (const role of ROLES) {
    const proc = fromBundle(role.name, ["--help", "--lang", "en"]);
    const { code, stdout, stderr } = await proc.finished();
    assert.equal(code, 0, `${role.name}: ${stderr}`);
    assert.ok(stdout.startsWith(`${role.name}: `), stdout);
  }
});

Deno.test("progjar.js: the broadcast lab (two receivers, one sender) on loopback", async () => {
  await broadcastScenario(fromBundle);
});

Deno.test("progjar.js: the chat lab (server, two clients) on loopback", async () => {
  await chatScenario(fromBundle);
});

Deno.test("progjar picks the role from its program name, else from the first argument", async () => {
  const calls: string[] = [];
  const fake = (name: string): RoleModule => ({
    SPEC: { name, summary: { en: name, id: name }, flags: {} },
    main: (args) => {
      calls.push(`${name} ${args.join(" ")}`);
      return Promise.resolve(0);
    },
  });
  const options: ProgjarOptions = {
    modules: { "udp-server": fake("udp-server"), "chat-client": fake("c") },
  };
  assert.equal(
    await main(["-p", "1"], { ...options, programName: "/usr/bin/udp-server" }),
    0,
  );
  assert.equal(
    await main(["chat-client", "-x"], { ...options, programName: "progjar" }),
    0,
  );
  assert.deepEqual(calls, ["udp-server -p 1", "c -x"]);
});

Deno.test("the multi-call program's permissions are the union of the roles'", () => {
  const role = (name: string, permissions: string[]) => ({
    name,
    entry: `cmd/${name}.ts`,
    permissions,
  });
  assert.deepEqual(
    unionPermissions([
      role("a", [
        "--unstable-net",
        "--allow-env=LANG,NO_COLOR",
        "--allow-read=/etc/hosts",
      ]),
      role("b", ["--allow-net=x:1", "--allow-env=LANG,TERM"]),
      role("c", ["--allow-net", "--allow-read=/etc/hosts"]),
    ]),
    [
      "--unstable-net",
      "--allow-env=LANG,NO_COLOR,TERM",
      "--allow-read=/etc/hosts",
      "--allow-net",
    ],
  );
  // Every role's flag is in the union, lists merged (e.g. `--v8-flags`).
  const union = unionPermissions(ROLES);
  const items = (flag: string) => flag.slice(flag.indexOf("=") + 1).split(",");
  for (const role of ROLES) {
    for (const flag of role.permissions) {
      const name = flag.split("=")[0];
      const merged = union.find((f) => f.split("=")[0] === name);
      assert.ok(merged, flag);
      if (merged !== name) {
        for (const item of items(flag)) {
          assert.ok(items(merged).includes(item), flag);
        }
      }
    }
  }
});
