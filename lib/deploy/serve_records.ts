/**
 * serve's side of the VMs' records, as `cmd/serve.ts` uses it: the flags
 * (`--records DIR` and the store's bounds), opening the store with one line
 * for what goes wrong, and the one log line per delivery, in English and
 * Indonesian. The store itself is `records_store.ts`.
 *
 * @example The flags' sizes and a log line
 * ```ts
 * import { parseSize, recordsLine } from "./serve_records.ts";
 *
 * console.log(parseSize("64M")); // 64000000
 * console.log(recordsLine({ type: "refused", client: "10.0.0.9", status: 401, reason: { en: "no install secret", id: "tanpa rahasia" } }, "en"));
 * // "records: refused 10.0.0.9: 401 no install secret; nothing kept"
 * ```
 *
 * @module
 */

import { RuntimeError, UsageError } from "../cli/errors.ts";
import { errorText } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import { type FlagSpec, type ParsedFlags, stringFlag } from "../cli/parse.ts";
import {
  RECORDS_LIMITS,
  type RecordsEvent,
  type RecordsLimits,
  RecordsStore,
  StoreFileError,
} from "./records_store.ts";

/** serve's flags for the records (spread into its spec). */
export const RECORDS_FLAGS: Record<string, FlagSpec> = {
  records: {
    type: "string",
    valueName: "DIR",
    help: {
      en:
        "keep what the VMs' roles recorded here, one file per VM (default: records/ next to --dir)",
      id:
        "simpan rekaman role di VM di sini, satu berkas per VM (bawaan: records/ di samping --dir)",
    },
  },
  "records-max-entry": sizeFlag(RECORDS_LIMITS.entry, {
    en: "most bytes of one recorded entry",
    id: "byte terbanyak satu entri rekaman",
  }),
  "records-max-run": sizeFlag(RECORDS_LIMITS.run, {
    en: "most bytes of one role's run",
    id: "byte terbanyak satu jalannya role",
  }),
  "records-max-vm": sizeFlag(RECORDS_LIMITS.vm, {
    en: "most bytes kept for one VM",
    id: "byte terbanyak yang disimpan untuk satu VM",
  }),
  "records-max-store": sizeFlag(RECORDS_LIMITS.store, {
    en: "most bytes kept for all VMs together",
    id: "byte terbanyak untuk semua VM bersama",
  }),
};

function sizeFlag(bytes: number, help: FlagSpec["help"]): FlagSpec {
  return { type: "string", default: shownSize(bytes), valueName: "SIZE", help };
}

/** `64000000` → `64M`. */
function shownSize(bytes: number): string {
  for (const [unit, value] of [["G", 1e9], ["M", 1e6], ["K", 1e3]] as const) {
    if (bytes % value === 0) return `${bytes / value}${unit}`;
  }
  return String(bytes);
}

/** `64M`, `1G`, `512K`, `2000` (bytes; K, M, G are powers of 1000). */
export function parseSize(text: string): number | undefined {
  const match = /^(\d{1,12}(?:\.\d{1,3})?)([KMG]?)B?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = { "": 1, K: 1e3, M: 1e6, G: 1e9 }[match[2].toUpperCase()]!;
  const value = Math.round(Number(match[1]) * unit);
  return value >= 1 && Number.isSafeInteger(value) ? value : undefined;
}

/** Where the store lives: `--records`, else `records/` next to `served`. */
export function recordsDirOf(flags: ParsedFlags, served: string): string {
  return stringFlag(flags, "records") ?? beside(served, "records");
}

/**
 * `name` next to `path`, as `join(dirname(path), name)` gives it, without
 * `node:path`: loading Deno's Node layer costs serve ~6 MB resident.
 */
function beside(path: string, name: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const slash = trimmed.lastIndexOf("/");
  const parent = slash < 0 ? "." : trimmed.slice(0, slash) || "/";
  if (parent === ".") return name;
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

/**
 * Opens the store that `flags` ask for (see {@linkcode recordsDirOf}).
 * Throws a {@linkcode UsageError} for a bad size or a damaged store file,
 * a {@linkcode RuntimeError} for a directory it cannot use.
 */
export async function openRecords(
  flags: ParsedFlags,
  served: string,
): Promise<RecordsStore> {
  const limits: Partial<RecordsLimits> = {};
  for (const key of ["entry", "run", "vm", "store"] as const) {
    const name = `records-max-${key}`;
    const text = stringFlag(flags, name)!;
    const value = parseSize(text);
    if (value === undefined) {
      throw new UsageError({
        en: `--${name}: ${text}: expected a size such as 64M, 1G or 500K`,
        id: `--${name}: ${text}: harus ukuran seperti 64M, 1G atau 500K`,
      });
    }
    limits[key] = value;
  }
  const dir = recordsDirOf(flags, served);
  try {
    return await RecordsStore.open(dir, { limits });
  } catch (err) {
    if (err instanceof StoreFileError) {
      throw new UsageError({
        en:
          `--records ${dir}: ${err.path} is not a records store's VM list (move it away to start anew; VMs installed before then run the paste line again)`,
        id:
          `--records ${dir}: ${err.path} bukan daftar VM penyimpanan rekaman (pindahkan untuk mulai baru; VM yang dipasang sebelumnya lalu menjalankan baris tempel lagi)`,
      });
    }
    if (err instanceof Deno.errors.NotCapable) {
      throw new RuntimeError({
        en:
          `--records ${dir}: serve may not write there (deno task serve may write records/ only: keep the default, or add the directory to the task's --allow-read and --allow-write)`,
        id:
          `--records ${dir}: serve tidak boleh menulis di sana (deno task serve hanya boleh menulis records/: pakai bawaannya, atau tambahkan direktori itu ke --allow-read dan --allow-write task tersebut)`,
      });
    }
    const why = errorText(err);
    throw new RuntimeError({
      en: `--records ${dir}: ${why.en} (serve keeps the VMs' records there)`,
      id: `--records ${dir}: ${why.id} (serve menyimpan rekaman VM di sana)`,
    });
  }
}

/** serve's line at its start: where the records go, and what is there. */
export function storeLine(store: RecordsStore, lang: Lang): string {
  const mb = (store.size / 1e6).toFixed(1);
  return lang === "id"
    ? `rekaman dari VM: ${store.dir} (${store.vmCount} VM, ${mb} MB); setiap role yang berakhir di VM mengirim rekamannya ke sini`
    : `records from the VMs: ${store.dir} (${store.vmCount} VMs, ${mb} MB); each role that ends on a VM sends its records here`;
}

/** A host time for people: `10:02:03`. */
function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/** ` (its clock 183.0 s behind …)` when a VM was more than a second off. */
function offsetNote(offsetMs: number, lang: Lang): string {
  if (Math.abs(offsetMs) <= 1000) return "";
  const s = (Math.abs(offsetMs) / 1000).toFixed(1);
  const behind = offsetMs > 0;
  return lang === "id"
    ? `; jam VM ${s} dtk ${
      behind ? "di belakang" : "di depan"
    } mesin ini, waktunya dipindah ke jam mesin ini`
    : `; the VM's clock is ${s} s ${
      behind ? "behind" : "ahead of"
    } this machine's, its times are put on this machine's clock`;
}

/** serve's one line for a delivery, in `lang`. */
export function recordsLine(event: RecordsEvent, lang: Lang): string {
  const id = lang === "id";
  switch (event.type) {
    case "run": {
      const times = `${clockTime(event.startMs)}–${clockTime(event.endMs)}`;
      const role = event.role ?? "?";
      const ended = event.ended
        ? ""
        : id
        ? "; tanpa akhir (role dimatikan atau VM berhenti)"
        : "; no end (the role was killed or the VM stopped)";
      return id
        ? `rekaman: ${event.hostname} (${event.client})  ${role}  ${times}  ${event.entries} entri → ${event.file}${ended}${
          offsetNote(event.offsetMs, lang)
        }`
        : `records: ${event.hostname} (${event.client})  ${role}  ${times}  ${event.entries} entries → ${event.file}${ended}${
          offsetNote(event.offsetMs, lang)
        }`;
    }
    case "duplicate":
      return id
        ? `rekaman: ${event.hostname} (${event.vm}) mengirim ${event.run} lagi: sudah disimpan (tidak digandakan)`
        : `records: ${event.hostname} (${event.vm}) sent ${event.run} again: already kept (nothing doubled)`;
    case "facts":
      return id
        ? `rekaman: ${event.hostname} (${event.client}, ${event.vm}) siap: rekaman role-nya datang ke ${event.file}${
          offsetNote(event.offsetMs, lang)
        }`
        : `records: ${event.hostname} (${event.client}, ${event.vm}) ready: its roles' records come to ${event.file}${
          offsetNote(event.offsetMs, lang)
        }`;
    default:
      return id
        ? `rekaman: ditolak ${event.client}: ${event.status} ${event.reason.id}; tidak ada yang disimpan`
        : `records: refused ${event.client}: ${event.status} ${event.reason.en}; nothing kept`;
  }
}

/**
 * serve's route for `store`: one line per delivery on `out` (and a
 * `records-<type>` JSON record: `records-run`, `records-refused`, …).
 */
export function recordsRoute(
  store: RecordsStore,
  options: { out: Output; lang: Lang },
): RecordsRoute {
  return {
    store,
    onRecords(event) {
      options.out.line(recordsLine(event, options.lang));
      options.out.record({ ...event, type: `records-${event.type}` });
    },
  };
}

/** What {@linkcode answerRecords} needs. */
export interface RecordsRoute {
  /** The store. */
  store: RecordsStore;
  /** Called once per delivery, refused ones too. */
  onRecords(event: RecordsEvent): void;
}

/**
 * `POST /records`: one delivery into the store. The answer is JSON, the
 * event with `ok`; its status is the store's (see `records_store.ts`).
 */
export async function answerRecords(
  request: Request,
  client: string,
  route: RecordsRoute,
): Promise<Response> {
  const length = Number(request.headers.get("content-length") ?? NaN);
  const received = request.method === "POST"
    ? await route.store.receive({
      client,
      authorization: request.headers.get("authorization"),
      contentLength: Number.isSafeInteger(length) ? length : undefined,
      body: request.body,
    })
    : {
      status: 405,
      event: {
        type: "refused" as const,
        client,
        status: 405,
        reason: { en: "POST only", id: "hanya POST" },
      },
    };
  route.onRecords(received.event);
  return Response.json({ ok: received.status === 200, ...received.event }, {
    status: received.status,
    headers: { "cache-control": "no-store" },
  });
}
