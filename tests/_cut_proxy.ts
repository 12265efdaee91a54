/**
 * A TCP proxy that cuts connections: a flaky link between a VM and serve.
 * Connection i (0, 1, …) is closed once `cuts[i]` bytes of the answer went
 * through (`cuts[i]` undefined: passed whole; `cutAll`: every connection is
 * cut after that many bytes). In-process ({@linkcode startCutProxy}) or as
 * a program inside a namespace:
 *
 *     deno run -A tests/_cut_proxy.ts HOST:PORT TARGET_HOST:TARGET_PORT CUT,CUT,…|all:N
 *
 * which prints `listening PORT` when it listens.
 */

/** Options for {@linkcode startCutProxy}. */
export interface CutProxyOptions {
  /** Where to listen (port 0: any). */
  listen: { hostname: string; port: number };
  /** Where to forward. */
  target: { hostname: string; port: number };
  /** Bytes of the answer after which connection i is cut. */
  cuts?: (number | undefined)[];
  /** Cut every connection after this many bytes of the answer. */
  cutAll?: number;
}

/** A running proxy. */
export interface CutProxy {
  /** Its port. */
  port: number;
  /** Connections taken so far. */
  connections(): number;
  /** Stops it and every connection. */
  close(): Promise<void>;
}

/** Starts the proxy. */
export function startCutProxy(options: CutProxyOptions): CutProxy {
  const listener = Deno.listen(options.listen);
  let count = 0;
  const open = new Set<Deno.Conn>();
  const closeAll = (conns: Deno.Conn[]) => {
    for (const conn of conns) {
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const pipe = async (
    from: Deno.Conn,
    to: Deno.Conn,
    limit: number | undefined,
    both: Deno.Conn[],
  ) => {
    const buffer = new Uint8Array(64 * 1024);
    let passed = 0;
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        const take = limit === undefined ? n : Math.min(n, limit - passed);
        let offset = 0;
        while (offset < take) {
          offset += await to.write(buffer.subarray(offset, take));
        }
        passed += take;
        if (limit !== undefined && passed >= limit) break;
      }
    } catch {
      // one side went away
    }
    closeAll(both);
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const index = count++;
      const limit = options.cutAll ?? options.cuts?.[index];
      let server: Deno.Conn;
      try {
        server = await Deno.connect(options.target);
      } catch {
        client.close();
        continue;
      }
      open.add(client);
      open.add(server);
      const both = [client, server];
      pipe(client, server, undefined, both);
      pipe(server, client, limit, both);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => count,
    async close() {
      listener.close();
      closeAll([...open]);
      await accepting;
    },
  };
}

if (import.meta.main) {
  const [listen, target, cuts] = Deno.args;
  const address = (text: string) => {
    const [hostname, port] = text.split(":");
    return { hostname, port: Number(port) };
  };
  const proxy = startCutProxy({
    listen: address(listen),
    target: address(target),
    ...cuts.startsWith("all:")
      ? { cutAll: Number(cuts.slice(4)) }
      : { cuts: cuts.split(",").map((c) => c === "" ? undefined : Number(c)) },
  });
  console.log(`listening ${proxy.port}`);
}
