/**
 * Recording (`PROGJAR_RECORD`) as the roles do it on a lab host, without
 * building one: a receiver's recording holds the very lines its screen got
 * (the flood's fast path too), peer bytes stay escaped up to `lab report`,
 * and a full disk drops entries without stopping the role.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { ROOT, taskCommand } from "./_dist.ts";
import { lab, uniqueLabName } from "./_lab.ts";
import { freePort, sendRaw } from "./_udp.ts";
import { parseRuns } from "../lib/hand/records.ts";
import { recordPermissions } from "../lib/roles.ts";
import { delay } from "../lib/cli/async.ts";
import { HAS_TMUX, Terminal } from "./_pty.ts";
import { startRole } from "./_harness.ts";

const ENCODER = new TextEncoder();

/** Whether `text` holds a control character (a line break aside). */
function hasControl(text: string): boolean {
  return [...text].some((ch) => {
    const code = ch.codePointAt(0)!;
    return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f) ||
      (code >= 0xd800 && code <= 0xdfff);
  });
}

/** `deno task <role>` as on a lab host recording to `file`. */
async function recordingRole(
  role: string,
  file: string,
  args: string[],
  options: { wrapper?: string[] } = {},
): Promise<Deno.ChildProcess> {
  const [deno, run, ...rest] = await taskCommand(role);
  const entry = rest.at(-1)!;
  return new Deno.Command(options.wrapper?.[0] ?? deno, {
    args: [
      ...(options.wrapper ? [...options.wrapper.slice(1), deno] : []),
      run,
      ...rest.slice(0, -1),
      ...recordPermissions(file),
      entry,
      ...args,
    ],
    cwd: ROOT,
    env: { PROGJAR_RECORD: file, NO_COLOR: "1", LANG: "C.UTF-8" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

Deno.test({
  name:
    "recording: a receiver records the lines its screen got (fast path too), escaped as shown, and lab report prints them so",
  ignore: Deno.uid() !== 0,
  async fn() {
    const name = uniqueLabName("rec");
    const dir = `/run/progjar/${name}`;
    const file = `${dir}/alpine-2.jsonl`;
    await Deno.mkdir(dir, { recursive: true });
    const port = freePort();
    const datagrams = [
      " BROADCAST ini angka 1 ",
      " BROADCAST ini angka 2 ",
      "\x1b[31mred\x1b[0m \x07",
      " BROADCAST ini angka 3 ",
      "back\\slash",
    ].map((s) => ENCODER.encode(s));
    datagrams.push(new Uint8Array([0x68, 0x69, 0xff, 0xfe, 0x1b]));
    const receiver = await recordingRole("broadcast-receiver", file, [
      "--port",
      String(port),
      "--count",
      String(datagrams.length),
      "--duration",
      "30",
    ]);
    try {
      // Listening: its first lines are in the file.
      for (let i = 0; i < 100; i++) {
        const text = await Deno.readTextFile(file).catch(() => "");
        if (text.includes("listening")) break;
        await delay(100);
      }
      await sendRaw(port, datagrams);
      const output = await receiver.output();
      const screen = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      assert.ok(!hasControl(screen), screen);
      const [run] = parseRuns("alpine-2", await Deno.readTextFile(file));
      // Every line the screen got, in its order, and nothing else.
      assert.deepEqual(
        run.text.map((t) => t.text),
        screen.trimEnd().split("\n"),
      );
      assert.ok(screen.includes("received  BROADCAST ini angka 3 \n"));
      assert.ok(screen.includes("received \\x1b[31mred\\x1b[0m \\x07\n"));
      assert.ok(screen.includes("received hi\\xff\\xfe\\x1b\n"));

      const report = `${await Deno.makeTempDir()}/r.md`;
      const made = await lab(["report", "--name", name, "--report", report]);
      assert.equal(made.code, 0, made.stderr);
      const md = await Deno.readTextFile(report);
      assert.ok(!hasControl(md), md);
      assert.ok(md.includes("received \\x1b[31mred\\x1b[0m \\x07"), md);
      assert.ok(md.includes("received back\\\\slash"), md);
      assert.ok(md.includes("received  BROADCAST ini angka 1 "), md);
      // The HTML (and so the PDF) too: as the screen showed it.
      const html = report.replace(/\.md$/, ".html");
      const again = await lab(["report", "--name", name, "--report", html]);
      assert.equal(again.code, 0, again.stderr);
      const page = await Deno.readTextFile(html);
      assert.ok(!hasControl(page), "a control character in the page");
      assert.ok(page.includes("received \\x1b[31mred\\x1b[0m \\x07"));
      assert.ok(page.includes("received back\\\\slash"));
      assert.ok(page.includes("received hi\\xff\\xfe\\x1b"));
      await Deno.remove(dirname(report), { recursive: true });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "recording: a full disk drops entries; the role runs on and its summary says how many",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/alpine-1.jsonl`;
    // A 16 KiB tmpfs as the recording directory, in a mount namespace of
    // its own: 2000 lines of a sender do not fit.
    const sender = await recordingRole("broadcast-sender", file, [
      "--bind",
      "127.0.0.1",
      "--to",
      "127.255.255.255",
      "--port",
      String(freePort()),
      "--count",
      "2000",
      "--interval",
      "1",
    ], {
      wrapper: [
        "unshare",
        "-m",
        "sh",
        "-c",
        `mount -t tmpfs -o size=16k tmpfs "${dir}" && exec "$@"`,
        "sh",
      ],
    });
    const output = await sender.output();
    const out = new TextDecoder().decode(output.stdout);
    const err = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, err);
    assert.match(out, /done: sent 2000 datagrams/);
    const dropped = out.match(
      /recording: (\d+) entries not written to .*alpine-1\.jsonl \(.*\); the lab report misses them/,
    );
    assert.ok(dropped, out.slice(-2000));
    assert.ok(Number(dropped[1]) > 1000, dropped[0]);
    assert.doesNotMatch(err, /not recording/);
    await Deno.remove(dir, { recursive: true });
  },
});

/** A terminal running `deno task <role> args…` as on a lab host. */
function recordingTerminal(
  role: string,
  file: string,
  args: string[],
): Promise<Terminal> {
  return Terminal.start(`deno task ${role} ${args.join(" ")}`, {
    env: {
      PROGJAR_RECORD: file,
      PROGJAR_RECORD_ALLOW: recordPermissions(file).join(" "),
      LANG: "C.UTF-8",
      NO_COLOR: "1",
    },
  });
}

Deno.test({
  name:
    "recording on a terminal: the prompt with the line typed at it, and chat lines drawn above the input line",
  ignore: !HAS_TMUX,
  async fn() {
    const dir = await Deno.makeTempDir();
    const senderFile = `${dir}/alpine-1.jsonl`;
    const serverFile = `${dir}/alpine-2.jsonl`;
    const port = freePort();
    const sender = await recordingTerminal("multicast-sender", senderFile, [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
    ]);
    const chatPort = freePort("tcp");
    const server = await recordingTerminal("chat-server", serverFile, [
      "--bind",
      "127.0.0.1",
      "--port",
      String(chatPort),
    ]);
    let client: ReturnType<typeof startRole> | undefined;
    try {
      await sender.waitFor("enter message :", 30_000);
      await sender.type("halo dari terminal");
      await sender.press("Enter");
      await sender.waitFor("sent 18 bytes");
      await sender.press("C-d");
      assert.equal(await sender.exitCode(), 0);
      const [send] = parseRuns("alpine-1", await Deno.readTextFile(senderFile));
      assert.ok(
        send.text.some((t) => t.text === "enter message : halo dari terminal"),
        JSON.stringify(send.text),
      );
      assert.deepEqual(
        send.records.filter((r) => r.record.type === "typed").map((r) =>
          r.record.text
        ),
        ["halo dari terminal"],
      );

      await server.waitFor("listening on tcp", 30_000);
      client = startRole("chat-client", [
        "--json",
        "--port",
        String(chatPort),
      ], { stdin: true });
      await client.waitForRecord("server");
      await client.write("halo dari klien\n");
      await server.waitFor("Client_1 : halo dari klien", 30_000);
      await server.type("dari operator");
      await server.press("Enter");
      await client.waitForLine((line) => line.includes("dari operator"));
      await server.press("C-c");
      await server.exitCode();
      const [serve] = parseRuns(
        "alpine-2",
        await Deno.readTextFile(serverFile),
      );
      const lines = serve.text.map((t) => t.text);
      assert.ok(lines.includes("Client_1 : halo dari klien"), lines.join("\n"));
      assert.ok(
        lines.includes("Enter message : dari operator"),
        lines.join("\n"),
      );
    } finally {
      await sender.close();
      await server.close();
      if (client) {
        try {
          client.kill();
        } catch {
          // already ended
        }
        await client.finished();
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});
