/**
 * Checking a topology file: the YAML tree walked node by node, each problem
 * collected with its `file:line:column`, so that one run names them all.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
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
import { PLACEHOLDERS } from "./placeholders.ts";
import { rootfsProblem } from "./rootfs.ts";
import type {
  Expectation,
  FieldExpectation,
  LabHost,
  Scenario,
  Step,
  Topology,
} from "./topology.ts";

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

/** Options for {@linkcode checkTopology}. */
export interface CheckTopologyOptions {
  /** The file name used in messages. */
  file: string;
  /** Command lines of the roles, to check scenario flags against. */
  specs: Readonly<Record<string, CommandSpec>>;
}

/**
 * Parses and checks the text of a topology file. Throws a
 * {@linkcode UsageError} whose message has one line per problem.
 */
export function checkTopology(
  text: string,
  options: CheckTopologyOptions,
): Topology {
  const { file, specs } = options;
  const lines = new LineCounter();
  const deep = tooDeep(text, lines);
  if (deep !== undefined) {
    const checker = new Checker(file, { lines, end: text.length, specs: {} });
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
  const checker = new Checker(file, { lines, end: text.length, specs });
  for (const error of doc.errors) {
    checker.problemAt(error.pos[0], error.message.split("\n", 1)[0]);
  }
  if (checker.problems.length > 0) {
    throw new UsageError(checker.problems.join("\n"));
  }
  const topology = checker.topology(doc.contents);
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

interface CheckerOptions {
  /** Line starts, for `file:line:column`. */
  lines: LineCounter;
  /** The text's length: where a problem without a node is placed. */
  end: number;
  /** Command lines of the roles. */
  specs: Readonly<Record<string, CommandSpec>>;
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
  #specs: Readonly<Record<string, CommandSpec>>;
  /** Where a problem without a node of its own is placed: the file's end. */
  #end: number;
  /** Host names declared, valid address or not (so one bad address is one problem). */
  #hosts = new Set<string>();

  constructor(file: string, options: CheckerOptions) {
    this.#file = file;
    this.#lines = options.lines;
    this.#end = options.end;
    this.#specs = options.specs;
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

  /** A problem at `node`, or at the file's end when there is no node. */
  problem(node: Node | null | undefined, message: string): void {
    this.problemAt(node?.range?.[0] ?? this.#end, message);
  }

  topology(root: Node | null): Topology | undefined {
    const entries = this.map(root, "the topology file", [
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
      const value = this.string(nameEntry.value, "name");
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
      this.problem(root, "missing key: network (with subnet: a.b.c.d/n)");
      return undefined;
    }
    const subnet = this.subnet(network.value);
    const hostsEntry = get("hosts");
    if (!hostsEntry) {
      this.problem(root, "missing key: hosts");
      return undefined;
    }
    if (!subnet) return undefined;
    const rootfsEntry = get("rootfs");
    const rootfs = rootfsEntry
      ? this.rootfs(rootfsEntry.value, "rootfs")
      : undefined;
    const hosts = this.hostList(hostsEntry.value, subnet, rootfs);
    const scenarios: Scenario[] = [];
    const scenariosEntry = get("scenarios");
    if (scenariosEntry && scenariosEntry.value !== null) {
      const items = this.map(scenariosEntry.value, "scenarios") ?? [];
      for (const item of items) {
        if (!SCENARIO_NAME.test(item.key)) {
          this.problem(
            item.keyNode,
            `scenario name "${item.key}": use lower-case letters, digits and hyphens`,
          );
          continue;
        }
        const scenario = this.scenario(item);
        if (scenario) scenarios.push(scenario);
      }
    }
    return { file: this.#file, name, subnet, hosts, scenarios };
  }

  subnet(node: Node | null): Subnet | undefined {
    const entries = this.map(node, "network", ["subnet"]);
    if (!entries) return undefined;
    const entry = entries.find((e) => e.key === "subnet");
    if (!entry) {
      this.problem(node, "network: missing key: subnet");
      return undefined;
    }
    const text = this.string(entry.value, "network.subnet");
    if (text === undefined) return undefined;
    const subnet = parseSubnet(text);
    if (typeof subnet === "string") {
      this.problem(entry.value, `network.subnet: ${subnet}`);
      return undefined;
    }
    return subnet;
  }

  /** A root file system path (relative to the file's directory), checked. */
  rootfs(node: Node | null, label: string): string | undefined {
    const text = this.string(node, label);
    if (text === undefined) return undefined;
    // Relative to the file's directory, as a path written in it reads.
    const path = resolve(dirname(this.#file), text);
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
    rootfs: string | undefined,
  ): LabHost[] {
    const entries = this.map(node, "hosts");
    if (!entries) return [];
    if (entries.length === 0) this.problem(node, "hosts: no hosts");
    if (entries.length > MAX_HOSTS) {
      this.problem(node, `hosts: at most ${MAX_HOSTS} hosts`);
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
        const fields = this.map(entry.value, `hosts.${entry.key}`, [
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
          );
          if (hostRootfs === undefined) continue;
        }
      }
      const address = this.string(addressNode, `hosts.${entry.key}`);
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

  scenario(item: Entry): Scenario | undefined {
    const label = `scenario ${item.key}`;
    const entries = this.map(item.value, label, [
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
    );
    const timeoutMs = this.duration(get("timeout"), label, DEFAULT_TIMEOUT_MS);
    const lingerMs = this.duration(get("linger"), label, DEFAULT_LINGER_MS);
    const stepsEntry = get("steps");
    if (!stepsEntry || !isSeq(stepsEntry.value)) {
      this.problem(
        stepsEntry?.value ?? item.keyNode,
        `${label}: expected steps: a list of steps`,
      );
      return undefined;
    }
    const steps: Step[] = [];
    let started = 0;
    for (const node of stepsEntry.value.items as Node[]) {
      const step = this.step(node, label, started > 0);
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
  ): { en: string; id?: string } {
    if (!entry) return { en: "" };
    const where = `${label}: description`;
    // Only ever shown (terminal, report): control characters and line
    // breaks escaped here, once for every place it appears.
    if (!isMap(entry.value)) {
      return { en: displayText(this.string(entry.value, where) ?? "") };
    }
    const entries = this.map(entry.value, where, ["en", "id"]);
    const text = (lang: string) => {
      const found = entries?.find((e) => e.key === lang);
      if (found) return this.string(found.value, `${where}: ${lang}`);
      if (entries) {
        this.problem(entry.value, `${where}: expected ${lang}: (text)`);
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
    anyStarted: boolean,
  ): Step | undefined {
    const entries = this.map(node, `${label}: step`, [
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
    const where = this.where(node.range?.[0] ?? this.#end);
    const hosts = this.stepHosts(get("host"), get("hosts"), node, label);
    const afterMs = this.duration(get("after"), label, 0);
    const input = get("input")
      ? this.lines(get("input")!.value, `${label}: input`)
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
    const role = this.string(roleEntry.value, `${label}: role`);
    if (role !== undefined && !findRole(role)) {
      this.problem(roleEntry.value, `${label}: unknown role "${role}"`);
    }
    const spec = role === undefined
      ? undefined
      : Object.hasOwn(this.#specs, role)
      ? this.#specs[role]
      : undefined;
    const flags = get("flags")
      ? this.flags(get("flags")!.value, `${label}: flags`, spec)
      : [];
    let wait: string | undefined;
    if (get("wait")) {
      wait = this.string(get("wait")!.value, `${label}: wait`);
      if (wait !== undefined && !/^[a-z][a-zA-Z-]*$/.test(wait)) {
        this.problem(
          get("wait")!.value,
          `${label}: wait: expected a record type like "listening", got "${wait}"`,
        );
      }
    }
    let stop: "self" | "end" = "self";
    if (get("stop")) {
      const value = this.string(get("stop")!.value, `${label}: stop`);
      if (value === "self" || value === "end") stop = value;
      else if (value !== undefined) {
        this.problem(
          get("stop")!.value,
          `${label}: stop: expected "self" (the role ends by itself) or "end" (stopped at the end), got "${value}"`,
        );
      }
    }
    const expect = get("expect")
      ? this.expectations(get("expect")!.value, `${label}: expect`)
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
  ): string[] | undefined {
    if (one && many) {
      this.problem(many.keyNode, `${label}: give "host" or "hosts", not both`);
      return undefined;
    }
    if (!one && !many) {
      this.problem(step, `${label}: step without "host" or "hosts"`);
      return undefined;
    }
    let names: { name: string; node: Node | null }[];
    if (one) {
      const name = this.string(one.value, `${label}: host`);
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
        const name = this.string(node, `${label}: hosts`);
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
    spec: CommandSpec | undefined,
  ): [string, string | true][] {
    const entries = this.map(node, label) ?? [];
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

  lines(node: Node | null, label: string): string[] {
    const items = isSeq(node) ? node.items as Node[] : [node];
    const lines: string[] = [];
    for (const item of items) {
      const value = scalarValue(item);
      if (typeof value !== "string" && typeof value !== "number") {
        this.problem(item ?? node, `${label}: expected lines of text`);
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

  expectations(node: Node | null, label: string): Expectation[] {
    const entries = this.map(node, label) ?? [];
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

  string(node: Node | null, label: string): string | undefined {
    const value = scalarValue(node);
    if (typeof value === "string" && value !== "") return value;
    this.problem(node, `${label}: expected text`);
    return undefined;
  }

  map(
    node: Node | null,
    label: string,
    known?: string[],
  ): Entry[] | undefined {
    if (!isMap(node)) {
      this.problem(
        node,
        `${label}: expected a mapping (key: value lines)`,
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

function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? (node as Scalar).value : undefined;
}
