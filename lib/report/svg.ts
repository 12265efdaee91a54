/**
 * The report's pictures as SVG, each drawn from a model of the measured
 * records (see `model.ts`): the topology, a UDP timeline with one lane per
 * host, a chat's sequence diagram, a multicast group. Plain SVG 1.1 with
 * inline styles and system fonts: nothing is fetched.
 *
 * @example A topology picture
 * ```ts
 * import { topologySvg } from "./svg.ts";
 *
 * const svg = topologySvg(
 *   [{ name: "alpine-1", address: "10.1.0.11" }],
 *   { label: "switch", note: "10.1.0.0/24" },
 * );
 * console.log(svg.startsWith("<svg")); // true
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { Lane, Timeline } from "./model.ts";
import {
  COLOURS,
  niceStep,
  seconds,
  svg,
  TEXT,
  text,
  xmlText,
} from "./_svg.ts";

export { xmlText } from "./_svg.ts";
export { chatSvg, groupChatSvg, multicastSvg } from "./svg_chat.ts";

/** Options for {@linkcode topologySvg}. */
export interface TopologyPicture {
  /** The switch's label. */
  label: string;
  /** A line under it (subnet and broadcast address). */
  note: string;
  /** The language of the title. */
  lang?: Lang;
}

/** The topology: a switch and every host under it with its name and address. */
export function topologySvg(
  hosts: { name: string; address: string }[],
  picture: TopologyPicture,
): string {
  const box = 120;
  const gap = 16;
  const width = Math.max(420, hosts.length * (box + gap) + gap);
  const height = 170;
  const mid = width / 2;
  const body: string[] = [
    `<rect x="${
      mid - 110
    }" y="12" width="220" height="44" rx="6" fill="#eef2ff" stroke="${COLOURS.sender}"/>`,
    text(mid, 31, picture.label, { anchor: "middle", weight: "bold" }),
    text(mid, 48, picture.note, { anchor: "middle", size: 10 }),
  ];
  const left = (width - hosts.length * (box + gap) + gap) / 2;
  for (const [i, host] of hosts.entries()) {
    const x = left + i * (box + gap);
    body.push(
      `<line x1="${mid}" y1="56" x2="${
        x + box / 2
      }" y2="110" stroke="${COLOURS.faint}"/>`,
      `<rect x="${x}" y="110" width="${box}" height="44" rx="6" fill="#f9fafb" stroke="${COLOURS.ink}"/>`,
      text(x + box / 2, 129, host.name, { anchor: "middle", weight: "bold" }),
      text(x + box / 2, 146, host.address, { anchor: "middle", size: 10 }),
    );
  }
  return svg(width, height, TEXT[picture.lang ?? "en"].topology, body);
}

/**
 * A UDP timeline: time from the sender's first datagram across, one lane
 * per host. A sender's lane shows its first and last numbers; a
 * receiver's when it started and listened, its first and last number, its
 * span, its gaps; what it missed before it listened is hatched grey, what
 * it lost while listening is red.
 */
export function timelineSvg(timeline: Timeline, lang: Lang = "en"): string {
  const t = TEXT[lang];
  const width = 760;
  const labelWidth = 130;
  const laneHeight = 54;
  const top = 14;
  const plotLeft = labelWidth + 10;
  const plotRight = width - 70;
  const span = Math.max(1, timeline.endMs - timeline.startMs);
  const x = (ms: number) =>
    plotLeft + ((ms - timeline.startMs) / span) * (plotRight - plotLeft);
  const lanes = timeline.lanes;
  const axisY = top + lanes.length * laneHeight + 8;
  const height = axisY + 74;
  const body: string[] = [
    `<defs><pattern id="missed" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3f4f6"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLOURS.missed}" stroke-width="3"/></pattern></defs>`,
  ];
  // Where each receiver's first number crossed the sender's lane.
  const senderLane = lanes.findIndex((l) => l.sender);
  for (const [i, lane] of lanes.entries()) {
    const y = top + i * laneHeight;
    const mid = y + 24;
    // Each lane a group that names its host and numbers (for readers and tests).
    body.push(
      `<g class="lane" data-host="${xmlText(lane.host)}" data-first="${
        lane.first ?? ""
      }" data-last="${lane.last ?? ""}">`,
    );
    body.push(
      `<line x1="${plotLeft}" y1="${mid}" x2="${plotRight}" y2="${mid}" stroke="${COLOURS.line}" stroke-dasharray="2 3"/>`,
      text(8, mid - 2, lane.host, { weight: "bold" }),
      text(8, mid + 11, lane.role, { size: 9, fill: COLOURS.faint }),
    );
    if (lane.sender) body.push(...senderLaneSvg(lane, { x, mid, t }));
    else {
      body.push(...receiverLaneSvg(lane, { x, mid, t, origin: x(0) }));
      if (
        senderLane >= 0 && lane.first !== undefined &&
        lane.firstMs !== undefined
      ) {
        const sy = top + senderLane * laneHeight + 24;
        body.push(
          `<line x1="${x(lane.firstMs)}" y1="${sy + 7}" x2="${
            x(lane.firstMs)
          }" y2="${
            mid - 7
          }" stroke="${COLOURS.sender}" stroke-width="0.7" stroke-dasharray="3 2"/>`,
          text(x(lane.firstMs) + 2, sy + 17, `#${lane.first}`, {
            size: 9,
            fill: COLOURS.sender,
          }),
        );
      }
    }
    body.push("</g>");
  }
  // The axis, in seconds from the first datagram.
  body.push(
    `<line x1="${plotLeft}" y1="${axisY}" x2="${plotRight}" y2="${axisY}" stroke="${COLOURS.ink}"/>`,
  );
  const step = niceStep(span);
  for (
    let ms = Math.ceil(timeline.startMs / step) * step;
    ms <= timeline.endMs;
    ms += step
  ) {
    body.push(
      `<line x1="${x(ms)}" y1="${axisY}" x2="${x(ms)}" y2="${
        axisY + 4
      }" stroke="${COLOURS.ink}"/>`,
      text(x(ms), axisY + 15, (ms / 1000).toFixed(step < 1000 ? 1 : 0), {
        size: 9,
        anchor: "middle",
      }),
    );
  }
  body.push(
    `<line x1="${x(0)}" y1="${top}" x2="${
      x(0)
    }" y2="${axisY}" stroke="${COLOURS.sender}" stroke-width="0.8"/>`,
    text((plotLeft + plotRight) / 2, axisY + 29, t.axis, {
      size: 10,
      anchor: "middle",
    }),
  );
  // The legend.
  const ly = axisY + 46;
  const legend: [string, string][] = [
    [COLOURS.sender, t.legendSent],
    [COLOURS.received, t.legendReceived],
    ["url(#missed)", t.legendMissed],
    [COLOURS.lost, t.legendLost],
  ];
  let lx = plotLeft - 120;
  for (const [fill, label] of legend) {
    body.push(
      `<rect x="${lx}" y="${ly}" width="18" height="9" fill="${fill}" stroke="${COLOURS.faint}" stroke-width="0.5"/>`,
      text(lx + 22, ly + 8, label, { size: 9 }),
    );
    lx += 34 + label.length * 5.2;
  }
  body.push(
    `<path d="M ${plotLeft - 120} ${
      ly + 20
    } l 4 -8 l 4 8 z" fill="${COLOURS.ink}"/>`,
    text(plotLeft - 108, ly + 20, t.started, { size: 9 }),
    `<circle cx="${plotLeft - 40}" cy="${
      ly + 16
    }" r="3.5" fill="#ffffff" stroke="${COLOURS.ink}"/>`,
    text(plotLeft - 33, ly + 20, t.listening, { size: 9 }),
  );
  return svg(width, height + 12, t.timeline, body);
}

function senderLaneSvg(
  lane: Lane,
  at: { x: (ms: number) => number; mid: number; t: typeof TEXT.en },
): string[] {
  const { x, mid, t } = at;
  const out = [
    `<path d="M ${x(lane.startMs)} ${
      mid + 9
    } l -4 7 l 8 0 z" fill="${COLOURS.ink}"/>`,
  ];
  if (lane.firstMs === undefined) return out;
  const end = lane.lastMs ?? lane.endMs ?? lane.firstMs;
  out.push(
    `<rect x="${x(lane.firstMs)}" y="${mid - 6}" width="${
      Math.max(2, x(end) - x(lane.firstMs))
    }" height="12" fill="${COLOURS.sender}"/>`,
    text(x(lane.firstMs), mid - 9, `#${lane.first ?? 1}`, {
      size: 9,
      fill: COLOURS.sender,
    }),
    text(x(end) + 3, mid + 4, `#${lane.last ?? lane.count}`, {
      size: 9,
      fill: COLOURS.sender,
    }),
    text(x(end), mid - 9, t.sent(lane.count, seconds(end - lane.firstMs)), {
      size: 9,
      anchor: "end",
      fill: COLOURS.faint,
    }),
  );
  return out;
}

function receiverLaneSvg(
  lane: Lane,
  at: {
    x: (ms: number) => number;
    mid: number;
    t: typeof TEXT.en;
    origin: number;
  },
): string[] {
  const { x, mid, t } = at;
  const out: string[] = [];
  const ready = lane.readyMs ?? lane.startMs;
  // What was sent before it listened: from the first datagram to then.
  if (lane.missedBefore > 0 && lane.first !== undefined) {
    const until = lane.firstMs ?? ready;
    out.push(
      `<rect x="${at.origin}" y="${mid - 6}" width="${
        Math.max(2, x(until) - at.origin)
      }" height="12" fill="url(#missed)" stroke="${COLOURS.missed}" stroke-width="0.5"/>`,
      text(at.origin + 3, mid + 18, t.missed(1, lane.first - 1), {
        size: 9,
        fill: COLOURS.faint,
      }),
    );
  }
  if (lane.firstMs !== undefined && lane.lastMs !== undefined) {
    out.push(
      `<rect x="${x(lane.firstMs)}" y="${mid - 6}" width="${
        Math.max(2, x(lane.lastMs) - x(lane.firstMs))
      }" height="12" fill="${COLOURS.received}"/>`,
      text(x(lane.firstMs), mid - 9, `#${lane.first}`, {
        size: 9,
        fill: COLOURS.received,
      }),
      text(x(lane.lastMs) + 3, mid + 4, `#${lane.last}`, {
        size: 9,
        fill: COLOURS.received,
      }),
      text(
        x(lane.lastMs),
        mid + 18,
        t.received(lane.count, seconds(lane.lastMs - lane.firstMs)),
        { size: 9, anchor: "end", fill: COLOURS.faint },
      ),
    );
  } else if (lane.count === 0) {
    out.push(text(x(ready) + 8, mid + 4, t.nothing, { size: 9 }));
  }
  for (const gap of lane.gaps) {
    out.push(
      `<rect x="${x(gap.atMs) - 1.5}" y="${
        mid - 9
      }" width="3" height="18" fill="${COLOURS.lost}"/>`,
      text(x(gap.atMs) + 3, mid + 18, t.lost(gap.to - gap.from + 1), {
        size: 9,
        fill: COLOURS.lost,
      }),
    );
  }
  if (lane.lostAfter && lane.lastMs !== undefined) {
    out.push(
      text(x(lane.lastMs) + 3, mid + 18, t.lostAfter(lane.lostAfter), {
        size: 9,
        fill: COLOURS.faint,
      }),
    );
  }
  out.push(
    `<path d="M ${x(lane.startMs)} ${
      mid + 9
    } l -4 7 l 8 0 z" fill="${COLOURS.ink}"/>`,
    `<circle cx="${
      x(ready)
    }" cy="${mid}" r="3.5" fill="#ffffff" stroke="${COLOURS.ink}"/>`,
  );
  return out;
}
