/**
 * A chat-server run: listen, accept clients into a {@linkcode ChatHub},
 * print what happens (above the operator's prompt on a terminal), relay the
 * operator's lines as "Server : …", and on a stop say goodbye to every
 * client and report the counts.
 *
 * @module
 */

import { describeError, errorText, RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { MAX_LINE_BYTES } from "./framing.ts";
import {
  ChatHub,
  type HubEvent,
  type HubStats,
  type LeaveReason,
} from "./hub.ts";
import { checkLine, type LineProblem, SERVER_LABEL } from "./message.ts";
import { ChatConsole } from "./_console.ts";

/** The server's human lines, in the role's language. */
export interface ChatServerText {
  /** The operator's prompt on a terminal. */
  prompt: string;
  /** Listening on `address` (`host:port`) for at most `max` clients. */
  listening(address: string, max: number): string;
  /** A client joined. */
  join(name: string, address: string, online: number): string;
  /** A client left, for `reason` (one of {@linkcode reasons}). */
  leave(name: string, reason: string, online: number): string;
  /** Why a client left, in words. */
  reasons: Record<LeaveReason, string>;
  /** A client's line was refused for `problem` (one of {@linkcode problems}). */
  rejected(name: string, problem: string, line: string): string;
  /** What was wrong with a refused line, in words. */
  problems: Record<LineProblem, string>;
  /** The reason for an idle cut-off, naming the idle timeout. */
  idleFor(seconds: number): string;
  /** A client took another name. */
  rename(from: string, to: string): string;
  /** A client from `address` was turned away: the server is full. */
  full(address: string): string;
  /** A client was turned away: `max` clients from its address already. */
  perHost(address: string, max: number): string;
  /** accept() failed for `reason`; the server retries. */
  acceptFailed(reason: string): string;
  /** The operator typed a line that cannot be sent. */
  badOperatorLine: string;
}

/** Options for {@linkcode runChatServer}. */
export interface ChatServerOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: ChatServerText;
  /** The language of error notes (and the hub's notices). */
  lang: Lang;
  /** Local address to listen on. */
  bind: string;
  /** Local port (0: any free port). */
  port: number;
  /** Most clients at once. */
  maxClients: number;
  /** Most clients from one address (0: no limit). */
  maxPerHost: number;
  /** Cut off a client idle this long (0: never). */
  idleTimeoutSeconds: number;
  /** Bytes waiting for one client before it is cut off as not reading. */
  queueLimit: number;
  /** Stop after this many seconds. */
  durationSeconds?: number;
  /** Print joins, leaves and the like, not every message. */
  quiet?: boolean;
}

/** What a chat-server run did: the hub's counts and the aborted accepts. */
export interface ChatServerStats extends HubStats {
  /** Connections reset by their peer before they were accepted. */
  aborted: number;
}

const ENCODER = new TextEncoder();

/**
 * Serves chat clients until a stop (`durationSeconds`, Ctrl+C, SIGTERM),
 * then says goodbye to every client and resolves to the counts. Throws a
 * {@linkcode RuntimeError} when the port cannot be listened on.
 */
export async function runChatServer(
  options: ChatServerOptions,
): Promise<ChatServerStats> {
  const { out, text, bind, port, maxClients, maxPerHost } = options;
  const quiet = options.quiet ?? false;
  const idleTimeout = options.idleTimeoutSeconds;
  const duration = options.durationSeconds;
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ transport: "tcp", hostname: bind, port });
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: {
          en: `listening on tcp ${bind}:${port}`,
          id: `mendengarkan di tcp ${bind}:${port}`,
        },
        transport: "tcp",
        port,
      }),
    );
  }
  const local = listener.addr;
  out.line(text.listening(`${local.hostname}:${local.port}`, maxClients));
  out.record({
    type: "listening",
    address: local.hostname,
    port: local.port,
    maxClients,
  });
  out.flush();

  // On a terminal, lines are printed above the operator's prompt (the keyboard is set up below).
  const show = (line: string) => {
    if (keyboard.interactive) keyboard.print(line);
    else out.line(line);
  };
  const hub = new ChatHub({
    maxClients,
    maxPerHost,
    idleTimeoutMs: idleTimeout * 1000,
    queueLimit: options.queueLimit,
    lang: options.lang,
    onEvent: (event) => report(event),
  });
  const report = (event: HubEvent) => {
    if (quiet && (event.type === "message" || event.type === "rejected")) {
      return;
    }
    out.record(event);
    if (!out.showsLines) return;
    switch (event.type) {
      case "join":
        return show(text.join(event.name, event.address, event.online));
      case "leave":
        return show(
          text.leave(
            event.name,
            event.reason === "idle"
              ? text.idleFor(idleTimeout)
              : text.reasons[event.reason],
            event.online,
          ),
        );
      case "message":
        return show(`${event.from} : ${event.text}`);
      case "rejected":
        return show(
          text.rejected(event.from, text.problems[event.problem], event.line),
        );
      case "rename":
        return show(text.rename(event.from, event.to));
      case "full":
        return show(
          event.limit === "per-host"
            ? text.perHost(event.address, maxPerHost)
            : text.full(event.address),
        );
    }
  };

  const keyboard = new ChatConsole({
    prompt: text.prompt,
    maxLineBytes: MAX_LINE_BYTES,
    out,
    onLine: (line) => {
      if (line.trim() === "") return;
      if (!checkLine(ENCODER.encode(line)).ok) {
        show(text.badOperatorLine);
        return;
      }
      hub.say(line);
      out.record({ type: "operator", text: line });
      if (!keyboard.interactive) out.line(`${SERVER_LABEL} : ${line}`);
    },
    // No more operator input (a closed pipe, /dev/null): keep serving.
    onEnd: () => {},
  });
  keyboard.start();

  const stop = onStop(() => listener.close(), { durationSeconds: duration });
  let aborted = 0;
  try {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (stop.stopped) break;
        if (err instanceof Deno.errors.BadResource) throw err;
        // A peer that reset before we took its connection costs nothing:
        // counted, not logged (a burst of them must not flood the log or
        // hold up the clients behind it).
        if (isPeerAbort(err)) {
          aborted++;
          continue;
        }
        // Out of file descriptors and the like: the clients we have go on,
        // and the next try waits for some to close.
        show(text.acceptFailed(describeError(err, { lang: options.lang })));
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      hub.serve(conn).catch((err) =>
        show(describeError(err, {
          doing: { en: "serving a client", id: "melayani klien" },
          lang: options.lang,
        }))
      );
    }
  } finally {
    stop.dispose();
    if (!stop.stopped) listener.close();
  }
  await hub.shutdown(1000);
  keyboard.close();
  return { ...hub.stats, aborted };
}

/** errno values of a connection that went away before accept() took it. */
const PEER_ABORT_ERRNOS = new Set([
  107, // ENOTCONN: reset between the kernel's accept and reading its address
  103, // ECONNABORTED
  104, // ECONNRESET
  71, // EPROTO
]);

/** Whether an accept() failure is the peer's alone (retry at once). */
function isPeerAbort(err: unknown): boolean {
  if (
    err instanceof Deno.errors.NotConnected ||
    err instanceof Deno.errors.ConnectionAborted ||
    err instanceof Deno.errors.ConnectionReset
  ) return true;
  const errno = /\(os error (\d+)\)/.exec(
    err instanceof Error ? err.message : "",
  );
  return errno !== null && PEER_ABORT_ERRNOS.has(Number(errno[1]));
}
