/**
 * Counting what a receiver got: the numbers that answer the broadcast lab's
 * question ("what differs when the receivers start after the sender?").
 *
 * Sequence numbers start at 1, so a receiver that starts late has missed
 * `firstSeq - 1` datagrams before its first one (`missedBeforeFirst`), and
 * any other hole up to `lastSeq` is a loss while it was listening (`gaps`).
 * A receiver cannot know what was sent after `lastSeq`: only a comparison
 * with the sender's count can (`lab run`, the demo).
 *
 * @example Count what a late receiver got
 * ```ts
 * import { SequenceTracker } from "./sequence.ts";
 *
 * const tracker = new SequenceTracker();
 * for (const n of [4, 5, 7]) tracker.add(n);
 * const summary = tracker.summary();
 * console.log(summary.missedBeforeFirst, summary.gaps); // 3 1
 * ```
 *
 * @module
 */

/** A receiver's summary; the last line of its `--json` output. */
export interface SequenceSummary {
  /** Always `"summary"`. */
  type: "summary";
  /** Datagrams received, valid or not, duplicates included. */
  received: number;
  /** The sequence number of the first valid datagram, or `null` if none came. */
  firstSeq: number | null;
  /** The highest sequence number seen, or `null` if none came. */
  lastSeq: number | null;
  /** Numbers from 1 to `lastSeq` never received (`missedBeforeFirst + gaps`). */
  missing: number;
  /** Of `missing`, those before the first datagram: sent before this receiver listened. */
  missedBeforeFirst: number;
  /** Of `missing`, the holes after the first datagram: lost while listening. */
  gaps: number;
  /** Datagrams whose number had already been received. */
  duplicates: number;
  /** Datagrams whose number was lower than one already received. */
  outOfOrder: number;
  /** Datagrams with no sequence number. */
  invalid: number;
  /**
   * Datagrams whose number is implausibly far from the stream (see
   * {@linkcode SequenceTracker}): not counted as received numbers or gaps.
   */
  outOfRange: number;
}

/** No sender counts this far (over 100 days at 100,000 datagrams/s). */
export const MAX_SEQUENCE = 1e12;
/**
 * How far a number may run ahead of the first one: this many, plus
 * {@linkcode MAX_RATE} per second since the first arrived.
 */
export const MAX_JUMP = 1_000_000;
/** Datagrams per second no sender reaches (ours sends ~100,000/s). */
export const MAX_RATE = 1_000_000;
/** Runs of consecutive numbers kept; older ones are folded into counts. */
export const MAX_RUNS = 4096;

/** Options for {@linkcode SequenceTracker}. */
export interface TrackerOptions {
  /** Milliseconds from any fixed point; default `performance.now`. */
  now?: () => number;
}

/**
 * Tracks the sequence numbers seen, in bounded memory and constant time per
 * datagram, whatever numbers a peer sends.
 *
 * The numbers received are kept as runs of consecutive numbers (a loss-free
 * stream is one run). At most {@linkcode MAX_RUNS} runs are kept: beyond
 * that the lowest run is folded into counts, and a number at or below it
 * arriving later can no longer be told new from duplicate (it counts as out
 * of order only). A number above {@linkcode MAX_SEQUENCE}, or more than
 * {@linkcode MAX_JUMP} plus {@linkcode MAX_RATE} per second above the first
 * number, is no sender's: it counts as `outOfRange`, not as a gap.
 */
export class SequenceTracker {
  #received = 0;
  #distinct = 0;
  #first: number | null = null;
  #firstAt = 0;
  /** Numbers up to here are plausible without reading the clock. */
  #ceiling = 0;
  #last: number | null = null;
  #duplicates = 0;
  #outOfOrder = 0;
  #invalid = 0;
  #outOfRange = 0;
  /** Distinct numbers below the first one (they arrived late). */
  #belowFirst = 0;
  /** Numbers up to here are folded into `#distinct`; runs lie above it. */
  #floor = 0;
  /** Sorted, disjoint, non-adjacent runs `[starts[i], ends[i]]`. */
  #starts: number[] = [];
  #ends: number[] = [];
  #now: () => number;

  /** Creates an empty tracker. */
  constructor(options: TrackerOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** Records one datagram: its sequence number, or `undefined` if it had none. */
  add(seq: number | undefined): void {
    this.#received++;
    if (seq === undefined) {
      this.#invalid++;
      return;
    }
    const last = this.#last;
    // The fast path: the next number of a stream.
    if (last !== null && seq === last + 1) {
      this.#ends[this.#ends.length - 1] = seq;
      this.#last = seq;
      this.#distinct++;
      return;
    }
    if (!this.#plausible(seq)) {
      this.#outOfRange++;
      return;
    }
    if (last === null) {
      this.#first = seq;
      this.#firstAt = this.#now();
      this.#ceiling = seq + MAX_JUMP;
      this.#last = seq;
      this.#starts.push(seq);
      this.#ends.push(seq);
      this.#distinct++;
      return;
    }
    if (seq > last) {
      this.#starts.push(seq);
      this.#ends.push(seq);
      this.#last = seq;
      this.#distinct++;
      this.#fold();
      return;
    }
    this.#outOfOrder++;
    if (seq <= this.#floor) return; // folded: new or duplicate, unknown
    if (this.#insert(seq)) {
      this.#distinct++;
      if (seq < this.#first!) this.#belowFirst++;
      this.#fold();
    } else {
      this.#outOfOrder--;
      this.#duplicates++;
    }
  }

  /** The counts so far. */
  summary(): SequenceSummary {
    const first = this.#first;
    const last = this.#last;
    const missing = last === null ? 0 : last - this.#distinct;
    const missedBeforeFirst = first === null ? 0 : first - 1 - this.#belowFirst;
    return {
      type: "summary",
      received: this.#received,
      firstSeq: first,
      lastSeq: last,
      missing,
      missedBeforeFirst,
      gaps: missing - missedBeforeFirst,
      duplicates: this.#duplicates,
      outOfOrder: this.#outOfOrder,
      invalid: this.#invalid,
      outOfRange: this.#outOfRange,
    };
  }

  /** Whether `seq` could be a sender's: not absurd, not far ahead of the stream. */
  #plausible(seq: number): boolean {
    if (seq > MAX_SEQUENCE) return false;
    const first = this.#first;
    if (first === null || seq <= this.#ceiling) return true;
    // The clock is read only past the last ceiling: it costs ~1 µs.
    const seconds = (this.#now() - this.#firstAt) / 1000;
    this.#ceiling = first + MAX_JUMP + MAX_RATE * seconds;
    return seq <= this.#ceiling;
  }

  /**
   * Adds `seq` (below the last number, above the floor) to the runs;
   * `false` if it was already there.
   */
  #insert(seq: number): boolean {
    const starts = this.#starts;
    const ends = this.#ends;
    // The last run that starts at or below seq.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= seq) lo = mid + 1;
      else hi = mid - 1;
    }
    const i = hi;
    if (i >= 0 && seq <= ends[i]) return false;
    const joinsBelow = i >= 0 && ends[i] === seq - 1;
    const joinsAbove = i + 1 < starts.length && starts[i + 1] === seq + 1;
    if (joinsBelow && joinsAbove) {
      ends[i] = ends[i + 1];
      starts.splice(i + 1, 1);
      ends.splice(i + 1, 1);
    } else if (joinsBelow) {
      ends[i] = seq;
    } else if (joinsAbove) {
      starts[i + 1] = seq;
    } else {
      starts.splice(i + 1, 0, seq);
      ends.splice(i + 1, 0, seq);
    }
    return true;
  }

  /** Keeps at most MAX_RUNS runs: the lowest goes into the counts. */
  #fold(): void {
    if (this.#starts.length <= MAX_RUNS) return;
    this.#starts.shift();
    this.#floor = this.#ends.shift()!;
  }
}
