/**
 * The one reader of recordings, on both kinds of files: a lab host's
 * (`/run/progjar/<lab>/<host>.jsonl`: runs by pid) and a VM's in serve's
 * store (`DIR/<vm>.jsonl`: runs by run id, `vm` and `clock` entries, times
 * already on the host's clock); the VMs as the report's lab; clocks off.
 */

import assert from "node:assert/strict";
import { chooseExperiments, recognise } from "../../lib/hand/experiments.ts";
import {
  parseRecording,
  readRecordings,
  runsOf,
} from "../../lib/hand/recordings.ts";
import { vmLab } from "../../lib/hand/vm_lab.ts";
import { clockOffText, durationText } from "../../lib/results/clock.ts";

const lines = (...values: Record<string, unknown>[]) =>
  values.map((v) => JSON.stringify(v)).join("\n") + "\n";

const start = (role: string, argv: string[] = []) => ({
  role,
  argv,
  lang: "en",
  via: "command",
});

/** A VM's facts as serve writes them. */
function vm(id: string, hostname: string, address: string) {
  return {
    t: 1,
    vm: {
      id,
      hostname,
      address,
      prefix: 24,
      broadcast: "192.168.122.255",
      installedFrom: address,
    },
  };
}

/**
 * One whole run of a VM as serve stores it: its entries with `run`, times
 * on the host's clock, then the delivery's `clock` line.
 */
function delivered(
  run: string,
  pid: number,
  role: string,
  entries: { t: number; [kind: string]: unknown }[],
  offsetMs: number,
) {
  const t0 = entries[0].t;
  return [
    { t: t0, pid, run, start: start(role) },
    ...entries.map((e) => ({ pid, run, ...e })),
    { t: entries.at(-1)!.t + 5, clock: { offsetMs, run } },
  ];
}

Deno.test("parseRecording: a lab host's file: runs by pid, a pid used again is a new run, lines cut short skipped", () => {
  const text = lines(
    { t: 10, pid: 5, start: start("broadcast-receiver") },
    { t: 11, pid: 6, start: start("broadcast-sender") },
    { t: 12, pid: 5, record: { type: "datagram", seq: 1 } },
    { t: 13, pid: 6, end: { code: 0, dropped: 0 } },
    { t: 14, pid: 5, end: { code: 0, dropped: 0 } },
    { t: 20, pid: 5, start: start("udp-server") },
  ) + '{"t":21,"pid":5,"text":"cut sh';
  const r = parseRecording("alpine-2", text);
  assert.equal(r.host, "alpine-2");
  assert.equal(r.vm, undefined);
  assert.equal(r.entries, 7);
  assert.deepEqual(
    r.runs.map((x) => [x.role, x.pid, x.startMs, x.endMs ?? null]),
    [
      ["broadcast-receiver", 5, 10, 14],
      ["broadcast-sender", 6, 11, 13],
      ["udp-server", 5, 20, null],
    ],
  );
  assert.equal(r.runs[0].records.length, 1);
  assert.equal(r.runs[0].run, undefined);
  assert.equal(r.runs[0].clockOffsetMs, undefined);
});

Deno.test("parseRecording: a VM's file in serve's store: runs by run id (the same pid after a reboot is another run), its host name, each run's clock offset", () => {
  const text = lines(
    vm("vm-2-192-168-122-131", "alpine-2", "192.168.122.131"),
    ...delivered("r-a", 400, "broadcast-receiver", [
      { t: 1000, record: { type: "listening", port: 5005 } },
      { t: 1100, record: { type: "datagram", seq: 1 } },
      { t: 1200, end: { code: 0, dropped: 0 } },
    ], -183_000),
    // After a reboot: the same pid, another run.
    ...delivered("r-b", 400, "broadcast-receiver", [
      { t: 5000, record: { type: "datagram", seq: 9 } },
      { t: 5100, end: { code: 0, dropped: 0 } },
    ], -183_020),
    // What the VM says of itself changed: the latest wins.
    {
      t: 6000,
      vm: {
        id: "x",
        hostname: "alpine-2b",
        address: "192.168.122.132",
        prefix: 24,
      },
    },
    // Not entries: a run's entry with no start before it, junk.
    { t: 6001, pid: 9, run: "r-c", text: "orphan" },
    { t: "x", pid: 1 },
  );
  const r = parseRecording("vm-2-192-168-122-131", text);
  assert.equal(r.host, "alpine-2b");
  assert.deepEqual(r.vm, {
    id: "vm-2-192-168-122-131",
    hostname: "alpine-2b",
    address: "192.168.122.132",
    prefix: 24,
  });
  assert.deepEqual(
    r.runs.map((x) => [x.run, x.pid, x.host, x.source, x.clockOffsetMs]),
    [
      ["r-a", 400, "alpine-2b", "vm-2-192-168-122-131", -183_000],
      ["r-b", 400, "alpine-2b", "vm-2-192-168-122-131", -183_020],
    ],
  );
  assert.deepEqual(r.runs.map((x) => x.records.length), [2, 1]);
});

Deno.test("parseRecording: a VM's host name is untrusted text: escaped, cut to 63 characters; an empty one falls back to the VM's id", () => {
  const hostile = parseRecording(
    "vm-1-10-0-0-2",
    lines({
      t: 1,
      vm: { hostname: "\u001b]0;pwned\u0007../../etc/" + "x".repeat(300) },
    }),
  );
  assert.ok(hostile.host.startsWith("\\x1b]0;pwned\\x07../../etc/xxx"));
  assert.ok([...hostile.host].every((ch) => ch.charCodeAt(0) >= 0x20));
  assert.ok(hostile.host.length < 80, hostile.host);
  const empty = parseRecording(
    "vm-1-10-0-0-2",
    lines({ t: 1, vm: { hostname: "", address: "not an address" } }),
  );
  assert.equal(empty.host, "vm-1-10-0-0-2");
  assert.equal(empty.vm?.address, undefined);
});

Deno.test("readRecordings: a store's directory and a lab's read alike; two VMs with one host name are told apart; .vms.json and lab.json are not recordings", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/.vms.json`, "{}");
    await Deno.writeTextFile(`${dir}/lab.json`, "{}");
    await Deno.writeTextFile(
      `${dir}/vm-10-192-168-122-7.jsonl`,
      lines(vm("vm-10-192-168-122-7", "alpine", "192.168.122.7")),
    );
    await Deno.writeTextFile(
      `${dir}/vm-2-192-168-122-131.jsonl`,
      lines(vm("vm-2-192-168-122-131", "alpine", "192.168.122.131")),
    );
    await Deno.writeTextFile(
      `${dir}/vm-3-192-168-122-12.jsonl`,
      lines(vm("vm-3-192-168-122-12", "alpine-4", "192.168.122.12")),
    );
    const recordings = await readRecordings(dir);
    assert.deepEqual(recordings.map((r) => [r.id, r.host]), [
      ["vm-2-192-168-122-131", "alpine (vm-2-192-168-122-131)"],
      ["vm-3-192-168-122-12", "alpine-4"],
      ["vm-10-192-168-122-7", "alpine (vm-10-192-168-122-7)"],
    ]);
    assert.deepEqual(await readRecordings(`${dir}/missing`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("VMs whose clocks were off: runs ordered on the host's clock (serve's), the report's lab says by how much; a second or less is not worth a word", () => {
  // alpine-2's clock is 3 minutes behind: serve put its times on the
  // host's. On the VM's own clock its receiver would seem to start
  // 3 minutes before the sender, and the order would be wrong.
  const sender = parseRecording(
    "vm-1-192-168-122-207",
    lines(
      vm("vm-1-192-168-122-207", "alpine-1", "192.168.122.207"),
      ...delivered("s1", 50, "broadcast-sender", [
        { t: 10_000, record: { type: "sending", to: "255.255.255.255" } },
        { t: 10_001, record: { type: "sent", seq: 1 } },
        { t: 13_000, record: { type: "summary", sent: 300 } },
        { t: 13_000, end: { code: 0, dropped: 0 } },
      ], 400),
    ),
  );
  const receiver = parseRecording(
    "vm-2-192-168-122-131",
    lines(
      vm("vm-2-192-168-122-131", "alpine-2", "192.168.122.131"),
      ...delivered("r1", 60, "broadcast-receiver", [
        { t: 11_500, record: { type: "listening", port: 5005 } },
        { t: 11_600, record: { type: "datagram", seq: 161 } },
        {
          t: 13_100,
          record: { type: "summary", received: 140, firstSeq: 161 },
        },
        { t: 13_100, end: { code: 0, dropped: 0 } },
      ], 183_000),
    ),
  );
  const recordings = [receiver, sender];
  const runs = runsOf(recordings);
  assert.deepEqual(runs.map((r) => r.host), ["alpine-1", "alpine-2"]);
  const lab = vmLab(recordings, { dir: "records" });
  assert.deepEqual(lab.subnet, {
    cidr: "192.168.122.0/24",
    broadcast: "192.168.122.255",
  });
  assert.equal(lab.hostsAre, "vms");
  assert.deepEqual(lab.hosts, [
    { name: "alpine-1", address: "192.168.122.207" },
    {
      name: "alpine-2",
      address: "192.168.122.131",
      clockOffsetMs: { min: 183_000, max: 183_000 },
    },
  ]);
  const [e] = chooseExperiments(
    recognise(runs, {
      lab: "gns3",
      addresses: Object.fromEntries(lab.hosts.map((h) => [h.name, h.address])),
    }),
  );
  assert.equal(e.scenario, "broadcast-sender-first");
  assert.equal(e.result.processes[1].summary?.firstSeq, 161);
  assert.equal(e.result.processes[1].address, "192.168.122.131");
});

Deno.test("clockOffText: behind or ahead, in both languages; a clock that moved: between", () => {
  assert.equal(
    clockOffText({ min: 183_000, max: 183_000 }, "en"),
    "3 min 3 s behind the host's",
  );
  assert.equal(
    clockOffText({ min: 183_000, max: 183_400 }, "id"),
    "3 mnt 3 dtk tertinggal dari jam host",
  );
  assert.equal(
    clockOffText({ min: -2_500, max: -2_400 }, "en"),
    "2.5 s ahead of the host's",
  );
  assert.equal(
    clockOffText({ min: 2_000, max: 7_200_000 }, "en"),
    "between 2 s and 2 h behind the host's",
  );
  assert.equal(durationText(3_723_000, "id"), "1 j 2 mnt 3 dtk");
});
