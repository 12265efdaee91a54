/**
 * The HTTP/1.1 server under `serve`: a TCP listener, one request per
 * connection, a small router (method and path to a handler taking a Fetch
 * `Request` and giving a `Response`, or a {@linkcode FileAnswer} for bytes
 * of a file), and limits that keep a class's downloads going when some
 * clients misbehave:
 *
 * - at most `maxConnections` open at once and `maxPerHost` from one address
 *   (one more gets 503 with `Retry-After`, its connection closed at once);
 * - the request head (at most `maxHeadBytes`) within `requestTimeoutMs` of
 *   the connection, else it is closed: half-sent requests cannot pile up;
 * - a write (or a read of a POST body) that makes no progress for
 *   `stallTimeoutMs` is cut: a VM that stopped reading frees its slot;
 * - a POST body is read only up to its route's `maxBody` (413 beyond).
 *
 * A file whose answer names its path goes out by the kernel (`sendfile`,
 * see `_sendfile.ts`) where FFI is allowed: no copy through JavaScript, no
 * buffer per download. Otherwise it is sent from one buffer of
 * `chunkBytes` per connection, read with `readSync` (the pack is in the
 * page cache once one VM fetched it) and written with `conn.write`: no
 * stream queues, no fresh buffer per chunk. Either way a download is
 * complete once the client acknowledged its last byte
 * (docs/benchmarks.md has the measurements that chose this).
 *
 * Every answered request is reported once it is over (an
 * {@linkcode Exchange}), every refusal once (a {@linkcode Refusal}); the
 * caller decides what to print.
 *
 * @example A route and a request
 * ```ts
 * import { listen, Router } from "./http_server.ts";
 *
 * const router = new Router().get("/hello", () => new Response("hi\n"));
 * const stop = new AbortController();
 * const server = listen({
 *   hostname: "127.0.0.1",
 *   port: 0,
 *   router,
 *   signal: stop.signal,
 *   onExchange() {},
 *   onRefusal() {},
 * });
 * const response = await fetch(`http://127.0.0.1:${server.port}/hello`);
 * console.log(await response.text()); // "hi\n"
 * stop.abort();
 * await server.finished;
 * ```
 *
 * @module
 */

import { answerBusy } from "./_http_busy.ts";
import {
  BadRequest,
  headEnd,
  parseHead,
  reasonOf,
  type RequestHead,
} from "./_http.ts";
import {
  closeQuietly,
  type CutReason,
  sendFile,
  sendResponse,
  sendSmall,
  type Tracked,
} from "./_http_send.ts";
import {
  type Answer,
  type AnsweredRange,
  FileAnswer,
  type Router,
} from "./http_router.ts";

export type { CutReason };
export {
  type Answer,
  type AnsweredRange,
  FileAnswer,
  type FileAnswerOptions,
  type Handler,
  type RequestInfo,
  type RouteOptions,
  Router,
} from "./http_router.ts";

/** The limits of {@linkcode listen}; see the module's description. */
export interface Limits {
  /** Connections open at once. */
  maxConnections: number;
  /** Connections open at once from one address (0: no limit). */
  maxPerHost: number;
  /** Time from the connection to the end of the request head, ms. */
  requestTimeoutMs: number;
  /** Time a write or a body read may make no progress, ms. */
  stallTimeoutMs: number;
  /** The largest request head, bytes. */
  maxHeadBytes: number;
  /** The buffer a file is sent from, bytes (one per download). */
  chunkBytes: number;
}

/** The limits when none are given. */
export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxConnections: 256,
  maxPerHost: 32,
  requestTimeoutMs: 10_000,
  stallTimeoutMs: 30_000,
  maxHeadBytes: 8 * 1024,
  chunkBytes: 64 * 1024,
};

/** One request, reported when its answer is over. */
export interface Exchange {
  /** The client's address. */
  client: string;
  /** The method. */
  method: string;
  /** The path asked for. */
  path: string;
  /** The status sent. */
  status: number;
  /**
   * Bytes of the body handed to the connection. For a cut answer this is
   * an upper bound of what the client received: the last of them may still
   * have been in the socket's send buffer.
   */
  bytes: number;
  /** Seconds from the request to the end of the answer. */
  seconds: number;
  /** Whether the whole body went out. */
  complete: boolean;
  /** Why not: the client went away, stopped reading, the server stopped. */
  cut?: CutReason;
  /** For a part of a file: which. */
  range?: AnsweredRange;
}

/** What a refusal was for. */
export type RefusalKind =
  | "full"
  | "per-host"
  | "timeout"
  | "head-too-large"
  | "body-too-large"
  | "bad-request"
  | "accept-failed";

/** A connection refused or cut by a limit, or a request not taken. */
export interface Refusal {
  /** Which limit or problem. */
  kind: RefusalKind;
  /** The client's address (`?` when unknown). */
  client: string;
  /** The status sent, if one was. */
  status?: number;
  /** The limit that applied (connections, bytes, ms), if one did. */
  limit?: number;
}

/** Options for {@linkcode listen}. */
export interface ListenOptions {
  /** The address to listen on. */
  hostname: string;
  /** The TCP port (0: any free one). */
  port: number;
  /** The routes. */
  router: Router;
  /** Limits other than the defaults. */
  limits?: Partial<Limits>;
  /** Called once per request, when its answer is over. */
  onExchange(exchange: Exchange): void;
  /** Called once per refusal. */
  onRefusal(refusal: Refusal): void;
  /** Stops the server: no more connections; open ones are cut. */
  signal: AbortSignal;
}

/** A listening server. */
export interface HttpServer {
  /** The port it listens on. */
  readonly port: number;
  /** Connections open now. */
  connections(): number;
  /** Resolves when it has stopped and every connection is over. */
  readonly finished: Promise<void>;
}

/**
 * Listens and serves until `options.signal`. Throws `Deno.errors.AddrInUse`
 * (and the like) at once when it cannot listen.
 */
export function listen(options: ListenOptions): HttpServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  const open = new Set<Tracked>();
  const perHost = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const signal = options.signal;

  // One sweep for every connection's deadline, instead of a timer per read
  // and write (hundreds of thousands per class).
  const tick = Math.max(
    20,
    Math.min(1000, limits.requestTimeoutMs / 4, limits.stallTimeoutMs / 4),
  );
  const sweeper = setInterval(() => {
    const now = performance.now();
    for (const t of open) {
      if (t.cut) continue;
      const waited = now - t.since;
      if (t.state === "head" && waited > limits.requestTimeoutMs) {
        cut(t, "timeout");
      } else if (
        (t.state === "write" || t.state === "body") &&
        waited > limits.stallTimeoutMs
      ) {
        cut(t, "stalled");
      }
    }
  }, tick);
  Deno.unrefTimer(sweeper);

  const stop = () => {
    listener.close();
    for (const t of open) cut(t, "stopped");
  };
  if (signal.aborted) queueMicrotask(stop);
  else signal.addEventListener("abort", stop, { once: true });

  const accepting = (async () => {
    while (!signal.aborted) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (err) {
        if (signal.aborted || err instanceof Deno.errors.BadResource) break;
        // Out of file descriptors and the like: say so, let it pass.
        options.onRefusal({ kind: "accept-failed", client: "?" });
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const client = (conn.remoteAddr as Deno.NetAddr).hostname;
      const fromHost = perHost.get(client) ?? 0;
      if (open.size >= limits.maxConnections) {
        const refusal: Refusal = {
          kind: "full",
          client,
          status: 503,
          limit: limits.maxConnections,
        };
        options.onRefusal(refusal);
        refuse(conn, refusal);
        continue;
      }
      if (limits.maxPerHost > 0 && fromHost >= limits.maxPerHost) {
        const refusal: Refusal = {
          kind: "per-host",
          client,
          status: 503,
          limit: limits.maxPerHost,
        };
        options.onRefusal(refusal);
        refuse(conn, refusal);
        continue;
      }
      try {
        conn.setNoDelay(true);
      } catch {
        // already reset by the client: the first read says so
      }
      const t: Tracked = {
        conn,
        client,
        state: "head",
        since: performance.now(),
      };
      open.add(t);
      perHost.set(client, fromHost + 1);
      const done = serveConnection(t, options, limits).finally(() => {
        open.delete(t);
        const left = (perHost.get(client) ?? 1) - 1;
        if (left === 0) perHost.delete(client);
        else perHost.set(client, left);
        closeQuietly(conn);
        running.delete(done);
      });
      running.add(done);
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => open.size,
    finished: (async () => {
      await accepting;
      while (running.size > 0) await Promise.all(running);
      clearInterval(sweeper);
      signal.removeEventListener("abort", stop);
    })(),
  };
}

/** Answers 503 to a connection over a limit and closes it. */
function refuse(conn: Deno.TcpConn, refusal: Refusal): void {
  const body = new TextEncoder().encode(
    refusal.kind === "full"
      ? `serve is busy: ${refusal.limit} connections open; try again in a few seconds\n`
      : `serve is busy: ${refusal.limit} connections open from ${refusal.client}; try again in a few seconds\n`,
  );
  answerBusy(conn, body);
}

/** Closes `t`'s connection for `why`; its pending read or write fails. */
function cut(t: Tracked, why: CutReason | "timeout"): void {
  t.cut = why;
  closeQuietly(t.conn);
}

/** A head that did not arrive: the client closed, or it is too large. */
class NoHead extends Error {
  readonly tooLarge: boolean;
  constructor(tooLarge: boolean) {
    super(tooLarge ? "request head too large" : "no request");
    this.tooLarge = tooLarge;
  }
}

/** Reads the request head; returns it and the bytes after it. */
async function readHead(
  t: Tracked,
  maxBytes: number,
): Promise<{ head: RequestHead; rest: Uint8Array }> {
  let buffer = new Uint8Array(Math.min(2048, maxBytes));
  let length = 0;
  while (true) {
    if (length === buffer.length) {
      if (length >= maxBytes) throw new NoHead(true);
      const bigger = new Uint8Array(Math.min(maxBytes, buffer.length * 2));
      bigger.set(buffer);
      buffer = bigger;
    }
    const n = await t.conn.read(buffer.subarray(length));
    if (n === null) throw new NoHead(false);
    const searched = length;
    length += n;
    const end = headEnd(buffer, length, searched);
    if (end >= 0) {
      return {
        head: parseHead(buffer.subarray(0, end)),
        rest: buffer.slice(end, length),
      };
    }
  }
}

/** Serves the one request of connection `t`. */
async function serveConnection(
  t: Tracked,
  options: ListenOptions,
  limits: Limits,
): Promise<void> {
  let head: RequestHead;
  let rest: Uint8Array;
  try {
    ({ head, rest } = await readHead(t, limits.maxHeadBytes));
  } catch (err) {
    if (t.cut === "timeout") {
      options.onRefusal({
        kind: "timeout",
        client: t.client,
        limit: limits.requestTimeoutMs,
      });
    } else if (err instanceof NoHead && err.tooLarge) {
      options.onRefusal({
        kind: "head-too-large",
        client: t.client,
        status: 431,
        limit: limits.maxHeadBytes,
      });
      await sendSmall(t, 431, "request head too large\n");
    } else if (err instanceof BadRequest) {
      options.onRefusal({
        kind: "bad-request",
        client: t.client,
        status: err.status,
      });
      await sendSmall(t, err.status, `${reasonOf(err.status)}\n`);
    }
    // Otherwise the client went away before asking anything: nothing to say.
    return;
  }
  t.state = "handler";
  const started = performance.now();
  // The target as a URL on the Host the client named; a Host no URL can
  // hold (spaces, shell characters) is refused here.
  const host = head.headers.get("host") || "localhost";
  const url = head.target.startsWith("/")
    ? URL.parse(head.target, `http://${host}`)
    : URL.parse(head.target);
  if (!url || url.protocol !== "http:") {
    options.onRefusal({ kind: "bad-request", client: t.client, status: 400 });
    await sendSmall(t, 400, "bad Host header or request target\n");
    return;
  }
  const path = url.pathname;
  const report = (
    status: number,
    bytes: number,
    complete: boolean,
    extra: Partial<Exchange> = {},
  ) =>
    options.onExchange({
      client: t.client,
      method: head.method,
      path,
      status,
      bytes,
      seconds: (performance.now() - started) / 1000,
      complete,
      ...extra,
    });
  const found = options.router.find(head.method, path);
  if (found === 404 || "allowed" in found) {
    const status = found === 404 ? 404 : 405;
    const sent = await sendSmall(
      t,
      status,
      found === 404 ? "not found\n" : `only ${found.allowed.join(", ")}\n`,
      found === 404 ? [] : [["allow", found.allowed.join(", ")]],
    );
    report(status, sent.bytes, sent.complete, sent.cut);
    return;
  }
  const quiet = found.options.report === false;
  let body: ReadableStream<Uint8Array> | null = null;
  if (found.method === "POST") {
    const max = found.options.maxBody ?? 0;
    if (head.contentLength > max) {
      options.onRefusal({
        kind: "body-too-large",
        client: t.client,
        status: 413,
        limit: max,
      });
      await sendSmall(t, 413, `at most ${max} bytes\n`);
      return;
    }
    body = bodyStream(t, head, rest);
  }
  let answer: Answer;
  try {
    answer = await found.handler(
      new Request(url, { method: head.method, headers: head.headers, body }),
      { client: t.client, path },
    );
  } catch (err) {
    const line = (err instanceof Error ? err.message : String(err))
      .split("\n", 1)[0];
    answer = new Response(`error: ${line}\n`, { status: 500 });
  }
  const headOnly = head.method === "HEAD";
  const sent = answer instanceof FileAnswer
    ? await sendFile(t, answer, { headOnly, chunkBytes: limits.chunkBytes })
    : await sendResponse(t, answer, headOnly);
  if (!quiet) {
    const range = answer instanceof FileAnswer
      ? answer.options.range
      : undefined;
    report(sent.status, sent.bytes, sent.complete, {
      ...sent.cut,
      ...range ? { range } : {},
    });
  }
}

/**
 * A POST body: what came with the head, then reads up to its length into
 * one buffer per connection (a chunk is good until the next read: the
 * records' line reader copies what it keeps). The stream reads only when
 * asked (`highWaterMark: 0`), so a chunk is never overwritten under its
 * reader.
 */
function bodyStream(
  t: Tracked,
  head: RequestHead,
  rest: Uint8Array,
): ReadableStream<Uint8Array> {
  let remaining = head.contentLength;
  let early = rest.subarray(0, Math.min(rest.length, remaining));
  let asked = head.headers.get("expect")?.toLowerCase() !== "100-continue";
  let buffer: Uint8Array | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (early.length > 0) {
        remaining -= early.length;
        controller.enqueue(early);
        early = new Uint8Array(0);
      } else if (remaining > 0) {
        if (!asked) {
          asked = true;
          await t.conn.write(
            new TextEncoder().encode("HTTP/1.1 100 Continue\r\n\r\n"),
          );
        }
        t.state = "body";
        t.since = performance.now();
        buffer ??= new Uint8Array(Math.min(head.contentLength, 16 * 1024));
        const n = await t.conn.read(
          buffer.subarray(0, Math.min(remaining, buffer.length)),
        );
        t.state = "handler";
        if (n === null) {
          controller.error(
            new Error("the client closed before its body ended"),
          );
          return;
        }
        remaining -= n;
        controller.enqueue(buffer.subarray(0, n));
      }
      if (remaining === 0) controller.close();
    },
  }, { highWaterMark: 0 });
}
