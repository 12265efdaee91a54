/**
 * The one pause every program and the lab use: a delay that a stop (an
 * abort signal) cuts short.
 *
 * @example A pause cut short by a stop
 * ```ts
 * import { delay } from "./async.ts";
 *
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(), 10);
 * const started = Date.now();
 * await delay(60_000, { signal: controller.signal });
 * console.log(Date.now() - started < 1000); // true
 * ```
 *
 * @module
 */

/** Options for {@linkcode delay}. */
export interface DelayOptions {
  /** Ends the wait early when it aborts. */
  signal?: AbortSignal;
}

/**
 * Waits `ms` milliseconds, or less if `options.signal` aborts first. It
 * never rejects: a caller that must stop on abort checks `signal.aborted`.
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const signal = options.signal;
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
