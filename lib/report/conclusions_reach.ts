/**
 * The conclusion of a TTL experiment in a lab with routers, in both
 * languages, from the measured model (`lib/results/reach.ts`): who got each
 * TTL and where it stopped, the TTL each receiver read, whether that is the
 * rule (TTL n reaches exactly the hosts fewer than n routers away), and the
 * answer to Modul 11's sentence that TTL 2 "only reaches receivers within 2
 * hops (routers)", in the run's own numbers.
 *
 * @example The answer for a chain where TTL 2 reached two receivers
 * ```ts
 * import { reachAnswer } from "./conclusions_reach.ts";
 *
 * const answer = reachAnswer({
 *   sender: "alpine-1", senderAddress: "10.11.1.11",
 *   ttls: [{ host: "alpine-1", ttl: 2, lines: ["x"] }],
 *   receivers: [
 *     { host: "alpine-2", address: "", routers: [], cells: [{ received: true, ttl: 2 }] },
 *     { host: "alpine-3", address: "", routers: ["router-1"], cells: [{ received: true, ttl: 1 }] },
 *     { host: "alpine-4", address: "", routers: ["router-1", "router-2"], cells: [{ received: false }] },
 *   ],
 * }, "en");
 * console.log(answer?.startsWith("Modul 11")); // true
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import type { ReachModel, ReachRow } from "../results/reach.ts";

function list(items: string[], lang: Lang): string {
  if (items.length <= 1) return items.join("");
  const and = lang === "id" ? " dan " : " and ";
  return `${items.slice(0, -1).join(", ")}${and}${items.at(-1)}`;
}

function routers(n: number, lang: Lang): string {
  return lang === "id" ? `${n} router` : n === 1 ? "1 router" : `${n} routers`;
}

/**
 * Where send `k` stopped: the router one past the farthest receiver that
 * got it (the first router when none did), if a receiver lies beyond it.
 */
export function stoppedAt(model: ReachModel, k: number): string | undefined {
  const got = model.receivers.filter((r) => r.cells[k].received);
  const depth = Math.max(0, ...got.map((r) => r.routers?.length ?? 0));
  const beyond = model.receivers.find((r) =>
    r.routers !== undefined && r.routers.length > depth
  );
  return beyond?.routers?.[depth];
}

/** The receivers that disagree with the rule (got what it should not, or not what it should). */
function exceptions(model: ReachModel): { row: ReachRow; ttl: number }[] {
  const out: { row: ReachRow; ttl: number }[] = [];
  for (const row of model.receivers) {
    for (const [k, send] of model.ttls.entries()) {
      const away = row.routers?.length;
      const should = away !== undefined && send.ttl > away;
      const cell = row.cells[k];
      const readWrong = cell.received && cell.ttl !== undefined &&
        away !== undefined && cell.ttl !== send.ttl - away;
      if (cell.received !== should || readWrong) {
        out.push({ row, ttl: send.ttl });
      }
    }
  }
  return out;
}

/** The conclusion of a TTL experiment, as sentences in `lang`. */
export function reachConclusion(model: ReachModel, lang: Lang): string[] {
  const id = lang === "id";
  const out: string[] = [];
  const each = model.ttls.map((send, k) => {
    const got = model.receivers.filter((r) => r.cells[k].received).map((r) =>
      r.host
    );
    const stop = stoppedAt(model, k);
    const who = got.length === 0
      ? (id ? "tidak ada" : "no receiver")
      : got.length === model.receivers.length
      ? (id
        ? `semua penerima (${list(got, lang)})`
        : `every receiver (${list(got, lang)})`)
      : list(got, lang);
    return `TTL ${send.ttl} → ${who}${
      stop ? (id ? `, berhenti di ${stop}` : `, stopped at ${stop}`) : ""
    }`;
  });
  out.push(
    id
      ? `${model.sender} mengirim satu baris per TTL ke grup${
        model.group ? ` ${model.group}` : ""
      }; yang menerima: ${each.join("; ")}.`
      : `${model.sender} sent one line per TTL to the group${
        model.group ? ` ${model.group}` : ""
      }; who got it: ${each.join("; ")}.`,
  );
  const reads = model.receivers.flatMap((row) => {
    const pairs = model.ttls.flatMap((send, k) => {
      const ttl = row.cells[k].ttl;
      return row.cells[k].received && ttl !== undefined
        ? [[ttl, send.ttl]]
        : [];
    });
    if (pairs.length === 0) return [];
    const away = row.routers?.length ?? 0;
    return [
      id
        ? `${row.host} (${routers(away, lang)}) membaca ${
          pairs.map(([r]) => r).join(", ")
        } pada baris ber-TTL ${pairs.map(([, s]) => s).join(", ")}`
        : `${row.host} (${routers(away, lang)} away) read ${
          pairs.map(([r]) => r).join(", ")
        } on the lines sent with TTL ${pairs.map(([, s]) => s).join(", ")}`,
    ];
  });
  if (reads.length > 0) {
    out.push(
      id
        ? `TTL yang terbaca penerima di header IP: ${
          list(reads, lang)
        }. Setiap router yang dilewati mengurangi TTL satu.`
        : `The TTL each receiver read in the IP header: ${
          list(reads, lang)
        }. Every router on the way took one off.`,
    );
  }
  const wrong = exceptions(model);
  if (wrong.length === 0) {
    out.push(
      id
        ? "Jadi datagram dengan TTL n sampai tepat ke host yang jaraknya kurang dari n router: setiap router mengurangi TTL satu, dan router yang menerimanya dengan TTL 1 membuangnya alih-alih meneruskannya dengan TTL 0."
        : "So a datagram with TTL n reached exactly the hosts fewer than n routers away: every router takes one off the TTL, and the router that gets it with TTL 1 drops it instead of sending it on with TTL 0.",
    );
  } else {
    const which = wrong.map((w) => `${w.row.host} (TTL ${w.ttl})`);
    out.push(
      id
        ? `Tidak sesuai aturan (TTL n sampai ke host yang jaraknya kurang dari n router): ${
          list(which, lang)
        }. Lihat transkripnya.`
        : `Not as the rule says (TTL n reaches the hosts fewer than n routers away): ${
          list(which, lang)
        }. See their transcripts.`,
    );
  }
  const answer = reachAnswer(model, lang);
  if (answer) out.push(answer);
  return out;
}

/**
 * Modul 11's sentence ("only reaches receivers within 2 hops (routers)")
 * answered with the run's numbers for TTL 2 (or the lowest TTL above 1
 * sent); `undefined` when no such TTL was sent.
 */
export function reachAnswer(model: ReachModel, lang: Lang): string | undefined {
  const id = lang === "id";
  const k = model.ttls.findIndex((s) => s.ttl === 2) >= 0
    ? model.ttls.findIndex((s) => s.ttl === 2)
    : model.ttls.findIndex((s) => s.ttl > 1);
  if (k < 0) return undefined;
  const n = model.ttls[k].ttl;
  const got = model.receivers.filter((r) => r.cells[k].received);
  const not = model.receivers.filter((r) => !r.cells[k].received);
  const named = (rows: ReachRow[]) =>
    list(
      rows.map((r) =>
        `${r.host} (${routers(r.routers?.length ?? 0, lang)}${
          r.cells[k].ttl === undefined ? "" : `, TTL ${r.cells[k].ttl}`
        })`
      ),
      lang,
    );
  const farthest = Math.max(0, ...got.map((r) => r.routers?.length ?? 0));
  const stop = stoppedAt(model, k);
  return id
    ? `Modul 11 memakai TTL 2 dan menyebut pesannya "hanya sampai ke penerima dalam 2 hop (router)". Terukur di sini dengan TTL ${n}: sampai ke ${
      named(got) || "tidak ada"
    }${
      not.length > 0 ? `; tidak sampai ke ${named(not)}` : ""
    }. Datagram melewati paling banyak ${routers(farthest, lang)}${
      stop ? `; ${stop} menerimanya dengan TTL 1 dan membuangnya` : ""
    }. Jadi TTL ${n} berarti ${n} hop dari pengirim: hop pertama di segmennya sendiri, setiap hop berikutnya melewati satu router, sehingga pesan sampai ke penerima yang jaraknya paling banyak ${
      routers(n - 1, lang)
    }.`
    : `Modul 11 sets TTL 2 and says the message "only reaches receivers within 2 hops (routers)". Measured here with TTL ${n}: it reached ${
      named(got) || "no receiver"
    }${not.length > 0 ? `, not ${named(not)}` : ""}. It crossed at most ${
      routers(farthest, lang)
    }${
      stop ? `; ${stop} got it with TTL 1 and dropped it` : ""
    }. So TTL ${n} means ${n} hops from the sender: the first on its own segment, each further hop across one router, and the message reaches the receivers at most ${
      routers(n - 1, lang)
    } away.`;
}
