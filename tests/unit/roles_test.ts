import assert from "node:assert/strict";
import { BATCH_ROLES, ROLES, taskLine } from "../../lib/roles.ts";

const config = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
);

Deno.test("every role's deno task runs exactly the table's command line", () => {
  for (const role of [...ROLES, ...BATCH_ROLES]) {
    assert.equal(
      config.tasks[role.name],
      taskLine(role),
      `task ${role.name} differs from lib/roles.ts`,
    );
  }
});

Deno.test("every role's entry file exists and exports main", async () => {
  for (const role of ROLES) {
    const module = await import(
      new URL(`../../${role.entry}`, import.meta.url).href
    );
    assert.equal(typeof module.main, "function", `${role.entry} exports main`);
  }
});

Deno.test("only the :batch rows grant FFI, each on its role's own entry and permissions", () => {
  for (const role of ROLES) {
    assert.ok(!role.permissions.some((flag) => flag.startsWith("--allow-ffi")));
  }
  for (const row of BATCH_ROLES) {
    const base = ROLES.find((role) => `${role.name}:batch` === row.name)!;
    assert.equal(row.entry, base.entry);
    for (const flag of base.permissions) {
      assert.ok(row.permissions.includes(flag));
    }
    assert.ok(row.permissions.includes("--allow-ffi"));
    assert.deepEqual(row.args, ["--io", "batch"]);
  }
});
