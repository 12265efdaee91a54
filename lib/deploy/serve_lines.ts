/**
 * What serve prints for people: sizes, and the line to paste on each VM.
 *
 * @example
 * ```ts
 * import { formatBytes, pasteLines } from "./serve_lines.ts";
 *
 * console.log(formatBytes(43_100_000)); // "43.1 MB"
 * console.log(pasteLines("192.168.122.1", 8000)[0].line); // "wget -qO- http://192.168.122.1:8000/install.sh | sh"
 * ```
 *
 * @module
 */

import { isIpv4 } from "../cli/address.ts";

/** A size for people: `43.1 MB`, `160 KB`, `912 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}

/** The line to paste on a VM, for each local IPv4 address `bind` covers. */
export function pasteLines(
  bind: string,
  port: number,
): { name: string; line: string }[] {
  const line = (address: string) =>
    `wget -qO- http://${address}:${port}/install.sh | sh`;
  if (bind !== "0.0.0.0") return [{ name: bind, line: line(bind) }];
  let interfaces: Deno.NetworkInterfaceInfo[] = [];
  try {
    interfaces = Deno.networkInterfaces();
  } catch {
    // not allowed to list them: the placeholder below
  }
  const found = interfaces
    .filter((i) =>
      i.family === "IPv4" && isIpv4(i.address) && !i.address.startsWith("127.")
    )
    .map((i) => ({ name: i.name, line: line(i.address) }));
  return found.length > 0 ? found : [{ name: "lo", line: line("127.0.0.1") }];
}
