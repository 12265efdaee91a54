/**
 * How far a multicast datagram reached, by its TTL: for a scenario whose
 * senders set a TTL (`multicast-sender --ttl n`), which receiver got each
 * sender's lines and the TTL it read on them (`--show-ttl`), with each
 * receiver's routers from the sender as the lab's segments and routers
 * place them. The terminal's table (hosts × TTL), the report's picture and
 * its conclusion all read this one model.
 *
 * @example TTL 2 across a chain: two of three receivers
 * ```ts
 * import { reachTable, routersFrom } from "./reach.ts";
 *
 * const lab = {
 *   hosts: [
 *     { name: "a1", segment: "l1" }, { name: "a2", segment: "l2" },
 *     { name: "a3", segment: "l3" },
 *   ],
 *   routers: [
 *     { name: "r1", ports: [{ segment: "l1" }, { segment: "l2" }] },
 *     { name: "r2", ports: [{ segment: "l2" }, { segment: "l3" }] },
 *   ],
 * };
 * console.log(routersFrom(lab, "a1", "a3")); // ["r1", "r2"]
 * const table = reachTable({
 *   sender: "a1", senderAddress: "10.0.1.1",
 *   ttls: [{ ttl: 2, lines: ["hi"], host: "a1" }],
 *   receivers: [
 *     { host: "a2", address: "", routers: ["r1"], cells: [{ received: true, ttl: 1 }] },
 *     { host: "a3", address: "", routers: ["r1", "r2"], cells: [{ received: false }] },
 *   ],
 * }, "en");
 * console.log(table.rows[1]); // ["a3", "2", "-"]
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { ProcessResult, ScenarioResult } from "./results.ts";
import type { Table } from "./summary.ts";

/** What of a lab the model needs: its hosts' segments and its routers. */
export interface ReachLab {
  /** Hosts, with their segments on a lab of several. */
  hosts: { name: string; segment?: string }[];
  /** Routers with the segments they join. */
  routers?: { name: string; ports: { segment: string }[] }[];
}

/** One sender's TTL and the lines it sent with it. */
export interface TtlSend {
  /** The host it ran on. */
  host: string;
  /** The TTL it set. */
  ttl: number;
  /** The lines typed into it. */
  lines: string[];
}

/** What one receiver got of one {@linkcode TtlSend}. */
export interface ReachCell {
  /** Whether any of its lines arrived. */
  received: boolean;
  /** The TTL read on arrival (`--show-ttl`), if it was. */
  ttl?: number;
}

/** One receiver, its distance and what it got. */
export interface ReachRow {
  /** The host. */
  host: string;
  /** Its address. */
  address: string;
  /** The routers between the sender and it (`undefined`: no path). */
  routers: string[] | undefined;
  /** What it got of each send, in the order of {@linkcode ReachModel.ttls}. */
  cells: ReachCell[];
}

/** How far each TTL reached. */
export interface ReachModel {
  /** The sending host. */
  sender: string;
  /** Its address. */
  senderAddress: string;
  /** The group, when the senders said. */
  group?: string;
  /** Each send, by TTL (lowest first). */
  ttls: TtlSend[];
  /** The receivers, fewest routers away first. */
  receivers: ReachRow[];
}

/** The records of a process (its JSON lines). */
function recordsOf(p: ProcessResult): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of p.stdout) {
    if (!line.startsWith("{")) continue;
    try {
      const record = JSON.parse(line);
      if (record !== null && typeof record === "object") out.push(record);
    } catch {
      // not a record
    }
  }
  return out;
}

const base = (role: string) => role.replace(/:batch$/, "");

/**
 * The routers between hosts `a` and `b` of `lab`, in order: `[]` on one
 * segment or a lab without segments, `undefined` when nothing joins them.
 */
export function routersFrom(
  lab: ReachLab,
  a: string,
  b: string,
): string[] | undefined {
  const from = lab.hosts.find((h) => h.name === a);
  const to = lab.hosts.find((h) => h.name === b);
  if (!from || !to) return undefined;
  if (from.segment === undefined || to.segment === undefined) return [];
  const routers = lab.routers ?? [];
  const parent = new Map<string, { router: string; segment: string }>();
  const seen = new Set([from.segment]);
  let frontier = [from.segment];
  while (frontier.length > 0 && !seen.has(to.segment)) {
    const next: string[] = [];
    for (const segment of frontier) {
      for (const router of routers) {
        if (!router.ports.some((p) => p.segment === segment)) continue;
        for (const port of router.ports) {
          if (seen.has(port.segment)) continue;
          seen.add(port.segment);
          parent.set(port.segment, { router: router.name, segment });
          next.push(port.segment);
        }
      }
    }
    frontier = next;
  }
  if (!seen.has(to.segment)) return undefined;
  const path: string[] = [];
  for (let at = to.segment; at !== from.segment;) {
    const step = parent.get(at)!;
    path.unshift(step.router);
    at = step.segment;
  }
  return path;
}

/**
 * The model of `result`, when it is a TTL experiment: multicast senders
 * that set a TTL and receivers of their group, in a lab with routers or
 * with more than one TTL sent. `undefined` otherwise.
 */
export function reachModel(
  result: ScenarioResult,
  lab: ReachLab | undefined,
): ReachModel | undefined {
  if (!lab) return undefined;
  const senders = result.processes.flatMap((p) => {
    if (base(p.role) !== "multicast-sender") return [];
    const sending = recordsOf(p).find((r) => r.type === "sending");
    return typeof sending?.ttl === "number"
      ? [{ p, ttl: sending.ttl, group: sending.group }]
      : [];
  });
  const receivers = result.processes.filter((p) =>
    base(p.role) === "multicast-receiver"
  );
  if (senders.length === 0 || receivers.length === 0) return undefined;
  const ttls = new Set(senders.map((s) => s.ttl));
  if (ttls.size < 2 && (lab.routers ?? []).length === 0) return undefined;
  const sender = senders[0].p;
  const sends: TtlSend[] = senders.map((s) => ({
    host: s.p.host,
    ttl: s.ttl,
    lines: s.p.input,
  })).sort((a, b) => a.ttl - b.ttl);
  const rows: ReachRow[] = receivers.map((r) => {
    const records = recordsOf(r);
    const cells = sends.map((send): ReachCell => {
      let received = false;
      let ttl: number | undefined;
      for (const [i, record] of records.entries()) {
        if (record.type !== "datagram") continue;
        const text = String(record.text ?? "");
        if (!send.lines.some((line) => text.includes(line))) continue;
        received = true;
        const next = records[i + 1];
        if (next?.type === "delivery" && typeof next.ttl === "number") {
          ttl ??= next.ttl;
        }
      }
      return ttl === undefined ? { received } : { received, ttl };
    });
    return {
      host: r.host,
      address: r.address,
      routers: routersFrom(lab, sender.host, r.host),
      cells,
    };
  }).sort((a, b) =>
    (a.routers?.length ?? Infinity) - (b.routers?.length ?? Infinity)
  );
  const group = senders.find((s) => typeof s.group === "string")?.group;
  return {
    sender: sender.host,
    senderAddress: sender.address,
    ...(typeof group === "string" ? { group } : {}),
    ttls: sends,
    receivers: rows,
  };
}

const TEXT = {
  en: {
    host: "host",
    routers: "routers away",
    title: (sender: string) =>
      `how far each TTL reached from ${sender} (each cell: the TTL read on arrival; - not received)`,
  },
  id: {
    host: "host",
    routers: "jarak (router)",
    title: (sender: string) =>
      `seberapa jauh setiap TTL sampai dari ${sender} (setiap sel: TTL yang terbaca saat tiba; - tidak diterima)`,
  },
};

/** The title of {@linkcode reachTable}. */
export function reachTitle(model: ReachModel, lang: Lang): string {
  return TEXT[lang].title(model.sender);
}

/**
 * The model as a table: one row per receiver (its routers from the
 * sender), one column per TTL, each cell the TTL read on arrival (`✓` when
 * received but not read, `-` when not received).
 */
export function reachTable(model: ReachModel, lang: Lang): Table {
  const text = TEXT[lang];
  return {
    header: [
      text.host,
      text.routers,
      ...model.ttls.map((s) => `TTL ${s.ttl}`),
    ],
    rows: model.receivers.map((r) => [
      r.host,
      r.routers === undefined ? "-" : String(r.routers.length),
      ...r.cells.map((c) =>
        !c.received ? "-" : c.ttl === undefined ? "✓" : String(c.ttl)
      ),
    ]),
  };
}
