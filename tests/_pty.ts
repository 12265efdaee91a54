/**
 * Test harness: runs a command in a real terminal, as a person does. Each
 * {@linkcode Terminal} is a private tmux server with one pane; keys go in
 * with `send-keys` (so Ctrl+C is the terminal's own: the line discipline
 * sends SIGINT to the whole foreground process group, `deno task` and the
 * program alike) and the screen comes back with `capture-pane`.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname;

/** Whether tmux is installed (terminal tests are skipped without it). */
export const HAS_TMUX = new Deno.Command("sh", {
  args: ["-c", "command -v tmux"],
  stdout: "null",
  stderr: "null",
}).outputSync().success;

/** Options for {@linkcode Terminal.start}. */
export interface TerminalOptions {
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Extra environment variables (`TERM` is always `xterm-256color`). */
  env?: Record<string, string>;
  /** Columns; default 160. */
  width?: number;
  /** Rows; default 50. */
  height?: number;
}

const EXIT_LINE = /^\[exit (\d+)\]$/m;
let serial = 0;
let config: string | undefined;

/** A tmux configuration that keeps a pane after its command ends (set before it starts). */
function tmuxConfig(): string {
  if (config === undefined) {
    config = Deno.makeTempFileSync({ prefix: "pj_tmux_", suffix: ".conf" });
    Deno.writeTextFileSync(config, "set -g remain-on-exit on\n");
  }
  return config;
}

/** One command running in its own terminal. */
export class Terminal {
  #socket: string;

  private constructor(socket: string) {
    this.#socket = socket;
  }

  /**
   * Starts `command` (a shell command line, as typed) in a new terminal.
   * The pane stays after the command ends, so its exit status can be read.
   */
  static async start(
    command: string,
    options: TerminalOptions = {},
  ): Promise<Terminal> {
    const socket = `pj_test_${Deno.pid}_${serial++}`;
    const terminal = new Terminal(socket);
    const env = {
      TERM: "xterm-256color",
      DENO_NO_UPDATE_CHECK: "1",
      ...options.env,
    };
    const exports = Object.entries(env)
      .map(([name, value]) => `export ${name}=${shellQuote(value)}`)
      .join("; ");
    await terminal.#tmux(
      "-f",
      tmuxConfig(),
      "new-session",
      "-d",
      "-x",
      String(options.width ?? 160),
      "-y",
      String(options.height ?? 50),
      "-c",
      options.cwd ?? ROOT,
      // The shell that runs the command catches SIGINT (a trap, which its
      // children do not inherit, unlike an ignored signal) so that it lives
      // to print the command's status.
      `trap true INT; ${exports}; ${command}; echo "[exit $?]"`,
    );
    return terminal;
  }

  /** Types `text` literally (no Enter). */
  async type(text: string): Promise<void> {
    await this.#tmux("send-keys", "-l", text);
  }

  /** Presses keys by tmux name: `"Enter"`, `"C-c"`, `"C-d"`. */
  async press(...keys: string[]): Promise<void> {
    await this.#tmux("send-keys", ...keys);
  }

  /** The screen and its scroll-back, as plain text without trailing blanks. */
  async screen(): Promise<string> {
    const out = await this.#tmux("capture-pane", "-p", "-J", "-S", "-10000");
    return out.replace(/\s+$/, "");
  }

  /** Waits until the screen satisfies `match`; returns the screen. */
  async waitFor(
    match: string | RegExp | ((screen: string) => boolean),
    timeoutMs = 15_000,
  ): Promise<string> {
    const test = typeof match === "function"
      ? match
      : (s: string) =>
        typeof match === "string" ? s.includes(match) : match.test(s);
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const screen = await this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline) {
        throw new Error(
          `terminal: no match for ${
            String(match)
          } within ${timeoutMs} ms; screen:\n${screen}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Waits for the command to end; returns its exit status as a shell
   * reports it (`$?`: 130 when SIGINT killed it).
   */
  async exitCode(timeoutMs = 15_000): Promise<number> {
    const screen = await this.waitFor(EXIT_LINE, timeoutMs);
    return Number(screen.match(EXIT_LINE)![1]);
  }

  /** Whether the program has rung the terminal's bell (tmux's bell flag). */
  async rang(): Promise<boolean> {
    const flag = await this.#tmux(
      "display-message",
      "-p",
      "#{window_bell_flag}",
    );
    return flag.trim() === "1";
  }

  /** Ends the terminal and everything still running in it. */
  async close(): Promise<void> {
    await this.#tmux("kill-server").catch(() => {});
  }

  async #tmux(...args: string[]): Promise<string> {
    const result = await new Deno.Command("tmux", {
      args: ["-L", this.#socket, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!result.success) {
      throw new Error(
        `tmux ${args[0]}: ${new TextDecoder().decode(result.stderr).trim()}`,
      );
    }
    return new TextDecoder().decode(result.stdout);
  }
}

/** Quotes `value` for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value)
    ? value
    : `'${value.replaceAll("'", `'\\''`)}'`;
}
