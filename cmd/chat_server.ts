/**
 * chat-server: Lab 3's TCP "broadcast chat" server done as a real chat
 * server. Any number of clients type whenever they like; every line goes to
 * every other client, labelled with its sender; the operator's lines go to
 * everyone as "Server : …"; a client that stops reading is cut off instead
 * of holding up the others.
 *
 * @module
 */

import { plural } from "../lib/i18n.ts";
import { checkIpv4, checkPort } from "../lib/addr.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli.ts";
import { describeError, errorText, RuntimeError } from "../lib/errors.ts";
import { PORTS } from "../lib/payload.ts";
import { onStop, type RoleContext, runRole } from "../lib/run.ts";
import { MAX_LINE_BYTES } from "../lib/chat/framing.ts";
import {
  ChatHub,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_QUEUE_LIMIT,
  type HubEvent,
} from "../lib/chat/hub.ts";
import { checkLine, SERVER_LABEL, SERVER_PROMPT } from "../lib/chat/message.ts";
import { ChatConsole } from "../lib/chat/_console.ts";
import {
  DURATION_FLAG,
  LISTEN_BIND_FLAG,
  listenPortFlag,
} from "../lib/flags.ts";

/** chat-server's command line. */
export const SPEC: CommandSpec = {
  name: "chat-server",
  summary: {
    en: "relay every client's lines to all other clients (TCP chat)",
    id: "teruskan pesan setiap klien ke semua klien lain (chat TCP)",
  },
  flags: {
    port: listenPortFlag(PORTS.chat, "TCP"),
    bind: LISTEN_BIND_FLAG,
    "max-clients": {
      type: "string",
      short: "m",
      default: String(DEFAULT_MAX_CLIENTS),
      valueName: "N",
      help: {
        en: "most clients at once; one more is told the server is full",
        id: "klien terbanyak sekaligus; kelebihannya diberi tahu server penuh",
      },
    },
    "queue-kib": {
      type: "string",
      default: String(DEFAULT_QUEUE_LIMIT / 1024),
      valueName: "KIB",
      help: {
        en: "KiB waiting for one client before it is cut off as not reading",
        id:
          "KiB yang menunggu untuk satu klien sebelum diputus karena tidak membaca",
      },
    },
    quiet: {
      type: "boolean",
      short: "q",
      help: {
        en: "do not print every message (joins, leaves and the summary only)",
        id: "jangan cetak setiap pesan (hanya masuk, keluar dan ringkasan)",
      },
    },
    duration: DURATION_FLAG,
  },
  examples: [
    "chat-server",
    "chat-server --port 8080 --max-clients 4",
  ],
  notes: {
    en:
      `Lines are UTF-8 ending in a newline, at most ${MAX_LINE_BYTES} bytes; text with no
newline that stays idle for a moment also counts as a line (the lab's Python
clients). Lines that are too long, not UTF-8 or hold control characters or
escape sequences are not relayed; the sender is told. A client sends
"/name NAME" to be shown as NAME instead of Client_N. Type at the server to
send "Server : <text>" to every client.`,
    id:
      `Baris berupa UTF-8 diakhiri baris baru, paling panjang ${MAX_LINE_BYTES} byte; teks
tanpa baris baru yang diam sejenak juga dihitung satu baris (klien Python
praktikum). Baris yang terlalu panjang, bukan UTF-8 atau berisi karakter
kontrol atau escape sequence tidak diteruskan; pengirimnya diberi tahu.
Klien mengirim "/name NAMA" agar tampil sebagai NAMA, bukan Client_N. Ketik
di server untuk mengirim "Server : <teks>" ke semua klien.`,
  },
};

const TEXT = {
  en: {
    prompt: "Enter message : ",
    listening: (address: string, max: number) =>
      `listening on tcp ${address} (at most ${
        plural(max, "client", "clients")
      })`,
    join: (name: string, address: string, online: number) =>
      `${name} joined from ${address} (${online} online)`,
    leave: (name: string, reason: string, online: number) =>
      `${name} left: ${reason} (${online} online)`,
    reasons: {
      left: "closed the connection",
      reset: "connection lost",
      slow: "cut off, not reading",
      shutdown: "server stopping",
    },
    rejected: (name: string, problem: string) =>
      `refused a line from ${name}: ${problem}`,
    problems: {
      "too-long": `longer than ${MAX_LINE_BYTES} bytes`,
      "invalid-utf8": "not valid UTF-8",
      control: "control characters or escape sequences",
    },
    rename: (from: string, to: string) => `${from} is now ${to}`,
    full: (address: string) => `turned away ${address}: server full`,
    badOperatorLine: "not sent: control characters or too long",
    summary: (s: Record<string, number>) =>
      `done: ${plural(s.joined, "client", "clients")}, ${
        plural(s.messages, "message", "messages")
      } relayed (${plural(s.deliveries, "delivery", "deliveries")}), ${
        plural(s.rejected, "line", "lines")
      } refused, ${s.slow} cut off as not reading, ${s.refused} turned away`,
  },
  id: {
    prompt: SERVER_PROMPT,
    listening: (address: string, max: number) =>
      `mendengarkan di tcp ${address} (paling banyak ${max} klien)`,
    join: (name: string, address: string, online: number) =>
      `${name} bergabung dari ${address} (${online} online)`,
    leave: (name: string, reason: string, online: number) =>
      `${name} keluar: ${reason} (${online} online)`,
    reasons: {
      left: "menutup koneksi",
      reset: "koneksi terputus",
      slow: "diputus, tidak membaca",
      shutdown: "server berhenti",
    },
    rejected: (name: string, problem: string) =>
      `baris dari ${name} ditolak: ${problem}`,
    problems: {
      "too-long": `lebih dari ${MAX_LINE_BYTES} byte`,
      "invalid-utf8": "bukan UTF-8 yang sah",
      control: "karakter kontrol atau escape sequence",
    },
    rename: (from: string, to: string) => `${from} sekarang ${to}`,
    full: (address: string) => `${address} ditolak: server penuh`,
    badOperatorLine: "tidak dikirim: karakter kontrol atau terlalu panjang",
    summary: (s: Record<string, number>) =>
      `selesai: ${s.joined} klien, ${s.messages} pesan diteruskan (${s.deliveries} pengiriman), ${s.rejected} baris ditolak, ${s.slow} diputus karena tidak membaca, ${s.refused} ditolak karena penuh`,
  },
};

const ENCODER = new TextEncoder();

/** Runs chat-server with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, serve);
}

async function serve({ flags, out }: RoleContext): Promise<number> {
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const bind = checkIpv4("bind", stringFlag(flags, "bind")!);
  const maxClients = intFlag(flags, "max-clients", { min: 1, max: 100_000 })!;
  const queueKib = intFlag(flags, "queue-kib", { min: 8, max: 1024 * 1024 })!;
  const duration = numberFlag(flags, "duration", { min: 0 });
  const quiet = flags.values.quiet === true;
  const text = TEXT[flags.lang];

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
    queueLimit: queueKib * 1024,
    lang: flags.lang,
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
          text.leave(event.name, text.reasons[event.reason], event.online),
        );
      case "message":
        return show(`${event.from} : ${event.text}`);
      case "rejected":
        return show(text.rejected(event.from, text.problems[event.problem]));
      case "rename":
        return show(text.rename(event.from, event.to));
      case "full":
        return show(text.full(event.address));
    }
  };

  const keyboard = new ChatConsole({
    prompt: text.prompt,
    maxLineBytes: MAX_LINE_BYTES,
    interactive: out.json ? false : undefined,
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
  try {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (stop.stopped) break;
        if (err instanceof Deno.errors.BadResource) throw err;
        // Out of file descriptors and the like: the clients we have go on.
        show(describeError(err, {
          doing: { en: "accepting a connection", id: "menerima koneksi" },
          lang: flags.lang,
        }));
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      hub.serve(conn).catch((err) =>
        show(describeError(err, {
          doing: { en: "serving a client", id: "melayani klien" },
          lang: flags.lang,
        }))
      );
    }
  } finally {
    stop.dispose();
    if (!stop.stopped) listener.close();
  }
  await hub.shutdown(1000);
  keyboard.close();
  const stats = { ...hub.stats };
  out.line(text.summary(stats));
  out.record({ type: "summary", ...stats });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
