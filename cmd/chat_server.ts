/**
 * chat-server: Lab 3's TCP "broadcast chat" server done as a real chat
 * server. Any number of clients type whenever they like; every line goes to
 * every other client, labelled with its sender; the operator's lines go to
 * everyone as "Server : …"; a client that stops reading is cut off instead
 * of holding up the others.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkIpv4, checkPort } from "../lib/cli/address.ts";
import {
  type CommandSpec,
  intFlag,
  numberFlag,
  stringFlag,
} from "../lib/cli/parse.ts";
import { PORTS } from "../lib/ports.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { MAX_LINE_BYTES } from "../lib/chat/framing.ts";
import {
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_PER_HOST,
  DEFAULT_QUEUE_LIMIT,
} from "../lib/chat/hub.ts";
import { SERVER_PROMPT } from "../lib/chat/message.ts";
import { type ChatServerStats, runChatServer } from "../lib/chat/server.ts";
import {
  DURATION_FLAG,
  LISTEN_BIND_FLAG,
  listenPortFlag,
} from "../lib/cli/common_flags.ts";

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
    "max-per-host": {
      type: "string",
      default: String(DEFAULT_MAX_PER_HOST),
      valueName: "N",
      help: {
        en:
          "most clients from one address; one more is turned away (0: no limit)",
        id:
          "klien terbanyak dari satu alamat; kelebihannya ditolak (0: tanpa batas)",
      },
    },
    "idle-timeout": {
      type: "string",
      default: "0",
      valueName: "SECONDS",
      help: {
        en: "disconnect a client that sent nothing for this long (0: never)",
        id:
          "putus klien yang tidak mengirim apa pun selama ini (0: tidak pernah)",
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
    "chat-server --port 8080 --max-clients 4 --max-per-host 1",
    "chat-server --idle-timeout 600",
  ],
  notes: {
    en:
      `Lines are UTF-8 ending in a newline, at most ${MAX_LINE_BYTES} bytes; text with no
newline that stays idle for a moment also counts as a line (the lab's Python
clients). Lines that are too long, not UTF-8 or hold control characters or
escape sequences are not relayed; the sender is told which line (its first
40 characters). Blank lines are dropped. Clients' commands: "/name NAME" (be
shown as NAME instead of Client_N), "/help", "/quit". Type at the server to
send "Server : <text>" to every client.

Limits: --max-per-host is ${DEFAULT_MAX_PER_HOST} by default: a lab host runs one client, and a
script on one address cannot take every slot (on one machine every client is
127.0.0.1: give 0 for more). --idle-timeout is off by default: someone who
only reads the chat is a legitimate client; turn it on when idle
connections hold the slots others need.`,
    id:
      `Baris berupa UTF-8 diakhiri baris baru, paling panjang ${MAX_LINE_BYTES} byte; teks
tanpa baris baru yang diam sejenak juga dihitung satu baris (klien Python
praktikum). Baris yang terlalu panjang, bukan UTF-8 atau berisi karakter
kontrol atau escape sequence tidak diteruskan; pengirimnya diberi tahu baris
mana (40 karakter pertamanya). Baris kosong dibuang. Perintah klien:
"/name NAMA" (tampil sebagai NAMA, bukan Client_N), "/help", "/quit". Ketik
di server untuk mengirim "Server : <teks>" ke semua klien.

Batas: --max-per-host bawaannya ${DEFAULT_MAX_PER_HOST}: satu host praktikum menjalankan satu
klien, dan skrip dari satu alamat tidak bisa mengambil semua slot (di satu
mesin semua klien 127.0.0.1: beri 0 untuk lebih). --idle-timeout bawaannya
mati: orang yang hanya membaca chat adalah klien yang sah; nyalakan jika
koneksi diam menahan slot yang dibutuhkan orang lain.`,
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
      quit: "said /quit",
      reset: "connection lost",
      slow: "cut off, not reading",
      idle: "cut off, idle",
      shutdown: "server stopping",
    },
    rejected: (name: string, problem: string, line: string) =>
      `refused a line from ${name}: ${problem}: "${line}"`,
    problems: {
      "too-long": `longer than ${MAX_LINE_BYTES} bytes`,
      "invalid-utf8": "not valid UTF-8",
      control: "control characters or escape sequences",
    },
    idleFor: (seconds: number) => `cut off, sent nothing for ${seconds} s`,
    rename: (from: string, to: string) => `${from} is now ${to}`,
    full: (address: string) => `turned away ${address}: server full`,
    perHost: (address: string, max: number) =>
      `turned away ${address}: already ${
        plural(max, "client", "clients")
      } from that address`,
    acceptFailed: (reason: string) =>
      `accepting a connection: ${reason} (retrying in 100 ms)`,
    badOperatorLine: "not sent: control characters or too long",
    summary: (s: ChatServerStats) =>
      `done: ${plural(s.joined, "client", "clients")}, ${
        plural(s.messages, "message", "messages")
      } relayed (${plural(s.deliveries, "delivery", "deliveries")}), ${
        plural(s.rejected, "line", "lines")
      } refused, ${s.slow} cut off as not reading, ${s.idle} as idle, ${s.refused} turned away, ${s.aborted} reset before being accepted`,
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
      quit: "mengetik /quit",
      reset: "koneksi terputus",
      slow: "diputus, tidak membaca",
      idle: "diputus, diam",
      shutdown: "server berhenti",
    },
    rejected: (name: string, problem: string, line: string) =>
      `baris dari ${name} ditolak: ${problem}: "${line}"`,
    problems: {
      "too-long": `lebih dari ${MAX_LINE_BYTES} byte`,
      "invalid-utf8": "bukan UTF-8 yang sah",
      control: "karakter kontrol atau escape sequence",
    },
    idleFor: (seconds: number) =>
      `diputus, tidak mengirim apa pun selama ${seconds} detik`,
    rename: (from: string, to: string) => `${from} sekarang ${to}`,
    full: (address: string) => `${address} ditolak: server penuh`,
    perHost: (address: string, max: number) =>
      `${address} ditolak: sudah ${max} klien dari alamat itu`,
    acceptFailed: (reason: string) =>
      `menerima koneksi: ${reason} (dicoba lagi dalam 100 ms)`,
    badOperatorLine: "tidak dikirim: karakter kontrol atau terlalu panjang",
    summary: (s: ChatServerStats) =>
      `selesai: ${s.joined} klien, ${s.messages} pesan diteruskan (${s.deliveries} pengiriman), ${s.rejected} baris ditolak, ${s.slow} diputus karena tidak membaca, ${s.idle} karena diam, ${s.refused} ditolak, ${s.aborted} terputus sebelum diterima`,
  },
};

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
  const maxPerHost = intFlag(flags, "max-per-host", { min: 0, max: 100_000 })!;
  const idleTimeout = numberFlag(flags, "idle-timeout", {
    min: 0,
    max: 7 * 24 * 3600,
  })!;
  const queueKib = intFlag(flags, "queue-kib", { min: 8, max: 1024 * 1024 })!;
  const duration = numberFlag(flags, "duration", { min: 0 });
  const quiet = flags.values.quiet === true;
  const text = TEXT[flags.lang];

  const stats = await runChatServer({
    out,
    text,
    lang: flags.lang,
    bind,
    port,
    maxClients,
    maxPerHost,
    idleTimeoutSeconds: idleTimeout,
    queueLimit: queueKib * 1024,
    durationSeconds: duration,
    quiet,
  });
  out.line(text.summary(stats));
  out.record({ type: "summary", ...stats });
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
