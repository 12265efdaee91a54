/**
 * What a receiver does with each datagram: count its sequence number and
 * show it (lab-style lines, a `datagram` JSON record, or both), chosen once
 * per loop so a flood costs no per-datagram mode checks. Shared by the
 * receive loop and its warm-up (`warm_up.ts`), so the warm-up runs the very
 * code the loop runs.
 *
 * @module
 */

import { displayBytes, displaysAsIs } from "../cli/display.ts";
import type { Output } from "../cli/output.ts";
import { PATTERN_MARK } from "../cli/recording.ts";
import { parseSequence } from "./payload.ts";
import type { DatagramLines, ReceiveOptions } from "./receive_options.ts";
import type { SequenceTracker } from "./sequence.ts";

/** Handles one received datagram. */
export type DatagramHandler = (data: Uint8Array, from: Deno.NetAddr) => void;

/**
 * The per-datagram work of `receiveLoop` for `options`: the number goes to
 * `tracker`, the datagram to `options.out` (nothing with `quiet`), then
 * `afterEach`.
 */
export function datagramHandler(
  tracker: SequenceTracker,
  options: ReceiveOptions,
): DatagramHandler {
  const show = shower(options);
  const after = options.quiet ? undefined : options.afterEach;
  return (data, from) => {
    const seq = parseSequence(data);
    tracker.add(seq);
    show?.(data, from, seq);
    after?.();
  };
}

type Show = (data: Uint8Array, from: Deno.NetAddr, seq?: number) => void;

function shower(options: ReceiveOptions): Show | undefined {
  const { out, lines, quiet = false } = options;
  if (quiet) return undefined;
  const record: Show = (data, from, seq) =>
    out.record({
      type: "datagram",
      from: from.hostname,
      port: from.port,
      bytes: data.length,
      seq: seq ?? null,
      text: displayBytes(data),
    });
  if (!out.json) {
    // On a lab host (a recording), each datagram is shown on the screen
    // and recorded as its record too.
    return out.recording
      ? both(showLines(out, lines), record)
      : showLines(out, lines);
  }
  if (!out.showsLines) return record;
  return both((data, from) => {
    for (const line of lines(from.hostname, from.port, displayBytes(data))) {
      out.line(line);
    }
  }, record);
}

function both(first: Show, second: Show): Show {
  return (data, from, seq) => {
    first(data, from, seq);
    second(data, from, seq);
  };
}

/**
 * Marks where the payload goes when a sender's lines are built once (and in
 * a recording's pattern, `PATTERN_MARK`).
 */
const TEXT_MARK = PATTERN_MARK;
const ENCODER = new TextEncoder();

/**
 * Human output for each datagram. A flood comes from one sender with plain
 * ASCII payloads, so the lines around the payload are built and encoded once
 * per sender (address, port) and each datagram then costs three byte copies:
 * no strings, nothing for the garbage collector. The output is the same as
 * `lines(address, port, displayBytes(data))` one line at a time. In a
 * recording, each sender's lines are recorded once as a pattern for the
 * datagrams that take the fast path (recording each line would cost the
 * flood its speed); the report fills it in with each `datagram` record.
 */
function showLines(out: Output, lines: DatagramLines): Show {
  let lastAddress = "";
  let lastPort = -1;
  let around: [Uint8Array, Uint8Array] | undefined;
  return (data, from) => {
    if (from.hostname !== lastAddress || from.port !== lastPort) {
      lastAddress = from.hostname;
      lastPort = from.port;
      const pattern = lines(from.hostname, from.port, TEXT_MARK);
      around = splitAround(pattern);
      out.recordPattern(around === undefined ? null : pattern);
    }
    if (around !== undefined && displaysAsIs(data)) {
      out.bytes(around[0]);
      out.bytes(data);
      out.bytes(around[1]);
      return;
    }
    for (const line of lines(from.hostname, from.port, displayBytes(data))) {
      out.line(line);
    }
  };
}

/**
 * The lines' bytes before and after the payload, or `undefined` when the
 * payload does not appear exactly once (then every datagram takes the
 * general path).
 */
function splitAround(
  lines: string[],
): [Uint8Array, Uint8Array] | undefined {
  const text = lines.join("\n") + "\n";
  const at = text.indexOf(TEXT_MARK);
  if (at < 0 || text.indexOf(TEXT_MARK, at + 1) >= 0) return undefined;
  return [
    ENCODER.encode(text.slice(0, at)),
    ENCODER.encode(text.slice(at + TEXT_MARK.length)),
  ];
}
