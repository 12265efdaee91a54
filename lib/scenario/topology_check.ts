/**
 * Checking a topology file: the YAML tree walked node by node, each problem
 * collected with its `file:line:column`, so that one run names them all. The
 * lab's name, network and hosts are checked here, each scenario in
 * `_scenario_check.ts`.
 *
 * @module
 */

import { dirname, resolve } from "node:path";
import { isMap, type Node } from "yaml";
import { UsageError } from "../cli/errors.ts";
import type { CommandSpec } from "../cli/parse.ts";
import { checkScenario } from "./_scenario_check.ts";
import { hostAddressProblem, parseSubnet, type Subnet } from "../net/subnet.ts";
import { checkRouters, checkSegments, placeAddress } from "./_network_check.ts";
import type { LabRouter, LabSegment } from "../net/network.ts";
import { parseYaml, type YamlCheck } from "./_yaml_check.ts";
import { rootfsProblem } from "../net/rootfs.ts";
import type { LabHost, Scenario, Topology } from "./types.ts";

export { MAX_NESTING, parseDuration } from "./_yaml_check.ts";

/** A lab name: lower-case letters, digits and hyphens, up to 16 characters. */
export const LAB_NAME = /^[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const SCENARIO_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** More hosts than this is beyond one bridge and one machine's patience. */
const MAX_HOSTS = 250;

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
  const { root, check } = parseYaml(text, { file });
  const topology = topologyOf(check, root, { specs });
  if (check.problems.length > 0 || topology === undefined) {
    throw new UsageError(check.problems.join("\n"));
  }
  return topology;
}

/** The whole file: name, network, rootfs, hosts and scenarios. */
function topologyOf(
  check: YamlCheck,
  root: Node | null,
  options: { specs: Readonly<Record<string, CommandSpec>> },
): Topology | undefined {
  const entries = check.map(root, "the topology file", {
    known: [
      "name",
      "network",
      "segments",
      "routers",
      "rootfs",
      "hosts",
      "scenarios",
      "student",
    ],
  });
  if (!entries) return undefined;
  const get = (key: string) => entries.find((e) => e.key === key);

  let name = "progjar";
  const nameEntry = get("name");
  if (nameEntry) {
    const value = check.string(nameEntry.value, "name");
    if (value !== undefined && !LAB_NAME.test(value)) {
      check.problem(
        nameEntry.value,
        `name: expected lower-case letters, digits and hyphens (at most 16), got "${value}"`,
      );
    } else if (value !== undefined) {
      name = value;
    }
  }

  const network = get("network");
  const segmentsEntry = get("segments");
  const routersEntry = get("routers");
  if (network && segmentsEntry) {
    check.problem(
      segmentsEntry.keyNode,
      "give network: (one switch) or segments: (several, with routers between them), not both",
    );
    return undefined;
  }
  if (!network && !segmentsEntry) {
    check.problem(
      root,
      "missing key: network (with subnet: a.b.c.d/n), or segments (a lab with routers)",
    );
    return undefined;
  }
  if (routersEntry && !segmentsEntry) {
    check.problem(
      routersEntry.keyNode,
      "routers: join segments: give segments: (name: a.b.c.d/n each) instead of network:",
    );
    return undefined;
  }
  const refused = new Set<string>();
  const segments = segmentsEntry
    ? checkSegments(check, segmentsEntry.value, refused)
    : undefined;
  const subnet = network
    ? subnetOf(check, network.value)
    : segments?.[0]?.subnet;
  const hostsEntry = get("hosts");
  if (!hostsEntry) {
    check.problem(root, "missing key: hosts");
    return undefined;
  }
  if (!subnet) return undefined;
  const rootfsEntry = get("rootfs");
  const rootfs = rootfsEntry
    ? rootfsOf(check, rootfsEntry.value, "rootfs")
    : undefined;
  const names = new Set<string>();
  const taken = new Map<string, string>();
  const hosts = hostList(check, hostsEntry.value, {
    subnet,
    segments,
    refused,
    rootfs,
    names,
    taken,
  });
  let routers: LabRouter[] | undefined;
  if (segments) {
    routers = routersEntry && routersEntry.value !== null
      ? checkRouters(check, routersEntry.value, {
        segments,
        taken,
        hosts: names,
        refused,
      })
      : [];
  }
  const scenarios: Scenario[] = [];
  const scenariosEntry = get("scenarios");
  if (scenariosEntry && scenariosEntry.value !== null) {
    const items = check.map(scenariosEntry.value, "scenarios") ?? [];
    for (const item of items) {
      if (!SCENARIO_NAME.test(item.key)) {
        check.problem(
          item.keyNode,
          `scenario name "${item.key}": use lower-case letters, digits and hyphens`,
        );
        continue;
      }
      const scenario = checkScenario(check, item, {
        hosts: names,
        specs: options.specs,
      });
      if (scenario) scenarios.push(scenario);
    }
  }
  const studentEntry = get("student");
  const student = studentEntry
    ? studentOf(check, studentEntry.value)
    : undefined;
  return {
    file: check.file,
    name,
    subnet,
    hosts,
    ...(segments ? { segments, routers } : {}),
    scenarios,
    ...(student ? { student } : {}),
    ...(rootfs !== undefined ? { rootfs } : {}),
  };
}

/** `student: { name: …, nim: …, kelas: … }`: the report's cover. */
function studentOf(
  check: YamlCheck,
  node: Node | null,
): Topology["student"] {
  const entries = check.map(node, "student", {
    known: ["name", "nim", "kelas"],
  });
  if (!entries) return undefined;
  const value = (key: string) => {
    const entry = entries.find((e) => e.key === key);
    if (!entry || entry.value === null) return undefined;
    // A number like 5025211001 is a student number, not arithmetic.
    const scalar = (entry.value as { value?: unknown }).value;
    return typeof scalar === "number"
      ? String(scalar)
      : check.string(entry.value, `student.${key}`);
  };
  return { student: value("name"), nim: value("nim"), kelas: value("kelas") };
}

/** `network: { subnet: a.b.c.d/n }`. */
function subnetOf(check: YamlCheck, node: Node | null): Subnet | undefined {
  const entries = check.map(node, "network", { known: ["subnet"] });
  if (!entries) return undefined;
  const entry = entries.find((e) => e.key === "subnet");
  if (!entry) {
    check.problem(node, "network: missing key: subnet");
    return undefined;
  }
  const text = check.string(entry.value, "network.subnet");
  if (text === undefined) return undefined;
  const subnet = parseSubnet(text);
  if (typeof subnet === "string") {
    check.problem(entry.value, `network.subnet: ${subnet}`);
    return undefined;
  }
  return subnet;
}

/** A root file system path (relative to the file's directory), checked. */
function rootfsOf(
  check: YamlCheck,
  node: Node | null,
  label: string,
): string | undefined {
  const text = check.string(node, label);
  if (text === undefined) return undefined;
  // Relative to the file's directory, as a path written in it reads.
  const path = resolve(dirname(check.file), text);
  const problem = rootfsProblem(path);
  if (problem) {
    check.problem(node, `${label}: ${problem}`);
    return undefined;
  }
  return path;
}

interface HostListOptions {
  /** The lab's subnet: every address must be a host in it (one switch). */
  subnet: Subnet;
  /** The segments, on a lab of several: each address must be in one. */
  segments: LabSegment[] | undefined;
  /** Filled with every address taken, with whose it is. */
  taken: Map<string, string>;
  /** Segments refused already: naming one is no second problem. */
  refused: ReadonlySet<string>;
  /** The file's `rootfs:`, for hosts without one of their own. */
  rootfs: string | undefined;
  /** Filled with every host name declared, valid address or not (so one bad address is one problem). */
  names: Set<string>;
}

/**
 * `hosts:`, each `name: address` or `name: { address: …, rootfs: … }` (and
 * `segment: …` on a lab of several segments, or the segment its address is
 * in).
 */
function hostList(
  check: YamlCheck,
  node: Node | null,
  options: HostListOptions,
): LabHost[] {
  const { subnet, segments, refused, rootfs, names, taken: byAddress } =
    options;
  const entries = check.map(node, "hosts");
  if (!entries) return [];
  if (entries.length === 0) check.problem(node, "hosts: no hosts");
  if (entries.length > MAX_HOSTS) {
    check.problem(node, `hosts: at most ${MAX_HOSTS} hosts`);
  }
  const hosts: LabHost[] = [];
  for (const entry of entries) {
    if (!HOST_NAME.test(entry.key)) {
      check.problem(
        entry.keyNode,
        `host name "${entry.key}": use lower-case letters, digits and hyphens (at most 32)`,
      );
      continue;
    }
    names.add(entry.key);
    // `alpine-1: 192.168.122.207` or `alpine-1: { address: …, rootfs: … }`
    let addressNode = entry.value;
    let hostRootfs = rootfs;
    let segmentNode: Node | null | undefined;
    if (isMap(entry.value)) {
      const fields = check.map(entry.value, `hosts.${entry.key}`, {
        known: segments ? ["address", "segment", "rootfs"] : [
          "address",
          "rootfs",
        ],
      }) ?? [];
      segmentNode = fields.find((f) => f.key === "segment")?.value;
      addressNode = fields.find((f) => f.key === "address")?.value ?? null;
      if (!fields.some((f) => f.key === "address")) {
        check.problem(entry.value, `hosts.${entry.key}: missing key: address`);
        continue;
      }
      const rootfsField = fields.find((f) => f.key === "rootfs");
      if (rootfsField) {
        hostRootfs = rootfsOf(
          check,
          rootfsField.value,
          `hosts.${entry.key}.rootfs`,
        );
        if (hostRootfs === undefined) continue;
      }
    }
    const address = check.string(addressNode, `hosts.${entry.key}`);
    if (address === undefined) continue;
    let segment: string | undefined;
    if (segments) {
      const placed = placeAddress(segments, address);
      if ("problem" in placed) {
        check.problem(addressNode, `hosts.${entry.key}: ${placed.problem}`);
        continue;
      }
      segment = placed.segment;
      if (segmentNode !== undefined) {
        const named = check.string(segmentNode, `hosts.${entry.key}.segment`);
        if (named === undefined) continue;
        if (named !== segment) {
          if (refused.has(named)) continue;
          const known = segments.find((s) => s.name === named);
          check.problem(
            segmentNode,
            known
              ? `hosts.${entry.key}: ${address} is not in ${named} (${known.subnet.cidr}) but in ${segment}`
              : `hosts.${entry.key}.segment: unknown segment "${named}" (segments: ${
                segments.map((s) => s.name).join(", ")
              })`,
          );
          continue;
        }
      }
    } else {
      const problem = hostAddressProblem(subnet, address);
      if (problem) {
        check.problem(addressNode, `hosts.${entry.key}: ${problem}`);
        continue;
      }
    }
    const other = byAddress.get(address);
    if (other) {
      check.problem(
        addressNode,
        `hosts.${entry.key}: address ${address} is already ${other}'s`,
      );
      continue;
    }
    byAddress.set(address, entry.key);
    hosts.push({
      name: entry.key,
      address,
      ...(hostRootfs === undefined ? {} : { rootfs: hostRootfs }),
      ...(segment === undefined ? {} : { segment }),
    });
  }
  return hosts;
}
