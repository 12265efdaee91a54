/**
 * A router's multicast forwarding in user space, for kernels without IP
 * multicast routing (no CONFIG_IP_MROUTE: MRT_INIT fails with ENOPROTOOPT).
 * One packet socket reads every group datagram that arrives on the router's
 * interfaces (a BPF filter in the kernel lets nothing else through); each
 * is sent on out of every other interface through a raw IP socket bound to
 * that interface, with its source kept, its TTL taken down by one and its
 * checksums made again (`_packet.ts`). A datagram that would leave with TTL
 * 0 is dropped, as a kernel's router drops it.
 *
 * No loops: only what arrived from outside is read (the socket ignores what
 * this host sends, and a packet marked outgoing is skipped besides), and a
 * packet never goes back out of the interface it came in on. The lab's
 * topology check refuses routers that close a loop, so a flood over a tree
 * reaches each segment once.
 *
 * The reads run on the program's own thread, each bounded by the socket's
 * 200 ms receive timeout; under a flood the event loop (signals, the status
 * file's timer) still gets a turn every 20 ms. What the kernel could not
 * queue for it is counted (`dropped.queue`), as is what an interface could
 * not send (`dropped.send`).
 *
 * @example Forward between two interfaces until stopped (needs root and
 * --allow-ffi: type-checked only)
 * ```ts
 * import { forwardMulticast } from "./forwarder.ts";
 *
 * export async function route(signal: AbortSignal): Promise<void> {
 *   const stats = await forwardMulticast({ interfaces: ["eth0", "eth1"], signal });
 *   console.log(stats.forwarded);
 * }
 * ```
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";
import { addressesOf, type Drop, forwarded } from "./_packet.ts";
import {
  errnoOf,
  groupFilter,
  interfaceIndex,
  lastErrorText,
  packetDrops,
  R,
  type RawLibc,
  rawLibc,
  setIntOption,
} from "./_raw_libc.ts";

/** How often a waiting read looks up to see whether it was stopped. */
const WAKE_MS = 200;
/** Under a flood, the event loop (signals, timers) still gets a turn this often. */
const YIELD_MS = 20;
/** The packet socket's receive buffer: bursts wait here, not on the wire. */
const RCVBUF = 4 * 1024 * 1024;

/** What one interface saw. */
export interface InterfaceCounts {
  /** Group datagrams that arrived on it. */
  in: number;
  /** Datagrams sent out of it. */
  out: number;
}

/** What the forwarder did, since it started. */
export interface ForwarderStats {
  /** Group datagrams read (arrived on one of the interfaces). */
  received: number;
  /** Copies sent (one per other interface). */
  forwarded: number;
  /**
   * Datagrams not forwarded, by reason: `ttl` (would have left with TTL 0),
   * `send` (an interface's send queue was full), `queue` (the kernel's
   * queue of arrivals was full: more came than this router could read).
   */
  dropped: Partial<Record<Drop | "send" | "queue", number>>;
  /** By interface name. */
  interfaces: Record<string, InterfaceCounts>;
}

/** One datagram forwarded, for a log or a live view. */
export interface ForwardEvent {
  /** The interface it came in on. */
  from: string;
  /** The interfaces it went out of (none when it was dropped). */
  to: string[];
  /** Its source address. */
  source: string;
  /** Its group. */
  group: string;
  /** Its TTL as it arrived. */
  ttl: number;
  /** Why it was not forwarded, if it was not. */
  drop?: Drop;
}

/** Options for {@linkcode forwardMulticast}. */
export interface ForwarderOptions {
  /** The interfaces to forward between, e.g. `["eth0", "eth1"]`. */
  interfaces: string[];
  /** Aborting stops the forwarder; it resolves with its counts. */
  signal: AbortSignal;
  /** Called for every datagram read (forwarded or dropped). */
  onPacket?: (event: ForwardEvent) => void;
  /** Called with the counts whenever they change (at most as often as packets come). */
  onStats?: (stats: ForwarderStats) => void;
  /** Called once the sockets are open: from then on, nothing is missed. */
  onReady?: () => void | Promise<void>;
}

/** The interfaces' descriptors: one raw socket each. */
interface Port {
  name: string;
  index: number;
  raw: number;
}

/**
 * Forwards group datagrams between `options.interfaces` until the signal
 * aborts, then resolves to what it did. Throws a {@linkcode RuntimeError}
 * when it cannot start (no FFI, not root, an interface missing).
 */
export async function forwardMulticast(
  options: ForwarderOptions,
): Promise<ForwarderStats> {
  const libc = rawLibc();
  if (!libc) {
    throw new RuntimeError({
      en:
        "forwarding multicast needs Linux's C library through FFI (deno run --allow-ffi)",
      id:
        "meneruskan multicast perlu pustaka C Linux lewat FFI (deno run --allow-ffi)",
    });
  }
  const ports: Port[] = [];
  let packet = -1;
  try {
    for (const name of options.interfaces) {
      ports.push(openPort(libc, name));
    }
    packet = openPacketSocket(libc, ports);
    await options.onReady?.();
    return await loop(libc, packet, ports, options);
  } finally {
    for (const port of ports) libc.close(port.raw);
    if (packet >= 0) libc.close(packet);
  }
}

function failure(
  libc: RawLibc,
  doing: { en: string; id: string },
): RuntimeError {
  const reason = lastErrorText(libc);
  return new RuntimeError({
    en: `${doing.en}: ${reason}`,
    id: `${doing.id}: ${reason}`,
  });
}

/** A raw IP socket that sends whole packets (header included) out of `name`. */
function openPort(libc: RawLibc, name: string): Port {
  const index = interfaceIndex(libc, name);
  if (index === 0) {
    throw new RuntimeError({
      en: `interface ${name}: no such interface on this router`,
      id: `antarmuka ${name}: tidak ada di router ini`,
    });
  }
  const raw = libc.socket(
    R.AF_INET,
    R.SOCK_RAW | R.SOCK_CLOEXEC,
    R.IPPROTO_RAW,
  );
  if (raw < 0) {
    throw failure(libc, {
      en: `opening a raw socket for ${name}`,
      id: `membuka soket raw untuk ${name}`,
    });
  }
  const device = new TextEncoder().encode(`${name}\0`);
  if (
    libc.setsockopt(
      raw,
      R.SOL_SOCKET,
      R.SO_BINDTODEVICE,
      device,
      device.length,
    ) !==
      0
  ) {
    const err = failure(libc, {
      en: `binding the raw socket to ${name}`,
      id: `mengikat soket raw ke ${name}`,
    });
    libc.close(raw);
    throw err;
  }
  // A router is no member of what it forwards: nothing to loop back.
  setIntOption(libc, raw, {
    level: R.IPPROTO_IP,
    name: R.IP_MULTICAST_LOOP,
    value: 0,
  });
  return { name, index, raw };
}

/** The packet socket that reads group datagrams from every interface. */
function openPacketSocket(libc: RawLibc, ports: Port[]): number {
  const fd = libc.socket(
    R.AF_PACKET,
    R.SOCK_DGRAM | R.SOCK_CLOEXEC,
    R.ETH_P_IP_BE,
  );
  if (fd < 0) {
    throw failure(libc, {
      en: "opening a packet socket (needs root: CAP_NET_RAW)",
      id: "membuka soket paket (perlu root: CAP_NET_RAW)",
    });
  }
  const { program } = groupFilter();
  if (
    libc.setsockopt(fd, R.SOL_SOCKET, R.SO_ATTACH_FILTER, program, 16) !== 0
  ) {
    const err = failure(libc, {
      en: "attaching the packet filter",
      id: "memasang filter paket",
    });
    libc.close(fd);
    throw err;
  }
  // Linux 4.20 and later: what this host sends is not read back at all.
  setIntOption(libc, fd, {
    level: R.SOL_PACKET,
    name: R.PACKET_IGNORE_OUTGOING,
    value: 1,
  });
  setIntOption(libc, fd, {
    level: R.SOL_SOCKET,
    name: R.SO_RCVBUF,
    value: RCVBUF,
  });
  const timeout = new BigInt64Array([0n, BigInt(WAKE_MS * 1000)]);
  libc.setsockopt(
    fd,
    R.SOL_SOCKET,
    R.SO_RCVTIMEO,
    new Uint8Array(timeout.buffer),
    16,
  );
  for (const port of ports) {
    // Every group's frames, as a multicast router asks its interfaces for
    // (a veth passes them all anyway; a real NIC filters by address).
    const request = new Uint8Array(16);
    const view = new DataView(request.buffer);
    view.setInt32(0, port.index, true);
    view.setUint16(4, R.PACKET_MR_ALLMULTI, true);
    libc.setsockopt(fd, R.SOL_PACKET, R.PACKET_ADD_MEMBERSHIP, request, 16);
  }
  return fd;
}

async function loop(
  libc: RawLibc,
  fd: number,
  ports: Port[],
  options: ForwarderOptions,
): Promise<ForwarderStats> {
  const stats: ForwarderStats = {
    received: 0,
    forwarded: 0,
    dropped: {},
    interfaces: Object.fromEntries(
      ports.map((p) => [p.name, { in: 0, out: 0 }]),
    ),
  };
  const byIndex = new Map(ports.map((p) => [p.index, p]));
  const buffer = new Uint8Array(65536);
  const size = BigInt(buffer.length);
  const from = new Uint8Array(R.SOCKADDR_LL);
  const fromView = new DataView(from.buffer);
  const length = new Uint32Array(1);
  const lengthBytes = new Uint8Array(length.buffer);
  const to = new Uint8Array(R.SOCKADDR_IN);
  new DataView(to.buffer).setUint16(0, R.AF_INET, true);
  const { signal } = options;

  const handle = (n: number) => {
    const port = byIndex.get(fromView.getInt32(4, true));
    // Only what arrived on one of the router's interfaces, from outside.
    if (port === undefined || from[10] === R.PACKET_OUTGOING) return;
    const packet = buffer.subarray(0, n);
    stats.received++;
    stats.interfaces[port.name].in++;
    const out = forwarded(packet);
    const { from: source, to: group } = addressesOf(packet);
    if (typeof out === "string") {
      stats.dropped[out] = (stats.dropped[out] ?? 0) + 1;
      options.onPacket?.({
        from: port.name,
        to: [],
        source,
        group,
        ttl: packet[8],
        drop: out,
      });
      return;
    }
    to.set(out.subarray(16, 20), 4);
    const sent: string[] = [];
    for (const other of ports) {
      if (other === port) continue;
      const n = Number(
        libc.sendto(
          other.raw,
          out,
          BigInt(out.length),
          R.MSG_DONTWAIT,
          to,
          to.length,
        ),
      );
      if (n === out.length) {
        stats.forwarded++;
        stats.interfaces[other.name].out++;
        sent.push(other.name);
      } else {
        // A full send queue: dropped, as a busy router drops.
        stats.dropped.send = (stats.dropped.send ?? 0) + 1;
      }
    }
    options.onPacket?.({
      from: port.name,
      to: sent,
      source,
      group,
      ttl: packet[8],
    });
  };

  let changed = false;
  let turn = performance.now();
  while (!signal.aborted) {
    length[0] = R.SOCKADDR_LL;
    // Waits at most WAKE_MS (the socket's receive timeout), on this thread.
    const n = Number(
      libc.recvfrom(fd, buffer, size, 0, from, lengthBytes),
    );
    if (n >= 0) {
      handle(n);
      changed = true;
    } else {
      const code = errnoOf(libc);
      if (code !== R.EAGAIN && code !== R.EINTR) {
        throw failure(libc, { en: "reading packets", id: "membaca paket" });
      }
    }
    const now = performance.now();
    if (n < 0 || now - turn >= YIELD_MS) {
      const lost = packetDrops(libc, fd);
      if (lost > 0) {
        stats.dropped.queue = (stats.dropped.queue ?? 0) + lost;
        changed = true;
      }
      if (changed) options.onStats?.(stats);
      changed = false;
      // Signals and timers (the status file) run now.
      await new Promise((resolve) => setTimeout(resolve, 0));
      turn = performance.now();
    }
  }
  return stats;
}
