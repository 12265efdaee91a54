/**
 * progjar-send: on a VM installed by `serve`, takes the roles' runs kept in
 * `/var/lib/progjar/records/pending/` to that serve (`lib/deploy/vm_send.ts`).
 * Every role's end starts it in the background; typed by hand, it sends
 * what could not go then (serve was down or not reachable) and says what
 * it did, one line per run.
 *
 * @module
 */

import { RuntimeError } from "../lib/cli/errors.ts";
import { type CommandSpec } from "../lib/cli/parse.ts";
import { type RoleContext, runRole } from "../lib/cli/run.ts";
import { readEnv } from "../lib/cli/i18n.ts";
import { VM_RECORDS } from "../lib/deploy/delivery.ts";
import {
  NotInstalledError,
  type SendEvent,
  sendPending,
  type SendSummary,
} from "../lib/deploy/vm_send.ts";

/** A test's VM whose clock is off: its readings move by this many ms. */
export const CLOCK_SKEW_ENV = "PROGJAR_SEND_CLOCK_SKEW_MS";

/** progjar-send's command line. */
export const SPEC: CommandSpec = {
  name: "progjar-send",
  summary: {
    en: "send this VM's recorded runs to the serve that installed it",
    id: "kirim rekaman jalannya role di VM ini ke serve yang memasangnya",
  },
  flags: {
    "after-run": {
      type: "boolean",
      help: {
        en: "as a role's end starts it: no facts-only delivery",
        id: "seperti saat role berakhir: tanpa pengiriman fakta saja",
      },
    },
  },
  examples: ["progjar-send", "progjar-send --lang id"],
  notes: {
    en:
      `Runs wait in ${VM_RECORDS}/pending/ and move to sent/ once serve has them;\n` +
      "serve keeps each run once, so sending again never doubles one. Exit 1: some\n" +
      "runs are still pending (serve not reachable, or it refused them).",
    id:
      `Jalannya role menunggu di ${VM_RECORDS}/pending/ dan pindah ke sent/ setelah\n` +
      "serve menerimanya; serve menyimpan tiap jalannya sekali, jadi mengirim ulang\n" +
      "tidak pernah menggandakan. Keluar 1: masih ada yang tertunda.",
  },
};

const TEXT = {
  en: {
    sent: (e: Extract<SendEvent, { type: "sent" }>) =>
      `sent ${e.run}${e.role ? ` (${e.role}, ${e.entries} entries)` : ""}${
        e.duplicate ? ": serve already had it" : ""
      }`,
    refused: (e: Extract<SendEvent, { type: "refused" }>) =>
      `serve refused ${e.run}: ${e.status} ${e.reason.en}; kept in ${VM_RECORDS}/refused/`,
    running: (run: string) =>
      `${run}: its role still runs; it goes when it ends`,
    busy: (e: Extract<SendEvent, { type: "busy" }>) =>
      `serve is busy (${e.reason.en}); ${e.run} again in ${e.seconds} s (try ${e.retry} of ${e.retries})`,
    facts: (base: string, vm: string) =>
      `serve at ${base} knows this VM (${vm}): each role's run goes there when it ends`,
    done: (s: SendSummary) =>
      s.sent + s.refused === 0
        ? "nothing to send"
        : `${s.sent} sent${s.refused ? `, ${s.refused} refused` : ""}`,
    kept: (s: SendSummary, why: string) =>
      `serve at ${s.base}: ${why}; ${s.kept} ${
        s.kept === 1 ? "run" : "runs"
      } kept in ${VM_RECORDS}/pending/ (they go with the next role that ends, or: progjar-send)`,
    notInstalled:
      "this VM was not installed by serve (no /var/lib/progjar/serve.conf): on it, as root: wget -qO- http://HOST:8000/install.sh | sh",
  },
  id: {
    sent: (e: Extract<SendEvent, { type: "sent" }>) =>
      `terkirim ${e.run}${e.role ? ` (${e.role}, ${e.entries} entri)` : ""}${
        e.duplicate ? ": serve sudah memilikinya" : ""
      }`,
    refused: (e: Extract<SendEvent, { type: "refused" }>) =>
      `serve menolak ${e.run}: ${e.status} ${e.reason.id}; disimpan di ${VM_RECORDS}/refused/`,
    running: (run: string) =>
      `${run}: role-nya masih berjalan; dikirim saat berakhir`,
    busy: (e: Extract<SendEvent, { type: "busy" }>) =>
      `serve sibuk (${e.reason.id}); ${e.run} dicoba lagi dalam ${e.seconds} dtk (percobaan ${e.retry} dari ${e.retries})`,
    facts: (base: string, vm: string) =>
      `serve di ${base} mengenal VM ini (${vm}): setiap jalannya role dikirim ke sana saat berakhir`,
    done: (s: SendSummary) =>
      s.sent + s.refused === 0
        ? "tidak ada yang dikirim"
        : `${s.sent} terkirim${s.refused ? `, ${s.refused} ditolak` : ""}`,
    kept: (s: SendSummary, why: string) =>
      `serve di ${s.base}: ${why}; ${s.kept} jalannya role disimpan di ${VM_RECORDS}/pending/ (dikirim bersama role berikutnya yang berakhir, atau: progjar-send)`,
    notInstalled:
      "VM ini tidak dipasang oleh serve (tidak ada /var/lib/progjar/serve.conf): di VM, sebagai root: wget -qO- http://HOST:8000/install.sh | sh",
  },
};

/** Runs progjar-send with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, send);
}

async function send({ flags, out }: RoleContext): Promise<number> {
  const text = TEXT[flags.lang];
  const skew = Number(readEnv(CLOCK_SKEW_ENV) ?? 0);
  let summary: SendSummary;
  try {
    summary = await sendPending({
      clockSkewMs: Number.isSafeInteger(skew) ? skew : 0,
      facts: !flags.values["after-run"],
      onEvent(event) {
        out.record({ ...event });
        if (event.type === "sent") out.line(text.sent(event));
        else if (event.type === "refused") out.line(text.refused(event));
        else if (event.type === "running") out.line(text.running(event.run));
        else if (event.type === "busy") out.line(text.busy(event));
        else out.line(text.facts(event.base, event.vm));
      },
    });
  } catch (err) {
    if (err instanceof NotInstalledError) {
      throw new RuntimeError({
        en: TEXT.en.notInstalled,
        id: TEXT.id.notInstalled,
      });
    }
    throw err;
  }
  out.record({ type: "summary", ...summary });
  if (summary.problem) {
    out.line(text.kept(summary, summary.problem[flags.lang]));
    return 1;
  }
  if (summary.sent + summary.refused > 0) out.line(text.done(summary));
  return summary.refused > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
