/**
 * The types of a checked topology file: its scenarios, their steps and
 * expectations, and the topology itself (the network of `lib/net` with the
 * scenarios that run on it). `topology.ts` reads and checks the file.
 *
 * @module
 */

import type { LabNetwork } from "../net/network.ts";

export type { LabHost, LabNetwork, Subnet } from "../net/network.ts";

/** A comparison a summary field must pass, e.g. `missing: 0` or `firstSeq: ">1"`. */
export interface FieldExpectation {
  /** A field of the role's `summary` record, or `exit` for the exit code. */
  field: string;
  /** The comparison. */
  op: "=" | ">" | ">=" | "<" | "<=";
  /** The number compared with. */
  value: number;
}

/**
 * Which input lines a role must have printed: everyone's, the other hosts',
 * or those whose TTL reaches its host.
 */
export interface LinesExpectation {
  /** Always `lines`. */
  field: "lines";
  /**
   * `all`: every input line of the scenario; `others`: those of other
   * processes; `reachable`: exactly the lines of the senders whose TTL is
   * more than the routers between them and this host (and none of the
   * others').
   */
  value: "all" | "others" | "reachable";
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

/** A checked topology file: the network, its hosts and its scenarios. */
export interface Topology extends LabNetwork {
  /** The scenarios, in file order. */
  scenarios: Scenario[];
  /** The `student:` block: the report's cover (name, nim, kelas). */
  student?: { student?: string; nim?: string; kelas?: string };
  /**
   * The file's own `rootfs:` (absolute), which its hosts without one of
   * their own run in; hosts imported from a GNS3 project do too.
   */
  rootfs?: string;
}
