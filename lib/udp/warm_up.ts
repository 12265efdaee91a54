/**
 * Warms a receiver up before its socket exists: runs its per-datagram code
 * on synthetic lab datagrams, so V8 has compiled and optimized it before the
 * first real datagram comes.
 *
 * Measured (docs/udp.md, "The plain path's last loss"): cold, the first
 * ~100 ms of a 20,000 datagrams/s flood run in V8's interpreter at about
 * twice the steady cost, and the receiver fell 13–18 ms behind the flood,
 * past the ~256 datagrams the default receive buffer holds (~12.8 ms at
 * that rate): the kernel dropped the flood's datagrams from number ~257 on.
 * Warmed, it stays within ~3 ms. Nothing is sent or received: the datagrams
 * go through the same handler as the loop's into an output that discards
 * them.
 *
 * @example Warm a broadcast receiver up, then bind
 * ```ts
 * import { Output } from "../cli/output.ts";
 * import { warmUpReceiver } from "./warm_up.ts";
 *
 * const out = new Output({ json: false });
 * await warmUpReceiver({
 *   out,
 *   lines: (address, port, text) => [`diterima ${text}`, `dikirim oleh (${address}, ${port})`],
 * });
 * ```
 *
 * @module
 */

import { Output } from "../cli/output.ts";
import { datagramHandler } from "./_datagram_handler.ts";
import { NumberedPayloads } from "./payload.ts";
import type { ReceiveOptions } from "./receiver.ts";
import { SequenceTracker } from "./sequence.ts";

/**
 * Synthetic datagrams per warm-up: enough for V8's optimizing compiler to
 * take the handler (measured: ~2,000 leave it half-warm), little enough to
 * cost a few tens of milliseconds at start.
 */
export const WARM_UP_DATAGRAMS = 20_000;

/** Datagrams between two turns of the event loop's microtasks. */
const YIELD_EVERY = 256;

/** Where the warm-up's output goes: nowhere. */
const DISCARD = { write: (p: Uint8Array) => Promise.resolve(p.length) };

/**
 * Runs the handler `receiveLoop` would build for `options` on
 * {@linkcode WARM_UP_DATAGRAMS} numbered lab payloads from one sender, into
 * an output like `options.out` (human lines, records) that discards them.
 * Call it before binding: a datagram that came meanwhile would wait in the
 * receive buffer. Prints nothing, receives nothing.
 */
export async function warmUpReceiver(
  options: Pick<ReceiveOptions, "out" | "lines" | "quiet">,
): Promise<void> {
  const out = new Output({
    json: options.out.json,
    jsonText: options.out.json && options.out.showsLines,
    writer: DISCARD,
  });
  const handle = datagramHandler(new SequenceTracker(), { ...options, out });
  const payloads = new NumberedPayloads();
  // The shape of the address Deno's `receive` gives, keys in its order.
  const from = { hostname: "127.0.0.1", port: 5005, transport: "udp" } as const;
  for (let i = 1; i <= WARM_UP_DATAGRAMS; i++) {
    handle(payloads.next(), from);
    // Lets the output's writes run as they would in a flood (a queue that
    // never drained would drop lines, a path a flood does not take).
    if (i % YIELD_EVERY === 0) await null;
  }
  await out.close();
}
