/**
 * A scenario's "on the wire" section ("di kabel"): from its
 * {@linkcode ScenarioWire}, the frames each host's interface saw by kind,
 * one frame of each kind layer by layer as Wireshark's packet details show
 * it (each field with the display filter field that selects it), and what
 * the frames teach: the members' IGMP joins and leaves, the non-member whose
 * kernel dropped the group's frames, each TCP client's handshake and a
 * relayed line segment by segment, and each receiver's first frame beside
 * its socket's first number.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type {
  ScenarioWire,
  WireFrame,
  WireHopDatagram,
  WireHops,
  WireHopSighting,
  WireKind,
  WireSegment,
} from "../results/wire.ts";
import { WIRE_KINDS } from "../results/wire.ts";
import {
  datagramLabel,
  FIELD_LABELS,
  KIND_LABELS,
  LAYER_NAMES,
  TEXT,
} from "./_wire_text.ts";

/** A table cell (as `document.ts` has it). */
type Cell = string | { code: string; before?: string; after?: string };

/**
 * The blocks this section uses: the same shapes as `document.ts`'s, which
 * takes them as they are (declared here, since that file imports this one).
 */
export type WireBlock =
  | { kind: "heading"; level: 3 | 4; text: string }
  | { kind: "paragraph"; text: string }
  | { kind: "table"; header: string[]; rows: Cell[][] }
  | { kind: "transcript"; title: string; lines: string[] };

type Block = WireBlock;

/** Ms since the epoch as seconds with 3 decimals, as tshark's frame.time_epoch compares. */
const epoch = (ms: number) => (Math.round(ms) / 1000).toFixed(3);
/** The time of day (local) to the millisecond. */
const clock = (ms: number) => {
  const d = new Date(ms);
  return `${d.toTimeString().slice(0, 8)}.${
    String(d.getMilliseconds()).padStart(3, "0")
  }`;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** The blocks of a scenario's frames, under their own heading. */
export function wireBlocks(wire: ScenarioWire, lang: Lang): Block[] {
  const text = TEXT[lang];
  const blocks: Block[] = [
    { kind: "heading", level: 3, text: text.heading },
    {
      kind: "paragraph",
      text: `${
        text.intro(
          wire.hosts.flatMap((h) => h.files).length,
          wire.hosts.some((h) => h.router !== undefined),
        )
      } ${
        text.window(
          clock(wire.window.fromMs),
          clock(wire.window.toMs),
          `frame.time_epoch >= ${
            epoch(wire.window.fromMs)
          } && frame.time_epoch <= ${epoch(wire.window.toMs)}`,
        )
      }`,
    },
    countsTable(wire, lang),
  ];
  const dropped = wire.hosts.filter((h) => (h.dropped ?? 0) > 0);
  if (dropped.length > 0) {
    blocks.push({
      kind: "paragraph",
      text: text.dropped(
        dropped.map((h) => `${h.host} ${h.dropped}`).join(", "),
      ),
    });
  }
  if (wire.hops) blocks.push(...hopBlocks(wire.hops, lang));
  for (const frame of wire.examples) blocks.push(frameBlock(frame, lang));
  if (wire.memberships && wire.memberships.length > 0) {
    blocks.push(
      { kind: "paragraph", text: text.membershipsIntro },
      {
        kind: "table",
        header: [text.member, text.group, text.join, text.leave],
        rows: wire.memberships.map((m) => [
          m.host,
          m.group || "–",
          m.join ? frameCell(m.join, lang) : text.none,
          m.leave ? frameCell(m.leave, lang) : text.none,
        ]),
      },
    );
  }
  for (const n of wire.nonMembers ?? []) {
    blocks.push({ kind: "paragraph", text: text.nonMember(n) });
    if (n.first) blocks.push(frameBlock(n.first, lang));
  }
  for (const c of wire.conversations ?? []) {
    blocks.push(
      { kind: "paragraph", text: text.handshake(c.client, c.server) },
      segmentTable(c.handshake, lang),
    );
    if (c.line) {
      blocks.push(
        { kind: "paragraph", text: text.relayed(c.client, c.line.text) },
        segmentTable(c.line.segments, lang),
      );
    }
  }
  if (wire.firsts && wire.firsts.length > 0) {
    blocks.push(
      { kind: "paragraph", text: text.firstsIntro },
      {
        kind: "table",
        header: [
          text.receiver,
          text.started,
          text.listening,
          text.socketFirst,
          text.wireFrame,
          text.before,
          text.wireFirst,
        ],
        rows: wire.firsts.map((f) => [
          f.host,
          seconds(f.startedMs),
          f.listeningMs === undefined ? "–" : seconds(f.listeningMs),
          f.socketFirst === undefined ? "–" : String(f.socketFirst),
          f.frame ? frameCell(f.frame, lang) : text.none,
          String(f.before),
          f.wireFirst === undefined ? "–" : String(f.wireFirst),
        ]),
      },
    );
  }
  for (const note of wire.notes) {
    blocks.push({ kind: "paragraph", text: note[lang] });
  }
  return blocks;
}

function countsTable(wire: ScenarioWire, lang: Lang): Block {
  const text = TEXT[lang];
  // A lab with routers: which segment each capture is on.
  const segments = wire.hosts.some((h) => h.segment !== undefined);
  return {
    kind: "table",
    header: [
      text.host,
      ...(segments ? [text.segment] : []),
      ...WIRE_KINDS.map((k) => KIND_LABELS[lang][k]),
      text.file,
    ],
    rows: wire.hosts.map((h) => [
      h.host,
      ...(segments ? [h.segment ?? "–"] : []),
      ...WIRE_KINDS.map((k: WireKind) => String(h.counts[k])),
      h.files.length === 0
        ? text.none
        : { code: h.files.map((f) => f.split("/").at(-1)).join(", ") },
    ]),
  };
}

/**
 * A lab with routers: each datagram's TTL on each segment (a row per
 * datagram), then, for the one that went furthest, every capture's frame
 * of it with its TTL.
 */
function hopBlocks(hops: WireHops, lang: Lang): Block[] {
  const text = TEXT[lang];
  const ttls = (seen: WireHopSighting[]) =>
    seen.length === 0
      ? text.none
      : [...new Set(seen.map((s) => s.ttl))].join("/");
  const blocks: Block[] = [
    { kind: "paragraph", text: text.hopsIntro },
    {
      kind: "table",
      header: [text.datagram, ...hops.segments.map((s) => s.name)],
      rows: hops.datagrams.map((d) => [
        `${seconds(d.atMs)}: ${datagramLabel(d)}`,
        ...d.seen.map(ttls),
      ]),
    },
  ];
  if (hops.more > 0 || hops.capped) {
    blocks.push({
      kind: "paragraph",
      text: text.hopsMore(hops.more, hops.capped === true),
    });
  }
  const reach = (d: WireHopDatagram) => d.seen.filter((s) => s.length).length;
  const furthest = hops.datagrams.reduce<WireHopDatagram | undefined>(
    (best, d) => best === undefined || reach(d) > reach(best) ? d : best,
    undefined,
  );
  if (furthest && reach(furthest) > 1) {
    blocks.push(
      { kind: "paragraph", text: text.hopsPath(furthest) },
      {
        kind: "table",
        header: [text.file, text.segment, text.frame, text.ttl],
        rows: furthest.seen.flatMap((seen, i) =>
          seen.map((s) => [
            { code: s.file },
            hops.segments[i].name,
            String(s.number),
            String(s.ttl),
          ])
        ),
      },
    );
  }
  return blocks;
}

/** A frame named in a table cell: its number, when, what. */
function frameCell(frame: WireFrame, lang: Lang): Cell {
  return `${TEXT[lang].frameNo(frame.number)}, ${
    seconds(frame.atMs)
  }: ${frame.info}`;
}

/** Wireshark's packet details of one frame: each layer and its fields. */
export function frameLines(frame: WireFrame, lang: Lang): string[] {
  const text = TEXT[lang];
  const lines = [text.frameLine(frame)];
  for (const layer of frame.layers) {
    lines.push(LAYER_NAMES[layer.layer] ?? layer.layer);
    for (const [field, value] of layer.fields) {
      const label = FIELD_LABELS[field]?.[lang] ?? field;
      const meaning = meaningOf(field, value);
      lines.push(
        `    ${label}: ${value}${meaning ? ` (${meaning})` : ""}  [${field}]`,
      );
    }
  }
  if (frame.payload) {
    lines.push(text.data(frame.payload.length));
    lines.push(`    ${text.asText}: "${frame.payload.text}"`);
    lines.push(...frame.payload.hex.map((l) => `    ${l}`));
  }
  for (const problem of frame.problems ?? []) lines.push(`! ${problem[lang]}`);
  return lines;
}

function frameBlock(frame: WireFrame, lang: Lang): Block {
  return {
    kind: "transcript",
    title: TEXT[lang].frameTitle(frame, KIND_LABELS[lang][frame.kind]),
    lines: frameLines(frame, lang),
  };
}

function segmentTable(segments: WireSegment[], lang: Lang): Block {
  const text = TEXT[lang];
  return {
    kind: "table",
    header: [
      text.frame,
      text.time,
      text.direction,
      text.flags,
      "seq",
      "ack",
      text.length,
      text.payload,
    ],
    rows: segments.map((s) => [
      `${s.host} #${s.number}`,
      seconds(s.atMs),
      `${s.from} → ${s.to}`,
      s.flags,
      String(s.seq),
      String(s.ack),
      String(s.length),
      s.text === undefined ? "" : `"${s.text}"`,
    ]),
  };
}

const ETHER_TYPES: Record<string, string> = {
  "0x0800": "IPv4",
  "0x0806": "ARP",
  "0x86dd": "IPv6",
  "0x8100": "802.1Q",
};
const PROTOCOLS: Record<string, string> = {
  "1": "ICMP",
  "2": "IGMP",
  "6": "TCP",
  "17": "UDP",
};
const IGMP_TYPES: Record<string, string> = {
  "0x11": "Membership Query",
  "0x12": "v1 Membership Report",
  "0x16": "v2 Membership Report",
  "0x17": "Leave Group",
  "0x22": "v3 Membership Report",
};
const RECORD_TYPES: Record<string, string> = {
  "1": "MODE_IS_INCLUDE",
  "2": "MODE_IS_EXCLUDE",
  "3": "CHANGE_TO_INCLUDE: leave",
  "4": "CHANGE_TO_EXCLUDE: join",
  "5": "ALLOW_NEW_SOURCES",
  "6": "BLOCK_OLD_SOURCES",
};

/** What a value means, where a number is a name (`0x0800`: IPv4). */
function meaningOf(field: string, value: string): string | undefined {
  switch (field) {
    case "eth.dst":
      return value === "ff:ff:ff:ff:ff:ff"
        ? "broadcast"
        : value.startsWith("01:00:5e:")
        ? "IPv4 multicast"
        : undefined;
    case "eth.type":
      return ETHER_TYPES[value];
    case "ip.proto":
      return PROTOCOLS[value];
    case "ip.opt.type":
      return value === "148" ? "Router Alert" : undefined;
    case "arp.opcode":
      return value === "1" ? "request" : value === "2" ? "reply" : undefined;
    case "igmp.type":
      return IGMP_TYPES[value];
    case "igmp.record_type":
      return RECORD_TYPES[value];
    case "tcp.flags":
      return tcpFlags(parseInt(value, 16));
    default:
      return undefined;
  }
}

function tcpFlags(bits: number): string {
  const names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
  return names.filter((_, i) => bits & (1 << i)).join(", ");
}
