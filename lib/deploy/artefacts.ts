/**
 * What `serve` hands out: the artefacts the build tasks write into `dist/`
 * (or that sit next to the self-extracting file), found by name, and the
 * facts the served `install.sh` needs about the Alpine pack (size, SHA-256,
 * unpacked size), computed once per version of the file.
 *
 * @module
 */

import { Sha256 } from "./_sha256.ts";
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

/** Facts computed or being computed, by path, size and time (a rebuilt pack is new). */
const factsCache = new Map<string, Promise<PackFacts>>();

/**
 * Size, SHA-256 and unpacked size of an Alpine pack, read once per version
 * of the file (about 0.3 s for 43 MB) through one 64 KiB buffer: the pack is
 * never held whole (reading it whole and gunzipping it to count once took
 * serve to 360 MB at its start). The unpacked size is gzip's own record of
 * it (the last 4 bytes: the size modulo 4 GiB; the packs hold ~100 MB in
 * one gzip member, as `deno task alpine-pack` writes them).
 */
export function packFacts(pack: Artefact): Promise<PackFacts> {
  const key = `${pack.path}\0${pack.size}\0${pack.mtime}`;
  let facts = factsCache.get(key);
  if (!facts) {
    facts = readFacts(pack);
    factsCache.set(key, facts);
    facts.catch(() => factsCache.delete(key));
  }
  return facts;
}

async function readFacts(pack: Artefact): Promise<PackFacts> {
  const hash = new Sha256();
  const buffer = new Uint8Array(64 * 1024);
  const last = new Uint8Array(4);
  let size = 0;
  using file = await Deno.open(pack.path);
  for (
    let n = await file.read(buffer);
    n !== null;
    n = await file.read(buffer)
  ) {
    const chunk = buffer.subarray(0, n);
    hash.update(chunk);
    size += n;
    // The last 4 bytes seen so far, across chunk boundaries.
    if (n >= 4) last.set(chunk.subarray(n - 4));
    else {
      last.copyWithin(0, n);
      last.set(chunk, 4 - n);
    }
  }
  const machine = /^progjar-alpine-(.+)\.tar\.gz$/.exec(pack.name)![1];
  return {
    name: pack.name,
    size,
    sha256: hash.hex(),
    unpackedSize: new DataView(last.buffer).getUint32(0, true),
    machine,
  };
}
