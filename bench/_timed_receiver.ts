/**
 * Benchmark-only: runs the real broadcast-receiver (cmd/broadcast_receiver.ts,
 * same flags) with a clock on every receive, for `bench/udp_stall.ts`. It
 * wraps `Deno.listenDatagram` so each datagram's arrival time (in the
 * loop) and number are kept, samples the main thread's `schedstat` (time
 * run, time waiting for a CPU) every 64 datagrams, and on exit writes
 * them as JSON to `$STALL_TRACE`. With `--v8-flags=--trace-gc`, one
 * collection at start (`gc`, needs `--expose-gc`) ties V8's clock to ours.
 *
 * @module
 */

import { main } from "../cmd/broadcast_receiver.ts";

const MAX = 1_000_000;
const times = new Float64Array(MAX);
const seqs = new Int32Array(MAX);
/** [performance.now(), ns run, ns waiting for a CPU] of the main thread. */
const sched: number[][] = [];
const SCHEDSTAT = `/proc/${Deno.pid}/task/${Deno.pid}/schedstat`;
const PREFIX = " BROADCAST ini angka ".length;
let n = 0;

function sample(): void {
  const [run, wait] = Deno.readTextFileSync(SCHEDSTAT).split(" ").map(Number);
  sched.push([performance.now(), run, wait]);
}

const { gc } = globalThis as { gc?: () => void };
const gcMark = performance.now();
gc?.();

const listen = Deno.listenDatagram;
Object.assign(Deno, {
  listenDatagram(options: Deno.UdpListenOptions & { transport: "udp" }) {
    const conn = listen(options);
    const receive = conn.receive.bind(conn);
    return Object.assign(conn, {
      async receive(buffer?: Uint8Array) {
        const got = await receive(buffer);
        if (n < MAX) {
          times[n] = performance.now();
          let seq = 0;
          for (let i = PREFIX; i < got[0].length - 1; i++) {
            seq = seq * 10 + got[0][i] - 0x30;
          }
          seqs[n] = seq;
          if (n % 64 === 0) sample();
          n++;
        }
        return got;
      },
    });
  },
});

const code = await main(Deno.args);
sample();
Deno.writeTextFileSync(
  Deno.env.get("STALL_TRACE")!,
  JSON.stringify({
    gcMark,
    times: Array.from(times.subarray(0, n)),
    seqs: Array.from(seqs.subarray(0, n)),
    sched,
  }),
);
Deno.exit(code);
