/**
 * Counting what a receiver got: the numbers that answer the broadcast lab's
 * question ("what differs when the receivers start after the sender?").
 *
 * Sequence numbers start at 1, so a receiver that starts late has missed
 * `firstSeq - 1` datagrams before its first one (`missedBeforeFirst`), and
 * any other hole up to `lastSeq` is a loss while it was listening (`gaps`).
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
}

const PAGE_BITS = 1 << 16;

/**
 * Tracks the sequence numbers seen. Memory grows with the numbers actually
 * received (a sparse bitmap of 8 KiB pages), never with a number a peer
 * merely claims, so a forged `angka 999999999999` costs one page.
 */
export class SequenceTracker {
  #received = 0;
  #distinct = 0;
  #first: number | null = null;
  #last: number | null = null;
  #duplicates = 0;
  #outOfOrder = 0;
  #invalid = 0;
  #pages = new Map<number, Uint8Array>();

  /** Records one datagram: its sequence number, or `undefined` if it had none. */
  add(seq: number | undefined): void {
    this.#received++;
    if (seq === undefined) {
      this.#invalid++;
      return;
    }
    if (this.#first === null) this.#first = seq;
    const pageIndex = Math.floor(seq / PAGE_BITS);
    let page = this.#pages.get(pageIndex);
    if (page === undefined) {
      page = new Uint8Array(PAGE_BITS / 8);
      this.#pages.set(pageIndex, page);
    }
    const bit = seq % PAGE_BITS;
    const mask = 1 << (bit & 7);
    if (page[bit >> 3] & mask) {
      this.#duplicates++;
      return;
    }
    page[bit >> 3] |= mask;
    this.#distinct++;
    if (this.#last === null || seq > this.#last) {
      this.#last = seq;
    } else {
      this.#outOfOrder++;
    }
  }

  /** The counts so far. */
  summary(): SequenceSummary {
    const first = this.#first;
    const last = this.#last;
    const missing = last === null ? 0 : last - this.#distinct;
    const missedBeforeFirst = first === null
      ? 0
      : first - 1 - this.#countBelow(first);
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
    };
  }

  /** How many distinct numbers below `limit` were received (late, out of order). */
  #countBelow(limit: number): number {
    let count = 0;
    for (const [index, page] of this.#pages) {
      const base = index * PAGE_BITS;
      if (base >= limit) continue;
      for (let bit = 0; bit < PAGE_BITS && base + bit < limit; bit++) {
        if (page[bit >> 3] & (1 << (bit & 7))) count++;
      }
    }
    return count;
  }
}
