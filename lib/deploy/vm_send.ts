/**
 * The VM's side of the records (`progjar-send`): takes the runs waiting in
 * `/var/lib/progjar/records/pending/` to the serve that installed the VM,
 * one delivery per run (`lib/deploy/delivery.ts`), and moves each to
 * `sent/` only once serve acknowledged it (serve keeps a run id once, so a
 * retry never doubles it). A run serve will never take (invalid, too large)
 * moves to `refused/`; every other failure keeps it pending for the next
 * try. A run whose role still runs is left alone.
 *
 * The launcher starts it in the background when a role ends; one sender at
 * a time (a lock in the records directory).
 *
 * @module
 */

import { localNetworks } from "../cli/address.ts";
import { errorText } from "../cli/errors.ts";
import { readEnv, type Text } from "../cli/i18n.ts";
import {
  checkHead,
  type DeliveryHead,
  isHostname,
  isRunId,
  parseConf,
  RECORDS_PATH,
  VM_CONF,
  VM_RECORDS,
  type VmConf,
  type VmFacts,
} from "./delivery.ts";

/** Options for {@linkcode sendPending}. */
export interface SendOptions {
  /** The VM's clock is read as `Date.now() + clockSkewMs` (tests: a VM whose clock is off). */
  clockSkewMs?: number;
  /** Most milliseconds per delivery (connection and answer). */
  timeoutMs?: number;
  /** With nothing pending, deliver the VM's facts alone (install.sh's check). */
  facts?: boolean;
  /** Tries again after serve answered 503 (busy), at most this often per run (default 3). */
  busyRetries?: number;
  /** Called for each run (and the facts). */
  onEvent(event: SendEvent): void;
}

/** What happened to one run. */
export type SendEvent =
  | {
    type: "sent";
    run: string;
    role?: string;
    entries: number;
    duplicate: boolean;
  }
  | { type: "refused"; run: string; status: number; reason: Text }
  | { type: "running"; run: string }
  | {
    type: "busy";
    run: string;
    seconds: number;
    retry: number;
    retries: number;
    reason: Text;
  }
  | { type: "facts"; vm: string; base: string };

/** What {@linkcode sendPending} did. */
export interface SendSummary {
  /** serve's address. */
  base: string;
  /** Runs delivered (or that serve already had). */
  sent: number;
  /** Runs moved to `refused/`. */
  refused: number;
  /** Runs still pending after this try. */
  kept: number;
  /** Runs whose role still runs. */
  running: number;
  /** Why the rest were kept: serve not reachable, or its refusal. */
  problem?: Text;
}

/** This VM was not installed by serve: nothing to deliver to. */
export class NotInstalledError extends Error {
  constructor() {
    super(`no ${VM_CONF}`);
    this.name = "NotInstalledError";
  }
}

const TIMEOUT_MS = 15_000;
const BUSY_RETRIES = 3;

/**
 * Delivers every pending run that is over, oldest first; stops at the first
 * failure that would fail the rest too (serve not reachable, a secret it
 * does not know). Throws {@linkcode NotInstalledError} without a
 * `serve.conf`.
 */
export async function sendPending(options: SendOptions): Promise<SendSummary> {
  let conf: VmConf | undefined;
  try {
    conf = parseConf(await Deno.readTextFile(VM_CONF));
  } catch (err) {
    // Not allowed to read it: not started by an installed VM's launcher.
    if (
      !(err instanceof Deno.errors.NotFound) &&
      !(err instanceof Deno.errors.NotCapable)
    ) {
      throw err;
    }
  }
  if (!conf) throw new NotInstalledError();
  const lock = await Deno.open(`${VM_RECORDS}/.lock`, {
    write: true,
    create: true,
    mode: 0o600,
  });
  try {
    await lock.lock(true);
    return await sendLocked(conf, options);
  } finally {
    lock.close();
  }
}

async function sendLocked(
  conf: VmConf,
  options: SendOptions,
): Promise<SendSummary> {
  const summary: SendSummary = {
    base: conf.base,
    sent: 0,
    refused: 0,
    kept: 0,
    running: 0,
  };
  const pending = `${VM_RECORDS}/pending`;
  const names: string[] = [];
  for await (const entry of Deno.readDir(pending)) {
    const run = entry.name.replace(/\.jsonl$/, "");
    if (entry.isFile && entry.name.endsWith(".jsonl") && isRunId(run)) {
      names.push(run);
    }
  }
  names.sort();
  const facts = vmFacts();
  let delivered = false;
  for (const [i, run] of names.entries()) {
    const path = `${pending}/${run}.jsonl`;
    const bytes = await Deno.readFile(path);
    const content = completeLines(bytes);
    if (!endsRun(content) && isRunning(run)) {
      summary.running++;
      options.onEvent({ type: "running", run });
      continue;
    }
    if (content.length === 0) {
      // The role stopped before it wrote anything: nothing to keep.
      await Deno.remove(path);
      continue;
    }
    const delivery = {
      head: headOf(run, facts, options),
      content,
      timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    };
    let answer = await deliver(conf, delivery);
    // serve turned it away at a limit (a class sending at once): after its
    // Retry-After and as long again at random, so that the VMs turned away
    // together do not all come back together.
    const retries = options.busyRetries ?? BUSY_RETRIES;
    for (let retry = 1; answer.status === 503 && retry <= retries; retry++) {
      const base = Math.min(30, Math.max(1, answer.retryAfter ?? 5));
      const seconds = Math.round(base * (1 + Math.random()));
      options.onEvent({
        type: "busy",
        run,
        seconds,
        retry,
        retries,
        reason: answer.reason,
      });
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      answer = await deliver(conf, delivery);
    }
    delivered = true;
    if (answer.status === 200) {
      await Deno.rename(path, `${VM_RECORDS}/sent/${run}.jsonl`);
      summary.sent++;
      options.onEvent({
        type: "sent",
        run,
        role: answer.body.role as string | undefined,
        entries: Number(answer.body.entries ?? 0),
        duplicate: answer.body.type === "duplicate",
      });
    } else if (answer.status === 400 || answer.status === 413) {
      await Deno.rename(path, `${VM_RECORDS}/refused/${run}.jsonl`);
      summary.refused++;
      options.onEvent({
        type: "refused",
        run,
        status: answer.status,
        reason: answer.reason,
      });
    } else {
      summary.kept = names.length - i - summary.running;
      summary.problem = answer.reason;
      return summary;
    }
  }
  if (!delivered && options.facts) {
    const answer = await deliver(conf, {
      head: headOf(null, facts, options),
      content: new Uint8Array(),
      timeoutMs: options.timeoutMs ?? TIMEOUT_MS,
    });
    if (answer.status === 200) {
      options.onEvent({ type: "facts", vm: conf.vm, base: conf.base });
    } else {
      summary.problem = answer.reason;
    }
  }
  return summary;
}

/** serve's answer to one delivery (status 0: it could not be reached). */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  reason: Text;
  /** Its `Retry-After`, seconds. */
  retryAfter?: number;
}

async function deliver(
  conf: VmConf,
  delivery: {
    head: () => DeliveryHead;
    content: Uint8Array;
    timeoutMs: number;
  },
): Promise<Answer> {
  // The clock is read last, just before the request goes.
  const head = new TextEncoder().encode(
    JSON.stringify(delivery.head()) + "\n",
  );
  const body = new Uint8Array(head.length + delivery.content.length);
  body.set(head);
  body.set(delivery.content, head.length);
  try {
    const response = await fetch(`${conf.base}${RECORDS_PATH}`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${conf.secret}`,
        "content-type": "application/x-ndjson",
      },
      body,
      signal: AbortSignal.timeout(delivery.timeoutMs),
    });
    const text = await response.text();
    let value: Record<string, unknown> = {};
    try {
      value = JSON.parse(text);
    } catch {
      // not serve's JSON: the status says enough
    }
    const reason = value.reason as Text | undefined;
    // Not the store's JSON (the server's own limits): its first line says why.
    const said = text.split("\n", 1)[0].replace(/[^\x20-\x7e]/g, "")
      .slice(0, 200);
    const plain = `HTTP ${response.status}${said ? `: ${said}` : ""}`;
    const retryAfter = Number(response.headers.get("retry-after") ?? NaN);
    return {
      status: response.status,
      body: value,
      reason: reason && typeof reason.en === "string"
        ? reason
        : { en: plain, id: plain },
      ...Number.isSafeInteger(retryAfter) ? { retryAfter } : {},
    };
  } catch (err) {
    const why = err instanceof DOMException && err.name === "TimeoutError"
      ? {
        en: `no answer within ${delivery.timeoutMs / 1000} s`,
        id: `tidak ada jawaban dalam ${delivery.timeoutMs / 1000} dtk`,
      }
      : errorText(err);
    return {
      status: 0,
      body: {},
      reason: {
        en: `not reachable: ${why.en}`,
        id: `tidak terjangkau: ${why.id}`,
      },
    };
  }
}

/** The head of run `run`'s delivery, its clock read when it is called. */
function headOf(
  run: string | null,
  vm: VmFacts,
  options: SendOptions,
): () => DeliveryHead {
  return () => ({
    progjar: 1,
    run,
    clock: Date.now() + (options.clockSkewMs ?? 0),
    vm,
  });
}

/** What this VM says of itself: its host name, eth0's IPv4 network. */
export function vmFacts(): VmFacts {
  let hostname = "unknown";
  try {
    hostname = Deno.hostname();
  } catch {
    // not allowed: "unknown"
  }
  // serve takes host names only: anything else becomes dashes.
  if (!isHostname(hostname)) {
    hostname = hostname.replace(/[^A-Za-z0-9._-]+/g, "-").replace(
      /^[-.]+|[-.]+$/g,
      "",
    ).slice(0, 63) || "unknown";
    if (!isHostname(hostname)) hostname = "unknown";
  }
  const networks = localNetworks().filter((n) => !n.address.startsWith("127."));
  const net = networks.find((n) => n.name === "eth0") ?? networks[0];
  const facts: VmFacts = net
    ? {
      hostname,
      address: net.address,
      prefix: net.prefix,
      broadcast: net.broadcast,
    }
    : { hostname };
  const check = { progjar: 1, run: null, clock: 0, vm: facts };
  return checkHead(check) === undefined ? facts : { hostname };
}

/** `bytes` up to its last newline (a line cut short by a kill is dropped). */
function completeLines(bytes: Uint8Array): Uint8Array {
  const last = bytes.lastIndexOf(0x0a);
  return bytes.subarray(0, last + 1);
}

/** Whether the last line is the role's `end` entry. */
function endsRun(content: Uint8Array): boolean {
  const start = content.lastIndexOf(0x0a, content.length - 2) + 1;
  const line = new TextDecoder().decode(content.subarray(start));
  return /^\{"t":\d+,"pid":\d+,"end":/.test(line);
}

/** Runs whose role no longer runs, as the launcher saw them (`PROGJAR_SEND_STOPPED`). */
export const STOPPED_ENV = "PROGJAR_SEND_STOPPED";

/**
 * Whether run `run`'s role still runs: its id holds the launcher's process
 * id (`<time>-<pid>-<random>`), which the role's deno keeps (the launcher
 * execs it). After a reboot the number may be another program's: only a
 * progjar role counts. Deno reads nothing of `/proc/<pid>` without
 * `--allow-all`, so the launcher checks each pending run in the shell and
 * names those that stopped ({@linkcode STOPPED_ENV}); a run it did not
 * name (one that started after it looked) still runs. Without it (deno
 * started by hand with more permissions) `/proc` is read here.
 */
function isRunning(run: string): boolean {
  const stopped = readEnv(STOPPED_ENV);
  if (stopped !== undefined) return !stopped.split(" ").includes(run);
  const pid = /^[^-]+-(\d+)-/.exec(run)?.[1];
  if (!pid) return false;
  try {
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return cmdline.includes("progjar.js");
  } catch (err) {
    // Not allowed to look: better late than cut short.
    return err instanceof Deno.errors.NotCapable ||
      err instanceof Deno.errors.PermissionDenied;
  }
}
