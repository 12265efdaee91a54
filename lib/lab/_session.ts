/**
 * Internal: what the lab tool's commands share: where they print, the lab
 * they work on, a Ctrl+C that tears down what was built, and bringing the
 * lab up (`lab up`, and `lab run` when the lab is not up yet).
 *
 * @module
 */

import { EXIT_OK, RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { type Output, printError } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import {
  labNames,
  type LabState,
  labStatus,
  labUp,
  NotOursError,
} from "../net/netns.ts";
import { prepareRecords, resetUpTime } from "../hand/records.ts";
import { formatTable } from "../results/summary.ts";
import type { Texts } from "./_texts.ts";
import type { Topology } from "../scenario/topology.ts";

/** Where a command prints, in which language, and the lab it works on. */
export interface Ui {
  out: Output;
  text: Texts;
  /** The language of the lines (`--lang`). */
  lang: Lang;
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
  ui: Ui,
  { topology, signal, hint = true }: {
    topology: Topology;
    signal: AbortSignal;
    /** Print what to do next (not when `run` brings the lab up for itself). */
    hint?: boolean;
  },
): Promise<number> {
  const { out, text, name, hint: again } = ui;
  const started = performance.now();
  let result;
  try {
    result = await labUp(topology, name, { signal, lang: ui.lang });
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
  if (result.restarted.length > 0) {
    out.line(text.restarted(result.restarted.join(", ")));
  }
  const routed = topology.segments !== undefined;
  const counts = {
    hosts: topology.hosts.length,
    segments: topology.segments?.length ?? 1,
    routers: topology.routers?.length ?? 0,
  };
  out.line(
    !result.created
      ? text.alreadyUp(name)
      : routed
      ? text.upRouted(name, ms, counts)
      : text.up(
        name,
        ms,
        topology.hosts.length,
        topology.subnet.cidr,
        topology.subnet.broadcast,
      ),
  );
  out.record({
    type: "up",
    lab: name,
    created: result.created,
    ms,
    hosts: topology.hosts.length,
    ...(routed
      ? {
        segments: counts.segments,
        routers: (result.state.routers ?? []).map((r) => ({
          name: r.name,
          multicast: r.multicast ?? null,
        })),
      }
      : {}),
    ...(result.restarted.length > 0 ? { restarted: result.restarted } : {}),
  });
  if (result.created) {
    if (routed) {
      out.line(routedTables(ui, result.state, {}).join("\n"));
      const line = await multicastLine(ui, result.state);
      if (line) out.line(line);
    } else {
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
    }
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

/** What {@linkcode routedTables} adds to each row. */
export interface RoutedColumns {
  /** Processes by namespace (`lab status`). */
  pids?: Record<string, number[]>;
  /** Recorded entries by host (`lab status`). */
  records?: Map<string, number>;
  /** Each router's forwarding, as one cell (`lab status`). */
  forwarding?: Map<string, string>;
}

/**
 * The tables of a lab with routers: its hosts (segment, address, gateway,
 * namespace), its routers (interfaces, namespace, how they forward
 * multicast) and the switch's bridges.
 */
export function routedTables(
  { text, name }: Ui,
  state: LabState,
  columns: RoutedColumns,
): string[] {
  const { pids, records, forwarding } = columns;
  const roots = state.hosts.some((h) => h.rootfs !== undefined);
  const routerOf = (address: string | undefined) =>
    state.routers?.find((r) => r.ports.some((p) => p.address === address))
      ?.name;
  const hosts = formatTable({
    header: [
      text.host,
      text.segment,
      text.address,
      text.gateway,
      text.namespace,
      ...(pids ? [text.processes] : []),
      ...(records ? [text.records] : []),
      ...(roots ? [text.root] : []),
    ],
    rows: state.hosts.map((h) => [
      h.name,
      h.segment ?? "",
      h.address,
      h.gateway ? `${h.gateway} (${routerOf(h.gateway)})` : "-",
      h.netns,
      ...(pids ? [String(pids[h.netns]?.length ?? 0)] : []),
      ...(records ? [String(records.get(h.name) ?? 0)] : []),
      ...(roots ? [h.rootfs ?? "/"] : []),
    ]),
  });
  const routers = formatTable({
    header: [text.router, text.interfaces, text.namespace, text.multicast],
    rows: [
      ...(state.routers ?? []).map((r) => [
        r.name,
        r.ports.map((p) => `${p.device} ${p.segment} ${p.address}`).join(
          ", ",
        ),
        r.netns,
        forwarding?.get(r.name) ?? text.mode(r.multicast),
      ]),
    ],
  });
  const bridges = text.bridges(
    labNames(name).switchNs,
    (state.segments ?? []).map((s) => `${s.bridge} ${s.name}`).join(", "),
  );
  return [hosts, "", routers, bridges];
}

/** How the routers forward multicast, in one line (from their status files). */
export async function multicastLine(
  { text, name }: Ui,
  state: LabState,
): Promise<string | undefined> {
  const router = state.routers?.[0];
  if (!router?.multicast) return undefined;
  const status = (await labStatus(name)).routers[router.name];
  return text.multicastLine(router.multicast, status?.reason ?? "");
}

/** A list for a one-line message: at most 8 names, then how many more. */
export function shortList(names: string[]): string {
  return names.length <= 8
    ? names.join(", ")
    : `${names.slice(0, 8).join(", ")} and ${names.length - 8} more`;
}
