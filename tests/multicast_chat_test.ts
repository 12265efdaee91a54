import assert from "node:assert/strict";
import { channelGroup } from "../lib/multicast_chat/channel.ts";
import { hostNetns } from "../lib/net/netns.ts";
import { CAN_BUILD_LABS, lab, uniqueLabName } from "./_lab.ts";
import {
  commandSucceeds,
  roleCommand,
  type RoleProcess,
  runRole,
  spawn,
  startRole,
} from "./_harness.ts";
import { HAS_TMUX, Terminal } from "./_pty.ts";
import { freePort, sendRaw } from "./_udp.ts";

const GROUP = "224.1.1.1";
const HAS_PYTHON = await commandSucceeds("python3", ["-c", "import socket"]);

/** A peer on loopback only (joined and sending on 127.0.0.1), piped. */
function peer(name: string, port: number, more: string[] = []): RoleProcess {
  return startRole("multicast-chat", [
    "--interface",
    "127.0.0.1",
    "--port",
    String(port),
    "--name",
    name,
    ...more,
  ], { stdin: true });
}

/** A JSON peer that has joined; resolves with its `listening` record. */
async function jsonPeer(name: string, port: number, more: string[] = []) {
  const proc = peer(name, port, ["--json", ...more]);
  const listening = await proc.waitForRecord("listening");
  return { proc, listening };
}

function messages(proc: RoleProcess) {
  return proc.records.filter((r) => r.type === "message");
}

/**
 * Runs `body` with ana in a terminal (`more` flags) and budi piped, both on
 * one loopback port; closes both afterwards.
 */
async function inTerminal(
  more: string,
  body: (terminal: Terminal, budi: RoleProcess) => Promise<void>,
): Promise<void> {
  const port = freePort();
  const terminal = await Terminal.start(
    `deno task multicast-chat --interface 127.0.0.1 --port ${port} --name ana ${more}`,
  );
  let budi: RoleProcess | undefined;
  try {
    // ana has joined before budi announces himself.
    await terminal.waitFor(/^(joined|bergabung ke) 224/m);
    budi = (await jsonPeer("budi", port)).proc;
    await body(terminal, budi);
  } finally {
    await terminal.close();
    await budi?.closeStdin();
    await budi?.finished();
  }
}

/** One of the module's Python programs (tests/_module_*.py) on loopback. */
async function python(script: string, port: number, stdin = false) {
  const proc = spawn(script, "python3", [
    `tests/_module_${script}.py`,
    GROUP,
    String(port),
    "127.0.0.1",
  ], { stdin });
  const ready = await proc.waitForLine((l) => l.startsWith("ready"));
  return { proc, sourcePort: Number(ready.split(" ")[1]) };
}

Deno.test("multicast-chat: two peers on one host see each other's lines, never their own; join and leave", async () => {
  const port = freePort();
  const ana = await jsonPeer("ana", port);
  const budi = await jsonPeer("budi", port);
  const joined = await ana.proc.waitForRecord("join");
  assert.equal(joined.name, "budi");
  assert.equal(joined.from, `127.0.0.1:${budi.listening.sourcePort}`);
  await ana.proc.write("halo dari ana\n");
  await budi.proc.write("halo dari budi\n");
  await budi.proc.waitForLine((l) => l.includes("halo dari ana"));
  await ana.proc.waitForLine((l) => l.includes("halo dari budi"));
  await budi.proc.closeStdin();
  assert.equal((await budi.proc.finished()).code, 0);
  const left = await ana.proc.waitForRecord("leave");
  assert.equal(left.name, "budi");
  await ana.proc.closeStdin();
  assert.equal((await ana.proc.finished()).code, 0);

  assert.deepEqual(messages(ana.proc), [{
    type: "message",
    from: `127.0.0.1:${budi.listening.sourcePort}`,
    name: "budi",
    text: "halo dari budi",
    group: GROUP,
  }]);
  assert.deepEqual(messages(budi.proc).map((m) => m.text), ["halo dari ana"]);
  assert.deepEqual(ana.proc.records.at(-1), {
    type: "summary",
    sent: 1,
    received: 1,
    members: 1,
    joined: 1,
    left: 1,
  });
});

Deno.test({
  name:
    "multicast-chat and the module's Python programs on loopback: its receiver prints NAME : TEXT and the joins; its sender's raw text shows with the sender's address",
  ignore: !HAS_PYTHON,
  async fn() {
    const port = freePort();
    const receiver = await python("receiver", port);
    const human = peer("budi", port, ["--lang", "id"]);
    await human.waitForLine((l) => l.startsWith("bergabung ke"));
    const ana = await jsonPeer("ana", port);
    await human.waitForLine((l) => l.startsWith("* ana bergabung"));
    const sender = await python("sender", port, true);
    await ana.proc.write("halo modul\n");
    await receiver.proc.waitForLine((l) => l === "ana : halo modul");
    await sender.proc.write("dari python\n");
    await sender.proc.closeStdin();
    await sender.proc.finished();
    const raw = await ana.proc.waitForLine((l) => l.includes("dari python"));
    assert.deepEqual(JSON.parse(raw), {
      type: "message",
      from: `127.0.0.1:${sender.sourcePort}`,
      text: "dari python",
      group: GROUP,
    });
    await human.waitForLine((l) =>
      l === `127.0.0.1:${sender.sourcePort} : dari python`
    );
    await ana.proc.closeStdin();
    await ana.proc.finished();
    await receiver.proc.waitForLine((l) => l === "* ana left");
    await human.waitForLine((l) => l === "* ana keluar");
    await human.closeStdin();
    const { code, stdout } = await human.finished();
    assert.equal(code, 0);
    assert.match(stdout, /^ana : halo modul$/m);
    assert.match(
      stdout,
      /^selesai: 0 baris dikirim, 2 pesan diterima dari 2 anggota \(1 masuk, 1 keluar\)$/m,
    );
    receiver.proc.kill();
    await receiver.proc.finished();
    const lines = receiver.proc.lines;
    assert.ok(lines.includes("* budi joined"), lines.join("\n"));
    assert.ok(lines.includes("* ana joined"), lines.join("\n"));
    assert.ok(lines.includes("* budi left"), lines.join("\n"));
  },
});

Deno.test({
  name: "multicast-chat sends with TTL 2 on the wire (and --ttl as given)",
  ignore: !HAS_PYTHON,
  async fn() {
    for (const [ttl, args] of [[2, []], [5, ["--ttl", "5"]]] as const) {
      const port = freePort();
      const probe = spawn("ttl", "python3", [
        "tests/_ttl_probe.py",
        GROUP,
        String(port),
        "127.0.0.1",
      ]);
      await probe.waitForLine((l) => l === "ready");
      const ana = peer("ana", port, [...args]);
      const report = await probe.waitForLine((l) => l.startsWith("ttl"));
      // The first datagram is the join, "* ana joined": 12 bytes.
      assert.equal(report, `ttl ${ttl} bytes 12`);
      await ana.closeStdin();
      assert.equal((await ana.finished()).code, 0);
      await probe.finished();
    }
  },
});

Deno.test("multicast-chat refuses a line longer than a datagram carries, with the limit; peer bytes are escaped", async () => {
  const port = freePort();
  const budi = await jsonPeer("budi", port);
  const ana = peer("ana", port);
  await ana.waitForLine((l) => l.startsWith("joined"));
  // "ana : " takes 6 of the datagram's 65,507 bytes.
  await ana.write("x".repeat(65502) + "\n" + "y".repeat(65501) + "\n");
  await budi.proc.waitForLine((l) => l.includes("yyyy"));
  await sendRaw(port, [
    new TextEncoder().encode("eve : \x1b[2Jboo\x07"),
    new Uint8Array([0x68, 0x69, 0xff]),
  ]);
  await ana.waitForLine((l) =>
    l.startsWith("127.0.0.1:") && l.endsWith("hi\\xff")
  );
  await ana.closeStdin();
  const { code, stdout } = await ana.finished();
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^not sent: 65502 bytes; one datagram carries at most 65501 bytes of text$/m,
  );
  assert.match(stdout, /^eve : \\x1b\[2Jboo\\x07$/m);
  assert.ok(!stdout.includes("\x1b"));
  assert.match(stdout, /^done: 1 line sent, 2 messages received/m);
  await budi.proc.closeStdin();
  await budi.proc.finished();
  const got = messages(budi.proc);
  assert.equal(got.length, 1);
  assert.equal((got[0].text as string).length, 65501);
});

Deno.test("multicast-chat: bad flags are one line and exit 2", async () => {
  for (
    const [args, why] of [
      [["--channel", "no spaces"], /--channel: a channel name is 1-32/],
      [["--channel", "kelas", "--group", "239.1.2.3"], /not both/],
      [["--name", "a b"], /--name: a name is 1-24/],
      [["--group", "10.0.0.1"], /--group/],
    ] as const
  ) {
    const { code, stderr } = await runRole("multicast-chat", [
      "--interface",
      "127.0.0.1",
      ...args,
    ]);
    assert.equal(code, 2, stderr);
    assert.match(stderr, why);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
  }
});

Deno.test({
  name:
    "multicast-chat in a terminal: lines appear above the prompt, the typed line is kept, the bell rings and the prompt counts unread lines",
  ignore: !HAS_TMUX,
  async fn() {
    await inTerminal("", async (terminal, budi) => {
      await terminal.waitFor("* budi joined");
      assert.equal(await terminal.rang(), false, "a bell before any message");
      await terminal.type("sedang mengetik");
      await terminal.waitFor(/enter message : sedang mengetik$/);
      await budi.write("satu\ndua\n");
      const screen = await terminal.waitFor(
        /budi : satu\nbudi : dua\n\(2 new\) enter message : sedang mengetik$/,
      );
      assert.equal(await terminal.rang(), true, screen);
      await terminal.press("Enter");
      await budi.waitForLine((l) => l.includes("sedang mengetik"));
      await terminal.waitFor(/sedang mengetik\nenter message :$/);
      await terminal.type("/who");
      await terminal.press("Enter");
      await terminal.waitFor(
        /heard from in the last 300 s: budi \(127\.0\.0\.1:\d+\)/,
      );
      // A line printed at once (here /help) leaves one prompt, not two.
      await terminal.type("/help");
      await terminal.press("Enter");
      await terminal.waitFor(
        /\/quit: leave \(also Ctrl\+D on an empty line, Ctrl\+C\)\nenter message :$/,
      );
      await terminal.type("/quit");
      await terminal.press("Enter");
      assert.equal(await terminal.exitCode(), 0);
      assert.match(
        await terminal.screen(),
        /^done: 1 line sent, 2 messages received from 1 member/m,
      );
    });
  },
});

Deno.test({
  name:
    "multicast-chat in a terminal: --quiet rings no bell; --lang id uses the module's prompt",
  ignore: !HAS_TMUX,
  async fn() {
    await inTerminal("--quiet --lang id", async (terminal, budi) => {
      await terminal.waitFor(/masukkan pesan :$/);
      await terminal.type("x");
      // The line counts as unread only once the chat has read the "x": the
      // echo on screen says it has (without this wait budi's line could win).
      await terminal.waitFor(/masukkan pesan :x$/);
      await budi.write("satu\n");
      await terminal.waitFor(/budi : satu\n\(1 baru\) masukkan pesan :x$/);
      assert.equal(await terminal.rang(), false);
      await terminal.press("BSpace", "C-d");
      assert.equal(await terminal.exitCode(), 0);
      assert.match(await terminal.screen(), /^selesai: 0 baris dikirim/m);
    });
  },
});

Deno.test({
  name:
    "multicast-chat across the lab's hosts: peers in channel kelas on alpine-1 and alpine-2, the module's Python receiver (INADDR_ANY) on alpine-4 and sender on alpine-5",
  ignore: !CAN_BUILD_LABS || !HAS_PYTHON,
  async fn() {
    const name = uniqueLabName("mc");
    const group = channelGroup("kelas");
    const on = (host: string, label: string, command: string[]) =>
      spawn(label, "ip", ["netns", "exec", hostNetns(name, host), ...command], {
        stdin: true,
      });
    const procs: RoleProcess[] = [];
    try {
      const up = await lab(["up", "--name", name]);
      assert.equal(up.code, 0, up.stderr);
      const receiver = on("alpine-4", "receiver", [
        "python3",
        "tests/_module_receiver.py",
        group,
        "5004",
      ]);
      procs.push(receiver);
      await receiver.waitForLine((l) => l === "ready");
      const peers = ["alpine-1", "alpine-2"].map((host) =>
        on(
          host,
          host,
          roleCommand("multicast-chat", [
            "--channel",
            "kelas",
            "--name",
            host,
            "--json",
          ]),
        )
      );
      procs.push(...peers);
      for (const p of peers) await p.waitForRecord("listening");
      const sender = on("alpine-5", "sender", [
        "python3",
        "tests/_module_sender.py",
        group,
        "5004",
      ]);
      procs.push(sender);
      const ready = await sender.waitForLine((l) => l.startsWith("ready"));
      const sourcePort = ready.split(" ")[1];
      await peers[0].write("halo dari alpine-1\n");
      await receiver.waitForLine((l) => l === "alpine-1 : halo dari alpine-1");
      const got = await peers[1].waitForLine((l) =>
        l.includes("halo dari alpine-1")
      );
      assert.match(JSON.parse(got).from, /^192\.168\.122\.207:\d+$/);
      await sender.write("dari python\n");
      for (const p of peers) {
        const line = await p.waitForLine((l) => l.includes("dari python"));
        assert.equal(JSON.parse(line).from, `192.168.122.197:${sourcePort}`);
      }
      for (const p of peers) await p.closeStdin();
      for (const p of peers) assert.equal((await p.finished()).code, 0);
      await receiver.waitForLine((l) => l === "* alpine-2 left");
      assert.ok(receiver.lines.includes("* alpine-1 joined"));
      assert.equal(
        messages(peers[0]).filter((m) => m.text === "halo dari alpine-1")
          .length,
        0,
        "its own line came back as a message",
      );
    } finally {
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.finished()));
      await lab(["down", "--name", name]);
    }
  },
});
