/**
 * Internal: what the lab tool's commands share: where they print, the lab
 * they work on, a Ctrl+C that tears down what was built, and bringing the
 * lab up (`lab up`, and `lab run` when the lab is not up yet).
 *
 * @module
 */

import { EXIT_OK, RuntimeError } from "../cli/errors.ts";
import { type Output, printError } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { labNames, labUp, NotOursError } from "../net/netns.ts";
import { prepareRecords, resetUpTime } from "../hand/records.ts";
import { formatTable } from "../results/summary.ts";
import type { Texts } from "./_texts.ts";
import type { Topology } from "../scenario/topology.ts";

/** Where a command prints, in which language, and the lab it works on. */
export interface Ui {
  out: Output;
  text: Texts;
  /** The lab's name (`--name`, else the topology file's). */
  name: string;
  /**
   * A lab command line to suggest, e.g. `hint("down")`: with the options in
   * force (`--file`, `--name`, `--lang`), so that following it works on the
   * same lab.
   */
  hint: (command: string, options?: { rootfs?: boolean }) => string;
}

/** Exit code of a run or build that Ctrl+C (or SIGTERM) stopped. */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs `body` with an abort signal that Ctrl+C and SIGTERM trigger; `body`
 * then cleans up, and the exit code is 130. One Ctrl+C reaches this program
 * twice under `deno task` (see `onStop`): only a second one, later, leaves
 * at once, without cleaning up.
 */
export async function withInterrupt(
  ui: Ui,
  body: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const stop = onStop(() => {}, {
    onRepeat: () => {
      ui.out.flush();
      printError(`lab: ${ui.text.twice(ui.hint("down"))}`);
      Deno.exit(EXIT_INTERRUPTED);
    },
  });
  try {
    const code = await body(stop.signal);
    return stop.stopped ? EXIT_INTERRUPTED : code;
  } catch (err) {
    // What failed after Ctrl+C (a build step cut short) is its consequence.
    if (!stop.stopped) throw err;
    ui.out.flush();
    printError(`lab: ${ui.text.interrupted(ui.name)}`);
    return EXIT_INTERRUPTED;
  } finally {
    stop.dispose();
  }
}

/**
 * Brings the lab up from `topology` (`lab up`, or `lab run` for itself),
 * printing its hosts; resolves to the exit code.
 */
export async function up(
  { out, text, name, hint: again }: Ui,
  { topology, signal, hint = true }: {
    topology: Topology;
    signal: AbortSignal;
    /** Print what to do next (not when `run` brings the lab up for itself). */
    hint?: boolean;
  },
): Promise<number> {
  const started = performance.now();
  let result;
  try {
    result = await labUp(topology, name, { signal });
  } catch (err) {
    if (!(err instanceof NotOursError)) throw err;
    throw new RuntimeError(text.notOurs(name, err.what, "--name"));
  }
  // A lab built now starts its recordings afresh ("since lab up"); kept
  // records of an earlier one stay readable with --since.
  if (result.created) await resetUpTime(name);
  await prepareRecords(name);
  const ms = Math.round(performance.now() - started);
  const names = labNames(name);
  if (result.removed.length > 0) {
    out.line(text.leftovers(result.removed.length, name));
  }
  out.line(
    result.created
      ? text.up(
        name,
        ms,
        topology.hosts.length,
        topology.subnet.cidr,
        topology.subnet.broadcast,
      )
      : text.alreadyUp(name),
  );
  out.record({
    type: "up",
    lab: name,
    created: result.created,
    ms,
    hosts: topology.hosts.length,
  });
  if (result.created) {
    const roots = topology.hosts.some((h) => h.rootfs !== undefined);
    out.line(
      formatTable({
        header: [
          text.host,
          text.address,
          text.namespace,
          ...(roots ? [text.root] : []),
        ],
        rows: [
          ...topology.hosts.map((h) => [
            h.name,
            h.address,
            names.hostPrefix + h.name,
            ...(roots ? [h.rootfs ?? "/"] : []),
          ]),
          [text.switch, "", names.switchNs, ...(roots ? [""] : [])],
        ],
      }),
    );
    if (hint) {
      out.line(text.next(
        again(`exec ${topology.hosts[0].name}`),
        again("run --all", { rootfs: true }),
        again("down"),
      ));
    }
  }
  return EXIT_OK;
}

/** A list for a one-line message: at most 8 names, then how many more. */
export function shortList(names: string[]): string {
  return names.length <= 8
    ? names.join(", ")
    : `${names.slice(0, 8).join(", ")} and ${names.length - 8} more`;
}
