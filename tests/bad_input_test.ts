import assert from "node:assert/strict";
import { runRole } from "./_harness.ts";
import { startSharedReceivers, summaryOf } from "./_udp.ts";

/** [role, args, what the one line must say] */
type Case = [string, string[], RegExp];

/** Runs every case: exit 2, exactly one line on stderr, nothing on stdout. */
async function expectUsageErrors(cases: Case[]): Promise<void> {
  await Promise.all(cases.map(async ([role, args, message]) => {
    const { code, stdout, stderr } = await runRole(role, args);
    const what = `${role} ${args.join(" ")}`;
    assert.equal(code, 2, `${what}: exit ${code}, stderr ${stderr}`);
    assert.equal(stderr.trimEnd().split("\n").length, 1, `${what}: ${stderr}`);
    assert.match(stderr, new RegExp(`^${role}: error: `), what);
    assert.match(stderr, message, what);
    assert.equal(stdout, "", `${what} printed: ${stdout}`);
  }));
}

Deno.test("bad flags, ports, addresses and languages: exit 2, one line", async () => {
  await expectUsageErrors([
    ["udp-client", ["--bogus"], /unknown flag --bogus/],
    ["udp-client", ["--port", "0"], /--port: expected a port from 1 to 65535/],
    ["udp-client", ["--port", "70000"], /got "70000"/],
    ["udp-client", ["--host", "300.1.1.1"], /--host: expected an IPv4/],
    ["udp-client", ["--timeout", "soon"], /--timeout: expected a number/],
    ["udp-client", ["127.0.0.1"], /unexpected argument "127\.0\.0\.1"/],
    ["udp-client", ["--lang", "fr"], /--lang: expected "en" or "id"/],
    ["udp-server", ["--bind", "1.2.3"], /--bind: expected an IPv4/],
    [
      "broadcast-receiver",
      ["--port", "-1"],
      /--port: a value starting with "-"/,
    ],
    ["broadcast-receiver", ["--port=-1"], /--port: expected a port/],
    ["broadcast-receiver", ["--bind", "999.0.0.1"], /--bind: expected/],
    ["broadcast-receiver", ["--count", "x"], /--count: expected a whole/],
    [
      "broadcast-receiver",
      ["--duration=-2"],
      /--duration: expected a number of at least 0/,
    ],
    ["broadcast-receiver", ["--port"], /--port needs a value/],
    [
      "multicast-receiver",
      ["--group", "10.0.0.1"],
      /--group: expected a multicast group/,
    ],
    [
      "multicast-receiver",
      ["--interface", "1.2.3.4.5"],
      /--interface: expected/,
    ],
    ["multicast-receiver", ["--port", "99999"], /--port: expected a port/],
  ]);
});

Deno.test("broadcast-sender with a bad flag exits 2 and sends nothing", async () => {
  const { procs, port } = await startSharedReceivers("broadcast-receiver", 1, [
    "--quiet",
  ]);
  const loopback = [
    "--bind",
    "127.0.0.1",
    "--to",
    "127.255.255.255",
    "--port",
    String(port),
  ];
  await expectUsageErrors([
    ["broadcast-sender", ["--to", "127.255.255.256"], /--to: expected an IPv4/],
    ["broadcast-sender", [...loopback, "--port", "65536"], /--port: expected/],
    ["broadcast-sender", [...loopback, "--bind", "lo"], /--bind: expected/],
    ["broadcast-sender", [...loopback, "--count", "0"], /--count: expected/],
    [
      "broadcast-sender",
      [...loopback, "--interval=-1"],
      /--interval: expected/,
    ],
    ["broadcast-sender", [...loopback, "--message"], /--message needs a value/],
    ["broadcast-sender", [...loopback, "--quiet=yes"], /--quiet/],
  ]);
  procs[0].kill("SIGTERM");
  assert.equal((await procs[0].finished()).code, 0);
  assert.equal(summaryOf(procs[0]).received, 0);
});

Deno.test("multicast-sender with a group outside 224/4 or a TTL outside 0-255 exits 2 and sends nothing", async () => {
  const { procs, port } = await startSharedReceivers("multicast-receiver", 1, [
    "--interface",
    "127.0.0.1",
    "--quiet",
  ]);
  const loopback = [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--message",
    "x",
  ];
  await expectUsageErrors([
    [
      "multicast-sender",
      [...loopback, "--group", "223.255.255.255"],
      /--group: expected a multicast group/,
    ],
    [
      "multicast-sender",
      [...loopback, "--group", "240.0.0.1"],
      /got "240\.0\.0\.1"/,
    ],
    [
      "multicast-sender",
      [...loopback, "--group", "224.1.1"],
      /--group: expected/,
    ],
    [
      "multicast-sender",
      [...loopback, "--ttl", "256"],
      /--ttl: expected a whole number from 0 to 255/,
    ],
    ["multicast-sender", [...loopback, "--ttl=-1"], /--ttl: expected/],
    ["multicast-sender", [...loopback, "--count=-5"], /--count: expected/],
    ["multicast-sender", [...loopback, "--port", "0"], /--port: expected/],
  ]);
  procs[0].kill("SIGTERM");
  assert.equal((await procs[0].finished()).code, 0);
  assert.equal(summaryOf(procs[0]).received, 0);
});

Deno.test("a --message larger than a UDP datagram: exit 2, one line, nothing sent", async () => {
  const huge = "x".repeat(65_508);
  await expectUsageErrors([
    ["udp-client", ["--message", huge], /--message: 65508 bytes/],
    [
      "broadcast-sender",
      ["--bind", "127.0.0.1", "--to", "127.255.255.255", "--message", huge],
      /--message: 65508 bytes/,
    ],
    [
      "multicast-sender",
      ["--bind", "127.0.0.1", "--message", huge],
      /--message: .*65508/,
    ],
  ]);
});

Deno.test("a port already in use, or an address not on this host: exit 1, one line", async () => {
  // Bound without SO_REUSEADDR, so nobody may share the port.
  const taken = Deno.listenDatagram({
    transport: "udp",
    hostname: "0.0.0.0",
    port: 0,
  });
  const port = String((taken.addr as Deno.NetAddr).port);
  try {
    const cases: Case[] = [
      ["broadcast-receiver", ["--port", port], /address already in use/],
      [
        "multicast-receiver",
        ["--port", port, "--interface", "127.0.0.1"],
        /address already in use/,
      ],
      ["udp-server", ["--port", port], /address already in use/],
      // 192.0.2.0/24 is reserved for documentation: never on this host.
      [
        "broadcast-sender",
        ["--bind", "192.0.2.1", "--to", "127.255.255.255", "--count", "1"],
        /binding udp 192\.0\.2\.1:0: address not available/,
      ],
      [
        "multicast-receiver",
        ["--port", "0", "--interface", "192.0.2.1"],
        /joining 224\.1\.1\.1 on 192\.0\.2\.1: no interface of this host has the address 192\.0\.2\.1 \(check --interface\)$/m,
      ],
    ];
    await Promise.all(cases.map(async ([role, args, message]) => {
      const { code, stderr } = await runRole(role, args);
      const what = `${role} ${args.join(" ")}`;
      assert.equal(code, 1, `${what}: exit ${code}, stderr ${stderr}`);
      assert.equal(stderr.trimEnd().split("\n").length, 1, what);
      assert.match(stderr, message, `${what}: ${stderr}`);
    }));
  } finally {
    taken.close();
  }
});
