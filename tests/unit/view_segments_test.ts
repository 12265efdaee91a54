// The live view of a lab with routers, without a lab: the picture's lines
// end at its ports and switches, a frame leaves only by its segment's
// ports, and the switches' captures are merged back in capture order.

import assert from "node:assert/strict";
import { segmentsPicture } from "../../lib/view/_picture_segments.ts";
import { FrameMerger, HOLD_MS } from "../../lib/view/_merge.ts";
import { HostTable } from "../../lib/view/hosts.ts";
import type { Frame } from "../../lib/wire/frame.ts";

const PORTS = [
  { index: 0, name: "alpine-1", address: "10.11.1.11", segment: 0 },
  { index: 1, name: "alpine-3", address: "10.11.2.13", segment: 1 },
  {
    index: 2,
    name: "router-1",
    address: "10.11.1.1",
    segment: 0,
    device: "eth0",
    router: true,
  },
  {
    index: 3,
    name: "router-1",
    address: "10.11.2.1",
    segment: 1,
    device: "eth1",
    router: true,
  },
];

Deno.test("the picture of two segments: each line from its segment's switch to its port", () => {
  const picture = segmentsPicture(PORTS, {
    segments: [
      { name: "lan-1", subnet: "10.11.1.0/24" },
      { name: "lan-2", subnet: "10.11.2.0/24" },
    ],
  });
  assert.deepEqual(picture.segmentOf, [0, 1, 0, 1]);
  const lines = [
    ...picture.svg.matchAll(
      /<line class="link" data-port="(\d+)" x1="([\d.]+)" y1="(\d+)" x2="([\d.]+)" y2="(\d+)"/g,
    ),
  ];
  assert.equal(lines.length, 4);
  for (const [, port, x1, y1, x2, y2] of lines) {
    const i = Number(port);
    const s: { x: number; y: number } =
      picture.switches![picture.segmentOf![i]];
    assert.equal(Number(x1), Number(s.x.toFixed(1)));
    assert.equal(Number(y1), s.y);
    assert.equal(Number(x2), Number(picture.ports[i].x.toFixed(1)));
    assert.equal(Number(y2), picture.ports[i].y);
  }
  // The router between the segments' hosts, its parts side by side.
  const [a1, a3, eth0, eth1] = picture.boxes;
  assert.ok(a1.x + a1.width <= eth0.x && eth0.x + eth0.width <= eth1.x);
  assert.ok(eth1.x + eth1.width <= a3.x);
  assert.match(picture.svg, /data-router="router-1"/);
  assert.ok(picture.width >= a3.x + a3.width);
});

Deno.test("a frame crossing one segment leaves only by that segment's ports", () => {
  const hosts = new HostTable(
    PORTS.map((p) => ({ ...p, mac: `02:00:00:00:00:0${p.index}` })),
  );
  const multicast = {
    link: {
      type: "ethernet",
      dst: "01:00:5e:01:01:01",
      src: "02:00:00:00:00:03",
      vlans: [],
    },
    ipv4: { dst: "224.1.1.1", src: "10.11.1.11" },
  } as unknown as Frame;
  assert.deepEqual(hosts.portsOf(multicast, 3, 1), [1]);
  assert.deepEqual(hosts.portsOf(multicast, 0, 0), [2]);
  // alpine-3's MAC seen on lan-1 (it is not there): flooded on lan-1.
  const unicast = {
    ...multicast,
    link: { ...multicast.link, dst: "02:00:00:00:00:01" },
  } as unknown as Frame;
  assert.deepEqual(hosts.portsOf(unicast, 0, 0), [2]);
  assert.deepEqual(hosts.portsOf(unicast, 3, 1), [1]);
});

Deno.test("the switches' frames merged: in capture order, a quiet capture waits no longer than HOLD_MS", () => {
  const out: string[] = [];
  const merger = new FrameMerger(2, (f, i) => out.push(`${i}:${f.timeMs}`));
  const at = (timeMs: number) => ({ timeMs }) as Frame;
  // Capture 1's block comes first, capture 0's earlier frames after it.
  merger.push(1, at(110), 1000);
  merger.push(1, at(130), 1000);
  assert.deepEqual(out, []);
  merger.push(0, at(100), 1000);
  merger.push(0, at(120), 1000);
  assert.deepEqual(out, ["0:100", "1:110", "0:120"]);
  // Capture 0 quiet: 1:130 goes once it is older than HOLD_MS.
  merger.release(130 + HOLD_MS - 1);
  assert.deepEqual(out.length, 3);
  merger.release(130 + HOLD_MS);
  assert.deepEqual(out, ["0:100", "1:110", "0:120", "1:130"]);
  merger.push(0, at(5000), 5000);
  merger.drain();
  assert.deepEqual(out.at(-1), "0:5000");
});
