/**
 * The report's chat and multicast pictures as SVG: the TCP chat's sequence
 * diagram, the multicast group with the TTL on the wire, and the multicast
 * chat's sequence diagram (who sent each line, who got it).
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { ChatModel, GroupChatModel, MulticastModel } from "./model.ts";
import { COLOURS, cut, seconds, svg, TEXT, text, xmlText } from "./_svg.ts";

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
