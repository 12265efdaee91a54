/**
 * A log that stays readable in a flood: per key (a kind of refusal, a
 * client), the first `burst` events of a window are printed and the rest
 * only counted; when the window is over, one line says how many were not
 * shown. A client opening connections in a loop then costs a few lines,
 * not one per connection.
 *
 * @module
 */

/** Events of one key not shown in its window. */
export interface Suppressed {
  /** The key (what the caller passed to {@linkcode LogThrottle.admit}). */
  key: string;
  /** How many were counted and not shown. */
  count: number;
  /** The length of the window they fell in, ms. */
  windowMs: number;
}

/** Options for {@linkcode LogThrottle}. */
export interface LogThrottleOptions {
  /** The window, ms (default 10 000). */
  windowMs?: number;
  /** Events shown per key and window (default 1). */
  burst?: number;
  /** The clock, ms (default `performance.now`). */
  now?: () => number;
}

interface Window {
  started: number;
  shown: number;
  suppressed: number;
}

/** Admits the first events of each key per window and counts the rest. */
export class LogThrottle {
  #windowMs: number;
  #burst: number;
  #now: () => number;
  #windows = new Map<string, Window>();
  #pending: Suppressed[] = [];

  /** A throttle; see {@linkcode LogThrottleOptions}. */
  constructor(options: LogThrottleOptions = {}) {
    this.#windowMs = options.windowMs ?? 10_000;
    this.#burst = options.burst ?? 1;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether to show this event of `key` (false: it is counted). */
  admit(key: string): boolean {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window && now - window.started >= this.#windowMs) {
      this.#close(key, window);
      window = undefined;
    }
    if (!window) {
      window = { started: now, shown: 0, suppressed: 0 };
      this.#windows.set(key, window);
    }
    if (window.shown < this.#burst) {
      window.shown++;
      return true;
    }
    window.suppressed++;
    return false;
  }

  /** Ends `key`'s window; what it counted waits for due(). */
  #close(key: string, window: Window): void {
    this.#windows.delete(key);
    if (window.suppressed > 0) {
      this.#pending.push({
        key,
        count: window.suppressed,
        windowMs: this.#windowMs,
      });
    }
  }

  /**
   * What the windows that are over counted and did not show; those windows
   * end (the next event of such a key is shown again).
   */
  due(): Suppressed[] {
    const now = this.#now();
    for (const [key, window] of this.#windows) {
      if (now - window.started >= this.#windowMs) this.#close(key, window);
    }
    return this.#pending.splice(0);
  }

  /** Every count not yet reported, windows over or not (at the end). */
  drain(): Suppressed[] {
    for (const [key, window] of this.#windows) this.#close(key, window);
    return this.#pending.splice(0);
  }
}
