// `lab view --pcap FILE` on captures these tests write byte by byte (no
// root, no lab), in a real browser: a capture of another subnet, one with
// hosts the topology file does not know, a truncated one, files that are
// no capture; the page loads nothing from anywhere but the view, steps one
// event at a time, shows a broadcast's layers, speaks Indonesian, and is
// not blank.

import assert from "node:assert/strict";
import { join } from "node:path";
import { decodePng } from "./_png.ts";
import { practicumTraffic, truncated } from "./_view_frames.ts";
import {
  CHROMIUM,
  counter,
  inPage,
  launchBrowser,
  listed,
  openPage,
  selected,
  until,
  ViewProcess,
} from "./_view.ts";
import { lab } from "./_lab.ts";

const dir = await Deno.makeTempDir({ prefix: "test-view-pcap-" });
const OTHER = [
  { address: "10.20.30.1", mac: "02:00:00:00:01:01" },
  { address: "10.20.30.2", mac: "02:00:00:00:01:02" },
];
const other = practicumTraffic(OTHER, { broadcast: "10.20.30.255" });
const otherFile = join(dir, "other-subnet.pcap");
await Deno.writeFile(otherFile, other.bytes);

const MIXED = [
  { address: "192.168.122.207", mac: "02:00:00:00:02:01" },
  { address: "192.168.122.50", mac: "02:00:00:00:02:02" },
];
const mixed = practicumTraffic(MIXED, { broadcast: "192.168.122.255" });
const mixedFile = join(dir, "unknown-hosts.pcap");
await Deno.writeFile(mixedFile, mixed.bytes);

const cutFile = join(dir, "truncated.pcap");
// Cut in the middle of the last record: every frame before it is whole.
await Deno.writeFile(cutFile, truncated(other.bytes, other.bytes.length - 20));

const ignore = !CHROMIUM;

Deno.test({
  name:
    "--pcap, another subnet: hosts named by address, counts equal the file's; the page loads nothing from elsewhere, steps one event, shows ff:ff:ff:ff:ff:ff, speaks Indonesian",
  ignore,
  async fn() {
    const view = await ViewProcess.start(["--pcap", otherFile, "--port", "0"]);
    const { browser, close } = await launchBrowser();
    try {
      assert.match(
        view.stdout,
        new RegExp(
          `other-subnet.pcap: ${other.frames} frames from 2 hosts \\(2 not in the topology file, named by address\\)`,
        ),
      );
      const summary = await view.summary();
      assert.equal(summary.totals.frames, other.frames);
      for (const [kind, n] of Object.entries(other.kinds)) {
        assert.equal(summary.totals.kinds[kind], n, kind);
      }
      const { page, requests, errors } = await openPage(browser, view.url);
      await until(
        page,
        `document.querySelector("#status").dataset.state === "ended"`,
      );
      await until(page, `document.querySelectorAll(".rows .row").length > 0`);
      await until(
        page,
        `Number(document.querySelector('#filters label[data-group="udp"]').dataset.count) === 23`,
      );
      const origin = new URL(view.url).host;
      const off = requests.filter((u) =>
        !u.startsWith(`http://${origin}/`) &&
        !u.startsWith(`ws://${origin}/`) &&
        !u.startsWith("data:")
      );
      assert.deepEqual(off, [], "every request goes to the view itself");
      assert.ok(requests.some((u) => u === `ws://${origin}/ws`));
      assert.deepEqual(errors, []);
      const picture = await inPage<string>(
        page,
        `document.querySelector("#stage").textContent`,
      );
      assert.match(picture, /10\.20\.30\.1/);
      assert.match(picture, /10\.20\.30\.2/);
      assert.doesNotMatch(
        picture,
        /alpine-/,
        "the topology file's hosts are not in this capture",
      );
      assert.equal(await counter(page, "udp-broadcast"), 20);
      assert.equal(await counter(page, "total"), other.frames);
      assert.equal(await listed(page, "arp"), 2);

      // A broadcast row: its layers.
      await page.evaluate(`[...document.querySelectorAll(".rows .row")]
        .find((r) => r.dataset.kind === "udp-broadcast").click()`);
      await until(
        page,
        `document.querySelector('#details [data-layer="ethernet"] [data-field="dst"]') !== null`,
      );
      const n = (await selected(page))!;
      const dst = await inPage<string>(
        page,
        `document.querySelector('#details [data-layer="ethernet"] [data-field="dst"]').textContent`,
      );
      assert.match(dst, /^ff:ff:ff:ff:ff:ff/);
      const text = await inPage<string>(
        page,
        `document.querySelector('#details [data-field="text"]').textContent`,
      );
      assert.match(text, /^ BROADCAST ini angka \d+ $/);

      // Step back, step back, step forward: one event each.
      await page.click("#back");
      assert.equal(await selected(page), n - 1);
      await page.click("#back");
      assert.equal(await selected(page), n - 2);
      await page.click("#step");
      assert.equal(await selected(page), n - 1);
      assert.equal(
        await inPage(
          page,
          `document.querySelector("#playpause").dataset.state`,
        ),
        "paused",
      );

      // Indonesian, by the switch on the page.
      await page.click("#lang");
      assert.equal(
        await inPage(page, `document.querySelector("#back").textContent`),
        "◀ Mundur",
      );
      assert.equal(await inPage(page, `document.documentElement.lang`), "id");
      await until(
        page,
        `document.querySelector("#list-head").textContent.includes("waktu")`,
      );
      await page.click("#lang");

      const shot = join(dir, "replay.png");
      await page.screenshot({ path: shot });
      const png = await decodePng(await Deno.readFile(shot));
      assert.ok(
        png.inked > png.width * png.height * 0.05,
        `the screenshot is nearly blank: ${png.inked} inked pixels (${shot})`,
      );
      console.log(`screenshot: ${shot}`);
    } finally {
      await close();
      const end = await view.stop();
      assert.equal(end.code, 0, end.stderr);
      assert.match(
        end.stdout,
        new RegExp(
          `lab view: ${other.frames} frames seen \\(ARP 2, IGMP 1, UDP broadcast 20, UDP multicast 1, UDP unicast 2, TCP 1\\)`,
        ),
      );
      assert.match(
        end.stdout,
        /1 browser served; 0 events dropped for slow browsers/,
      );
    }
  },
});

Deno.test({
  name:
    "--pcap with hosts the topology file knows and one it does not: that one is a host of its own, named by its address",
  ignore,
  async fn() {
    const view = await ViewProcess.start([
      "--pcap",
      mixedFile,
      "--port",
      "0",
      "--lang",
      "id",
    ]);
    const { browser, close } = await launchBrowser();
    try {
      assert.match(view.stdout, /membaca .*unknown-hosts\.pcap…/);
      assert.match(
        view.stdout,
        /6 host \(1 tidak ada di berkas topologi, dinamai menurut alamatnya\)/,
      );
      const summary = await view.summary();
      assert.equal(summary.totals.hosts.length, 6);
      const { page } = await openPage(browser, view.url);
      await until(
        page,
        `document.querySelector("#status").dataset.state === "ended"`,
      );
      const picture = await inPage<string>(
        page,
        `document.querySelector("#stage").textContent`,
      );
      for (const name of ["alpine-1", "alpine-5", "192.168.122.50"]) {
        assert.ok(picture.includes(name), `${name} in the picture`);
      }
      assert.equal(
        await inPage(page, `document.querySelector("#back").textContent`),
        "◀ Mundur",
      );
      // alpine-1 sent the broadcasts: every other host's port got them.
      await until(
        page,
        `document.querySelector('.rows .row[data-kind="udp-broadcast"]') !== null`,
      );
      const row = await inPage<string>(
        page,
        `[...document.querySelectorAll(".rows .row")]
        .find((r) => r.dataset.kind === "udp-broadcast").textContent`,
      );
      assert.match(row, /alpine-1semua 5 port/);
    } finally {
      await close();
      assert.equal((await view.stop()).code, 0);
    }
  },
});

Deno.test({
  name:
    "--pcap, a truncated file: one line says where it ends, every frame before it is replayed",
  ignore,
  async fn() {
    const view = await ViewProcess.start(["--pcap", cutFile, "--port", "0"]);
    const { browser, close } = await launchBrowser();
    try {
      const warnings = view.stdout.split("\n").filter((l) =>
        l.startsWith("warning:")
      );
      assert.equal(warnings.length, 1, view.stdout);
      assert.match(
        warnings[0],
        new RegExp(
          `truncated\\.pcap: truncated: frame ${other.frames} .* the frames before it are replayed`,
        ),
      );
      assert.equal((await view.summary()).totals.frames, other.frames - 1);
      const { page } = await openPage(browser, view.url);
      await until(
        page,
        `document.querySelector("#status").dataset.state === "ended"`,
      );
      await until(
        page,
        `document.querySelectorAll("#notices [data-notice=problem]").length === 1`,
      );
      await until(
        page,
        `Number(document.querySelector('#counters [data-kind="total"] b').dataset.value) === ${
          other.frames - 1
        }`,
      );
    } finally {
      await close();
      assert.equal((await view.stop()).code, 0);
    }
  },
});

Deno.test("--pcap: a file that is no capture, a missing one, bad flags: one line each, exit code 2", async () => {
  const text = join(dir, "notes.txt");
  await Deno.writeTextFile(text, "this is not a capture\n");
  for (
    const [args, pattern] of [
      [["--pcap", text], /notes\.txt: not a pcap or pcapng capture/],
      [["--pcap", join(dir, "missing.pcap")], /missing\.pcap: no such file/],
      [["--pcap", otherFile, "--port", "99999"], /--port: expected a port/],
      [
        ["--pcap", otherFile, "--bind", "localhost"],
        /--bind: expected an IPv4 address/,
      ],
    ] as const
  ) {
    const result = await lab(["view", ...args]);
    assert.equal(result.code, 2, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], pattern);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
  }
  const wrong = await lab(["up", "--pcap", otherFile]);
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /--pcap is only for view/);
});

Deno.test({
  name:
    "--bind another address: one line of warning, and the page is served there",
  ignore,
  async fn() {
    const view = await ViewProcess.start([
      "--pcap",
      otherFile,
      "--port",
      "0",
      "--bind",
      "0.0.0.0",
    ]);
    try {
      const warnings = view.stdout.split("\n").filter((l) =>
        l.startsWith("warning:")
      );
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0],
        /--bind 0\.0\.0\.0: anyone who can reach this machine/,
      );
      assert.match(view.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const response = await fetch(view.url);
      assert.equal(response.status, 200);
      assert.match(
        response.headers.get("content-security-policy") ?? "",
        /default-src 'none'/,
      );
      await response.body?.cancel();
    } finally {
      assert.equal((await view.stop()).code, 0);
    }
  },
});

Deno.test({
  name: "cleanup",
  fn: async () => {
    if (!Deno.env.get("KEEPDIR")) await Deno.remove(dir, { recursive: true });
  },
  sanitizeResources: false,
});
