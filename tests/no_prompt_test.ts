/**
 * No program ever stops to ask for a permission. In a terminal, Deno asks
 * ("Deno requests env access …") whenever code reaches for something the
 * program was not granted; these tests run every role, the demo, progjar and
 * every lab sub-command in a real terminal, as a person types them.
 */

import assert from "node:assert/strict";
import { HAS_TMUX, shellQuote, Terminal } from "./_pty.ts";
import { findRole } from "../lib/roles.ts";
import { CAN_BUILD_LABS, uniqueLabName } from "./_lab.ts";
import { freePort } from "./_udp.ts";

/** Runs `command` in a terminal and checks it ends with `code`, unprompted. */
async function runUnprompted(
  command: string,
  code: number,
  options: {
    input?: (terminal: Terminal) => Promise<void>;
    lang?: string;
    timeoutMs?: number;
  } = {},
): Promise<string> {
  const terminal = await Terminal.start(command, {
    env: { LANG: options.lang ?? "C.UTF-8" },
  });
  try {
    await options.input?.(terminal);
    const exit = await terminal.exitCode(options.timeoutMs ?? 20_000).catch(
      async (err) => {
        // A prompt waits for an answer: say what it asked for.
        const screen = await terminal.screen();
        throw screen.includes("Deno requests")
          ? new Error(`${command}: prompted:\n${screen}`)
          : err;
      },
    );
    const screen = await terminal.screen();
    assert.ok(!screen.includes("Deno requests"), `${command}:\n${screen}`);
    assert.equal(exit, code, `${command}:\n${screen}`);
    return screen;
  } finally {
    await terminal.close();
  }
}

Deno.test({
  name:
    "no program asks for a permission in a terminal: every role, the demo, progjar, every lab sub-command",
  ignore: !HAS_TMUX,
  async fn() {
    const udp = freePort("udp");
    const tcp = freePort("tcp");
    await runUnprompted(
      "deno task udp-server --bind 127.0.0.1 --port 0 --duration 0.5",
      0,
    );
    await runUnprompted(
      `deno task udp-client --port ${udp} --timeout 0.3`,
      1,
    );
    await runUnprompted(
      `deno task broadcast-sender --to 127.255.255.255 --bind 127.0.0.1 --port ${udp} --count 3`,
      0,
    );
    await runUnprompted(
      "deno task broadcast-receiver --bind 127.0.0.1 --port 0 --duration 0.5",
      0,
    );
    await runUnprompted(
      `deno task multicast-sender --bind 127.0.0.1 --port ${udp}`,
      0,
      {
        input: async (terminal) => {
          await terminal.waitFor(/pesan|message/i);
          await terminal.type("halo");
          await terminal.press("Enter");
          await terminal.press("C-d");
        },
      },
    );
    await runUnprompted(
      "deno task multicast-receiver --interface 127.0.0.1 --port 0 --duration 0.5",
      0,
    );
    await runUnprompted(
      "deno task chat-server --bind 127.0.0.1 --port 0 --duration 1",
      0,
    );
    await runUnprompted(`deno task chat-client --port ${tcp}`, 1);
    for (const lang of ["C.UTF-8", "id_ID.UTF-8"]) {
      await runUnprompted(
        "deno task demo --count 50 --interval 1 --receivers 2",
        0,
        { lang, timeoutMs: 60_000 },
      );
    }
    const perms = findRole("broadcast-receiver")!.permissions
      .map(shellQuote).join(" ");
    await runUnprompted(
      `deno run ${perms} cmd/progjar.ts broadcast-receiver --bind 127.0.0.1 --port 0 --duration 0.5`,
      0,
    );
    await runUnprompted("deno run cmd/progjar.ts --help", 0);
    // The lab needs root (and iproute2).
    if (!CAN_BUILD_LABS) return;
    const name = uniqueLabName("np");
    try {
      await runUnprompted("deno task lab list", 0);
      await runUnprompted(`deno task lab status --name ${name}`, 0);
      await runUnprompted(`deno task lab up --name ${name}`, 0, {
        timeoutMs: 60_000,
      });
      await runUnprompted(
        `deno task lab exec alpine-1 --name ${name} -- true`,
        0,
      );
      for (const lang of ["C.UTF-8", "id_ID.UTF-8"]) {
        await runUnprompted(`deno task lab run unicast --name ${name}`, 0, {
          lang,
          timeoutMs: 120_000,
        });
      }
    } finally {
      await runUnprompted(`deno task lab down --name ${name}`, 0);
    }
  },
});
