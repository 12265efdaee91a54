/**
 * The lab's hosts as network namespaces on one bridge, managed with
 * iproute2. The bridge lives in a namespace of its own, so nothing is added
 * to the machine's own network: each host's `eth0` is one end of a veth pair
 * whose other end is a port of that bridge. A lab of several segments has a
 * bridge per segment in that namespace and a namespace per router, with an
 * interface on each of its segments (`_build.ts`, `routers.ts`). A host
 * imported from GNS3 keeps its adapter's name (`eth1`) and its switch
 * port's (`e3`).
 *
 * Names: the switch is the namespace `pj_<lab>`, host `alpine-1` is
 * `pj_<lab>_alpine-1` (a router `router-1`, `pj_<lab>_router-1`); `/etc/netns/<namespace>/hosts` makes the host names
 * resolve inside the lab (`ip netns exec` mounts it over `/etc/hosts`).
 * Each host also has a UTS namespace of its own, so `hostname` says its
 * name: kept, as `ip netns` keeps a network namespace, by a bind mount on
 * `/run/progjar-lab/uts/<namespace>`, and entered with `nsenter --uts`.
 *
 * What a lab owns: before it creates anything, `up` writes
 * `/etc/netns/pj_<lab>/progjar-lab-owner.json` listing the namespaces it is
 * about to make. `up` and `down` remove only those (or the hosts of a
 * complete lab's state file); a namespace of the same name made by someone
 * else is left alone, and `up` refuses to build over it.
 *
 * @module
 */

import { delay } from "../cli/async.ts";
import { RuntimeError } from "../cli/errors.ts";
import type { Lang } from "../cli/i18n.ts";
import { ip, listNetns, netnsPids } from "./ip.ts";
import { rootfsCommand } from "./rootfs.ts";
import type { LabNetwork } from "./network.ts";
import { removeUtsNamespaces, utsPath } from "./_uts.ts";
import { build, inParallel, STATE_FILE } from "./_build.ts";
import {
  type LabNames,
  labNames,
  type LabState,
  NETNS_ETC,
  sameNetwork,
  stateNamespaces,
  stateOf,
} from "./lab_state.ts";
import {
  readRouterStatus,
  removeRouterFiles,
  restartStoppedRouters,
  type RouterStatus,
} from "./routers.ts";

export { utsPath } from "./_uts.ts";
export {
  checkLabPrivileges,
  labPrivileges,
  privilegeProblem,
  type Privileges,
} from "./privileges.ts";
export {
  bridgeName,
  hostNetns,
  type HostState,
  type LabInterface,
  labInterfaces,
  type LabNames,
  labNames,
  type LabState,
  type MulticastMode,
  type RouterState,
  sameNetwork,
  stateOf,
} from "./lab_state.ts";
export { routerFiles, type RouterStatus } from "./routers.ts";

/** The file in the switch's directory that lists what the lab made. */
const OWNER_FILE = "progjar-lab-owner.json";

/** What a lab looks like on the system now. */
export interface LabStatus {
  /** The lab's names. */
  names: LabNames;
  /** Whether the lab is complete (its last step, the state file, exists). */
  up: boolean;
  /** The topology it was built from, when complete. */
  state?: LabState;
  /** The lab's namespaces that exist, switch included. */
  namespaces: string[];
  /** Processes running in the lab's namespaces, by namespace. */
  pids: Record<string, number[]>;
  /** Each router's forwarder as its status file tells, by router name. */
  routers: Record<string, RouterStatus | undefined>;
}

/** Reports which of the lab's namespaces exist and what runs in them. */
export async function labStatus(lab: string): Promise<LabStatus> {
  const names = labNames(lab);
  const namespaces = (await listNetns()).filter((ns) =>
    ns === names.switchNs || ns.startsWith(names.hostPrefix)
  ).sort();
  let state: LabState | undefined;
  if (namespaces.includes(names.switchNs)) {
    try {
      state = JSON.parse(
        await Deno.readTextFile(
          `${NETNS_ETC}/${names.switchNs}/${STATE_FILE}`,
        ),
      );
    } catch {
      // not complete
    }
  }
  const up = state !== undefined &&
    stateNamespaces(state).every((ns) => namespaces.includes(ns));
  const pids = await pidsOf(namespaces);
  const routers: Record<string, RouterStatus | undefined> = {};
  for (const router of (up ? state!.routers : undefined) ?? []) {
    routers[router.name] = await readRouterStatus(router.netns);
  }
  return {
    names,
    up,
    state: up ? state : undefined,
    namespaces,
    pids,
    routers,
  };
}

/** The names of the labs that are up (complete), sorted. */
export async function labsUp(): Promise<string[]> {
  const labs = [];
  for (const ns of await listNetns()) {
    const match = /^pj_([a-z0-9-]+)$/.exec(ns);
    if (!match) continue;
    try {
      await Deno.stat(`${NETNS_ETC}/${ns}/${STATE_FILE}`);
      labs.push(match[1]);
    } catch {
      // not complete
    }
  }
  return labs.sort();
}

/** Options for {@linkcode labUp}. */
export interface UpOptions {
  /** Aborting stops the build and removes what was made. */
  signal?: AbortSignal;
  /** The language of the routers' lines. */
  lang?: Lang;
}

/** What {@linkcode labUp} did. */
export interface UpResult {
  /** `false` if the lab was already up with this topology. */
  created: boolean;
  /** Namespaces left over from an unfinished lab that were removed first. */
  removed: string[];
  /** Routers whose forwarder had stopped and was started again (lab already up). */
  restarted: string[];
  /** The lab's state: what was built, or what was already up. */
  state: LabState;
}

/**
 * Builds the lab: the switch namespace with bridge `br0`, and per host a
 * namespace whose `eth0` (address, broadcast, a route for multicast) is
 * patched into the bridge. As DHCP from GNS3's NAT node does, every host
 * gets a default route: through the switch's own address on `br0` (the
 * subnet's first free one, `.1` in lab.yaml), which leads nowhere: the
 * switch's namespace has no other interface and forwards nothing, so a
 * datagram for outside the subnet ends there and nothing leaves the
 * machine. `broadcast-sender`'s default 255.255.255.255 thus goes out
 * eth0 to every host, as on the VMs. Idempotent: a complete lab with the same hosts is
 * left alone; leftovers of an unfinished one are removed first. On any
 * failure or abort, everything made is removed again.
 */
export async function labUp(
  topology: LabNetwork,
  lab: string,
  options: UpOptions = {},
): Promise<UpResult> {
  const names = labNames(lab);
  const wanted = stateOf(topology, lab);
  const status = await labStatus(lab);
  if (status.up && status.state) {
    if (sameNetwork(status.state, wanted)) {
      const restarted = await restartStoppedRouters(
        status.state.routers ?? [],
        { lab, lang: options.lang, signal: options.signal },
      );
      return { created: false, removed: [], restarted, state: status.state };
    }
    throw new RuntimeError({
      en:
        `lab "${lab}" is already up with other hosts (from ${status.state.file}); take it down first: lab down --name ${lab}`,
      id:
        `lab "${lab}" sudah menyala dengan host lain (dari ${status.state.file}); matikan dulu: lab down --name ${lab}`,
    });
  }
  const owned = await ownedNamespaces(lab);
  const needed = [names.switchNs, ...stateNamespaces(wanted)];
  for (const ns of needed) {
    if (owned.has(ns)) continue;
    if (status.namespaces.includes(ns)) throw notOurs(lab, `namespace ${ns}`);
    if (await nonEmptyDir(`${NETNS_ETC}/${ns}`)) {
      throw notOurs(lab, `${NETNS_ETC}/${ns}`);
    }
  }
  let removed: string[] = [];
  if (status.namespaces.some((ns) => owned.has(ns))) {
    removed = await labDown(lab);
  }
  try {
    // The mark comes first: whatever the build leaves is known to be ours.
    await Deno.mkdir(`${NETNS_ETC}/${names.switchNs}`, { recursive: true });
    await Deno.writeTextFile(
      `${NETNS_ETC}/${names.switchNs}/${OWNER_FILE}`,
      JSON.stringify({ lab, namespaces: needed }) + "\n",
    );
    await build(topology, names, wanted, options);
  } catch (err) {
    await labDown(lab);
    throw err;
  }
  return { created: true, removed, restarted: [], state: wanted };
}

/** Something in the way of {@linkcode labUp} that the lab did not make. */
export class NotOursError extends RuntimeError {
  /** What is in the way: `namespace <ns>` or a `/etc/netns` path. */
  readonly what: string;
  /** Creates the error for `what`, in the way of lab `lab`. */
  constructor(lab: string, what: string) {
    super(
      `${what} exists but was not made by lab "${lab}" (no progjar mark): left alone; remove it yourself or pick another --name`,
    );
    this.name = "NotOursError";
    this.what = what;
  }
}

function notOurs(lab: string, what: string): NotOursError {
  return new NotOursError(lab, what);
}

async function nonEmptyDir(path: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(path)) return true;
  } catch {
    // missing, or a plain file (the build says so when it gets there)
  }
  return false;
}

/**
 * The namespaces lab `lab` made: those its mark lists, and the hosts of its
 * state file (a lab built before marks existed).
 */
async function ownedNamespaces(lab: string): Promise<Set<string>> {
  const names = labNames(lab);
  const owned = new Set<string>();
  const dir = `${NETNS_ETC}/${names.switchNs}`;
  try {
    const mark = JSON.parse(await Deno.readTextFile(`${dir}/${OWNER_FILE}`));
    for (const ns of mark.namespaces ?? []) owned.add(String(ns));
  } catch {
    // no mark
  }
  try {
    const state = JSON.parse(await Deno.readTextFile(`${dir}/${STATE_FILE}`));
    owned.add(names.switchNs);
    for (const host of state.hosts ?? []) owned.add(String(host.netns));
    for (const router of state.routers ?? []) owned.add(String(router.netns));
  } catch {
    // not complete
  }
  return owned;
}

/** The processes in each namespace that has any, asking `ip` in parallel. */
async function pidsOf(namespaces: string[]): Promise<Record<string, number[]>> {
  const pids: Record<string, number[]> = {};
  await inParallel(namespaces, async (ns) => {
    const list = await netnsPids(ns);
    if (list.length > 0) pids[ns] = list;
  });
  return pids;
}

/**
 * Removes lab `lab`: stops every process still running in its namespaces
 * (SIGTERM, then SIGKILL after 2 s), deletes the namespaces (which removes
 * the veth pairs and the bridge), the hosts' UTS namespaces and their
 * `/etc/netns` files. Only what the lab made (see {@linkcode labUp}): a
 * namespace of the same name made by someone else stays. Returns the
 * namespaces removed; none if the lab was not there.
 */
export async function labDown(lab: string): Promise<string[]> {
  const names = labNames(lab);
  const owned = await ownedNamespaces(lab);
  const namespaces = (await listNetns()).filter((ns) => owned.has(ns));
  await stopProcesses(namespaces);
  if (namespaces.length > 0) {
    await ip(["-force", "-batch", "-"], {
      input: namespaces.map((ns) => `netns del ${ns}`).join("\n") + "\n",
      allowFailure: true,
    });
  }
  await removeUtsNamespaces([...owned]);
  await removeRouterFiles([...owned]);
  // The /etc/netns directories, including any whose namespace is gone; the
  // switch's (with the mark) last, so an interrupted down can be redone.
  for await (const entry of readDirIfAny(NETNS_ETC)) {
    if (
      entry.isDirectory && owned.has(entry.name) &&
      entry.name !== names.switchNs
    ) {
      await Deno.remove(`${NETNS_ETC}/${entry.name}`, { recursive: true });
    }
  }
  await Deno.remove(`${NETNS_ETC}/${names.switchNs}`, { recursive: true })
    .catch(() => {});
  const left = (await listNetns()).filter((ns) => namespaces.includes(ns));
  if (left.length > 0) {
    throw new RuntimeError({
      en: `could not remove namespaces: ${left.join(", ")}`,
      id: `namespace tidak bisa dihapus: ${left.join(", ")}`,
    });
  }
  return namespaces.sort();
}

async function* readDirIfAny(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}

async function stopProcesses(namespaces: string[]): Promise<void> {
  for (const signal of ["TERM", "KILL"]) {
    const running = await pidsOf(namespaces);
    if (Object.keys(running).length === 0) return;
    for (const [ns, pids] of Object.entries(running)) {
      // The shell's built-in kill, started through `ip` (the one program
      // this tool may run); process ids are machine-wide.
      await ip([
        "netns",
        "exec",
        ns,
        "/bin/sh",
        "-c",
        `kill -${signal} "$@"`,
        "sh",
        ...pids.map(String),
      ], { allowFailure: true });
    }
    if (signal === "TERM") {
      const deadline = Date.now() + 2000;
      while (Date.now() < deadline) {
        const left = await pidsOf(Object.keys(running));
        if (Object.keys(left).length === 0) return;
        await delay(100);
      }
    }
  }
}

/** The `ip` arguments that run `command` in namespace `netns`. */
export function execArgs(netns: string, command: string[]): string[] {
  return ["netns", "exec", netns, ...command];
}

/**
 * What runs `command` on a lab host, after `ip netns exec <ns>`: the command
 * in the host's UTS namespace (its own host name), or, for a host with a
 * root file system, the command inside it (which sets the name itself).
 */
export function onHost(
  host: { name: string; netns: string; rootfs?: string },
  command: string[],
  options: OnHostOptions = {},
): string[] {
  const { env = [], records } = options;
  if (host.rootfs !== undefined) {
    return rootfsCommand({
      rootfs: host.rootfs,
      host: host.name,
      command,
      env,
      records,
    });
  }
  const withEnv = env.length > 0 ? ["env", ...env, ...command] : command;
  const uts = utsPath(host.netns);
  try {
    Deno.statSync(uts);
  } catch {
    // A lab built before hosts had names of their own.
    return withEnv;
  }
  return ["nsenter", `--uts=${uts}`, "--", ...withEnv];
}

/** Options for {@linkcode onHost}. */
export interface OnHostOptions {
  /** Extra environment, as `NAME=value`. */
  env?: string[];
  /** The lab's recording directory, shown inside a root file system. */
  records?: string;
}
