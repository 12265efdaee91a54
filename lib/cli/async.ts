/**
 * The one pause every program and the lab use: a delay that a stop (an
 * abort signal) cuts short.
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
