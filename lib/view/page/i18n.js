// The page's words in both languages, and the lines it makes of an event's
// info and a frame's fields. Payloads are never translated.

/** @typedef {"en" | "id"} Lang */

const EN = {
  title: "progjar lab view",
  live: (lab) => `live: lab "${lab}"`,
  replay: (file) => `replay: ${file}`,
  waiting: (lab) =>
    `waiting for lab "${lab}" to come up (lab up, lab run, lab console)`,
  watching: (lab) => `watching lab "${lab}": every frame on its switch`,
  down: (lab) => `lab "${lab}" is down; waiting for it to come up again`,
  ended: "end of the capture",
  disconnected: "disconnected from the view's server; reconnecting…",
  fileProblem: (p) => `the file ends early: ${p}`,
  back: "◀ Back",
  pause: "‖ Pause",
  play: "▶ Play",
  step: "Step ▶",
  goLive: "● Live",
  speed: "Speed",
  queued: (n) => `queued while paused: ${n}`,
  notQueued: (n) =>
    `${n} not queued (the queue is full; the counts stay exact)`,
  animSampling: (a, b) =>
    `animation samples: ${a} of ${b} frames a second move on the picture`,
  serverSampling: (a, b) =>
    `the server sent this page ${a} of the last second's ${b} frames; every count is exact`,
  slow: (n) =>
    `this page fell behind: ${n} events were not sent to it; the counts stay exact`,
  frames: "frames",
  perSecond: "/s",
  kinds: {
    arp: "ARP",
    igmp: "IGMP",
    "udp-broadcast": "UDP broadcast",
    "udp-multicast": "UDP multicast",
    "udp-unicast": "UDP unicast",
    tcp: "TCP",
    other: "other",
  },
  filterKinds: {
    arp: "ARP",
    igmp: "IGMP",
    udp: "UDP",
    tcp: "TCP",
    other: "other",
  },
  show: "show",
  allHosts: "every host",
  host: "host",
  columns: ["#", "time (s)", "from", "to", "kind", "info", "sockets"],
  all: (n) => `all ${n} ports`,
  none: "none",
  theSwitch: "switch",
  verdict: {
    r: () => "received",
    m: (group) => `dropped: not a member of ${group}`,
    p: (port) => `dropped: no socket on port ${port}`,
    "": () => "reached its port",
  },
  sent: (a) => `sent ${a}`,
  took: (b, c) => `✓ ${b}  ✗ ${c}`,
  watchingSegments: (lab, n) =>
    `watching lab "${lab}": every frame on each of its ${n} segments' switches`,
  got: (a) => `got ${a}`,
  onSegment: (segment, ttl) => ttl ? `${segment} TTL ${ttl}` : segment,
  portOf: (name, device, segment) =>
    device ? `${name} ${device} (${segment})` : `${name} (${segment})`,
  clickHint: "Click an event to see its layers.",
  frame: (n) => `Frame #${n}`,
  gone:
    "The server no longer keeps this frame's bytes (it keeps the latest ones).",
  delivery: "At each port",
  payload: "Payload",
  bytes: (n) => `${n} bytes`,
  text: "text",
  hex: "hex",
  problems: "Problems",
  layers: {
    frame: "Frame",
    ethernet: "Ethernet II",
    sll: "Linux cooked capture",
    raw: "Raw IP",
    arp: "ARP",
    ipv4: "Internet Protocol version 4",
    ipv6: "Internet Protocol version 6",
    igmp: "IGMP",
    icmp: "ICMP",
    udp: "User Datagram Protocol",
    tcp: "Transmission Control Protocol",
  },
  fields: {
    number: "Number",
    time: "Arrival time",
    wireLength: "Length on the wire",
    capturedLength: "Captured",
    interface: "Interface",
    dst: "Destination",
    src: "Source",
    type: "Type",
    vlan: "VLAN",
    length: "Length",
    packetType: "Packet type",
    opcode: "Opcode",
    senderMac: "Sender MAC",
    senderIp: "Sender IP",
    targetMac: "Target MAC",
    targetIp: "Target IP",
    version: "Version",
    headerLength: "Header length",
    dscp: "DSCP",
    totalLength: "Total length",
    identification: "Identification",
    flags: "Flags",
    fragmentOffset: "Fragment offset",
    ttl: "Time to live (TTL)",
    protocol: "Protocol",
    checksum: "Checksum",
    option: "Option",
    hopLimit: "Hop limit",
    nextHeader: "Next header",
    payloadLength: "Payload length",
    igmpType: "Type",
    maxResponse: "Max response time",
    group: "Group",
    record: "Group record",
    icmpType: "Type",
    code: "Code",
    quoted: "Quoted datagram",
    srcPort: "Source port",
    dstPort: "Destination port",
    seq: "Sequence number",
    ack: "Acknowledgment number",
    tcpFlags: "Flags",
    window: "Window",
    urgent: "Urgent pointer",
    options: "Options",
  },
  words: {
    broadcast: "broadcast",
    multicast: "multicast",
    unicast: "unicast",
    request: "request",
    reply: "reply",
    correct: "correct",
    wrong: "wrong",
    query: "query",
    report: "report",
    leave: "leave",
    unknown: "unknown",
    sll0: "to this host",
    sll1: "broadcast",
    sll2: "multicast",
    sll3: "to another host",
    sll4: "sent by this host",
    icmp0: "echo reply",
    icmp3: "destination unreachable",
    icmp8: "echo request",
    icmp11: "time exceeded",
    record1: "MODE_IS_INCLUDE",
    record2: "MODE_IS_EXCLUDE",
    record3: "CHANGE_TO_INCLUDE (leave)",
    record4: "CHANGE_TO_EXCLUDE (join)",
    record5: "ALLOW_NEW_SOURCES",
    record6: "BLOCK_OLD_SOURCES",
  },
  info: {
    udp: (port, text) => `UDP ${port} "${text}"`,
    tcp: (src, dst, flags, seq, ack, len, text) =>
      `TCP ${src} → ${dst} [${flags}] seq=${seq} ack=${ack} len=${len}${
        text ? ` "${text}"` : ""
      }`,
    "arp-request": (target, sender) => `ARP who has ${target}? tell ${sender}`,
    "arp-reply": (ip, mac) => `ARP ${ip} is at ${mac}`,
    arp: (op) => `ARP opcode ${op}`,
    "igmp-join": (group, v) => `IGMPv${v} membership report: ${group}`,
    "igmp-leave": (group, v) => `IGMPv${v} leave ${group}`,
    "igmp-query": (group, v) =>
      `IGMPv${v} query: ${
        group === "0.0.0.0"
          ? "who is a member of any group?"
          : `who is in ${group}?`
      }`,
    igmp: (type) => `IGMP type 0x${Number(type).toString(16)}`,
    icmp: (type, code) =>
      type === 3 && code === 3
        ? "ICMP destination unreachable: port unreachable"
        : `ICMP type ${type} code ${code}`,
    ipv6: (src, dst) => `IPv6 ${src} → ${dst}`,
    ip: (proto) => `IPv4 protocol ${proto}`,
    other: (type) => `EtherType ${type}`,
  },
  language: "Bahasa Indonesia",
  languageTitle: "Tampilkan dalam Bahasa Indonesia",
};

/** @type {typeof EN} */
const ID = {
  title: "tampilan lab progjar",
  live: (lab) => `langsung: lab "${lab}"`,
  replay: (file) => `putar ulang: ${file}`,
  waiting: (lab) =>
    `menunggu lab "${lab}" menyala (lab up, lab run, lab console)`,
  watching: (lab) => `mengamati lab "${lab}": setiap frame di switch-nya`,
  down: (lab) => `lab "${lab}" mati; menunggu menyala lagi`,
  ended: "akhir tangkapan",
  disconnected: "terputus dari server tampilan; menyambung ulang…",
  fileProblem: (p) => `berkas berakhir lebih awal: ${p}`,
  back: "◀ Mundur",
  pause: "‖ Jeda",
  play: "▶ Putar",
  step: "Maju ▶",
  goLive: "● Langsung",
  speed: "Kecepatan",
  queued: (n) => `antre selama dijeda: ${n}`,
  notQueued: (n) =>
    `${n} tidak diantrekan (antrean penuh; hitungan tetap tepat)`,
  animSampling: (a, b) =>
    `animasi mengambil sampel: ${a} dari ${b} frame per detik bergerak di gambar`,
  serverSampling: (a, b) =>
    `server mengirim ${a} dari ${b} frame detik terakhir ke halaman ini; setiap hitungan tepat`,
  slow: (n) =>
    `halaman ini tertinggal: ${n} event tidak dikirim kepadanya; hitungan tetap tepat`,
  frames: "frame",
  perSecond: "/dtk",
  kinds: {
    arp: "ARP",
    igmp: "IGMP",
    "udp-broadcast": "UDP broadcast",
    "udp-multicast": "UDP multicast",
    "udp-unicast": "UDP unicast",
    tcp: "TCP",
    other: "lainnya",
  },
  filterKinds: {
    arp: "ARP",
    igmp: "IGMP",
    udp: "UDP",
    tcp: "TCP",
    other: "lainnya",
  },
  show: "tampilkan",
  allHosts: "semua host",
  host: "host",
  columns: ["#", "waktu (dtk)", "dari", "ke", "jenis", "info", "soket"],
  all: (n) => `semua ${n} port`,
  none: "tidak ada",
  theSwitch: "switch",
  verdict: {
    r: () => "diterima",
    m: (group) => `dibuang: bukan anggota ${group}`,
    p: (port) => `dibuang: tidak ada soket di port ${port}`,
    "": () => "sampai di port-nya",
  },
  sent: (a) => `kirim ${a}`,
  took: (b, c) => `✓ ${b}  ✗ ${c}`,
  watchingSegments: (lab, n) =>
    `mengamati lab "${lab}": setiap frame di switch ${n} segmennya`,
  got: (a) => `terima ${a}`,
  onSegment: (segment, ttl) => ttl ? `${segment} TTL ${ttl}` : segment,
  portOf: (name, device, segment) =>
    device ? `${name} ${device} (${segment})` : `${name} (${segment})`,
  clickHint: "Klik sebuah event untuk melihat lapisannya.",
  frame: (n) => `Frame #${n}`,
  gone:
    "Server tidak lagi menyimpan byte frame ini (yang disimpan hanya yang terbaru).",
  delivery: "Di setiap port",
  payload: "Muatan",
  bytes: (n) => `${n} byte`,
  text: "teks",
  hex: "heksa",
  problems: "Masalah",
  layers: {
    frame: "Frame",
    ethernet: "Ethernet II",
    sll: "Tangkapan Linux cooked",
    raw: "IP mentah",
    arp: "ARP",
    ipv4: "Internet Protocol versi 4",
    ipv6: "Internet Protocol versi 6",
    igmp: "IGMP",
    icmp: "ICMP",
    udp: "User Datagram Protocol",
    tcp: "Transmission Control Protocol",
  },
  fields: {
    number: "Nomor",
    time: "Waktu tiba",
    wireLength: "Panjang di kabel",
    capturedLength: "Tertangkap",
    interface: "Antarmuka",
    dst: "Tujuan",
    src: "Sumber",
    type: "Tipe",
    vlan: "VLAN",
    length: "Panjang",
    packetType: "Jenis paket",
    opcode: "Opcode",
    senderMac: "MAC pengirim",
    senderIp: "IP pengirim",
    targetMac: "MAC target",
    targetIp: "IP target",
    version: "Versi",
    headerLength: "Panjang header",
    dscp: "DSCP",
    totalLength: "Panjang total",
    identification: "Identifikasi",
    flags: "Flag",
    fragmentOffset: "Offset fragmen",
    ttl: "Time to live (TTL)",
    protocol: "Protokol",
    checksum: "Checksum",
    option: "Opsi",
    hopLimit: "Batas hop",
    nextHeader: "Header berikutnya",
    payloadLength: "Panjang muatan",
    igmpType: "Tipe",
    maxResponse: "Waktu respons maks.",
    group: "Grup",
    record: "Catatan grup",
    icmpType: "Tipe",
    code: "Kode",
    quoted: "Datagram yang dikutip",
    srcPort: "Port sumber",
    dstPort: "Port tujuan",
    seq: "Nomor urut",
    ack: "Nomor acknowledgment",
    tcpFlags: "Flag",
    window: "Window",
    urgent: "Urgent pointer",
    options: "Opsi",
  },
  words: {
    broadcast: "broadcast",
    multicast: "multicast",
    unicast: "unicast",
    request: "permintaan",
    reply: "balasan",
    correct: "benar",
    wrong: "salah",
    query: "kueri",
    report: "laporan",
    leave: "keluar",
    unknown: "tidak dikenal",
    sll0: "untuk host ini",
    sll1: "broadcast",
    sll2: "multicast",
    sll3: "ke host lain",
    sll4: "dikirim host ini",
    icmp0: "echo reply",
    icmp3: "tujuan tidak terjangkau",
    icmp8: "echo request",
    icmp11: "waktu habis",
    record1: "MODE_IS_INCLUDE",
    record2: "MODE_IS_EXCLUDE",
    record3: "CHANGE_TO_INCLUDE (keluar)",
    record4: "CHANGE_TO_EXCLUDE (bergabung)",
    record5: "ALLOW_NEW_SOURCES",
    record6: "BLOCK_OLD_SOURCES",
  },
  info: {
    udp: (port, text) => `UDP ${port} "${text}"`,
    tcp: (src, dst, flags, seq, ack, len, text) =>
      `TCP ${src} → ${dst} [${flags}] seq=${seq} ack=${ack} len=${len}${
        text ? ` "${text}"` : ""
      }`,
    "arp-request": (target, sender) =>
      `ARP siapa punya ${target}? beri tahu ${sender}`,
    "arp-reply": (ip, mac) => `ARP ${ip} ada di ${mac}`,
    arp: (op) => `ARP opcode ${op}`,
    "igmp-join": (group, v) => `IGMPv${v} laporan keanggotaan: ${group}`,
    "igmp-leave": (group, v) => `IGMPv${v} keluar dari ${group}`,
    "igmp-query": (group, v) =>
      `IGMPv${v} kueri: ${
        group === "0.0.0.0"
          ? "siapa anggota grup mana pun?"
          : `siapa anggota ${group}?`
      }`,
    igmp: (type) => `IGMP tipe 0x${Number(type).toString(16)}`,
    icmp: (type, code) =>
      type === 3 && code === 3
        ? "ICMP tujuan tidak terjangkau: port tidak terjangkau"
        : `ICMP tipe ${type} kode ${code}`,
    ipv6: (src, dst) => `IPv6 ${src} → ${dst}`,
    ip: (proto) => `IPv4 protokol ${proto}`,
    other: (type) => `EtherType ${type}`,
  },
  language: "English",
  languageTitle: "Show in English",
};

/** The page's words, by language. */
export const TEXTS = { en: EN, id: ID };

/**
 * The info line of an event, in `lang`.
 * @param {(string | number)[]} info
 * @param {Lang} lang
 */
export function infoText(info, lang) {
  const [code, ...args] = info;
  const make = TEXTS[lang].info[String(code)];
  return make ? make(...args) : String(code);
}

/** Numbers as people read them. @param {number} n @param {Lang} lang */
export function count(n, lang) {
  return n.toLocaleString(lang === "id" ? "id-ID" : "en-US");
}
