/**
 * The batch path (`--io batch`): a UDP socket opened through the C library
 * (`_libc.ts`) that receives up to 64 datagrams per system call (recvmmsg)
 * and sends up to 64 per call (sendmmsg), with what Deno's own sockets lack:
 * a receive buffer of a chosen size (SO_RCVBUF), a port shared with
 * SO_REUSEPORT programs (the course's Python receivers) as well as with
 * SO_REUSEADDR ones (the plain path), and each datagram's TTL and
 * destination address (IP_RECVTTL, IP_PKTINFO). It offers the part of
 * `Deno.DatagramConn` the roles use, so the receive loop and the send loops
 * run on it unchanged.
 *
 * @example Receive on the batch path (needs --allow-ffi: type-checked only)
 * ```ts
 * import { openBatch } from "./batch_socket.ts";
 *
 * export async function once(): Promise<string> {
 *   const socket = openBatch({ hostname: "127.0.0.1", port: 5005, share: true });
 *   const [data] = await socket.receive();
 *   socket.close();
 *   return new TextDecoder().decode(data);
 * }
 * ```
 *
 * @module
 */

import { errorText, RuntimeError } from "../cli/errors.ts";
import { isMulticastIpv4 } from "../cli/address.ts";
import {
  _address,
  _errno,
  _ipv4Bytes,
  _lastError,
  _libc,
  _sockaddr,
  C,
  type Libc,
} from "./_libc.ts";
import { MAX_DATAGRAM } from "./socket.ts";

/** Datagrams per system call. */
const VLEN = 64;
/** Room for the IP_TTL and IP_PKTINFO control messages of one datagram. */
const CONTROL = 64;
/** How often a waiting receive looks up to see whether it was stopped. */
const WAKE_MS = 200;

/** Options for {@linkcode openBatch}. */
export interface BatchOptions {
  /** Local address to bind. */
  hostname: string;
  /** Local port (0: any free port). */
  port: number;
  /** Share the port: SO_REUSEADDR and SO_REUSEPORT both. */
  share?: boolean;
  /** Ask for a receive buffer of this many bytes (SO_RCVBUF). */
  rcvbuf?: number;
  /** Record each datagram's TTL and destination address. */
  showTtl?: boolean;
  /** Send at most this many datagrams per call (1: each at once). */
  sendBatch?: number;
}

/** Options for {@linkcode BatchSocket.setMulticast}. */
export interface MulticastOptions {
  /** The address of the interface to send from. */
  iface: string;
  /** Hops a datagram may take. */
  ttl: number;
}

/** How one datagram arrived (`--show-ttl`). */
export interface Delivery {
  /** The TTL in its IP header. */
  ttl?: number;
  /** Its destination address. */
  to?: string;
}

/** The one-line error when the batch path cannot run here. */
export const NO_BATCH_TEXT = {
  en:
    "--io batch needs Linux's C library through FFI, not available here (with deno: --allow-ffi, as the :batch tasks grant; the progjar packs grant it themselves)",
  id:
    "--io batch perlu pustaka C Linux lewat FFI, yang tidak tersedia di sini (dengan deno: --allow-ffi, seperti yang diberikan task :batch; paket progjar memberikannya sendiri)",
};

/**
 * Opens and binds a batch socket. Throws a {@linkcode RuntimeError} when
 * the C library cannot be used here or the system refuses (exit code 1).
 */
export function openBatch(options: BatchOptions): BatchSocket {
  const libc = _libc();
  if (!libc || !is64BitLinux()) throw new RuntimeError(NO_BATCH_TEXT);
  const { hostname, port } = options;
  const fd = libc.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw failure(libc, { en: "opening a socket", id: "membuka soket" });
  }
  try {
    const on = (level: number, name: number) =>
      setInt(libc, fd, level, name, 1);
    on(C.SOL_SOCKET, C.SO_BROADCAST);
    if (options.share) {
      on(C.SOL_SOCKET, C.SO_REUSEADDR);
      on(C.SOL_SOCKET, C.SO_REUSEPORT);
    }
    if (options.rcvbuf !== undefined) {
      setInt(libc, fd, C.SOL_SOCKET, C.SO_RCVBUF, options.rcvbuf);
    }
    if (options.showTtl) {
      on(C.IPPROTO_IP, C.IP_RECVTTL);
      on(C.IPPROTO_IP, C.IP_PKTINFO);
    }
    // A waiting receive returns now and then to notice a stop.
    const timeout = new BigInt64Array([0n, BigInt(WAKE_MS * 1000)]);
    setBytes(
      libc,
      fd,
      C.SOL_SOCKET,
      C.SO_RCVTIMEO,
      new Uint8Array(timeout.buffer),
    );
    const name = _sockaddr(hostname, port);
    if (libc.bind(fd, name, name.length) !== 0) {
      throw failure(libc, {
        en: `binding udp ${hostname}:${port}`,
        id: `mengikat udp ${hostname}:${port}`,
      });
    }
  } catch (err) {
    libc.close(fd);
    throw err;
  }
  return new BatchSocket(libc, fd, options.sendBatch ?? VLEN);
}

/** Whether the structures' layouts in `_libc.ts` hold here. */
function is64BitLinux(): boolean {
  return Deno.build.os === "linux" &&
    (Deno.build.arch === "x86_64" || Deno.build.arch === "aarch64");
}

/** A UDP socket on the batch path; see the module's documentation. */
export class BatchSocket {
  /** The address it is bound to. */
  readonly addr: Deno.NetAddr;
  #libc: Libc;
  #fd: number;
  #batch: number;
  #closed = false;
  #waiting = false;
  #in?: Slots;
  #next = 0;
  #count = 0;
  #current = -1;
  #from?: Deno.NetAddr;
  #out?: Slots;
  #queued = 0;
  #targetHost = "";
  #targetPort = -1;

  /** Wraps an open, bound descriptor; use {@linkcode openBatch}. */
  constructor(libc: Libc, fd: number, batch: number) {
    this.#libc = libc;
    this.#fd = fd;
    this.#batch = Math.max(1, Math.min(VLEN, batch));
    const name = new Uint8Array(C.SOCKADDR_IN);
    const length = new Uint32Array([name.length]);
    libc.getsockname(fd, name, new Uint8Array(length.buffer));
    this.addr = addrOf(name);
  }

  /** The receive buffer's size in force (what the kernel granted). */
  rcvbuf(): number {
    const value = new Int32Array(1);
    const length = new Uint32Array([4]);
    this.#libc.getsockopt(
      this.#fd,
      C.SOL_SOCKET,
      C.SO_RCVBUF,
      new Uint8Array(value.buffer),
      new Uint8Array(length.buffer),
    );
    return value[0];
  }

  /**
   * The next datagram and its sender. The bytes stay valid until the next
   * call. Rejects with `Deno.errors.BadResource` once closed.
   */
  async receive(): Promise<[Uint8Array<ArrayBuffer>, Deno.Addr]> {
    const slots = this.#in ??= new Slots(VLEN, MAX_DATAGRAM + 1, CONTROL);
    while (this.#next >= this.#count) {
      if (this.#closed) throw new Deno.errors.BadResource("socket closed");
      slots.reset(VLEN);
      this.#waiting = true;
      const n = await this.#libc.recvmmsg(
        this.#fd,
        slots.headers,
        VLEN,
        C.MSG_WAITFORONE,
        null,
      );
      this.#waiting = false;
      if (this.#closed) {
        this.#libc.close(this.#fd);
        throw new Deno.errors.BadResource("socket closed");
      }
      // -1: the wake-up timeout (or a passing error); look again.
      this.#count = Math.max(0, n);
      this.#next = 0;
    }
    const i = this.#current = this.#next++;
    const name = slots.name(i);
    const from = this.#from;
    if (
      from === undefined || from.port !== ((name[2] << 8) | name[3]) ||
      from.hostname !== ipv4Of(name, 4)
    ) {
      this.#from = addrOf(name);
    }
    return [slots.data(i, slots.length(i)), this.#from!];
  }

  /** The TTL and destination of the datagram last received (`showTtl`). */
  lastDelivery(): Delivery {
    if (!this.#in || this.#current < 0) return {};
    return parseControl(this.#in.control(this.#current));
  }

  /** Joins `group` on the interface with address `iface`. */
  joinMulticastV4(group: string, iface: string): Promise<void> {
    const request = new Uint8Array(8);
    request.set(_ipv4Bytes(group), 0);
    request.set(_ipv4Bytes(iface), 4);
    try {
      setBytes(
        this.#libc,
        this.#fd,
        C.IPPROTO_IP,
        C.IP_ADD_MEMBERSHIP,
        request,
      );
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }

  /** Sends multicast from `iface` with `ttl`, looped back to this host too. */
  setMulticast(options: MulticastOptions): void {
    const libc = this.#libc;
    setBytes(
      libc,
      this.#fd,
      C.IPPROTO_IP,
      C.IP_MULTICAST_IF,
      _ipv4Bytes(options.iface),
    );
    setInt(libc, this.#fd, C.IPPROTO_IP, C.IP_MULTICAST_TTL, options.ttl);
    setInt(libc, this.#fd, C.IPPROTO_IP, C.IP_MULTICAST_LOOP, 1);
  }

  /**
   * Queues `data` for `to`; the queue goes out in one call when it holds
   * `batch` datagrams, and on close. Resolves to the bytes queued.
   */
  async send(data: Uint8Array, to: Deno.Addr): Promise<number> {
    if (this.#closed) throw new Deno.errors.BadResource("socket closed");
    const slots = this.#out ??= new Slots(this.#batch, MAX_DATAGRAM, 0);
    const net = to as Deno.NetAddr;
    // Compared field by field: a flood sends to one target, and building a
    // key string per datagram cost more than the copy of the payload.
    if (net.port !== this.#targetPort || net.hostname !== this.#targetHost) {
      if (this.#queued > 0) await this.#flush();
      slots.setNames(_sockaddr(net.hostname, net.port));
      this.#targetHost = net.hostname;
      this.#targetPort = net.port;
    }
    slots.put(this.#queued++, data);
    if (this.#queued === this.#batch) await this.#flush();
    return data.length;
  }

  /**
   * Sends what is queued. The call is synchronous with MSG_DONTWAIT: a
   * send that does not wait needs no trip to a worker thread (that trip,
   * and the event loop idling until it came back, took half a flood's
   * time). Only when the socket's send buffer is full (EAGAIN) does the
   * rest go through the worker thread, which waits there for room.
   */
  async #flush(): Promise<void> {
    const slots = this.#out!;
    const libc = this.#libc;
    let done = 0;
    while (done < this.#queued) {
      const headers = slots.headers.subarray(done * C.MMSGHDR);
      const left = this.#queued - done;
      let n = libc.sendmmsgNow(this.#fd, headers, left, C.MSG_DONTWAIT);
      if (n < 0 && _errno(libc) === C.EAGAIN) {
        n = await libc.sendmmsg(this.#fd, headers, left, 0);
        // The reason is on the worker thread's errno: ask again here.
        if (n < 0) n = libc.sendmmsgNow(this.#fd, headers, left, 0);
      }
      if (n < 0) {
        this.#queued = 0;
        throw _lastError(libc);
      }
      done += n;
    }
    this.#queued = 0;
  }

  /** Sends what is queued without waiting for room (on close). */
  #flushNow(): void {
    if (this.#queued === 0) return;
    this.#libc.sendmmsgNow(this.#fd, this.#out!.headers, this.#queued, 0);
    this.#queued = 0;
  }

  /**
   * Sends what is queued and closes the socket; a pending receive rejects.
   * A second call does nothing.
   */
  close(): void {
    if (this.#closed) return;
    try {
      this.#flushNow();
    } finally {
      this.#closed = true;
      if (this.#waiting) {
        // Wakes the receive; it closes the descriptor when it returns.
        this.#libc.shutdown(this.#fd, C.SHUT_RDWR);
      } else {
        this.#libc.close(this.#fd);
      }
    }
  }
}

/**
 * How a datagram to `to` came: `multicast` (224.0.0.0/4), `broadcast` (to
 * 255.255.255.255 or one of `broadcasts`, this host's networks' broadcast
 * addresses) or `unicast`.
 */
export function castOf(
  to: string,
  broadcasts: readonly string[],
): "multicast" | "broadcast" | "unicast" {
  if (isMulticastIpv4(to)) return "multicast";
  if (to === "255.255.255.255" || broadcasts.includes(to)) return "broadcast";
  return "unicast";
}

/** `struct mmsghdr`s with their buffers, names and control buffers. */
class Slots {
  readonly headers: Uint8Array;
  #view: DataView;
  #data: Uint8Array<ArrayBuffer>;
  #names: Uint8Array;
  #controls: Uint8Array;
  #size: number;
  #control: number;

  constructor(n: number, size: number, control: number) {
    this.#size = size;
    this.#control = control;
    this.headers = new Uint8Array(n * C.MMSGHDR);
    this.#view = new DataView(this.headers.buffer);
    this.#data = new Uint8Array(n * size);
    this.#names = new Uint8Array(n * C.SOCKADDR_IN);
    this.#controls = new Uint8Array(Math.max(1, n * control));
    const iovecs = new BigUint64Array(n * 2);
    const data = _address(this.#data);
    for (let i = 0; i < n; i++) {
      iovecs[2 * i] = data + BigInt(i * size);
      iovecs[2 * i + 1] = BigInt(size);
    }
    // Kept alive with the headers that point into it; iov_len's low
    // halves (little-endian) through this view.
    this.#lengths = new Uint32Array(iovecs.buffer);
    const iov = _address(new Uint8Array(iovecs.buffer));
    const names = _address(this.#names);
    const controls = _address(this.#controls);
    for (let i = 0; i < n; i++) {
      const at = i * C.MMSGHDR;
      this.#view.setBigUint64(at, names + BigInt(i * C.SOCKADDR_IN), true);
      this.#view.setUint32(at + 8, C.SOCKADDR_IN, true);
      this.#view.setBigUint64(at + 16, iov + BigInt(i * 16), true);
      this.#view.setBigUint64(at + 24, 1n, true);
      if (control > 0) {
        this.#view.setBigUint64(at + 32, controls + BigInt(i * control), true);
      }
    }
  }

  #lengths: Uint32Array;

  /** Restores the lengths the kernel overwrites, before a receive. */
  reset(n: number): void {
    for (let i = 0; i < n; i++) {
      const at = i * C.MMSGHDR;
      this.#view.setUint32(at + 8, C.SOCKADDR_IN, true);
      this.#view.setBigUint64(at + 40, BigInt(this.#control), true);
    }
  }

  /** Bytes received in slot `i`. */
  length(i: number): number {
    return this.#view.getUint32(i * C.MMSGHDR + 56, true);
  }

  /** Copies `data` into slot `i`, to be sent (its length with it). */
  put(i: number, data: Uint8Array): void {
    this.#data.set(data, i * this.#size);
    // iov_len's low half (little-endian): no BigInt per datagram.
    this.#lengths[4 * i + 2] = data.length;
  }

  /** Sets every slot's address to `name`. */
  setNames(name: Uint8Array): void {
    for (let i = 0; i < this.#names.length; i += C.SOCKADDR_IN) {
      this.#names.set(name, i);
    }
  }

  data(i: number, length: number): Uint8Array<ArrayBuffer> {
    const at = i * this.#size;
    return this.#data.subarray(at, at + length);
  }

  name(i: number): Uint8Array {
    const at = i * C.SOCKADDR_IN;
    return this.#names.subarray(at, at + C.SOCKADDR_IN);
  }

  /** The control messages the kernel wrote for slot `i`. */
  control(i: number): Uint8Array {
    const used = Number(this.#view.getBigUint64(i * C.MMSGHDR + 40, true));
    const at = i * this.#control;
    return this.#controls.subarray(at, at + Math.min(used, this.#control));
  }
}

/** TTL and destination from a datagram's control messages. */
function parseControl(control: Uint8Array): Delivery {
  const view = new DataView(control.buffer, control.byteOffset, control.length);
  const delivery: Delivery = {};
  for (let at = 0; at + 16 <= control.length;) {
    const length = Number(view.getBigUint64(at, true));
    const level = view.getInt32(at + 8, true);
    const type = view.getInt32(at + 12, true);
    if (length < 16) break;
    if (level === C.IPPROTO_IP && type === C.IP_TTL) {
      delivery.ttl = view.getInt32(at + 16, true);
    } else if (level === C.IPPROTO_IP && type === C.IP_PKTINFO) {
      // struct in_pktinfo: ifindex, spec_dst, addr (the header's destination).
      delivery.to = ipv4Of(control, at + 24);
    }
    at += (length + 7) & ~7;
  }
  return delivery;
}

function ipv4Of(bytes: Uint8Array, at: number): string {
  return `${bytes[at]}.${bytes[at + 1]}.${bytes[at + 2]}.${bytes[at + 3]}`;
}

function addrOf(name: Uint8Array): Deno.NetAddr {
  return {
    transport: "udp",
    hostname: ipv4Of(name, 4),
    port: (name[2] << 8) | name[3],
  };
}

function setInt(
  libc: Libc,
  fd: number,
  level: number,
  name: number,
  value: number,
): void {
  setBytes(
    libc,
    fd,
    level,
    name,
    new Uint8Array(new Int32Array([value]).buffer),
  );
}

function setBytes(
  libc: Libc,
  fd: number,
  level: number,
  name: number,
  value: Uint8Array,
): void {
  if (libc.setsockopt(fd, level, name, value, value.length) !== 0) {
    throw _lastError(libc);
  }
}

function failure(libc: Libc, doing: { en: string; id: string }): RuntimeError {
  return new RuntimeError(errorText(_lastError(libc), { doing }));
}
