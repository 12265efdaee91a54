/**
 * `lab console`: the practicum by hand, every host on one screen. A tmux
 * session named after the lab (`progjar-<lab>`), one pane per host, each
 * already a shell on that host (what `lab exec <host>` gives, recording
 * included), titled `<host> <address>`; the status line names the lab, how
 * to detach and how to end.
 *
 * Layout: the hosts tiled in one window when every pane gets at least
 * {@linkcode MIN_PANE} (2 columns × 3 rows of panes for 5 hosts: a terminal
 * of about 121×32 or more); otherwise one window per host, named after it
 * (`Ctrl+B n` / `Ctrl+B 0…4` switch), so an 80×24 terminal shows one whole
 * host at a time rather than five unreadable slivers.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";
import { runOnTerminal } from "../cli/child.ts";
import type { Lang } from "../cli/i18n.ts";

/** The smallest pane the tiled layout gives a host. */
export const MIN_PANE = { columns: 60, rows: 10 };

/** The terminal size assumed with no terminal (`--detach` from a script). */
export const DEFAULT_SIZE = { columns: 80, rows: 24 };

/** The tmux session of lab `lab`. */
export function consoleSession(lab: string): string {
  return `progjar-${lab}`;
}

/** One host's pane: its title and the command it runs. */
export interface ConsolePane {
  /** The host's name (the window's name in the windows layout). */
  host: string;
  /** The pane's title: `alpine-2 192.168.122.131`. */
  title: string;
  /** The shell on the host, as `lab exec` starts it. */
  command: string[];
}

/** What {@linkcode createConsole} builds. */
export interface ConsoleOptions {
  /** The lab's name. */
  lab: string;
  /** One pane per host, in order. */
  panes: ConsolePane[];
  /** The working directory of every shell (the checkout, for `deno task`). */
  cwd: string;
  /** The terminal's size, to pick the layout. */
  size: { columns: number; rows: number };
  /**
   * The status line's hint for the layout chosen: how to detach and how to
   * end (and, with a window per host, how to switch hosts).
   */
  status: (layout: "tiled" | "windows", hosts: number) => string;
}

/** The layout for `hosts` panes on a terminal of `size`. */
export function consoleLayout(
  hosts: number,
  size: { columns: number; rows: number },
): "tiled" | "windows" {
  const columns = hosts <= 1 ? 1 : hosts <= 4 ? 2 : hosts <= 9 ? 2 : 3;
  const rows = Math.ceil(hosts / columns);
  // One column of borders between panes, one row for each pane's title and
  // one for the status line.
  const paneColumns = Math.floor((size.columns - (columns - 1)) / columns);
  const paneRows = Math.floor((size.rows - 1) / rows) - 1;
  return paneColumns >= MIN_PANE.columns && paneRows >= MIN_PANE.rows
    ? "tiled"
    : "windows";
}

/** The message when tmux is missing: one line naming the package. */
export const NO_TMUX = {
  en:
    "lab console needs tmux, which is not installed (Debian/Ubuntu: apt-get install tmux)",
  id:
    "lab console memerlukan tmux, yang belum terpasang (Debian/Ubuntu: apt-get install tmux)",
};

/**
 * Runs `tmux args…`; resolves to its exit code and output. A missing tmux
 * is a {@linkcode RuntimeError} naming the package.
 */
export async function tmux(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("tmux", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new RuntimeError(NO_TMUX);
    throw err;
  }
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr).trim(),
  };
}

/** Fails with tmux's own last line unless it succeeded. */
async function tmuxOk(args: string[]): Promise<string> {
  const result = await tmux(args);
  if (result.code !== 0) {
    const detail = result.stderr.split("\n").at(-1) ||
      `exit code ${result.code}`;
    throw new RuntimeError({
      en: `tmux ${args[0]}: ${detail}`,
      id: `tmux ${args[0]}: ${detail}`,
    });
  }
  return result.stdout;
}

/** Whether lab `lab`'s console session exists. */
export async function consoleExists(lab: string): Promise<boolean> {
  // "=" matches the name exactly (not a prefix of another lab's).
  return (await tmux(["has-session", "-t", `=${consoleSession(lab)}`]))
    .code === 0;
}

/** Ends lab `lab`'s console session, if any; whether there was one. */
export async function killConsole(lab: string): Promise<boolean> {
  try {
    return (await tmux(["kill-session", "-t", `=${consoleSession(lab)}`]))
      .code === 0;
  } catch {
    // no tmux: no console either
    return false;
  }
}

/**
 * Creates the console's tmux session, detached; resolves to the layout it
 * chose.
 */
export async function createConsole(
  options: ConsoleOptions,
): Promise<"tiled" | "windows"> {
  const { lab, panes, cwd, size } = options;
  const session = consoleSession(lab);
  const layout = consoleLayout(panes.length, size);
  const [first, ...rest] = panes;
  await tmuxOk([
    "new-session",
    "-d",
    "-s",
    session,
    "-x",
    String(size.columns),
    "-y",
    String(size.rows),
    "-n",
    layout === "tiled" ? lab : first.host,
    "-c",
    cwd,
    ...first.command,
  ]);
  try {
    for (const pane of rest) {
      if (layout === "tiled") {
        await tmuxOk([
          "split-window",
          "-d",
          "-t",
          `=${session}:0`,
          "-c",
          cwd,
          ...pane.command,
        ]);
        // Re-tile after each split, so the next one has room.
        await tmuxOk(["select-layout", "-t", `=${session}:0`, "tiled"]);
      } else {
        await tmuxOk([
          "new-window",
          "-d",
          "-t",
          `=${session}:`,
          "-n",
          pane.host,
          "-c",
          cwd,
          ...pane.command,
        ]);
      }
    }
    const ids = (await tmuxOk([
      "list-panes",
      "-s",
      "-t",
      `=${session}`,
      "-F",
      "#{pane_id}",
    ])).trim().split("\n");
    for (const [i, id] of ids.entries()) {
      // The title stays the host's: shells may not rename it.
      await tmuxOk(["set-option", "-p", "-t", id, "allow-rename", "off"]);
      await tmuxOk(["select-pane", "-t", id, "-T", panes[i].title]);
    }
    const set = (option: string, value: string) =>
      tmuxOk(["set-option", "-t", `=${session}:`, option, value]);
    await set("status-left", ` lab ${lab} `);
    await set("status-left-length", "40");
    if (layout === "tiled") {
      await set("status-right", ` ${options.status(layout, panes.length)} `);
      await set("status-right-length", "120");
    } else {
      // A second status line: on 80 columns the hint would hide the
      // window list, the only place that names the other hosts.
      // (A session's own status-format replaces the whole global list:
      // its first line is copied over.)
      const first = await tmuxOk(["show-options", "-gv", "status-format[0]"]);
      await set("status-right", "");
      await set("status", "2");
      await set("status-format[0]", first.trimEnd());
      await set(
        "status-format[1]",
        ` ${options.status(layout, panes.length)} `,
      );
    }
    await set("status-style", "bg=blue,fg=white");
    await set("automatic-rename", "off");
    await set("allow-rename", "off");
    await set("set-titles", "off");
    // Every window shows its panes' titles (the host and its address).
    const windows = layout === "tiled" ? 1 : panes.length;
    for (let i = 0; i < windows; i++) {
      const window = `=${session}:${i}`;
      await tmuxOk([
        "set-option",
        "-w",
        "-t",
        window,
        "pane-border-status",
        "top",
      ]);
      await tmuxOk([
        "set-option",
        "-w",
        "-t",
        window,
        "pane-border-format",
        " #{pane_title} ",
      ]);
    }
  } catch (err) {
    await killConsole(lab);
    throw err;
  }
  return layout;
}

/**
 * Attaches this terminal to lab `lab`'s console (or, inside tmux, switches
 * to it); resolves when the user detaches or the session ends.
 */
export async function attachConsole(
  lab: string,
  insideTmux: boolean,
): Promise<number> {
  const target = `=${consoleSession(lab)}`;
  const args = insideTmux
    ? ["switch-client", "-t", target]
    : ["attach-session", "-t", target];
  try {
    // Ctrl+C belongs to the shells in the panes.
    return await runOnTerminal("tmux", args);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) throw new RuntimeError(NO_TMUX);
    throw err;
  }
}

/**
 * The status line's hint in `lang`: how to detach, how to end (`down`),
 * and with a window per host (`layout`) how to switch among the `hosts`.
 */
export function statusHint(
  lang: Lang,
  down: string,
  options: { layout?: "tiled" | "windows"; hosts?: number } = {},
): string {
  const id = lang === "id";
  const hint = id
    ? `lepas: Ctrl+B d | akhiri: ${down}`
    : `detach: Ctrl+B d | end: ${down}`;
  if (options.layout !== "windows") return hint;
  // Ctrl+B and a digit reach the first ten windows.
  const last = Math.min(options.hosts ?? 10, 10) - 1;
  return `Ctrl+B n / 0-${last}: ${id ? "host lain" : "other hosts"} | ${hint}`;
}
