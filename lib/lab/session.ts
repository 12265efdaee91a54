/**
 * The lab tool's commands: `up`, `down`, `status`, `list`, `exec`, `run`,
 * `console`, `report` and `export` (see `cmd/lab.ts` for the command line).
 * {@linkcode runLab} reads the topology file (or a GNS3 project), names the
 * lab and runs one command.
 *
 * @module
 */

import { EXIT_OK, RuntimeError, UsageError } from "../cli/errors.ts";
import { runOnTerminal } from "../cli/child.ts";
import type { Lang } from "../cli/i18n.ts";
import type { Output } from "../cli/output.ts";
import type { CommandSpec } from "../cli/parse.ts";
import type { RoleContext } from "../cli/run.ts";
import { labArgs } from "./_args.ts";
import { IP } from "../net/ip.ts";
import { run } from "./_run.ts";
import { shortList, type Ui, up, withInterrupt } from "./_session.ts";
import { shellLine } from "../cli/shell_line.ts";
import { TEXT } from "./_texts.ts";
import {
  checkLabPrivileges,
  labDown,
  labStatus,
  labsUp,
} from "../net/netns.ts";
import { recordedHosts, recordsDir, removeRecords } from "../hand/records.ts";
import { killConsole } from "../hand/console.ts";
import { labConsole } from "./_console.ts";
import { hostCommand } from "./_host_command.ts";
import { status } from "./_status.ts";
import { handReport } from "./_hand_report.ts";
import { captureCommand, stopHandCaptures } from "./_capture.ts";
import { labView } from "./_view.ts";
import { coverOf } from "../report/model.ts";
import { scenarioDescription, type Topology } from "../scenario/topology.ts";
import { exportLab, loadLab } from "./_gns3.ts";
import { LAB_NAME } from "../scenario/topology_check.ts";

export { hostCommand } from "./_host_command.ts";

/** Options for {@linkcode runLab}. */
export interface LabOptions {
  /**
   * Every role's command line, by role name: a topology file's flags are
   * checked against them.
   */
  specs: Readonly<Record<string, CommandSpec>>;
  /** The topology file when `--file` is not given (left out of hints). */
  defaultFile: string;
}

/**
 * Runs the lab command that `context.flags` names (`up`, `run`, …), printing
 * to `context.out`; resolves to the exit code.
 */
export async function runLab(
  context: RoleContext,
  options: LabOptions,
): Promise<number> {
  const { flags, out } = context;
  const args = labArgs(flags);
  const { command: cmd, file, rootfs: rootfsFlag } = args;
  // down, status and exec work on what exists: with --name they need no
  // file. With --gns3 the hosts are the project's. The VMs' report needs
  // the file only for its cover, if there is one.
  const coverOnly = cmd === "report" && args.records !== undefined &&
    args.gns3 === undefined && file === options.defaultFile &&
    !(await isFile(file));
  // The view does without one too: a capture brought from elsewhere, a lab
  // named by --name; only a file named by --file must be there.
  const viewOnly = cmd === "view" && args.gns3 === undefined &&
    file === options.defaultFile && !(await isFile(file));
  const topology = coverOnly || viewOnly ? undefined : await loadLab(args, {
    specs: options.specs,
    defaultFile: options.defaultFile,
    out,
    lang: flags.lang,
  });
  const name = args.name ?? topology?.name ?? "progjar";
  if (!LAB_NAME.test(name)) {
    throw new UsageError({
      en:
        `--name: expected lower-case letters, digits and hyphens (at most 16), got "${name}"`,
      id:
        `--name: harus huruf kecil, angka dan tanda hubung (paling banyak 16), bukan "${name}"`,
    });
  }

  const ui: Ui = {
    out,
    text: TEXT[flags.lang],
    lang: flags.lang,
    name,
    hint: (command, hintOptions = {}) =>
      shellLine([
        "lab",
        ...command.split(" "),
        ...(file !== options.defaultFile ? ["--file", file] : []),
        ...(args.name !== undefined ? ["--name", name] : []),
        // down and status need only the lab's name, not the project.
        ...(args.gns3 !== undefined && cmd !== "export" &&
            !/^(down|status)\b/.test(command)
          ? [
            "--gns3",
            args.gns3,
            ...(args.subnet ? ["--subnet", args.subnet] : []),
          ]
          : []),
        ...(hintOptions.rootfs && rootfsFlag !== undefined
          ? ["--rootfs", rootfsFlag]
          : []),
        ...(args.langFlag !== undefined ? ["--lang", args.langFlag] : []),
      ]),
  };
  switch (cmd) {
    case "export":
      return await exportLab(out, {
        topology: topology!,
        file: args.gns3!,
        lang: flags.lang,
      });
    case "list":
      return list(out, topology!, flags.lang);
    case "exec":
      return await exec(ui, {
        topology,
        operands: args.operands,
        command: args.afterDash,
      });
    case "report":
      return await handReport(ui, {
        topology,
        records: args.records,
        report: args.report,
        since: args.since,
        only: args.only,
        list: args.list,
        lang: flags.lang,
        cover: coverOf(topology?.student, args.cover),
      });
    case "console":
      return await labConsole(ui, {
        topology: topology!,
        detach: args.detach,
        lang: flags.lang,
        capture: args.capture,
      });
    case "view":
      return await labView(ui, { topology, lang: flags.lang, ...args.view });
    case "run":
      return await run(ui, {
        topology: topology!,
        wanted: args.operands,
        all: args.all,
        report: args.report,
        cover: args.cover,
        keep: args.keep,
        lang: flags.lang,
        capture: args.capture,
        noCapture: args.noCapture,
      });
  }
  await checkLabPrivileges();
  switch (cmd) {
    case "up":
      return await withInterrupt(
        ui,
        (signal) => up(ui, { topology: topology!, signal }),
      );
    case "down":
      return await down(ui, args.keepRecords, flags.lang);
    case "capture":
      return await captureCommand(ui, {
        operands: args.operands,
        dir: args.capture,
        lang: flags.lang,
      });
    case "status":
      return await status(ui);
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function down(
  ui: Ui,
  keepRecords: boolean,
  lang: Lang,
): Promise<number> {
  const { out, text, name } = ui;
  const started = performance.now();
  await killConsole(name);
  // Hand captures end first, their last frames written out.
  await stopHandCaptures(ui, lang);
  const removed = await labDown(name);
  const kept = keepRecords && (await recordedHosts(name)).length > 0;
  if (!keepRecords) await removeRecords(name);
  const ms = Math.round(performance.now() - started);
  out.line(
    removed.length > 0
      ? text.down(name, ms, removed.length)
      : text.nothingToRemove(name),
  );
  const others = (await labStatus(name)).namespaces;
  if (others.length > 0) out.line(text.leftAlone(shortList(others)));
  if (kept) out.line(text.recordsKept(recordsDir(name)));
  out.record({
    type: "down",
    lab: name,
    removed: removed.length,
    ms,
    ...(kept ? { records: recordsDir(name) } : {}),
  });
  return EXIT_OK;
}

function list(out: Output, topology: Topology, lang: Lang): number {
  for (const s of topology.scenarios) {
    out.line(`${s.name}: ${scenarioDescription(s, lang)}`);
    out.record({ type: "scenario", name: s.name, description: s.description });
  }
  return EXIT_OK;
}

/** What follows `lab exec`: the host (one operand) and the command after `--`. */
interface ExecOptions {
  /** The topology file, if one was read (with `--name` alone it is not). */
  topology: Topology | undefined;
  /** The operands after `exec`. */
  operands: string[];
  /** The command after `--`; none for a shell. */
  command: string[];
}

async function exec(
  { out, text, name, hint }: Ui,
  { topology, operands: rest, command }: ExecOptions,
): Promise<number> {
  if (rest.length !== 1) {
    throw new UsageError(
      rest.length === 0
        ? {
          en: `usage: lab exec HOST [-- COMMAND [ARGS…]] (hosts: see ${
            hint("status")
          })`,
          id: `pemakaian: lab exec HOST [-- PERINTAH [ARGUMEN…]] (host: lihat ${
            hint("status")
          })`,
        }
        : {
          en: `exec takes one host, got ${rest.length} (${
            rest.join(" ")
          }); put the command after "--"`,
          id: `exec menerima satu host, ada ${rest.length} (${
            rest.join(" ")
          }); taruh perintahnya setelah "--"`,
        },
    );
  }
  const host = rest[0];
  const unknownHost = (hosts: { name: string }[]) =>
    new UsageError({
      en: `unknown host "${host}" (hosts: ${
        shortList(hosts.map((h) => h.name))
      })`,
      id: `host "${host}" tidak dikenal (host: ${
        shortList(hosts.map((h) => h.name))
      })`,
    });
  // A router is a machine of the lab too: `lab exec router-1 -- ip route`.
  const machines = (
    hosts: { name: string }[],
    routers?: { name: string }[],
  ) => [...hosts, ...routers ?? []];
  if (
    topology &&
    !machines(topology.hosts, topology.routers).some((h) => h.name === host)
  ) {
    throw unknownHost(machines(topology.hosts, topology.routers));
  }
  await checkLabPrivileges();
  const status = await labStatus(name);
  if (!status.up || !status.state) {
    throw new RuntimeError(text.notUp(name, await labsUp(), hint("up")));
  }
  // The lab that runs may have been built from another file.
  const target = machines(status.state.hosts, status.state.routers).find((
    h,
  ) => h.name === host) as { name: string; netns: string } | undefined;
  if (!target) {
    throw unknownHost(machines(status.state.hosts, status.state.routers));
  }
  // The shell writes to the same terminal: our lines go first.
  await out.drained();
  // Ctrl+C reaches the command itself (same terminal); just wait for it.
  return await runOnTerminal(IP, hostCommand(name, target, command));
}
