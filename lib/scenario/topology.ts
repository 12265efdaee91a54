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

import { UsageError } from "../cli/errors.ts";
import type { CommandSpec } from "../cli/parse.ts";
import { checkTopology } from "./topology_check.ts";
import type { Topology } from "./types.ts";

export type * from "./types.ts";
export { scenarioDescription } from "../results/results.ts";

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
