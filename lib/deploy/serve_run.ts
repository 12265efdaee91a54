/**
 * `serve` from its options to its end, as events: in a repository it first
 * builds what is missing or older than the code; it says what it hands out,
 * listens, reports every request and every refusal by a limit, and sums up
 * when it stops. The log stays readable in a flood: per client at most
 * {@linkcode TRANSFER_BURST} request lines and per kind of refusal (and
 * client) one line in each {@linkcode LOG_WINDOW_MS}; the rest are counted
 * and said in one line when the window is over (the summary counts all).
 * `cmd/serve.ts` turns the events into lines in either language.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { LogThrottle } from "./_log_throttle.ts";
import {
  alpinePackOf,
  artefactKind,
  listArtefacts,
  packFacts,
} from "./artefacts.ts";
import {
  buildOutdated,
  repositoryOf,
  staleArtefacts,
  wantedArtefacts,
} from "./build.ts";
import type { Limits, Refusal, RefusalKind } from "./http_server.ts";
import type { PackFacts } from "./install_script.ts";
import { pasteLines } from "./serve_lines.ts";
import type { RecordsRoute } from "./serve_records.ts";
import { startServer, type Transfer } from "./server.ts";
import { kernelSends } from "./_sendfile.ts";

/** Request lines shown per client in a window. */
export const TRANSFER_BURST = 20;
/** The window of the log's throttle, ms. */
export const LOG_WINDOW_MS = 10_000;

/** What serve counted, for its last line. */
export interface ServeStats {
  /** Requests answered. */
  requests: number;
  /** Artefacts sent whole, or to their end after a resume. */
  downloads: number;
  /** Body bytes handed to connections. */
  bytes: number;
  /** Answers cut off before their end. */
  cutOff: number;
  /** Connections or requests refused by a limit. */
  refused: number;
}

/** What happens, in order. */
export type ServeEvent =
  | { type: "building"; name: string; why: "missing" | "stale"; task: string[] }
  | { type: "stale"; name: string; task: string[] }
  | { type: "missing"; name: string; task: string[]; pack: boolean }
  | { type: "serving"; dir: string }
  | ({ type: "pack" } & PackFacts)
  | { type: "file"; name: string; size: number }
  | {
    type: "listening";
    address: string;
    port: number;
    lines: string[];
    interfaces: string[];
    /** How files go out: by the kernel (`sendfile`), or from a buffer. */
    files: "sendfile" | "buffer";
  }
  | ({ type: "transfer" } & Transfer)
  | ({ type: "refused" } & Refusal)
  | {
    type: "suppressed";
    what: "requests" | RefusalKind;
    client?: string;
    count: number;
    seconds: number;
  }
  | ({ type: "summary" } & ServeStats);

/** Options for {@linkcode runServe}. */
export interface ServeOptions {
  /** The directory of the artefacts. */
  dir: string;
  /** The address to listen on. */
  bind: string;
  /** The TCP port (0: any free one). */
  port: number;
  /** The VMs' machine (`x86_64`). */
  machine: string;
  /** install.sh's language when the VM does not ask. */
  lang: Lang;
  /** Whether to build what is missing or stale (in a repository). */
  build: boolean;
  /** Limits other than the defaults. */
  limits?: Partial<Limits>;
  /** The VMs' records: `POST /records` and a secret in each install.sh. */
  records?: RecordsRoute;
  /** Stops serve. */
  signal: AbortSignal;
  /** Called for every event, in order. */
  onEvent(event: ServeEvent): void;
}

/**
 * Runs serve until `options.signal`; resolves to what it counted. Throws
 * `Deno.errors.AddrInUse` (and the like) when it cannot listen, having
 * built what it had to.
 */
export async function runServe(options: ServeOptions): Promise<ServeStats> {
  const { dir, machine, onEvent } = options;
  const root = options.build ? repositoryOf(dir) : undefined;
  if (root) {
    await buildOutdated(dir, {
      root,
      machine,
      onBuild: (next) => onEvent({ type: "building", ...next }),
    });
    // What serve does not build (another machine's files) may be older than
    // the code: say so rather than hand it out silently.
    for (const other of await staleArtefacts(dir, { root, machine })) {
      onEvent({ type: "stale", name: other.name, task: other.task });
    }
  }
  const artefacts = await listArtefacts(dir);
  const pack = alpinePackOf(artefacts, machine);
  for (const wanted of wantedArtefacts(machine)) {
    if (artefacts.some((a) => a.name === wanted.name)) continue;
    onEvent({
      type: "missing",
      ...wanted,
      pack: wanted.name.startsWith("progjar-alpine-"),
    });
  }

  const stats: ServeStats = {
    requests: 0,
    downloads: 0,
    bytes: 0,
    cutOff: 0,
    refused: 0,
  };
  const requests = new LogThrottle({
    windowMs: LOG_WINDOW_MS,
    burst: TRANSFER_BURST,
  });
  const refusals = new LogThrottle({ windowMs: LOG_WINDOW_MS, burst: 1 });
  const server = startServer({
    dir,
    hostname: options.bind,
    port: options.port,
    machine,
    lang: options.lang,
    limits: options.limits,
    records: options.records,
    signal: options.signal,
    onTransfer(transfer) {
      count(stats, transfer);
      if (requests.admit(transfer.client)) {
        onEvent({ type: "transfer", ...transfer });
      }
    },
    onRefusal(refusal) {
      stats.refused++;
      if (refusals.admit(refusalKey(refusal))) {
        onEvent({ type: "refused", ...refusal });
      }
    },
  });
  const say = (drain: boolean) => {
    for (const s of drain ? requests.drain() : requests.due()) {
      onEvent({
        type: "suppressed",
        what: "requests",
        client: s.key,
        count: s.count,
        seconds: s.windowMs / 1000,
      });
    }
    for (const s of drain ? refusals.drain() : refusals.due()) {
      const [kind, client] = s.key.split(" ");
      onEvent({
        type: "suppressed",
        what: kind as RefusalKind,
        ...client === undefined ? {} : { client },
        count: s.count,
        seconds: s.windowMs / 1000,
      });
    }
  };
  const ticker = setInterval(() => say(false), 1000);
  Deno.unrefTimer(ticker);

  onEvent({ type: "serving", dir });
  if (pack) onEvent({ type: "pack", ...await packFacts(pack) });
  for (const artefact of artefacts) {
    onEvent({ type: "file", name: artefact.name, size: artefact.size });
  }
  const lines = pasteLines(options.bind, server.port);
  onEvent({
    type: "listening",
    address: options.bind,
    port: server.port,
    lines: lines.map((l) => l.line),
    interfaces: lines.map((l) => l.name),
    files: kernelSends() ? "sendfile" : "buffer",
  });

  await server.finished;
  clearInterval(ticker);
  say(true);
  onEvent({ type: "summary", ...stats });
  return stats;
}

function count(stats: ServeStats, t: Transfer): void {
  stats.requests++;
  stats.bytes += t.bytes;
  if (!t.complete) stats.cutOff++;
  const whole = t.status === 200 && artefactKind(t.path.slice(1)) !== undefined;
  const toTheEnd = t.status === 206 && t.range !== undefined &&
    t.range.end === t.range.size - 1;
  if (t.method === "GET" && t.complete && (whole || toTheEnd)) {
    stats.downloads++;
  }
}

/**
 * A full server refuses everyone alike: one key for all its refusals;
 * other refusals are one client's doing: a key per client.
 */
function refusalKey(refusal: Refusal): string {
  return refusal.kind === "full" || refusal.kind === "accept-failed"
    ? refusal.kind
    : `${refusal.kind} ${refusal.client}`;
}
