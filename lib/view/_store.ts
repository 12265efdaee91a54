/**
 * Internal: the frames a page may ask the details of, in bounded memory:
 * every recent frame for a moment (until its events are sent), and the
 * frames of events sent to a page, the latest ones, for longer.
 *
 * Nothing here is an object per frame: at tens of thousands of frames a
 * second, objects that live for a few hundred milliseconds are each
 * copied into the old generation of the heap, which the engine then grows
 * to hundreds of MB. The recent frames are columns of typed arrays and
 * their bytes one ring buffer, all allocated once; only the frames of
 * events sent to a page (a budget a second) are objects.
 *
 * @module
 */

import { decodeFrame } from "../wire/decode.ts";
import type { CaptureInterface, Frame } from "../wire/frame.ts";
import type { ViewEvent } from "./events.ts";

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

  /** Writes `data`; where it starts, counted over all ever written. */
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

/** A frame kept longer: its event was sent to a page. */
interface Kept {
  record: {
    number: number;
    timeNs: bigint;
    interface: CaptureInterface;
    capturedLength: number;
    originalLength: number;
  };
  data: Uint8Array;
  event: ViewEvent;
}

/** The recent frames, and those of events sent, by event number. */
export class FrameStore {
  #size: number;
  // The recent frames, one column each.
  #n: Float64Array;
  #number: Float64Array;
  #timeNs: BigInt64Array;
  #captured: Int32Array;
  #original: Int32Array;
  #at: Float64Array;
  #length: Int32Array;
  #iface: Int32Array;
  #interfaces: CaptureInterface[] = [];
  #bytes: Ring;
  #kept: (Kept | undefined)[];

  /** An empty store. */
  constructor(options: FrameStoreOptions = {}) {
    const size = this.#size = options.recent ?? 16_384;
    this.#n = new Float64Array(size).fill(-1);
    this.#number = new Float64Array(size);
    this.#timeNs = new BigInt64Array(size);
    this.#captured = new Int32Array(size);
    this.#original = new Int32Array(size);
    this.#at = new Float64Array(size);
    this.#length = new Int32Array(size);
    this.#iface = new Int32Array(size);
    // Room for frames of 160 bytes on average; larger ones keep fewer.
    this.#bytes = new Ring(Math.max(size * 160, FRAME_BYTES * 4));
    this.#kept = new Array(options.kept ?? 10_000);
  }

  /** Keeps `frame`, of event number `n`, for a moment. */
  put(frame: Frame, n: number): void {
    const i = n % this.#size;
    const data = frame.data.subarray(0, FRAME_BYTES);
    let iface = this.#interfaces.indexOf(frame.interface);
    if (iface < 0) {
      // A capture has a handful of interfaces; a stream of new ones would
      // be a reader's bug, not a reason to grow.
      if (this.#interfaces.length > 256) this.#interfaces = [];
      iface = this.#interfaces.push(frame.interface) - 1;
    }
    this.#n[i] = n;
    this.#number[i] = frame.number;
    this.#timeNs[i] = frame.timeNs;
    this.#captured[i] = frame.capturedLength;
    this.#original[i] = frame.originalLength;
    this.#at[i] = this.#bytes.write(data);
    this.#length[i] = data.length;
    this.#iface[i] = iface;
  }

  /** Keeps `event`'s frame longer (it was sent to a page). */
  keep(event: ViewEvent): void {
    const found = this.#recent(event.n);
    if (!found) return;
    this.#kept[event.n % this.#kept.length] = { ...found, event };
  }

  /** Event `n`'s frame, decoded, and its event if it was sent, if still kept. */
  get(n: number): { frame: Frame; event?: ViewEvent } | undefined {
    const kept = this.#kept[n % this.#kept.length];
    const found = kept?.event.n === n ? kept : this.#recent(n);
    if (!found) return undefined;
    const frame = decodeFrame({
      ...found.record,
      // Only what was kept of a long frame: the lengths say how long it was.
      capturedLength: Math.min(found.record.capturedLength, found.data.length),
      data: found.data,
    });
    return { frame, event: kept?.event.n === n ? kept.event : undefined };
  }

  #recent(n: number): Omit<Kept, "event"> | undefined {
    const i = n % this.#size;
    if (this.#n[i] !== n) return undefined;
    const data = this.#bytes.read(this.#at[i], this.#length[i]);
    const iface = this.#interfaces[this.#iface[i]];
    if (!data || !iface) return undefined;
    return {
      record: {
        number: this.#number[i],
        timeNs: this.#timeNs[i],
        interface: iface,
        capturedLength: this.#captured[i],
        originalLength: this.#original[i],
      },
      data,
    };
  }
}
