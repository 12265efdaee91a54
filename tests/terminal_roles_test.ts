import assert from "node:assert/strict";
import { HAS_TMUX, Terminal } from "./_pty.ts";

/**
 * One Ctrl+C in a terminal reaches `deno task` and the role alike, and
 * `deno task` forwards its copy to the role: the role sees it twice, a few
 * milliseconds apart. Each receiving role, started as a student does and
 * busy printing a flood, must take that as one stop: one summary, exit 0.
 */
const ROLES: {
  role: string;
  args: string;
  port: RegExp;
  summary: RegExp;
  flood: (port: number, signal: AbortSignal) => Promise<void>;
}[] = [
  {
    role: "udp-server",
    args: "--port 0 --bind 127.0.0.1",
    port: /listening on udp 127\.0\.0\.1:(\d+)/,
    summary: /^done: \d+ datagrams? received/gm,
    flood: udpFlood,
  },
  {
    role: "broadcast-receiver",
    args: "--port 0 --bind 127.0.0.1",
    port: /on udp 127\.0\.0\.1:(\d+)/,
    summary: /^summary: \d+ datagrams? received/gm,
    flood: udpFlood,
  },
  {
    role: "multicast-receiver",
    args: "--port 0 --interface 127.0.0.1",
    port: /listening on udp port (\d+)/,
    summary: /^summary: \d+ (messages?|datagrams?) received/gm,
    flood: udpFlood,
  },
  {
    role: "chat-server",
    args: "--port 0",
    port: /listening on tcp 0\.0\.0\.0:(\d+)/,
    summary: /^done: \d+ clients?/gm,
    flood: chatFlood,
  },
];

/** Numbered datagrams to 127.0.0.1:`port` as fast as they go, until `signal`. */
async function udpFlood(port: number, signal: AbortSignal): Promise<void> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const target = { transport: "udp" as const, hostname: "127.0.0.1", port };
  // Long lines: the terminal falls behind, so the role's last writes wait.
  const padding = "x".repeat(4000);
  try {
    for (let n = 1; !signal.aborted; n++) {
      await socket.send(
        new TextEncoder().encode(` BROADCAST ini angka ${n} ${padding}`),
        target,
      );
      if (n % 200 === 0) await new Promise((r) => setTimeout(r, 0));
    }
  } catch {
    // the role is gone: its port refuses (ICMP), which is fine here
  } finally {
    socket.close();
  }
}

/** A chat client that sends lines as fast as the server takes them. */
async function chatFlood(port: number, signal: AbortSignal): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // Read (and drop) what the server sends, so it never waits on us.
  const reading = conn.readable.pipeTo(new WritableStream()).catch(() => {});
  const line = new TextEncoder().encode(
    "halo semua dari alpine-2\n".repeat(20),
  );
  try {
    while (!signal.aborted) await conn.write(line);
  } catch {
    // the server stopped
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
    await reading;
  }
}

for (const { role, args, port, summary, flood } of ROLES) {
  Deno.test({
    name:
      `${role} through deno task in a terminal: one Ctrl+C during a flood, one summary, exit 0`,
    ignore: !HAS_TMUX,
    async fn() {
      const terminal = await Terminal.start(`deno task ${role} ${args}`, {
        env: { LANG: "C.UTF-8" },
      });
      const controller = new AbortController();
      let flooding: Promise<void> | undefined;
      try {
        const screen = await terminal.waitFor(port, 30_000);
        flooding = flood(Number(screen.match(port)![1]), controller.signal);
        // Ctrl+C while the role is busy printing what arrives.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await terminal.press("C-c");
        await new Promise((resolve) => setTimeout(resolve, 500));
        controller.abort();
        await flooding;
        const code = await terminal.exitCode(30_000);
        const text = await terminal.screen();
        const tail = text.split("\n").slice(-8).join("\n");
        assert.equal(code, 0, tail);
        assert.equal(text.match(summary)?.length ?? 0, 1, tail);
        assert.doesNotMatch(text, /interrupted twice/);
      } finally {
        controller.abort();
        await flooding?.catch(() => {});
        await terminal.close();
      }
    },
  });
}
