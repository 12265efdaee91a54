/**
 * The command line of a shell or command on a lab host, as `lab exec` and
 * the console's panes run it.
 *
 * @module
 */

import { dirname } from "node:path";
import { readEnv } from "../cli/i18n.ts";
import { execArgs, hostNetns, onHost } from "../net/netns.ts";
import { recordEnv, recordsDir } from "../hand/records.ts";

/**
 * The `ip` arguments that run `command` on lab host `target` as `lab exec`
 * does (no command: a shell, as logging in to the VM would give, its prompt
 * naming the host), with the lab's recording environment: every role
 * started there records to the lab's file for that host.
 */
export function hostCommand(
  lab: string,
  target: { name: string; netns: string; rootfs?: string },
  command: string[] = [],
): string[] {
  const host = target.name;
  // A root file system sets its own prompt (alpine-2:~#).
  const argv = command.length > 0
    ? command
    : target.rootfs === undefined
    ? ["env", `PS1=${host}# `, "/bin/sh"]
    : ["/bin/sh"];
  const env = recordEnv(lab, host);
  if (target.rootfs === undefined) {
    // sudo resets PATH: `deno task` on the host finds this deno.
    env.push(
      `PATH=${dirname(Deno.execPath())}:${
        readEnv("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin"
      }`,
    );
  }
  return execArgs(
    hostNetns(lab, host),
    onHost(target, argv, { env, records: recordsDir(lab) }),
  );
}
