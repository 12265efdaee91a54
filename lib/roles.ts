/**
 * The one table of roles: name, entry file and the Deno permissions each
 * needs, no broader. `deno.json`'s tasks, the compile and bundle tasks, the
 * lab runner and the tests all read it, so what is tested is what ships.
 *
 * @example The command line `deno task broadcast-receiver` runs
 * ```ts
 * import { denoRunArgs, findRole, ROLES } from "./roles.ts";
 *
 * console.log(ROLES.map((role) => role.name).join(" ")); // "udp-server udp-client …"
 * const role = findRole("broadcast-receiver")!;
 * console.log(["deno", ...denoRunArgs(role)].join(" ")); // "deno run --unstable-net … cmd/broadcast_receiver.ts"
 * ```
 *
 * @module
 */

/** Environment variables a role may read: the locale and NO_COLOR. */
const ENV = "--allow-env=LANG,LC_ALL,LC_MESSAGES,NO_COLOR";
/** UDP roles: unstable datagram API, network, `/etc/hosts` for host names. */
const UDP = ["--unstable-net", "--allow-net", ENV, "--allow-read=/etc/hosts"];
/**
 * Broadcast roles: UDP, and the list of this host's interfaces, to tell
 * when an address given is a host's own rather than a broadcast address.
 */
const BROADCAST = [...UDP, "--allow-sys=networkInterfaces"];
/**
 * UDP receivers also run `ss`, and nothing else, to read the kernel's count
 * of datagrams dropped at their socket (`lib/udp/kernel_drops.ts`): Deno
 * lets a program read `/proc` itself only with `--allow-all`.
 */
const KERNEL_DROPS = "--allow-run=ss";
/**
 * Flood receivers may run V8's `gc()`, once, before binding
 * (`lib/udp/collect_garbage.ts`): the first collection otherwise falls in
 * the first flood and overflows the receive buffer at 50,000 datagrams/s.
 */
const EXPOSE_GC = "--v8-flags=--expose-gc";
/** udp-server: UDP and the drop count. */
const UDP_SERVER = [...UDP, KERNEL_DROPS];
/** multicast-receiver: UDP, the drop count and the early collection. */
const MULTICAST_RECEIVER = [...UDP, KERNEL_DROPS, EXPOSE_GC];
/** broadcast-receiver: broadcast roles', the drop count, the early collection. */
const BROADCAST_RECEIVER = [...BROADCAST, KERNEL_DROPS, EXPOSE_GC];
/**
 * The batch path (`--io batch`, `lib/udp/batch_socket.ts`) calls the C
 * library through FFI. FFI can do anything the process can, so only the
 * `:batch` rows grant it; the default roles never do.
 */
const FFI = "--allow-ffi";
/** Batch receivers' `--show-ttl` tells broadcast from unicast by the interfaces. */
const INTERFACES = "--allow-sys=networkInterfaces";
/** The flags a `:batch` row puts after its entry. */
const BATCH_ARGS = ["--io", "batch"];
/**
 * multicast-chat: UDP, the host's name (the default `--name`) and its
 * interfaces' addresses (to tell its own looped-back datagrams), and a young
 * generation capped at 4 MiB per semi-space: under a flood of long lines V8
 * grows it to 16 MiB and the peer to ~127 MB resident instead of ~78 MB
 * (tests/multicast_chat_flood_test.ts).
 */
const MULTICAST_CHAT = [
  ...UDP,
  "--allow-sys=hostname,networkInterfaces",
  "--v8-flags=--max-semi-space-size=4",
];
/** TCP roles: network and `/etc/hosts`. */
const TCP = ["--allow-net", ENV, "--allow-read=/etc/hosts"];
/**
 * chat-server: TCP, and a young generation capped at 4 MiB per semi-space.
 * V8 grows it to 16 MiB under the relay's allocation rate, which costs
 * ~25 MB of resident memory for no measurable speed (bench/chat_bench.ts).
 */
const CHAT_SERVER = [...TCP, "--v8-flags=--max-semi-space-size=4"];

/** One program of the toolkit. */
export interface Role {
  /** The name users type: `deno task <name>`, `progjar <name>`. */
  name: string;
  /** The entry file, relative to the repository root. */
  entry: string;
  /** The `deno run` flags it needs, and nothing broader. */
  permissions: readonly string[];
  /** The program's own flags the row always passes (`--io batch`). */
  args?: readonly string[];
}

/** Every role of the labs, in the order `--help` lists them. */
export const ROLES: readonly Role[] = [
  {
    name: "udp-server",
    entry: "cmd/udp_server.ts",
    permissions: UDP_SERVER,
  },
  { name: "udp-client", entry: "cmd/udp_client.ts", permissions: UDP },
  {
    name: "broadcast-sender",
    entry: "cmd/broadcast_sender.ts",
    permissions: BROADCAST,
  },
  {
    name: "broadcast-receiver",
    entry: "cmd/broadcast_receiver.ts",
    permissions: BROADCAST_RECEIVER,
  },
  {
    name: "multicast-sender",
    entry: "cmd/multicast_sender.ts",
    permissions: UDP,
  },
  {
    name: "multicast-receiver",
    entry: "cmd/multicast_receiver.ts",
    permissions: MULTICAST_RECEIVER,
  },
  {
    name: "multicast-chat",
    entry: "cmd/multicast_chat.ts",
    permissions: MULTICAST_CHAT,
  },
  {
    name: "chat-server",
    entry: "cmd/chat_server.ts",
    permissions: CHAT_SERVER,
  },
  { name: "chat-client", entry: "cmd/chat_client.ts", permissions: TCP },
];

/**
 * The UDP roles' batch path, each with its own task (`deno task
 * broadcast-receiver:batch`): the role's entry and permissions, FFI, and
 * `--io batch`. Not in {@linkcode ROLES}: the packs' launcher
 * (`tools/_launcher.ts`) runs a role with its row's flags only when
 * `--io batch` is on its command line.
 */
export const BATCH_ROLES: readonly Role[] = [
  {
    name: "udp-server:batch",
    entry: "cmd/udp_server.ts",
    permissions: [...UDP_SERVER, INTERFACES, FFI],
    args: BATCH_ARGS,
  },
  {
    name: "broadcast-sender:batch",
    entry: "cmd/broadcast_sender.ts",
    permissions: [...BROADCAST, FFI],
    args: BATCH_ARGS,
  },
  {
    name: "broadcast-receiver:batch",
    entry: "cmd/broadcast_receiver.ts",
    permissions: [...BROADCAST_RECEIVER, FFI],
    args: BATCH_ARGS,
  },
  {
    name: "multicast-sender:batch",
    entry: "cmd/multicast_sender.ts",
    permissions: [...UDP, FFI],
    args: BATCH_ARGS,
  },
  {
    name: "multicast-receiver:batch",
    entry: "cmd/multicast_receiver.ts",
    permissions: [...MULTICAST_RECEIVER, INTERFACES, FFI],
    args: BATCH_ARGS,
  },
];

/**
 * serve's V8 flags: a young generation of 1 MiB per semi-space and no
 * optimizing compiler but for the pack's checksum (`sha256Block`). With
 * V8's defaults 150 downloads at once took serve to 64–80 MB resident; with
 * these, 57–60 MB, at the same speed (docs/benchmarks.md, "serve"). And
 * `gc` for the records store's full collection after every 16 deliveries
 * or 2 MiB read (lib/deploy/_records_spool.ts): without it, 150 VMs posting
 * at once took serve to 72–99 MB, with it 59.5–62.6 MB. Keep in step with
 * deno.json's `serve` task.
 */
export const SERVE_V8_FLAGS =
  "--v8-flags=--expose-gc,--max-semi-space-size=1,--no-maglev,--turbo-filter=sha256Block";

/**
 * `progjar serve` in the self-extracting file (`cmd/serve.ts`): HTTP, the
 * interface list for the lines to paste, the locale, serve's V8 flags, and
 * FFI for sending files by the kernel (`sendfile`).
 * Its launcher adds `--allow-read` of the file's own directory, the one
 * thing it hands out, and nothing else: it builds nothing there.
 */
export const SERVE_PERMISSIONS: readonly string[] = [
  SERVE_V8_FLAGS,
  "--allow-net",
  "--allow-sys=networkInterfaces",
  ENV,
  "--allow-ffi",
];

/**
 * `progjar-send` on a VM installed by serve (`cmd/send.ts`): the VM's
 * state directory (its `serve.conf`, the runs), moving runs within the
 * records directory, `/proc` (whether a run's role still runs), the host's
 * name and interfaces (what the VM says of itself), the locale, the runs
 * whose role no longer runs (the launcher tells, from /proc) and the test's
 * clock skew. Its launcher adds `--allow-net` for serve's address
 * and port only, read from `serve.conf`.
 */
export const SEND_PERMISSIONS: readonly string[] = [
  "--allow-read=/var/lib/progjar,/proc",
  "--allow-write=/var/lib/progjar/records",
  "--allow-sys=hostname,networkInterfaces",
  `${ENV},PROGJAR_SEND_CLOCK_SKEW_MS,PROGJAR_SEND_STOPPED`,
];

/** Looks up a role (or a `:batch` row) by name. */
export function findRole(name: string): Role | undefined {
  return [...ROLES, ...BATCH_ROLES].find((role) => role.name === name);
}

/** The `deno run` command line for a role, e.g. for `deno.json`'s tasks. */
export function denoRunArgs(role: Role): string[] {
  return ["run", ...role.permissions, role.entry, ...role.args ?? []];
}

/**
 * The variable a lab host sets to the recording's permissions, for
 * `deno task <role>`: `--allow-env=PROGJAR_RECORD --allow-write=<its file>`
 * (see {@linkcode recordPermissions}). Unset, as on the machine, it expands
 * to nothing and the role keeps exactly the table's permissions.
 */
export const RECORD_ALLOW_ENV = "PROGJAR_RECORD_ALLOW";

/**
 * The permissions a role gets on a lab host, beyond its own, to record to
 * `path` (`lib/cli/recording.ts`): reading the variable that names it and
 * writing that one file, nothing else.
 */
export function recordPermissions(path: string): string[] {
  return ["--allow-env=PROGJAR_RECORD", `--allow-write=${path}`];
}

/**
 * The role's task in `deno.json`: its `deno run` command line with
 * `$PROGJAR_RECORD_ALLOW` before the entry (see {@linkcode RECORD_ALLOW_ENV}).
 */
export function taskLine(role: Role): string {
  return [
    "deno",
    "run",
    ...role.permissions,
    `$${RECORD_ALLOW_ENV}`,
    role.entry,
    ...role.args ?? [],
  ].join(" ");
}

/**
 * The command line `deno task <name>` runs, with `args` appended, as
 * `[program, ...args]`; the entry is relative to the repository root.
 * Throws for an unknown role.
 */
export function roleCommand(name: string, args: string[] = []): string[] {
  const role = findRole(name);
  if (!role) throw new Error(`no such role: ${name}`);
  return [Deno.execPath(), ...denoRunArgs(role), ...args];
}
