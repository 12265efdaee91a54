/**
 * Internal: the view's picture of a lab with routers. Each segment is a
 * switch with its hosts under it, as the one-switch picture draws its
 * switch; the routers stand in the row of hosts between the segments they
 * join, one box split into one part per interface, each part linked to its
 * segment's switch. A port of the picture (a host, or one part of a
 * router) is where its line meets its box; a frame crossing a segment
 * moves from its sender's port up to that segment's switch and down to the
 * ports it leaves by.
 *
 * @module
 */

import { xmlText } from "../report/svg.ts";
import type { Picture, Point } from "./picture.ts";

/** A port of the picture: a host, or a router's interface. */
export interface SegmentPort {
  /** Its index (the host table's). */
  index: number;
  /** The host's name, or the router's. */
  name: string;
  /** Its address on its segment. */
  address?: string;
  /** Its segment's index. */
  segment?: number;
  /** A router's interface (`eth0`). */
  device?: string;
  /** Whether it is a router's. */
  router?: boolean;
}

const HOST_BOX = 112;
const PART = 76;
const GAP = 14;
const MARGIN = 24;
const SWITCH_WIDTH = 150;
const SWITCH_TOP = 12;
const SWITCH_HEIGHT = 40;
const BOX_TOP = 110;
const HOST_HEIGHT = 44;
const ROUTER_HEIGHT = 48;
const INK = "#111827";
const FAINT = "#6b7280";

const TITLE = {
  en: "The lab's network: each segment a switch, routers between them",
  id: "Jaringan praktikum: tiap segmen sebuah switch, router di antaranya",
};

function label(
  x: number,
  y: number,
  content: string,
  style: { size?: number; weight?: string; fill?: string } = {},
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${
    style.size ?? 11
  }" text-anchor="middle" fill="${style.fill ?? INK}"${
    style.weight ? ` font-weight="${style.weight}"` : ""
  }>${xmlText(content)}</text>`;
}

type Item =
  | { kind: "host"; port: SegmentPort }
  | { kind: "router"; name: string; ports: SegmentPort[] };

/** The row of boxes: each segment's hosts, then the routers it leads to. */
function rowOf(ports: SegmentPort[], segments: number): Item[] {
  const routers = new Map<string, SegmentPort[]>();
  for (const p of ports.filter((p) => p.router)) {
    routers.set(p.name, [...routers.get(p.name) ?? [], p]);
  }
  const items: Item[] = [];
  const placed = new Set<string>();
  const lowest = (list: SegmentPort[]) =>
    Math.min(...list.map((p) => p.segment ?? 0));
  for (let s = 0; s < segments; s++) {
    for (const port of ports) {
      if (!port.router && (port.segment ?? 0) === s) {
        items.push({ kind: "host", port });
      }
    }
    for (const [name, list] of routers) {
      if (placed.has(name) || lowest(list) !== s) continue;
      placed.add(name);
      // Its parts left to right in the order of their segments.
      const sorted = [...list].sort((a, b) =>
        (a.segment ?? 0) - (b.segment ?? 0)
      );
      items.push({ kind: "router", name, ports: sorted });
    }
  }
  return items;
}

/** The picture of a lab of several segments with their hosts and routers. */
export function segmentsPicture(
  ports: SegmentPort[],
  options: {
    segments: { name: string; subnet: string }[];
    lang?: "en" | "id";
  },
): Picture {
  const { segments } = options;
  const items = rowOf(ports, segments.length);
  const boxes: Picture["boxes"] = [];
  const at: Point[] = [];
  const centresOf: number[][] = segments.map(() => []);
  let x = MARGIN;
  for (const item of items) {
    if (item.kind === "host") {
      const i = item.port.index;
      boxes[i] = { x, y: BOX_TOP, width: HOST_BOX, height: HOST_HEIGHT };
      at[i] = { x: x + HOST_BOX / 2, y: BOX_TOP };
      centresOf[item.port.segment ?? 0]?.push(x + HOST_BOX / 2);
      x += HOST_BOX + GAP;
    } else {
      for (const port of item.ports) {
        boxes[port.index] = {
          x,
          y: BOX_TOP,
          width: PART,
          height: ROUTER_HEIGHT,
        };
        at[port.index] = { x: x + PART / 2, y: BOX_TOP };
        x += PART;
      }
      x += GAP;
    }
  }
  let width = Math.max(420, x - GAP + MARGIN);
  // A segment's switch above its hosts (above its routers' parts if none).
  const switches: Point[] = segments.map((_, s) => {
    let xs = centresOf[s];
    if (xs.length === 0) {
      xs = ports.filter((p) => p.segment === s && at[p.index])
        .map((p) => at[p.index].x);
    }
    const cx = xs.length === 0
      ? width / 2
      : (Math.min(...xs) + Math.max(...xs)) / 2;
    return { x: cx, y: SWITCH_TOP + SWITCH_HEIGHT };
  });
  // A switch wider than the hosts under it stays inside the picture.
  for (const s of switches) {
    width = Math.max(width, s.x + SWITCH_WIDTH / 2 + 8);
  }
  const body: string[] = [];
  for (const p of ports) {
    const s = switches[p.segment ?? 0];
    const to = at[p.index];
    if (!s || !to) continue;
    body.push(
      `<line class="link" data-port="${p.index}" x1="${
        s.x.toFixed(1)
      }" y1="${s.y}" x2="${to.x.toFixed(1)}" y2="${to.y}" stroke="${FAINT}"/>`,
    );
  }
  for (const [s, segment] of segments.entries()) {
    const cx = switches[s].x;
    body.push(
      `<g class="segment" data-segment="${xmlText(segment.name)}">`,
      `<rect x="${
        (cx - SWITCH_WIDTH / 2).toFixed(1)
      }" y="${SWITCH_TOP}" width="${SWITCH_WIDTH}" height="${SWITCH_HEIGHT}" rx="6" fill="#eef2ff" stroke="#2563eb"/>`,
      label(cx, SWITCH_TOP + 17, segment.name, { weight: "bold", size: 12 }),
      label(cx, SWITCH_TOP + 32, segment.subnet, { size: 10 }),
      "</g>",
    );
  }
  for (const item of items) {
    if (item.kind === "host") {
      const p = item.port;
      const b = boxes[p.index];
      body.push(
        `<g class="host" data-host="${xmlText(p.name)}">`,
        `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="6" fill="#f9fafb" stroke="${INK}"/>`,
        label(b.x + b.width / 2, b.y + 19, p.name, {
          weight: "bold",
          size: 12,
        }),
        label(b.x + b.width / 2, b.y + 35, p.address ?? "", { size: 10 }),
        "</g>",
      );
      continue;
    }
    const first = boxes[item.ports[0].index];
    const span = item.ports.length * PART;
    const cx = first.x + span / 2;
    body.push(
      `<g class="router" data-router="${xmlText(item.name)}">`,
      `<rect x="${first.x}" y="${BOX_TOP}" width="${span}" height="${ROUTER_HEIGHT}" rx="6" fill="#fef3c7" stroke="#b45309" stroke-width="1.5"/>`,
      label(cx, BOX_TOP + 14, item.name, { weight: "bold", size: 11 }),
    );
    for (const [k, port] of item.ports.entries()) {
      const b = boxes[port.index];
      if (k > 0) {
        body.push(
          `<line x1="${b.x}" y1="${BOX_TOP + 19}" x2="${b.x}" y2="${
            BOX_TOP + ROUTER_HEIGHT - 4
          }" stroke="#d97706" stroke-dasharray="2 2"/>`,
        );
      }
      body.push(
        `<g class="router-port" data-port="${port.index}" data-device="${
          xmlText(port.device ?? "")
        }">`,
        label(b.x + PART / 2, BOX_TOP + 30, port.device ?? "", {
          size: 9.5,
          fill: "#92400e",
        }),
        label(b.x + PART / 2, BOX_TOP + 42, port.address ?? "", { size: 9.5 }),
        "</g>",
      );
    }
    body.push("</g>");
  }
  const height = BOX_TOP + ROUTER_HEIGHT + 12;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" style="font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif">`,
    `<title>${xmlText(TITLE[options.lang ?? "en"])}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
  return {
    svg,
    width,
    height,
    switch: switches[0] ?? { x: width / 2, y: SWITCH_TOP + SWITCH_HEIGHT },
    ports: at,
    boxes,
    switches,
    segmentOf: ports.reduce<number[]>((all, p) => {
      all[p.index] = p.segment ?? 0;
      return all;
    }, []),
  };
}
