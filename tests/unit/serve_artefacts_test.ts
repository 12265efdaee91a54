import assert from "node:assert/strict";
import { staleArtefacts } from "../../lib/deploy/build.ts";

Deno.test("serve: another machine's files older than the code are named with their task; its own are not (serve builds them)", async () => {
  const root = await Deno.makeTempDir({ prefix: "serve_stale_" });
  try {
    await Deno.mkdir(`${root}/lib`);
    await Deno.mkdir(`${root}/dist`);
    await Deno.writeTextFile(`${root}/lib/a.ts`, "export {};\n");
    const old = new Date(Date.now() - 3_600_000);
    for (
      const name of [
        "progjar-aarch64-linux",
        "progjar-x86_64-linux",
        "progjar-alpine-aarch64.tar.gz",
        "progjar.js",
      ]
    ) {
      await Deno.writeTextFile(`${root}/dist/${name}`, "x");
      await Deno.utime(`${root}/dist/${name}`, old, old);
    }
    // Newer than the code: not stale.
    await Deno.writeTextFile(`${root}/dist/progjar-alpine-x86_64.tar.gz`, "x");

    const others = await staleArtefacts(`${root}/dist`, {
      root,
      machine: "x86_64",
    });
    assert.deepEqual(others.map((o) => [o.name, o.task.join(" ")]), [
      ["progjar-aarch64-linux", "pack --target aarch64"],
      ["progjar-alpine-aarch64.tar.gz", "alpine-pack --target aarch64"],
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
