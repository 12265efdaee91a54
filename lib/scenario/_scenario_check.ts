/**
 * Checking one scenario of a topology file: its description, timings and
 * steps (hosts, role, what to wait for, how it stops; the step's flags, input
 * and expectations in `_step_values.ts`).
 *
 * @module
 */

import { isMap, isSeq, type Node } from "yaml";
import { displayText } from "../cli/display.ts";
import type { CommandSpec } from "../cli/parse.ts";
import { findRole } from "../roles.ts";
import { checkExpectations, checkFlags, checkLines } from "./_step_values.ts";
import type { Entry, YamlCheck } from "./_yaml_check.ts";
import type { Scenario, Step } from "./types.ts";

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_LINGER_MS = 3_000;

/** Options for {@linkcode checkScenario}. */
export interface ScenarioCheckOptions {
  /** The names of the hosts declared (valid address or not). */
  hosts: ReadonlySet<string>;
  /** Command lines of the roles, to check flags against. */
  specs: Readonly<Record<string, CommandSpec>>;
}

/**
 * The scenario of `item` (a key of `scenarios:`), or `undefined`; its
 * problems go to `check`.
 */
export function checkScenario(
  check: YamlCheck,
  item: Entry,
  options: ScenarioCheckOptions,
): Scenario | undefined {
  return new ScenarioChecker(check, options).scenario(item);
}

interface StepOptions {
  /** `scenario <name>`, for messages. */
  label: string;
  /** Whether an earlier step starts a role. */
  anyStarted: boolean;
}

interface StepHostsOptions {
  /** The step's `host:` entry. */
  one: Entry | undefined;
  /** The step's `hosts:` entry. */
  many: Entry | undefined;
}

/** The checks of one scenario, its problems collected in a {@linkcode YamlCheck}. */
class ScenarioChecker {
  #check: YamlCheck;
  #hosts: ReadonlySet<string>;
  #specs: Readonly<Record<string, CommandSpec>>;

  constructor(check: YamlCheck, options: ScenarioCheckOptions) {
    this.#check = check;
    this.#hosts = options.hosts;
    this.#specs = options.specs;
  }

  scenario(item: Entry): Scenario | undefined {
    const check = this.#check;
    const label = `scenario ${item.key}`;
    const entries = check.map(item.value, label, {
      known: ["description", "timeout", "linger", "steps"],
    });
    if (!entries) return undefined;
    const get = (key: string) => entries.find((e) => e.key === key);
    const { en: description, id: descriptionId } = this.description(
      get("description"),
      label,
    );
    const timeoutMs = check.duration(get("timeout"), label, {
      fallback: DEFAULT_TIMEOUT_MS,
    });
    const lingerMs = check.duration(get("linger"), label, {
      fallback: DEFAULT_LINGER_MS,
    });
    const stepsEntry = get("steps");
    if (!stepsEntry || !isSeq(stepsEntry.value)) {
      check.problem(
        stepsEntry?.value ?? item.keyNode,
        `${label}: expected steps: a list of steps`,
      );
      return undefined;
    }
    const steps: Step[] = [];
    let started = 0;
    for (const node of stepsEntry.value.items as Node[]) {
      const step = this.step(node, { label, anyStarted: started > 0 });
      if (step?.kind === "start") started++;
      if (step) steps.push(step);
    }
    if (steps.length > 0 && started === 0) {
      check.problem(stepsEntry.value, `${label}: no step starts a role`);
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
    const check = this.#check;
    if (!entry) return { en: "" };
    const where = `${label}: description`;
    // Only ever shown (terminal, report): control characters and line
    // breaks escaped here, once for every place it appears.
    if (!isMap(entry.value)) {
      return { en: displayText(check.string(entry.value, where) ?? "") };
    }
    const entries = check.map(entry.value, where, { known: ["en", "id"] });
    const text = (lang: string) => {
      const found = entries?.find((e) => e.key === lang);
      if (found) return check.string(found.value, `${where}: ${lang}`);
      if (entries) {
        check.problem(entry.value, `${where}: expected ${lang}: (text)`);
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

  step(node: Node, options: StepOptions): Step | undefined {
    const check = this.#check;
    const { label, anyStarted } = options;
    const entries = check.map(node, `${label}: step`, {
      known: [
        "host",
        "hosts",
        "role",
        "flags",
        "input",
        "after",
        "wait",
        "stop",
        "expect",
      ],
    });
    if (!entries) return undefined;
    const get = (key: string) => entries.find((e) => e.key === key);
    const where = check.whereNode(node);
    const hosts = this.stepHosts(node, label, {
      one: get("host"),
      many: get("hosts"),
    });
    const afterMs = check.duration(get("after"), label, { fallback: 0 });
    const input = get("input")
      ? checkLines(check, get("input")!.value, { label: `${label}: input` })
      : [];
    const roleEntry = get("role");
    if (!roleEntry) {
      // An input step: only hosts, input and after make sense.
      for (const key of ["flags", "wait", "stop", "expect"]) {
        if (get(key)) {
          check.problem(
            get(key)!.keyNode,
            `${label}: "${key}" needs "role" in the same step`,
          );
        }
      }
      if (!get("input")) {
        check.problem(node, `${label}: a step needs "role" or "input"`);
      } else if (!anyStarted) {
        check.problem(node, `${label}: input before any role was started`);
      }
      return hosts && { kind: "input", hosts, input, afterMs, where };
    }
    const role = check.string(roleEntry.value, `${label}: role`);
    if (role !== undefined && !findRole(role)) {
      check.problem(roleEntry.value, `${label}: unknown role "${role}"`);
    }
    const spec = role === undefined
      ? undefined
      : Object.hasOwn(this.#specs, role)
      ? this.#specs[role]
      : undefined;
    const flags = get("flags")
      ? checkFlags(check, get("flags")!.value, {
        label: `${label}: flags`,
        spec,
      })
      : [];
    let wait: string | undefined;
    if (get("wait")) {
      wait = check.string(get("wait")!.value, `${label}: wait`);
      if (wait !== undefined && !/^[a-z][a-zA-Z-]*$/.test(wait)) {
        check.problem(
          get("wait")!.value,
          `${label}: wait: expected a record type like "listening", got "${wait}"`,
        );
      }
    }
    let stop: "self" | "end" = "self";
    if (get("stop")) {
      const value = check.string(get("stop")!.value, `${label}: stop`);
      if (value === "self" || value === "end") stop = value;
      else if (value !== undefined) {
        check.problem(
          get("stop")!.value,
          `${label}: stop: expected "self" (the role ends by itself) or "end" (stopped at the end), got "${value}"`,
        );
      }
    }
    const expect = get("expect")
      ? checkExpectations(check, get("expect")!.value, {
        label: `${label}: expect`,
      })
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
    step: Node,
    label: string,
    options: StepHostsOptions,
  ): string[] | undefined {
    const check = this.#check;
    const { one, many } = options;
    if (one && many) {
      check.problem(many.keyNode, `${label}: give "host" or "hosts", not both`);
      return undefined;
    }
    if (!one && !many) {
      check.problem(step, `${label}: step without "host" or "hosts"`);
      return undefined;
    }
    let names: { name: string; node: Node | null }[];
    if (one) {
      const name = check.string(one.value, `${label}: host`);
      if (name === undefined) return undefined;
      names = [{ name, node: one.value }];
    } else {
      if (!isSeq(many!.value) || many!.value.items.length === 0) {
        check.problem(
          many!.value ?? many!.keyNode,
          `${label}: hosts: expected a list of host names`,
        );
        return undefined;
      }
      names = [];
      for (const node of many!.value.items as Node[]) {
        const name = check.string(node, `${label}: hosts`);
        if (name !== undefined) names.push({ name, node });
      }
    }
    const seen = new Set<string>();
    let ok = true;
    for (const { name, node } of names) {
      if (!this.#hosts.has(name)) {
        check.problem(node, `${label}: unknown host "${name}"`);
        ok = false;
      } else if (seen.has(name)) {
        check.problem(node, `${label}: host "${name}" listed twice`);
        ok = false;
      }
      seen.add(name);
    }
    return ok ? names.map((n) => n.name) : undefined;
  }
}
