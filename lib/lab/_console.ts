/**
 * Internal: the `lab console` command: tmux first (one line naming the
 * package if it is missing), the lab up if it is not, the console's session
 * made if it is not there, then attached (unless `--detach`).
 *
 * @module
 */

import { EXIT_OK } from "../cli/errors.ts";
import { detectLang, type Lang, readEnv } from "../cli/i18n.ts";
import {
  attachConsole,
  consoleExists,
  consoleSession,
  createConsole,
  DEFAULT_SIZE,
  statusHint,
  tmux,
} from "../hand/console.ts";
import {
  checkLabPrivileges,
  labStatus,
  sameNetwork,
  stateOf,
} from "../net/netns.ts";
import { hostCommand } from "./_host_command.ts";
import type { Topology } from "../scenario/topology.ts";
import { type Ui, up, withInterrupt } from "./_session.ts";
import { IP } from "../net/ip.ts";
import { RuntimeError } from "../cli/errors.ts";
import { resolve } from "node:path";
import { checkCaptureTool } from "../wire/capture.ts";
import { captureTargets, startHand } from "./_capture.ts";

/** What `lab console` was asked for. */
export interface ConsoleCommandOptions {
  /** The topology (brings the lab up if it is not). */
  topology: Topology;
  /** `--detach`: make the session, do not attach. */
  detach: boolean;
  /** The status line's language. */
  lang: Lang;
  /** `--capture DIR`: every host captured (detached, as `lab capture start`). */
  capture?: string;
}

/** `lab console`; resolves to the exit code. */
export async function labConsole(
  ui: Ui,
  options: ConsoleCommandOptions,
): Promise<number> {
  const { out, name } = ui;
  const id = options.lang === "id";
  // Before anything is built: without tmux there is no console.
  await tmux(["-V"]);
  if (options.capture !== undefined) await checkCaptureTool();
  await checkLabPrivileges();
  let status = await labStatus(name);
  if (!status.up) {
    const code = await withInterrupt(
      ui,
      (signal) => up(ui, { topology: options.topology, signal, hint: false }),
    );
    if (code !== EXIT_OK) return code;
    status = await labStatus(name);
  } else if (
    status.state && !sameNetwork(status.state, stateOf(options.topology, name))
  ) {
    // The lab that runs was built from another file: its own hosts count.
    out.line(
      id
        ? `lab "${name}" menyala dari ${status.state.file}: konsol memakai host-nya`
        : `lab "${name}" is up from ${status.state.file}: the console uses its hosts`,
    );
  }
  const state = status.state;
  if (!state) {
    throw new RuntimeError({
      en: `lab "${name}" is not up`,
      id: `lab "${name}" tidak menyala`,
    });
  }
  const session = consoleSession(name);
  if (!(await consoleExists(name))) {
    const size = terminalSize();
    const layout = await createConsole({
      lab: name,
      cwd: Deno.cwd(),
      size,
      status: (layout, hosts) =>
        statusHint(options.lang, ui.hint("down"), { layout, hosts }),
      panes: state.hosts.map((h) => ({
        host: h.name,
        title: `${h.name} ${h.address}`,
        command: [...langEnv(options.lang), IP, ...hostCommand(name, h)],
      })),
    });
    out.line(
      id
        ? `konsol "${session}": ${state.hosts.length} host, tata letak ${
          layout === "tiled" ? "berpetak" : "satu jendela per host"
        }`
        : `console "${session}": ${state.hosts.length} hosts, ${
          layout === "tiled" ? "tiled" : "one window per host"
        }`,
    );
    out.record({ type: "console", lab: name, session, layout, created: true });
  } else {
    out.record({ type: "console", lab: name, session, created: false });
  }
  if (options.capture !== undefined) {
    await startHand(
      ui,
      captureTargets(state),
      resolve(options.capture),
      options.lang,
    );
  }
  if (options.detach || !Deno.stdin.isTerminal()) {
    out.line(
      id
        ? `masuk: tmux attach -t ${session} (atau ${
          ui.hint("console")
        }); akhiri: ${ui.hint("down")}`
        : `attach: tmux attach -t ${session} (or ${ui.hint("console")}); end: ${
          ui.hint("down")
        }`,
    );
    return EXIT_OK;
  }
  await out.drained();
  await attachConsole(name, readEnv("TMUX") !== undefined);
  return EXIT_OK;
}

/**
 * The shells speak the console's language (`--lang id` in an English
 * locale): the roles started in them pick it from the locale.
 */
function langEnv(lang: Lang): string[] {
  if (detectLang() === lang) return [];
  return [
    "env",
    "-u",
    "LC_ALL",
    "-u",
    "LC_MESSAGES",
    `LANG=${lang === "id" ? "id_ID.UTF-8" : "C.UTF-8"}`,
  ];
}

/** This terminal's size, or 80×24 with none (a script, `--detach`). */
function terminalSize(): { columns: number; rows: number } {
  try {
    return Deno.consoleSize();
  } catch {
    return DEFAULT_SIZE;
  }
}
