/**
 * The kernel's count of datagrams it dropped at one of this process's UDP
 * sockets because the socket's receive buffer was full: what tells a
 * receiver that was too slow from a network that lost datagrams.
 *
 * The count is the `drops` column of `/proc/net/udp`, but Deno lets a
 * program read `/proc` only with `--allow-all`, so it is asked of `ss`
 * (iproute2), which prints it as `d<N>` in `skmem`; the roles are granted
 * `--allow-run=ss` and nothing more for it. `ss -p` names the process
 * owning each socket: this process's socket on the port is the one with
 * its pid, whatever other programs share the port.
 *
 * @module
 */

import type { Text } from "../cli/i18n.ts";

import type { UdpSocket } from "./socket.ts";

/** The `--help` note of a receiver whose summary carries the count. */
export const KERNEL_DROPS_NOTE: Text = {
  en:
    "The summary also tells how many datagrams the kernel dropped because the receive\n" +
    "buffer was full (Linux, ss): then this program, not the network, was too slow.",
  id:
    "Ringkasan juga menyebut berapa datagram yang dibuang kernel karena buffer penerimaan\n" +
    "penuh (Linux, ss): berarti program ini, bukan jaringan, yang terlalu lambat.",
};

/** The program asked, and the only one the receivers may run. */
const SS = "ss";

/**
 * Datagrams the kernel dropped at `conn` (receive buffer full) since it was
 * opened, or `undefined` where that cannot be known: not Linux, no `ss`,
 * no permission to run it (never asked for: no prompt). Must be called
 * before `conn` is closed: a closed socket's count is gone.
 */
export async function readKernelDrops(
  conn: UdpSocket,
): Promise<number | undefined> {
  if (Deno.build.os !== "linux") return undefined;
  const { state } = await Deno.permissions.query({ name: "run", command: SS });
  if (state !== "granted") return undefined;
  const port = (conn.addr as Deno.NetAddr).port;
  try {
    const { success, stdout } = await new Deno.Command(SS, {
      // -H no header, -O one line per socket, -p the owning processes.
      args: ["-HuamnOp", `sport = :${port}`],
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!success) return undefined;
    return parseSsDrops(new TextDecoder().decode(stdout), Deno.pid);
  } catch {
    // No `ss` on this host (e.g. a minimal container).
    return undefined;
  }
}

/**
 * The drop count of the socket owned by process `pid` in `ss -HuamnOp`'s
 * output, or `undefined` when no line is that process's.
 */
export function parseSsDrops(output: string, pid: number): number | undefined {
  for (const line of output.split("\n")) {
    if (!line.includes(`pid=${pid},`)) continue;
    const drops = /skmem:\([^)]*\bd(\d+)\)/.exec(line);
    if (drops) return Number(drops[1]);
  }
  return undefined;
}

/**
 * A `close` for `conn` that first reads its drop count (the count goes with
 * the socket) and then closes it, once however often it is called; each
 * call resolves to that count. Closing ends a pending receive.
 */
export function closeCountingDrops(
  conn: UdpSocket,
): () => Promise<number | undefined> {
  let closing: Promise<number | undefined> | undefined;
  return () => {
    closing ??= readKernelDrops(conn).finally(() => conn.close());
    return closing;
  };
}
