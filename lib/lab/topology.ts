/**
 * The lab's topology file (`lab.yaml`): the network, its hosts and the
 * scenarios that run the practicums on them. Everything is checked before the
 * system is touched; every problem is reported as one line with
 * `file:line:column`.
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import {
  type CST,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  Parser,
  type Scalar,
} from "yaml";
import { displayText } from "../cli/display.ts";
import { UsageError } from "../cli/errors.ts";
import type { CommandSpec } from "../cli/parse.ts";
import { findRole } from "../roles.ts";
import { hostAddressProblem, parseSubnet, type Subnet } from "./_subnet.ts";
import { rootfsProblem } from "./rootfs.ts";

export type { Subnet } from "./_subnet.ts";

/** One host of the lab: a network namespace with one interface. */
export interface LabHost {
  /** The host name, e.g. `alpine-1`; resolves inside the lab. */
  name: string;
  /** Its IPv4 address in the lab's subnet. */
  address: string;
  /**
   * The Alpine-like root file system its commands run in (absolute path),
   * or `undefined` to run them on the machine itself.
   */
  rootfs?: string;
}

/** A comparison a summary field must pass, e.g. `missing: 0` or `firstSeq: ">1"`. */
export interface FieldExpectation {
  /** A field of the role's `summary` record, or `exit` for the exit code. */
  field: string;
  /** The comparison. */
  op: "=" | ">" | ">=" | "<" | "<=";
  /** The number compared with. */
  value: number;
}

/** Which input lines a role must have printed: everyone's or the other hosts'. */
export interface LinesExpectation {
  /** Always `lines`. */
  field: "lines";
  /** `all`: every input line of the scenario; `others`: those of other processes. */
  value: "all" | "others";
}

/** A text the role must have printed (in any field of any record). */
export interface PrintsExpectation {
  /** Always `prints`. */
  field: "prints";
  /** The text. */
  value: string;
}

/** What the summary checks for a role. */
export type Expectation =
  | FieldExpectation
  | LinesExpectation
  | PrintsExpectation;

/** A step that starts a role on one or more hosts. */
export interface StartStep {
  /** Always `start`. */
  kind: "start";
  /** The hosts to start the role on, at once. */
  hosts: string[];
  /** The role's name (see `lib/roles.ts`). */
  role: string;
  /** Flags without `--`; `true` for a flag without a value. Placeholders allowed. */
  flags: [string, string | true][];
  /** Lines typed into the role's standard input right after it starts. */
  input: string[];
  /** Wait this long before starting. */
  afterMs: number;
  /** Wait for a JSON record of this type from each process before the next step. */
  wait?: string;
  /** `self`: the role ends by itself; `end`: it is stopped (SIGTERM) when the scenario ends. */
  stop: "self" | "end";
  /** Checks for the summary. */
  expect: Expectation[];
  /** `file:line:column` of the step, for messages. */
  where: string;
}

/** A step that types lines into roles already running on some hosts. */
export interface InputStep {
  /** Always `input`. */
  kind: "input";
  /** The hosts whose most recently started role gets the lines. */
  hosts: string[];
  /** The lines. Placeholders allowed. */
  input: string[];
  /** Wait this long before typing. */
  afterMs: number;
  /** `file:line:column` of the step, for messages. */
  where: string;
}

/** One step of a scenario. */
export type Step = StartStep | InputStep;

/** One practicum run in the lab. */
export interface Scenario {
  /** The scenario's name, e.g. `broadcast-sender-first`. */
  name: string;
  /** What it shows, in one or two sentences (English, or the only text given). */
  description: string;
  /** The description in Indonesian, when the file gives one. */
  descriptionId?: string;
  /** The whole scenario must end within this time. */
  timeoutMs: number;
  /** After the self-ending roles exit, wait at most this long for output to settle. */
  lingerMs: number;
  /** The steps, in order. */
  steps: Step[];
}

/** A checked topology file. */
export interface Topology {
  /** The file it was read from. */
  file: string;
  /** The lab's name: the prefix of its namespaces. */
  name: string;
  /** The subnet all hosts are on. */
  subnet: Subnet;
  /** The hosts, in file order. */
  hosts: LabHost[];
  /** The scenarios, in file order. */
  scenarios: Scenario[];
}

/** Options for {@linkcode parseTopology}. */
export interface ParseOptions {
  /** The file name used in messages. */
  file?: string;
  /**
   * Command lines of the roles, to check scenario flags against. A role
   * missing here is still accepted (its flags go unchecked).
   */
  specs?: ReadonlyMap<string, CommandSpec>;
}

/** The placeholders allowed in flag values and input lines. */
export const PLACEHOLDERS = [
  "host",
  "address",
  "broadcast",
  "network",
  "subnet",
] as const;

/** A lab name: lower-case letters, digits and hyphens, up to 16 characters. */
export const LAB_NAME = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Flags the runner sets itself. */
const RESERVED_FLAGS = new Set(["json", "help"]);
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_LINGER_MS = 3_000;
/** More hosts than this is beyond one bridge and one machine's patience. */
const MAX_HOSTS = 250;
/**
 * Collections nested deeper than this are refused before the YAML library
 * builds its tree (it recurses, and overflows the stack at ~1000 levels); a
 * lab file needs about 6.
 */
export const MAX_NESTING = 64;

/**
 * Reads and checks a topology file. Throws a {@linkcode UsageError} whose
 * message has one line per problem.
 */
export function parseTopology(
  text: string,
  options: ParseOptions = {},
): Topology {
  const file = options.file ?? "lab.yaml";
  const lines = new LineCounter();
  const deep = tooDeep(text, lines);
  if (deep !== undefined) {
    const checker = new Checker(file, lines, new Map());
    checker.problemAt(
      deep,
      `nested too deeply (more than ${MAX_NESTING} levels)`,
    );
    throw new UsageError(checker.problems[0]);
  }
  const doc = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
  });
  const checker = new Checker(file, lines, options.specs ?? new Map());
  for (const error of doc.errors) {
    checker.problemAt(error.pos[0], error.message.split("\n", 1)[0]);
  }
  if (checker.problems.length > 0) {
    throw new UsageError(checker.problems.join("\n"));
  }
  const topology = checker.topology(doc.contents, text.length);
  if (checker.problems.length > 0 || topology === undefined) {
    throw new UsageError(checker.problems.join("\n"));
  }
  return topology;
}

/**
 * The offset of the first collection nested deeper than
 * {@linkcode MAX_NESTING}, or `undefined`. Walks the library's concrete
 * syntax tree (built without recursion) with a stack of its own.
 */
function tooDeep(text: string, lines: LineCounter): number | undefined {
  const stack: [CST.Token, number][] = [];
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    stack.push([token, 0]);
  }
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    let children: (CST.Token | null | undefined)[];
    switch (token.type) {
      case "document":
        children = [token.value];
        break;
      case "block-map":
      case "block-seq":
      case "flow-collection":
        if (depth >= MAX_NESTING) return token.offset;
        children = token.items.flatMap((item) => [item.key, item.value]);
        break;
      default:
        continue;
    }
    const next = token.type === "document" ? depth : depth + 1;
    for (const child of children) if (child) stack.push([child, next]);
  }
  return undefined;
}

/** Reads `path` and checks it with {@linkcode parseTopology}. */
export async function loadTopology(
  path: string,
  options: Omit<ParseOptions, "file"> = {},
): Promise<Topology> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const detail = err instanceof Error
      ? err.message.split("\n", 1)[0]
      : String(err);
    const missing = err instanceof Deno.errors.NotFound;
    throw new UsageError({
      en: `${path}: cannot read the topology file: ${
        missing ? "no such file" : detail
      }`,
      id: `${path}: berkas topologi tidak bisa dibaca: ${
        missing ? "berkas tidak ada" : detail
      }`,
    });
  }
  return parseTopology(text, { ...options, file: path });
}

/**
 * Parses a duration: a number of seconds, or text like `500ms`, `2s`,
 * `1.5s`, `1m`. Returns milliseconds, or `undefined` if malformed.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  }
  if (typeof value !== "string") return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(value.trim());
  if (!match) return undefined;
  const factor = match[2] === "ms" ? 1 : match[2] === "s" ? 1000 : 60_000;
  return Number(match[1]) * factor;
}

/** The values placeholders stand for on one host. */
export function placeholderValues(
  topology: Topology,
  host: LabHost,
): Record<(typeof PLACEHOLDERS)[number], string> {
  return {
    host: host.name,
    address: host.address,
    broadcast: topology.subnet.broadcast,
    network: topology.subnet.network,
    subnet: topology.subnet.cidr,
  };
}

/** Replaces `{host}`, `{address}`, … in `text`. */
export function fillPlaceholders(
  text: string,
  values: Record<string, string>,
): string {
  return text.replace(/\{([a-z]+)\}/g, (whole, name) => values[name] ?? whole);
}

interface Entry {
  key: string;
  keyNode: Node | null;
  value: Node | null;
}

/** Walks the YAML tree, collecting problems with their positions. */
class Checker {
  readonly problems: string[] = [];
  #file: string;
  #lines: LineCounter;
  #specs: ReadonlyMap<string, CommandSpec>;
  /** Host names declared, valid address or not (so one bad address is one problem). */
  #hosts = new Set<string>();

  constructor(
    file: string,
    lines: LineCounter,
    specs: ReadonlyMap<string, CommandSpec>,
  ) {
    this.#file = file;
    this.#lines = lines;
    this.#specs = specs;
  }

  where(offset: number): string {
    const { line, col } = this.#lines.linePos(offset);
    return line === 0
      ? `${this.#file}:1:${offset + 1}`
      : `${this.#file}:${line}:${col}`;
  }

  problemAt(offset: number, message: string): void {
    // Messages quote the file's text: escaped, like peer bytes.
    this.problems.push(displayText(`${this.where(offset)}: ${message}`));
  }

  problem(node: Node | null | undefined, message: string, end = 0): void {
    this.problemAt(node?.range?.[0] ?? end, message);
  }

  topology(root: Node | null, end: number): Topology | undefined {
    const entries = this.map(root, "the topology file", end, [
      "name",
      "network",
      "rootfs",
      "hosts",
      "scenarios",
    ]);
    if (!entries) return undefined;
    const get = (key: string) => entries.find((e) => e.key === key);

    let name = "progjar";
    const nameEntry = get("name");
    if (nameEntry) {
      const value = this.string(nameEntry.value, "name", end);
      if (value !== undefined && !LAB_NAME.test(value)) {
        this.problem(
          nameEntry.value,
          `name: expected lower-case letters, digits and hyphens (at most 16), got "${value}"`,
        );
      } else if (value !== undefined) {
        name = value;
      }
    }

    const network = get("network");
    if (!network) {
      this.problem(root, "missing key: network (with subnet: a.b.c.d/n)", end);
      return undefined;
    }
    const subnet = this.subnet(network.value, end);
    const hostsEntry = get("hosts");
    if (!hostsEntry) {
      this.problem(root, "missing key: hosts", end);
      return undefined;
    }
    if (!subnet) return undefined;
    const rootfsEntry = get("rootfs");
    const rootfs = rootfsEntry
      ? this.rootfs(rootfsEntry.value, "rootfs", end)
      : undefined;
    const hosts = this.hostList(hostsEntry.value, subnet, end, rootfs);
    const scenarios: Scenario[] = [];
    const scenariosEntry = get("scenarios");
    if (scenariosEntry && scenariosEntry.value !== null) {
      const items = this.map(scenariosEntry.value, "scenarios", end) ?? [];
      for (const item of items) {
        if (!SCENARIO_NAME.test(item.key)) {
          this.problem(
            item.keyNode,
            `scenario name "${item.key}": use lower-case letters, digits and hyphens`,
          );
          continue;
        }
        const scenario = this.scenario(item, end);
        if (scenario) scenarios.push(scenario);
      }
    }
    return { file: this.#file, name, subnet, hosts, scenarios };
  }

  subnet(node: Node | null, end: number): Subnet | undefined {
    const entries = this.map(node, "network", end, ["subnet"]);
    if (!entries) return undefined;
    const entry = entries.find((e) => e.key === "subnet");
    if (!entry) {
      this.problem(node, "network: missing key: subnet", end);
      return undefined;
    }
    const text = this.string(entry.value, "network.subnet", end);
    if (text === undefined) return undefined;
    const subnet = parseSubnet(text);
    if (typeof subnet === "string") {
      this.problem(entry.value, `network.subnet: ${subnet}`);
      return undefined;
    }
    return subnet;
  }

  /** A root file system path (relative to the file's directory), checked. */
  rootfs(node: Node | null, label: string, end: number): string | undefined {
    const text = this.string(node, label, end);
    if (text === undefined) return undefined;
    const path = resolvePath(this.#file, text);
    const problem = rootfsProblem(path);
    if (problem) {
      this.problem(node, `${label}: ${problem}`);
      return undefined;
    }
    return path;
  }

  hostList(
    node: Node | null,
    subnet: Subnet,
    end: number,
    rootfs: string | undefined,
  ): LabHost[] {
    const entries = this.map(node, "hosts", end);
    if (!entries) return [];
    if (entries.length === 0) this.problem(node, "hosts: no hosts", end);
    if (entries.length > MAX_HOSTS) {
      this.problem(node, `hosts: at most ${MAX_HOSTS} hosts`, end);
    }
    const byAddress = new Map<string, string>();
    const hosts: LabHost[] = [];
    for (const entry of entries) {
      if (!HOST_NAME.test(entry.key)) {
        this.problem(
          entry.keyNode,
          `host name "${entry.key}": use lower-case letters, digits and hyphens (at most 32)`,
        );
        continue;
      }
      this.#hosts.add(entry.key);
      // `alpine-1: 192.168.122.207` or `alpine-1: { address: …, rootfs: … }`
      let addressNode = entry.value;
      let hostRootfs = rootfs;
      if (isMap(entry.value)) {
        const fields = this.map(entry.value, `hosts.${entry.key}`, end, [
          "address",
          "rootfs",
        ]) ?? [];
        addressNode = fields.find((f) => f.key === "address")?.value ?? null;
        if (!fields.some((f) => f.key === "address")) {
          this.problem(entry.value, `hosts.${entry.key}: missing key: address`);
          continue;
        }
        const rootfsField = fields.find((f) => f.key === "rootfs");
        if (rootfsField) {
          hostRootfs = this.rootfs(
            rootfsField.value,
            `hosts.${entry.key}.rootfs`,
            end,
          );
          if (hostRootfs === undefined) continue;
        }
      }
      const address = this.string(addressNode, `hosts.${entry.key}`, end);
      if (address === undefined) continue;
      const problem = hostAddressProblem(subnet, address);
      if (problem) {
        this.problem(addressNode, `hosts.${entry.key}: ${problem}`);
        continue;
      }
      const other = byAddress.get(address);
      if (other) {
        this.problem(
          addressNode,
          `hosts.${entry.key}: address ${address} is already ${other}'s`,
        );
        continue;
      }
      byAddress.set(address, entry.key);
      hosts.push(
        hostRootfs === undefined
          ? { name: entry.key, address }
          : { name: entry.key, address, rootfs: hostRootfs },
      );
    }
    return hosts;
  }

  scenario(item: Entry, end: number): Scenario | undefined {
    const label = `scenario ${item.key}`;
    const entries = this.map(item.value, label, end, [
      "description",
      "timeout",
      "linger",
      "steps",
    ]);
    if (!entries) return undefined;
    const get = (key: string) => entries.find((e) => e.key === key);
    const { en: description, id: descriptionId } = this.description(
      get("description"),
      label,
      end,
    );
    const timeoutMs = this.duration(get("timeout"), label, DEFAULT_TIMEOUT_MS);
    const lingerMs = this.duration(get("linger"), label, DEFAULT_LINGER_MS);
    const stepsEntry = get("steps");
    if (!stepsEntry || !isSeq(stepsEntry.value)) {
      this.problem(
        stepsEntry?.value ?? item.keyNode,
        `${label}: expected steps: a list of steps`,
        end,
      );
      return undefined;
    }
    const steps: Step[] = [];
    let started = 0;
    for (const node of stepsEntry.value.items as Node[]) {
      const step = this.step(node, label, end, started > 0);
      if (step?.kind === "start") started++;
      if (step) steps.push(step);
    }
    if (steps.length > 0 && started === 0) {
      this.problem(stepsEntry.value, `${label}: no step starts a role`);
    }
    return {
      name: item.key,
      description,
      ...(descriptionId === undefined ? {} : { descriptionId }),
      timeoutMs,
      lingerMs,
      steps,
    };
  }

  /**
   * A scenario's description: plain text (shown in both languages) or
   * `{ en: …, id: … }`, both required.
   */
  description(
    entry: Entry | undefined,
    label: string,
    end: number,
  ): { en: string; id?: string } {
    if (!entry) return { en: "" };
    const where = `${label}: description`;
    // Only ever shown (terminal, report): control characters and line
    // breaks escaped here, once for every place it appears.
    if (!isMap(entry.value)) {
      return { en: displayText(this.string(entry.value, where, end) ?? "") };
    }
    const entries = this.map(entry.value, where, end, ["en", "id"]);
    const text = (lang: string) => {
      const found = entries?.find((e) => e.key === lang);
      if (found) return this.string(found.value, `${where}: ${lang}`, end);
      if (entries) {
        this.problem(entry.value, `${where}: expected ${lang}: (text)`, end);
      }
      return undefined;
    };
    const en = text("en");
    const id = text("id");
    return {
      en: displayText(en ?? ""),
      ...(id === undefined ? {} : { id: displayText(id) }),
    };
  }

  step(
    node: Node,
    label: string,
    end: number,
    anyStarted: boolean,
  ): Step | undefined {
    const entries = this.map(node, `${label}: step`, end, [
      "host",
      "hosts",
      "role",
      "flags",
      "input",
      "after",
      "wait",
      "stop",
      "expect",
    ]);
    if (!entries) return undefined;
    const get = (key: string) => entries.find((e) => e.key === key);
    const where = this.where(node.range?.[0] ?? end);
    const hosts = this.stepHosts(get("host"), get("hosts"), node, label, end);
    const afterMs = this.duration(get("after"), label, 0);
    const input = get("input")
      ? this.lines(get("input")!.value, `${label}: input`, end)
      : [];
    const roleEntry = get("role");
    if (!roleEntry) {
      // An input step: only hosts, input and after make sense.
      for (const key of ["flags", "wait", "stop", "expect"]) {
        if (get(key)) {
          this.problem(
            get(key)!.keyNode,
            `${label}: "${key}" needs "role" in the same step`,
          );
        }
      }
      if (!get("input")) {
        this.problem(node, `${label}: a step needs "role" or "input"`);
      } else if (!anyStarted) {
        this.problem(node, `${label}: input before any role was started`);
      }
      return hosts && { kind: "input", hosts, input, afterMs, where };
    }
    const role = this.string(roleEntry.value, `${label}: role`, end);
    if (role !== undefined && !findRole(role)) {
      this.problem(roleEntry.value, `${label}: unknown role "${role}"`);
    }
    const spec = role === undefined ? undefined : this.#specs.get(role);
    const flags = get("flags")
      ? this.flags(get("flags")!.value, `${label}: flags`, end, spec)
      : [];
    let wait: string | undefined;
    if (get("wait")) {
      wait = this.string(get("wait")!.value, `${label}: wait`, end);
      if (wait !== undefined && !/^[a-z][a-zA-Z-]*$/.test(wait)) {
        this.problem(
          get("wait")!.value,
          `${label}: wait: expected a record type like "listening", got "${wait}"`,
        );
      }
    }
    let stop: "self" | "end" = "self";
    if (get("stop")) {
      const value = this.string(get("stop")!.value, `${label}: stop`, end);
      if (value === "self" || value === "end") stop = value;
      else if (value !== undefined) {
        this.problem(
          get("stop")!.value,
          `${label}: stop: expected "self" (the role ends by itself) or "end" (stopped at the end), got "${value}"`,
        );
      }
    }
    const expect = get("expect")
      ? this.expectations(get("expect")!.value, `${label}: expect`, end)
      : [];
    if (!hosts || role === undefined) return undefined;
    return {
      kind: "start",
      hosts,
      role,
      flags,
      input,
      afterMs,
      wait,
      stop,
      expect,
      where,
    };
  }

  stepHosts(
    one: Entry | undefined,
    many: Entry | undefined,
    step: Node,
    label: string,
    end: number,
  ): string[] | undefined {
    if (one && many) {
      this.problem(many.keyNode, `${label}: give "host" or "hosts", not both`);
      return undefined;
    }
    if (!one && !many) {
      this.problem(step, `${label}: step without "host" or "hosts"`, end);
      return undefined;
    }
    let names: { name: string; node: Node | null }[];
    if (one) {
      const name = this.string(one.value, `${label}: host`, end);
      if (name === undefined) return undefined;
      names = [{ name, node: one.value }];
    } else {
      if (!isSeq(many!.value) || many!.value.items.length === 0) {
        this.problem(
          many!.value ?? many!.keyNode,
          `${label}: hosts: expected a list of host names`,
        );
        return undefined;
      }
      names = [];
      for (const node of many!.value.items as Node[]) {
        const name = this.string(node, `${label}: hosts`, end);
        if (name !== undefined) names.push({ name, node });
      }
    }
    const seen = new Set<string>();
    let ok = true;
    for (const { name, node } of names) {
      if (!this.#hosts.has(name)) {
        this.problem(node, `${label}: unknown host "${name}"`);
        ok = false;
      } else if (seen.has(name)) {
        this.problem(node, `${label}: host "${name}" listed twice`);
        ok = false;
      }
      seen.add(name);
    }
    return ok ? names.map((n) => n.name) : undefined;
  }

  flags(
    node: Node | null,
    label: string,
    end: number,
    spec: CommandSpec | undefined,
  ): [string, string | true][] {
    const entries = this.map(node, label, end) ?? [];
    const flags: [string, string | true][] = [];
    for (const entry of entries) {
      if (RESERVED_FLAGS.has(entry.key)) {
        this.problem(
          entry.keyNode,
          `${label}: --${entry.key} is set by the lab runner`,
        );
        continue;
      }
      const flag = spec?.flags[entry.key] ??
        (entry.key === "lang" ? { type: "string" as const } : undefined);
      if (spec && !flag) {
        this.problem(
          entry.keyNode,
          `${label}: ${spec.name} has no flag --${entry.key} (flags: ${
            Object.keys(spec.flags).join(", ")
          })`,
        );
        continue;
      }
      const value = scalarValue(entry.value);
      if (typeof value === "boolean") {
        if (flag && flag.type !== "boolean") {
          this.problem(
            entry.value,
            `${label}: --${entry.key} takes a value, not ${value}`,
          );
        } else if (value) flags.push([entry.key, true]);
        continue;
      }
      if (typeof value === "string" || typeof value === "number") {
        if (flag?.type === "boolean") {
          this.problem(
            entry.value,
            `${label}: --${entry.key} is a switch: use true or false`,
          );
          continue;
        }
        const text = String(value);
        if (this.placeholders(entry.value, text, label)) {
          flags.push([entry.key, text]);
        }
        continue;
      }
      this.problem(
        entry.value ?? entry.keyNode,
        `${label}: --${entry.key}: expected a number, text, true or false`,
      );
    }
    return flags;
  }

  lines(node: Node | null, label: string, end: number): string[] {
    const items = isSeq(node) ? node.items as Node[] : [node];
    const lines: string[] = [];
    for (const item of items) {
      const value = scalarValue(item);
      if (typeof value !== "string" && typeof value !== "number") {
        this.problem(item ?? node, `${label}: expected lines of text`, end);
        continue;
      }
      const text = String(value);
      if (/[\r\n]/.test(text)) {
        this.problem(item, `${label}: one line per item, no line breaks`);
        continue;
      }
      if (this.placeholders(item, text, label)) lines.push(text);
    }
    return lines;
  }

  expectations(node: Node | null, label: string, end: number): Expectation[] {
    const entries = this.map(node, label, end) ?? [];
    const expectations: Expectation[] = [];
    for (const entry of entries) {
      const value = scalarValue(entry.value);
      if (entry.key === "lines") {
        if (value === "all" || value === "others") {
          expectations.push({ field: "lines", value });
        } else {
          this.problem(
            entry.value ?? entry.keyNode,
            `${label}: lines: expected "all" or "others"`,
          );
        }
        continue;
      }
      if (entry.key === "prints") {
        if (typeof value === "string" && value !== "") {
          expectations.push({ field: "prints", value });
        } else {
          this.problem(
            entry.value ?? entry.keyNode,
            `${label}: prints: expected a text the role prints`,
          );
        }
        continue;
      }
      if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(entry.key)) {
        this.problem(entry.keyNode, `${label}: "${entry.key}" is not a field`);
        continue;
      }
      const match = typeof value === "number"
        ? ["", "=", String(value)]
        : typeof value === "string"
        ? /^\s*(=|>=|<=|>|<)?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value)
        : null;
      if (!match) {
        this.problem(
          entry.value ?? entry.keyNode,
          `${label}: ${entry.key}: expected a number or a comparison like ">1"`,
        );
        continue;
      }
      expectations.push({
        field: entry.key,
        op: (match[1] ?? "=") as FieldExpectation["op"],
        value: Number(match[2]),
      });
    }
    return expectations;
  }

  placeholders(node: Node | null, text: string, label: string): boolean {
    for (const [, name] of text.matchAll(/\{([^}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
        this.problem(
          node,
          `${label}: unknown placeholder {${name}} (known: ${
            PLACEHOLDERS.map((p) => `{${p}}`).join(", ")
          })`,
        );
        return false;
      }
    }
    return true;
  }

  duration(entry: Entry | undefined, label: string, fallback: number): number {
    if (!entry) return fallback;
    const ms = parseDuration(scalarValue(entry.value));
    if (ms === undefined || ms > 3_600_000) {
      this.problem(
        entry.value ?? entry.keyNode,
        `${label}: ${entry.key}: expected a duration like 500ms, 2s or 1.5 (seconds), up to 1 hour`,
      );
      return fallback;
    }
    return ms;
  }

  string(node: Node | null, label: string, end: number): string | undefined {
    const value = scalarValue(node);
    if (typeof value === "string" && value !== "") return value;
    this.problem(node, `${label}: expected text`, end);
    return undefined;
  }

  map(
    node: Node | null,
    label: string,
    end: number,
    known?: string[],
  ): Entry[] | undefined {
    if (!isMap(node)) {
      this.problem(
        node,
        `${label}: expected a mapping (key: value lines)`,
        end,
      );
      return undefined;
    }
    const entries: Entry[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const key = scalarValue(keyNode);
      if (typeof key !== "string" && typeof key !== "number") {
        this.problem(keyNode ?? node, `${label}: keys must be plain text`);
        continue;
      }
      if (known && !known.includes(String(key))) {
        this.problem(
          keyNode,
          `${label}: unknown key "${key}" (known: ${known.join(", ")})`,
        );
        continue;
      }
      entries.push({
        key: String(key),
        keyNode,
        value: (pair.value ?? null) as Node | null,
      });
    }
    return entries;
  }
}

/**
 * A scenario's description in `lang`: its Indonesian text when asked for and
 * given, else the English (or only) one.
 */
export function scenarioDescription(scenario: Scenario, lang: Lang): string {
  return lang === "id" && scenario.descriptionId !== undefined
    ? scenario.descriptionId
    : scenario.description;
}

/** `path` as an absolute path; a relative one is taken from `file`'s directory. */
export function resolvePath(file: string, path: string): string {
  if (path.startsWith("/")) return path.replace(/\/+$/, "") || "/";
  const base = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  const url = new URL(path, `file://${base}`);
  return decodeURIComponent(url.pathname).replace(/\/+$/, "");
}

function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? (node as Scalar).value : undefined;
}
