/**
 * The report's conclusions ("Kesimpulan"): per scenario and overall, each
 * sentence built from the numbers of the run, answering the practicum's
 * own questions (what differs when the receivers start after the sender,
 * what TTL 2 means, what the chat server does with each line).
 *
 * @module
 */

import { type Lang, plural } from "../cli/i18n.ts";
import type { LabInfo, ScenarioResult } from "../results/results.ts";
import { reachModel, routersFrom } from "../results/reach.ts";
import { reachAnswer, reachConclusion } from "./conclusions_reach.ts";
import {
  chatModel,
  groupChatModel,
  multicastModel,
  scenarioKind,
  udpTimeline,
  unicastModel,
} from "./model.ts";

function s(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function list(items: string[], lang: Lang): string {
  if (items.length <= 1) return items.join("");
  const and = lang === "id" ? " dan " : " and ";
  return `${items.slice(0, -1).join(", ")}${and}${items.at(-1)}`;
}

/** The conclusion of one scenario, as sentences in `lang`. */
export function scenarioConclusion(
  result: ScenarioResult,
  hosts: { name: string }[],
  lang: Lang = "en",
  lab?: LabInfo,
): string[] {
  const id = lang === "id";
  const out: string[] = [];
  if (result.interrupted) {
    out.push(
      id
        ? `Skenario ini dihentikan (Ctrl+C) setelah ${
          s(result.durationMs)
        } s: angka di bawah adalah yang terjadi sampai saat itu.`
        : `This scenario was interrupted (Ctrl+C) after ${
          s(result.durationMs)
        } s: the numbers are what happened until then.`,
    );
  }
  // A TTL experiment, or multicast across routers: how far each TTL went.
  const reach = reachModel(result, lab);
  if (reach) return [...out, ...reachConclusion(reach, lang)];
  switch (scenarioKind(result)) {
    case "numbers":
      out.push(...numbersConclusion(result, lang));
      break;
    case "multicast":
      out.push(...multicastConclusion(result, hosts, lang));
      break;
    case "chat":
      out.push(...chatConclusion(result, lang));
      break;
    case "multicast-chat":
      out.push(...groupChatConclusion(result, lang, lab));
      break;
    case "unicast":
      out.push(...unicastConclusion(result, lang, lab));
      break;
    default: {
      const failed = result.processes.filter((p) => !p.ok).length;
      out.push(
        id
          ? `${result.processes.length} role berjalan (${
            list([...new Set(result.processes.map((p) => p.role))], lang)
          }); ${
            failed === 0 ? "semua cek lolos" : `${failed} gagal cek`
          }. Lihat ringkasan dan transkrip.`
          : `${plural(result.processes.length, "role", "roles")} ran (${
            list([...new Set(result.processes.map((p) => p.role))], lang)
          }); ${
            failed === 0 ? "every check passed" : `${failed} failed a check`
          }. See the summary and the transcripts.`,
      );
    }
  }
  return out;
}

function numbersConclusion(result: ScenarioResult, lang: Lang): string[] {
  const id = lang === "id";
  const timeline = udpTimeline(result);
  const sender = timeline.lanes.find((l) => l.sender);
  const receivers = timeline.lanes.filter((l) => !l.sender);
  if (receivers.length === 0) return [];
  const out: string[] = [];
  const early = receivers.every((r) => r.missedBefore === 0);
  const rate = sender && sender.firstMs !== undefined &&
      sender.lastMs !== undefined && sender.lastMs > sender.firstMs
    ? sender.count / ((sender.lastMs - sender.firstMs) / 1000)
    : undefined;
  if (early) {
    const counts = receivers.map((r) => `${r.host} ${r.count}`);
    out.push(
      id
        ? `Semua ${receivers.length} penerima sudah mendengarkan sebelum datagram pertama${
          sender ? ` dari ${sender.host}` : ""
        }, jadi setiap penerima mendapat aliran yang sama mulai #1 (${
          list(counts, lang)
        }).`
        : `All ${receivers.length} receivers were listening before the first datagram${
          sender ? ` from ${sender.host}` : ""
        }, so each got the same stream from #1 (${list(counts, lang)}).`,
    );
  } else {
    const each = receivers.map((r) => {
      const at = r.readyMs ?? r.startMs;
      return id
        ? `${r.host} mendengarkan pada ${s(at)} s → pertama #${
          r.first ?? "-"
        } (${r.missedBefore} terlewat)`
        : `${r.host} listened at ${s(at)} s → first #${
          r.first ?? "-"
        } (${r.missedBefore} missed)`;
    });
    out.push(
      id
        ? `Pengirim${
          sender ? ` (${sender.host})` : ""
        } sudah mengirim sebelum penerima dijalankan. Penerima hanya mendapat yang tiba setelah ia membuka port-nya, jadi angka pertamanya adalah angka yang sedang dikirim saat itu: ${
          list(each, lang)
        }.`
        : `The sender${
          sender ? ` (${sender.host})` : ""
        } was sending before the receivers started. A receiver only gets what arrives after it has opened its port, so its first number is the number being sent at that moment: ${
          list(each, lang)
        }.`,
    );
    if (rate !== undefined) {
      out.push(
        id
          ? `Pengirim mengirim sekitar ${
            Math.round(rate)
          } angka per detik, sehingga makin lambat penerima dijalankan, makin besar angka pertamanya. Broadcast UDP tidak disimpan atau diulang untuk penerima yang terlambat.`
          : `The sender sent about ${
            Math.round(rate)
          } numbers per second, so the later a receiver started, the higher its first number. A UDP broadcast is not stored or repeated for a late listener.`,
      );
    }
  }
  const lost = receivers.reduce(
    (sum, r) => sum + r.gaps.reduce((n, g) => n + g.to - g.from + 1, 0),
    0,
  );
  out.push(
    lost === 0
      ? (id
        ? "Tidak ada yang hilang selama mendengarkan: bedanya hanya kapan penerima mulai."
        : "Nothing was lost while listening: the only difference is when each receiver started.")
      : (id
        ? `${lost} datagram hilang selama mendengarkan (antrean soket penuh); UDP tidak mengirim ulang.`
        : `${lost} datagrams were lost while listening (a full socket queue); UDP does not resend them.`),
  );
  return out;
}

function multicastConclusion(
  result: ScenarioResult,
  hosts: { name: string }[],
  lang: Lang,
): string[] {
  const id = lang === "id";
  const group = multicastModel(result);
  if (!group) return [];
  const members = group.members.map((m) =>
    `${m.host} ${m.received}/${group.sent}`
  );
  const outside = hosts.map((h) => h.name).filter((h) =>
    h !== group.sender && !group.members.some((m) => m.host === h)
  );
  const ttl = group.ttl === undefined ? "?" : String(group.ttl);
  const out = [
    id
      ? `${group.sender} mengirim ${group.sent} baris ke grup ${group.group}:${group.port} dengan TTL ${ttl}; anggota yang bergabung menerima: ${
        list(members, lang)
      }.${
        outside.length > 0
          ? ` ${
            list(outside, lang)
          } tidak bergabung dan tidak menerima apa pun: datagram multicast hanya sampai ke anggota grup.`
          : ""
      }`
      : `${group.sender} sent ${group.sent} lines to the group ${group.group}:${group.port} with TTL ${ttl}; the members that joined got: ${
        list(members, lang)
      }.${
        outside.length > 0
          ? ` ${
            list(outside, lang)
          } did not join and got nothing: a multicast datagram reaches only the group's members.`
          : ""
      }`,
    id
      ? `TTL ${ttl} berarti setiap router di jalan mengurangi TTL satu dan membuang datagram saat TTL menjadi 0: dengan TTL 2 datagram bisa melewati satu router, router kedua membuangnya. Di sini semua host ada di satu switch (satu segmen L2, tanpa router), jadi TTL tidak berkurang di jalan${
        group.wireTtl !== undefined
          ? ` (${group.wireTtlHost} membaca TTL ${group.wireTtl} di header IP datagram yang tiba, ${
            group.wireTtl === group.ttl ? "sama dengan" : "tidak sama dengan"
          } yang diatur pengirim)`
          : ""
      } dan tidak mengubah siapa yang menerima.`
      : `TTL ${ttl} means every router on the way takes one off and drops the datagram at 0: with TTL 2 it can cross one router, and the second drops it. Here every host is on one switch (one L2 segment, no router), so the TTL is not decremented on the way${
        group.wireTtl !== undefined
          ? ` (${group.wireTtlHost} read TTL ${group.wireTtl} in the IP header of the datagrams that arrived, ${
            group.wireTtl === group.ttl ? "the same as" : "not what"
          } the sender set)`
          : ""
      } and does not change who receives.`,
  ];
  return out;
}

function chatConclusion(result: ScenarioResult, lang: Lang): string[] {
  const id = lang === "id";
  const chat = chatModel(result);
  if (!chat) return [];
  const messages = chat.events.filter((e) => e.kind === "message");
  let delivered = 0;
  let expected = 0;
  for (const m of messages) {
    if (m.kind !== "message") continue;
    delivered += m.delivered.length;
    expected += m.delivered.length + m.missing.length;
  }
  const joins = chat.events.filter((e) => e.kind === "join").length;
  return [
    id
      ? `Server di ${chat.server} menerima ${joins} klien dan ${messages.length} baris. Setiap baris diteruskan ke setiap klien lain yang sedang tersambung, diberi nama pengirimnya ("${
        messages[0]?.name ?? "Client_1"
      } : …"), dan tidak dikirim balik ke pengirimnya: ${delivered} dari ${expected} pengiriman sampai.`
      : `The server on ${chat.server} accepted ${joins} clients and ${messages.length} lines. It relayed each line to every other client connected at that moment, labelled with its author's name ("${
        messages[0]?.name ?? "Client_1"
      } : …"), and not back to its author: ${delivered} of ${expected} deliveries arrived.`,
    id
      ? "Klien yang bergabung dan keluar diumumkan ke klien lain; tidak ada klien yang menunggu giliran untuk mengetik."
      : "Joins and leaves are announced to the other clients; no client waits for a turn to type.",
  ];
}

function groupChatConclusion(
  result: ScenarioResult,
  lang: Lang,
  lab?: LabInfo,
): string[] {
  const routed = (lab?.routers ?? []).length > 0;
  const id = lang === "id";
  const chat = groupChatModel(result);
  if (!chat) return [];
  const lines = chat.events.filter((e) => e.kind === "message");
  const delivered = lines.reduce((n, e) => n + e.delivered.length, 0);
  const expected = lines.reduce(
    (n, e) => n + e.delivered.length + e.missing.length,
    0,
  );
  const members = [...chat.peers, ...chat.receivers];
  const where = `${chat.group}:${chat.port}${
    chat.channel === undefined
      ? ""
      : id
      ? ` (kanal ${chat.channel})`
      : ` (channel ${chat.channel})`
  }`;
  const ttl = chat.ttl === undefined ? "?" : String(chat.ttl);
  const outside = chat.outsiders.map((o) => `${o.host} ${o.received}`);
  const out = [
    id
      ? `Tidak ada server: ${
        list(chat.peers, lang)
      } bergabung ke grup ${where}${
        chat.receivers.length > 0
          ? `, ${list(chat.receivers, lang)} dengan penerima multicast biasa`
          : ""
      }. Setiap baris dikirim sekali ke grup dan kernel menyampaikannya langsung dari pengirim ke setiap anggota: ${lines.length} baris, ${delivered} dari ${expected} penyampaian ke ${members.length} anggota sampai.`
      : `There is no server: ${
        list(chat.peers, lang)
      } joined the group ${where}${
        chat.receivers.length > 0
          ? `, ${list(chat.receivers, lang)} with a plain multicast receiver`
          : ""
      }. Each line is sent once to the group and the kernel delivers it straight from its sender to every member: ${lines.length} lines, ${delivered} of ${expected} deliveries to ${members.length} members arrived.`,
  ];
  if (outside.length > 0) {
    out.push(
      id
        ? `Yang tidak bergabung tidak menerima apa pun walau mendengarkan di port yang sama (diterima: ${
          list(outside, lang)
        }): datagram multicast hanya sampai ke soket yang bergabung ke grup.`
        : `Hosts that did not join got nothing although they listened on the same port (received: ${
          list(outside, lang)
        }): a multicast datagram reaches only sockets that joined the group.`,
    );
  }
  out.push(
    id
      ? `Para peserta mengatur TTL ${ttl}: datagram boleh melewati ${
        chat.ttl === undefined ? "?" : chat.ttl - 1
      } router; ${
        routed
          ? "anggota yang lebih jauh dari itu tidak menerimanya."
          : "di satu switch ini tidak ada router, jadi semua anggota menerimanya."
      }`
      : `The peers set TTL ${ttl}: a datagram may cross ${
        chat.ttl === undefined ? "?" : chat.ttl - 1
      } router(s); ${
        routed
          ? "members further away than that do not get it."
          : "on this one switch there is none, so every member gets it."
      }`,
  );
  return out;
}

function unicastConclusion(
  result: ScenarioResult,
  lang: Lang,
  lab: LabInfo | undefined,
): string[] {
  const id = lang === "id";
  const u = unicastModel(result);
  if (!u.client || !u.server) return [];
  const rtt = u.rttMs === undefined ? "?" : u.rttMs.toFixed(3);
  const hops = u.requestTtl === undefined
    ? []
    : [hopsSentence(u as Required<typeof u>, lang, lab)];
  return [
    id
      ? `${u.client} mengirim "${
        u.request ?? "?"
      }" ke server di ${u.server}; server menjawab "${
        u.reply ?? "?"
      }" ke alamat dan port asal datagram itu, pulang-pergi ${rtt} ms. UDP tidak membuat koneksi: jawaban dikirim ke alamat pengirim yang tercatat di datagram.`
      : `${u.client} sent "${
        u.request ?? "?"
      }" to the server on ${u.server}; the server answered "${
        u.reply ?? "?"
      }" to the address and port the datagram came from, round trip ${rtt} ms. UDP keeps no connection: the reply goes to the sender's address as the datagram carried it.`,
    ...hops,
  ];
}

/** Linux's starting TTL for unicast (net.ipv4.ip_default_ttl): the lab never changes it. */
const DEFAULT_TTL = 64;

/**
 * How many routers the request crossed, from the TTL the server read:
 * Linux's starting 64 less one per router; compared with the lab's path.
 */
function hopsSentence(
  u: { client: string; server: string; requestTtl: number },
  lang: Lang,
  lab: LabInfo | undefined,
): string {
  const id = lang === "id";
  const crossed = DEFAULT_TTL - u.requestTtl;
  const path = lab ? routersFrom(lab, u.client, u.server) : undefined;
  const names = path && path.length > 0 ? ` (${list(path, lang)})` : "";
  const agrees = path === undefined || path.length === crossed;
  return id
    ? `Permintaan tiba di ${u.server} dengan TTL ${u.requestTtl}: ia berangkat dari ${u.client} dengan ${DEFAULT_TTL} (TTL awal Linux), jadi melewati ${DEFAULT_TTL} − ${u.requestTtl} = ${crossed} router${
      agrees ? names : `, sedangkan jalur lab punya ${path!.length}${names}`
    }. Setiap router mengurangi TTL satu; jawabannya pulang lewat router yang sama.`
    : `The request arrived at ${u.server} with TTL ${u.requestTtl}: it left ${u.client} with ${DEFAULT_TTL} (Linux's starting TTL), so it crossed ${DEFAULT_TTL} − ${u.requestTtl} = ${
      plural(crossed, "router", "routers")
    }${
      agrees ? names : `, while the lab's path has ${path!.length}${names}`
    }. Every router takes one off the TTL; the reply came back through the same routers.`;
}

/**
 * The overall conclusion: the answer to "what is the difference?" when
 * both orders ran, the answers of the multicast (what the TTL means) and
 * chat scenarios, and whether every check passed.
 */
export function overallConclusion(
  results: ScenarioResult[],
  lang: Lang = "en",
  lab?: LabInfo,
): string[] {
  const id = lang === "id";
  const out: string[] = [];
  const numbered = results.filter((r) => scenarioKind(r) === "numbers").map(
    (r) => ({ r, lanes: udpTimeline(r).lanes.filter((l) => !l.sender) }),
  );
  const early = numbered.find((n) =>
    n.lanes.length > 0 && n.lanes.every((l) => l.missedBefore === 0)
  );
  const late = numbered.find((n) => n.lanes.some((l) => l.missedBefore > 0));
  if (early && late) {
    const firsts = late.lanes.map((l) => `#${l.first ?? "-"}`);
    out.push(
      id
        ? `Apa bedanya? Penerima dulu (${early.r.scenario}): angka pertama setiap penerima #1, semua mendapat aliran yang sama. Pengirim dulu (${late.r.scenario}): angka pertama ${
          list(firsts, lang)
        }, sesuai urutan penerima dijalankan; yang dikirim sebelumnya tidak pernah sampai. Bedanya adalah kapan penerima membuka soketnya, bukan jaringannya: broadcast UDP hanya sampai ke soket yang sedang terbuka dan tidak disimpan.`
        : `What is the difference? Receivers first (${early.r.scenario}): every receiver's first number was #1, all got the same stream. Sender first (${late.r.scenario}): first numbers ${
          list(firsts, lang)
        }, in the order the receivers started; what was sent before never reached them. The difference is when a receiver opens its socket, not the network: a UDP broadcast reaches only sockets open at that moment and is not kept.`,
    );
  }
  // The practicum's other questions: what TTL 2 means (multicast), what
  // the chat server does, and a chat without one. Unicast and roles the
  // report does not draw have their own conclusion only.
  for (const r of results) {
    const reach = reachModel(r, lab);
    if (reach) {
      const answer = reachAnswer(reach, lang);
      if (answer) out.push(`${r.scenario}: ${answer}`);
      continue;
    }
    const kind = scenarioKind(r);
    if (kind === "unicast") {
      // Across routers: how many, from the TTL (the rest is its own).
      const u = unicastModel(r);
      if (u.client && u.server && u.requestTtl !== undefined) {
        const hops = hopsSentence(u as Required<typeof u>, lang, lab);
        out.push(`${r.scenario}: ${hops}`);
      }
      continue;
    }
    if (kind === "other") continue;
    if (kind === "numbers" && early && late) continue;
    const lines = scenarioConclusion(r, [], lang).filter((line) =>
      !line.startsWith(id ? "Skenario ini dihentikan" : "This scenario was")
    );
    const answer = kind === "multicast" ? lines.at(-1) : lines[0];
    if (answer) out.push(`${r.scenario}: ${answer}`);
  }
  const failed = results.filter((r) => !r.ok);
  out.push(
    failed.length === 0
      ? (id
        ? `Semua ${results.length} skenario lolos cek.`
        : results.length === 1
        ? "The scenario passed its checks."
        : `All ${results.length} scenarios passed their checks.`)
      : (id
        ? `Tidak lolos: ${failed.map((r) => r.scenario).join(", ")}.`
        : `Did not pass: ${failed.map((r) => r.scenario).join(", ")}.`),
  );
  return out;
}
