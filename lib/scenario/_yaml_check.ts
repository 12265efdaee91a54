/**
 * Walking a YAML file's tree while checking it: parsing with a depth limit,
 * each problem collected with its `file:line:column` (so that one run names
 * them all), and the checks every key needs (text, a mapping, a duration).
 *
 * @module
 */

import {
  type CST,
  isMap,
  isScalar,
  LineCounter,
  type Node,
  parseDocument,
  Parser,
  type Scalar,
} from "yaml";
import { displayText } from "../cli/display.ts";
import { UsageError } from "../cli/errors.ts";

/**
 * Collections nested deeper than this are refused before the YAML library
 * builds its tree (it recurses, and overflows the stack at ~1000 levels); a
 * lab file needs about 6.
 */
export const MAX_NESTING = 64;

/** One key of a mapping, with its nodes (for the positions of problems). */
export interface Entry {
  /** The key as text. */
  key: string;
  /** The key's node. */
  keyNode: Node | null;
  /** The value's node (`null` when the key has no value). */
  value: Node | null;
}

/** Options for {@linkcode YamlCheck}. */
export interface YamlCheckOptions {
  /** Line starts, for `file:line:column`. */
  lines: LineCounter;
  /** The text's length: where a problem without a node is placed. */
  end: number;
}

/** Options for {@linkcode YamlCheck.map}. */
export interface MapOptions {
  /** The keys allowed; any other is a problem. Every key when absent. */
  known?: readonly string[];
}

/** Options for {@linkcode YamlCheck.duration}. */
export interface DurationOptions {
  /** The duration when the key is absent or wrong, in milliseconds. */
  fallback: number;
}

/** The problems of one file, collected with their positions while walking it. */
export class YamlCheck {
  /** The problems found so far, one line each. */
  readonly problems: string[] = [];
  /** The file name used in messages. */
  readonly file: string;
  #lines: LineCounter;
  /** Where a problem without a node of its own is placed: the file's end. */
  #end: number;

  /** A check of `file`, placing problems with `options.lines`. */
  constructor(file: string, options: YamlCheckOptions) {
    this.file = file;
    this.#lines = options.lines;
    this.#end = options.end;
  }

  /** `file:line:column` of `offset`. */
  where(offset: number): string {
    const { line, col } = this.#lines.linePos(offset);
    return line === 0
      ? `${this.file}:1:${offset + 1}`
      : `${this.file}:${line}:${col}`;
  }

  /** `file:line:column` of `node`, or of the file's end when there is none. */
  whereNode(node: Node | null | undefined): string {
    return this.where(node?.range?.[0] ?? this.#end);
  }

  /** A problem at `offset`. */
  problemAt(offset: number, message: string): void {
    // Messages quote the file's text: escaped, like peer bytes.
    this.problems.push(displayText(`${this.where(offset)}: ${message}`));
  }

  /** A problem at `node`, or at the file's end when there is no node. */
  problem(node: Node | null | undefined, message: string): void {
    this.problemAt(node?.range?.[0] ?? this.#end, message);
  }

  /** The non-empty text of `node`, or `undefined` (and a problem). */
  string(node: Node | null, label: string): string | undefined {
    const value = scalarValue(node);
    if (typeof value === "string" && value !== "") return value;
    this.problem(node, `${label}: expected text`);
    return undefined;
  }

  /**
   * The entries of the mapping `node`, or `undefined` (and a problem) when it
   * is not one. Keys that are not plain text or not known are left out, each
   * a problem.
   */
  map(
    node: Node | null,
    label: string,
    options: MapOptions = {},
  ): Entry[] | undefined {
    const { known } = options;
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

  /**
   * The duration of `entry` in milliseconds (up to 1 hour), or the fallback
   * when it is absent or wrong (then a problem).
   */
  duration(
    entry: Entry | undefined,
    label: string,
    options: DurationOptions,
  ): number {
    const { fallback } = options;
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
}

/** Options for {@linkcode parseYaml}. */
export interface ParseYamlOptions {
  /** The file name used in messages. */
  file: string;
}

/** A parsed file: its tree and the check that walks it. */
export interface ParsedYaml {
  /** The document's root node. */
  root: Node | null;
  /** The check to collect the tree's problems in. */
  check: YamlCheck;
}

/**
 * Parses `text`, refusing nesting deeper than {@linkcode MAX_NESTING} and
 * duplicate keys. Throws a {@linkcode UsageError} with one line per syntax
 * problem.
 */
export function parseYaml(text: string, options: ParseYamlOptions): ParsedYaml {
  const { file } = options;
  const lines = new LineCounter();
  const deep = tooDeep(text, lines);
  if (deep !== undefined) {
    const check = new YamlCheck(file, { lines, end: text.length });
    check.problemAt(
      deep,
      `nested too deeply (more than ${MAX_NESTING} levels)`,
    );
    throw new UsageError(check.problems[0]);
  }
  const doc = parseDocument(text, {
    prettyErrors: false,
    uniqueKeys: true,
  });
  const check = new YamlCheck(file, { lines, end: text.length });
  for (const error of doc.errors) {
    check.problemAt(error.pos[0], error.message.split("\n", 1)[0]);
  }
  if (check.problems.length > 0) {
    throw new UsageError(check.problems.join("\n"));
  }
  return { root: doc.contents, check };
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

/** The value of a scalar node; `undefined` for anything else. */
export function scalarValue(node: Node | null | undefined): unknown {
  return isScalar(node) ? (node as Scalar).value : undefined;
}
