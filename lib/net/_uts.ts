/**
 * Each host's own UTS namespace, so that `hostname` on it says its name:
 * made with `unshare --uts=FILE` and kept bind-mounted on FILE, as
 * `ip netns add` keeps a network namespace.
 *
 * @module
 */

import { RuntimeError } from "../cli/errors.ts";

/** Where the UTS namespaces are kept. */
const UTS_DIR = "/run/progjar-lab/uts";

/** The file that keeps the UTS namespace of the host in `netns`. */
export function utsPath(netns: string): string {
  return `${UTS_DIR}/${netns}`;
}

/**
 * Gives each host a UTS namespace named after it: `unshare --uts=FILE`
 * bind-mounts the new namespace on FILE (as `ip netns add` does for a
 * network namespace) and sets the name inside it.
 */
export async function makeUtsNamespaces(
  hosts: { name: string; netns: string }[],
): Promise<void> {
  if (hosts.length === 0) return;
  await Deno.mkdir(UTS_DIR, { recursive: true });
  const args: string[] = [];
  for (const host of hosts) {
    await Deno.writeTextFile(utsPath(host.netns), "");
    args.push(utsPath(host.netns), host.name);
  }
  // One process from here: in the first host's new namespace, a shell
  // makes the others (unshare leaves the mount namespace alone, so every
  // bind mount lands on the machine's, as `ip netns add` does).
  const script = 'hostname "$2"; shift 2; while [ $# -gt 0 ]; do ' +
    'unshare --uts="$1" hostname "$2" || exit 1; shift 2; done';
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("unshare", {
      args: [`--uts=${args[0]}`, "/bin/sh", "-c", script, "sh", ...args],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new RuntimeError({
        en:
          "the lab needs util-linux's `unshare` for the hosts' names, which is not installed",
        id:
          "lab memerlukan `unshare` dari util-linux untuk nama host, dan itu tidak terpasang",
      });
    }
    throw err;
  }
  if (!output.success) {
    const reason = new TextDecoder().decode(output.stderr).trim().split("\n")
      .at(-1);
    const detail = reason || `exit code ${output.code}`;
    throw new RuntimeError({
      en: `unshare --uts (the hosts' names): ${detail}`,
      id: `unshare --uts (nama host): ${detail}`,
    });
  }
}

/** Unmounts and removes the UTS files of `namespaces` (those that exist). */
export async function removeUtsNamespaces(namespaces: string[]): Promise<void> {
  const files: string[] = [];
  for (const ns of namespaces) {
    try {
      await Deno.stat(utsPath(ns));
      files.push(utsPath(ns));
    } catch {
      // none for this one
    }
  }
  if (files.length === 0) return;
  // One umount for all; a file that is not mounted only makes it complain.
  await new Deno.Command("umount", {
    args: files,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output().catch(() => {});
  for (const file of files) await Deno.remove(file).catch(() => {});
}
