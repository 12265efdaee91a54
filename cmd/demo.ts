/**
 * demo: the broadcast lab ("Praktikum UDP 2") end to end on loopback. One
 * broadcast-sender and four broadcast-receivers run as separate processes,
 * in both of the lab's orders: receivers first, then sender first with the
 * receivers started one by one while it sends. It ends with a table per
 * receiver and a paragraph answering the lab's question with the numbers.
 *
 * Everything goes to 127.255.255.255 from 127.0.0.1: no datagram leaves
 * this machine, and no root is needed.
 *
 * @module
 */

import { type CommandSpec, intFlag } from "../lib/cli/parse.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { runDemo } from "../lib/demo/demo.ts";

/** demo's command line. */
export const SPEC: CommandSpec = {
  name: "demo",
  summary: {
    en: "run the broadcast lab on loopback in both orders and compare",
    id:
      "jalankan praktikum broadcast di loopback dalam dua urutan lalu bandingkan",
  },
  flags: {
    count: {
      type: "string",
      short: "c",
      default: "1000",
      valueName: "N",
      help: {
        en: "datagrams the sender sends in each run",
        id: "jumlah datagram yang dikirim di setiap putaran",
      },
    },
    interval: {
      type: "string",
      short: "i",
      default: "1",
      valueName: "MS",
      help: {
        en: "sender's pause between datagrams in milliseconds",
        id: "jeda pengirim antar datagram dalam milidetik",
      },
    },
    receivers: {
      type: "string",
      short: "r",
      default: "4",
      valueName: "N",
      help: {
        en: "receivers (the lab has four: alpine-2 … alpine-5)",
        id: "jumlah penerima (praktikum: empat, alpine-2 … alpine-5)",
      },
    },
    report: {
      type: "string",
      valueName: "FILE",
      help: {
        en:
          "also write a report with both runs' timelines: FILE.md, FILE.html or FILE.pdf (needs chromium)",
        id:
          "tulis juga laporan dengan linimasa kedua putaran: FILE.md, FILE.html atau FILE.pdf (perlu chromium)",
      },
    },
  },
  examples: [
    "demo",
    "demo --lang id",
    "demo --json",
    "demo --report demo.html",
  ],
  notes: {
    en:
      "Sender bound to 127.0.0.1, broadcasting to 127.255.255.255; receivers share one port.",
    id:
      "Pengirim terikat ke 127.0.0.1, broadcast ke 127.255.255.255; penerima berbagi satu port.",
  },
};

/** Runs the demo with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, demo);
}

function demo({ flags, out }: RoleContext): Promise<number> {
  return runDemo(out, {
    count: intFlag(flags, "count", { min: 10, max: 1_000_000 })!,
    interval: intFlag(flags, "interval", { min: 0, max: 1000 })!,
    receivers: intFlag(flags, "receivers", { min: 1, max: 16 })!,
    lang: flags.lang,
    report: typeof flags.values.report === "string"
      ? flags.values.report
      : undefined,
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
