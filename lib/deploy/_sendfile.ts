/**
 * A file's bytes handed to the kernel with `sendfile(2)`, where Deno's FFI
 * is allowed (Linux, 64-bit): the pack goes from the page cache to the
 * socket with no copy through JavaScript, and the JavaScript thread only
 * says "more" when the socket has room.
 *
 * Why: a class is 150 VMs downloading 43 MB at once. Through `conn.write`
 * every 64 KiB is read into a buffer, copied into the kernel and awaited:
 * about 100,000 writes per class on the one JavaScript thread, which then
 * competes for the CPU with the 150 clients (on the lab assistant's own
 * machine, or the benchmark's). BusyBox httpd and nginx send files this
 * way; measured here, serve's CPU time for 150 downloads fell from 2.3 s
 * to 0.8 s and its peak RSS by 20 MB (no buffer per download).
 *
 * How:
 * - the socket: Deno does not say which descriptor a `Deno.TcpConn` is, so
 *   the process's descriptors (`/proc/self/fd`, read with `readdir`) are
 *   asked for their two addresses (`getsockname`, `getpeername`) until one
 *   has the connection's; a TCP connection's four are unique in a process;
 * - the file: opened again by its path, and used only if it is the same
 *   file (device and inode) the answer was made from (a rebuild renames a
 *   new pack into place meanwhile);
 * - sending: `sendfile` with an offset of our own, never waiting (Deno's
 *   sockets are non-blocking); when the socket is full, the descriptor
 *   waits in an `epoll` set of our own, asked by one `epoll_wait` at a
 *   time on Deno's blocking-call thread, so the event loop never blocks.
 *
 * Anything that does not fit (no FFI, another system, an IPv6 socket, the
 * file replaced) gives `undefined`, and the caller sends the bytes itself.
 *
 * @module
 */

/** The symbols used, with their C signatures. */
const SYMBOLS = {
  sendfile: { parameters: ["i32", "i32", "buffer", "usize"], result: "isize" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  epoll_create1: { parameters: ["i32"], result: "i32" },
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  epoll_wait: {
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Linux's constants (x86_64 and aarch64 agree on all of them). */
const C = {
  O_RDONLY_CLOEXEC: 0x80000,
  EPOLL_CLOEXEC: 0x80000,
  EPOLL_CTL_ADD: 1,
  EPOLL_CTL_DEL: 2,
  EPOLLOUT: 0x004,
  EPOLLERR: 0x008,
  EPOLLHUP: 0x010,
  EINTR: 4,
  EAGAIN: 11,
  AF_INET: 2,
  IPPROTO_TCP: 6,
  TCP_INFO: 11,
  /** Offset of `tcpi_rtt` (microseconds) in `struct tcp_info`. */
  TCPI_RTT: 68,
  /** Room for Linux's `struct tcp_info` (the kernel fills what it has). */
  TCP_INFO_BYTES: 232,
  SOL_SOCKET: 1,
  SO_SNDBUF: 7,
  /** `tcpi_state` of a connection that was reset or closed both ways. */
  TCP_CLOSE: 7,
  SIOCOUTQ: 0x5411,
  /** Offset of `d_name` in glibc's `struct dirent` on 64-bit Linux. */
  D_NAME: 19,
} as const;

/** `struct epoll_event` is packed on x86_64 only. */
const EVENT = Deno.build.arch === "x86_64"
  ? { size: 12, data: 4 }
  : { size: 16, data: 8 };

/** Most bytes asked of one `sendfile` (the kernel sends what fits). */
const MAX_CALL = 16 * 1024 * 1024;

/**
 * The send buffer asked for a client close by; Linux doubles it for its
 * own bookkeeping, so 256 KiB are queued at most.
 */
export const NEAR_SEND_BUFFER = 128 * 1024;

/** 10 Gbit/s, in bytes a microsecond. */
const FAST_LINK = 1250;

/** How often a drain looks at the socket's queue, ms. */
const DRAIN_MS = 10;

/** How often a wait looks at stopped downloads, ms. */
const WAIT_MS = 100;

/** A download waiting for room in its socket. */
interface Waiter {
  fd: number;
  /** Whether to give up waiting (the connection was cut). */
  cut: () => boolean;
  resolve: (ready: boolean) => void;
}

/** The opened calls and the one epoll set. */
interface Kernel {
  libc: Libc;
  epoll: number;
  waiters: Map<number, Waiter>;
  pumping: boolean;
}

let kernel: Kernel | null | undefined;

function opened(): Kernel | undefined {
  if (kernel !== undefined) return kernel ?? undefined;
  kernel = null;
  if (Deno.build.os !== "linux") return undefined;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return undefined;
  }
  try {
    const libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
    const epoll = libc.epoll_create1(C.EPOLL_CLOEXEC);
    if (epoll < 0) return undefined;
    kernel = { libc, epoll, waiters: new Map(), pumping: false };
  } catch {
    return undefined;
  }
  return kernel;
}

/**
 * Opens the C library now, where it can be: binding its calls takes about
 * 2.5 ms, which the first download would otherwise wait for. serve calls
 * it when a file's head is asked (a check before a download asks one);
 * not for install.sh: a server that only takes the VMs' records would pay
 * the bindings' 3.2 MB for nothing.
 */
export function prepareKernel(): void {
  opened();
}

/**
 * Whether files go out by `sendfile` in this process: Linux, and FFI
 * allowed. The C library is opened only when a download is near: its
 * bindings cost about 3.2 MB resident (most of it Deno's FFI, set up at
 * the first symbol), which serve at rest, or taking the VMs' records, does
 * not need. See {@linkcode prepareKernel}.
 */
export function kernelSends(): boolean {
  if (kernel) return true;
  if (kernel === null) return false;
  return Deno.build.os === "linux" &&
    Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

function errno(libc: Libc): number {
  return new Deno.UnsafePointerView(libc.__errno_location()!).getInt32();
}

function cString(text: string): Uint8Array {
  return new TextEncoder().encode(`${text}\0`);
}

/** `a.b.c.d:port` of a `struct sockaddr_in`, or "" for another family. */
function addressOf(sockaddr: Uint8Array): string {
  const view = new DataView(sockaddr.buffer);
  if (view.getUint16(0, true) !== C.AF_INET) return "";
  return `${sockaddr.subarray(4, 8).join(".")}:${view.getUint16(2, false)}`;
}

function netAddress(addr: Deno.Addr): string {
  const net = addr as Deno.NetAddr;
  return `${net.hostname}:${net.port}`;
}

/** The process's open descriptors, from `/proc/self/fd`. */
function descriptors(libc: Libc): number[] {
  const dir = libc.opendir(cString("/proc/self/fd"));
  if (dir === null) return [];
  const found: number[] = [];
  try {
    while (true) {
      const entry = libc.readdir(dir);
      if (entry === null) break;
      const name = new Deno.UnsafePointerView(entry).getCString(C.D_NAME);
      if (/^\d+$/.test(name)) found.push(Number(name));
    }
  } finally {
    libc.closedir(dir);
  }
  return found;
}

/** The descriptor of a connection, or `undefined` if none has its addresses. */
export function socketFd(conn: Deno.TcpConn): number | undefined {
  const k = opened();
  if (!k) return undefined;
  const local = netAddress(conn.localAddr);
  const remote = netAddress(conn.remoteAddr);
  const address = new Uint8Array(128);
  const length = new Uint32Array(1);
  const lengthBytes = new Uint8Array(length.buffer);
  const named = (
    call: "getsockname" | "getpeername",
    fd: number,
  ): string => {
    length[0] = address.length;
    return k.libc[call](fd, address, lengthBytes) === 0
      ? addressOf(address)
      : "";
  };
  for (const fd of descriptors(k.libc)) {
    if (named("getsockname", fd) !== local) continue;
    if (named("getpeername", fd) === remote) return fd;
  }
  return undefined;
}

/** How a `sendfile` run ended. */
export type SendfileEnd = "done" | "cut" | "failed" | "short";

/** What {@linkcode KernelFile.send} is told. */
export interface SendfileJob {
  /** Where to start, and how many bytes. */
  start: number;
  length: number;
  /** Called with the bytes of each step that went out. */
  progress: (bytes: number) => void;
  /** Whether the connection was cut meanwhile (stop at once). */
  cut: () => boolean;
}

/** A file opened for the kernel to send. */
export interface KernelFile {
  /** Sends `job`'s bytes of the file on the socket `socket`. */
  send(socket: number, job: SendfileJob): Promise<SendfileEnd>;
  /** Closes the file. */
  close(): void;
}

/**
 * Opens `path` for `sendfile`, if it is still the file with `dev` and
 * `ino` (the one the answer was made from); `undefined` when the kernel
 * cannot send it (no FFI, the file replaced meanwhile): then the caller
 * sends the bytes itself.
 */
export function kernelFile(
  path: string,
  same: { dev: number; ino: number },
): KernelFile | undefined {
  const k = opened();
  if (!k) return undefined;
  const file = k.libc.open(cString(path), C.O_RDONLY_CLOEXEC);
  if (file < 0) return undefined;
  // struct stat: st_dev (8 bytes), then st_ino (8), on x86_64 and aarch64.
  const stat = new BigUint64Array(18);
  if (
    k.libc.fstat(file, new Uint8Array(stat.buffer)) !== 0 ||
    stat[0] !== BigInt(same.dev) || stat[1] !== BigInt(same.ino)
  ) {
    k.libc.close(file);
    return undefined;
  }
  let open = true;
  return {
    send: (socket, job) => pumpFile(k, { file, socket }, job),
    close: () => {
      if (open) k.libc.close(file);
      open = false;
    },
  };
}

async function pumpFile(
  k: Kernel,
  fds: { file: number; socket: number },
  job: SendfileJob,
): Promise<SendfileEnd> {
  const { file, socket } = fds;
  // The descriptor is touched before the first send too: the same check.
  if (job.cut()) return "cut";
  fitSendBuffer(k, socket);
  const offset = new BigInt64Array([BigInt(job.start)]);
  const offsetBytes = new Uint8Array(offset.buffer);
  let left = job.length;
  while (left > 0) {
    // Checked right before each call, on this thread: once the server has
    // closed the connection, its descriptor number may be another's.
    if (job.cut()) return "cut";
    const n = Number(
      k.libc.sendfile(
        socket,
        file,
        offsetBytes,
        BigInt(Math.min(left, MAX_CALL)),
      ),
    );
    if (n > 0) {
      left -= n;
      job.progress(n);
      continue;
    }
    if (n === 0) return "short";
    const code = errno(k.libc);
    if (code === C.EINTR) continue;
    if (code !== C.EAGAIN) return "failed";
    if (!await writable(k, socket, job.cut)) return "cut";
  }
  return "done";
}

/**
 * A small send buffer for a client close by (over loopback, or a bridge on
 * this machine): 256 KiB when that is enough for 10 Gbit/s over its round
 * trip, else the kernel's own tuning, which a longer round trip needs.
 *
 * Why: Linux grows a socket's send buffer up to 4 MB, and `sendfile` fills
 * it, so the client copies bytes that left the CPU's caches long ago (the
 * kernel's copy is the client's, with `sendfile`). With at most 256 KiB
 * queued, it copies them while they are still cached. Measured over
 * loopback with the 43 MB pack: 10 clients took 0.16–0.17 s instead of
 * 0.19–0.20 s (python's http.server, the same runs: 0.17–0.22 s).
 */
function fitSendBuffer(k: Kernel, socket: number): void {
  const info = new Uint8Array(C.TCP_INFO_BYTES);
  if (tcpInfo(k, socket, info) < C.TCPI_RTT + 4) return;
  const rttMicros = new DataView(info.buffer).getUint32(C.TCPI_RTT, true);
  const size = sendBufferFor(rttMicros);
  if (size === undefined) return;
  k.libc.setsockopt(
    socket,
    C.SOL_SOCKET,
    C.SO_SNDBUF,
    new Uint8Array(new Int32Array([size]).buffer),
    4,
  );
}

/**
 * Fills `info` with the socket's `struct tcp_info`: the bytes filled, or 0
 * when the call failed.
 */
function tcpInfo(k: Kernel, socket: number, info: Uint8Array): number {
  const length = new Uint32Array([info.length]);
  const read = k.libc.getsockopt(
    socket,
    C.IPPROTO_TCP,
    C.TCP_INFO,
    info,
    new Uint8Array(length.buffer),
  );
  return read === 0 ? length[0] : 0;
}

/**
 * The send buffer to ask for a client `rttMicros` away (the kernel's
 * smoothed round trip), or `undefined` to leave the kernel's tuning.
 */
export function sendBufferFor(rttMicros: number): number | undefined {
  return rttMicros * FAST_LINK <= 2 * NEAR_SEND_BUFFER
    ? NEAR_SEND_BUFFER
    : undefined;
}

/** Resolves when `fd` has room, or with `false` when `cut()` says so. */
function writable(
  k: Kernel,
  fd: number,
  cut: () => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const event = new Uint8Array(EVENT.size);
    const view = new DataView(event.buffer);
    view.setUint32(0, C.EPOLLOUT | C.EPOLLERR | C.EPOLLHUP, true);
    view.setInt32(EVENT.data, fd, true);
    if (k.libc.epoll_ctl(k.epoll, C.EPOLL_CTL_ADD, fd, event) !== 0) {
      // Not a socket any more: the next send says what happened.
      resolve(true);
      return;
    }
    // A waiter left under this number was a connection the server closed
    // (epoll forgets a closed descriptor; the number is now another's).
    const stale = k.waiters.get(fd);
    if (stale) stale.resolve(false);
    k.waiters.set(fd, { fd, cut, resolve });
    pump(k);
  });
}

function forget(k: Kernel, waiter: Waiter, ready: boolean): void {
  k.waiters.delete(waiter.fd);
  k.libc.epoll_ctl(k.epoll, C.EPOLL_CTL_DEL, waiter.fd, new Uint8Array(16));
  waiter.resolve(ready);
}

/** One `epoll_wait` at a time while anything waits. */
async function pump(k: Kernel): Promise<void> {
  if (k.pumping) return;
  k.pumping = true;
  const events = new Uint8Array(EVENT.size * 256);
  const view = new DataView(events.buffer);
  try {
    while (k.waiters.size > 0) {
      const n = await k.libc.epoll_wait(k.epoll, events, 256, WAIT_MS);
      for (let i = 0; i < n; i++) {
        const fd = view.getInt32(i * EVENT.size + EVENT.data, true);
        const waiter = k.waiters.get(fd);
        if (waiter) forget(k, waiter, true);
      }
      for (const waiter of [...k.waiters.values()]) {
        if (waiter.cut()) forget(k, waiter, false);
      }
    }
  } finally {
    k.pumping = false;
  }
}

/**
 * Waits until the client's TCP has acknowledged every byte handed to the
 * socket (its send queue is empty), so that "complete" means the VM got
 * them: the kernel takes a few MB at once, and a client that goes away
 * after 16 KiB would otherwise count as a complete download. `left` is
 * told the bytes still unacknowledged whenever that falls (progress, for
 * the stall sweep). `false` when the connection was reset, or cut.
 */
export async function drained(
  socket: number,
  watch: { left: (bytes: number) => void; cut: () => boolean },
): Promise<boolean> {
  const k = opened();
  if (!k) return true;
  const queued = new Int32Array(1);
  const info = new Uint8Array(C.TCP_INFO_BYTES);
  let last = Infinity;
  let pause = 1;
  while (true) {
    if (watch.cut()) return false;
    const state = tcpInfo(k, socket, info) > 0 ? info[0] : C.TCP_CLOSE;
    if (state === C.TCP_CLOSE) return false;
    if (
      k.libc.ioctl(
        socket,
        BigInt(C.SIOCOUTQ),
        new Uint8Array(queued.buffer),
      ) !==
        0
    ) return true;
    if (queued[0] === 0) return true;
    if (queued[0] < last) {
      last = queued[0];
      watch.left(last);
    }
    // A fast client empties the queue in a few ms: look again soon, then
    // every DRAIN_MS.
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(DRAIN_MS, pause * 2);
  }
}
