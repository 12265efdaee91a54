import assert from "node:assert/strict";
import { displayBytes } from "../../lib/cli/display.ts";

const encoder = new TextEncoder();

Deno.test("displayBytes shows plain ASCII unchanged, lab payloads and past a chunk", () => {
  for (
    const text of [
      " BROADCAST ini angka 1 ",
      " BROADCAST ini angka 123456789 ",
      "",
      "~".repeat(8191) + "x".repeat(8193) + "!",
    ]
  ) {
    assert.equal(displayBytes(encoder.encode(text)), text);
  }
});

Deno.test("displayBytes still escapes what is not plain ASCII", () => {
  assert.equal(displayBytes(encoder.encode("a\\b")), "a\\\\b");
  assert.equal(displayBytes(encoder.encode("\x1b[31m")), "\\x1b[31m");
  assert.equal(displayBytes(new Uint8Array([0xff, 0x41])), "\\xffA");
});
