/**
 * The peers a multicast chat has heard from, by sender address and port:
 * their names and when each was last heard. Bounded: past
 * {@linkcode MAX_MEMBERS} the one heard from longest ago is forgotten, so a
 * flood from many addresses cannot grow memory.
 *
 * @example Who was heard in the last five minutes
 * ```ts
 * import { Members } from "./members.ts";
 *
 * const members = new Members();
 * members.heard("192.168.122.131:40312", { name: "alpine-2", now: 1000 });
 * console.log(members.recent({ seconds: 300, now: 2000 }).map((m) => m.name)); // ["alpine-2"]
 * ```
 *
 * @module
 */

/** The most peers remembered at once. */
export const MAX_MEMBERS = 256;

/** One peer heard from. */
export interface Member {
  /** `address:port` it sends from. */
  from: string;
  /** Its name, if it ever sent one (the course's sender sends none). */
  name?: string;
  /** When it was last heard (`Date.now()`). */
  lastHeard: number;
}

/** The peers heard from, by `address:port`. */
export class Members {
  #members = new Map<string, Member>();
  #limit: number;

  /** A table of at most `limit` peers. */
  constructor(limit = MAX_MEMBERS) {
    this.#limit = limit;
  }

  /** How many peers are remembered. */
  get size(): number {
    return this.#members.size;
  }

  /** Notes a datagram from `from`, with its name if it gave one. */
  heard(from: string, options: { name?: string; now?: number } = {}): void {
    const now = options.now ?? Date.now();
    const known = this.#members.get(from);
    if (known) {
      // Re-inserted: the map's order is then the order last heard.
      this.#members.delete(from);
      known.lastHeard = now;
      if (options.name !== undefined) known.name = options.name;
      this.#members.set(from, known);
      return;
    }
    if (this.#members.size >= this.#limit) {
      const oldest = this.#members.keys().next().value!;
      this.#members.delete(oldest);
    }
    this.#members.set(from, { from, name: options.name, lastHeard: now });
  }

  /** Forgets `from` (it left). */
  forget(from: string): void {
    this.#members.delete(from);
  }

  /** The peers heard from in the last `seconds`, sorted by name. */
  recent(options: { seconds: number; now?: number }): Member[] {
    const since = (options.now ?? Date.now()) - options.seconds * 1000;
    return [...this.#members.values()]
      .filter((m) => m.lastHeard >= since)
      .sort((a, b) => (a.name ?? a.from).localeCompare(b.name ?? b.from));
  }
}
