/**
 * The lab the report draws for the VMs that `serve` installed: no topology
 * file, but what each VM reported of itself with its runs (its host name,
 * eth0's address, prefix and broadcast address), and how far its clock
 * was off the host's.
 *
 * @example
 * ```ts
 * import { parseRecording } from "./recordings.ts";
 * import { vmLab } from "./vm_lab.ts";
 *
 * const vm = JSON.stringify({ t: 1, vm: { id: "vm-1-192-168-122-131", hostname: "alpine-2", address: "192.168.122.131", prefix: 24, broadcast: "192.168.122.255" } });
 * const lab = vmLab([parseRecording("vm-1-192-168-122-131", vm)], { dir: "records" });
 * console.log(lab.subnet.cidr, lab.hosts[0].name); // 192.168.122.0/24 alpine-2
 * ```
 *
 * @module
 */

import { ipv4ToNumber, numberToIpv4 } from "../cli/address.ts";
import { CLOCK_NOTED_MS } from "../results/clock.ts";
import type { LabHostInfo, LabInfo } from "../results/results.ts";
import {
  naturalOrder,
  type RecordedRun,
  type Recording,
} from "./recordings.ts";

/** Options for {@linkcode vmLab}. */
export interface VmLabOptions {
  /** The store's directory, as given (`--records DIR`). */
  dir: string;
  /** Only runs from then on count for the clocks (ms since the epoch). */
  sinceMs?: number;
  /** The cover's fields, if a topology file gave them. */
  student?: LabInfo["student"];
}

/** The VMs of serve's store as a lab: their names, addresses and subnet. */
export function vmLab(
  recordings: Recording[],
  options: VmLabOptions,
): LabInfo {
  const since = options.sinceMs ?? 0;
  const hosts: LabHostInfo[] = recordings
    .filter((r) => r.vm !== undefined || r.runs.length > 0)
    .map((r) => {
      const offset = clockOffset(r.runs.filter((run) => run.startMs >= since));
      return {
        name: r.host,
        address: r.vm?.address ?? "",
        ...(offset ? { clockOffsetMs: offset } : {}),
      };
    })
    .sort((a, b) => naturalOrder(a.name, b.name));
  return {
    file: options.dir,
    subnet: subnetOf(recordings),
    hosts,
    scenarios: [],
    hostsAre: "vms",
    ...(options.student ? { student: options.student } : {}),
  };
}

/** The least and most offset of `runs`, when one is more than a second. */
function clockOffset(
  runs: RecordedRun[],
): { min: number; max: number } | undefined {
  const offsets = runs.flatMap((r) =>
    r.clockOffsetMs === undefined ? [] : [r.clockOffsetMs]
  );
  if (!offsets.some((o) => Math.abs(o) > CLOCK_NOTED_MS)) return undefined;
  return { min: Math.min(...offsets), max: Math.max(...offsets) };
}

/**
 * The subnet most VMs reported (address and prefix), and its broadcast
 * address as they reported it; `-` when none said.
 */
function subnetOf(recordings: Recording[]): LabInfo["subnet"] {
  const votes = new Map<string, { n: number; broadcast: string }>();
  for (const { vm } of recordings) {
    if (vm?.address === undefined || vm.prefix === undefined) continue;
    const mask = vm.prefix === 0 ? 0 : (0xffffffff << (32 - vm.prefix)) >>> 0;
    const network = numberToIpv4((ipv4ToNumber(vm.address) & mask) >>> 0);
    const cidr = `${network}/${vm.prefix}`;
    const broadcast = vm.broadcast ??
      numberToIpv4((ipv4ToNumber(network) | ~mask) >>> 0);
    const vote = votes.get(cidr) ?? { n: 0, broadcast };
    vote.n++;
    votes.set(cidr, vote);
  }
  let best: { cidr: string; broadcast: string; n: number } | undefined;
  for (const [cidr, vote] of votes) {
    if (!best || vote.n > best.n) best = { cidr, ...vote };
  }
  return best
    ? { cidr: best.cidr, broadcast: best.broadcast }
    : { cidr: "-", broadcast: "-" };
}
