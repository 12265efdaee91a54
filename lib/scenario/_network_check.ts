/**
 * Internal: checking a topology file's segments and routers (a lab of
 * several segments): each segment a name and a subnet that overlaps no
 * other; each router a list of the segments it joins, each given by an
 * address in it or by its name (then the router gets the segment's lowest
 * free address); no router that joins a segment to itself, none that joins
 * two segments already joined (two routers between the same pair, or any
 * other loop: multicast flooded round a loop would arrive twice).
 *
 * @module
 */

import { isSeq, type Node } from "yaml";
import { ipv4ToNumber, isIpv4, numberToIpv4 } from "../cli/address.ts";
import { hostAddressProblem, parseSubnet } from "../net/subnet.ts";
import type { LabRouter, LabSegment } from "../net/network.ts";
import { routersOnPath } from "../net/routes.ts";
import { scalarValue, type YamlCheck } from "./_yaml_check.ts";

/** A name of a segment or router: as host names are written. */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
/** Bridges in one namespace, and routers with their veths: enough for a class. */
const MAX_SEGMENTS = 64;
const MAX_ROUTERS = 64;
const MAX_PORTS = 16;

/**
 * `segments:`, each `name: a.b.c.d/n` (or `name: { subnet: … }`); the
 * names of those refused are added to `refused`, so that naming one later
 * is no second problem.
 */
export function checkSegments(
  check: YamlCheck,
  node: Node | null,
  refused: Set<string>,
): LabSegment[] {
  const entries = check.map(node, "segments") ?? [];
  if (entries.length === 0) check.problem(node, "segments: no segments");
  if (entries.length > MAX_SEGMENTS) {
    check.problem(node, `segments: at most ${MAX_SEGMENTS} segments`);
  }
  const segments: LabSegment[] = [];
  for (const entry of entries) {
    const label = `segments.${entry.key}`;
    if (!NAME.test(entry.key)) {
      check.problem(
        entry.keyNode,
        `segment name "${entry.key}": use lower-case letters, digits and hyphens (at most 32)`,
      );
      continue;
    }
    refused.add(entry.key);
    let valueNode = entry.value;
    if (scalarValue(entry.value) === undefined && entry.value !== null) {
      const fields = check.map(entry.value, label, { known: ["subnet"] });
      if (!fields) continue;
      valueNode = fields.find((f) => f.key === "subnet")?.value ?? null;
      if (!fields.some((f) => f.key === "subnet")) {
        check.problem(entry.value, `${label}: missing key: subnet`);
        continue;
      }
    }
    const text = check.string(valueNode, label);
    if (text === undefined) continue;
    const subnet = parseSubnet(text);
    if (typeof subnet === "string") {
      check.problem(valueNode, `${label}: ${subnet}`);
      continue;
    }
    const other = segments.find((s) => overlap(s.subnet, subnet));
    if (other) {
      check.problem(
        valueNode,
        `${label}: ${subnet.cidr} overlaps ${other.name} (${other.subnet.cidr}): each segment needs its own subnet`,
      );
      continue;
    }
    refused.delete(entry.key);
    segments.push({ name: entry.key, subnet });
  }
  return segments;
}

function range(s: { network: string; broadcast: string }): [number, number] {
  return [ipv4ToNumber(s.network), ipv4ToNumber(s.broadcast)];
}

function overlap(
  a: { network: string; broadcast: string },
  b: { network: string; broadcast: string },
): boolean {
  const [a0, a1] = range(a);
  const [b0, b1] = range(b);
  return a0 <= b1 && b0 <= a1;
}

/** The segments as a list for messages: `lan-1 10.11.1.0/24, …`. */
function segmentList(segments: LabSegment[]): string {
  return segments.map((s) => `${s.name} ${s.subnet.cidr}`).join(", ");
}

/**
 * The segment `address` is on, or a reason why it is on none (outside every
 * segment, or a segment's network or broadcast address).
 */
export function placeAddress(
  segments: LabSegment[],
  address: string,
): { segment: string } | { problem: string } {
  if (!isIpv4(address)) {
    return {
      problem: `expected an IPv4 address like 192.168.122.7, got "${address}"`,
    };
  }
  const value = ipv4ToNumber(address);
  for (const segment of segments) {
    const [low, high] = range(segment.subnet);
    if (value < low || value > high) continue;
    const problem = hostAddressProblem(segment.subnet, address);
    return problem ? { problem } : { segment: segment.name };
  }
  return {
    problem: `${address} is on no segment (segments: ${segmentList(segments)})`,
  };
}

/** Options for {@linkcode checkRouters}. */
export interface RoutersCheckOptions {
  /** The segments declared. */
  segments: LabSegment[];
  /** Every address already taken, with whose it is (hosts first). */
  taken: Map<string, string>;
  /** The host names (a router may not take one). */
  hosts: ReadonlySet<string>;
  /** Segments refused already (a router on one is no second problem). */
  refused: ReadonlySet<string>;
}

/** One interface as written: an address, or a segment's name. */
interface Written {
  segment: string;
  address?: string;
  node: Node | null;
}

/**
 * `routers:`, each `name: [ADDRESS-or-SEGMENT, …]`. Addresses given by
 * segment name are handed out once every written address is known.
 */
export function checkRouters(
  check: YamlCheck,
  node: Node | null,
  options: RoutersCheckOptions,
): LabRouter[] {
  const { segments, taken, hosts, refused } = options;
  const entries = check.map(node, "routers") ?? [];
  if (entries.length > MAX_ROUTERS) {
    check.problem(node, `routers: at most ${MAX_ROUTERS} routers`);
  }
  const written: { name: string; node: Node | null; ports: Written[] }[] = [];
  for (const entry of entries) {
    const label = `routers.${entry.key}`;
    if (!NAME.test(entry.key)) {
      check.problem(
        entry.keyNode,
        `router name "${entry.key}": use lower-case letters, digits and hyphens (at most 32)`,
      );
      continue;
    }
    if (hosts.has(entry.key)) {
      check.problem(
        entry.keyNode,
        `${label}: "${entry.key}" is already a host's name`,
      );
      continue;
    }
    const ports = routerPorts(check, entry.value, {
      label,
      segments,
      taken,
      refused,
    });
    if (ports) written.push({ name: entry.key, node: entry.value, ports });
  }
  // Joined so far: a router joining two segments already joined closes a loop.
  const routers: LabRouter[] = [];
  for (const router of written) {
    const label = `routers.${router.name}`;
    const joins = router.ports.map((p) => p.segment);
    let loop: string | undefined;
    pairs: for (const [i, first] of joins.entries()) {
      for (const segment of joins.slice(i + 1)) {
        const path = routersOnPath({ routers }, first, segment);
        if (path === undefined) continue;
        const same = routers.find((r) =>
          r.ports.some((p) => p.segment === first) &&
          r.ports.some((p) => p.segment === segment)
        );
        loop = same
          ? `joins ${first} and ${segment}, as ${same.name} already does: two routers between the same segments make a loop (multicast would arrive twice)`
          : `closes a loop: ${first} and ${segment} are already joined through ${
            path.join(", ")
          } (multicast would go round it; routers must form a tree)`;
        break pairs;
      }
    }
    if (loop) {
      check.problem(router.node, `${label}: ${loop}`);
      continue;
    }
    routers.push({
      name: router.name,
      ports: router.ports.map((p) => ({
        segment: p.segment,
        address: p.address ?? "",
      })),
    });
  }
  // Addresses by segment name: the lowest free one, in file order.
  return routers.filter((router) => {
    for (const port of router.ports) {
      if (port.address !== "") continue;
      const segment = segments.find((s) => s.name === port.segment)!;
      const free = lowestFree(segment, taken);
      if (free === undefined) {
        check.problem(
          written.find((w) => w.name === router.name)!.node,
          `routers.${router.name}: no address left in ${segment.name} (${segment.subnet.cidr})`,
        );
        return false;
      }
      port.address = free;
      taken.set(free, router.name);
    }
    return true;
  });
}

/** The interfaces of one router, checked; `undefined` after a problem. */
function routerPorts(
  check: YamlCheck,
  node: Node | null,
  options: {
    label: string;
    segments: LabSegment[];
    taken: Map<string, string>;
    refused: ReadonlySet<string>;
  },
): Written[] | undefined {
  const { label, segments, taken, refused } = options;
  if (!isSeq(node)) {
    check.problem(
      node,
      `${label}: expected a list of the segments it joins: their names or its address in each, e.g. [lan-1, lan-2]`,
    );
    return undefined;
  }
  const items = node.items as Node[];
  if (items.length < 2 || items.length > MAX_PORTS) {
    check.problem(
      node,
      `${label}: a router joins 2 to ${MAX_PORTS} segments, got ${items.length}`,
    );
    return undefined;
  }
  const ports: Written[] = [];
  for (const item of items) {
    const text = check.string(item, label);
    if (text === undefined) return undefined;
    let port: Written;
    if (/^[\d.]+$/.test(text)) {
      const placed = placeAddress(segments, text);
      if ("problem" in placed) {
        check.problem(item, `${label}: ${placed.problem}`);
        return undefined;
      }
      const owner = taken.get(text);
      if (owner) {
        check.problem(item, `${label}: address ${text} is already ${owner}'s`);
        return undefined;
      }
      port = { segment: placed.segment, address: text, node: item };
    } else if (segments.some((s) => s.name === text)) {
      port = { segment: text, node: item };
    } else if (refused.has(text)) {
      return undefined;
    } else {
      check.problem(
        item,
        `${label}: unknown segment "${text}" (segments: ${
          segments.map((s) => s.name).join(", ")
        })`,
      );
      return undefined;
    }
    const twice = ports.find((p) => p.segment === port.segment);
    if (twice) {
      check.problem(
        item,
        `${label}: links ${port.segment} to itself (it is on ${port.segment} twice): a router joins different segments`,
      );
      return undefined;
    }
    ports.push(port);
  }
  for (const port of ports) {
    if (port.address) taken.set(port.address, label.slice("routers.".length));
  }
  return ports;
}

/** The lowest host address of `segment` not in `taken`. */
function lowestFree(
  segment: LabSegment,
  taken: Map<string, string>,
): string | undefined {
  const [low, high] = range(segment.subnet);
  for (let n = low + 1; n < high; n++) {
    const address = numberToIpv4(n);
    if (!taken.has(address)) return address;
  }
  return undefined;
}
