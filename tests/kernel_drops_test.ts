import assert from "node:assert/strict";
import { commandSucceeds, startListening } from "./_harness.ts";
import { sendRaw, summaryOf } from "./_udp.ts";
import { parseSsDrops } from "../lib/udp/kernel_drops.ts";
import { formatKernelDrops } from "../lib/udp/receiver.ts";

const IS_LINUX = Deno.build.os === "linux";
const HAS_SS = IS_LINUX && await commandSucceeds("ss", ["-V"]);

/** The `drops` column of `/proc/net/udp` for the socket on 127.0.0.1:`port`. */
async function procDrops(port: number): Promise<number> {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const table = await Deno.readTextFile("/proc/net/udp");
  const row = table.split("\n").map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1] === local);
  if (!row) throw new Error(`no socket on ${local} in /proc/net/udp`);
  return Number(row.at(-1));
}

Deno.test("parseSsDrops picks this process's socket among those sharing the port", () => {
  const output = [
    'UNCONN 0 0 0.0.0.0:5005 0.0.0.0:* users:(("python3",pid=41,fd=3)) skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d17)',
    'UNCONN 0 0 0.0.0.0:5005 0.0.0.0:* users:(("deno",pid=4242,fd=12)) skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d3)',
    "",
  ].join("\n");
  assert.equal(parseSsDrops(output, 4242), 3);
  assert.equal(parseSsDrops(output, 41), 17);
  assert.equal(parseSsDrops(output, 424), undefined);
  assert.equal(parseSsDrops("", 4242), undefined);
});

Deno.test({
  name:
    "a stopped receiver overflows: kernelDrops counts what the kernel dropped, and received + kernelDrops == sent",
  ignore: !HAS_SS,
  async fn() {
    const { proc, port } = await startListening("broadcast-receiver", [
      "--bind",
      "127.0.0.1",
      "--quiet",
      "--duration",
      "20",
    ]);
    const sent = 2000;
    const datagrams = Array.from(
      { length: sent },
      (_, i) => new TextEncoder().encode(` BROADCAST ini angka ${i + 1} `),
    );
    // Frozen, it reads nothing: its buffer (~256 small datagrams) overflows.
    Deno.kill(proc.pid, "SIGSTOP");
    try {
      await sendRaw(port, datagrams);
    } finally {
      Deno.kill(proc.pid, "SIGCONT");
    }
    const dropped = await procDrops(port);
    assert.ok(dropped > 0, "the kernel dropped some");
    // Let it drain its buffer, then stop it.
    await new Promise((resolve) => setTimeout(resolve, 500));
    proc.kill("SIGTERM");
    const { code } = await proc.finished();
    assert.equal(code, 0, proc.stderr);
    const summary = summaryOf(proc);
    assert.equal(summary.kernelDrops, dropped);
    assert.equal((summary.received as number) + dropped, sent);
    // The buffer kept the first ones; the rest never reached the receiver,
    // which cannot tell from the numbers alone (they come after its last).
    assert.equal(summary.lastSeq, summary.received);
  },
});

Deno.test("the summary's line on the kernel's drops, in English and Indonesian", () => {
  assert.equal(
    formatKernelDrops(3, "en"),
    "dropped by the kernel (receive buffer full): 3",
  );
  assert.equal(
    formatKernelDrops(0, "id"),
    "dibuang kernel (buffer penerimaan penuh): 0",
  );
  assert.equal(
    formatKernelDrops(undefined, "en"),
    "dropped by the kernel (receive buffer full): not available",
  );
  assert.equal(
    formatKernelDrops(undefined, "id"),
    "dibuang kernel (buffer penerimaan penuh): tidak tersedia",
  );
});

Deno.test({
  name: "udp-server's summary has kernelDrops",
  ignore: !HAS_SS,
  async fn() {
    const { proc, port } = await startListening("udp-server", [
      "--bind",
      "127.0.0.1",
      "--count",
      "1",
    ]);
    await sendRaw(port, [new TextEncoder().encode("hi")]);
    const { code } = await proc.finished();
    assert.equal(code, 0, proc.stderr);
    assert.equal(summaryOf(proc).kernelDrops, 0);
  },
});
