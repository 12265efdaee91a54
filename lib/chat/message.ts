/**
 * What chat lines mean: the lab's fixed texts, sender labels and names, the
 * checks every client line passes before it is relayed, and the notices the
 * server sends, in English and Indonesian.
 *
 * Every line the server relays is `<label> : <text>`, where the label is
 * added by the server (`Client_1`, a name the client chose, or `Server`) and
 * never contains a space; the text may contain anything printable, including
 * " : ", so `Client_1 : Server : x` is Client_1 quoting, not the server.
 * Lines from clients cannot carry a newline, control characters or escape
 * sequences, so one line on the wire is always one line on a screen.
 *
 * @example Check a client's line and read a relayed one
 * ```ts
 * import { checkLine, parseChatLine, parseCommand } from "./message.ts";
 *
 * const checked = checkLine(new TextEncoder().encode("halo\x1b[31m"));
 * console.log(checked.ok); // false: control characters are refused
 * console.log(parseChatLine("Client_1 : Server : x")); // { from: "Client_1", text: "Server : x" }
 * console.log(parseCommand("/name Budi")); // { word: "name", arg: "Budi" }
 * ```
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import { displayBytes, hasControlChars } from "../cli/display.ts";
import { MAX_LINE_BYTES } from "./framing.ts";

/** The welcome every new client gets (the lab's own text). */
export const WELCOME = "Selamat datang di Server...";
/** The label of lines the server itself sends (operator text, notices). */
export const SERVER_LABEL = "Server";
/** Between a label and the text. */
export const LABEL_SEPARATOR = " : ";
/** The client's prompt with `--lang id` (the lab's own text). */
export const CLIENT_PROMPT = "Masukkan Pesan : ";
/** The server operator's prompt with `--lang id` (the lab's own text). */
export const SERVER_PROMPT = "Masukan Pesan : ";
/** The command a client sends to choose a name: `/name Alice`. */
export const NAME_COMMAND = "/name ";
/** The command that lists the commands. */
export const HELP_COMMAND = "/help";
/** The command that leaves the chat. */
export const QUIT_COMMAND = "/quit";
/** The longest name, in characters. */
export const MAX_NAME_LENGTH = 24;

const NAME = /^[A-Za-z0-9_.-]+$/;
const LAB_LABEL = /^client_\d+$/i;

/** The lab-style label of the n-th client to connect: `Client_1`, `Client_2`, … */
export function clientLabel(n: number): string {
  return `Client_${n}`;
}

/**
 * `--name NAME` of a chat program, checked: a {@linkcode UsageError}
 * (exit 2) says why a name is refused.
 */
export function checkNameFlag(name: string): string {
  const problem = nameProblem(name, "en");
  if (problem === undefined) return name;
  throw new UsageError({
    en: `--name: ${problem}`,
    id: `--name: ${nameProblem(name, "id")}`,
  });
}

/**
 * Checks a name a client asked for; returns why it is refused, or
 * `undefined` if it is fine. Names are letters, digits, `_`, `.` and `-`,
 * so a label never contains the separator, and "Server" or another
 * client's lab label cannot be taken.
 */
export function nameProblem(
  name: string,
  lang: Lang,
): string | undefined {
  const id = lang === "id";
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    return id
      ? `nama harus 1-${MAX_NAME_LENGTH} huruf, angka, _ . atau -`
      : `a name is 1-${MAX_NAME_LENGTH} letters, digits, _ . or -`;
  }
  if (
    name.toLowerCase() === SERVER_LABEL.toLowerCase() || LAB_LABEL.test(name)
  ) {
    return id ? `nama "${name}" dicadangkan` : `the name "${name}" is reserved`;
  }
  return undefined;
}

/** Why a line from a client was not relayed. */
export type LineProblem = "too-long" | "invalid-utf8" | "control";

/** A checked client line: its text, or the problem with it. */
export type CheckedLine =
  | { ok: true; text: string }
  | { ok: false; problem: LineProblem };

const STRICT = new TextDecoder("utf-8", { fatal: true });

/**
 * Checks one line from a client (without its newline): valid UTF-8, no
 * control characters (this covers ESC, so no terminal escape sequences),
 * no bidirectional overrides, at most {@linkcode MAX_LINE_BYTES} bytes.
 * Plain ASCII, the usual case, costs one scan.
 */
export function checkLine(bytes: Uint8Array): CheckedLine {
  if (bytes.length > MAX_LINE_BYTES) return { ok: false, problem: "too-long" };
  let ascii = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 || b === 0x7f) return { ok: false, problem: "control" };
    if (b >= 0x80) ascii = false;
  }
  let text: string;
  if (ascii) {
    text = String.fromCharCode.apply(null, bytes as unknown as number[]);
  } else {
    try {
      text = STRICT.decode(bytes);
    } catch {
      return { ok: false, problem: "invalid-utf8" };
    }
    if (hasControlChars(text)) {
      return { ok: false, problem: "control" };
    }
  }
  return { ok: true, text };
}

/** A command a client sent: its word (lower case, without the slash) and the rest. */
export interface Command {
  /** `name`, `help`, `quit`, or any other word (unknown). */
  word: string;
  /** What follows the word, trimmed. */
  arg: string;
}

const COMMAND = /^\/([A-Za-z]+)(?:\s+(.*))?$/;

/**
 * Reads a command out of a line: `/` and a word of letters, alone or
 * followed by a space. Anything else (`/usr/bin`, ` /quit`) is text.
 */
export function parseCommand(text: string): Command | undefined {
  const match = COMMAND.exec(text);
  if (!match) return undefined;
  return { word: match[1].toLowerCase(), arg: (match[2] ?? "").trim() };
}

/** Characters of a refused line quoted back to its sender. */
export const EXCERPT_CHARS = 40;

/**
 * The first `max` characters of a line, escaped for display (an invalid
 * UTF-8 byte counts as one character), with `…` when there is more.
 */
export function lineExcerpt(bytes: Uint8Array, max = EXCERPT_CHARS): string {
  let out = "";
  let i = 0;
  for (let n = 0; n < max && i < bytes.length; n++) {
    const length = sequenceLength(bytes, i);
    out += displayBytes(bytes.subarray(i, i + length));
    i += length;
  }
  return i < bytes.length ? out + "…" : out;
}

/** Bytes of the UTF-8 sequence that starts at `i` (1 for a stray byte). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  const length = b >= 0xf0 && b <= 0xf4
    ? 4
    : b >= 0xe0 && b <= 0xef
    ? 3
    : b >= 0xc2 && b <= 0xdf
    ? 2
    : 1;
  if (i + length > bytes.length) return 1;
  for (let k = 1; k < length; k++) {
    if ((bytes[i + k] & 0xc0) !== 0x80) return 1;
  }
  return length;
}

/** A line as a client sees it: who sent it and what it says. */
export interface ChatLine {
  /** The sender's label; `undefined` for a line with no label (the welcome). */
  from?: string;
  /** The text after the label. */
  text: string;
}

/** Splits a received line into its label and text. */
export function parseChatLine(line: string): ChatLine {
  const at = line.indexOf(LABEL_SEPARATOR);
  if (at > 0) {
    const label = line.slice(0, at);
    if (NAME.test(label)) {
      return { from: label, text: line.slice(at + LABEL_SEPARATOR.length) };
    }
  }
  return { text: line };
}

/** What a server notice says, when it is a join or a leave. */
export interface Presence {
  /** `join` or `leave`. */
  kind: "join" | "leave";
  /** Who joined or left. */
  name: string;
}

const PRESENCE =
  /^([A-Za-z0-9_.-]+) (joined|bergabung|left|keluar|was disconnected|diputus)\b/;

/** Reads a join or leave out of the text of a `Server : …` notice (either language). */
export function parsePresence(text: string): Presence | undefined {
  const match = PRESENCE.exec(text);
  if (!match) return undefined;
  const kind = match[2] === "joined" || match[2] === "bergabung"
    ? "join"
    : "leave";
  return { kind, name: match[1] };
}

/** What a server notice to this client means for it (either language). */
export type NoticeKind =
  | { kind: "shutdown" }
  | { kind: "refused"; reason: "full" | "per-host" }
  | { kind: "disconnected"; reason: string };

const DISCONNECTED = /^(?:you are disconnected|kamu diputus): (.*)$/;

/**
 * Recognises the notices that end a client's connection in the text of a
 * `Server : …` line: the goodbye, the refusals and a disconnection.
 */
export function parseNotice(text: string): NoticeKind | undefined {
  if (text === NOTICES.en.shutdown || text === NOTICES.id.shutdown) {
    return { kind: "shutdown" };
  }
  if (/^(?:server full|server penuh) \(/.test(text)) {
    return { kind: "refused", reason: "full" };
  }
  if (
    /^(?:too many connections from|terlalu banyak koneksi dari) /.test(text)
  ) {
    return { kind: "refused", reason: "per-host" };
  }
  const disconnected = DISCONNECTED.exec(text);
  if (disconnected) return { kind: "disconnected", reason: disconnected[1] };
  return undefined;
}

/** Most names listed in the "you are" notice (a big group would make a long line). */
export const MAX_LISTED_NAMES = 20;

function listed(names: string[]): string {
  return names.length > 0 ? `: ${names.join(", ")}` : "";
}

/** The texts of the server's notices, by language. */
export const NOTICES = {
  en: {
    youAre: (name: string, count: number, names: string[]) =>
      `you are ${name} (${count} online${listed(names)})`,
    joined: (name: string, count: number) => `${name} joined (${count} online)`,
    left: (name: string, count: number) => `${name} left (${count} online)`,
    tooSlow: (name: string, count: number) =>
      `${name} was disconnected: not reading (${count} online)`,
    youTooSlow: (limit: number) =>
      `you are disconnected: more than ${limit} bytes waiting for you`,
    renamed: (before: string, after: string) => `${before} is now ${after}`,
    youRenamed: (name: string) => `you are now ${name}`,
    badName: (problem: string) => `error: name not changed: ${problem}`,
    nameTaken: (name: string) => `error: name not changed: ${name} is taken`,
    alreadyNamed: (name: string) => `you are already ${name}`,
    nameUsage:
      `usage: /name NAME (1-${MAX_NAME_LENGTH} letters, digits, _ . or -)`,
    help:
      "commands: /name NAME (be shown as NAME), /help (this list), /quit (leave)",
    unknownCommand: (word: string) =>
      `error: unknown command /${word}; /help lists the commands`,
    bye: "goodbye",
    full: (max: number) =>
      `server full (${plural(max, "client", "clients")}); try again later`,
    perHost: (host: string, max: number) =>
      `too many connections from ${host} (at most ${max} per host); try again later`,
    youIdle: (seconds: number) =>
      `you are disconnected: nothing sent for ${seconds} s`,
    idle: (name: string, count: number) =>
      `${name} was disconnected: idle (${count} online)`,
    shutdown: "server shutting down; goodbye",
    problem: {
      "too-long":
        `error: message not sent: longer than ${MAX_LINE_BYTES} bytes`,
      "invalid-utf8": "error: message not sent: not valid UTF-8",
      control:
        "error: message not sent: control characters or escape sequences",
    } as Record<LineProblem, string>,
  },
  id: {
    youAre: (name: string, count: number, names: string[]) =>
      `kamu adalah ${name} (${count} online${listed(names)})`,
    joined: (name: string, count: number) =>
      `${name} bergabung (${count} online)`,
    left: (name: string, count: number) => `${name} keluar (${count} online)`,
    tooSlow: (name: string, count: number) =>
      `${name} diputus: tidak membaca (${count} online)`,
    youTooSlow: (limit: number) =>
      `kamu diputus: lebih dari ${limit} byte menunggu untukmu`,
    renamed: (before: string, after: string) => `${before} sekarang ${after}`,
    youRenamed: (name: string) => `kamu sekarang ${name}`,
    badName: (problem: string) => `galat: nama tidak diubah: ${problem}`,
    nameTaken: (name: string) =>
      `galat: nama tidak diubah: ${name} sudah dipakai`,
    alreadyNamed: (name: string) => `kamu sudah bernama ${name}`,
    nameUsage:
      `pemakaian: /name NAMA (1-${MAX_NAME_LENGTH} huruf, angka, _ . atau -)`,
    help:
      "perintah: /name NAMA (tampil sebagai NAMA), /help (daftar ini), /quit (keluar)",
    unknownCommand: (word: string) =>
      `galat: perintah /${word} tidak dikenal; /help menampilkan daftar perintah`,
    bye: "sampai jumpa",
    full: (max: number) => `server penuh (${max} klien); coba lagi nanti`,
    perHost: (host: string, max: number) =>
      `terlalu banyak koneksi dari ${host} (paling banyak ${max} per host); coba lagi nanti`,
    youIdle: (seconds: number) =>
      `kamu diputus: tidak mengirim apa pun selama ${seconds} detik`,
    idle: (name: string, count: number) =>
      `${name} diputus: diam terlalu lama (${count} online)`,
    shutdown: "server dimatikan; sampai jumpa",
    problem: {
      "too-long":
        `galat: pesan tidak dikirim: lebih dari ${MAX_LINE_BYTES} byte`,
      "invalid-utf8": "galat: pesan tidak dikirim: bukan UTF-8 yang sah",
      control:
        "galat: pesan tidak dikirim: karakter kontrol atau escape sequence",
    } as Record<LineProblem, string>,
  },
};
