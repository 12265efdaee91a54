/**
 * What the report's SVG pictures share: their texts in both languages,
 * colours and font, escaping, and the `<svg>` and `<text>` elements.
 *
 * @module
 */

import { displayText } from "../cli/display.ts";

export const TEXT = {
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

export function range(a: number, b: number): string {
  return a === b ? `#${a}` : `#${a}–#${b} (${b - a + 1})`;
}

export const FONT = "font-family:DejaVu Sans,Liberation Sans,Arial,sans-serif";
export const COLOURS = {
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

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function svg(
  width: number,
  height: number,
  title: string,
  body: string[],
) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" style="${FONT}">`,
    `<title>${xmlText(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

export function text(
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

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

export function niceStep(spanMs: number): number {
  for (const step of [100, 200, 250, 500, 1000, 2000, 5000, 10000, 30000]) {
    if (spanMs / step <= 10) return step;
  }
  return 60000;
}
