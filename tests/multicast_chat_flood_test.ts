/**
 * A multicast-chat peer under a flood on loopback (a Python sender bound to
 * 127.0.0.1, TTL 0, joined on 127.0.0.1): a million datagrams from 500
 * senders, each with a new name, long lines, joins and raw bytes, while its
 * standard output is a pipe nobody reads. Its memory stays bounded, it still
 * answers another peer's /who, lists the members on its own /who once its
 * console reads again, and Ctrl+C ends it with exit 0 and a summary that
 * counts what it received and what it could not show.
 */

import assert from "node:assert/strict";
import { commandSucceeds, roleCommand, startRole } from "./_harness.ts";
import { freePort } from "./_udp.ts";

const HAS_PYTHON = await commandSucceeds("python3", ["-c", "import socket"]);
const GROUP = "224.1.1.1";
const DATAGRAMS = 1_000_000;
/** Generous: the peer runs at about 60 MB; without bounds a flood this size takes gigabytes. */
const RSS_LIMIT_MB = 150;

/** The process's resident set in MB, from /proc (undefined once it is gone). */
async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * The first line of `stream`, and a stream of the rest (not read further
 * until the caller reads it).
 */
async function readFirstLine(
  stream: ReadableStream<Uint8Array>,
): Promise<{ line: string; rest: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  let head = new Uint8Array(0);
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the peer ended before its first line`);
    const joined = new Uint8Array(head.length + value.length);
    joined.set(head);
    joined.set(value, head.length);
    head = joined;
    const newline = head.indexOf(0x0a);
    if (newline < 0) continue;
    const after = head.slice(newline + 1);
    const rest = new ReadableStream<Uint8Array>({
      start(controller) {
        if (after.length > 0) controller.enqueue(after);
      },
      async pull(controller) {
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel() {
        return reader.cancel();
      },
    });
    return { line: new TextDecoder().decode(head.subarray(0, newline)), rest };
  }
}

/** Reads `stream` to its end as lines, calling `onLine` for each. */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const line of parts) onLine(line);
  }
  if (rest !== "") onLine(rest);
}

Deno.test({
  name:
    "multicast-chat under a flood (1,000,000 datagrams, 500 senders, new names, long lines) with stdout unread: RSS bounded, answers /who, Ctrl+C: exit 0 and a summary of what it dropped",
  ignore: !HAS_PYTHON,
  async fn() {
    const port = freePort();
    const [program, ...args] = roleCommand("multicast-chat", [
      "--interface",
      "127.0.0.1",
      "--port",
      String(port),
      "--name",
      "flooded",
      "--keep-open",
    ]);
    const peer = new Deno.Command(program, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", LANG: "C.UTF-8", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const stdin = peer.stdin.getWriter();
    let stderr = "";
    const stderrDone = readLines(peer.stderr, (l) => stderr += l + "\n");
    let probe;
    let stdoutDone: Promise<void> | undefined;
    try {
      // Joined: a first line comes, then nothing more is read until the
      // flood is over.
      const first = await readFirstLine(peer.stdout);
      assert.match(
        first.line,
        /^joined 224\.1\.1\.1:\d+ on 127\.0\.0\.1 as flooded/,
      );
      let maxRss = 0;
      const flood = new Deno.Command("python3", {
        args: [
          "tests/_flood_sender.py",
          GROUP,
          String(port),
          String(DATAGRAMS),
        ],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let flooding = true;
      const sampling = (async () => {
        while (flooding) {
          const rss = await rssMb(peer.pid);
          if (rss !== undefined) maxRss = Math.max(maxRss, rss);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const sent = await flood.output();
      flooding = false;
      await sampling;
      assert.equal(
        sent.code,
        0,
        new TextDecoder().decode(sent.stderr),
      );
      const after = (await rssMb(peer.pid))!;
      maxRss = Math.max(maxRss, after);
      console.log(
        `flood: ${
          new TextDecoder().decode(sent.stdout).trim()
        } s; peer RSS at most ${maxRss.toFixed(0)} MB, ${
          after.toFixed(0)
        } MB after`,
      );
      assert.ok(
        maxRss < RSS_LIMIT_MB,
        `RSS ${maxRss.toFixed(0)} MB during the flood`,
      );

      // Still alive and answering: another peer's /who gets its "is here".
      probe = startRole("multicast-chat", [
        "--interface",
        "127.0.0.1",
        "--port",
        String(port),
        "--name",
        "probe",
        "--json",
        "--keep-open",
      ], { stdin: true });
      await probe.waitForRecord("listening", 30_000);
      await probe.write("/who\n");
      const who = await probe.waitForRecord("who", 15_000);
      const names = (who.members as { name?: string }[]).map((m) => m.name);
      assert.ok(names.includes("flooded"), JSON.stringify(who));

      // Its console reads again: what it could not show is counted, and its
      // own /who lists the members it remembers (the probe among them).
      const lines: string[] = [];
      let notified: () => void;
      let waitingFor: RegExp | undefined;
      const seen = new Promise<void>((r) => notified = r);
      stdoutDone = readLines(first.rest, (line) => {
        lines.push(line);
        if (waitingFor?.test(line)) notified();
      });
      const waitFor = async (pattern: RegExp) => {
        if (lines.some((l) => pattern.test(l))) return;
        waitingFor = pattern;
        const timer = setTimeout(() => notified(), 30_000);
        await seen;
        clearTimeout(timer);
      };
      await waitFor(/^… [\d,]+ lines not shown$/);
      assert.ok(
        lines.some((l) => /^… [\d,]+ lines not shown$/.test(l)),
        lines.slice(-5).map((l) => l.slice(0, 200)).join("\n"),
      );
      await stdin.write(new TextEncoder().encode("/who\n"));
      // The answer comes after a second; the probe is among the newest.
      await new Promise((r) => setTimeout(r, 2500));
      peer.kill("SIGINT");
      const status = await peer.status;
      await stdoutDone;
      await stderrDone;
      assert.equal(status.code, 0, stderr);
      assert.equal(stderr, "");
      // What a person would read at the end, each line cut short (60 KB lines).
      const shown = lines.filter((l) => !/^n\d+ : /.test(l))
        .map((l) => l.startsWith("heard from") ? l : l.slice(0, 200))
        .join("\n");
      // The newest members are listed (the probe among them), with a count
      // of the rest, not the first 20 of the alphabet.
      assert.match(
        shown,
        /^heard from in the last 300 s: .*probe \(127\.0\.0\.1:\d+\).* and \d+ more$/m,
      );
      const summary = lines.findLast((l) => l.startsWith("done: "));
      assert.ok(summary, shown.slice(-2000));
      const m =
        /^done: 0 lines sent, (\d+) messages received from (\d+) members/
          .exec(summary);
      assert.ok(m, summary);
      // Received some of the flood (loopback drops when the peer is behind);
      // the member table never grew past its bound of 256.
      assert.ok(Number(m[1]) > 1000, summary);
      assert.ok(Number(m[2]) <= 256, summary);
      assert.match(
        shown,
        /^… \d+ lines not shown in all: the console did not keep up$/m,
      );
    } finally {
      try {
        peer.kill("SIGKILL");
      } catch {
        // already gone
      }
      await stdin.close().catch(() => {});
      await stdoutDone?.catch(() => {});
      await peer.status;
      await stderrDone.catch(() => {});
      if (probe) {
        probe.kill("SIGINT");
        await probe.finished();
      }
    }
  },
});
