/**
 * Internal: the lab's lines about captures (`--capture`, `lab capture`),
 * in both languages.
 *
 * @module
 */

import { plural, type Text } from "../cli/i18n.ts";

/** The capture lines, by language. */
export const CAPTURE_TEXT = {
  en: {
    notCapturing: (reason: string) =>
      `not capturing: ${reason}; --no-capture says so without this note`,
    capturing: (hosts: number, dir: string, routerPorts = 0) =>
      `capturing every frame of ${plural(hosts, "host", "hosts")}${
        routerPorts > 0
          ? ` and ${
            plural(routerPorts, "router interface", "router interfaces")
          }`
          : ""
      } into ${dir}/ (tcpdump)`,
    stopped: (host: string, path: string, frames?: number, dropped?: number) =>
      `capture ${host}: ${path}${
        frames === undefined ? "" : `, ${plural(frames, "frame", "frames")}`
      }${
        dropped === undefined
          ? ""
          : `, ${dropped} dropped by the kernel${
            dropped > 0 ? " (missing from the file)" : ""
          }`
      }`,
    already: (host: string, path: string) =>
      `${host}: already capturing into ${path}`,
    started: (host: string, path: string) => `${host}: capturing into ${path}`,
    stopHint: (stop: string, report: string) =>
      `open the files in Wireshark as they grow; stop: ${stop}; the report: ${report}`,
    nothingRunning: "no capture is running",
    noneYet: (start: string) => `nothing captured yet (start: ${start})`,
    running: "running",
    stoppedWord: "stopped",
    statusHeader: ["host", "state", "since", "file", "frames", "dropped"],
    usage: (got?: string): Text => ({
      en: `usage: lab capture start|stop|status [HOST|ROUTER…]${
        got === undefined ? "" : ` (got "${got}")`
      }`,
      id: `pemakaian: lab capture start|stop|status [HOST|ROUTER…]${
        got === undefined ? "" : ` (ada "${got}")`
      }`,
    }),
    dirOnlyStart: {
      en:
        "--capture DIR is only for lab capture start (stop and status know where)",
      id:
        "--capture DIR hanya untuk lab capture start (stop dan status sudah tahu tempatnya)",
    },
    notUp: (lab: string, up: string): Text => ({
      en: `lab "${lab}" is not up (create it: ${up})`,
      id: `lab "${lab}" tidak menyala (nyalakan: ${up})`,
    }),
    unknownHost: (host: string, hosts: string): Text => ({
      en: `unknown host "${host}" (hosts and routers: ${hosts})`,
      id: `host "${host}" tidak dikenal (host dan router: ${hosts})`,
    }),
  },
  id: {
    notCapturing: (reason: string) =>
      `tanpa penangkapan: ${reason}; --no-capture menyatakannya tanpa catatan ini`,
    capturing: (hosts: number, dir: string, routerPorts = 0) =>
      `menangkap setiap frame ${hosts} host${
        routerPorts > 0 ? ` dan ${routerPorts} antarmuka router` : ""
      } ke ${dir}/ (tcpdump)`,
    stopped: (host: string, path: string, frames?: number, dropped?: number) =>
      `tangkapan ${host}: ${path}${
        frames === undefined ? "" : `, ${frames} frame`
      }${
        dropped === undefined
          ? ""
          : `, ${dropped} dibuang kernel${
            dropped > 0 ? " (tidak ada di berkas)" : ""
          }`
      }`,
    already: (host: string, path: string) =>
      `${host}: sudah menangkap ke ${path}`,
    started: (host: string, path: string) => `${host}: menangkap ke ${path}`,
    stopHint: (stop: string, report: string) =>
      `buka berkasnya di Wireshark sambil bertambah; hentikan: ${stop}; laporan: ${report}`,
    nothingRunning: "tidak ada penangkapan yang berjalan",
    noneYet: (start: string) => `belum ada yang ditangkap (mulai: ${start})`,
    running: "berjalan",
    stoppedWord: "berhenti",
    statusHeader: ["host", "keadaan", "sejak", "berkas", "frame", "dibuang"],
    usage: (got?: string): Text => ({
      en: `usage: lab capture start|stop|status [HOST|ROUTER…]${
        got === undefined ? "" : ` (got "${got}")`
      }`,
      id: `pemakaian: lab capture start|stop|status [HOST|ROUTER…]${
        got === undefined ? "" : ` (ada "${got}")`
      }`,
    }),
    dirOnlyStart: {
      en:
        "--capture DIR is only for lab capture start (stop and status know where)",
      id:
        "--capture DIR hanya untuk lab capture start (stop dan status sudah tahu tempatnya)",
    },
    notUp: (lab: string, up: string): Text => ({
      en: `lab "${lab}" is not up (create it: ${up})`,
      id: `lab "${lab}" tidak menyala (nyalakan: ${up})`,
    }),
    unknownHost: (host: string, hosts: string): Text => ({
      en: `unknown host "${host}" (hosts and routers: ${hosts})`,
      id: `host "${host}" tidak dikenal (host dan router: ${hosts})`,
    }),
  },
};
