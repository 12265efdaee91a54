/**
 * The report's own words, in English and Indonesian: headings, captions,
 * the cover's labels and the notes between the blocks.
 *
 * @module
 */

import { plural } from "../cli/i18n.ts";

export const TEXT = {
  en: {
    course: "Network Programming (Pemrograman Jaringan)",
    title: "Lab report",
    demoTitle: "Lab report: the broadcast lab on loopback (demo)",
    student: "Name",
    nim: "Student number",
    kelas: "Class",
    date: "Date",
    lab: "Lab",
    scenarios: "Scenarios",
    missing: "(not given)",
    intro:
      "Every host is a Linux network namespace with one interface eth0 on a shared bridge (one L2 segment, like the GNS3 switch); each role ran as its own process, on real sockets.",
    vmIntro:
      "Every host is one of the course's Alpine VMs (in GNS3), with progjar installed by serve; each role recorded what it printed on the VM's own disk and sent its run to serve when it ended. Names and addresses are as each VM reported them (its host name, eth0).",
    clocks: (list: string) =>
      `Every time here is on the clock of the machine serve ran on. These VMs' clocks were off, and their times were put on that clock: ${list}.`,
    demoIntro:
      "Every role ran as its own process on this machine's loopback: the sender bound to 127.0.0.1, broadcasting to 127.255.255.255; the receivers share one port.",
    topology: "Topology",
    address: "address",
    root: "root file system",
    machineRoot: "(the machine's)",
    rootfs: (roots: string) =>
      `Hosts with a root file system ran their roles inside it (chroot into ${roots}: busybox and musl, progjar installed by the Alpine pack's install.sh), as on the lab's Alpine VMs.`,
    switchLabel: "switch (bridge)",
    vmSwitch: "switch (GNS3)",
    loopback: "loopback (lo)",
    scenario: "Scenario",
    result: "Result",
    start: "start",
    host: "host",
    command: "command (as typed on the host)",
    typed: "typed",
    then: (keys: string) => `then ${keys}`,
    conclusion: "Conclusion",
    transcripts: "Transcripts",
    transcriptsIntro:
      "Each scenario shows one whole terminal transcript per kind of role and the others' first and last lines (“> …” is a line typed into the role).",
    folded: (n: number, shown: number) =>
      `${plural(n, "line", "lines")}, ${shown} shown`,
    foldedGroup: (totals: number[], same: { first: boolean; last: boolean }) =>
      `${
        new Set(totals).size === 1
          ? `${totals[0]} lines each`
          : `${totals.join(", ")} lines`
      }; ${same.first ? "the same first line" : "first lines in host order"}, ${
        same.last ? "the same last line" : "last lines in host order"
      }`,
    more: (n: number) => `… ${plural(n, "more line", "more lines")} …`,
    timelineCaption:
      "Drawn from the records: each receiver's lane starts when its process started (▲) and listened (○).",
    chatCaption:
      "From the server's join/message/leave records and each client's received lines.",
    multicastCaption:
      "From the sender's group and TTL, each receiver's join and count, and the TTL a receiver read in the IP header (--show-ttl).",
    groupChatCaption:
      "From each peer's join, sent lines and leave, the other peers' received records and each receiver's datagrams; a filled dot: it got it.",
    topologyCaption: (cidr: string, broadcast: string) =>
      `Subnet ${cidr}, broadcast address ${broadcast}.`,
    routedIntro: (routers: number, segments: number, how: string) =>
      `Every host is a Linux network namespace with one interface eth0 on its segment's bridge; ${segments} segments (each its own switch) are joined by ${routers} routers, each a namespace with one interface per segment that forwards unicast (the kernel's ip_forward) and multicast (${how}), taking one off the TTL and dropping the datagram at 0. Each role ran as its own process, on real sockets.`,
    howUserSpace:
      "in user space: this kernel has no multicast routing, so a program on each router reads every group datagram off one interface and sends it out of the others",
    howKernel: "by the kernel, with smcroute's routes",
    networkCaption: (routers: string) =>
      `Each segment is a switch of its own; the routers (${routers}) join them, with their address on each segment.`,
    reachCaption:
      "From each receiver's datagrams and the TTL it read in their IP header (--show-ttl); the cross marks the router after the farthest receiver that got the line.",
    reachTable: (sender: string) =>
      `How far each TTL reached from ${sender}: each cell is the TTL the receiver read on arrival, "-" not received.`,
    overall: "Conclusion",
    allZero: (names: string) => `Zero for every host: ${names}.`,
    notRun: (names: string) => `Not run (the run was interrupted): ${names}.`,
    stderr: (host: string) => `${host}: standard error`,
  },
  id: {
    course: "Pemrograman Jaringan",
    title: "Laporan praktikum",
    demoTitle: "Laporan praktikum: praktikum broadcast di loopback (demo)",
    student: "Nama",
    nim: "NIM",
    kelas: "Kelas",
    date: "Tanggal",
    lab: "Lab",
    scenarios: "Skenario",
    missing: "(tidak diisi)",
    intro:
      "Setiap host adalah network namespace Linux dengan satu antarmuka eth0 pada bridge bersama (satu segmen L2, seperti switch GNS3); setiap role berjalan sebagai proses sendiri, dengan soket sungguhan.",
    vmIntro:
      "Setiap host adalah salah satu VM Alpine praktikum (di GNS3), dengan progjar dipasang oleh serve; setiap role merekam yang dicetaknya di disk VM itu sendiri dan mengirim run-nya ke serve saat selesai. Nama dan alamat seperti yang dilaporkan setiap VM (nama host-nya, eth0).",
    clocks: (list: string) =>
      `Semua waktu di sini menurut jam mesin tempat serve berjalan. Jam VM berikut meleset, dan waktunya sudah dipindahkan ke jam itu: ${list}.`,
    demoIntro:
      "Setiap role berjalan sebagai proses sendiri di loopback mesin ini: pengirim terikat ke 127.0.0.1, broadcast ke 127.255.255.255; penerima berbagi satu port.",
    topology: "Topologi",
    address: "alamat",
    root: "root file system",
    machineRoot: "(milik mesin)",
    rootfs: (roots: string) =>
      `Host dengan root file system menjalankan role-nya di dalamnya (chroot ke ${roots}: busybox dan musl, progjar dipasang oleh install.sh paket Alpine), seperti di VM Alpine praktikum.`,
    switchLabel: "switch (bridge)",
    vmSwitch: "switch (GNS3)",
    loopback: "loopback (lo)",
    scenario: "Skenario",
    result: "Hasil",
    start: "mulai",
    host: "host",
    command: "perintah (seperti diketik di host)",
    typed: "diketik",
    then: (keys: string) => `lalu ${keys}`,
    conclusion: "Kesimpulan",
    transcripts: "Transkrip",
    transcriptsIntro:
      "Setiap skenario menampilkan satu transkrip terminal utuh per jenis role, dan baris pertama serta terakhir dari yang lain (“> …” adalah baris yang diketik ke role).",
    folded: (n: number, shown: number) => `${n} baris, ${shown} ditampilkan`,
    foldedGroup: (totals: number[], same: { first: boolean; last: boolean }) =>
      `${
        new Set(totals).size === 1
          ? `${totals[0]} baris masing-masing`
          : `${totals.join(", ")} baris`
      }; ${same.first ? "baris pertama sama" : "baris pertama urut host"}, ${
        same.last ? "baris terakhir sama" : "baris terakhir urut host"
      }`,
    more: (n: number) => `… ${n} baris lagi …`,
    timelineCaption:
      "Digambar dari rekaman: jalur setiap penerima dimulai saat prosesnya mulai (▲) dan mendengarkan (○).",
    chatCaption:
      "Dari rekaman join/message/leave server dan baris yang diterima setiap klien.",
    multicastCaption:
      "Dari grup dan TTL pengirim, join dan jumlah setiap penerima, dan TTL yang dibaca penerima di header IP (--show-ttl).",
    groupChatCaption:
      "Dari join, baris terkirim dan keluar setiap peserta, rekaman pesan peserta lain dan datagram setiap penerima; titik penuh: ia menerimanya.",
    topologyCaption: (cidr: string, broadcast: string) =>
      `Subnet ${cidr}, alamat broadcast ${broadcast}.`,
    routedIntro: (routers: number, segments: number, how: string) =>
      `Setiap host adalah network namespace Linux dengan satu antarmuka eth0 pada bridge segmennya; ${segments} segmen (masing-masing switch sendiri) dihubungkan ${routers} router, masing-masing namespace dengan satu antarmuka per segmen yang meneruskan unicast (ip_forward kernel) dan multicast (${how}), mengurangi TTL satu dan membuang datagram saat TTL 0. Setiap role berjalan sebagai proses sendiri, dengan soket sungguhan.`,
    howUserSpace:
      "di user space: kernel ini tidak punya multicast routing, jadi sebuah program di setiap router membaca setiap datagram grup dari satu antarmuka dan mengirimkannya ke antarmuka lain",
    howKernel: "oleh kernel, dengan rute smcroute",
    networkCaption: (routers: string) =>
      `Setiap segmen adalah switch sendiri; router (${routers}) menghubungkannya, dengan alamatnya di setiap segmen.`,
    reachCaption:
      "Dari datagram setiap penerima dan TTL yang dibacanya di header IP (--show-ttl); tanda silang menandai router setelah penerima terjauh yang mendapat baris itu.",
    reachTable: (sender: string) =>
      `Seberapa jauh setiap TTL sampai dari ${sender}: setiap sel adalah TTL yang dibaca penerima saat tiba, "-" tidak diterima.`,
    overall: "Kesimpulan",
    allZero: (names: string) => `Nol untuk semua host: ${names}.`,
    notRun: (names: string) => `Tidak dijalankan (run dihentikan): ${names}.`,
    stderr: (host: string) => `${host}: standard error`,
  },
};
