/**
 * Reading a GNS3 project from disk: a `.gns3` file (with the
 * `project-files/` folder beside it, as GNS3 keeps a project), a portable
 * `.gns3project` zip (read in place, nothing unpacked), or a project's
 * folder holding one `.gns3`. Which one it is comes from the file's first
 * bytes, not its name.
 *
 * Besides the topology, the nodes' own network configurations are read:
 * `project-files/docker/<node_id>/etc/network/interfaces` of each Docker
 * node and `project-files/vpcs/<node_id>/startup.vpc` of each VPCS node.
 *
 * @example Read a project written a moment ago
 * ```ts
 * import { readGns3 } from "./read.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/empty.gns3`, JSON.stringify({
 *   type: "topology", revision: 9, name: "empty",
 *   topology: { nodes: [], links: [], drawings: [], computes: [] },
 * }));
 * const source = await readGns3(`${dir}/empty.gns3`);
 * console.log(source.zip, source.project.revision); // false 9
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { dirname, join } from "node:path";
import { RuntimeError, UsageError } from "../cli/errors.ts";
import { type Gns3Project, parseProject } from "./project.ts";
import { fileSource, ZipArchive, ZipError, type ZipLimits } from "./_zip.ts";

/** A node's own network configuration files, as text. */
export interface NodeConfig {
  /** A Docker node's `/etc/network/interfaces`. */
  interfaces?: string;
  /** A VPCS node's `startup.vpc`. */
  vpcs?: string;
}

/** A project as read from disk. */
export interface Gns3Source {
  /** The path given. */
  file: string;
  /** Whether it was a portable project (zip). */
  zip: boolean;
  /** The checked topology. */
  project: Gns3Project;
  /** The configurations found, by node id. */
  configs: Map<string, NodeConfig>;
}

/** Options for {@linkcode readGns3}. */
export interface ReadOptions {
  /** The zip's bounds (tests make them small). */
  limits?: ZipLimits;
}

/** The largest topology file read (GNS3's are kilobytes). */
const MAX_PROJECT_BYTES = 64 * 2 ** 20;
/** The largest node configuration read. */
const MAX_CONFIG_BYTES = 2 ** 20;

function configPaths(
  project: Gns3Project,
): [string, keyof NodeConfig, string][] {
  const paths: [string, keyof NodeConfig, string][] = [];
  for (const node of project.nodes) {
    if (node.type === "docker") {
      paths.push([
        node.id,
        "interfaces",
        `project-files/docker/${node.id}/etc/network/interfaces`,
      ]);
    } else if (node.type === "vpcs") {
      paths.push([
        node.id,
        "vpcs",
        `project-files/vpcs/${node.id}/startup.vpc`,
      ]);
    }
  }
  return paths;
}

function badFile(path: string, text: { en: string; id: string }): UsageError {
  return new UsageError({
    en: `${path}: ${text.en}`,
    id: `${path}: ${text.id}`,
  });
}

/**
 * Reads the project at `path`. Throws a {@linkcode UsageError} (exit 2) for
 * a file that is not a readable GNS3 project, naming the file and why.
 */
export async function readGns3(
  path: string,
  options: ReadOptions = {},
): Promise<Gns3Source> {
  let file = path;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(file);
  } catch (err) {
    throw cannotRead(path, err);
  }
  if (info.isDirectory) file = await projectInFolder(path);
  let handle: Deno.FsFile;
  try {
    handle = await Deno.open(file);
  } catch (err) {
    throw cannotRead(file, err);
  }
  const head = new Uint8Array(4);
  const n = await handle.read(head) ?? 0;
  if (n >= 4 && head[0] === 0x50 && head[1] === 0x4b) {
    return await readZip(path, handle, options.limits);
  }
  handle.close();
  if (info.isFile && (await Deno.stat(file)).size > MAX_PROJECT_BYTES) {
    throw badFile(path, {
      en: `larger than ${MAX_PROJECT_BYTES} bytes: not a GNS3 topology file`,
      id:
        `lebih besar dari ${MAX_PROJECT_BYTES} byte: bukan berkas topologi GNS3`,
    });
  }
  const project = parseProject(await Deno.readTextFile(file), { file: path });
  const configs = new Map<string, NodeConfig>();
  const base = dirname(file);
  for (const [id, key, relative] of configPaths(project)) {
    const text = await readConfig(join(base, relative));
    if (text === undefined) continue;
    const config = configs.get(id) ?? {};
    config[key] = text;
    configs.set(id, config);
  }
  return { file: path, zip: false, project, configs };
}

function cannotRead(path: string, err: unknown): Error {
  if (err instanceof Deno.errors.NotFound) {
    return badFile(path, { en: "no such file", id: "berkas tidak ada" });
  }
  const detail = err instanceof Error
    ? err.message.split("\n", 1)[0]
    : String(err);
  return new RuntimeError({
    en: `${path}: cannot read: ${detail}`,
    id: `${path}: tidak bisa dibaca: ${detail}`,
  });
}

/** The one `.gns3` file in a project's folder. */
async function projectInFolder(dir: string): Promise<string> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".gns3")) found.push(entry.name);
  }
  if (found.length !== 1) {
    throw badFile(dir, {
      en: found.length === 0
        ? "a folder without a .gns3 file"
        : `a folder with ${found.length} .gns3 files (${
          found.sort().join(", ")
        }): name one`,
      id: found.length === 0
        ? "folder tanpa berkas .gns3"
        : `folder dengan ${found.length} berkas .gns3 (${
          found.sort().join(", ")
        }): sebutkan satu`,
    });
  }
  return join(dir, found[0]);
}

/** A node's configuration beside a `.gns3`, or `undefined` if it has none. */
async function readConfig(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile || info.size > MAX_CONFIG_BYTES) return undefined;
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw cannotRead(path, err);
  }
}

async function readZip(
  path: string,
  handle: Deno.FsFile,
  limits: ZipLimits | undefined,
): Promise<Gns3Source> {
  let archive: ZipArchive | undefined;
  try {
    archive = await ZipArchive.open(await fileSource(handle), limits);
    // GNS3 names it project.gns3; a project zipped by hand has its own name.
    let entry = archive.get("project.gns3");
    if (!entry) {
      const others = archive.entries.filter((e) =>
        !e.directory && e.name.endsWith(".gns3")
      );
      if (others.length !== 1) {
        throw badFile(path, {
          en: others.length === 0
            ? "a zip without project.gns3: not a GNS3 portable project"
            : `a zip without project.gns3 and with ${others.length} other .gns3 files`,
          id: others.length === 0
            ? "zip tanpa project.gns3: bukan proyek portabel GNS3"
            : `zip tanpa project.gns3 dan dengan ${others.length} berkas .gns3 lain`,
        });
      }
      entry = others[0];
    }
    const text = new TextDecoder().decode(
      await archive.read(entry, MAX_PROJECT_BYTES),
    );
    const project = parseProject(text, { file: `${path}:${entry.name}` });
    const prefix = entry.name.includes("/")
      ? entry.name.slice(0, entry.name.lastIndexOf("/") + 1)
      : "";
    const configs = new Map<string, NodeConfig>();
    for (const [id, key, relative] of configPaths(project)) {
      const config = archive.get(prefix + relative);
      // A link is never followed: it could point anywhere.
      if (!config || config.directory || config.symlink) continue;
      const found = configs.get(id) ?? {};
      found[key] = new TextDecoder().decode(
        await archive.read(config, MAX_CONFIG_BYTES),
      );
      configs.set(id, found);
    }
    return { file: path, zip: true, project, configs };
  } catch (err) {
    if (err instanceof ZipError) throw badFile(path, err.text);
    throw err;
  } finally {
    if (archive) archive.close();
    else handle.close();
  }
}
