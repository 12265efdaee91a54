/**
 * `lab console` driven as a student drives it: `tmux send-keys` into the
 * panes of a detached console of a lab of its own, both orders of the
 * broadcast practicum, then `lab report` from what the roles recorded.
 * Also: a recording that cannot be written, two labs at once, no tmux.
 */

import assert from "node:assert/strict";
import { ROOT, taskCommand } from "./_dist.ts";
import { CAN_BUILD_LABS, lab, uniqueLabName } from "./_lab.ts";
import { delay } from "../lib/cli/async.ts";
import { HAS_TMUX, Terminal } from "./_pty.ts";
import { clearPane, firstNumbers, tmux, type, waitFor } from "./_console.ts";

const RECEIVERS = ["alpine-2", "alpine-3", "alpine-4", "alpine-5"];

Deno.test({
  name:
    "lab console: receivers first, then sender first, by hand; lab report holds both with each pane's first number",
  ignore: !CAN_BUILD_LABS,
  async fn() {
    const name = uniqueLabName("con");
    try {
      const made = await lab(["console", "--detach", "--name", name]);
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /one window per host/);
      const titles = await tmux(
        "list-panes",
        "-s",
        "-t",
        `=progjar-${name}`,
        "-F",
        "#{window_name}|#{pane_title}",
      );
      assert.match(titles, /alpine-2\|alpine-2 192\.168\.122\.131/);
      assert.match(
        // A window per host: the hint has a status line of its own.
        await tmux(
          "show-options",
          "-t",
          `=progjar-${name}:`,
          "status-format[1]",
        ),
        /Ctrl\+B n \/ 0-4: other hosts \| detach: Ctrl\+B d \| end: lab down --name/,
      );
      // Running it again attaches to the same session (here: says so).
      const again = await lab(["console", "--detach", "--name", name]);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stdout, /hosts,/);

      // Receivers first.
      for (const host of RECEIVERS) {
        await type(name, host, "deno task broadcast-receiver --port 5005");
      }
      for (const host of RECEIVERS) await waitFor(name, host, /listening/);
      await type(
        name,
        "alpine-1",
        "deno task broadcast-sender --to 192.168.122.255 --count 300 --interval 2",
      );
      await waitFor(name, "alpine-1", /done: sent 300/);
      await delay(500);
      for (const host of RECEIVERS) {
        await tmux("send-keys", "-t", `=progjar-${name}:${host}`, "C-c");
      }
      const printed: Record<string, number[]> = {};
      for (const host of RECEIVERS) {
        printed[host] = firstNumbers(
          await waitFor(name, host, /first number \d+/),
        );
        // The next run's lines would push this one out of the history.
        await clearPane(name, host);
      }

      // Sender first: receivers join one by one while it sends.
      await type(
        name,
        "alpine-1",
        "deno task broadcast-sender --to 192.168.122.255 --count 2500 --interval 2",
      );
      await waitFor(name, "alpine-1", /sent {2}BROADCAST ini angka [1-9]\d{2}/);
      for (const host of RECEIVERS) {
        await type(name, host, "deno task broadcast-receiver --port 5005");
        await delay(700);
      }
      await waitFor(name, "alpine-1", /done: sent 2500/);
      await delay(500);
      for (const host of RECEIVERS) {
        await tmux("send-keys", "-t", `=progjar-${name}:${host}`, "C-c");
      }
      for (const host of RECEIVERS) {
        printed[host].push(
          ...firstNumbers(await waitFor(name, host, /first number \d+/)),
        );
        assert.equal(printed[host][0], 1, `${host} got everything first`);
        assert.ok(printed[host][1] > 1, `${host} missed the start after`);
      }

      const report = `${await Deno.makeTempDir()}/r.html`;
      const made2 = await lab(["report", "--name", name, "--report", report]);
      assert.equal(made2.code, 0, made2.stderr);
      const html = await Deno.readTextFile(report);
      // Each run's timeline has a lane per host holding its first number.
      const lanesOf = (scenario: string) => {
        const figure = html.match(
          new RegExp(
            `<figure data-picture="\\d+-${scenario}">[\\s\\S]*?</figure>`,
          ),
        )?.[0];
        assert.ok(figure, `no timeline of ${scenario}`);
        return new Map(
          [...figure.matchAll(/data-host="([^"]+)" data-first="(\d*)"/g)]
            .map((m) => [m[1], m[2]]),
        );
      };
      const first = lanesOf("broadcast-receivers-first");
      const second = lanesOf("broadcast-sender-first");
      assert.ok(
        html.indexOf("broadcast-receivers-first") <
          html.indexOf("broadcast-sender-first"),
        "both runs, in order",
      );
      for (const host of RECEIVERS) {
        const [a, b] = printed[host];
        assert.equal(first.get(host), String(a), `${host}, receivers first`);
        assert.equal(second.get(host), String(b), `${host}, sender first`);
      }
      const status = await lab(["status", "--name", name, "--json"]);
      const counts = status.records[0].records as { host: string }[];
      assert.deepEqual(
        counts.map((c) => c.host),
        ["alpine-1", ...RECEIVERS],
      );
    } finally {
      await lab(["down", "--name", name]);
    }
    assert.equal(await tmux("has-session", "-t", `=progjar-${name}`), "");
    await assert.rejects(Deno.stat(`/run/progjar/${name}`));
  },
});

Deno.test({
  name: "lab console: two labs at once keep their sessions and records apart",
  ignore: !CAN_BUILD_LABS,
  async fn() {
    const names = [uniqueLabName("ca"), uniqueLabName("cb")];
    try {
      for (const name of names) {
        const made = await lab(["console", "--detach", "--name", name]);
        assert.equal(made.code, 0, made.stderr);
      }
      await type(
        names[0],
        "alpine-1",
        "deno task broadcast-sender --to 192.168.122.255 --count 7",
      );
      await type(
        names[1],
        "alpine-1",
        "deno task broadcast-sender --to 192.168.122.255 --count 11",
      );
      await waitFor(names[0], "alpine-1", /done: sent 7 /);
      await waitFor(names[1], "alpine-1", /done: sent 11 /);
      for (const [i, name] of names.entries()) {
        const list = await lab(["report", "--list", "--name", name]);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, new RegExp(`--count ${i === 0 ? 7 : 11} `));
        assert.doesNotMatch(
          list.stdout,
          new RegExp(`--count ${i === 0 ? 11 : 7} `),
        );
      }
      // Kept records survive down and are read with --since.
      const down = await lab(["down", "--name", names[0], "--keep-records"]);
      assert.match(down.stdout, /recordings kept in/);
      await Deno.stat(`/run/progjar/${names[0]}/alpine-1.jsonl`);
    } finally {
      for (const name of names) await lab(["down", "--name", name]);
      await Deno.remove(`/run/progjar/${names[0]}`, { recursive: true }).catch(
        () => {},
      );
    }
  },
});

Deno.test({
  name:
    "recording: a directory that is not writable: the role runs and says once it is not recording",
  ignore: Deno.uid() !== 0,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/alpine-2.jsonl`;
    const [deno, ...args] = await taskCommand("broadcast-sender");
    // A read-only view of the directory, in a mount namespace of its own.
    const real = await new Deno.Command("unshare", {
      args: [
        "-m",
        "sh",
        "-c",
        'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"',
        dir,
        deno,
        "run",
        ...args.slice(1, -1),
        "--allow-env=PROGJAR_RECORD",
        `--allow-write=${file}`,
        args.at(-1)!,
        "--bind",
        "127.0.0.1",
        "--to",
        "127.255.255.255",
        "--port",
        "9",
        "--count",
        "3",
      ],
      cwd: ROOT,
      env: { PROGJAR_RECORD: file, NO_COLOR: "1", LANG: "C.UTF-8" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(real.stderr);
    const out = new TextDecoder().decode(real.stdout);
    assert.equal(real.code, 0, err);
    assert.match(out, /done: sent 3 datagrams/);
    assert.equal(err.match(/not recording to /g)?.length, 1, err);
    assert.match(err, /read-only|Read-only/);
    await assert.rejects(Deno.stat(file));
    await Deno.remove(dir, { recursive: true });
  },
});

/** Each pane of lab `name`'s console: window, size and title. */
async function panes(name: string): Promise<
  { window: string; columns: number; rows: number; title: string }[]
> {
  const text = await tmux(
    "list-panes",
    "-s",
    "-t",
    `=progjar-${name}`,
    "-F",
    "#{window_name}|#{pane_width}|#{pane_height}|#{pane_title}",
  );
  return text.trim().split("\n").map((line) => {
    const [window, columns, rows, title] = line.split("|");
    return { window, columns: Number(columns), rows: Number(rows), title };
  });
}

Deno.test({
  name:
    "lab console in a real terminal: 200×60 tiles the five hosts (each pane at least 60×10); 80×24 gives a window per host",
  ignore: !CAN_BUILD_LABS || !HAS_TMUX,
  async fn() {
    const name = uniqueLabName("lay");
    // A person's terminal (not inside tmux): the console attaches in it.
    const command =
      `env -u TMUX deno task lab console --name ${name} --lang id`;
    let terminal = await Terminal.start(command, { width: 200, height: 60 });
    try {
      // The status line, at the bottom of the attached console.
      let screen = await terminal.waitFor(/lepas: Ctrl\+B d/, 120_000);
      const tiled = await panes(name);
      assert.equal(tiled.length, 5, JSON.stringify(tiled));
      assert.equal(new Set(tiled.map((p) => p.window)).size, 1);
      for (const pane of tiled) {
        assert.ok(pane.columns >= 60 && pane.rows >= 10, JSON.stringify(pane));
      }
      // Every host's title is on the one screen.
      screen = await terminal.waitFor((s) =>
        ["1 192.168.122.207", "2 192.168.122.131", "5 192.168.122.197"]
          .every((t) => s.includes(`alpine-${t}`))
      );
      assert.match(screen, new RegExp(`lab ${name}`));
      // Detaching (Ctrl+B d) leaves the console running and ends the command.
      await terminal.press("C-b", "d");
      assert.equal(await terminal.exitCode(30_000), 0);
      assert.equal(await tmux("has-session", "-t", `=progjar-${name}`), "");
      await terminal.close();

      // 80×24: five panes would be slivers; one window per host instead.
      await tmux("kill-session", "-t", `=progjar-${name}`);
      terminal = await Terminal.start(command, { width: 80, height: 24 });
      screen = await terminal.waitFor(/lepas: Ctrl\+B d/, 60_000);
      const windows = await panes(name);
      assert.deepEqual(
        windows.map((p) => p.window),
        ["alpine-1", ...RECEIVERS],
      );
      for (const pane of windows) {
        assert.equal(pane.columns, 80, JSON.stringify(pane));
      }
      assert.match(screen, /alpine-1 192\.168\.122\.207/);
      // The window list names the other hosts; the second line says how
      // to switch, detach and end.
      assert.match(screen, /0:alpine-1\*.*1:alpine-2.*4:alpine-5/);
      assert.match(
        screen,
        /Ctrl\+B n \/ 0-4: host lain \| lepas: Ctrl\+B d \| akhiri: lab down --name/,
      );
      await terminal.press("C-b", "d");
      assert.equal(await terminal.exitCode(30_000), 0);
    } finally {
      await terminal.close();
      await lab(["down", "--name", name]);
    }
  },
});

Deno.test("lab console without tmux: one line naming the package, exit 1", async () => {
  const bin = await Deno.makeTempDir();
  const result = await lab(["console", "--detach", "--name", "notmux"], {
    env: { PATH: bin },
  });
  assert.equal(result.code, 1);
  // (deno notes each --allow-run program it cannot find: its own lines)
  const lines = result.stderr.trim().split("\n").filter((l) =>
    !l.startsWith("Info Failed to resolve")
  );
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0],
    /lab: error: lab console needs tmux, which is not installed \(Debian\/Ubuntu: apt-get install tmux\)/,
  );
  await Deno.remove(bin);
});
