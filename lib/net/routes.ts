/**
 * The routes of a lab with routers, worked out from its segments: which
 * routers lie between two hosts, each host's default gateway (and a route
 * of its own to every segment another router of its segment leads to),
 * and each router's routes to the segments it is not on. The segments and
 * routers form a tree (the topology check refuses loops), so every path is
 * the only one.
 *
 * @example The routers between the ends of a chain
 * ```ts
 * import { routersBetween } from "./routes.ts";
 * import { parseSubnet, type Subnet } from "./subnet.ts";
 *
 * const subnet = (cidr: string) => parseSubnet(cidr) as Subnet;
 * const network = {
 *   file: "lab.yaml", name: "t", subnet: subnet("10.1.1.0/24"),
 *   segments: [
 *     { name: "a", subnet: subnet("10.1.1.0/24") },
 *     { name: "b", subnet: subnet("10.1.2.0/24") },
 *     { name: "c", subnet: subnet("10.1.3.0/24") },
 *   ],
 *   routers: [
 *     { name: "r1", ports: [{ segment: "a", address: "10.1.1.1" }, { segment: "b", address: "10.1.2.1" }] },
 *     { name: "r2", ports: [{ segment: "b", address: "10.1.2.2" }, { segment: "c", address: "10.1.3.1" }] },
 *   ],
 *   hosts: [
 *     { name: "h1", address: "10.1.1.11", segment: "a" },
 *     { name: "h3", address: "10.1.3.11", segment: "c" },
 *   ],
 * };
 * console.log(routersBetween(network, "h1", "h3")); // ["r1", "r2"]
 * ```
 *
 * @module
 */

import type { LabNetwork, LabRouter } from "./network.ts";

/** A route: a subnet and the router address it goes through. */
export interface Route {
  /** The destination subnet, e.g. `10.11.3.0/24`. */
  cidr: string;
  /** The next router's address on the segment the route leaves from. */
  via: string;
}

/** A host's routing: its default gateway and the routes besides it. */
export interface HostRouting {
  /** The router its default route goes through, if its segment has one. */
  gateway?: { router: string; address: string };
  /** Routes to segments that another router of its segment leads to. */
  routes: Route[];
}

/** How a segment is reached: the first router on the way, from where. */
interface Step {
  /** The router taken first. */
  router: LabRouter;
  /** The segment that router is entered from. */
  from: string;
}

/**
 * For every segment reachable from `starts`, the first router on the way
 * there and the segment it is entered from (`undefined` for the starts).
 * Breadth first, so that each is the fewest routers away.
 */
function firstSteps(
  network: LabNetwork,
  starts: string[],
): Map<string, Step | undefined> {
  const routers = network.routers ?? [];
  const reached = new Map<string, Step | undefined>();
  for (const s of starts) reached.set(s, undefined);
  let frontier = [...starts];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const segment of frontier) {
      for (const router of routers) {
        if (!router.ports.some((p) => p.segment === segment)) continue;
        for (const port of router.ports) {
          if (reached.has(port.segment)) continue;
          // The first step is inherited along the way out from a start.
          reached.set(
            port.segment,
            reached.get(segment) ?? { router, from: segment },
          );
          next.push(port.segment);
        }
      }
    }
    frontier = next;
  }
  return reached;
}

/** The segment of host `name`, or `undefined` (unknown, or a one-switch lab). */
export function segmentOfHost(
  network: LabNetwork,
  name: string,
): string | undefined {
  return network.hosts.find((h) => h.name === name)?.segment;
}

/**
 * The routers a packet crosses from segment `from` to segment `to`, in
 * order; `[]` on the same segment, `undefined` when no router joins them.
 */
export function routersOnPath(
  network: Pick<LabNetwork, "routers">,
  from: string,
  to: string,
): string[] | undefined {
  if (from === to) return [];
  // Parents, breadth first from `from`.
  const routers = network.routers ?? [];
  const parent = new Map<string, { router: string; segment: string }>();
  const seen = new Set([from]);
  let frontier = [from];
  while (frontier.length > 0 && !seen.has(to)) {
    const next: string[] = [];
    for (const segment of frontier) {
      for (const router of routers) {
        if (!router.ports.some((p) => p.segment === segment)) continue;
        for (const port of router.ports) {
          if (seen.has(port.segment)) continue;
          seen.add(port.segment);
          parent.set(port.segment, { router: router.name, segment });
          next.push(port.segment);
        }
      }
    }
    frontier = next;
  }
  if (!seen.has(to)) return undefined;
  const path: string[] = [];
  for (let at = to; at !== from;) {
    const step = parent.get(at)!;
    path.unshift(step.router);
    at = step.segment;
  }
  return path;
}

/**
 * The routers between hosts `a` and `b`: `[]` on one segment (and on a
 * one-switch lab), `undefined` when a host is unknown or no router joins
 * their segments.
 */
export function routersBetween(
  network: LabNetwork,
  a: string,
  b: string,
): string[] | undefined {
  const hosts = network.hosts;
  if (!hosts.some((h) => h.name === a) || !hosts.some((h) => h.name === b)) {
    return undefined;
  }
  if (network.segments === undefined) return [];
  const from = segmentOfHost(network, a);
  const to = segmentOfHost(network, b);
  if (from === undefined || to === undefined) return undefined;
  return routersOnPath(network, from, to);
}

function subnetOf(network: LabNetwork, segment: string): string {
  return network.segments!.find((s) => s.name === segment)!.subnet.cidr;
}

function addressOn(router: LabRouter, segment: string): string {
  return router.ports.find((p) => p.segment === segment)!.address;
}

/**
 * The routing of host `name`: the default route through the router of its
 * segment that leads to the most other segments (the first in the file on
 * a tie), and a route of its own to each segment another router of its
 * segment leads to. Nothing on a one-switch lab.
 */
export function hostRouting(network: LabNetwork, name: string): HostRouting {
  const segment = segmentOfHost(network, name);
  if (network.segments === undefined || segment === undefined) {
    return { routes: [] };
  }
  const steps = firstSteps(network, [segment]);
  const leads = new Map<LabRouter, string[]>();
  for (const [target, step] of steps) {
    if (step === undefined) continue;
    leads.set(step.router, [...leads.get(step.router) ?? [], target]);
  }
  let gateway: LabRouter | undefined;
  for (const router of network.routers ?? []) {
    const n = leads.get(router)?.length ?? 0;
    if (n > 0 && (gateway === undefined || n > leads.get(gateway)!.length)) {
      gateway = router;
    }
  }
  if (gateway === undefined) return { routes: [] };
  const routes: Route[] = [];
  for (const [router, targets] of leads) {
    if (router === gateway) continue;
    for (const target of targets) {
      routes.push({
        cidr: subnetOf(network, target),
        via: addressOn(router, segment),
      });
    }
  }
  return {
    gateway: { router: gateway.name, address: addressOn(gateway, segment) },
    routes,
  };
}

/** The routes of router `name` to every segment it is not on. */
export function routerRoutes(network: LabNetwork, name: string): Route[] {
  const router = (network.routers ?? []).find((r) => r.name === name);
  if (router === undefined) return [];
  const own = router.ports.map((p) => p.segment);
  const routes: Route[] = [];
  for (const [target, step] of firstSteps(network, own)) {
    if (step === undefined) continue;
    routes.push({
      cidr: subnetOf(network, target),
      via: addressOn(step.router, step.from),
    });
  }
  return routes;
}
