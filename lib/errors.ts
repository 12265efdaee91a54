/**
 * Exit codes and the errors that carry them.
 *
 * Every program in this toolkit ends with one of three codes, so that scripts
 * and the lab runner can tell a typo from a network failure:
 *
 * | code | meaning                                                    |
 * | ---- | ---------------------------------------------------------- |
 * | 0    | success (including a clean stop by Ctrl+C or SIGTERM)      |
 * | 1    | runtime failure: port in use, no reply, peer gone, …       |
 * | 2    | usage error: bad flag, port, address, file; nothing was sent |
 *
 * @module
 */

/** The program did what it was asked. */
export const EXIT_OK = 0;
/** A runtime failure: the network, a peer or the system said no. */
export const EXIT_FAILURE = 1;
/** The command line (or an input file) is wrong; nothing was done. */
export const EXIT_USAGE = 2;

/** A mistake in the command line or an input file: exit code 2. */
export class UsageError extends Error {
  /** Creates a usage error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure at run time that has already been put into words: exit code 1. */
export class RuntimeError extends Error {
  /** Creates a runtime error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}

/** Options for {@linkcode describeError}. */
export interface DescribeOptions {
  /** What was being done, e.g. `"binding 0.0.0.0:5005"`; put in front of the reason. */
  doing?: string;
}

/**
 * Turns any thrown value into one line a student can act on, without a stack
 * trace. Known Deno error classes get a plain-language reason.
 */
export function describeError(
  err: unknown,
  options: DescribeOptions = {},
): string {
  const reason = reasonOf(err);
  return options.doing ? `${options.doing}: ${reason}` : reason;
}

/** Returns the exit code that fits a thrown value. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
}

function reasonOf(err: unknown): string {
  if (err instanceof UsageError || err instanceof RuntimeError) {
    return err.message;
  }
  const detail = firstLine(err instanceof Error ? err.message : String(err));
  if (err instanceof Deno.errors.AddrInUse) {
    return "address already in use (another program has this port; stop it or pick another --port)";
  }
  if (err instanceof Deno.errors.AddrNotAvailable) {
    return "address not available on this host (check --bind / --interface)";
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return `permission denied (${detail})`;
  }
  if (err instanceof Deno.errors.NotCapable) {
    return `missing Deno permission (${detail})`;
  }
  if (err instanceof Deno.errors.ConnectionRefused) {
    return "connection refused (is the server running on that host and port?)";
  }
  if (err instanceof Deno.errors.ConnectionReset) {
    return "connection reset by peer";
  }
  if (err instanceof Deno.errors.NetworkUnreachable) {
    return "network unreachable (no route to that address from this host)";
  }
  if (err instanceof Deno.errors.NotFound) {
    return `not found (${detail})`;
  }
  return detail;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0].trim();
  return line === "" ? "unknown error" : line;
}
