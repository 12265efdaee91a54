// Capturing the hop lab (labs/multicast-ttl.yaml: four segments, three
// routers) as a student does it: `lab run --file labs/multicast-ttl.yaml
// --all --capture DIR --report FILE` captures every host and every router
// interface; tshark reads each file: a multicast datagram sent with TTL n
// has TTL n on the sender's segment, n-1 after router-1, …, and is on no
// segment beyond where its TTL ran out; unicast goes 64, 63, 62, 61 and
// its reply back up. The report's table of each datagram's TTL per segment
// and its capture-by-capture table equal tshark's, in English and in
// Indonesian. By hand: `lab capture start router-2` captures both of its
// interfaces.

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_dist.ts";
import { CAN_BUILD_LABS, lab, labNamespaces, uniqueLabName } from "./_lab.ts";
import { tshark } from "./_report_wire.ts";
import { HAVE_TSHARK } from "./_tshark.ts";
import { commandSucceeds } from "./_harness.ts";

const CAN = CAN_BUILD_LABS && HAVE_TSHARK &&
  await commandSucceeds("tcpdump", ["--version"]) &&
  await commandSucceeds("python3", ["--version"]);
const FILE = join(ROOT, "labs/multicast-ttl.yaml");
/** Each segment's captures: hosts and the routers' interfaces on it. */
const ON_SEGMENT: Record<string, string[]> = {
  "lan-1": ["alpine-1", "alpine-2", "router-1.eth0"],
  "lan-2": ["alpine-3", "router-1.eth1", "router-2.eth0"],
  "lan-3": ["alpine-4", "router-2.eth1", "router-3.eth0"],
  "lan-4": ["alpine-5", "router-3.eth1"],
};
const SEGMENTS = Object.keys(ON_SEGMENT);
const CAPTURES = [
  "alpine-1",
  "alpine-2",
  "alpine-3",
  "alpine-4",
  "alpine-5",
  "router-1.eth0",
  "router-1.eth1",
  "router-2.eth0",
  "router-2.eth1",
  "router-3.eth0",
  "router-3.eth1",
];

/** tshark: each UDP datagram's payload (as text) and TTL in a file. */
async function ttlsIn(path: string): Promise<Map<string, number[]>> {
  const out = await tshark([
    "-r",
    path,
    "-Y",
    "udp",
    "-T",
    "fields",
    "-e",
    "ip.ttl",
    "-e",
    "udp.payload",
  ]);
  const found = new Map<string, number[]>();
  for (const line of out.split("\n").filter(Boolean)) {
    const [ttl, hex] = line.split("\t");
    const text = new TextDecoder().decode(
      new Uint8Array((hex.match(/../g) ?? []).map((b) => parseInt(b, 16))),
    ).trim();
    found.set(text, [...found.get(text) ?? [], Number(ttl)]);
  }
  return found;
}

/** The hop table of a Markdown report's scenario: datagram text → cells. */
function hopTable(
  section: string,
  segments: string[],
): Map<string, string[]> {
  const head = "| datagram";
  const at = section.indexOf(`${head} | ${segments.join(" | ")} |`);
  assert.ok(at >= 0, `no hop table in:\n${section}`);
  const rows = new Map<string, string[]>();
  for (const line of section.slice(at).split("\n").slice(2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const text = /"(.*)"$/.exec(cells[0])?.[1] ?? cells[0];
    rows.set(text, cells.slice(1));
  }
  return rows;
}

/** A scenario's section of the report. */
function scenarioSection(report: string, scenario: string): string {
  const parts = report.split(/^## [^\n]*: /m);
  const part = parts.find((p) => p.startsWith(scenario));
  assert.ok(part, `no section ${scenario}`);
  return part;
}

Deno.test({
  name:
    "lab run --file labs/multicast-ttl.yaml --all --capture: every router interface captured; tshark sees each datagram's TTL go down by one per router and end where it ran out; the report's TTL tables equal tshark's",
  ignore: !CAN,
  async fn() {
    const name = uniqueLabName("cr");
    const dir = await Deno.makeTempDir({ prefix: "pj_capture_routers_" });
    try {
      const run = await lab([
        "run",
        "--file",
        FILE,
        "--all",
        "--name",
        name,
        "--capture",
        `${dir}/cap`,
        "--report",
        `${dir}/laporan.md`,
        "--json",
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const captures = run.records.filter((r) => r.type === "capture");
      assert.deepEqual(captures.map((c) => c.host), CAPTURES);
      for (const c of captures) {
        assert.equal(c.path, `${dir}/cap/${c.host}.pcap`);
        assert.equal(c.droppedByKernel, 0, `${c.host}: dropped`);
      }
      // What tshark reads in each file, by segment.
      const seen = new Map<string, Map<string, number[]>>();
      for (const c of CAPTURES) {
        seen.set(c, await ttlsIn(`${dir}/cap/${c}.pcap`));
      }
      const ttlOn = (segment: string, text: string) => {
        const all = new Set(
          ON_SEGMENT[segment].flatMap((c) => seen.get(c)!.get(text) ?? []),
        );
        return [...all];
      };
      for (let ttl = 1; ttl <= 4; ttl++) {
        const text = `pesan dengan TTL ${ttl} dari alpine-1`;
        for (const [k, segment] of SEGMENTS.entries()) {
          // Seen by every capture of a segment it reached, by none beyond.
          const expected = ttl - k >= 1 ? [ttl - k] : [];
          assert.deepEqual(
            ttlOn(segment, text),
            expected,
            `${text} ${segment}`,
          );
          for (const c of ON_SEGMENT[segment]) {
            assert.equal(
              seen.get(c)!.get(text)?.length ?? 0,
              expected.length,
              `${text}: ${c}`,
            );
          }
        }
      }
      // Unicast: Linux's 64 on the way out, one less per router; the reply back.
      for (const [k, segment] of SEGMENTS.entries()) {
        assert.deepEqual(ttlOn(segment, "Hello World"), [64 - k], segment);
        assert.deepEqual(
          ttlOn(segment, "Get off my lawn!"),
          [64 - (SEGMENTS.length - 1 - k)],
          segment,
        );
      }

      // The report: the same TTLs, per segment, and capture by capture.
      const report = await Deno.readTextFile(`${dir}/laporan.md`);
      const multicast = scenarioSection(report, "multicast-ttl");
      const table = hopTable(multicast, SEGMENTS);
      for (let ttl = 1; ttl <= 4; ttl++) {
        const text = `pesan dengan TTL ${ttl} dari alpine-1`;
        assert.deepEqual(
          table.get(text),
          SEGMENTS.map((s) => ttlOn(s, text).join("/") || "–"),
          text,
        );
      }
      const unicast = hopTable(
        scenarioSection(report, "unicast-hops"),
        SEGMENTS,
      );
      assert.deepEqual(unicast.get("Hello World"), ["64", "63", "62", "61"]);
      assert.deepEqual(unicast.get("Get off my lawn!"), [
        "61",
        "62",
        "63",
        "64",
      ]);
      // The TTL-4 line capture by capture: each file's frame has that TTL.
      const path = [
        ...multicast.matchAll(
          /^\| `([^`]+)` \| (lan-\d) \| (\d+) \| (\d+) \|$/gm,
        ),
      ];
      assert.equal(path.length, CAPTURES.length, multicast);
      for (const [, file, segment, number, ttl] of path) {
        assert.ok(ON_SEGMENT[segment].includes(file.replace(/\.pcap$/, "")));
        const got = await tshark([
          "-r",
          `${dir}/cap/${file}`,
          "-Y",
          `frame.number == ${number}`,
          "-T",
          "fields",
          "-e",
          "ip.ttl",
          "-e",
          "udp.payload",
        ]);
        const [field, hex] = got.trim().split("\t");
        assert.equal(field, ttl, `${file} frame ${number}`);
        assert.equal(
          new TextDecoder().decode(
            new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16))),
          ).trim(),
          "pesan dengan TTL 4 dari alpine-1",
        );
        assert.equal(Number(ttl), 4 - SEGMENTS.indexOf(segment));
      }
      // The counts table names each capture's segment.
      assert.match(
        multicast,
        /^\| router-2\.eth1 \| lan-3 \| (\d+ \| ){7}`router-2\.eth1\.pcap` \|$/m,
      );

      // In Indonesian.
      const id = await lab([
        "run",
        "--file",
        FILE,
        "multicast-ttl",
        "--name",
        name,
        "--lang",
        "id",
        "--capture",
        `${dir}/cap-id`,
        "--report",
        `${dir}/laporan-id.md`,
      ]);
      assert.equal(id.code, 0, id.stdout + id.stderr);
      assert.match(
        id.stdout,
        /menangkap setiap frame 5 host dan 6 antarmuka router ke /,
      );
      const laporan = await Deno.readTextFile(`${dir}/laporan-id.md`);
      assert.match(
        laporan,
        /Datagram yang sama melewati beberapa segmen: setiap router mengurangi TTL-nya \(ip\.ttl\) satu/,
      );
      assert.match(
        laporan,
        /\| datagram \| lan-1 \| lan-2 \| lan-3 \| lan-4 \|\n\| --- \| --- \| --- \| --- \| --- \|\n\| [\d.]+ s: alpine-1 → 224\.1\.1\.1:5004 "pesan dengan TTL 1 dari alpine-1" \| 1 \| – \| – \| – \|/,
      );
      assert.match(laporan, /tangkapan demi tangkapan/);
    } finally {
      await lab(["down", "--name", name]);
      assert.deepEqual(await labNamespaces(name), []);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "lab capture start router-2 on the hop lab: both its interfaces, stopped and listed by the router's name",
  ignore: !CAN,
  async fn() {
    const name = uniqueLabName("ch");
    const dir = await Deno.makeTempDir({ prefix: "pj_capture_hand_" });
    try {
      const up = await lab(["up", "--file", FILE, "--name", name]);
      assert.equal(up.code, 0, up.stdout + up.stderr);
      const start = await lab([
        "capture",
        "start",
        "router-2",
        "--name",
        name,
        "--capture",
        dir,
      ]);
      assert.equal(start.code, 0, start.stdout + start.stderr);
      assert.match(
        start.stdout,
        /router-2\.eth0: capturing into .*router-2\.eth0\.pcap/,
      );
      assert.match(
        start.stdout,
        /router-2\.eth1: capturing into .*router-2\.eth1\.pcap/,
      );
      // Two datagrams from alpine-1 to alpine-5, across router-2.
      const sent = await lab([
        "exec",
        "--name",
        name,
        "alpine-1",
        "--",
        "python3",
        "-c",
        "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b'hop', ('10.11.4.15', 9)) for _ in range(2)]",
      ]);
      assert.equal(sent.code, 0, sent.stdout + sent.stderr);
      const status = await lab([
        "capture",
        "status",
        "router-2",
        "--name",
        name,
        "--json",
      ]);
      assert.deepEqual(
        status.records.filter((r) => r.type === "capture").map((r) => [
          r.host,
          r.running,
        ]),
        [["router-2.eth0", true], ["router-2.eth1", true]],
      );
      const stop = await lab(["capture", "stop", "router-2", "--name", name]);
      assert.equal(stop.code, 0, stop.stdout + stop.stderr);
      // They crossed router-2: TTL 63 on lan-2, 62 on lan-3.
      for (
        const [file, ttl] of [["router-2.eth0", "63"], ["router-2.eth1", "62"]]
      ) {
        const out = await tshark([
          "-r",
          `${dir}/${file}.pcap`,
          "-Y",
          "udp.dstport == 9 && !icmp",
          "-T",
          "fields",
          "-e",
          "ip.ttl",
        ]);
        assert.deepEqual(out.trim().split("\n"), [ttl, ttl], file);
      }
      const bad = await lab(["capture", "start", "router-9", "--name", name]);
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        /unknown host "router-9" \(hosts and routers: alpine-1, .*router-3\)/,
      );
    } finally {
      await lab(["down", "--name", name]);
      assert.deepEqual(await labNamespaces(name), []);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
