// The page's play controls, as Packet Tracer's simulation mode has them:
// live (each event shown as it arrives), pause (arrivals queue, bounded
// and counted), play (the queue played on its own time axis, at a speed),
// step forward and step back (one event each), on the events shown so far.
// No DOM here: the page (app.js) draws what the player says.

/**
 * @typedef {{ n: number, t: number, from: number, to: number[], kind: string,
 *   info: (string|number)[], len: number, v: string }} Event
 */

/** Gaps in the capture's time longer than this are skipped when playing (ms). */
const LONGEST_WAIT_MS = 1500;

export class Player {
  /**
   * @param {{ replay?: boolean, historyLimit?: number, queueLimit?: number,
   *   onShow?: (event: Event, how: { stepped: boolean }) => void }} options
   */
  constructor(options = {}) {
    /** Whether the events come from a capture file (no "live"). */
    this.replay = options.replay ?? false;
    this.historyLimit = options.historyLimit ?? 50_000;
    this.queueLimit = options.queueLimit ?? 20_000;
    this.onShow = options.onShow ?? (() => {});
    /** @type {Event[]} The events shown so far, in order. */
    this.history = [];
    /** @type {Event[]} Events arrived and not shown yet. */
    this.pending = [];
    /** The history index of the selected event; -1: the latest. */
    this.cursor = -1;
    /** @type {"live" | "playing" | "paused"} */
    this.state = this.replay ? "playing" : "live";
    this.speed = 1;
    /** @type {number | undefined} How far playing has got, in capture time. */
    this.clock = undefined;
    /** Arrivals not queued because the queue was full. */
    this.notQueued = 0;
    /** History rows removed from the front to stay within the limit. */
    this.trimmed = 0;
    /** @type {(e: Event) => boolean} Which events the steps visit. */
    this.filter = () => true;
  }

  /** Room in the queue: what a replay may ask the server for. */
  room() {
    return Math.max(0, this.queueLimit - this.pending.length);
  }

  /** @param {Event[]} events Events from the server, in order. */
  arrive(events) {
    for (const event of events) {
      if (this.state === "live" && this.pending.length === 0) {
        this.#show(event, false);
      } else if (this.pending.length < this.queueLimit) {
        this.pending.push(event);
      } else {
        this.notQueued++;
      }
    }
  }

  /**
   * Moves playing on to `now` (ms, the page's clock) from the last tick.
   * @param {number} elapsedMs time since the last tick
   */
  tick(elapsedMs) {
    if (this.state !== "playing") return;
    const next = this.pending[0];
    if (next === undefined) {
      if (!this.replay) this.state = "live";
      return;
    }
    if (this.clock === undefined) this.clock = next.t;
    this.clock += elapsedMs * this.speed;
    // A long silence in the capture is not waited out.
    if (next.t - this.clock > LONGEST_WAIT_MS) this.clock = next.t;
    while (this.pending.length > 0 && this.pending[0].t <= this.clock) {
      this.#show(this.pending.shift(), false);
    }
  }

  /** Stops where it is; arrivals queue. */
  pause() {
    this.state = "paused";
  }

  /** Plays the queue from the selected event on, at `speed`. */
  play() {
    if (this.state !== "paused") return;
    const at = this.history[this.current()];
    this.cursor = -1;
    this.clock = at?.t ?? this.pending[0]?.t;
    this.state = "playing";
  }

  /** Back to live: the queue shown at once, what arrives shown as it comes. */
  goLive() {
    if (this.replay) return;
    const queued = this.pending;
    this.pending = [];
    for (const [i, event] of queued.entries()) {
      // Only the last few move on the picture: the rest is history.
      this.#show(event, false, i < queued.length - 3);
    }
    this.cursor = -1;
    this.clock = undefined;
    this.state = "live";
  }

  /** The history index of the current event (-1: none yet). */
  current() {
    return this.cursor >= 0 ? this.cursor : this.history.length - 1;
  }

  /** One event on (the next one the filter shows); pauses. */
  stepForward() {
    this.state = "paused";
    for (let i = this.current() + 1; i < this.history.length; i++) {
      if (this.filter(this.history[i])) return this.#select(i, true);
    }
    while (this.pending.length > 0) {
      const event = this.pending.shift();
      const shows = this.filter(event);
      this.#show(event, shows, !shows);
      if (shows) return this.#select(this.history.length - 1, false);
    }
    return undefined;
  }

  /** One event back (the previous one the filter shows); pauses. */
  stepBack() {
    this.state = "paused";
    for (let i = this.current() - 1; i >= 0; i--) {
      if (this.filter(this.history[i])) return this.#select(i, true);
    }
    return undefined;
  }

  /** Selects history index `i` (a click on the list); no animation. */
  select(i) {
    if (i < 0 || i >= this.history.length) return undefined;
    this.cursor = i;
    return this.history[i];
  }

  /** @param {number} i @param {boolean} animate */
  #select(i, animate) {
    this.cursor = i;
    const event = this.history[i];
    if (animate) this.onShow(event, { stepped: true });
    return event;
  }

  /**
   * @param {Event} event
   * @param {boolean} stepped
   * @param {boolean} [quiet] shown in the list only
   */
  #show(event, stepped, quiet = false) {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const cut = Math.ceil(this.historyLimit / 10);
      this.history.splice(0, cut);
      this.trimmed += cut;
      if (this.cursor >= 0) this.cursor = Math.max(0, this.cursor - cut);
    }
    if (!quiet) this.onShow(event, { stepped });
  }
}
