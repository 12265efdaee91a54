/**
 * Internal: the frames a page may ask the details of, in bounded memory:
 * every recent frame for a moment (until its events are sent), and the
 * frames of events sent to a page, the latest ones, for longer.
 *
 * @module
 */

import { decodeFrame } from "../wire/decode.ts";
import type { CapturedFrame, Frame } from "../wire/frame.ts";
import type { ViewEvent } from "./events.ts";

/** A frame kept for its details: its record as captured, and its event. */
export interface Stored {
  /** The frame as the capture holds it. */
  record: CapturedFrame;
  /** Its event. */
  event: ViewEvent;
}

/** Options for {@linkcode FrameStore}. */
export interface FrameStoreOptions {
  /** Every frame is kept while this many newer ones have not come. */
  recent?: number;
  /** Frames of events sent to a page kept. */
  kept?: number;
}

/** The recent frames, and those of events sent, by event number. */
export class FrameStore {
  #recent: (Stored | undefined)[];
  #kept: (Stored | undefined)[];

  /** An empty store. */
  constructor(options: FrameStoreOptions = {}) {
    this.#recent = new Array(options.recent ?? 8192);
    this.#kept = new Array(options.kept ?? 20_000);
  }

  /** Keeps `frame` (of event `event`) for a moment. */
  put(frame: Frame, event: ViewEvent): void {
    // The record alone, not the decoded layers: decoded again when asked.
    const record: CapturedFrame = {
      number: frame.number,
      timeNs: frame.timeNs,
      interface: frame.interface,
      capturedLength: frame.capturedLength,
      originalLength: frame.originalLength,
      data: frame.data,
      ...(frame.direction ? { direction: frame.direction } : {}),
    };
    this.#recent[event.n % this.#recent.length] = { record, event };
  }

  /** Keeps event `n`'s frame longer (it was sent to a page). */
  keep(n: number): void {
    const stored = this.#recent[n % this.#recent.length];
    if (stored?.event.n === n) this.#kept[n % this.#kept.length] = stored;
  }

  /** Event `n`'s frame, decoded, if still kept. */
  get(n: number): { frame: Frame; event: ViewEvent } | undefined {
    const stored = [
      this.#kept[n % this.#kept.length],
      this.#recent[n % this.#recent.length],
    ].find((s) => s?.event.n === n);
    return stored
      ? { frame: decodeFrame(stored.record), event: stored.event }
      : undefined;
  }
}
