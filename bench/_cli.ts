/**
 * The benchmarks' command line: `--help` prints the usage, and a bad flag
 * is one line on standard error with exit 2 instead of a stack trace.
 *
 * @module
 */

/**
 * Prints `usage` and exits 0 when the command line asks for help; otherwise
 * returns what `parse` returns, turning its error (an unknown flag, a missing
 * value) into one line and exit 2.
 */
export function benchArgs<T>(name: string, usage: string, parse: () => T): T {
  if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
    console.log(usage);
    Deno.exit(0);
  }
  try {
    return parse();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${name}: error: ${message} (see --help)`);
    Deno.exit(2);
  }
}

/**
 * Runs a benchmark's body; a failure (a peer missing, a process that
 * printed no summary) becomes one line on standard error and exit 1.
 */
export async function runBench(
  name: string,
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${name}: error: ${message.replaceAll("\n", " | ")}`);
    Deno.exit(1);
  }
}
