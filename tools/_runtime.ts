/**
 * Where the build tools get a target's `deno` binary and the glibc files it
 * needs: the running deno when it fits the target, else the npm package
 * Deno publishes for it (cached in `dist/.cache`); the glibc loader and
 * libraries come from the build machine (Debian's multiarch directories).
 *
 * @module
 */

import { join } from "node:path";
import {
  DENO_VERSION,
  DIST_DIR,
  elfMachine,
  run,
  type Target,
  ToolError,
} from "./_common.ts";

/** A deno binary for a target, and its version. */
export interface DenoBinary {
  /** Path to the binary. */
  path: string;
  /** Its version, e.g. `2.9.6` (older when npm lacks the newest for the target). */
  version: string;
}

/**
 * Returns a deno binary for `target`: the running one if it fits, else the
 * npm package's (same version if published, else the newest published).
 */
export async function denoFor(target: Target): Promise<DenoBinary> {
  if (elfMachine(Deno.execPath()) === target.elfMachine) {
    return { path: Deno.execPath(), version: DENO_VERSION };
  }
  const cache = join(DIST_DIR, ".cache", "npm");
  await Deno.mkdir(cache, { recursive: true });
  let version = DENO_VERSION;
  let binary = await unpackNpm(target.npmPackage, version, cache);
  if (!binary) {
    const view = await run("npm", ["view", target.npmPackage, "version"], {
      timeoutMs: 60_000,
    });
    version = view.stdout.trim();
    if (view.code !== 0 || !/^\d+\.\d+\.\d+$/.test(version)) {
      throw new ToolError(
        `no deno for ${target.triple}: npm view ${target.npmPackage} failed (is the npm registry reachable?)`,
      );
    }
    binary = await unpackNpm(target.npmPackage, version, cache);
  }
  if (!binary) {
    throw new ToolError(
      `no deno for ${target.triple}: npm pack ${target.npmPackage}@${version} failed`,
    );
  }
  return { path: binary, version };
}

/** `npm pack`s and unpacks the package once; returns its `deno` or undefined. */
async function unpackNpm(
  pkg: string,
  version: string,
  cache: string,
): Promise<string | undefined> {
  const dir = `${cache}/${pkg.replace("/", "+")}@${version}`;
  const binary = `${dir}/package/deno`;
  if (exists(binary)) return binary;
  // npm pack ignores the package's os/cpu fields, so any host can fetch it.
  const packed = await run("npm", ["pack", "--silent", `${pkg}@${version}`], {
    cwd: cache,
    timeoutMs: 600_000,
  });
  const tgz = packed.stdout.trim().split("\n").pop() ?? "";
  if (packed.code !== 0 || tgz === "") return undefined;
  await Deno.mkdir(dir, { recursive: true });
  const untar = await run("tar", ["-xzf", `${cache}/${tgz}`, "-C", dir]);
  await Deno.remove(`${cache}/${tgz}`);
  if (untar.code !== 0 || !exists(binary)) return undefined;
  return binary;
}

/** The glibc files a deno binary needs, as found on the build machine. */
export interface GlibcFiles {
  /** The loader's file name, e.g. `ld-linux-x86-64.so.2`. */
  loader: string;
  /** Every file: the loader and each needed library, by file name. */
  files: { name: string; source: string }[];
}

/**
 * Finds the loader and libraries `deno` needs (`patchelf --print-*`) on the
 * build machine; undefined when some are missing (e.g. no arm64 libc6).
 */
export async function glibcFor(
  deno: string,
  target: Target,
): Promise<GlibcFiles | undefined> {
  const interpreter = (await patchelf(["--print-interpreter", deno])).trim();
  const needed = (await patchelf(["--print-needed", deno])).trim().split("\n")
    .map((l) => l.trim()).filter((l) => l !== "");
  const loader = interpreter.slice(interpreter.lastIndexOf("/") + 1);
  const files = [{ name: loader, source: interpreter }];
  for (const name of needed) {
    if (name === loader) continue;
    files.push({ name, source: `${target.libDir}/${name}` });
  }
  for (const file of files) {
    if (!exists(file.source)) return undefined;
    file.source = await Deno.realPath(file.source);
  }
  return { loader, files };
}

/** Runs patchelf; a missing patchelf is a one-line failure that says how to get it. */
export async function patchelf(args: string[]): Promise<string> {
  let result;
  try {
    result = await run("patchelf", args, { timeoutMs: 60_000 });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new ToolError(
        "patchelf not found: install it (apt-get install patchelf)",
      );
    }
    throw err;
  }
  if (result.code !== 0) {
    throw new ToolError(`patchelf ${args.join(" ")}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Whether a path exists. */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
