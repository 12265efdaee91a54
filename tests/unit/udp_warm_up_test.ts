import assert from "node:assert/strict";
import { type ConsoleWriter, Output } from "../../lib/cli/output.ts";
import { WARM_UP_DATAGRAMS, warmUpReceiver } from "../../lib/udp/warm_up.ts";

/** A writer that counts the bytes written to it. */
function counting(): ConsoleWriter & { bytes: number } {
  const writer = {
    bytes: 0,
    write(p: Uint8Array): Promise<number> {
      writer.bytes += p.length;
      return Promise.resolve(p.length);
    },
  };
  return writer;
}

/** The lab's lines, counting the calls and the payloads they were given. */
function labLines() {
  const calls: string[] = [];
  return {
    calls,
    lines: (address: string, port: number, text: string) => {
      calls.push(text);
      return [`diterima ${text}`, `dikirim oleh (${address}, ${port})`];
    },
  };
}

Deno.test("warmUpReceiver runs the human path once per sender and prints nothing", async () => {
  const writer = counting();
  const out = new Output({ writer });
  const { calls, lines } = labLines();
  await warmUpReceiver({ out, lines });
  await out.close();
  assert.equal(writer.bytes, 0);
  // The fast path builds the sender's lines once, around a marker.
  assert.deepEqual(calls, ["\u0000"]);
});

Deno.test("warmUpReceiver puts every synthetic lab datagram through the receiver's handler", async () => {
  const writer = counting();
  // --json with the human lines as records: `lines` runs per datagram.
  const out = new Output({ json: true, jsonText: true, writer });
  const { calls, lines } = labLines();
  await warmUpReceiver({ out, lines });
  await out.close();
  assert.equal(writer.bytes, 0);
  assert.equal(calls.length, WARM_UP_DATAGRAMS);
  assert.equal(calls[0], " BROADCAST ini angka 1 ");
  assert.equal(calls.at(-1), ` BROADCAST ini angka ${WARM_UP_DATAGRAMS} `);
});

Deno.test("warmUpReceiver with --quiet shows nothing, as the loop would", async () => {
  const out = new Output({ writer: counting() });
  const { calls, lines } = labLines();
  await warmUpReceiver({ out, lines, quiet: true });
  await out.close();
  assert.deepEqual(calls, []);
});
