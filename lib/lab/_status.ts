/**
 * Internal: `lab status`: whether the lab is up, and then each host (its
 * address, namespace, processes and recordings; on a lab with routers its
 * segment and gateway too; on the one-switch lab the gateway every host
 * has) and each router (its interfaces and how its multicast forwarder is
 * doing).
 *
 * @module
 */

import { EXIT_OK } from "../cli/errors.ts";
import { labStatus, labsUp, type RouterStatus } from "../net/netns.ts";
import { countRecords } from "../hand/records.ts";
import { formatTable } from "../results/summary.ts";
import { multicastLine, routedTables, type Ui } from "./_session.ts";

/** `lab status`; resolves to the exit code. */
export async function status(ui: Ui): Promise<number> {
  const { out, text, name, hint } = ui;
  const status = await labStatus(name);
  const records = await countRecords(name);
  const running = (netns: string) => (status.pids[netns]?.length ?? 0) > 0;
  out.record({
    type: "status",
    lab: name,
    up: status.up,
    namespaces: status.namespaces,
    hosts: status.state?.hosts ?? [],
    ...(status.state?.gateway ? { gateway: status.state.gateway } : {}),
    ...(status.state?.routers
      ? {
        segments: status.state.segments ?? [],
        routers: status.state.routers.map((r) => ({
          ...r,
          running: running(r.netns),
          forwarder: status.routers[r.name] ?? null,
        })),
      }
      : {}),
    pids: status.pids,
    records,
  });
  if (status.namespaces.length === 0) {
    out.line(text.notUp(name, await labsUp(), hint("up")));
    return EXIT_OK;
  }
  if (!status.up) {
    out.line(
      text.incomplete(
        name,
        status.namespaces.length,
        hint("down"),
        hint("up"),
      ),
    );
    return EXIT_OK;
  }
  const state = status.state!;
  const counts = new Map(records.map((c) => [c.host, c.entries]));
  if (state.segments !== undefined) {
    out.line(text.isUpRouted(name, {
      hosts: state.hosts.length,
      segments: state.segments.length,
      routers: state.routers?.length ?? 0,
    }, state.file));
    const forwarding = new Map(
      (state.routers ?? []).map((r) => [
        r.name,
        running(r.netns)
          ? forwardingCell(ui, r.multicast, status.routers[r.name])
          : text.notForwarding,
      ]),
    );
    out.line(
      routedTables(ui, state, {
        pids: status.pids,
        records: counts,
        forwarding,
      }).join("\n"),
    );
    const line = await multicastLine(ui, state);
    if (line) out.line(line);
    return EXIT_OK;
  }
  out.line(
    text.isUp(
      name,
      state.hosts.length,
      state.subnet,
      state.broadcast,
      state.file,
      state.gateway,
    ),
  );
  const roots = state.hosts.some((h) => h.rootfs !== undefined);
  out.line(formatTable({
    header: [
      text.host,
      text.address,
      text.namespace,
      text.processes,
      text.records,
      ...(roots ? [text.root] : []),
    ],
    rows: state.hosts.map((h) => [
      h.name,
      h.address,
      h.netns,
      String(status.pids[h.netns]?.length ?? 0),
      String(counts.get(h.name) ?? 0),
      ...(roots ? [h.rootfs ?? "/"] : []),
    ]),
  }));
  return EXIT_OK;
}

/** A router's multicast cell: how it forwards and, in user space, its counts. */
function forwardingCell(
  { text }: Ui,
  mode: string | undefined,
  forwarder: RouterStatus | undefined,
): string {
  const stats = forwarder?.stats;
  return stats
    ? `${text.mode(mode)}: ${
      text.forwarding(
        stats.forwarded,
        stats.dropped.ttl ?? 0,
        (stats.dropped.queue ?? 0) + (stats.dropped.send ?? 0),
      )
    }`
    : text.mode(mode);
}
