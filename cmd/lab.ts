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
import { LAB_NOTES } from "../lib/lab/_notes.ts";
import { VIEW_FLAGS } from "../lib/lab/_view.ts";
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
    capture: {
      type: "string",
      valueName: "DIR",
      help: {
        en: "run, console, capture start: each host's frames to DIR/HOST.pcap",
        id: "run, console, capture start: frame tiap host ke DIR/HOST.pcap",
      },
    },
    "no-capture": {
      type: "boolean",
      help: {
        en: "run: no capture (with --report it goes to FILE_files/capture/)",
        id: "run: tanpa tangkapan (dengan --report ke FILE_files/capture/)",
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
    ...VIEW_FLAGS,
  },
  examples: [
    "lab up",
    "lab run broadcast-sender-first --report laporan.md",
    'lab run --all --report laporan.pdf --lang id --student "Budi Santoso" --nim 5025211001 --kelas B',
    "lab run --all",
    "lab exec alpine-2 -- ip addr",
    "lab run --all --rootfs dist/alpine-rootfs",
    "lab run --all --file labs/multicast-ttl.yaml --report laporan.pdf",
    "lab exec alpine-2",
    "lab console",
    "lab report --report laporan.md",
    "lab report --list",
    "lab report --only 2,4 --report laporan.pdf",
    "lab report --records records --report laporan.pdf --lang id",
    "lab view",
    "lab view --pcap capture.pcapng --lang id",
    "lab status",
    "lab down",
    "lab up --gns3 praktikum.gns3project",
    "lab run --all --gns3 praktikum.gns3",
    "lab export --gns3 progjar.gns3project",
  ],
  notes: LAB_NOTES,
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
