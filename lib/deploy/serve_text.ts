/**
 * What serve prints for people, in English and Indonesian: one or more
 * lines per event of `serve_run.ts` (`--json` prints the events as they
 * are). A transfer line is `client  path  status  size  seconds`, with the
 * range of a 206 and, for an answer cut off, `up to` its size and why.
 *
 * @example
 * ```ts
 * import { eventLines } from "./serve_text.ts";
 *
 * const [line] = eventLines({
 *   type: "transfer", client: "192.168.122.131", method: "GET",
 *   path: "/progjar-alpine-x86_64.tar.gz", status: 200, bytes: 43_158_521,
 *   seconds: 0.85, complete: true,
 * }, "en", { requestTimeoutMs: 10_000, stallTimeoutMs: 30_000 });
 * console.log(line); // "192.168.122.131  /progjar-alpine-x86_64.tar.gz  200  43.2 MB  0.85 s"
 * ```
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import { reasonOf } from "./_http.ts";
import type { CutReason, Limits } from "./http_server.ts";
import { formatBytes } from "./serve_lines.ts";
import type { ServeEvent } from "./serve_run.ts";

type Of<T extends ServeEvent["type"]> = Extract<ServeEvent, { type: T }>;

const TEXT = {
  en: {
    building: (e: Of<"building">) =>
      `${e.name} is ${
        e.why === "stale" ? "older than the code" : "missing"
      }: building it (deno task ${e.task.join(" ")})`,
    stale: (e: Of<"stale">) =>
      `note: ${e.name} is older than the code and is served as it is (deno task ${
        e.task.join(" ")
      } rebuilds it)`,
    missing: (e: Of<"missing">) =>
      `note: no ${e.name} here${
        e.pack ? ": install.sh will say so on the VM" : ""
      } (deno task ${e.task.join(" ")} builds it)`,
    serving: (e: Of<"serving">) => `serving ${e.dir}:`,
    pack: (e: Of<"pack">) =>
      `  install.sh installs ${e.name} (${formatBytes(e.size)}, unpacks to ${
        formatBytes(e.unpackedSize)
      }, sha256 ${e.sha256.slice(0, 12)}…)`,
    paste:
      "on each VM, as root, paste the line of the network it shares with this machine:",
    listening: (address: string) =>
      `listening on http ${address}; Ctrl+C stops`,
    seconds: "s",
    range: (e: Of<"transfer">) =>
      `bytes ${e.range!.start}-${e.range!.end} of ${e.range!.size}`,
    // A cut-off answer counts the bytes handed to the connection; some may
    // still have been in the socket buffer when it ended.
    upTo: "up to ",
    cut: (why: CutReason, stall: number) =>
      `(cut off: ${
        {
          gone: "the client went away",
          stalled: `the client took nothing for ${stall} s (--stall-timeout)`,
          stopped: "serve stopped",
          error: "the file changed while it was sent",
        }[why]
      }; it got at most this much)`,
    refused: (e: Of<"refused">, limit: number) =>
      ({
        full:
          `refused: ${limit} connections open (--max-connections): answered 503, try again`,
        "per-host":
          `refused: ${limit} connections open from this address (--max-per-host): answered 503`,
        timeout:
          `closed: no whole request within ${limit} s (--request-timeout)`,
        "head-too-large": `refused: a request head over ${limit} bytes`,
        "body-too-large": `refused: a body over ${limit} bytes`,
        "bad-request": "refused: not a request serve takes",
        "accept-failed":
          "could not take a connection (out of file descriptors? see ulimit -n)",
      })[e.kind],
    suppressed: (e: Of<"suppressed">) =>
      `… ${e.count} more ${
        e.what === "requests" ? "requests" : "like it"
      } in ${e.seconds} s not shown (the summary counts them)`,
    summary: (e: Of<"summary">) =>
      `done: ${plural(e.requests, "request", "requests")}, ${
        plural(e.downloads, "complete download", "complete downloads")
      }, ${e.cutOff === 0 ? "" : "up to "}${formatBytes(e.bytes)} sent${
        e.cutOff === 0
          ? ""
          : ` (${plural(e.cutOff, "download", "downloads")} cut off)`
      }${e.refused === 0 ? "" : `, ${e.refused} refused by the limits`}`,
  },
  id: {
    building: (e: Of<"building">) =>
      `${e.name} ${
        e.why === "stale" ? "lebih tua dari kodenya" : "tidak ada"
      }: membangunnya (deno task ${e.task.join(" ")})`,
    stale: (e: Of<"stale">) =>
      `catatan: ${e.name} lebih tua dari kodenya dan dibagikan apa adanya (deno task ${
        e.task.join(" ")
      } membangunnya ulang)`,
    missing: (e: Of<"missing">) =>
      `catatan: tidak ada ${e.name} di sini${
        e.pack ? ": install.sh akan mengatakannya di VM" : ""
      } (deno task ${e.task.join(" ")} membangunnya)`,
    serving: (e: Of<"serving">) => `membagikan ${e.dir}:`,
    pack: (e: Of<"pack">) =>
      `  install.sh memasang ${e.name} (${formatBytes(e.size)}, terbongkar ${
        formatBytes(e.unpackedSize)
      }, sha256 ${e.sha256.slice(0, 12)}…)`,
    paste:
      "di setiap VM, sebagai root, tempel baris jaringan yang sama dengan mesin ini:",
    listening: (address: string) =>
      `mendengarkan di http ${address}; Ctrl+C menghentikan`,
    seconds: "dtk",
    range: (e: Of<"transfer">) =>
      `byte ${e.range!.start}-${e.range!.end} dari ${e.range!.size}`,
    upTo: "paling banyak ",
    cut: (why: CutReason, stall: number) =>
      `(terputus: ${
        {
          gone: "klien pergi",
          stalled:
            `klien tidak mengambil apa pun selama ${stall} dtk (--stall-timeout)`,
          stopped: "serve berhenti",
          error: "berkasnya berubah saat dikirim",
        }[why]
      }; yang diterimanya paling banyak sebesar ini)`,
    refused: (e: Of<"refused">, limit: number) =>
      ({
        full:
          `ditolak: ${limit} koneksi terbuka (--max-connections): dijawab 503, coba lagi`,
        "per-host":
          `ditolak: ${limit} koneksi terbuka dari alamat ini (--max-per-host): dijawab 503`,
        timeout:
          `ditutup: tidak ada permintaan utuh dalam ${limit} dtk (--request-timeout)`,
        "head-too-large": `ditolak: kepala permintaan lebih dari ${limit} byte`,
        "body-too-large": `ditolak: isi lebih dari ${limit} byte`,
        "bad-request": "ditolak: bukan permintaan yang diterima serve",
        "accept-failed":
          "tidak bisa menerima koneksi (file descriptor habis? lihat ulimit -n)",
      })[e.kind],
    suppressed: (e: Of<"suppressed">) =>
      `… ${e.count} ${
        e.what === "requests" ? "permintaan" : "kejadian serupa"
      } lagi dalam ${e.seconds} dtk tidak ditampilkan (ringkasan menghitungnya)`,
    summary: (e: Of<"summary">) =>
      `selesai: ${e.requests} permintaan, ${e.downloads} unduhan lengkap, ${
        e.cutOff === 0 ? "" : "paling banyak "
      }${formatBytes(e.bytes)} terkirim${
        e.cutOff === 0 ? "" : ` (${e.cutOff} unduhan terputus)`
      }${e.refused === 0 ? "" : `, ${e.refused} ditolak oleh batas`}`,
  },
};

/** The human lines of `event` in `lang` (`limits`: those serve runs with). */
export function eventLines(
  event: ServeEvent,
  lang: Lang,
  limits: Pick<Limits, "requestTimeoutMs" | "stallTimeoutMs">,
): string[] {
  const text = TEXT[lang];
  switch (event.type) {
    case "file":
      return [`  /${event.name}  ${formatBytes(event.size)}`];
    case "listening":
      return [
        text.paste,
        ...event.lines.map((line, i) =>
          `  ${event.interfaces[i].padEnd(10)} ${line}`
        ),
        text.listening(`${event.address}:${event.port}`),
      ];
    case "transfer": {
      const size = formatBytes(event.bytes);
      const words = [
        event.client,
        event.path,
        String(event.status),
        event.complete ? size : `${text.upTo}${size}`,
        `${event.seconds.toFixed(2)} ${text.seconds}`,
      ];
      if (event.range) words.push(`(${text.range(event)})`);
      if (!event.complete) {
        words.push(
          text.cut(event.cut ?? "gone", limits.stallTimeoutMs / 1000),
        );
      }
      return [words.join("  ")];
    }
    case "refused": {
      const limit = event.kind === "timeout"
        ? limits.requestTimeoutMs / 1000
        : event.limit ?? 0;
      const status = event.status === undefined
        ? ""
        : ` (${event.status} ${reasonOf(event.status)})`;
      return [`${event.client}  ${text.refused(event, limit)}${status}`];
    }
    case "suppressed":
      return [`${event.client ?? ""}  ${text.suppressed(event)}`.trim()];
    default:
      return [text[event.type](event as never)];
  }
}
