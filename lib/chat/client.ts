/**
 * A chat-client session: connect to a chat-server, print incoming lines the
 * moment they arrive (above the line being typed on a terminal), send what
 * is typed or piped line by line, and end with a summary and an exit code
 * that says how the session ended.
 *
 * @module
 */

import { resolveIpv4 } from "../cli/address.ts";
import { displayBytes } from "../cli/display.ts";
import { errorText, RuntimeError } from "../cli/errors.ts";
import { type Output, printError } from "../cli/output.ts";
import { onStop } from "../cli/run.ts";
import { LineFramer, MAX_LINE_BYTES } from "./framing.ts";
import {
  NAME_COMMAND,
  parseChatLine,
  parseCommand,
  parseNotice,
  parsePresence,
  SERVER_LABEL,
} from "./message.ts";
import { ChatConsole } from "./_console.ts";
import { Outbox } from "./_outbox.ts";

/** Longest line shown from the server (longer ones are dropped with a note). */
const MAX_INCOMING_LINE = 64 * 1024;
/** Most bytes typed but not yet written to the server. */
const SEND_QUEUE_LIMIT = 1024 * 1024;

/** The client's human lines, in the role's language. */
export interface ChatClientText {
  /** The prompt on a terminal. */
  prompt: string;
  /** Before connecting to `to` (`host:port`). */
  connecting(to: string): string;
  /** The server's first line, a welcome without a sender. */
  welcome(text: string): string;
  /** A typed line was longer than a chat line may be. */
  tooLong: string;
  /** A typed line did not fit the send queue. */
  backlog: string;
  /** A line from the server over `bytes` bytes was dropped. */
  dropped(bytes: number): string;
  /** The server closed the connection without a goodbye. */
  closed: string;
  /** The connection broke. */
  lost: string;
  /** The server turned this client away: full. */
  full: string;
  /** The server turned this client away: too many from this address. */
  perHost: string;
  /** The server cut this client off, saying why. */
  disconnected(reason: string): string;
  /** The server said goodbye: the summary. */
  serverStopped(sent: number, received: number): string;
  /** Input ended but the server did not take it all in time. */
  stuck: string;
  /** What was being typed when the session ended. */
  unsentInput(text: string): string;
  /** Bytes entered that may not have reached the server. */
  unsentQueued(bytes: number): string;
  /** The summary of a session that ended normally. */
  summary(sent: number, received: number): string;
}

/** Options for {@linkcode runChatClient}. */
export interface ChatClientOptions {
  /** Where to print. */
  out: Output;
  /** The lines to print. */
  text: ChatClientText;
  /** The server's host name or address (checked). */
  host: string;
  /** The server's port. */
  port: number;
  /** Ask the server to show this client as `name` (already checked). */
  name?: string;
  /** Keep receiving after standard input ends. */
  keepOpen?: boolean;
}

const ENCODER = new TextEncoder();

/** How a session ended. */
type Outcome =
  | "input-ended"
  | "quit"
  | "stopped"
  | "closed"
  | "shutdown"
  | "full"
  | "per-host"
  | "lost";

/**
 * Runs one chat session and resolves to the exit code: 0 when input ended
 * (or /quit, Ctrl+C, or the server's goodbye) with everything sent, 1 when
 * the server turned the client away, went away without a goodbye, or did
 * not take what was typed. A failure to connect throws a
 * {@linkcode RuntimeError}.
 */
export async function runChatClient(
  options: ChatClientOptions,
): Promise<number> {
  const { out, text, host, port, name, keepOpen = false } = options;
  out.line(text.connecting(`${host}:${port}`));
  out.record({ type: "connecting", host, port });
  out.flush();
  const address = await resolveIpv4(host);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: address, port });
    conn.setNoDelay(true);
  } catch (err) {
    throw new RuntimeError(
      errorText(err, {
        doing: {
          en: `connecting to ${host}:${port}`,
          id: `menyambung ke ${host}:${port}`,
        },
      }),
    );
  }
  const local = conn.localAddr as Deno.NetAddr;
  out.record({ type: "connected", address, port, localPort: local.port });

  let finish!: (outcome: Outcome) => void;
  const finished = new Promise<Outcome>((resolve) => finish = resolve);
  let over = false;
  finished.then(() => over = true);

  const show = (line: string) => {
    if (keyboard.interactive) keyboard.print(line);
    else out.line(line);
  };

  const outbox = new Outbox(conn, SEND_QUEUE_LIMIT, () => finish("lost"));
  if (name !== undefined) {
    outbox.push(ENCODER.encode(`${NAME_COMMAND}${name}\n`));
  }

  // Settled by the server's first line (or the end of the connection):
  // until then the client does not know it was let in.
  let admitted!: () => void;
  const firstLine = new Promise<void>((resolve) => admitted = resolve);
  let goodbye = false;
  let quitting = false;
  let disconnected: string | undefined;

  let sent = 0;
  let received = 0;
  const keyboard = new ChatConsole({
    prompt: text.prompt,
    maxLineBytes: MAX_LINE_BYTES,
    out,
    onLine: (line) => {
      // Nothing after /quit is sent; blank lines never are.
      if (quitting || line.trim() === "") return;
      if (parseCommand(line)?.word === "quit" && !over) {
        quitting = true;
        finish("quit");
        return;
      }
      if (over) {
        // The connection is gone: say so rather than drop the line quietly.
        show(text.unsentInput(line));
        out.record({ type: "unsent", text: line });
        return;
      }
      const bytes = ENCODER.encode(line + "\n");
      if (bytes.length - 1 > MAX_LINE_BYTES) {
        show(text.tooLong);
        out.record({ type: "unsent", text: line, reason: "too-long" });
        return;
      }
      if (!outbox.push(bytes)) {
        show(text.backlog);
        out.record({ type: "unsent", text: line, reason: "backlog" });
        return;
      }
      sent++;
      out.record({ type: "sent", text: line });
    },
    onEnd: () => {
      if (keepOpen) return;
      // A piped client must not report success before the server let it in.
      const wait = setTimeout(() => finish("input-ended"), 5000);
      firstLine.then(() => {
        clearTimeout(wait);
        finish("input-ended");
      });
    },
  });

  let first = true;
  const framer = new LineFramer({
    line: (bytes) => {
      received++;
      const shown = displayBytes(bytes);
      if (first) {
        first = false;
        const refusal = parseNotice(parseChatLine(shown).text);
        if (refusal?.kind === "refused") {
          show(shown);
          out.record({ type: "refused", text: parseChatLine(shown).text });
          finish(refusal.reason);
          admitted();
          return;
        }
        admitted();
        if (parseChatLine(shown).from === undefined) {
          show(text.welcome(shown));
          out.record({ type: "welcome", text: shown });
          return;
        }
      }
      show(shown);
      const { from, text: body } = parseChatLine(shown);
      if (from === SERVER_LABEL) {
        const presence = parsePresence(body);
        const notice = parseNotice(body);
        if (notice?.kind === "shutdown") goodbye = true;
        if (notice?.kind === "disconnected") disconnected = notice.reason;
        if (presence) out.record({ type: presence.kind, name: presence.name });
        else out.record({ type: "server", text: body });
      } else if (from !== undefined) {
        out.record({ type: "message", from, text: body });
      } else {
        out.record({ type: "line", text: shown });
      }
    },
    overflow: (bytes) => show(text.dropped(bytes)),
  }, { maxLineBytes: MAX_INCOMING_LINE });

  void (async () => {
    const buffer = new Uint8Array(16 * 1024);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        framer.push(buffer.subarray(0, n));
      }
      framer.end();
      finish(goodbye ? "shutdown" : "closed");
    } catch {
      framer.dispose();
      finish(goodbye ? "shutdown" : "lost");
    }
    admitted();
  })();

  const stop = onStop(() => finish("stopped"));
  keyboard.start();
  const outcome = await finished;
  stop.dispose();
  if (outcome === "input-ended" || outcome === "quit") {
    await outbox.drain(5000);
  }
  const unsentBytes = outbox.pendingBytes;
  const typing = keyboard.pendingInput;
  keyboard.close();
  outbox.close();
  try {
    conn.close();
  } catch {
    // already closed
  }

  if (outcome === "full" || outcome === "per-host") {
    out.record({ type: "closed", reason: outcome });
    out.record({ type: "summary", sent: 0, received });
    out.flush();
    printError(
      `chat-client: error: ${outcome === "full" ? text.full : text.perHost}`,
    );
    return 1;
  }
  if (outcome === "shutdown") {
    // The server said goodbye: a clean end, like Ctrl+C on this side.
    out.record({ type: "closed", reason: outcome });
    if (typing !== "") {
      out.line(text.unsentInput(typing));
      out.record({ type: "unsent", text: typing });
    }
    out.line(text.serverStopped(sent, received));
    out.record({ type: "summary", sent, received });
    return 0;
  }
  if (outcome === "closed" || outcome === "lost") {
    out.record({ type: "closed", reason: outcome });
    if (typing !== "") {
      out.line(text.unsentInput(typing));
      out.record({ type: "unsent", text: typing });
    }
    if (unsentBytes > 0) {
      out.line(text.unsentQueued(unsentBytes));
      out.record({ type: "unsent", bytes: unsentBytes });
    }
    out.record({ type: "summary", sent, received });
    out.flush();
    const why = disconnected !== undefined
      ? text.disconnected(disconnected)
      : outcome === "closed"
      ? text.closed
      : text.lost;
    printError(`chat-client: error: ${why}`);
    return 1;
  }
  if (unsentBytes > 0) {
    // Input ended but the server took not all of it within the wait.
    out.line(text.unsentQueued(unsentBytes));
    out.record({ type: "unsent", bytes: unsentBytes });
    out.record({ type: "summary", sent, received });
    out.flush();
    printError(`chat-client: error: ${text.stuck}`);
    return 1;
  }
  out.line(text.summary(sent, received));
  out.record({ type: "summary", sent, received });
  return 0;
}
