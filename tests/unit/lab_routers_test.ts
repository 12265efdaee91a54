// Labs with routers, in process: the topology file's segments and routers
// (and every way it is refused), the routes worked out from them, what a
// router does to a multicast packet, and the report's model, table,
// pictures and conclusions of a TTL experiment.
import assert from "node:assert/strict";
import { ROLE_SPECS } from "../../cmd/_role_specs.ts";
import { UsageError } from "../../lib/cli/errors.ts";
import {
  checksum,
  forwarded,
  udpChecksumOk,
  udpPacket,
} from "../../lib/net/_packet.ts";
import { groupFilter } from "../../lib/net/_raw_libc.ts";
import { labInterfaces, stateOf } from "../../lib/net/lab_state.ts";
import {
  hostRouting,
  routerRoutes,
  routersBetween,
} from "../../lib/net/routes.ts";
import { smcrouteConfig } from "../../lib/net/smcroute.ts";
import {
  reachAnswer,
  reachConclusion,
} from "../../lib/report/conclusions_reach.ts";
import { networkSvg, reachSvg } from "../../lib/report/svg_network.ts";
import { reachModel, reachTable } from "../../lib/results/reach.ts";
import type {
  ProcessResult,
  ScenarioResult,
} from "../../lib/results/results.ts";
import { loadTopology, parseTopology } from "../../lib/scenario/topology.ts";
import { placeholderValues } from "../../lib/scenario/placeholders.ts";
import { checksOf } from "../../lib/scenario/checks.ts";

const specs = ROLE_SPECS;

/** The problems `text` is refused with, one per line. */
function problems(text: string): string[] {
  try {
    parseTopology(text, { file: "x.yaml", specs });
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message.split("\n");
  }
  assert.fail("the topology was accepted");
}

const SEGMENTS = `segments:
  lan-1: 10.11.1.0/24
  lan-2: 10.11.2.0/24
  lan-3: 10.11.3.0/24
`;

Deno.test("labs/multicast-ttl.yaml: four segments in a chain, three routers, alpine-1 … alpine-5 0 to 3 routers from the sender", async () => {
  const t = await loadTopology("labs/multicast-ttl.yaml", { specs });
  assert.deepEqual(t.segments?.map((s) => `${s.name} ${s.subnet.cidr}`), [
    "lan-1 10.11.1.0/24",
    "lan-2 10.11.2.0/24",
    "lan-3 10.11.3.0/24",
    "lan-4 10.11.4.0/24",
  ]);
  // Addresses by segment name: each segment's lowest free one, in order.
  assert.deepEqual(
    t.routers?.map((r) =>
      `${r.name} ${r.ports.map((p) => `${p.segment}=${p.address}`).join(" ")}`
    ),
    [
      "router-1 lan-1=10.11.1.1 lan-2=10.11.2.1",
      "router-2 lan-2=10.11.2.2 lan-3=10.11.3.1",
      "router-3 lan-3=10.11.3.2 lan-4=10.11.4.1",
    ],
  );
  assert.deepEqual(
    t.hosts.map((h) => routersBetween(t, "alpine-1", h.name)),
    [[], [], ["router-1"], ["router-1", "router-2"], [
      "router-1",
      "router-2",
      "router-3",
    ]],
  );
  assert.deepEqual(t.scenarios.map((s) => s.name), [
    "multicast-ttl",
    "unicast-hops",
  ]);
  // Placeholders are the host's own segment's.
  const alpine5 = t.hosts.find((h) => h.name === "alpine-5")!;
  assert.equal(placeholderValues(t, alpine5).broadcast, "10.11.4.255");
  assert.equal(placeholderValues(t, alpine5).subnet, "10.11.4.0/24");
});

Deno.test("routes: a default gateway on each host, a route to each segment another router leads to, routers' routes beyond their segments", async () => {
  const t = await loadTopology("labs/multicast-ttl.yaml", { specs });
  assert.deepEqual(hostRouting(t, "alpine-1"), {
    gateway: { router: "router-1", address: "10.11.1.1" },
    routes: [],
  });
  // lan-2 has two routers: the default through the one leading further.
  assert.deepEqual(hostRouting(t, "alpine-3"), {
    gateway: { router: "router-2", address: "10.11.2.2" },
    routes: [{ cidr: "10.11.1.0/24", via: "10.11.2.1" }],
  });
  assert.deepEqual(routerRoutes(t, "router-1"), [
    { cidr: "10.11.3.0/24", via: "10.11.2.2" },
    { cidr: "10.11.4.0/24", via: "10.11.2.2" },
  ]);
  assert.deepEqual(routerRoutes(t, "router-3"), [
    { cidr: "10.11.2.0/24", via: "10.11.3.1" },
    { cidr: "10.11.1.0/24", via: "10.11.3.1" },
  ]);
  const state = stateOf(t, "hops");
  assert.equal(state.hosts[2].gateway, "10.11.2.2");
  assert.equal(state.segments?.[3].bridge, "br3");
  // The hook for captures and views: every interface with its namespace.
  const interfaces = labInterfaces(state).filter((i) => i.kind === "router");
  assert.deepEqual(
    interfaces.map((i) => `${i.netns} ${i.device} ${i.segment} ${i.address}`),
    [
      "pj_hops_router-1 eth0 lan-1 10.11.1.1",
      "pj_hops_router-1 eth1 lan-2 10.11.2.1",
      "pj_hops_router-2 eth0 lan-2 10.11.2.2",
      "pj_hops_router-2 eth1 lan-3 10.11.3.1",
      "pj_hops_router-3 eth0 lan-3 10.11.3.2",
      "pj_hops_router-3 eth1 lan-4 10.11.4.1",
    ],
  );
});

Deno.test("routes: a router joining three segments, explicit addresses and a host's segment: given", () => {
  const t = parseTopology(
    `${SEGMENTS}routers:
  hub: [10.11.1.254, 10.11.2.254, lan-3]
hosts:
  a: 10.11.1.10
  b: { address: 10.11.2.10, segment: lan-2 }
  c: 10.11.3.10
`,
    { specs },
  );
  assert.deepEqual(t.routers?.[0].ports.map((p) => p.address), [
    "10.11.1.254",
    "10.11.2.254",
    "10.11.3.1",
  ]);
  assert.deepEqual(routersBetween(t, "a", "c"), ["hub"]);
  assert.deepEqual(hostRouting(t, "b").gateway, {
    router: "hub",
    address: "10.11.2.254",
  });
  assert.deepEqual(routerRoutes(t, "hub"), []);
});

Deno.test("the one-switch lab keeps its shape: no segments, no routers, 0 routers between any two hosts", async () => {
  const t = await loadTopology("lab.yaml", { specs });
  assert.equal(t.segments, undefined);
  assert.equal(t.routers, undefined);
  assert.deepEqual(routersBetween(t, "alpine-1", "alpine-5"), []);
  const state = stateOf(t, "progjar");
  assert.equal(state.segments, undefined);
  assert.equal(state.hosts[0].segment, undefined);
  assert.equal(state.hosts[0].gateway, undefined);
});

Deno.test("bad topology files: one line each, with file:line:column", () => {
  const hosts = "hosts:\n  alpine-1: 10.11.1.11\n";
  assert.deepEqual(
    problems(`${SEGMENTS}routers:\n  router-1: [lan-1, lan-1]\n${hosts}`),
    [
      "x.yaml:6:21: routers.router-1: links lan-1 to itself (it is on lan-1 twice): a router joins different segments",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}routers:\n  router-1: [lan-1, 10.11.1.2]\n${hosts}`,
    ),
    [
      "x.yaml:6:21: routers.router-1: links lan-1 to itself (it is on lan-1 twice): a router joins different segments",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}routers:\n  router-1: [lan-1, lan-2]\n  router-2: [lan-2, lan-1]\n${hosts}`,
    ),
    [
      "x.yaml:7:13: routers.router-2: joins lan-2 and lan-1, as router-1 already does: two routers between the same segments make a loop (multicast would arrive twice)",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}routers:\n  r1: [lan-1, lan-2]\n  r2: [lan-2, lan-3]\n  r3: [lan-3, lan-1]\n${hosts}`,
    ),
    [
      "x.yaml:8:7: routers.r3: closes a loop: lan-3 and lan-1 are already joined through r2, r1 (multicast would go round it; routers must form a tree)",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}hosts:\n  alpine-1: 10.11.1.11\n  alpine-9: 10.9.9.9\n`,
    ),
    [
      "x.yaml:7:13: hosts.alpine-9: 10.9.9.9 is on no segment (segments: lan-1 10.11.1.0/24, lan-2 10.11.2.0/24, lan-3 10.11.3.0/24)",
    ],
  );
  assert.deepEqual(
    problems(
      "segments:\n  lan-1: 10.11.0.0/16\n  lan-2: 10.11.2.0/24\nhosts:\n  a: 10.11.1.1\n",
    ),
    [
      "x.yaml:3:10: segments.lan-2: 10.11.2.0/24 overlaps lan-1 (10.11.0.0/16): each segment needs its own subnet",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}hosts:\n  a: { address: 10.11.1.5, segment: lan-2 }\n`,
    ),
    [
      "x.yaml:6:37: hosts.a: 10.11.1.5 is not in lan-2 (10.11.2.0/24) but in lan-1",
    ],
  );
  assert.deepEqual(
    problems(`${SEGMENTS}hosts:\n  a: 10.11.1.255\n`),
    [
      "x.yaml:6:6: hosts.a: 10.11.1.255 is the broadcast address of 10.11.1.0/24",
    ],
  );
  assert.deepEqual(
    problems(
      `${SEGMENTS}routers:\n  a: [lan-1, lan-2]\nhosts:\n  a: 10.11.1.5\n`,
    ),
    ['x.yaml:6:3: routers.a: "a" is already a host\'s name'],
  );
  assert.deepEqual(
    problems(`${SEGMENTS}routers:\n  r: [lan-1, lan-9]\n${hosts}`),
    [
      'x.yaml:6:14: routers.r: unknown segment "lan-9" (segments: lan-1, lan-2, lan-3)',
    ],
  );
  assert.deepEqual(
    problems(`${SEGMENTS}routers:\n  r: [10.11.1.11, lan-2]\n${hosts}`),
    ["x.yaml:6:7: routers.r: address 10.11.1.11 is already alpine-1's"],
  );
  assert.deepEqual(
    problems(`${SEGMENTS}routers:\n  r: [lan-1]\n${hosts}`),
    ["x.yaml:6:6: routers.r: a router joins 2 to 16 segments, got 1"],
  );
  assert.deepEqual(
    problems(
      "network: { subnet: 10.0.0.0/24 }\nsegments: { a: 10.1.0.0/24 }\nhosts: { h: 10.0.0.1 }\n",
    ),
    [
      "x.yaml:2:1: give network: (one switch) or segments: (several, with routers between them), not both",
    ],
  );
  assert.deepEqual(
    problems(
      "network: { subnet: 10.0.0.0/24 }\nrouters: { r: [a, b] }\nhosts: { h: 10.0.0.1 }\n",
    ),
    [
      "x.yaml:2:1: routers: join segments: give segments: (name: a.b.c.d/n each) instead of network:",
    ],
  );
  // A router is no host: roles run on hosts.
  assert.deepEqual(
    problems(
      `${SEGMENTS}routers:\n  r: [lan-1, lan-2]\n${hosts}scenarios:\n  s:\n    steps:\n      - { host: r, role: udp-server }\n`,
    ),
    ['x.yaml:12:17: scenario s: unknown host "r"'],
  );
});

Deno.test("a router's packet: TTL down by one, checksums made again (a partial UDP checksum too), dropped at TTL 1, link-local and IGMP stay", () => {
  const data = new TextEncoder().encode("pesan dengan TTL 2");
  const packet = udpPacket({
    from: "10.11.1.11",
    to: "224.1.1.1",
    ttl: 2,
    sourcePort: 40000,
    port: 5004,
    data,
  });
  assert.equal(checksum(packet.subarray(0, 20)), 0);
  assert.ok(udpChecksumOk(packet));
  // As a veth hands it over: only the pseudo-header's sum in the field.
  const partial = packet.slice();
  partial[26] = 0x12;
  partial[27] = 0x34;
  assert.ok(!udpChecksumOk(partial));
  const out = forwarded(partial);
  assert.ok(out instanceof Uint8Array);
  assert.equal(out[8], 1);
  assert.deepEqual(out.subarray(12, 20), packet.subarray(12, 20));
  assert.equal(checksum(out.subarray(0, 20)), 0);
  assert.ok(udpChecksumOk(out));
  assert.deepEqual(out.subarray(28), data);
  assert.equal(partial[8], 2, "the packet read is left alone");
  assert.equal(forwarded(out), "ttl");
  const ttl = (to: string, ttl: number, protocol = 17) => {
    const p = udpPacket({
      from: "10.0.0.1",
      to,
      ttl,
      sourcePort: 1,
      port: 2,
      data,
    });
    p[9] = protocol;
    return p;
  };
  assert.equal(forwarded(ttl("224.0.0.251", 255)), "link-local");
  assert.equal(forwarded(ttl("224.0.1.1", 64, 2)), "igmp");
  assert.equal(forwarded(ttl("10.0.0.2", 64)), "not-multicast");
  assert.equal(forwarded(ttl("239.255.255.250", 0)), "ttl");
  assert.ok(forwarded(ttl("239.255.255.250", 64)) instanceof Uint8Array);
  assert.equal(forwarded(new Uint8Array(10)), "short");
  // A fragment keeps its UDP bytes: its checksum covers the whole datagram.
  const fragment = ttl("224.1.1.1", 5);
  fragment[6] = 0x20; // more fragments
  fragment[26] ^= 0xff;
  const sent = forwarded(fragment) as Uint8Array;
  assert.equal(sent[26], fragment[26]);
  assert.equal(checksum(sent.subarray(0, 20)), 0);
});

Deno.test("the router's packet filter: 8 classic BPF instructions; smcroute's routes: every group from each interface to the others", () => {
  const { program, code } = groupFilter();
  assert.equal(new DataView(program.buffer).getUint16(0, true), 8);
  assert.equal(code.length, 64);
  assert.equal(
    smcrouteConfig(["eth0", "eth1", "eth2"]),
    [
      "phyint eth0 enable ttl-threshold 1",
      "phyint eth1 enable ttl-threshold 1",
      "phyint eth2 enable ttl-threshold 1",
      "mroute from eth0 group 224.0.0.0/4 to eth1 eth2",
      "mroute from eth1 group 224.0.0.0/4 to eth0 eth2",
      "mroute from eth2 group 224.0.0.0/4 to eth0 eth1",
    ].join("\n"),
  );
});

/** A process of a TTL run: its records as the runner keeps them. */
function proc(
  host: string,
  role: string,
  records: Record<string, unknown>[],
  input: string[] = [],
): ProcessResult {
  return {
    host,
    address: `10.0.0.${host.slice(-1)}`,
    role,
    step: 0,
    args: [],
    command: [],
    typed: [role],
    input,
    startedMs: 0,
    code: 0,
    signal: null,
    stopped: false,
    stdout: records.map((r) => JSON.stringify(r)),
    stdoutMs: records.map(() => 0),
    dropped: 0,
    transcript: [],
    transcriptOmitted: 0,
    stderr: "",
    checks: [],
    ok: true,
  };
}

/** A run of the hop lab: TTL 1 … 4 from alpine-1, what each receiver got. */
async function ttlRun(): Promise<{
  result: ScenarioResult;
  lab: Awaited<ReturnType<typeof loadTopology>>;
}> {
  const lab = await loadTopology("labs/multicast-ttl.yaml", { specs });
  const away: Record<string, number> = {
    "alpine-2": 0,
    "alpine-3": 1,
    "alpine-4": 2,
    "alpine-5": 3,
  };
  const line = (ttl: number) => `pesan dengan TTL ${ttl} dari alpine-1`;
  const senders = [1, 2, 3, 4].map((ttl) =>
    proc("alpine-1", "multicast-sender", [
      { type: "sending", group: "224.1.1.1", port: 5004, ttl },
      { type: "summary", sent: 1 },
    ], [line(ttl)])
  );
  const receivers = Object.entries(away).map(([host, n]) =>
    proc(
      host,
      "multicast-receiver:batch",
      [1, 2, 3, 4].filter((ttl) => ttl > n).flatMap((ttl) => [
        { type: "datagram", text: line(ttl) },
        { type: "delivery", ttl: ttl - n, to: "224.1.1.1", cast: "multicast" },
      ]),
    )
  );
  return {
    lab,
    result: {
      scenario: "multicast-ttl",
      description: "",
      lab: "hops",
      ok: true,
      durationMs: 2000,
      processes: [...receivers, ...senders],
    },
  };
}

Deno.test("the TTL model and table: hosts × TTL, each cell the TTL read; lines: reachable checks exactly those", async () => {
  const { result, lab } = await ttlRun();
  const model = reachModel(result, lab)!;
  assert.deepEqual(model.ttls.map((s) => s.ttl), [1, 2, 3, 4]);
  const table = reachTable(model, "en");
  assert.deepEqual(table.header, [
    "host",
    "routers away",
    "TTL 1",
    "TTL 2",
    "TTL 3",
    "TTL 4",
  ]);
  assert.deepEqual(table.rows, [
    ["alpine-2", "0", "1", "2", "3", "4"],
    ["alpine-3", "1", "-", "1", "2", "3"],
    ["alpine-4", "2", "-", "-", "1", "2"],
    ["alpine-5", "3", "-", "-", "-", "1"],
  ]);
  assert.equal(reachTable(model, "id").header[1], "jarak (router)");
  // The one-switch lab's multicast scenario (one TTL, no router) is not one.
  const oneTtl = {
    ...result,
    processes: result.processes.filter((p) =>
      p.role !== "multicast-sender" || p.input[0].includes("TTL 2")
    ),
  };
  const oneSwitch = { hosts: lab.hosts.map(({ name }) => ({ name })) };
  assert.equal(reachModel(oneTtl, oneSwitch), undefined);
  assert.ok(reachModel(oneTtl, lab), "across routers, one TTL is enough");

  // The check, as the runner makes it: a receiver with a line beyond its
  // reach fails, one missing a line within it fails.
  const roles = result.processes.map((p) => ({
    host: p.host,
    step: {
      expect: p.role.startsWith("multicast-receiver")
        ? [{ field: "lines" as const, value: "reachable" as const }]
        : [],
    },
    input: p.input,
    proc: {
      end: { code: 0, signal: null },
      records: p.stdout.map((l) => JSON.parse(l)),
      stderr: "",
    },
  }));
  const hops = (a: string, b: string) => routersBetween(lab, a, b)?.length;
  const detail = (i: number) =>
    checksOf(roles[i], { summary: undefined, all: roles, hops })
      .find((c) => c.name === "lines")!;
  assert.deepEqual(detail(3), {
    name: "lines",
    ok: true,
    detail: "1/1, none beyond reach",
    detailId: "1/1, tidak ada yang di luar jangkauan",
  });
  roles[3].proc.records.push({
    type: "datagram",
    text: "pesan dengan TTL 3 dari alpine-1",
  });
  assert.equal(detail(3).ok, false);
  assert.match(
    detail(3).detail,
    /^1\/1, got "pesan dengan TTL 3 dari alpine-1" \(TTL 3, 3 routers away: beyond its reach\)$/,
  );
  roles[1].proc.records = [];
  assert.match(
    detail(1).detail,
    /^0\/3, missing "pesan dengan TTL 2 dari alpine-1" \(TTL 2, 1 router away\)$/,
  );
});

Deno.test("the TTL conclusion answers Modul 11's 'within 2 hops (routers)' with the run's numbers, in both languages", async () => {
  const { result, lab } = await ttlRun();
  const model = reachModel(result, lab)!;
  const en = reachConclusion(model, "en");
  assert.match(
    en[0],
    /TTL 1 → alpine-2, stopped at router-1; TTL 2 → alpine-2 and alpine-3, stopped at router-2; TTL 3 → alpine-2, alpine-3 and alpine-4, stopped at router-3; TTL 4 → every receiver/,
  );
  assert.match(
    en[1],
    /alpine-5 \(3 routers away\) read 1 on the lines sent with TTL 4/,
  );
  assert.match(
    en[2],
    /^So a datagram with TTL n reached exactly the hosts fewer than n routers away/,
  );
  assert.equal(
    reachAnswer(model, "en"),
    'Modul 11 sets TTL 2 and says the message "only reaches receivers within 2 hops (routers)". Measured here with TTL 2: it reached alpine-2 (0 routers, TTL 2) and alpine-3 (1 router, TTL 1), not alpine-4 (2 routers) and alpine-5 (3 routers). It crossed at most 1 router; router-2 got it with TTL 1 and dropped it. So TTL 2 means 2 hops from the sender: the first on its own segment, each further hop across one router, and the message reaches the receivers at most 1 router away.',
  );
  const id = reachConclusion(model, "id");
  assert.match(
    id.at(-1)!,
    /^Modul 11 memakai TTL 2 .* Terukur di sini dengan TTL 2: sampai ke alpine-2 \(0 router, TTL 2\) dan alpine-3 \(1 router, TTL 1\); tidak sampai ke alpine-4 \(2 router\) dan alpine-5 \(3 router\)\. .*router-2 menerimanya dengan TTL 1 dan membuangnya/,
  );
  // A receiver that got what it should not: named, not explained away.
  model.receivers[3].cells[2] = { received: true, ttl: 1 };
  assert.match(
    reachConclusion(model, "en")[2],
    /^Not as the rule says .*: alpine-5 \(TTL 3\)/,
  );
});

Deno.test("the pictures: the segments with their routers, and one row per TTL with a cross at the router that dropped it", async () => {
  const { result, lab } = await ttlRun();
  const network = networkSvg(lab, "en");
  for (const name of ["router-1", "router-2", "router-3"]) {
    assert.ok(network.includes(`data-router="${name}"`), name);
  }
  for (const name of ["lan-1", "lan-2", "lan-3", "lan-4"]) {
    assert.ok(network.includes(`data-segment="${name}"`), name);
  }
  const picture = reachSvg(reachModel(result, lab)!, "id");
  assert.equal(picture.match(/class="drop"/g)?.length, 3);
  assert.equal(picture.match(/class="got"/g)?.length, 10);
  assert.equal(picture.match(/class="missed"/g)?.length, 6);
  assert.ok(picture.includes("Seberapa jauh setiap TTL sampai"));
});
