/**
 * chat-client: Lab 3's TCP chat client done as a real chat client. Incoming
 * lines are printed the moment they arrive, above the line being typed, so
 * nobody waits for a turn; piped standard input is sent line by line.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkHost, checkPort, resolveIpv4 } from "../lib/cli/address.ts";
import { type CommandSpec, stringFlag } from "../lib/cli/parse.ts";
import { displayBytes } from "../lib/cli/display.ts";
import { errorText, RuntimeError, UsageError } from "../lib/cli/errors.ts";
import { printError } from "../lib/cli/output.ts";
import { PORTS } from "../lib/ports.ts";
import { peerPortFlag, SERVER_HOST_FLAG } from "../lib/cli/common_flags.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import { LineFramer, MAX_LINE_BYTES } from "../lib/chat/framing.ts";
import {
  CLIENT_PROMPT,
  NAME_COMMAND,
  nameProblem,
  parseChatLine,
  parseCommand,
  parseNotice,
  parsePresence,
  SERVER_LABEL,
} from "../lib/chat/message.ts";
import { ChatConsole } from "../lib/chat/_console.ts";
import { Outbox } from "../lib/chat/_outbox.ts";

/** Longest line shown from the server (longer ones are dropped with a note). */
const MAX_INCOMING_LINE = 64 * 1024;
/** Most bytes typed but not yet written to the server. */
const SEND_QUEUE_LIMIT = 1024 * 1024;

/** chat-client's command line. */
export const SPEC: CommandSpec = {
  name: "chat-client",
  summary: {
    en:
      "chat through a chat-server: type lines, see everyone's lines as they come",
    id:
      "chat lewat chat-server: ketik pesan, lihat pesan semua orang saat tiba",
  },
  flags: {
    host: SERVER_HOST_FLAG,
    port: peerPortFlag(PORTS.chat, "TCP server"),
    name: {
      type: "string",
      short: "n",
      valueName: "NAME",
      help: {
        en: "be shown as NAME instead of Client_N",
        id: "tampil sebagai NAMA, bukan Client_N",
      },
    },
    "keep-open": {
      type: "boolean",
      help: {
        en:
          "keep receiving after standard input ends (until the server closes or Ctrl+C)",
        id:
          "tetap menerima setelah input standar habis (sampai server tutup atau Ctrl+C)",
      },
    },
  },
  examples: [
    "chat-client --host 192.168.122.7",
    "chat-client --name Budi",
    "printf 'halo\\n' | chat-client --port 8080",
  ],
  notes: {
    en: `Commands (type them as a message):
  /name NAME   be shown as NAME
  /help        the server lists the commands
  /quit        leave (so do Ctrl+D on an empty line and Ctrl+C)

On a terminal, incoming lines appear above the prompt and what you are typing
is kept. Lines you send are at most ${MAX_LINE_BYTES} bytes; blank lines are not sent.
When standard input is a pipe, each line is sent and the program exits at its
end (see --keep-open). When the server shuts down and says goodbye, the
program says so and exits with code 0. If the server is full, or goes away
without a goodbye, the program says so, tells you what was not sent, and
exits with code 1.`,
    id: `Perintah (ketik sebagai pesan):
  /name NAMA   tampil sebagai NAMA
  /help        server menampilkan daftar perintah
  /quit        keluar (begitu juga Ctrl+D di baris kosong dan Ctrl+C)

Di terminal, pesan masuk muncul di atas prompt dan ketikanmu tetap utuh.
Pesan yang dikirim paling panjang ${MAX_LINE_BYTES} byte; baris kosong tidak dikirim.
Jika input standar berupa pipe, setiap baris dikirim dan program keluar di
akhirnya (lihat --keep-open). Jika server dimatikan dan berpamitan, program
memberi tahu dan keluar dengan kode 0. Jika server penuh, atau hilang tanpa
pamit, program memberi tahu, menyebut apa yang tidak terkirim, dan keluar
dengan kode 1.`,
  },
};

const TEXT = {
  en: {
    prompt: "Enter message : ",
    connecting: (to: string) => `Connecting to the server ${to}`,
    welcome: (text: string) => `Message from server : ${text}`,
    tooLong: `not sent: longer than ${MAX_LINE_BYTES} bytes`,
    backlog: "not sent: the server is not taking what was already typed",
    dropped: (bytes: number) =>
      `(a line of over ${bytes} bytes from the server was not shown)`,
    closed: "the server closed the connection",
    lost: "the connection to the server was lost",
    full: "the server is full; try again later",
    perHost: "too many clients from this address; try again later",
    disconnected: (reason: string) =>
      `the server disconnected this client: ${reason}`,
    serverStopped: (sent: number, received: number) =>
      `the server shut down: ${
        plural(sent, "line", "lines")
      } sent, ${received} received`,
    stuck: "the server did not take everything within 5 s",
    unsentInput: (text: string) => `not sent (you were typing it): ${text}`,
    unsentQueued: (bytes: number) =>
      `${
        plural(bytes, "byte", "bytes")
      } of lines you entered may not have reached the server`,
    summary: (sent: number, received: number) =>
      `done: ${plural(sent, "line", "lines")} sent, ${received} received`,
  },
  id: {
    prompt: CLIENT_PROMPT,
    connecting: (to: string) => `Menyambungkan ke Server ${to}`,
    welcome: (text: string) => `Pesan dari server : ${text}`,
    tooLong: `tidak dikirim: lebih dari ${MAX_LINE_BYTES} byte`,
    backlog: "tidak dikirim: server tidak menerima ketikan sebelumnya",
    dropped: (bytes: number) =>
      `(baris lebih dari ${bytes} byte dari server tidak ditampilkan)`,
    closed: "server menutup koneksi",
    lost: "koneksi ke server terputus",
    full: "server penuh; coba lagi nanti",
    perHost: "terlalu banyak klien dari alamat ini; coba lagi nanti",
    disconnected: (reason: string) => `server memutus klien ini: ${reason}`,
    serverStopped: (sent: number, received: number) =>
      `server dimatikan: ${sent} baris dikirim, ${received} diterima`,
    stuck: "server tidak menerima semuanya dalam 5 detik",
    unsentInput: (text: string) =>
      `tidak terkirim (sedang kamu ketik): ${text}`,
    unsentQueued: (bytes: number) =>
      `${bytes} byte pesan yang kamu masukkan mungkin tidak sampai ke server`,
    summary: (sent: number, received: number) =>
      `selesai: ${sent} baris dikirim, ${received} diterima`,
  },
};

const ENCODER = new TextEncoder();

type Outcome =
  | "input-ended"
  | "quit"
  | "stopped"
  | "closed"
  | "shutdown"
  | "full"
  | "per-host"
  | "lost";

/** Runs chat-client with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, chat);
}

async function chat({ flags, out }: RoleContext): Promise<number> {
  const host = checkHost("host", stringFlag(flags, "host")!);
  const port = checkPort("port", stringFlag(flags, "port")!);
  const name = stringFlag(flags, "name");
  if (name !== undefined) {
    const problem = nameProblem(name, "en");
    if (problem) {
      throw new UsageError({
        en: `--name: ${problem}`,
        id: `--name: ${nameProblem(name, "id")}`,
      });
    }
  }
  const keepOpen = flags.values["keep-open"] === true;
  const text = TEXT[flags.lang];

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
    interactive: out.json ? false : undefined,
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

if (import.meta.main) Deno.exit(await main(Deno.args));
