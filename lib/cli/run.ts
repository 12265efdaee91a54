/**
 * The frame every role runs in: parse the command line, print `--help`,
 * turn any failure into one line on standard error and an exit code, and
 * stop cleanly on Ctrl+C, SIGTERM or `--duration`.
 *
 * @example A role's program
 * ```ts
 * import type { CommandSpec } from "./parse.ts";
 * import { runRole } from "./run.ts";
 *
 * const SPEC: CommandSpec = {
 *   name: "hello",
 *   summary: { en: "print a greeting", id: "cetak salam" },
 *   flags: {},
 * };
 *
 * // The program: runs the role, then exits with its code (0, 1 or 2).
 * async function main(): Promise<void> {
 *   const code = await runRole(Deno.args, SPEC, async ({ out }) => {
 *     out.line("hello");
 *   });
 *   Deno.exit(code);
 * }
 * ```
 *
 * @example Stop on Ctrl+C, SIGTERM, a time limit or by itself
 * ```ts
 * import { onStop } from "./run.ts";
 *
 * const stop = onStop((reason) => console.log(`stopping: ${reason}`), {
 *   durationSeconds: 60,
 * });
 * stop.stop("done"); // stopping: done
 * console.log(stop.signal.aborted); // true
 * stop.dispose();
 * ```
 *
 * @module
 */

import {
  type CommandSpec,
  formatHelp,
  langOfArgs,
  type ParsedFlags,
  parseFlags,
} from "./parse.ts";
import { describeError, ERROR_WORD, EXIT_OK, exitCodeOf } from "./errors.ts";
import {
  Output,
  printError,
  skipConsoleBacklog,
  writeConsole,
} from "./output.ts";
import { droppedLine, openRecording, type Recorder } from "./recording.ts";

/**
 * How long the last output may wait for a console that is not read after
 * Ctrl+C or SIGTERM: the summary is written if it can be, and the program
 * ends within a second either way.
 */
export const STOP_OUTPUT_WAIT_MS = 500;

/** Whether SIGINT or SIGTERM has asked this program to stop. */
let signalled = false;
/** When (performance.now()) the signal that stopped this program came. */
let stopSignalAt = -Infinity;

/** What a role's body gets: its parsed flags and its output. */
export interface RoleContext {
  /** The parsed command line. */
  flags: ParsedFlags;
  /** Where the role prints (human lines or JSON). */
  out: Output;
}

/** A role's body: returns its exit code (or nothing, for 0). */
export type RoleBody = (context: RoleContext) => Promise<number | void>;

/**
 * Runs a role: parses `args` against `spec`, prints help if asked, then
 * runs `body`. Returns the exit code instead of exiting, so that the
 * multi-call program and tests can call roles in-process.
 */
export async function runRole(
  args: string[],
  spec: CommandSpec,
  body: RoleBody,
): Promise<number> {
  let out: Output | undefined;
  let recorder: Recorder | undefined;
  // Known before parsing, so that a mistake in the flags is told in it too.
  const lang = langOfArgs(args);
  try {
    const flags = parseFlags(args, spec);
    if (flags.help) {
      console.log(formatHelp(spec, flags.lang));
      return EXIT_OK;
    }
    // On a lab host: every record and line also goes to the lab's file.
    const recording = openRecording(flags.lang);
    if (recording?.problem) printError(`${spec.name}: ${recording.problem}`);
    recorder = recording?.recorder;
    recorder?.start({ role: spec.name, argv: args, lang: flags.lang });
    out = new Output({
      json: flags.json,
      jsonText: flags.jsonText,
      lang: flags.lang,
      recorder,
    });
    const code = await body({ flags, out });
    await endRecording(out, recorder, code ?? EXIT_OK, flags.lang);
    await finishOutput(out);
    return code ?? EXIT_OK;
  } catch (err) {
    const code = exitCodeOf(err);
    const line = `${spec.name}: ${ERROR_WORD[lang]}: ${
      describeError(err, { lang })
    }`;
    recorder?.text(line);
    try {
      if (out) {
        await endRecording(out, recorder, code, lang);
        await finishOutput(out, STOP_OUTPUT_WAIT_MS);
      }
    } catch {
      // stdout failed too: the role's own error is the one to tell
    }
    printError(line);
    return code;
  }
}

/**
 * Ends a recording (if any): its `end` entry, and a line in the summary
 * when entries had to be dropped (a full disk, a file that did not keep up).
 */
async function endRecording(
  out: Output,
  recorder: Recorder | undefined,
  code: number,
  lang: "en" | "id",
): Promise<void> {
  if (!recorder) return;
  const dropped = await recorder.close(code, STOP_OUTPUT_WAIT_MS);
  if (dropped === 0) return;
  out.line(droppedLine(recorder, lang));
  out.record({
    type: "not-recorded",
    entries: dropped,
    path: recorder.path,
  });
}

/**
 * Writes the last output. A console that is not read is waited for until
 * SIGINT or SIGTERM (or `timeoutMs`), and only briefly once a signal has
 * stopped the program, so no stop waits on standard output.
 */
async function finishOutput(out: Output, timeoutMs?: number): Promise<void> {
  const controller = new AbortController();
  // The copy of the Ctrl+C that stopped us (see REPEAT_WINDOW_MS) must not
  // cut the summary short; a later signal does.
  const abort = () => {
    if (performance.now() - stopSignalAt >= REPEAT_WINDOW_MS) {
      controller.abort();
    }
  };
  Deno.addSignalListener("SIGINT", abort);
  Deno.addSignalListener("SIGTERM", abort);
  try {
    await out.close({
      signal: controller.signal,
      timeoutMs: signalled ? STOP_OUTPUT_WAIT_MS : timeoutMs,
    });
  } finally {
    Deno.removeSignalListener("SIGINT", abort);
    Deno.removeSignalListener("SIGTERM", abort);
  }
}

/**
 * A signal this soon after the one before it is the same Ctrl+C: a terminal
 * sends SIGINT to its whole foreground process group, and `deno task`, in
 * that group too, forwards what it gets to its child, so a program started
 * with `deno task` sees every Ctrl+C twice, a few milliseconds apart.
 */
export const REPEAT_WINDOW_MS = 500;

/** Options for {@linkcode onStop}. */
export interface StopOptions {
  /** Also stop after this many seconds. */
  durationSeconds?: number;
  /**
   * Called on every SIGINT or SIGTERM after the one that stopped the
   * program (e.g. to leave at once when a second Ctrl+C says so); not for
   * the copy of the same Ctrl+C that `deno task` forwards (see
   * {@linkcode REPEAT_WINDOW_MS}).
   */
  onRepeat?: (signal: "SIGINT" | "SIGTERM") => void;
}

/** A stop request, from a signal, a time limit or the program itself. */
export interface StopHandle {
  /** Aborted when the program should stop; `reason` says why. */
  readonly signal: AbortSignal;
  /** Whether a stop was requested. */
  readonly stopped: boolean;
  /** Requests a stop (e.g. after `--count` datagrams). */
  stop(reason?: string): void;
  /**
   * Removes the signal handlers and the timer. After a stop by a signal the
   * handlers stay {@linkcode REPEAT_WINDOW_MS} longer, swallowing the copy of
   * that signal still on its way (with no handler, it would kill the program
   * before its summary).
   */
  dispose(): void;
}

/**
 * Calls `onStopped` once on the first of: SIGINT (Ctrl+C), SIGTERM, the
 * `durationSeconds` timer, or a call to `stop()`. A role closes its socket
 * there, which ends a pending receive, and then prints its summary.
 */
export function onStop(
  onStopped: (reason: string) => void,
  options: StopOptions = {},
): StopHandle {
  const controller = new AbortController();
  // When the last SIGINT/SIGTERM came (ms), to tell a copy from a new one.
  let lastSignalAt = -Infinity;
  let disposed = false;
  const fire = (reason: string) => {
    if (controller.signal.aborted) return;
    if ((reason === "SIGINT" || reason === "SIGTERM") && !signalled) {
      signalled = true;
      stopSignalAt = performance.now();
    }
    // The terminal echoed "^C" with no newline: end that line before the
    // summary is printed after it (queued: a paused terminal must not
    // hold up the stop).
    if (reason === "SIGINT" || reason === "SIGTERM") skipConsoleBacklog();
    if (reason === "SIGINT" && Deno.stdout.isTerminal()) writeConsole("\n");
    controller.abort(reason);
    onStopped(reason);
  };
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    const now = performance.now();
    const copy = now - lastSignalAt < REPEAT_WINDOW_MS;
    lastSignalAt = now;
    if (!controller.signal.aborted) fire(signal);
    else if (!copy && !disposed) options.onRepeat?.(signal);
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  Deno.addSignalListener("SIGINT", onInt);
  Deno.addSignalListener("SIGTERM", onTerm);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.durationSeconds !== undefined) {
    timer = setTimeout(() => fire("duration"), options.durationSeconds * 1000);
  }
  const removeListeners = () => {
    Deno.removeSignalListener("SIGINT", onInt);
    Deno.removeSignalListener("SIGTERM", onTerm);
  };
  return {
    signal: controller.signal,
    get stopped() {
      return controller.signal.aborted;
    },
    stop: (reason = "done") => fire(reason),
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      if (disposed) return;
      disposed = true;
      const left = lastSignalAt + REPEAT_WINDOW_MS - performance.now();
      if (left <= 0) return removeListeners();
      // Keep swallowing the copy; the timer must not keep the program alive.
      Deno.unrefTimer(setTimeout(removeListeners, left));
    },
  };
}
