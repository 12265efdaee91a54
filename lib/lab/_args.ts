/**
 * Internal: the lab tool's command line checked, beyond what the flag
 * parser knows: a command, its operands, and the flags that belong to it.
 *
 * @module
 */

import { UsageError } from "../cli/errors.ts";
import { type ParsedFlags, stringFlag } from "../cli/parse.ts";

/** The lab tool's commands. */
export const COMMANDS = [
  "up",
  "down",
  "status",
  "list",
  "exec",
  "run",
  "console",
  "report",
  "export",
  "capture",
  "view",
] as const;

/** One of {@linkcode COMMANDS}. */
export type LabCommand = (typeof COMMANDS)[number];

/** What the command line asks for, checked. */
export interface LabArgs {
  /** The command. */
  command: LabCommand;
  /** The operands after the command (scenarios for run, the host for exec). */
  operands: string[];
  /** The command after `--` (exec). */
  afterDash: string[];
  /** The topology file (`--file`). */
  file: string;
  /** The lab's name (`--name`), if given. */
  name?: string;
  /** `--rootfs`, if given. */
  rootfs?: string;
  /** `--all`. */
  all: boolean;
  /** `--report`, if given. */
  report?: string;
  /** `--keep`. */
  keep: boolean;
  /** `--student`, `--nim`, `--kelas`: the report's cover. */
  cover: { student?: string; nim?: string; kelas?: string };
  /** `--lang` as given, if it was (repeated in hints). */
  langFlag?: string;
  /** `--keep-records` (down). */
  keepRecords: boolean;
  /** `--since` (report), if given. */
  since?: string;
  /** `--list` (report). */
  list: boolean;
  /** `--only` (report), if given. */
  only?: string;
  /** `--records DIR` (report), if given. */
  records?: string;
  /** `--detach` (console). */
  detach: boolean;
  /** `--gns3`: the GNS3 project to import (or, for export, to write). */
  gns3?: string;
  /** `--strict`: refuse a project the lab would change. */
  strict: boolean;
  /** `--subnet`, if given (the imported project's subnet). */
  subnet?: string;
  /** `--capture DIR` (run, console, capture start), if given. */
  capture?: string;
  /** `--no-capture` (run). */
  noCapture: boolean;
  /** `--port`, `--bind`, `--pcap` (view), as given. */
  view: { port?: string; bind?: string; pcap?: string };
}

/** Which commands take each command-specific flag. */
const FLAG_COMMANDS: Record<string, readonly LabCommand[]> = {
  all: ["run"],
  report: ["run", "report"],
  keep: ["run"],
  student: ["run", "report"],
  nim: ["run", "report"],
  kelas: ["run", "report"],
  "keep-records": ["down"],
  since: ["report"],
  list: ["report"],
  only: ["report"],
  records: ["report"],
  detach: ["console"],
  capture: ["run", "console", "capture"],
  "no-capture": ["run"],
  port: ["view"],
  bind: ["view"],
  pcap: ["view"],
};

/**
 * Checks the command and which flags go with it. Throws a
 * {@linkcode UsageError} for a missing or unknown command, or a flag or
 * operand the command does not take.
 */
export function labArgs(flags: ParsedFlags): LabArgs {
  const [command, ...rest] = flags.operands;
  const after = flags.afterDash;
  if (command === undefined) {
    throw new UsageError({
      en: `a command is needed: ${COMMANDS.join(", ")} (see --help)`,
      id: `perlu sebuah perintah: ${COMMANDS.join(", ")} (lihat --help)`,
    });
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError({
      en: `unknown command "${command}" (commands: ${COMMANDS.join(", ")})`,
      id: `perintah "${command}" tidak dikenal (perintah: ${
        COMMANDS.join(", ")
      })`,
    });
  }
  const cmd = command as LabCommand;
  if (cmd !== "exec" && after.length > 0) {
    throw new UsageError({
      en: `"--" is only for exec HOST -- COMMAND`,
      id: `"--" hanya untuk exec HOST -- PERINTAH`,
    });
  }
  if (cmd !== "run" && cmd !== "exec" && cmd !== "capture" && rest.length > 0) {
    throw new UsageError({
      en: `${cmd} takes no arguments, got "${rest[0]}"`,
      id: `${cmd} tidak menerima argumen, ada "${rest[0]}"`,
    });
  }
  for (const [flag, commands] of Object.entries(FLAG_COMMANDS)) {
    if (!commands.includes(cmd) && flags.values[flag] !== undefined) {
      throw new UsageError({
        en: `--${flag} is only for ${commands.join(" and ")}`,
        id: `--${flag} hanya untuk ${commands.join(" dan ")}`,
      });
    }
  }
  if (
    flags.values.capture !== undefined && flags.values["no-capture"] === true
  ) {
    throw new UsageError({
      en: "give --capture DIR or --no-capture, not both",
      id: "beri --capture DIR atau --no-capture, jangan keduanya",
    });
  }
  const rootfsFlag = stringFlag(flags, "rootfs");
  if (
    rootfsFlag !== undefined && cmd !== "run" && cmd !== "up" &&
    cmd !== "console"
  ) {
    throw new UsageError({
      en:
        `--rootfs is only for up, run and console (exec uses the root file system the lab was built with)`,
      id:
        `--rootfs hanya untuk up, run dan console (exec memakai root file system tempat lab dibangun)`,
    });
  }
  const gns3 = stringFlag(flags, "gns3");
  checkGns3Flags(cmd, flags, gns3);
  return {
    command: cmd,
    operands: rest,
    afterDash: after,
    file: stringFlag(flags, "file")!,
    name: stringFlag(flags, "name"),
    rootfs: rootfsFlag,
    all: flags.values.all === true,
    report: stringFlag(flags, "report"),
    keep: flags.values.keep === true,
    cover: {
      student: stringFlag(flags, "student"),
      nim: stringFlag(flags, "nim"),
      kelas: stringFlag(flags, "kelas"),
    },
    langFlag: stringFlag(flags, "lang"),
    keepRecords: flags.values["keep-records"] === true,
    since: stringFlag(flags, "since"),
    list: flags.values.list === true,
    only: stringFlag(flags, "only"),
    records: stringFlag(flags, "records"),
    detach: flags.values.detach === true,
    gns3,
    strict: flags.values.strict === true,
    subnet: stringFlag(flags, "subnet"),
    capture: stringFlag(flags, "capture"),
    noCapture: flags.values["no-capture"] === true,
    view: {
      port: stringFlag(flags, "port"),
      bind: stringFlag(flags, "bind"),
      pcap: stringFlag(flags, "pcap"),
    },
  };
}

/** `--gns3` goes with every command; `--strict` and `--subnet` with it, but not with export. */
function checkGns3Flags(
  cmd: LabCommand,
  flags: ParsedFlags,
  gns3: string | undefined,
): void {
  if (cmd === "export" && gns3 === undefined) {
    throw new UsageError({
      en:
        "export needs --gns3 FILE: the project to write (FILE.gns3project or FILE.gns3)",
      id:
        "export perlu --gns3 FILE: proyek yang ditulis (FILE.gns3project atau FILE.gns3)",
    });
  }
  for (const flag of ["strict", "subnet"]) {
    if (flags.values[flag] === undefined) continue;
    if (cmd === "export" || gns3 === undefined) {
      throw new UsageError({
        en:
          `--${flag} is for importing a GNS3 project: --gns3 FILE with up, run, console, …`,
        id:
          `--${flag} untuk mengimpor proyek GNS3: --gns3 FILE dengan up, run, console, …`,
      });
    }
  }
}
