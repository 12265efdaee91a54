/**
 * The lab's topology file (`lab.yaml`): the network, its hosts and the
 * scenarios that run the practicums on them. Everything is checked before the
 * system is touched (see `topology_check.ts`); every problem is reported as
 * one line with `file:line:column`.
 *
 * @example Read a lab with one scenario
 * ```ts
 * import { parseTopology } from "./topology.ts";
 *
 * const topology = parseTopology(`
 * network: { subnet: 192.168.122.0/24 }
 * hosts:
 *   alpine-1: 192.168.122.207
 *   alpine-2: 192.168.122.208
 * scenarios:
 *   hello:
 *     steps:
 *       - { host: alpine-2, role: udp-server, wait: listening, stop: end }
 *       - { host: alpine-1, role: udp-client, flags: { host: alpine-2 } }
 * `);
 * console.log(topology.hosts.map((h) => h.name)); // ["alpine-1", "alpine-2"]
 * console.log(topology.scenarios[0].steps.length); // 2
 * ```
 *
 * @example Every problem, one line each with its position
 * ```ts
 * import { parseTopology } from "./topology.ts";
 *
 * try {
 *   parseTopology("network: { subnet: 10.0.0.0/24 }\nhosts:\n  Bad_Name: 10.0.0.1\n");
 * } catch (err) {
 *   console.log((err as Error).message);
 *   // lab.yaml:3:3: host name "Bad_Name": use lower-case letters, digits and hyphens (at most 32)
 * }
 * ```
 *
 * @module
 */

import type { Lang } from "../cli/i18n.ts";
import { UsageError } from "../cli/errors.ts";
import type { CommandSpec } from "../cli/parse.ts";
import type { Subnet } from "./_subnet.ts";
import { checkTopology } from "./topology_check.ts";

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
  /** The `student:` block: the report's cover (name, nim, kelas). */
  student?: { student?: string; nim?: string; kelas?: string };
}

/** Options for {@linkcode parseTopology}. */
export interface ParseOptions {
  /** The file name used in messages. */
  file?: string;
  /**
   * Command lines of the roles, to check scenario flags against. A role
   * missing here is still accepted (its flags go unchecked).
   */
  specs?: Readonly<Record<string, CommandSpec>>;
}

/**
 * Reads and checks a topology file. Throws a {@linkcode UsageError} whose
 * message has one line per problem.
 */
export function parseTopology(
  text: string,
  options: ParseOptions = {},
): Topology {
  return checkTopology(text, {
    file: options.file ?? "lab.yaml",
    specs: options.specs ?? {},
  });
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
 * A scenario's description in `lang`: its Indonesian text when asked for and
 * given, else the English (or only) one.
 */
export function scenarioDescription(scenario: Scenario, lang: Lang): string {
  return lang === "id" && scenario.descriptionId !== undefined
    ? scenario.descriptionId
    : scenario.description;
}
