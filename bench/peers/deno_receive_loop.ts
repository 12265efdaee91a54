/**
 * Benchmark baseline, not a role: the least a Deno program can do to
 * receive, one `Deno.DatagramConn.receive` into a reused buffer each, with
 * nothing else (no printing, no sequence numbers). Shows how much of
 * broadcast-receiver's time is Deno's own receive. Stops on SIGTERM.
 *
 *   deno run --unstable-net --allow-net deno_receive_loop.ts PORT
 *
 * @module
 */

const conn = Deno.listenDatagram({
  transport: "udp",
  hostname: "0.0.0.0",
  port: Number(Deno.args[0]),
  reuseAddress: true,
});
Deno.addSignalListener("SIGTERM", () => conn.close());
const buffer = new Uint8Array(65508);
let received = 0;
try {
  while (true) {
    await conn.receive(buffer);
    received++;
  }
} catch {
  // closed by SIGTERM
}
console.log(`summary: ${received} datagrams received`);
Deno.exit(0);
