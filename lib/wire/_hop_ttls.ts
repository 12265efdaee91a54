/**
 * Internal: on a lab with routers, each UDP datagram a scenario's hosts
 * sent, followed across the segments by the captures of the hosts and of
 * the routers' interfaces, with the TTL it had on each (`summary.ts` hands
 * every frame of the scenario's window to {@linkcode HopTtls.add}). The
 * same datagram is recognised on every segment by what a router keeps of
 * it: its addresses, ports, IP identification and payload; only its TTL
 * (and so its header checksum) changes.
 *
 * @module
 */

import type {
  WireHopDatagram,
  WireHops,
  WireHopSighting,
  WireKind,
} from "../results/wire.ts";
import { hexString, payloadText } from "./format.ts";
import type { SeenFrame } from "./_scenario_frames.ts";

/** Datagrams told apart at most (a flood would otherwise grow without end). */
const TRACKED = 256;
/** Datagrams the table shows. */
const SHOWN = 8;
/** Payload characters a row shows. */
const TEXT_CHARS = 48;
/** Payload bytes that tell two datagrams apart (with their lengths). */
const KEY_BYTES = 64;

interface Tracked {
  firstMs: number;
  from: string;
  to: string;
  kind: WireKind;
  port: number;
  text: string;
  seen: (WireHopSighting & { timeMs: number })[][];
}

/** One scenario's datagrams and their TTLs, segment by segment. */
export class HopTtls {
  #segments: string[];
  #segmentOf: Map<string, number>;
  #capturesOf: string[][];
  #names: Map<string, string>;
  #startMs: number;
  #tracked = new Map<string, Tracked>();
  #capped = false;

  /**
   * Over the lab's `segments` (in order) and its captures, each on its
   * segment; `addresses` names the hosts.
   */
  constructor(
    segments: string[],
    captures: { host: string; segment?: string }[],
    options: { addresses: Record<string, string>; startMs: number },
  ) {
    this.#segments = segments;
    this.#segmentOf = new Map();
    this.#capturesOf = segments.map(() => []);
    for (const c of captures) {
      const i = c.segment === undefined ? -1 : segments.indexOf(c.segment);
      if (i < 0) continue;
      this.#segmentOf.set(c.host, i);
      this.#capturesOf[i].push(c.host);
    }
    this.#names = new Map(
      Object.entries(options.addresses).map(([host, a]) => [a, host]),
    );
    this.#startMs = options.startMs;
  }

  /** Notes where and with which TTL a UDP datagram of a lab host was seen. */
  add(seen: SeenFrame): void {
    const { frame } = seen;
    const ip = frame.ipv4, udp = frame.udp;
    if (!ip || !udp || ip.fragment) return;
    const segment = this.#segmentOf.get(seen.host);
    if (segment === undefined || !this.#names.has(ip.src)) return;
    const key = [
      ip.src,
      ip.dst,
      udp.srcPort,
      udp.dstPort,
      ip.identification,
      frame.payload.length,
      hexString(frame.payload.subarray(0, KEY_BYTES)),
    ].join(" ");
    let tracked = this.#tracked.get(key);
    if (!tracked) {
      if (this.#tracked.size >= TRACKED) {
        this.#capped = true;
        return;
      }
      const text = payloadText(frame.payload).trim();
      tracked = {
        firstMs: frame.timeMs,
        from: this.#names.get(ip.src) ?? ip.src,
        to: this.#names.get(ip.dst) ?? ip.dst,
        kind: frame.kind as WireKind,
        port: udp.dstPort,
        text: text.length <= TEXT_CHARS
          ? text
          : `${text.slice(0, TEXT_CHARS - 1)}…`,
        seen: this.#segments.map(() => []),
      };
      this.#tracked.set(key, tracked);
    }
    tracked.firstMs = Math.min(tracked.firstMs, frame.timeMs);
    const here = tracked.seen[segment];
    // A capture's first copy: a datagram sent twice is another datagram
    // only if its identification differs.
    if (here.some((s) => s.capture === seen.host)) return;
    here.push({
      capture: seen.host,
      file: seen.file,
      number: frame.number,
      ttl: ip.ttl,
      timeMs: frame.timeMs,
    });
  }

  /** The datagrams and the segments, or nothing when no datagram was seen. */
  hops(): WireHops | undefined {
    if (this.#tracked.size === 0) return undefined;
    const all = [...this.#tracked.values()].sort((a, b) =>
      a.firstMs - b.firstMs
    );
    const datagrams: WireHopDatagram[] = all.slice(0, SHOWN).map((t) => ({
      from: t.from,
      to: t.to,
      kind: t.kind,
      port: t.port,
      text: t.text,
      atMs: t.firstMs - this.#startMs,
      // On each segment, the frame's path: the sending side first.
      seen: t.seen.map((s) =>
        [...s].sort((a, b) => a.timeMs - b.timeMs).map(
          ({ timeMs: _, ...sighting }) => sighting,
        )
      ),
    }));
    return {
      segments: this.#segments.map((name, i) => ({
        name,
        captures: this.#capturesOf[i],
      })),
      datagrams,
      more: all.length - datagrams.length,
      ...(this.#capped ? { capped: true } : {}),
    };
  }
}
