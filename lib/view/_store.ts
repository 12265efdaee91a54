/**
 * Internal: the frames a page may ask the details of, in bounded memory:
 * every recent frame for a moment (until its events are sent), and the
 * frames of events sent to a page, the latest ones, for longer.
 *
 * The bytes are copied into two ring buffers allocated once, not kept as
 * one small buffer per frame: at tens of thousands of frames a second,
 * that many small allocations living for seconds fragment the process's
 * memory far beyond what they hold.
 *
 * @module
 */

import { decodeFrame } from "../wire/decode.ts";
import type { CaptureInterface, Frame } from "../wire/frame.ts";
import type { ViewEvent } from "./events.ts";

/** A frame kept for its details, its bytes in a ring. */
interface Stored {
  number: number;
  timeNs: bigint;
  interface: CaptureInterface;
  capturedLength: number;
  originalLength: number;
  direction?: "in" | "out";
  /** Where its bytes start, counted over everything ever written to the ring. */
  at: number;
  /** How many of its bytes are kept. */
  length: number;
  event: ViewEvent;
}

/** Options for {@linkcode FrameStore}. */
export interface FrameStoreOptions {
  /** Every frame is kept while this many newer ones have not come. */
  recent?: number;
  /** Frames of events sent to a page kept. */
  kept?: number;
}

/** Most bytes of one frame kept (more than any Ethernet frame). */
const FRAME_BYTES = 4096;

/** Bytes in a ring, written round and round. */
class Ring {
  readonly bytes: Uint8Array;
  written = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** Writes `data`; where it starts. */
  write(data: Uint8Array): number {
    const size = this.bytes.length;
    // A frame never wraps: it starts again at the front if it would.
    let at = this.written;
    if ((at % size) + data.length > size) at += size - (at % size);
    this.bytes.set(data, at % size);
    this.written = at + data.length;
    return at;
  }

  /** The bytes written at `at`, if not yet written over. */
  read(at: number, length: number): Uint8Array | undefined {
    if (this.written - at > this.bytes.length) return undefined;
    const start = at % this.bytes.length;
    return this.bytes.slice(start, start + length);
  }
}

/** The recent frames, and those of events sent, by event number. */
export class FrameStore {
  #recent: (Stored | undefined)[];
  #kept: (Stored | undefined)[];
  #recentBytes: Ring;
  #keptBytes: Ring;

  /** An empty store. */
  constructor(options: FrameStoreOptions = {}) {
    const recent = options.recent ?? 4096;
    const kept = options.kept ?? 10_000;
    this.#recent = new Array(recent);
    this.#kept = new Array(kept);
    // Room for frames of 160 bytes on average; larger ones keep fewer.
    this.#recentBytes = new Ring(Math.max(recent * 160, FRAME_BYTES * 4));
    this.#keptBytes = new Ring(Math.max(kept * 160, FRAME_BYTES * 4));
  }

  /** Keeps `frame` (of event `event`) for a moment. */
  put(frame: Frame, event: ViewEvent): void {
    const data = frame.data.subarray(0, FRAME_BYTES);
    this.#recent[event.n % this.#recent.length] = {
      number: frame.number,
      timeNs: frame.timeNs,
      interface: frame.interface,
      capturedLength: frame.capturedLength,
      originalLength: frame.originalLength,
      ...(frame.direction ? { direction: frame.direction } : {}),
      at: this.#recentBytes.write(data),
      length: data.length,
      event,
    };
  }

  /** Keeps event `n`'s frame longer (it was sent to a page). */
  keep(n: number): void {
    const stored = this.#recent[n % this.#recent.length];
    if (stored?.event.n !== n) return;
    const bytes = this.#recentBytes.read(stored.at, stored.length);
    if (!bytes) return;
    this.#kept[n % this.#kept.length] = {
      ...stored,
      at: this.#keptBytes.write(bytes),
    };
  }

  /** Event `n`'s frame, decoded, if still kept. */
  get(n: number): { frame: Frame; event: ViewEvent } | undefined {
    const places: [(Stored | undefined)[], Ring][] = [
      [this.#kept, this.#keptBytes],
      [this.#recent, this.#recentBytes],
    ];
    for (const [list, ring] of places) {
      const stored = list[n % list.length];
      if (stored?.event.n !== n) continue;
      const data = ring.read(stored.at, stored.length);
      if (!data) continue;
      const { at: _, length: __, event, ...record } = stored;
      const frame = decodeFrame({
        ...record,
        // Only what was kept of a long frame: the lengths say how long it was.
        capturedLength: Math.min(record.capturedLength, data.length),
        data,
      });
      return { frame, event };
    }
    return undefined;
  }
}
