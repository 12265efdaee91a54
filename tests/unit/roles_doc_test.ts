import assert from "node:assert/strict";
import { flagRows } from "../../lib/cli/parse.ts";
import {
  programSpecs,
  renderRolesDoc,
  staleRolesDocs,
} from "../../tools/roles_doc.ts";

Deno.test("docs/roles.md and docs/roles.id.md are what `deno task docs` writes from the SPECs", async () => {
  assert.deepEqual(
    await staleRolesDocs(),
    [],
    "out of date with cmd/*.ts: run `deno task docs`",
  );
});

Deno.test("docs/roles.md lists every program's every flag with its default", () => {
  const page = renderRolesDoc("en");
  for (const spec of programSpecs()) {
    assert.match(page, new RegExp(`^## ${spec.name}$`, "m"));
    for (const row of flagRows(spec.flags, "en")) {
      const defaultCell = row.default === undefined ? "" : `\`${row.default}\``;
      assert.ok(
        page.split("\n").some((line) =>
          line.startsWith(`| \`${row.flag}\``) && line.includes(defaultCell)
        ),
        `${spec.name} ${row.flag}`,
      );
    }
  }
});
