/**
 * Internal: the lab's topology as a command needs it, from lab.yaml or from
 * a GNS3 project (`--gns3 FILE`, with lab.yaml's scenarios, names'
 * addresses and cover when there is one), and `lab export --gns3 FILE`.
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import { type Lang, plural } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import type { CommandSpec } from "../cli/parse.ts";
import { writeGns3 } from "../gns3/export.ts";
import { importGns3 } from "../gns3/import.ts";
import { readGns3 } from "../gns3/read.ts";
import { withRootfs } from "../net/rootfs.ts";
import { parseSubnet } from "../net/subnet.ts";
import { loadTopology, type Topology } from "../scenario/topology.ts";
import type { LabArgs } from "./_args.ts";

const TEXT = {
  en: {
    imported: (file: string, hosts: number, on: string) =>
      `${file}: ${plural(hosts, "host", "hosts")} on ${on || "no switch"}`,
    zip: (file: string, hosts: number) =>
      `wrote ${file}: a GNS3 portable project (${
        plural(hosts, "Docker Alpine host", "Docker Alpine hosts")
      } on Switch1, NAT1); in GNS3: File → Import portable project`,
    gns3: (file: string, hosts: number) =>
      `wrote ${file} and ${
        plural(hosts, "network configuration", "network configurations")
      } in project-files/ beside it; in GNS3: File → Open project`,
  },
  id: {
    imported: (file: string, hosts: number, on: string) =>
      `${file}: ${hosts} host pada ${on || "tanpa switch"}`,
    zip: (file: string, hosts: number) =>
      `${file} ditulis: proyek portabel GNS3 (${hosts} host Docker Alpine pada Switch1, NAT1); di GNS3: File → Import portable project`,
    gns3: (file: string, hosts: number) =>
      `${file} ditulis, dengan ${hosts} konfigurasi jaringan di project-files/ di sebelahnya; di GNS3: File → Open project`,
  },
};

/** What {@linkcode loadLab} needs besides the command line. */
export interface LoadOptions {
  /** The roles' command lines, for lab.yaml's scenarios. */
  specs: Readonly<Record<string, CommandSpec>>;
  /** lab.yaml when `--file` is not given: with `--gns3`, it may be missing. */
  defaultFile: string;
  /** Where the import's lines go. */
  out: Output;
  /** Their language. */
  lang: Lang;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The topology the command works on, or `undefined` when it needs none
 * (`down`, `status`, `capture`, `exec` with `--name`). With `--gns3`, the hosts are
 * the project's; what was left out is printed, one line each, before
 * anything is built (`--strict` refuses instead, exit 2).
 */
export async function loadLab(
  args: LabArgs,
  options: LoadOptions,
): Promise<Topology | undefined> {
  const { command, file } = args;
  const onlyName = command === "down" || command === "status" ||
    command === "capture" ||
    (command === "exec" && args.name !== undefined);
  if (command === "export" || args.gns3 === undefined) {
    if (onlyName && args.name !== undefined) return undefined;
    const loaded = await loadTopology(file, { specs: options.specs });
    return args.rootfs !== undefined ? withRootfs(loaded, args.rootfs) : loaded;
  }
  // lab.yaml gives the lab's name, scenarios and known addresses; only
  // the one named with --file must exist.
  const base = file !== options.defaultFile || await exists(file)
    ? await loadTopology(file, { specs: options.specs })
    : undefined;
  // With --name, the running lab knows its hosts; without, lab.yaml's
  // name is the lab's.
  if (onlyName) return args.name !== undefined ? undefined : base;
  let subnet;
  if (args.subnet !== undefined) {
    const parsed = parseSubnet(args.subnet);
    if (typeof parsed === "string") {
      throw new UsageError({
        en: `--subnet: ${parsed}`,
        id: `--subnet: ${parsed} (harus subnet seperti 192.168.122.0/24)`,
      });
    }
    subnet = parsed;
  }
  const imported = importGns3(await readGns3(args.gns3), {
    base,
    subnet,
    strict: args.strict,
  });
  const { topology, notes, scenarioNotes } = imported;
  const { out, lang } = options;
  const verbose = ["up", "run", "console", "list"].includes(command);
  if (verbose) {
    out.line(
      TEXT[lang].imported(
        args.gns3,
        topology.hosts.length,
        imported.bridges.join(", "),
      ),
    );
    for (const note of notes) out.line(`${args.gns3}: ${note[lang]}`);
  }
  const scenarioLines = command === "run" || command === "list";
  if (scenarioLines) {
    for (const note of scenarioNotes) out.line(`${args.gns3}: ${note[lang]}`);
  }
  if (verbose) {
    out.record({
      type: "gns3",
      file: args.gns3,
      hosts: topology.hosts.map((h) => h.name),
      bridges: imported.bridges,
      notes: notes.map((n) => n.en),
      ...(scenarioLines
        ? { scenariosLeftOut: scenarioNotes.map((n) => n.en) }
        : {}),
    });
  }
  if (command === "run") {
    // A scenario asked for by name that the project cannot run: say why.
    for (const wanted of args.operands) {
      const note = scenarioNotes.find((n) =>
        n.en.startsWith(`scenario ${wanted} left out:`)
      );
      if (note) {
        throw new UsageError({
          en: `${args.gns3}: ${note.en}`,
          id: `${args.gns3}: ${note.id}`,
        });
      }
    }
  }
  return args.rootfs !== undefined
    ? withRootfs(topology, args.rootfs)
    : topology;
}

/** `lab export --gns3 FILE`: writes the lab of `topology` as a GNS3 project. */
export async function exportLab(
  out: Output,
  options: { topology: Topology; file: string; lang: Lang },
): Promise<number> {
  const { topology, file, lang } = options;
  const written = await writeGns3(topology, file);
  out.line(
    written.format === "zip"
      ? TEXT[lang].zip(file, topology.hosts.length)
      : TEXT[lang].gns3(file, topology.hosts.length),
  );
  out.record({
    type: "export",
    file,
    format: written.format,
    hosts: topology.hosts.map((h) => ({ name: h.name, address: h.address })),
    files: written.files,
  });
  return 0;
}
