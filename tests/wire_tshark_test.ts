// The wire reader against tshark on real captures: two namespaces of our
// own (a veth pair; 802.1Q frames written raw on it), every kind of traffic between them, taken
// by tcpdump (pcap, µs and ns, snaplen-cut, Linux cooked v1 and v2) and
// dumpcap (pcapng with two interfaces and statistics), and converted by
// editcap. For each file, the counts per kind equal tshark's -Y counts and
// every frame's fields equal tshark's -T fields.

import assert from "node:assert/strict";
import { commandSucceeds } from "./_harness.ts";
import {
  assertSameFields,
  HAVE_TSHARK,
  ourCounts,
  ourFieldRows,
  tsharkCounts,
  tsharkFields,
} from "./_tshark.ts";
import { readCapture } from "../lib/wire/mod.ts";

const TRAFFIC = new URL("./_wire_traffic.py", import.meta.url).pathname;
const CAN = Deno.uid() === 0 && HAVE_TSHARK &&
  await commandSucceeds("ip", ["netns", "list"]) &&
  await commandSucceeds("tcpdump", ["--version"]) &&
  await commandSucceeds("dumpcap", ["-v"]) &&
  await commandSucceeds("python3", ["-c", "import socket"]);
if (!CAN) {
  console.log("skipped: needs root, ip, tshark, tcpdump, dumpcap and python3");
}

const tag = `pj_w${(Deno.pid % 100000).toString(36)}`;
const A = `${tag}_a`;
const B = `${tag}_b`;

async function run(args: string[], input?: string): Promise<string> {
  const child = new Deno.Command(args[0], {
    args: args.slice(1),
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

const inNs = (
  ns: string,
  ...command: string[]
) => ["ip", "netns", "exec", ns, ...command];

/** A capture tool started in B, running once it has said so on stderr. */
async function startCapture(
  args: string[],
  ready: RegExp,
): Promise<{ stop(): Promise<string> }> {
  const child = new Deno.Command("ip", {
    args: ["netns", "exec", B, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.getReader();
  let text = "";
  const deadline = Date.now() + 10_000;
  while (!ready.test(text)) {
    if (Date.now() > deadline) {
      throw new Error(`${args[0]} did not start: ${text}`);
    }
    const { done, value } = await reader.read();
    if (done) throw new Error(`${args[0]} ended: ${text}`);
    text += new TextDecoder().decode(value);
  }
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(value);
    }
  })();
  return {
    async stop() {
      child.kill("SIGINT");
      await child.status;
      await rest;
      return text;
    },
  };
}

async function setUp(): Promise<void> {
  await run(
    ["ip", "-batch", "-"],
    [
      `netns add ${A}`,
      `netns add ${B}`,
      `link add name eth0 netns ${A} type veth peer name eth0 netns ${B}`,
    ].join("\n") + "\n",
  );
  for (const [ns, n] of [[A, 1], [B, 2]] as const) {
    await run(
      ["ip", "-n", ns, "-batch", "-"],
      [
        "link set lo up",
        `addr add 10.9.0.${n}/24 broadcast 10.9.0.255 dev eth0`,
        "link set eth0 up",
        "route add 224.0.0.0/4 dev eth0",
      ].join("\n") + "\n",
    );
  }
  // 255.255.255.255 needs a route; it stays on this veth.
  await run(["ip", "-n", A, "route", "add", "default", "dev", "eth0"]);
}

async function tearDown(): Promise<void> {
  for (const ns of [A, B]) {
    await new Deno.Command("ip", { args: ["netns", "del", ns], stderr: "null" })
      .output();
  }
}

async function traffic(): Promise<void> {
  const py = (ns: string, ...args: string[]) =>
    run(inNs(ns, "python3", TRAFFIC, ...args));
  const join = py(B, "join", "224.1.1.1", "2.5");
  await new Promise((r) => setTimeout(r, 400));
  await py(A, "send", "224.1.1.1", "5004", "5", "40");
  await py(A, "send", "224.1.1.1", "5004", "1", "3000");
  await py(A, "send", "10.9.0.255", "5005", "5", "23");
  await py(A, "send", "255.255.255.255", "5005", "2", "23");
  await py(A, "send", "10.9.0.2", "5006", "3", "23");
  await py(A, "send", "10.9.0.2", "5006", "1", "3000");
  // Tagged frames, written raw (a VLAN device needs a kernel module).
  await py(A, "vlan", "eth0", "2");
  // Something on B's loopback, for dumpcap's second interface.
  await py(B, "send", "127.0.0.1", "5007", "1", "10");
  const server = new Deno.Command("ip", {
    args: inNs(B, "python3", TRAFFIC, "tcp-server", "8080").slice(1),
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = server.stdout.getReader();
  await lines.read();
  await py(A, "tcp-client", "10.9.0.2", "8080");
  await server.status;
  lines.releaseLock();
  await join;
}

Deno.test({
  name:
    "wire: on real captures (pcap µs/ns, snaplen-cut, SLL, SLL2, pcapng by dumpcap and editcap) counts and fields equal tshark's",
  ignore: !CAN,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "wire_tshark_" });
    await tearDown();
    try {
      await setUp();
      const captures = [
        await startCapture([
          "tcpdump",
          "-i",
          "eth0",
          "-w",
          `${dir}/eth0.pcap`,
          "-U",
          "--immediate-mode",
        ], /listening on/),
        await startCapture([
          "tcpdump",
          "-i",
          "eth0",
          "-s",
          "80",
          "--time-stamp-precision=nano",
          "-w",
          `${dir}/cut_ns.pcap`,
          "-U",
          "--immediate-mode",
        ], /listening on/),
        await startCapture([
          "tcpdump",
          "-i",
          "any",
          "-y",
          "LINUX_SLL",
          "-w",
          `${dir}/any_sll.pcap`,
          "-U",
          "--immediate-mode",
        ], /listening on/),
        await startCapture([
          "tcpdump",
          "-i",
          "any",
          "-y",
          "LINUX_SLL2",
          "-w",
          `${dir}/any_sll2.pcap`,
          "-U",
          "--immediate-mode",
        ], /listening on/),
        await startCapture([
          "dumpcap",
          "-i",
          "eth0",
          "-i",
          "lo",
          "-w",
          `${dir}/dumpcap.pcapng`,
        ], /Capturing on/),
      ];
      // IPv6 says hello when links come up; those frames are wanted too ("other").
      await traffic();
      await new Promise((r) => setTimeout(r, 300));
      for (const capture of captures) await capture.stop();
      await run([
        "editcap",
        "-F",
        "pcapng",
        `${dir}/eth0.pcap`,
        `${dir}/editcap.pcapng`,
      ]);
      await run([
        "editcap",
        "-F",
        "nsecpcap",
        `${dir}/eth0.pcap`,
        `${dir}/editcap_ns.pcap`,
      ]);

      for (
        const name of [
          "eth0.pcap",
          "cut_ns.pcap",
          "any_sll.pcap",
          "any_sll2.pcap",
          "dumpcap.pcapng",
          "editcap.pcapng",
          "editcap_ns.pcap",
        ]
      ) {
        const path = `${dir}/${name}`;
        const ours = await ourCounts(path);
        assert.deepEqual(
          ours,
          await tsharkCounts(path),
          `${name}: counts per kind`,
        );
        for (
          const kind of [
            "arp",
            "igmp",
            "udp-broadcast",
            "udp-multicast",
            "udp-unicast",
            "tcp",
            "other",
          ] as const
        ) {
          assert.ok(ours[kind] > 0, `${name}: no ${kind} frames`);
        }
        assertSameFields(
          await ourFieldRows(path),
          await tsharkFields(path),
          name,
        );
      }

      const reader = readCapture(`${dir}/dumpcap.pcapng`);
      const seen = new Set<string>();
      for await (const frame of reader) seen.add(frame.interface.name ?? "");
      assert.deepEqual([...seen].sort(), ["eth0", "lo"]);
      assert.deepEqual(reader.interfaces.map((i) => i.name), ["eth0", "lo"]);
      assert.ok(
        reader.statistics.some((s) =>
          s.interface.name === "eth0" && s.dropped === 0n
        ),
      );
      const cut: boolean[] = [];
      for await (const frame of readCapture(`${dir}/cut_ns.pcap`)) {
        cut.push(frame.cut);
      }
      assert.ok(cut.some((c) => c), "the 80-byte snaplen cut some frames");
    } finally {
      await tearDown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
