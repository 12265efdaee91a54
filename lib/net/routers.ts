/**
 * The routers' multicast forwarders as processes: `lab up` starts one in
 * each router's namespace (`cmd/lab_router.ts`, in a session of its own, so
 * that it outlives `lab up` and a Ctrl+C in the terminal does not reach
 * it), waits until each says how it forwards, and `lab down` stops them
 * with everything else that runs in the lab's namespaces. Each forwarder
 * keeps a status file (how it forwards, its counts) and a log under
 * `/run/progjar-lab/routers/`, which `lab status` reads; `lab up` on a lab
 * that is up starts again any that is no longer running.
 *
 * @module
 */

import { join } from "node:path";
import { delay } from "../cli/async.ts";
import { RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { ip, netnsPids } from "./ip.ts";
import type { MulticastMode, RouterState } from "./lab_state.ts";

/** Where the forwarders keep their status files and logs. */
export const ROUTER_DIR = "/run/progjar-lab/routers";
/** The repository root, where the forwarder's program is. */
const ROOT = join(import.meta.dirname!, "..", "..");
/** The forwarder's program. */
export const ROUTER_ENTRY = "cmd/lab_router.ts";
/**
 * The forwarder's permissions: FFI for its sockets (packet and raw, which
 * Deno does not have), writing its status file, the locale; and starting
 * `smcrouted` where the kernel routes multicast itself, when it is installed
 * ({@linkcode routerCommand} adds that).
 */
export const ROUTER_PERMISSIONS: readonly string[] = [
  "--allow-ffi",
  `--allow-read=${ROUTER_DIR}`,
  `--allow-write=${ROUTER_DIR}`,
  "--allow-env=LANG,LC_ALL,LC_MESSAGES,NO_COLOR",
];

/** Whether `program` is in one of the `PATH` directories. */
function onPath(program: string): boolean {
  let path: string | undefined;
  try {
    path = Deno.env.get("PATH");
  } catch {
    // not permitted: the usual places
  }
  for (const dir of (path ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    try {
      if (Deno.statSync(join(dir, program)).isFile) return true;
    } catch {
      // not there
    }
  }
  return false;
}
/** How long a forwarder may take to start (deno's start on a busy machine). */
const START_MS = 30_000;

/** What a forwarder says about itself in its status file. */
export interface RouterStatus {
  /** The router's name. */
  router: string;
  /** Its process id. */
  pid: number;
  /** `starting`, `forwarding`, `failed` or `stopped`. */
  state: "starting" | "forwarding" | "failed" | "stopped";
  /** How it forwards multicast. */
  mode?: MulticastMode;
  /** Why it forwards that way (the kernel's answer), or why it failed. */
  reason?: string;
  /** Its interfaces. */
  interfaces: string[];
  /** Datagrams forwarded and dropped, by reason (user space only; see `forwarder.ts`). */
  stats?: {
    received: number;
    forwarded: number;
    dropped: Record<string, number>;
  };
}

/** The status file and the log of the forwarder in namespace `netns`. */
export function routerFiles(netns: string): { status: string; log: string } {
  return {
    status: `${ROUTER_DIR}/${netns}.json`,
    log: `${ROUTER_DIR}/${netns}.log`,
  };
}

/** The command that runs the forwarder of `router` (inside its namespace). */
export function routerCommand(
  router: RouterState,
  options: { lang?: Lang } = {},
): string[] {
  return [
    Deno.execPath(),
    "run",
    ...ROUTER_PERMISSIONS,
    // Asked for only when present: deno says so when it is not.
    ...(onPath("smcrouted") ? ["--allow-run=smcrouted"] : []),
    join(ROOT, ROUTER_ENTRY),
    "--name",
    router.name,
    "--status",
    routerFiles(router.netns).status,
    ...(options.lang ? ["--lang", options.lang] : []),
    ...router.ports.map((p) => p.device),
  ];
}

/** Reads the status file of the forwarder in `netns`, if there is one. */
export async function readRouterStatus(
  netns: string,
): Promise<RouterStatus | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(routerFiles(netns).status));
  } catch {
    return undefined;
  }
}

/** Options for {@linkcode startRouters}. */
export interface StartRoutersOptions {
  /** The lab's name (for messages). */
  lab: string;
  /** The language of the forwarders' lines. */
  lang?: Lang;
  /** Aborting stops the wait (the caller removes the lab). */
  signal?: AbortSignal;
}

/**
 * Starts the forwarder of each router in `routers` and waits until each
 * forwards; resolves to how each forwards multicast. Throws a
 * {@linkcode RuntimeError} with the forwarder's own words when one fails.
 */
export async function startRouters(
  routers: RouterState[],
  options: StartRoutersOptions,
): Promise<Map<string, MulticastMode>> {
  await Deno.mkdir(ROUTER_DIR, { recursive: true });
  for (const router of routers) {
    const files = routerFiles(router.netns);
    await Deno.remove(files.status).catch(() => {});
    // In a session of its own, its output in its log: it outlives lab up.
    await ip([
      "netns",
      "exec",
      router.netns,
      "/bin/sh",
      "-c",
      'log=$1; shift; setsid "$@" </dev/null >"$log" 2>&1 &',
      "sh",
      files.log,
      ...routerCommand(router, options),
    ]);
  }
  const modes = new Map<string, MulticastMode>();
  await Promise.all(routers.map(async (router) => {
    modes.set(router.name, await ready(router, options));
  }));
  return modes;
}

/** Waits until the forwarder of `router` forwards; its mode. */
async function ready(
  router: RouterState,
  options: StartRoutersOptions,
): Promise<MulticastMode> {
  const started = Date.now();
  const files = routerFiles(router.netns);
  for (let round = 0;; round++) {
    if (options.signal?.aborted) {
      throw new RuntimeError({ en: "interrupted", id: "diinterupsi" });
    }
    const status = await readRouterStatus(router.netns);
    if (status?.state === "forwarding" && status.mode) return status.mode;
    const gone = round % 5 === 4 &&
      (await netnsPids(router.netns)).length === 0;
    if (status?.state === "failed" || gone || Date.now() - started > START_MS) {
      const why = status?.reason ?? await lastLogLine(files.log) ??
        (gone ? "exited" : `not forwarding after ${START_MS / 1000} s`);
      throw new RuntimeError({
        en:
          `router ${router.name}: its multicast forwarder did not start: ${why} (log: ${files.log})`,
        id:
          `router ${router.name}: penerus multicast-nya tidak mulai: ${why} (log: ${files.log})`,
      });
    }
    await delay(100);
  }
}

async function lastLogLine(path: string): Promise<string | undefined> {
  try {
    const lines = (await Deno.readTextFile(path)).trim().split("\n")
      // deno's own error lines carry colour codes.
      // deno-lint-ignore no-control-regex
      .map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trim())
      .filter((l) => l !== "");
    return lines.find((l) => /^error:/i.test(l)) ?? lines.at(-1);
  } catch {
    return undefined;
  }
}

/**
 * Starts again the forwarders of `routers` that no longer run (none runs
 * in the router's namespace); resolves to the names of those started.
 */
export async function restartStoppedRouters(
  routers: RouterState[],
  options: StartRoutersOptions,
): Promise<string[]> {
  const stopped: RouterState[] = [];
  for (const router of routers) {
    if ((await netnsPids(router.netns)).length === 0) stopped.push(router);
  }
  if (stopped.length > 0) await startRouters(stopped, options);
  return stopped.map((r) => r.name);
}

/** Removes the status files and logs of the forwarders in `namespaces`. */
export async function removeRouterFiles(namespaces: string[]): Promise<void> {
  for (const ns of namespaces) {
    const files = routerFiles(ns);
    await Deno.remove(files.status).catch(() => {});
    await Deno.remove(files.log).catch(() => {});
    for (const end of ["conf", "sock", "pid"]) {
      await Deno.remove(`${ROUTER_DIR}/${ns}.smcroute.${end}`).catch(() => {});
    }
  }
}
