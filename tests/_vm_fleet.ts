/**
 * A class's VMs at once, for serve's records under load: N network
 * namespaces on one bridge (itself in a namespace of its own), serve in
 * another, each VM with its own address, host name and `/var/lib` (so its
 * own `/var/lib/progjar`: `serve.conf` and the runs on its "disk"). A VM
 * gets its secret as a VM does, by fetching `install.sh` with BusyBox
 * `wget` from its own address, and sends with the pack's own `progjar send`
 * (the launcher's shell part, `tools/_launcher.ts`, and the bundle's
 * sender, with the permissions the pack gives it). Nothing leaves the
 * namespaces: the host's own namespace carries none of this traffic.
 *
 * What differs from a VM: the deno binary (the host's, not the pack's
 * glibc-loaded one) and no unpacking (150 × 99 MB would test the disk).
 *
 * @module
 */

import { vmRecordsParts } from "../tools/_launcher.ts";
import { runCommand } from "./_dist.ts";

/** The fleet's network: serve at .0.1, the VMs from .1.1 on. */
const NET = "10.87";

/** One VM of the fleet. */
export interface FleetVm {
  /** 1, 2, … */
  index: number;
  /** Its host name (`vm-7`). */
  hostname: string;
  /** Its namespace. */
  netns: string;
  /** Its address. */
  address: string;
  /** Its `/var/lib` on the host (its runs: `<root>/progjar/records/…`). */
  root: string;
  /** The id serve gave it (after {@linkcode Fleet.install}). */
  vm?: string;
}

/** Runs `count` jobs, at most `width` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  job: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i], i);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, worker),
  );
  return results;
}

async function ip(args: string[], input?: string): Promise<void> {
  const child = new Deno.Command("ip", {
    args: input === undefined ? args : ["-b", "-", ...args],
    stdin: input === undefined ? "null" : "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(
      `ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/**
 * A gate for a class's senders: a FIFO that `Fleet.send(vm, flags, { gate })`
 * waits at until {@linkcode Gate.open}. Starting 150 senders one by one
 * takes seconds (17 s on a busy 2-core machine, each one's deno starting
 * while the next is spawned), so without it the first would wait all that
 * time for a serve held stopped, and give up at its 15 s; behind the gate
 * they all begin at one moment, as a class pressing Enter together. Once
 * open, it stays open until disposed: a sender that reaches it late passes.
 */
export class Gate implements AsyncDisposable {
  /** The FIFO. */
  readonly path: string;
  readonly #dir: string;
  #writer?: Deno.FsFile;

  private constructor(dir: string) {
    this.#dir = dir;
    this.path = `${dir}/gate`;
  }

  /** A new, closed gate. */
  static async make(): Promise<Gate> {
    const gate = new Gate(await Deno.makeTempDir({ prefix: "progjar-gate-" }));
    const made = await runCommand("mkfifo", [gate.path]);
    if (made.code !== 0) throw new Error(`mkfifo: ${made.stderr.trim()}`);
    return gate;
  }

  /** Lets the senders go. */
  async open(): Promise<void> {
    // Read and write: Linux opens a FIFO so at once, with no reader yet
    // (write only would wait for one, forever if every sender failed).
    this.#writer ??= await Deno.open(this.path, { read: true, write: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#writer?.close();
    await Deno.remove(this.#dir, { recursive: true });
  }
}

/** N VMs and serve's namespace on one bridge. */
export class Fleet {
  /** serve's namespace. */
  readonly serverNetns: string;
  /** serve's address. */
  readonly serverAddress = `${NET}.0.1`;
  /** The VMs. */
  readonly vms: FleetVm[];
  /** The launcher (`progjar`) the VMs run. */
  readonly launcher: string;
  readonly #switch: string;
  readonly #work: string;

  private constructor(tag: string, work: string, count: number) {
    this.#work = work;
    this.#switch = `pj_${tag}_sw`;
    this.serverNetns = `pj_${tag}_srv`;
    this.launcher = `${work}/bin/progjar`;
    this.vms = Array.from({ length: count }, (_, i) => ({
      index: i + 1,
      hostname: `vm-${i + 1}`,
      netns: `pj_${tag}_v${i + 1}`,
      address: `${NET}.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`,
      root: `${work}/vm-${i + 1}`,
    }));
  }

  /**
   * Builds the namespaces (`pj_<tag>_*`), the VMs' directories in `work`
   * and the launcher for `bundle` (a `deno task bundle` output).
   */
  static async up(
    options: { tag: string; work: string; count: number; bundle: string },
  ): Promise<Fleet> {
    const fleet = new Fleet(options.tag, options.work, options.count);
    try {
      await fleet.#build(options.bundle);
    } catch (err) {
      await fleet.down();
      throw err;
    }
    return fleet;
  }

  async #build(bundle: string): Promise<void> {
    const names = [
      this.#switch,
      this.serverNetns,
      ...this.vms.map((v) => v.netns),
    ];
    await ip([], names.map((n) => `netns add ${n}\n`).join(""));
    // Every veth made straight in its namespaces: none passes the host's.
    const ends = [
      { netns: this.serverNetns, port: "p0" },
      ...this.vms.map((v) => ({ netns: v.netns, port: `p${v.index}` })),
    ];
    await ip(
      [],
      ends.map(({ netns, port }) =>
        `link add ${port} netns ${this.#switch} type veth peer name eth0 netns ${netns}\n`
      ).join(""),
    );
    await ip(
      ["-n", this.#switch],
      [
        "link add br0 type bridge",
        "link set br0 up",
        ...ends.map(({ port }) => `link set ${port} master br0 up`),
        "",
      ].join("\n"),
    );
    const hosts = [
      { netns: this.serverNetns, address: this.serverAddress },
      ...this.vms,
    ];
    await pool(hosts, 8, ({ netns, address }) =>
      ip(
        ["-n", netns],
        [
          "link set lo up",
          `addr add ${address}/16 dev eth0`,
          "link set eth0 up",
          "",
        ].join("\n"),
      ));
    for (const vm of this.vms) {
      for (const dir of ["pending", "sent", "refused"]) {
        await Deno.mkdir(`${vm.root}/progjar/records/${dir}`, {
          recursive: true,
        });
      }
    }
    await Deno.mkdir(`${this.#work}/bin`, { recursive: true });
    // The pack's launcher with the host's deno: only its progjar-send part.
    await Deno.writeTextFile(
      this.launcher,
      `#!/bin/sh
deno=${Deno.execPath()}
js=${bundle}
state=\${TMPDIR:-/tmp}/progjar-$(id -u)
loader=

${vmRecordsParts().send}
echo "this test's launcher runs progjar send only" >&2
exit 2
`,
    );
    await Deno.chmod(this.launcher, 0o755);
  }

  /** The command line that runs `command` on `vm`: its network, host name and `/var/lib`. */
  on(vm: FleetVm, command: string[]): string[] {
    return [
      "ip",
      "netns",
      "exec",
      vm.netns,
      "unshare",
      "-u",
      "sh",
      "-c",
      'hostname "$1" && mount --bind "$2" /var/lib && shift 2 && exec "$@"',
      "sh",
      vm.hostname,
      vm.root,
      ...command,
    ];
  }

  /**
   * The command line of `progjar send` on `vm`, as the launcher runs it
   * (`--after-run`: as a role's end starts it); with `options.gate`, it
   * waits there until the gate opens ({@linkcode Gate}).
   */
  send(
    vm: FleetVm,
    flags: string[] = ["--after-run"],
    options: { gate?: Gate } = {},
  ): string[] {
    const send = ["busybox", "sh", this.launcher, "send", ...flags];
    if (options.gate === undefined) return this.on(vm, send);
    // Opening a FIFO to read blocks until something opens it to write.
    return this.on(vm, [
      "busybox",
      "sh",
      "-c",
      ': < "$0" && exec "$@"',
      options.gate.path,
      ...send,
    ]);
  }

  /**
   * What install.sh does for the records on `vm`: fetched with BusyBox
   * wget from the VM's address (serve ties the secret to it), its
   * `serve.conf` written with the VM's id and secret. Returns the id.
   */
  async install(vm: FleetVm, port: number): Promise<string> {
    const base = `http://${this.serverAddress}:${port}`;
    const [program, ...args] = this.on(vm, [
      "busybox",
      "wget",
      "-q",
      "-O-",
      `${base}/install.sh`,
    ]);
    const got = await runCommand(program, args);
    if (got.code !== 0) {
      throw new Error(`${vm.hostname}: install.sh: ${got.stderr.trim()}`);
    }
    const conf = /base=(\S+)\nvm=(vm-[0-9a-z-]+)\nsecret=([0-9a-f]{64})\n/
      .exec(got.stdout);
    if (!conf) throw new Error(`${vm.hostname}: no secret in install.sh`);
    await Deno.writeTextFile(
      `${vm.root}/progjar/serve.conf`,
      `base=${conf[1]}\nvm=${conf[2]}\nsecret=${conf[3]}\n`,
      { mode: 0o600 },
    );
    vm.vm = conf[2];
    return conf[2];
  }

  /** The run ids in one of `vm`'s records directories. */
  runs(vm: FleetVm, dir: "pending" | "sent" | "refused"): string[] {
    return [...Deno.readDirSync(`${vm.root}/progjar/records/${dir}`)]
      .map((e) => e.name.replace(/\.jsonl$/, "")).sort();
  }

  /** Removes every namespace of the fleet (its veths and bridge go with them). */
  async down(): Promise<void> {
    const names = [
      this.#switch,
      this.serverNetns,
      ...this.vms.map((v) => v.netns),
    ];
    const present = new Set(
      (await runCommand("ip", ["netns", "list"])).stdout.split("\n").map((l) =>
        l.split(" ")[0]
      ),
    );
    const gone = names.filter((n) => present.has(n));
    if (gone.length > 0) {
      await ip([], gone.map((n) => `netns del ${n}\n`).join(""));
    }
  }
}

/** One run as a role records it: its id and its lines (JSON, no newline). */
export interface FleetRun {
  /** The run's id (its file name in `pending/`). */
  run: string;
  /** Its entries as the role wrote them. */
  lines: string[];
}

/**
 * A run of about `bytes` bytes for VM `vm`, number `k`: a start, records
 * and text lines (some not ASCII, so that UTF-8 is cut across reads), an
 * end; every line as `lib/cli/recording.ts` writes it.
 */
export function makeRun(vm: number, k: number, bytes: number): FleetRun {
  // Sorted names are the order the sender takes them in; pids no process has.
  const pid = 3_900_000 + vm * 10 + k;
  const run = `20260101T0${k}0000-${pid}-${
    (vm * 7919 + k).toString(16).padStart(8, "0")
  }`;
  let t = 1_767_225_600_000 + vm * 1000 + k * 100_000;
  const lines = [
    JSON.stringify({
      t,
      pid,
      start: {
        role: k % 2 ? "broadcast-receiver" : "udp-server",
        argv: ["--port", String(5000 + k)],
        lang: k % 2 ? "id" : "en",
        via: "command",
      },
    }),
  ];
  let size = lines[0].length + 1;
  for (let n = 0; size < bytes; n++) {
    t += 3;
    const line = n % 3 === 2
      ? JSON.stringify({
        t,
        pid,
        text: `paket ${n} dari vm-${vm}: «${"é".repeat(n % 40)}» ✓ ${
          "x".repeat(n % 200)
        }`,
      })
      : JSON.stringify({
        t,
        pid,
        record: {
          type: "received",
          from: `10.87.1.${vm % 250}`,
          bytes: 64 + (n % 1400),
          seq: n,
          text: `message ${n} of run ${k} on vm-${vm}`,
        },
      });
    lines.push(line);
    size += line.length + 1;
  }
  lines.push(JSON.stringify({ t: t + 1, pid, end: { code: 0, dropped: 0 } }));
  return { run, lines };
}

/** Writes `run` into `vm`'s `pending/`, as the role leaves it at its end. */
export async function writeRun(vm: FleetVm, run: FleetRun): Promise<void> {
  await Deno.writeTextFile(
    `${vm.root}/progjar/records/pending/${run.run}.jsonl`,
    run.lines.join("\n") + "\n",
  );
}

/**
 * Checks the store file of a VM against the runs it sent: each run once,
 * whole, line for line as serve stores it (`t` on the host's clock by the
 * delivery's offset, `run` added). Returns the problems found.
 */
export function checkVmFile(
  text: string,
  vm: FleetVm,
  runs: readonly FleetRun[],
): string[] {
  const problems: string[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) !== "") problems.push(`${vm.hostname}: no final newline`);
  lines.pop();
  const seen = new Map<string, string[]>();
  let block: string[] = [];
  for (const line of lines) {
    const value = JSON.parse(line) as Record<string, unknown>;
    if ("vm" in value) {
      const facts = value.vm as Record<string, unknown>;
      if (
        facts.hostname !== vm.hostname || facts.address !== vm.address ||
        facts.installedFrom !== vm.address || facts.id !== vm.vm
      ) {
        problems.push(`${vm.hostname}: wrong facts ${line}`);
      }
      continue;
    }
    if (!("clock" in value)) {
      block.push(line);
      continue;
    }
    const clock = value.clock as { offsetMs: number; run?: string };
    const run = clock.run ?? "";
    if (seen.has(run)) problems.push(`${vm.hostname}: ${run} stored twice`);
    seen.set(run, block);
    const sent = runs.find((r) => r.run === run);
    if (!sent) {
      problems.push(`${vm.hostname}: a run it did not send: ${run}`);
    } else {
      const expected = sent.lines.map((l) => {
        const { t, pid, ...kind } = JSON.parse(l);
        return JSON.stringify({ t: t + clock.offsetMs, pid, run, ...kind });
      });
      if (expected.length !== block.length) {
        problems.push(
          `${vm.hostname}: ${run}: ${block.length} lines stored of ${expected.length}`,
        );
      } else {
        const at = expected.findIndex((l, i) => l !== block[i]);
        if (at >= 0) {
          problems.push(`${vm.hostname}: ${run}: line ${at} differs`);
        }
      }
    }
    block = [];
  }
  if (block.length > 0) {
    problems.push(
      `${vm.hostname}: ${block.length} lines after the last delivery`,
    );
  }
  for (const { run } of runs) {
    if (!seen.has(run)) problems.push(`${vm.hostname}: ${run} not stored`);
  }
  return problems;
}

/**
 * Connections established to `port` in the namespace of process `pid`
 * (accepted or waiting in the listen queue), from its `/proc/<pid>/net/tcp`.
 */
export function establishedTo(pid: number, port: number): number {
  let text: string;
  try {
    text = Deno.readTextFileSync(`/proc/${pid}/net/tcp`);
  } catch {
    return 0;
  }
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")} `;
  return text.split("\n").filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(local.trim()) && fields[3] === "01";
  }).length;
}

/** serve's peak resident set (VmHWM), KiB; 0 when it cannot be read. */
export function peakKiB(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
