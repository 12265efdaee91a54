/**
 * lab: the lab's five-host network on one Linux machine. Each host is a
 * network namespace on one bridge; each practicum is a scenario in
 * `lab.yaml` that runs the roles on their hosts and summarises what every
 * host got.
 *
 * ```sh
 * sudo deno task lab up
 * sudo deno task lab run broadcast-sender-first --report report.md
 * sudo deno task lab exec alpine-2 -- ip addr
 * sudo deno task lab down
 * ```
 *
 * @module
 */

import { type CommandSpec, stringFlag } from "../lib/cli/parse.ts";
import {
  errorText,
  EXIT_FAILURE,
  EXIT_OK,
  RuntimeError,
  UsageError,
} from "../lib/cli/errors.ts";
import { type Lang, plural } from "../lib/cli/i18n.ts";
import { type Output, printError } from "../lib/cli/output.ts";
import { onStop, type RoleContext, runRole } from "../lib/cli/run.ts";
import { IP } from "../lib/lab/_ip.ts";
import { loadRoleSpecs } from "../lib/lab/_specs.ts";
import {
  checkLabPrivileges,
  execArgs,
  hostNetns,
  labDown,
  labNames,
  labStatus,
  labsUp,
  labUp,
  NotOursError,
  onHost,
  sameNetwork,
  stateOf,
} from "../lib/lab/netns.ts";
import { formatReport, outcomeLine } from "../lib/lab/report.ts";
import { shellLine } from "../lib/lab/_shell.ts";
import { runScenario, type ScenarioResult } from "../lib/lab/scenario.ts";
import { failureExcerpts } from "../lib/lab/report.ts";
import {
  formatTable,
  sequenceNotes,
  summaryTables,
} from "../lib/lab/summary.ts";
import { rootfsProblem } from "../lib/lab/rootfs.ts";
import {
  LAB_NAME,
  loadTopology,
  resolvePath,
  type Scenario,
  scenarioDescription,
  type Topology,
} from "../lib/lab/topology.ts";

/** The lab tool's command line (the sub-command comes first). */
export const SPEC: CommandSpec = {
  name: "lab",
  operands: true,
  summary: {
    en:
      "the practicum's hosts as network namespaces on one bridge; run each practicum in them",
    id:
      "host praktikum sebagai network namespace pada satu bridge; jalankan setiap praktikum di dalamnya",
  },
  usage: {
    en: "COMMAND [ARGUMENTS…] [flags]   (commands: see below)",
    id: "PERINTAH [ARGUMEN…] [flag]   (perintah: lihat di bawah)",
  },
  flags: {
    file: {
      type: "string",
      short: "f",
      default: "lab.yaml",
      valueName: "FILE",
      help: { en: "topology file", id: "berkas topologi" },
    },
    name: {
      type: "string",
      short: "n",
      valueName: "NAME",
      help: {
        en: "lab name: prefix of its namespaces (default: the file's name:)",
        id: "nama lab: awalan namespace-nya (bawaan: name: di berkas)",
      },
    },
    all: {
      type: "boolean",
      help: {
        en: "run: every scenario of the file",
        id: "run: semua skenario di berkas",
      },
    },
    report: {
      type: "string",
      valueName: "FILE.md",
      help: {
        en: "run: write a Markdown report to hand in",
        id: "run: tulis laporan Markdown untuk dikumpulkan",
      },
    },
    rootfs: {
      type: "string",
      valueName: "DIR",
      help: {
        en:
          "up, run: every host runs its roles inside this Alpine-like root file system (see deno task alpine-rootfs)",
        id:
          "up, run: setiap host menjalankan role-nya di dalam root file system mirip Alpine ini (lihat deno task alpine-rootfs)",
      },
    },
    keep: {
      type: "boolean",
      help: {
        en:
          "run: leave the lab up afterwards (it is taken down if run built it)",
        id:
          "run: biarkan lab tetap menyala (lab dimatikan jika dibuat oleh run)",
      },
    },
  },
  examples: [
    "lab up",
    "lab run broadcast-sender-first --report laporan.md",
    "lab run --all",
    "lab exec alpine-2 -- ip addr",
    "lab run --all --rootfs dist/alpine-rootfs",
    "lab exec alpine-2",
    "lab status",
    "lab down",
  ],
  notes: {
    en: [
      "Commands:",
      "  up                      create the hosts (network namespaces) and the switch",
      "  down                    remove everything of the lab, stopping what runs in it",
      "  status                  show what exists",
      "  list                    list the scenarios of the file",
      "  exec HOST [-- COMMAND…] run a command on a host (default: a shell)",
      "  run SCENARIO… | --all   run scenarios (bringing the lab up if needed)",
      "",
      "Needs root, iproute2's ip and util-linux's unshare and nsenter. Nothing is",
      "added to the machine's own network: the bridge lives in a namespace of its",
      "own. Each host has its own host name (UTS namespace). up and down remove only",
      "what up marked as its own; a namespace of the same name made by hand is left",
      "alone and up refuses (exit 1).",
      "",
      "One Ctrl+C stops up or run: what was built is torn down, run writes --report",
      "with what finished (the interrupted scenario marked), exit 130. Only a second",
      "Ctrl+C, later, leaves at once.",
      "",
      "Hosts as Alpine VMs: with rootfs: DIR in the file (for all hosts or per host:",
      "alpine-2: { address: …, rootfs: DIR }) or --rootfs DIR, each host runs its",
      "roles, and lab exec its shell, inside DIR (chroot), with progjar installed",
      "there by the Alpine pack, as on the lab's VMs. Build DIR with",
      "sudo deno task alpine-rootfs (default dist/alpine-rootfs).",
    ].join("\n"),
    id: [
      "Perintah:",
      "  up                      buat host (network namespace) dan switch",
      "  down                    hapus semua bagian lab, hentikan yang berjalan di dalamnya",
      "  status                  tampilkan yang ada",
      "  list                    daftar skenario di berkas",
      "  exec HOST [-- PERINTAH…] jalankan perintah di sebuah host (bawaan: shell)",
      "  run SKENARIO… | --all   jalankan skenario (lab dinyalakan bila perlu)",
      "",
      "Perlu root, perintah ip dari iproute2, serta unshare dan nsenter dari",
      "util-linux. Jaringan mesin sendiri tidak diubah: bridge berada di namespace",
      "tersendiri. Setiap host punya nama host sendiri (UTS namespace). up dan down",
      "hanya menghapus yang ditandai up sebagai miliknya; namespace bernama sama yang",
      "dibuat manual dibiarkan dan up menolak (kode keluar 1).",
      "",
      "Satu Ctrl+C menghentikan up atau run: yang sudah dibuat dibongkar, run menulis",
      "--report berisi yang sudah selesai (skenario yang terhenti ditandai), kode",
      "keluar 130. Hanya Ctrl+C kedua, beberapa saat kemudian, langsung keluar.",
      "",
      "Host sebagai VM Alpine: dengan rootfs: DIR di berkas (untuk semua host atau per",
      "host: alpine-2: { address: …, rootfs: DIR }) atau --rootfs DIR, setiap host",
      "menjalankan role-nya, dan lab exec shell-nya, di dalam DIR (chroot), dengan",
      "progjar terpasang oleh paket Alpine, seperti di VM praktikum. Buat DIR dengan",
      "sudo deno task alpine-rootfs (bawaan dist/alpine-rootfs).",
    ].join("\n"),
  },
};

const COMMANDS = ["up", "down", "status", "list", "exec", "run"] as const;
type Command = (typeof COMMANDS)[number];

const TEXT = {
  en: {
    leftovers: (n: number, lab: string) =>
      `removed ${
        plural(n, "namespace", "namespaces")
      } left from an unfinished lab "${lab}"`,
    up: (lab: string, ms: number, hosts: number, subnet: string, bc: string) =>
      `lab "${lab}" up in ${ms} ms: ${
        plural(hosts, "host", "hosts")
      } on ${subnet} (broadcast ${bc})`,
    alreadyUp: (lab: string) => `lab "${lab}" is already up`,
    next: (exec: string, run: string, down: string) =>
      `next: ${exec} (a shell on it); ${run}; ${down}`,
    down: (lab: string, ms: number, n: number) =>
      `lab "${lab}" down in ${ms} ms: ${
        plural(n, "namespace", "namespaces")
      } removed`,
    notUp: (lab: string, others: string[], up: string) =>
      `lab "${lab}" is not up (${
        others.length === 0
          ? "no lab is up"
          : `up: ${others.map((o) => `"${o}"`).join(", ")}`
      }; create it: ${up})`,
    nothingToRemove: (lab: string) =>
      `lab "${lab}" is not up: nothing to remove`,
    leftAlone: (list: string) => `left alone (not made by this lab): ${list}`,
    notOurs: (lab: string, what: string, name: string) =>
      `${what} exists but was not made by lab "${lab}" (no progjar mark): left alone; remove it yourself or pick another ${name}`,
    incomplete: (lab: string, n: number, down: string, up: string) =>
      `lab "${lab}" is incomplete (${
        plural(n, "namespace", "namespaces")
      } left): run ${down} or ${up}`,
    interrupted: (lab: string) =>
      `lab "${lab}": interrupted (Ctrl+C); what was built is removed`,
    twice: (down: string) =>
      `interrupted twice: leaving now; remove the rest with ${down}`,
    notRun: (names: string) => `not run: ${names}`,
    isUp: (
      lab: string,
      hosts: number,
      subnet: string,
      bc: string,
      file: string,
    ) =>
      `lab "${lab}" is up: ${
        plural(hosts, "host", "hosts")
      } on ${subnet} (broadcast ${bc}), from ${file}`,
    takenDown: (lab: string) =>
      `lab "${lab}" taken down (built for this run; --keep leaves it up)`,
    report: (path: string) => `report: ${path}`,
    host: "host",
    address: "address",
    namespace: "namespace",
    processes: "processes",
    root: "root",
    switch: "(switch br0)",
  },
  id: {
    leftovers: (n: number, lab: string) =>
      `${n} namespace sisa lab "${lab}" yang belum selesai dihapus`,
    up: (lab: string, ms: number, hosts: number, subnet: string, bc: string) =>
      `lab "${lab}" menyala dalam ${ms} ms: ${hosts} host di ${subnet} (broadcast ${bc})`,
    alreadyUp: (lab: string) => `lab "${lab}" sudah menyala`,
    next: (exec: string, run: string, down: string) =>
      `berikutnya: ${exec} (shell di host itu); ${run}; ${down}`,
    down: (lab: string, ms: number, n: number) =>
      `lab "${lab}" dimatikan dalam ${ms} ms: ${n} namespace dihapus`,
    notUp: (lab: string, others: string[], up: string) =>
      `lab "${lab}" tidak menyala (${
        others.length === 0
          ? "tidak ada lab yang menyala"
          : `yang menyala: ${others.map((o) => `"${o}"`).join(", ")}`
      }; nyalakan: ${up})`,
    nothingToRemove: (lab: string) =>
      `lab "${lab}" tidak menyala: tidak ada yang dihapus`,
    leftAlone: (list: string) => `dibiarkan (bukan buatan lab ini): ${list}`,
    notOurs: (lab: string, what: string, name: string) =>
      `${what} sudah ada tetapi bukan buatan lab "${lab}" (tanpa tanda progjar): dibiarkan; hapus sendiri atau pilih ${name} lain`,
    incomplete: (lab: string, n: number, down: string, up: string) =>
      `lab "${lab}" tidak lengkap (tersisa ${n} namespace): jalankan ${down} atau ${up}`,
    interrupted: (lab: string) =>
      `lab "${lab}": dihentikan (Ctrl+C); yang sudah dibuat dihapus`,
    twice: (down: string) =>
      `dihentikan dua kali: keluar sekarang; hapus sisanya dengan ${down}`,
    notRun: (names: string) => `tidak dijalankan: ${names}`,
    isUp: (
      lab: string,
      hosts: number,
      subnet: string,
      bc: string,
      file: string,
    ) =>
      `lab "${lab}" menyala: ${hosts} host di ${subnet} (broadcast ${bc}), dari ${file}`,
    takenDown: (lab: string) =>
      `lab "${lab}" dimatikan (dibuat untuk run ini; --keep membiarkannya menyala)`,
    report: (path: string) => `laporan: ${path}`,
    host: "host",
    address: "alamat",
    namespace: "namespace",
    processes: "proses",
    root: "root",
    switch: "(switch br0)",
  },
};

type Texts = (typeof TEXT)["en"];

/** Where a command prints, in which language, and the lab it works on. */
interface Ui {
  out: Output;
  text: Texts;
  /** The lab's name (`--name`, else the topology file's). */
  name: string;
  /**
   * A lab command line to suggest, e.g. `hint("down")`: with the options in
   * force (`--file`, `--name`, `--lang`), so that following it works on the
   * same lab.
   */
  hint: (command: string, options?: { rootfs?: boolean }) => string;
}

/** Exit code of a run or build that Ctrl+C (or SIGTERM) stopped. */
const EXIT_INTERRUPTED = 130;

/** Runs the lab tool with `args`; resolves to the exit code. */
export function main(args: string[]): Promise<number> {
  return runRole(args, SPEC, lab);
}

async function lab({ flags, out }: RoleContext): Promise<number> {
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
  const cmd = command as Command;
  if (cmd !== "exec" && after.length > 0) {
    throw new UsageError({
      en: `"--" is only for exec HOST -- COMMAND`,
      id: `"--" hanya untuk exec HOST -- PERINTAH`,
    });
  }
  if (cmd !== "run" && cmd !== "exec" && rest.length > 0) {
    throw new UsageError({
      en: `${cmd} takes no arguments, got "${rest[0]}"`,
      id: `${cmd} tidak menerima argumen, ada "${rest[0]}"`,
    });
  }
  for (const flag of ["all", "report", "keep"]) {
    if (cmd !== "run" && flags.values[flag] !== undefined) {
      throw new UsageError({
        en: `--${flag} is only for run`,
        id: `--${flag} hanya untuk run`,
      });
    }
  }
  const rootfsFlag = stringFlag(flags, "rootfs");
  if (rootfsFlag !== undefined && cmd !== "run" && cmd !== "up") {
    throw new UsageError({
      en:
        `--rootfs is only for up and run (exec uses the root file system the lab was built with)`,
      id:
        `--rootfs hanya untuk up dan run (exec memakai root file system tempat lab dibangun)`,
    });
  }
  const file = stringFlag(flags, "file")!;
  // down and status work without a readable file: they need only the name.
  // down, status and exec work on what exists: with --name they need no file.
  const needsFile = !["down", "status", "exec"].includes(cmd) ||
    stringFlag(flags, "name") === undefined;
  const loaded = needsFile
    ? await loadTopology(file, { specs: await loadRoleSpecs() })
    : undefined;
  const topology = loaded && rootfsFlag !== undefined
    ? withRootfs(loaded, rootfsFlag)
    : loaded;
  const name = stringFlag(flags, "name") ?? topology?.name ?? "progjar";
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
    name,
    hint: (command, options = {}) =>
      shellLine([
        "lab",
        ...command.split(" "),
        ...(file !== SPEC.flags.file.default ? ["--file", file] : []),
        ...(stringFlag(flags, "name") !== undefined ? ["--name", name] : []),
        ...(options.rootfs && rootfsFlag !== undefined
          ? ["--rootfs", rootfsFlag]
          : []),
        ...(typeof flags.values.lang === "string"
          ? ["--lang", flags.values.lang]
          : []),
      ]),
  };
  switch (cmd) {
    case "list":
      return list(out, topology!, flags.lang);
    case "exec":
      return await exec(ui, { topology, operands: rest, command: after });
    case "run":
      return await run(ui, {
        topology: topology!,
        wanted: rest,
        values: { ...flags.values, lang: flags.lang },
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
      return await down(ui);
    case "status":
      return await status(ui);
  }
}

/** `topology` with every host in root file system `dir` (from --rootfs). */
function withRootfs(topology: Topology, dir: string): Topology {
  const rootfs = resolvePath(Deno.cwd() + "/", dir);
  const problem = rootfsProblem(rootfs);
  if (problem) {
    throw new UsageError({
      en: `--rootfs ${dir}: ${problem}`,
      id: `--rootfs ${dir}: ${problem}`,
    });
  }
  return {
    ...topology,
    hosts: topology.hosts.map((host) => ({ ...host, rootfs })),
  };
}

/**
 * Runs `body` with an abort signal that Ctrl+C and SIGTERM trigger; `body`
 * then cleans up, and the exit code is 130. One Ctrl+C reaches this program
 * twice under `deno task` (see `onStop`): only a second one, later, leaves
 * at once, without cleaning up.
 */
async function withInterrupt(
  ui: Ui,
  body: (signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const stop = onStop(() => {}, {
    onRepeat: () => {
      ui.out.flush();
      printError(`lab: ${ui.text.twice(ui.hint("down"))}`);
      Deno.exit(EXIT_INTERRUPTED);
    },
  });
  try {
    const code = await body(stop.signal);
    return stop.stopped ? EXIT_INTERRUPTED : code;
  } catch (err) {
    // What failed after Ctrl+C (a build step cut short) is its consequence.
    if (!stop.stopped) throw err;
    ui.out.flush();
    printError(`lab: ${ui.text.interrupted(ui.name)}`);
    return EXIT_INTERRUPTED;
  } finally {
    stop.dispose();
  }
}

async function up(
  { out, text, name, hint: again }: Ui,
  { topology, signal, hint = true }: {
    topology: Topology;
    signal: AbortSignal;
    /** Print what to do next (not when `run` brings the lab up for itself). */
    hint?: boolean;
  },
): Promise<number> {
  const started = performance.now();
  let result;
  try {
    result = await labUp(topology, name, { signal });
  } catch (err) {
    if (!(err instanceof NotOursError)) throw err;
    throw new RuntimeError(text.notOurs(name, err.what, "--name"));
  }
  const ms = Math.round(performance.now() - started);
  const names = labNames(name);
  if (result.removed.length > 0) {
    out.line(text.leftovers(result.removed.length, name));
  }
  out.line(
    result.created
      ? text.up(
        name,
        ms,
        topology.hosts.length,
        topology.subnet.cidr,
        topology.subnet.broadcast,
      )
      : text.alreadyUp(name),
  );
  out.record({
    type: "up",
    lab: name,
    created: result.created,
    ms,
    hosts: topology.hosts.length,
  });
  if (result.created) {
    const roots = topology.hosts.some((h) => h.rootfs !== undefined);
    out.line(
      formatTable({
        header: [
          text.host,
          text.address,
          text.namespace,
          ...(roots ? [text.root] : []),
        ],
        rows: [
          ...topology.hosts.map((h) => [
            h.name,
            h.address,
            names.hostPrefix + h.name,
            ...(roots ? [h.rootfs ?? "/"] : []),
          ]),
          [text.switch, "", names.switchNs, ...(roots ? [""] : [])],
        ],
      }),
    );
    if (hint) {
      out.line(text.next(
        again(`exec ${topology.hosts[0].name}`),
        again("run --all", { rootfs: true }),
        again("down"),
      ));
    }
  }
  return EXIT_OK;
}

async function down({ out, text, name }: Ui): Promise<number> {
  const started = performance.now();
  const removed = await labDown(name);
  const ms = Math.round(performance.now() - started);
  out.line(
    removed.length > 0
      ? text.down(name, ms, removed.length)
      : text.nothingToRemove(name),
  );
  const others = (await labStatus(name)).namespaces;
  if (others.length > 0) out.line(text.leftAlone(shortList(others)));
  out.record({ type: "down", lab: name, removed: removed.length, ms });
  return EXIT_OK;
}

async function status(
  { out, text, name, hint }: Ui,
): Promise<number> {
  const status = await labStatus(name);
  out.record({
    type: "status",
    lab: name,
    up: status.up,
    namespaces: status.namespaces,
    hosts: status.state?.hosts ?? [],
    pids: status.pids,
  });
  if (status.namespaces.length === 0) {
    out.line(text.notUp(name, await labsUp(), hint("up")));
    return EXIT_OK;
  }
  if (!status.up) {
    out.line(
      text.incomplete(
        name,
        status.namespaces.length,
        hint("down"),
        hint("up"),
      ),
    );
    return EXIT_OK;
  }
  const state = status.state!;
  out.line(
    text.isUp(
      name,
      state.hosts.length,
      state.subnet,
      state.broadcast,
      state.file,
    ),
  );
  const roots = state.hosts.some((h) => h.rootfs !== undefined);
  out.line(formatTable({
    header: [
      text.host,
      text.address,
      text.namespace,
      text.processes,
      ...(roots ? [text.root] : []),
    ],
    rows: state.hosts.map((h) => [
      h.name,
      h.address,
      h.netns,
      String(status.pids[h.netns]?.length ?? 0),
      ...(roots ? [h.rootfs ?? "/"] : []),
    ]),
  }));
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
  if (topology && !topology.hosts.some((h) => h.name === host)) {
    throw unknownHost(topology.hosts);
  }
  await checkLabPrivileges();
  const status = await labStatus(name);
  if (!status.up || !status.state) {
    throw new RuntimeError(text.notUp(name, await labsUp(), hint("up")));
  }
  // The lab that runs may have been built from another file.
  const target = status.state.hosts.find((h) => h.name === host);
  if (!target) throw unknownHost(status.state.hosts);
  // No command: a shell on the host, as logging in to the VM would give,
  // its prompt naming the host (a root file system sets its own).
  const argv = command.length > 0
    ? command
    : target.rootfs === undefined
    ? ["env", `PS1=${host}# `, "/bin/sh"]
    : ["/bin/sh"];
  // The shell writes to the same terminal: our lines go first.
  await out.drained();
  const child = new Deno.Command(IP, {
    args: execArgs(hostNetns(name, host), onHost(target, argv)),
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  // Ctrl+C reaches the command itself (same terminal); just wait for it.
  const ignore = () => {};
  Deno.addSignalListener("SIGINT", ignore);
  try {
    return (await child.status).code;
  } finally {
    Deno.removeSignalListener("SIGINT", ignore);
  }
}

/** What `lab run` runs: the scenarios `wanted` (or `--all`) of `topology`. */
interface RunOptions {
  topology: Topology;
  /** Scenario names given as operands. */
  wanted: string[];
  /** The parsed flags (`--all`, `--report`, `--keep`) and the language. */
  values: Record<string, string | boolean | undefined> & { lang: Lang };
}

async function run(ui: Ui, options: RunOptions): Promise<number> {
  const { topology, wanted, values } = options;
  const { out, text, name } = ui;
  const scenarios = pickScenarios(topology, wanted, values.all === true);
  const reportPath = typeof values.report === "string"
    ? values.report
    : undefined;
  if (reportPath !== undefined) {
    // Find out now, not after the run, that the report cannot be written.
    try {
      await Deno.writeTextFile(reportPath, "");
    } catch (err) {
      throw new UsageError(
        errorText(err, {
          doing: { en: `--report ${reportPath}`, id: `--report ${reportPath}` },
        }),
      );
    }
  }
  await checkLabPrivileges();
  return await withInterrupt(ui, async (signal) => {
    const before = await labStatus(name);
    if (
      before.up && before.state &&
      !sameNetwork(before.state, stateOf(topology, name))
    ) {
      throw new RuntimeError({
        en:
          `lab "${name}" is up with other hosts or root file systems (from ${before.state.file}); take it down first: ${
            ui.hint("down")
          }`,
        id:
          `lab "${name}" menyala dengan host atau root file system lain (dari ${before.state.file}); matikan dulu: ${
            ui.hint("down")
          }`,
      });
    }
    let builtHere = false;
    if (!before.up) {
      await up(ui, { topology, signal, hint: false });
      builtHere = true;
    }
    const results: ScenarioResult[] = [];
    try {
      for (const scenario of scenarios) {
        if (signal.aborted) break;
        out.line("");
        const description = scenarioDescription(scenario, values.lang);
        out.line(
          out.style(
            "bold",
            `== ${scenario.name}${description ? `: ${description}` : ""}`,
          ),
        );
        const result = await runScenario(topology, scenario, {
          lab: name,
          lang: values.lang,
          signal,
          onProgress: (line) => out.line(out.style("dim", `  ${line}`)),
        });
        results.push(result);
        printResult(out, result, values.lang);
      }
    } finally {
      const notRun = signal.aborted
        ? scenarios.slice(results.length).map((s) => s.name)
        : [];
      if (notRun.length > 0) out.line(text.notRun(notRun.join(", ")));
      try {
        if (builtHere && (values.keep !== true || signal.aborted)) {
          await labDown(name);
          out.line(text.takenDown(name));
        }
      } finally {
        // Whatever happened, the report holds what ran.
        if (reportPath !== undefined) {
          await Deno.writeTextFile(
            reportPath,
            formatReport(topology, results, {
              lab: name,
              lang: values.lang,
              notRun,
            }),
          );
          out.line(text.report(reportPath));
        }
      }
    }
    const ok = !signal.aborted && results.every((r) => r.ok);
    out.record({
      type: "done",
      ok,
      scenarios: results.length,
      ...(signal.aborted ? { interrupted: true } : {}),
    });
    return ok ? EXIT_OK : EXIT_FAILURE;
  });
}

/** A list for a one-line message: at most 8 names, then how many more. */
function shortList(names: string[]): string {
  return names.length <= 8
    ? names.join(", ")
    : `${names.slice(0, 8).join(", ")} and ${names.length - 8} more`;
}

function pickScenarios(
  topology: Topology,
  wanted: string[],
  all: boolean,
): Scenario[] {
  const known = topology.scenarios.map((s) => s.name).join(", ");
  if (all && wanted.length > 0) {
    throw new UsageError({
      en: "give scenario names or --all, not both",
      id: "beri nama skenario atau --all, jangan keduanya",
    });
  }
  if (all) {
    if (topology.scenarios.length === 0) {
      throw new UsageError({
        en: `${topology.file} has no scenarios`,
        id: `${topology.file} tidak punya skenario`,
      });
    }
    return topology.scenarios;
  }
  if (wanted.length === 0) {
    throw new UsageError({
      en: `run needs a scenario name or --all (scenarios: ${known})`,
      id: `run perlu nama skenario atau --all (skenario: ${known})`,
    });
  }
  return wanted.map((name) => {
    const scenario = topology.scenarios.find((s) => s.name === name);
    if (!scenario) {
      throw new UsageError({
        en: `unknown scenario "${name}" (scenarios: ${known})`,
        id: `skenario "${name}" tidak dikenal (skenario: ${known})`,
      });
    }
    return scenario;
  });
}

function printResult(out: Output, result: ScenarioResult, lang: Lang): void {
  const tables = summaryTables(result, lang).map(formatTable);
  out.line(tables.join("\n\n"));
  const notes = sequenceNotes(result, lang);
  if (notes.length > 0) out.line(["", ...notes].join("\n"));
  // Interrupted, the roles' unmet checks say only that they were cut short.
  const excerpts = result.interrupted
    ? []
    : failureExcerpts(result, undefined, { lang });
  if (excerpts.length > 0) {
    out.line(["", ...excerpts.map((l) => out.style("red", l))].join("\n"));
  }
  const verdict = outcomeLine(result, lang);
  out.line(out.style(result.ok ? "green" : "red", verdict));
  out.record({
    type: "result",
    ...result,
    processes: result.processes.map(({ stdout, transcript, ...rest }) => ({
      ...rest,
      // The record keeps the English details (`detailId` is for people).
      checks: rest.checks.map(({ detailId: _, ...check }) => check),
      outputLines: stdout.length,
      transcriptLines: transcript.length,
    })),
  });
  out.flush();
}

if (import.meta.main) Deno.exit(await main(Deno.args));
