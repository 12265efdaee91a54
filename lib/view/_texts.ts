/**
 * Internal: what `lab view` says on the terminal, in both languages.
 *
 * @module
 */

import { plural } from "../cli/i18n.ts";
import type { FrameKind } from "../wire/frame.ts";

const KIND_EN: Record<FrameKind, string> = {
  arp: "ARP",
  igmp: "IGMP",
  "udp-broadcast": "UDP broadcast",
  "udp-multicast": "UDP multicast",
  "udp-unicast": "UDP unicast",
  tcp: "TCP",
  other: "other",
};

const KIND_ID: Record<FrameKind, string> = { ...KIND_EN, other: "lainnya" };

const number = (n: number, lang: "en" | "id") =>
  n.toLocaleString(lang === "id" ? "id-ID" : "en-US");

/** The view's lines, by language. */
export const TEXT = {
  en: {
    kinds: KIND_EN,
    reading: (file: string) => `reading ${file}…`,
    read: (file: string, frames: number, hosts: number, unknown: number) =>
      `${file}: ${number(frames, "en")} ${
        frames === 1 ? "frame" : "frames"
      } from ${plural(hosts, "host", "hosts")}${
        unknown > 0
          ? ` (${unknown} not in the topology file, named by address)`
          : ""
      }`,
    endsEarly: (problem: string) =>
      `warning: ${problem}; the frames before it are replayed`,
    open: (url: string) => `open ${url}`,
    url: (url: string) => url,
    exposed: (bind: string, port: number) =>
      `warning: --bind ${bind}: anyone who can reach this machine on tcp port ${port} sees the lab's frames (the default, 127.0.0.1, is this machine only)`,
    inUse: (address: string) =>
      `address already in use: tcp ${address} (another program listens there: ss -tlpn shows which; stop it or pick another --port)`,
    waiting: (lab: string, up: string) =>
      `waiting for lab "${lab}" to come up (${up}, or lab run / lab console)`,
    watching: (lab: string, hosts: number, subnet: string) =>
      `watching lab "${lab}": ${
        plural(hosts, "host", "hosts")
      } on ${subnet}, every frame on its switch`,
    watchingSegments: (
      lab: string,
      hosts: number,
      { segments, routers }: { segments: string[]; routers: number },
    ) =>
      `watching lab "${lab}": ${plural(hosts, "host", "hosts")} on ${
        plural(segments.length, "segment", "segments")
      } (${segments.join(", ")}) joined by ${
        plural(routers, "router", "routers")
      }, every frame on each segment's switch`,
    down: (lab: string, frames: number, dropped: number) =>
      `lab "${lab}" went down after ${number(frames, "en")} ${
        frames === 1 ? "frame" : "frames"
      }${
        dropped > 0
          ? ` (the kernel dropped ${dropped} before tcpdump read them)`
          : ""
      }; waiting for it to come up again`,
    stop: "Ctrl+C stops the view",
    summary: (frames: number, kinds: string) =>
      `lab view: ${number(frames, "en")} ${
        frames === 1 ? "frame" : "frames"
      } seen${kinds ? ` (${kinds})` : ""}`,
    served: (browsers: number, dropped: number, slow: number) =>
      `${plural(browsers, "browser", "browsers")} served; ${
        plural(dropped, "event", "events")
      } dropped for slow browsers${
        slow > 0 ? ` (${plural(slow, "browser", "browsers")} fell behind)` : ""
      }`,
    kernel: (dropped: number) =>
      `the kernel dropped ${
        plural(dropped, "frame", "frames")
      } before tcpdump read them: the counts miss them`,
    number: (n: number) => number(n, "en"),
  },
  id: {
    kinds: KIND_ID,
    reading: (file: string) => `membaca ${file}…`,
    read: (file: string, frames: number, hosts: number, unknown: number) =>
      `${file}: ${number(frames, "id")} frame dari ${hosts} host${
        unknown > 0
          ? ` (${unknown} tidak ada di berkas topologi, dinamai menurut alamatnya)`
          : ""
      }`,
    endsEarly: (problem: string) =>
      `peringatan: ${problem}; frame sebelumnya tetap diputar ulang`,
    open: (url: string) => `buka ${url}`,
    url: (url: string) => url,
    exposed: (bind: string, port: number) =>
      `peringatan: --bind ${bind}: siapa pun yang dapat menjangkau mesin ini di port tcp ${port} melihat frame lab (bawaannya, 127.0.0.1, hanya mesin ini)`,
    inUse: (address: string) =>
      `alamat sudah dipakai: tcp ${address} (program lain mendengarkan di sana: ss -tlpn menunjukkan yang mana; hentikan atau pilih --port lain)`,
    waiting: (lab: string, up: string) =>
      `menunggu lab "${lab}" menyala (${up}, atau lab run / lab console)`,
    watching: (lab: string, hosts: number, subnet: string) =>
      `mengamati lab "${lab}": ${hosts} host di ${subnet}, setiap frame di switch-nya`,
    watchingSegments: (
      lab: string,
      hosts: number,
      { segments, routers }: { segments: string[]; routers: number },
    ) =>
      `mengamati lab "${lab}": ${hosts} host di ${segments.length} segmen (${
        segments.join(", ")
      }) yang dihubungkan ${routers} router, setiap frame di switch tiap segmen`,
    down: (lab: string, frames: number, dropped: number) =>
      `lab "${lab}" mati setelah ${number(frames, "id")} frame${
        dropped > 0
          ? ` (kernel membuang ${dropped} sebelum dibaca tcpdump)`
          : ""
      }; menunggu menyala lagi`,
    stop: "Ctrl+C menghentikan tampilan",
    summary: (frames: number, kinds: string) =>
      `lab view: ${number(frames, "id")} frame terlihat${
        kinds ? ` (${kinds})` : ""
      }`,
    served: (browsers: number, dropped: number, slow: number) =>
      `${browsers} browser dilayani; ${dropped} event dibuang untuk browser yang lambat${
        slow > 0 ? ` (${slow} browser tertinggal)` : ""
      }`,
    kernel: (dropped: number) =>
      `kernel membuang ${dropped} frame sebelum dibaca tcpdump: hitungan tidak mencakupnya`,
    number: (n: number) => number(n, "id"),
  },
};

/** The view's lines in one language. */
export type ViewTexts = (typeof TEXT)["en"];
