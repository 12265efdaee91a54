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
import type { Frame, Ipv4Layer, UdpLayer } from "../wire/frame.ts";
import { isGroupAddress } from "./hosts.ts";

/**
 * Whether a host's socket took a frame: `r` received; `m` dropped, the
 * host is not a member of the group; `p` dropped, no socket on the port;
 * empty: not known (no recordings, no kernel view), or not a UDP datagram
 * for this host.
 */
export type Verdict = "r" | "m" | "p" | "";

/**
 * What a verdict needs of a frame: its kind, addresses and ports (a whole
 * decoded frame will do; the live view keeps only these while it waits).
 */
export interface FrameFacts {
  /** The frame's kind. */
  kind: Frame["kind"];
  /** Its IPv4 addresses. */
  ipv4?: Pick<Ipv4Layer, "src" | "dst">;
  /** Its UDP ports. */
  udp?: Pick<UdpLayer, "srcPort" | "dstPort">;
}

/** The facts of `frame`, without the rest of it. */
export function factsOf(frame: Frame): FrameFacts {
  return {
    kind: frame.kind,
    ...(frame.ipv4
      ? { ipv4: { src: frame.ipv4.src, dst: frame.ipv4.dst } }
      : {}),
    ...(frame.udp
      ? { udp: { srcPort: frame.udp.srcPort, dstPort: frame.udp.dstPort } }
      : {}),
  };
}

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
  /**
   * Broadcast and multicast datagrams that found no socket, so far
   * (`IgnoredMulti` of `/proc/net/snmp`).
   */
  ignoredMulti?: number;
  /** Unicast datagrams that found no socket, so far (`NoPorts`). */
  noPorts?: number;
}

/** One reading of a host's sockets. */
export interface Reading {
  /** When (ms since the epoch). */
  t: number;
  /** What the kernel said. */
  state: KernelState;
  /** Verdicts already worked out under this state, by frame key. */
  memo?: Map<string, Verdict>;
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
/** How long kernel readings are kept (ms): longer than any hold-back. */
const KEEP_MS = 5_000;

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
    if (last && t < last.t) return;
    // Equal states share one object: their memo of verdicts too.
    const shared = last && sameState(last.state, state)
      ? { ...last.state, ...counters(state) }
      : state;
    readings.push({
      t,
      state: shared,
      ...(shared !== state && last?.memo ? { memo: last.memo } : {}),
    });
    let old = 0;
    while (old < readings.length - 2 && readings[old].t < t - KEEP_MS) old++;
    if (old > 0) readings.splice(0, old);
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

  /** Whether the kernel's view of host `host` is read (live). */
  watched(host: number): boolean {
    return this.#kernel.has(host);
  }

  /** The readings of host `host` just before (or at) `t`, and just after. */
  around(host: number, t: number): { before?: Reading; after?: Reading } {
    const readings = this.#kernel.get(host) ?? [];
    let lo = 0, hi = readings.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (readings[mid].t <= t) lo = mid + 1;
      else hi = mid;
    }
    return { before: readings[lo - 1], after: readings[lo] };
  }

  /**
   * Whether host `host` (address `address`) took `frame`, which reached its
   * port at `t`, as far as is known now: by its recordings, else by the
   * kernel's reading nearest to `t` (see the module's description).
   */
  verdict(
    host: number,
    address: string | undefined,
    frame: FrameFacts,
    t: number,
  ): Verdict {
    const { before, after } = this.around(host, t);
    const nearest = !before
      ? after
      : !after || t - before.t <= after.t - t
      ? before
      : after;
    return this.verdictUnder(host, address, frame, t, nearest);
  }

  /**
   * The verdict for `frame` at `t` if the host's sockets were as `reading`
   * says (the recordings, which know the exact moments, come first).
   */
  verdictUnder(
    host: number,
    address: string | undefined,
    frame: FrameFacts,
    t: number,
    reading: Reading | undefined,
  ): Verdict {
    const ip = frame.ipv4;
    const udp = frame.udp;
    if (!ip || !udp || frame.kind.slice(0, 3) !== "udp") return "";
    const group = isGroupAddress(ip.dst);
    const unicast = frame.kind === "udp-unicast";
    if (unicast && ip.dst !== address) return "";
    const recorded = this.#recorded.get(host) ?? [];
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
    if (reading && this.#kernelTakes(reading, frame, recorded, t)) return "r";
    if (unicast && this.#sentRecently(host, udp.dstPort, t)) return "r";
    return "p";
  }

  /** Whether a socket of `reading` takes `frame` (the recordings allowing). */
  #kernelTakes(
    reading: Reading,
    frame: FrameFacts,
    recorded: RecordedSocket[],
    t: number,
  ): boolean {
    const ip = frame.ipv4!;
    const udp = frame.udp!;
    const key = `${udp.dstPort} ${ip.dst} ${ip.src} ${udp.srcPort}`;
    let takes = reading.memo?.get(key);
    if (takes === undefined) {
      takes = reading.state.udp.some((s) =>
          s.port === udp.dstPort &&
          (s.address === "0.0.0.0" || s.address === ip.dst) &&
          (s.remote === undefined ||
            (s.remote.address === ip.src && s.remote.port === udp.srcPort))
        )
        ? "r"
        : "p";
      (reading.memo ??= new Map()).set(key, takes);
    }
    return takes === "r" &&
      (recorded.length === 0 ||
        !recordedLater(recorded, udp.dstPort, t, reading.t));
  }

  #sentRecently(host: number, port: number, t: number): boolean {
    const at = this.#sentFrom.get(host)?.get(port);
    return at !== undefined && at <= t + 1 && t - at <= SENT_FROM_MS;
  }
}

function counters(state: KernelState): Partial<KernelState> {
  return {
    ...(state.ignoredMulti === undefined
      ? {}
      : { ignoredMulti: state.ignoredMulti }),
    ...(state.noPorts === undefined ? {} : { noPorts: state.noPorts }),
  };
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
