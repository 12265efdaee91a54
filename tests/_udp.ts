/**
 * Helpers for the UDP tests: several receivers sharing one port, a plain
 * socket to send odd datagrams with, and reading a process's summary.
 *
 * @module
 */

import { type RoleProcess, startListening, startRole } from "./_harness.ts";

/**
 * Starts `n` receivers of role `name` on one shared port: the first with
 * `--port 0` (the system picks a free port), the rest on the port it got.
 */
export async function startSharedReceivers(
  name: string,
  n: number,
  args: string[],
): Promise<{ procs: RoleProcess[]; port: number }> {
  // A safety net: a receiver waiting for a datagram that never comes ends
  // the test with a failed assertion instead of a hang.
  if (!args.includes("--duration")) args = [...args, "--duration", "20"];
  const first = await startListening(name, args);
  const procs = [first.proc];
  for (let i = 1; i < n; i++) {
    const proc = startRole(name, [
      "--json",
      "--port",
      String(first.port),
      ...args,
    ]);
    await proc.waitForRecord("listening");
    procs.push(proc);
  }
  return { procs, port: first.port };
}

/** Sends raw datagrams to 127.0.0.1:`port` from a throwaway socket. */
export async function sendRaw(
  port: number,
  datagrams: Uint8Array[],
  hostname = "127.0.0.1",
): Promise<void> {
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    for (const datagram of datagrams) {
      await socket.send(datagram, { transport: "udp", hostname, port });
    }
  } finally {
    socket.close();
  }
}

/** The last JSON record of a finished process, which must be its summary. */
export function summaryOf(proc: RoleProcess): Record<string, unknown> {
  const last = proc.records.at(-1);
  if (last?.type !== "summary") {
    throw new Error(
      `${proc.name}: last line is not a summary:\n${proc.lines.join("\n")}`,
    );
  }
  return last;
}

/** A UDP or TCP port on loopback with nothing on it (taken and given back). */
export function freePort(transport: "udp" | "tcp" = "udp"): number {
  if (transport === "tcp") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = listener.addr.port;
    listener.close();
    return port;
  }
  const socket = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = (socket.addr as Deno.NetAddr).port;
  socket.close();
  return port;
}

/**
 * A broadcast sender's flags on loopback only, from 127.0.0.1 to
 * 127.255.255.255:`port`, never the real interfaces; `more` follow.
 */
export function loopbackBroadcast(port: number, ...more: string[]): string[] {
  return [
    "--bind",
    "127.0.0.1",
    "--to",
    "127.255.255.255",
    "--port",
    String(port),
    ...more,
  ];
}
