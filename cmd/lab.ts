/**
 * lab: the lab's five-host network on one Linux machine. Each host is a
 * network namespace on one bridge; each practicum is a scenario in
 * `lab.yaml` that runs the roles on their hosts and summarises what every
 * host got.
 *
 * ```sh
 * sudo deno task lab up
 * sudo deno task lab run broadcast-sender-first --report report.md
 * sudo deno task lab exec alpine-2 -- ip addr
 * sudo deno task lab down
 * ```
 *
 * @module
 */

import type { CommandSpec } from "../lib/cli/parse.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { runLab } from "../lib/lab/session.ts";
import { ROLE_SPECS } from "./_role_specs.ts";

/** The lab tool's command line (the sub-command comes first). */
export const SPEC: CommandSpec = {
  name: "lab",
  operands: true,
  summary: {
    en:
      "the practicum's hosts as network namespaces on one bridge; run each practicum in them",
    id:
      "host praktikum sebagai network namespace pada satu bridge; jalankan setiap praktikum di dalamnya",
  },
  usage: {
    en: "COMMAND [ARGUMENTS…] [flags]   (commands: see below)",
    id: "PERINTAH [ARGUMEN…] [flag]   (perintah: lihat di bawah)",
  },
  flags: {
    file: {
      type: "string",
      short: "f",
      default: "lab.yaml",
      valueName: "FILE",
      help: { en: "topology file", id: "berkas topologi" },
    },
    name: {
      type: "string",
      short: "n",
      valueName: "NAME",
      help: {
        en: "lab name: prefix of its namespaces (default: the file's name:)",
        id: "nama lab: awalan namespace-nya (bawaan: name: di berkas)",
      },
    },
    all: {
      type: "boolean",
      help: {
        en: "run: every scenario of the file",
        id: "run: semua skenario di berkas",
      },
    },
    report: {
      type: "string",
      valueName: "FILE",
      help: {
        en:
          "run, report: write the report to hand in: FILE.md (with SVG pictures next to it), FILE.html (one file) or FILE.pdf (needs chromium)",
        id:
          "run, report: tulis laporan untuk dikumpulkan: FILE.md (dengan gambar SVG di sebelahnya), FILE.html (satu file) atau FILE.pdf (perlu chromium)",
      },
    },
    student: {
      type: "string",
      valueName: "NAME",
      help: {
        en:
          "run, report: the student's name on the report's cover (or student: in the file)",
        id:
          "run, report: nama mahasiswa di sampul laporan (atau student: di berkas)",
      },
    },
    nim: {
      type: "string",
      valueName: "NIM",
      help: {
        en: "run, report: the student number on the cover",
        id: "run, report: NIM di sampul laporan",
      },
    },
    kelas: {
      type: "string",
      valueName: "CLASS",
      help: {
        en: "run, report: the class on the cover",
        id: "run, report: kelas di sampul laporan",
      },
    },
    since: {
      type: "string",
      valueName: "TIME",
      help: {
        en:
          "report: what was recorded since TIME (10:15, 2026-11-30T10:15 or 15m ago; default: since lab up)",
        id:
          "report: yang terekam sejak TIME (10:15, 2026-11-30T10:15 atau 15m yang lalu; bawaan: sejak lab up)",
      },
    },
    list: {
      type: "boolean",
      help: {
        en:
          "report: list what was recorded: each run, and the experiments recognised, numbered",
        id:
          "report: daftar yang terekam: setiap run, dan eksperimen yang dikenali, bernomor",
      },
    },
    only: {
      type: "string",
      valueName: "N,M",
      help: {
        en:
          "report: put these experiments (numbers of --list) in the report (default: the last complete one of each kind)",
        id:
          "report: masukkan eksperimen ini (nomor dari --list) ke laporan (bawaan: yang lengkap terakhir dari tiap jenis)",
      },
    },
    records: {
      type: "string",
      valueName: "DIR",
      help: {
        en:
          "report: read the VMs' runs that serve kept in DIR (serve --records; default there: records/) instead of this lab's",
        id:
          "report: baca run VM yang disimpan serve di DIR (serve --records; bawaannya records/) alih-alih milik lab ini",
      },
    },
    detach: {
      type: "boolean",
      help: {
        en: "console: create the tmux session without attaching to it",
        id: "console: buat sesi tmux tanpa masuk ke dalamnya",
      },
    },
    "keep-records": {
      type: "boolean",
      help: {
        en: "down: keep the recordings of the roles run by hand",
        id: "down: simpan rekaman role yang dijalankan manual",
      },
    },
    rootfs: {
      type: "string",
      valueName: "DIR",
      help: {
        en:
          "up, run: every host runs its roles inside this Alpine-like root file system (see deno task alpine-rootfs)",
        id:
          "up, run: setiap host menjalankan role-nya di dalam root file system mirip Alpine ini (lihat deno task alpine-rootfs)",
      },
    },
    gns3: {
      type: "string",
      valueName: "FILE",
      help: {
        en:
          "the hosts of a GNS3 project (.gns3 or .gns3project) instead of the file's; export: the project to write",
        id:
          "host dari proyek GNS3 (.gns3 atau .gns3project) sebagai ganti host berkas; export: proyek yang ditulis",
      },
    },
    strict: {
      type: "boolean",
      help: {
        en:
          "with --gns3: refuse the project if anything would be left out or changed",
        id:
          "dengan --gns3: tolak proyek bila ada yang ditinggalkan atau diubah",
      },
    },
    subnet: {
      type: "string",
      valueName: "CIDR",
      help: {
        en:
          "with --gns3: the subnet for hosts the project gives no address (default lab.yaml's)",
        id:
          "dengan --gns3: subnet untuk host yang tak diberi alamat oleh proyek (bawaan dari lab.yaml)",
      },
    },
    keep: {
      type: "boolean",
      help: {
        en:
          "run: leave the lab up afterwards (it is taken down if run built it)",
        id:
          "run: biarkan lab tetap menyala (lab dimatikan jika dibuat oleh run)",
      },
    },
  },
  examples: [
    "lab up",
    "lab run broadcast-sender-first --report laporan.md",
    'lab run --all --report laporan.pdf --lang id --student "Budi Santoso" --nim 5025211001 --kelas B',
    "lab run --all",
    "lab exec alpine-2 -- ip addr",
    "lab run --all --rootfs dist/alpine-rootfs",
    "lab exec alpine-2",
    "lab console",
    "lab report --report laporan.md",
    "lab report --list",
    "lab report --only 2,4 --report laporan.pdf",
    "lab report --records records --report laporan.pdf --lang id",
    "lab status",
    "lab down",
    "lab up --gns3 praktikum.gns3project",
    "lab run --all --gns3 praktikum.gns3",
    "lab export --gns3 progjar.gns3project",
  ],
  notes: {
    en: [
      "Commands:",
      "  up                      create the hosts (network namespaces) and the switch",
      "  down                    remove everything of the lab, stopping what runs in it",
      "  status                  show what exists",
      "  list                    list the scenarios of the file",
      "  exec HOST [-- COMMAND…] run a command on a host (default: a shell)",
      "  run SCENARIO… | --all   run scenarios (bringing the lab up if needed)",
      "  console                 every host in one tmux session (lab exec in each pane)",
      "  report --report FILE    the report of what was run by hand on the hosts",
      "  export --gns3 FILE      write the lab as a GNS3 project (FILE.gns3project or .gns3)",
      "",
      "Roles started on a host (lab console, lab exec) record what they print to",
      "/run/progjar/LAB/HOST.jsonl; lab report reads it, lab down removes it",
      "(--keep-records keeps it). lab console needs tmux (Debian: apt-get install tmux).",
      "report --list numbers the experiments it recognises (false starts left out);",
      "--only N,M picks them. On the course's VMs, roles record as well and their runs",
      "go back to the serve that installed them: lab report --records DIR reads them.",
      "",
      "Needs root, iproute2's ip and util-linux's unshare and nsenter. Nothing is",
      "added to the machine's own network: the bridge lives in a namespace of its",
      "own. Each host has its own host name (UTS namespace). up and down remove only",
      "what up marked as its own; a namespace of the same name made by hand is left",
      "alone and up refuses (exit 1).",
      "",
      "One Ctrl+C stops up or run: what was built is torn down, run writes --report",
      "with what finished (the interrupted scenario marked), exit 130. Only a second",
      "Ctrl+C, later, leaves at once.",
      "",
      "Hosts as Alpine VMs: with rootfs: DIR in the file (for all hosts or per host:",
      "alpine-2: { address: …, rootfs: DIR }) or --rootfs DIR, each host runs its",
      "roles, and lab exec its shell, inside DIR (chroot), with progjar installed",
      "there by the Alpine pack, as on the lab's VMs. Build DIR with",
      "sudo deno task alpine-rootfs (default dist/alpine-rootfs).",
      "",
      "From GNS3: --gns3 FILE takes the hosts (Docker, VPCS, QEMU nodes) of the",
      "project's largest L2 segment, switches and hubs as the bridge; routers, NAT",
      "and cloud nodes are left out, one line each. lab.yaml's scenarios run where",
      "their hosts' names match. A bad project file: one line, exit 2.",
    ].join("\n"),
    id: [
      "Perintah:",
      "  up                      buat host (network namespace) dan switch",
      "  down                    hapus semua bagian lab, hentikan yang berjalan di dalamnya",
      "  status                  tampilkan yang ada",
      "  list                    daftar skenario di berkas",
      "  exec HOST [-- PERINTAH…] jalankan perintah di sebuah host (bawaan: shell)",
      "  run SKENARIO… | --all   jalankan skenario (lab dinyalakan bila perlu)",
      "  console                 semua host dalam satu sesi tmux (lab exec di tiap panel)",
      "  report --report BERKAS  laporan dari yang dijalankan manual di host",
      "  export --gns3 BERKAS    tulis lab sebagai proyek GNS3 (BERKAS.gns3project atau .gns3)",
      "",
      "Role yang dijalankan di host (lab console, lab exec) merekam yang dicetaknya ke",
      "/run/progjar/LAB/HOST.jsonl; lab report membacanya, lab down menghapusnya",
      "(--keep-records menyimpannya). lab console perlu tmux (Debian: apt-get install tmux).",
      "report --list memberi nomor eksperimen yang dikenali (salah mulai tidak dihitung);",
      "--only N,M memilihnya. Di VM praktikum role juga merekam dan run-nya kembali ke",
      "serve yang memasangnya: lab report --records DIR membacanya.",
      "",
      "Perlu root, perintah ip dari iproute2, serta unshare dan nsenter dari",
      "util-linux. Jaringan mesin sendiri tidak diubah: bridge berada di namespace",
      "tersendiri. Setiap host punya nama host sendiri (UTS namespace). up dan down",
      "hanya menghapus yang ditandai up sebagai miliknya; namespace bernama sama yang",
      "dibuat manual dibiarkan dan up menolak (kode keluar 1).",
      "",
      "Satu Ctrl+C menghentikan up atau run: yang sudah dibuat dibongkar, run menulis",
      "--report berisi yang sudah selesai (skenario yang terhenti ditandai), kode",
      "keluar 130. Hanya Ctrl+C kedua, beberapa saat kemudian, langsung keluar.",
      "",
      "Host sebagai VM Alpine: dengan rootfs: DIR di berkas (untuk semua host atau per",
      "host: alpine-2: { address: …, rootfs: DIR }) atau --rootfs DIR, setiap host",
      "menjalankan role-nya, dan lab exec shell-nya, di dalam DIR (chroot), dengan",
      "progjar terpasang oleh paket Alpine, seperti di VM praktikum. Buat DIR dengan",
      "sudo deno task alpine-rootfs (bawaan dist/alpine-rootfs).",
      "",
      "Dari GNS3: --gns3 BERKAS mengambil host (node Docker, VPCS, QEMU) dari segmen",
      "L2 terbesar proyek, switch dan hub sebagai bridge; router, NAT dan cloud",
      "ditinggalkan, masing-masing satu baris. Skenario lab.yaml berjalan bila nama",
      "host-nya cocok. Berkas proyek yang rusak: satu baris, kode keluar 2.",
    ].join("\n"),
  },
};

/** Runs the lab tool with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, lab);
}

function lab(context: RoleContext): Promise<number> {
  return runLab(context, {
    specs: ROLE_SPECS,
    defaultFile: SPEC.flags.file.default as string,
  });
}

if (import.meta.main) Deno.exit(await main(Deno.args));
