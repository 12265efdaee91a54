/**
 * Whether a host's socket took a frame that reached its port: received,
 * or dropped because the host is not a member of the frame's group, or
 * because no socket is bound to the frame's port.
 *
 * What a host's sockets were comes from two places:
 * - the roles' recordings (`lib/hand/records.ts`): each role's `listening`
 *   record says when it bound which port (and joined which group), its
 *   `end` when it closed; exact, but only for the roles that record;
 * - the kernel, read live (`/proc/net/udp` and `/proc/net/igmp` of the
 *   host's namespace, see {@linkcode "./_proc_net.ts"}): every socket of
 *   any program, to within the time between two reads.
 *
 * A socket that sent a datagram from a port has that port: a reply to it
 * (the UDP client's "Get off my lawn!") is received. A host with neither
 * source gets no verdict (an empty string), never a guess.
 *
 * The kernel's rules, which the verdict follows: a multicast datagram
 * reaches a socket only if the host joined its group on the interface
 * (whichever socket joined) and a socket is bound to its port on the
 * wildcard address or the group's; a broadcast one, a socket bound to its
 * port on the wildcard or the broadcast address; a unicast one, a socket
 * bound on the wildcard or that address, and, if connected, from that peer.
 *
 * @example The verdict for a host that listens on 5005
 * ```ts
 * import { SocketBook } from "./sockets.ts";
 *
 * const book = new SocketBook();
 * book.kernelSnapshot(1, 1000, {
 *   udp: [{ address: "0.0.0.0", port: 5005 }],
 *   groups: [],
 * });
 * // book.verdict(1, "192.168.122.131", frame, 1001) === "r" for a broadcast to 5005
 * ```
 *
 * @module
 */

import type { RecordedRun } from "../hand/records.ts";
import type { Frame } from "../wire/frame.ts";
import { isGroupAddress } from "./hosts.ts";

/**
 * Whether a host's socket took a frame: `r` received; `m` dropped, the
 * host is not a member of the group; `p` dropped, no socket on the port;
 * empty: not known (no recordings, no kernel view), or not a UDP datagram
 * for this host.
 */
export type Verdict = "r" | "m" | "p" | "";

/** One UDP socket as the kernel lists it. */
export interface UdpSocket {
  /** The local address it is bound to (`0.0.0.0`: every address). */
  address: string;
  /** The local port. */
  port: number;
  /** The peer of a connected socket. */
  remote?: { address: string; port: number };
}

/** What the kernel says of a host's sockets at one moment. */
export interface KernelState {
  /** Its UDP sockets. */
  udp: UdpSocket[];
  /** The multicast groups its interface joined. */
  groups: string[];
}

/** A socket a role's recording says it had, for a time. */
export interface RecordedSocket {
  /** `udp` or `tcp`. */
  transport: "udp" | "tcp";
  /** The local address (`0.0.0.0` unless the role bound one). */
  address: string;
  /** The port. */
  port: number;
  /** The group it joined, if it did. */
  group?: string;
  /** From its `listening` record (ms since the epoch). */
  from: number;
  /** To its end; `Infinity` while it runs. */
  to: number;
  /** The role. */
  role: string;
}

/** How long a port a host sent from counts as a socket it has (ms). */
const SENT_FROM_MS = 30_000;
/** Kernel readings kept per host (enough for the view's hold-back). */
const KERNEL_KEPT = 64;

/** A state of a host's sockets, seen in every reading from `from` to `to`. */
interface Reading {
  from: number;
  to: number;
  state: KernelState;
}

/** The sockets of every host, from recordings and the kernel. */
export class SocketBook {
  #kernel = new Map<number, Reading[]>();
  #recorded = new Map<number, RecordedSocket[]>();
  #sentFrom = new Map<number, Map<number, number>>();

  /** Notes what the kernel said of host `host`'s sockets at `t`. */
  kernelSnapshot(host: number, t: number, state: KernelState): void {
    let readings = this.#kernel.get(host);
    if (!readings) this.#kernel.set(host, readings = []);
    const last = readings.at(-1);
    // One reading per state, from when it was first seen to when last.
    if (last && sameState(last.state, state)) last.to = t;
    else readings.push({ from: t, to: t, state });
    if (readings.length > KERNEL_KEPT) readings.shift();
  }

  /** Sets host `host`'s recorded sockets (re-read from its recording). */
  setRecorded(host: number, sockets: RecordedSocket[]): void {
    this.#recorded.set(host, sockets);
  }

  /** Notes that host `host` sent a UDP datagram from `port` at `t`. */
  sentFrom(host: number, port: number, t: number): void {
    let ports = this.#sentFrom.get(host);
    if (!ports) this.#sentFrom.set(host, ports = new Map());
    ports.set(port, t);
  }

  /** Whether anything is known of host `host`'s sockets. */
  knows(host: number): boolean {
    return this.#kernel.has(host) ||
      (this.#recorded.get(host)?.length ?? 0) > 0;
  }

  /**
   * Whether host `host` (address `address`) took `frame`, which reached its
   * port at `t` (see the module's description).
   */
  verdict(
    host: number,
    address: string | undefined,
    frame: Frame,
    t: number,
  ): Verdict {
    const ip = frame.ipv4;
    const udp = frame.udp;
    if (!ip || !udp || frame.kind.slice(0, 3) !== "udp") return "";
    const group = isGroupAddress(ip.dst);
    const unicast = frame.kind === "udp-unicast";
    if (unicast && ip.dst !== address) return "";
    const recorded = this.#recorded.get(host) ?? [];
    const reading = this.#reading(host, t);
    if (reading === undefined && recorded.length === 0) {
      return unicast && this.#sentRecently(host, udp.dstPort, t) ? "r" : "";
    }
    const active = recorded.filter((s) => s.from <= t && t <= s.to);
    if (group) {
      const member = active.some((s) => s.group === ip.dst) ||
        (reading?.state.groups.includes(ip.dst) ?? false);
      if (!member) return "m";
    }
    const takes = (bound: string) => bound === "0.0.0.0" || bound === ip.dst;
    if (
      active.some((s) =>
        s.transport === "udp" && s.port === udp.dstPort && takes(s.address)
      )
    ) return "r";
    if (
      reading?.state.udp.some((s) =>
        s.port === udp.dstPort && takes(s.address) &&
        (s.remote === undefined ||
          (s.remote.address === ip.src && s.remote.port === udp.srcPort)) &&
        !recordedLater(recorded, s.port, t, reading.from)
      )
    ) return "r";
    if (unicast && this.#sentRecently(host, udp.dstPort, t)) return "r";
    return "p";
  }

  /** The kernel's state at `t`: the reading that spans it, else the nearest. */
  #reading(host: number, t: number): Reading | undefined {
    const readings = this.#kernel.get(host);
    if (!readings || readings.length === 0) return undefined;
    let best = readings[0];
    let distance = Infinity;
    for (const r of readings) {
      const d = t < r.from ? r.from - t : t > r.to ? t - r.to : 0;
      if (d < distance) [best, distance] = [r, d];
    }
    return best;
  }

  #sentRecently(host: number, port: number, t: number): boolean {
    const at = this.#sentFrom.get(host)?.get(port);
    return at !== undefined && at <= t + 1 && t - at <= SENT_FROM_MS;
  }
}

/**
 * Whether a recording says the socket on `port` was opened after `t` but
 * by the kernel reading at `readAt`: then the reading saw a socket that
 * did not yet exist at `t`.
 */
function recordedLater(
  recorded: RecordedSocket[],
  port: number,
  t: number,
  readAt: number,
): boolean {
  return recorded.some((s) =>
    s.port === port && s.from > t && s.from <= readAt &&
    !recorded.some((o) =>
      o !== s && o.port === port && o.from <= t && t <= o.to
    )
  );
}

function sameState(a: KernelState, b: KernelState): boolean {
  if (a.udp.length !== b.udp.length || a.groups.length !== b.groups.length) {
    return false;
  }
  return a.udp.every((s, i) =>
    s.port === b.udp[i].port && s.address === b.udp[i].address &&
    s.remote?.address === b.udp[i].remote?.address &&
    s.remote?.port === b.udp[i].remote?.port
  ) && a.groups.every((g, i) => g === b.groups[i]);
}

/** The sockets a host's recorded runs had: from each `listening` to its end. */
export function recordedSockets(runs: RecordedRun[]): RecordedSocket[] {
  const sockets: RecordedSocket[] = [];
  for (const run of runs) {
    const listening = run.records.find((r) => r.record.type === "listening");
    if (!listening) continue;
    const record = listening.record;
    const port = Number(record.port);
    if (!Number.isInteger(port) || port <= 0) continue;
    const group = typeof record.group === "string" ? record.group : undefined;
    sockets.push({
      transport: run.role.startsWith("chat-") ? "tcp" : "udp",
      address: typeof record.address === "string" && group === undefined
        ? record.address
        : "0.0.0.0",
      port,
      ...(group === undefined ? {} : { group }),
      from: listening.t,
      to: run.endMs ?? Infinity,
      role: run.role,
    });
  }
  return sockets;
}
