// Capturing the lab's hosts, as a student does it: `lab run --all
// --capture DIR --report FILE` (tshark opens every file; the report's counts
// per kind and each frame's fields equal tshark's; the IGMP joins, the
// non-member's dropped frames and each late receiver's first frame are
// there), Ctrl+C in the middle of a captured run, the hand captures of
// `lab console --capture` and `lab capture start|stop|status` read by
// `lab report`, and a missing tcpdump.

import assert from "node:assert/strict";
import { join } from "node:path";
import { delay } from "../lib/cli/async.ts";
import { readCapture } from "../lib/wire/mod.ts";
import {
  CAN_BUILD_LABS,
  lab,
  labNamespaces,
  spawnLab,
  uniqueLabName,
} from "./_lab.ts";
import { HAS_TMUX } from "./_pty.ts";
import {
  assertSectionsMatchTshark,
  kindTimes,
  tshark,
  wireSections,
} from "./_report_wire.ts";
import { HAVE_TSHARK } from "./_tshark.ts";
import { commandSucceeds } from "./_harness.ts";

const CAN = CAN_BUILD_LABS && HAVE_TSHARK &&
  await commandSucceeds("tcpdump", ["--version"]);
if (!CAN) {
  console.log("skipped: capture tests need root, ip, tcpdump and tshark");
}

const HOSTS = ["alpine-1", "alpine-2", "alpine-3", "alpine-4", "alpine-5"];

async function ourFrames(path: string): Promise<number> {
  let n = 0;
  for await (const _ of readCapture(path)) n++;
  return n;
}

Deno.test({
  name:
    "lab run --all --capture: tshark opens every file; the report's counts, frames, IGMP joins, non-member and first frames equal tshark's",
  ignore: !CAN,
  async fn() {
    const name = uniqueLabName("cap");
    const dir = await Deno.makeTempDir({ prefix: "pj_capture_" });
    try {
      const run = await lab([
        "run",
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
      // One file per host, named after it; tshark reads each to the end.
      const captures = run.records.filter((r) => r.type === "capture");
      assert.deepEqual(captures.map((c) => c.host), HOSTS);
      for (const c of captures) {
        const path = `${dir}/cap/${c.host}.pcap`;
        assert.equal(c.path, path);
        assert.equal(
          c.droppedByKernel,
          0,
          `${c.host}: the kernel dropped frames`,
        );
        const frames =
          (await tshark(["-r", path, "-T", "fields", "-e", "frame.number"]))
            .trim().split("\n").length;
        assert.equal(frames, c.frames, `${c.host}: tcpdump's count`);
        assert.equal(
          await ourFrames(path),
          frames,
          `${c.host}: our reader's count`,
        );
      }
      const report = await Deno.readTextFile(`${dir}/laporan.md`);
      const sections = wireSections(report);
      assert.deepEqual(sections.map((s) => s.scenario), [
        "unicast",
        "broadcast-receivers-first",
        "broadcast-sender-first",
        "multicast",
        "multicast-chat",
        "tcp-chat",
      ]);
      for (const s of sections) {
        assert.deepEqual([...s.counts.keys()], HOSTS, s.scenario);
      }
      await assertSectionsMatchTshark(sections, `${dir}/cap`);
      const section = (name: string) =>
        sections.find((s) => s.scenario === name)!;

      // The frames each scenario is about, one of each kind.
      const kinds = (name: string) => section(name).frames.map((f) => f.kind);
      assert.deepEqual(kinds("unicast"), ["ARP", "UDP unicast"]);
      assert.deepEqual(kinds("broadcast-receivers-first"), ["UDP broadcast"]);
      assert.deepEqual(kinds("multicast").slice(0, 2), [
        "IGMP",
        "UDP multicast",
      ]);
      assert.deepEqual(kinds("tcp-chat"), ["ARP", "TCP"]);
      const broadcast = section("broadcast-receivers-first").frames[0];
      assert.deepEqual(broadcast.fields.get("eth.dst"), ["ff:ff:ff:ff:ff:ff"]);
      assert.deepEqual(broadcast.fields.get("ip.dst"), ["192.168.122.255"]);
      assert.match(
        section("broadcast-receivers-first").text,
        /Text: " BROADCAST ini angka \d+ "/,
      );
      const multicast = section("multicast").frames[1];
      assert.deepEqual(multicast.fields.get("eth.dst"), ["01:00:5e:01:01:01"]);
      assert.deepEqual(multicast.fields.get("ip.ttl"), ["2"]);

      // Multicast: each member's join (and leave), as tshark sees that frame.
      const chat = section("multicast-chat");
      const rows = [
        ...chat.text.matchAll(
          /^\| (alpine-\d) \| 239\.17\.175\.79 \| frame (\d+), [^|]*\| ([^|]*) \|$/gm,
        ),
      ];
      assert.deepEqual(rows.map((r) => r[1]), [
        "alpine-1",
        "alpine-2",
        "alpine-3",
        "alpine-4",
      ]);
      for (const [, host, number, leave] of rows) {
        const fields = (await tshark([
          "-r",
          `${dir}/cap/${host}.pcap`,
          "-Y",
          `frame.number == ${number}`,
          "-T",
          "fields",
          "-e",
          "ip.src",
          "-e",
          "igmp.type",
          "-e",
          "igmp.record_type",
          "-e",
          "igmp.maddr",
        ])).trim().split("\t");
        assert.equal(fields[1], "0x22", `${host}: an IGMPv3 report`);
        const records = fields[2].split(","), groups = fields[3].split(",");
        assert.equal(
          records[groups.indexOf("239.17.175.79")],
          "4",
          `${host}: a join`,
        );
        assert.match(
          leave,
          /^frame \d+, .*239\.17\.175\.79 CHANGE_TO_INCLUDE/,
          `${host}: its leave`,
        );
      }
      // The host outside the group: its interface got the group's frames,
      // its kernel dropped them (udp-server on the port got nothing).
      const non =
        /alpine-5 is not a member of 239\.17\.175\.79 \(it sent no membership report\), yet its interface received (\d+) frames to the group[^\n]*udp-server listening on the group's port received 0/
          .exec(chat.text);
      assert.ok(non, chat.text);
      const times = await kindTimes(`${dir}/cap/alpine-5.pcap`);
      const toGroup = (await tshark([
        "-r",
        `${dir}/cap/alpine-5.pcap`,
        "-Y",
        "ip.dst == 239.17.175.79 && udp",
        "-T",
        "fields",
        "-e",
        "frame.time_epoch",
      ])).trim().split("\n").map(Number).filter((t) =>
        t >= Number(chat.from) && t <= Number(chat.to)
      );
      assert.equal(Number(non[1]), toGroup.length);
      assert.ok(toGroup.length >= 6, "the lines reached alpine-5's interface");
      assert.ok(times["udp-multicast"].length > 0);

      // Sender first: each receiver's first number is on its wire, after
      // the frames its interface saw while no socket listened.
      const firsts = [
        ...section("broadcast-sender-first").text.matchAll(
          /^\| (alpine-\d) \| [\d.]+ s \| [\d.]+ s \| (\d+) \| frame (\d+), [^|]*\| (\d+) \| 1 \|$/gm,
        ),
      ];
      assert.deepEqual(firsts.map((f) => f[1]), [
        "alpine-2",
        "alpine-3",
        "alpine-4",
        "alpine-5",
      ]);
      for (const [, host, first, number, before] of firsts) {
        const payload = (await tshark([
          "-r",
          `${dir}/cap/${host}.pcap`,
          "-Y",
          `frame.number == ${number}`,
          "-T",
          "fields",
          "-e",
          "udp.payload",
        ])).trim();
        const text = new TextDecoder().decode(
          new Uint8Array(payload.match(/../g)!.map((h) => parseInt(h, 16))),
        );
        assert.equal(text, ` BROADCAST ini angka ${first} `);
        assert.equal(
          Number(before),
          Number(first) - 1,
          `${host}: the frames before its first number`,
        );
      }

      // TCP chat: every client's handshake, and one line relayed.
      const tcp = section("tcp-chat").text;
      for (const host of HOSTS.slice(1)) {
        assert.match(
          tcp,
          new RegExp(
            `\\| alpine-1 #\\d+ \\| [\\d.]+ s \\| ${host} → alpine-1 \\| SYN \\| 0 \\| 0 \\| 0 \\|`,
          ),
        );
        assert.match(
          tcp,
          new RegExp(
            `\\| alpine-1 #\\d+ \\| [\\d.]+ s \\| alpine-1 → ${host} \\| SYN, ACK \\| 0 \\| 1 \\| 0 \\|`,
          ),
        );
      }
      assert.match(
        tcp,
        /The line "halo dari alpine-\d" typed on alpine-\d, segment by segment/,
      );
      assert.match(
        tcp,
        /\| PSH, ACK \| \d+ \| \d+ \| \d+ \| "alpine-\d : halo dari alpine-\d/,
      );
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "lab run --report, Ctrl+C in the middle: the captures end whole, the report has what ran; --no-capture captures nothing",
  ignore: !CAN,
  async fn() {
    const name = uniqueLabName("cci");
    const dir = await Deno.makeTempDir({ prefix: "pj_capture_" });
    try {
      const child = spawnLab([
        "run",
        "unicast",
        "broadcast-sender-first",
        "--name",
        name,
        "--report",
        `${dir}/r.md`,
      ]);
      const reader = child.stdout.pipeThrough(new TextDecoderStream())
        .getReader();
      let out = "";
      while (!/alpine-3: broadcast-receiver/.test(out)) {
        const { done, value } = await reader.read();
        if (done) break;
        out += value;
      }
      child.kill("SIGINT");
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        out += value;
      }
      const status = await child.status;
      assert.equal(status.code, 130, out);
      assert.match(
        out,
        /capturing every frame of 5 hosts into .*r_files\/capture\/ \(tcpdump\)/,
      );
      for (const host of HOSTS) {
        const path = `${dir}/r_files/capture/${host}.pcap`;
        assert.match(
          out,
          new RegExp(
            `capture ${host}: ${path}, \\d+ frames, 0 dropped by the kernel`,
          ),
        );
        await tshark(["-r", path]);
      }
      const report = await Deno.readTextFile(`${dir}/r.md`);
      assert.ok(wireSections(report).some((s) => s.scenario === "unicast"));
      assert.deepEqual(await labNamespaces(name), []);

      const quiet = await lab([
        "run",
        "unicast",
        "--name",
        name,
        "--report",
        `${dir}/q.md`,
        "--no-capture",
      ]);
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.doesNotMatch(quiet.stdout, /capturing/);
      await assert.rejects(Deno.stat(`${dir}/q_files/capture`));
      assert.doesNotMatch(
        await Deno.readTextFile(`${dir}/q.md`),
        /On the wire/,
      );
      const both = await lab([
        "run",
        "unicast",
        "--name",
        name,
        "--capture",
        dir,
        "--no-capture",
      ]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /give --capture DIR or --no-capture, not both/);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

async function tmux(...args: string[]): Promise<string> {
  const output = await new Deno.Command("tmux", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(output.stdout);
}

async function waitForPane(
  name: string,
  host: string,
  pattern: RegExp,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await tmux(
      "capture-pane",
      "-p",
      "-J",
      "-S",
      "-",
      "-t",
      `=progjar-${name}:${host}`,
    );
    if (pattern.test(text)) return;
    if (Date.now() > deadline) {
      throw new Error(`${host}: no ${pattern}:\n${text}`);
    }
    await delay(200);
  }
}

Deno.test({
  name:
    "lab console --capture, lab capture status/stop/start, lab report: a multicast practicum by hand on the wire",
  ignore: !CAN || !HAS_TMUX,
  async fn() {
    const name = uniqueLabName("chc");
    const dir = await Deno.makeTempDir({ prefix: "pj_capture_" });
    const type = (host: string, line: string) =>
      tmux("send-keys", "-t", `=progjar-${name}:${host}`, line, "Enter");
    try {
      const made = await lab([
        "console",
        "--detach",
        "--name",
        name,
        "--capture",
        `${dir}/hand`,
      ]);
      assert.equal(made.code, 0, made.stderr);
      for (const host of HOSTS) {
        assert.match(
          made.stdout,
          new RegExp(`${host}: capturing into ${dir}/hand/${host}\\.pcap`),
        );
      }
      // Twice: the running captures are left as they are.
      const again = await lab([
        "capture",
        "start",
        "--name",
        name,
        "--capture",
        `${dir}/hand`,
      ]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /alpine-2: already capturing into/);

      for (const host of ["alpine-2", "alpine-3"]) {
        await type(
          host,
          "deno task multicast-receiver --group 224.1.1.1 --port 5004",
        );
      }
      await type("alpine-5", "deno task udp-server --port 5004");
      for (const host of ["alpine-2", "alpine-3"]) {
        await waitForPane(name, host, /listening on udp port 5004/);
      }
      await waitForPane(name, "alpine-5", /5004/);
      await type(
        "alpine-1",
        "deno task multicast-sender --group 224.1.1.1 --port 5004 --ttl 2",
      );
      await waitForPane(name, "alpine-1", /sending from/);
      for (const line of ["halo dari alpine-1", "pesan kedua"]) {
        await type("alpine-1", line);
        await delay(300);
      }
      await tmux("send-keys", "-t", `=progjar-${name}:alpine-1`, "C-d");
      await waitForPane(name, "alpine-1", /done: sent 2 datagrams/);
      await delay(300);
      for (const host of ["alpine-2", "alpine-3", "alpine-5"]) {
        await tmux("send-keys", "-t", `=progjar-${name}:${host}`, "C-c");
      }
      await waitForPane(name, "alpine-2", /summary: 2 messages/);
      await delay(1500);

      const status = await lab(["capture", "status", "--name", name, "--json"]);
      assert.equal(status.code, 0, status.stderr);
      const running = status.records.filter((r) => r.type === "capture");
      assert.deepEqual(
        running.map((r) => [r.host, r.running]),
        HOSTS.map((h) => [h, true]),
      );
      assert.ok((running[1].frames as number) > 0);
      // While they still capture: the report reads what is written so far.
      const early = await lab([
        "report",
        "--name",
        name,
        "--report",
        `${dir}/early.md`,
      ]);
      assert.equal(early.code, 0, early.stderr);
      const earlyText = await Deno.readTextFile(`${dir}/early.md`);
      assert.match(earlyText, /### On the wire/);
      assert.doesNotMatch(earlyText, /truncated/);
      const stop = await lab(["capture", "stop", "--name", name]);
      assert.equal(stop.code, 0, stop.stderr);
      for (const host of HOSTS) {
        assert.match(
          stop.stdout,
          new RegExp(
            `capture ${host}: ${dir}/hand/${host}\\.pcap, \\d+ frames, 0 dropped by the kernel`,
          ),
        );
      }
      const stopped = await lab(["capture", "status", "--name", name]);
      assert.match(stopped.stdout, /alpine-2 +stopped/);
      assert.match(
        (await lab(["capture", "stop", "--name", name])).stdout,
        /no capture is running/,
      );

      const report = await lab([
        "report",
        "--name",
        name,
        "--report",
        `${dir}/hand.md`,
      ]);
      assert.equal(report.code, 0, report.stdout + report.stderr);
      const text = await Deno.readTextFile(`${dir}/hand.md`);
      const sections = wireSections(text);
      assert.ok(sections.length > 0, text);
      await assertSectionsMatchTshark(sections, `${dir}/hand`);
      const multicast = sections.find((s) => /224\.1\.1\.1/.test(s.text));
      assert.ok(multicast, text);
      assert.match(
        multicast.text,
        /^\| alpine-2 \| 224\.1\.1\.1 \| frame \d+, .*CHANGE_TO_EXCLUDE \| frame \d+, .*CHANGE_TO_INCLUDE \|$/m,
      );
      assert.match(
        multicast.text,
        /^\| alpine-3 \| 224\.1\.1\.1 \| frame \d+/m,
      );
      assert.match(
        multicast.text,
        /alpine-5 is not a member of 224\.1\.1\.1 \(it sent no membership report\), yet its interface received 2 frames/,
      );

      // Again: a new file beside the first; lab down stops it whole.
      const more = await lab([
        "capture",
        "start",
        "alpine-2",
        "--name",
        name,
        "--capture",
        `${dir}/hand`,
      ]);
      assert.match(
        more.stdout,
        new RegExp(`alpine-2: capturing into ${dir}/hand/alpine-2-2\\.pcap`),
      );
      const bad = await lab(["capture", "start", "alpine-9", "--name", name]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown host "alpine-9"/);
      const down = await lab(["down", "--name", name]);
      assert.match(
        down.stdout,
        /capture alpine-2: .*alpine-2-2\.pcap, \d+ frames?, 0 dropped by the kernel/,
      );
      await tshark(["-r", `${dir}/hand/alpine-2-2.pcap`]);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "without tcpdump: --capture is one line naming the package, exit 1, nothing started",
  ignore: !CAN_BUILD_LABS,
  async fn() {
    const bin = await Deno.makeTempDir();
    const dir = await Deno.makeTempDir();
    const name = uniqueLabName("ntd");
    try {
      // Only ip on the PATH.
      const ip = (await new Deno.Command("sh", {
        args: ["-c", "command -v ip"],
        stdout: "piped",
      }).output()).stdout;
      await Deno.symlink(new TextDecoder().decode(ip).trim(), join(bin, "ip"));
      const result = await lab([
        "run",
        "unicast",
        "--name",
        name,
        "--capture",
        `${dir}/cap`,
      ], { env: { PATH: bin } });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const lines = result.stderr.trim().split("\n").filter((l) =>
        !l.startsWith("Info Failed to resolve")
      );
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0],
        /^lab: error: capturing needs tcpdump, which is not installed \(Debian\/Ubuntu: apt-get install tcpdump\)$/,
      );
      assert.deepEqual(await labNamespaces(name), []);
      await assert.rejects(Deno.stat(`${dir}/cap`));
      assert.equal(result.stdout, "");
      // A place that cannot be a directory: one line before anything is built.
      await Deno.writeTextFile(`${dir}/file`, "");
      const place = await lab([
        "run",
        "unicast",
        "--name",
        name,
        "--capture",
        `${dir}/file/cap`,
      ]);
      assert.equal(place.code, 1, place.stdout + place.stderr);
      assert.match(
        place.stderr.trim(),
        /^lab: error: --capture .*\/file\/cap: Not a directory/,
      );
      assert.equal(place.stderr.trim().split("\n").length, 1, place.stderr);
      assert.deepEqual(await labNamespaces(name), []);
    } finally {
      await lab(["down", "--name", name]);
      await Deno.remove(bin, { recursive: true });
      await Deno.remove(dir, { recursive: true });
    }
  },
});
