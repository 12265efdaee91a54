/**
 * Internal: standard input as lines to send, for multicast-sender: a prompt
 * on a terminal, an echo for transcripts, and a stop that ends the wait.
 *
 * @module
 */

import { writeConsole } from "../cli/output.ts";

/** Options for {@linkcode sendLines}. */
export interface TypedLinesOptions {
  /** Show this prompt before each line (a terminal). */
  prompt: string | undefined;
  /**
   * Show each line read after this prompt, as a terminal shows it, and
   * say so with a `typed` record.
   */
  echo?: string;
  /** Where the echo goes. */
  out: {
    flush(): void;
    line(text: string): void;
    record(value: Record<string, unknown>): void;
    /** Records what the terminal shows (the prompt, the line typed at it). */
    recordLine?(text: string): void;
    /** Records a record without printing it. */
    recordOnly?(value: Record<string, unknown>): void;
  };
  /** A stop (Ctrl+C, SIGTERM): ends the wait for the next line. */
  signal: AbortSignal;
}

/** Reads standard input line by line, calling `sendLine` for each non-empty line. */
export async function sendLines(
  sendLine: (line: string) => Promise<void>,
  options: TypedLinesOptions,
): Promise<void> {
  const { prompt, echo, out, signal } = options;
  const showPrompt = () => {
    if (prompt === undefined) return;
    out.flush();
    writeConsole(prompt);
  };
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream())
    .getReader();
  // A stop (Ctrl+C, SIGTERM) ends the wait for the next line.
  const stopped = new Promise<undefined>((resolve) => {
    if (signal.aborted) resolve(undefined);
    signal.addEventListener("abort", () => resolve(undefined));
  });
  let rest = "";
  showPrompt();
  while (!signal.aborted) {
    const chunk = await Promise.race([reader.read(), stopped]);
    if (chunk === undefined || chunk.done) break;
    rest += chunk.value;
    const parts = rest.split("\n");
    rest = parts.pop()!;
    for (const part of parts) {
      const line = part.endsWith("\r") ? part.slice(0, -1) : part;
      if (echo !== undefined) {
        out.line(echo + line);
        out.record({ type: "typed", text: line });
      } else if (prompt !== undefined) {
        // The terminal echoed it after the prompt: a recording keeps both.
        out.recordLine?.(prompt + line);
        out.recordOnly?.({ type: "typed", text: line });
      }
      if (line !== "") await sendLine(line);
      showPrompt();
    }
  }
  if (!signal.aborted && rest !== "") {
    if (echo !== undefined) {
      out.line(echo + rest);
      out.record({ type: "typed", text: rest });
    }
    await sendLine(rest);
  }
  // The prompt the terminal was left showing when input ended.
  if (echo !== undefined) out.line(echo);
  // After Ctrl+C, onStop has already ended the prompt's line.
  if (prompt !== undefined && signal.reason !== "SIGINT") {
    writeConsole("\n");
  }
}
