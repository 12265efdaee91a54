/**
 * Benchmark-only: capturing in Deno, the alternative to tcpdump that
 * `bench/capture_bench.ts` measures against it. Run in a host's namespace
 * (`ip netns exec NS deno run --allow-ffi --allow-write bench/_deno_capture.ts
 * eth0 FILE`), it opens a packet socket (AF_PACKET, every protocol) on the
 * interface through FFI, reads frames 64 at a time with recvmmsg on a
 * worker thread (kernel time stamps, SO_TIMESTAMPNS), writes each batch to
 * a nanosecond pcap, and on SIGINT prints what tcpdump prints: frames
 * captured, and frames the kernel dropped (PACKET_STATISTICS). Linux on
 * 64-bit machines only (the structures' layouts are that ABI's).
 *
 * @module
 */

const [iface, path] = Deno.args;
if (!iface || !path) {
  console.error("usage: _deno_capture.ts IFACE FILE");
  Deno.exit(2);
}

const libc = Deno.dlopen("libc.so.6", {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  setsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
  },
  getsockopt: {
    parameters: ["i32", "i32", "i32", "buffer", "buffer"],
    result: "i32",
  },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  recvmmsg: {
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
    nonblocking: true,
  },
}).symbols;

const AF_PACKET = 17, SOCK_RAW = 3, ETH_P_ALL_BE = 0x0300;
const SOL_SOCKET = 1, SO_RCVBUF = 8, SO_RCVTIMEO = 20, SO_TIMESTAMPNS = 35;
const SOL_PACKET = 263, PACKET_STATISTICS = 6;
const BATCH = 64, SNAP = 2048, CONTROL = 64;

const fd = libc.socket(AF_PACKET, SOCK_RAW, ETH_P_ALL_BE);
if (fd < 0) throw new Error("socket(AF_PACKET) failed (root?)");
const int = (n: number) => new Uint8Array(new Int32Array([n]).buffer);
libc.setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, int(1), 4);
// The same kernel buffer as tcpdump -B 8192.
libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, int(8 * 1024 * 1024), 4);
// recvmmsg wakes up every 100 ms, so SIGINT is seen.
const timeout = new BigInt64Array([0n, 100_000n]);
libc.setsockopt(
  fd,
  SOL_SOCKET,
  SO_RCVTIMEO,
  new Uint8Array(timeout.buffer),
  16,
);
const index = libc.if_nametoindex(new TextEncoder().encode(iface + "\0"));
const sll = new DataView(new ArrayBuffer(20));
sll.setUint16(0, AF_PACKET, true);
sll.setUint16(2, ETH_P_ALL_BE, true);
sll.setInt32(4, index, true);
if (libc.bind(fd, new Uint8Array(sll.buffer), 20) !== 0) {
  throw new Error(`bind ${iface} failed`);
}

// mmsghdr[BATCH] (64 bytes each), each with one iovec and a control area.
const data = new Uint8Array(BATCH * SNAP);
const control = new Uint8Array(BATCH * CONTROL);
const iovecs = new BigUint64Array(BATCH * 2);
const headers = new Uint8Array(BATCH * 64);
const hv = new DataView(headers.buffer);
const pointer = (a: Uint8Array | BigUint64Array, offset = 0) =>
  BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(a))) + BigInt(offset);
for (let i = 0; i < BATCH; i++) {
  iovecs[i * 2] = pointer(data, i * SNAP);
  iovecs[i * 2 + 1] = BigInt(SNAP);
}
function reset(): void {
  headers.fill(0);
  for (let i = 0; i < BATCH; i++) {
    const at = i * 64;
    hv.setBigUint64(at + 16, pointer(iovecs, i * 16), true);
    hv.setBigUint64(at + 24, 1n, true);
    hv.setBigUint64(at + 32, pointer(control, i * CONTROL), true);
    hv.setBigUint64(at + 40, BigInt(CONTROL), true);
  }
}

using file = Deno.openSync(path, { write: true, create: true, truncate: true });
const header = new DataView(new ArrayBuffer(24));
header.setUint32(0, 0xa1b23c4d, true);
header.setUint16(4, 2, true);
header.setUint16(6, 4, true);
header.setUint32(16, SNAP, true);
header.setUint32(20, 1, true);
file.writeSync(new Uint8Array(header.buffer));

let stop = false;
Deno.addSignalListener("SIGINT", () => stop = true);
Deno.addSignalListener("SIGTERM", () => stop = true);
let captured = 0;
const out = new Uint8Array(BATCH * (SNAP + 16));
const ov = new DataView(out.buffer);
const cv = new DataView(control.buffer);
while (!stop) {
  reset();
  // MSG_WAITFORONE | MSG_TRUNC (the frame's own length, not what was kept).
  const n = await libc.recvmmsg(fd, headers, BATCH, 0x10000 | 0x20, null);
  if (n <= 0) continue;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const length = hv.getUint32(i * 64 + 56, true);
    const kept = Math.min(length, SNAP);
    // The first control message: SCM_TIMESTAMPNS, a struct timespec.
    const seconds = Number(cv.getBigInt64(i * CONTROL + 16, true));
    const nanos = Number(cv.getBigInt64(i * CONTROL + 24, true));
    ov.setUint32(at, seconds, true);
    ov.setUint32(at + 4, nanos, true);
    ov.setUint32(at + 8, kept, true);
    ov.setUint32(at + 12, length, true);
    out.set(data.subarray(i * SNAP, i * SNAP + kept), at + 16);
    at += 16 + kept;
  }
  file.writeSync(out.subarray(0, at));
  captured += n;
}
const stats = new Uint32Array(2);
libc.getsockopt(
  fd,
  SOL_PACKET,
  PACKET_STATISTICS,
  new Uint8Array(stats.buffer),
  new Uint8Array(new Uint32Array([8]).buffer),
);
console.error(`${captured} packets captured`);
console.error(`${stats[0]} packets received by filter`);
console.error(`${stats[1]} packets dropped by kernel`);
