/**
 * The Alpine pack and the self-extracting program inside an Alpine-like root
 * file system: static busybox and the musl loader from Debian's
 * `busybox-static` and `musl` packages, no glibc. Needs root (chroot, mount).
 */

import assert from "node:assert/strict";
import { ROLES } from "../lib/roles.ts";
import { buildAlpinePack } from "../tools/alpine_pack.ts";
import { buildBundle } from "../tools/bundle.ts";
import { buildPack } from "../tools/pack.ts";
import { TARGETS } from "../tools/_common.ts";
import {
  buildRootfs,
  inRootfsArgs as rootfsArgs,
  installAlpinePack,
  rootfsBuildProblem,
} from "../tools/_rootfs.ts";
import {
  batchBroadcastScenario,
  broadcastScenario,
  chatScenario,
  runCommand,
  type Starter,
} from "./_dist.ts";
import { spawn } from "./_harness.ts";

const skip = await rootfsBuildProblem();
if (skip) console.log(`dist_alpine_test: skipped: ${skip}`);

const work = skip
  ? ""
  : await Deno.makeTempDir({ prefix: "progjar-alpine-test-" });
const rootfs = `${work}/rootfs`;
let pack = "";
let selfExtracting = "";

if (!skip) {
  globalThis.addEventListener("unload", () => {
    Deno.removeSync(work, { recursive: true });
  });
}

/** The command line (after `unshare`) that runs `argv` in the rootfs. */
function inRootfsArgs(argv: string[], env: string[]): string[] {
  return rootfsArgs(rootfs, argv, env).slice(1);
}

/** Runs a command in the rootfs to completion. */
function inRootfs(argv: string[], env = ["HOME=/root"]) {
  return runCommand("unshare", inRootfsArgs(argv, env));
}

/** Starts roles inside the rootfs: `<command> <role> …` or the role's own command. */
function rootfsStarter(command: string[]): Starter {
  return (role, args, options = {}) =>
    spawn(
      role,
      "unshare",
      inRootfsArgs([...command, role, ...args], [
        "HOME=/root",
      ]),
      { stdin: options.stdin },
    );
}

/** Every file under the musl side of the rootfs, with its size. */
async function muslSide(): Promise<string[]> {
  const { stdout } = await runCommand("sh", [
    "-c",
    'cd "$1" && find lib lib64 usr/lib etc -exec ls -ld {} + 2>/dev/null | sort',
    "sh",
    rootfs,
  ]);
  return stdout.split("\n");
}

Deno.test({
  name:
    "build: an Alpine-like rootfs (busybox, musl, no glibc) and the artefacts",
  ignore: skip !== undefined,
  fn: async () => {
    await buildRootfs(rootfs);

    const out = `${work}/dist`;
    const bundle = await buildBundle({ outDir: out });
    const x86 = TARGETS.find((t) => t.machine === "x86_64")!;
    pack = await buildAlpinePack(x86, { outDir: out, bundle });
    selfExtracting = (await buildPack(x86, { outDir: out, bundle })).path;
  },
});

Deno.test({
  name:
    'rootfs: without the pack, a glibc deno fails with busybox\'s "not found"',
  ignore: skip !== undefined,
  fn: async () => {
    await Deno.copyFile(Deno.execPath(), `${rootfs}/root/deno`);
    try {
      const { code, stderr } = await inRootfs([
        "/bin/sh",
        "-c",
        "/root/deno --version",
      ]);
      assert.equal(code, 127);
      assert.match(stderr, /\/root\/deno: not found/);
    } finally {
      await Deno.remove(`${rootfs}/root/deno`);
    }
  },
});

Deno.test({
  name: "rootfs: install.sh installs deno and the roles without touching musl",
  ignore: skip !== undefined,
  fn: async () => {
    const before = await muslSide();
    const installed = await installAlpinePack(rootfs, pack);
    assert.match(installed, /installed deno \d+\.\d+\.\d+/);
    assert.deepEqual(await muslSide(), before, "nothing of musl changed");

    const help = await inRootfs(["progjar", "--help"]);
    assert.equal(help.code, 0, help.stderr);
    for (const role of ROLES) assert.match(help.stdout, new RegExp(role.name));
    const version = await inRootfs(["/opt/progjar/bin/deno", "--version"]);
    assert.equal(version.code, 0, version.stderr);
  },
});

Deno.test({
  name: "rootfs: after install.sh, the broadcast lab runs (role commands)",
  ignore: skip !== undefined,
  fn: async () => {
    await broadcastScenario(rootfsStarter([]));
  },
});

Deno.test({
  name: "rootfs: after install.sh, the chat lab runs (progjar <role>)",
  ignore: skip !== undefined,
  fn: async () => {
    await chatScenario(rootfsStarter(["progjar"]));
  },
});

Deno.test({
  name:
    "rootfs: after install.sh, --io batch runs on the pack's own glibc (FFI)",
  ignore: skip !== undefined,
  fn: async () => {
    await batchBroadcastScenario(rootfsStarter([]));
    // The plain role's permissions (no --allow-ffi): one line, exit 1.
    const role = ROLES.find((r) => r.name === "broadcast-receiver")!;
    const noFfi = await inRootfs([
      "/opt/progjar/bin/deno",
      "run",
      "--no-prompt",
      ...role.permissions,
      "/opt/progjar/lib/progjar.js",
      role.name,
      "--io",
      "batch",
      "--port",
      "0",
    ]);
    assert.equal(noFfi.code, 1, noFfi.stderr);
    // Deno's own "Info" line on a missing `ss` (no ss in busybox) aside.
    const lines = noFfi.stderr.trim().split("\n").filter((line) =>
      !line.startsWith("Info ")
    );
    assert.equal(lines.length, 1, noFfi.stderr);
    assert.match(noFfi.stderr, /--io batch/);
    // Through the pack's own command that note never appears: the launcher
    // grants ss only where there is one.
    const viaLauncher = await inRootfs([
      "/usr/local/bin/broadcast-receiver",
      "--help",
    ]);
    assert.equal(viaLauncher.code, 0, viaLauncher.stderr);
    assert.doesNotMatch(viaLauncher.stderr, /ss|Info/, viaLauncher.stderr);
  },
});

Deno.test({
  name: "rootfs: install.sh --uninstall removes what it installed",
  ignore: skip !== undefined,
  fn: async () => {
    const { code, stderr } = await inRootfs([
      "/bin/sh",
      "/root/progjar-alpine-x86_64/install.sh",
      "--uninstall",
    ]);
    assert.equal(code, 0, stderr);
    assert.throws(() => Deno.statSync(`${rootfs}/opt/progjar`));
    assert.throws(() => Deno.lstatSync(`${rootfs}/usr/local/bin/progjar`));
  },
});

Deno.test({
  name:
    "rootfs: the self-extracting program runs roles, by argument and by name",
  ignore: skip !== undefined,
  fn: async () => {
    await Deno.copyFile(selfExtracting, `${rootfs}/root/progjar-x86_64-linux`);
    await Deno.chmod(`${rootfs}/root/progjar-x86_64-linux`, 0o755);
    // Without HOME it unpacks under /tmp.
    const help = await inRootfs(["/root/progjar-x86_64-linux", "--help"], []);
    assert.equal(help.code, 0, help.stderr);
    for (const role of ROLES) assert.match(help.stdout, new RegExp(role.name));
    const unknown = await inRootfs(["/root/progjar-x86_64-linux", "nope"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown role "nope"/);

    await Deno.mkdir(`${rootfs}/root/bin`);
    for (const role of ROLES) {
      await Deno.symlink(
        "../progjar-x86_64-linux",
        `${rootfs}/root/bin/${role.name}`,
      );
    }
    await broadcastScenario((role, args, options = {}) =>
      spawn(
        role,
        "unshare",
        inRootfsArgs([`/root/bin/${role}`, ...args], [
          "HOME=/root",
        ]),
        { stdin: options.stdin },
      )
    );
    await chatScenario(rootfsStarter(["/root/progjar-x86_64-linux"]));
    await batchBroadcastScenario(rootfsStarter(["/root/progjar-x86_64-linux"]));
  },
});
