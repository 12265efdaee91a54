// `lab view` on the hop lab (labs/multicast-ttl.yaml: four segments joined
// by three routers), in a real headless Chromium: the picture draws every
// segment's switch with its hosts and the routers between them, its texts
// do not overlap; during `lab run … multicast-ttl` every segment's frames
// are listed, each datagram once per segment it crossed with its TTL there
// (the sender's on lan-1, one less after each router), as many as a capture
// of the routers' interfaces has; stepping back through the events moves a
// frame with its TTL and marks the receiver with the TTL it arrived with;
// the details give the frame's TTL; Indonesian by the page's switch; a
// screenshot for a person to look at.

import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./_dist.ts";
import { CAN_BUILD_LABS, lab, uniqueLabName } from "./_lab.ts";
import { commandSucceeds } from "./_harness.ts";
import { decodePng } from "./_png.ts";
import {
  CHROMIUM,
  counter,
  inPage,
  launchBrowser,
  openPage,
  until,
  ViewProcess,
} from "./_view.ts";

const HAVE_TCPDUMP = await commandSucceeds("tcpdump", ["--version"]);
const FILE = join(ROOT, "labs/multicast-ttl.yaml");
const SEGMENTS = ["lan-1", "lan-2", "lan-3", "lan-4"];

interface Row {
  n: number;
  from: string;
  to: string;
  kind: string;
  info: string;
}

/** The event list's rows in view. */
function rows(page: import("puppeteer-core").Page): Promise<Row[]> {
  return inPage(
    page,
    `[...document.querySelectorAll(".rows .row")].map((r) => {
      const c = [...r.children].map((s) => s.textContent);
      return { n: Number(r.dataset.n), from: c[2], to: c[3], kind: r.dataset.kind, info: c[5] };
    })`,
  );
}

/** Every pair of the picture's texts whose boxes overlap. */
function overlaps(page: import("puppeteer-core").Page): Promise<string[]> {
  return inPage(
    page,
    `(() => {
      const texts = [...document.querySelectorAll("#topology text")]
        .filter((t) => t.textContent.trim() !== "" && !t.closest("#moving"));
      const boxes = texts.map((t) => ({ t: t.textContent, b: t.getBBox() }));
      const found = [];
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].b, b = boxes[j].b;
          if (a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 &&
              a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5) {
            found.push(boxes[i].t + " / " + boxes[j].t);
          }
        }
      }
      return found;
    })()`,
  );
}

Deno.test({
  name:
    "lab view on the hop lab: every segment and router drawn; each multicast datagram listed once per segment it crossed, its TTL one less after each router",
  ignore: !CAN_BUILD_LABS || !CHROMIUM || !HAVE_TCPDUMP,
  async fn() {
    const name = uniqueLabName("vr");
    const shots = await Deno.makeTempDir({ prefix: "test-view-routers-" });
    let view: ViewProcess | undefined;
    let end;
    const { browser, close } = await launchBrowser();
    try {
      const up = await lab(["up", "--file", FILE, "--name", name]);
      assert.equal(up.code, 0, up.stdout + up.stderr);
      view = await ViewProcess.start(["--name", name, "--port", "0"]);
      await view.waitFor(
        /watching lab .*: 5 hosts on 4 segments \(lan-1 10\.11\.1\.0\/24, lan-2 10\.11\.2\.0\/24, lan-3 10\.11\.3\.0\/24, lan-4 10\.11\.4\.0\/24\) joined by 3 routers, every frame on each segment's switch/,
      );
      const { page, errors } = await openPage(browser, view.url);
      await until(
        page,
        `document.querySelector("#status").dataset.state === "watching"`,
      );
      assert.match(
        await inPage<string>(
          page,
          `document.querySelector("#status").textContent`,
        ),
        /every frame on each of its 4 segments' switches/,
      );
      // What a person reads on the picture: the segments, hosts, routers.
      const attrs = (selector: string, attr: string) =>
        inPage<string[]>(
          page,
          `[...document.querySelectorAll("${selector}")].map((e) => e.getAttribute("${attr}"))`,
        );
      assert.deepEqual(
        await attrs("#topology g.segment", "data-segment"),
        SEGMENTS,
      );
      assert.deepEqual(
        await attrs("#topology g.router", "data-router"),
        ["router-1", "router-2", "router-3"],
      );
      assert.deepEqual(
        await attrs("#topology g.host", "data-host"),
        ["alpine-1", "alpine-2", "alpine-3", "alpine-4", "alpine-5"],
      );
      assert.deepEqual(
        await attrs("#topology g.router-port", "data-device"),
        ["eth0", "eth1", "eth0", "eth1", "eth0", "eth1"],
      );
      assert.deepEqual(await overlaps(page), [], "texts overlap");
      // Each router linked to both its segments' switches: a line per port.
      assert.equal(
        await inPage(
          page,
          `document.querySelectorAll("#topology line.link").length`,
        ),
        5 + 6,
      );

      const run = await lab([
        "run",
        "--file",
        FILE,
        "multicast-ttl",
        "--name",
        name,
      ]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      // TTL 1 crosses lan-1, TTL 2 lan-1 and lan-2, …: 1 + 2 + 3 + 4.
      await until(
        page,
        `Number(document.querySelector('#counters [data-kind="udp-multicast"] b')?.dataset.value) >= 10`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await counter(page, "udp-multicast"), 10);
      assert.equal((await view.summary()).totals.kinds["udp-multicast"], 10);

      // Only UDP in the list: the ten copies of the four datagrams.
      for (const group of ["arp", "igmp", "tcp", "other"]) {
        await page.click(`#filters label[data-group="${group}"] input`);
      }
      await until(
        page,
        `document.querySelectorAll(".rows .row").length === 10`,
      );
      const listedRows = await rows(page);
      const expected: string[] = [];
      for (let ttl = 1; ttl <= 4; ttl++) {
        for (let hop = 0; hop < ttl; hop++) {
          expected.push(
            `${hop === 0 ? "alpine-1" : `router-${hop}`} ${SEGMENTS[hop]} TTL ${
              ttl - hop
            } · UDP 5004 "pesan dengan TTL ${ttl} dari alpine-1"`,
          );
        }
      }
      assert.deepEqual(
        listedRows.map((r) => `${r.from} ${r.info}`).sort(),
        expected.sort(),
      );
      // In the order they were captured (the switches' captures merged):
      // each datagram on lan-1 first, then on each segment after it.
      const times = await inPage<number[]>(
        page,
        `[...document.querySelectorAll(".rows .row")].map((r) => Number(r.children[1].textContent))`,
      );
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
      const ttl4 = listedRows.filter((r) => r.info.includes("TTL 4 dari"));
      assert.deepEqual(
        ttl4.map((r) => r.info.slice(0, 11)),
        ["lan-1 TTL 4", "lan-2 TTL 3", "lan-3 TTL 2", "lan-4 TTL 1"],
      );
      // On lan-4, the TTL-4 line reached alpine-5 (and no router's other side).
      const last = listedRows.find((r) => r.info.startsWith("lan-4"))!;
      assert.equal(last.from, "router-3");
      assert.equal(last.to, "alpine-5");
      const lan2 = listedRows.find((r) => r.info.startsWith("lan-2 TTL 2 "))!;
      assert.equal(lan2.to, "all 2 ports"); // alpine-3 and router-2

      // Its details: the IPv4 header's TTL.
      await page.click(`.rows .row[data-n="${last.n}"]`);
      await until(
        page,
        `document.querySelector('#details [data-layer="ipv4"]') !== null`,
      );
      assert.match(
        await inPage<string>(
          page,
          `document.querySelector('#details [data-layer="ipv4"]').textContent`,
        ),
        /Time to live \(TTL\)1Protocol/,
      );

      // Paused on it, one step back and forward again: the frame moves
      // with its TTL, and alpine-5 is marked with the TTL it arrived with.
      await page.click("#playpause");
      await page.click("#back");
      await page.click("#step");
      await until(
        page,
        `[...document.querySelectorAll("#moving .frame-ttl")].some((t) => t.textContent === "1")`,
        5000,
      );
      await new Promise((resolve) => setTimeout(resolve, 250));
      const moving = join(shots, "moving.png");
      await page.screenshot({ path: moving });
      // alpine-5 (port 4): its socket took it, with TTL 1.
      await until(
        page,
        `document.querySelector('#topology .mark[data-host="4"]').textContent === "✓ TTL 1"`,
        5000,
      );
      const shot = join(shots, "marked.png");
      await page.screenshot({ path: shot });
      const png = await decodePng(await Deno.readFile(shot));
      assert.ok(png.inked > png.width * png.height * 0.05, "blank screenshot");

      // Under each router interface: what it sent and what came to it.
      const counts = await inPage<string[]>(
        page,
        `[...document.querySelectorAll("#topology .host-counts")].map((t) => t.textContent)`,
      );
      assert.ok(counts.some((c) => /^got [1-9]/.test(c)), counts.join(" | "));

      // The host filter names each router's port by its segment.
      const options = await inPage<string[]>(
        page,
        `[...document.querySelectorAll("#host-filter option")].map((o) => o.textContent)`,
      );
      assert.ok(options.includes("router-2 eth0 (lan-2)"), options.join(", "));
      assert.ok(options.includes("alpine-5 (lan-4)"), options.join(", "));

      // Indonesian.
      await page.click("#lang");
      assert.match(
        await inPage<string>(
          page,
          `document.querySelector("#status").textContent`,
        ),
        /setiap frame di switch 4 segmennya/,
      );
      assert.match(
        await inPage<string>(
          page,
          `document.querySelector(".rows").textContent`,
        ),
        /lan-3 TTL 1 · UDP 5004/,
      );
      await page.click("#lang");
      assert.deepEqual(errors, []);
      console.log(`screenshots: ${moving} ${shot}`);
    } finally {
      await close();
      end = await view?.stop();
      await lab(["down", "--name", name]);
    }
    assert.equal(
      end?.code,
      0,
      `lab view ended:\n${end?.stdout}\n${end?.stderr}`,
    );
  },
});
