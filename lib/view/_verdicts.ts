/**
 * Internal: the live view's verdicts made exact. The kernel's socket table
 * is read every few tens of milliseconds; a socket opened or closed between
 * two readings leaves the frames of that window in doubt. The kernel also
 * counts, exactly, the broadcast and multicast datagrams that found no
 * socket (`IgnoredMulti`) and the unicast ones (`NoPorts`): in a window
 * where a socket opened, the first so many of its frames in doubt found
 * none and the rest found it; where one closed, the last so many found
 * none. Events wait here, in order, until their window is read on both
 * sides and every frame of it has come from the capture; then each doubt
 * is settled by the count (or, if the count does not fit, by the nearer
 * reading).
 *
 * @module
 */

import type { ViewEvent } from "./events.ts";
import type { HostTable } from "./hosts.ts";
import type { FrameFacts, Reading, SocketBook, Verdict } from "./sockets.ts";

/** An event waiting for its verdicts. */
export interface Waiting {
  /** The event; `v` has `?` for a port not yet settled. */
  event: ViewEvent;
  /** What the verdicts need of its frame. */
  frame: FrameFacts;
  /** Which ports were `?` when it came (their counts come on release). */
  later: boolean[];
}

/** A frame that reached a host's sockets: through a port, or sent by it. */
interface Entry {
  t: number;
  item: Waiting;
  /** The index in `event.to`; -1 for the host's own looped-back frame. */
  port: number;
  /** Counted by `IgnoredMulti` (broadcast, multicast) or `NoPorts`. */
  multi: boolean;
  /** Its verdict once settled. */
  settled?: Verdict;
}

/** How long a frame may wait for a reading after it before the nearer one decides. */
const GIVE_UP_MS = 3_000;

/** Events in capture order, released once their verdicts are settled. */
export class VerdictQueue {
  #book: SocketBook;
  #hosts: HostTable;
  #queue: Waiting[] = [];
  #head = 0;
  /** Per host, the frames that reached its sockets lately. */
  #journal = new Map<number, Entry[]>();
  /** How long the capture may hand frames over late (tcpdump's blocks). */
  #lateMs: number;

  /** A queue deciding from `book` for the hosts of `hosts`. */
  constructor(book: SocketBook, hosts: HostTable, lateMs: number) {
    this.#book = book;
    this.#hosts = hosts;
    this.#lateMs = lateMs;
  }

  /** Events waiting. */
  get size(): number {
    return this.#queue.length - this.#head;
  }

  /** Queues an event whose `v` holds `?` where the kernel must say. */
  push(event: ViewEvent, frame: FrameFacts): void {
    const item = { event, frame, later: event.v.map((v) => v === "?") };
    this.#queue.push(item);
    const udp = frame.kind.startsWith("udp");
    if (!udp) return;
    const multi = frame.kind !== "udp-unicast";
    event.to.forEach((host, port) => {
      if (event.v[port] === "?") {
        this.#note(host, { t: event.t, item, port, multi });
      }
    });
    // A host's own broadcast (and multicast) comes back to its own stack
    // and is counted there too.
    if (multi && event.from >= 0 && this.#book.watched(event.from)) {
      this.#note(event.from, { t: event.t, item, port: -1, multi });
    }
  }

  #note(host: number, entry: Entry): void {
    let journal = this.#journal.get(host);
    if (!journal) this.#journal.set(host, journal = []);
    journal.push(entry);
  }

  /**
   * The events at the head whose every verdict is settled now (`now` is
   * the wall clock, `latestMs` the time of the last frame captured).
   */
  release(now: number, latestMs: number): Waiting[] {
    const out: Waiting[] = [];
    while (this.#head < this.#queue.length) {
      const item = this.#queue[this.#head];
      if (!this.#settle(item, now, latestMs)) break;
      out.push(item);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#prune();
    return out;
  }

  /** Releases everything, each doubt settled by the nearer reading. */
  drain(): Waiting[] {
    const out = this.#queue.slice(this.#head);
    for (const item of out) {
      item.event.v.forEach((v, k) => {
        if (v === "?") item.event.v[k] = this.#nearest(item, k);
      });
    }
    this.#queue = [];
    this.#head = 0;
    this.#journal.clear();
    return out;
  }

  #settle(item: Waiting, now: number, latestMs: number): boolean {
    const { event } = item;
    for (let k = 0; k < event.to.length; k++) {
      if (event.v[k] !== "?") continue;
      const host = event.to[k];
      const { before, after } = this.#book.around(host, event.t);
      if (!after) {
        if (now - event.t < GIVE_UP_MS) return false;
        event.v[k] = this.#nearest(item, k);
        continue;
      }
      const va = this.#under(host, item, before ?? after);
      const vb = this.#under(host, item, after);
      if (va === vb) {
        event.v[k] = va;
        continue;
      }
      // Every frame of the window must be in before it is counted.
      if (latestMs <= after.t && now <= after.t + this.#lateMs) return false;
      if (before) this.#reconcile(host, before, after);
      if (event.v[k] === "?") event.v[k] = this.#nearest(item, k);
    }
    return true;
  }

  #under(host: number, item: Waiting, reading: Reading): Verdict {
    return this.#book.verdictUnder(
      host,
      this.#hosts.hosts[host]?.address,
      item.frame,
      item.event.t,
      reading,
    );
  }

  #nearest(item: Waiting, k: number): Verdict {
    const host = item.event.to[k];
    return this.#book.verdict(
      host,
      this.#hosts.hosts[host]?.address,
      item.frame,
      item.event.t,
    );
  }

  /** Settles the doubts of host `host`'s window by the kernel's counts. */
  #reconcile(host: number, before: Reading, after: Reading): void {
    const entries = (this.#journal.get(host) ?? []).filter((e) =>
      e.t > before.t && e.t <= after.t
    );
    for (const multi of [true, false]) {
      const a = multi ? before.state.ignoredMulti : before.state.noPorts;
      const b = multi ? after.state.ignoredMulti : after.state.noPorts;
      if (a === undefined || b === undefined) continue;
      let unmatched = b - a;
      const doubts: { entry: Entry; opening: boolean }[] = [];
      for (const entry of entries) {
        if (entry.multi !== multi) continue;
        const va = entry.settled ?? this.#under(host, entry.item, before);
        const vb = entry.settled ?? this.#under(host, entry.item, after);
        if (va === vb) {
          if (va === "p") unmatched--;
          this.#set(entry, va);
        } else if (va === "p" && vb === "r") {
          doubts.push({ entry, opening: true });
        } else if (va === "r" && vb === "p") {
          doubts.push({ entry, opening: false });
        }
      }
      if (doubts.length === 0) continue;
      const opening = doubts.every((d) => d.opening);
      const closing = doubts.every((d) => !d.opening);
      // The count fits only one change, in one direction.
      if (unmatched < 0 || unmatched > doubts.length || !(opening || closing)) {
        continue;
      }
      doubts.forEach(({ entry }, i) => {
        const none = opening ? i < unmatched : i >= doubts.length - unmatched;
        this.#set(entry, none ? "p" : "r");
      });
    }
  }

  #set(entry: Entry, verdict: Verdict): void {
    entry.settled = verdict;
    if (entry.port >= 0 && entry.item.event.v[entry.port] === "?") {
      entry.item.event.v[entry.port] = verdict;
    }
  }

  /** Forgets the frames of windows no waiting event can be in. */
  #prune(): void {
    const head = this.#queue[this.#head];
    for (const [host, journal] of this.#journal) {
      const t = head?.event.t ?? Infinity;
      // Windows before the one the first waiting event is in are done.
      const { before } = this.#book.around(
        host,
        Math.min(t, journal.at(-1)?.t ?? t),
      );
      if (!before) continue;
      let cut = 0;
      while (cut < journal.length && journal[cut].t <= before.t) cut++;
      if (cut > 0) journal.splice(0, cut);
    }
  }
}
