/**
 * Internal: the C library's calls a router needs through Deno's FFI, which
 * Deno's own sockets lack: a packet socket (AF_PACKET) that reads every IPv4
 * packet arriving on the router's interfaces, with a classic BPF filter
 * that lets only group traffic through; raw IP sockets (IPPROTO_RAW, the
 * header written by the caller) bound to one interface each; and the probe
 * of the kernel's own multicast routing (MRT_INIT). The one call that waits
 * (recvfrom) runs on this thread, bounded by the socket's receive timeout:
 * a trip to a worker thread per datagram cost more than the forwarding
 * itself, and the caller gives the event loop its turn between reads.
 * Linux on 64-bit machines only.
 *
 * @module
 */

/** The symbols used, with their C signatures. */
const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  recvfrom: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"],
    result: "isize",
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  sendto: {
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
  },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened C library's calls. */
export type RawLibc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Linux's constants (x86_64 and aarch64 agree on all of them). */
export const R = {
  AF_INET: 2,
  AF_PACKET: 17,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0x80000,
  /** htons(ETH_P_IP): the packet socket's protocol, in network order. */
  ETH_P_IP_BE: 0x0008,
  SOL_SOCKET: 1,
  SO_RCVBUF: 8,
  SO_RCVBUFFORCE: 33,
  SO_RCVTIMEO: 20,
  SO_BINDTODEVICE: 25,
  SO_ATTACH_FILTER: 26,
  SOL_PACKET: 263,
  PACKET_ADD_MEMBERSHIP: 1,
  PACKET_MR_ALLMULTI: 2,
  PACKET_IGNORE_OUTGOING: 23,
  PACKET_STATISTICS: 6,
  /** sll_pkttype of a packet this host sent. */
  PACKET_OUTGOING: 4,
  IPPROTO_IP: 0,
  IPPROTO_IGMP: 2,
  IPPROTO_RAW: 255,
  IP_MULTICAST_LOOP: 34,
  MRT_INIT: 200,
  MRT_DONE: 201,
  MSG_DONTWAIT: 0x40,
  EAGAIN: 11,
  EINTR: 4,
  ENOPROTOOPT: 92,
  /** sizeof(struct sockaddr_ll) */
  SOCKADDR_LL: 20,
  /** sizeof(struct sockaddr_in) */
  SOCKADDR_IN: 16,
} as const;

let opened: RawLibc | undefined;

/**
 * The C library, opened once by its soname (see `lib/udp/_libc.ts` for why
 * that is the libc deno runs on); `undefined` where it cannot be: not Linux
 * on a 64-bit machine, or FFI not permitted (checked first: no prompt).
 */
export function rawLibc(): RawLibc | undefined {
  if (opened) return opened;
  if (
    Deno.build.os !== "linux" ||
    (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64")
  ) {
    return undefined;
  }
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return undefined;
  }
  try {
    opened = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  } catch {
    return undefined;
  }
  return opened;
}

/** `errno` of the last failed call on this thread. */
export function errnoOf(libc: RawLibc): number {
  return new Deno.UnsafePointerView(libc.__errno_location()!).getInt32();
}

/** The last failed call's error as text, e.g. `Operation not permitted (os error 1)`. */
export function lastErrorText(libc: RawLibc, code = errnoOf(libc)): string {
  const text = Deno.UnsafePointerView.getCString(libc.strerror(code)!);
  return `${text} (os error ${code})`;
}

/** Sets an `int` socket option; returns whether it took. */
export function setIntOption(
  libc: RawLibc,
  fd: number,
  option: { level: number; name: number; value: number },
): boolean {
  const value = new Uint8Array(new Int32Array([option.value]).buffer);
  return libc.setsockopt(fd, option.level, option.name, value, 4) === 0;
}

/**
 * What the kernel dropped at packet socket `fd` since the last call (its
 * queue was full): PACKET_STATISTICS, which resets as it is read.
 */
export function packetDrops(libc: RawLibc, fd: number): number {
  const stats = new Uint32Array(2);
  const length = new Uint32Array([8]);
  const ok = libc.getsockopt(
    fd,
    R.SOL_PACKET,
    R.PACKET_STATISTICS,
    new Uint8Array(stats.buffer),
    new Uint8Array(length.buffer),
  ) === 0;
  return ok ? stats[1] : 0;
}

/** The index of the interface `name`, or 0 when there is none. */
export function interfaceIndex(libc: RawLibc, name: string): number {
  return libc.if_nametoindex(new TextEncoder().encode(`${name}\0`));
}

/**
 * A classic BPF program for a packet socket of kind SOCK_DGRAM (the IP
 * header at offset 0): accept IPv4 packets to 224.0.0.0/4 except
 * 224.0.0.0/24, whole; drop the rest in the kernel, before they are copied
 * to this program. Returned as the `struct sock_fprog` to attach and the
 * instructions it points to (kept alive by the caller).
 */
export function groupFilter(): { program: Uint8Array; code: Uint8Array } {
  // struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }
  const LD_W_ABS = 0x20; // BPF_LD | BPF_W | BPF_ABS
  const ALU_AND_K = 0x54; // BPF_ALU | BPF_AND | BPF_K
  const JEQ_K = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
  const RET_K = 0x06; // BPF_RET | BPF_K
  const instructions: [number, number, number, number][] = [
    [LD_W_ABS, 0, 0, 16], // A = destination address
    [ALU_AND_K, 0, 0, 0xf0000000],
    [JEQ_K, 0, 4, 0xe0000000], // not 224.0.0.0/4: drop
    [LD_W_ABS, 0, 0, 16],
    [ALU_AND_K, 0, 0, 0xffffff00],
    [JEQ_K, 1, 0, 0xe0000000], // 224.0.0.0/24: drop
    [RET_K, 0, 0, 0x40000], // accept up to 256 KiB
    [RET_K, 0, 0, 0],
  ];
  const code = new Uint8Array(instructions.length * 8);
  const view = new DataView(code.buffer);
  for (const [i, [op, jt, jf, k]] of instructions.entries()) {
    view.setUint16(i * 8, op, true);
    view.setUint8(i * 8 + 2, jt);
    view.setUint8(i * 8 + 3, jf);
    view.setUint32(i * 8 + 4, k, true);
  }
  // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
  const program = new Uint8Array(16);
  const pview = new DataView(program.buffer);
  pview.setUint16(0, instructions.length, true);
  pview.setBigUint64(
    8,
    BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(code))),
    true,
  );
  return { program, code };
}

/**
 * Whether this kernel routes multicast itself: MRT_INIT on a raw IGMP
 * socket (what mrouted, pimd and smcroute start with) succeeds. Kernels
 * built without CONFIG_IP_MROUTE answer ENOPROTOOPT. The probe is undone at
 * once (MRT_DONE): the kernel allows one multicast router per namespace.
 */
export function kernelMulticastRouting(libc: RawLibc): boolean {
  const fd = libc.socket(
    R.AF_INET,
    R.SOCK_RAW | R.SOCK_CLOEXEC,
    R.IPPROTO_IGMP,
  );
  if (fd < 0) return false;
  try {
    const ok = setIntOption(libc, fd, {
      level: R.IPPROTO_IP,
      name: R.MRT_INIT,
      value: 1,
    });
    if (ok) {
      setIntOption(libc, fd, {
        level: R.IPPROTO_IP,
        name: R.MRT_DONE,
        value: 0,
      });
    }
    return ok;
  } finally {
    libc.close(fd);
  }
}
