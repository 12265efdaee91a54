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

import { displayText } from "../cli/display.ts";
import type { Lang } from "../cli/i18n.ts";
import type {
  ChatModel,
  GroupChatModel,
  Lane,
  MulticastModel,
  Timeline,
} from "./model.ts";

const TEXT = {
  en: {
    topology: "The lab's network: one switch, every host on it",
    timeline: "Timeline: one lane per host",
    axis: "seconds from the sender's first datagram",
    started: "started",
    listening: "listening",
    received: (n: number, span: string) => `received ${n} in ${span} s`,
    sent: (n: number, span: string) => `sent ${n} in ${span} s`,
    missed: (a: number, b: number) => `missed before start: ${range(a, b)}`,
    lost: (n: number) => `lost ${n}`,
    lostAfter: (n: number) => `${n} sent after its last`,
    nothing: "received nothing",
    legendReceived: "received",
    legendMissed: "sent before it listened (missed)",
    legendLost: "lost while listening",
    legendSent: "sent",
    sequence: "Who sent each line, and to whom the server delivered it",
    joins: (name: string) => `joins (${name})`,
    leaves: "leaves",
    notDelivered: "not delivered",
    multicast: "The multicast group: who sent, who joined, what each got",
    group: "group",
    ttlSet: (ttl: string) => `TTL ${ttl} (set by the sender)`,
    ttlWire: (ttl: string, host = "a receiver") =>
      `TTL on the wire: ${ttl} (read by ${host})`,
    joined: (at: string) => `joined at ${at} s`,
    got: (n: number, of: number) => `got ${n} of ${of}`,
    notMember: "did not join: gets nothing",
    sender: "sender",
    groupSequence: (group: string) =>
      `No server: each line goes from its sender to every member of ${group}`,
    peer: "multicast-chat",
    receiver: "multicast-receiver",
    outsider: "not a member",
    gotNothing: (n: number) => `received ${n}`,
    joinsGroup: "joins",
  },
  id: {
    topology: "Jaringan praktikum: satu switch, semua host terhubung ke sana",
    timeline: "Linimasa: satu jalur per host",
    axis: "detik sejak datagram pertama pengirim",
    started: "mulai",
    listening: "mendengarkan",
    received: (n: number, span: string) => `menerima ${n} dalam ${span} s`,
    sent: (n: number, span: string) => `mengirim ${n} dalam ${span} s`,
    missed: (a: number, b: number) => `terlewat sebelum mulai: ${range(a, b)}`,
    lost: (n: number) => `hilang ${n}`,
    lostAfter: (n: number) => `${n} dikirim setelah yang terakhir`,
    nothing: "tidak menerima apa pun",
    legendReceived: "diterima",
    legendMissed: "dikirim sebelum ia mendengarkan (terlewat)",
    legendLost: "hilang selama mendengarkan",
    legendSent: "dikirim",
    sequence:
      "Siapa mengirim setiap baris, dan kepada siapa server menyampaikannya",
    joins: (name: string) => `bergabung (${name})`,
    leaves: "keluar",
    notDelivered: "tidak tersampaikan",
    multicast:
      "Grup multicast: siapa mengirim, siapa bergabung, apa yang diterima",
    group: "grup",
    ttlSet: (ttl: string) => `TTL ${ttl} (diatur pengirim)`,
    ttlWire: (ttl: string, host = "penerima") =>
      `TTL di jaringan: ${ttl} (dibaca ${host})`,
    joined: (at: string) => `bergabung pada ${at} s`,
    got: (n: number, of: number) => `menerima ${n} dari ${of}`,
    notMember: "tidak bergabung: tidak menerima apa pun",
    sender: "pengirim",
    groupSequence: (group: string) =>
      `Tanpa server: setiap baris langsung dari pengirim ke setiap anggota ${group}`,
    peer: "multicast-chat",
    receiver: "multicast-receiver",
    outsider: "bukan anggota",
    gotNothing: (n: number) => `menerima ${n}`,
    joinsGroup: "bergabung",
  },
};

function range(a: number, b: number): string {
  return a === b ? `#${a}` : `#${a}–#${b} (${b - a + 1})`;
}

const FONT = "font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif";
const COLOURS = {
  sender: "#2563eb",
  received: "#16a34a",
  missed: "#9ca3af",
  lost: "#dc2626",
  ink: "#111827",
  faint: "#6b7280",
  line: "#d1d5db",
};

/** Text for SVG: peer bytes escaped as the roles show them, then XML-escaped. */
export function xmlText(text: string): string {
  return displayText(text).replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ]!,
  );
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function svg(width: number, height: number, title: string, body: string[]) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" style="${FONT}">`,
    `<title>${xmlText(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

function text(
  x: number,
  y: number,
  content: string,
  style: { size?: number; anchor?: string; fill?: string; weight?: string } =
    {},
): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-size="${
    style.size ?? 11
  }" text-anchor="${style.anchor ?? "start"}" fill="${
    style.fill ?? COLOURS.ink
  }"${style.weight ? ` font-weight="${style.weight}"` : ""}>${
    xmlText(content)
  }</text>`;
}

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

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
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

function niceStep(spanMs: number): number {
  for (const step of [100, 200, 250, 500, 1000, 2000, 5000, 10000, 30000]) {
    if (spanMs / step <= 10) return step;
  }
  return 60000;
}

/**
 * A chat's sequence diagram: a column per host (the server first), a row
 * per event in the server's order; each line goes from its author to the
 * server, and from the server to every client it reached (a filled dot),
 * a hollow red dot where it did not.
 */
export function chatSvg(chat: ChatModel, lang: Lang = "en"): string {
  const t = TEXT[lang];
  const columns = [chat.server, ...chat.clients];
  const width = 760;
  const left = 70;
  const colWidth = (width - left - 20) / columns.length;
  const cx = (host: string) =>
    left + (Math.max(0, columns.indexOf(host)) + 0.5) * colWidth;
  const head = 46;
  const row = 30;
  const height = head + chat.events.length * row + 20;
  const body: string[] = [];
  for (const host of columns) {
    const name = chat.names.get(host);
    body.push(
      `<rect x="${cx(host) - 55}" y="6" width="110" height="30" rx="5" fill="${
        host === chat.server ? "#eef2ff" : "#f9fafb"
      }" stroke="${COLOURS.ink}"/>`,
      text(cx(host), 19, host, { anchor: "middle", weight: "bold", size: 10 }),
      text(cx(host), 31, host === chat.server ? "chat-server" : name ?? "", {
        anchor: "middle",
        size: 9,
        fill: COLOURS.faint,
      }),
      `<line x1="${cx(host)}" y1="36" x2="${cx(host)}" y2="${
        height - 10
      }" stroke="${COLOURS.line}"/>`,
    );
  }
  body.push(
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${COLOURS.ink}"/></marker></defs>`,
  );
  const origin = chat.events[0]?.ms ?? 0;
  for (const [i, event] of chat.events.entries()) {
    const y = head + i * row + 12;
    body.push(
      text(6, y + 4, `+${seconds(event.ms - origin)} s`, {
        size: 9,
        fill: COLOURS.faint,
      }),
    );
    const from = cx(event.host);
    const server = cx(chat.server);
    if (event.kind === "join" || event.kind === "leave") {
      const label = event.kind === "join" ? t.joins(event.name) : t.leaves;
      body.push(
        `<line x1="${from}" y1="${y}" x2="${
          server + (from > server ? 4 : -4)
        }" y2="${y}" stroke="${COLOURS.faint}" stroke-dasharray="4 3" marker-end="url(#arrow)"/>`,
        `<rect x="${from - 50}" y="${
          y - 9
        }" width="100" height="15" rx="3" fill="${
          event.kind === "join" ? "#ecfdf5" : "#fef2f2"
        }" stroke="${COLOURS.faint}" stroke-width="0.5"/>`,
        text(from, y + 2, label, { size: 9, anchor: "middle" }),
      );
      continue;
    }
    // The line to the server, its text above it.
    body.push(
      `<line x1="${from}" y1="${y - 5}" x2="${
        server + (from > server ? 4 : -4)
      }" y2="${y - 5}" stroke="${COLOURS.ink}" marker-end="url(#arrow)"/>`,
      text((from + server) / 2, y - 8, `“${cut(event.text, 34)}”`, {
        size: 9,
        anchor: "middle",
      }),
    );
    const reached = [
      ...event.delivered.map((d) => cx(d.host)),
      ...event.missing.map((h) => cx(h)),
    ];
    if (reached.length > 0) {
      const far = Math.max(...reached);
      body.push(
        `<line x1="${server}" y1="${y + 5}" x2="${far}" y2="${
          y + 5
        }" stroke="${COLOURS.received}" stroke-width="1.2"/>`,
      );
    }
    for (const d of event.delivered) {
      body.push(
        `<circle cx="${cx(d.host)}" cy="${
          y + 5
        }" r="4" fill="${COLOURS.received}"/>`,
      );
    }
    for (const host of event.missing) {
      body.push(
        `<circle cx="${cx(host)}" cy="${
          y + 5
        }" r="4" fill="#ffffff" stroke="${COLOURS.lost}" stroke-width="1.5"><title>${
          xmlText(t.notDelivered)
        }</title></circle>`,
      );
    }
  }
  return svg(width, height, t.sequence, body);
}

/**
 * A multicast group: the sender, the group with the TTL set (and the TTL
 * read on the wire, when a receiver showed it), each member with when it
 * joined and how many it got; hosts of the lab that did not join, grey.
 */
export function multicastSvg(
  group: MulticastModel,
  options: { lang?: Lang; others?: { name: string; address: string }[] } = {},
): string {
  const t = TEXT[options.lang ?? "en"];
  const others = options.others ?? [];
  const rows = group.members.length + others.length;
  const width = 760;
  const height = Math.max(150, 30 + rows * 40);
  const mid = height / 2;
  const body: string[] = [
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" fill="${COLOURS.ink}"/></marker></defs>`,
    `<rect x="10" y="${
      mid - 26
    }" width="150" height="52" rx="6" fill="#eef2ff" stroke="${COLOURS.sender}"/>`,
    text(85, mid - 8, group.sender, { anchor: "middle", weight: "bold" }),
    text(85, mid + 6, group.senderAddress, { anchor: "middle", size: 9 }),
    text(85, mid + 19, `${t.sender}: ${group.sent}`, {
      anchor: "middle",
      size: 9,
    }),
    `<line x1="160" y1="${mid}" x2="246" y2="${mid}" stroke="${COLOURS.ink}" marker-end="url(#arrow)"/>`,
    `<ellipse cx="340" cy="${mid}" rx="92" ry="40" fill="#fefce8" stroke="#ca8a04"/>`,
    text(340, mid - 16, `${t.group} ${group.group}:${group.port}`, {
      anchor: "middle",
      weight: "bold",
      size: 10,
    }),
    text(
      340,
      mid + 1,
      t.ttlSet(group.ttl === undefined ? "?" : String(group.ttl)),
      {
        anchor: "middle",
        size: 9,
      },
    ),
  ];
  if (group.wireTtl !== undefined) {
    body.push(
      text(340, mid + 15, t.ttlWire(String(group.wireTtl), group.wireTtlHost), {
        anchor: "middle",
        size: 9,
      }),
    );
  }
  const all = [
    ...group.members.map((m) => ({ ...m, member: true })),
    ...others.map((o) => ({
      host: o.name,
      address: o.address,
      joinedMs: undefined,
      received: 0,
      member: false,
    })),
  ];
  for (const [i, m] of all.entries()) {
    const y = 15 + i * 40 + (height - 30 - rows * 40) / 2;
    body.push(
      `<line x1="432" y1="${mid}" x2="516" y2="${y + 17}" stroke="${
        m.member ? COLOURS.received : COLOURS.line
      }"${
        m.member ? ' marker-end="url(#arrow)"' : ' stroke-dasharray="3 3"'
      }/>`,
      `<rect x="520" y="${y}" width="230" height="34" rx="5" fill="${
        m.member ? "#f0fdf4" : "#f9fafb"
      }" stroke="${m.member ? COLOURS.received : COLOURS.line}"/>`,
      text(528, y + 14, `${m.host} ${m.address}`, {
        size: 10,
        weight: "bold",
        fill: m.member ? COLOURS.ink : COLOURS.faint,
      }),
      text(
        528,
        y + 27,
        m.member
          ? `${
            m.joinedMs === undefined ? "" : `${t.joined(seconds(m.joinedMs))}; `
          }${t.got(m.received, group.sent)}`
          : t.notMember,
        { size: 9, fill: m.member ? COLOURS.ink : COLOURS.faint },
      ),
    );
  }
  return svg(width, height, t.multicast, body);
}

/**
 * A chat over multicast as a sequence diagram: a column per host (the
 * peers, the plain receivers, then the non-members, grey), a row per
 * join, line and leave in the order they were sent; each goes straight
 * from its author to every host that got it (a filled dot), a hollow red
 * dot for a member that did not; a non-member's column ends with what it
 * received.
 */
export function groupChatSvg(chat: GroupChatModel, lang: Lang = "en"): string {
  const t = TEXT[lang];
  const outsiders = chat.outsiders.map((o) => o.host);
  const columns = [...chat.peers, ...chat.receivers, ...outsiders];
  const width = 760;
  const left = 70;
  const colWidth = (width - left - 20) / columns.length;
  const cx = (host: string) =>
    left + (Math.max(0, columns.indexOf(host)) + 0.5) * colWidth;
  const head = 46;
  const row = 26;
  const foot = outsiders.length > 0 ? 28 : 10;
  const height = head + chat.events.length * row + foot;
  const body: string[] = [
    `<defs><marker id="garrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${COLOURS.received}"/></marker></defs>`,
  ];
  for (const host of columns) {
    const outside = outsiders.includes(host);
    const name = chat.names.get(host) ?? host;
    const label = chat.peers.includes(host)
      ? name === host ? t.peer : `${t.peer} (${name})`
      : outside
      ? t.outsider
      : t.receiver;
    body.push(
      `<rect x="${cx(host) - 62}" y="6" width="124" height="30" rx="5" fill="${
        outside ? "#f9fafb" : "#f0fdf4"
      }" stroke="${outside ? COLOURS.line : COLOURS.ink}"${
        outside ? ' stroke-dasharray="3 3"' : ""
      }/>`,
      text(cx(host), 19, host, {
        anchor: "middle",
        weight: "bold",
        size: 10,
        fill: outside ? COLOURS.faint : COLOURS.ink,
      }),
      text(cx(host), 31, cut(label, 24), {
        anchor: "middle",
        size: 9,
        fill: COLOURS.faint,
      }),
      `<line x1="${cx(host)}" y1="36" x2="${cx(host)}" y2="${
        height - foot
      }" stroke="${COLOURS.line}"${outside ? ' stroke-dasharray="3 3"' : ""}/>`,
    );
  }
  for (const o of chat.outsiders) {
    body.push(
      text(cx(o.host), height - 10, t.gotNothing(o.received), {
        anchor: "middle",
        size: 9,
        weight: "bold",
        fill: o.received === 0 ? COLOURS.faint : COLOURS.lost,
      }),
    );
  }
  const origin = chat.events[0]?.ms ?? 0;
  for (const [i, event] of chat.events.entries()) {
    const y = head + i * row + 14;
    const from = cx(event.host);
    body.push(
      text(6, y + 4, `+${seconds(event.ms - origin)} s`, {
        size: 9,
        fill: COLOURS.faint,
      }),
    );
    const reached = [...event.delivered, ...event.missing].map(cx);
    const lo = Math.min(from, ...reached);
    const hi = Math.max(from, ...reached);
    const dashed = event.kind === "message" ? "" : ' stroke-dasharray="4 3"';
    // One line from the author each way, as far as the last host it reached.
    for (const end of [lo, hi]) {
      if (end === from) continue;
      body.push(
        `<line x1="${from}" y1="${y}" x2="${
          end + (end > from ? -5 : 5)
        }" y2="${y}" stroke="${COLOURS.received}" stroke-width="1.2"${dashed} marker-end="url(#garrow)"/>`,
      );
    }
    for (const host of event.delivered) {
      body.push(
        `<circle cx="${cx(host)}" cy="${y}" r="4" fill="${COLOURS.received}"/>`,
      );
    }
    for (const host of event.missing) {
      body.push(
        `<circle cx="${
          cx(host)
        }" cy="${y}" r="4" fill="#ffffff" stroke="${COLOURS.lost}" stroke-width="1.5"><title>${
          xmlText(t.notDelivered)
        }</title></circle>`,
      );
    }
    const label = event.kind === "message"
      ? `“${cut(event.text ?? "", 30)}”`
      : event.kind === "join"
      ? t.joinsGroup
      : t.leaves;
    body.push(
      `<rect x="${from - 58}" y="${
        y - 9
      }" width="116" height="15" rx="3" fill="${
        event.kind === "message"
          ? "#ffffff"
          : event.kind === "join"
          ? "#ecfdf5"
          : "#fef2f2"
      }" stroke="${COLOURS.ink}" stroke-width="0.6"/>`,
      text(from, y + 2, label, { size: 9, anchor: "middle" }),
    );
  }
  return svg(
    width,
    height,
    t.groupSequence(`${chat.group}:${chat.port}`),
    body,
  );
}
