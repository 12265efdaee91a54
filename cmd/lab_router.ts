/**
 * lab-router: a lab router's multicast forwarder, started by `lab up` in
 * each router's namespace and stopped by `lab down`. Where the kernel routes
 * multicast itself (MRT_INIT works) it runs `smcrouted` with a route for
 * every group from each interface to the others; where it cannot (kernels
 * without CONFIG_IP_MROUTE, such as this project's CI machines) it forwards
 * in user space (`lib/net/forwarder.ts`). Unicast is the kernel's in both
 * cases (ip_forward). It keeps a status file (how it forwards, its counts)
 * for `lab status`.
 *
 * ```sh
 * ip netns exec pj_progjar_router-1 deno run --allow-ffi … cmd/lab_router.ts --name router-1 eth0 eth1
 * ```
 *
 * @module
 */

import {
  describeError,
  EXIT_OK,
  RuntimeError,
  UsageError,
} from "../lib/cli/errors.ts";
import type { CommandSpec } from "../lib/cli/parse.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import { type ForwarderStats, forwardMulticast } from "../lib/net/forwarder.ts";
import { kernelMulticastRouting, rawLibc } from "../lib/net/_raw_libc.ts";
import type { RouterStatus } from "../lib/net/routers.ts";
import { smcrouteArgs, smcrouteConfig } from "../lib/net/smcroute.ts";

/** lab-router's command line. */
export const SPEC: CommandSpec = {
  name: "lab-router",
  operands: true,
  summary: {
    en:
      "forward multicast between a lab router's interfaces (started by lab up)",
    id:
      "teruskan multicast di antara antarmuka router lab (dijalankan oleh lab up)",
  },
  usage: {
    en: "INTERFACE… [flags]   (at least two, e.g. eth0 eth1)",
    id: "ANTARMUKA… [flag]   (paling sedikit dua, mis. eth0 eth1)",
  },
  flags: {
    name: {
      type: "string",
      valueName: "NAME",
      default: "router",
      help: { en: "the router's name", id: "nama router" },
    },
    status: {
      type: "string",
      valueName: "FILE",
      help: {
        en: "keep a status file here (how it forwards, its counts)",
        id: "simpan berkas status di sini (cara meneruskan, hitungannya)",
      },
    },
  },
  examples: [
    "lab-router --name router-1 eth0 eth1",
  ],
};

const TEXT = {
  en: {
    userSpace: (name: string, interfaces: string, why: string) =>
      `${name}: forwarding multicast in user space between ${interfaces} (${why})`,
    noMroute:
      "this kernel has no multicast routing: MRT_INIT fails with ENOPROTOOPT",
    noSmcroute:
      "the kernel routes multicast, but smcrouted is not installed (Debian: apt-get install smcroute)",
    smcroute: (name: string, interfaces: string) =>
      `${name}: the kernel forwards multicast between ${interfaces} (smcrouted)`,
    mroute: "the kernel routes multicast (MRT_INIT works)",
    stopped: (name: string, s: ForwarderStats) =>
      `${name}: stopped: ${s.received} group datagrams read, ${s.forwarded} copies sent, ${
        s.dropped.ttl ?? 0
      } dropped at TTL 1`,
  },
  id: {
    userSpace: (name: string, interfaces: string, why: string) =>
      `${name}: meneruskan multicast di user space antara ${interfaces} (${why})`,
    noMroute:
      "kernel ini tidak punya multicast routing: MRT_INIT gagal dengan ENOPROTOOPT",
    noSmcroute:
      "kernel bisa me-routing multicast, tetapi smcrouted belum terpasang (Debian: apt-get install smcroute)",
    smcroute: (name: string, interfaces: string) =>
      `${name}: kernel meneruskan multicast antara ${interfaces} (smcrouted)`,
    mroute: "kernel bisa me-routing multicast (MRT_INIT berhasil)",
    stopped: (name: string, s: ForwarderStats) =>
      `${name}: berhenti: ${s.received} datagram grup dibaca, ${s.forwarded} salinan dikirim, ${
        s.dropped.ttl ?? 0
      } dibuang karena TTL 1`,
  },
};

/** How often the status file is written while datagrams flow. */
const STATUS_EVERY_MS = 200;

/** Runs lab-router with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, route);
}

async function route({ flags, out }: RoleContext): Promise<number> {
  const name = flags.values.name as string;
  const statusPath = flags.values.status as string | undefined;
  const interfaces = flags.operands;
  const lang = flags.lang;
  const text = TEXT[lang];
  if (interfaces.length < 2) {
    throw new UsageError({
      en: `a router needs at least two interfaces, got ${interfaces.length}`,
      id: `router perlu paling sedikit dua antarmuka, ada ${interfaces.length}`,
    });
  }
  const status: RouterStatus = {
    router: name,
    pid: Deno.pid,
    state: "starting",
    interfaces,
  };
  let unsaved = false;
  // Whole or not at all (lab status may read it at any moment), and at once:
  // two writes in flight would rename each other's file away. A status file
  // that cannot be written is said once; forwarding goes on.
  const save = () => {
    if (statusPath === undefined) return;
    try {
      Deno.writeTextFileSync(`${statusPath}.tmp`, JSON.stringify(status));
      Deno.renameSync(`${statusPath}.tmp`, statusPath);
    } catch (err) {
      if (!unsaved) console.error(`${name}: ${describeError(err, { lang })}`);
      unsaved = true;
    }
  };
  const stop = onStop(() => {});
  try {
    const libc = rawLibc();
    if (!libc) {
      throw new RuntimeError({
        en: "lab-router needs Linux's C library through FFI (--allow-ffi)",
        id: "lab-router perlu pustaka C Linux lewat FFI (--allow-ffi)",
      });
    }
    const list = interfaces.join(", ");
    if (kernelMulticastRouting(libc)) {
      const code = await viaSmcroute({ name, interfaces, statusPath }, {
        signal: stop.signal,
        started: () => {
          status.state = "forwarding";
          status.mode = "smcroute";
          status.reason = text.mroute;
          save();
          out.line(text.smcroute(name, list));
          out.flush();
        },
      });
      if (code !== undefined) return code;
      status.reason = text.noSmcroute;
    } else {
      status.reason = text.noMroute;
    }
    status.mode = "user-space";
    let last = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const stats = await forwardMulticast({
      interfaces,
      signal: stop.signal,
      onStats: (stats) => {
        status.stats = stats;
        if (pending !== undefined) return;
        const wait = Math.max(0, last + STATUS_EVERY_MS - Date.now());
        pending = setTimeout(() => {
          pending = undefined;
          last = Date.now();
          save();
        }, wait);
      },
      onReady: () => {
        status.state = "forwarding";
        status.stats = { received: 0, forwarded: 0, dropped: {} };
        save();
        out.line(text.userSpace(name, list, status.reason!));
        out.flush();
      },
    });
    if (pending !== undefined) clearTimeout(pending);
    status.state = "stopped";
    status.stats = stats;
    save();
    out.line(text.stopped(name, stats));
    return EXIT_OK;
  } catch (err) {
    status.state = "failed";
    status.reason = err instanceof RuntimeError || err instanceof UsageError
      ? err.text[flags.lang]
      : err instanceof Error
      ? err.message
      : String(err);
    save();
    throw err;
  } finally {
    stop.dispose();
  }
}

/**
 * Forwards through `smcrouted` until the signal aborts; resolves to its
 * exit code, or `undefined` when it is not installed.
 */
async function viaSmcroute(
  router: { name: string; interfaces: string[]; statusPath?: string },
  options: { signal: AbortSignal; started: () => void },
): Promise<number | undefined> {
  const base = router.statusPath?.replace(/\.json$/, "") ??
    `/run/progjar-lab-${router.name}`;
  const config = `${base}.smcroute.conf`;
  await Deno.writeTextFile(config, smcrouteConfig(router.interfaces) + "\n");
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("smcrouted", {
      args: smcrouteArgs({
        config,
        base: `${base}.smcroute`,
        ident: router.name,
      }),
      stdin: "null",
    }).spawn();
  } catch (err) {
    // Not installed, or not granted (lab up grants it only when it is there).
    if (
      err instanceof Deno.errors.NotFound ||
      err instanceof Deno.errors.NotCapable ||
      err instanceof Deno.errors.PermissionDenied
    ) {
      return undefined;
    }
    throw err;
  }
  options.started();
  const stopChild = () => child.kill("SIGTERM");
  options.signal.addEventListener("abort", stopChild, { once: true });
  const status = await child.status;
  options.signal.removeEventListener("abort", stopChild);
  return options.signal.aborted ? EXIT_OK : status.code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
