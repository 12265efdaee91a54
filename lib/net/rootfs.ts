/**
 * Lab hosts that run "on the VM": inside an Alpine-like root file system
 * (busybox, musl, progjar installed by the Alpine pack's `install.sh`, as a
 * student installs it on an Alpine VM). Each command on such a host runs as
 *
 * ```sh
 * ip netns exec <ns> unshare --uts sh -c '<mount /proc, hosts; set hostname>' \
 *   chroot <rootfs> env -i HOME=/root PATH=… <command>
 * ```
 *
 * `ip netns exec` already gives the command a mount namespace of its own
 * (slave to the machine's), so the `/proc` and `/etc/hosts` mounts made there
 * never reach the machine and vanish when the command ends: nothing is left
 * to unmount, after `lab down` or after a failure.
 *
 * @module
 */

import { resolve } from "node:path";
import { UsageError } from "../cli/errors.ts";
import type { LabNetwork } from "./network.ts";

/** Where the Alpine pack's `install.sh` links the role commands. */
export const ROOTFS_BIN = "/usr/local/bin";

/** The command that builds a root file system for the lab. */
export const ROOTFS_HINT = "build one with: sudo deno task alpine-rootfs";

/**
 * Prepares the chroot, then runs `"$@"` in it. `/proc`: deno needs it
 * (`/proc/self/exe`, node compatibility); `/etc/hosts`: the lab's host
 * names (the file `ip netns exec` mounted for this namespace); the host
 * name: the lab host's, in a UTS namespace of its own, for the prompt.
 */
const ENTER = [
  "set -e",
  "root=$1 name=$2 records=$3; shift 3",
  'mount -t proc proc "$root/proc"',
  'mount --bind /etc/hosts "$root/etc/hosts"',
  // The lab's recording directory at the same path inside, on a /run of
  // this command's own (nothing is written into the root file system).
  'if [ -n "$records" ]; then',
  // A root file system built before /run was part of it: an empty one.
  '  [ -d "$root/run" ] || mkdir "$root/run"',
  '  mount -t tmpfs -o size=64k,mode=755 run "$root/run"',
  '  mkdir -p "$root$records"',
  '  mount --bind "$records" "$root$records"',
  "fi",
  'echo "$name" > /proc/sys/kernel/hostname',
  // No update check: a VM in the lab has no way out, and must not try.
  'exec chroot "$root" /bin/env -i HOME=/root DENO_NO_UPDATE_CHECK=1 ' +
  `PATH=${ROOTFS_BIN}:/usr/bin:/bin:/usr/sbin:/sbin ` +
  'TERM="${TERM:-dumb}" "PS1=\\h:\\w\\$ " "$@"',
].join("\n");

/** What {@linkcode rootfsCommand} runs, and where. */
export interface RootfsCommandOptions {
  /** The root file system (an absolute path on the machine). */
  rootfs: string;
  /** The lab host's name (its host name inside). */
  host: string;
  /** The program (a path inside the root file system or a command in PATH) and its arguments. */
  command: string[];
  /** Extra environment inside, as `NAME=value`. */
  env?: string[];
  /** A directory of the machine to show inside at the same path (the lab's recordings). */
  records?: string;
}

/**
 * The command line that runs `command` inside `rootfs` as lab host `host`;
 * it goes after `ip netns exec <ns>`.
 */
export function rootfsCommand(options: RootfsCommandOptions): string[] {
  const { rootfs, host, command, env = [], records = "" } = options;
  return [
    "unshare",
    "--uts",
    "/bin/sh",
    "-c",
    ENTER,
    "sh",
    rootfs,
    host,
    records,
    ...env,
    ...command,
  ];
}

/**
 * Why `rootfs` cannot hold lab hosts, or `undefined` when it can: it must
 * be a directory with `/bin/sh`, `/bin/env`, `/etc/hosts` and `/proc`, and
 * progjar installed (`/usr/local/bin/progjar`).
 */
export function rootfsProblem(rootfs: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(rootfs);
  } catch {
    return `${rootfs} does not exist (${ROOTFS_HINT})`;
  }
  if (!info.isDirectory) return `${rootfs} is not a directory`;
  for (
    const [path, what] of [
      ["bin/sh", "a shell"],
      ["bin/env", "env"],
      ["etc/hosts", "a hosts file"],
      ["proc", "a /proc mount point"],
    ]
  ) {
    if (!existsLink(`${rootfs}/${path}`)) {
      return `${rootfs} is not a root file system: no /${path} (${what})`;
    }
  }
  if (!existsLink(`${rootfs}${ROOTFS_BIN}/progjar`)) {
    return `${rootfs} has no progjar installed (no ${ROOTFS_BIN}/progjar; ${ROOTFS_HINT})`;
  }
  return undefined;
}

/** Whether role command `role` is installed in `rootfs`. */
export function hasRoleCommand(rootfs: string, role: string): boolean {
  return existsLink(`${rootfs}${ROOTFS_BIN}/${role}`);
}

/** Links inside the rootfs point at rootfs paths: only the link itself can be checked. */
function existsLink(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `topology` with every host in root file system `dir` (from `--rootfs`,
 * relative to the working directory). Throws a {@linkcode UsageError} if
 * `dir` is not one.
 */
export function withRootfs<T extends LabNetwork>(topology: T, dir: string): T {
  const rootfs = resolve(dir);
  const problem = rootfsProblem(rootfs);
  if (problem) {
    throw new UsageError({
      en: `--rootfs ${dir}: ${problem}`,
      id: `--rootfs ${dir}: ${problem}`,
    });
  }
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({ ...host, rootfs })),
  };
}
