/**
 * Test helpers for `lab console`: keys typed into a host's pane of a lab's
 * tmux session as a person types them, and its screen read back.
 *
 * @module
 */

import { delay } from "../lib/cli/async.ts";

/** Runs tmux with `args`; its standard output. */
export async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout);
}

/** Types `line` and Enter into `host`'s window of lab `name`'s console. */
export function type(
  name: string,
  host: string,
  line: string,
): Promise<string> {
  return tmux("send-keys", "-t", `=progjar-${name}:${host}`, line, "Enter");
}

/**
 * Types `clear` into `host`'s pane and drops its history, so that a run's
 * lines are the only ones on it. Only once the shell has run `clear`: tmux
 * moves a screen cleared from its top (BusyBox `clear`) into the history,
 * so a history dropped before that comes back with the old screen in it.
 */
export async function clearPane(name: string, host: string): Promise<void> {
  await type(name, host, "clear");
  const deadline = Date.now() + 30_000;
  for (;;) {
    await tmux("clear-history", "-t", `=progjar-${name}:${host}`);
    // The prompt alone: one line.
    const text = await screen(name, host);
    if (text.split("\n").filter((line) => line.trim() !== "").length <= 1) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`${host}: not cleared after 30 s:\n${text}`);
    }
    await delay(100);
  }
}

/** `host`'s pane of lab `name`'s console with its history. */
export function screen(name: string, host: string): Promise<string> {
  return tmux(
    "capture-pane",
    "-p",
    "-J",
    "-S",
    "-",
    "-t",
    `=progjar-${name}:${host}`,
  );
}

/** Waits until `host`'s pane shows `pattern` `times` times. */
export async function waitFor(
  name: string,
  host: string,
  pattern: RegExp,
  times = 1,
): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await screen(name, host);
    if ((text.match(new RegExp(pattern, "g")) ?? []).length >= times) {
      return text;
    }
    if (Date.now() > deadline) {
      throw new Error(`${host}: no ${pattern} after 60 s:\n${text}`);
    }
    await delay(200);
  }
}

/**
 * The first numbers a receiver's pane printed (`first number N`, or in
 * Indonesian `angka pertama N`), in the order of its runs.
 */
export function firstNumbers(text: string): number[] {
  return [...text.matchAll(/(?:first number|angka pertama) (\d+)/g)].map((
    m,
  ) => Number(m[1]));
}

/** Presses Ctrl+C in `host`'s pane, as a person stops what runs there. */
export function interrupt(name: string, host: string): Promise<string> {
  return tmux("send-keys", "-t", `=progjar-${name}:${host}`, "C-c");
}
