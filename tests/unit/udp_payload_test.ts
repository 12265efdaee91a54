import assert from "node:assert/strict";
import {
  broadcastPayload,
  NumberedPayloads,
  parseSequence,
} from "../../lib/udp/payload.ts";

Deno.test("NumberedPayloads: the lab's payloads 1, 2, 3, … byte for byte, across every new digit", () => {
  const payloads = new NumberedPayloads();
  const decoder = new TextDecoder();
  for (let n = 1; n <= 1_100_000; n++) {
    const bytes = payloads.next();
    assert.equal(payloads.number, n);
    // Checking every number is slow under assert: spot-check the shape of
    // each, compare the text at and around every power of ten.
    if (parseSequence(bytes) !== n) assert.fail(`payload ${n}: wrong number`);
    if (n % 10 <= 1 || n % 10 === 9 || n < 200) {
      assert.equal(decoder.decode(bytes), broadcastPayload(n));
    }
  }
});
