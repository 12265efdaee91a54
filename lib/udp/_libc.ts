/**
 * The C library's socket calls through Deno's FFI, for the batch path
 * (`batch_socket.ts`): only what Deno's own UDP sockets lack (SO_RCVBUF,
 * SO_REUSEPORT, recvmmsg, sendmmsg, control messages). The calls that may
 * wait (recvmmsg, sendmmsg) are `nonblocking`: they run on a worker thread
 * and resolve to a promise, so the event loop never blocks. Linux on 64-bit
 * machines only: the structures' layouts below are that ABI's.
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
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  sendmmsg: {
    parameters: ["i32", "buffer", "u32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  // On this thread: with MSG_DONTWAIT (no waiting), and on close.
  sendmmsgNow: {
    name: "sendmmsg",
    parameters: ["i32", "buffer", "u32", "i32"],
    result: "i32",
  },
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened C library's calls. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Linux's constants (x86_64 and aarch64 agree on all of them). */
export const C = {
  AF_INET: 2,
  SOCK_DGRAM: 2,
  SOCK_CLOEXEC: 0x80000,
  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_BROADCAST: 6,
  SO_RCVBUF: 8,
  SO_REUSEPORT: 15,
  SO_RCVTIMEO: 20,
  IPPROTO_IP: 0,
  IP_TTL: 2,
  IP_PKTINFO: 8,
  IP_RECVTTL: 12,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  MSG_DONTWAIT: 0x40,
  MSG_WAITFORONE: 0x10000,
  EAGAIN: 11,
  SHUT_RDWR: 2,
  /** sizeof(struct mmsghdr) */
  MMSGHDR: 64,
  /** sizeof(struct sockaddr_in) */
  SOCKADDR_IN: 16,
} as const;

let opened: Libc | undefined;

/**
 * The C library, opened once, by its soname `libc.so.6`: glibc's `dlopen`
 * hands back the libc already loaded in the process when the soname
 * matches, so this is the libc deno itself runs on, wherever it came from
 * (the packs' own glibc on a musl host, through their loader or the
 * patched interpreter and RPATH). `undefined` where there is none to open
 * (not Linux on a 64-bit machine, no libc.so.6) or FFI is not permitted
 * (checked first, so there is never a prompt).
 */
export function _libc(): Libc | undefined {
  if (opened) return opened;
  if (Deno.build.os !== "linux") return undefined;
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

/**
 * The error of the last failed call on this thread, as Deno's own socket
 * errors are (`… (os error N)`), so that `errorText` words it the same.
 */
export function _lastError(libc: Libc): Error {
  const code = _errno(libc);
  const text = Deno.UnsafePointerView.getCString(libc.strerror(code)!);
  const message = `${text} (os error ${code})`;
  switch (code) {
    case 98:
      return new Deno.errors.AddrInUse(message);
    case 99:
      return new Deno.errors.AddrNotAvailable(message);
    case 1:
    case 13:
      return new Deno.errors.PermissionDenied(message);
    default:
      return new Error(message);
  }
}

/** `errno` of the last failed call on this thread. */
export function _errno(libc: Libc): number {
  return new Deno.UnsafePointerView(libc.__errno_location()!).getInt32();
}

/** The four bytes of a dotted IPv4 address, in network order. */
export function _ipv4Bytes(address: string): Uint8Array {
  return new Uint8Array(address.split(".").map(Number));
}

/** A `struct sockaddr_in` for `address:port`. */
export function _sockaddr(address: string, port: number): Uint8Array {
  const buffer = new Uint8Array(C.SOCKADDR_IN);
  const view = new DataView(buffer.buffer);
  view.setUint16(0, C.AF_INET, true);
  view.setUint16(2, port, false);
  buffer.set(_ipv4Bytes(address), 4);
  return buffer;
}

/** The address of a typed array's bytes, for a pointer inside a structure. */
export function _address(bytes: Uint8Array): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes)));
}
