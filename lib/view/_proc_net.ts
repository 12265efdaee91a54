/**
 * Internal: the kernel's tables of a network namespace's UDP sockets
 * (`/proc/net/udp`), multicast memberships (`/proc/net/igmp`) and UDP
 * counters (`/proc/net/snmp`), as a process in that namespace reads them.
 *
 * Both print IPv4 addresses as the 32-bit value in the machine's byte
 * order (`0100007F` is 127.0.0.1 on a little-endian machine, as every
 * machine this runs on is) and ports in hex.
 *
 * @module
 */

import type { UdpSocket } from "./sockets.ts";

/** A hex address of /proc/net as a dotted IPv4 address (little-endian). */
export function procAddress(hex: string): string {
  const n = parseInt(hex, 16);
  return `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${n >>> 24}`;
}

/** The sockets of a `/proc/net/udp` text. */
export function parseProcUdp(text: string): UdpSocket[] {
  const sockets: UdpSocket[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [localAddress, localPort] = fields[1].split(":");
    const [remoteAddress, remotePort] = fields[2].split(":");
    if (!localPort || !remotePort) continue;
    const socket: UdpSocket = {
      address: procAddress(localAddress),
      port: parseInt(localPort, 16),
    };
    if (parseInt(remotePort, 16) !== 0) {
      socket.remote = {
        address: procAddress(remoteAddress),
        port: parseInt(remotePort, 16),
      };
    }
    sockets.push(socket);
  }
  // A stable order: the same sockets read twice compare equal.
  return sockets.sort((a, b) =>
    a.port - b.port || a.address.localeCompare(b.address)
  );
}

/** The groups a device joined, from a `/proc/net/igmp` text. */
export function parseProcIgmp(text: string, device = "eth0"): string[] {
  const groups: string[] = [];
  let inDevice = false;
  for (const line of text.split("\n").slice(1)) {
    if (/^\d/.test(line)) {
      inDevice = line.split(/\s+/)[1] === device;
      continue;
    }
    const group = /^\s+([0-9A-Fa-f]{8})\s/.exec(line);
    if (inDevice && group) groups.push(procAddress(group[1]));
  }
  return groups.sort();
}

/** The UDP counters of a `/proc/net/snmp` text that say "no socket". */
export function parseProcSnmp(
  text: string,
): { ignoredMulti?: number; noPorts?: number } {
  const lines = text.split("\n").filter((l) => l.startsWith("Udp:"));
  if (lines.length < 2) return {};
  const names = lines[0].trim().split(/\s+/);
  const values = lines[1].trim().split(/\s+/).map(Number);
  const value = (name: string) => {
    const i = names.indexOf(name);
    return i > 0 && Number.isFinite(values[i]) ? values[i] : undefined;
  };
  const ignoredMulti = value("IgnoredMulti");
  const noPorts = value("NoPorts");
  return {
    ...(ignoredMulti === undefined ? {} : { ignoredMulti }),
    ...(noPorts === undefined ? {} : { noPorts }),
  };
}
