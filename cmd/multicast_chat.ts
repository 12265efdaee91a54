/**
 * multicast-chat: Modul 11's multicast chat as the module describes it, a
 * group (or a channel by name) whose members each both talk and listen.
 * Each line typed goes to the group as `NAME : TEXT`, which the module's own
 * receivers print as is; what the others write appears above the prompt,
 * with a bell and a count of unread lines.
 *
 * @module
 */

import { plural } from "../lib/cli/i18n.ts";
import { checkGroup, checkIpv4, checkPort } from "../lib/cli/address.ts";
import { type CommandSpec, intFlag, stringFlag } from "../lib/cli/parse.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { MULTICAST_GROUP, PORTS } from "../lib/ports.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { checkNameFlag } from "../lib/chat/message.ts";
import {
  GROUP_FLAG,
  JOIN_INTERFACE_FLAG,
  sharedPortFlag,
  TTL_FLAG,
} from "../lib/cli/common_flags.ts";
import {
  channelGroup,
  channelProblem,
  MAX_CHANNEL_LENGTH,
} from "../lib/multicast_chat/channel.ts";
import {
  type ChatCounts,
  type JoinedLine,
  runMulticastChat,
  WHO_WAIT_MS,
} from "../lib/multicast_chat/peer.ts";

/** multicast-chat's command line. */
export const SPEC: CommandSpec = {
  name: "multicast-chat",
  summary: {
    en:
      "chat in a multicast group or channel: type lines, see everyone's as they come",
    id:
      "chat di grup atau kanal multicast: ketik pesan, lihat pesan semua orang saat tiba",
  },
  flags: {
    group: GROUP_FLAG,
    port: sharedPortFlag(PORTS.multicast),
    channel: {
      type: "string",
      short: "C",
      valueName: "NAME",
      help: {
        en:
          `meet in channel NAME: a group in 239.0.0.0/8 computed from the name (instead of --group)`,
        id:
          `bertemu di kanal NAMA: grup di 239.0.0.0/8 yang dihitung dari nama (ganti --group)`,
      },
    },
    name: {
      type: "string",
      short: "n",
      valueName: "NAME",
      help: {
        en: "be shown as NAME (default: this host's name)",
        id: "tampil sebagai NAMA (bawaan: nama host ini)",
      },
    },
    ttl: TTL_FLAG,
    interface: JOIN_INTERFACE_FLAG,
    bind: {
      type: "string",
      short: "b",
      valueName: "ADDR",
      help: {
        en:
          "address to send from; picks the interface (default: --interface's)",
        id:
          "alamat sumber pengiriman; memilih antarmuka (bawaan: alamat --interface)",
      },
    },
    active: {
      type: "string",
      default: "300",
      valueName: "SECONDS",
      help: {
        en: "/who lists the members heard from in the last SECONDS",
        id: "/who menampilkan anggota yang terdengar dalam DETIK terakhir",
      },
    },
    quiet: {
      type: "boolean",
      short: "q",
      help: {
        en: "no bell when a message comes",
        id: "tanpa bunyi bel saat pesan datang",
      },
    },
    "keep-open": {
      type: "boolean",
      help: {
        en: "keep receiving after piped input ends (until Ctrl+C)",
        id: "tetap menerima setelah input dari pipa habis (sampai Ctrl+C)",
      },
    },
  },
  examples: [
    "multicast-chat",
    "multicast-chat --channel kelas --name Budi",
    "multicast-chat --interface 127.0.0.1 --name ana",
    "printf 'halo\\n' | multicast-chat --channel kelas",
  ],
  notes: {
    en: `Commands (type them as a message):
  /who         the members heard from lately (asks the others to answer)
  /name NAME   be shown as NAME
  /help        the commands
  /quit        leave (so do Ctrl+D on an empty line and Ctrl+C)

Each line goes out as one datagram "NAME : TEXT", which the module's own
receivers print as is; joins and leaves as "* NAME joined", "* NAME left".
On a terminal, incoming lines appear above the prompt, the bell rings and the
prompt counts the lines that came while you typed. Channel names are 1-${MAX_CHANNEL_LENGTH}
letters, digits, _ . or -, the same in any case; two names can map to one
group. When standard input is a pipe, each line is sent and the program
leaves at its end (see --keep-open).`,
    id: `Perintah (ketik sebagai pesan):
  /who         anggota yang terdengar akhir-akhir ini (minta yang lain menjawab)
  /name NAMA   tampil sebagai NAMA
  /help        daftar perintah
  /quit        keluar (begitu juga Ctrl+D di baris kosong dan Ctrl+C)

Setiap baris dikirim sebagai satu datagram "NAMA : TEKS", yang dicetak apa
adanya oleh penerima modul; masuk dan keluar sebagai "* NAMA joined",
"* NAMA left". Di terminal, pesan masuk muncul di atas prompt, bel berbunyi
dan prompt menghitung pesan yang datang selama kamu mengetik. Nama kanal 1-${MAX_CHANNEL_LENGTH}
huruf, angka, _ . atau -, besar kecil huruf sama; dua nama bisa jatuh ke satu
grup. Jika input standar berupa pipe, setiap baris dikirim dan program keluar
di akhirnya (lihat --keep-open).`,
  },
};

const TEXT = {
  en: {
    prompt: "enter message : ",
    unread: "new",
    joined: ({ to, iface, channel, name, ttl }: JoinedLine) =>
      `joined ${to}${
        channel === undefined ? "" : ` (channel ${channel})`
      } on ${iface} as ${name}, TTL ${ttl}; /help lists the commands`,
    controlWords: { join: "joined", leave: "left", rename: "is now" },
    tooLong: (bytes: number, max: number) =>
      `not sent: ${bytes} bytes; one datagram carries at most ${max} bytes of text`,
    unsentInput: (text: string) => `not sent (you were typing it): ${text}`,
    backlog: "not sent: too many lines waiting to be sent",
    badName: (problem: string) => `name not changed: ${problem}`,
    renamed: (name: string) => `you are now ${name}`,
    who: (names: string[], seconds: number, more: number) =>
      names.length === 0
        ? `nobody else heard from in the last ${seconds} s`
        : `heard from in the last ${seconds} s: ${names.join(", ")}${
          more === 0 ? "" : ` and ${more} more`
        }`,
    unknownCommand: (word: string) =>
      `unknown command /${word}; /help lists the commands`,
    help: [
      `/who: the members heard from lately (answers wait ${
        WHO_WAIT_MS / 1000
      } s)`,
      "/name NAME: be shown as NAME",
      "/quit: leave (also Ctrl+D on an empty line, Ctrl+C)",
    ],
    summary: (c: ChatCounts) =>
      `done: ${plural(c.sent, "line", "lines")} sent, ${
        plural(c.received, "message", "messages")
      } received from ${plural(c.members, "member", "members")} (${
        plural(c.joined, "join", "joins")
      }, ${plural(c.left, "leave", "leaves")})`,
  },
  id: {
    prompt: "masukkan pesan :",
    unread: "baru",
    joined: ({ to, iface, channel, name, ttl }: JoinedLine) =>
      `bergabung ke ${to}${
        channel === undefined ? "" : ` (kanal ${channel})`
      } di ${iface} sebagai ${name}, TTL ${ttl}; /help menampilkan perintah`,
    controlWords: { join: "bergabung", leave: "keluar", rename: "sekarang" },
    tooLong: (bytes: number, max: number) =>
      `tidak dikirim: ${bytes} byte; satu datagram memuat paling banyak ${max} byte teks`,
    unsentInput: (text: string) =>
      `tidak terkirim (sedang kamu ketik): ${text}`,
    backlog: "tidak dikirim: terlalu banyak baris menunggu dikirim",
    badName: (problem: string) => `nama tidak diubah: ${problem}`,
    renamed: (name: string) => `sekarang kamu ${name}`,
    who: (names: string[], seconds: number, more: number) =>
      names.length === 0
        ? `tidak ada anggota lain yang terdengar dalam ${seconds} detik terakhir`
        : `terdengar dalam ${seconds} detik terakhir: ${names.join(", ")}${
          more === 0 ? "" : ` dan ${more} lainnya`
        }`,
    unknownCommand: (word: string) =>
      `perintah /${word} tidak dikenal; /help menampilkan perintah`,
    help: [
      `/who: anggota yang terdengar akhir-akhir ini (jawaban ditunggu ${
        WHO_WAIT_MS / 1000
      } detik)`,
      "/name NAMA: tampil sebagai NAMA",
      "/quit: keluar (juga Ctrl+D di baris kosong, Ctrl+C)",
    ],
    summary: (c: ChatCounts) =>
      `selesai: ${c.sent} baris dikirim, ${c.received} pesan diterima dari ${c.members} anggota (${c.joined} masuk, ${c.left} keluar)`,
  },
};

/** Runs multicast-chat with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, chat);
}

function chat({ flags, out }: RoleContext): Promise<number> {
  const channel = stringFlag(flags, "channel");
  // --group at its default is not a choice that --channel overrides.
  const groupGiven = stringFlag(flags, "group") !== MULTICAST_GROUP;
  if (channel !== undefined && groupGiven) {
    throw new UsageError({
      en: "give --channel or --group, not both",
      id: "beri --channel atau --group, jangan keduanya",
    });
  }
  if (channel !== undefined && channelProblem(channel) !== undefined) {
    throw new UsageError({
      en:
        `--channel: a channel name is 1-${MAX_CHANNEL_LENGTH} letters, digits, _ . or -`,
      id:
        `--channel: nama kanal 1-${MAX_CHANNEL_LENGTH} huruf, angka, _ . atau -`,
    });
  }
  const group = channel !== undefined
    ? channelGroup(channel)
    : checkGroup("group", stringFlag(flags, "group")!);
  const port = checkPort("port", stringFlag(flags, "port")!, {
    allowZero: true,
  });
  const iface = checkIpv4("interface", stringFlag(flags, "interface")!);
  const bind = checkIpv4("bind", stringFlag(flags, "bind") ?? iface);
  const ttl = intFlag(flags, "ttl", { min: 0, max: 255 })!;
  const activeSeconds = intFlag(flags, "active", { min: 1 })!;
  const name = checkNameFlag(stringFlag(flags, "name") ?? defaultName());
  return runMulticastChat({
    out,
    text: TEXT[flags.lang],
    lang: flags.lang,
    group,
    port,
    channel,
    iface,
    bind,
    ttl,
    name,
    quiet: flags.values.quiet === true,
    keepOpen: flags.values["keep-open"] === true,
    activeSeconds,
  });
}

/** This host's name, cut to a valid chat name (`alpine-1.lab` → `alpine-1.lab`). */
function defaultName(): string {
  let host = "peer";
  try {
    host = Deno.hostname();
  } catch {
    // no permission or no name: a plain default
  }
  const cleaned = host.replace(/[^A-Za-z0-9_.-]/g, "-").slice(0, 24);
  return cleaned === "" ? "peer" : cleaned;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
