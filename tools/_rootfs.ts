/**
 * An Alpine-like root file system built from the build machine's Debian
 * packages: static busybox (`busybox-static`) and the musl loader (`musl`),
 * no glibc. Shared by `deno task alpine-rootfs` (the lab's hosts as Alpine
 * VMs) and the Alpine tests, so what the lab runs in is what is tested.
 * Needs root (mknod, chroot, mount).
 *
 * @module
 */

import { mustRun, run, ToolError } from "./_common.ts";

/** Static busybox on the build machine (Debian: busybox-static). */
export const BUSYBOX = "/bin/busybox";
/** The musl loader on the build machine (Debian: musl). */
export const MUSL_LOADER = "/lib/ld-musl-x86_64.so.1";

/** Why no rootfs can be built here, or `undefined` when one can. */
export async function rootfsBuildProblem(): Promise<string | undefined> {
  if (Deno.build.arch !== "x86_64") return "the rootfs is built for x86_64";
  if (Deno.uid() !== 0) return "needs root (mknod, chroot and mount)";
  for (
    const [path, pkg] of [[BUSYBOX, "busybox-static"], [MUSL_LOADER, "musl"]]
  ) {
    try {
      Deno.statSync(path);
    } catch {
      return `${path} is missing (apt-get install ${pkg})`;
    }
  }
  const file = await run("sh", ["-c", `file -L ${BUSYBOX} 2>&1 || true`]);
  if (/dynamically linked/.test(file.stdout)) {
    return `${BUSYBOX} is not static (apt-get install busybox-static)`;
  }
  const patchelf = await run("sh", ["-c", "command -v patchelf"]);
  if (patchelf.code !== 0) {
    return "patchelf is missing (apt-get install patchelf)";
  }
  return undefined;
}

/**
 * Builds the skeleton at `dir` (which must not exist or be empty): busybox
 * with every applet linked into `/bin`, the musl loader, `/etc/hosts`,
 * `/etc/passwd`, `/dev/null`, `/tmp`, `/root`, `/run` and a `/proc` mount point.
 */
export async function buildRootfs(dir: string): Promise<void> {
  for (
    const sub of ["bin", "lib", "etc", "tmp", "root", "proc", "dev", "run"]
  ) {
    await Deno.mkdir(`${dir}/${sub}`, { recursive: true });
  }
  await Deno.chmod(`${dir}/tmp`, 0o1777);
  await Deno.copyFile(BUSYBOX, `${dir}/bin/busybox`);
  await Deno.chmod(`${dir}/bin/busybox`, 0o755);
  await Deno.copyFile(MUSL_LOADER, `${dir}/lib/ld-musl-x86_64.so.1`);
  await Deno.writeTextFile(`${dir}/etc/hosts`, "127.0.0.1 localhost\n");
  await Deno.writeTextFile(
    `${dir}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\n",
  );
  await Deno.writeTextFile(`${dir}/etc/hostname`, "alpine\n");
  await mustRun("sh", [
    "-c",
    'mknod -m 666 "$1/dev/null" c 1 3 && chroot "$1" /bin/busybox --install -s /bin',
    "sh",
    dir,
  ]);
}

/**
 * The command line that runs `argv` inside `rootfs` with `/proc` mounted,
 * in a private mount namespace (the mount goes away with the command).
 */
export function inRootfsArgs(
  rootfs: string,
  argv: string[],
  env: string[] = ["HOME=/root"],
): string[] {
  return [
    "unshare",
    "-m",
    "--propagation",
    "private",
    "sh",
    "-c",
    'root=$1; shift; mount -t proc proc "$root/proc" && exec chroot "$root" "$@"',
    "sh",
    rootfs,
    "/bin/env",
    "-i",
    ...env,
    "PATH=/usr/local/bin:/usr/bin:/bin",
    "NO_COLOR=1",
    "LANG=C.UTF-8",
    "DENO_NO_UPDATE_CHECK=1",
    ...argv,
  ];
}

/**
 * Installs the Alpine pack `pack` (a `.tar.gz` from `deno task
 * alpine-pack`) into `rootfs` the way a student does on the VM: unpack it
 * in `/root`, run `sh install.sh`. Returns install.sh's output.
 */
export async function installAlpinePack(
  rootfs: string,
  pack: string,
): Promise<string> {
  await Deno.copyFile(pack, `${rootfs}/root/pack.tar.gz`);
  const [program, ...args] = inRootfsArgs(rootfs, [
    "/bin/sh",
    "-c",
    "cd /root && tar -xzf pack.tar.gz && rm pack.tar.gz && sh progjar-alpine-*/install.sh",
  ]);
  const result = await run(program, args, { timeoutMs: 300_000 });
  if (result.code !== 0) {
    throw new ToolError(
      `install.sh in ${rootfs} failed: ${
        result.stderr.trim().split("\n").at(-1) ?? `exit ${result.code}`
      }`,
    );
  }
  return result.stdout;
}
