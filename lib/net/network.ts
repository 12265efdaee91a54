/**
 * The lab's network as the namespaces are built from it: its name, its
 * subnet and its hosts, and for a lab of several segments the segments (each
 * a switch of its own) and the routers between them. The topology file
 * (`lib/scenario`) adds the scenarios that run on it.
 *
 * @module
 */

import type { Subnet } from "./subnet.ts";

export type { Subnet };

/** One host of the lab: a network namespace with one interface. */
export interface LabHost {
  /** The host name, e.g. `alpine-1`; resolves inside the lab. */
  name: string;
  /** Its IPv4 address in its segment's subnet. */
  address: string;
  /**
   * The Alpine-like root file system its commands run in (absolute path),
   * or `undefined` to run them on the machine itself.
   */
  rootfs?: string;
  /** Its interface's name; default `eth0` (a GNS3 node's adapter N is `ethN`). */
  iface?: string;
  /**
   * The name of its port on the bridge; default `p1`, `p2`, … in host
   * order (a GNS3 project's names the switch port it is cabled to).
   */
  port?: string;
  /** Its segment's name, on a lab of several segments. */
  segment?: string;
}

/** One segment of a lab with routers: a switch (bridge) and its subnet. */
export interface LabSegment {
  /** The segment's name, e.g. `lan-1`. */
  name: string;
  /** Its subnet. */
  subnet: Subnet;
}

/** One interface of a router: on which segment, with which address. */
export interface RouterPort {
  /** The segment it is on. */
  segment: string;
  /** Its address in that segment's subnet. */
  address: string;
}

/**
 * A router: a namespace with one interface per segment it joins
 * (`eth0`, `eth1`, … in this order), forwarding unicast (the kernel) and
 * multicast (see `forwarder.ts`) between them.
 */
export interface LabRouter {
  /** The router's name, e.g. `router-1`. */
  name: string;
  /** Its interfaces, at least two, each on another segment. */
  ports: RouterPort[];
  /** How it forwards multicast, once its lab is up (for the report). */
  multicast?: "user-space" | "smcroute";
}

/** The network a lab is built from. */
export interface LabNetwork {
  /** The file it was read from. */
  file: string;
  /** The lab's name: the prefix of its namespaces. */
  name: string;
  /**
   * The subnet all hosts are on; on a lab of several segments, the first
   * segment's (the others are in {@linkcode LabNetwork.segments}).
   */
  subnet: Subnet;
  /** The hosts, in file order. */
  hosts: LabHost[];
  /**
   * The segments, in file order, when the file gives `segments:`; absent
   * for the one-switch lab (`network:`), which is built as it always was.
   */
  segments?: LabSegment[];
  /** The routers between the segments, in file order. */
  routers?: LabRouter[];
}
