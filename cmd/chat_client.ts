/**
 * chat-client: Lab 3's TCP chat client done as a real chat client. Incoming
 * lines are printed the moment they arrive, above the line being typed, so
 * nobody waits for a turn; piped standard input is sent line by line.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkHost, checkPort } from "../lib/cli/address.ts";
import { type CommandSpec, stringFlag } from "../lib/cli/parse.ts";
import { PORTS } from "../lib/ports.ts";
import { peerPortFlag, SERVER_HOST_FLAG } from "../lib/cli/common_flags.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { MAX_LINE_BYTES } from "../lib/chat/framing.ts";
import { checkNameFlag, CLIENT_PROMPT } from "../lib/chat/message.ts";
import { runChatClient } from "../lib/chat/client.ts";

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

/** Runs chat-client with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, chat);
}

function chat({ flags, out }: RoleContext): Promise<number> {
  const host = checkHost("host", stringFlag(flags, "host")!);
  const port = checkPort("port", stringFlag(flags, "port")!);
  const given = stringFlag(flags, "name");
  const name = given === undefined ? undefined : checkNameFlag(given);
  return runChatClient({
    out,
    text: TEXT[flags.lang],
    host,
    port,
    name,
    keepOpen: flags.values["keep-open"] === true,
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
