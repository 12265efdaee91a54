/**
 * Benchmark baseline, not a role: the least a Deno program can do to send
 * the lab's numbered payloads, one `Deno.DatagramConn.send` each with
 * nothing else (no printing, no counting). Shows how much of
 * broadcast-sender's time is Deno's own send.
 *
 *   deno run --unstable-net --allow-net deno_send_loop.ts ADDR PORT COUNT [BIND]
 *
 * @module
 */

const [to, port, count, bind = "127.0.0.1"] = Deno.args;
const conn = Deno.listenDatagram({ transport: "udp", hostname: bind, port: 0 });
const target: Deno.NetAddr = {
  transport: "udp",
  hostname: to,
  port: Number(port),
};
const encoder = new TextEncoder();
const scratch = new Uint8Array(64);
const total = Number(count);
const start = performance.now();
for (let n = 1; n <= total; n++) {
  const { written } = encoder.encodeInto(` BROADCAST ini angka ${n} `, scratch);
  await conn.send(scratch.subarray(0, written), target);
}
const seconds = (performance.now() - start) / 1000;
console.error(`sent ${total} in ${seconds.toFixed(6)} s`);
conn.close();
