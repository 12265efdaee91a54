/**
 * Internal: one browser watching, on its WebSocket: what it is sent, at
 * most a budget of events a second (the rest sampled out, rare kinds
 * kept), and never more than a bounded backlog. A browser that does not
 * read (a slow machine, a tab in the debugger) gets nothing until its
 * backlog drains: its events are dropped and counted, and the counts it
 * gets next are the exact totals, which never need what was missed.
 *
 * @module
 */

import type { ViewEvent } from "./events.ts";
import { eventRow } from "./events.ts";

/** Limits of one browser's stream. */
export interface ClientLimits {
  /** Events a second at most; more are sampled. */
  eventsPerSecond: number;
  /** Bytes waiting to be written past which the browser counts as slow. */
  backlogBytes: number;
}

/** The limits used unless told otherwise. */
export const DEFAULT_LIMITS: ClientLimits = {
  eventsPerSecond: 2_000,
  backlogBytes: 1024 * 1024,
};

/** How often events are sent (ms). */
export const TICK_MS = 50;

/** Events of a kind seen this many times in a tick or fewer are always kept. */
const RARE = 4;

/** What one browser was sent and not sent. */
export interface ClientCounts {
  /** Events sent. */
  sent: number;
  /** Events not sent because the rate was over the budget. */
  sampled: number;
  /** Events not sent because the browser's backlog was full. */
  dropped: number;
  /** Whether it is behind now. */
  slow: boolean;
  /** Times it fell behind. */
  stalls: number;
}

let nextId = 1;

/** One browser's WebSocket, with its budget and backlog. */
export class Client {
  /** A number for the log. */
  readonly id: number = nextId++;
  /** The socket. */
  readonly socket: WebSocket;
  /** What it was sent and not. */
  readonly counts: ClientCounts = {
    sent: 0,
    sampled: 0,
    dropped: 0,
    slow: false,
    stalls: 0,
  };
  #limits: ClientLimits;
  /** Rare kinds' events of this tick: always sent. */
  #rare: ViewEvent[] = [];
  /** A uniform sample of the others. */
  #sample: ViewEvent[] = [];
  #offered = 0;
  #kindSeen = new Map<string, number>();
  /**
   * Events it may still be sent: refilled at the budget's rate, up to one
   * second's worth, so that the bursts tcpdump hands frames over in (a
   * block at a time) are not sampled when the rate itself is within it.
   */
  #tokens: number;
  #refilled = performance.now();

  /** A client on `socket`. */
  constructor(socket: WebSocket, limits: ClientLimits = DEFAULT_LIMITS) {
    this.socket = socket;
    this.#limits = limits;
    this.#tokens = limits.eventsPerSecond;
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a control message now, whatever the backlog (small, rare). */
  send(message: unknown): void {
    if (this.open) this.socket.send(JSON.stringify(message));
  }

  /** Offers a live event for the next tick. */
  offer(event: ViewEvent): void {
    const seen = (this.#kindSeen.get(event.kind) ?? 0) + 1;
    this.#kindSeen.set(event.kind, seen);
    if (seen <= RARE) {
      this.#rare.push(event);
      return;
    }
    const room = Math.max(1, Math.floor(this.#tokens));
    // Reservoir sampling: every common event equally likely to be sent.
    this.#offered++;
    if (this.#sample.length < room) this.#sample.push(event);
    else {
      const j = Math.floor(Math.random() * this.#offered);
      if (j < room) this.#sample[j] = event;
    }
  }

  /** Whether the browser's backlog is over its limit now. */
  behind(): boolean {
    const buffered = this.socket.bufferedAmount;
    const limit = this.#limits.backlogBytes;
    // Behind until it has caught up well below the limit, not just under it.
    if (this.counts.slow) return buffered > limit / 4;
    return buffered > limit;
  }

  /**
   * Sends this tick's events (and `stats`, when given) unless the browser
   * is behind; returns the events sent, to keep their frames for details.
   */
  flush(stats?: () => unknown): ViewEvent[] {
    const now = performance.now();
    const budget = this.#limits.eventsPerSecond;
    this.#tokens = Math.min(
      budget,
      this.#tokens + (now - this.#refilled) * budget / 1000,
    );
    this.#refilled = now;
    const events = this.#rare.concat(this.#sample);
    const offered = this.#rare.length + this.#offered;
    this.#rare = [];
    this.#sample = [];
    this.#offered = 0;
    this.#kindSeen.clear();
    if (!this.open) return [];
    if (this.behind()) {
      if (!this.counts.slow) this.counts.stalls++;
      this.counts.slow = true;
      this.counts.dropped += offered;
      return [];
    }
    this.counts.slow = false;
    this.counts.sampled += offered - events.length;
    this.#tokens = Math.max(0, this.#tokens - events.length);
    if (events.length > 0) {
      events.sort((a, b) => a.n - b.n);
      this.counts.sent += events.length;
      this.socket.send(
        JSON.stringify({ type: "events", rows: events.map(eventRow) }),
      );
    }
    if (stats) this.socket.send(JSON.stringify(stats()));
    return events;
  }

  /** Sends replay events as they are (no budget: the page asked for them). */
  sendAll(events: ViewEvent[]): void {
    if (!this.open || events.length === 0) return;
    this.counts.sent += events.length;
    this.socket.send(
      JSON.stringify({ type: "events", rows: events.map(eventRow) }),
    );
  }
}
