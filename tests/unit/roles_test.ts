import assert from "node:assert/strict";
import { denoRunArgs, ROLES } from "../../lib/roles.ts";

const config = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
);

Deno.test("every role's deno task runs exactly the table's command line", () => {
  for (const role of ROLES) {
    assert.equal(
      config.tasks[role.name],
      ["deno", ...denoRunArgs(role)].join(" "),
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
