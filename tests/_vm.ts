/**
 * Test helpers for the course's VMs in the namespaces lab: each VM a lab
 * host's namespace with an Alpine-like root file system of its own (its own
 * disk: busybox, musl, no glibc), entered as GNS3's console enters a Docker
 * Alpine node: a plain `sh` as root, no login shell, no profile read.
 *
 * @module
 */

import { runCommand } from "./_dist.ts";
import { shellQuote, Terminal } from "./_pty.ts";

/** alpine-1's address in lab.yaml: where serve runs. */
export const SERVER = "192.168.122.207";
/** The paste line serve prints, for serve on alpine-1. */
export const LINE = `wget -qO- http://${SERVER}:8000/install.sh | sh`;
/** The PATH of a VM's console. */
const PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
/** Where an installed VM keeps its runs. */
export const RECORDS = "/var/lib/progjar/records";

/** One VM: a lab host's namespace with a root file system of its own. */
export class Vm {
  constructor(
    readonly host: string,
    readonly netns: string,
    readonly rootfs: string,
  ) {}

  /** The shell line that enters the VM as its console does: `sh`, as root, nothing set. */
  enter(command: string[]): string[] {
    return [
      "ip",
      "netns",
      "exec",
      this.netns,
      "unshare",
      "-m",
      "-u",
      "--propagation",
      "private",
      "sh",
      "-c",
      'hostname "$2" && mount -t proc proc "$1/proc" && root=$1 && shift 2 && exec chroot "$root" /bin/env -i HOME=/root PATH=' +
      PATH + ' TERM="${TERM:-dumb}" "$@"',
      "sh",
      this.rootfs,
      this.host,
      ...command,
    ];
  }

  /** Runs a command line on the VM (a plain `sh -c`) to its end. */
  run(command: string, env: Record<string, string> = {}) {
    const exports = Object.entries(env).map(([k, v]) => `export ${k}=${v}; `)
      .join("");
    const [program, ...args] = this.enter([
      "/bin/sh",
      "-c",
      exports + command,
    ]);
    return runCommand(program, args);
  }

  /** A console on the VM: a plain interactive `sh` in a terminal. */
  console(): Promise<Terminal> {
    return Terminal.start(this.enter(["/bin/sh"]).map(shellQuote).join(" "));
  }

  /** The run ids in one of the VM's records directories. */
  runs(dir: "pending" | "sent" | "refused"): string[] {
    try {
      return [...Deno.readDirSync(`${this.rootfs}${RECORDS}/${dir}`)]
        .map((e) => e.name.replace(/\.jsonl$/, "")).sort();
    } catch {
      return [];
    }
  }
}

/** Waits until `test` holds, checking every 100 ms; fails after `timeoutMs`. */
export async function until(
  what: string,
  test: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await test()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
