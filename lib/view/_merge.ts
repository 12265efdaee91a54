/**
 * Internal: the frames of several captures (one per segment's switch on a
 * lab with routers) put back in the order they were captured in, before
 * they become events. Each tcpdump hands its frames over in blocks, up to
 * {@linkcode BLOCK_MS} late: a datagram's copy on the fourth segment may
 * come before its copy on the first. A frame is let go once every capture
 * has a later one waiting, or once it is older than a block's delay and a
 * margin (a capture with nothing to say says nothing).
 *
 * @module
 */

import { BLOCK_MS } from "../wire/capture.ts";
import type { Frame } from "../wire/frame.ts";

/** How long a frame may wait for the other captures' earlier ones (ms). */
export const HOLD_MS = BLOCK_MS + 400;
/** Frames held at most: past it, the oldest go (a flood bounds memory). */
const MAX_HELD = 20_000;

/** One capture's frames waiting, oldest first. */
class Queue {
  #items: Frame[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  peek(): Frame | undefined {
    return this.#items[this.#head];
  }

  push(frame: Frame): void {
    this.#items.push(frame);
  }

  shift(): Frame {
    const frame = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return frame;
  }
}

/** Merges the frames of `count` captures in capture order. */
export class FrameMerger {
  #queues: Queue[];
  #publish: (frame: Frame, capture: number) => void;
  #held = 0;

  /** Frames go to `publish` with the index of the capture they are from. */
  constructor(
    count: number,
    publish: (frame: Frame, capture: number) => void,
  ) {
    this.#queues = Array.from({ length: count }, () => new Queue());
    this.#publish = publish;
  }

  /** A frame of capture `capture`, as read. */
  push(capture: number, frame: Frame, nowMs = Date.now()): void {
    this.#queues[capture].push(frame);
    this.#held++;
    this.release(nowMs);
  }

  /** Lets go every frame that can go at `nowMs`. */
  release(nowMs = Date.now()): void {
    for (;;) {
      let oldest = -1;
      let waiting = 0;
      for (const [i, q] of this.#queues.entries()) {
        const head = q.peek();
        if (!head) continue;
        waiting++;
        if (
          oldest < 0 || head.timeMs < this.#queues[oldest].peek()!.timeMs
        ) oldest = i;
      }
      if (oldest < 0) return;
      const head = this.#queues[oldest].peek()!;
      const go = waiting === this.#queues.length ||
        head.timeMs <= nowMs - HOLD_MS || this.#held > MAX_HELD;
      if (!go) return;
      this.#queues[oldest].shift();
      this.#held--;
      this.#publish(head, oldest);
    }
  }

  /** Lets go of everything (the captures ended). */
  drain(): void {
    this.release(Infinity);
  }
}
