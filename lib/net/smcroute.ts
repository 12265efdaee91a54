/**
 * A router's multicast forwarding by the kernel, where it has multicast
 * routing (MRT_INIT works): `smcrouted` (Debian package `smcroute`) given
 * static routes that send every group arriving on one interface out of all
 * the others. The kernel then forwards, decrements the TTL and drops at the
 * interfaces' threshold (1, as a router does), and link-local groups
 * (224.0.0.0/24) stay on their link.
 *
 * @example The configuration of a router with two interfaces
 * ```ts
 * import { smcrouteConfig } from "./smcroute.ts";
 *
 * console.log(smcrouteConfig(["eth0", "eth1"]));
 * // phyint eth0 enable ttl-threshold 1
 * // phyint eth1 enable ttl-threshold 1
 * // mroute from eth0 group 224.0.0.0/4 to eth1
 * // mroute from eth1 group 224.0.0.0/4 to eth0
 * ```
 *
 * @module
 */

/** `smcrouted`'s configuration: every group from each interface to the others. */
export function smcrouteConfig(interfaces: string[]): string {
  const lines = interfaces.map((i) => `phyint ${i} enable ttl-threshold 1`);
  for (const from of interfaces) {
    const others = interfaces.filter((i) => i !== from);
    lines.push(`mroute from ${from} group 224.0.0.0/4 to ${others.join(" ")}`);
  }
  return lines.join("\n");
}

/**
 * The command line of `smcrouted` (smcroute 2.5) in the foreground with
 * `config`, only the interfaces it enables (`-N`), and its control socket
 * and pid file at `base` + `.sock` / `.pid`: one of each per router, not
 * the shared `/run/smcroute.*` (two labs may both have a `router-1`). The
 * configuration was checked with `smcrouted -F` in a router's namespace.
 */
export function smcrouteArgs(
  options: { config: string; base: string; ident: string },
): string[] {
  return [
    "-n",
    "-N",
    "-f",
    options.config,
    "-u",
    `${options.base}.sock`,
    "-P",
    `${options.base}.pid`,
    "-i",
    options.ident,
  ];
}
