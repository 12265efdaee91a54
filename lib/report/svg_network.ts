/**
 * The report's pictures of a lab with routers: its network (each segment a
 * switch with its hosts under it, each router joined to its segments), and
 * how far each TTL reached (one row per TTL across the sender, the
 * receivers in order of their distance and the routers between them, each
 * receiver with the TTL it read, and the router that dropped the datagram).
 * Both are drawn from the lab's description and the measured records.
 *
 * @example The network of a chain of two segments
 * ```ts
 * import { networkSvg } from "./svg_network.ts";
 *
 * const svg = networkSvg({
 *   file: "lab.yaml", subnet: { cidr: "10.1.1.0/24", broadcast: "10.1.1.255" },
 *   scenarios: [],
 *   segments: [
 *     { name: "a", subnet: { cidr: "10.1.1.0/24", broadcast: "10.1.1.255" } },
 *     { name: "b", subnet: { cidr: "10.1.2.0/24", broadcast: "10.1.2.255" } },
 *   ],
 *   routers: [{ name: "r1", ports: [{ segment: "a", address: "10.1.1.1" }, { segment: "b", address: "10.1.2.1" }] }],
 *   hosts: [
 *     { name: "h1", address: "10.1.1.11", segment: "a" },
 *     { name: "h2", address: "10.1.2.12", segment: "b" },
 *   ],
 * });
 * console.log(svg.includes('data-router="r1"')); // true
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { LabInfo } from "../results/results.ts";
import type { ReachModel } from "../results/reach.ts";
import { COLOURS, svg, text, xmlText } from "./_svg.ts";

const TEXT = {
  en: {
    network: "The lab's network: segments (switches) joined by routers",
    reach: "How far each TTL reached: one row per TTL",
    read: "TTL read on arrival",
    legendGot: "received (the TTL it read)",
    legendNot: "not received",
    legendDrop: "dropped by this router (it would have left with TTL 0)",
    sender: "sender",
    routers: (n: number) => (n === 1 ? "1 router" : `${n} routers`),
  },
  id: {
    network: "Jaringan praktikum: segmen (switch) yang dihubungkan router",
    reach: "Seberapa jauh setiap TTL sampai: satu baris per TTL",
    read: "TTL yang terbaca saat tiba",
    legendGot: "diterima (TTL yang terbaca)",
    legendNot: "tidak diterima",
    legendDrop: "dibuang router ini (ia akan keluar dengan TTL 0)",
    sender: "pengirim",
    routers: (n: number) => `${n} router`,
  },
};

type Segments = NonNullable<LabInfo["segments"]>;

/** The segments in the order of a walk from the first host's segment. */
function walkOrder(lab: LabInfo): Segments {
  const segments = lab.segments ?? [];
  const routers = lab.routers ?? [];
  const start = lab.hosts[0]?.segment ?? segments[0]?.name;
  const order: string[] = [];
  const queue = start === undefined ? [] : [start];
  while (queue.length > 0 || order.length < segments.length) {
    if (queue.length === 0) {
      // A segment no router reaches: after the others.
      queue.push(segments.find((s) => !order.includes(s.name))!.name);
    }
    const at = queue.shift()!;
    if (order.includes(at)) continue;
    order.push(at);
    for (const router of routers) {
      if (!router.ports.some((p) => p.segment === at)) continue;
      for (const p of router.ports) {
        if (!order.includes(p.segment)) queue.push(p.segment);
      }
    }
  }
  return order.map((name) => segments.find((s) => s.name === name)!);
}

/**
 * The network of a lab with routers: segments side by side, each with its
 * hosts under it, the routers above joined to each segment they are on
 * (with their address there).
 */
export function networkSvg(lab: LabInfo, lang: Lang = "en"): string {
  const t = TEXT[lang];
  const box = 118;
  const gap = 14;
  const margin = 16;
  const segments = walkOrder(lab);
  const hostsOf = (segment: string) =>
    lab.hosts.filter((h) => h.segment === segment);
  const widths = segments.map((s) =>
    Math.max(150, hostsOf(s.name).length * (box + gap) - gap)
  );
  const lefts: number[] = [];
  let x = margin;
  for (const w of widths) {
    lefts.push(x);
    x += w + 36;
  }
  const width = Math.max(420, x - 36 + margin);
  const centre = (name: string) => {
    const i = segments.findIndex((s) => s.name === name);
    return lefts[i] + widths[i] / 2;
  };
  const routerY = 40;
  const barY = 104;
  const hostY = 184;
  const body: string[] = [];
  for (const [i, segment] of segments.entries()) {
    const left = lefts[i];
    const w = widths[i];
    body.push(
      `<g class="segment" data-segment="${xmlText(segment.name)}">`,
      `<rect x="${left}" y="${barY}" width="${w}" height="38" rx="6" fill="#eef2ff" stroke="${COLOURS.sender}"/>`,
      text(left + w / 2, barY + 16, segment.name, {
        anchor: "middle",
        weight: "bold",
      }),
      text(left + w / 2, barY + 31, segment.subnet.cidr, {
        anchor: "middle",
        size: 10,
      }),
    );
    const hosts = hostsOf(segment.name);
    const start = left + (w - (hosts.length * (box + gap) - gap)) / 2;
    for (const [j, host] of hosts.entries()) {
      const hx = start + j * (box + gap);
      body.push(
        `<line x1="${hx + box / 2}" y1="${barY + 38}" x2="${
          hx + box / 2
        }" y2="${hostY}" stroke="${COLOURS.faint}"/>`,
        `<rect x="${hx}" y="${hostY}" width="${box}" height="40" rx="6" fill="#f9fafb" stroke="${COLOURS.ink}"/>`,
        text(hx + box / 2, hostY + 17, host.name, {
          anchor: "middle",
          weight: "bold",
        }),
        text(hx + box / 2, hostY + 32, host.address, {
          anchor: "middle",
          size: 10,
        }),
      );
    }
    body.push("</g>");
  }
  const used = new Map<number, number>();
  for (const router of lab.routers ?? []) {
    const xs = router.ports.map((p) => centre(p.segment));
    let rx = xs.reduce((a, b) => a + b, 0) / xs.length;
    // Two routers at one place (a branching tree): side by side.
    const key = Math.round(rx);
    rx += (used.get(key) ?? 0) * 44;
    used.set(key, (used.get(key) ?? 0) + 1);
    body.push(`<g class="router" data-router="${xmlText(router.name)}">`);
    for (const port of router.ports) {
      const i = segments.findIndex((s) => s.name === port.segment);
      // The line lands on the bar's end nearest the router.
      const sx = Math.min(
        Math.max(rx, lefts[i] + 12),
        lefts[i] + widths[i] - 12,
      );
      body.push(
        `<line x1="${rx}" y1="${
          routerY + 16
        }" x2="${sx}" y2="${barY}" stroke="${COLOURS.ink}" stroke-width="1.5"/>`,
        text(
          (rx + sx) / 2 + (sx < rx ? -4 : 4),
          (routerY + 16 + barY) / 2 + 4,
          port.address,
          { anchor: sx < rx ? "end" : "start", size: 9, fill: COLOURS.faint },
        ),
      );
    }
    body.push(
      `<circle cx="${rx}" cy="${routerY}" r="16" fill="#fef3c7" stroke="#b45309" stroke-width="1.5"/>`,
      `<path d="M${rx - 8} ${routerY} h16 M${rx} ${
        routerY - 8
      } v16" stroke="#b45309" stroke-width="2"/>`,
      text(rx, routerY - 21, router.name, {
        anchor: "middle",
        weight: "bold",
        size: 10,
      }),
      "</g>",
    );
  }
  return svg(width, hostY + 56, t.network, body);
}

/** One column of the reach picture: the sender, a receiver or the routers of one depth. */
type Column =
  | { kind: "sender"; label: string; sub: string }
  | { kind: "host"; label: string; sub: string; row: number }
  | { kind: "router"; label: string; depth: number };

/**
 * How far each TTL reached: the sender, then the receivers by their
 * distance with the routers of each depth between them; per TTL a line as
 * far as it went, each receiver's dot with the TTL it read (or hollow: not
 * received), and a cross at the router it stopped at.
 */
export function reachSvg(model: ReachModel, lang: Lang = "en"): string {
  const t = TEXT[lang];
  const columns: Column[] = [{
    kind: "sender",
    label: model.sender,
    sub: t.sender,
  }];
  let depth = 0;
  for (const [row, r] of model.receivers.entries()) {
    const d = r.routers?.length ?? depth;
    while (depth < d) {
      depth++;
      const names = new Set(
        model.receivers.flatMap((x) => x.routers?.[depth - 1] ?? []),
      );
      columns.push({ kind: "router", label: [...names].join(", "), depth });
    }
    columns.push({
      kind: "host",
      label: r.host,
      sub: t.routers(d),
      row,
    });
  }
  const colWidth = 92;
  const labelWidth = 64;
  const width = labelWidth + columns.length * colWidth + 16;
  const top = 58;
  const rowHeight = 40;
  const x = (i: number) => labelWidth + i * colWidth + colWidth / 2;
  const body: string[] = [];
  for (const [i, c] of columns.entries()) {
    if (c.kind === "router") {
      body.push(
        `<line x1="${x(i)}" y1="${top - 8}" x2="${x(i)}" y2="${
          top + model.ttls.length * rowHeight
        }" stroke="#fcd34d" stroke-dasharray="3 3"/>`,
        `<circle cx="${
          x(i)
        }" cy="${18}" r="9" fill="#fef3c7" stroke="#b45309"/>`,
        text(x(i), 40, c.label, { anchor: "middle", size: 9, weight: "bold" }),
      );
    } else {
      body.push(
        text(x(i), 22, c.label, { anchor: "middle", weight: "bold" }),
        text(x(i), 36, c.sub, {
          anchor: "middle",
          size: 9,
          fill: COLOURS.faint,
        }),
      );
    }
  }
  for (const [k, send] of model.ttls.entries()) {
    const y = top + k * rowHeight + rowHeight / 2;
    // As far as it went: the last column of a receiver that got it.
    let last = 0;
    for (const [i, c] of columns.entries()) {
      if (c.kind === "host" && model.receivers[c.row].cells[k].received) {
        last = i;
      }
    }
    const stop = columns.findIndex((c, i) => i > last && c.kind === "router");
    const end = stop >= 0 ? stop : last;
    body.push(
      `<g class="ttl" data-ttl="${send.ttl}">`,
      text(8, y + 4, `TTL ${send.ttl}`, { weight: "bold" }),
      `<line x1="${x(0)}" y1="${y}" x2="${
        x(end)
      }" y2="${y}" stroke="${COLOURS.sender}" stroke-width="2"/>`,
      `<circle cx="${x(0)}" cy="${y}" r="6" fill="${COLOURS.sender}"/>`,
    );
    for (const [i, c] of columns.entries()) {
      if (c.kind !== "host") continue;
      const r = model.receivers[c.row];
      const cell = r.cells[k];
      body.push(
        cell.received
          ? `<circle class="got" data-host="${xmlText(r.host)}" cx="${
            x(i)
          }" cy="${y}" r="9" fill="${COLOURS.received}"/>`
          : `<circle class="missed" data-host="${xmlText(r.host)}" cx="${
            x(i)
          }" cy="${y}" r="8" fill="#ffffff" stroke="${COLOURS.missed}" stroke-width="1.5"/>`,
      );
      if (cell.received && cell.ttl !== undefined) {
        body.push(
          text(x(i), y + 4, String(cell.ttl), {
            anchor: "middle",
            size: 10,
            fill: "#ffffff",
            weight: "bold",
          }),
        );
      }
    }
    if (stop >= 0) {
      const cx = x(stop);
      body.push(
        `<path class="drop" d="M${cx - 6} ${y - 6} L${cx + 6} ${y + 6} M${
          cx + 6
        } ${y - 6} L${cx - 6} ${
          y + 6
        }" stroke="${COLOURS.lost}" stroke-width="2.5"/>`,
      );
    }
    body.push("</g>");
  }
  const legendY = top + model.ttls.length * rowHeight + 18;
  body.push(
    `<circle cx="${labelWidth}" cy="${legendY}" r="6" fill="${COLOURS.received}"/>`,
    text(labelWidth + 10, legendY + 4, t.legendGot, { size: 10 }),
    `<circle cx="${
      labelWidth + 190
    }" cy="${legendY}" r="6" fill="#ffffff" stroke="${COLOURS.missed}" stroke-width="1.5"/>`,
    text(labelWidth + 200, legendY + 4, t.legendNot, { size: 10 }),
    `<path d="M${labelWidth - 5} ${legendY + 13} L${labelWidth + 5} ${
      legendY + 23
    } M${labelWidth + 5} ${legendY + 13} L${labelWidth - 5} ${
      legendY + 23
    }" stroke="${COLOURS.lost}" stroke-width="2"/>`,
    text(labelWidth + 10, legendY + 22, t.legendDrop, { size: 10 }),
  );
  return svg(Math.max(width, 520), legendY + 34, t.reach, body);
}
