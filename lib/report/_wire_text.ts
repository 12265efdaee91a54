/**
 * Internal: the words of the report's "on the wire" section, in English
 * and Indonesian, and the names of the layers and fields of a frame (the
 * protocols' names are kept as Wireshark writes them).
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";
import type {
  WireFrame,
  WireHopDatagram,
  WireKind,
  WireNonMember,
} from "../results/wire.ts";

/** The layers' names, as Wireshark's packet details title them. */
export const LAYER_NAMES: Record<string, string> = {
  eth: "Ethernet II",
  sll: "Linux cooked capture",
  vlan: "802.1Q Virtual LAN",
  arp: "Address Resolution Protocol",
  ip: "Internet Protocol Version 4",
  igmp: "Internet Group Management Protocol",
  icmp: "Internet Control Message Protocol",
  udp: "User Datagram Protocol",
  tcp: "Transmission Control Protocol",
};

/** Each field's label, by its tshark name. */
export const FIELD_LABELS: Record<string, Text> = {
  "eth.dst": { en: "Destination", id: "Tujuan" },
  "eth.src": { en: "Source", id: "Sumber" },
  "eth.type": { en: "Type", id: "Tipe" },
  "sll.pkttype": { en: "Packet type", id: "Tipe paket" },
  "sll.src.eth": { en: "Source", id: "Sumber" },
  "vlan.id": { en: "VLAN ID", id: "ID VLAN" },
  "arp.opcode": { en: "Opcode", id: "Opcode" },
  "arp.src.hw_mac": { en: "Sender MAC address", id: "MAC pengirim" },
  "arp.src.proto_ipv4": { en: "Sender IP address", id: "IP pengirim" },
  "arp.dst.hw_mac": { en: "Target MAC address", id: "MAC sasaran" },
  "arp.dst.proto_ipv4": { en: "Target IP address", id: "IP sasaran" },
  "ip.src": { en: "Source address", id: "Alamat sumber" },
  "ip.dst": { en: "Destination address", id: "Alamat tujuan" },
  "ip.ttl": { en: "Time to live", id: "Time to live (TTL)" },
  "ip.proto": { en: "Protocol", id: "Protokol" },
  "ip.len": { en: "Total length", id: "Panjang total" },
  "ip.id": { en: "Identification", id: "Identifikasi" },
  "ip.flags.df": { en: "Don't fragment", id: "Jangan difragmentasi" },
  "ip.flags.mf": { en: "More fragments", id: "Masih ada fragmen" },
  "ip.frag_offset": {
    en: "Fragment offset (8-byte units)",
    id: "Offset fragmen (satuan 8 byte)",
  },
  "ip.opt.type": { en: "Option", id: "Opsi" },
  "igmp.version": { en: "IGMP version", id: "Versi IGMP" },
  "igmp.type": { en: "Type", id: "Tipe" },
  "igmp.num_grp_recs": {
    en: "Number of group records",
    id: "Jumlah catatan grup",
  },
  "igmp.record_type": { en: "Record type", id: "Tipe catatan" },
  "igmp.maddr": { en: "Multicast address", id: "Alamat multicast" },
  "icmp.type": { en: "Type", id: "Tipe" },
  "icmp.code": { en: "Code", id: "Kode" },
  "udp.srcport": { en: "Source port", id: "Port sumber" },
  "udp.dstport": { en: "Destination port", id: "Port tujuan" },
  "udp.length": { en: "Length", id: "Panjang" },
  "tcp.srcport": { en: "Source port", id: "Port sumber" },
  "tcp.dstport": { en: "Destination port", id: "Port tujuan" },
  "tcp.seq": {
    en: "Sequence number (relative)",
    id: "Nomor urut (relatif)",
  },
  "tcp.seq_raw": { en: "Sequence number (raw)", id: "Nomor urut (mentah)" },
  "tcp.ack": {
    en: "Acknowledgment number (relative)",
    id: "Nomor acknowledgment (relatif)",
  },
  "tcp.ack_raw": {
    en: "Acknowledgment number (raw)",
    id: "Nomor acknowledgment (mentah)",
  },
  "tcp.flags": { en: "Flags", id: "Flag" },
  "tcp.len": { en: "Segment data length", id: "Panjang data segmen" },
};

/** The kinds' names, as the table heads them. */
export const KIND_LABELS: Record<"en" | "id", Record<WireKind, string>> = {
  en: {
    arp: "ARP",
    igmp: "IGMP",
    "udp-broadcast": "UDP broadcast",
    "udp-multicast": "UDP multicast",
    "udp-unicast": "UDP unicast",
    tcp: "TCP",
    other: "other",
  },
  id: {
    arp: "ARP",
    igmp: "IGMP",
    "udp-broadcast": "UDP broadcast",
    "udp-multicast": "UDP multicast",
    "udp-unicast": "UDP unicast",
    tcp: "TCP",
    other: "lainnya",
  },
};

const at = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** A datagram named in a sentence or a row: from → to:port "text". */
export function datagramLabel(d: WireHopDatagram): string {
  return `${d.from} → ${d.to}:${d.port}${d.text ? ` "${d.text}"` : ""}`;
}

/** The section's words, by language. */
export const TEXT = {
  en: {
    heading: "On the wire",
    intro: (files: number, routers = false) =>
      `tcpdump captured every frame of each host's interface${
        routers ? " and of each router's interfaces" : ""
      } during the run (${files} ${
        files === 1 ? "file" : "files"
      }, pcap: open them in Wireshark).`,
    window: (from: string, to: string, filter: string) =>
      `The frames each interface saw during this scenario (captured from ${from} to ${to}; in Wireshark or tshark -Y: ${filter}), by kind (each kind is a display filter too: see docs/lab.md):`,
    dropped: (list: string) =>
      `The kernel dropped frames for the capture (they are missing from the files, not from the hosts): ${list}.`,
    host: "host",
    segment: "segment",
    file: "capture file",
    none: "–",
    hopsIntro:
      "The same datagram crosses several segments: each router takes one off its TTL (ip.ttl) as it sends it on, and drops a datagram that would leave with TTL 0. Each datagram's TTL on each segment, as the captures there saw it (–: no capture on that segment saw it):",
    datagram: "datagram",
    hopsMore: (n: number, capped: boolean) =>
      `… and ${capped ? "more than " : ""}${n} more ${
        n === 1 && !capped ? "datagram" : "datagrams"
      } (not shown).`,
    hopsPath: (d: WireHopDatagram) =>
      `The datagram ${
        datagramLabel(d)
      } capture by capture (on each segment the sending side first); in Wireshark, open each file and add ip.ttl as a column:`,
    ttl: "TTL",
    frame: "frame",
    frameNo: (n: number) => `frame ${n}`,
    time: "time",
    direction: "from → to",
    flags: "flags",
    length: "length",
    payload: "data",
    frameTitle: (f: WireFrame, kind: string) =>
      `${kind}: frame ${f.number} of ${f.file} (${f.host})`,
    frameLine: (f: WireFrame) =>
      `Frame ${f.number}: ${f.length} bytes on the wire, at ${
        at(f.atMs)
      } — ${f.info}`,
    data: (n: number) => `Data (${n} bytes)`,
    asText: "Text",
    membershipsIntro:
      "Each member says so on the wire: an IGMP membership report when its socket joins the group, and one that leaves it when the socket closes (sent to 224.0.0.22 for IGMPv3, TTL 1, with the Router Alert option).",
    member: "member",
    group: "group",
    join: "join (membership report)",
    leave: "leave",
    nonMember: (n: WireNonMember) =>
      `${n.host} is not a member of ${n.group}${
        n.reported ? "" : " (it sent no membership report)"
      }, yet its interface received ${n.frames} ${
        n.frames === 1 ? "frame" : "frames"
      } to the group: the switch floods multicast to every port (no IGMP snooping). Its kernel dropped them, since no socket on ${n.host} is a member${
        n.socketReceived === undefined
          ? ""
          : `: ${n.role} listening on the group's port received ${n.socketReceived}`
      }. The first of them:`,
    handshake: (client: string, server: string) =>
      `${client} connects to ${server}: the three-way handshake (seq and ack relative, as Wireshark shows them).`,
    relayed: (client: string, line: string) =>
      `The line "${line}" typed on ${client}, segment by segment: to the server, the server's acknowledgment, and the server relaying it to every other client, each acknowledging it.`,
    firstsIntro:
      "Each receiver's first frame on the wire beside the first number its socket got: the interface saw the stream from the start, but frames that came before a socket listened were dropped: nothing is kept for a late listener.",
    receiver: "receiver",
    started: "started",
    listening: "listening",
    socketFirst: "first number (socket)",
    wireFrame: "that number on its wire",
    before: "frames of the stream before it",
    wireFirst: "first number on its wire",
  },
  id: {
    heading: "Di kabel",
    intro: (files: number, routers = false) =>
      `tcpdump menangkap setiap frame antarmuka tiap host${
        routers ? " dan setiap antarmuka tiap router" : ""
      } selama run (${files} berkas pcap: buka dengan Wireshark).`,
    window: (from: string, to: string, filter: string) =>
      `Frame yang dilihat tiap antarmuka selama skenario ini (ditangkap dari ${from} sampai ${to}; di Wireshark atau tshark -Y: ${filter}), per jenis (setiap jenis juga sebuah filter tampilan: lihat docs/lab.md):`,
    dropped: (list: string) =>
      `Kernel membuang frame untuk penangkapan (hilang dari berkas, bukan dari host): ${list}.`,
    host: "host",
    segment: "segmen",
    file: "berkas tangkapan",
    none: "–",
    hopsIntro:
      "Datagram yang sama melewati beberapa segmen: setiap router mengurangi TTL-nya (ip.ttl) satu saat meneruskannya, dan membuang datagram yang akan keluar dengan TTL 0. TTL setiap datagram di tiap segmen, seperti yang dilihat tangkapan di sana (–: tidak ada tangkapan di segmen itu yang melihatnya):",
    datagram: "datagram",
    hopsMore: (n: number, capped: boolean) =>
      `… dan ${
        capped ? "lebih dari " : ""
      }${n} datagram lain (tidak ditampilkan).`,
    hopsPath: (d: WireHopDatagram) =>
      `Datagram ${
        datagramLabel(d)
      } tangkapan demi tangkapan (di tiap segmen sisi pengirim lebih dulu); di Wireshark, buka tiap berkas dan tambahkan ip.ttl sebagai kolom:`,
    ttl: "TTL",
    frame: "frame",
    frameNo: (n: number) => `frame ${n}`,
    time: "waktu",
    direction: "dari → ke",
    flags: "flag",
    length: "panjang",
    payload: "data",
    frameTitle: (f: WireFrame, kind: string) =>
      `${kind}: frame ${f.number} dari ${f.file} (${f.host})`,
    frameLine: (f: WireFrame) =>
      `Frame ${f.number}: ${f.length} byte di kabel, pada ${
        at(f.atMs)
      } — ${f.info}`,
    data: (n: number) => `Data (${n} byte)`,
    asText: "Teks",
    membershipsIntro:
      "Setiap anggota mengumumkannya di kabel: laporan keanggotaan IGMP saat soketnya bergabung ke grup, dan satu lagi yang meninggalkannya saat soket ditutup (dikirim ke 224.0.0.22 untuk IGMPv3, TTL 1, dengan opsi Router Alert).",
    member: "anggota",
    group: "grup",
    join: "bergabung (laporan keanggotaan)",
    leave: "keluar",
    nonMember: (n: WireNonMember) =>
      `${n.host} bukan anggota ${n.group}${
        n.reported ? "" : " (tidak mengirim laporan keanggotaan)"
      }, tetapi antarmukanya menerima ${n.frames} frame ke grup itu: switch membanjiri multicast ke setiap port (tanpa IGMP snooping). Kernel-nya membuangnya, karena tidak ada soket di ${n.host} yang menjadi anggota${
        n.socketReceived === undefined
          ? ""
          : `: ${n.role} yang mendengarkan di port grup menerima ${n.socketReceived}`
      }. Yang pertama:`,
    handshake: (client: string, server: string) =>
      `${client} terhubung ke ${server}: three-way handshake (seq dan ack relatif, seperti ditampilkan Wireshark).`,
    relayed: (client: string, line: string) =>
      `Baris "${line}" yang diketik di ${client}, segmen demi segmen: ke server, acknowledgment dari server, dan server meneruskannya ke setiap klien lain, yang masing-masing meng-acknowledge-nya.`,
    firstsIntro:
      "Frame pertama tiap penerima di kabel di samping angka pertama yang diterima soketnya: antarmuka melihat aliran sejak awal, tetapi frame yang datang sebelum ada soket yang mendengarkan dibuang: tidak ada yang disimpan untuk pendengar yang terlambat.",
    receiver: "penerima",
    started: "mulai",
    listening: "mendengarkan",
    socketFirst: "angka pertama (soket)",
    wireFrame: "angka itu di kabelnya",
    before: "frame aliran sebelumnya",
    wireFirst: "angka pertama di kabelnya",
  },
};
