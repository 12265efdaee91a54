/**
 * The lab's network as the namespaces are built from it: its name, its one
 * subnet and its hosts. The topology file (`lib/scenario`) adds the
 * scenarios that run on it.
 *
 * @module
 */

import type { Subnet } from "./subnet.ts";

export type { Subnet };

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
  /** Its interface's name; default `eth0` (a GNS3 node's adapter N is `ethN`). */
  iface?: string;
  /**
   * The name of its port on the bridge; default `p1`, `p2`, … in host
   * order (a GNS3 project's names the switch port it is cabled to).
   */
  port?: string;
}

/** The network a lab is built from. */
export interface LabNetwork {
  /** The file it was read from. */
  file: string;
  /** The lab's name: the prefix of its namespaces. */
  name: string;
  /** The subnet all hosts are on. */
  subnet: Subnet;
  /** The hosts, in file order. */
  hosts: LabHost[];
}
