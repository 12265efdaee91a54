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
 * @module
 */

import { type Lang, plural } from "../i18n.ts";
import { hasControlChars } from "../display.ts";
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
/** The longest name, in characters. */
export const MAX_NAME_LENGTH = 24;

const NAME = /^[A-Za-z0-9_.-]+$/;
const LAB_LABEL = /^client_\d+$/i;

/** The lab-style label of the n-th client to connect: `Client_1`, `Client_2`, … */
export function clientLabel(n: number): string {
  return `Client_${n}`;
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
    full: (max: number) =>
      `server full (${plural(max, "client", "clients")}); try again later`,
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
    full: (max: number) => `server penuh (${max} klien); coba lagi nanti`,
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
