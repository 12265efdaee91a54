/**
 * The lab tool's own lines (up, down, status, run) in both languages.
 *
 * @module
 */

import { plural } from "../cli/i18n.ts";

/** The lab tool's lines, by language. */
export const TEXT = {
  en: {
    leftovers: (n: number, lab: string) =>
      `removed ${
        plural(n, "namespace", "namespaces")
      } left from an unfinished lab "${lab}"`,
    up: (lab: string, ms: number, hosts: number, subnet: string, bc: string) =>
      `lab "${lab}" up in ${ms} ms: ${
        plural(hosts, "host", "hosts")
      } on ${subnet} (broadcast ${bc})`,
    alreadyUp: (lab: string) => `lab "${lab}" is already up`,
    next: (exec: string, run: string, down: string) =>
      `next: ${exec} (a shell on it); ${run}; ${down}`,
    down: (lab: string, ms: number, n: number) =>
      `lab "${lab}" down in ${ms} ms: ${
        plural(n, "namespace", "namespaces")
      } removed`,
    notUp: (lab: string, others: string[], up: string) =>
      `lab "${lab}" is not up (${
        others.length === 0
          ? "no lab is up"
          : `up: ${others.map((o) => `"${o}"`).join(", ")}`
      }; create it: ${up})`,
    nothingToRemove: (lab: string) =>
      `lab "${lab}" is not up: nothing to remove`,
    leftAlone: (list: string) => `left alone (not made by this lab): ${list}`,
    notOurs: (lab: string, what: string, name: string) =>
      `${what} exists but was not made by lab "${lab}" (no progjar mark): left alone; remove it yourself or pick another ${name}`,
    incomplete: (lab: string, n: number, down: string, up: string) =>
      `lab "${lab}" is incomplete (${
        plural(n, "namespace", "namespaces")
      } left): run ${down} or ${up}`,
    interrupted: (lab: string) =>
      `lab "${lab}": interrupted (Ctrl+C); what was built is removed`,
    twice: (down: string) =>
      `interrupted twice: leaving now; remove the rest with ${down}`,
    notRun: (names: string) => `not run: ${names}`,
    isUp: (
      lab: string,
      hosts: number,
      subnet: string,
      bc: string,
      file: string,
      gateway?: string,
    ) =>
      `lab "${lab}" is up: ${
        plural(hosts, "host", "hosts")
      } on ${subnet} (broadcast ${bc}${
        gateway ? `, every host's gateway ${gateway}` : ""
      }), from ${file}`,
    takenDown: (lab: string) =>
      `lab "${lab}" taken down (built for this run; --keep leaves it up)`,
    report: (path: string) => `report: ${path}`,
    recordsKept: (dir: string) =>
      `recordings kept in ${dir} (lab report --since reads them)`,
    upRouted: (
      lab: string,
      ms: number,
      counts: { hosts: number; segments: number; routers: number },
    ) =>
      `lab "${lab}" up in ${ms} ms: ${
        plural(counts.hosts, "host", "hosts")
      } on ${plural(counts.segments, "segment", "segments")} joined by ${
        plural(counts.routers, "router", "routers")
      }`,
    isUpRouted: (
      lab: string,
      counts: { hosts: number; segments: number; routers: number },
      file: string,
    ) =>
      `lab "${lab}" is up: ${plural(counts.hosts, "host", "hosts")} on ${
        plural(counts.segments, "segment", "segments")
      } joined by ${plural(counts.routers, "router", "routers")}, from ${file}`,
    multicastLine: (mode: string, why: string) =>
      mode === "smcroute"
        ? `multicast: the kernel forwards it on every router (smcrouted; ${why})`
        : `multicast: every router forwards it in user space, TTL taken down by one and dropped at 0 (${why})`,
    restarted: (names: string) =>
      `started again the multicast forwarder of ${names} (it had stopped)`,
    mode: (mode: string | undefined) =>
      mode === "smcroute"
        ? "kernel (smcroute)"
        : mode === "user-space"
        ? "user space"
        : "?",
    forwarding: (forwarded: number, dropped: number, lost: number) =>
      `${forwarded} forwarded, ${dropped} dropped at TTL 1${
        lost > 0 ? `, ${lost} lost (more came than it could read)` : ""
      }`,
    notForwarding: "not running: lab up starts it again",
    segment: "segment",
    gateway: "gateway",
    router: "router",
    interfaces: "interfaces",
    multicast: "multicast",
    bridges: (ns: string, list: string) => `switch ${ns}: ${list}`,
    records: "records",
    host: "host",
    address: "address",
    namespace: "namespace",
    processes: "processes",
    root: "root",
    switch: "(switch br0)",
  },
  id: {
    leftovers: (n: number, lab: string) =>
      `${n} namespace sisa lab "${lab}" yang belum selesai dihapus`,
    up: (lab: string, ms: number, hosts: number, subnet: string, bc: string) =>
      `lab "${lab}" menyala dalam ${ms} ms: ${hosts} host di ${subnet} (broadcast ${bc})`,
    alreadyUp: (lab: string) => `lab "${lab}" sudah menyala`,
    next: (exec: string, run: string, down: string) =>
      `berikutnya: ${exec} (shell di host itu); ${run}; ${down}`,
    down: (lab: string, ms: number, n: number) =>
      `lab "${lab}" dimatikan dalam ${ms} ms: ${n} namespace dihapus`,
    notUp: (lab: string, others: string[], up: string) =>
      `lab "${lab}" tidak menyala (${
        others.length === 0
          ? "tidak ada lab yang menyala"
          : `yang menyala: ${others.map((o) => `"${o}"`).join(", ")}`
      }; nyalakan: ${up})`,
    nothingToRemove: (lab: string) =>
      `lab "${lab}" tidak menyala: tidak ada yang dihapus`,
    leftAlone: (list: string) => `dibiarkan (bukan buatan lab ini): ${list}`,
    notOurs: (lab: string, what: string, name: string) =>
      `${what} sudah ada tetapi bukan buatan lab "${lab}" (tanpa tanda progjar): dibiarkan; hapus sendiri atau pilih ${name} lain`,
    incomplete: (lab: string, n: number, down: string, up: string) =>
      `lab "${lab}" tidak lengkap (tersisa ${n} namespace): jalankan ${down} atau ${up}`,
    interrupted: (lab: string) =>
      `lab "${lab}": dihentikan (Ctrl+C); yang sudah dibuat dihapus`,
    twice: (down: string) =>
      `dihentikan dua kali: keluar sekarang; hapus sisanya dengan ${down}`,
    notRun: (names: string) => `tidak dijalankan: ${names}`,
    isUp: (
      lab: string,
      hosts: number,
      subnet: string,
      bc: string,
      file: string,
      gateway?: string,
    ) =>
      `lab "${lab}" menyala: ${hosts} host di ${subnet} (broadcast ${bc}${
        gateway ? `, gateway setiap host ${gateway}` : ""
      }), dari ${file}`,
    takenDown: (lab: string) =>
      `lab "${lab}" dimatikan (dibuat untuk run ini; --keep membiarkannya menyala)`,
    report: (path: string) => `laporan: ${path}`,
    recordsKept: (dir: string) =>
      `rekaman disimpan di ${dir} (lab report --since membacanya)`,
    upRouted: (
      lab: string,
      ms: number,
      counts: { hosts: number; segments: number; routers: number },
    ) =>
      `lab "${lab}" menyala dalam ${ms} ms: ${counts.hosts} host di ${counts.segments} segmen yang dihubungkan ${counts.routers} router`,
    isUpRouted: (
      lab: string,
      counts: { hosts: number; segments: number; routers: number },
      file: string,
    ) =>
      `lab "${lab}" menyala: ${counts.hosts} host di ${counts.segments} segmen yang dihubungkan ${counts.routers} router, dari ${file}`,
    multicastLine: (mode: string, why: string) =>
      mode === "smcroute"
        ? `multicast: kernel meneruskannya di setiap router (smcrouted; ${why})`
        : `multicast: setiap router meneruskannya di user space, TTL dikurangi satu dan dibuang saat 0 (${why})`,
    restarted: (names: string) =>
      `penerus multicast ${names} dijalankan lagi (tadi berhenti)`,
    mode: (mode: string | undefined) =>
      mode === "smcroute"
        ? "kernel (smcroute)"
        : mode === "user-space"
        ? "user space"
        : "?",
    forwarding: (forwarded: number, dropped: number, lost: number) =>
      `${forwarded} diteruskan, ${dropped} dibuang karena TTL 1${
        lost > 0
          ? `, ${lost} hilang (datang lebih cepat dari yang bisa dibaca)`
          : ""
      }`,
    notForwarding: "tidak berjalan: lab up menjalankannya lagi",
    segment: "segmen",
    gateway: "gateway",
    router: "router",
    interfaces: "antarmuka",
    multicast: "multicast",
    bridges: (ns: string, list: string) => `switch ${ns}: ${list}`,
    records: "rekaman",
    host: "host",
    address: "alamat",
    namespace: "namespace",
    processes: "proses",
    root: "root",
    switch: "(switch br0)",
  },
};

/** The lab tool's lines in one language. */
export type Texts = (typeof TEXT)["en"];
