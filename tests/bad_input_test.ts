import assert from "node:assert/strict";
import {
  commandSucceeds,
  roleCommand,
  runRole,
  spawn,
  startRole,
} from "./_harness.ts";
import { HAS_TMUX, shellQuote, Terminal } from "./_pty.ts";
import {
  freePort,
  loopbackBroadcast,
  startSharedReceivers,
  summaryOf,
} from "./_udp.ts";

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
      /--port: expected a port from 0 to 65535, got "-1"/,
    ],
    [
      "broadcast-receiver",
      ["--message", "-x"],
      /unknown flag --message \(see --help\)/,
    ],
    [
      "broadcast-sender",
      ["--message", "-x"],
      /--message: a value starting with "-" must be written --message=VALUE/,
    ],
    ["broadcast-receiver", ["--port=-1"], /--port: expected a port/],
    ["broadcast-receiver", ["--bind", "999.0.0.1"], /--bind: expected/],
    [
      "broadcast-receiver",
      ["--count", "x"],
      /--count: must be a positive whole number/,
    ],
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
  const loopback = loopbackBroadcast(port);
  await expectUsageErrors([
    ["broadcast-sender", ["--to", "127.255.255.256"], /--to: expected an IPv4/],
    ["broadcast-sender", [...loopback, "--port", "65536"], /--port: expected/],
    ["broadcast-sender", [...loopback, "--bind", "lo"], /--bind: expected/],
    [
      "broadcast-sender",
      [...loopback, "--count", "0"],
      /--count: must be a positive whole number/,
    ],
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
    [
      "multicast-sender",
      [...loopback, "--count=-5"],
      /--count: must be a positive whole number/,
    ],
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

Deno.test("a mistyped flag gets the flag it was probably meant to be", async () => {
  await expectUsageErrors([
    [
      "udp-client",
      ["--prot", "5"],
      /^udp-client: error: unknown flag --prot \(did you mean --port\?\)$/m,
    ],
    [
      "udp-server",
      ["--cuont=3"],
      /unknown flag --cuont \(did you mean --count\?\)/,
    ],
    ["multicast-sender", ["--grop", "224.1.1.1"], /did you mean --group\?/],
    ["broadcast-receiver", ["--quite"], /did you mean --quiet\?/],
    // Nothing close: the pointer to --help, no guess.
    ["udp-client", ["--xyz"], /unknown flag --xyz \(see --help\)$/m],
  ]);
});

Deno.test("a negative or zero count says it must be a positive whole number", async () => {
  const positive =
    /--count: must be a positive whole number \(1, 2, 3, …\), got "-3"$/m;
  await expectUsageErrors([
    ["broadcast-receiver", ["--count", "-3"], positive],
    ["broadcast-receiver", ["-c", "-3"], positive],
    ["udp-server", ["--count=-3"], positive],
    ["multicast-receiver", ["--count", "0"], /must be a positive whole number/],
    [
      "broadcast-sender",
      ["--to", "127.255.255.255", "--count", "-3"],
      positive,
    ],
    // Other ranges keep saying the range.
    [
      "multicast-sender",
      ["--ttl", "-1"],
      /--ttl: expected a whole number from 0 to 255, got "-1"/,
    ],
  ]);
});

Deno.test("broadcast-receiver bound to the host's own address says at start that no broadcast will come, and names the fix", async () => {
  const { procs: [open], port } = await startSharedReceivers(
    "broadcast-receiver",
    1,
    ["--quiet"],
  );
  const own = startRole("broadcast-receiver", [
    "--json",
    "--quiet",
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--duration",
    "20",
  ]);
  await own.waitForRecord("listening");
  const sent = await runRole("broadcast-sender", [
    ...loopbackBroadcast(port),
    "--count",
    "3",
    "--interval",
    "20",
    "--quiet",
  ]);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(sent.stderr, "", "a broadcast address: no note");
  await new Promise((resolve) => setTimeout(resolve, 300));
  open.kill("SIGTERM");
  own.kill("SIGTERM");
  await Promise.all([open.finished(), own.finished()]);
  // The claim holds: the 0.0.0.0 receiver got all three, this one none.
  assert.equal(summaryOf(open).received, 3);
  assert.equal(summaryOf(own).received, 0);
  assert.equal(
    own.stderr,
    "broadcast-receiver: note: 127.0.0.1 is this host's own address on lo, and broadcasts (to 127.255.255.255) do not reach a socket bound to it; to receive them, leave out --bind (0.0.0.0, every address)\n",
  );
  const id = await runRole("broadcast-receiver", [
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--duration",
    "0.2",
    "--lang",
    "id",
  ]);
  assert.equal(id.code, 0);
  assert.match(
    id.stderr,
    /^broadcast-receiver: catatan: 127\.0\.0\.1 adalah alamat host ini sendiri di lo, .* hilangkan --bind/,
  );
});

Deno.test("broadcast-sender --to one host's address: one line saying it is unicast, naming the subnet's broadcast address", async () => {
  const { procs: [receiver], port } = await startSharedReceivers(
    "broadcast-receiver",
    1,
    ["--quiet"],
  );
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--count", "1"];
  const en = await runRole("broadcast-sender", [...args, "--to", "127.0.0.1"]);
  const id = await runRole("broadcast-sender", [
    ...args,
    "--to",
    "127.0.0.1",
    "--lang",
    "id",
  ]);
  receiver.kill("SIGTERM");
  await receiver.finished();
  assert.equal(en.code, 0);
  assert.equal(
    en.stderr,
    "broadcast-sender: note: 127.0.0.1 is one host's address, so this is unicast to that host only; the broadcast address of 127.0.0.0/8 is 127.255.255.255\n",
  );
  assert.equal(
    id.stderr,
    "broadcast-sender: catatan: 127.0.0.1 adalah alamat satu host, jadi ini unicast ke host itu saja; alamat broadcast 127.0.0.0/8 adalah 127.255.255.255\n",
  );
  // Unicast does arrive, at that one host.
  assert.equal(summaryOf(receiver).received, 2);
});

Deno.test({
  name:
    "multicast-sender in a terminal: lines typed by hand get no datagrams/s rate; a --count run does",
  ignore: !HAS_TMUX,
  async fn() {
    // The command line `deno task multicast-sender …` runs, typed directly.
    const command = roleCommand("multicast-sender", [
      "--bind",
      "127.0.0.1",
      "--port",
      "9",
      "--lang",
      "en",
    ]).map(shellQuote).join(" ");
    const term = await Terminal.start(command);
    try {
      await term.waitFor(/^enter message :$/m);
      await term.type("halo");
      await term.press("Enter");
      await term.waitFor("sent 4 bytes to 224.1.1.1:9");
      await term.type("semua");
      await term.press("Enter");
      await term.waitFor("sent 5 bytes");
      await term.press("C-c");
      const screen = await term.waitFor(/^done: /m);
      assert.equal(await term.exitCode(), 0);
      assert.match(screen, /^done: sent 2 datagrams \(9 bytes\)$/m);
      assert.doesNotMatch(screen, /datagrams\/s/);
    } finally {
      await term.close();
    }
    const flood = await runRole("multicast-sender", [
      "--bind",
      "127.0.0.1",
      "--port",
      "9",
      "--message",
      "x",
      "--count",
      "3",
    ]);
    assert.match(
      flood.stdout,
      /^done: sent 3 datagrams \(3 bytes\) in \d+\.\d{3} s, \d+ datagrams\/s$/m,
    );
  },
});

/** A python3 socket with SO_REUSEPORT on 127.0.0.1:`port`, as the course's receivers. */
function pythonReceiver(port: number) {
  const program = [
    "import socket, sys, time",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)",
    "s.bind(('127.0.0.1', int(sys.argv[1])))",
    "print('bound', flush=True)",
    "time.sleep(20)",
  ].join("\n");
  return spawn("python3", "python3", ["-c", program, String(port)]);
}

Deno.test({
  name:
    "a port held by a Python receiver with SO_REUSEPORT: the error names the cause, ss -ulpn and the way out",
  ignore: !(await commandSucceeds("python3", [
    "-c",
    "import socket; socket.SO_REUSEPORT",
  ])),
  async fn() {
    const port = freePort();
    const python = pythonReceiver(port);
    try {
      await python.waitForLine((line) => line === "bound");
      const cases: [string, string[]][] = [
        ["broadcast-receiver", ["--port", String(port)]],
        ["multicast-receiver", [
          "--port",
          String(port),
          "--interface",
          "127.0.0.1",
        ]],
      ];
      for (const [role, args] of cases) {
        const en = await runRole(role, args);
        assert.equal(en.code, 1, en.stderr);
        assert.equal(en.stderr.trimEnd().split("\n").length, 1, en.stderr);
        assert.match(
          en.stderr,
          new RegExp(
            `^${role}: error: binding udp 0\\.0\\.0\\.0:${port}: address already in use: .*\\(ss -ulpn 'sport = :${port}' shows which\\); the course's Python receivers set SO_REUSEPORT, this one SO_REUSEADDR, .*: set SO_REUSEADDR in the Python program instead, or pick another --port$`,
            "m",
          ),
        );
        const id = await runRole(role, [...args, "--lang", "id"]);
        assert.equal(id.code, 1);
        assert.match(
          id.stderr,
          /galat: mengikat udp .*: alamat sudah dipakai: .*SO_REUSEPORT.*pakai SO_REUSEADDR di program Python, atau pilih --port lain$/m,
        );
      }
    } finally {
      python.kill("SIGTERM");
      await python.finished();
    }
    // The other order fails too, in the Python program: the README says so.
    const ours = startRole("broadcast-receiver", [
      "--json",
      "--port",
      String(port),
      "--duration",
      "20",
    ]);
    await ours.waitForRecord("listening");
    const late = pythonReceiver(port);
    const end = await late.finished();
    ours.kill("SIGTERM");
    await ours.finished();
    assert.notEqual(end.code, 0);
    assert.match(end.stderr, /Address already in use/);
  },
});
