/**
 * What `serve` hands out: the artefacts the build tasks write into `dist/`
 * (or that sit next to the self-extracting file), found by name, and the
 * facts the served `install.sh` needs about the Alpine pack (size, SHA-256,
 * unpacked size), computed once per version of the file.
 *
 * @module
 */

import type { PackFacts } from "./install_script.ts";

/** One kind of artefact, by its file name. */
export type ArtefactKind = "alpine-pack" | "self-extracting" | "bundle";

/** A file `serve` may hand out. */
export interface Artefact {
  /** Its name, which is also its URL path (`/progjar.js`). */
  name: string;
  /** Where it is. */
  path: string;
  /** What it is. */
  kind: ArtefactKind;
  /** Its size in bytes. */
  size: number;
  /** When it was written (ms since the epoch). */
  mtime: number;
}

/** The kind of a file by its name, or undefined for a file not served. */
export function artefactKind(name: string): ArtefactKind | undefined {
  if (/^progjar-alpine-[a-z0-9_]+\.tar\.gz$/.test(name)) return "alpine-pack";
  if (/^progjar-[a-z0-9_]+-linux$/.test(name)) return "self-extracting";
  if (name === "progjar.js") return "bundle";
  return undefined;
}

/** The artefacts in `dir`, by name; none when it does not exist. */
export async function listArtefacts(dir: string): Promise<Artefact[]> {
  const found: Artefact[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const kind = artefactKind(entry.name);
      if (!kind) continue;
      const path = `${dir}/${entry.name}`;
      const stat = await Deno.stat(path).catch(() => undefined);
      if (!stat?.isFile) continue;
      found.push({
        name: entry.name,
        path,
        kind,
        size: stat.size,
        mtime: stat.mtime?.getTime() ?? 0,
      });
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The Alpine pack for `machine` among `artefacts`, if there is one. */
export function alpinePackOf(
  artefacts: readonly Artefact[],
  machine: string,
): Artefact | undefined {
  return artefacts.find((a) => a.name === `progjar-alpine-${machine}.tar.gz`);
}

/** Facts already computed, by path, size and time (a rebuilt pack is new). */
const factsCache = new Map<string, PackFacts>();

/**
 * Size, SHA-256 and unpacked size of an Alpine pack; read (about a second
 * for 43 MB) once per version of the file.
 */
export async function packFacts(pack: Artefact): Promise<PackFacts> {
  const key = `${pack.path}\0${pack.size}\0${pack.mtime}`;
  const cached = factsCache.get(key);
  if (cached) return cached;
  const data = await Deno.readFile(pack.path);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, "0"))
    .join("");
  let unpackedSize = 0;
  const reader = new Blob([data]).stream()
    .pipeThrough(new DecompressionStream("gzip")).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    unpackedSize += r.value.length;
  }
  const machine = /^progjar-alpine-(.+)\.tar\.gz$/.exec(pack.name)![1];
  const facts: PackFacts = {
    name: pack.name,
    size: data.length,
    sha256,
    unpackedSize,
    machine,
  };
  factsCache.set(key, facts);
  return facts;
}
