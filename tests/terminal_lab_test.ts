import assert from "node:assert/strict";
import { HAS_TMUX, Terminal } from "./_pty.ts";
import {
  CAN_BUILD_LABS,
  lab,
  labEtcEntries,
  labNamespaces,
  uniqueLabName,
} from "./_lab.ts";

const ignore = !CAN_BUILD_LABS || !HAS_TMUX;

Deno.test({
  name:
    "lab run --all --report in a terminal: one Ctrl+C stops, tears down, writes the report with the interrupted scenario, exit 130",
  ignore,
  async fn() {
    const name = uniqueLabName("tc");
    const report = await Deno.makeTempFile({ suffix: ".html" });
    const terminal = await Terminal.start(
      `deno task lab run --all --report ${report} --name ${name}`,
      { env: { LANG: "C.UTF-8", NO_COLOR: "1" } },
    );
    try {
      // Interrupt the second scenario once its receivers listen.
      await terminal.waitFor(/^unicast: ok/m, 90_000);
      await terminal.waitFor(
        /alpine-2, alpine-3, alpine-4, alpine-5: listening/,
        60_000,
      );
      await terminal.press("C-c");
      const code = await terminal.exitCode(60_000);
      const screen = await terminal.screen();
      assert.equal(code, 130, screen);
      assert.doesNotMatch(screen, /interrupted twice/);
      assert.match(
        screen,
        /^broadcast-receivers-first: INTERRUPTED \(Ctrl\+C\) after/m,
      );
      assert.match(
        screen,
        /^not run: broadcast-sender-first, multicast, multicast-chat, tcp-chat$/m,
      );
      assert.match(screen, /taken down/);
      assert.match(screen, new RegExp(`report: ${report}`));
      assert.deepEqual(await labNamespaces(name), [], "namespaces left");
      assert.deepEqual(await labEtcEntries(name), [], "/etc/netns left");

      // The report of what ran until Ctrl+C: a whole HTML file.
      const text = await Deno.readTextFile(report);
      assert.match(text, /^<!DOCTYPE html>/);
      assert.match(text, /<\/html>\n$/);
      assert.doesNotMatch(text, /https?:\/\//);
      assert.match(
        text,
        /<td><b>unicast, broadcast-receivers-first<\/b><\/td>/,
      );
      assert.match(text, /Get off my lawn!(&quot;|")\. Result: ok \(/);
      assert.match(
        text,
        /the same complete stream\. Result: INTERRUPTED \(Ctrl\+C\) after /,
      );
      assert.match(text, /This scenario was interrupted \(Ctrl\+C\) after/);
      // What ran until Ctrl+C: the receivers' transcripts.
      assert.match(text, /alpine-2 \(192\.168\.122\.131\): broadcast-receiver/);
      assert.match(text, /alpine-3, alpine-4, alpine-5: broadcast-receiver/);
      assert.match(
        text,
        /<p>Not run \(the run was interrupted\): broadcast-sender-first, multicast, multicast-chat, tcp-chat\.<\/p>/,
      );
    } finally {
      await terminal.close();
      await lab(["down", "--name", name]);
      await Deno.remove(report);
    }
  },
});
