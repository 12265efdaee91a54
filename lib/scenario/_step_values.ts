/**
 * Checking the values of one step of a scenario: its flags (against the
 * role's command line), its input lines and its expectations, each text's
 * `{placeholders}` included.
 *
 * @module
 */

import { isSeq, type Node } from "yaml";
import type { CommandSpec } from "../cli/parse.ts";
import { scalarValue, type YamlCheck } from "./_yaml_check.ts";
import { PLACEHOLDERS } from "./placeholders.ts";
import type { Expectation, FieldExpectation } from "./types.ts";

/** Flags the runner sets itself. */
const RESERVED_FLAGS = new Set(["json", "help"]);

/**
 * A start step's `flags:`, each checked against the role's command line
 * (`options.spec`) when it is known.
 */
export function checkFlags(
  check: YamlCheck,
  node: Node | null,
  options: { label: string; spec: CommandSpec | undefined },
): [string, string | true][] {
  const { label, spec } = options;
  const entries = check.map(node, label) ?? [];
  const flags: [string, string | true][] = [];
  for (const entry of entries) {
    if (RESERVED_FLAGS.has(entry.key)) {
      check.problem(
        entry.keyNode,
        `${label}: --${entry.key} is set by the lab runner`,
      );
      continue;
    }
    const flag = spec?.flags[entry.key] ??
      (entry.key === "lang" ? { type: "string" as const } : undefined);
    if (spec && !flag) {
      check.problem(
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
        check.problem(
          entry.value,
          `${label}: --${entry.key} takes a value, not ${value}`,
        );
      } else if (value) flags.push([entry.key, true]);
      continue;
    }
    if (typeof value === "string" || typeof value === "number") {
      if (flag?.type === "boolean") {
        check.problem(
          entry.value,
          `${label}: --${entry.key} is a switch: use true or false`,
        );
        continue;
      }
      const text = String(value);
      if (placeholders(check, entry.value, { text, label })) {
        flags.push([entry.key, text]);
      }
      continue;
    }
    check.problem(
      entry.value ?? entry.keyNode,
      `${label}: --${entry.key}: expected a number, text, true or false`,
    );
  }
  return flags;
}

/** A step's `input:`: one line of text, or a list of them. */
export function checkLines(
  check: YamlCheck,
  node: Node | null,
  options: { label: string },
): string[] {
  const { label } = options;
  const items = isSeq(node) ? node.items as Node[] : [node];
  const lines: string[] = [];
  for (const item of items) {
    const value = scalarValue(item);
    if (typeof value !== "string" && typeof value !== "number") {
      check.problem(item ?? node, `${label}: expected lines of text`);
      continue;
    }
    const text = String(value);
    if (/[\r\n]/.test(text)) {
      check.problem(
        item,
        `${label}: one line per item, no line breaks`,
      );
      continue;
    }
    if (placeholders(check, item, { text, label })) lines.push(text);
  }
  return lines;
}

/** A start step's `expect:`: `lines`, `prints` and summary fields compared to numbers. */
export function checkExpectations(
  check: YamlCheck,
  node: Node | null,
  options: { label: string },
): Expectation[] {
  const { label } = options;
  const entries = check.map(node, label) ?? [];
  const expectations: Expectation[] = [];
  for (const entry of entries) {
    const value = scalarValue(entry.value);
    if (entry.key === "lines") {
      if (value === "all" || value === "others" || value === "reachable") {
        expectations.push({ field: "lines", value });
      } else {
        check.problem(
          entry.value ?? entry.keyNode,
          `${label}: lines: expected "all", "others" or "reachable"`,
        );
      }
      continue;
    }
    if (entry.key === "prints") {
      if (typeof value === "string" && value !== "") {
        expectations.push({ field: "prints", value });
      } else {
        check.problem(
          entry.value ?? entry.keyNode,
          `${label}: prints: expected a text the role prints`,
        );
      }
      continue;
    }
    if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(entry.key)) {
      check.problem(entry.keyNode, `${label}: "${entry.key}" is not a field`);
      continue;
    }
    const match = typeof value === "number"
      ? ["", "=", String(value)]
      : typeof value === "string"
      ? /^\s*(=|>=|<=|>|<)?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(value)
      : null;
    if (!match) {
      check.problem(
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

/** Whether every `{name}` in `options.text` is a known placeholder. */
function placeholders(
  check: YamlCheck,
  node: Node | null,
  options: { text: string; label: string },
): boolean {
  const { text, label } = options;
  for (const [, name] of text.matchAll(/\{([^}]*)\}/g)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      check.problem(
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
